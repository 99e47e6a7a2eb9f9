"""Hardware drivers: ESC/POS printers, serial displays and keypads, speech, the device agent."""
