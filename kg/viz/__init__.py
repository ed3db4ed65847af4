"""Interactive HTML views of the graph: one self-contained file per view, offline and safe to open.

A view is a subgraph of the entity projection (:func:`kg.analysis.entity_graph`): the
neighbourhood of one entity, what a SPARQL query returns, or the whole graph; filtered
by relation and class, and capped at ``max_nodes``. :func:`subgraph` selects it
(:mod:`kg.viz.selection`), :func:`render` writes its page (:mod:`kg.viz.page`, from the
template ``kg/templates/viz.html.j2``, laid out by :mod:`kg.viz.layout` when it is large),
and :func:`viz` does both and saves the file:

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

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.output import written
from kg.store import GraphStore
from kg.viz.page import LAYOUT_THRESHOLD, render
from kg.viz.page import _ontology_styles as _ontology_styles  # (the tests and benchmarks read these two)
from kg.viz.page import _vis_assets as _vis_assets
from kg.viz.selection import MAX_NODES, subgraph
from kg.viz.text import plural

__all__ = ["LAYOUT_THRESHOLD", "MAX_NODES", "VizResult", "render", "subgraph", "viz"]


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
            f"wrote {self.path}: {plural(self.nodes, 'entity', 'entities')}, {plural(self.edges, 'relation')}"
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
        KGError: the file cannot be written or is inside the store; invalid ``depth`` or ``max_nodes`` (UsageError).

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
    with written(path, store=graph.store.location) as stream:
        stream.write(page.encode("utf-8", errors="replace"))
    return VizResult(
        path=path, nodes=view.number_of_nodes(), edges=view.number_of_edges(), omitted=view.graph["omitted"],
        message=view.graph["message"],
    )  # fmt: skip
