"""Benchmarks: commands that print measured ratios side by side (`make bench` runs them all)."""
