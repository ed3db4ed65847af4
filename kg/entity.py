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
from kg.identifiers import parse_identifier
from kg.identity import LOCAL_ENTITY, LOCAL_ID, LOCAL_LABEL, RESOLVED_BY, RESOLVED_TO
from kg.ontology import mint_entity
from kg.statements import Key, Statement, bare_statement, labels_for, read_statements
from kg.store import GraphStore
from kg.vocab import (
    FILM,
    OWL_SAME_AS,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_LABEL,
    REGISTRY_GRAPH,
)

__all__ = ["Disagreement", "EntityCard", "Fact", "Link", "identifiers_of", "links_of", "resolve", "show"]


def _exists(graph: GraphStore, iri: str) -> bool:
    """Whether ``iri`` is a node of the data: described or linked, not only named by identity bookkeeping."""
    node = ox.NamedNode(iri)
    records = ", ".join(f"<{p}>" for p in sorted(graph.ontology.identity_records)) or f"<{RDF_TYPE}>"
    return graph.store.ask(
        f"ASK {{ {{ {node} ?p ?o FILTER(?p NOT IN ({records})) }} UNION {{ ?s ?p {node} FILTER(?p NOT IN ({records})) }} }}"
    )


def _resolved(graph: GraphStore, iri: str) -> str | None:
    """The entity a file's own IRI was resolved to (see :mod:`kg.identity`), if it was."""
    rows = list(
        graph.store.select(
            f"SELECT DISTINCT ?c WHERE {{ ?m <{LOCAL_ENTITY}> {ox.NamedNode(iri)} ; <{RESOLVED_TO}> ?c }} ORDER BY ?c"
        )
    )
    return rows[0][0].value if rows and isinstance(rows[0][0], ox.NamedNode) else None


def _by_identifier(graph: GraphStore, text: str) -> str | None:
    """The entity an identifier in notation names (``imdb:nm0000123``), or ``None`` for other text.

    Raises:
        NotFoundError: a malformed identifier.
    """
    try:
        identifier = parse_identifier(text, graph.ontology)
    except ValueError as exc:
        raise NotFoundError(str(exc)) from None
    if identifier is None:
        return None
    rows = list(
        graph.store.select(
            f"SELECT DISTINCT ?e WHERE {{ ?e <{identifier.property}> {ox.Literal(identifier.value)} }} ORDER BY ?e LIMIT 1"
        )
    )
    if rows and isinstance(rows[0][0], ox.NamedNode):
        return rows[0][0].value
    return None


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
    identified = _by_identifier(graph, text)
    if identified is not None:
        return identified
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
            moved = _resolved(graph, iri)
            if moved is not None:
                return moved
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
class Link:
    """Why a name or identifier of one file is this entity (see :mod:`kg.identity`)."""

    local: str
    """The IRI the file alone gives it."""
    names: tuple[str, ...]
    """What the file calls it (names, identifiers in notation)."""
    source: str
    """The file."""
    reason: str


@dataclass(frozen=True)
class Disagreement:
    """Claims on the card that disagree (see :mod:`kg.conflicts`): their values side by side."""

    subject: str
    relation: str
    object: str
    identifying: str
    """The identifying qualifiers of the claims (``skill: pole dancing``), or empty."""
    property: str
    values: tuple[str, ...]
    """Each claim's value, with its rank when not ``normal`` and its source."""
    spread: str
    resolved: bool

    def __str__(self) -> str:
        about = f"{self.subject} {self.relation} {self.object}" + (f" ({self.identifying})" if self.identifying else "")
        state = "resolved by rank" if self.resolved else "unresolved"
        return f"  ≠ {about}: {self.property} {'; '.join(self.values)} — {self.spread}, {state}"


@dataclass(frozen=True)
class EntityCard:
    """An entity's card: its IRI, label, types, identifiers, the links that made it one entity,
    and every fact in and out."""

    iri: str
    label: str
    types: list[str]
    facts: list[Fact] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    """Its identifiers in notation (``imdb:nm0000123``), sorted."""
    links: list[Link] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    """Its claims that conflict, grouped (filled by :meth:`kg.KnowledgeGraph.show`)."""

    def __str__(self) -> str:
        lines = [f"{self.label}  <{self.iri}>", f"  types: {', '.join(self.types) or '(none)'}"]
        if self.identifiers:
            lines.append(f"  identifiers: {', '.join(self.identifiers)}")
        for link in self.links:
            lines.append(f"  = {' / '.join(link.names) or link.local} in {link.source}: {link.reason}")
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
        lines += [str(d) for d in self.disagreements]
        return "\n".join(lines)


def _triples_around(graph: GraphStore, node: ox.NamedNode) -> list[tuple[str, Key]]:
    """Every asserted triple the entity takes part in: as subject, as object, or as a qualifier value."""
    ontology = graph.ontology
    skipped = [RDFS_LABEL, RDF_TYPE, OWL_SAME_AS, *(s.iri for s in ontology.identifiers), *sorted(ontology.identity_records)]
    skip = ", ".join(f"<{p}>" for p in skipped)
    rows = graph.store.select(
        f"""SELECT DISTINCT ?dir ?s ?p ?o WHERE {{
          {{ BIND("out" AS ?dir) BIND({node} AS ?s) {node} ?p ?o FILTER(?p NOT IN ({skip})) }}
          UNION {{ BIND("in" AS ?dir) BIND({node} AS ?o) ?s ?p {node} FILTER(?p NOT IN ({skip}))
                   FILTER NOT EXISTS {{ ?s a <{RDF_STATEMENT}> }} }}
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
    return EntityCard(
        iri=iri, label=labels.get(iri) or ontology.notation_of(iri) or iri, types=types, facts=facts,
        identifiers=identifiers_of(graph, iri), links=links_of(graph, iri),
    )  # fmt: skip


def identifiers_of(graph: GraphStore, iri: str) -> list[str]:
    """The identifiers of an entity, in notation, sorted.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> identifiers_of(KnowledgeGraph.memory(), "http://example.org/x")
        []
    """
    schemes = {s.iri: s for s in graph.ontology.identifiers}
    if not schemes:
        return []
    values = " ".join(f"<{s}>" for s in schemes)
    rows = graph.store.select(f"SELECT DISTINCT ?p ?v WHERE {{ {ox.NamedNode(iri)} ?p ?v VALUES ?p {{ {values} }} }}")
    return sorted(schemes[row[0].value].notation + row[1].value for row in rows)


def links_of(graph: GraphStore, iri: str) -> list[Link]:
    """Why each file's name or identifier is this entity, when a file gave it another IRI or
    shares it between several of its names (see :mod:`kg.identity`).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> links_of(KnowledgeGraph.memory(), "http://example.org/x")
        []
    """
    rows = graph.store.select(
        f"""SELECT ?g ?l ?why (GROUP_CONCAT(DISTINCT ?name; SEPARATOR="\u001f") AS ?names) ?file WHERE {{
              GRAPH ?g {{ ?m <{RESOLVED_TO}> {ox.NamedNode(iri)} ; <{LOCAL_ENTITY}> ?l ; <{RESOLVED_BY}> ?why .
                         OPTIONAL {{ ?m <{LOCAL_LABEL}>|<{LOCAL_ID}> ?name }} }}
              OPTIONAL {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{FILM}sourceName> ?file }} }}
            }} GROUP BY ?g ?l ?why ?file""",
        union=False,
    )
    out = []
    for g, local, why, names, file in rows:
        listed = tuple(sorted(n for n in (names.value if names is not None else "").split("\u001f") if n))
        out.append(Link(local.value, listed, file.value if file is not None else g.value, why.value))
    return sorted(out, key=lambda link: (link.source, link.names, link.local))
