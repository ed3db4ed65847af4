"""The entity projection around some entities, fetched as needed rather than built whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Iterable, Set


from kg.lazy import lazy
from kg.analysis.entities import BATCH, Descriptions, describe, entity_rules
from kg.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = ["Explorer"]


class Explorer:
    """The entity projection around some entities, fetched as needed rather than built whole.

    ``expand(nodes)`` fetches every entity edge of ``nodes`` (either direction) with the
    entity rules of :func:`kg.analysis.entity_graph` (:mod:`kg.analysis.entities`), adds them
    and the entities they reach (with the same attributes) to ``self.g``, and marks ``nodes``
    as closed: their edges are all known. Paths and neighbourhoods then need only the part of
    a large graph around the entities asked about.

    Args:
        graph: the knowledge graph.
        skipped: triples (subject, relation, object) never fetched, such as those only deprecated
            statements assert (:func:`kg.conflicts.deprecated`).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> explorer = Explorer(kg)
        >>> sorted(explorer.g.nodes[n]["label"] for n in explorer.expand({"https://w3id.org/filmkg/resource/anora"}))
        ['Mikey Madison', 'Sean Baker']
    """

    BATCH = BATCH

    def __init__(self, graph: GraphStore, *, skipped: Set[tuple[str, str, str]] = frozenset()) -> None:
        self.graph = graph
        self.skipped = skipped
        """Triples (subject, relation, object) left out, such as those only deprecated statements assert."""
        self.g = nx.MultiDiGraph()
        self.closed: set[str] = set()
        self._rules = entity_rules(graph.ontology)
        self._described = Descriptions()
        self._seen: set[str] = set()

    def expand(self, nodes: Iterable[str]) -> set[str]:
        """Fetch every entity edge of ``nodes`` (IRIs), in batches of :attr:`BATCH` per query.

        Args:
            nodes: entity IRIs; those already closed are skipped.

        Returns:
            The entities next to ``nodes`` (either direction), also those known before.
        """
        wanted = set(nodes)
        todo = sorted(wanted - self.closed)
        for start in range(0, len(todo), self.BATCH):
            batch = todo[start : start + self.BATCH]
            triples = sorted(set(self._rules.relations(self.graph, around=batch)) - self.skipped)
            self._describe({n for t in triples for n in (t[0], t[2])} | set(batch))
            for triple in triples:
                self._rules.add(self.g, triple, self._described)
            self.closed.update(batch)
        view = self.g.to_undirected(as_view=True)
        return {n for f in wanted if f in self.g for n in view.neighbors(f)}

    def bridge(self, nodes: Iterable[str], targets: Iterable[str]) -> None:
        """Fetch the entity edges between ``nodes`` and ``targets`` (either direction), which need
        not be closed: the store looks up each pair, so a node with many other edges (an award
        thousands have won) costs no more than one with few. Pairs with a closed end are known already.

        Args:
            nodes: entity IRIs.
            targets: entity IRIs.
        """
        ends, others = sorted(set(nodes) - self.closed), sorted(set(targets) - self.closed)
        for start in range(0, len(ends), self.BATCH):
            for other in range(0, len(others), self.BATCH):
                found = self._rules.relations(self.graph, ends[start : start + self.BATCH],
                                              to=others[other : other + self.BATCH])  # fmt: skip
                triples = sorted(set(found) - self.skipped)
                self._describe({n for t in triples for n in (t[0], t[2])})
                for triple in triples:
                    self._rules.add(self.g, triple, self._described)

    def _describe(self, iris: set[str]) -> None:
        """Labels and classes of the entities not seen yet."""
        new = iris - self._seen
        if new:
            self._described.update(describe(self.graph, new))
            self._seen |= new

    def label(self, node: str) -> str:
        """The label of any entity, also one with no relations (its compact IRI when it has no label).

        Args:
            node: the entity's IRI.

        Returns:
            Its label.
        """
        self._describe({node})
        return self._rules.label(node, self._described)

    def component(self, node: str, *, limit: int) -> tuple[set[str], bool]:
        """The component of ``node``, expanding until it is closed or has more than ``limit`` entities.

        Args:
            node: the entity's IRI.
            limit: stop past this many entities.

        Returns:
            Its members (as far as explored) and whether that is the whole component.
        """
        members = {node}
        frontier = {node}
        while frontier and len(members) <= limit:
            frontier = self.expand(frontier) - members
            members |= frontier
        return members, not frontier
