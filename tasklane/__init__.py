"""Tasklane: the composition root that wires config, engine, workers and web together."""
