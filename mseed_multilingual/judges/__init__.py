"""Safety judges: one module per backend, a registry by name (see registry.py)."""
