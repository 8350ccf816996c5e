"""Metrics beyond mmaction2's (``mmaction.AccMetric`` covers classification)."""
