"""The ``import`` sub-app: one command per public source, each a thin shell over its importer
(:mod:`kg.ingest`), ingesting through :func:`kg.cli.commands.run_ingest`."""

from __future__ import annotations

import typer

__all__ = ["imports"]

imports = typer.Typer(
    no_args_is_help=True,
    help="Import public film data (IMDb datasets, Wikidata entities, TMDB responses, the Academy Awards table), each file into its own named graph.",
)
