"""Wikidata entity JSON files: the entities of one file, streamed, whatever its layout.

A file holds one of:

- an entity object (``{"type": "item", "id": "Q42", "labels": ..., "claims": ...}``), as a line
  of the JSON dump or as the ``entities`` map of ``wbgetentities`` keeps each entity;
- a response of ``Special:EntityData/Q42.json`` or ``wbgetentities``: ``{"entities": {"Q42": {...}}}``;
- dump lines: one entity (or response) per line, optionally inside the dump's ``[`` and ``]``
  lines with a ``,`` ending each entity's line; the file may be ``.gz`` or ``.bz2``.

Lines are read one at a time (never more than ``max_line_bytes`` each), so a dump is never held
whole. A document spread over several lines (pretty-printed JSON) is read whole, and may be at
most ``max_line_bytes`` long. Anything else is an :class:`~kg.errors.IngestError` naming the line
and column and what was expected, before a statement is written.

Examples:
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "dump.json"
    >>> _ = p.write_text('[\\n{"id": "Q1", "claims": {}},\\n{"id": "Q2", "claims": {}}\\n]\\n')
    >>> [(line, entity["id"]) for line, entity in read_entities(p, Limits())]
    [(2, 'Q1'), (3, 'Q2')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem
from kg.ingest.inputs import CHUNK, Input, LineProblem, Lines
from kg.ingest.limits import Limits, size

__all__ = ["looks_like_wikidata", "read_entities"]

Entity = dict[str, Any]
_EXPECTED = (
    'expected a Wikidata entity (an object with "id" and "claims", as a line of the dump) '
    'or {"entities": {...}} (Special:EntityData, wbgetentities)'
)
_SNIFF = re.compile(rb'"(?:claims|entities)"\s*:|"id"\s*:\s*"[QPLM][0-9]')
_STATEMENTS_BY_ID = re.compile(r"[QP][0-9]+,P[0-9]+,[QP][0-9]+")
_ENTITY_ID = re.compile(r"[QPLM][1-9][0-9]*(?:-[FS][0-9]+)?")


class _Incomplete(Exception):
    """A JSON text that ends before its value does: the start of a document spread over lines."""


def looks_like_wikidata(path: Path, limits: Limits) -> bool:
    """Whether the start of ``path`` (decompressed) looks like Wikidata entity JSON; ``True`` when
    it cannot be read, so that reading it says what is wrong.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "x.json"
        >>> _ = p.write_text('{"entities": {}}')
        >>> looks_like_wikidata(p, Limits()), looks_like_wikidata(p.with_name("gone.json"), Limits())
        (True, True)
        >>> _ = p.write_text('{"results": []}')
        >>> looks_like_wikidata(p, Limits())
        False
    """
    try:
        with Input(path, limits) as source:
            start = source.read(CHUNK)
    except (IngestError, OSError):
        return True
    return bool(_SNIFF.search(start))


def read_entities(
    path: Path, limits: Limits, *, on_progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Entity]]:
    """Every entity object of ``path``, with the line it is on (1 for a document spread over lines).

    Args:
        path: a ``.json`` or ``.ndjson`` file, optionally ``.gz`` or ``.bz2``.
        limits: ``max_line_bytes`` (a line, or a document spread over lines), ``max_json_depth``,
            and the decompression limits.
        on_progress: called now and then with the bytes of the file read so far.

    Raises:
        IngestError: the file cannot be read, is not JSON, or holds JSON of another shape; with
            the line and column, what was expected and what was found.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "Q1.json"
        >>> _ = p.write_text('{"entities": {"Q1": {"id": "Q1", "claims": {}}}}')
        >>> [entity["id"] for _, entity in read_entities(p, Limits())]
        ['Q1']
        >>> _ = p.write_text('Q1,P31,Q5\\n')
        >>> list(read_entities(p, Limits()))
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: ...Q1.json:1:1: not JSON: this looks like statements by id (s,p,o[,qualifier,value]*, as in WD50K), ...
    """
    name = str(path)
    with Input(path, limits) as source:
        lines = Lines(source, max_line_bytes=limits.max_line_bytes)
        first = _next_line(name, lines)
        while first is not None and not first.strip():
            first = _next_line(name, lines)
        if first is None:
            raise _error(name, 1, None, f"the file is empty: {_EXPECTED}")
        start = lines.number
        text = first.strip()
        if not text.startswith(("{", "[")):
            raise _error(name, start, len(first) - len(first.lstrip()) + 1, _not_json(text))
        if text == "[":
            yield from _array(name, lines, limits, first, on_progress, source)
            return
        try:
            value = _parse(name, start, first, limits)
        except _Incomplete:
            yield from _whole(name, lines, limits, first, start)
            return
        yield from ((start, entity) for entity in _entities_of(name, start, value))
        yield from _each_line(name, lines, limits, on_progress, source)


def _next_line(name: str, lines: Lines) -> str | None:
    try:
        return next(lines)
    except StopIteration:
        return None
    except LineProblem as problem:
        raise IngestError(name, [problem.located(name)]) from None


def _each_line(
    name: str, lines: Lines, limits: Limits, on_progress: Callable[[int], None] | None, source: Input
) -> Iterator[tuple[int, Entity]]:
    """The entities of the lines after the first, one JSON value per line."""
    while (line := _next_line(name, lines)) is not None:
        lines.record_bytes = 0
        if lines.number % 64 == 0 and on_progress is not None:
            on_progress(source.position())
        if not line.strip():
            continue
        number = lines.number
        try:
            value = _parse(name, number, line, limits)
        except _Incomplete:
            raise _error(name, number, None, "this line ends before its JSON value does: each line of a dump holds "
                         "one whole entity; pretty-printed JSON must be the file's only document") from None  # fmt: skip
        for entity in _entities_of(name, number, value):
            yield number, entity


def _array(
    name: str, lines: Lines, limits: Limits, first: str, on_progress: Callable[[int], None] | None, source: Input
) -> Iterator[tuple[int, Entity]]:
    """The dump's array layout: ``[``, one entity per line each ending in ``,``, then ``]``."""
    read_any = False
    while (line := _next_line(name, lines)) is not None:
        lines.record_bytes = 0
        if lines.number % 64 == 0 and on_progress is not None:
            on_progress(source.position())
        text = line.strip()
        if not text:
            continue
        number = lines.number
        if text == "]":
            rest = _next_line(name, lines)
            while rest is not None and not rest.strip():
                rest = _next_line(name, lines)
            if rest is not None:
                raise _error(name, lines.number, None, "text after the closing ] of the dump: remove it")
            return
        if text.endswith(","):
            line = line[: line.rstrip().rfind(",")]
        try:
            value = _parse(name, number, line, limits)
        except _Incomplete:
            if read_any:
                raise _error(name, number, None, "this line ends before its entity does: in the dump layout "
                             "each entity is on one line") from None  # fmt: skip
            yield from _whole(name, lines, limits, first + line, 1)
            return
        read_any = True
        for entity in _entities_of(name, number, value):
            yield number, entity
    raise _error(name, lines.number, None, "the file ends before the closing ] of the dump: the file is cut short")


def _whole(name: str, lines: Lines, limits: Limits, start: str, line: int) -> Iterator[tuple[int, Entity]]:
    """A document spread over several lines, read whole (at most ``max_line_bytes``)."""
    parts = [start]
    held = len(start.encode("utf-8"))
    while (text := _next_line(name, lines)) is not None:
        lines.record_bytes = 0
        held += len(text.encode("utf-8"))
        if held > limits.max_line_bytes:
            message = (
                f"a JSON document spread over several lines is read whole, and this one is longer than "
                f"{size(limits.max_line_bytes)} (`max_line_bytes`): write one entity per line (the dump layout), "
                f"or {limits.advice('max_line_bytes')}"
            )
            raise _error(name, lines.number, None, message)
        parts.append(text)
    document = "".join(parts)
    try:
        value = _parse(name, 1, document, limits)
    except _Incomplete:
        raise _error(name, lines.number, None, "the file ends before its JSON document does: the file is cut short") from None
    for entity in _entities_of(name, line, value):
        yield line, entity


def _parse(name: str, line: int, text: str, limits: Limits) -> Any:
    """The JSON value of ``text`` (which starts at ``line``).

    Raises:
        _Incomplete: ``text`` ends before its value does.
        IngestError: not JSON, or nested deeper than ``max_json_depth``.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise _error(name, line, None, _too_deep(limits)) from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            raise _Incomplete from None
        raise _error(name, line + exc.lineno - 1, exc.colno, f"not valid JSON: {exc.msg}") from None
    if text.count("{") + text.count("[") > limits.max_json_depth and _depth(value) > limits.max_json_depth:
        raise _error(name, line, None, _too_deep(limits))
    return value


def _too_deep(limits: Limits) -> str:
    return (
        f"nests arrays and objects more than {limits.max_json_depth} deep (`max_json_depth`): a Wikidata entity "
        f"needs about 10 levels; {limits.advice('max_json_depth')}"
    )


def _depth(value: object) -> int:
    """How deeply ``value`` nests lists and dicts (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        inner = list(item.values()) if isinstance(item, dict) else item
        if isinstance(inner, list):
            deepest = max(deepest, depth + 1)
            stack.extend((x, depth + 1) for x in inner if isinstance(x, (list, dict)))
    return deepest


def _entities_of(name: str, line: int, value: Any) -> Iterator[Entity]:
    """The entities of one JSON value: an entity, ``{"entities": {...}}``, or a list of entities."""
    if isinstance(value, list):
        for item in value:
            yield _entity(name, line, item)
        return
    if isinstance(value, dict) and "entities" in value and "id" not in value:
        found = value["entities"]
        if not isinstance(found, dict):
            raise _error(name, line, None, f'"entities" holds {_kind(found)}: {_EXPECTED}, its keys the ids')
        for item in found.values():
            yield _entity(name, line, item)
        return
    yield _entity(name, line, value)


def _entity(name: str, line: int, value: Any) -> Entity:
    if not isinstance(value, dict):
        raise _error(name, line, None, f"found {_kind(value)}: {_EXPECTED}")
    if "id" not in value:
        keys = ", ".join(f'"{k}"' for k in list(value)[:6]) or "none"
        raise _error(name, line, None, f"found an object without \"id\" (its keys: {keys}): {_EXPECTED}")
    ident = value["id"]
    if not isinstance(ident, str) or not _ENTITY_ID.fullmatch(ident):
        raise _error(name, line, None, f'"id" is {json.dumps(ident)[:40]}, not a Wikidata id such as "Q42": {_EXPECTED}')
    for key in ("claims", "labels", "aliases", "descriptions"):
        if key in value and not isinstance(value[key], (dict, list)):
            raise _error(name, line, None, f'{ident}: "{key}" holds {_kind(value[key])}, not an object')
    return value


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if not isinstance(value, bool) else "true or false"


def _not_json(text: str) -> str:
    if _STATEMENTS_BY_ID.match(text):
        return (
            "not JSON: this looks like statements by id (s,p,o[,qualifier,value]*, as in WD50K), which filmkg "
            "does not read: they hold no labels, and their literal qualifiers were removed; give the entities' "
            f"JSON instead ({_EXPECTED})"
        )
    return f"not JSON (it starts with {json.dumps(text[:20])}): {_EXPECTED}"


def _error(name: str, line: int, column: int | None, message: str) -> IngestError:
    return IngestError(name, [Problem(name, line, column, None, message)])
