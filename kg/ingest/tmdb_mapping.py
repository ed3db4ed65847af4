"""The TMDB mapping: which relation a TMDB credit becomes, read from ``ontology/mappings/tmdb.toml``.

A crew credit is a department and a job (``Directing``/``Director``); a cast credit is a
character (``Narrator``, ``Emmet (voice)``, ``Himself``). The mapping file says which
relation of the ontology each becomes; this module holds no list of its own.

Examples:
    >>> mapping = load_tmdb_mapping()
    >>> mapping.crew("Directing", "Director"), mapping.crew("Lighting", "Gaffer"), mapping.crew("Crew", "Thanks")
    ('directed', 'worked-on', None)
    >>> mapping.cast("Emmet (voice)")
    CastCredit(relation='voiced', characters=('Emmet',), notes=())
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KGError, NotFoundError
from kg.ontology import Ontology, load_ontology, ontology_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, the library tomllib came from
    import tomli as tomllib

__all__ = ["CastCredit", "TmdbMapping", "load_tmdb_mapping", "mapping_path"]

_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")


def mapping_path() -> Path:
    """Where the TMDB mapping file is: ``ontology/mappings/tmdb.toml``.

    Examples:
        >>> mapping_path().name
        'tmdb.toml'
    """
    return ontology_dir() / "mappings" / "tmdb.toml"


@dataclass(frozen=True)
class CastCredit:
    """What a cast credit's character says: the relation, the characters, and the notes in parentheses
    that are not the relation's own (``uncredited``)."""

    relation: str
    characters: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TmdbMapping:
    """TMDB departments, jobs and characters to relations of the ontology (see the mapping file's comments)."""

    source: str
    fix: str
    digest: str
    """SHA-256 of the mapping file, part of an imported file's fingerprint."""
    cast_relation: str
    note_relations: dict[str, str]
    self_relation: str
    self_characters: frozenset[str]
    separator: str
    jobs: dict[tuple[str, str], str]
    departments: dict[str, str]
    left_out: frozenset[tuple[str, str]]
    left_out_anywhere: frozenset[str] = field(default_factory=frozenset)

    def crew(self, department: str, job: str) -> str | None:
        """The relation of a crew credit, or ``None`` when the mapping leaves it out.

        Examples:
            >>> m = load_tmdb_mapping()
            >>> m.crew("Writing", "Screenplay"), m.crew("Crew", "Dialect Coach"), m.crew("Sound", "Other")
            ('wrote', 'worked-on', None)
            >>> m.crew("Catering", "Chef") is None
            True
        """
        if (department, job) in self.left_out or job in self.left_out_anywhere:
            return None
        found = self.jobs.get((department, job))
        return found if found is not None else self.departments.get(department)

    def cast(self, character: str) -> CastCredit:
        """The relation, characters and notes of a cast credit's character text.

        Examples:
            >>> m = load_tmdb_mapping()
            >>> m.cast("Lord Business / President Business (voice) (uncredited)")
            CastCredit(relation='voiced', characters=('Lord Business', 'President Business'), notes=('uncredited',))
            >>> m.cast("Himself").relation, m.cast("").characters
            ('appeared-as-self', ())
        """
        text = " ".join(character.split())
        relation = self.cast_relation
        notes: list[str] = []
        while (match := _NOTE.search(text)) is not None:
            note = " ".join(match.group(1).split())
            text = text[: match.start()]
            special = self.note_relations.get(note.casefold())
            if special is not None:
                relation = special if relation == self.cast_relation else relation
            elif note:
                notes.insert(0, note)
        if text.casefold() in self.self_characters:
            return CastCredit(self.self_relation, (), tuple(notes))
        parts = tuple(p.strip() for p in text.split(self.separator) if p.strip()) if text else ()
        return CastCredit(relation, parts, tuple(notes))


def load_tmdb_mapping(path: Path | None = None, ontology: Ontology | None = None) -> TmdbMapping:
    """Read the TMDB mapping file, checking every relation against the ontology.

    Args:
        path: the mapping file; ``ontology/mappings/tmdb.toml`` if not given.
        ontology: the vocabulary the relations must be in; the project's own if not given.

    Raises:
        KGError: the file cannot be read, or names a relation outside the ontology or a job twice.

    Examples:
        >>> len(load_tmdb_mapping().jobs) > 100
        True
    """
    path = path or mapping_path()
    ontology = ontology or load_ontology()
    try:
        data = path.read_bytes()
        table = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KGError(f"{path}: cannot read the TMDB mapping ({exc}): fix the file") from exc
    try:
        return _mapping(table, ontology, hashlib.sha256(data).hexdigest())
    except (KeyError, TypeError, AttributeError) as exc:
        raise KGError(f"{path}: the TMDB mapping lacks or misspells {exc}: see the comments at its top") from exc
    except NotFoundError as exc:
        raise KGError(f"{path}: {str(exc).split('; known:')[0]}: use a relation of ontology/film.ttl") from exc


def _mapping(table: dict[str, Any], ontology: Ontology, digest: str) -> TmdbMapping:
    def relation(name: str) -> str:
        return ontology.relation(name).name

    cast = table["cast"]
    jobs: dict[tuple[str, str], str] = {}
    for name, departments in table["jobs"].items():
        for department, titles in departments.items():
            for title in titles:
                if (department, title) in jobs:
                    raise KGError(f'the TMDB job "{department}/{title}" is mapped twice: map each job once')
                jobs[(department, title)] = relation(name)
    left = table["left_out"]
    return TmdbMapping(
        source=str(table["source"]),
        fix=str(table["fix"]),
        digest=digest,
        cast_relation=relation(cast["relation"]),
        note_relations={
            note.casefold(): relation(special["relation"])
            for special in (cast["voice"], cast["archive"])
            for note in special["notes"]
        },
        self_relation=relation(cast["self"]["relation"]),
        self_characters=frozenset(c.casefold() for c in cast["self"]["characters"]),
        separator=str(cast["separator"]),
        jobs=jobs,
        departments={department: relation(name) for department, name in table["departments"].items()},
        left_out=frozenset((job.split("/", 1)[0], job.split("/", 1)[-1]) for job in left["jobs"]),
        left_out_anywhere=frozenset(left["any_department"]),
    )
