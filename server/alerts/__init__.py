"""Alerts a branch manager should act on: raised and cleared as conditions come and go."""
