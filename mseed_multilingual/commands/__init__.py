"""One module per ``mseed`` subcommand, each with ``register(subparsers)`` (see cli.py)."""
