"""Annotated tables: CSV, TSV and JSON Lines files of ``subject, predicate, object`` rows with qualifiers.

The importer reads each row as a :class:`~kg.ingest.records.Row` and hands it to the
statement sink, which validates and reifies it through the ontology. The format is
described in the README ("Input format: annotated triples").

Examples:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("\\ufeffsubject,predicate,object\\nA,directed,B\\n")
    >>> header, rows = read_rows(p)
    >>> header, [r.cells["object"].value for r in rows]
    (['subject', 'predicate', 'object'], ['B'])
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem
from kg.formats import suffix
from kg.output import uncell
from kg.ingest.importer import ImportOptions
from kg.ingest.inputs import Input, LineProblem, Lines
from kg.ingest.limits import Limits
from kg.ingest.records import SPECIAL_FIELDS, Cell, Row
from kg.ingest.sink import StatementSink

__all__ = ["ANNOTATED_SUFFIXES", "AnnotatedTable", "read_rows"]

ANNOTATED_SUFFIXES = (".csv", ".tsv", ".jsonl")
"""File suffixes read as annotated triples (each also with ``.gz``)."""
_SPECIAL = SPECIAL_FIELDS
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class AnnotatedTable:
    """The importer of annotated tables (``.csv``, ``.tsv``, ``.jsonl``, each optionally ``.gz``)."""

    name = "annotated"
    description = "annotated triples: CSV, TSV or JSON Lines rows of subject, predicate, object and qualifiers"
    suffixes = ANNOTATED_SUFFIXES

    def claims(self, path: Path) -> bool:
        """Every file of its suffixes."""
        return True

    def fingerprint(self, path: Path) -> str:
        """Nothing beside the file."""
        return ""

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand every row of ``path`` to ``sink``.

        Raises:
            IngestError: the file cannot be read or its header is not usable.
        """
        name = str(path)
        size = path.stat().st_size
        progress = options.progress
        header, rows = read_rows(
            path, limits=options.limits, on_progress=(lambda n: progress(name, n, size)) if progress else None
        )
        if not header:
            unreadable = [row for row in rows if isinstance(row, Problem)]
            if unreadable:
                raise IngestError(name, unreadable[:1])
        sink.start(header)
        for row in rows:
            sink.record(row)


def read_rows(
    path: Path,
    *,
    limits: Limits | None = None,
    on_progress: Callable[[int], None] | None = None,
    delimiter: str | None = None,
    quoting: bool = True,
    short_rows: bool = False,
) -> tuple[list[str], Iterator[Row | Problem]]:
    """Open an annotated-triples file: its header and an iterator over its rows.

    Rows that cannot even be split into cells (a JSON syntax error, a wrong number
    of CSV fields, bad UTF-8, a line past ``max_line_bytes``) come out as
    :class:`~kg.errors.Problem` values.

    Args:
        path: a ``.csv``, ``.tsv`` or ``.jsonl`` file, optionally gzipped.
        limits: what the file may cost (see :class:`~kg.ingest.limits.Limits`); the defaults if not given.
        on_progress: called with the number of bytes read so far, now and then.
        delimiter: the field separator of a table (by default a tab for ``.tsv``, else a comma;
            in a ``.zip``, by the name of the file it holds).
        quoting: whether ``"`` quotes values (``False`` for tables that never quote, as IMDb's).
        short_rows: a row with fewer fields than the header has its last cells empty (tables that
            leave out trailing empty fields), rather than being an error.

    Returns:
        The header (column names; for JSON Lines, the keys of the first record and
        the qualifier names used) and the rows.

    Raises:
        IngestError: the file cannot be read, or is past a limit that stops it whole
            (``max_decompressed_bytes``, ``max_compression_ratio``).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("\\ufeffsubject,predicate,object\\nA,directed,B\\n")
        >>> header, rows = read_rows(p)
        >>> header, [r.cells["object"].value for r in rows]
        (['subject', 'predicate', 'object'], ['B'])
    """
    limits = limits or Limits()
    kind = suffix(path).lstrip(".")
    name = str(path)
    header = _jsonl_header(path, limits) if kind == "jsonl" else []
    source = Input(path, limits)
    lines = Lines(source, max_line_bytes=limits.max_line_bytes)

    def progress() -> None:
        if on_progress is not None:
            on_progress(source.position())

    if kind == "jsonl":
        return header, _jsonl_rows(name, source, lines, limits, progress)
    if csv.field_size_limit() < limits.max_line_bytes:  # lines are held to it, and so every field
        csv.field_size_limit(limits.max_line_bytes)
    if source.member is not None:
        kind = suffix(Path(source.member)).lstrip(".")
    separator = delimiter if delimiter is not None else "\t" if kind == "tsv" else ","
    reader = csv.reader(lines, delimiter=separator, strict=True, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
    try:
        header = next(reader)
    except StopIteration:
        source.close()
        return [], iter(())
    except LineProblem as problem:
        source.close()
        return [], iter([problem.located(name)])
    except csv.Error as exc:
        source.close()
        return [], iter([Problem(name, 1, None, None, f"{exc}: check the quoting of the header")])
    except BaseException:
        source.close()
        raise
    names = [h.strip() for h in header]
    return names, _csv_rows(name, source, lines, reader, names, progress, short_rows=short_rows)


def _csv_rows(
    name: str, source: Input, lines: Lines, reader: Iterator[list[str]], header: list[str], progress: Callable[[], None],
    *, short_rows: bool = False,
) -> Iterator[Row | Problem]:
    start = lines.number + 1
    count = 0
    try:
        while True:
            lines.record_bytes = 0
            try:
                record = next(reader)
            except StopIteration:
                break
            except LineProblem as problem:  # the reader goes on with the next line
                yield problem.located(name)
                start = lines.number + 1
                continue
            except csv.Error as exc:
                yield Problem(name, start, None, None, f"{exc}: check the quoting of this row")
                break
            line, start = start, lines.number + 1
            count += 1
            if count % 4096 == 0:
                progress()
            if not any(v.strip() for v in record):
                continue
            if len(record) != len(header) and not (short_rows and len(record) < len(header)):
                yield Problem(
                    name,
                    line,
                    None,
                    None,
                    f"this row has {len(record)} fields but the header has {len(header)}: "
                    "quote values that contain the separator",
                )
                continue
            cells = {}
            for i, (h, v) in enumerate(zip(header, record), 1):
                v = v.strip()
                if v:
                    cells[h] = Cell(uncell(v) if v[0] == "'" else v, i)
            yield Row(line, cells)
    finally:
        progress()
        source.close()


class _Refused(Exception):
    """A JSON value filmkg does not take (raised from the decoder's hooks); ``key`` for a key given twice."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def _shown(text: str) -> str:
    """``text`` safe to print: lone surrogates and control characters as escapes."""
    return text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f'key "{_shown(key)}" is given twice', key=key)
            seen.add(key)
    return out


def _surrogates(value: object) -> str | None:
    """What holds a lone surrogate in a decoded record: a message, or ``None``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key) or (isinstance(inner, str) and _SURROGATE.search(inner)):
                    text = inner if isinstance(inner, str) and _SURROGATE.search(inner) else key
                    return (
                        f'key "{_shown(key)}": "{_shown(text)}" holds a lone surrogate, which is not a character: '
                        "fix the \\u escapes (a character outside the BMP takes two, such as \\ud83c\\udfac)"
                    )
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            return f'"{_shown(item)}" holds a lone surrogate, which is not a character: fix the \\u escapes'
    return None


def _constant(name: str) -> float:
    raise _Refused(f'{name} is not a number JSON allows: write a number, or "{name}" in quotes for the text')


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f'{text} is too large for a number: write it in quotes to keep it as text')
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
"""JSON as filmkg takes it: no key twice, no NaN or Infinity, no number too large for a float."""


def _depth(value: object) -> int:
    """How deeply ``value`` nests lists and dicts (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((x, depth + 1) for x in item if isinstance(x, (list, dict)))
    return deepest


def _key_columns(line: str, key: str) -> list[int]:
    """The columns where ``"key":`` is written in ``line`` (as written, escapes aside)."""
    written = {json.dumps(key), json.dumps(key, ensure_ascii=False)}
    pattern = re.compile("|".join(re.escape(w) for w in written) + r"\s*:")
    return [m.start() + 1 for m in pattern.finditer(line)]


def _parse(line: str, limits: Limits) -> dict[str, Any] | Problem:
    """One JSON Lines record; a :class:`~kg.errors.Problem` (at line 0: the caller places it) when it is not one."""
    try:
        record = _DECODER.decode(line)
    except _Refused as exc:
        message, column = exc.message, None
        if exc.key is not None:
            columns = _key_columns(line, exc.key)
            if len(columns) >= 2:
                message += f" (columns {columns[0]} and {columns[1]})"
                column = columns[1]
            message += ": give it once; a list gives several values"
        return Problem("", 0, column, None, message)
    except RecursionError:
        record = None
    except ValueError as exc:
        return Problem("", 0, getattr(exc, "colno", None), None, f"not valid JSON: {getattr(exc, 'msg', exc)}")
    deep = line.count("[") + line.count("{") > limits.max_json_depth
    if record is None or (deep and _depth(record) > limits.max_json_depth):
        message = (
            f"nests arrays and objects more than {limits.max_json_depth} deep (`max_json_depth`): "
            f"a record needs two levels at most; {limits.advice('max_json_depth')}"
        )
        return Problem("", 0, None, None, message)
    if "\\u" in line and _ESCAPED_SURROGATE.search(line):  # only a \u escape can give one
        found = _surrogates(record)
        if found is not None:
            return Problem("", 0, None, None, found)
    if not isinstance(record, dict):
        return Problem("", 0, None, None, "each line must be a JSON object such as {\"subject\": ...}")
    return record


def _jsonl_header(path: Path, limits: Limits) -> list[str]:
    keys: dict[str, None] = {}
    with Input(path, limits) as source:
        lines = Lines(source, max_line_bytes=limits.max_line_bytes)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except LineProblem:
                continue  # reported with its line by _jsonl_rows
            lines.record_bytes = 0
            record = _parse(line, limits) if line.strip() else None
            if isinstance(record, dict):
                for key, value in record.items():
                    if key == "qualifiers" and isinstance(value, dict):
                        keys.update(dict.fromkeys(value))
                    else:
                        keys[key] = None
    return list(keys)


def _json_value(value: object) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        text = str(value).strip()
        return text or None
    if isinstance(value, list):
        items = tuple(v for v in (_json_value(x) for x in value) if isinstance(v, str))
        return items or None
    raise TypeError(type(value).__name__)


def _jsonl_rows(
    name: str, source: Input, lines: Lines, limits: Limits, progress: Callable[[], None]
) -> Iterator[Row | Problem]:
    try:
        while True:
            lines.record_bytes = 0
            try:
                line = next(lines)
            except StopIteration:
                break
            except LineProblem as problem:
                yield problem.located(name)
                continue
            number = lines.number
            if number % 4096 == 0:
                progress()
            if not line.strip():
                continue
            record = _parse(line, limits)
            if isinstance(record, Problem):
                yield Problem(name, number, record.column, None, record.message)
                continue
            cells = _cells(record)
            if isinstance(cells, str):
                yield Problem(name, number, None, None, cells)
                continue
            yield Row(number, cells)
    finally:
        progress()
        source.close()


def _cells(record: dict[str, Any]) -> dict[str, Cell] | str:
    """The cells of a JSON Lines record, or what is wrong with it."""
    cells: dict[str, Cell] = {}
    items = list(record.items())
    qualifiers = record.get("qualifiers")
    if isinstance(qualifiers, dict):
        items = [(k, v) for k, v in items if k != "qualifiers"] + list(qualifiers.items())
    elif qualifiers is not None:
        return "qualifiers must be a JSON object of qualifier names to values"
    seen: set[str] = set()
    for key, value in items:
        if key in seen:
            return (
                f"key {key} is given twice (at the top level and in qualifiers): "
                "give it once; a list gives several values"
            )
        seen.add(key)
        if isinstance(qualifiers, dict) and key in qualifiers and key in _SPECIAL:
            return f"qualifiers.{key}: {key} is not a qualifier; give it at the top level"
        try:
            converted = _json_value(value)
        except TypeError as exc:
            return f"key {key}: a value must be a string, number, boolean or list, not {exc}"
        if converted is not None:
            cells[key] = Cell(converted, None)
    return cells
