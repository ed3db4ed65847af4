"""The ``import`` sub-app: one command per public source, each a thin shell over its importer
(:mod:`kg.ingest`), ingesting through :func:`kg.cli.commands.run_ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.commands import DecompressedLimit, FreeLimit, LineLimit, RatioLimit, SkipOption, run_ingest
from kg.cli.common import handle_errors
from kg.ingest.imdb import ImdbDatasets, parse_titles
from kg.ingest.limits import Limits

__all__ = ["imports"]

imports = typer.Typer(
    no_args_is_help=True,
    help="Import public film data (IMDb datasets, Wikidata entities, TMDB responses, the Academy Awards table), each file into its own named graph.",
)


def _listed(values: list[str] | None) -> list[str] | None:
    """Comma-separated and repeated values as one list (``None`` when none are given)."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@imports.command("imdb")
@handle_errors
def imdb(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="A folder of IMDb dataset files, or the files: title.basics, title.principals, name.basics, title.crew, title.akas (.tsv or .tsv.gz).")],
    titles: Annotated[str | None, typer.Option(help="Only these titles: a file of tconsts (one per line) or comma-separated ids.")] = None,
    since: Annotated[int | None, typer.Option(help="Only titles whose startYear is at least this.")] = None,
    until: Annotated[int | None, typer.Option(help="Only titles whose startYear is at most this.")] = None,
    type: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only these titleTypes (comma-separated or repeated). Default: movie,tvMovie,short,video; every type with --titles."),
    ] = None,
    categories: Annotated[
        list[str] | None,
        typer.Option("--categories", help="Only these principal categories (comma-separated or repeated), e.g. director,actor,actress."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Categories and title types without a mapping are errors.")] = False,
    skip_bad_rows: SkipOption = None,
    max_line_bytes: LineLimit = None,
    max_decompressed_bytes: DecompressedLimit = None,
    max_compression_ratio: RatioLimit = None,
    min_free_bytes: FreeLimit = None,
) -> None:
    """Import IMDb's non-commercial datasets (TSV, optionally .gz), each file into its own named graph."""
    importer = ImdbDatasets(
        titles=parse_titles(titles) if titles is not None else None, since=since, until=until,
        types=_listed(type), categories=_listed(categories),
    )  # fmt: skip
    importer.mapping()  # an unknown type or category is a usage error before anything is read
    limits = Limits.from_env(
        max_line_bytes=max_line_bytes, max_decompressed_bytes=max_decompressed_bytes,
        max_compression_ratio=max_compression_ratio, min_free_bytes=min_free_bytes,
    )  # fmt: skip
    run_ingest(ctx, paths, importer=importer, strict=strict, skip_bad_rows=skip_bad_rows, limits=limits)
