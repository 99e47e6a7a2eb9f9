"""sira-agent: drives a kiosk or counter PC's printer, LED displays, keypads and speaker."""
