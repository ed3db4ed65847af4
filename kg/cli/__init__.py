"""The ``filmkg`` command line: a thin Typer layer over the :mod:`kg` library.

Each command calls one library function of the same name and prints its result;
results go to stdout, messages and progress to stderr.

- :mod:`kg.cli.common`: shared state, error handling, opening the graph, printing;
- :mod:`kg.cli.commands`: the root commands;
- :mod:`kg.cli.sources`: the ``sources`` sub-app (``sources`` lists, ``sources attach``);
- :mod:`kg.cli.analyze`: the ``analyze`` sub-app;
- :mod:`kg.cli.imports`: the ``import`` sub-app (one command per public source).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import commands
from kg.cli.analyze import analyze
from kg.cli.imports import imports
from kg.cli.sources import sources
from kg.cli.common import CliState, check
from kg.store import ENDPOINT_ENV, GSP_ENDPOINT_ENV, STORE_ENV, UPDATE_ENDPOINT_ENV, where

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="filmkg: a knowledge graph of film production relationships.",
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[
        Path | None,
        typer.Option("--store", help=f"Store folder (default: ${STORE_ENV} or ./.filmkg).", show_default=False),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint", show_default=False,
            help=f"SPARQL query endpoint URL of a server to use instead of the store folder (default: ${ENDPOINT_ENV}).",
        ),
    ] = None,
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            "--update-endpoint", show_default=False,
            help=f"SPARQL update endpoint URL; without it the server is read-only (default: ${UPDATE_ENDPOINT_ENV}).",
        ),
    ] = None,
    gsp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--gsp-endpoint", show_default=False,
            help=f"Graph Store Protocol endpoint URL, for bulk uploads (default: ${GSP_ENDPOINT_ENV}).",
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(help="While another process holds the store (an ingest, say), wait up to this many seconds.",
                     min=0, envvar="FILMKG_WAIT"),
    ] = 0.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens to stderr.")] = False,
) -> None:
    """filmkg: a knowledge graph of film production relationships.

    Credentials for a server come from FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD,
    or FILMKG_ENDPOINT_TOKEN; never from the command line.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)
    check(lambda: where(store=store, endpoint=endpoint, update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint,
                        environ={}))
    ctx.obj = CliState(
        store=store, verbose=verbose, wait=wait, endpoint=endpoint, update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
    )


for _command in (
    commands.ingest, commands.query, commands.show, commands.drop, commands.export,
    commands.path, commands.neighbors, commands.viz, commands.verify, commands.validate, commands.reconcile,
    commands.conflicts,
):  # fmt: skip
    app.command()(_command)
app.add_typer(sources, name="sources")
app.add_typer(analyze, name="analyze")
app.add_typer(imports, name="import")
