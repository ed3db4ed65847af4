"""The IMDb dataset files: their names and columns, reading their rows, their mapping file, and
compact sets of IMDb ids.

IMDb's non-commercial datasets are TAB-separated UTF-8 files with a header row, no quoting of
any kind, and ``\\N`` for null. :func:`dataset_rows` reads one (``.gz`` directly, within the
:class:`~kg.ingest.limits.Limits`), checking its header; :class:`IdSet` keeps the ids a filter
selects at one bit each; :func:`load_mapping` reads ``ontology/mappings/imdb.toml``.

Examples:
    >>> kind_of_file(Path("title.principals.tsv.gz"))
    'title.principals'
    >>> ids = IdSet()
    >>> ids.add(id_number("tt0111161")); "tt0111161" in ids, "tt0000001" in ids, len(ids)
    (True, False, 1)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import IngestError, KGError, Problem
from kg.ingest.inputs import Input, LineProblem, Lines
from kg.ingest.limits import Limits
from kg.ontology import Ontology, ontology_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "COLUMNS",
    "NULL",
    "IdSet",
    "ImdbMapping",
    "companion",
    "dataset_rows",
    "id_number",
    "kind_of_file",
    "load_mapping",
]

NULL = "\\N"
"""How the datasets write a missing value."""
COLUMNS: dict[str, tuple[str, ...]] = {
    "title.basics": ("tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear",
                     "runtimeMinutes", "genres"),
    "title.principals": ("tconst", "ordering", "nconst", "category", "job", "characters"),
    "name.basics": ("nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"),
    "title.crew": ("tconst", "directors", "writers"),
    "title.akas": ("titleId", "ordering", "title", "region", "language", "types", "attributes", "isOriginalTitle"),
}  # fmt: skip
"""The dataset files filmkg reads, by name, and the header IMDb gives each (its file format, not the ontology)."""
_BIT_LIMIT = 1 << 28
"""Ids below this are kept as bits (at most 32 MiB); the rare larger one in a set."""


def kind_of_file(path: Path) -> str | None:
    """Which dataset file ``path`` is, by its name (``title.basics.tsv`` or ``.tsv.gz``), or ``None``.

    Examples:
        >>> kind_of_file(Path("x/name.basics.tsv")), kind_of_file(Path("title.ratings.tsv"))
        ('name.basics', None)
    """
    name = path.name
    for suffix in (".tsv.gz", ".tsv"):
        if name.endswith(suffix) and name[: -len(suffix)] in COLUMNS:
            return name[: -len(suffix)]
    return None


def companion(path: Path, kind: str) -> Path | None:
    """The dataset file ``kind`` in the folder of ``path`` (compressed like ``path`` if both are there).

    Examples:
        >>> companion(Path("/nonexistent/title.principals.tsv"), "title.basics") is None
        True
    """
    gz = path.name.endswith(".gz")
    for suffix in ((".tsv.gz", ".tsv") if gz else (".tsv", ".tsv.gz")):
        found = path.parent / f"{kind}{suffix}"
        if found.is_file():
            return found
    return None


def id_number(text: str) -> int:
    """The number of an IMDb id (``tt0111161`` -> 111161); ``-1`` when ``text`` is not one.

    Examples:
        >>> id_number("nm0000123"), id_number("nmX"), id_number("1234")
        (123, -1, -1)
    """
    digits = text[2:]
    if len(text) < 9 or not digits.isdigit() or not digits.isascii() or text[:2] not in ("tt", "nm"):
        return -1
    return int(digits)


class IdSet:
    """A set of IMDb ids of one kind (titles or names) by their number, one bit each.

    Examples:
        >>> ids = IdSet()
        >>> for n in (5, 5, 1 << 29):
        ...     ids.add(n)
        >>> len(ids), 5 in ids, 6 in ids, (1 << 29) in ids, "nm0000005" in ids
        (2, True, False, True, True)
    """

    def __init__(self) -> None:
        self._bits = bytearray()
        self._big: set[int] = set()
        self._count = 0

    def add(self, number: int) -> None:
        """Add the id numbered ``number`` (negative numbers are ignored)."""
        if number < 0:
            return
        if number >= _BIT_LIMIT:
            if number not in self._big:
                self._big.add(number)
                self._count += 1
            return
        index, bit = number >> 3, 1 << (number & 7)
        if index >= len(self._bits):
            self._bits.extend(bytes(max(index + 1 - len(self._bits), len(self._bits))))
        if not self._bits[index] & bit:
            self._bits[index] |= bit
            self._count += 1

    def __contains__(self, item: object) -> bool:
        number = id_number(item) if isinstance(item, str) else item if isinstance(item, int) else -1
        if number < 0:
            return False
        if number >= _BIT_LIMIT:
            return number in self._big
        index = number >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (number & 7)))

    def __len__(self) -> int:
        return self._count


@dataclass(frozen=True)
class ImdbMapping:
    """``ontology/mappings/imdb.toml``: categories to relations (and the role they imply), title types,
    the default title types, and the ``characters`` values that name the person themselves."""

    categories: dict[str, tuple[str, str | None]]
    """category -> (relation name, role or ``None``)."""
    title_types: dict[str, bool]
    """titleType -> whether it is imported as a Film (``False``: skipped quietly)."""
    default_types: tuple[str, ...]
    self_characters: frozenset[str]
    digest: str
    """The mapping file's text, hashed: part of every file's fingerprint."""


def load_mapping(ontology: Ontology, path: Path | None = None) -> ImdbMapping:
    """Read the IMDb mapping file, checking every relation it names against ``ontology``.

    Raises:
        KGError: the file is missing, not TOML, or names a relation the ontology lacks.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> mapping = load_mapping(load_ontology())
        >>> mapping.categories["actress"], mapping.categories["archive_sound"]
        (('acted-in', None), ('archive-footage-in', 'archive sound'))
    """
    import hashlib

    path = path or ontology_dir() / "mappings" / "imdb.toml"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        categories: dict[str, tuple[str, str | None]] = {}
        for category, target in data["categories"].items():
            relation, role = (target, None) if isinstance(target, str) else (target["relation"], target.get("role"))
            ontology.relation(relation)
            categories[category] = (relation, role)
        types = {name: value == "film" for name, value in data["title_types"].items()}
        defaults = tuple(data["defaults"]["types"])
        selves = frozenset(data.get("characters", {}).get("self", ()))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise KGError(f"{path}: not a usable IMDb mapping file ({type(exc).__name__}: {exc}): fix it") from exc
    except KGError as exc:
        raise KGError(f"{path}: {exc}: fix the mapping file") from exc
    unknown = [t for t in defaults if t not in types]
    if unknown:
        raise KGError(f"{path}: default types {', '.join(unknown)} are not in [title_types]: fix the mapping file")
    return ImdbMapping(categories, types, defaults, selves, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _header_error(name: str, kind: str, found: str) -> IngestError:
    expected = "\t".join(COLUMNS[kind]).replace("\t", ", ")
    shown = found.rstrip("\r\n")
    shown = (shown[:200] + "...") if len(shown) > 200 else shown
    hint = " (comma-separated: this looks like a CSV file)" if "\t" not in shown and "," in shown else ""
    message = (
        f"not an IMDb {kind} file: expected the tab-separated header {expected}; found "
        f"\"{shown.replace(chr(9), ' | ')}\"{hint}: give the {kind}.tsv(.gz) file IMDb publishes"
    )
    return IngestError(name, [Problem(name, 1, None, None, message)])


def dataset_rows(
    path: Path,
    kind: str,
    limits: Limits,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, list[str]] | Problem]:
    """The rows of the IMDb dataset file ``path`` of ``kind``: (line number, fields), or a
    :class:`~kg.errors.Problem` for a line that cannot be read or has the wrong number of fields.

    Raises:
        IngestError: the header is not the one IMDb gives ``kind``; the file cannot be read
            (a truncated ``.gz``) or is past a limit.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "title.crew.tsv"
        >>> _ = p.write_text("tconst\\tdirectors\\twriters\\ntt0000001\\tnm0000001\\t\\\\N\\nbad\\n")
        >>> [r if isinstance(r, tuple) else r.message[:31] for r in dataset_rows(p, "title.crew", Limits())]
        [(2, ['tt0000001', 'nm0000001', '\\\\N']), 'expected 3 tab-separated fields']
    """
    name, columns = str(path), COLUMNS[kind]
    width = len(columns)
    with Input(path, limits) as source:
        lines = Lines(source, max_line_bytes=limits.max_line_bytes)
        try:
            header = next(lines, "")
        except LineProblem as problem:
            raise IngestError(name, [problem.located(name)]) from None
        if header.rstrip("\r\n").split("\t") != list(columns):
            raise _header_error(name, kind, header)
        while True:
            lines.record_bytes = 0  # a record is one line: no quoting runs over several
            try:
                line = next(lines)
            except StopIteration:
                break
            except LineProblem as problem:
                yield problem.located(name)
                continue
            number = lines.number
            if progress is not None and not number & 0xFFFF:
                progress(source.position())
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != width:
                if len(fields) == 1 and not fields[0]:
                    continue
                yield Problem(
                    name, number, None, None,
                    f"expected {width} tab-separated fields ({', '.join(columns)}), found {len(fields)}: "
                    "check that the file is IMDb's, whole and unchanged",
                )  # fmt: skip
                continue
            yield number, fields
        if progress is not None:
            progress(source.position())
