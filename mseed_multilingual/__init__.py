"""mseed-multilingual: MSEED safety prompts across languages, judged, with transfer statistics."""

__version__ = "0.1.0"
