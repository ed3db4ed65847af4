"""A Wikidata entity as the importer sees it: its label (with fallbacks), aliases, description,
class (P31 through the ontology's classes), identifiers, and the snaks of its claims.

Examples:
    >>> names = Names("fr", ("mul", "en"))
    >>> names.label({"id": "Q1", "labels": {"en": {"language": "en", "value": "Universe"}}})
    'Universe'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.identifiers import Identifier
from kg.ingest.records import Cell, Row
from kg.ingest.sink import StatementSink
from kg.ingest.wikidata_mapping import Mapping

__all__ = [
    "Found", "Leave", "Names", "as_map", "entity_of", "identifiers", "instance_class", "item_of", "main_snak",
    "identify", "ranked", "snak_value", "texts",
]


class Leave(Exception):
    """An entity that is malformed: ``reason`` says where and how (the file is refused)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def as_map(owner: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """``owner[key]`` as an object (the dumps write an empty one as ``[]``)."""
    value = owner.get(key)
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise Leave(f"{where}.{key} holds {type(value).__name__}, not an object")
    return value


def texts(entity: dict[str, Any], key: str, code: str) -> list[str]:
    """The texts of ``labels``, ``descriptions`` (one) or ``aliases`` (several) in the language ``code``."""
    found = as_map(entity, key, str(entity.get("id"))).get(code)
    items = found if isinstance(found, list) else [found] if found is not None else []
    out = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str):
            raise Leave(f"{key}.{code} holds no text value")
        if value.strip():
            out.append(" ".join(value.split()))
    return out


class Names:
    """The labels and classes of the entities of a file, for the items its claims point to."""

    def __init__(self, lang: str, fallback: tuple[str, ...]) -> None:
        self.chain = tuple(dict.fromkeys((lang, *fallback)))
        self._known: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {}

    def __len__(self) -> int:
        return len(self._known)

    def label(self, entity: dict[str, Any]) -> str | None:
        """The entity's label: in the languages of the chain, else in the first language by code."""
        labels = as_map(entity, "labels", str(entity.get("id")))
        for code in (*self.chain, *sorted(labels)):
            found = texts(entity, "labels", code)
            if found:
                return found[0]
        return None

    def add(self, entity: dict[str, Any], mapping: Mapping) -> None:
        """Remember the label, class and identifiers of ``entity`` (a malformed one is reported by the second pass)."""
        try:
            cls, _, ids, _ = identify(entity, mapping)
            self._known[str(entity["id"])] = (self.label(entity), cls, ids)
        except (Leave, AttributeError, TypeError):
            pass

    def get(self, qid: str) -> tuple[str | None, str | None, tuple[str, ...]]:
        """The label, class and identifiers of ``qid`` when the file has it (else none, and no identifiers)."""
        return self._known.get(qid, (None, None, ()))

    def text(self, qid: str) -> str:
        """The label of ``qid``, else the QID."""
        return self._known.get(qid, (None, None, ()))[0] or qid


@dataclass(frozen=True)
class Found:
    """An entity of the file: its QID, label, class, identifiers (in notation), kinds (P31 items) and names."""

    qid: str
    label: str
    cls: str | None
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    aliases: tuple[str, ...]
    description: str | None
    page: str
    revision: str | None

    def cells(self, side: str, mapping: Mapping) -> dict[str, Cell]:
        """Its cells as the ``subject`` or ``object`` of a record."""
        cells = {side: Cell(self.label, None), f"{side}_id": Cell(" ".join(self.ids), None)}
        if self.cls is not None:
            cells[f"{side}_type"] = Cell(mapping.class_name(self.cls), None)
        return cells

    def name_rows(self, line: int, mapping: Mapping) -> Iterator[Row]:
        """The records of its aliases and description."""
        record = f"{self.qid} revision {self.revision}" if self.revision else self.qid
        found = [(mapping.alias, a) for a in self.aliases] + [(mapping.description, self.description)]
        for prop, text in found:
            if prop is None or text is None:
                continue
            cells = self.cells("subject", mapping) | {
                "predicate": Cell(prop.name, None), "object": Cell(text, None),
                "source": Cell(self.page, None), mapping.record.name: Cell(record, None),
            }  # fmt: skip
            yield Row(line, cells)


def entity_of(entity: dict[str, Any], mapping: Mapping, names: Names, sink: StatementSink) -> Found | None:
    """The entity as :class:`Found`; ``None`` (counted as skipped) for one that is missing or not an item.

    Raises:
        Leave: the entity is malformed.
    """
    qid = str(entity["id"])
    if "missing" in entity:
        sink.skipped("an entity the response marks missing")
        return None
    if not qid.startswith("Q") or not re.fullmatch(mapping.items.pattern, qid):
        sink.skipped(f"a {entity.get('type') or 'non-item'} entity (only items are read)")
        return None
    cls, kinds, kept, dropped = identify(entity, mapping)
    for reason in dropped:
        sink.skipped(reason)
    label = names.label(entity) or qid
    aliases: dict[str, None] = {}
    for code in names.chain:
        aliases.update(dict.fromkeys(a for a in texts(entity, "aliases", code) if a != label))
    description = next((t[0] for code in names.chain if (t := texts(entity, "descriptions", code))), None)
    revision = entity.get("lastrevid")
    return Found(
        qid=qid, label=label, cls=cls, ids=tuple(kept), kinds=kinds, aliases=tuple(aliases), description=description,
        page=mapping.settings.page.format(qid), revision=str(revision) if revision is not None else None,
    )  # fmt: skip


def ranked(statements: Any, where: str) -> list[dict[str, Any]]:
    """The statements that are not deprecated, the preferred first."""
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise Leave(f"claims.{where} holds no list of statements")
    kept = [s for s in statements if s.get("rank") != "deprecated"]
    return sorted(kept, key=lambda s: s.get("rank") != "preferred")


def instance_class(claims: dict[str, Any], mapping: Mapping) -> tuple[str | None, tuple[str, ...]]:
    """The class the entity's P31 items map to (the first, preferred first), and those items."""
    pid = mapping.settings.class_property
    kinds = [q for s in ranked(claims.get(pid, []), pid) if (q := item_of(main_snak(s, pid))) is not None]
    cls = next((mapping.classes[q] for q in kinds if q in mapping.classes), None)
    return cls, tuple(kinds)


def identify(entity: dict[str, Any], mapping: Mapping) -> tuple[str | None, tuple[str, ...], tuple[str, ...], list[str]]:
    """An entity's class (from P31, else what its identifiers name), its P31 items, its identifiers
    in notation (``wd:Q…`` first; those naming another class left out) and why any were left out.

    Raises:
        Leave: the entity is malformed.
    """
    qid = str(entity["id"])
    claims = as_map(entity, "claims", qid)
    cls, kinds = instance_class(claims, mapping)
    dropped: list[str] = []
    ids = identifiers(claims, mapping, dropped)
    if cls is None:
        named = {i.scheme.identifies for i in ids if i.scheme.identifies}
        cls = named.pop() if len(named) == 1 else None
    kept = [mapping.items.notation + qid]
    for identifier in ids:
        if identifier.scheme.identifies not in (None, cls):
            dropped.append(f"an identifier that names a {mapping.class_name(identifier.scheme.identifies)}, "
                           "on an entity of another class")  # fmt: skip
        elif identifier.notation not in kept:
            kept.append(identifier.notation)
    return cls, kinds, tuple(kept), dropped


def identifiers(claims: dict[str, Any], mapping: Mapping, dropped: list[str]) -> list[Identifier]:
    """The identifiers of the claims of identifier properties (not deprecated); why any were left out goes to ``dropped``."""
    found = []
    for pid, schemes in sorted(mapping.schemes.items()):
        for statement in ranked(claims.get(pid, []), pid):
            snak = main_snak(statement, pid)
            value = snak_value(snak, pid)
            if value is None:
                continue
            if not isinstance(value, str):
                raise Leave(f"claims.{pid}: an identifier that is not a string")
            scheme = next((s for s in schemes if re.fullmatch(s.pattern, value.strip())), None)
            if scheme is None:
                dropped.append(f"a {pid} identifier that fits no identifier scheme of the ontology")
                continue
            found.append(Identifier(value.strip(), scheme))
    return found


def main_snak(statement: dict[str, Any], where: str) -> dict[str, Any]:
    snak = statement.get("mainsnak")
    if not isinstance(snak, dict):
        raise Leave(f"claims.{where}: a statement without a mainsnak")
    return snak


def snak_value(snak: dict[str, Any], where: str) -> Any:
    """A snak's value (``None`` for ``somevalue`` and ``novalue``)."""
    if snak.get("snaktype", "value") != "value":
        return None
    datavalue = snak.get("datavalue")
    if not isinstance(datavalue, dict) or "value" not in datavalue:
        raise Leave(f"{where}: a value snak without a datavalue")
    return datavalue["value"]


def item_of(snak: dict[str, Any]) -> str | None:
    """The QID a snak's value names, or ``None`` (no value, or not an item)."""
    value = snak_value(snak, str(snak.get("property")))
    if not isinstance(value, dict) or value.get("entity-type", "item") != "item":
        return None
    qid = value.get("id")
    if qid is None and isinstance(value.get("numeric-id"), int):
        qid = f"Q{value['numeric-id']}"
    return qid if isinstance(qid, str) and qid.startswith("Q") else None
