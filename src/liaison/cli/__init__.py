"""The ``liaison`` command line: a thin layer over the library."""

from __future__ import annotations

import logging

import click

from liaison import __version__
from liaison.cli._assess import assess, simulate
from liaison.cli._data import data
from liaison.cli._exchange import COMMANDS as EXCHANGE_COMMANDS
from liaison.cli._node import audit, init, key
from liaison.cli._records import export, ingest, list_, show

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="liaison")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def cli(verbose: bool) -> None:
    """liaison: a sovereign node for selective, signed, audited information exchange."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )


for command in (init, key, ingest, list_, show, export, audit, simulate, assess, data):
    cli.add_command(command)
for command in EXCHANGE_COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``liaison`` script."""
    cli()
