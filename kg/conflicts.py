"""Conflicts: statements that make incompatible claims about the same thing, and whether ranks resolve them.

Two kinds of claim are compared, both declared in ``ontology/film.ttl``, never here:

- a **single-valued qualifier** (``a owl:FunctionalProperty``: duration, date, role…) of statements
  with the same subject, relation and object and the same values of the relation's identifying
  qualifiers (``film:identifyingQualifier``: ``skill`` for ``trained-for``, so that training in
  two skills is two claims);
- a **single-valued relation** (``release-date``, ``runtime``…) of the same subject with different
  objects.

Values are compared by their bounds (:func:`kg.ingest.values.bounds`): durations as ranges of days
(5 months is 150 to 153 days, 20 weeks 140), widened by ``tolerance`` of their size; dates by their
precision (``2025`` agrees with ``2025-03-02``); any other value (a role, an entity) by its text,
ignoring case and spacing. A group is listed when two of its claims disagree. It is *resolved* when
the claims of the best rank present (``preferred``, else ``normal``, else ``deprecated``) agree: one
claim is preferred, or the others are deprecated.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object,skill,duration,source\\n"
    ...     "Mikey Madison,trained-for,Anora,pole dancing,half a year,A\\n"
    ...     "Mikey Madison,trained-for,Anora,pole dancing,20 weeks,B\\n"
    ...     "Mikey Madison,trained-for,Anora,boxing,two weeks,C\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> frame = conflicts(kg)
    >>> frame[["group", "property", "value", "source"]].values.tolist()
    [[1, 'duration', 'P20W', 'B'], [1, 'duration', 'P6M', 'A']]
    >>> frame["spread"].iloc[0], bool(frame["resolved"].iloc[0])
    ('140 to 184 days', False)
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.entity import resolve
from kg.errors import UsageError
from kg.ingest.values import Bounds, bounds
from kg.ontology import Property
from kg.statements import Key, Statement, bare_statement, labels_for, read_statements
from kg.store import GraphStore
from kg.vocab import RANK, RANK_REASON, RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT

if TYPE_CHECKING:
    import pandas

__all__ = ["COLUMNS", "TOLERANCE", "Claim", "conflicting", "conflicts", "deprecated", "rank_of"]

TOLERANCE = 0.1
"""Durations agree when their ranges, each widened by this fraction of its upper bound, overlap
(10%: 140 days and 150 to 153 days agree, 140 and 181 to 184 do not)."""

COLUMNS = (
    "group", "subject", "relation", "object", "identifying", "property", "value", "lower", "upper",
    "rank", "rank_reason", "source", "quote", "spread", "resolved", "statement",
)  # fmt: skip
"""The columns of :func:`conflicts`: one row per claim, groups numbered from 1."""

_DAY = 86_400


@dataclass(frozen=True)
class Claim:
    """One claim of a group: the statement, the value it gives, its bounds (``None`` when compared
    by text) and its rank."""

    statement: Statement
    value: str
    text: str
    bounds: Bounds | None
    rank: str


def conflicts(graph: GraphStore, entity: str | None = None, *, tolerance: float = TOLERANCE) -> pandas.DataFrame:
    """The groups of statements that make incompatible claims, one row per claim (:data:`COLUMNS`).

    Args:
        graph: the knowledge graph.
        entity: only claims about this entity (as subject or object): a name, CURIE or ``<IRI>``.
        tolerance: durations agree when their ranges, widened by this fraction, overlap
            (:data:`TOLERANCE`); dates agree when their precisions overlap; 0 compares exactly.

    Returns:
        A DataFrame sorted by group, property and value; empty (with the columns) when nothing conflicts.

    Raises:
        NotFoundError: an unknown entity.
        UsageError: a negative ``tolerance``.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,rank,source\\nAnora,release-date,2024,,A\\n"
        ...                  "Anora,release-date,2024-10-18,,B\\nAnora,release-date,2023,deprecated,C\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> frame = conflicts(kg, "Anora")
        >>> frame[["value", "rank"]].values.tolist()
        [['2023', 'deprecated'], ['2024', 'normal'], ['2024-10-18', 'normal']]
        >>> bool(frame["resolved"].all())
        True
    """
    import pandas

    if tolerance < 0:
        raise UsageError("`tolerance` must be 0 or more")
    ontology = graph.ontology
    about = resolve(graph, entity) if entity is not None else None
    groups: list[tuple[Property, list[Claim]]] = []
    qualifiers = [p for p in ontology.qualifiers if p.functional]
    relations = [p for p in ontology.relations if p.functional]
    if qualifiers:
        groups += _qualifier_groups(graph, qualifiers, about)
    if relations:
        groups += _relation_groups(graph, relations, about)
    rows = []
    number = 0
    for prop, claims in sorted(groups, key=lambda g: _group_order(g[1])):
        if all(_agree(a, b, tolerance) for a, b in itertools.combinations(claims, 2)):
            continue
        number += 1
        order = {rank: i for i, rank in enumerate(_ranks(graph))}
        best = min(order.get(c.rank, len(order)) for c in claims)
        leaders = [c for c in claims if order.get(c.rank, len(order)) == best]
        resolved = all(_agree(a, b, tolerance) for a, b in itertools.combinations(leaders, 2))
        spread = _spread(claims)
        for claim in sorted(claims, key=lambda c: (c.text, c.statement.iri or "")):
            rows.append(_row(number, prop, claim, spread, resolved, graph))
    return pandas.DataFrame(rows, columns=list(COLUMNS))


def rank_of(graph: GraphStore, statement: Statement) -> str:
    """A statement's rank: the one it gives, else the ontology's default (``normal``)."""
    return _rank(graph, statement)


def conflicting(
    graph: GraphStore, statements: Iterable[Statement], *, tolerance: float = TOLERANCE
) -> dict[str, str]:
    """Which of these statements (those a view shows) disagree among themselves, by the rules of
    :func:`conflicts`: the IRI of each statement in a conflict, with a line that says about what.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> from kg.statements import read_statements
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,skill,duration,source\\n"
        ...     "Mikey Madison,trained-for,Anora,pole dancing,half a year,A\\n"
        ...     "Mikey Madison,trained-for,Anora,pole dancing,20 weeks,B\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> found = conflicting(kg, [s for group in read_statements(kg).values() for s in group])
        >>> sorted(found.values())
        ['duration: P20W, P6M (140 to 184 days)', 'duration: P20W, P6M (140 to 184 days)']
    """
    ontology = graph.ontology
    grouped: dict[tuple[object, ...], list[Claim]] = defaultdict(list)
    props: dict[tuple[object, ...], Property] = {}
    for statement in statements:
        relation = ontology.properties.get(statement.relation)
        identifying = relation.identifying_qualifiers if relation else ()
        ident = tuple(sorted((q.iri, q.value) for q in statement.qualifiers if q.iri in identifying))
        for q in statement.qualifiers:
            prop = ontology.properties.get(q.iri)
            if prop is not None and prop.functional:
                by_qualifier: tuple[object, ...] = (statement.subject, statement.relation, statement.object, ident, q.iri)
                grouped[by_qualifier].append(_claim(graph, statement, prop, q.value, q.text))
                props[by_qualifier] = prop
        if relation is not None and relation.functional:
            by_relation: tuple[object, ...] = (statement.subject, statement.relation)
            grouped[by_relation].append(_claim(graph, statement, relation, statement.object, statement.object_label))
            props[by_relation] = relation
    out: dict[str, str] = {}
    for key, claims in grouped.items():
        if len({c.value for c in claims}) < 2 or all(_agree(a, b, tolerance) for a, b in itertools.combinations(claims, 2)):
            continue
        line = f"{props[key].name}: {', '.join(sorted({c.text for c in claims}))} ({_spread(claims)})"
        for claim in claims:
            if claim.statement.iri:
                out[claim.statement.iri] = line
    return out


def _group_order(claims: Sequence[Claim]) -> tuple[str, str, str]:
    first = claims[0].statement
    return first.subject_label.casefold(), first.relation_name, min(c.text for c in claims)


def _ranks(graph: GraphStore) -> tuple[str, ...]:
    """The ranks, best first (the ontology's list for ``film:rank``)."""
    prop = graph.ontology.properties.get(RANK)
    return prop.choices if prop else ()


def _rank(graph: GraphStore, statement: Statement) -> str:
    given = [q.value for q in statement.qualifiers if q.iri == RANK]
    prop = graph.ontology.properties.get(RANK)
    return given[0] if given else (prop.default if prop and prop.default else "")


def _row(number: int, prop: Property, claim: Claim, spread: str, resolved: bool, graph: GraphStore) -> dict[str, object]:
    statement = claim.statement
    relation = graph.ontology.properties.get(statement.relation)
    identifying = relation.identifying_qualifiers if relation else ()
    lower, upper = claim.bounds.lexical if claim.bounds else (None, None)
    return {
        "group": number,
        "subject": statement.subject_label,
        "relation": statement.relation_name,
        "object": statement.object_label,
        "identifying": "; ".join(f"{q.name}: {q.text}" for q in statement.qualifiers if q.iri in identifying),
        "property": prop.name,
        "value": claim.text,
        "lower": lower,
        "upper": upper,
        "rank": claim.rank,
        "rank_reason": "; ".join(q.text for q in statement.qualifiers if q.iri == RANK_REASON),
        "source": "; ".join(statement.sources),
        "quote": " | ".join(statement.quotes),
        "spread": spread,
        "resolved": resolved,
        "statement": statement.iri,
    }


def _claim(graph: GraphStore, statement: Statement, prop: Property, value: str, text: str) -> Claim:
    found = bounds(value, prop.datatype) if prop.datatype else None
    return Claim(statement, value, text, found, _rank(graph, statement))


def _qualifier_groups(
    graph: GraphStore, qualifiers: Sequence[Property], about: str | None
) -> list[tuple[Property, list[Claim]]]:
    """Claims of the same statement target and identifying qualifiers that give a single-valued
    qualifier more than one value."""
    wanted_q = {q.iri for q in qualifiers}
    if about:  # from the entity, as subject and as object: what a card costs, not a scan of the store
        node = f"<{about}>"
        queries = [
            f"""SELECT DISTINCT ?s ?p ?o ?q ?v WHERE {{ ?st <{RDF_SUBJECT}> {node} ; <{RDF_PREDICATE}> ?p ;
                  <{RDF_OBJECT}> ?o ; ?q ?v . BIND({node} AS ?s) }}""",
            f"""SELECT DISTINCT ?s ?p ?o ?q ?v WHERE {{ ?st <{RDF_OBJECT}> {node} ; <{RDF_PREDICATE}> ?p ;
                  <{RDF_SUBJECT}> ?s ; ?q ?v . BIND({node} AS ?o) }}""",
        ]
    else:
        values = " ".join(f"<{q}>" for q in sorted(wanted_q))
        queries = [f"""SELECT DISTINCT ?s ?p ?o ?q ?v WHERE {{ VALUES ?q {{ {values} }}
            ?st <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o ; ?q ?v . }}"""]
    seen: dict[tuple[Key, str], set[str]] = defaultdict(set)
    for query in queries:
        for s, p, o, q, v in graph.store.select(query):
            if q.value in wanted_q:
                seen[((s, p, o), q.value)].add(v.value)
    keys = {key for (key, _), found in seen.items() if len(found) > 1}
    if not keys:
        return []
    by_iri = {q.iri: q for q in qualifiers}
    grouped: dict[tuple[object, ...], list[Claim]] = defaultdict(list)
    for key, statements in read_statements(graph, keys).items():
        for statement in statements:
            relation = graph.ontology.properties.get(statement.relation)
            identifying = relation.identifying_qualifiers if relation else ()
            ident = tuple(sorted((q.iri, q.value) for q in statement.qualifiers if q.iri in identifying))
            for q in statement.qualifiers:
                if q.iri in by_iri and (key, q.iri) in seen and len(seen[(key, q.iri)]) > 1:
                    grouped[(key, ident, q.iri)].append(_claim(graph, statement, by_iri[q.iri], q.value, q.text))
    return [(by_iri[str(k[2])], claims) for k, claims in grouped.items() if len({c.value for c in claims}) > 1]


def _relation_groups(
    graph: GraphStore, relations: Sequence[Property], about: str | None
) -> list[tuple[Property, list[Claim]]]:
    """Subjects that a single-valued relation gives more than one object."""
    wanted_p = {r.iri for r in relations}
    if about:  # from the entity, as subject and as object
        node = f"<{about}>"
        queries = [
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ {node} ?p ?o BIND({node} AS ?s) }}",
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?x ?r {node} . ?x ?p ?o . BIND(?x AS ?s) FILTER(?p IN ({', '.join(f'<{r}>' for r in sorted(wanted_p))})) }}",
        ]
    else:
        values = " ".join(f"<{r}>" for r in sorted(wanted_p))
        queries = [f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . }}"]
    objects: dict[tuple[str, str], list[Key]] = defaultdict(list)
    for query in queries:
        for s, p, o in graph.store.select(query):
            if p.value in wanted_p and (s, p, o) not in objects[(s.value, p.value)]:
                objects[(s.value, p.value)].append((s, p, o))
    wanted = [key for keys in objects.values() if len(keys) > 1 for key in keys]
    if not wanted:
        return []
    described = read_statements(graph, wanted)
    labels = labels_for(graph, {t.value for k in wanted for t in k if isinstance(t, ox.NamedNode)})
    by_iri = {r.iri: r for r in relations}
    out = []
    for (subject, relation), keys in objects.items():
        if len(keys) < 2:
            continue
        prop = by_iri[relation]
        claims = [
            _claim(graph, statement, prop, statement.object, statement.object_label)
            for key in keys
            for statement in described.get(key) or [bare_statement(key, labels, graph.ontology)]
        ]
        out.append((prop, claims))
    return out


def _agree(a: Claim, b: Claim, tolerance: float) -> bool:
    """Whether two claims can both be true: their bounds overlap (durations widened by ``tolerance``),
    or, without bounds, the same value."""
    if a.bounds is None or b.bounds is None:
        if a.bounds is not None or b.bounds is not None:
            return False
        return " ".join(a.value.casefold().split()) == " ".join(b.value.casefold().split())
    return _overlap(a.bounds, b.bounds, tolerance)


def _overlap(a: Bounds, b: Bounds, tolerance: float) -> bool:
    def widened(x: Bounds) -> tuple[float, float]:
        low = float("-inf") if x.lower is None else x.lower
        high = float("inf") if x.upper is None else x.upper
        if x.is_date:
            return low, high
        size = high if x.upper is not None else low
        return low - tolerance * size, high + tolerance * size

    (a_low, a_high), (b_low, b_high) = widened(a), widened(b)
    return a_low <= b_high and b_low <= a_high


def _spread(claims: Iterable[Claim]) -> str:
    """From the smallest lower bound to the largest upper bound ("140 to 184 days"), or how many values."""
    claims = list(claims)
    found = [c.bounds for c in claims if c.bounds is not None]
    if len(found) < len(claims) or not found:
        return f"{len({c.value for c in claims})} values"
    lows = [b.lower for b in found if b.lower is not None]
    highs = [b.upper for b in found if b.upper is not None]
    low = min(lows) if lows else None
    high = max(highs) if len(highs) == len(found) else None
    if found[0].is_date:
        probe = Bounds("", True, low, high)
        first, last = probe.lexical
        return f"{first or 'any time'} to {last or 'any time'}"
    if low is not None and high is not None and high >= _DAY and low >= _DAY:
        return f"{low / _DAY:g} to {high / _DAY:g} days"
    probe = Bounds("", False, low, high)
    first, last = probe.lexical
    return f"{first or 'PT0S'} to {last or 'no limit'}"



def deprecated(graph: GraphStore) -> set[tuple[str, str, str]]:
    """The asserted triples (subject, relation, object IRIs or lexical forms) whose every statement
    has the worst rank (``deprecated``, the last of the ontology's list for ``film:rank``).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,rank,source\\nSean Baker,directed,Anora,deprecated,A\\n"
        ...                  "Mikey Madison,acted-in,Anora,deprecated,A\\nMikey Madison,acted-in,Anora,,B\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> [s.rsplit("/", 1)[1] for s, p, o in deprecated(kg)]
        ['sean_baker']
    """
    ranks = _ranks(graph)
    if not ranks:
        return set()
    worst = ox.Literal(ranks[-1])
    query = f"""SELECT DISTINCT ?s ?p ?o WHERE {{
        ?d <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o ; <{RANK}> {worst} .
        FILTER NOT EXISTS {{ ?k <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o .
                            FILTER NOT EXISTS {{ ?k <{RANK}> {worst} }} }} }}"""
    return {(s.value, p.value, o.value) for s, p, o in graph.store.select(query)}
