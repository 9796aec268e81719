"""The ``liaison`` command line: a thin layer over the library.

The group is lazy: a command's module is imported only when that command runs,
so that ``liaison --version`` and ``liaison list`` start fast (no numpy, polars,
scipy, matplotlib, httpx or starlette unless the command needs them). Every
failure goes through one error boundary (``liaison.cli._boundary``): a message
and an exit code from the README's table, never a traceback.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from types import MappingProxyType

import click

from liaison import __version__
from liaison.cli._boundary import run

__all__ = ["COMMANDS", "cli", "main"]

#: Every command: name -> (module under liaison.cli, attribute, one-line help).
#: Registering a command is one line here.
COMMANDS: MappingProxyType[str, tuple[str, str, str]] = MappingProxyType(
    {
        "init": ("_node", "init",
                 "Create a node: key pair, configuration, store and the party's identity."),
        "key": ("_node", "key", "This node's signing key."),
        "audit": ("_node", "audit", "The tamper-evident audit log."),
        "ingest": ("_ingest", "ingest", "Validate, sign, store and audit the records of FILES."),
        "list": ("_records", "list_",
                 "List records by kind, group, party, time window and area."),
        "show": ("_records", "show",
                 "Show the latest version of a record and check its signature."),
        "export": ("_export", "export",
                   "Export the latest version of records as a STIX bundle, CSV or a MISP event."),
        "party": ("_registry", "party", "Parties: add one, list them (names resolve to ids)."),
        "group": ("_registry", "group",
                  "Armed groups: add one, list them (names resolve to ids)."),
        "partner": ("_exchange", "partner", "Partner nodes: pinned keys, URLs, tokens."),
        "policy": ("_exchange", "policy", "Release policies ([partners.NAME] in liaison.toml)."),
        "release": ("_exchange", "release",
                    "Bring every partner's release table up to date (new records, due delays, "
                    "policy)."),
        "serve": ("_exchange", "serve", "Serve this node's release tables over TAXII 2.1."),
        "sync": ("_exchange", "sync",
                 "Pull, verify and store what partners released to this node."),
        "simulate": ("_assess", "simulate",
                     "Write a synthetic conflict with known ground truth (STIX bundles + "
                     "ground_truth.json)."),
        "assess": ("_assess", "assess",
                   "Assess groups and strikes from the node's records (its own and received)."),
        "data": ("_data", "data", "Open datasets the connectors read: list, fetch, the real case."),
        "link": ("_link", "link",
                 "Find the persons both partners hold without handing over either list."),
    }
)  # fmt: skip


class LazyGroup(click.Group):
    """A group whose commands are imported when they run (or when their help is asked)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"liaison.cli.{entry[0]}")
        command: click.Command = getattr(module, entry[1])
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table, importing none of them."""
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="liaison")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def cli(verbose: bool) -> None:
    """liaison: a sovereign node for selective, signed, audited information exchange."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``liaison`` script: run, then exit with the command's code."""
    raise SystemExit(run(cli, argv))
