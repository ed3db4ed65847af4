"""Interactive HTML views of the graph: one self-contained file per view, offline and safe to open.

A view is a subgraph of the entity projection (:func:`kg.analysis.entity_graph`): the
neighbourhood of one entity, what a SPARQL query returns, or the whole graph; filtered
by relation and class, and capped at ``max_nodes``. :func:`subgraph` selects it and
:func:`viz` writes it as a page drawn by vis-network (the copy that ships inside
pyvis), from the template ``kg/templates/viz.html.j2``:

- offline: vis-network's script and style are inlined, and the page's
  Content-Security-Policy refuses every request, so nothing leaves ``file://``;
- safe: text is escaped by Jinja; the graph travels as JSON inside
  ``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped; tooltips are
  DOM elements filled with ``textContent``; and only the page's own scripts, named by
  their hashes, may run;
- large: above :data:`LAYOUT_THRESHOLD` entities the positions are computed here and
  the browser's physics is off, so a 2,000-entity view is usable as soon as it is drawn.

Nodes are entities labelled by ``rdfs:label``, coloured and shaped by class (a fixed
mapping over the ontology's classes) and sized by degree. Edges are relations, with
each statement's qualifiers, source and quote in their tooltip; literals and
statement nodes are not drawn.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text(
    ...     "subject,predicate,object,character,source,quote\\n"
    ...     "Sean Baker,directed,Anora,,,\\n"
    ...     "Mikey Madison,acted-in,Anora,Ani,An article,She plays Ani.\\n"
    ...     "Mikey Madison,acted-in,Scream,,,\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(folder / "t.csv")
    >>> view = subgraph(kg, focus="Sean Baker", depth=2)
    >>> sorted(data["label"] for _, data in view.nodes(data=True))
    ['Anora', 'Mikey Madison', 'Sean Baker']
    >>> result = viz(kg, folder / "anora.html", focus="Anora")
    >>> print(result)
    wrote .../anora.html: 3 entities, 2 relations
    >>> page = result.path.read_text(encoding="utf-8")
    >>> "She plays Ani." in page, "<script src" in page
    (True, False)
"""

from __future__ import annotations

import base64
import colorsys
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

from kg.analysis import Explorer, entity_graph, statements_of
from kg.entity import resolve
from kg.errors import KGError, QueryError, UsageError
from kg.ontology import Ontology
from kg.query import query as run_query
from kg.statements import Statement
from kg.store import GraphStore
from kg.vocab import RDFS_LABEL

__all__ = ["LAYOUT_THRESHOLD", "MAX_NODES", "VizResult", "render", "subgraph", "viz"]

MAX_NODES = 300
"""The default cap on the number of entities in a view."""
LAYOUT_THRESHOLD = 300
"""Views with more entities than this are laid out here, with the browser's physics off."""

_SHAPES = ("dot", "diamond", "square", "triangle", "star", "triangleDown", "hexagon")
_SYMBOLS = {"dot": "●", "diamond": "◆", "square": "■", "triangle": "▲", "star": "★", "triangleDown": "▼", "hexagon": "⬢"}
_UNTYPED = "(untyped)"
_MAX_FACTS = 8
_NARROW = "`relations`, `exclude_relations`, `types` or `query`"


# ------------------------------------------------------------------------------------------ selection


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


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
            prop = graph.ontology.properties.get(iri)
            name = prop.name if prop else graph.ontology.compact(iri)
            out.add_edge(u, v, key=name, relation=name, iri=iri, label=graph.ontology.label(iri), statements=[])
    return out, skipped


def _describe(graph: GraphStore, iri: str) -> dict[str, Any]:
    """Node attributes of an entity that has no relation to another entity."""
    node = ox.NamedNode(iri)
    labels = list(graph.store.select(f"SELECT (MIN(STR(?l)) AS ?label) WHERE {{ {node} <{RDFS_LABEL}> ?l }}"))
    label = labels[0]["label"].value if labels and labels[0]["label"] is not None else graph.ontology.compact(iri)
    types = sorted(
        graph.ontology.label(row["t"].value)
        for row in graph.store.select(f"SELECT DISTINCT ?t WHERE {{ {node} a ?t }}")
        if isinstance(row["t"], ox.NamedNode)
    )
    return {"label": label, "types": types, "type": types[0] if types else ""}


def _filtered(
    base: nx.MultiDiGraph,
    *,
    keep_relations: set[str],
    drop_relations: set[str],
    keep_types: set[str],
    start: str | None,
) -> nx.MultiDiGraph:
    """``base`` with only the wanted classes and relations; entities left without a wanted relation go."""
    nodes = [
        n for n, data in base.nodes(data=True) if not keep_types or n == start or keep_types & set(data["types"])
    ]
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, base.nodes[n]) for n in nodes)
    for u, v, key, data in base.edges(keys=True, data=True):
        if u in out and v in out and (not keep_relations or data["iri"] in keep_relations) and data["iri"] not in drop_relations:
            out.add_edge(u, v, key=key, **data)
    if keep_relations or drop_relations:
        out.remove_nodes_from([n for n in nodes if n != start and out.degree(n) == 0 and base.degree(n) > 0])
    return out


def _neighbourhood(
    graph: GraphStore,
    start: str,
    depth: int,
    *,
    keep_relations: set[str],
    drop_relations: set[str],
    keep_types: set[str],
) -> nx.MultiDiGraph:
    """The entity graph around ``start``, fetched outward until every entity within ``depth`` hops
    (through the filtered graph) is closed, so that distances and degrees are those of the whole graph."""
    explorer = Explorer(graph)
    while True:
        filtered = _filtered(
            explorer.g, keep_relations=keep_relations, drop_relations=drop_relations, keep_types=keep_types,
            start=start,
        )
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
    keep_relations = {graph.ontology.relation(name).iri for name in relations}
    drop_relations = {graph.ontology.relation(name).iri for name in exclude_relations}
    keep_types = {graph.ontology.ontology_class(name).label for name in types}
    start = resolve(graph, focus) if focus is not None else None
    local = query is None and start is not None
    if local:  # only the neighbourhood is fetched: fast on a large graph
        assert start is not None
        entities = _neighbourhood(
            graph, start, depth, keep_relations=keep_relations, drop_relations=drop_relations, keep_types=keep_types
        )
    else:
        entities = entity_graph(graph)
    notes: list[str] = []
    query_name: str | None = None
    if query is not None:
        text, query_name = _read_query(query)
        base, skipped = _query_graph(graph, entities, text)
        if skipped:
            notes.append(
                f"{_plural(skipped, 'triple')} of the query {'is' if skipped == 1 else 'are'} not a relation "
                "between two entities (a type, label, literal or statement) and not drawn."
            )
    else:
        base = entities
    selected = _filtered(
        base, keep_relations=keep_relations, drop_relations=drop_relations, keep_types=keep_types, start=start
    )
    distance: dict[str, int] = {}
    focus_label = ""
    if start is not None:
        if start not in selected:
            selected.add_node(start, **(entities.nodes[start] if start in entities else _describe(graph, start)))
        focus_label = selected.nodes[start]["label"]
        distance = nx.single_source_shortest_path_length(selected.to_undirected(as_view=True), start, cutoff=depth)
        selected = selected.subgraph(distance).copy()
    total = selected.number_of_nodes()
    if total > max_nodes:
        degree = dict(selected.degree())
        ranked = sorted(
            selected.nodes,
            key=lambda n: (distance.get(n, 0), -degree[n], selected.nodes[n]["label"].casefold(), n),
        )
        selected = selected.subgraph(ranked[:max_nodes]).copy()
    if local:
        _attach_statements(graph, selected)
    for node, data in selected.nodes(data=True):
        data["degree_total"] = entities.degree(node) if node in entities else 0
        if start is not None:
            data["distance"] = distance[node]
    omitted = total - selected.number_of_nodes()
    if omitted:
        if start is not None:
            notes.insert(
                0,
                f"Showing the {max_nodes:,} entities nearest to {focus_label} of {total:,} within {depth} "
                f"hop{'s' if depth != 1 else ''}; {omitted:,} left out. Narrow the view with a smaller `depth`, "
                f"{_NARROW}, or raise `max_nodes`.",
            )
        else:
            notes.insert(
                0,
                f"Showing the {max_nodes:,} best-connected entities of {total:,}; {omitted:,} left out. "
                f"Narrow the view with `focus` and `depth`, {_NARROW}, or raise `max_nodes`.",
            )
    if not selected.number_of_nodes():
        if not entities.number_of_nodes():
            notes.append("Nothing to draw: the store holds no relation between entities; run `filmkg ingest` first.")
        else:
            notes.append(f"Nothing to draw: no entity matches. Widen the view: check {_NARROW}.")
    selected.graph.update(
        focus=start, focus_label=focus_label, depth=depth, query=query_name, total=total, omitted=omitted,
        message=" ".join(notes),
    )
    return selected


# ------------------------------------------------------------------------------------------ drawing


@dataclass(frozen=True)
class _Style:
    color: str
    border: str
    light: str
    shape: str


def _hex(hue: float, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _style(hue: float, shape: str) -> _Style:
    return _Style(_hex(hue, 0.52, 0.62), _hex(hue, 0.32, 0.62), _hex(hue, 0.74, 0.7), shape)


@cache
def _ontology_styles(ontology: Ontology) -> dict[str, _Style]:
    """A colour and a shape for each class of the ontology, by label: hues a golden angle apart, in IRI order."""
    classes = sorted(ontology.classes.values(), key=lambda c: c.iri)
    return {c.label: _style(0.58 + i * 0.381966, _SHAPES[i % len(_SHAPES)]) for i, c in enumerate(classes)}


def _class_style(ontology: Ontology, name: str) -> _Style:
    """The style of a class label; classes from outside the ontology get a hue from their name's hash."""
    if name == _UNTYPED:
        return _Style("#a3a3a3", "#6b6b6b", "#d6d6d6", "dot")
    known = _ontology_styles(ontology).get(name)
    if known is not None:
        return known
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return _style(digest[0] / 256, "dot")


def _layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *, seed: int = 42) -> npt.NDArray[np.float64]:
    """Positions in pixels, Fruchterman–Reingold with a little gravity, vectorised over blocks of rows.

    networkx's ``spring_layout`` takes over ten seconds for 2,000 nodes; this takes about one.
    """
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = np.array([(index[u], index[v]) for u, v in edges if u != v], dtype=np.intp).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    k = np.float32(1.0 / np.sqrt(n))
    iterations = 50
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    block = max(1, 2_000_000 // n)
    force = np.empty((n, 2), dtype=np.float32)
    for _ in range(iterations):
        for first in range(0, n, block):
            last = min(n, first + block)
            dx = pos[first:last, 0, None] - pos[None, :, 0]
            dy = pos[first:last, 1, None] - pos[None, :, 1]
            weight = dx * dx + dy * dy
            np.maximum(weight, np.float32(1e-8), out=weight)
            np.divide(k * k, weight, out=weight)
            force[first:last, 0] = (dx * weight).sum(axis=1)
            force[first:last, 1] = (dy * weight).sum(axis=1)
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = delta * (np.sqrt((delta * delta).sum(axis=1)) / k)[:, None]
            np.subtract.at(force, pairs[:, 0], pull)
            np.add.at(force, pairs[:, 1], pull)
        force -= (pos - pos.mean(axis=0)) * np.float32(0.5 * np.sqrt(n) * k * 4)
        length = np.sqrt((force * force).sum(axis=1))
        np.maximum(length, np.float32(1e-9), out=length)
        pos += force * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    out = pos.astype(np.float64)
    out -= out.mean(axis=0)
    spread = float(np.abs(out).max()) or 1.0
    result: npt.NDArray[np.float64] = out * (35.0 * np.sqrt(n) / spread)
    return result


def _literal_facts(graph: GraphStore, iris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The literal-valued facts of each entity (description, genre, dates...), at most a few each."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not iris:
        return out
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = graph.store.select(
        f"""SELECT ?e ?p ?v WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?v
              FILTER(isLiteral(?v) && ?p != <{RDFS_LABEL}>) }} ORDER BY ?e ?p ?v""",
    )
    for row in rows:
        entity, predicate = row["e"].value, row["p"].value
        if len(out[entity]) < _MAX_FACTS:
            prop = graph.ontology.properties.get(predicate)
            out[entity].append((prop.name if prop else graph.ontology.compact(predicate), row["v"].value))
    return out


def _statement(statement: Statement) -> dict[str, Any]:
    return {
        "qualifiers": [list(pair) for pair in statement.qualifier_pairs()],
        "sources": list(statement.sources),
        "quotes": list(statement.quotes),
    }


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` as ``\\u`` escapes.

    Examples:
        >>> _json_for_script({"label": "</script><b>&"})
        '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline(text: str, tag: str) -> str:
    """Asset text that cannot close its ``<script>`` or ``<style>`` element early."""
    return re.sub(rf"</(?={tag})", r"<\\/", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


@cache
def _vis_assets() -> tuple[str, str, str]:
    """vis-network's script, style and version, from the newest copy that ships inside pyvis."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib"
    found = []
    for folder in lib.glob("vis-*"):
        match = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", folder.name)
        if match and (folder / "vis-network.min.js").is_file() and (folder / "vis-network.css").is_file():
            found.append((tuple(int(x) for x in match.groups()), folder))
    if not found:
        raise KGError(f"no vis-network in {lib}: reinstall pyvis (pip install --force-reinstall pyvis)")
    version, folder = max(found)
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    style = (folder / "vis-network.css").read_text(encoding="utf-8")
    return _inline(script, "script"), _inline(style, "style"), ".".join(map(str, version))


@cache
def _template_files() -> tuple[Any, str, str]:
    """The page template (autoescaping) and the page's own script and style."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("kg", "templates"), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )
    folder = Path(__file__).resolve().parent / "templates"
    script = (folder / "viz.js").read_text(encoding="utf-8")
    style = (folder / "viz.css").read_text(encoding="utf-8")
    return environment.get_template("viz.html.j2"), _inline(script, "script"), _inline(style, "style")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _default_title(view: nx.MultiDiGraph) -> str:
    info = view.graph
    if info.get("focus"):
        depth = info.get("depth", 1)
        return f"{info['focus_label']}: the neighbourhood within {depth} hop{'s' if depth != 1 else ''}"
    if info.get("query"):
        return f"filmkg: the graph of {info['query']}"
    return "filmkg: the whole graph"


def render(graph: GraphStore, view: nx.MultiDiGraph, *, title: str | None = None) -> str:
    """The HTML page of a view: one self-contained document.

    Args:
        graph: the knowledge graph the view comes from (for literal facts and class styles).
        view: a graph from :func:`subgraph`.
        title: the page's title and heading (default: what the view shows).

    Returns:
        The page's HTML.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> page = render(kg, subgraph(kg), title="<b>Anora</b>")
        >>> "<title>&lt;b&gt;Anora&lt;/b&gt;</title>" in page
        True
    """
    ontology = graph.ontology
    nodes = sorted(view.nodes, key=lambda n: (view.nodes[n]["label"].casefold(), n))
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted(view.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2]))
    counts = Counter(view.nodes[n]["type"] or _UNTYPED for n in nodes)
    legend_names = sorted(counts, key=lambda name: (-counts[name], name.casefold()))
    class_index = {name: i for i, name in enumerate(legend_names)}
    styles = [_class_style(ontology, name) for name in legend_names]
    degree = dict(view.degree())
    top = max(degree.values(), default=1) or 1
    positions = _layout(nodes, [(u, v) for u, v, _, _ in edges]) if len(nodes) > LAYOUT_THRESHOLD else None
    facts = _literal_facts(graph, nodes)
    node_items = []
    for i, node in enumerate(nodes):
        data = view.nodes[node]
        item: dict[str, Any] = {
            "id": i, "label": data["label"], "iri": node, "class": class_index[data["type"] or _UNTYPED],
            "types": list(data["types"]), "size": round(10 + 18 * (degree[node] / top) ** 0.5, 1),
            "degree": degree[node], "degreeTotal": max(int(data.get("degree_total", 0)), degree[node]),
            "facts": [list(f) for f in facts.get(node, [])],
        }  # fmt: skip
        if positions is not None:
            item["x"], item["y"] = round(float(positions[i, 0]), 1), round(float(positions[i, 1]), 1)
        node_items.append(item)
    parallel: dict[tuple[int, int], int] = defaultdict(int)
    edge_items = []
    for number, (u, v, _key, data) in enumerate(edges):
        pair = (min(index[u], index[v]), max(index[u], index[v]))
        rank = parallel[pair]
        parallel[pair] += 1
        edge_items.append({
            "id": number, "from": index[u], "to": index[v], "label": data["label"], "relation": data["relation"],
            "statements": [_statement(s) for s in data["statements"]],
            "curve": 0 if rank == 0 else (rank + 1) // 2 * (1 if rank % 2 else -1),
        })  # fmt: skip
    focus = view.graph.get("focus")
    payload = {
        "classes": [{"name": n, **vars(s)} for n, s in zip(legend_names, styles)],
        "nodes": node_items,
        "edges": edge_items,
        "physics": 0 < len(nodes) <= LAYOUT_THRESHOLD,
        "focus": index.get(focus) if focus else None,
    }
    template, app_js, base_css = _template_files()
    vis_js, vis_css, vis_version = _vis_assets()
    app_css = base_css + "".join(f".fk-class-{i}{{color:{s.color}}}\n" for i, s in enumerate(styles))
    csp = (
        f"default-src 'none'; script-src {_hash(vis_js)} {_hash(app_js)}; "
        f"style-src {_hash(vis_css)} {_hash(app_css)}; img-src data:; base-uri 'none'; form-action 'none'"
    )
    from markupsafe import Markup

    summary = f"{_plural(len(nodes), 'entity', 'entities')}, {_plural(len(edges), 'relation')}"
    if focus:
        depth = view.graph.get("depth", 1)
        summary += f" within {depth} hop{'s' if depth != 1 else ''} of {view.graph['focus_label']}"
    if view.graph.get("query"):
        summary += f" from {view.graph['query']}"
    page: str = template.render(
        title=title if title is not None else _default_title(view),
        summary=summary,
        message=view.graph.get("message", ""),
        legend=[
            {"index": i, "symbol": _SYMBOLS.get(s.shape, "●"), "name": n, "count": f"{counts[n]:,}"}
            for i, (n, s) in enumerate(zip(legend_names, styles))
        ],
        csp=csp,
        vis_version=vis_version,
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        app_js=Markup(app_js),
        app_css=Markup(app_css),
        data_json=Markup(_json_for_script(payload)),
    )
    return page


@dataclass(frozen=True)
class VizResult:
    """What :func:`viz` wrote: the file, how many entities and relations it shows, and what it left out.

    In Jupyter (and JupyterLab) the result displays the view inline, in a sandboxed
    ``<iframe srcdoc=...>`` that needs no server.
    """

    path: Path
    nodes: int
    edges: int
    omitted: int = 0
    message: str = ""

    def __str__(self) -> str:
        text = (
            f"wrote {self.path}: {_plural(self.nodes, 'entity', 'entities')}, {_plural(self.edges, 'relation')}"
        )
        return f"{text}\n{self.message}" if self.message else text

    def _repr_html_(self) -> str:
        try:
            page = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            return f"<p>cannot read {html.escape(str(self.path))}: {html.escape(str(exc))}</p>"
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'title="{html.escape(self.path.name, quote=True)}" '
            'style="width: 100%; height: 640px; border: 1px solid #ddd;"></iframe>'
        )


def viz(
    graph: GraphStore,
    output: str | Path,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | Path | None = None,
    relations: Sequence[str] = (),
    exclude_relations: Sequence[str] = (),
    types: Sequence[str] = (),
    max_nodes: int = MAX_NODES,
    title: str | None = None,
) -> VizResult:
    """Write an interactive view of (part of) the graph to one self-contained HTML file.

    The file opens offline in any browser: hover an entity for its classes and facts, or
    a relation for its qualifiers, sources and quotes; click an entity to highlight its
    neighbours; find one by name in the search box.

    Args:
        graph: the knowledge graph.
        output: the HTML file to write.
        focus: show the neighbourhood of this entity; see :func:`subgraph` for this and the other selection arguments.
        depth: with ``focus``, how many hops away.
        query: SPARQL text, or a :class:`~pathlib.Path` to a ``.rq`` file, whose triples are shown.
        relations: only these relations.
        exclude_relations: never these relations.
        types: only entities of these classes.
        max_nodes: at most this many entities.
        title: the page's title and heading.

    Returns:
        A :class:`VizResult`; its ``message`` says what was left out and how to narrow the view.

    Raises:
        NotFoundError: an unknown entity, relation or class.
        QueryError: a query that fails or returns no triples.
        KGError: the file cannot be written, or invalid ``depth`` or ``max_nodes``.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "t.csv").write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(folder / "t.csv")
        >>> result = viz(kg, folder / "view.html", max_nodes=1)
        >>> result.nodes, result.edges, result.omitted
        (1, 0, 1)
        >>> result._repr_html_().startswith("<iframe srcdoc=")
        True
    """
    view = subgraph(
        graph, focus=focus, depth=depth, query=query, relations=relations, exclude_relations=exclude_relations,
        types=types, max_nodes=max_nodes,
    )  # fmt: skip
    page = render(graph, view, title=title)
    path = Path(output)
    try:
        path.write_text(page, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise KGError(f"cannot write {path}: {exc}") from exc
    return VizResult(
        path=path, nodes=view.number_of_nodes(), edges=view.number_of_edges(), omitted=view.graph["omitted"],
        message=view.graph["message"],
    )  # fmt: skip
