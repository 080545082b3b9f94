"""`python -m verifier` runs the CLI."""

from .cli import main

main()
