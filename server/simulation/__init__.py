"""Simulated business days played through the real queue rules and the real estimator:
``plan`` (what a day looks like), ``day`` (playing it). ``server/simulate.py`` writes them as
history; ``bench/estimates.py`` measures the quotes against the waits that followed."""
