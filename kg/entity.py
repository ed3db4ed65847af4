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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import NotFoundError
from kg.ontology import mint_entity
from kg.store import ask, select

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["EntityCard", "Fact", "resolve", "show"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_QUOTE = "https://w3id.org/filmkg/ontology#quote"
_STATEMENT_PARTS = (_RDF + "type", _RDF + "subject", _RDF + "predicate", _RDF + "object")


def _exists(graph: KnowledgeGraph, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return ask(graph.store, f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")


def resolve(graph: KnowledgeGraph, entity: str) -> str:
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
    rows = select(graph.store, f"SELECT ?e WHERE {{ ?e <{_LABEL}> ?l FILTER({normalized} = {needle}) }} LIMIT 1")
    if rows and isinstance(rows[0][0], ox.NamedNode):
        return rows[0][0].value
    lowered = " ".join(text.lower().split())
    words = [w for w in lowered.split() if len(w) > 2][:3] or [lowered]
    tests = [f"CONTAINS(LCASE(STR(?l)), {ox.Literal(w)})" for w in words]
    tests.append(f"STRSTARTS(LCASE(STR(?l)), {ox.Literal(lowered[:2])})")
    labels = {
        str(getattr(row[0], "value", ""))
        for row in select(
            graph.store, f"SELECT DISTINCT ?l WHERE {{ ?e <{_LABEL}> ?l FILTER({' || '.join(tests)}) }} LIMIT 5000"
        )
    }
    by_key = {" ".join(label.lower().split()): label for label in sorted(labels)}
    close = [by_key[k] for k in difflib.get_close_matches(lowered, list(by_key), n=3, cutoff=0.6)]
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise NotFoundError(f'no entity "{text}" in the store{hint}')


@dataclass(frozen=True)
class Fact:
    """One fact about an entity, with what qualifies it and what it rests on.

    ``direction`` is ``out`` (the entity is the subject), ``in`` (the object) or
    ``qualifier`` (the entity qualifies another fact, e.g. the character played).
    """

    direction: str
    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    qualifiers: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()


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


def _term_text(term: ox.NamedNode | ox.Literal | ox.BlankNode, labels: dict[str, str], graph: KnowledgeGraph) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or graph.ontology.label(term.value)
    return str(term)


def show(graph: KnowledgeGraph, entity: str) -> EntityCard:
    """The card of an entity: its types and every fact in and out, each with its qualifiers, source and quote.

    Args:
        graph: the knowledge graph.
        entity: a name, label, CURIE or ``<IRI>``.

    Returns:
        An :class:`EntityCard`.

    Raises:
        NotFoundError: no such entity.
    """
    iri = resolve(graph, entity)
    node = ox.NamedNode(iri)

    def select_(sparql: str) -> list[ox.QuerySolution]:
        return select(graph.store, sparql)

    statement_filter = f"FILTER NOT EXISTS {{ ?x a <{_RDF}Statement> }}"
    rows = select_(
        f"""SELECT DISTINCT ?dir ?s ?p ?o ?st WHERE {{
          {{ BIND("out" AS ?dir) BIND({node} AS ?s) {node} ?p ?o . BIND({node} AS ?x)
             FILTER(?p NOT IN (<{_LABEL}>, <{_RDF}type>)) }}
          UNION {{ BIND("in" AS ?dir) BIND({node} AS ?o) ?s ?p {node} . BIND(?s AS ?x) {statement_filter} }}
          UNION {{ BIND("qualifier" AS ?dir) ?st2 ?q {node} ; <{_RDF}subject> ?s ; <{_RDF}predicate> ?p ;
                   <{_RDF}object> ?o . BIND(?st2 AS ?st) BIND(?s AS ?x)
                   FILTER(?q NOT IN (<{_RDF}subject>, <{_RDF}object>)) }}
          OPTIONAL {{ ?st <{_RDF}subject> ?s ; <{_RDF}predicate> ?p ; <{_RDF}object> ?o ; a <{_RDF}Statement> }}
        }}"""
    )
    statements = sorted({r["st"].value for r in rows if r["st"] is not None})
    details: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]] = defaultdict(list)
    if statements:
        values = " ".join(f"<{s}>" for s in statements)
        for r in select_(f"SELECT ?st ?q ?v WHERE {{ VALUES ?st {{ {values} }} ?st ?q ?v }}"):
            if r["q"].value not in _STATEMENT_PARTS:
                details[r["st"].value].append((r["q"].value, r["v"]))
    iris = {iri} | {
        t.value for r in rows for t in (r["s"], r["p"], r["o"]) if isinstance(t, ox.NamedNode)
    } | {v.value for items in details.values() for _, v in items if isinstance(v, ox.NamedNode)}
    labels: dict[str, str] = {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    for r in select_(f"SELECT ?e (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?e {{ {values} }} ?e <{_LABEL}> ?l }} GROUP BY ?e"):
        labels[r["e"].value] = r["label"].value
    types = sorted(
        graph.ontology.label(r["t"].value)
        for r in select_(f"SELECT DISTINCT ?t WHERE {{ {node} a ?t }}")
    )
    grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for r in rows:
        key = (r["dir"].value, str(r["s"]), str(r["p"]), str(r["o"]))
        if r["st"] is not None:
            grouped[key].append(r["st"].value)
        else:
            grouped.setdefault(key, [])
    by_key = {(r["dir"].value, str(r["s"]), str(r["p"]), str(r["o"])): r for r in rows}
    facts = []
    for key, sts in grouped.items():
        r = by_key[key]
        subject, predicate, obj = r["s"], r["p"], r["o"]
        for st in sts or [""]:
            qualifiers, sources, quotes = [], [], []
            for q, v in sorted(details.get(st, []), key=lambda item: (item[0], str(item[1]))):
                if q == _DERIVED:
                    sources.append(_term_text(v, labels, graph))
                elif q == _QUOTE:
                    quotes.append(v.value)
                else:
                    prop = graph.ontology.properties.get(q)
                    qualifiers.append((prop.name if prop else graph.ontology.compact(q), _term_text(v, labels, graph)))
            facts.append(
                Fact(
                    direction=key[0],
                    subject=subject.value if not isinstance(subject, ox.Triple) else str(subject),
                    subject_label=_term_text(subject, labels, graph),
                    predicate=predicate.value,
                    predicate_label=graph.ontology.label(predicate.value),
                    object=obj.value if not isinstance(obj, ox.Triple) else str(obj),
                    object_label=_term_text(obj, labels, graph),
                    qualifiers=tuple(qualifiers),
                    sources=tuple(sources),
                    quotes=tuple(quotes),
                )
            )
    order = {"out": 0, "in": 1, "qualifier": 2}
    facts.sort(key=lambda f: (order[f.direction], f.predicate_label, f.subject_label, f.object_label))
    return EntityCard(iri=iri, label=labels.get(iri, iri), types=types, facts=facts)
