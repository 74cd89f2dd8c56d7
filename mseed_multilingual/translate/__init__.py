"""Translation backends: one module per backend, a registry by name."""
