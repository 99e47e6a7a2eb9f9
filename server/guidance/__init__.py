"""Spoken guidance for the kiosk: phrases it asks for, worded here and spoken offline."""
