"""The statement sink: every importer's records, validated and reified through the ontology.

A record (:class:`~kg.ingest.records.Row`) is ``subject, predicate, object`` plus optional
qualifiers (any qualifier name of the ontology, or a field named by a CURIE or IRI),
``source`` and ``quote``. How it lands in RDF is described in the README ("The RDF
contract") and written by :mod:`kg.statements`.

Examples:
    >>> import io
    >>> from kg.ontology import load_ontology
    >>> out = io.BytesIO()
    >>> sink = StatementSink(load_ontology(), path="x.csv", out=out)
    >>> sink.start(["subject", "predicate", "object", "duration"])
    >>> sink.record(Row(2, {"subject": Cell("Mikey Madison", 1), "predicate": Cell("trained-for", 2),
    ...     "object": Cell("Anora", 3), "duration": Cell("5 months", 4)}))
    >>> sink.finish()
    >>> lines = out.getvalue().decode().splitlines()
    >>> len(lines), sink.statements, lines[8].split()[1]
    (15, 1, '<https://w3id.org/filmkg/ontology#duration>')
    >>> lines[-2].split()[1:3]  # the bounds of "5 months" (README, "The RDF contract")
    ['<https://w3id.org/filmkg/ontology#lowerBound>', '"150"^^<http://www.w3.org/2001/XMLSchema#decimal>']
"""

from __future__ import annotations

import gc
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox

from kg.errors import IngestError, NotFoundError, Problem
from kg.identifiers import Identifier, deciding, parse_identifier, split_identifiers
from kg.ingest.limits import Limits, check_free_space, disk_full, temp_space_advice
from kg.ingest.records import CORE_FIELDS, SPECIAL_FIELDS, Cell, Row, RowProblem
from kg.ingest.rejects import Rejects
from kg.ingest.values import Bounds, bounds, has_bounds, parse_value
from kg.ontology import Ontology, Property, mint_entity
from kg.statements import bounds_lines, nt_literal, source_lines, statement_lines
from kg.vocab import OWL_SAME_AS, RDF_TYPE, RDFS_LABEL

__all__ = ["MAX_LISTED_PROBLEMS", "Rejects", "StatementSink"]


MAX_LISTED_PROBLEMS = 100
"""An error message lists at most this many problems per file (``skip_bad_rows`` writes them all)."""

_T = TypeVar("_T")
_Ids = tuple[Identifier, ...]
_Pending = tuple[str, str | None, str | None, _Ids] | None
"""An entity description waiting for its row to be found good: node, label, class, identifiers."""
_IRI_SCHEME = re.compile(r"(?:https?|urn|ftp|mailto|file):\S+", re.IGNORECASE)
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
"""NUL and lone surrogates: no name, label or IRI may hold them."""
_SHOWN_VALUES = 10
"""A report of values without a mapping shows the most frequent this many."""
_CACHED = 200_000
"""Each cache of the sink (entities, values, classes, descriptions) holds at most this many entries."""
_COLLECT_EVERY = 100_000
"""While records come in bulk, the garbage collector looks at new objects after this many (Python's default: 700)."""
_SPACE_CHECK_BYTES = 64 << 20
"""The free space of the temporary disk is checked after each this many bytes written."""


class _Counted:
    """An iterable that counts what passes through it, and calls ``every`` now and then."""

    def __init__(self, items: Iterable[ox.Triple], every: Callable[[], None]) -> None:
        self.items = items
        self.every = every
        self.count = 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for item in self.items:
            self.count += 1
            if self.count % 100_000 == 0:
                self.every()
            yield item


class StatementSink:
    """Where every importer sends its records: each is validated through the ontology and written,
    with its statement node, as N-Triples to ``out``; bad records are collected (or rejected).

    Use: :meth:`start` with the record fields, :meth:`record` for each record (or :meth:`triples`
    for RDF read as it is), then :meth:`finish`.

    Args:
        ontology: the vocabulary.
        path: the file name used in messages.
        out: where the N-Triples go.
        strict: predicates and qualifiers outside the ontology are errors, not warnings.
        rejects: write bad records here with their reasons, instead of failing.
        limits: ``min_free_bytes`` is kept free on the disk ``out`` is written to.
    """

    def __init__(
        self,
        ontology: Ontology,
        *,
        path: str,
        out: IO[bytes] | None = None,
        strict: bool = False,
        rejects: Rejects | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.ontology = ontology
        self.path = path
        self.strict = strict
        self.out = out
        self.rejects = rejects
        self.limits = limits or Limits()
        self.warnings: list[Problem] = []
        self.header_problems: list[Problem] = []
        self.rows = 0
        """Records read."""
        self.triples_written = 0
        """N-Triples lines written (a repeated triple counts again; the store keeps one)."""
        self.statements = 0
        """Statement nodes written (a repeated row counts again; the store keeps one)."""
        self.rejected = 0
        self.left_out = 0
        """Records an importer left out: values without a mapping (:meth:`unmapped`), rows it skipped (:meth:`skipped`)."""
        self.raw = False
        """Whether RDF triples came in as they are (:meth:`triples`), rather than records."""
        self._problems: list[Problem] = []
        self._problem_count = 0
        self._batch: list[str] = []
        self._columns: dict[str, Property | str] = {}
        self._plan: list[tuple[str, Property | str, str, bool]] = []
        """Each qualifier column: its property (or IRI), that in N-Triples, and whether its values have bounds."""
        self._emitted: set[tuple[str, str, str]] = set()
        self._entity_cache: dict[tuple[str, str], tuple[str, str | None, _Ids]] = {}
        self._relation_cache: dict[str, tuple[Property | None, str]] = {}
        self._value_cache: dict[tuple[str, str], tuple[str, _Pending]] = {}
        self._bounds_cache: dict[tuple[str, str], Bounds | None] = {}
        self._class_cache: dict[tuple[_Ids, str | None, tuple[str, ...]], str | None] = {}
        self._ends: dict[tuple[object, ...], _Pending] = {}
        """Subjects as given (text, identifiers, type, the relation's domain) -> their descriptions."""
        self._objects: dict[tuple[object, ...], tuple[str | None, _Pending]] = {}
        """Objects as given -> their N-Triples and descriptions."""
        self._described: set[tuple[str, str | None, str | None, _Ids]] = set()
        """Entity descriptions written whole: a repeated one is skipped without a look at its parts."""
        self._source_names: dict[str, str] = {}
        self._source_nodes: dict[str, str] = {}
        """Sources described already, by name: their nodes (N-Triples)."""
        self._warned: set[str] = set()
        self._more_warnings = 0
        self._positions: dict[str, int] = {}
        self._unmapped: dict[tuple[str, str], Counter[str]] = {}
        self._unmapped_at: dict[tuple[str, str], int] = {}
        self._skipped: dict[str, int] = {}
        self._written = 0
        self._checked_at = 0

    def start(self, header: Sequence[str]) -> None:
        """Check the record fields (a table's header): required ones present, each given once, every
        other one a qualifier. The check is linear in the number of fields, and stops listing
        problems after :data:`MAX_LISTED_PROBLEMS`.

        Raises:
            IngestError: the fields are not usable; the problems are listed.
        """
        self._positions = {}
        unchecked = 0
        for index, column in enumerate(header, 1):
            if len(self.header_problems) >= MAX_LISTED_PROBLEMS:
                unchecked = len(header) - index + 1
                break
            first = self._positions.setdefault(column, index)
            if first != index and column != "":
                self.header_problems.append(
                    Problem(self.path, 1, index, column,
                            f'"{column}" is given twice (columns {first} and {index}): give each column once')
                )  # fmt: skip
                continue
            if _BAD_TEXT.search(column):
                self.header_problems.append(
                    Problem(self.path, 1, index, None, "a column name holds a NUL character: remove it")
                )
                continue
            try:
                self._check_column(column, index)
            except RowProblem as problem:
                self.header_problems.append(problem.located(self.path, 1))
        self._plan = [
            (column, target, f"<{target.iri}>", bool(target.datatype and has_bounds(target.datatype)))
            if isinstance(target, Property) else (column, target, f"<{target}>", False)
            for column, target in self._columns.items()
        ]  # fmt: skip
        missing = [c for c in CORE_FIELDS if c not in self._positions]
        if missing and header and not unchecked:
            self.header_problems.append(
                Problem(self.path, 1, None, None, f"missing required column(s): {', '.join(missing)}")
            )
        if not header:
            self.header_problems.append(Problem(self.path, 1, None, None, "the file is empty: it needs a header row"))
        if self.header_problems:
            listed = list(self.header_problems)
            if unchecked:
                listed.append(
                    Problem(self.path, 1, None, None,
                            f"the other {unchecked:,} columns were not checked: fix these first")
                )  # fmt: skip
            raise IngestError(self.path, listed)

    def record(self, row: Row | Problem) -> None:
        """Validate one record and write its triples; a bad one is collected, or rejected with its reasons."""
        if isinstance(row, Problem):
            found = [row]
        else:
            self.rows += 1
            produced, errors = self.convert(row)
            if not errors:
                self._batch += produced
                if len(self._batch) > 20_000:
                    self._flush()
                return
            found = [e.located(self.path, row.line) for e in errors]
        self._problem_count += len(found)
        if self.rejects is not None:
            self.rejects.write(Path(self.path), row, found)
            self.rejected += 1
        elif len(self._problems) < MAX_LISTED_PROBLEMS:
            self._problems.extend(found[: MAX_LISTED_PROBLEMS - len(self._problems)])

    @contextmanager
    def bulk(self) -> Iterator[StatementSink]:
        """A block in which records come in bulk: Python's garbage collector runs less often (a
        tenth of the checking time went to it, going over the sink's caches again and again).

        Examples:
            >>> import gc
            >>> from kg.ontology import load_ontology
            >>> sink = StatementSink(load_ontology(), path="x.tsv")
            >>> before = gc.get_threshold()
            >>> with sink.bulk():
            ...     gc.get_threshold()[0]
            100000
            >>> gc.get_threshold() == before
            True
        """
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], _COLLECT_EVERY), *threshold[1:])
        try:
            yield self
        finally:
            gc.set_threshold(*threshold)

    def triples(self, triples: Iterable[ox.Triple]) -> None:
        """Write RDF triples as they are (an RDF file's), counting each as a record.

        Raises:
            IngestError: the temporary disk is (nearly) full.
        """
        assert self.out is not None
        self.raw = True
        counted = _Counted(triples, self._check_space)
        try:
            ox.serialize(counted, self.out, format=ox.RdfFormat.N_TRIPLES)
        except OSError as exc:
            if disk_full(exc):
                raise self._disk_full(exc) from exc
            raise
        self.rows += counted.count
        self.triples_written += counted.count

    def unmapped(self, what: str, value: str, *, line: int = 0, fix: str = "") -> None:
        """Count a record left out because its ``value`` of ``what`` (an IMDb category, a TMDB job, a
        Wikidata property) has no mapping. :meth:`finish` reports each ``what`` once, with its most
        frequent values and ``fix``; with ``strict`` they are errors.

        Examples:
            >>> from kg.ontology import load_ontology
            >>> sink = StatementSink(load_ontology(), path="crew.json")
            >>> for job in ("Gaffer", "Gaffer", "Best Boy"):
            ...     sink.unmapped("TMDB job", job, line=3, fix="map it in ontology/mappings/tmdb.toml")
            >>> sink.finish()
            >>> sink.left_out, sink.warnings[0].message
            (3, '3 records left out, their TMDB job has no mapping: "Gaffer" (2), "Best Boy" (1): map it in ontology/mappings/tmdb.toml')
        """
        key = (what, fix)
        self._unmapped.setdefault(key, Counter())[value] += 1
        self._unmapped_at.setdefault(key, line)
        self.left_out += 1

    def skipped(self, reason: str) -> None:
        """Count a record left out for ``reason`` (a row whose subject renders empty); :meth:`finish`
        reports how many per reason, as a warning."""
        self._skipped[reason] = self._skipped.get(reason, 0) + 1
        self.left_out += 1

    def _report_left_out(self) -> None:
        errors: list[Problem] = []
        for (what, fix), counts in self._unmapped.items():
            total = sum(counts.values())
            shown = ", ".join(f'"{value}" ({n:,})' for value, n in counts.most_common(_SHOWN_VALUES))
            others = len(counts) - min(len(counts), _SHOWN_VALUES)
            more = f" and {others:,} other value{'s' if others != 1 else ''}" if others else ""
            message = (f"{total:,} record{'s' if total != 1 else ''} left out, their {what} has no mapping: "
                       f"{shown}{more}" + (f": {fix}" if fix else ""))  # fmt: skip
            problem = Problem(self.path, self._unmapped_at[(what, fix)], None, None, message)
            (errors if self.strict else self.warnings).append(
                Problem(problem.path, problem.line, None, None, message + " (allowed without `strict`)")
                if self.strict else problem
            )  # fmt: skip
        for reason, n in self._skipped.items():
            self.warnings.append(Problem(self.path, 0, None, None, f"{n:,} record{'s' if n != 1 else ''} skipped: {reason}"))
        self._unmapped.clear()
        self._skipped.clear()
        if errors:
            self._problems.extend(errors)
            self._problem_count += len(errors)

    def finish(self) -> None:
        """Write what is pending, and report the records left out.

        Raises:
            IngestError: some records were bad (and not rejected): the first problems, and how many more;
                with ``strict``, values without a mapping.
        """
        self._flush()
        self._report_left_out()
        if self._more_warnings:
            self.warnings.append(
                Problem(self.path, 0, None, None,
                        f"and {self._more_warnings:,} more names outside the ontology, kept as given")
            )  # fmt: skip
            self._more_warnings = 0
        if self._problems:
            raise IngestError(self.path, self._problems, more=self._problem_count - len(self._problems))

    def _flush(self) -> None:
        text = "".join(self._batch)
        self._batch.clear()
        if self.out is not None:
            data = text.encode("utf-8")
            try:
                self.out.write(data)
            except OSError as exc:
                if disk_full(exc):
                    raise self._disk_full(exc) from exc
                raise
            self._written += len(data)
            if self._written - self._checked_at >= _SPACE_CHECK_BYTES:
                self._check_space()
        self.triples_written += text.count("\n")

    def _check_space(self) -> None:
        """Stop while ``min_free_bytes`` are still free on the disk the N-Triples go to."""
        name = getattr(self.out, "name", None)
        if not isinstance(name, str):  # not a file (a BytesIO)
            return
        self._checked_at = self._written
        written = self._written
        try:
            written = self.out.tell() if self.out is not None else written
        except (OSError, ValueError):
            pass
        check_free_space(Path(name).parent, 0, self.limits, path=self.path, written=written)

    def _disk_full(self, exc: OSError) -> IngestError:
        name = getattr(self.out, "name", None)
        folder = os.path.dirname(name) if isinstance(name, str) else "the temporary folder"
        message = f"the temporary folder {folder} is full ({exc.strerror or exc}): {temp_space_advice(self.limits)}"
        return IngestError(self.path, [Problem(self.path, 0, None, None, message)])

    def _check_column(self, column: str, position: int | None) -> None:
        if column in SPECIAL_FIELDS:
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
            raise RowProblem(name, f"{message} (allowed without `strict`)", Cell("", column))
        if name not in self._warned:
            self._warned.add(name)
            if len(self.warnings) < MAX_LISTED_PROBLEMS:
                self.warnings.append(Problem(self.path, line, column, None, f"{message}; kept as given"))
            else:
                self._more_warnings += 1

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

    def _names_entity(self, text: str) -> bool:
        """Whether an object outside the ontology names an entity: an IRI, a CURIE or an identifier."""
        if self._iri_of(text) is not None:
            return True
        try:
            return parse_identifier(text, self.ontology) is not None
        except ValueError:
            return True  # a malformed identifier: the entity path says what is wrong

    def _identifiers(self, text: str, column: str, cell: Cell | None) -> _Ids:
        """The identifiers of an id cell (``subject_id``, ``object_id``): one or more, each in notation."""
        found = []
        for part in split_identifiers(text):
            try:
                identifier = parse_identifier(part, self.ontology)
            except ValueError as exc:
                raise RowProblem(column, str(exc), cell) from None
            if identifier is None:
                notations = ", ".join(sorted({s.notation + "..." for s in self.ontology.identifiers}))
                raise RowProblem(column, f'"{part}" is not an identifier: write one of {notations}', cell)
            found.append(identifier)
        return tuple(found)

    def _entity(
        self, text: str, column: str, cell: Cell | None, ids: str = "", ids_cell: Cell | None = None
    ) -> tuple[str, str | None, _Ids]:
        """The IRI of an entity cell as this file alone gives it, the label to give it (``None``
        for IRIs, CURIEs and identifiers) and its identifiers (from the cell or ``ids``)."""
        found = self._entity_cache.get((text, ids))
        if found is not None:
            return found
        given = self._identifiers(ids, f"{column}_id", ids_cell) if ids else ()
        try:
            named = parse_identifier(text, self.ontology)
        except ValueError as exc:
            raise RowProblem(column, str(exc), cell) from None
        if named is not None:
            identifiers = tuple(sorted({named, *given}, key=lambda i: i.notation))
            result: tuple[str, str | None, _Ids] = (f"<{deciding(identifiers).iri}>", None, identifiers)
        elif given:
            identifiers = tuple(sorted(set(given), key=lambda i: i.notation))
            result = (f"<{deciding(identifiers).iri}>", " ".join(text.split()), identifiers)
        elif (iri := self._iri_of(text)) is not None:
            result = (self._node(iri, column, cell), None, ())
        else:
            result = (f"<{mint_entity(text)}>", " ".join(text.split()), ())
        if len(self._entity_cache) < _CACHED:
            self._entity_cache[(text, ids)] = result
        return result

    def _identified_class(
        self, ids: _Ids, cls: str | None, allowed: tuple[str, ...], column: str, cell: Cell | None
    ) -> str | None:
        """The class of an entity given by identifiers: what its identifiers name (an IMDb ``tt`` id a
        film), which must fit the relation; else ``cls``."""
        key = (ids, cls, allowed)
        if key in self._class_cache:
            return self._class_cache[key]
        named = sorted({i.scheme.identifies for i in ids if i.scheme.identifies})
        if not named:
            return cls
        if len(named) > 1 or (cls is not None and cls != named[0]) or (allowed and named[0] not in allowed):
            names = self.ontology.classes
            what = " and ".join(names[c].name if c in names else c for c in named)
            wanted = [cls] if cls is not None else list(allowed)
            expected = " or ".join(names[c].name if c in names else c for c in wanted)
            notations = ", ".join(i.notation for i in ids)
            raise RowProblem(column, f"{notations} names a {what}, but the row needs a {expected}: fix the identifier",
                             cell)  # fmt: skip
        if len(self._class_cache) < _CACHED:
            self._class_cache[key] = named[0]
        return named[0]

    def _describe(self, out: list[str], node: str, label: str | None, cls: str | None, ids: _Ids) -> None:
        description = (node, label, cls, ids)
        if description in self._described:
            return
        if len(self._described) < _CACHED:
            self._described.add(description)
        if label is not None and (node, "l", label) not in self._emitted:
            self._emitted.add((node, "l", label))
            out.append(f"{node} <{RDFS_LABEL}> {nt_literal(label)} .\n")
        if cls is not None and (node, "t", cls) not in self._emitted:
            self._emitted.add((node, "t", cls))
            out.append(f"{node} <{RDF_TYPE}> <{cls}> .\n")
        for identifier in ids:
            if (node, "i", identifier.notation) not in self._emitted:
                self._emitted.add((node, "i", identifier.notation))
                out.append(f"{node} <{identifier.property}> {nt_literal(identifier.value)} .\n")
                out.append(f"{node} <{OWL_SAME_AS}> <{identifier.public}> .\n")

    def _class(self, cell: Cell | None, column: str, allowed: tuple[str, ...], relation: str) -> str | None:
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
            if prop.choices and lexical not in prop.choices:
                raise RowProblem(column, f'"{text}" is not a {prop.name}: write {" or ".join(prop.choices)}', cell)
            result: tuple[str, _Pending] = (nt_literal(lexical, datatype), None)
        else:
            node, label, ids = self._entity(text, column, cell)
            result = (node, (node, label, prop.range[0] if len(prop.range) == 1 else None, ids))
        if len(self._value_cache) < _CACHED:
            self._value_cache[key] = result
        return result

    def convert(self, row: Row) -> tuple[list[str], list[RowProblem]]:
        """The triples of one row as N-Triples lines, or (when the row is bad) every problem found in it.

        Triples that describe an entity or a source already described earlier in the
        file are not repeated.
        """
        cells = row.cells
        found = self._cell_problems(cells)
        if found:
            return [], found
        pcell, ocell = cells["predicate"], cells["object"]
        try:
            prop, predicate = self._relation(self._single(pcell, "predicate"), pcell, row.line)
        except RowProblem as problem:
            return [], [problem]
        relation_name = prop.name if prop else predicate[1:-1]
        subject = self._subject(cells, prop.domain if prop else (), relation_name, found)
        pending: list[_Pending] = [subject]
        obj: str | None = None
        if prop is not None and prop.is_literal:
            obj = self._literal(cells, prop, found)
        else:
            obj, description = self._object(cells, prop, relation_name, found)
            pending.append(description)
        qualifiers: list[tuple[str, str]] = []
        bounded: list[tuple[str, Bounds]] = []
        if prop is not None and prop.datatype is not None and obj is not None:
            bounded += [(predicate, b) for b in (self._bounds(self._single(ocell, "object"), prop.datatype),) if b]
        self._qualifiers(cells, found, qualifiers, bounded, pending)
        source: str | None = None
        if "source" in cells:
            try:
                source = self._source_name(self._single(cells["source"], "source"), cells["source"])
            except RowProblem as problem:
                found.append(problem)
        if found or subject is None or obj is None:
            return [], found
        out: list[str] = []
        for description in pending:
            if description is not None:
                self._describe(out, *description)
        snode = subject[0]
        out.append(f"{snode} {predicate} {obj} .\n")
        if qualifiers or source is not None or any(not b.exact for _, b in bounded):  # a rough object needs its bounds
            source_node = self._source(out, source) if source is not None else None
            # Not remembered: a repeated row writes the same triples again, which the store keeps
            # once; remembering a million statement IRIs would cost a quarter of a gigabyte.
            lines = statement_lines(snode, predicate, obj, qualifiers, source_node)
            out += lines
            node = lines[0].split(" ", 1)[0]
            for bounded_prop, found_bounds in bounded:
                out += bounds_lines(node, bounded_prop, found_bounds.wording, *found_bounds.stored)
            self.statements += 1
        return out, []

    def _cell_problems(self, cells: dict[str, Cell]) -> list[RowProblem]:
        """The core fields missing, and the fields holding a NUL or a lone surrogate."""
        found = [
            RowProblem(
                column,
                f"{column} is empty: every row needs subject, predicate and object",
                Cell("", self._positions.get(column)),
            )
            for column in CORE_FIELDS
            if column not in cells
        ]
        texts = [given.value if isinstance(given.value, str) else "".join(given.value) for given in cells.values()]
        if _BAD_TEXT.search("".join(texts)):  # joining makes no NUL nor surrogate: then see which field
            for field_name, given in cells.items():
                values = given.value if isinstance(given.value, tuple) else (given.value,)
                if any(_BAD_TEXT.search(v) for v in values):
                    found.append(RowProblem(field_name, _bad_text(values), given))
        return found

    def _subject(
        self, cells: dict[str, Cell], domain: tuple[str, ...], relation: str, found: list[RowProblem]
    ) -> _Pending:
        """The subject's description (node, label, class, identifiers); ``None`` when it is bad
        (its problems added to ``found``)."""
        scell, ids_cell, type_cell = cells["subject"], cells.get("subject_id"), cells.get("subject_type")
        key = ("s", scell.value, ids_cell.value if ids_cell else "", type_cell.value if type_cell else None, domain)
        known = self._ends.get(key)
        if known is not None:
            return known
        before = len(found)
        cls = self._attempt(found, self._class, type_cell, "subject_type", domain, relation)
        ids = self._attempt(found, self._single, ids_cell, "subject_id") if ids_cell is not None else ""
        text = self._attempt(found, self._single, scell, "subject")
        entity = self._attempt(found, self._entity, text, "subject", scell, ids or "", ids_cell) if text is not None else None
        if entity is None:
            return None
        cls = self._attempt(found, self._identified_class, entity[2], cls, domain, "subject", scell)
        result = (entity[0], entity[1], cls, entity[2])
        if len(found) == before and len(self._ends) < _CACHED:
            self._ends[key] = result
        return result

    def _object(
        self, cells: dict[str, Cell], prop: Property | None, relation: str, found: list[RowProblem]
    ) -> tuple[str | None, _Pending]:
        """The object of a relation to an entity (or outside the ontology) in N-Triples, and its description."""
        ocell, ids_cell, type_cell = cells["object"], cells.get("object_id"), cells.get("object_type")
        ranges = prop.range if prop else ()
        key = ("o", ocell.value, ids_cell.value if ids_cell else "", type_cell.value if type_cell else None, ranges,
               prop is None)  # fmt: skip
        known = self._objects.get(key)
        if known is not None:
            return known
        before = len(found)
        text = self._attempt(found, self._single, ocell, "object")
        ids = self._attempt(found, self._single, ids_cell, "object_id") if ids_cell is not None else ""
        cls = self._attempt(found, self._class, type_cell, "object_type", ranges, relation)
        if text is None:
            return None, None
        result: tuple[str | None, _Pending] = (None, None)
        if prop is None and cls is None and not ids and not self._names_entity(text):
            result = (nt_literal(text), None)
        else:
            entity = self._attempt(found, self._entity, text, "object", ocell, ids or "", ids_cell)
            if entity is None:
                return None, None
            cls = self._attempt(found, self._identified_class, entity[2], cls, ranges, "object", ocell)
            result = (entity[0], (entity[0], entity[1], cls, entity[2]))
        if len(found) == before and len(self._objects) < _CACHED:
            self._objects[key] = result
        return result

    def _literal(self, cells: dict[str, Cell], prop: Property, found: list[RowProblem]) -> str | None:
        """The object of a relation to a value, in N-Triples."""
        if "object_type" in cells:
            found.append(RowProblem("object_type", f"{prop.name} takes a value, not an entity: leave object_type empty",
                                    cells["object_type"]))  # fmt: skip
        ocell = cells["object"]
        value = self._attempt(found, self._value_of, prop, ocell)
        if "object_id" in cells:
            found.append(RowProblem("object_id", f"{prop.name} takes a value, not an entity: leave object_id empty",
                                    cells["object_id"]))  # fmt: skip
        return value[0] if value is not None else None

    def _value_of(self, prop: Property, cell: Cell) -> tuple[str, _Pending]:
        return self._value(prop, self._single(cell, "object"), "object", cell)

    def _qualifiers(
        self,
        cells: dict[str, Cell],
        found: list[RowProblem],
        qualifiers: list[tuple[str, str]],
        bounded: list[tuple[str, Bounds]],
        pending: list[_Pending],
    ) -> None:
        """Add each qualifier's ``(property, value)`` (N-Triples), the bounds of its dates and
        durations, and the descriptions of its entities."""
        for column, target, term, bounded_values in self._plan:
            cell = cells.get(column)
            if cell is None:
                continue
            items = cell.value if isinstance(cell.value, tuple) else (cell.value,)
            if isinstance(target, Property):
                for item in items:
                    qualifier = self._value_cache.get((target.iri, item)) or self._attempt(
                        found, self._value, target, item, column, cell
                    )
                    if qualifier is not None:
                        qualifiers.append((term, qualifier[0]))
                        pending.append(qualifier[1])
                        found_bounds = self._bounds(item, target.datatype) if bounded_values and target.datatype else None
                        if found_bounds is not None:
                            bounded.append((term, found_bounds))
            else:
                for item in items:
                    iri = self._iri_of(item)
                    node = self._attempt(found, self._node, iri, column, cell) if iri else nt_literal(item)
                    if node is not None:
                        qualifiers.append((term, node))

    @staticmethod
    def _attempt(found: list[RowProblem], step: Callable[..., _T], *args: object) -> _T | None:
        """``step(*args)``, or ``None`` with its problem added to ``found``."""
        try:
            return step(*args)
        except RowProblem as problem:
            found.append(problem)
            return None

    def _source_name(self, text: str, cell: Cell) -> str:
        known = self._source_names.get(text)
        if known is not None:
            return known
        name = " ".join(text.split())
        if re.match(r"https?://", name, re.IGNORECASE):
            self._node(name, "source", cell)
        if len(self._source_names) < _CACHED:
            self._source_names[text] = name
        return name

    def _source(self, out: list[str], name: str) -> str:
        known = self._source_nodes.get(name)
        if known is not None:
            return known  # described already
        node, lines = source_lines(name)
        if (node, "src", "") not in self._emitted:
            self._emitted.add((node, "src", ""))
            out += lines
        if len(self._source_nodes) < _CACHED:
            self._source_nodes[name] = node
        return node

    def _bounds(self, text: str, datatype: str) -> Bounds | None:
        """:func:`~kg.ingest.values.bounds`, remembered."""
        if not has_bounds(datatype):
            return None
        key = (text, datatype)
        if key in self._bounds_cache:
            return self._bounds_cache[key]
        found = bounds(text, datatype)
        if len(self._bounds_cache) < _CACHED:
            self._bounds_cache[key] = found
        return found


def _bad_text(values: Sequence[str]) -> str:
    if any("\x00" in v for v in values):
        return "holds a NUL character (\\0), which no name, label or IRI may: remove it"
    return "holds a lone surrogate, which is not a character: fix the file's encoding"
