"""python -m datatorget runs the command line."""

from datatorget.cli import main

main()
