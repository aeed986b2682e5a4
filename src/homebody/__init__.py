"""homebody: a personal AI agent that lives at home."""

__version__ = "0.1.0"
