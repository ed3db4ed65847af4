"""The importer of any table through a mapping file (:mod:`kg.ingest.mapping`): ``filmkg ingest FILE --map MAPPING.toml``.

Each row of a CSV or TSV table (optionally ``.gz``, or the one table of a ``.zip``; a row shorter
than the header has its last cells empty) gives one
statement per ``[[statement]]`` table whose ``when`` it passes, and one per value of its
``split`` columns. A statement whose subject or object renders empty is skipped and counted,
as is a row no ``[[statement]]`` takes; both are reported in the ingest's warnings.

Examples:
    >>> import tempfile
    >>> from kg import KnowledgeGraph
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "cast.csv").write_text("name,film,role\\nMikey Madison,Anora,Ani\\n,Anora,Igor\\n")
    >>> _ = (folder / "cast.toml").write_text('''
    ... [[statement]]
    ... subject = "{name}"
    ... predicate = "acted-in"
    ... object = "{film}"
    ... qualifiers = { character = "{role}" }
    ... ''')
    >>> report = KnowledgeGraph.memory().ingest(folder / "cast.csv", importer=MappedTable.from_file(folder / "cast.toml"))
    >>> report.statements, report.left_out, report.warnings[0].message
    (1, 1, '1 record skipped: statement 1 (line 2 of the mapping) has an empty subject or object')
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping as MappingType
from pathlib import Path

from kg.errors import IngestError, NotFoundError, Problem
from kg.formats import suffix
from kg.ingest.annotated import read_rows
from kg.ingest.importer import ImportOptions
from kg.ingest.mapping import Lookup, Mapping, StatementMap, load_mapping
from kg.ingest.records import Cell, Row
from kg.ingest.sink import StatementSink
from kg.ontology import ontology_dir

__all__ = ["MAPPING_SUFFIX", "MappedTable", "mapping_beside", "shipped_mapping"]

MAPPING_SUFFIX = ".map.toml"
"""A table ``NAME.csv`` with ``NAME.map.toml`` beside it is read through that mapping file."""

_Values = dict[str, str]


class MappedTable:
    """The importer of a table through a mapping file (see :mod:`kg.ingest.mapping`).

    Args:
        mapping: the parsed mapping file.
    """

    name = "mapped"
    description = "any CSV or TSV table (.gz, or in a .zip) through a TOML mapping file (--map)"
    suffixes = (".csv", ".tsv", ".txt", ".zip")

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping

    @classmethod
    def from_file(cls, path: Path) -> MappedTable:
        """The importer for the mapping file ``path``.

        Raises:
            IngestError: the mapping file is missing or wrong; with its line and key.
        """
        return cls(load_mapping(path))

    def claims(self, path: Path) -> bool:
        """Every table found in a folder (the mapping file itself is not a table)."""
        return path.resolve() != self.mapping.path.resolve()

    def fingerprint(self, path: Path) -> str:
        """The mapping file's and the lookup tables' contents: changing any replaces the table's graph."""
        digest = hashlib.sha256()
        for file in (self.mapping.path, *(lookup.file for lookup in self.mapping.lookups.values())):
            try:
                digest.update(file.read_bytes())
            except OSError:
                digest.update(f"missing:{file}".encode())  # reading it says what is wrong
        return f"mapping={digest.hexdigest()}"

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand the statements of every row of ``path`` to ``sink``.

        Raises:
            IngestError: the table cannot be read, lacks a column the mapping reads, or the
                mapping names a relation, qualifier or class the ontology lacks.
        """
        mapping = self.mapping
        _check_names(mapping, sink)
        name, size, progress = str(path), path.stat().st_size, options.progress
        header, rows = read_rows(
            path, limits=options.limits, delimiter=mapping.delimiter, quoting=mapping.quoting, short_rows=True,
            on_progress=(lambda n: progress(name, n, size)) if progress else None,
        )  # fmt: skip
        if not header:
            unreadable = [row for row in rows if isinstance(row, Problem)]
            raise IngestError(name, unreadable[:1] or [Problem(name, 1, None, None, "the table is empty: it needs a header row")])
        _check_columns(mapping, path, header, mapping.columns())
        joined = {lookup.name: _load_lookup(mapping, lookup, options) for lookup in mapping.lookups.values()}
        positions = {column: index for index, column in enumerate(header, 1)}
        sink.start(_fields(mapping))
        for row in rows:
            if isinstance(row, Problem):
                sink.record(row)
                continue
            values = {h: "" if c.value in mapping.null else str(c.value) for h, c in row.cells.items()}
            values.update({"_line": str(row.line), "_file": path.name})
            taken = False
            for index, statement in enumerate(mapping.statements, 1):
                try:
                    variants = list(_variants(values, statement, mapping))
                except _Misaligned as exc:
                    column = exc.columns[0]
                    sink.record(Problem(name, row.line, positions.get(column), column, str(exc)))
                    taken = True
                    continue
                for variant in variants:
                    _join(variant, joined, mapping)
                    if all(condition.holds(variant) for condition in statement.when):
                        taken = True
                        _emit(sink, row.line, index, statement, variant, positions)
            if not taken:
                sink.skipped('no [[statement]] takes the row (their "when" conditions)')


class _Misaligned(Exception):
    def __init__(self, message: str, columns: tuple[str, ...]) -> None:
        super().__init__(message)
        self.columns = columns


def _variants(values: _Values, statement: StatementMap, mapping: Mapping) -> Iterator[_Values]:
    """The row's values once per combination of its split columns' values (aligned within a split)."""
    choices = []
    for split in statement.splits:
        parts = {c: [v.strip() for v in values.get(c, "").split(split.sep)] for c in split.columns}
        longest = max(len(p) for p in parts.values())
        uneven = [c for c, p in parts.items() if len(p) not in (1, longest)]
        if uneven:
            counts = ", ".join(f"{c} {len(p)}" for c, p in parts.items())
            raise _Misaligned(f'the columns split together at "{split.sep}" have different numbers of values ({counts}): '
                              "give each the same number, or one value for all", tuple(uneven))  # fmt: skip
        choices.append([{c: ("" if (v := p[i] if len(p) > 1 else p[0]) in mapping.null else v) for c, p in parts.items()}
                        for i in range(longest)])  # fmt: skip
    for combination in itertools.product(*choices):
        variant = dict(values)
        for chosen in combination:
            variant.update(chosen)
        yield variant


def _join(values: _Values, joined: MappingType[str, MappingType[str, _Values]], mapping: Mapping) -> None:
    for name, table in joined.items():
        found = table.get(values.get(mapping.lookups[name].on, ""), {})
        values.update({f"{name}.{column}": value for column, value in found.items()})


def _emit(sink: StatementSink, line: int, index: int, statement: StatementMap, values: _Values,
          positions: MappingType[str, int]) -> None:  # fmt: skip
    cells: dict[str, Cell] = {}
    for field_name, template in statement.fields.items():
        text = template.render(values)
        if text:
            cells[field_name] = Cell(text, _position(template.columns, positions))
    if "subject" not in cells or "object" not in cells or "predicate" not in cells:
        sink.skipped(f"statement {index} (line {statement.line} of the mapping) has an empty subject or object")
        return
    for qualifier, templates in statement.qualifiers.items():
        rendered = tuple(text for t in templates if (text := t.render(values)))
        if rendered:
            columns = tuple(c for t in templates for c in t.columns)
            cells[qualifier] = Cell(rendered[0] if len(rendered) == 1 else rendered, _position(columns, positions))
    sink.record(Row(line, cells))


def _position(columns: tuple[str, ...], positions: MappingType[str, int]) -> int | None:
    return next((positions[c] for c in columns if c in positions), None)


def _fields(mapping: Mapping) -> list[str]:
    names = {f for s in mapping.statements for f in s.fields} | {q for s in mapping.statements for q in s.qualifiers}
    return sorted(names)


def _check_columns(mapping: Mapping, path: Path, header: list[str], wanted: set[str]) -> None:
    missing = sorted(wanted - set(header))
    if not missing:
        return
    where = next(
        (f"statement[{i}]" for i, s in enumerate(mapping.statements, 1) if missing[0] in s.columns()), "lookup"
    )
    known = ", ".join(header[:30])
    raise mapping.error(where, f'{path.name} has no column "{missing[0]}" (it has {known}): fix the template or the table')


def _check_names(mapping: Mapping, sink: StatementSink) -> None:
    """Constant relations, qualifier names and constant types must be the ontology's (or CURIEs)."""
    ontology = sink.ontology
    for index, statement in enumerate(mapping.statements, 1):
        where = f"statement[{index}]"
        checks = [("predicate", ontology.relation)] + [(f, ontology.ontology_class) for f in ("subject_type", "object_type")]
        for field_name, lookup in checks:
            template = statement.fields.get(field_name)
            if template is None or not template.constant or ":" in template.text:
                continue
            try:
                lookup(template.text)
            except NotFoundError as exc:
                raise mapping.error(f"{where}.{field_name}", str(exc).split("; known:")[0]) from None
        for qualifier in statement.qualifiers:
            if ":" in qualifier or qualifier == "quote":
                continue
            try:
                ontology.qualifier(qualifier)
            except NotFoundError as exc:
                message = str(exc).split("; known:")[0] + ": use a qualifier of the ontology or a CURIE such as pq:P1686"
                raise mapping.error(f"{where}.qualifiers.{qualifier}", message) from None


def _load_lookup(mapping: Mapping, lookup: Lookup, options: ImportOptions) -> dict[str, _Values]:
    """The lookup table by its key column (the first row of a key wins)."""
    if not lookup.file.is_file():
        raise mapping.error(f"lookup.{lookup.name}.file", f"no such file {lookup.file}: fix the path (relative to the mapping file)")
    header, rows = read_rows(lookup.file, limits=options.limits, delimiter=lookup.delimiter, quoting=mapping.quoting,
                             short_rows=True)  # fmt: skip
    used = {c.split(".", 1)[1] for s in mapping.statements for c in s.columns() if c.startswith(f"{lookup.name}.")}
    _check_columns(mapping, lookup.file, header, used | {lookup.key})
    table: dict[str, _Values] = {}
    for row in rows:
        if isinstance(row, Problem):
            raise IngestError(str(lookup.file), [row])
        values = {h: "" if c.value in mapping.null else str(c.value) for h, c in row.cells.items() if h in used}
        key = row.cells.get(lookup.key)
        if key is not None:
            table.setdefault(str(key.value), values)
    return table




def mapping_beside(path: Path) -> Path | None:
    """The mapping file beside the table ``path`` (``oscars.map.toml`` for ``oscars.csv`` or
    ``oscars.csv.gz``), if there is one; ingesting a folder reads such tables through it.

    Examples:
        >>> mapping_beside(Path("/nonexistent/oscars.csv")) is None
        True
    """
    if suffix(path) not in MappedTable.suffixes:
        return None
    found = path.parent / (path.name.split(".", 1)[0] + MAPPING_SUFFIX)
    return found if found.is_file() else None


def shipped_mapping(name: str) -> Path:
    """The mapping file filmkg ships for a public table (``ontology/mappings/NAME.toml``).

    Raises:
        NotFoundError: no such mapping.

    Examples:
        >>> shipped_mapping("oscars").name
        'oscars.toml'
    """
    found = ontology_dir() / "mappings" / f"{name}.toml"
    if not found.is_file():
        raise NotFoundError(f'no shipped mapping "{name}" in {found.parent}')
    return found
