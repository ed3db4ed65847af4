"""Identity: one real-world entity is one IRI across every file; homonyms stay apart.

Each file names entities in its own terms: a *local entity* is what the file alone says an
entity is, with the IRI the file alone gives it (its deciding identifier's IRI, else its name's
IRI; see :mod:`kg.identifiers`). :func:`settle` runs after every ingest and drop: it reads the
local entities of every ingested file, decides which are one (:func:`resolve_locals`), and
rewrites the files' graphs so that each real-world entity has one IRI everywhere. The rule
(``docs/identity.md``):

1. local entities that share an identifier are one entity; so are those a ``same-as`` row joins;
2. its IRI is the one of its deciding identifier (Wikidata, then IMDb, then TMDB; the smallest);
3. a plain name is the entity of a compatible type that carries that name (an identified
   entity's label), when there is one; when there are several, the one the name's file links to
   the same neighbour (a film both are credited on), else the one of the year the name gives
   ("Scream (2022)"); a ``different-from`` row rules a candidate out;
4. otherwise a name is an entity of its own, as before, and ``settle`` warns of the candidates.

What the rule decides depends on the set of files only, never on the order they came in, and
every graph keeps what its file said: where a file's entity was resolved to another IRI, the
graph holds a resolution record (``film:localEntity``, ``film:resolvedTo``, ``film:resolvedBy``)
and the statement nodes say which local entity they meant (``film:subjectLocal``, ...). So a
drop undoes exactly what its file alone caused.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ids.csv").write_text(
    ...     "subject,subject_id,predicate,object\\nMikey Madison,wd:Q24005195,acted-in,Anora\\n")
    >>> _ = (folder / "article.csv").write_text("subject,predicate,object\\nmikey madison,trained-for,Anora\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest([folder / "ids.csv", folder / "article.csv"])
    >>> [(f.predicate_label, f.object_label) for f in kg.show("wd:Q24005195").facts]
    [('acted in', 'Anora'), ('trained for', 'Anora')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox

from kg.identifiers import Identifier, deciding, identifier_of_iri, parse_identifier
from kg.ontology import Ontology, mint_entity, mint_hashed, normalize_name
from kg.statements import labels_for, nt_literal, statement_lines
from kg.store import GraphStore
from kg.store.embedded import EmbeddedStore
from kg.vocab import (
    DERIVED_FROM,
    FILM,
    OWL_SAME_AS,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    RDFS_LABEL,
    RES,
)

__all__ = [
    "DIFFERENT_FROM",
    "LOCAL_ALIAS",
    "LOCAL_ENTITY",
    "LOCAL_ID",
    "LOCAL_LABEL",
    "LOCAL_TYPE",
    "RESOLVED_BY",
    "RESOLVED_TO",
    "SAME_AS",
    "Decision",
    "Local",
    "Resolution",
    "SettleReport",
    "YEAR_IN_NAME",
    "compatible_classes",
    "is_minted_entity",
    "read_locals",
    "resolve_locals",
    "settle",
]

LOCAL_ENTITY = FILM + "localEntity"
RESOLVED_TO = FILM + "resolvedTo"
RESOLVED_BY = FILM + "resolvedBy"
LOCAL_LABEL = FILM + "localLabel"
LOCAL_ALIAS = FILM + "localAlias"
LOCAL_TYPE = FILM + "localType"
LOCAL_ID = FILM + "localId"
SUBJECT_LOCAL = FILM + "subjectLocal"
OBJECT_LOCAL = FILM + "objectLocal"
QUALIFIER_LOCAL = FILM + "qualifierLocal"
SAME_AS = FILM + "sameEntityAs"
DIFFERENT_FROM = FILM + "differentFrom"
_NOT_ENTITY = ("statement/", "source/", "graph/", "mention/", "registry")
YEAR_IN_NAME = re.compile(r"^(.*\S)\s*\((\d{4})\)$")
"""A name that gives a year: ``Scream (2022)`` (the name, then the year)."""
_VALUES = 400


def is_minted_entity(iri: str, ontology: Ontology) -> bool:
    """Whether ``iri`` is an entity IRI filmkg minted (from a name or an identifier).

    Examples:
        >>> from kg.ontology import load_ontology
        >>> is_minted_entity("https://w3id.org/filmkg/resource/anora", load_ontology())
        True
        >>> is_minted_entity("https://w3id.org/filmkg/resource/statement/abc", load_ontology())
        False
    """
    if not iri.startswith(RES):
        return False
    rest = iri[len(RES) :]
    if "/" not in rest:
        return bool(rest) and rest != "registry"
    return identifier_of_iri(iri, ontology) is not None


@dataclass
class Local:
    """One entity as one file gives it: its IRI there (``iri``), the node it is now (``current``)."""

    graph: str
    iri: str
    current: str
    labels: set[str] = field(default_factory=set)
    """Its ``rdfs:label`` values."""
    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    """Identifiers in notation (``imdb:nm0000123``)."""
    reason: str | None = None
    """Why it is ``current`` (recorded only when ``current`` is not ``iri`` or is shared)."""
    aliases: set[tuple[str, str]] = field(default_factory=set)
    """Its other names: ``(property IRI, name)`` of the name properties but ``rdfs:label``
    (:attr:`~kg.ontology.Ontology.name_properties`), which stay what they were when it changes node."""

    @property
    def names(self) -> set[str]:
        """Every name it has, labels and aliases: what name resolution matches."""
        return self.labels | {name for _, name in self.aliases}

    @property
    def identified(self) -> bool:
        """Whether the file gives it an identifier."""
        return bool(self.ids)


@dataclass(frozen=True)
class Decision:
    """A ``same-as`` or ``different-from`` row: between two local entities of one file."""

    graph: str
    kind: str
    """``same`` or ``different``."""
    first: str
    second: str


@dataclass
class Resolution:
    """What :func:`resolve_locals` decided: each local entity's IRI and why, and the names left apart."""

    iri: dict[tuple[str, str], str] = field(default_factory=dict)
    reason: dict[tuple[str, str], str] = field(default_factory=dict)
    ambiguous: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Names left as entities of their own among several candidates (their IRIs)."""
    undated: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Names that give a year (``Scream (2022)``), with the candidates whose years the rule needs
    (when called without ``years``)."""


@dataclass
class SettleReport:
    """What :func:`settle` did: graphs rewritten, local entities linked to another IRI, warnings."""

    rewritten: list[str] = field(default_factory=list)
    linked: int = 0
    linked_in: dict[str, int] = field(default_factory=dict)
    """Of ``linked``, how many in each graph."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """``(graph, message)`` for each name left apart among several candidates."""


# ------------------------------------------------------------------------------------ the rule


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _key(local: Local) -> str:
    """The union-find element of a local entity: its first identifier, else its name IRI."""
    return f"id {min(local.ids)}" if local.ids else f"name {local.iri}"


def compatible_classes(first: set[str], second: set[str]) -> bool:
    """Whether two sets of classes may be one entity's: the same class, or either unknown."""
    return not first or not second or bool(first & second)


def resolve_locals(
    locals_: Sequence[Local],
    decisions: Sequence[Decision],
    ontology: Ontology,
    *,
    neighbours: Mapping[tuple[str, str], set[str]] | None = None,
    years: Mapping[str, set[int]] | None = None,
) -> Resolution:
    """Decide the IRI of every local entity by the rule (see the module). A pure function of its
    arguments: the same files give the same answer in any order.

    Args:
        locals_: every local entity of every file.
        decisions: every ``same-as`` and ``different-from`` row.
        ontology: the vocabulary (identifier schemes).
        neighbours: for a name with several candidates, the identity keys of what its file links it
            to, by ``(graph, iri)``; and of what each candidate is linked to, by ``("", candidate IRI)``.
        years: the years known of each candidate IRI (release dates).

    Examples:
        >>> from kg.ontology import load_ontology
        >>> a = Local("g1", RES + "wikidata/Q1", RES + "wikidata/Q1", {"Chris Johnson"}, set(), {"wd:Q1"})
        >>> b = Local("g1", RES + "wikidata/Q2", RES + "wikidata/Q2", {"Chris Johnson"}, set(), {"wd:Q2"})
        >>> c = Local("g2", RES + "chris_johnson", RES + "chris_johnson", {"Chris Johnson"})
        >>> found = resolve_locals([a, b, c], [], load_ontology())
        >>> found.iri[("g2", RES + "chris_johnson")] == RES + "chris_johnson", len(found.ambiguous[("g2", c.iri)])
        (True, 2)
    """
    neighbours = neighbours or {}
    have_years = years is not None
    years = years or {}
    union = _Union()
    by_key: dict[str, list[Local]] = defaultdict(list)
    for local in locals_:
        key = _key(local)
        by_key[key].append(local)
        union.find(key)
        for identifier in local.ids:
            union.join(key, f"id {identifier}")
    local_of = {(local.graph, local.iri): local for local in locals_}
    differents: list[tuple[str, str]] = []
    for decision in sorted(decisions, key=lambda d: (d.kind, d.graph, d.first, d.second)):
        first, second = local_of.get((decision.graph, decision.first)), local_of.get((decision.graph, decision.second))
        if first is None or second is None:
            continue
        if decision.kind == "same":
            union.join(_key(first), _key(second))
        else:
            differents.append((_key(first), _key(second)))
    # each cluster's IRI: its deciding identifier's, else its smallest name IRI
    members: dict[str, list[str]] = defaultdict(list)
    for key in list(union.parent):
        members[union.find(key)].append(key)
    cluster_iri: dict[str, str] = {}
    identified: set[str] = set()
    for root, keys in members.items():
        ids = [parse_identifier(k[3:], ontology) for k in keys if k.startswith("id ")]
        found = [i for i in ids if i is not None]
        if found:
            identified.add(root)
            cluster_iri[root] = deciding(found).iri
        else:
            cluster_iri[root] = min(k[5:] for k in keys)
    # what identified clusters are called, and what they are
    labels: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    for local in locals_:
        root = union.find(_key(local))
        if root in identified:
            classes[root] |= local.classes
            for identifier in local.ids:
                scheme = parse_identifier(identifier, ontology)
                if scheme is not None and scheme.scheme.identifies:
                    classes[root].add(scheme.scheme.identifies)
            if local.identified:
                for label in local.names:
                    labels[normalize_name(label)].add(root)
    apart = {(union.find(a), union.find(b)) for a, b in differents}
    apart |= {(b, a) for a, b in apart}
    out = Resolution()
    for local in sorted(locals_, key=lambda lo: (lo.graph, lo.iri)):
        where = (local.graph, local.iri)
        root = union.find(_key(local))
        out.iri[where] = cluster_iri[root]
        if local.identified or root in identified or len(members[root]) > 1:
            out.reason[where] = _joined_reason(local, members[root], root in identified)
            continue
        names = [normalize_name(label) for label in sorted(local.names)]
        candidates = sorted(
            {c for name in names for c in labels.get(name, ()) if compatible_classes(local.classes, classes[c])}
            - {b for a, b in apart if a == root}
        )
        why = "its name and type"
        year_of = None
        if not candidates:
            for label in sorted(local.names):
                match = YEAR_IN_NAME.match(label.strip())
                if match:
                    year_of = int(match.group(2))
                    base = normalize_name(match.group(1))
                    candidates = sorted(
                        {c for c in labels.get(base, ()) if compatible_classes(local.classes, classes[c])}
                        - {b for a, b in apart if a == root}
                    )
                    if candidates and not have_years:
                        out.undated[where] = [cluster_iri[c] for c in candidates]
                    candidates = [c for c in candidates if year_of in years.get(cluster_iri[c], set())]
                    why = f"its name and the year {year_of}"
        if len(candidates) > 1:
            mine = neighbours.get(where, set())
            shared = [c for c in candidates if mine & neighbours.get(("", cluster_iri[c]), set())]
            if len(shared) == 1:
                candidates, why = shared, "its name and a neighbour its file links it to"
            else:
                for label in sorted(local.names):
                    match = YEAR_IN_NAME.match(label.strip())
                    if match and year_of is None:
                        dated = [c for c in candidates if int(match.group(2)) in years.get(cluster_iri[c], set())]
                        if len(dated) == 1:
                            candidates, why = dated, f"its name and the year {match.group(2)}"
        if len(candidates) == 1:
            out.iri[where] = cluster_iri[candidates[0]]
            out.reason[where] = why
        elif len(candidates) > 1:
            out.ambiguous[where] = [cluster_iri[c] for c in candidates]
            if not have_years and any(YEAR_IN_NAME.match(label.strip()) for label in local.names):
                out.undated[where] = out.ambiguous[where]
    return out


def _joined_reason(local: Local, keys: list[str], identified: bool) -> str:
    ids = sorted(k[3:] for k in keys if k.startswith("id "))
    if local.ids and len(ids) > len(local.ids):
        return "shares an identifier: " + ", ".join(ids)
    if local.ids:
        return "its identifier " + ", ".join(sorted(local.ids))
    return "a same-as row" + (" to " + ", ".join(ids) if identified and ids else "")


# ------------------------------------------------------------------------------ reading a graph


_Value = ox.NamedNode | ox.BlankNode | ox.Literal
"""A term of a solution here: RDF 1.2 triple terms never come out of the queries of this module."""


def _select(graph: GraphStore, query: str) -> list[list[_Value]]:
    """The rows of a query over the named graphs (unbound values as ``None`` are kept out by the queries)."""
    return [[term for term in row if not isinstance(term, ox.Triple)] for row in graph.store.select(query, union=False)]


def _description_predicates(ontology: Ontology) -> list[str]:
    return [*ontology.name_properties, RDF_TYPE, *(s.iri for s in ontology.identifiers)]


def read_locals(graph: GraphStore, target: str) -> list[Local]:
    """The local entities of one file's graph, with the node each is now."""
    records, shared = _read_records(graph, target)
    return sorted([*records, *_read_plain(graph, target, shared, None)], key=lambda lo: lo.iri)


def _read_records(graph: GraphStore, target: str) -> tuple[list[Local], set[str]]:
    """The local entities of one graph that a resolution record gives, and the nodes they are now
    (which are not local entities of that graph)."""
    by_record: dict[str, Local] = {}
    for m, p, o in _select(
        graph,
        f"SELECT ?m ?p ?o WHERE {{ GRAPH <{target}> {{ ?m <{LOCAL_ENTITY}> ?l ; ?p ?o }} }}",
    ):
        local = by_record.setdefault(m.value, Local(target, "", ""))
        if p.value == LOCAL_ENTITY:
            local.iri = o.value
        elif p.value == RESOLVED_TO:
            local.current = o.value
        elif p.value == RESOLVED_BY:
            local.reason = o.value
        elif p.value == LOCAL_LABEL:
            local.labels.add(o.value)
        elif p.value == LOCAL_ALIAS:
            prop, _, name = o.value.partition(" ")
            local.aliases.add((prop, name))
        elif p.value == LOCAL_TYPE:
            local.classes.add(o.value)
        elif p.value == LOCAL_ID:
            local.ids.add(o.value)
    records = {local.iri: local for local in by_record.values()}
    return list(records.values()), {local.current for local in records.values()}


def _read_plain(graph: GraphStore, target: str, shared: set[str], subjects: Sequence[str] | None) -> list[Local]:
    """The local entities of one graph that no record gives (its minted entities, but for the nodes
    in ``shared``): all of them, or those among ``subjects`` (IRIs)."""
    ontology = graph.ontology
    names = set(ontology.name_properties)
    scheme_of = {s.iri: s for s in ontology.identifiers}
    predicates = _description_predicates(ontology)
    if subjects is None:
        values = " ".join(f"<{p}>" for p in predicates)
        rows = _select(graph, f"SELECT ?e ?p ?o WHERE {{ GRAPH <{target}> {{ ?e ?p ?o VALUES ?p {{ {values} }} }} }}")
    else:
        wanted = ", ".join(f"<{p}>" for p in predicates)
        rows = _batched(graph, subjects, lambda batch: f"""SELECT ?e ?p ?o WHERE {{ VALUES ?e {{ {batch} }}
            GRAPH <{target}> {{ ?e ?p ?o }} FILTER(?p IN ({wanted})) }}""")  # fmt: skip
    plain: dict[str, Local] = {}
    for e, p, o in rows:
        iri = e.value
        if not isinstance(e, ox.NamedNode) or iri in shared or not is_minted_entity(iri, ontology):
            continue
        local = plain.setdefault(iri, Local(target, iri, iri))
        if p.value == RDFS_LABEL:
            local.labels.add(o.value)
        elif p.value in names:
            local.aliases.add((p.value, o.value))
        elif p.value == RDF_TYPE:
            local.classes.add(o.value)
        elif p.value in scheme_of:
            local.ids.add(scheme_of[p.value].notation + o.value)
    return list(plain.values())


def _identified_subjects(graph: GraphStore, target: str) -> list[str]:
    """The entities of one graph that carry an identifier."""
    identifying = [s.iri for s in graph.ontology.identifiers]
    if not identifying:
        return []
    rows = _select(graph, f"SELECT DISTINCT ?e WHERE {{ GRAPH <{target}> {_either(graph, '?e', identifying, '?v')} }}")
    return sorted(row[0].value for row in rows if isinstance(row[0], ox.NamedNode))


def _named_subjects(graph: GraphStore, target: str, names: Set[str]) -> set[str]:
    """The entities of one graph that may be named one of ``names`` (normalized names): those whose
    IRI a name mints, and those with an alias of one of them, or of one of them with a year. Some
    of the IRIs may not be in the graph.

    A plain entity is minted from its name (:func:`~kg.ontology.mint_entity`), which is its label,
    so its IRI tells its name; only aliases are read to be matched."""
    found = _minted(names)
    aliases = [p for p in graph.ontology.name_properties if p != RDFS_LABEL]
    if names and aliases:
        rows = _select(graph, f"SELECT ?e ?l WHERE {{ GRAPH <{target}> {_either(graph, '?e', aliases, '?l')} }}")
        found |= {e.value for e, label in rows if isinstance(e, ox.NamedNode) and _named(label.value, names)}
    return found


def _dated_subjects(graph: GraphStore, target: str, names: Set[str], dated: Set[str] | None) -> set[str]:
    """The entities of one graph that may be named one of ``names`` with a year (``Scream (2022)``):
    those whose IRI one of ``dated`` mints (normalized names with their year, :func:`_dated_names`),
    else those whose label ends in a year after one of ``names`` (every such label read)."""
    if dated is not None:
        return _minted(dated)
    rows = _select(graph, f"""SELECT ?e ?l WHERE {{ GRAPH <{target}> {{ ?e <{RDFS_LABEL}> ?l
        FILTER(REGEX(STR(?l), "[(][0-9]{{4}}[)][[:space:]]*$")) }} }}""")  # fmt: skip
    return {e.value for e, label in rows if isinstance(e, ox.NamedNode) and _named(label.value, names)}


def _named(label: str, names: Set[str]) -> bool:
    """Whether ``label`` is one of ``names`` (normalized), or one of them with a year."""
    match = YEAR_IN_NAME.match(label.strip())
    return normalize_name(label) in names or (match is not None and normalize_name(match.group(1)) in names)


def _minted(names: Iterable[str]) -> set[str]:
    """The IRIs the names mint (:func:`~kg.ontology.mint_entity`)."""
    return {mint_entity(name) for name in names if name.strip()}


def _dated_relations(ontology: Ontology) -> list[str]:
    """The relations whose value is a date (a release date): what gives an entity its years."""
    return [p.iri for p in ontology.relations if p.datatype is not None and "date" in p.datatype.lower()]


_DATED_NAMES = 20_000
"""At most this many names with a year are looked up by IRI; past it, every label with a year is read."""


def _dated_names(graph: GraphStore, inventory: Mapping[str, Sequence[Local]], names: Set[str]) -> set[str] | None:
    """The names with a year that may single out an identified entity (``Scream (2022)``): each of
    ``names`` with each year of a date (a release date) of any entity read, in the store; ``None``
    when there would be more than :data:`_DATED_NAMES`. A name with a year picks a candidate of
    that name only when the candidate has a date in that year (:func:`resolve_locals`), and a
    candidate's dates are on one of the nodes read (its identified entities, or the records and
    names resolved to it)."""
    dated = _dated_relations(graph.ontology)
    nodes = sorted({n for found in inventory.values() for lo in found for n in (lo.iri, lo.current)})
    if not names or not dated or not nodes:
        return set()
    if len(nodes) > _DATED_NAMES:
        return None
    wanted = ", ".join(f"<{p}>" for p in dated)
    rows = _batched(graph, nodes, lambda batch: f"""SELECT ?d WHERE {{ VALUES ?e {{ {batch} }} GRAPH ?g {{
        {{ ?e ?p ?d }} UNION {{ ?st <{RDF_SUBJECT}> ?e ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?d }} }}
        FILTER(?p IN ({wanted})) }}""")  # fmt: skip
    years = {match.group(1) for (d,) in rows if (match := re.match(r"-?(\d{4})", d.value))}
    if len(names) * len(years) * 2 > _DATED_NAMES:
        return None
    return {form for name in names for year in years for form in (f"{name} ({year})", f"{name}({year})")}


def _read_scoped(graph: GraphStore, targets: Sequence[str]) -> tuple[dict[str, list[Local]], list[Decision]]:
    """The local entities of the graphs that the rule may give another node, or that decide what
    others are: those a record gives, those with an identifier, those a same-as or different-from
    row names, and those named like an identified one (:func:`_named_subjects`); and the graphs'
    decisions. Every other one is a plain name no identified entity carries, which the rule leaves
    the node it is, alone or with the same name in other files (:func:`resolve_locals`): a million
    generated rows hold some 1.6 M of them, which need not be read."""
    records = {target: _read_records(graph, target) for target in targets}
    inventory: dict[str, list[Local]] = {target: list(records[target][0]) for target in targets}

    def add(target: str, subjects: Iterable[str]) -> None:
        known = {lo.iri for lo in inventory[target]}
        inventory[target] += _read_plain(graph, target, records[target][1], sorted(set(subjects) - known))

    for target in targets:
        add(target, _identified_subjects(graph, target))
    names = {normalize_name(label) for found in inventory.values() for lo in found if lo.identified for label in lo.names}
    decisions = [d for target in targets for d in _read_decisions(graph, target, records[target][1])]
    decided = {iri for d in decisions for iri in (d.first, d.second)}  # joined in every file by the rule's union
    for target in targets:
        add(target, _named_subjects(graph, target, names) | decided)
    if names:
        dated = _dated_names(graph, inventory, names)
        for target in targets:
            add(target, _dated_subjects(graph, target, names, dated))
    return {target: sorted(found, key=lambda lo: lo.iri) for target, found in inventory.items()}, decisions


def _read_decisions(graph: GraphStore, target: str, shared: set[str]) -> list[Decision]:
    """The ``same-as`` and ``different-from`` rows of one graph, between its local entities."""
    found: set[Decision] = set()
    for s, p, o, sl, ol in _select(
        graph,
        f"""SELECT ?s ?p ?o ?sl ?ol WHERE {{ GRAPH <{target}> {{
              ?st a <{RDF_STATEMENT}> ; <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o .
              VALUES ?p {{ <{SAME_AS}> <{DIFFERENT_FROM}> }}
              OPTIONAL {{ ?st <{SUBJECT_LOCAL}> ?sl }} OPTIONAL {{ ?st <{OBJECT_LOCAL}> ?ol }} }} }}""",
    ):
        kind = "same" if p.value == SAME_AS else "different"
        found.add(Decision(target, kind, (sl or s).value, (ol or o).value))
    for s, p, o in _select(
        graph,
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o VALUES ?p {{ <{SAME_AS}> <{DIFFERENT_FROM}> }} }} }}""",
    ):
        if s.value not in shared and o.value not in shared:
            found.add(Decision(target, "same" if p.value == SAME_AS else "different", s.value, o.value))
    return sorted(found, key=lambda d: (d.kind, d.first, d.second))


# ------------------------------------------------------------------------------------- settle


def settle(graph: GraphStore, graphs: Mapping[str, str]) -> SettleReport:
    """Apply the identity rule to the graphs of every ingested file, rewriting those whose entities
    changed IRI. Runs after every ingest and drop; a store already settled is left as it is.

    Args:
        graph: the knowledge graph.
        graphs: the graphs to settle (those of files read as records, not RDF), with the name
            of each one's file for warnings.

    Returns:
        A :class:`SettleReport`.
    """
    if not graphs or not _anything_to_settle(graph, graphs):
        return SettleReport()  # every entity is already the node the rule gives it
    return _settle_all(graph, graphs)


def _settle_all(graph: GraphStore, graphs: Mapping[str, str], *, whole: bool = False) -> SettleReport:
    """:func:`settle` without the check that there is anything to settle: the local entities that
    may change read and decided (:func:`_read_scoped`), or every one when ``whole``."""
    ontology = graph.ontology
    report = SettleReport()
    if whole:
        inventory = {target: read_locals(graph, target) for target in sorted(graphs)}
        decisions = [
            d
            for target in sorted(graphs)
            for d in _read_decisions(graph, target, {lo.current for lo in inventory[target] if lo.reason is not None})
        ]
    else:
        inventory, decisions = _read_scoped(graph, sorted(graphs))
    everyone = [local for found in inventory.values() for local in found]
    first = resolve_locals(everyone, decisions, ontology)
    neighbours: dict[tuple[str, str], set[str]] = {}
    years: dict[str, set[int]] = {}
    if first.ambiguous or first.undated:
        neighbours, years = _context(graph, everyone, first)
        resolution = resolve_locals(everyone, decisions, ontology, neighbours=neighbours, years=years)
    else:
        resolution = first
    for (target, iri), candidates in sorted(resolution.ambiguous.items()):
        local = next(lo for lo in inventory[target] if lo.iri == iri)
        report.warnings.append((target, _ambiguity(graph, local, candidates)))
    for target, found in inventory.items():
        if _rewrite(graph, target, found, resolution):
            report.rewritten.append(target)
        moved = sum(1 for lo in found if resolution.iri[(target, lo.iri)] != lo.iri)
        report.linked += moved
        if moved:
            report.linked_in[target] = moved
    return report


def _anything_to_settle(graph: GraphStore, graphs: Mapping[str, str]) -> bool:
    """Whether the rule could give any local entity of the graphs another node than the one it
    is, or warn. It cannot (and :func:`settle` leaves the graphs as they are) when none holds a
    same-as or different-from row or a resolution record, every identifier an entity carries is
    one whose IRI is that entity's (as :class:`~kg.ingest.sink.StatementSink` mints them: an entity
    with another identifier too is at the deciding one's), and no entity named without an
    identifier may be a candidate (:func:`_names_may_resolve`): then every cluster of the rule is
    one node already. The questions are ``ASK`` and ``SELECT DISTINCT`` queries the store answers
    without handing the entities to Python (an import of a million IMDb rows holds half a million
    identified entities); each errs towards settling."""
    ask = partial(_ask_in, graph, " ".join(f"<{g}>" for g in sorted(graphs)))
    if any(ask(f"?s <{marker}> ?o") for marker in (SAME_AS, DIFFERENT_FROM, LOCAL_ENTITY)):
        return True
    schemes = graph.ontology.identifiers
    if not schemes or not ask(_either(graph, "?e", [s.iri for s in schemes], "?v")):
        return False  # names only: no name has a candidate
    paths: dict[str, set[str]] = defaultdict(set)
    for scheme in schemes:
        paths[scheme.notation].add(scheme.path)
    if any(len(found) > 1 for found in paths.values()):
        return True  # an identifier read back by its notation may be another scheme's, of another IRI
    if isinstance(graph.store, EmbeddedStore):  # (see _either)
        minted = " UNION ".join(f"{{ ?e <{s.iri}> ?v BIND({nt_literal(RES + s.path)} AS ?base) }}" for s in schemes)
        found = f"{{ {minted} }}"
    else:
        found = f"?e ?q ?v VALUES (?base ?q) {{ {' '.join(f'({nt_literal(RES + s.path)} <{s.iri}>)' for s in schemes)} }}"
    return ask(f"{found} FILTER(?e != IRI(CONCAT(?base, STR(?v))))") or _names_may_resolve(graph, graphs)


def _names_may_resolve(graph: GraphStore, graphs: Mapping[str, str]) -> bool:
    """Whether an entity named without an identifier may be a candidate of an identified one
    (:func:`resolve_locals`): both have a name, and their classes may be compatible (the first has
    no class, or one the identified entities or the schemes give; an identifier of a scheme that
    names no class has a name). Errs towards yes: every node with a name and no identifier counts.
    IMDb's characters are never the class of its people and titles."""
    values = " ".join(f"<{g}>" for g in sorted(graphs))
    ask = partial(_ask_in, graph, values)
    ontology = graph.ontology
    schemes = ontology.identifiers
    identifying = [s.iri for s in schemes]
    names = sorted(ontology.name_properties)
    named = f"?e ?p ?l VALUES ?p {{ {' '.join(f'<{p}>' for p in names)} }}"  # (?e is bound first)
    if not ask(f"{_either(graph, '?e', identifying, '?v')} {named}"):
        return False  # no identified entity has a name: no name has a candidate
    classless = [s.iri for s in schemes if not s.identifies]
    if classless and ask(f"{_either(graph, '?e', classless, '?v')} {named}"):
        return True
    # MINUS, not FILTER NOT EXISTS: the store takes the difference at once, not entity by entity
    alone = _select(
        graph,
        f"""SELECT DISTINCT ?c WHERE {{
              {{ SELECT DISTINCT ?g ?e WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {_either(graph, "?e", names, "?l")} }} }}
              MINUS {{ GRAPH ?g {_either(graph, "?e", identifying, "?v")} }}
              OPTIONAL {{ GRAPH ?g {{ ?e <{RDF_TYPE}> ?c }} }} }}""",
    )
    classes = {row[0].value if row[0] is not None else "" for row in alone}
    if "" in classes:
        return True  # a name of no class fits any entity
    if classes & {s.identifies for s in schemes if s.identifies}:
        return True
    return any(
        ask(f"?e <{RDF_TYPE}> <{cls}> FILTER EXISTS {_either(graph, '?e', identifying, '?v')}") for cls in sorted(classes)
    )


def _either(graph: GraphStore, subject: str, predicates: Sequence[str], obj: str) -> str:
    """A triple pattern with any of ``predicates``: for the embedded store a UNION of one pattern
    per predicate, which it looks up in its index (``VALUES`` on the predicate makes Oxigraph scan
    every quad first: 2.5 s at 2.5 M quads); for a server ``VALUES`` (Virtuoso drops the connection
    on some of those UNIONs)."""
    if isinstance(graph.store, EmbeddedStore):
        return "{ " + " UNION ".join(f"{{ {subject} <{p}> {obj} }}" for p in predicates) + " }"
    return f"{{ {subject} ?q {obj} VALUES ?q {{ {' '.join(f'<{p}>' for p in predicates)} }} }}"


def _ask_in(graph: GraphStore, values: str, pattern: str) -> bool:
    """Whether ``pattern`` matches in one of the named graphs ``values`` (IRIs in N-Triples)."""
    return graph.store.ask(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {pattern} }} }}", union=False)


def _context(
    graph: GraphStore, everyone: Sequence[Local], first: Resolution
) -> tuple[dict[tuple[str, str], set[str]], dict[str, set[int]]]:
    """What the rule needs to tell candidates apart (see :func:`resolve_locals`), in the files' own
    terms so that it never depends on what was merged before: what each ambiguous name's file links
    it to, which candidates are linked to the same (found from those neighbours, not from every
    candidate), and the years of the candidates of names that give one."""
    ontology = graph.ontology
    linking = {p.iri for p in ontology.relations if p.datatype is None and p.iri not in (SAME_AS, DIFFERENT_FROM)}
    dated = set(_dated_relations(ontology))
    neighbours: dict[tuple[str, str], set[str]] = defaultdict(set)
    years: dict[str, set[int]] = defaultdict(set)
    locals_of: dict[str, set[str]] = defaultdict(set)
    for local in everyone:
        locals_of[first.iri[(local.graph, local.iri)]].add(local.iri)
    cache: dict[tuple[str, str | None], list[tuple[str, str, str, _Value]]] = {}

    def edges(local: str, target: str | None) -> list[tuple[str, str, str, _Value]]:
        if (local, target) not in cache:
            cache[(local, target)] = _edges(graph, [local], target)
        return cache[(local, target)]

    def key(g: str, term: _Value) -> str:
        return first.iri.get((g, term.value), term.value)

    for (target, iri), candidates in sorted(first.ambiguous.items()):
        wanted = set(candidates)
        mine = {key(g, x) for _, g, p, x in edges(iri, target) if p in linking and isinstance(x, ox.NamedNode)}
        neighbours[(target, iri)] |= mine
        for shared in sorted(mine):
            for member in sorted(locals_of.get(shared, {shared})):
                for _, g, p, x in edges(member, None):
                    if p in linking and isinstance(x, ox.NamedNode) and (found := key(g, x)) in wanted:
                        neighbours[("", found)].add(shared)
    for candidate in sorted({c for found in first.undated.values() for c in found}):
        for member in sorted(locals_of.get(candidate, {candidate})):
            for _, _, p, x in edges(member, None):
                if p in dated and not isinstance(x, ox.NamedNode) and (match := re.match(r"-?(\d{4})", x.value)):
                    years[candidate].add(int(match.group(1)))
    return dict(neighbours), dict(years)


def _edges(graph: GraphStore, locals_: Sequence[str], target: str | None) -> list[tuple[str, str, str, _Value]]:
    """``(local, graph, predicate, other end)`` of every statement and bare triple whose subject or object
    the file gave as one of ``locals_`` (the other end in its file's own terms too), in one graph or in all.
    One query per local entity, each pattern starting from it (Oxigraph then looks it up in its indexes)."""
    scope = f"VALUES ?g {{ <{target}> }}" if target else ""
    out: list[tuple[str, str, str, _Value]] = []
    for local in locals_:
        n = f"<{local}>"
        query = f"""SELECT ?g ?p ?x WHERE {{ {scope} GRAPH ?g {{
            {{ ?st <{SUBJECT_LOCAL}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o .
               OPTIONAL {{ ?st <{OBJECT_LOCAL}> ?ol }} BIND(COALESCE(?ol, ?o) AS ?x) }}
            UNION {{ ?st <{OBJECT_LOCAL}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_SUBJECT}> ?s .
               OPTIONAL {{ ?st <{SUBJECT_LOCAL}> ?sl }} BIND(COALESCE(?sl, ?s) AS ?x) }}
            UNION {{ ?st <{RDF_SUBJECT}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o .
               OPTIONAL {{ ?st <{SUBJECT_LOCAL}> ?z }} FILTER(!BOUND(?z))
               OPTIONAL {{ ?st <{OBJECT_LOCAL}> ?ol }} BIND(COALESCE(?ol, ?o) AS ?x) }}
            UNION {{ ?st <{RDF_OBJECT}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_SUBJECT}> ?s .
               OPTIONAL {{ ?st <{OBJECT_LOCAL}> ?z }} FILTER(!BOUND(?z))
               OPTIONAL {{ ?st <{SUBJECT_LOCAL}> ?sl }} BIND(COALESCE(?sl, ?s) AS ?x) }}
            UNION {{ {n} ?p ?x OPTIONAL {{ ?st <{RDF_SUBJECT}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?x }}
                     FILTER(!BOUND(?st)) }}
            UNION {{ ?x ?p {n} OPTIONAL {{ ?st <{RDF_OBJECT}> {n} ; <{RDF_PREDICATE}> ?p ; <{RDF_SUBJECT}> ?x }}
                     FILTER(!BOUND(?st)) }}
          }} }}"""
        for g, p, x in _select(graph, query):
            out.append((local, g.value, p.value, x))
    return out


def _ambiguity(graph: GraphStore, local: Local, candidates: list[str]) -> str:
    """The warning for a name left apart: the candidates, one fact each, and how to choose."""
    labels = labels_for(graph, candidates)
    ontology = graph.ontology
    schemes = {s.iri: s for s in ontology.identifiers}
    described = []
    for candidate in candidates:
        ids: set[str] = set()
        types: set[str] = set()
        for p, v in _select(graph, f"SELECT DISTINCT ?p ?v WHERE {{ GRAPH ?g {{ <{candidate}> ?p ?v }} }}"):
            if p.value in schemes:
                ids.add(schemes[p.value].notation + v.value)
            elif p.value == RDF_TYPE and v.value in ontology.classes:
                types.add(ontology.classes[v.value].name)
        fact = _one_fact(graph, candidate)
        parts = [", ".join(sorted(ids)) or f"<{candidate}>", *(["/".join(sorted(types))] if types else []),
                 *([fact] if fact else [])]  # fmt: skip
        described.append(f"{labels.get(candidate, candidate)} ({'; '.join(parts)})")
    name = sorted(local.names)[0] if local.names else local.iri
    return (
        f'"{name}" matches {len(candidates)} entities, so it was kept apart: {"; ".join(described)}. '
        "To choose, give the row an id (subject_id/object_id), name it with a year (\"Scream (2022)\"), "
        "or add a same-as row"
    )


def _one_fact(graph: GraphStore, iri: str) -> str:
    """One fact that tells an entity apart: a date, else a film or person it is linked to."""
    ontology = graph.ontology
    rows = _select(
        graph,
        f"""SELECT ?p ?x ?l WHERE {{ GRAPH ?g {{ {{ <{iri}> ?p ?x }} UNION {{ ?x ?p <{iri}> }} }}
              FILTER(?p NOT IN (<{RDFS_LABEL}>, <{RDF_TYPE}>, <{OWL_SAME_AS}>, <{RDF_SUBJECT}>, <{RDF_OBJECT}>))
              OPTIONAL {{ GRAPH ?h {{ ?x <{RDFS_LABEL}> ?l }} }} }} ORDER BY ?p ?x LIMIT 50""",
    )
    for p, x, label in rows:
        prop = ontology.properties.get(p.value)
        if prop is None or p.value in ontology.identity_records:
            continue
        text = label.value if label is not None else x.value
        return f"{prop.label} {text}"
    return ""


# ------------------------------------------------------------------------------------- rewrite


def _rewrite(graph: GraphStore, target: str, found: list[Local], resolution: Resolution) -> bool:
    """Rewrite one graph so that each local entity is the node the resolution says; ``False`` when
    nothing changes. One update: the graph changes whole or not at all."""
    ontology = graph.ontology
    new_of = {lo.iri: resolution.iri[(target, lo.iri)] for lo in found}
    holders: dict[str, list[str]] = defaultdict(list)
    for lo in found:
        holders[new_of[lo.iri]].append(lo.iri)
    new_plain = {node for node, held in holders.items() if held == [node]}

    def why(lo: Local) -> str:
        default = "its identifier" if lo.identified else "its name"
        return resolution.reason.get((target, lo.iri)) or default

    def state(lo: Local) -> tuple[str, str | None]:
        node = new_of[lo.iri]
        return (node, None if node in new_plain else why(lo))

    changed = [lo for lo in found if (lo.current, lo.reason) != state(lo)]
    if not changed:
        return False
    by_node: dict[str, list[Local]] = defaultdict(list)
    for lo in found:
        by_node[lo.current].append(lo)
        by_node[new_of[lo.iri]].append(lo)
    affected: dict[str, Local] = {lo.iri: lo for lo in changed}
    while True:
        nodes = {lo.current for lo in affected.values()} | {new_of[lo.iri] for lo in affected.values()}
        more = {lo.iri: lo for n in nodes for lo in by_node.get(n, ())}
        if more.keys() <= affected.keys():
            break
        affected.update(more)
    current_of = {lo.iri: lo.current for lo in found}
    qualifiers = {p.iri for p in ontology.qualifiers}
    described = {*_description_predicates(ontology), OWL_SAME_AS}
    g = f"<{target}>"

    touching = _batched(
        graph,
        sorted(nodes),
        lambda batch: f"""SELECT ?s ?p ?o WHERE {{ VALUES ?n {{ {batch} }} GRAPH {g} {{
              {{ ?n ?p ?o BIND(?n AS ?s) }} UNION {{ ?s ?p ?n BIND(?n AS ?o) }} }} }}""",
    )
    statements = {s.value for s, p, o in touching if p.value in (RDF_SUBJECT, RDF_OBJECT) or p.value in qualifiers}
    records = {s.value for s, p, o in touching if p.value in (RESOLVED_TO, LOCAL_ENTITY)}
    records |= {
        row[0].value
        for row in _batched(
            graph, sorted(affected), lambda batch: f"SELECT ?m WHERE {{ VALUES ?l {{ {batch} }} GRAPH {g} {{ ?m <{LOCAL_ENTITY}> ?l }} }}"
        )
    }
    content: dict[str, list[tuple[_Value, _Value]]] = defaultdict(list)
    old: set[tuple[str, str, str]] = {(str(s), str(p), str(o)) for s, p, o in touching}
    for s, p, o in _batched(
        graph, sorted(statements | records), lambda batch: f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {batch} }} GRAPH {g} {{ ?s ?p ?o }} }}"
    ):
        content[s.value].append((p, o))
        old.add((str(s), str(p), str(o)))

    def moved(local: str, term: str, annotated: bool) -> tuple[str, bool]:
        """The new node of a term the file gave as ``local``, and whether the statement must say so."""
        if local in affected:
            node = new_of[local]
            return node, node not in new_plain
        return term, annotated

    new: set[tuple[str, str, str]] = set()
    backed: set[tuple[str, str, str]] = set()
    for st in sorted(statements):
        pairs = content.get(st, [])
        first: dict[str, _Value] = {}
        for p, o in pairs:
            first.setdefault(p.value, o)
        if not {RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT} <= first.keys():
            continue
        s_term, p_term, o_term = first[RDF_SUBJECT], first[RDF_PREDICATE], first[RDF_OBJECT]
        backed.add((str(s_term), str(p_term), str(o_term)))
        q_locals = [o.value.partition(" ") for p, o in pairs if p.value == QUALIFIER_LOCAL]
        node = f"<{st}>"
        s_local = first[SUBJECT_LOCAL].value if SUBJECT_LOCAL in first else s_term.value
        s_new, s_note = moved(s_local, s_term.value, SUBJECT_LOCAL in first)
        if isinstance(o_term, ox.NamedNode):
            o_local = first[OBJECT_LOCAL].value if OBJECT_LOCAL in first else o_term.value
            o_node, o_note = moved(o_local, o_term.value, OBJECT_LOCAL in first)
            o_text = f"<{o_node}>"
        else:
            o_local, o_note, o_text = "", False, str(o_term)
        lines = {(node, f"<{RDF_SUBJECT}>", f"<{s_new}>"), (node, f"<{RDF_OBJECT}>", o_text)}
        if s_note:
            lines.add((node, f"<{SUBJECT_LOCAL}>", f"<{s_local}>"))
        if o_note:
            lines.add((node, f"<{OBJECT_LOCAL}>", f"<{o_local}>"))
        notes = s_note or o_note
        for p, o in pairs:
            pv = p.value
            if pv in (RDF_SUBJECT, RDF_OBJECT, SUBJECT_LOCAL, OBJECT_LOCAL, QUALIFIER_LOCAL):
                continue
            if pv in qualifiers and isinstance(o, ox.NamedNode):
                given = [lo for q, _, lo in q_locals if q == pv and current_of.get(lo, lo) == o.value]
                local = given[0] if given else o.value
                value, note = moved(local, o.value, bool(given))
                lines.add((node, str(p), f"<{value}>"))
                if note:
                    lines.add((node, f"<{QUALIFIER_LOCAL}>", nt_literal(f"{pv} {local}")))
                    notes = True
                continue
            lines.add((node, str(p), str(o)))
        synthetic = DERIVED_FROM not in first and not any(pv in qualifiers for pv in first)
        new.add((f"<{s_new}>", str(p_term), o_text))
        if synthetic and not notes:
            continue  # a row with neither qualifiers nor source: back to a bare triple
        new |= lines
    for s, p, o in touching:
        pv = p.value
        if s.value in statements or s.value in records or pv in described or pv in ontology.identity_records:
            continue
        if not isinstance(s, ox.NamedNode) or (str(s), str(p), str(o)) in backed:
            continue
        # a bare triple: its ends are the file's own terms
        s_new, s_note = moved(s.value, s.value, False)
        if isinstance(o, ox.NamedNode):
            o_node, o_note = moved(o.value, o.value, False)
            o_text, o_given = f"<{o_node}>", f"<{o.value}>"
        else:
            o_note, o_text, o_given = False, str(o), str(o)
        new.add((f"<{s_new}>", str(p), o_text))
        if s_note or o_note:
            st = statement_lines(f"<{s.value}>", str(p), o_given, [], None)[0].split(" ", 1)[0]
            new |= {
                (st, f"<{RDF_TYPE}>", f"<{RDF_STATEMENT}>"),
                (st, f"<{RDF_SUBJECT}>", f"<{s_new}>"),
                (st, f"<{RDF_PREDICATE}>", str(p)),
                (st, f"<{RDF_OBJECT}>", o_text),
            }
            if s_note:
                new.add((st, f"<{SUBJECT_LOCAL}>", f"<{s.value}>"))
            if o_note:
                new.add((st, f"<{OBJECT_LOCAL}>", o_given))
    for lo in affected.values():
        node_iri = new_of[lo.iri]
        node = f"<{node_iri}>"
        new |= _descriptions(node, lo, ontology)
        if node_iri not in new_plain:
            m = f"<{mint_hashed('mention', lo.iri)}>"
            new |= {
                (m, f"<{LOCAL_ENTITY}>", f"<{lo.iri}>"),
                (m, f"<{RESOLVED_TO}>", node),
                (m, f"<{RESOLVED_BY}>", nt_literal(why(lo))),
            }
            new |= {(m, f"<{LOCAL_LABEL}>", nt_literal(label)) for label in lo.labels}
            new |= {(m, f"<{LOCAL_ALIAS}>", nt_literal(f"{prop} {name}")) for prop, name in lo.aliases}
            new |= {(m, f"<{LOCAL_TYPE}>", f"<{cls}>") for cls in lo.classes}
            new |= {(m, f"<{LOCAL_ID}>", nt_literal(notation)) for notation in lo.ids}
    removed, added = old - new, new - old
    if not removed and not added:
        return False
    _apply(graph, target, removed, added)
    return True


def _descriptions(node: str, lo: Local, ontology: Ontology) -> set[tuple[str, str, str]]:
    """The name, class and identifier triples of one local entity, on ``node``."""
    out = {(node, f"<{RDFS_LABEL}>", nt_literal(label)) for label in lo.labels}
    out |= {(node, f"<{prop}>", nt_literal(name)) for prop, name in lo.aliases}
    out |= {(node, f"<{RDF_TYPE}>", f"<{cls}>") for cls in lo.classes}
    for notation in lo.ids:
        identifier = parse_identifier(notation, ontology)
        if identifier is not None:
            out.add((node, f"<{identifier.property}>", nt_literal(identifier.value)))
            out.add((node, f"<{OWL_SAME_AS}>", f"<{identifier.public}>"))
    return out


def _batched(graph: GraphStore, items: Sequence[str], query: Callable[[str], str]) -> list[list[_Value]]:
    """The rows of ``query(values)`` for the items, :data:`_VALUES` IRIs at a time."""
    rows: list[list[_Value]] = []
    for start in range(0, len(items), _VALUES):
        rows += _select(graph, query(" ".join(f"<{i}>" for i in items[start : start + _VALUES])))
    return rows


def _apply(graph: GraphStore, target: str, removed: Iterable[tuple[str, str, str]], added: Iterable[tuple[str, str, str]]) -> None:
    """Delete and insert triples of one graph in one update."""
    gone = " ".join(f"{s} {p} {o} ." for s, p, o in sorted(removed))
    come = " ".join(f"{s} {p} {o} ." for s, p, o in sorted(added))
    parts = []
    if gone:
        parts.append(f"DELETE DATA {{ GRAPH <{target}> {{ {gone} }} }}")
    if come:
        parts.append(f"INSERT DATA {{ GRAPH <{target}> {{ {come} }} }}")
    graph.store.update(" ; ".join(parts))
    graph.store.written()
