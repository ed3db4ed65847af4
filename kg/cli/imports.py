"""The ``import`` sub-app: one command per public source, each a thin shell over its importer
(:mod:`kg.ingest`), ingesting through :func:`kg.cli.commands.run_ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.commands import DecompressedLimit, FreeLimit, LineLimit, RatioLimit, SkipOption, run_ingest
from kg.cli.common import handle_errors
from kg.ingest import Limits
from kg.ingest.mapped import MappedTable, shipped_mapping

__all__ = ["imports", "oscars"]

imports = typer.Typer(
    no_args_is_help=True,
    help="Import public film data (IMDb datasets, Wikidata entities, TMDB responses, the Academy Awards table), each file into its own named graph.",
)


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
