"""Exporting statements to Wikidata as QuickStatements (version 1 commands).

Each statement whose subject, and whose object when it is an entity, has a Wikidata id
(``film:wikidataId``) goes out as one line ``item TAB property TAB value``, followed by its
qualifiers (``P… TAB value`` pairs) and one reference group (``S… TAB value`` pairs):

- the property is the relation's ``skos:closeMatch wdt:P…`` in ``ontology/film.ttl``; a mapping
  marked ``film:inverseMatch`` is stated from the object, so "Sean Baker directed Anora" goes out
  as ``Q<Anora> P57 Q<Sean Baker>``;
- values are written by the Wikidata datatype of their property (``ontology/mappings/quickstatements.toml``):
  items ``Q…``, strings ``"…"``, monolingual text ``en:"…"``, times ``+2024-05-21T00:00:00Z/11``
  (precision 9 for a year, 10 a month, 11 a day) and quantities ``139U7727`` (a duration, here in
  minutes); a value filmkg keeps as words where Wikidata wants an item (a genre, a role) is left out;
- qualifiers go out by their ``pq:P…`` mapping (character P453, date P585, for-work P1686,
  order P1545, start P580, end P582...); an entity value needs a Wikidata id too;
- the reference carries the source (``S854`` its URL, or ``S1476`` its title), the quotes
  (``S1683``, monolingual text) and the day it was retrieved (``S813``: the statement's
  ``retrieved`` qualifier, else the day its file was ingested).

A statement with several sources goes out once per source, the same statement with a different
reference group: QuickStatements finds the statement the first line made (the same property and
value on the item) and adds each further line's qualifiers and reference to it, which is how every
reference gets there (OpenRefine's export kept only the first, OpenRefine#2320). For the same reason
filmkg statements that differ only in qualifiers (two characters) become one Wikidata statement with
both qualifiers.

Left out, and counted by reason in the :class:`QuickStatementsReport`: statements read from
Wikidata itself (their file's importer is ``wikidata``), relations without a Wikidata property,
entities without a Wikidata id, deprecated statements, values that do not fit the property. A
preferred statement is written, and reported, since QuickStatements v1 cannot set ranks.

Strings cannot break the format: QuickStatements has no escapes, so tabs, newlines and other
control or separator characters become spaces (Wikidata collapses whitespace in values anyway);
double quotes inside a value stay, as QuickStatements reads a value up to its last quote.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text(
    ...     "subject,subject_id,predicate,object,object_id,source\\n"
    ...     "Sean Baker,wd:Q1950469,directed,Anora,wd:Q124373707,https://example.org/anora\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(folder / "t.csv")
    >>> report = write_quickstatements(kg, folder / "out.qs")
    >>> report.lines, report.written
    (1, 1)
    >>> (folder / "out.qs").read_text().split("\\t")[:4]
    ['Q124373707', 'P57', 'Q1950469', 'S854']
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, UsageError
from kg.ontology import Ontology, ontology_dir
from kg.output import written
from kg.quickstatements.values import Unfit, quantity_value, text, time_value
from kg.registry import SourceInfo, sources
from kg.statements import Key, Qualifier, Statement, bare_statement, labels_for, read_statements
from kg.store import GraphStore
from kg.vocab import QUOTE, RANK, RDF_STATEMENT, RDF_TYPE

__all__ = ["QuickStatementsReport", "WIKIDATA_IMPORTER", "quickstatements_lines", "write_quickstatements"]

WIKIDATA_IMPORTER = "wikidata"
"""The importer whose files hold statements read from Wikidata: never exported back."""
EXAMPLES = 3
"""Examples kept per reason."""
_WEB = re.compile(r"https?://\S+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class QuickStatementsReport:
    """What an export wrote and what it left out.

    ``written`` counts the filmkg statements written (each as one line per reference group),
    ``lines`` the lines. ``skipped`` counts statements left out, by reason; ``dropped`` counts
    parts of written statements left out (a qualifier, a quote), by reason; ``notes`` counts
    written statements worth a look (a preferred rank, no reference). ``examples`` holds a few
    statements (``subject relation object``) for each reason.
    """

    output: Path | None
    lines: int
    written: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    dropped: Mapping[str, int] = field(default_factory=dict)
    notes: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def summary(self) -> str:
        """The report as text, one reason a line, most frequent first.

        Examples:
            >>> print(QuickStatementsReport(None, 2, 1, skipped={"no Wikidata property": 3}).summary())
            wrote 2 lines for 1 statement
            skipped 3 statements:
              3  no Wikidata property
        """
        where = f" to {self.output}" if self.output else ""
        out = [f"wrote {self.lines} line{_s(self.lines)} for {self.written} statement{_s(self.written)}{where}"]
        for title, counts in (("skipped {} statement{}", self.skipped), ("left out {} part{} of written statements", self.dropped),
                              ("noted on {} written statement{}", self.notes)):  # fmt: skip
            if counts:
                total = sum(counts.values())
                out.append(title.format(total, _s(total)) + ":")
                for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                    examples = self.examples.get(reason, ())
                    out.append(f"  {count}  {reason}" + (f" (e.g. {'; '.join(examples)})" if examples else ""))
        return "\n".join(out)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# ------------------------------------------------------------------------------------------ mapping


@dataclass(frozen=True)
class _Mapping:
    """What the export reads from the ontology and ``ontology/mappings/quickstatements.toml``."""

    relations: dict[str, tuple[str, bool]]
    """Relation IRI → (Wikidata property, stated from the object)."""
    qualifiers: dict[str, tuple[str, str]]
    """Qualifier IRI → (``qualifier`` or ``reference``, Wikidata property)."""
    datatypes: dict[str, str]
    units: dict[str, str]
    reference: dict[str, str]
    quote: str | None
    max_length: int


@cache
def _mapping_file(path: Path) -> dict[str, Any]:
    import tomllib  # Python 3.11+

    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KGError(f"cannot read the QuickStatements mapping {path}: {exc}") from exc


def _wikidata_property(mappings: Iterable[str], namespace: str | None) -> str | None:
    """The first ``P…`` of the mappings under ``namespace``."""
    if namespace is None:
        return None
    found = sorted(m[len(namespace) :] for m in mappings if m.startswith(namespace))
    return next((p for p in found if re.fullmatch(r"P\d+", p)), None)


def _mapping(ontology: Ontology) -> _Mapping:
    data = _mapping_file(ontology_dir() / "mappings" / "quickstatements.toml")
    spaces = {name: ontology.prefixes.get(name) for name in ("wdt", "pq", "pr")}
    relations: dict[str, tuple[str, bool]] = {}
    qualifiers: dict[str, tuple[str, str]] = {}
    for prop in ontology.properties.values():
        if prop.is_qualifier:
            for kind, space in (("qualifier", spaces["pq"]), ("reference", spaces["pr"])):
                number = _wikidata_property(prop.mappings, space)
                if number:
                    qualifiers[prop.iri] = (kind, number)
        else:
            number = _wikidata_property(prop.mappings, spaces["wdt"])
            if number:
                relations[prop.iri] = (number, (spaces["wdt"] or "") + number in prop.inverse_mappings)
    quote = ontology.properties.get(QUOTE)
    return _Mapping(
        relations=relations,
        qualifiers=qualifiers,
        datatypes={str(k): str(v) for k, v in data.get("datatypes", {}).items()},
        units={str(k): str(v) for k, v in data.get("units", {}).items()},
        reference={str(k): str(v) for k, v in data.get("reference", {}).items()},
        quote=_wikidata_property(quote.mappings, spaces["pq"]) if quote else None,
        max_length=int(data.get("max_string_length", 1500)),
    )


# ------------------------------------------------------------------------------------------ values


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class _Found:
    """A statement to export, with the files that hold it."""

    statement: Statement
    graphs: frozenset[str]


def _found(graph: GraphStore, relations: Iterable[str]) -> list[_Found]:
    """Every statement of the given relations in an ingested file, with the files that hold it;
    a triple some file asserts with no statement node counts as a bare statement of that file."""
    wanted = sorted(set(relations))
    if not wanted:
        return []
    values = " ".join(f"<{iri}>" for iri in wanted)
    keys: dict[Key, set[str]] = defaultdict(set)
    query = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s)) }}"
    for g, s, p, o in graph.store.select(query):
        keys[(s, p, o)].add(g.value)
    nodes: dict[str, set[str]] = defaultdict(set)
    for st, g in graph.store.select(f"SELECT ?st ?g WHERE {{ GRAPH ?g {{ ?st <{RDF_TYPE}> <{RDF_STATEMENT}> }} }}"):
        nodes[st.value].add(g.value)
    described = read_statements(graph, keys)
    labels = labels_for(graph, [t.value for key in keys for t in (key[0], key[2]) if isinstance(t, ox.NamedNode)])
    out: list[_Found] = []
    for key in sorted(keys, key=lambda k: (str(k[0]), str(k[1]), str(k[2]))):
        held: set[str] = set()
        for statement in described.get(key, []):
            graphs = frozenset(nodes.get(statement.iri or "", ())) or frozenset(keys[key])
            held |= graphs
            out.append(_Found(statement, graphs))
        bare = keys[key] - held
        if bare:
            out.append(_Found(bare_statement(key, labels, graph.ontology), frozenset(bare)))
    return out


def _wikidata_ids(graph: GraphStore) -> dict[str, set[str]]:
    """The Wikidata ids of every entity that has one."""
    wd = graph.ontology.prefixes.get("wd")
    schemes = [s for s in graph.ontology.identifiers if wd and s.public == wd + "{}"]
    if not schemes:
        return {}
    values = " ".join(f"<{s.iri}>" for s in schemes)
    ids: dict[str, set[str]] = defaultdict(set)
    for entity, value in graph.store.select(f"SELECT ?e ?id WHERE {{ VALUES ?p {{ {values} }} ?e ?p ?id }}"):
        ids[entity.value].add(value.value)
    return ids


# ------------------------------------------------------------------------------------------ writing


@dataclass
class _Tally:
    skipped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, counter: Counter[str], reason: str, statement: Statement) -> None:
        counter[reason] += 1
        example = f"{statement.subject_label} {statement.relation_name} {statement.object_label}"
        if len(self.examples[reason]) < EXAMPLES and example not in self.examples[reason]:
            self.examples[reason].append(example)


class _Writer:
    """Turns statements into QuickStatements lines, counting what it leaves out."""

    def __init__(self, graph: GraphStore, language: str) -> None:
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", language):
            raise UsageError(f'`language` must be a Wikidata language code such as "en" or "pt-br", not "{language}"')
        self.ontology = graph.ontology
        self.map = _mapping(self.ontology)
        self.language = language
        self.ids = _wikidata_ids(graph)
        self.files: dict[str, SourceInfo] = {info.graph: info for info in sources(graph)}
        self.tally = _Tally()
        rank = self.ontology.properties.get(RANK)
        self.ranks = rank.choices if rank else ()
        self.normal = rank.default if rank and rank.default else ""

    def item(self, iri: str, role: str) -> str:
        ids = self.ids.get(iri, set())
        if len(ids) != 1:
            raise Unfit(f"the {role} has {'several Wikidata ids' if ids else 'no Wikidata id'}")
        return next(iter(ids))

    def value(self, number: str, raw: str, *, entity: bool, role: str) -> str:
        """A value of property ``number``: ``raw`` is an entity IRI (``entity``) or a literal's lexical form."""
        kind = self.map.datatypes.get(number)
        if kind is None:
            raise Unfit(f"no Wikidata datatype for {number} in ontology/mappings/quickstatements.toml")
        if kind == "item":
            if not entity:
                raise Unfit(f"the {role} is words in filmkg, an item in Wikidata")
            return self.item(raw, role)
        if entity:
            raise Unfit(f"the {role} is an entity in filmkg, a {kind} in Wikidata")
        if kind == "time":
            return time_value(raw)
        if kind == "quantity":
            return quantity_value(raw, self.map.units)
        if kind == "monolingualtext":
            return f'{self.language}:"{text(raw, self.map.max_length)}"'
        return f'"{text(raw, self.map.max_length)}"'

    def lines(self, found: _Found) -> list[str]:
        """The lines of one statement (none when it is left out)."""
        st = found.statement
        files = [self.files[g] for g in found.graphs if g in self.files]
        if files and all(info.importer == WIKIDATA_IMPORTER for info in files):
            self.tally.count(self.tally.skipped, "read from Wikidata", st)
            return []
        mapped = self.map.relations.get(st.relation)
        if mapped is None:
            self.tally.count(self.tally.skipped, f"{st.relation_name}: no Wikidata property", st)
            return []
        number, inverse = mapped
        rank = next((q.value for q in st.qualifiers if q.iri == RANK), self.normal)
        if rank in self.ranks and self.normal in self.ranks and self.ranks.index(rank) > self.ranks.index(self.normal):
            self.tally.count(self.tally.skipped, f"{rank} rank", st)
            return []
        try:
            subject = self.item(st.subject, "subject")
            if inverse and st.literal:
                raise Unfit("a literal cannot be the item")
            if inverse:
                head = f"{self.item(st.object, 'object')}\t{number}\t{subject}"
            else:
                head = f"{subject}\t{number}\t{self.value(number, st.object, entity=not st.literal, role='object')}"
        except Unfit as exc:
            self.tally.count(self.tally.skipped, f"{st.relation_name}: {exc}", st)
            return []
        if rank != self.normal:
            self.tally.count(self.tally.notes, f"{rank} rank not set (QuickStatements v1 sets no ranks)", st)
        qualifiers, reference = self.qualifiers(st)
        groups = self.references(st, reference, found)
        if not groups:
            self.tally.count(self.tally.notes, "no source or quote: written without a reference", st)
        return ["\t".join([head, *qualifiers, *group]) for group in groups or [[]]]

    def qualifiers(self, st: Statement) -> tuple[list[str], list[str]]:
        """The qualifier pairs, and the reference pairs that qualifiers give (``retrieved``)."""
        pairs: list[str] = []
        reference: list[str] = []
        for q in st.qualifiers:
            if q.iri == RANK:
                continue
            mapped = self.map.qualifiers.get(q.iri)
            if mapped is None:
                self.tally.count(self.tally.dropped, f"{q.name} qualifier: no Wikidata property", st)
                continue
            kind, number = mapped
            try:
                value = self.value(number, q.value, entity=self._is_entity(q), role=q.name)
            except Unfit as exc:
                self.tally.count(self.tally.dropped, f"{q.name} qualifier: {exc}", st)
                continue
            (pairs if kind == "qualifier" else reference).extend([number if kind == "qualifier" else "S" + number[1:], value])
        return pairs, reference

    def _is_entity(self, q: Qualifier) -> bool:
        prop = self.ontology.properties.get(q.iri)
        return prop is not None and not prop.is_literal

    def references(self, st: Statement, given: list[str], found: _Found) -> list[list[str]]:
        """One reference group per source (the quotes with the only source, or in a group of their own
        beside several), each with the day retrieved; none without source and quote."""
        quotes = self._quotes(st)
        groups = [self._source(st, name) for name in st.sources]
        groups = [g for g in groups if g]
        if len(groups) == 1:
            groups[0] += quotes
        elif quotes:
            groups.append(quotes)
        if not groups:
            return []
        retrieved = given or self._ingested(found)
        return [group + retrieved for group in groups]

    def _quotes(self, st: Statement) -> list[str]:
        out: list[str] = []
        for quote in st.quotes if self.map.quote else ():
            try:
                out += ["S" + (self.map.quote or "")[1:], self.value(self.map.quote or "", quote, entity=False, role="quote")]
            except Unfit as exc:
                self.tally.count(self.tally.dropped, f"quote: {exc}", st)
        return out

    def _source(self, st: Statement, name: str) -> list[str]:
        key = "url" if _WEB.match(name.strip()) else "title"
        number = self.map.reference.get(key)
        if number is None:
            return []
        try:
            return ["S" + number[1:], self.value(number, name.strip(), entity=False, role="source")]
        except Unfit as exc:
            self.tally.count(self.tally.dropped, f"source: {exc}", st)
            return []

    def _ingested(self, found: _Found) -> list[str]:
        number = self.map.reference.get("retrieved")
        days = sorted(self.files[g].ingested[:10] for g in found.graphs if g in self.files and self.files[g].ingested)
        if number is None or not days:
            return []
        return ["S" + number[1:], time_value(days[0])]


def quickstatements_lines(graph: GraphStore, *, language: str = "en") -> tuple[list[str], QuickStatementsReport]:
    """The QuickStatements lines of every statement that can go to Wikidata, and the report.

    Args:
        graph: the knowledge graph.
        language: the language of quotes and titles (monolingual text).

    Returns:
        The lines (without line ends), in a stable order, and what was written and left out.

    Raises:
        KGError: ``language`` is not a language code, or the mapping file cannot be read.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> lines, report = quickstatements_lines(KnowledgeGraph.memory())
        >>> lines, report.written
        ([], 0)
    """
    writer = _Writer(graph, language)
    lines: dict[str, None] = {}
    written_count = 0
    for found in _found(graph, [p.iri for p in graph.ontology.relations]):
        out = writer.lines(found)
        written_count += bool(out)
        lines.update(dict.fromkeys(out))
    tally = writer.tally
    report = QuickStatementsReport(
        output=None,
        lines=len(lines),
        written=written_count,
        skipped=dict(tally.skipped),
        dropped=dict(tally.dropped),
        notes=dict(tally.notes),
        examples={k: tuple(v) for k, v in tally.examples.items()},
    )
    return list(lines), report


def write_quickstatements(graph: GraphStore, output: Path, *, language: str = "en") -> QuickStatementsReport:
    """Write the QuickStatements of :func:`quickstatements_lines` to ``output`` (UTF-8, one command a line).

    The file is written whole or not at all (:mod:`kg.output`).

    Args:
        graph: the knowledge graph.
        output: the file to write.
        language: the language of quotes and titles.

    Returns:
        What was written and what was left out, by reason.

    Raises:
        KGError: a bad ``language``, a path inside the store, or the file cannot be written.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "none.qs"
        >>> write_quickstatements(KnowledgeGraph.memory(), out).lines, out.read_text()
        (0, '')
    """
    lines, report = quickstatements_lines(graph, language=language)
    with written(output, store=graph.store.location) as stream:
        stream.write("".join(line + "\n" for line in lines).encode("utf-8"))
    return replace(report, output=output)
