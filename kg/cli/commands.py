"""The root commands: each reads its arguments, calls one library function of the same name and prints the result."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kg.analysis import MAX_PATHS, Projection
from kg.conflicts import TOLERANCE
from kg.cli.common import (
    FormatOption,
    TableFormat,
    console,
    echo_result,
    flags,
    handle_errors,
    open_graph,
    options_of,
    print_frame,
    stderr,
)
from kg.errors import KGError
from kg.export import ExportFormat, export_format
from kg.graph import KnowledgeGraph
from kg.ingest import IMPORTERS, Importer, Limits, supported_files
from kg.ingest.mapped import MappedTable
from kg.ingest.limits import ENV_PREFIX
from kg.query import GRAPH_FORMATS, TABLE_FORMATS, QueryResult, ResultFormat, named_queries
from kg.reconcile import proposals as _reconcile_proposals
from kg.viz import MAX_NODES

__all__ = [
    "conflicts", "drop", "export", "ingest", "run_ingest", "neighbors", "path", "query", "reconcile", "show", "validate", "verify", "viz",
]

PROGRESS_BYTES = 4_000_000
"""Files at least this big get a progress bar."""



def _limit(name: str, help: str, *, minimum: int = 1) -> Any:
    """An ingest limit's option: unset, it is taken from ``$FILMKG_<NAME>``, else the library's default."""
    default = getattr(Limits(), name)
    return typer.Option(help=f"{help} Default: ${ENV_PREFIX}{name.upper()}, else {default:,}.", min=minimum,
                        show_default=False, rich_help_panel="Limits")  # fmt: skip


SkipOption = Annotated[
    Path | None, typer.Option(help="Ingest the good rows; write rejected rows with reasons to this JSON Lines file.")
]
LineLimit = Annotated[int | None, _limit("max_line_bytes", "Bytes in a line of JSON Lines, N-Triples or N-Quads, or a CSV/TSV record.")]
DecompressedLimit = Annotated[int | None, _limit("max_decompressed_bytes", "Bytes a .gz file may decompress to.")]
RatioLimit = Annotated[int | None, _limit("max_compression_ratio", "How many times its size a .gz file may decompress to.")]
DepthLimit = Annotated[int | None, _limit("max_json_depth", "How deeply a JSON record may nest.")]
DocumentLimit = Annotated[int | None, _limit("max_document_bytes", "Bytes of a JSON document read whole (an API response).")]
FreeLimit = Annotated[int | None, _limit("min_free_bytes", "Bytes to keep free on the disk of $TMPDIR.", minimum=0)]


@handle_errors
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .csv .tsv .jsonl, .ttl .nt .nq .trig .jsonld .rdf and .json (TMDB responses), each optionally .gz.")],
    format: Annotated[
        str | None,
        typer.Option("--format", help=f"Read every file as: {', '.join(i.name for i in IMPORTERS)} (default: by suffix)."),
    ] = None,
    map: Annotated[
        Path | None,
        typer.Option("--map", help="Read every file (a CSV or TSV table, optionally .gz or in a .zip) through this TOML mapping file (README, \"Any spreadsheet\").", show_default=False),
    ] = None,
    base: Annotated[str | None, typer.Option(help="Base IRI for relative IRIs in RDF files.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Predicates and qualifiers outside the ontology, and values without a mapping, are errors.")] = False,
    skip_bad_rows: SkipOption = None,
    allow_network: Annotated[bool, typer.Option("--allow-network", help="Let JSON-LD fetch remote contexts.")] = False,
    max_line_bytes: LineLimit = None,
    max_decompressed_bytes: DecompressedLimit = None,
    max_compression_ratio: RatioLimit = None,
    max_json_depth: DepthLimit = None,
    max_entity_bytes: Annotated[int | None, _limit("max_entity_bytes", "Bytes the DTD entities of an RDF/XML file may expand to.")] = None,
    min_free_bytes: FreeLimit = None,
) -> None:
    """Ingest annotated triples and RDF files, each file into its own named graph."""
    importer = None
    if map is not None:
        if format is not None:
            raise typer.BadParameter("give --format or --map, not both")
        importer = MappedTable.from_file(map)
    limits = Limits.from_env(
        max_line_bytes=max_line_bytes, max_decompressed_bytes=max_decompressed_bytes,
        max_compression_ratio=max_compression_ratio, max_json_depth=max_json_depth,
        max_entity_bytes=max_entity_bytes, min_free_bytes=min_free_bytes,
    )  # fmt: skip
    run_ingest(ctx, paths, format=format, importer=importer, base=base, strict=strict, skip_bad_rows=skip_bad_rows,
               allow_network=allow_network, limits=limits)  # fmt: skip


def run_ingest(
    ctx: typer.Context,
    paths: list[Path],
    *,
    format: str | None = None,
    importer: Importer | None = None,
    base: str | None = None,
    strict: bool = False,
    skip_bad_rows: Path | None = None,
    allow_network: bool = False,
    limits: Limits,
) -> None:
    """Ingest ``paths`` with a progress bar for big files, then print the warnings and the summary
    (``ingest`` and every ``import`` command)."""
    large = any(
        f.stat().st_size >= PROGRESS_BYTES for f in supported_files(paths, format=format, importer=importer)
    )
    with open_graph(ctx, write=True, create=True) as graph, Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=stderr(), transient=True, disable=not large,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int) -> None:
            if total < PROGRESS_BYTES:
                return
            if name not in tasks:
                tasks[name] = bar.add_task(Path(name).name, total=total)
            bar.update(tasks[name], completed=done)

        report = graph.ingest(
            paths, format=format, base=base, strict=strict, skip_bad_rows=skip_bad_rows,
            allow_network=allow_network, progress=progress, limits=limits, importer=importer,
        )  # fmt: skip
    if report.recovered.summary():
        typer.echo(report.recovered.summary(), err=True)
    for warning in report.warnings:
        typer.echo(f"warning: {flags(str(warning), options_of(ctx))}", err=True)
    if report.rejected and skip_bad_rows is not None:
        typer.echo(f"rejected rows written to {skip_bad_rows}", err=True)
    typer.echo(report.summary())


def _read_query(sparql: str | None, file: Path | None, name: str | None) -> str | None:
    given = sum(x is not None for x in (sparql, file, name))
    if given > 1:
        raise typer.BadParameter("give the query once: as an argument, with -f FILE, or with --name")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KGError(f"cannot read {file}: {exc}") from exc
    if sparql is None and name is None:
        if sys.stdin.isatty():
            raise typer.BadParameter("give a query as an argument, with -f FILE, --name NAME, or on stdin")
        return sys.stdin.read()
    return sparql


def _cell(graph: KnowledgeGraph, term: Any) -> str:
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
    console().print(table)
    typer.echo(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", err=True)


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
        ResultFormat | None,
        typer.Option("--format", help=f"{'|'.join(TABLE_FORMATS)} for SELECT/ASK, {'|'.join(GRAPH_FORMATS)} for CONSTRUCT/DESCRIBE."),
    ] = None,
    allow_network: Annotated[bool, typer.Option("--allow-network", help="Permit SERVICE clauses.")] = False,
    timeout: Annotated[
        float | None,
        typer.Option(help="Stop the query after this many seconds (default: $FILMKG_QUERY_TIMEOUT, else no limit).",
                     min=0.001, show_default=False),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Print at most this many rows (a page).", min=0)] = None,
    offset: Annotated[int, typer.Option(help="Skip this many rows first.", min=0)] = 0,
    sort: Annotated[
        bool | None,
        typer.Option("--sort/--no-sort", help="Sort as the query's ORDER BY says, or not (default: sorted, "
                     "except a page of a named query).", show_default=False),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries and exit.")] = False,
) -> None:
    """Run a SPARQL query over all sources (all named graphs).

    --limit and --offset print one page. A page of a named query comes in the
    order the store finds its rows, without sorting the whole answer first
    (the same order every time while the store does not change, so --offset
    walks through it); add --sort for a page of the sorted answer, which costs
    as much as the whole answer. Without --limit and --offset a named query is
    sorted; a query you write keeps its own ORDER BY unless --no-sort.
    """
    if list_:
        for item in named_queries().values():
            params = f"  (--bind {', '.join(item.parameters)})" if item.parameters else ""
            typer.echo(f"{item.name}: {item.description}{params}")
        return
    text = _read_query(sparql, file, name)
    bindings: dict[str, str] = {}
    for entry in bind or []:
        if "=" not in entry:
            raise typer.BadParameter(f"{entry!r}: write var=value", param_hint="--bind")
        key, value = entry.split("=", 1)
        bindings[key.strip()] = value
    with open_graph(ctx) as graph:
        result = graph.query(
            None if name is not None else text, name=name, bind=bindings, limit=limit, offset=offset, sort=sort,
            allow_network=allow_network, timeout=timeout,
        )  # fmt: skip
        chosen = format or ("turtle" if result.kind == "graph" else "table" if sys.stdout.isatty() else "csv")
        if chosen == "table" and result.kind != "graph":
            _print_table(graph, result)
        else:
            sys.stdout.write(result.serialize(chosen))


@handle_errors
def show(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="A name, label, CURIE (wd:Q...) or <IRI>.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
) -> None:
    """Show an entity's card: its types and every fact in and out, with qualifiers, source and quote."""
    with open_graph(ctx) as graph:
        card = graph.show(entity)
    echo_result(card, as_json=as_json)


_CONFLICT_TABLE = ["group", "subject", "relation", "object", "identifying", "value", "rank", "source", "spread", "resolved"]
"""The columns the table shows; csv and json give them all."""


@handle_errors
def conflicts(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(help="Only claims about this entity (name, CURIE or <IRI>).")] = None,
    tolerance: Annotated[
        float,
        typer.Option(help="Durations agree when their ranges, widened by this fraction, overlap (dates: when "
                          "their precisions overlap).", min=0.0),
    ] = TOLERANCE,
    format: FormatOption = "table",
) -> None:
    """List groups of statements that make incompatible claims (single-valued qualifiers and relations), with ranks."""
    with open_graph(ctx) as graph:
        frame = graph.conflicts(entity, tolerance=tolerance)
    groups = frame["group"].nunique()
    resolved = frame.drop_duplicates("group")["resolved"].sum()
    typer.echo(f"{groups} group{'s' if groups != 1 else ''} of conflicting claims ({len(frame)} claims), "
               f"{resolved} resolved by rank", err=True)  # fmt: skip
    print_frame(frame[_CONFLICT_TABLE] if format == "table" else frame, format)


@handle_errors
def reconcile(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only the names that read like this one.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many candidates per name.", min=1)] = 5,
    format: FormatOption = "table",
    write: Annotated[
        Path | None, typer.Option(help="Write each name's best candidate as a same-as row to this CSV, to review and ingest.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="With --write: the least score of a proposed row.", min=0)] = 0.9,
    unmatched: Annotated[bool, typer.Option("--unmatched", help="Also list the names no identified entity resembles.")] = False,
) -> None:
    """For every entity known only by name: the identified entities it may be, scored, with the evidence
    and the decision the identity rule took (docs/identity.md)."""
    with open_graph(ctx) as graph:
        table = graph.reconcile(name, limit=limit, unmatched=unmatched)
        if write is not None:
            count = len(_reconcile_proposals(table, threshold=threshold))
            graph.write_proposals(table, write, threshold=threshold)
            typer.echo(f"wrote {count} same-as row{'s' if count != 1 else ''} to {write}: review them, then ingest the file",
                       err=True)  # fmt: skip
    print_frame(table.drop(columns=["name_iri", "candidate_iri"]) if format == "table" else table, format)


@handle_errors
def drop(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source name `filmkg sources` shows, or the path it was ingested from.")],
) -> None:
    """Remove one source (its named graph) from the store."""
    with open_graph(ctx, write=True) as graph:
        report = graph.drop(source)
    if report.recovered.summary():
        typer.echo(report.recovered.summary(), err=True)
    typer.echo(report.summary())


@handle_errors
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="trig|nq (named graphs kept), ttl|nt|jsonld (one merged graph), graphml|gexf (a network for "
            "Gephi or Cytoscape), quickstatements (.qs: the statements Wikidata can take); default from the suffix.",
        ),
    ] = None,
    projection: Annotated[
        Projection, typer.Option(help="With graphml or gexf: which projection of the graph.")
    ] = "entity",
    language: Annotated[
        str | None, typer.Option(help="With quickstatements: the language of quotes and titles (default en).")
    ] = None,
) -> None:
    """Export the whole graph to a file: RDF, a network for Gephi and Cytoscape, or QuickStatements for Wikidata."""
    with open_graph(ctx) as graph:
        if export_format(output, format) == "quickstatements" and projection == "entity":
            report = graph.write_quickstatements(output, language=language or "en")
            typer.echo(report.summary(), err=True)
            return
        path = graph.export(output, format=format, projection=projection, language=language)
    typer.echo(f"wrote {path}", err=True)


@handle_errors
def path(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="The first entity (name, CURIE or <IRI>).")],
    b: Annotated[str, typer.Argument(help="The second entity.")],
    max_paths: Annotated[int, typer.Option(help="At most this many paths, shortest first.", min=1)] = MAX_PATHS,
    preferred: Annotated[bool, typer.Option("--preferred", help="Skip deprecated statements (rank).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the shortest connections between two entities, each hop with its relation, qualifiers and source."""
    with open_graph(ctx) as graph:
        result = graph.path(a, b, max_paths=max_paths, preferred=preferred)
    echo_result(result, as_json=as_json)


@handle_errors
def neighbors(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="The entity (name, CURIE or <IRI>).")],
    depth: Annotated[int, typer.Option(help="How many hops away.", min=1)] = 1,
    format: FormatOption = "table",
) -> None:
    """List the entities within --depth hops of an entity, nearest first."""
    import pandas

    with open_graph(ctx) as graph:
        found = graph.neighbors(entity, depth=depth)
    frame = pandas.DataFrame(
        [(n.distance, n.label, ", ".join(n.types), n.via) for n in found], columns=["distance", "label", "types", "via"]
    )
    print_frame(frame, format)


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
    max_nodes: Annotated[
        int, typer.Option(help="At most this many entities (nearest or best connected first).", min=1)
    ] = MAX_NODES,
    title: Annotated[str | None, typer.Option(help="The page's title and heading.")] = None,
) -> None:
    """Write an interactive view of the graph to one self-contained HTML file that works offline."""
    with open_graph(ctx) as graph:
        result = graph.viz(
            output, focus=focus, depth=depth, query=query, relations=relation or (),
            exclude_relations=exclude_relation or (), types=type_ or (), max_nodes=max_nodes, title=title,
        )  # fmt: skip
    typer.echo(flags(str(result), options_of(ctx)), err=True)


@handle_errors
def verify(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Argument(help="Only this source, as the `source` column names it (default: every source with a text).")
    ] = None,
    format: Annotated[
        TableFormat, typer.Option("--format", help="table: the quotes not found and too short; csv, json: every quote.")
    ] = "table",
) -> None:
    """Check every quote against the archived text of its source; exit 1 when a quote is not found.

    A quote is found when it appears verbatim once whitespace, quotation marks,
    apostrophes, dashes and case are made alike; otherwise the closest passage
    and its similarity are shown. Quotes of fewer than four words are flagged as
    too short to prove anything. Attach a text with `filmkg sources attach`, or
    put a NAME.source.txt file beside the data.
    """
    with open_graph(ctx) as graph:
        report = graph.verify(source)
    frame = report.to_dataframe()
    if format != "table":
        print_frame(frame, format)
    else:
        shown = frame[frame["status"] != "found"]
        if len(shown):
            print_frame(shown[["status", "source", "similarity", "quote", "closest"]], "table")
        typer.echo(report.summary())
    if not report.ok:
        typer.echo(f"error: {report.not_found:,} quotes not found in their sources' texts", err=True)
        raise typer.Exit(1)


@handle_errors
def validate(
    ctx: typer.Context,
    shapes: Annotated[
        Path | None, typer.Option(help="A Turtle file of SHACL shapes to check as well (with pyshacl).")
    ] = None,
    format: FormatOption = "table",
) -> None:
    """Check the graph against the ontology's rules and SHACL shapes; exit 1 when there are violations.

    The ontology's rules (domain and range classes, datatypes of values and
    qualifiers, single-valued properties, a label on every entity) run as SPARQL
    in the store; --shapes adds your own SHACL shapes. Each violation names the
    entity, the source and quote of its statement, and the message.
    """
    with open_graph(ctx) as graph:
        report = graph.validate(shapes=shapes)
    frame = report.to_dataframe()
    if format != "table":
        print_frame(frame, format)
    else:
        if len(frame):
            print_frame(frame[["label", "property", "value", "source", "quote", "message"]], "table")
        typer.echo(report.summary())
    if not report.ok:
        typer.echo(f"error: {report.count:,} violation{'s' if report.count != 1 else ''}", err=True)
        raise typer.Exit(1)
