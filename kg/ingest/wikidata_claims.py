"""Wikidata claims as records: an entity's names, class and identifiers, and one record per claim and reference.

The rules are described in :mod:`kg.ingest.wikidata`; the mappings come from ontology/film.ttl
(:class:`~kg.ingest.wikidata_mapping.Mapping`) and ontology/mappings/wikidata.toml.

Examples:
    >>> wikidata_date({"time": "+1944-08-00T00:00:00Z", "precision": 10,
    ...                "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}, "Q1985727")
    '1944-08'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.ingest.records import Cell, Row
from kg.ingest.sink import StatementSink
from kg.ingest.values import parse_value
from kg.ingest.wikidata_entity import Found, Leave, Names, as_map, item_of, main_snak, snak_value
from kg.ingest.wikidata_mapping import Mapping
from kg.ontology import Property
from kg.vocab import XSD

__all__ = ["Tally", "claim_rows", "wikidata_date", "wikidata_duration"]

_DATES = (XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth")
_TIME = re.compile(r"([+-])([0-9]{1,16})-([0-9]{2})-([0-9]{2})T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_RANKS = ("preferred", "normal", "deprecated")
_WEB = re.compile(r"https?://", re.IGNORECASE)
Fields = dict[str, list[str]]


class _Skip(Exception):
    """A claim or value left out: ``reason`` for the report; ``unmapped`` (what, value, fix) when a mapping lacks."""

    def __init__(self, reason: str, unmapped: tuple[str, str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unmapped = unmapped


@dataclass
class Tally:
    """What was left out of statements: qualifier values without a mapping, reference parts without
    one, and values that could not be read, by property."""

    qualifiers: Counter[str] = field(default_factory=Counter)
    references: Counter[str] = field(default_factory=Counter)
    unread: Counter[str] = field(default_factory=Counter)


def wikidata_date(value: Any, calendar: str) -> str:
    """A Wikidata time value as ``1952``, ``1952-03`` or ``1952-03-11``, as precise as it is.

    Raises:
        _Skip: a date before year 1, less precise than a year, or of another calendar than
            ``calendar`` (a QID) at month or day precision.

    Examples:
        >>> wikidata_date({"time": "+1984-00-00T00:00:00Z", "precision": 9}, "Q1985727")
        '1984'
    """
    match = _TIME.fullmatch(value.get("time", "")) if isinstance(value, dict) else None
    precision = value.get("precision") if isinstance(value, dict) else None
    if match is None or not isinstance(precision, int):
        raise _Skip("a time value that is not one Wikidata writes")
    sign, year, month, day = match.groups()
    if sign == "-" or int(year) == 0:
        raise _Skip("a date before year 1")
    if precision < 9:
        raise _Skip("a date less precise than a year (a decade, a century...)")
    text = f"{int(year):04d}"
    if precision == 9:
        return text
    if not str(value.get("calendarmodel", "")).endswith("/" + calendar):
        raise _Skip("a month or day date of another calendar than the Gregorian")
    if month == "00" or (precision >= 11 and day == "00"):
        raise _Skip("a time value whose month or day is missing at its precision")
    return f"{text}-{month}" if precision == 10 else f"{text}-{month}-{day}"


def wikidata_duration(value: Any, units: dict[str, Decimal]) -> str:
    """A Wikidata quantity of time as an ISO 8601 duration: ``PT108M``, else in seconds.

    Raises:
        _Skip: no unit, a unit that is not one of time, not a positive amount.

    Examples:
        >>> wikidata_duration({"amount": "+108", "unit": "http://www.wikidata.org/entity/Q7727"}, {"Q7727": Decimal(60)})
        'PT108M'
    """
    if not isinstance(value, dict):
        raise _Skip("a duration that is not a quantity")
    unit = str(value.get("unit", "1")).rsplit("/", 1)[-1]
    if unit not in units:
        raise _Skip("a duration without a unit of time" if unit == "1" else f"a duration in {unit}, not a unit of time",
                    None if unit == "1" else ("Wikidata unit", unit, "add it to [units] in ontology/mappings/wikidata.toml"))  # fmt: skip
    try:
        seconds = Decimal(str(value.get("amount"))) * units[unit]
    except InvalidOperation:
        raise _Skip("a quantity whose amount is not a number") from None
    if not seconds > 0:
        raise _Skip("a duration that is not positive")
    if seconds % 60 == 0:
        return f"PT{int(seconds // 60)}M"
    return f"PT{format(seconds.normalize(), 'f')}S"


def _literal(snak: dict[str, Any], prop: Property, mapping: Mapping, names: Names, where: str) -> str:
    """The value of a snak as a value of ``prop``'s datatype (in its lexical form).

    Raises:
        _Skip: the value does not fit.
    """
    datatype = prop.datatype or XSD + "string"
    datavalue = snak.get("datavalue") or {}
    kind, value = datavalue.get("type"), snak_value(snak, where)
    if datatype in _DATES:
        if kind != "time":
            raise _Skip(f"{where}: a {kind} value where {prop.name} takes a date")
        text = wikidata_date(value, mapping.settings.calendar)
    elif datatype == XSD + "duration":
        if kind != "quantity":
            raise _Skip(f"{where}: a {kind} value where {prop.name} takes a duration")
        text = wikidata_duration(value, mapping.settings.units)
    elif kind in ("string", "external-id") and isinstance(value, str):
        text = value
    elif kind == "monolingualtext" and isinstance(value, dict):
        text = str(value.get("text", ""))
    elif kind == "wikibase-entityid" and (qid := item_of(snak)) is not None:
        text = names.text(qid)
    elif kind == "quantity" and isinstance(value, dict):
        text = str(value.get("amount", "")).lstrip("+")
    elif kind == "time":
        text = wikidata_date(value, mapping.settings.calendar)
    else:
        raise _Skip(f"{where}: a {kind} value where {prop.name} takes text")
    text = " ".join(text.split())
    try:
        lexical = parse_value(text, datatype)[0] if text else ""
    except ValueError:
        lexical = ""
    if not lexical or (prop.choices and lexical not in prop.choices):
        raise _Skip(f"{where}: a value that is not a {prop.name}")
    return text


def _fits(cls: str | None, side: tuple[str, ...], what: str, found: Found | None, mapping: Mapping) -> None:
    """Check that an entity's class fits a relation's side (its domain or range)."""
    if not side:
        return
    if cls is None:
        if found is None:
            return
        kind = found.kinds[0] if found.kinds else "(none)"
        fix = "map it with skos:closeMatch wd:Q… on a class of ontology/film.ttl"
        raise _Skip("", (f"Wikidata class ({mapping.settings.class_property})", kind, fix))
    if cls not in side:
        wanted = " or ".join(mapping.class_name(c) for c in side if c in mapping.ontology.classes)
        raise _Skip(f"{what} needs a {wanted}, not a {mapping.class_name(cls)}")


def _claim_cells(
    found: Found, pid: str, prop: Property, inverse: bool, snak: dict[str, Any], mapping: Mapping, names: Names
) -> dict[str, Cell]:
    """The subject, predicate and object cells of a claim of ``prop``."""
    what = f"{pid} as {prop.name}"
    _fits(found.cls, prop.range if inverse else prop.domain, what, found, mapping)
    cells = {"predicate": Cell(prop.name, None)}
    if prop.is_literal:
        return cells | found.cells("subject", mapping) | {"object": Cell(_literal(snak, prop, mapping, names, pid), None)}
    qid = item_of(snak)
    if qid is None or not re.fullmatch(mapping.items.pattern, qid):
        raise _Skip(f"{what}: a value that is not an item")
    label, cls, ids = names.get(qid)
    _fits(cls, prop.domain if inverse else prop.range, what, None, mapping)
    side = "subject" if inverse else "object"
    other = {side: Cell(label or qid, None), f"{side}_id": Cell(" ".join(ids or (mapping.items.notation + qid,)), None)}
    if cls is not None:
        other[f"{side}_type"] = Cell(mapping.class_name(cls), None)
    return cells | other | found.cells("object" if inverse else "subject", mapping)


def _qualifier(snak: dict[str, Any], prop: Property, mapping: Mapping, names: Names, pid: str) -> str:
    if prop.is_literal:
        return _literal(snak, prop, mapping, names, pid)
    qid = item_of(snak)
    if qid is None or not re.fullmatch(mapping.items.pattern, qid):
        raise _Skip("not an item")
    cls = names.get(qid)[1]
    if cls is not None and prop.range and cls not in prop.range:
        raise _Skip(f"a {mapping.class_name(cls)} where {prop.name} takes another class")
    return mapping.items.notation + qid


def _qualifiers(statement: dict[str, Any], mapping: Mapping, names: Names, tally: Tally) -> Fields:
    """The qualifier values of a statement, by qualifier name."""
    given = as_map(statement, "qualifiers", "statement")
    order = [p for p in statement.get("qualifiers-order") or [] if p in given]
    out: Fields = {}
    for pid in dict.fromkeys([*order, *given]):
        snaks = given[pid]
        if not isinstance(snaks, list):
            raise Leave(f"qualifiers.{pid} holds no list of snaks")
        props = mapping.qualifiers(pid)
        for snak in snaks:
            if not isinstance(snak, dict):
                raise Leave(f"qualifiers.{pid} holds a snak that is not an object")
            if snak.get("snaktype", "value") != "value":
                tally.unread[f"{pid} ({snak.get('snaktype')})"] += 1
            elif not props:
                tally.qualifiers[pid] += 1
            for prop in props if snak.get("snaktype", "value") == "value" else []:
                try:
                    out.setdefault(prop.name, []).append(_qualifier(snak, prop, mapping, names, pid))
                except _Skip as skip:
                    tally.unread[f"{pid} ({skip.reason.split(': ', 1)[-1]})"] += 1
    return out


def _reference(reference: Any, found: Found, mapping: Mapping, names: Names, tally: Tally) -> tuple[str, Fields]:
    """A reference's source (its URL or item; else the entity's page) and its mapped parts."""
    if not isinstance(reference, dict):
        raise Leave("a reference that is not an object")
    snaks = as_map(reference, "snaks", "reference")
    settings = mapping.settings
    source = None
    for pid in settings.sources:
        for snak in snaks.get(pid) or []:
            if source is not None or not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
                continue
            if pid in settings.url_sources:
                url = snak_value(snak, pid)
                if isinstance(url, str) and url.strip() and _valid(url.strip()):
                    source = url.strip()
                else:
                    tally.unread[f"{pid} (not a URL)"] += 1
            elif (qid := item_of(snak)) is not None:
                source = names.text(qid)
    out: Fields = {}
    for pid, items in snaks.items():
        if pid in settings.sources:
            continue
        props = mapping.reference(pid)
        if not props:
            tally.references[pid] += len(items) if isinstance(items, list) else 1
            continue
        for snak in items if isinstance(items, list) else []:
            for prop in props:
                try:
                    out.setdefault(prop.name, []).append(_qualifier(snak, prop, mapping, names, pid))
                except _Skip as skip:
                    tally.unread[f"{pid} ({skip.reason.split(': ', 1)[-1]})"] += 1
    return source or found.page, out


def _valid(url: str) -> bool:
    if not _WEB.match(url):
        return True
    try:
        ox.NamedNode(url)
    except ValueError:
        return False
    return True


def _cells_of(fields: Fields) -> dict[str, Cell]:
    return {name: Cell(values[0] if len(values) == 1 else tuple(values), None) for name, values in fields.items() if values}


def claim_rows(
    found: Found, pid: str, statement: Any, line: int, mapping: Mapping, names: Names, sink: StatementSink, tally: Tally
) -> Iterator[Row]:
    """The records of one statement: one per reference (one for none), for each relation ``pid`` maps to.

    Raises:
        Leave: the statement is malformed.
    """
    if pid == mapping.settings.class_property or pid in mapping.schemes:
        return
    if not isinstance(statement, dict):
        raise Leave(f"claims.{pid} holds a statement that is not an object")
    relations = mapping.relations(pid)
    if not relations:
        sink.unmapped("Wikidata property", pid, line=line, fix="map it with skos:closeMatch wdt:P… in ontology/film.ttl")
        return
    snak = main_snak(statement, pid)
    if snak.get("snaktype", "value") != "value":
        kind = "unknown (somevalue)" if snak.get("snaktype") == "somevalue" else "none (novalue)"
        sink.skipped(f"a claim whose value is {kind}")
        return
    rank = statement.get("rank", "normal")
    if rank not in _RANKS:
        raise Leave(f"claims.{pid}: rank {rank!r} is not one of {', '.join(_RANKS)}")
    qualifiers = _cells_of(_qualifiers(statement, mapping, names, tally))
    references = statement.get("references") or []
    if not isinstance(references, list):
        raise Leave(f"claims.{pid}: references that are not a list")
    sources = [_reference(r, found, mapping, names, tally) for r in references]
    sid = statement.get("id")
    record = [str(sid)] if sid else []
    if not sources:
        sources = [(found.page, {})]
        record.append(f"{found.qid} revision {found.revision}" if found.revision else found.qid)
    for prop, inverse in relations:
        try:
            cells = _claim_cells(found, pid, prop, inverse, snak, mapping, names)
        except _Skip as skip:
            if skip.unmapped is not None:
                sink.unmapped(skip.unmapped[0], skip.unmapped[1], line=line, fix=skip.unmapped[2])
            else:
                sink.skipped(skip.reason)
            continue
        cells |= qualifiers | {mapping.rank.name: Cell(rank, None)} | _cells_of({mapping.record.name: record})
        for source, parts in sources:
            yield Row(line, cells | _cells_of(parts) | {"source": Cell(source, None)})
