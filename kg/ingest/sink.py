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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import IngestError, NotFoundError, Problem
from kg.ingest.convert import BAD_TEXT, MAX_LISTED_PROBLEMS, RowConverter
from kg.ingest.limits import Limits, check_free_space, disk_full, temp_space_advice
from kg.ingest.records import CORE_FIELDS, SPECIAL_FIELDS, Cell, Row, RowProblem
from kg.ingest.rejects import Rejects
from kg.ingest.values import has_bounds
from kg.ontology import Ontology, Property

__all__ = ["MAX_LISTED_PROBLEMS", "Rejects", "StatementSink"]


_SHOWN_VALUES = 10
"""A report of values without a mapping shows the most frequent this many."""
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


class StatementSink(RowConverter):
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
        super().__init__(ontology, path=path, strict=strict)
        self.out = out
        self.rejects = rejects
        self.limits = limits or Limits()
        self.header_problems: list[Problem] = []
        self.rows = 0
        """Records read."""
        self.triples_written = 0
        """N-Triples lines written (a repeated triple counts again; the store keeps one)."""
        self.rejected = 0
        self.left_out = 0
        """Records an importer left out: values without a mapping (:meth:`unmapped`), rows it skipped (:meth:`skipped`)."""
        self.raw = False
        """Whether RDF triples came in as they are (:meth:`triples`), rather than records."""
        self._problems: list[Problem] = []
        self._problem_count = 0
        self._batch: list[str] = []
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
            if BAD_TEXT.search(column):
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
        self.triples_written += len(self._batch)  # one line each
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


