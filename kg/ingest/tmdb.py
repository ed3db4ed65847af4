"""TMDB API v3 responses: movie and person details, movie and TV credits, credit details, as statements.

Each file holds one response as the API serves it (``.json``, or ``.json.gz``). Which resource
it is comes from its shape (:func:`resource_of`), or from the ``resource`` setting, which must
fit the shape and is needed only where the shape cannot tell (``/tv/{id}/credits`` is shaped
like ``/movie/{id}/credits``):

- ``movie`` (``/movie/{id}``): ``id`` and ``title``. The film gets ``tmdb:movie/<id>`` and
  ``imdb:tt…``, its title as label, release-date, runtime (minutes as ``PT<n>M``), genre,
  produced-by (production companies), also-known-as (the original title); credits appended
  with ``append_to_response=credits`` are read as ``movie-credits``.
- ``movie-credits`` (``/movie/{id}/credits``): ``id`` and lists ``cast`` and ``crew``.
- ``tv-credits`` (``/tv/{id}/credits``): the same shape, of the series ``tmdb:tv/<id>``.
- ``tv-aggregate-credits`` (``/tv/{id}/aggregate_credits``): ``cast[].roles`` and
  ``crew[].jobs``; one statement per role and per job, with the episode count.
- ``person`` (``/person/{id}``): ``id``, ``name`` and ``birthday``, ``deathday`` or
  ``also_known_as``. The person gets ``tmdb:person/<id>`` and ``imdb:nm…``.
- ``credit`` (``/credit/{id}``): ``credit_type``, ``media`` and ``person``: the one credit.

A cast credit is acted-in with the character (several for ``A / B``) and the billing order;
a character ending ``(voice)`` makes it voiced, ``(archive footage)`` archive-footage-in,
``Himself`` appeared-as-self; other notes in parentheses (``uncredited``) become the note
qualifier. A crew credit's department and job become a relation through
``ontology/mappings/tmdb.toml`` (:mod:`kg.ingest.tmdb_mapping`), with the job as role; a job the
mapping leaves out is counted (a warning, an error with ``strict``). A credits response names
its film only by id: the film keeps its identifier as its name until movie details (or another
source) label it. Every statement has the source ``TMDB`` and a ``record`` qualifier: the API
resource and the credit id (``/movie/550/credits 52fe4250c3a36847f8014a11``).

Examples:
    >>> resource_of({"id": 550, "cast": [{"id": 819, "name": "Edward Norton", "character": "Narrator"}], "crew": []})
    'movie-credits'
    >>> TmdbResponses().name, TmdbResponses().suffixes
    ('tmdb', ('.json',))
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem, UsageError
from kg.ingest.importer import ImportOptions
from kg.ingest.inputs import Input
from kg.ingest.jsondoc import Located, read_json_document
from kg.ingest.limits import Limits
from kg.ingest.records import Cell, Row
from kg.ingest.sink import StatementSink
from kg.ingest.tmdb_mapping import TmdbMapping, load_tmdb_mapping, mapping_path
from kg.ingest.values import parse_value
from kg.vocab import XSD

__all__ = ["RESOURCES", "TmdbResource", "TmdbResponses", "resource_of"]


class TmdbResource(str, Enum):
    """The TMDB API resources the importer reads (the command line's ``--resource`` choices).

    Examples:
        >>> [r.value for r in TmdbResource][:2]
        ['movie', 'movie-credits']
    """

    movie = "movie"
    movie_credits = "movie-credits"
    tv_credits = "tv-credits"
    tv_aggregate_credits = "tv-aggregate-credits"
    person = "person"
    credit = "credit"


RESOURCES: Mapping[str, str] = {
    "movie": "movie details (/movie/{id}: id, title, release_date...)",
    "movie-credits": "movie credits (/movie/{id}/credits: id, cast, crew)",
    "tv-credits": "TV credits (/tv/{id}/credits: id, cast, crew)",
    "tv-aggregate-credits": "TV aggregate credits (/tv/{id}/aggregate_credits: id, cast[].roles, crew[].jobs)",
    "person": "person details (/person/{id}: id, name, birthday, also_known_as...)",
    "credit": "credit details (/credit/{id}: id, credit_type, media, person)",
}
"""Each resource and what it looks like, for messages."""

_FIELDS = (
    "subject", "subject_id", "subject_type", "predicate", "object", "object_id", "object_type", "source",
    "character", "order", "role", "note", "episode-count", "record", "retrieved",
)  # fmt: skip
_PERSON_KEYS = ("birthday", "deathday", "also_known_as", "known_for_department", "place_of_birth", "biography")


def _has_list_items(doc: Mapping[str, Any], key: str, inner: str) -> bool:
    items = doc.get(key)
    return isinstance(items, list) and any(isinstance(i, dict) and inner in i for i in items)


def resource_of(doc: object, hint: str | None = None) -> str:
    """Which TMDB resource a decoded response is, by its shape; ``hint`` must fit it.

    Args:
        doc: the decoded JSON document.
        hint: a resource name (see :data:`RESOURCES`), for shapes that fit several.

    Raises:
        ValueError: not a response of a resource filmkg reads (or not of ``hint``); the message
            says which resources were expected and what keys were found.

    Examples:
        >>> resource_of({"id": 287, "name": "Brad Pitt", "birthday": "1963-12-18"})
        'person'
        >>> resource_of({"id": 1399, "cast": [], "crew": []}, "tv-credits")
        'tv-credits'
        >>> resource_of({"results": []})
        Traceback (most recent call last):
        ...
        ValueError: not a TMDB response filmkg reads (found the keys: results); expected ...
    """
    if isinstance(doc, list):
        raise ValueError(
            "a JSON array, not a TMDB response filmkg reads (/configuration/jobs, an array of departments, "
            "is covered by ontology/mappings/tmdb.toml and not imported); expected " + _expected(hint)
        )
    if not isinstance(doc, dict):
        raise ValueError(f"a JSON {type(doc).__name__}, not a TMDB response; expected {_expected(hint)}")
    if "status_code" in doc and "status_message" in doc:
        raise ValueError(
            f'a TMDB error response (status_code {doc["status_code"]}: "{doc["status_message"]}"), not data: '
            "fetch the resource again, and save the response only when the request succeeds"
        )
    found = _shape(doc)
    fits = {found} | ({"tv-credits"} if found == "movie-credits" else set())
    if found == "movie-credits" and not doc.get("cast") and not doc.get("crew"):
        fits.add("tv-aggregate-credits")  # no credit to tell them apart
    if found is None or (hint is not None and hint not in fits):
        keys = ", ".join(sorted(doc)[:30]) or "none"
        raise ValueError(f"not a TMDB response filmkg reads (found the keys: {keys}); expected {_expected(hint)}")
    return hint or found


def _shape(doc: Mapping[str, Any]) -> str | None:
    keys = set(doc)
    if {"credit_type", "media", "person"} <= keys:
        return "credit"
    if "id" in keys and ("cast" in keys or "crew" in keys) and "title" not in keys:
        if _has_list_items(doc, "cast", "roles") or _has_list_items(doc, "crew", "jobs"):
            return "tv-aggregate-credits"
        return "movie-credits"
    if {"id", "title"} <= keys:
        return "movie"
    if {"id", "name"} <= keys and keys & set(_PERSON_KEYS):
        return "person"
    return None


def _expected(hint: str | None) -> str:
    if hint is not None:
        return RESOURCES[hint]
    return "one of: " + "; ".join(RESOURCES.values())


def _whole(value: object) -> int | None:
    """A TMDB id or count: a whole number (not a boolean), or ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


@dataclass
class _Reader:
    """Turns one decoded response into records for the sink."""

    doc: Located
    sink: StatementSink
    mapping: TmdbMapping
    retrieved: str | None
    name: str

    def problem(self, line: int, message: str) -> None:
        self.sink.record(Problem(self.name, line, None, None, message))

    def row(self, line: int, fields: dict[str, str | tuple[str, ...] | None]) -> None:
        cells = {k: Cell(v, None) for k, v in fields.items() if v not in (None, "", ())}
        cells["source"] = Cell(self.mapping.source, None)
        if self.retrieved is not None:
            cells["retrieved"] = Cell(self.retrieved, None)
        self.sink.record(Row(line, cells))

    def person(self, item: object, where: str, line: int) -> tuple[str, str] | None:
        """The name (or the id, when it has none) and the identifier of a credit's person."""
        if not isinstance(item, dict):
            self.problem(line, f"{where} must be a JSON object, not {type(item).__name__}: fix the response")
            return None
        number = _whole(item.get("id"))
        if number is None or number <= 0:
            self.problem(line, f'{where} needs "id", the TMDB person id (a whole number), found {item.get("id")!r}')
            return None
        notation = f"tmdb:person/{number}"
        return _text(item.get("name")) or notation, notation

    def credit_line(self, item: Mapping[str, Any], fallback: int) -> tuple[int, str]:
        credit = _text(item.get("credit_id"))
        return (self.doc.line_of_value("credit_id", credit) or fallback), credit

    def items(self, doc: Mapping[str, Any], key: str) -> list[Any]:
        items = doc.get(key, [])
        if items is None:
            return []
        if not isinstance(items, list):
            self.problem(self.doc.line_of_key(key), f'"{key}" must be a list of credits, not {type(items).__name__}')
            return []
        return items

    def crew(self, line: int, who: tuple[str, str], department: str, job: str, fields: dict[str, Any]) -> None:
        relation = self.mapping.crew(department, job)
        if relation is None:
            self.sink.unmapped("TMDB job", f"{department}/{job}", line=line, fix=self.mapping.fix)
            return
        self.row(line, {"subject": who[0], "subject_id": who[1], "predicate": relation, "role": job, **fields})

    def cast(self, line: int, who: tuple[str, str], character: object, fields: dict[str, Any]) -> None:
        credit = self.mapping.cast(_text(character))
        self.row(line, {"subject": who[0], "subject_id": who[1], "predicate": credit.relation,
                        "character": credit.characters, "note": credit.notes, **fields})  # fmt: skip


def _media(kind: str, number: int, label: str = "", ids: str = "") -> dict[str, Any]:
    """The object fields of a film or series: its label and identifiers, or its identifier alone."""
    notation = f"tmdb:{kind}/{number}"
    if label:
        return {"object": label, "object_id": " ".join(filter(None, (notation, ids)))}
    return {"object": notation}


def _id_of(reader: _Reader, doc: Mapping[str, Any], what: str) -> int | None:
    number = _whole(doc.get("id"))
    if number is None or number <= 0:
        reader.problem(reader.doc.line_of_key("id"), f'the {what} needs "id", a whole number, found {doc.get("id")!r}')
        return None
    return number


def _imdb(reader: _Reader, doc: Mapping[str, Any], pattern: str) -> str | None:
    """The response's ``imdb_id`` in notation (``imdb:tt0137523``), ``""`` when it has none, ``None`` when it is bad."""
    value = _text(doc.get("imdb_id"))
    if not value:
        return ""
    if not re.fullmatch(pattern, value):
        reader.problem(reader.doc.line_of_key("imdb_id"),
                       f'"imdb_id" is "{value}", not an IMDb id ({pattern}): fix the response')  # fmt: skip
        return None
    return f"imdb:{value}"


def _credits(reader: _Reader, doc: Mapping[str, Any], kind: str, media: dict[str, Any] | None = None) -> None:
    number = _id_of(reader, doc, "credits response")
    if number is None:
        return
    media = media or _media(kind, number)
    resource = f"/{kind}/{number}/credits"
    for index, item in enumerate(reader.items(doc, "cast")):
        line, credit = reader.credit_line(item if isinstance(item, dict) else {}, reader.doc.line_of_key("cast"))
        who = reader.person(item, f"cast item {index}", line)
        if who is not None:
            order = _whole(item.get("order"))
            reader.cast(line, who, item.get("character"), {**media, "record": f"{resource} {credit}".strip(),
                        "order": None if order is None else str(order)})  # fmt: skip
    for index, item in enumerate(reader.items(doc, "crew")):
        line, credit = reader.credit_line(item if isinstance(item, dict) else {}, reader.doc.line_of_key("crew"))
        who = reader.person(item, f"crew item {index}", line)
        if who is not None:
            reader.crew(line, who, _text(item.get("department")), _text(item.get("job")),
                        {**media, "record": f"{resource} {credit}".strip()})  # fmt: skip


def _aggregate(reader: _Reader, doc: Mapping[str, Any]) -> None:
    number = _id_of(reader, doc, "aggregate credits response")
    if number is None:
        return
    media = _media("tv", number)
    resource = f"/tv/{number}/aggregate_credits"
    for key, inner in (("cast", "roles"), ("crew", "jobs")):
        for index, item in enumerate(reader.items(doc, key)):
            fallback = reader.doc.line_of_key(key)
            who = reader.person(item, f"{key} item {index}", fallback)
            if who is None:
                continue
            order = _whole(item.get("order"))
            for part in reader.items(item, inner):
                if not isinstance(part, dict):
                    reader.problem(fallback, f"{key} item {index}: each of {inner} must be a JSON object")
                    continue
                line, credit = reader.credit_line(part, fallback)
                count = _whole(part.get("episode_count"))
                fields = {**media, "record": f"{resource} {credit}".strip(),
                          "episode-count": None if count is None else str(count)}  # fmt: skip
                if key == "cast":
                    fields["order"] = None if order is None else str(order)
                    reader.cast(line, who, part.get("character"), fields)
                else:
                    reader.crew(line, who, _text(item.get("department")), _text(part.get("job")), fields)


def _movie(reader: _Reader, doc: Mapping[str, Any]) -> None:
    number = _id_of(reader, doc, "movie")
    if number is None:
        return
    title = _text(doc.get("title"))
    imdb = _imdb(reader, doc, r"tt[0-9]{7,10}")
    if imdb is None:
        return
    subject = {"subject": title or f"tmdb:movie/{number}", "subject_id": f"tmdb:movie/{number} {imdb}".strip(),
               "subject_type": "Film", "record": f"/movie/{number}"}  # fmt: skip
    values: list[tuple[str, str, str]] = [
        ("release-date", _text(doc.get("release_date")), "release_date"),
        ("also-known-as", _text(doc.get("original_title")) if doc.get("original_title") != title else "",
         "original_title"),
    ]  # fmt: skip
    runtime = _whole(doc.get("runtime"))
    if runtime:
        values.append(("runtime", f"PT{runtime}M", "runtime"))
    for key, relation, field_name in (("genres", "genre", "name"), ("production_companies", "produced-by", "name")):
        for item in reader.items(doc, key):
            values.append((relation, _text(item.get(field_name)) if isinstance(item, dict) else "", key))
    for relation, value, key in values:
        if value:
            reader.row(reader.doc.line_of_key(key), {**subject, "predicate": relation, "object": value})
    credits = doc.get("credits")
    if isinstance(credits, dict):
        _credits(reader, {**credits, "id": number}, "movie", _media("movie", number, title, imdb))


def _person(reader: _Reader, doc: Mapping[str, Any]) -> None:
    number = _id_of(reader, doc, "person")
    if number is None:
        return
    name = _text(doc.get("name"))
    imdb = _imdb(reader, doc, r"nm[0-9]{7,10}")
    if imdb is None:
        return
    subject = {"subject": name or f"tmdb:person/{number}", "subject_id": f"tmdb:person/{number} {imdb}".strip(),
               "subject_type": "Person", "record": f"/person/{number}"}  # fmt: skip
    for relation, key in (("birth-date", "birthday"), ("death-date", "deathday")):
        value = _text(doc.get(key))
        if value:
            reader.row(reader.doc.line_of_key(key), {**subject, "predicate": relation, "object": value})
    seen = {name.casefold()}
    for alias in reader.items(doc, "also_known_as"):
        text = _text(alias)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            reader.row(reader.doc.line_of_key("also_known_as"), {**subject, "predicate": "also-known-as", "object": text})


def _credit(reader: _Reader, doc: Mapping[str, Any]) -> None:
    media, credit = doc.get("media"), _text(doc.get("id"))
    line = reader.doc.line_of_key("credit_type")
    kind = _text(media.get("media_type")) if isinstance(media, dict) else ""
    number = _whole(media.get("id")) if isinstance(media, dict) else None
    if not isinstance(media, dict) or kind not in ("movie", "tv") or number is None or number <= 0:
        reader.problem(reader.doc.line_of_key("media"),
                       'the credit\'s "media" must be a movie or tv object with a whole-number "id": fix the response')
        return  # fmt: skip
    who = reader.person(doc.get("person"), 'the credit\'s "person"', reader.doc.line_of_key("person"))
    if who is None:
        return
    fields = {**_media(kind, number, _text(media.get("title") or media.get("name"))), "record": f"/credit/{credit}"}
    kind = _text(doc.get("credit_type"))
    if kind == "cast":
        reader.cast(line, who, media.get("character"), fields)
    elif kind == "crew":
        reader.crew(line, who, _text(doc.get("department")), _text(doc.get("job")), fields)
    else:
        reader.problem(line, f'"credit_type" is "{kind}": a credit is "cast" or "crew"; fix the response')


_READERS = {
    "movie": _movie,
    "movie-credits": lambda reader, doc: _credits(reader, doc, "movie"),
    "tv-credits": lambda reader, doc: _credits(reader, doc, "tv"),
    "tv-aggregate-credits": _aggregate,
    "person": _person,
    "credit": _credit,
}


class TmdbResponses:
    """The importer of TMDB API v3 responses (``.json``, optionally ``.gz``).

    Args:
        resource: read every file as this resource (see :data:`RESOURCES`), where the shape cannot tell.
        retrieved: when the responses were fetched (a date), written as the ``retrieved`` qualifier.
        mapping: the mapping file; ``ontology/mappings/tmdb.toml`` if not given.

    Raises:
        UsageError: an unknown ``resource``, or a ``retrieved`` that is not a date.

    Examples:
        >>> TmdbResponses(resource="person", retrieved="2025-04-13").fingerprint(Path("x.json"))[:40]
        'resource=person|retrieved=2025-04-13|map'
    """

    name = "tmdb"
    description = "TMDB API v3 responses: movie and person details, movie and TV credits, credit details (.json)"
    suffixes = (".json",)

    def __init__(self, *, resource: str | None = None, retrieved: str | None = None, mapping: Path | None = None) -> None:
        if resource is not None and resource not in RESOURCES:
            raise UsageError(f'unknown TMDB resource "{resource}" for `resource`: use one of {", ".join(RESOURCES)}')
        if retrieved is not None:
            try:
                retrieved = parse_value(retrieved, XSD + "date")[0]
            except ValueError as exc:
                raise UsageError(f"`retrieved` must be a date such as 2025-04-13: {exc}") from None
        self.resource = resource
        self.retrieved = retrieved
        self.mapping = mapping

    def claims(self, path: Path) -> bool:
        """Every ``.json`` file but a JSON array (such as ``/configuration/jobs``), which no resource it reads is."""
        try:
            with Input(path, Limits()) as source:
                start = source.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except IngestError:
            return True  # reading it says what is wrong
        return not start.startswith(b"[")

    def fingerprint(self, path: Path) -> str:
        """The resource, the retrieved date and the mapping file's hash."""
        try:
            digest = hashlib.sha256((self.mapping or mapping_path()).read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        return f"resource={self.resource}|retrieved={self.retrieved}|mapping={digest}"

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand the statements of the response in ``path`` to ``sink``.

        Raises:
            IngestError: the file is not JSON, not a response of a resource it reads, or past a limit.
        """
        name = str(path)
        doc = read_json_document(path, options.limits)
        try:
            resource = resource_of(doc.value, self.resource)
        except ValueError as exc:
            raise IngestError(name, [Problem(name, 1, None, None, str(exc))]) from None
        mapping = load_tmdb_mapping(self.mapping, sink.ontology)
        sink.start(_FIELDS)
        _READERS[resource](_Reader(doc, sink, mapping, self.retrieved, name), doc.value)

