"""One reading of the data graphs for the whole-graph projections: relations, classes and labels.

The projections of the whole graph (:func:`kg.analysis.entity_graph` and those built on it),
``stats``, ``centrality``, ``communities`` and ``components`` need three things of every node:
the relations between entities, the classes and (except ``stats``) the labels. :func:`scan`
reads the relations in one SELECT over the data graphs, which Oxigraph answers with one pass
over its quads: the structure predicates (``rdf:type`` and the labels among them) are taken
out with a ``MINUS`` of their ``VALUES`` (a ``FILTER(?p NOT IN (…))`` or ``isIRI`` test on every
quad costs several times the scan itself), and the kind of each term is checked in Python on
the rows left. What costs is decoding terms, not finding quads, so the classes are read one
class at a time (a class IRI is then decoded once, not once per node), and the members of the
classes that are never entities (statement nodes, sources, bounds: most typed nodes of an
annotated graph) are kept only where they matter, as ends of relations or entities of another
class. The labels come from one more SELECT. The entity rules (:mod:`kg.analysis.entities`) are
applied unchanged: the same relations in the same order, the same smallest label and the same
sorted classes as :func:`~kg.analysis.entities.describe` and
:meth:`~kg.analysis.entities.EntityRules.relations`.

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

from kg.analysis.entities import NOT_ENTITY_CLASSES, Descriptions, entity_rules
from kg.store import EmbeddedStore, GraphStore
from kg.vocab import ONTOLOGY_GRAPH, RDF_TYPE, RDFS_LABEL, REGISTRY_GRAPH

__all__ = ["Scan", "scan"]

_DATA_GRAPHS = f"FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{REGISTRY_GRAPH}>))"
"""Keeps ``GRAPH ?g`` to the data graphs (not the ontology or the registry)."""


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
    """The relations, classes and (optionally) labels of the data graphs.

    One SELECT reads the relations (every quad whose predicate may be a relation, in the
    store's order); then the classes are read class by class, so that a class IRI is not
    decoded once per node: every member of a class entities may have, and of the classes that
    are never entities (statement nodes, sources, bounds) only the members that are also
    relation ends or members of an entity class; one more SELECT reads the labels.

    Args:
        graph: the knowledge graph.
        labels: read the labels too (``stats`` does without them).

    Returns:
        The :class:`Scan`: ``classes`` holds the nodes that have a class entities may have and
        the ends of the relations (the nodes :func:`~kg.analysis.entities.describe` would
        give a class, less the statement nodes, sources and bounds that no relation names).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,source\\nMikey Madison,acted-in,Anora,Press kit\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> found = scan(kg, labels=False)
        >>> len(found.relations), found.labels
        (1, {})
        >>> sorted(kg.ontology.compact(c) for classes in found.classes.values() for c in classes)
        ['film:Film', 'film:Person']
    """
    skipped = sorted(entity_rules(graph.ontology).skipped)
    if isinstance(graph.store, EmbeddedStore):
        leave_out = f"MINUS {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in skipped)} }} }}"
    else:  # Virtuoso cannot compile a MINUS of a VALUES block (SP031); every server reads this
        leave_out = f"FILTER(?p NOT IN ({', '.join(f'<{p}>' for p in skipped)}))"
    out = Scan()
    named = ox.NamedNode
    relations = out.relations
    for s_term, p_term, o_term in graph.store.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_DATA_GRAPHS} {leave_out} }}"
    ):
        if type(o_term) is named and type(s_term) is named:
            relations.append((s_term.value, p_term.value, o_term.value))
    out.described.classes = _classes(graph, relations)
    if labels:
        found_labels = out.described.labels
        for s_term, o_term in graph.store.select(
            f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{RDFS_LABEL}> ?o }} {_DATA_GRAPHS} }}"
        ):
            if type(o_term) is not ox.Literal:
                continue
            s, label = s_term.value, o_term.value
            if s not in found_labels or label < found_labels[s]:
                found_labels[s] = label
    return out


def _classes(graph: GraphStore, relations: list[tuple[str, str, str]]) -> dict[str, tuple[str, ...]]:
    """The sorted classes of the nodes with a class entities may have and of the relations' ends."""
    found = sorted(  # (an isIRI filter here would decode every class of every node)
        row[0].value
        for row in graph.store.select(f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }} {_DATA_GRAPHS} }}")
        if type(row[0]) is ox.NamedNode
    )
    members = {c: _members(graph, c) for c in found}
    wanted = {n for c, nodes in members.items() if c not in NOT_ENTITY_CLASSES for n in nodes}
    wanted.update(n for s, _, o in relations for n in (s, o))
    classes: dict[str, list[str]] = defaultdict(list)
    for c in found:  # (in order: each node's list comes out sorted)
        for node in members[c] if c not in NOT_ENTITY_CLASSES else members[c] & wanted:
            classes[node].append(c)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # (one tuple per combination of classes)
    return {node: shared.setdefault(key := tuple(found), key) for node, found in classes.items()}


def _members(graph: GraphStore, c: str) -> set[str]:
    """The nodes of one class in the data graphs."""
    return {row[0].value for row in graph.store.select(f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> <{c}> }} {_DATA_GRAPHS} }}")}
