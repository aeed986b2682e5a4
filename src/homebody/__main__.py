"""`python -m homebody`: the same as the `homebody` command."""

from homebody.cli import main

main()
