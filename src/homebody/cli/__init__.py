"""The `homebody` command line (`cli`, and `main` for the console script)."""

from homebody.cli import agency, context  # noqa: F401 - registers the commands on `cli`
from homebody.cli.base import cli, main

__all__ = ["cli", "main"]
