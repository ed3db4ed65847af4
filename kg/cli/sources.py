"""``filmkg sources``: the ingested files, and ``sources attach``: a source's text archived with the store."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg.cli.common import console, handle_errors, open_graph

__all__ = ["sources"]

sources = typer.Typer(help="List the ingested sources (files) with their counts; `sources attach` archives a source's text.")


@sources.callback(invoke_without_command=True)
@handle_errors
def sources_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the ingested sources (files) with their counts."""
    if ctx.invoked_subcommand is not None:
        return
    with open_graph(ctx) as graph:
        items = graph.sources()
    if as_json:
        typer.echo(json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=1))
        return
    if not items:
        typer.echo("no sources: run `filmkg ingest PATH`", err=True)
        return
    table = Table("source", "rows", "triples", "statements", "ingested", "path")
    for i in items:
        table.add_row(i.name, f"{i.rows:,}", f"{i.triples:,}", f"{i.statements:,}", i.ingested, i.path)
    console().print(table)


@sources.command("attach")
@handle_errors
def sources_attach(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source as the `source` column names it (or its URL or IRI).")],
    file: Annotated[Path, typer.Argument(help="A UTF-8 text file: the source's text.")],
) -> None:
    """Archive the text of a source (an article, a book) with the store, so that `filmkg verify` checks quotes against it."""
    with open_graph(ctx, write=True) as graph:
        attached = graph.attach(source, file)
    typer.echo(f"attached {attached.file} ({attached.characters:,} characters) to {attached.label}")
