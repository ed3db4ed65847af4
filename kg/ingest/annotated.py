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
import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import IngestError, Problem
from kg.formats import suffix
from kg.ingest.importer import ImportOptions
from kg.ingest.records import SPECIAL_FIELDS, Cell, Row
from kg.ingest.sink import StatementSink

__all__ = ["ANNOTATED_SUFFIXES", "AnnotatedTable", "read_rows"]

ANNOTATED_SUFFIXES = (".csv", ".tsv", ".jsonl")
"""File suffixes read as annotated triples (each also with ``.gz``)."""
_SPECIAL = SPECIAL_FIELDS


class AnnotatedTable:
    """The importer of annotated tables (``.csv``, ``.tsv``, ``.jsonl``, each optionally ``.gz``)."""

    name = "annotated"
    description = "annotated triples: CSV, TSV or JSON Lines rows of subject, predicate, object and qualifiers"
    suffixes = ANNOTATED_SUFFIXES

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand every row of ``path`` to ``sink``.

        Raises:
            IngestError: the file cannot be read or its header is not usable.
        """
        name = str(path)
        size = path.stat().st_size
        progress = options.progress
        header, rows = read_rows(path, on_progress=(lambda n: progress(name, n, size)) if progress else None)
        if not header:
            unreadable = [row for row in rows if isinstance(row, Problem)]
            if unreadable:
                raise IngestError(name, unreadable[:1])
        sink.start(header)
        for row in rows:
            sink.record(row)


def _open_text(path: Path, raw: IO[bytes]) -> IO[str]:
    stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw  # type: ignore[assignment]
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def read_rows(
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[str], Iterator[Row | Problem]]:
    """Open an annotated-triples file: its header and an iterator over its rows.

    Rows that cannot even be split into cells (a JSON syntax error, a wrong number
    of CSV fields, bad UTF-8) come out as :class:`~kg.errors.Problem` values.

    Args:
        path: a ``.csv``, ``.tsv`` or ``.jsonl`` file, optionally gzipped.
        on_progress: called with the number of bytes read so far, now and then.

    Returns:
        The header (column names; for JSON Lines, the keys of the first record and
        the qualifier names used) and the rows.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("\\ufeffsubject,predicate,object\\nA,directed,B\\n")
        >>> header, rows = read_rows(p)
        >>> header, [r.cells["object"].value for r in rows]
        (['subject', 'predicate', 'object'], ['B'])
    """
    kind = suffix(path).lstrip(".")
    raw = path.open("rb")
    text = _open_text(path, raw)
    name = str(path)

    def progress() -> None:
        if on_progress is not None:
            on_progress(raw.tell())

    if kind == "jsonl":
        return _jsonl_header(path), _jsonl_rows(name, raw, text, progress)
    delimiter = "\t" if kind == "tsv" else ","
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        return [], iter(())
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        raw.close()
        return [], iter([Problem(name, 1, None, None, _reading_error(exc))])
    header = [h.strip() for h in header]
    return header, _csv_rows(name, raw, reader, header, progress)


def _reading_error(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"the file is not UTF-8 ({exc.reason} at byte {exc.start}): save it as UTF-8"
    if isinstance(exc, (OSError, EOFError)):
        return f"cannot read the file: {exc}"
    return f"{exc}: check the quoting of this row"


def _csv_rows(
    name: str, raw: IO[bytes], reader: Iterator[list[str]], header: list[str], progress: Callable[[], None]
) -> Iterator[Row | Problem]:
    start = 2
    try:
        for count, record in enumerate(reader):
            line = start
            start = reader.line_num + 1  # type: ignore[attr-defined]
            if count % 4096 == 0:
                progress()
            if not any(v.strip() for v in record):
                continue
            if len(record) != len(header):
                yield Problem(
                    name,
                    line,
                    None,
                    None,
                    f"this row has {len(record)} fields but the header has {len(header)}: "
                    "quote values that contain the separator",
                )
                continue
            yield Row(
                line,
                {h: Cell(v.strip(), i) for i, (h, v) in enumerate(zip(header, record), 1) if v.strip()},
            )
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
        yield Problem(name, start, None, None, _reading_error(exc))
    finally:
        progress()
        raw.close()


def _jsonl_header(path: Path) -> list[str]:
    keys: dict[str, None] = {}
    with path.open("rb") as raw, _open_text(path, raw) as text:
        try:
            for line in text:
                if not line.strip():
                    continue
                record = json.loads(line)
                if isinstance(record, dict):
                    for key, value in record.items():
                        if key == "qualifiers" and isinstance(value, dict):
                            keys.update(dict.fromkeys(value))
                        else:
                            keys[key] = None
        except (ValueError, OSError, EOFError):
            pass  # reported with its line by _jsonl_rows
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
    name: str, raw: IO[bytes], text: IO[str], progress: Callable[[], None]
) -> Iterator[Row | Problem]:
    number = 0
    try:
        for number, line in enumerate(text, 1):
            if number % 4096 == 0:
                progress()
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                column = getattr(exc, "colno", None)
                yield Problem(name, number, column, None, f"not valid JSON: {getattr(exc, 'msg', exc)}")
                continue
            if not isinstance(record, dict):
                yield Problem(name, number, None, None, "each line must be a JSON object such as {\"subject\": ...}")
                continue
            cells: dict[str, Cell] = {}
            problem = None
            items = list(record.items())
            qualifiers = record.get("qualifiers")
            if isinstance(qualifiers, dict):
                items = [(k, v) for k, v in items if k != "qualifiers"] + list(qualifiers.items())
            elif qualifiers is not None:
                problem = "qualifiers must be a JSON object of qualifier names to values"
            seen: set[str] = set()
            for key, value in items:
                if key in seen:
                    problem = (
                        f"key {key} is given twice (at the top level and in qualifiers): "
                        "give it once; a list gives several values"
                    )
                    break
                seen.add(key)
                if isinstance(qualifiers, dict) and key in qualifiers and key in _SPECIAL:
                    problem = f"qualifiers.{key}: {key} is not a qualifier; give it at the top level"
                    break
                try:
                    converted = _json_value(value)
                except TypeError as exc:
                    problem = f"key {key}: a value must be a string, number, boolean or list, not {exc}"
                    break
                if converted is not None:
                    cells[key] = Cell(converted, None)
            if problem:
                yield Problem(name, number, None, None, problem)
                continue
            yield Row(number, cells)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        yield Problem(name, number + 1, None, None, _reading_error(exc))
    finally:
        progress()
        raw.close()
