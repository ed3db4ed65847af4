"""Validation of the graph against the rules of the ontology and any SHACL shapes (``filmkg validate``).

The ontology's rules are read from :class:`kg.ontology.Ontology` (never listed here) and checked
as SPARQL in the store, where they run at the store's speed:

- **domain**: the subject of a relation is of one of the relation's domain classes;
- **range**: the object of an object relation is of one of its range classes, and a datatype
  relation's value has its datatype;
- **qualifier**: a qualifier's value has the qualifier's datatype (or is of its range class);
- **single value**: a property the ontology declares ``owl:FunctionalProperty`` has one value
  per subject (or per statement, for a qualifier);
- **label**: every entity that a relation links has an ``rdfs:label``.

A datatype accepts its usual relatives: ``xsd:date`` the years and months ingest writes
(``xsd:gYear``, ``xsd:gYearMonth``), ``xsd:duration`` its two subtypes, ``xsd:decimal`` integers
and doubles, ``xsd:string`` language-tagged strings. The same rules as SHACL shapes, for other
tools, come from :func:`derived_shapes`.

User shapes (``shapes``, a Turtle file) are run by pyshacl, one source graph at a time (each
file's named graph holds the types and labels of the entities its statements use), together with
the ontology, so memory goes with the largest file, not the store.

Every violation names the entity, the statement behind it (its source and quote) and the message.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.ttl"
    >>> _ = p.write_text("@prefix film: <https://w3id.org/filmkg/ontology#> . @prefix res: <https://w3id.org/filmkg/resource/> ."
    ...     " res:anora a film:Film ; film:directed res:scream . res:scream a film:Film .")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> sorted((v.shape, v.entity) for v in kg.validate().violations)
    [('domain', 'https://w3id.org/filmkg/resource/anora'), ('label', 'https://w3id.org/filmkg/resource/anora'), ('label', 'https://w3id.org/filmkg/resource/scream')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KGError
from kg.ontology import Ontology, Property
from kg.registry import sources
from kg.statements import labels_for
from kg.store import GraphStore
from kg.vocab import DERIVED_FROM, ONTOLOGY_GRAPH, OWL, QUOTE, RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT, RDF_TYPE, RDFS_LABEL, XSD

if TYPE_CHECKING:
    import pandas

__all__ = ["ValidationReport", "Violation", "derived_shapes", "validate"]

_RELATIVES: dict[str, tuple[str, ...]] = {
    "date": ("date", "gYear", "gYearMonth", "dateTime"),
    "dateTime": ("dateTime", "date"),
    "duration": ("duration", "dayTimeDuration", "yearMonthDuration"),
    "decimal": ("decimal", "integer", "double", "float"),
    "double": ("double", "decimal", "integer", "float"),
    "string": ("string",),
}
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_MAX_PER_CHECK = 10_000
"""Violations one rule reports at most (the count says how many more there are)."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: the entity (or statement node) it is about, the property and value, the
    statement behind it (its source and quote, when it has one), the rule and its message."""

    entity: str
    label: str
    property: str
    value: str
    source: str
    quote: str
    shape: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """Every violation, sorted by rule and entity, and how many rules (shapes) were checked."""

    violations: tuple[Violation, ...] = ()
    rules: int = 0
    more: dict[str, int] = field(default_factory=dict)
    """Violations of a rule past the first :data:`_MAX_PER_CHECK`, by rule."""

    @property
    def ok(self) -> bool:
        """Whether there is no violation."""
        return not self.violations

    @property
    def count(self) -> int:
        """Violations in all."""
        return len(self.violations) + sum(self.more.values())

    def summary(self) -> str:
        """One line of counts.

        Examples:
            >>> ValidationReport(rules=3).summary()
            '0 violations of 3 rules'
        """
        entities = len({v.entity for v in self.violations})
        text = f"{self.count:,} violation{'s' if self.count != 1 else ''} of {self.rules:,} rules"
        return text + (f" on {entities:,} entit{'ies' if entities != 1 else 'y'}" if entities else "")

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per violation."""
        import pandas

        return pandas.DataFrame([asdict(v) for v in self.violations], columns=list(Violation.__dataclass_fields__))


@dataclass(frozen=True)
class _Rule:
    shape: str
    message: str
    query: str
    """A SELECT of ``?focus ?value`` and, when a statement node is at hand, ``?st``."""
    path: str
    statement_of: str | None = None
    """For a relation's triples: the relation, whose statement nodes are looked up for the
    violations found, after the query (an ``OPTIONAL`` in it made the store join every statement
    node of the relation: 22 s of 62 s at 200,000 statements, for no violation at all)."""


def validate(graph: GraphStore, *, shapes: str | Path | None = None) -> ValidationReport:
    """Check the graph against the ontology's rules (as SPARQL in the store) and the SHACL ``shapes``.

    Args:
        graph: the knowledge graph.
        shapes: a Turtle file of SHACL shapes to check as well (with pyshacl, one source graph at a time).

    Returns:
        A :class:`ValidationReport`; ``report.ok`` is false when there are violations.

    Raises:
        KGError: the shapes file cannot be read or is not Turtle.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> validate(KnowledgeGraph.memory()).ok
        True
    """
    rules = list(_rules(graph))
    found: list[tuple[str, str, str, str | None, str, str]] = []
    more: dict[str, int] = {}
    for rule in rules:
        rows = list(graph.store.select(rule.query + f" LIMIT {_MAX_PER_CHECK + 1}"))
        if len(rows) > _MAX_PER_CHECK:
            total = next(iter(graph.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {rule.query} }}")))[0]
            more[rule.shape] = more.get(rule.shape, 0) + int(_text(total)) - _MAX_PER_CHECK
            rows = rows[:_MAX_PER_CHECK]
        nodes = _statement_nodes(graph, rule.statement_of, rows) if rule.statement_of and rows else {}
        for row in rows:
            st = row[2].value if len(row) > 2 and row[2] is not None else nodes.get((_text(row[0]), _text(row[1])))
            found.append((row[0].value, rule.path, _text(row[1]), st, rule.shape, rule.message))
    user_rules = 0
    if shapes is not None:
        user, user_rules = _user_violations(graph, Path(shapes))
        found += user
    return ValidationReport(tuple(_described(graph, found)), len(rules) + user_rules, more)


def _statement_nodes(graph: GraphStore, relation: str, rows: list[ox.QuerySolution]) -> dict[tuple[str, str], str]:
    """A statement node of each ``(?focus ?value)`` row's triple of ``relation``, looked up in batches."""
    pairs = [(row[0], row[1]) for row in rows if isinstance(row[0], ox.NamedNode) and isinstance(row[1], (ox.NamedNode, ox.Literal))]
    out: dict[tuple[str, str], str] = {}
    for start in range(0, len(pairs), 500):
        values = " ".join(f"({focus} {value})" for focus, value in pairs[start : start + 500])
        query = f"""SELECT ?focus ?value (SAMPLE(?s) AS ?st) WHERE {{ VALUES (?focus ?value) {{ {values} }}
            ?s <{RDF_SUBJECT}> ?focus ; <{RDF_PREDICATE}> <{relation}> ; <{RDF_OBJECT}> ?value }} GROUP BY ?focus ?value"""
        for row in graph.store.select(query):
            if row[2] is not None:
                out[(_text(row[0]), _text(row[1]))] = row[2].value
    return out


def _text(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


def _datatypes(datatype: str) -> list[str]:
    local = datatype[len(XSD) :] if datatype.startswith(XSD) else ""
    out = [XSD + name for name in _RELATIVES.get(local, (local,))] if local else [datatype]
    return out + ([_LANG_STRING] if local == "string" else [])


def _classes(iris: Iterable[str]) -> str:
    return " ".join(f"<{c}>" for c in iris)


def _rules(graph: GraphStore) -> Iterable[_Rule]:
    """The ontology's rules as SPARQL."""
    onto = graph.ontology
    for prop in onto.relations:
        p = f"<{prop.iri}>"
        if prop.domain:
            names = _names(onto, prop.domain)
            yield _Rule("domain", f"the subject of `{prop.name}` must be a {names}", f"""SELECT ?focus ?value WHERE {{
                ?focus {p} ?value . FILTER NOT EXISTS {{ ?focus <{RDF_TYPE}> ?c . VALUES ?c {{ {_classes(prop.domain)} }} }} }}""",
                prop.name, prop.iri)  # fmt: skip
        if prop.range:
            names = _names(onto, prop.range)
            yield _Rule("range", f"the object of `{prop.name}` must be a {names}", f"""SELECT ?focus ?value WHERE {{
                ?focus {p} ?value . FILTER NOT EXISTS {{ ?value <{RDF_TYPE}> ?c . VALUES ?c {{ {_classes(prop.range)} }} }} }}""",
                prop.name, prop.iri)  # fmt: skip
        elif prop.datatype:
            yield _datatype_rule(prop, f"?focus {p} ?value", "range", statement_of=prop.iri)
    for prop in onto.qualifiers:
        # the values are checked first, and only the bad ones joined to their statement's subject
        # (joining first made the store look up the subject of every statement: 6 s of 23 s)
        values = f"?st <{prop.iri}> ?value"
        if prop.datatype:
            yield _datatype_rule(prop, values, "qualifier", then=f"?st <{RDF_SUBJECT}> ?focus")
        elif prop.range:
            names = _names(onto, prop.range)
            yield _Rule("qualifier", f"the qualifier `{prop.name}` must name a {names}", f"""SELECT ?focus ?value ?st WHERE {{
                {{ SELECT ?st ?value WHERE {{ {values} FILTER(!isIRI(?value) || NOT EXISTS {{ ?value <{RDF_TYPE}> ?c . VALUES ?c {{ {_classes(prop.range)} }} }}) }} }}
                ?st <{RDF_SUBJECT}> ?focus }}""", prop.name)  # fmt: skip
    yield from _single_value_rules(graph)
    relations = " ".join(f"<{p.iri}>" for p in onto.relations if not p.is_literal)
    literal = " ".join(f"<{p.iri}>" for p in onto.relations if p.is_literal)
    yield _Rule("label", "every entity needs a label (rdfs:label)", f"""SELECT DISTINCT ?focus ?value WHERE {{
        {{ VALUES ?p {{ {relations} {literal} }} ?focus ?p ?o }} UNION {{ VALUES ?p {{ {relations} }} ?s ?p ?focus FILTER(isIRI(?focus)) }}
        FILTER NOT EXISTS {{ ?focus <{RDFS_LABEL}> ?l }} BIND("" AS ?value) }}""", "label")  # fmt: skip


def _datatype_rule(
    prop: Property, pattern: str, shape: str, *, statement_of: str | None = None, then: str = ""
) -> _Rule:
    """Values of ``prop`` (matched by ``pattern``) of another datatype; ``then`` is joined to the bad ones only."""
    assert prop.datatype is not None
    allowed = " ".join(f"<{d}>" for d in _datatypes(prop.datatype))
    what = "qualifier" if prop.is_qualifier else "relation"
    message = f"the {what} `{prop.name}` takes a value of type xsd:{prop.datatype[len(XSD):]}"
    bad = f"""{pattern} . FILTER(!isLiteral(?value) || DATATYPE(?value) NOT IN ({", ".join(allowed.split())}))"""
    if then:
        return _Rule(shape, message, f"SELECT ?focus ?value ?st WHERE {{ {{ SELECT ?st ?value WHERE {{ {bad} }} }} {then} }}",
                     prop.name, statement_of)  # fmt: skip
    chosen = "?focus ?value" if statement_of else "?focus ?value ?st"
    return _Rule(shape, message, f"SELECT {chosen} WHERE {{ {bad} }}", prop.name, statement_of)


def _single_value_rules(graph: GraphStore) -> Iterable[_Rule]:
    """A rule for each property the ontology declares ``owl:FunctionalProperty``."""
    query = f"SELECT ?p WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?p <{RDF_TYPE}> <{OWL}FunctionalProperty> }} }}"
    for row in graph.store.select(query, union=False):
        prop = graph.ontology.properties.get(row[0].value)
        if prop is None:
            continue
        focus = "?st" if prop.is_qualifier else "?focus"
        yield _Rule("single value", f"`{prop.name}` takes one value: this has several", f"""SELECT ?focus ?value ?st WHERE {{
            {focus} <{prop.iri}> ?value , ?other . FILTER(?value != ?other)
            {"?st <" + RDF_SUBJECT + "> ?focus ." if prop.is_qualifier else ""} }}""", prop.name)  # fmt: skip


def _names(onto: Ontology, iris: Iterable[str]) -> str:
    return " or ".join(onto.classes[c].name if c in onto.classes else onto.compact(c) for c in iris)


def _described(
    graph: GraphStore, found: list[tuple[str, str, str, str | None, str, str]]
) -> list[Violation]:
    """Violations with labels and, for each, the source and quote of its statement."""
    nodes = sorted({f[3] for f in found if f[3]})
    evidence: dict[str, tuple[str, str]] = {}
    for begin in range(0, len(nodes), 1000):
        values = " ".join(f"<{n}>" for n in nodes[begin : begin + 1000])
        query = f"""SELECT ?st (SAMPLE(?l) AS ?source) (SAMPLE(?q) AS ?quote) WHERE {{ VALUES ?st {{ {values} }}
            OPTIONAL {{ ?st <{DERIVED_FROM}> ?src . OPTIONAL {{ ?src <{RDFS_LABEL}> ?l }} }} OPTIONAL {{ ?st <{QUOTE}> ?q }} }}
            GROUP BY ?st"""
        for row in graph.store.select(query):
            evidence[row[0].value] = (_text(row[1]), _text(row[2]))
    labels = labels_for(graph, {f[0] for f in found} | {f[2] for f in found if f[2].startswith(("http://", "https://"))})
    out = [
        Violation(focus, labels.get(focus, graph.ontology.compact(focus)), path, labels.get(value, value),
                  *evidence.get(st or "", ("", "")),
                  shape, message)
        for focus, path, value, st, shape, message in found
    ]  # fmt: skip
    return sorted(set(out), key=lambda v: (v.shape, v.label, v.property, v.value, v.source))


def _user_violations(graph: GraphStore, shapes: Path) -> tuple[list[tuple[str, str, str, str | None, str, str]], int]:
    """The violations of the user's shapes, graph by graph, with pyshacl; and how many shapes."""
    import pyshacl
    from rdflib import Graph, Namespace, URIRef

    sh = Namespace("http://www.w3.org/ns/shacl#")
    try:
        shapes_graph = Graph().parse(str(shapes), format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise KGError(f"cannot read the shapes {shapes}: {exc}: give a Turtle file of SHACL shapes") from exc
    count = len(set(shapes_graph.subjects(predicate=None, object=sh.NodeShape))) + len(
        set(shapes_graph.subjects(predicate=None, object=sh.PropertyShape)))  # fmt: skip
    ontology = Graph().parse(str(graph.ontology.path), format="turtle")
    out: list[tuple[str, str, str, str | None, str, str]] = []
    for info in sources(graph):
        triples = graph.store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{info.graph}> {{ ?s ?p ?o }} }}", union=False)
        data = Graph().parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"), format="nt")
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, ont_graph=ontology, inference="none")
        if conforms:
            continue
        for result in results.subjects(predicate=None, object=sh.ValidationResult):
            focus = results.value(result, sh.focusNode)
            path = results.value(result, sh.resultPath)
            value = results.value(result, sh.value)
            message = results.value(result, sh.resultMessage)
            shape = results.value(result, sh.sourceShape)
            st = _statement_of(graph, str(focus), str(path) if isinstance(path, URIRef) else None, value)
            out.append((str(focus), graph.ontology.compact(str(path)) if path is not None else "",
                        str(value) if value is not None else "", st,
                        graph.ontology.compact(str(shape)) if isinstance(shape, URIRef) else "user shape",
                        str(message) if message is not None else "violates a user shape"))  # fmt: skip
    return out, count


def _statement_of(graph: GraphStore, focus: str, path: str | None, value: object) -> str | None:
    """The statement node behind a user shape's result: the focus itself, or one about the focus
    (with that property and value, when the statement says them; else as subject, else as object)."""
    if graph.store.ask(f"ASK {{ <{focus}> <{RDF_SUBJECT}> ?s }}"):
        return focus
    wanted = f"; <{RDF_PREDICATE}> <{path}>" if path else ""
    term = _sparql_term(value)
    if term and path:
        wanted += f" ; <{RDF_OBJECT}> {term}"
    for query in (f"SELECT ?st WHERE {{ ?st <{RDF_SUBJECT}> <{focus}> {wanted} }} LIMIT 1",
                  f"SELECT ?st WHERE {{ ?st <{RDF_SUBJECT}> <{focus}> }} LIMIT 1",
                  f"SELECT ?st WHERE {{ ?st <{RDF_OBJECT}> <{focus}> }} LIMIT 1"):  # fmt: skip
        for row in graph.store.select(query):
            return str(row[0].value)
    return None


def _sparql_term(value: object) -> str | None:
    from rdflib import Literal, URIRef

    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        return str(value.n3())
    return None


def derived_shapes(ontology: Ontology) -> str:
    """The ontology's domain, range, datatype and label rules as SHACL shapes (Turtle), for other tools;
    :func:`validate` checks the same rules as SPARQL.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> from rdflib import Graph
        >>> len(Graph().parse(data=derived_shapes(load_ontology()), format="turtle")) > 100
        True
    """
    lines = ["@prefix sh: <http://www.w3.org/ns/shacl#> .", f"@prefix rdfs: <{RDFS_LABEL[:-5]}> ."]
    for prop in ontology.relations:
        p = f"<{prop.iri}>"
        shape = f"<{prop.iri}-shape"
        if prop.domain:
            ors = " ".join(f"[ sh:class <{c}> ]" for c in prop.domain)
            lines.append(f'{shape}-domain> a sh:NodeShape ; sh:targetSubjectsOf {p} ; sh:or ( {ors} ) ;'
                         f' sh:message "the subject of `{prop.name}` must be a {_names(ontology, prop.domain)}" .')  # fmt: skip
        if prop.range:
            ors = " ".join(f"[ sh:class <{c}> ]" for c in prop.range)
            lines.append(f'{shape}-range> a sh:NodeShape ; sh:targetObjectsOf {p} ; sh:or ( {ors} ) ;'
                         f' sh:message "the object of `{prop.name}` must be a {_names(ontology, prop.range)}" .')  # fmt: skip
        elif prop.datatype:
            ors = " ".join(f"[ sh:datatype <{d}> ]" for d in _datatypes(prop.datatype))
            lines.append(f"{shape}-range> a sh:NodeShape ; sh:targetSubjectsOf {p} ; "
                         f"sh:property [ sh:path {p} ; sh:or ( {ors} ) ] .")  # fmt: skip
        lines.append(f"{shape}-label> a sh:NodeShape ; sh:targetSubjectsOf {p} ; "
                     "sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .")  # fmt: skip
    return "\n".join(lines) + "\n"
