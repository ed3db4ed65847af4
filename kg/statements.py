"""The Statement: a claim with its qualifiers, sources and quotes, and the RDF contract both ways.

Each asserted triple ``subject relation object`` may be described by statement
nodes in standard RDF reification (README, "The RDF contract")::

    res:statement/… a rdf:Statement ;
        rdf:subject res:mikey_madison ; rdf:predicate film:trainedFor ; rdf:object res:anora ;
        film:duration "P5M"^^xsd:duration ; film:quote "…" ; prov:wasDerivedFrom res:source/… .

:func:`statement_lines` and :func:`source_lines` write it (as N-Triples); :func:`read_statements`
reads it back as :class:`Statement` values, which cards, paths, views and the network
projections all use.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object,character,source\\nMikey Madison,acted-in,Anora,Ani,Article\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> key = (ox.NamedNode(RES + "mikey_madison"), ox.NamedNode(FILM + "actedIn"), ox.NamedNode(RES + "anora"))
    >>> [statement] = read_statements(kg, [key])[key]
    >>> statement.subject_label, statement.relation_name, statement.object_label, statement.sources
    ('Mikey Madison', 'acted-in', 'Anora', ('Article',))
    >>> [(q.name, q.text) for q in statement.qualifiers]
    [('character', 'Ani')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from kg.ontology import Ontology, mint_hashed
from kg.store import GraphStore
from kg.vocab import (
    BOUNDED_PROPERTY,
    BOUNDS_CLASS,
    BOUNDS_OF,
    DERIVED_FROM,
    FILM,
    LOWER_BOUND,
    QUOTE,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_LABEL,
    RES,
    SOURCE_CLASS,
    UPPER_BOUND,
    URL,
    WORDING,
    XSD_STRING,
)

__all__ = [
    "Key",
    "Qualifier",
    "Statement",
    "Term",
    "bare_statement",
    "bounds_lines",
    "labels_for",
    "nt_literal",
    "read_statements",
    "source_lines",
    "statement_lines",
    "term_text",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
"""An RDF term as pyoxigraph gives it."""
Key = tuple[ox.NamedNode, ox.NamedNode, Term]
"""An asserted triple: subject, relation, object."""

_STRUCTURE = (RDF_TYPE, RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_WEB = re.compile(r"https?://", re.IGNORECASE)
_CHUNK = 1000
_IS_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT, _DERIVED = (
    f" <{RDF_TYPE}> <{RDF_STATEMENT}> .\n", f" <{RDF_SUBJECT}> ", f" <{RDF_PREDICATE}> ", f" <{RDF_OBJECT}> ", f" <{DERIVED_FROM}> "
)  # fmt: skip
"""The constant parts of a statement node's lines (N-Triples)."""


@dataclass(frozen=True)
class Qualifier:
    """One qualifier value of a statement: its name (``character``, or a CURIE outside the
    ontology), property IRI, value (an IRI or a literal's lexical form) and display text."""

    name: str
    iri: str
    value: str
    text: str


@dataclass(frozen=True)
class Statement:
    """A claim: ``subject relation object``, with every qualifier, source and quote behind it.

    ``iri`` is the statement node, or ``None`` for a triple asserted with nothing more.
    Values are IRIs (or a literal object's lexical form, when ``literal``); the ``*_label``
    fields are their display text.
    """

    subject: str
    relation: str
    object: str
    subject_label: str
    relation_name: str
    relation_label: str
    object_label: str
    literal: bool = False
    qualifiers: tuple[Qualifier, ...] = ()
    sources: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    iri: str | None = None

    def qualifier_pairs(self) -> tuple[tuple[str, str], ...]:
        """``(name, text)`` of every qualifier, in order."""
        return tuple((q.name, q.text) for q in self.qualifiers)


# ------------------------------------------------------------------------------------------ writing


def nt_literal(value: str, datatype: str = XSD_STRING) -> str:
    """A literal in N-Triples syntax.

    Examples:
        >>> print(nt_literal('say "hi"\\n'))
        "say \\"hi\\"\\n"
        >>> nt_literal("P5M", "http://www.w3.org/2001/XMLSchema#duration")
        '"P5M"^^<http://www.w3.org/2001/XMLSchema#duration>'
    """
    text = f'"{value.translate(_ESCAPES)}"'
    return text if datatype == XSD_STRING else f"{text}^^<{datatype}>"


def source_lines(name: str) -> tuple[str, list[str]]:
    """The node (N-Triples) of the source called ``name`` and the triples describing it.

    The same name, ignoring case, is the same source; a URL also gets ``schema:url``.

    Examples:
        >>> node, lines = source_lines("https://example.org/a")
        >>> node.startswith("<" + RES + "source/"), len(lines)
        (True, 3)
    """
    node = f"<{mint_hashed('source', name.casefold())}>"
    lines = [f"{node} <{RDF_TYPE}> <{SOURCE_CLASS}> .\n", f"{node} <{RDFS_LABEL}> {nt_literal(name)} .\n"]
    if _WEB.match(name):
        lines.append(f"{node} <{URL}> <{name}> .\n")
    return node, lines


def statement_lines(
    subject: str, relation: str, obj: str, qualifiers: Sequence[tuple[str, str]], source: str | None
) -> list[str]:
    """The N-Triples of the statement node describing ``subject relation obj`` (all in N-Triples
    syntax), with its ``(property, value)`` qualifiers and its source node. The node's IRI is a hash
    of all of it, so the same claim from the same source is the same node.

    Examples:
        >>> lines = statement_lines("<http://e/a>", "<http://e/p>", "<http://e/b>", [], None)
        >>> len(lines), lines[0].split()[2]
        (4, '<http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement>')
    """
    parts = [subject, relation, obj, *sorted([f"{q} {v}" for q, v in qualifiers])]
    if source is not None:
        parts.append(source)
    node = f"<{mint_hashed('statement', *parts)}>"
    out = [node + _IS_STATEMENT, f"{node}{_SUBJECT}{subject} .\n", f"{node}{_PREDICATE}{relation} .\n",
           f"{node}{_OBJECT}{obj} .\n", *[f"{node} {q} {v} .\n" for q, v in qualifiers]]  # fmt: skip
    if source is not None:
        out.append(f"{node}{_DERIVED}{source} .\n")
    return out


def bounds_lines(statement: str, prop: str, wording: str, lower: str | None, upper: str | None, datatype: str) -> list[str]:
    """The N-Triples of the ``film:Bounds`` node of a date or duration: the statement node and the
    property (both in N-Triples syntax) whose value it bounds, the wording as written, and the
    lower and upper bounds (lexical forms of ``datatype``; ``None`` for no bound). The node points
    at the statement, so a statement's own triples are unchanged.

    Examples:
        >>> lines = bounds_lines("<http://e/st>", f"<{FILM}duration>", "5 months", "150", "153",
        ...                      "http://www.w3.org/2001/XMLSchema#decimal")
        >>> len(lines), lines[-1].split(" ", 2)[2].strip()
        (6, '"153"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
    """
    node = f"<{mint_hashed('bounds', statement, prop, wording)}>"
    out = [
        f"{node} <{RDF_TYPE}> <{BOUNDS_CLASS}> .\n",
        f"{node} <{BOUNDS_OF}> {statement} .\n",
        f"{node} <{BOUNDED_PROPERTY}> {prop} .\n",
        f"{node} <{WORDING}> {nt_literal(wording)} .\n",
    ]
    for bound, value in ((LOWER_BOUND, lower), (UPPER_BOUND, upper)):
        if value is not None:
            out.append(f"{node} <{bound}> {nt_literal(value, datatype)} .\n")
    return out


# ------------------------------------------------------------------------------------------ reading


def labels_for(graph: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """The label of each IRI that has one (the smallest, when several).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> labels_for(KnowledgeGraph.memory(), ["http://e/a"])
        {}
    """
    wanted = sorted(set(iris))
    out: dict[str, str] = {}
    for begin in range(0, len(wanted), _CHUNK):
        values = " ".join(f"<{i}>" for i in wanted[begin : begin + _CHUNK])
        query = f"SELECT ?e (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?e {{ {values} }} ?e <{RDFS_LABEL}> ?l }} GROUP BY ?e"
        for row in graph.store.select(query):
            out[row[0].value] = row[1].value
    return out


def term_text(term: Term, labels: dict[str, str], ontology: Ontology) -> str:
    """How a term reads: an entity's label, a class's or relation's label, a literal's value.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> term_text(ox.NamedNode(FILM + "actedIn"), {}, load_ontology())
        'acted in'
    """
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or ontology.label(term.value)
    return str(term)


def _value(term: Term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def bare_statement(key: Key, labels: dict[str, str], ontology: Ontology) -> Statement:
    """The statement of an asserted triple that no statement node describes."""
    subject, relation, obj = key
    prop = ontology.properties.get(relation.value)
    return Statement(
        subject=subject.value,
        relation=relation.value,
        object=_value(obj),
        subject_label=term_text(subject, labels, ontology),
        relation_name=prop.name if prop else ontology.compact(relation.value),
        relation_label=ontology.label(relation.value),
        object_label=term_text(obj, labels, ontology),
        literal=isinstance(obj, ox.Literal),
    )


def read_statements(
    graph: GraphStore, triples: Iterable[Key] | None = None, *, labels: dict[str, str] | None = None
) -> dict[Key, list[Statement]]:
    """The statements describing each asserted triple (every one in the store when ``triples`` is ``None``).

    Triples that no statement node describes are left out. Statements come in the order of
    their IRIs; qualifiers by property and value; sources and quotes sorted.

    Args:
        graph: the knowledge graph.
        triples: the asserted triples to describe.
        labels: labels already known (the rest are fetched).

    Returns:
        The statements of each triple that has some.
    """
    ontology = graph.ontology
    if triples is None:
        rows = list(graph.store.select(_details_query("")))
    else:
        wanted = sorted(set(triples), key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
        rows = []
        for begin in range(0, len(wanted), _CHUNK):
            chunk = wanted[begin : begin + _CHUNK]
            values = "VALUES (?s ?p ?o) { " + " ".join(f"({s} {p} {o})" for s, p, o in chunk) + " }"
            rows += graph.store.select(_details_query(values))
    known = dict(labels or {})
    needed = {
        t.value for row in rows for t in (row[1], row[3], row[5]) if isinstance(t, ox.NamedNode) and t.value not in known
    }
    known.update(labels_for(graph, needed))
    parts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    keys: dict[str, Key] = {}
    for st, s, p, o, q, v in rows:
        keys[st.value] = (s, p, o)
        parts[st.value][q.value].append(v)
    out: dict[Key, list[Statement]] = defaultdict(list)
    for node in sorted(keys):
        out[keys[node]].append(_statement(node, keys[node], parts[node], known, ontology))
    return dict(out)


def _details_query(values: str) -> str:
    excluded = ", ".join(f"<{p}>" for p in _STRUCTURE)
    return f"""SELECT ?st ?s ?p ?o ?q ?v WHERE {{ {values}
          ?st <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o ; ?q ?v .
          FILTER(?q NOT IN ({excluded}))
        }}"""


def _statement(
    node: str, key: Key, parts: dict[str, list[Term]], labels: dict[str, str], ontology: Ontology
) -> Statement:
    base = bare_statement(key, labels, ontology)
    sources = sorted(term_text(v, labels, ontology) for v in parts.pop(DERIVED_FROM, []))
    quotes = sorted(_value(v) for v in parts.pop(QUOTE, []))
    qualifiers = []
    for prop_iri in sorted(parts):
        if prop_iri in ontology.identity_records:
            continue  # which entity the file meant: see kg.identity
        prop = ontology.properties.get(prop_iri)
        name = prop.name if prop else ontology.compact(prop_iri)
        for value in sorted(parts[prop_iri], key=str):
            qualifiers.append(Qualifier(name, prop_iri, _value(value), term_text(value, labels, ontology)))
    return replace(base, qualifiers=tuple(qualifiers), sources=tuple(sources), quotes=tuple(quotes), iri=node)
