"""The HTML page of a view: the template, vis-network's assets, class styles and the graph as JSON.

The page is the template ``kg/templates/viz.html.j2`` filled with the view's data:

- offline: vis-network's script and style (the copy that ships inside pyvis) are inlined,
  and the page's Content-Security-Policy refuses every request;
- safe: text is escaped by Jinja; the graph travels as JSON inside
  ``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped; and only the
  page's own scripts, named by their hashes, may run;
- large: above :data:`LAYOUT_THRESHOLD` entities the positions are computed here
  (:func:`kg.viz.layout.force_layout`) and the browser's physics is off.

Entities are coloured and shaped by their first class (a fixed mapping over the ontology's
classes, by IRI) and sized by degree.
"""

from __future__ import annotations

import base64
import colorsys
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pyoxigraph as ox

from kg.lazy import lazy
from kg.analysis.entities import entity_rules
from kg.errors import KGError
from kg.ontology import Ontology
from kg.conflicts import conflicting, rank_of
from kg.statements import Statement
from kg.store import GraphStore
from kg.viz.layout import force_layout
from kg.viz.text import hops, plural
from kg.vocab import RDFS_LABEL

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    import numpy.typing as npt
else:
    nx = lazy("networkx")
    np = lazy("numpy")

__all__ = ["LAYOUT_THRESHOLD", "render"]

LAYOUT_THRESHOLD = 300
"""Views with more entities than this are laid out here, with the browser's physics off."""

_SHAPES = ("dot", "diamond", "square", "triangle", "star", "triangleDown", "hexagon")
_SYMBOLS = {"dot": "●", "diamond": "◆", "square": "■", "triangle": "▲", "star": "★", "triangleDown": "▼", "hexagon": "⬢"}
_UNTYPED = "(untyped)"
_MAX_FACTS = 8


# ------------------------------------------------------------------------------------------ class styles


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
    """A colour and a shape for each class of the ontology, by IRI: hues a golden angle apart, in IRI order."""
    classes = sorted(ontology.classes)
    return {iri: _style(0.58 + i * 0.381966, _SHAPES[i % len(_SHAPES)]) for i, iri in enumerate(classes)}


def _class_style(ontology: Ontology, key: str) -> _Style:
    """The style of a class IRI (or :data:`_UNTYPED`); classes from outside the ontology get a hue
    from their compact IRI's hash."""
    if key == _UNTYPED:
        return _Style("#a3a3a3", "#6b6b6b", "#d6d6d6", "dot")
    known = _ontology_styles(ontology).get(key)
    if known is not None:
        return known
    digest = hashlib.sha256(ontology.compact(key).encode("utf-8")).digest()
    return _style(digest[0] / 256, "dot")


class _Legend(NamedTuple):
    """The classes in view (an entity's first class, or :data:`_UNTYPED`), most entities first."""

    keys: list[str]
    names: list[str]
    counts: list[int]
    styles: list[_Style]

    @classmethod
    def of(cls, ontology: Ontology, view: nx.MultiDiGraph) -> _Legend:
        counts = Counter(_class_key(data) for _, data in view.nodes(data=True))
        names = {key: _UNTYPED if key == _UNTYPED else ontology.label(key) for key in counts}
        keys = sorted(counts, key=lambda key: (-counts[key], names[key].casefold(), key))
        return cls(keys, [names[k] for k in keys], [counts[k] for k in keys], [_class_style(ontology, k) for k in keys])


def _class_key(data: dict[str, Any]) -> str:
    classes: Sequence[str] = data["classes"]
    return classes[0] if classes else _UNTYPED


# ------------------------------------------------------------------------------------------ the graph as JSON


def _literal_facts(graph: GraphStore, iris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The literal-valued facts of each entity (description, genre, dates...), at most a few each."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not iris:
        return out
    rules = entity_rules(graph.ontology)
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = graph.store.select(
        f"""SELECT ?e ?p ?v WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?v
              FILTER(isLiteral(?v) && ?p != <{RDFS_LABEL}>) }} ORDER BY ?e ?p ?v""",
    )
    for row in rows:
        entity, predicate = row["e"].value, row["p"].value
        if len(out[entity]) < _MAX_FACTS:
            out[entity].append((rules.relation(predicate)[0], row["v"].value))
    return out


def _statement(statement: Statement, rank: str = "", conflict: str = "") -> dict[str, Any]:
    return {
        "qualifiers": [list(pair) for pair in statement.qualifier_pairs() if pair[0] != "rank"],
        "sources": list(statement.sources),
        "quotes": list(statement.quotes),
        "rank": rank,
        "conflict": conflict,
    }


def _node_items(
    graph: GraphStore,
    view: nx.MultiDiGraph,
    nodes: Sequence[str],
    legend: _Legend,
    positions: npt.NDArray[np.float64] | None,
) -> list[dict[str, Any]]:
    """The entities of the page's data: label, class, size by degree, facts and, for a large view, position."""
    class_index = {key: i for i, key in enumerate(legend.keys)}
    degree = dict(view.degree())
    top = max(degree.values(), default=1) or 1
    facts = _literal_facts(graph, nodes)
    items = []
    for i, node in enumerate(nodes):
        data = view.nodes[node]
        item: dict[str, Any] = {
            "id": i, "label": data["label"], "iri": node, "class": class_index[_class_key(data)],
            "types": list(data["types"]), "size": round(10 + 18 * (degree[node] / top) ** 0.5, 1),
            "degree": degree[node], "degreeTotal": max(int(data.get("degree_total", 0)), degree[node]),
            "facts": [list(f) for f in facts.get(node, [])],
        }  # fmt: skip
        if positions is not None:
            item["x"], item["y"] = round(float(positions[i, 0]), 1), round(float(positions[i, 1]), 1)
        items.append(item)
    return items


def _edge_items(
    graph: GraphStore, edges: Sequence[tuple[str, str, str, dict[str, Any]]], index: dict[str, int]
) -> list[dict[str, Any]]:
    """The relations of the page's data, each with its statements (rank, and what a conflicting one
    disagrees about: see :func:`kg.conflicts.conflicting`); parallel ones curve apart."""
    disputed = conflicting(graph, [s for *_, data in edges for s in data["statements"]])
    parallel: dict[tuple[int, int], int] = defaultdict(int)
    items = []
    for number, (u, v, _key, data) in enumerate(edges):
        pair = (min(index[u], index[v]), max(index[u], index[v]))
        rank = parallel[pair]
        parallel[pair] += 1
        statements = [_statement(s, rank_of(graph, s), disputed.get(s.iri or "", "")) for s in data["statements"]]
        items.append({
            "id": number, "from": index[u], "to": index[v], "label": data["label"], "relation": data["relation"],
            "statements": statements, "conflict": any(s["conflict"] for s in statements),
            "curve": 0 if rank == 0 else (rank + 1) // 2 * (1 if rank % 2 else -1),
        })  # fmt: skip
    return items


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` as ``\\u`` escapes.

    Examples:
        >>> _json_for_script({"label": "</script><b>&"})
        '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------------------------------ the page


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
    """The page template (autoescaping) and the page's own script and style, from ``kg/templates``."""
    from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined

    loader: BaseLoader = PackageLoader("kg", "templates")
    environment = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    script = loader.get_source(environment, "viz.js")[0]
    style = loader.get_source(environment, "viz.css")[0]
    return environment.get_template("viz.html.j2"), _inline(script, "script"), _inline(style, "style")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _default_title(view: nx.MultiDiGraph) -> str:
    info = view.graph
    if info.get("focus"):
        return f"{info['focus_label']}: the neighbourhood within {hops(info.get('depth', 1))}"
    if info.get("query"):
        return f"filmkg: the graph of {info['query']}"
    return "filmkg: the whole graph"


def _summary(view: nx.MultiDiGraph) -> str:
    summary = f"{plural(view.number_of_nodes(), 'entity', 'entities')}, {plural(view.number_of_edges(), 'relation')}"
    if view.graph.get("focus"):
        summary += f" within {hops(view.graph.get('depth', 1))} of {view.graph['focus_label']}"
    if view.graph.get("query"):
        summary += f" from {view.graph['query']}"
    return summary


def _page(view: nx.MultiDiGraph, legend: _Legend, payload: dict[str, Any], title: str | None) -> str:
    """The template filled in: the assets inlined and allowed by their hashes, the data as JSON."""
    from markupsafe import Markup

    template, app_js, base_css = _template_files()
    vis_js, vis_css, vis_version = _vis_assets()
    app_css = base_css + "".join(f".fk-class-{i}{{color:{s.color}}}\n" for i, s in enumerate(legend.styles))
    csp = (
        f"default-src 'none'; script-src {_hash(vis_js)} {_hash(app_js)}; "
        f"style-src {_hash(vis_css)} {_hash(app_css)}; img-src data:; base-uri 'none'; form-action 'none'"
    )
    page: str = template.render(
        title=title if title is not None else _default_title(view),
        summary=_summary(view),
        message=view.graph.get("message", ""),
        legend=[
            {"index": i, "symbol": _SYMBOLS.get(s.shape, "●"), "name": n, "count": f"{c:,}"}
            for i, (n, c, s) in enumerate(zip(legend.names, legend.counts, legend.styles))
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


def render(graph: GraphStore, view: nx.MultiDiGraph, *, title: str | None = None) -> str:
    """The HTML page of a view: one self-contained document.

    Args:
        graph: the knowledge graph the view comes from (for literal facts and class styles).
        view: a graph from :func:`kg.viz.subgraph` (or any graph with the attributes of
            :func:`kg.analysis.entity_graph`'s).
        title: the page's title and heading (default: what the view shows).

    Returns:
        The page's HTML.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> from kg.viz import subgraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> page = render(kg, subgraph(kg), title="<b>Anora</b>")
        >>> "<title>&lt;b&gt;Anora&lt;/b&gt;</title>" in page
        True
    """
    nodes = sorted(view.nodes, key=lambda n: (view.nodes[n]["label"].casefold(), n))
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted(view.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2]))
    legend = _Legend.of(graph.ontology, view)
    positions = force_layout(nodes, [(u, v) for u, v, _, _ in edges]) if len(nodes) > LAYOUT_THRESHOLD else None
    focus = view.graph.get("focus")
    payload = {
        "classes": [{"name": n, **vars(s)} for n, s in zip(legend.names, legend.styles)],
        "nodes": _node_items(graph, view, nodes, legend, positions),
        "edges": _edge_items(graph, edges, index),
        "physics": 0 < len(nodes) <= LAYOUT_THRESHOLD,
        "focus": index.get(focus) if focus else None,
    }
    return _page(view, legend, payload, title)
