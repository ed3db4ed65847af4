"""The ``import`` sub-app: one command per public source, each a thin shell over its importer
(:mod:`kg.ingest`), ingesting through :func:`kg.cli.commands.run_ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.commands import (
    DecompressedLimit,
    DepthLimit,
    DocumentLimit,
    FreeLimit,
    LineLimit,
    RatioLimit,
    SkipOption,
    run_ingest,
)
from kg.cli.common import handle_errors
from kg.ingest import Limits
from kg.ingest.imdb import ImdbDatasets, parse_titles
from kg.ingest.mapped import MappedTable, shipped_mapping
from kg.ingest.tmdb import TmdbResource, TmdbResponses
from kg.ingest.wikidata import WikidataEntities

__all__ = ["imdb", "imports", "oscars", "tmdb", "wikidata"]

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


@imports.command("oscars")
@handle_errors
def oscars(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="The Academy Awards table of DLu/oscar_data (oscars.csv), optionally .gz or in a .zip.")],
    strict: Annotated[bool, typer.Option("--strict", help="Values without a mapping are errors.")] = False,
    skip_bad_rows: SkipOption = None,
    max_line_bytes: LineLimit = None,
    max_decompressed_bytes: DecompressedLimit = None,
    max_compression_ratio: RatioLimit = None,
    min_free_bytes: FreeLimit = None,
) -> None:
    """Import the Academy Awards table through its shipped mapping file (ontology/mappings/oscars.toml)."""
    limits = Limits.from_env(
        max_line_bytes=max_line_bytes, max_decompressed_bytes=max_decompressed_bytes,
        max_compression_ratio=max_compression_ratio, min_free_bytes=min_free_bytes,
    )  # fmt: skip
    run_ingest(ctx, paths, importer=MappedTable.from_file(shipped_mapping("oscars")), strict=strict,
               skip_bad_rows=skip_bad_rows, limits=limits)  # fmt: skip


@imports.command("tmdb")
@handle_errors
def tmdb(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="TMDB API responses (.json, optionally .gz), or folders of them.")],
    resource: Annotated[
        TmdbResource | None,
        typer.Option(help="Read every file as this resource (default: by its shape; tv-credits needs it)."),
    ] = None,
    retrieved: Annotated[str | None, typer.Option(help="When the responses were fetched (a date), as the retrieved qualifier.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Jobs without a mapping (ontology/mappings/tmdb.toml) are errors.")] = False,
    skip_bad_rows: SkipOption = None,
    max_document_bytes: DocumentLimit = None,
    max_decompressed_bytes: DecompressedLimit = None,
    max_compression_ratio: RatioLimit = None,
    max_json_depth: DepthLimit = None,
    min_free_bytes: FreeLimit = None,
) -> None:
    """Import TMDB API v3 responses: movie and person details, movie and TV credits, credit details."""
    limits = Limits.from_env(
        max_document_bytes=max_document_bytes, max_decompressed_bytes=max_decompressed_bytes,
        max_compression_ratio=max_compression_ratio, max_json_depth=max_json_depth, min_free_bytes=min_free_bytes,
    )  # fmt: skip
    importer = TmdbResponses(resource=resource.value if resource else None, retrieved=retrieved)
    run_ingest(ctx, paths, importer=importer, strict=strict, skip_bad_rows=skip_bad_rows, limits=limits)


@imports.command("wikidata")
@handle_errors
def wikidata(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Wikidata entity JSON: Special:EntityData or wbgetentities responses, entities, or dump lines (.json, .ndjson; .gz, .bz2); or folders."),
    ],
    lang: Annotated[str, typer.Option(help="Language of labels, aliases and descriptions; then mul, then en, then any.")] = "en",
    strict: Annotated[bool, typer.Option("--strict", help="Properties, classes and qualifiers without a mapping are errors.")] = False,
    skip_bad_rows: SkipOption = None,
    max_line_bytes: LineLimit = None,
    max_decompressed_bytes: DecompressedLimit = None,
    max_compression_ratio: RatioLimit = None,
    max_json_depth: DepthLimit = None,
    min_free_bytes: FreeLimit = None,
) -> None:
    """Import Wikidata entities (claims, qualifiers, ranks, references), each file into its own named graph."""
    limits = Limits.from_env(
        max_line_bytes=max_line_bytes, max_decompressed_bytes=max_decompressed_bytes,
        max_compression_ratio=max_compression_ratio, max_json_depth=max_json_depth, min_free_bytes=min_free_bytes,
    )  # fmt: skip
    run_ingest(ctx, paths, importer=WikidataEntities(lang=lang), strict=strict, skip_bad_rows=skip_bad_rows, limits=limits)
