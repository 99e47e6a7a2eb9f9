"""Queue rules as plain Python: no FastAPI, no SQL. Tested fast and deterministically."""
