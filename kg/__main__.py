"""Run the command line: ``python -m kg``."""

from kg.cli import app

app(prog_name="filmkg")
