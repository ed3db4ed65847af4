"""One scan of the data graphs for the whole-graph projections: relations, classes and labels at once.

The projections of the whole graph (:func:`kg.analysis.entity_graph` and those built on it),
``stats``, ``centrality``, ``communities`` and ``components`` need three things of every node:
the relations between entities, the classes and (except ``stats``) the labels. :func:`scan`
reads them in a single SELECT over the data graphs, which Oxigraph answers with one pass
over its quads: the structure predicates are taken out with a ``MINUS`` of their ``VALUES``
(a ``FILTER(?p NOT IN (…))`` or ``isIRI`` test on every quad costs several times the scan
itself), and the kind of each term is checked in Python on the few rows left. The entity
rules (:mod:`kg.analysis.entities`) are applied unchanged: the same relations in the same
order, the same smallest label and the same sorted classes as :func:`~kg.analysis.entities.describe`
and :meth:`~kg.analysis.entities.EntityRules.relations`.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> found = scan(kg)
    >>> [kg.ontology.compact(n) for n in found.relations[0]]
    ['res:sean_baker', 'film:directed', 'res:anora']
    >>> sorted(found.labels.values())
    ['Anora', 'Sean Baker']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.analysis.entities import Descriptions, entity_rules
from kg.store import EmbeddedStore, GraphStore
from kg.vocab import ONTOLOGY_GRAPH, RDF_TYPE, RDFS_LABEL, REGISTRY_GRAPH

__all__ = ["Scan", "scan"]


@dataclass
class Scan:
    """What one scan of the data graphs found: the relations and the nodes' descriptions.

    Attributes:
        relations: the (subject, predicate, object) IRIs of the relations, before the entity
            check, in the store's order (repeated when they are in several graphs).
        described: the nodes' classes and, when asked for, their labels.
    """

    relations: list[tuple[str, str, str]] = field(default_factory=list)
    described: Descriptions = field(default_factory=Descriptions)

    @property
    def labels(self) -> dict[str, str]:
        """Each node's smallest label (empty when the scan left labels out)."""
        return self.described.labels

    @property
    def classes(self) -> dict[str, tuple[str, ...]]:
        """Each typed node's class IRIs, sorted."""
        return self.described.classes


def scan(graph: GraphStore, *, labels: bool = True) -> Scan:
    """The relations, classes and (optionally) labels of the data graphs, in one SELECT.

    Args:
        graph: the knowledge graph.
        labels: read the labels too (``stats`` does without them).

    Returns:
        The :class:`Scan`.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> found = scan(kg, labels=False)
        >>> len(found.relations), found.labels
        (1, {})
        >>> sorted(kg.ontology.compact(c) for classes in found.classes.values() for c in classes)
        ['film:Film', 'film:Person']
    """
    skipped = sorted(set(entity_rules(graph.ontology).skipped) - {RDF_TYPE} - ({RDFS_LABEL} if labels else set()))
    if isinstance(graph.store, EmbeddedStore):
        leave_out = f"MINUS {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in skipped)} }} }}"
    else:  # Virtuoso cannot compile a MINUS of a VALUES block (SP031); every server reads this
        leave_out = f"FILTER(?p NOT IN ({', '.join(f'<{p}>' for p in skipped)}))"
    rows = graph.store.select(
        f"""SELECT ?s ?p ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{REGISTRY_GRAPH}>))
              {leave_out}
            }}"""
    )
    out = Scan()
    relations, found_labels = out.relations, out.described.labels
    classes: dict[str, set[str]] = defaultdict(set)
    named, literal = ox.NamedNode, ox.Literal
    for s_term, p_term, o_term in rows:
        p = p_term.value
        if p == RDF_TYPE:
            if type(o_term) is named:
                classes[s_term.value].add(o_term.value)
        elif p == RDFS_LABEL:
            if type(o_term) is literal:
                s, label = s_term.value, o_term.value
                if s not in found_labels or label < found_labels[s]:
                    found_labels[s] = label
        elif type(o_term) is named and type(s_term) is named:
            relations.append((s_term.value, p, o_term.value))
    out.described.classes = {node: tuple(sorted(found)) for node, found in classes.items()}
    return out
