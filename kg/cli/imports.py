"""The ``import`` sub-app: one command per public source, each a thin shell over its importer
(:mod:`kg.ingest`), ingesting through :func:`kg.cli.commands.run_ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.commands import DecompressedLimit, DepthLimit, FreeLimit, LineLimit, RatioLimit, SkipOption, run_ingest
from kg.cli.common import handle_errors
from kg.ingest import Limits
from kg.ingest.wikidata import WikidataEntities

__all__ = ["imports", "wikidata"]

imports = typer.Typer(
    no_args_is_help=True,
    help="Import public film data (IMDb datasets, Wikidata entities, TMDB responses, the Academy Awards table), each file into its own named graph.",
)


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
