"""The entity rules: which nodes of the RDF graph are entities, which triples are relations
between them, and how an entity is labelled and classified.

The whole entity projection (:func:`kg.analysis.entity_graph`), the local one
(:class:`kg.analysis.Explorer`), ``stats`` and the views all follow these rules, kept here once:

- a *relation* is a triple of a data graph (not the ontology or registry graph) between two
  IRIs whose predicate is neither structure (``rdf:type``, the reification, sources, labels,
  URLs), a qualifier, an identifier or ``owl:sameAs``, identity bookkeeping, nor a
  ``same-as``/``different-from`` decision (see :mod:`kg.identity`);
- an *entity* is an end of a relation, unless one of its classes is a source, a source file
  or a statement node (:data:`NOT_ENTITY_CLASSES`): a relation with such an end is dropped;
- an entity's *label* is its smallest ``rdfs:label`` (its compact IRI when it has none) and
  its *classes* are the IRIs of its ``rdf:type``, sorted.

Classes are compared by IRI, never by label. Node attributes: ``label``, ``classes`` (class
IRIs) and, for display, ``types`` (their labels, in the same order) and ``type`` (the first
label, or ``""``). Edge attributes: ``relation`` (the input name, also the edge key), ``iri``,
``label`` and ``statements``.

Examples:
    >>> from kg import KnowledgeGraph
    >>> from kg.vocab import RES
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object,source\\nMikey Madison,acted-in,Anora,Press kit\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> rules = entity_rules(kg.ontology)
    >>> [(kg.ontology.compact(s), rules.relation(p)[0], kg.ontology.compact(o)) for s, p, o in rules.relations(kg)]
    [('res:mikey_madison', 'acted-in', 'res:anora')]
    >>> described = describe(kg)
    >>> [kg.ontology.compact(c) for c in described.classes[RES + "anora"]]
    ['film:Film']
    >>> rules.node(RES + "anora", described)["types"]
    ['Film']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.lazy import lazy
from kg.ontology import Ontology
from kg.statements import Statement
from kg.store import GraphStore
from kg.vocab import (
    BOUNDED_PROPERTY,
    BOUNDS_CLASS,
    BOUNDS_OF,
    DERIVED_FROM,
    ONTOLOGY_GRAPH,
    OWL_SAME_AS,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_LABEL,
    REGISTRY_GRAPH,
    SOURCE_CLASS,
    SOURCE_FILE_CLASS,
    LOWER_BOUND,
    UPPER_BOUND,
    URL,
    WORDING,
)

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = ["BATCH", "NOT_ENTITY_CLASSES", "Descriptions", "EntityRules", "describe", "entity_rules"]

NOT_ENTITY_CLASSES = frozenset({SOURCE_CLASS, SOURCE_FILE_CLASS, RDF_STATEMENT, BOUNDS_CLASS})
"""Nodes of these classes are never entities: sources, ingested files, statement nodes and the bounds of values."""
_DATA_GRAPHS = f"FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{REGISTRY_GRAPH}>))"
"""The SPARQL filter that keeps ``GRAPH ?g`` to the data graphs (not the ontology or the registry)."""
BATCH = 400
"""How many IRIs one query asks about (in a ``VALUES`` clause)."""
_STRUCTURE = (
    RDF_TYPE, RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT, DERIVED_FROM, URL, RDFS_LABEL,
    BOUNDS_OF, BOUNDED_PROPERTY, LOWER_BOUND, UPPER_BOUND, WORDING,
)  # fmt: skip
"""Predicates of the RDF contract's structure, never relations between entities (those of a bounds
node only ever describe a node that is not an entity, so leaving them out changes no projection)."""


@dataclass
class Descriptions:
    """What nodes are called and what they are, as the data graphs say: each node's smallest
    ``rdfs:label`` and its class IRIs (sorted), for the nodes that have them."""

    labels: dict[str, str] = field(default_factory=dict)
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def update(self, other: Descriptions) -> None:
        """Add the descriptions of other nodes."""
        self.labels.update(other.labels)
        self.classes.update(other.classes)


def describe(graph: GraphStore, iris: Iterable[str] | None = None) -> Descriptions:
    """The labels and classes of nodes, from the data graphs.

    Args:
        graph: the knowledge graph.
        iris: the nodes to describe, fetched :data:`BATCH` at a time; ``None`` reads every
            node that has a label or a class, in two queries.

    Returns:
        Their :class:`Descriptions` (a node the data says nothing of is in neither dict).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> from kg.vocab import RES
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> described = describe(kg, [RES + "anora", "http://example.org/nothing"])
        >>> described.labels[RES + "anora"], [kg.ontology.compact(c) for c in described.classes[RES + "anora"]]
        ('Anora', ['film:Film'])
        >>> "http://example.org/nothing" in described.labels
        False
        >>> sorted(kg.ontology.compact(e) for e in describe(kg).classes)
        ['res:anora', 'res:mikey_madison']
    """
    out = Descriptions()
    classes: dict[str, list[str]] = defaultdict(list)
    if iris is None:
        for e, label in _pairs(graph, RDFS_LABEL, literal=True):
            if e not in out.labels or label < out.labels[e]:
                out.labels[e] = label
        for e, c in sorted(set(_pairs(graph, RDF_TYPE))):
            classes[e].append(c)
    else:
        wanted = sorted(set(iris))
        for start in range(0, len(wanted), BATCH):
            _describe_batch(graph, wanted[start : start + BATCH], out.labels, classes)
        classes = {e: sorted(set(found)) for e, found in classes.items()}  # (a class in several graphs)
    out.classes = {e: tuple(found) for e, found in classes.items()}
    return out


def _describe_batch(
    graph: GraphStore, batch: Sequence[str], labels: dict[str, str], classes: dict[str, list[str]]
) -> None:
    """Add the labels and classes of some nodes (one query)."""
    values = " ".join(f"<{n}>" for n in batch)
    rows = graph.store.select(
        f"""SELECT ?e ?p ?v WHERE {{
              VALUES ?e {{ {values} }} GRAPH ?g {{ ?e ?p ?v }}
              FILTER(?p IN (<{RDFS_LABEL}>, <{RDF_TYPE}>)) {_DATA_GRAPHS}
            }}""",  # (a second VALUES for ?p makes Oxigraph scan: 6 s instead of 10 ms)
    )
    for e_term, p_term, v_term in rows:
        e, v = e_term.value, v_term.value
        if p_term.value == RDF_TYPE:
            if isinstance(v_term, ox.NamedNode):
                classes[e].append(v)
        elif isinstance(v_term, ox.Literal) and (e not in labels or v < labels[e]):
            labels[e] = v


def _pairs(graph: GraphStore, predicate: str, *, literal: bool = False) -> list[tuple[str, str]]:
    """(subject, object) value pairs of one predicate in the data graphs."""
    kind = "isLITERAL" if literal else "isIRI"
    rows = graph.store.select(
        f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} {_DATA_GRAPHS} FILTER({kind}(?o)) }}"
    )
    return [(row[0].value, row[1].value) for row in rows]


class EntityRules:
    """The entity rules of one ontology: the relations to read, which nodes are entities, and their attributes.

    Use :func:`entity_rules`, which keeps one per ontology.

    Args:
        ontology: the vocabulary (its qualifiers are not relations; its labels name classes and relations).

    Examples:
        >>> from kg.ontology import load_ontology
        >>> from kg.vocab import FILM
        >>> rules = entity_rules(load_ontology())
        >>> rules.is_entity([FILM + "Person"]), rules.is_entity([FILM + "Person", FILM + "Source"])
        (True, False)
        >>> rules.not_entities({"urn:a": (FILM + "Person",), "urn:b": (FILM + "Person", FILM + "Source")})
        {'urn:b'}
        >>> rules.relation(FILM + "actedIn")
        ('acted-in', 'acted in')
    """

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        skipped = set(_STRUCTURE) | {q.iri for q in ontology.qualifiers} | {OWL_SAME_AS}
        skipped |= {s.iri for s in ontology.identifiers} | ontology.identity_records
        skipped |= set(ontology.roles.get("identity-decision", ()))  # same-as rows are decisions, not edges
        self.skipped = frozenset(skipped)
        """The predicates that are never relations."""
        self._excluded = ", ".join(f"<{p}>" for p in sorted(skipped))
        self._relations: dict[str, tuple[str, str]] = {}
        self._types: dict[tuple[str, ...], list[str]] = {}

    def relations(
        self, graph: GraphStore, around: Sequence[str] | None = None, *, to: Sequence[str] | None = None
    ) -> list[tuple[str, str, str]]:
        """The (subject, predicate, object) IRIs of the relations, before the entity check.

        Args:
            graph: the knowledge graph.
            around: only the relations with an end among these IRIs (one query: pass at most
                :data:`BATCH`); ``None`` reads every relation.
            to: with ``around``, only those whose other end is among these IRIs (at most
                :data:`BATCH`): the store looks each pair up, whatever else the ends are linked to.

        Returns:
            The triples, in the store's order (repeated when they are in several graphs).
        """
        if around is not None and to is not None:
            ends = " ".join(f"<{n}>" for n in around)
            others = " ".join(f"<{n}>" for n in to)
            rows = graph.store.select(
                f"""SELECT ?s ?p ?o WHERE {{
                      {{ VALUES ?s {{ {ends} }} VALUES ?o {{ {others} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      UNION {{ VALUES ?s {{ {others} }} VALUES ?o {{ {ends} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      {_DATA_GRAPHS} FILTER(?p NOT IN ({self._excluded}))
                    }}""",
            )
            return [(s.value, p.value, o.value) for s, p, o in rows if isinstance(s, ox.NamedNode)]
        if around is None:
            rows = graph.store.select(
                f"""SELECT ?s ?p ?o WHERE {{
                      GRAPH ?g {{ ?s ?p ?o }} {_DATA_GRAPHS}
                      FILTER(isIRI(?o) && ?p NOT IN ({self._excluded}))
                    }}"""
            )
        else:
            values = " ".join(f"<{n}>" for n in around)
            rows = graph.store.select(
                f"""SELECT ?s ?p ?o WHERE {{
                      {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      UNION {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      {_DATA_GRAPHS} FILTER(isIRI(?s) && isIRI(?o) && ?p NOT IN ({self._excluded}))
                    }}""",
            )
        return [(s.value, p.value, o.value) for s, p, o in rows if isinstance(s, ox.NamedNode)]

    def is_entity(self, classes: Iterable[str]) -> bool:
        """Whether a node of these classes may be an entity: none of them is in :data:`NOT_ENTITY_CLASSES`.

        Args:
            classes: the node's class IRIs.

        Returns:
            True for an entity (or an untyped node).
        """
        return NOT_ENTITY_CLASSES.isdisjoint(classes)

    def not_entities(self, classes: Mapping[str, tuple[str, ...]]) -> set[str]:
        """The nodes that are never entities, by their classes (:meth:`is_entity` of each).

        Args:
            classes: nodes' class IRIs (as :class:`Descriptions` holds them).

        Returns:
            The nodes with a class in :data:`NOT_ENTITY_CLASSES`.
        """
        verdicts: dict[tuple[str, ...], bool] = {}  # (few combinations of classes: each is judged once)
        out = set()
        for node, found in classes.items():
            verdict = verdicts.get(found)
            if verdict is None:
                verdict = verdicts[found] = self.is_entity(found)
            if not verdict:
                out.add(node)
        return out

    def relation(self, iri: str) -> tuple[str, str]:
        """The input name and the label of a relation.

        Args:
            iri: the predicate's IRI.

        Returns:
            Its input name (an edge's key; the compact IRI outside the ontology) and its label.
        """
        found = self._relations.get(iri)
        if found is None:
            prop = self.ontology.properties.get(iri)
            found = (prop.name if prop else self.ontology.compact(iri), self.ontology.label(iri))
            self._relations[iri] = found
        return found

    def label(self, iri: str, described: Descriptions) -> str:
        """The label of an entity.

        Args:
            iri: the entity's IRI.
            described: descriptions that include it.

        Returns:
            Its own label, or its compact IRI when it has none.
        """
        return described.labels.get(iri) or self.ontology.compact(iri)

    def node(self, iri: str, described: Descriptions, *, label: bool = True) -> dict[str, Any]:
        """The node attributes of an entity.

        Args:
            iri: the entity's IRI.
            described: descriptions that include it.
            label: include its label.

        Returns:
            Its ``label``, ``classes`` (IRIs, sorted), ``types`` (their labels) and ``type`` (the first label).
        """
        classes = described.classes.get(iri, ())
        types = self._types.get(classes)
        if types is None:
            types = self._types[classes] = [self.ontology.label(c) for c in classes]
        out = {"classes": classes, "types": list(types), "type": types[0] if types else ""}
        return {"label": described.labels.get(iri) or self.ontology.compact(iri), **out} if label else out

    def add(
        self,
        g: nx.MultiDiGraph,
        triple: tuple[str, str, str],
        described: Descriptions,
        statements: list[Statement] | None = None,
    ) -> None:
        """Add a relation and its two ends to ``g``, unless an end is not an entity or the edge is there.

        Args:
            g: the entity graph being built.
            triple: the relation's (subject, predicate, object) IRIs.
            described: the descriptions of (at least) both ends.
            statements: the statements behind it, when fetched.
        """
        s, p, o = triple
        classes = described.classes
        if not (self.is_entity(classes.get(s, ())) and self.is_entity(classes.get(o, ()))):
            return
        for n in (s, o):
            if n not in g:
                g.add_node(n, **self.node(n, described))
        name, label = self.relation(p)
        if not g.has_edge(s, o, key=name):
            g.add_edge(s, o, key=name, relation=name, iri=p, label=label, statements=statements or [])


@cache
def entity_rules(ontology: Ontology) -> EntityRules:
    """The :class:`EntityRules` of an ontology, made once.

    Args:
        ontology: the vocabulary.

    Returns:
        Its rules.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> entity_rules(load_ontology()) is entity_rules(load_ontology())
        True
    """
    return EntityRules(ontology)
