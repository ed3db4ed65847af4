"""``filmkg analyze``: network analysis of the graph (networkx), one command per library function."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kg.analysis import EXACT_BETWEENNESS, SAMPLE, SEED, TOP, Measure, Projection, centrality, communities, components, stats
from kg.cli.common import FormatOption, handle_errors, open_graph, print_frame

__all__ = ["analyze"]

analyze = typer.Typer(no_args_is_help=True, help="Network analysis of the graph (networkx).")

ProjectionOption = Annotated[Projection, typer.Option(help="Which projection of the graph.")]


@analyze.command("centrality")
@handle_errors
def analyze_centrality(
    ctx: typer.Context,
    measure: Annotated[Measure, typer.Option(help="The centrality measure.")] = "degree",
    projection: ProjectionOption = "entity",
    top: Annotated[int, typer.Option(help="Show the top N (0 for all).", min=0)] = TOP,
    sample: Annotated[
        int | None,
        typer.Option(
            help=f"Betweenness from K source nodes, approximate (0 for exact; by default K={SAMPLE} "
            f"above {EXACT_BETWEENNESS:,} nodes, exact below).",
            min=0, metavar="K",
        ),
    ] = None,
    format: FormatOption = "table",
) -> None:
    """Rank entities by degree, betweenness or PageRank centrality."""
    if sample is not None and measure != "betweenness":
        raise typer.BadParameter("applies to --measure betweenness only", param_hint="--sample")
    with open_graph(ctx) as graph:
        frame = centrality(graph, measure=measure, projection=projection, top=top or None, sample=sample)
    if frame.attrs.get("sample"):
        typer.echo(
            f"betweenness approximated from a sample of {frame.attrs['sample']} source nodes "
            "(--sample 0 for the exact scores, slower)",
            err=True,
        )
    print_frame(frame.drop(columns=["entity"]) if format == "table" else frame, format)


@analyze.command("communities")
@handle_errors
def analyze_communities(
    ctx: typer.Context,
    projection: ProjectionOption = "collaboration",
    resolution: Annotated[float, typer.Option(help="Louvain resolution: higher gives smaller communities.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed, for repeatable results.")] = SEED,
    format: FormatOption = "table",
) -> None:
    """List Louvain communities by member."""
    with open_graph(ctx) as graph:
        frame = communities(graph, projection=projection, resolution=resolution, seed=seed)
    print_frame(frame.drop(columns=["entity"]) if format == "table" else frame, format)


@analyze.command("components")
@handle_errors
def analyze_components(
    ctx: typer.Context,
    projection: ProjectionOption = "entity",
    top: Annotated[int, typer.Option(help="Show the N largest (0 for all).", min=0)] = TOP,
    format: FormatOption = "table",
) -> None:
    """List connected components, largest first."""
    with open_graph(ctx) as graph:
        frame = components(graph, projection=projection, top=top or None)
    print_frame(frame, format)


@analyze.command("stats")
@handle_errors
def analyze_stats(ctx: typer.Context, format: FormatOption = "table") -> None:
    """Counts by class and relation, density, components and sources."""
    with open_graph(ctx) as graph:
        frames = stats(graph)
    if format == "json":
        typer.echo(json.dumps({k: v.to_dict(orient="records") for k, v in frames.items()}, default=str, indent=1))
        return
    for name, frame in frames.items():
        if format == "csv":
            typer.echo(f"# {name}")
        print_frame(frame, format, title=name)
