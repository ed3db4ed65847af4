"""Which part of the entity projection a view shows: a query's relations, filters, a neighbourhood, a cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.lazy import lazy
from kg.analysis import Explorer, entity_graph, statements_of
from kg.analysis.entities import describe, entity_rules
from kg.entity import resolve
from kg.errors import KGError, QueryError, UsageError
from kg.query import query as run_query
from kg.statements import Statement
from kg.store import GraphStore
from kg.viz.text import hops, plural

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = ["MAX_NODES", "subgraph"]

MAX_NODES = 300
"""The default cap on the number of entities in a view."""
_NARROW = "`relations`, `exclude_relations`, `types` or `query`"


@dataclass(frozen=True)
class _Filters:
    """The relations and classes (IRIs) a view keeps or drops, and the entity it is centred on."""

    keep_relations: frozenset[str]
    drop_relations: frozenset[str]
    keep_classes: frozenset[str]
    start: str | None


def _read_query(query: str | Path) -> tuple[str, str]:
    """The query text and a short name for it: a :class:`Path` is read, a ``str`` is SPARQL."""
    if isinstance(query, Path):
        try:
            return query.read_text(encoding="utf-8"), query.name
        except (OSError, UnicodeDecodeError) as exc:
            raise KGError(f"cannot read the query file {query}: {exc}") from exc
    return query, "a SPARQL query"


def _query_triples(graph: GraphStore, text: str) -> list[tuple[Any, Any, Any]]:
    """The triples a CONSTRUCT/DESCRIBE query returns, or the ``?s ?p ?o`` rows of a SELECT."""
    result = run_query(graph, text)
    if result.kind == "graph":
        return [(t.subject, t.predicate, t.object) for t in result.triples]
    if result.kind == "select":
        names = result.variables
        if {"s", "p", "o"} <= set(names):
            columns = [names.index(v) for v in ("s", "p", "o")]
        elif len(names) == 3:
            columns = [0, 1, 2]
        else:
            chosen = " ".join(f"?{n}" for n in names)
            raise QueryError(
                f"a view needs triples: use CONSTRUCT, or SELECT ?s ?p ?o (this query selects {chosen})"
            )
        s, p, o = columns
        return [(row[s], row[p], row[o]) for row in result.rows]
    raise QueryError("an ASK query has no triples to draw: use CONSTRUCT, or SELECT ?s ?p ?o")


def _query_graph(graph: GraphStore, entities: nx.MultiDiGraph, text: str) -> tuple[nx.MultiDiGraph, int]:
    """The relations between entities among a query's triples, and how many other triples were skipped."""
    rules = entity_rules(graph.ontology)
    out = nx.MultiDiGraph()
    skipped = 0
    for s, p, o in _query_triples(graph, text):
        if not all(isinstance(t, ox.NamedNode) for t in (s, p, o)) or s.value not in entities or o.value not in entities:
            skipped += 1
            continue
        u, iri, v = s.value, p.value, o.value
        for node in (u, v):
            out.add_node(node, **entities.nodes[node])
        known = [d for d in (entities.get_edge_data(u, v) or {}).values() if d["iri"] == iri]
        if known:
            out.add_edge(u, v, key=known[0]["relation"], **known[0])
        else:
            name, label = rules.relation(iri)
            out.add_edge(u, v, key=name, relation=name, iri=iri, label=label, statements=[])
    return out, skipped


def _filtered(base: nx.MultiDiGraph, filters: _Filters) -> nx.MultiDiGraph:
    """``base`` with only the wanted classes and relations; entities left without a wanted relation go."""
    keep, drop, classes, start = filters.keep_relations, filters.drop_relations, filters.keep_classes, filters.start
    nodes = [
        n for n, data in base.nodes(data=True) if not classes or n == start or not classes.isdisjoint(data["classes"])
    ]
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, base.nodes[n]) for n in nodes)
    for u, v, key, data in base.edges(keys=True, data=True):
        if u in out and v in out and (not keep or data["iri"] in keep) and data["iri"] not in drop:
            out.add_edge(u, v, key=key, **data)
    if keep or drop:
        out.remove_nodes_from([n for n in nodes if n != start and out.degree(n) == 0 and base.degree(n) > 0])
    return out


def _neighbourhood(graph: GraphStore, filters: _Filters, start: str, depth: int) -> nx.MultiDiGraph:
    """The entity graph around ``start``, fetched outward until every entity within ``depth`` hops
    (through the filtered graph) is closed, so that distances and degrees are those of the whole graph."""
    explorer = Explorer(graph)
    while True:
        filtered = _filtered(explorer.g, filters)
        reached = (
            nx.single_source_shortest_path_length(filtered.to_undirected(as_view=True), start, cutoff=depth)
            if start in filtered
            else {start: 0}
        )
        todo = set(reached) - explorer.closed
        if not todo:
            return explorer.g
        explorer.expand(todo)


def _attach_statements(graph: GraphStore, view: nx.MultiDiGraph) -> None:
    """Fetch the statements (qualifiers, sources, quotes) of the edges a view shows."""
    triples = [(u, data["iri"], v) for u, v, data in view.edges(data=True)]
    found: dict[tuple[str, str, str], list[Statement]] = {}
    for begin in range(0, len(triples), 1000):
        found.update(statements_of(graph, triples[begin : begin + 1000]))
    for u, v, data in view.edges(data=True):
        data["statements"] = found.get((u, data["iri"], v), [])


def _from_query(
    graph: GraphStore, entities: nx.MultiDiGraph, query: str | Path | None
) -> tuple[nx.MultiDiGraph, str | None, list[str]]:
    """The graph a view starts from (a query's relations, or ``entities``), the query's name, and a note."""
    if query is None:
        return entities, None, []
    text, name = _read_query(query)
    base, skipped = _query_graph(graph, entities, text)
    notes = []
    if skipped:
        notes.append(
            f"{plural(skipped, 'triple')} of the query {'is' if skipped == 1 else 'are'} not a relation "
            "between two entities (a type, label, literal or statement) and not drawn."
        )
    return base, name, notes


def _around(
    graph: GraphStore, selected: nx.MultiDiGraph, entities: nx.MultiDiGraph, start: str, depth: int
) -> tuple[nx.MultiDiGraph, dict[str, int]]:
    """The entities within ``depth`` hops of ``start`` (kept even with no relation), and their distances."""
    if start not in selected:
        rules = entity_rules(graph.ontology)
        attributes = entities.nodes[start] if start in entities else rules.node(start, describe(graph, [start]))
        selected.add_node(start, **attributes)
    distance: dict[str, int] = nx.single_source_shortest_path_length(
        selected.to_undirected(as_view=True), start, cutoff=depth
    )
    return selected.subgraph(distance).copy(), distance


def _capped(selected: nx.MultiDiGraph, distance: dict[str, int], max_nodes: int) -> nx.MultiDiGraph:
    """At most ``max_nodes`` entities: the nearest (by ``distance``), then the best connected."""
    if selected.number_of_nodes() <= max_nodes:
        return selected
    degree = dict(selected.degree())
    ranked = sorted(
        selected.nodes, key=lambda n: (distance.get(n, 0), -degree[n], selected.nodes[n]["label"].casefold(), n)
    )
    return selected.subgraph(ranked[:max_nodes]).copy()


def _left_out(omitted: int, total: int, max_nodes: int, focus_label: str | None, depth: int) -> str:
    """What the cap left out and how to narrow the view."""
    if focus_label is not None:
        return (
            f"Showing the {max_nodes:,} entities nearest to {focus_label} of {total:,} within {hops(depth)}; "
            f"{omitted:,} left out. Narrow the view with a smaller `depth`, {_NARROW}, or raise `max_nodes`."
        )
    return (
        f"Showing the {max_nodes:,} best-connected entities of {total:,}; {omitted:,} left out. "
        f"Narrow the view with `focus` and `depth`, {_NARROW}, or raise `max_nodes`."
    )


def _nothing(entities: nx.MultiDiGraph) -> str:
    """Why a view is empty."""
    if not entities.number_of_nodes():
        return "Nothing to draw: the store holds no relation between entities; run `filmkg ingest` first."
    return f"Nothing to draw: no entity matches. Widen the view: check {_NARROW}."


def subgraph(
    graph: GraphStore,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | Path | None = None,
    relations: Sequence[str] = (),
    exclude_relations: Sequence[str] = (),
    types: Sequence[str] = (),
    max_nodes: int = MAX_NODES,
) -> nx.MultiDiGraph:
    """The part of the entity graph a view shows.

    Selection runs in this order: the query's triples (or the whole entity graph), the
    relation and class filters, the neighbourhood of ``focus``, then the cap. Walking out
    from ``focus`` follows relations in either direction, through the filtered graph only.

    Args:
        graph: the knowledge graph.
        focus: an entity (name, label, CURIE or ``<IRI>``) whose neighbourhood is shown.
        depth: with ``focus``, how many hops away.
        query: SPARQL text, or a :class:`~pathlib.Path` to a ``.rq`` file: a CONSTRUCT (or
            DESCRIBE) query, or a SELECT of ``?s ?p ?o``. Its relations between entities are
            shown; literals, types and statement nodes in it are skipped.
        relations: only these relations (ontology names, e.g. ``acted-in``).
        exclude_relations: never these relations.
        types: only entities of these classes (ontology names, e.g. ``Person``); ``focus`` is always kept.
        max_nodes: at most this many entities: the nearest to ``focus`` (then the
            best connected), or without ``focus`` the best connected.

    Returns:
        A :class:`networkx.MultiDiGraph` like :func:`kg.analysis.entity_graph`'s, whose
        nodes also carry ``degree_total`` (their degree in the whole entity graph) and,
        with ``focus``, ``distance``. Its graph attributes say what was selected:
        ``focus`` (an IRI or ``None``), ``focus_label``, ``depth``, ``query`` (a name or
        ``None``), ``total`` (entities before the cap), ``omitted`` and ``message`` (what
        was left out and how to narrow the view; empty when nothing was).

    Raises:
        NotFoundError: an unknown entity, relation or class.
        QueryError: a query that fails or returns no triples (an ASK, a SELECT of other variables).
        KGError: ``depth`` or ``max_nodes`` below 1, or an unreadable query file.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n"
        ...                  "Mikey Madison,acted-in,Anora\\nMikey Madison,acted-in,Scream\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> labels = lambda g: sorted(d["label"] for _, d in g.nodes(data=True))
        >>> labels(subgraph(kg, focus="Scream", depth=1))
        ['Mikey Madison', 'Scream']
        >>> labels(subgraph(kg, relations=["directed"]))
        ['Anora', 'Sean Baker']
        >>> labels(subgraph(kg, types=["Film"]))
        ['Anora', 'Scream']
        >>> view = subgraph(kg, max_nodes=2)
        >>> labels(view), view.graph["omitted"]
        (['Anora', 'Mikey Madison'], 2)
        >>> labels(subgraph(kg, query="CONSTRUCT { ?s film:directed ?o } WHERE { ?s film:directed ?o }"))
        ['Anora', 'Sean Baker']
    """
    if depth < 1:
        raise UsageError("`depth` must be at least 1")
    if max_nodes < 1:
        raise UsageError("`max_nodes` must be at least 1")
    ontology = graph.ontology
    filters = _Filters(
        keep_relations=frozenset(ontology.relation(name).iri for name in relations),
        drop_relations=frozenset(ontology.relation(name).iri for name in exclude_relations),
        keep_classes=frozenset(ontology.ontology_class(name).iri for name in types),
        start=resolve(graph, focus) if focus is not None else None,
    )
    start = filters.start
    local = query is None and start is not None  # only the neighbourhood is fetched: fast on a large graph
    entities = _neighbourhood(graph, filters, start, depth) if local and start is not None else entity_graph(graph)
    base, query_name, notes = _from_query(graph, entities, query)
    selected = _filtered(base, filters)
    distance: dict[str, int] = {}
    if start is not None:
        selected, distance = _around(graph, selected, entities, start, depth)
    total = selected.number_of_nodes()
    selected = _capped(selected, distance, max_nodes)
    if local:
        _attach_statements(graph, selected)
    for node, data in selected.nodes(data=True):
        data["degree_total"] = entities.degree(node) if node in entities else 0
        if start is not None:
            data["distance"] = distance[node]
    focus_label = selected.nodes[start]["label"] if start is not None else ""
    omitted = total - selected.number_of_nodes()
    if omitted:
        notes.insert(0, _left_out(omitted, total, max_nodes, focus_label if start is not None else None, depth))
    if not selected.number_of_nodes():
        notes.append(_nothing(entities))
    selected.graph.update(
        focus=start, focus_label=focus_label, depth=depth, query=query_name, total=total, omitted=omitted,
        message=" ".join(notes),
    )  # fmt: skip
    return selected
