"""The IMDb importer: IMDb's non-commercial datasets (title.basics, title.principals, name.basics,
title.crew, title.akas; TSV, optionally ``.gz``), each file into its own named graph.

- ``title.basics``: each selected title (a Film ``imdb:tt...`` labelled by its primaryTitle):
  release-date (startYear), runtime (runtimeMinutes), one genre each, also-known-as (originalTitle
  when it differs; the primaryTitle when the title gives nothing else, so that it keeps its name).
- ``title.principals``: one statement per credit, the relation from the category
  (``ontology/mappings/imdb.toml``), with character (each name of the JSON array), role (the
  job), order (ordering), record (``tt.../ordering``) and source ``IMDb title.principals``.
  People and titles are given by id only; their names come from name.basics and title.basics.
- ``name.basics``: the people the selected titles need (their principals and crew): description
  (primaryProfession), birth-date, death-date (also-known-as the primaryName when none is given).
- ``title.crew``: directed and wrote, from the comma-separated directors and writers.
- ``title.akas``: also-known-as, each other title once (the first record that gives it; name
  resolution reads them).

Every file is read with title.basics beside it (the filters select titles from it); name.basics
needs title.principals beside it. Filters: ``titles``, ``since``, ``until``, ``types`` (by default
the ``[defaults] types`` of the mapping file: movie, tvMovie, short, video; every type when
``titles`` is given) and ``categories``.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "title.basics.tsv").write_text(
    ...     "tconst\\ttitleType\\tprimaryTitle\\toriginalTitle\\tisAdult\\tstartYear\\tendYear\\truntimeMinutes\\tgenres\\n"
    ...     "tt0000001\\tmovie\\tAnora\\tAnora\\t0\\t2024\\t\\\\N\\t139\\tComedy,Drama\\n")
    >>> _ = (folder / "title.principals.tsv").write_text(
    ...     "tconst\\tordering\\tnconst\\tcategory\\tjob\\tcharacters\\n"
    ...     'tt0000001\\t1\\tnm0000001\\tactress\\t\\\\N\\t["Ani"]\\n')
    >>> kg = KnowledgeGraph.memory()
    >>> report = kg.ingest([folder], importer=ImdbDatasets())
    >>> [(f.source, f.statements) for f in report.files]
    [('title.basics.tsv', 4), ('title.principals.tsv', 1)]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import IngestError, Problem, UsageError
from kg.ingest.imdbfiles import (
    COLUMNS,
    NULL,
    IdSet,
    ImdbMapping,
    companion,
    dataset_rows,
    id_number,
    kind_of_file,
    load_mapping,
)
from kg.ingest.importer import ImportOptions
from kg.ingest.limits import Limits
from kg.ingest.records import Cell, Row
from kg.ingest.sink import StatementSink

__all__ = ["ImdbDatasets", "parse_titles"]

_FIX = "map it in ontology/mappings/imdb.toml"
_CREW = (("directors", "director", 2), ("writers", "writer", 3))
"""title.crew's columns, the category each stands for, and its column number."""


def parse_titles(value: str) -> frozenset[str]:
    """The title ids of ``value``: a file of tconsts (one per line) or comma-separated ids.

    Raises:
        UsageError: an id that is not an IMDb title id, or none at all.

    Examples:
        >>> sorted(parse_titles("tt2535470, tt1754912"))
        ['tt1754912', 'tt2535470']
        >>> parse_titles("Wyrmwood")
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: titles: "Wyrmwood" is not an IMDb title id (tt0111161) nor a file of them
    """
    path = Path(value)
    from_file = path.is_file()
    try:
        text = path.read_text(encoding="utf-8") if from_file else value
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"titles: cannot read {value} ({exc})") from exc
    ids = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    for number, item in enumerate(ids, 1):
        if not item.startswith("tt") or id_number(item) < 0:
            where = f"{value}, item {number}: " if from_file else ""
            raise UsageError(f'titles: {where}"{item}" is not an IMDb title id (tt0111161)'
                             + ("" if from_file else " nor a file of them"))  # fmt: skip
    if not ids:
        raise UsageError(f"titles: {value} holds no title ids")
    return frozenset(ids)


class ImdbDatasets:
    """The importer of IMDb's datasets, configured with filters (see the module).

    Args:
        titles: only these titles (tconsts).
        since: only titles whose startYear is at least this.
        until: only titles whose startYear is at most this.
        types: only these titleTypes (default: the mapping file's, or every type when ``titles`` is given).
        categories: only these principal categories (title.crew: ``director``, ``writer``).
        mapping: another mapping file than ``ontology/mappings/imdb.toml``.
    """

    name = "imdb"
    description = "IMDb datasets: title.basics, title.principals, name.basics, title.crew, title.akas (TSV, .gz)"
    suffixes = (".tsv",)

    def __init__(
        self,
        *,
        titles: Iterable[str] | None = None,
        since: int | None = None,
        until: int | None = None,
        types: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        mapping: Path | None = None,
    ) -> None:
        self.titles = frozenset(titles) if titles is not None else None
        self.since, self.until = since, until
        self.types = tuple(types) if types is not None else None
        self.categories = tuple(categories) if categories is not None else None
        self.mapping_path = mapping
        self._mapping: ImdbMapping | None = None
        self._selections: dict[tuple[str, ...], IdSet] = {}
        if since is not None and until is not None and since > until:
            raise UsageError(f"since ({since}) is after until ({until}): no title would be selected")

    def mapping(self) -> ImdbMapping:
        """The mapping file, read (and checked) once, with the filters checked against it.

        Raises:
            UsageError: a type or category the mapping file does not know.
        """
        if self._mapping is None:
            from kg.ontology import load_ontology

            mapping = load_mapping(load_ontology(), self.mapping_path)
            for what, given, known in (("types", self.types, mapping.title_types),
                                       ("categories", self.categories, mapping.categories)):  # fmt: skip
                unknown = [g for g in given or () if g not in known]
                if unknown:
                    raise UsageError(f"{what}: unknown {', '.join(unknown)}; known: {', '.join(known)}")
            self._mapping = mapping
        return self._mapping

    def selected_types(self) -> frozenset[str]:
        """The titleTypes imported: those given, else (with ``titles``) every film type, else the default.

        Examples:
            >>> sorted(ImdbDatasets(types=["movie", "short"]).selected_types())
            ['movie', 'short']
            >>> sorted(ImdbDatasets().selected_types())
            ['movie', 'short', 'tvMovie', 'video']
        """
        mapping = self.mapping()
        if self.types is not None:
            chosen: Iterable[str] = self.types
        elif self.titles is not None:
            chosen = mapping.title_types
        else:
            chosen = mapping.default_types
        return frozenset(t for t in chosen if mapping.title_types.get(t))

    def wanted(self, category: str) -> bool:
        """Whether the ``categories`` filter keeps ``category``."""
        return self.categories is None or category in self.categories

    def claims(self, path: Path) -> bool:
        """The dataset files it reads: title.basics, title.principals, name.basics, title.crew, title.akas.

        Examples:
            >>> ImdbDatasets().claims(Path("title.akas.tsv.gz")), ImdbDatasets().claims(Path("films.tsv"))
            (True, False)
        """
        return kind_of_file(path) is not None

    def _settings(self) -> str:
        titles = hashlib.sha256(",".join(sorted(self.titles)).encode()).hexdigest() if self.titles else None
        return (f"imdb|titles={titles}|since={self.since}|until={self.until}|types={sorted(self.selected_types())}"
                f"|categories={sorted(self.categories) if self.categories else None}|map={self.mapping().digest}")  # fmt: skip

    def fingerprint(self, path: Path) -> str:
        """The filters, the mapping file, and the companion files read with ``path`` (by name, size and
        modification time): title.basics for every file, and title.principals and title.crew for name.basics.
        """
        kind = kind_of_file(path)
        needs = {"name.basics": ("title.basics", "title.principals", "title.crew")}.get(kind or "", ("title.basics",))
        parts = [self._settings()]
        for other in needs if kind != "title.basics" else ():
            found = companion(path, other)
            if found is not None:
                stat = found.stat()
                parts.append(f"{other}={found.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
        return "|".join(parts)

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand the statements of one dataset file to ``sink``.

        Raises:
            IngestError: not a dataset file, a header other than IMDb's, a companion file it needs missing,
                a file that cannot be read (a truncated ``.gz``).
        """
        kind = kind_of_file(path)
        if kind is None:
            names = ", ".join(f"{k}.tsv" for k in COLUMNS)
            raise _error(path, f"not an IMDb dataset file name: give one of {names} (each optionally .gz)")
        size = path.stat().st_size
        progress = options.progress
        report = (lambda done: progress(str(path), done, size)) if progress is not None else None
        readers: dict[str, Callable[[Path, StatementSink, Limits, Callable[[int], None] | None], None]] = {
            "title.basics": self._basics, "title.principals": self._principals, "name.basics": self._names,
            "title.crew": self._crew, "title.akas": self._akas,
        }  # fmt: skip
        with sink.bulk():
            readers[kind](path, sink, options.limits, report)

    # ------------------------------------------------------------ selection

    def _title_selection(self, path: Path, limits: Limits) -> IdSet:
        """The selected titles, read from the title.basics beside ``path`` (once per importer and file)."""
        basics = companion(path, "title.basics")
        if basics is None:
            raise _error(path, f"needs title.basics.tsv (or .tsv.gz) beside it in {path.parent} to select "
                               "titles: put IMDb's title.basics file there")  # fmt: skip
        key = _file_key(basics)
        if key not in self._selections:
            selected = IdSet()
            for row in dataset_rows(basics, "title.basics", limits):
                if isinstance(row, tuple) and self._title_wanted(row[1]) is True:
                    selected.add(id_number(row[1][0]))
            self._selections[key] = selected
        return self._selections[key]

    def _title_wanted(self, fields: list[str]) -> bool | None:
        """Whether the filters select a title.basics row; ``None`` when its titleType has no mapping."""
        if self.titles is not None and fields[0] not in self.titles:
            return False
        year = fields[5]
        if self.since is not None and (year == NULL or not year.isdigit() or int(year) < self.since):
            return False
        if self.until is not None and (year == NULL or not year.isdigit() or int(year) > self.until):
            return False
        kind = fields[1]
        if kind not in self.mapping().title_types:
            return None
        return kind in self.selected_types()

    def _people_selection(self, path: Path, limits: Limits) -> IdSet:
        """The people the selected titles need: their principals (of mapped, selected categories) and crew."""
        principals = companion(path, "title.principals")
        if principals is None:
            raise _error(path, f"needs title.principals.tsv (or .tsv.gz) beside it in {path.parent} to know which "
                               "people the titles need: put IMDb's title.principals file there")  # fmt: skip
        crew = companion(path, "title.crew")
        key = ("people", *_file_key(principals), *(_file_key(crew) if crew else ()))
        if key in self._selections:
            return self._selections[key]
        titles = self._title_selection(path, limits)
        people = IdSet()
        categories = self.mapping().categories
        for row in dataset_rows(principals, "title.principals", limits):
            if isinstance(row, tuple) and row[1][0] in titles:
                category = row[1][3]
                if category in categories and self.wanted(category):
                    people.add(id_number(row[1][2]))
        if crew is not None:
            for row in dataset_rows(crew, "title.crew", limits):
                if isinstance(row, tuple) and row[1][0] in titles:
                    for _, category, index in _CREW:
                        if self.wanted(category) and row[1][index - 1] != NULL:
                            for person in row[1][index - 1].split(","):
                                people.add(id_number(person))
        self._selections[key] = people
        return people

    # ------------------------------------------------------------ the files

    def _basics(self, path: Path, sink: StatementSink, limits: Limits, progress: Callable[[int], None] | None) -> None:
        sink.start(["subject", "subject_id", "predicate", "object", "source", "record"])
        source, cell = Cell("IMDb title.basics", None), _cells()
        for row in dataset_rows(path, "title.basics", limits, progress):
            if isinstance(row, Problem):
                sink.record(row)
                continue
            line, fields = row
            wanted = self._title_wanted(fields)
            if wanted is None:
                sink.unmapped("IMDb titleType", fields[1], line=line, fix=_FIX + " [title_types]")
                continue
            if not wanted:
                continue
            tconst, _, title, original, _, year, _, minutes, genres = fields
            base = {"subject": Cell(title, 3), "subject_id": Cell(f"imdb:{tconst}", 1), "source": source,
                    "record": Cell(tconst, 1)}  # fmt: skip
            values: list[tuple[str, str, int]] = []
            if year != NULL:
                values.append(("release-date", year, 6))
            if minutes != NULL:
                values.append(("runtime", f"PT{minutes}M" if minutes.isdigit() else minutes, 8))
            if genres != NULL:
                values += [("genre", genre, 9) for genre in genres.split(",") if genre]
            if original != NULL and original != title:
                values.append(("also-known-as", original, 4))
            if not values:
                values.append(("also-known-as", title, 3))
            for relation, value, column in values:
                sink.record(Row(line, {**base, "predicate": cell(relation, None), "object": Cell(value, column)}))

    def _principals(
        self, path: Path, sink: StatementSink, limits: Limits, progress: Callable[[int], None] | None
    ) -> None:
        titles = self._title_selection(path, limits)
        self._warn_without_names(path, sink)
        mapping = self.mapping()
        sink.start(["subject", "predicate", "object", "source", "record", "order", "role", "character"])
        source = Cell("IMDb title.principals", None)
        title, film = "", Cell("", None)
        cell = _cells()  # the same cell for the same value and column: a cell is immutable
        for row in dataset_rows(path, "title.principals", limits, progress):
            if isinstance(row, Problem):
                sink.record(row)
                continue
            line, (tconst, ordering, nconst, category, job, characters) = row
            if tconst not in titles:
                continue
            if not self.wanted(category):
                continue
            target = mapping.categories.get(category)
            if target is None:
                sink.unmapped("IMDb category", category, line=line, fix=_FIX + " [categories]")
                continue
            relation, role = target
            if tconst != title:  # the file is sorted by title
                title, film = tconst, Cell(f"imdb:{tconst}", 1)
            cells = {"subject": Cell(f"imdb:{nconst}", 3), "predicate": cell(relation, 4), "object": film,
                     "source": source, "record": Cell(f"{tconst}/{ordering}", 2), "order": cell(ordering, 2)}  # fmt: skip
            if job != NULL and job != category.replace("_", " "):
                cells["role"] = cell(job, 5)
            elif role is not None:
                cells["role"] = cell(role, None)
            if characters != NULL:
                names = _characters(characters)
                if isinstance(names, str):
                    sink.record(Problem(str(path), line, 6, "characters", names))
                    continue
                names = tuple(n for n in names if n not in mapping.self_characters)
                if names:
                    cells["character"] = Cell(names, 6)
            sink.record(Row(line, cells))

    def _names(self, path: Path, sink: StatementSink, limits: Limits, progress: Callable[[int], None] | None) -> None:
        people = self._people_selection(path, limits)
        sink.start(["subject", "subject_id", "predicate", "object", "source", "record"])
        source, cell = Cell("IMDb name.basics", None), _cells()
        for row in dataset_rows(path, "name.basics", limits, progress):
            if isinstance(row, Problem):
                sink.record(row)
                continue
            line, (nconst, name, born, died, professions, _) = row
            if nconst not in people:
                continue
            base = {"subject": Cell(name, 2), "subject_id": Cell(f"imdb:{nconst}", 1), "source": source,
                    "record": Cell(nconst, 1)}  # fmt: skip
            values: list[tuple[str, str, int]] = []
            if professions != NULL and professions.strip():
                values.append(("description", ", ".join(p.replace("_", " ") for p in professions.split(",")), 5))
            values += [(relation, year, column) for relation, year, column in
                       (("birth-date", born, 3), ("death-date", died, 4)) if year != NULL]  # fmt: skip
            if not values:
                values.append(("also-known-as", name, 2))
            for relation, value, column in values:
                sink.record(Row(line, {**base, "predicate": cell(relation, None), "object": Cell(value, column)}))

    def _crew(self, path: Path, sink: StatementSink, limits: Limits, progress: Callable[[int], None] | None) -> None:
        titles = self._title_selection(path, limits)
        self._warn_without_names(path, sink)
        categories = self.mapping().categories
        sink.start(["subject", "predicate", "object", "source", "record"])
        source, cell = Cell("IMDb title.crew", None), _cells()
        for row in dataset_rows(path, "title.crew", limits, progress):
            if isinstance(row, Problem):
                sink.record(row)
                continue
            line, fields = row
            tconst = fields[0]
            if tconst not in titles:
                continue
            for _, category, index in _CREW:
                if fields[index - 1] == NULL or not self.wanted(category):
                    continue
                target = categories.get(category)
                for person in fields[index - 1].split(","):
                    if target is None:
                        sink.unmapped("IMDb category", category, line=line, fix=_FIX + " [categories]")
                        continue
                    sink.record(Row(line, {"subject": Cell(f"imdb:{person}", index), "predicate": cell(target[0], None),
                                           "object": Cell(f"imdb:{tconst}", 1), "source": source,
                                           "record": Cell(tconst, 1)}))  # fmt: skip

    def _akas(self, path: Path, sink: StatementSink, limits: Limits, progress: Callable[[int], None] | None) -> None:
        titles = self._title_selection(path, limits)
        sink.start(["subject", "predicate", "object", "source", "record"])
        source, relation = Cell("IMDb title.akas", None), Cell("also-known-as", None)
        current, seen = "", set[str]()  # a title's other titles, each once (IMDb lists one per region)
        for row in dataset_rows(path, "title.akas", limits, progress):
            if isinstance(row, Problem):
                sink.record(row)
                continue
            line, fields = row
            if fields[0] not in titles:
                continue
            if fields[0] != current:
                current, seen = fields[0], set[str]()
            if fields[2] in seen:
                continue
            seen.add(fields[2])
            sink.record(Row(line, {"subject": Cell(f"imdb:{fields[0]}", 1), "predicate": relation,
                                   "object": Cell(fields[2], 3), "source": source,
                                   "record": Cell(f"{fields[0]}/{fields[1]}", 2)}))  # fmt: skip

    @staticmethod
    def _warn_without_names(path: Path, sink: StatementSink) -> None:
        if companion(path, "name.basics") is None:
            sink.warnings.append(Problem(
                str(path), 0, None, None,
                f"no name.basics.tsv (or .tsv.gz) beside it in {path.parent}: the people of this file will have "
                "no names, only their IMDb ids (imdb:nm...); put IMDb's name.basics file there and import it",
            ))  # fmt: skip


def _cells(most: int = 10_000) -> Callable[[str, int | None], Cell]:
    """A maker of cells that gives the same cell for a value and column it made before (of the first ``most``).

    Examples:
        >>> cell = _cells()
        >>> cell("actor", 4) is cell("actor", 4), cell("actor", 4) == Cell("actor", 4)
        (True, True)
    """
    made: dict[tuple[str, int | None], Cell] = {}

    def cell(value: str, column: int | None) -> Cell:
        found = made.get((value, column))
        if found is None:
            found = Cell(value, column)
            if len(made) < most:
                made[(value, column)] = found
        return found

    return cell


def _characters(text: str) -> tuple[str, ...] | str:
    """The names of a ``characters`` cell (a JSON array of strings), or what is wrong with it."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return f"characters is not valid JSON ({exc}): IMDb writes a JSON array such as [\"Ani\"]"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "characters must be a JSON array of names such as [\"Ani\"]"
    return tuple(name.strip() for name in value if name.strip())


def _file_key(path: Path) -> tuple[str, ...]:
    stat = path.stat()
    return (str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns))


def _error(path: Path, message: str) -> IngestError:
    return IngestError(str(path), [Problem(str(path), 0, None, None, message)])

