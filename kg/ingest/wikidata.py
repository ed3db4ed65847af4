"""Wikidata entities: labels, aliases, descriptions, claims, qualifiers, ranks and references as statements.

:class:`WikidataEntities` reads the entity JSON of :mod:`kg.ingest.wikidata_files` (``Special:EntityData``,
``wbgetentities``, dump lines) and hands the sink one record per claim and reference:

- The entity: its label in ``lang``, else in the fallback languages of
  ``ontology/mappings/wikidata.toml`` (``mul``, then ``en``), else in any language (the first by
  code), else its QID; its class from P31 (instance of) through the classes' ``skos:closeMatch
  wd:Q…`` in ontology/film.ttl, else the class its identifiers name; its identifiers from the
  claims of the properties the ontology's identifier schemes map (``wdt:P345`` IMDb, ``wdt:P4947``,
  ``wdt:P4985``, ``wdt:P4983`` TMDB; deprecated ones left out) beside ``wd:Q…``, so that the same
  person from IMDb or TMDB is one entity. Aliases become ``also-known-as`` (``skos:altLabel``) and
  the description ``description`` (``schema:description``).
- A claim of a property some relation maps (``skos:closeMatch wdt:P…``): a statement of that
  relation, subject and object swapped for ``film:inverseMatch`` (P161 cast member points from the
  film to the person, ``acted-in`` from the person to the film). Items are entities ``wd:Q…``,
  labelled as the file labels them, else by their QID; dates keep their precision (``1952``,
  ``1952-03``, ``1952-03-11``); durations become ``PT108M``; an item given to a text relation is
  its label (or QID).
- Qualifiers of the properties qualifiers map (``pq:P…``); the rank (``rank``); the statement id
  (``record``); one statement per reference, its source the first of the reference's P854
  reference URL, P248 stated in, P143 imported from (``[reference]`` of the mapping file), with its
  ``pr:P…`` mapped parts (P813 ``retrieved``, P1683 ``quote``); a claim without references rests on
  the entity's page (``https://www.wikidata.org/wiki/Q42``), its record also the revision.

Left out, counted and reported: claims of unmapped properties (the most frequent named; an error
with ``strict``), claims whose value is unknown or none (``somevalue``, ``novalue``), claims whose
entity's class does not fit the relation or has no mapping, dates before year 1 or less precise than
a year, month and day dates of another calendar than the Gregorian, values that do not fit the
relation's datatype. Qualifier values without a mapping are dropped from their statement and
reported (an error with ``strict``), as are parts of references that map to nothing.

Examples:
    >>> WikidataEntities(lang="fr").fingerprint(Path("Q42.json"))[:8]
    'lang=fr;'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem, UsageError
from kg.formats import suffix
from kg.ingest.importer import ImportOptions
from kg.ingest.limits import Limits
from kg.ingest.records import SPECIAL_FIELDS, Row
from kg.ingest.sink import StatementSink
from kg.ingest.wikidata_claims import Tally, claim_rows
from kg.ingest.wikidata_entity import Leave, Names, entity_of
from kg.ingest.wikidata_files import looks_like_wikidata, read_entities
from kg.ingest.wikidata_mapping import Mapping, WikidataSettings, load_settings
from kg.ontology import Ontology

__all__ = ["WikidataEntities", "WikidataSettings", "load_settings"]

MAX_NAMES = 1_000_000
"""The labels and classes of at most this many entities of a file are remembered (in a first pass)
to label and type the items its claims point to."""


class WikidataEntities:
    """The importer of Wikidata entity JSON (``.json``, ``.ndjson``, each optionally ``.gz`` or ``.bz2``).

    Args:
        lang: the language of labels, aliases and descriptions (a Wikidata language code), before
            the fallbacks of the mapping file.
    """

    name = "wikidata"
    description = "Wikidata entity JSON: Special:EntityData, wbgetentities, or dump lines (.json, .ndjson; .gz, .bz2)"
    suffixes = (".json", ".ndjson")

    def __init__(self, *, lang: str = "en") -> None:
        if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]+)*", lang.strip()):
            raise UsageError(f'`lang` must be a Wikidata language code such as en, fr or pt-br, not "{lang}"')
        self.lang = lang.strip()

    def claims(self, path: Path) -> bool:
        """The files of its suffixes whose start looks like Wikidata entities (not a TMDB response)."""
        return suffix(path) in self.suffixes and looks_like_wikidata(path, _SNIFF_LIMITS)

    def fingerprint(self, path: Path) -> str:
        """The language and the mapping file."""
        return f"lang={self.lang};mapping={load_settings().digest}"

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand a record per claim and reference of every entity of ``path`` to ``sink``.

        Raises:
            IngestError: the file cannot be read, is not entity JSON, or holds a malformed entity;
                with ``strict``, qualifiers without a mapping.
        """
        name = str(path)
        settings = load_settings()
        mapping = Mapping.of(sink.ontology, settings)
        names = Names(self.lang, settings.fallback)
        for _, entity in read_entities(path, options.limits):
            if len(names) >= MAX_NAMES:
                break
            names.add(entity, mapping)
        sink.start(_fields(sink.ontology))
        tally = Tally()
        total = path.stat().st_size
        progress = options.progress
        on_progress = (lambda done: progress(name, done, total)) if progress else None
        for line, entity in read_entities(path, options.limits, on_progress=on_progress):
            for row in _rows(name, line, entity, mapping, names, sink, tally):
                sink.record(row)
        _report(name, tally, sink, strict=options.strict)


_SNIFF_LIMITS = Limits()
"""A file found in a folder is looked at within the default limits."""


def _fields(ontology: Ontology) -> list[str]:
    """Every field a record may use: the special ones and every qualifier of the ontology."""
    return [*SPECIAL_FIELDS, *sorted(q.name for q in ontology.qualifiers)]


def _rows(
    name: str, line: int, entity: dict[str, Any], mapping: Mapping, names: Names, sink: StatementSink, tally: Tally
) -> Iterator[Row]:
    """The records of one entity; what is left out goes to ``sink`` (unmapped, skipped) or ``tally``."""
    try:
        found = entity_of(entity, mapping, names, sink)
        if found is None:
            return
        yield from found.name_rows(line, mapping)
        claims = entity.get("claims") or {}
        for pid, statements in claims.items():
            if not isinstance(statements, list):
                raise Leave(f"claims.{pid} holds {type(statements).__name__}, not a list of statements")
            for statement in statements:
                yield from claim_rows(found, pid, statement, line, mapping, names, sink, tally)
    except Leave as bad:
        ident = entity.get("id")
        raise IngestError(name, [Problem(name, line, None, None, f"{ident}: {bad.reason}: the entity is malformed")]) from None


def _report(name: str, tally: Tally, sink: StatementSink, *, strict: bool) -> None:
    """Warn of (or with ``strict``, refuse) the qualifier values and reference parts left out."""
    errors: list[Problem] = []
    for what, counts, fix, fatal in (
        ("qualifier value", tally.qualifiers, "map the property with skos:closeMatch pq:P… in ontology/film.ttl", True),
        ("reference part", tally.references, "map it with skos:closeMatch pr:P… in ontology/film.ttl", False),
        ("qualifier value", tally.unread, "", False),
    ):
        if not counts:
            continue
        n = sum(counts.values())
        shown = ", ".join(f'{key} ({count:,})' for key, count in counts.most_common(10))
        more = f" and {len(counts) - 10:,} more" if len(counts) > 10 else ""
        message = f"{n:,} {what}{'s' if n != 1 else ''} not kept: {shown}{more}" + (f": {fix}" if fix else "")
        if strict and fatal:
            errors.append(Problem(name, 0, None, None, message + " (allowed without `strict`)"))
        else:
            sink.warnings.append(Problem(name, 0, None, None, message))
    if errors:
        raise IngestError(name, errors)

