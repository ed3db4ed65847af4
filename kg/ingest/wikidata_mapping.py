"""The Wikidata mappings: what ontology/film.ttl maps from Wikidata, and the conventions of
ontology/mappings/wikidata.toml (the class property, the entity page, fallback languages, the
reference properties that name a source, the calendar, the units of time).

Examples:
    >>> from kg.ontology import load_ontology
    >>> mapping = Mapping(load_ontology(), load_settings())
    >>> [(p.name, inverse) for p, inverse in mapping.relations("P161")], mapping.classes["Q5"].rsplit("#")[-1]
    ([('acted-in', True)], 'Person')
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from kg.errors import KGError
from kg.ontology import IdentifierScheme, Ontology, Property, ontology_dir
from kg.vocab import SCHEMA, SKOS_ALT_LABEL

__all__ = ["Mapping", "WikidataSettings", "load_settings"]


@dataclass(frozen=True)
class WikidataSettings:
    """What ``ontology/mappings/wikidata.toml`` says: Wikidata's conventions the ontology does not hold."""

    class_property: str
    page: str
    fallback: tuple[str, ...]
    sources: tuple[str, ...]
    url_sources: tuple[str, ...]
    calendar: str
    units: dict[str, Decimal] = field(default_factory=dict)
    digest: str = ""


@cache
def load_settings(path: Path | None = None) -> WikidataSettings:
    """Read the Wikidata mapping file (``ontology/mappings/wikidata.toml`` by default).

    Raises:
        KGError: the file is missing, not TOML, or lacks a setting.

    Examples:
        >>> settings = load_settings()
        >>> settings.class_property, settings.sources[0], settings.units["Q7727"]
        ('P31', 'P854', Decimal('60'))
    """
    path = path or ontology_dir() / "mappings" / "wikidata.toml"
    try:
        data = path.read_bytes()
        table = tomllib.loads(data.decode("utf-8"))
        return WikidataSettings(
            class_property=str(table["entity"]["class"]),
            page=str(table["entity"]["page"]),
            fallback=tuple(str(x) for x in table["labels"]["fallback"]),
            sources=tuple(str(x) for x in table["reference"]["source"]),
            url_sources=tuple(str(x) for x in table["reference"]["url"]),
            calendar=str(table["time"]["calendar"]),
            units={str(k): Decimal(str(v)) for k, v in table["units"].items()},
            digest=hashlib.sha256(data).hexdigest(),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, InvalidOperation) as exc:
        raise KGError(f"cannot read the Wikidata mapping file {path}: {exc!r}") from exc


class Mapping:
    """What ontology/film.ttl maps from Wikidata: properties to relations, qualifiers and reference
    parts, items to classes, properties to identifier schemes. Use :meth:`of`."""

    def __init__(self, ontology: Ontology, settings: WikidataSettings) -> None:
        self.ontology = ontology
        self.settings = settings
        prefixes = ontology.prefixes
        self.wd, self.wdt, self.pq, self.pr = (prefixes[p] for p in ("wd", "wdt", "pq", "pr"))
        self.classes: dict[str, str] = {
            m[len(self.wd) :]: c.iri for c in ontology.classes.values() for m in c.mappings if m.startswith(self.wd)
        }
        schemes: dict[str, list[IdentifierScheme]] = {}
        for scheme in ontology.identifiers:
            for m in scheme.mappings:
                if m.startswith(self.wdt):
                    schemes.setdefault(m[len(self.wdt) :], []).append(scheme)
        self.schemes = {pid: tuple(found) for pid, found in schemes.items()}
        self.items = next(s for s in ontology.identifiers if s.public == self.wd + "{}")
        """The scheme of Wikidata items (``wd:Q42``)."""
        self.alias = self._one(SKOS_ALT_LABEL)
        self.description = self._one(SCHEMA + "description")
        self.rank = ontology.qualifier("rank")
        self.record = ontology.qualifier("record")
        self._cache: dict[str, list[tuple[Property, bool]]] = {}

    @classmethod
    def of(cls, ontology: Ontology, settings: WikidataSettings) -> Mapping:
        """The mapping of ``ontology``."""
        return cls(ontology, settings)

    def _one(self, iri: str) -> Property | None:
        found = [p for p, _ in self.ontology.matching(iri) if not p.is_qualifier]
        return found[0] if found else None

    def _matching(self, iri: str) -> list[tuple[Property, bool]]:
        found = self._cache.get(iri)
        if found is None:
            found = self._cache[iri] = self.ontology.matching(iri)
        return found

    def relations(self, pid: str) -> list[tuple[Property, bool]]:
        """The relations ``wdt:<pid>`` maps to, each with whether it is stated the other way round."""
        return [(p, inverse) for p, inverse in self._matching(self.wdt + pid) if not p.is_qualifier]

    def qualifiers(self, pid: str) -> list[Property]:
        """The qualifiers ``pq:<pid>`` maps to."""
        return [p for p, _ in self._matching(self.pq + pid) if p.is_qualifier]

    def reference(self, pid: str) -> list[Property]:
        """The qualifiers a reference's ``pr:<pid>`` maps to."""
        return [p for p, _ in self._matching(self.pr + pid) if p.is_qualifier]

    def class_name(self, iri: str) -> str:
        """The name of the class ``iri``."""
        return self.ontology.classes[iri].name
