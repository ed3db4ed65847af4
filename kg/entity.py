"""Entities: finding one by name, CURIE or IRI, and its card of facts.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object,character\\nMikey Madison,acted-in,Anora,Ani\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> card = kg.show("mikey madison")
    >>> card.label, card.types, [f.predicate_label for f in card.facts]
    ('Mikey Madison', ['Person'], ['acted in'])
    >>> card.facts[0].qualifiers
    (('character', 'Ani'),)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import NotFoundError
from kg.ontology import mint_entity
from kg.statements import Key, Statement, bare_statement, labels_for, read_statements
from kg.store import GraphStore
from kg.vocab import RDF_OBJECT, RDF_PREDICATE, RDF_STATEMENT, RDF_SUBJECT, RDF_TYPE, RDFS_LABEL

__all__ = ["EntityCard", "Fact", "resolve", "show"]


def _exists(graph: GraphStore, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return graph.store.ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")


def resolve(graph: GraphStore, entity: str) -> str:
    """The IRI of an entity given by name (any case and spacing), label, CURIE or ``<IRI>``.

    Raises:
        NotFoundError: nothing in the store is called that; the message suggests close names.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> resolve(KnowledgeGraph.memory(), "Anora")
        Traceback (most recent call last):
        ...
        kg.errors.NotFoundError: no entity "Anora" in the store
    """
    text = entity.strip()
    candidates = []
    if text.startswith("<") and text.endswith(">"):
        candidates.append(text[1:-1])
    elif (expanded := graph.ontology.expand(text)) is not None and " " not in text:
        candidates.append(expanded)
    if text:
        candidates.append(mint_entity(text))
    for iri in candidates:
        try:
            if _exists(graph, iri):
                return iri
        except ValueError:
            continue
    needle = ox.Literal(" ".join(text.split()).lower())
    normalized = 'LCASE(REPLACE(REPLACE(STR(?l), "\\\\s+", " "), "^ | $", ""))'
    rows = list(graph.store.select(f"SELECT ?e WHERE {{ ?e <{RDFS_LABEL}> ?l FILTER({normalized} = {needle}) }} LIMIT 1"))
    if rows and isinstance(rows[0][0], ox.NamedNode):
        return rows[0][0].value
    lowered = " ".join(text.lower().split())
    words = [w for w in lowered.split() if len(w) > 2][:3] or [lowered]
    tests = [f"CONTAINS(LCASE(STR(?l)), {ox.Literal(w)})" for w in words]
    tests.append(f"STRSTARTS(LCASE(STR(?l)), {ox.Literal(lowered[:2])})")
    labels = {
        str(getattr(row[0], "value", ""))
        for row in graph.store.select(
            f"SELECT DISTINCT ?l WHERE {{ ?e <{RDFS_LABEL}> ?l FILTER({' || '.join(tests)}) }} LIMIT 5000"
        )
    }
    by_key = {" ".join(label.lower().split()): label for label in sorted(labels)}
    close = [by_key[k] for k in difflib.get_close_matches(lowered, list(by_key), n=3, cutoff=0.6)]
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise NotFoundError(f'no entity "{text}" in the store{hint}')


@dataclass(frozen=True)
class Fact:
    """One statement on an entity's card, and how the entity takes part in it.

    ``direction`` is ``out`` (the entity is the subject), ``in`` (the object) or
    ``qualifier`` (the entity qualifies the statement, e.g. the character played).
    """

    direction: str
    statement: Statement

    @property
    def subject(self) -> str:
        """The subject's IRI."""
        return self.statement.subject

    @property
    def subject_label(self) -> str:
        """The subject's label."""
        return self.statement.subject_label

    @property
    def predicate(self) -> str:
        """The relation's IRI."""
        return self.statement.relation

    @property
    def predicate_label(self) -> str:
        """The relation's label."""
        return self.statement.relation_label

    @property
    def object(self) -> str:
        """The object's IRI, or a literal's value."""
        return self.statement.object

    @property
    def object_label(self) -> str:
        """The object's label, or a literal's value."""
        return self.statement.object_label

    @property
    def qualifiers(self) -> tuple[tuple[str, str], ...]:
        """``(name, text)`` of every qualifier."""
        return self.statement.qualifier_pairs()

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources the statement rests on."""
        return self.statement.sources

    @property
    def quotes(self) -> tuple[str, ...]:
        """The quotes it rests on."""
        return self.statement.quotes


@dataclass(frozen=True)
class EntityCard:
    """An entity's card: its IRI, label, types and every fact in and out."""

    iri: str
    label: str
    types: list[str]
    facts: list[Fact] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.label}  <{self.iri}>", f"  types: {', '.join(self.types) or '(none)'}"]
        for fact in self.facts:
            if fact.direction == "qualifier":
                head = f"  ~ {fact.subject_label} {fact.predicate_label} {fact.object_label}"
            elif fact.direction == "out":
                head = f"  → {fact.predicate_label} {fact.object_label}"
            else:
                head = f"  ← {fact.subject_label} {fact.predicate_label}"
            lines.append(head)
            for name, value in fact.qualifiers:
                lines.append(f"      {name}: {value}")
            for source in fact.sources:
                lines.append(f"      source: {source}")
            for quote in fact.quotes:
                lines.append(f"      quote: “{quote}”")
        return "\n".join(lines)


def _triples_around(graph: GraphStore, node: ox.NamedNode) -> list[tuple[str, Key]]:
    """Every asserted triple the entity takes part in: as subject, as object, or as a qualifier value."""
    rows = graph.store.select(
        f"""SELECT DISTINCT ?dir ?s ?p ?o WHERE {{
          {{ BIND("out" AS ?dir) BIND({node} AS ?s) {node} ?p ?o FILTER(?p NOT IN (<{RDFS_LABEL}>, <{RDF_TYPE}>)) }}
          UNION {{ BIND("in" AS ?dir) BIND({node} AS ?o) ?s ?p {node} FILTER NOT EXISTS {{ ?s a <{RDF_STATEMENT}> }} }}
          UNION {{ BIND("qualifier" AS ?dir) ?st ?q {node} ; <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ;
                   <{RDF_OBJECT}> ?o . FILTER(?q NOT IN (<{RDF_SUBJECT}>, <{RDF_OBJECT}>)) }}
        }}"""
    )
    return [(row[0].value, (row[1], row[2], row[3])) for row in rows]


def show(graph: GraphStore, entity: str) -> EntityCard:
    """The card of an entity: its types and every fact in and out, each with its qualifiers, sources and quotes.

    Args:
        graph: the knowledge graph.
        entity: a name, label, CURIE or ``<IRI>``.

    Returns:
        An :class:`EntityCard`.

    Raises:
        NotFoundError: no such entity.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,source\\nSean Baker,directed,Anora,Press kit\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> card = show(kg, "anora")
        >>> [(f.direction, f.subject_label, f.predicate_label, f.sources) for f in card.facts]
        [('in', 'Sean Baker', 'directed', ('Press kit',))]
    """
    iri = resolve(graph, entity)
    node = ox.NamedNode(iri)
    around = _triples_around(graph, node)
    labels = labels_for(
        graph, {iri} | {t.value for _, key in around for t in (key[0], key[2]) if isinstance(t, ox.NamedNode)}
    )
    described = read_statements(graph, [key for _, key in around], labels=labels)
    ontology = graph.ontology
    facts = [
        Fact(direction, statement)
        for direction, key in around
        for statement in described.get(key) or [bare_statement(key, labels, ontology)]
    ]
    types = sorted(
        ontology.label(row[0].value)
        for row in graph.store.select(f"SELECT DISTINCT ?t WHERE {{ {node} a ?t }}")
    )
    order = {"out": 0, "in": 1, "qualifier": 2}
    facts.sort(key=lambda f: (order[f.direction], f.predicate_label, f.subject_label, f.object_label))
    return EntityCard(iri=iri, label=labels.get(iri, iri), types=types, facts=facts)
