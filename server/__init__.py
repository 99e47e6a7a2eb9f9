"""Sira server: queue management for bank branches."""
