"""Announcement audio: the chime and the spoken call, generated offline and cached."""
