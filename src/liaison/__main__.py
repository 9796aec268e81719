"""``python -m liaison``: the command line."""

from liaison.cli import main

main()
