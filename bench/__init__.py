"""Load benchmark for the Sira server: ``python -m bench.load``."""
