"""The ``filmkg`` command line: a thin Typer layer over the :mod:`kg` library.

Each command calls one library function of the same name and prints its result;
results go to stdout, messages and progress to stderr.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from kg.errors import KGError
from kg.graph import KnowledgeGraph
from kg.query import GRAPH_FORMATS, TABLE_FORMATS, QueryResult, named_queries
from kg.endpoint import ENDPOINT_ENV, GSP_ENDPOINT_ENV, UPDATE_ENDPOINT_ENV
from kg.store import STORE_ENV, default_location

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="filmkg: a knowledge graph of film production relationships.",
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CliState:
    """The shared options of every command: the store folder, or a server's endpoints."""

    store: Path
    verbose: bool
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None


def _echo(value: Any, *, as_json: bool) -> None:
    """Print a library result (a dataclass): as JSON, or as its text form."""
    typer.echo(json.dumps(asdict(value), ensure_ascii=False, indent=1) if as_json else str(value))


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def handle_errors(command: F) -> F:
    """Turn a :class:`~kg.errors.KGError` into ``error: <message>`` on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KGError as exc:
            typer.echo(f"error: {exc}", err=True)
            code = exc.exit_code
        # Raised outside the except block, so that the error's traceback (and the store its frames
        # hold) is not kept alive by the Exit.
        raise typer.Exit(code)

    return wrapper  # type: ignore[return-value]


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
            "--endpoint", envvar=ENDPOINT_ENV, show_default=False,
            help="SPARQL query endpoint URL of a server to use instead of the store folder.",
        ),
    ] = None,
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            "--update-endpoint", envvar=UPDATE_ENDPOINT_ENV, show_default=False,
            help="SPARQL update endpoint URL (without it the server is read-only).",
        ),
    ] = None,
    gsp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--gsp-endpoint", envvar=GSP_ENDPOINT_ENV, show_default=False,
            help="Graph Store Protocol endpoint URL, for bulk uploads.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens to stderr.")] = False,
) -> None:
    """filmkg: a knowledge graph of film production relationships.

    Credentials for a server come from FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD,
    or FILMKG_ENDPOINT_TOKEN; never from the command line.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)
    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return getattr(source, "name", None) == "COMMANDLINE"

    if given("store") and given("endpoint"):
        raise typer.BadParameter("give either --store or --endpoint, not both")
    if store is not None and given("store"):
        endpoint = update_endpoint = gsp_endpoint = None  # an explicit folder wins over FILMKG_ENDPOINT
    if endpoint is None and (update_endpoint or gsp_endpoint):
        raise typer.BadParameter("--update-endpoint and --gsp-endpoint need --endpoint (the query URL)")
    for name, url in (("endpoint", endpoint), ("update-endpoint", update_endpoint), ("gsp-endpoint", gsp_endpoint)):
        try:
            parts = urlsplit(url or "")
            userinfo = bool(parts.username or parts.password)
        except ValueError:
            raise typer.BadParameter(f"--{name} {url} is not a valid URL: give it like http://localhost:7878/query") from None
        if url and given(name.replace("-", "_")) and userinfo:
            raise typer.BadParameter(
                f"--{name} carries credentials, which other users can see in the process list: "
                "set FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD (or FILMKG_ENDPOINT_TOKEN) instead"
            )
    ctx.obj = CliState(
        store=store or default_location(), verbose=verbose, endpoint=endpoint, update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
    )


def _state(ctx: typer.Context) -> CliState:
    state = ctx.obj
    assert isinstance(state, CliState)
    return state


def _open(ctx: typer.Context, *, create: bool = False) -> KnowledgeGraph:
    state = _state(ctx)
    if state.endpoint is not None:
        return KnowledgeGraph.connect(
            state.endpoint, update_endpoint=state.update_endpoint, gsp_endpoint=state.gsp_endpoint
        )
    return KnowledgeGraph.open(state.store, create=create)


@app.command()
@handle_errors
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .csv .tsv .jsonl and .ttl .nt .nq .trig .jsonld .rdf, each optionally .gz.")],
    base: Annotated[str | None, typer.Option(help="Base IRI for relative IRIs in RDF files.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Predicates and qualifiers outside the ontology are errors.")] = False,
    skip_bad_rows: Annotated[
        Path | None, typer.Option(help="Ingest the good rows; write rejected rows with reasons to this JSON Lines file.")
    ] = None,
    allow_network: Annotated[bool, typer.Option("--allow-network", help="Let JSON-LD fetch remote contexts.")] = False,
) -> None:
    """Ingest annotated triples and RDF files, each file into its own named graph."""
    state = _state(ctx)
    store = state.store
    existed = state.endpoint is not None or store.exists()
    try:
        report = _ingest(ctx, paths, base=base, strict=strict, skip_bad_rows=skip_bad_rows, allow_network=allow_network)
    except KGError:
        if not existed and store.is_dir():
            shutil.rmtree(store)  # a first ingest that failed leaves no empty store behind
        raise
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if report.rejected and skip_bad_rows is not None:
        typer.echo(f"rejected rows written to {skip_bad_rows}", err=True)
    typer.echo(report.summary())


def _ingest(
    ctx: typer.Context, paths: list[Path], *, base: str | None, strict: bool, skip_bad_rows: Path | None,
    allow_network: bool,
) -> Any:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from kg.ingest import supported_files

    large = any(f.stat().st_size >= _PROGRESS_BYTES for f in supported_files(paths))
    with _open(ctx, create=True) as graph, Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=_stderr(), transient=True, disable=not large,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int) -> None:
            if total < _PROGRESS_BYTES:
                return
            if name not in tasks:
                tasks[name] = bar.add_task(Path(name).name, total=total)
            bar.update(tasks[name], completed=done)

        return graph.ingest(
            paths, base=base, strict=strict, skip_bad_rows=skip_bad_rows, allow_network=allow_network,
            progress=progress,
        )


_PROGRESS_BYTES = 4_000_000
"""Files at least this big get a progress bar."""


def _read_query(sparql: str | None, file: Path | None, name: str | None) -> str | None:
    given = sum(x is not None for x in (sparql, file, name))
    if given > 1:
        raise typer.BadParameter("give the query once: as an argument, with -f FILE, or with --name")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise KGError(f"cannot read {file}: {exc}") from exc
    if sparql is None and name is None:
        if sys.stdin.isatty():
            raise typer.BadParameter("give a query as an argument, with -f FILE, --name NAME, or on stdin")
        return sys.stdin.read()
    return sparql


def _cell(graph: KnowledgeGraph, term: Any) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return graph.ontology.compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _print_table(graph: KnowledgeGraph, result: QueryResult) -> None:
    if result.kind == "ask":
        typer.echo("yes" if result.boolean else "no")
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(_cell(graph, term) for term in row))
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    console.print(table)
    typer.echo(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", err=True)


@app.command()
@handle_errors
def query(
    ctx: typer.Context,
    sparql: Annotated[str | None, typer.Argument(help="The SPARQL query (or use -f, --name or stdin).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from this file.")] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Run the named query ontology/queries/NAME.rq.")] = None,
    bind: Annotated[
        list[str] | None, typer.Option(help='Bind a variable: var=value (an entity name, CURIE, <IRI>, number or "literal"); repeatable.')
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help=f"{'|'.join(TABLE_FORMATS)} for SELECT/ASK, {'|'.join(GRAPH_FORMATS)} for CONSTRUCT/DESCRIBE."),
    ] = None,
    allow_network: Annotated[bool, typer.Option("--allow-network", help="Permit SERVICE clauses.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries and exit.")] = False,
) -> None:
    """Run a SPARQL query over all sources (all named graphs)."""
    if list_:
        for item in named_queries().values():
            params = f"  (--bind {', '.join(item.parameters)})" if item.parameters else ""
            typer.echo(f"{item.name}: {item.description}{params}")
        return
    if format is not None and format not in (*TABLE_FORMATS, *GRAPH_FORMATS):
        raise typer.BadParameter(f"use one of {', '.join((*TABLE_FORMATS, *GRAPH_FORMATS))}", param_hint="--format")
    text = _read_query(sparql, file, name)
    bindings: dict[str, str] = {}
    for entry in bind or []:
        if "=" not in entry:
            raise typer.BadParameter(f"{entry!r}: write var=value", param_hint="--bind")
        key, value = entry.split("=", 1)
        bindings[key.strip()] = value
    with _open(ctx) as graph:
        result = graph.query(
            None if name is not None else text, name=name, bind=bindings, allow_network=allow_network
        )
        chosen = format or ("turtle" if result.kind == "graph" else "table" if sys.stdout.isatty() else "csv")
        if chosen == "table" and result.kind != "graph":
            _print_table(graph, result)
        else:
            sys.stdout.write(result.serialize(chosen))


@app.command()
@handle_errors
def show(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="A name, label, CURIE (wd:Q...) or <IRI>.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
) -> None:
    """Show an entity's card: its types and every fact in and out, with qualifiers, source and quote."""
    with _open(ctx) as graph:
        card = graph.show(entity)
    _echo(card, as_json=as_json)


@app.command()
@handle_errors
def sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the ingested sources (files) with their counts."""
    with _open(ctx) as graph:
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
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


@app.command()
@handle_errors
def drop(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source name `filmkg sources` shows, or the path it was ingested from.")],
) -> None:
    """Remove one source (its named graph) from the store."""
    with _open(ctx) as graph:
        info = graph.drop(source)
    typer.echo(f"dropped {info.name}: {info.triples:,} triples, {info.statements:,} statements")


@app.command()
@handle_errors
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    format: Annotated[
        str | None, typer.Option("--format", help="trig|nq (named graphs kept), ttl|nt|jsonld (one merged graph); default from the suffix.")
    ] = None,
) -> None:
    """Export the whole graph to a file."""
    with _open(ctx) as graph:
        path = graph.export(output, format=format)
    typer.echo(f"wrote {path}", err=True)


OUTPUT_FORMATS = ("table", "csv", "json")


def _print_frame(frame: Any, format: str, *, title: str | None = None) -> None:
    """Print a pandas DataFrame as a table, CSV or JSON records."""
    if format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif format == "json":
        typer.echo(frame.to_json(orient="records", force_ascii=False, indent=1, default_handler=str))
    else:
        table = Table(*[str(c) for c in frame.columns], title=title)
        for row in frame.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


def _check_format(format: str) -> None:
    if format not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(OUTPUT_FORMATS)}", param_hint="--format")


FormatOption = Annotated[str, typer.Option("--format", help="table|csv|json")]
ProjectionOption = Annotated[str, typer.Option(help="entity|collaboration|person-film")]


@app.command()
@handle_errors
def path(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="The first entity (name, CURIE or <IRI>).")],
    b: Annotated[str, typer.Argument(help="The second entity.")],
    max_paths: Annotated[int, typer.Option(help="At most this many paths, shortest first.", min=1)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the shortest connections between two entities, each hop with its relation, qualifiers and source."""
    with _open(ctx) as graph:
        result = graph.path(a, b, max_paths=max_paths)
    _echo(result, as_json=as_json)


@app.command()
@handle_errors
def neighbors(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="The entity (name, CURIE or <IRI>).")],
    depth: Annotated[int, typer.Option(help="How many hops away.", min=1)] = 1,
    format: FormatOption = "table",
) -> None:
    """List the entities within --depth hops of an entity, nearest first."""
    import pandas

    _check_format(format)
    with _open(ctx) as graph:
        found = graph.neighbors(entity, depth=depth)
    frame = pandas.DataFrame(
        [(n.distance, n.label, ", ".join(n.types), n.via) for n in found], columns=["distance", "label", "types", "via"]
    )
    _print_frame(frame, format)


analyze = typer.Typer(no_args_is_help=True, help="Network analysis of the graph (networkx).")
app.add_typer(analyze, name="analyze")


@analyze.command("centrality")
@handle_errors
def analyze_centrality(
    ctx: typer.Context,
    measure: Annotated[str, typer.Option(help="degree|betweenness|pagerank")] = "degree",
    projection: ProjectionOption = "entity",
    top: Annotated[int, typer.Option(help="Show the top N (0 for all).", min=0)] = 10,
    format: FormatOption = "table",
) -> None:
    """Rank entities by degree, betweenness or PageRank centrality."""
    from kg.analysis import centrality

    _check_format(format)
    with _open(ctx) as graph:
        frame = centrality(graph, measure=measure, projection=projection, top=top or None)
    _print_frame(frame.drop(columns=["entity"]) if format == "table" else frame, format)


@analyze.command("communities")
@handle_errors
def analyze_communities(
    ctx: typer.Context,
    projection: ProjectionOption = "collaboration",
    resolution: Annotated[float, typer.Option(help="Louvain resolution: higher gives smaller communities.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed, for repeatable results.")] = 42,
    format: FormatOption = "table",
) -> None:
    """List Louvain communities by member."""
    from kg.analysis import communities

    _check_format(format)
    with _open(ctx) as graph:
        frame = communities(graph, projection=projection, resolution=resolution, seed=seed)
    _print_frame(frame.drop(columns=["entity"]) if format == "table" else frame, format)


@analyze.command("components")
@handle_errors
def analyze_components(
    ctx: typer.Context,
    projection: ProjectionOption = "entity",
    top: Annotated[int, typer.Option(help="Show the N largest (0 for all).", min=0)] = 10,
    format: FormatOption = "table",
) -> None:
    """List connected components, largest first."""
    from kg.analysis import components

    _check_format(format)
    with _open(ctx) as graph:
        frame = components(graph, projection=projection)
    _print_frame(frame.head(top) if top else frame, format)


@analyze.command("stats")
@handle_errors
def analyze_stats(ctx: typer.Context, format: FormatOption = "table") -> None:
    """Counts by class and relation, density, components and sources."""
    from kg.analysis import stats

    _check_format(format)
    with _open(ctx) as graph:
        frames = stats(graph)
    if format == "json":
        typer.echo(json.dumps({k: v.to_dict(orient="records") for k, v in frames.items()}, default=str, indent=1))
        return
    for name, frame in frames.items():
        if format == "csv":
            typer.echo(f"# {name}")
        _print_frame(frame, format, title=name)


# ------------------------------------------------------------------------------------------ viz


@app.command()
@handle_errors
def viz(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    focus: Annotated[
        str | None, typer.Option(help="Show the neighbourhood of this entity (name, CURIE or <IRI>).")
    ] = None,
    depth: Annotated[int, typer.Option(help="With --focus: how many hops away.", min=1)] = 1,
    query: Annotated[
        Path | None, typer.Option(help="Show the triples of this SPARQL file: a CONSTRUCT, or a SELECT of ?s ?p ?o.")
    ] = None,
    relation: Annotated[
        list[str] | None, typer.Option(help="Only this relation (an ontology name such as acted-in); repeatable.")
    ] = None,
    exclude_relation: Annotated[list[str] | None, typer.Option(help="Never this relation; repeatable.")] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only entities of this class (such as Person); repeatable.")
    ] = None,
    max_nodes: Annotated[int, typer.Option(help="At most this many entities (nearest or best connected first).", min=1)] = 300,
    title: Annotated[str | None, typer.Option(help="The page's title and heading.")] = None,
) -> None:
    """Write an interactive view of the graph to one self-contained HTML file that works offline."""
    with _open(ctx) as graph:
        result = graph.viz(
            output, focus=focus, depth=depth, query=query, relations=relation or (),
            exclude_relations=exclude_relation or (), types=type_ or (), max_nodes=max_nodes, title=title,
        )
    typer.echo(str(result), err=True)
