"""SPARQL: running queries, named queries, bindings, and result formats.

Queries see the filmkg dataset (every ingested file, the registry and the
ontology; see :mod:`kg.store.base`) as the default graph, unless they name their
own dataset with ``FROM``. The prefixes declared in ``ontology/film.ttl`` are declared for every
query. ``SERVICE`` clauses are refused unless ``allow_network`` is given.

Examples:
    >>> from kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory()
    >>> result = kg.query("SELECT ?x WHERE { VALUES ?x { film:Person } }")
    >>> result.variables, len(result)
    (['x'], 1)
    >>> print(result.serialize("csv").strip())
    x
    https://w3id.org/filmkg/ontology#Person
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal, get_args

import pyoxigraph as ox

from kg.entity import resolve
from kg.errors import NotFoundError, QueryError, UsageError
from kg.formats import rdf_format
from kg.identifiers import parse_identifier
from kg.ontology import ontology_dir
from kg.output import cell
from kg.sparql import (
    Window,
    check_variable,
    page_query,
    portable,
    query_form,
    refuse_network,
    syntax_message,
    with_values,
)
from kg.store import EmbeddedStore, GraphStore
from kg.store.embedded import damaged
from kg.vocab import XSD

if TYPE_CHECKING:
    import pandas

__all__ = [
    "GRAPH_FORMATS",
    "TABLE_FORMATS",
    "NamedQuery",
    "QueryResult",
    "ResultFormat",
    "named_queries",
    "portable",
    "query",
]

ResultFormat = Literal["table", "csv", "tsv", "json", "turtle", "nt", "jsonld", "trig"]
"""How a result is written: the first four for SELECT and ASK, the rest for CONSTRUCT and DESCRIBE."""
TABLE_FORMATS: tuple[str, ...] = get_args(ResultFormat)[:4]
"""Formats for SELECT and ASK results (``table`` is drawn by the command line)."""
GRAPH_FORMATS: tuple[str, ...] = get_args(ResultFormat)[4:]
"""Formats for CONSTRUCT and DESCRIBE results."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``ontology/queries/NAME.rq``: its name, first comment line, variables to bind and text."""

    name: str
    description: str
    parameters: tuple[str, ...]
    sparql: str


def named_queries() -> dict[str, NamedQuery]:
    """The named queries, by name.

    Examples:
        >>> "training" in named_queries()
        True
    """
    out = {}
    for path in sorted((ontology_dir() / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comments = [line.lstrip("# ").rstrip() for line in text.splitlines() if line.startswith("#")]
        parameters = tuple(
            m.group(1) for line in text.splitlines() if (m := re.match(r"#\s*@param\s+(\w+)", line))
        )
        out[path.stem] = NamedQuery(path.stem, comments[0] if comments else "", parameters, text)
    return out


def _named(name: str) -> str:
    queries = named_queries()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, queries, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise NotFoundError(f'no named query "{name}"{hint}; known: {", ".join(queries)}')
    return queries[name].sparql


@dataclass(frozen=True)
class QueryResult:
    """The result of a query: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).

    ``rows`` hold pyoxigraph terms (``None`` for unbound); :meth:`to_dataframe` and
    :meth:`records` give plain Python values.
    """

    kind: str
    """``select``, ``ask`` or ``graph``."""
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    prefixes: Mapping[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples) if self.kind == "graph" else 1

    def records(self) -> Iterator[dict[str, Any]]:
        """Each solution as a dict of variable to Python value (IRIs as strings, typed literals converted).

        Examples:
            >>> from kg import KnowledgeGraph
            >>> list(KnowledgeGraph.memory().query("SELECT ?n WHERE { BIND(3 AS ?n) }").records())
            [{'n': 3}]
        """
        for row in self.rows:
            yield {var: python_value(term) for var, term in zip(self.variables, row)}

    def to_dataframe(self) -> pandas.DataFrame:
        """The solutions as a pandas DataFrame (one column per variable); triples as subject, predicate, object.

        Examples:
            >>> from kg import KnowledgeGraph
            >>> KnowledgeGraph.memory().query("SELECT ?n WHERE { VALUES ?n { 1 2 } }").to_dataframe().shape
            (2, 1)
        """
        import pandas

        if self.kind == "graph":
            return pandas.DataFrame(
                [(python_value(t.subject), python_value(t.predicate), python_value(t.object)) for t in self.triples],
                columns=["subject", "predicate", "object"],
            )
        if self.kind == "ask":
            return pandas.DataFrame({"ask": [self.boolean]})
        return pandas.DataFrame(list(self.records()), columns=self.variables)

    def serialize(self, format: str) -> str:
        """The result as text: ``csv``, ``tsv``, ``json`` (SPARQL results formats) for SELECT and ASK;
        ``turtle``, ``nt``, ``jsonld``, ``trig`` for CONSTRUCT and DESCRIBE.

        Raises:
            QueryError: a format that does not fit the kind of result.
        """
        if self.kind == "graph":
            if format not in GRAPH_FORMATS:
                raise QueryError(f"a graph result is written as {', '.join(GRAPH_FORMATS)}, not {format}")
            rdf = rdf_format(format)
            items: list[Any] = list(self.triples)
            if rdf.datasets:
                items = [ox.Quad(t.subject, t.predicate, t.object) for t in self.triples]
            prefixes = dict(self.prefixes) if rdf.prefixed else None
            return ox.serialize(items, format=rdf.rdf, prefixes=prefixes).decode("utf-8")  # type: ignore[union-attr]
        if format == "json":
            return _json(self)
        if format in ("csv", "tsv"):
            return _delimited(self, format)
        raise QueryError(f"a {self.kind.upper()} result is written as {', '.join(TABLE_FORMATS)}, not {format}")


def python_value(term: Term | None) -> Any:
    """A plain Python value for an RDF term: IRIs as strings, numbers, dates, booleans converted.

    Examples:
        >>> python_value(ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")))
        7
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in (XSD + "integer", XSD + "int", XSD + "long"):
                return int(term.value)
            if datatype in (XSD + "double", XSD + "float"):
                return float(term.value)
            if datatype == XSD + "decimal":
                return Decimal(term.value)
            if datatype == XSD + "boolean":
                return term.value == "true"
            if datatype == XSD + "date":
                return dt.date.fromisoformat(term.value)
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}, ensure_ascii=False)
    bindings = [
        {var: _json_term(term) for var, term in zip(result.variables, row) if term is not None} for row in result.rows
    ]
    return json.dumps(
        {"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1
    )


def _delimited(result: QueryResult, format: str) -> str:
    import csv
    import io

    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    buffer = io.StringIO()
    if format == "csv":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([cell("" if t is None else t.value if not isinstance(t, ox.Triple) else str(t)) for t in row])
    else:
        buffer.write("\t".join(f"?{v}" for v in result.variables) + "\n")
        for row in result.rows:
            buffer.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buffer.getvalue()


def _binding(graph: GraphStore, name: str, value: str) -> ox.NamedNode | ox.Literal:
    """A ``--bind`` value: ``<IRI>``, an identifier (``imdb:nm0000123``), a CURIE, a quoted literal, a number,
    or an entity's name."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        try:
            return ox.NamedNode(text[1:-1])
        except ValueError as exc:
            raise QueryError(f"`bind` {name}: {text} is not a valid IRI ({exc})") from None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return ox.Literal(text[1:-1])
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "integer"))
    if re.fullmatch(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))
    if re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "double"))
    try:
        identified = parse_identifier(text, graph.ontology) is not None
    except ValueError as exc:
        raise QueryError(f"`bind` {name}: {exc}") from None
    if identified:  # imdb:nm0000123, wd:Q42: the entity that carries it, before Wikidata's own IRI
        try:
            return ox.NamedNode(resolve(graph, text))
        except NotFoundError:
            pass
    expanded = graph.ontology.expand(text)
    if expanded is not None and " " not in text:
        try:
            return ox.NamedNode(expanded)
        except ValueError as exc:
            raise QueryError(f"`bind` {name}: {text} expands to {expanded}, not a valid IRI ({exc})") from None
    try:
        return ox.NamedNode(resolve(graph, text))
    except NotFoundError:
        return ox.Literal(text)


def _run(graph: GraphStore, text: str, window: Window | None = None) -> QueryResult:
    """Run ``text`` by its form (SELECT, ASK, or CONSTRUCT/DESCRIBE) over the filmkg dataset; of a
    SELECT, read only the solutions in ``window`` (the store stops evaluating after the last one)."""
    prefixes = graph.ontology.prefixes
    form = query_form(text)
    if form == "ask":
        return QueryResult("ask", boolean=graph.store.ask(text, prefixes=prefixes), prefixes=prefixes)
    if form == "graph":
        return QueryResult("graph", triples=graph.store.construct(text, prefixes=prefixes), prefixes=prefixes)
    solutions = graph.store.select(text, prefixes=prefixes)
    variables = [v.value for v in solutions.variables]
    chosen = solutions if window is None else islice(solutions, *window)
    rows = [tuple(solution[v] for v in variables) for solution in chosen]
    return QueryResult("select", variables=variables, rows=rows, prefixes=prefixes)


TIMEOUT_ENV = "FILMKG_QUERY_TIMEOUT"
"""Seconds a query may run when ``timeout`` is not given (no limit when unset)."""


def _timeout(given: float | None) -> float | None:
    if given is not None:
        if given <= 0:
            raise UsageError("`timeout` must be a positive number of seconds")
        return given
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{TIMEOUT_ENV}={text!r} is not a number of seconds") from None
    if value <= 0:
        raise UsageError(f"{TIMEOUT_ENV}={text!r} must be a positive number of seconds")
    return value


def _bounded(graph: GraphStore, text: str, timeout: float | None, window: Window | None = None) -> QueryResult:
    """Run ``text`` in a worker thread that the caller can abandon: on Ctrl-C at once, and after
    ``timeout`` seconds with a :class:`~kg.errors.QueryError`. (Oxigraph releases the GIL while it
    evaluates, so the waiting thread wakes up on time; an abandoned query ends with the process.)"""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = _run(graph, text, window)
        except BaseException as exc:  # handed to the waiting thread, which raises it
            # pyoxigraph's results must be dropped in the thread that made them: not kept by the traceback
            traceback.clear_frames(exc.__traceback__)
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="filmkg-query", daemon=True)
    worker.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    while worker.is_alive():
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise QueryError(
                f"the query ran for more than {timeout:g} s and was stopped: narrow it, add a LIMIT, "
                f"or raise `timeout` (or {TIMEOUT_ENV})"
            )
        worker.join(0.1 if left is None else min(0.1, left))
    if "error" in outcome:
        raise outcome["error"]
    result: QueryResult = outcome["result"]
    return result


def query(
    graph: GraphStore,
    sparql: str | None = None,
    *,
    name: str | None = None,
    bind: Mapping[str, str] | None = None,
    limit: int | None = None,
    offset: int = 0,
    sort: bool | None = None,
    allow_network: bool = False,
    timeout: float | None = None,
) -> QueryResult:
    """Run a SPARQL query over every graph of the store.

    A page (``limit``, ``offset``) of a named query comes in the order the store finds its
    rows, without sorting the whole answer first, so the first rows of a big store come at
    once; the order is the same from one call to the next while the store does not change, so
    ``offset`` walks through the answer page by page. Pass ``sort=True`` for a page of the
    sorted answer (the named query's ``ORDER BY``), which costs as much as the whole answer.
    Without ``limit`` and ``offset`` a named query is sorted. A query you write keeps its own
    ``ORDER BY``, paged or not, unless ``sort=False``.

    Args:
        graph: the knowledge graph.
        sparql: the query text; or give ``name``.
        name: run the named query ``ontology/queries/NAME.rq``.
        bind: values for variables: ``<IRI>``, a CURIE, ``"a literal"``, a number, or an entity's name.
        limit: at most this many rows (of a SELECT).
        offset: skip this many rows first.
        sort: keep the query's ``ORDER BY`` (``True``) or drop it (``False``); by default kept,
            except on a page of a named query.
        allow_network: permit ``SERVICE``.
        timeout: stop the query after this many seconds (default ``$FILMKG_QUERY_TIMEOUT``, else no limit).
            Ctrl-C stops a query at once either way.

    Returns:
        A :class:`QueryResult`.

    Raises:
        QueryError: invalid SPARQL (with its position), a failing query, or one that ran past ``timeout``.
        NetworkRefusedError: ``SERVICE`` without ``allow_network``.
        NotFoundError: no named query ``name``.
        UsageError: a negative ``limit`` or ``offset``, or a page of a query that is not a SELECT.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> kg = KnowledgeGraph.memory()
        >>> every = "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY ?n"
        >>> [row["n"] for row in query(kg, every, limit=2, offset=1).records()]
        [2, 3]
        >>> query(kg, "SELECT * WHERE { ?s ?p }")
        Traceback (most recent call last):
        ...
        kg.errors.QueryError: SPARQL syntax error: error at 1:25: expected ...
          SELECT * WHERE { ?s ?p }
          ...^
    """
    if (sparql is None) == (name is None):
        raise ValueError("give either sparql or name")
    text = _named(name) if name is not None else sparql
    assert text is not None
    if name is not None and not isinstance(graph.store, EmbeddedStore):
        text = portable(text)
    seconds = _timeout(timeout)
    paged = limit is not None or offset != 0
    if (limit is not None and limit < 0) or offset < 0:
        raise UsageError("`limit` and `offset` must be 0 or more")
    if paged and query_form(text) != "select":
        raise UsageError("`limit` and `offset` page the rows of a SELECT query")
    keep_order = sort if sort is not None else not (paged and name is not None)
    run, window = page_query(text, limit=limit, offset=offset, sort=keep_order)
    values = {check_variable(k): _binding(graph, k, v) for k, v in (bind or {}).items()}
    bound = with_values(run, values)
    if not allow_network:
        refuse_network(bound)
    try:
        return _bounded(graph, bound, seconds, window)
    except SyntaxError as exc:
        message = str(exc)
        if bound != text:  # report the position in the text the user wrote, not in the one run
            try:
                _run(graph, text, (0, 0))
            except SyntaxError as original:
                message = str(original)
            except (OSError, ValueError, RuntimeError, QueryError):
                pass
        raise QueryError(syntax_message(text, message)) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        broken = damaged(exc, getattr(graph.store, "location", None))
        if broken is not None:
            raise broken from exc
        raise QueryError(f"the query failed: {exc}") from exc
