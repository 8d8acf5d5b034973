"""The service package; ``python -m`` it to serve (see README.md)."""
