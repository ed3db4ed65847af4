"""Annotated triples: reading CSV, TSV and JSON Lines rows and turning each into RDF.

A row is ``subject, predicate, object`` plus optional qualifiers (any qualifier
name of the ontology, or a column headed by a CURIE or IRI), ``source`` and
``quote``. How a row lands in RDF is described in the README ("The RDF contract").

Examples:
    >>> from kg.ontology import load_ontology
    >>> converter = RowConverter(load_ontology(), path="x.csv", header=["subject", "predicate", "object", "duration"])
    >>> triples, problems = converter.convert(Row(2, {"subject": Cell("Mikey Madison", 1), "predicate": Cell("trained-for", 2),
    ...     "object": Cell("Anora", 3), "duration": Cell("5 months", 4)}))
    >>> lines = "".join(triples).splitlines()
    >>> len(lines), lines[-1].split()[1]
    (9, '<https://w3id.org/filmkg/ontology#duration>')
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox

from kg.errors import NotFoundError, Problem
from kg.ingest.values import parse_value
from kg.ontology import FILM, Ontology, Property, mint_entity, mint_hashed

__all__ = ["ANNOTATED_SUFFIXES", "Cell", "Row", "RowConverter", "RowProblem", "read_rows"]

ANNOTATED_SUFFIXES = (".csv", ".tsv", ".jsonl")
"""File suffixes read as annotated triples (each also with ``.gz``)."""

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PROV = "http://www.w3.org/ns/prov#"
_SCHEMA = "https://schema.org/"
_TYPE = f"<{_RDF}type>"
_LABEL = f"<{_RDFS}label>"
_STATEMENT = f"<{_RDF}Statement>"
_ST_SUBJECT = f"<{_RDF}subject>"
_ST_PREDICATE = f"<{_RDF}predicate>"
_ST_OBJECT = f"<{_RDF}object>"
_DERIVED = f"<{_PROV}wasDerivedFrom>"
_SOURCE_CLASS = f"<{FILM}Source>"
_URL = f"<{_SCHEMA}url>"
_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_CORE = ("subject", "predicate", "object")
_SPECIAL = (*_CORE, "subject_type", "object_type", "source")
_T = TypeVar("_T")
_Pending = tuple[str, str | None, str | None] | None
"""An entity description waiting for its row to be found good: node, label, class."""
_IRI_SCHEME = re.compile(r"(?:https?|urn|ftp|mailto|file):\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Cell:
    """One value of a row and the column (1-based) it came from; ``None`` in JSON Lines."""

    value: str | tuple[str, ...]
    column: int | None


@dataclass(frozen=True)
class Row:
    """One input record: its line number and its non-empty cells by column name."""

    line: int
    cells: dict[str, Cell]


class RowProblem(Exception):
    """A problem with one cell of a row; collected into an :class:`~kg.errors.IngestError`."""

    def __init__(self, column: str | None, message: str, cell: Cell | None = None) -> None:
        super().__init__(message)
        self.column_name = column
        self.column = cell.column if cell else None
        self.message = message

    def located(self, path: str, line: int) -> Problem:
        """This problem as a :class:`~kg.errors.Problem` in ``path`` at ``line``."""
        return Problem(path, line, self.column, self.column_name, self.message)


def _open_text(path: Path, raw: IO[bytes]) -> IO[str]:
    stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw  # type: ignore[assignment]
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def _format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1].lstrip(".") if suffixes else ""


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
    kind = _format(path)
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


class RowConverter:
    """Turns rows of one file into RDF triples, following the ontology.

    Args:
        ontology: the vocabulary.
        path: the file name used in messages.
        header: the file's column names; checked at once.
        strict: predicates and qualifiers outside the ontology are errors, not warnings.

    Raises:
        RowProblem: the header is not usable (a required column missing, an unknown
            column); see :attr:`header_problems`.
    """

    def __init__(self, ontology: Ontology, *, path: str, header: Sequence[str], strict: bool = False) -> None:
        self.ontology = ontology
        self.path = path
        self.strict = strict
        self.warnings: list[Problem] = []
        self.header_problems: list[Problem] = []
        self.statements = 0
        """Statement nodes written (a repeated row counts again; the store keeps one)."""
        self._columns: dict[str, Property | str] = {}
        self._emitted: set[tuple[str, str, str]] = set()
        self._entity_cache: dict[str, tuple[str, str | None]] = {}
        self._relation_cache: dict[str, tuple[Property | None, str]] = {}
        self._value_cache: dict[tuple[str, str], tuple[str, _Pending]] = {}
        self._warned: set[str] = set()
        self._positions = {name: index for index, name in enumerate(header, 1)}
        for column in header:
            try:
                self._check_column(column, header)
            except RowProblem as problem:
                self.header_problems.append(problem.located(path, 1))
        missing = [c for c in _CORE if c not in header]
        if missing and header:
            self.header_problems.append(
                Problem(path, 1, None, None, f"missing required column(s): {', '.join(missing)}")
            )
        if not header:
            self.header_problems.append(Problem(path, 1, None, None, "the file is empty: it needs a header row"))

    def _check_column(self, column: str, header: Sequence[str]) -> None:
        position = list(header).index(column) + 1 if column in header else None
        if column in _SPECIAL:
            return
        if column == "" or column == "qualifiers":
            if column == "":
                self.header_problems.append(
                    Problem(self.path, 1, position, None, "a column has no name: give every column a header")
                )
            return
        iri = self._iri_of(column)
        if iri is not None:
            known = self.ontology.properties.get(iri)
            if known is not None and known.is_qualifier:
                self._columns[column] = known
            else:
                self._columns[column] = iri
                self._warn_outside(1, position, column, f'qualifier {column} is not in the ontology')
            return
        try:
            self._columns[column] = self.ontology.qualifier(column)
        except NotFoundError as exc:
            message = str(exc).split("; known:")[0].replace("unknown qualifier", "unknown column")
            self.header_problems.append(
                Problem(
                    self.path,
                    1,
                    position,
                    column,
                    f"{message}: use subject, predicate, object, subject_type, object_type, source, "
                    "a qualifier of the ontology, or a CURIE such as pq:P1686",
                )
            )

    def _warn_outside(self, line: int, column: int | None, name: str, message: str) -> None:
        if self.strict:
            raise RowProblem(name, f"{message} (allowed without --strict)", Cell("", column))
        if name not in self._warned:
            self._warned.add(name)
            self.warnings.append(Problem(self.path, line, column, None, f"{message}; kept as given"))

    def _iri_of(self, text: str) -> str | None:
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        expanded = self.ontology.expand(text)
        if expanded is not None:
            return expanded
        if _IRI_SCHEME.fullmatch(text):
            return text
        return None

    def _node(self, iri: str, column: str, cell: Cell | None) -> str:
        """``<iri>`` in N-Triples, once the IRI is checked."""
        try:
            return str(ox.NamedNode(iri))
        except ValueError as exc:
            raise RowProblem(column, f'"{iri}" is not a valid IRI ({exc})', cell) from None

    def _entity(self, text: str, column: str, cell: Cell | None) -> tuple[str, str | None]:
        """The IRI of an entity cell and the label to give it (``None`` for IRIs and CURIEs)."""
        found = self._entity_cache.get(text)
        if found is not None:
            return found
        iri = self._iri_of(text)
        if iri is not None:
            result: tuple[str, str | None] = (self._node(iri, column, cell), None)
        else:
            result = (f"<{mint_entity(text)}>", " ".join(text.split()))
        if len(self._entity_cache) < 200_000:
            self._entity_cache[text] = result
        return result

    def _describe(self, out: list[str], node: str, label: str | None, cls: str | None) -> None:
        if label is not None and (node, "l", label) not in self._emitted:
            self._emitted.add((node, "l", label))
            out.append(f"{node} {_LABEL} {_literal(label)} .\n")
        if cls is not None and (node, "t", cls) not in self._emitted:
            self._emitted.add((node, "t", cls))
            out.append(f"{node} {_TYPE} <{cls}> .\n")

    def _class(self, row: Row, column: str, allowed: tuple[str, ...], relation: str) -> str | None:
        cell = row.cells.get(column)
        if cell is None:
            return allowed[0] if len(allowed) == 1 else None
        value = self._single(cell, column)
        try:
            cls = self.ontology.ontology_class(value).iri
        except NotFoundError as exc:
            raise RowProblem(column, str(exc), cell) from None
        if allowed and cls not in allowed:
            names = " or ".join(self.ontology.classes[c].name for c in allowed if c in self.ontology.classes)
            raise RowProblem(
                column,
                f'{self.ontology.classes[cls].name} does not fit {relation}, which expects {names}: '
                "fix the type or the relation",
                cell,
            )
        return cls

    @staticmethod
    def _single(cell: Cell, column: str) -> str:
        if isinstance(cell.value, tuple):
            raise RowProblem(column, "takes one value, not a list", cell)
        return cell.value

    def _relation(self, text: str, cell: Cell, line: int) -> tuple[Property | None, str]:
        cached = self._relation_cache.get(text)
        if cached is not None:
            return cached
        iri = self._iri_of(text)
        known = self.ontology.properties.get(iri) if iri else None
        if iri is not None and (known is None or known.is_qualifier):
            self._warn_outside(line, cell.column, text, f"relation {text} is not in the ontology")
            result: tuple[Property | None, str] = (None, self._node(iri, "predicate", cell))
        else:
            try:
                prop = self.ontology.relation(text)
            except NotFoundError as exc:
                message = str(exc).split("; known:")[0]
                raise RowProblem(
                    "predicate", f"{message}: use a relation of ontology/film.ttl or a CURIE such as wdt:P57", cell
                ) from None
            result = (prop, f"<{prop.iri}>")
        self._relation_cache[text] = result
        return result

    def _value(self, prop: Property, text: str, column: str, cell: Cell) -> tuple[str, _Pending]:
        """The value of ``prop`` written ``text`` (in N-Triples), and the entity description it calls for."""
        key = (prop.iri, text)
        found = self._value_cache.get(key)
        if found is not None:
            return found
        if prop.datatype is not None:
            try:
                lexical, datatype = parse_value(text, prop.datatype)
            except ValueError as exc:
                raise RowProblem(column, str(exc), cell) from None
            result: tuple[str, _Pending] = (_literal(lexical, datatype), None)
        else:
            node, label = self._entity(text, column, cell)
            result = (node, (node, label, prop.range[0] if len(prop.range) == 1 else None))
        if len(self._value_cache) < 200_000:
            self._value_cache[key] = result
        return result

    def convert(self, row: Row) -> tuple[list[str], list[RowProblem]]:
        """The triples of one row as N-Triples lines, or (when the row is bad) every problem found in it.

        Triples that describe an entity or a source already described earlier in the
        file are not repeated.
        """
        cells = row.cells
        found = [
            RowProblem(
                column,
                f"{column} is empty: every row needs subject, predicate and object",
                Cell("", self._positions.get(column)),
            )
            for column in _CORE
            if column not in cells
        ]
        if found:
            return [], found
        pending: list[_Pending] = []

        def attempt(step: Callable[[], _T]) -> _T | None:
            try:
                return step()
            except RowProblem as problem:
                found.append(problem)
                return None

        pcell, scell, ocell = cells["predicate"], cells["subject"], cells["object"]
        relation = attempt(lambda: self._relation(self._single(pcell, "predicate"), pcell, row.line))
        if relation is None:
            return [], found
        prop, predicate = relation
        relation_name = prop.name if prop else predicate[1:-1]
        domain = prop.domain if prop else ()
        subject_class = attempt(lambda: self._class(row, "subject_type", domain, relation_name))
        subject = attempt(lambda: self._entity(self._single(scell, "subject"), "subject", scell))
        if subject is not None:
            pending.append((subject[0], subject[1], subject_class))
        obj: str | None = None
        if prop is not None and prop.is_literal:
            if "object_type" in cells:
                found.append(
                    RowProblem(
                        "object_type",
                        f"{prop.name} takes a value, not an entity: leave object_type empty",
                        cells["object_type"],
                    )
                )
            value = attempt(lambda: self._value(prop, self._single(ocell, "object"), "object", ocell))
            if value is not None:
                obj = value[0]
        else:
            text = attempt(lambda: self._single(ocell, "object"))
            ranges = prop.range if prop else ()
            object_class = attempt(lambda: self._class(row, "object_type", ranges, relation_name))
            if text is not None:
                if prop is None and object_class is None and self._iri_of(text) is None:
                    obj = _literal(text)
                else:
                    entity = attempt(lambda: self._entity(text, "object", ocell))
                    if entity is not None:
                        pending.append((entity[0], entity[1], object_class))
                        obj = entity[0]
        qualifiers: list[tuple[str, str]] = []
        for column, target in self._columns.items():
            cell = cells.get(column)
            if cell is None:
                continue
            for item in cell.value if isinstance(cell.value, tuple) else (cell.value,):
                if isinstance(target, Property):
                    qualifier = attempt(partial(self._value, target, item, column, cell))
                    if qualifier is not None:
                        qualifiers.append((f"<{target.iri}>", qualifier[0]))
                        pending.append(qualifier[1])
                else:
                    iri = self._iri_of(item)
                    term = attempt(partial(self._node, iri, column, cell)) if iri else _literal(item)
                    if term is not None:
                        qualifiers.append((f"<{target}>", term))
        source: str | None = None
        if "source" in cells:
            source = attempt(lambda: self._source_name(self._single(cells["source"], "source"), cells["source"]))
        if found or subject is None or obj is None:
            return [], found
        out: list[str] = []
        for description in pending:
            if description is not None:
                self._describe(out, *description)
        snode = subject[0]
        out.append(f"{snode} {predicate} {obj} .\n")
        if qualifiers or source is not None:
            source_node = self._source(out, source) if source is not None else None
            parts = [snode, predicate, obj, *sorted(f"{q} {v}" for q, v in qualifiers)]
            if source_node is not None:
                parts.append(source_node)
            # Not remembered: a repeated row writes the same triples again, which the store keeps
            # once; remembering a million statement IRIs would cost a quarter of a gigabyte.
            statement = f"<{mint_hashed('statement', *parts)}>"
            self.statements += 1
            out.append(
                f"{statement} {_TYPE} {_STATEMENT} .\n{statement} {_ST_SUBJECT} {snode} .\n"
                f"{statement} {_ST_PREDICATE} {predicate} .\n{statement} {_ST_OBJECT} {obj} .\n"
            )
            out += [f"{statement} {q} {v} .\n" for q, v in qualifiers]
            if source_node is not None:
                out.append(f"{statement} {_DERIVED} {source_node} .\n")
        return out, []

    def _source_name(self, text: str, cell: Cell) -> str:
        name = " ".join(text.split())
        if re.match(r"https?://", name, re.IGNORECASE):
            self._node(name, "source", cell)
        return name

    def _source(self, out: list[str], name: str) -> str:
        node = f"<{mint_hashed('source', name.casefold())}>"
        if (node, "src", "") not in self._emitted:
            self._emitted.add((node, "src", ""))
            out.append(f"{node} {_TYPE} {_SOURCE_CLASS} .\n{node} {_LABEL} {_literal(name)} .\n")
            if re.match(r"https?://", name, re.IGNORECASE):
                out.append(f"{node} {_URL} <{name}> .\n")
        return node


def _literal(value: str, datatype: str = _STRING) -> str:
    """A literal in N-Triples syntax.

    Examples:
        >>> print(_literal('say "hi"\\n'))
        "say \\"hi\\"\\n"
        >>> _literal("P5M", "http://www.w3.org/2001/XMLSchema#duration")
        '"P5M"^^<http://www.w3.org/2001/XMLSchema#duration>'
    """
    text = f'"{value.translate(_ESCAPES)}"'
    return text if datatype == _STRING else f"{text}^^<{datatype}>"
