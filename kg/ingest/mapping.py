"""Mapping files: how the rows of any spreadsheet become statements (``filmkg ingest FILE --map MAPPING.toml``).

A mapping file is TOML. Each ``[[statement]]`` table makes one kind of statement from a row:
``subject``, ``predicate``, ``object`` and optionally ``subject_type``, ``object_type``,
``subject_id``, ``object_id``, ``source``, ``quote`` and a ``qualifiers`` table, each a
:class:`Template` over the row's columns (``"{name}"``, ``"Episode {n}"``). ``when`` selects
rows, ``split`` makes one statement per value of a multi-valued column, ``[lookup.NAME]``
joins a second table whose columns are then ``{NAME.column}``, and ``[table]`` says how the
table is written (``delimiter``, ``quoting``, ``null`` values). The README ("Any spreadsheet")
documents the format with a complete example; ``data/oscars/oscars.toml`` is a real one.

Every error names the mapping file, the line and the key.

Examples:
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_text('[[statement]]\\nsubject = "{name}"\\npredicate = "acted-in"\\nobject = "{film}"\\n')
    >>> mapping = load_mapping(p)
    >>> [t.text for t in mapping.statements[0].fields.values()]
    ['{name}', 'acted-in', '{film}']
    >>> sorted(mapping.columns())
    ['film', 'name']
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping as MappingType, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["FILTERS", "Condition", "Lookup", "Mapping", "Split", "StatementMap", "Template", "load_mapping"]

_FIELDS = ("subject", "predicate", "object", "subject_type", "object_type", "subject_id", "object_id", "source", "quote")
"""The fields of a ``[[statement]]`` table that are templates (besides ``qualifiers``)."""
_STATEMENT_KEYS = (*_FIELDS, "qualifiers", "when", "split")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[^|]+")
BUILTINS = ("_line", "_file")
"""Names every template may use: the row's line number in the table and the table's file name."""


def _ordinal(text: str) -> str:
    if not text.strip().isdigit():
        return text
    n = int(text)
    ending = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{ending}"


def _year(text: str) -> str:
    found = re.search(r"\d{4}", text)
    return found.group(0) if found else text


FILTERS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "capitalize": str.capitalize,
    "ordinal": _ordinal,
    "year": _year,
}
"""What ``{column|filter}`` may apply: ``ordinal`` writes 97 as 97th, ``year`` keeps the first
four-digit year (1927 of "1927/28"), the others are Python's string methods of the same name."""


@dataclass(frozen=True)
class Template:
    """A text with ``{column}`` placeholders (``{column|filter}``, ``{lookup.column}``; ``{{`` and
    ``}}`` for braces). It renders empty when every column it references is empty.

    Examples:
        >>> t = Template.parse("{Ceremony|ordinal} Academy Awards")
        >>> t.render({"Ceremony": "97"}), t.render({"Ceremony": ""})
        ('97th Academy Awards', '')
        >>> Template.parse("imdb:{id}").render({"id": "nm0000123"})
        'imdb:nm0000123'
    """

    text: str
    parts: tuple[str | tuple[str, tuple[str, ...]], ...]
    """Literal text, or a column name with its filters."""

    @classmethod
    def parse(cls, text: str) -> Template:
        """Parse ``text``.

        Raises:
            ValueError: a lone brace, an empty placeholder or an unknown filter.
        """
        parts: list[str | tuple[str, tuple[str, ...]]] = []
        position = 0
        for found in _PLACEHOLDER.finditer(text):
            parts.append(text[position : found.start()])
            position = found.end()
            token = found.group(0)
            if token in ("{{", "}}"):
                parts.append(token[0])
                continue
            if found.group(1) is None:
                raise ValueError(f'"{text}" has a lone "{token}": write {token}{token} for a brace')
            name, *filters = (p.strip() for p in found.group(1).split("|"))
            if not name:
                raise ValueError(f'"{text}" has an empty placeholder: name a column, as {{title}}')
            unknown = [f for f in filters if f not in FILTERS]
            if unknown:
                raise ValueError(f'unknown filter "{unknown[0]}" in "{text}": use one of {", ".join(FILTERS)}')
            parts.append((name, tuple(filters)))
        parts.append(text[position:])
        return cls(text, tuple(p for p in parts if p != ""))

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns it references, in order."""
        return tuple(p[0] for p in self.parts if isinstance(p, tuple))

    @property
    def constant(self) -> bool:
        """True when it references no column."""
        return not self.columns

    def render(self, values: MappingType[str, str]) -> str:
        """The text for a row's ``values`` (a missing column counts as empty), stripped."""
        columns = self.columns
        if columns and not any(values.get(c, "") for c in columns):
            return ""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = values.get(part[0], "")
            for name in part[1]:
                value = FILTERS[name](value)
            out.append(value)
        return "".join(out).strip()


@dataclass(frozen=True)
class Condition:
    """A ``when`` test on one column: any of ``values``, or matching ``pattern``; ``negate`` for ``not``."""

    column: str
    values: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    negate: bool = False

    def holds(self, values: MappingType[str, str]) -> bool:
        """Whether the row's value passes."""
        value = values.get(self.column, "")
        found = bool(self.pattern.search(value)) if self.pattern is not None else value in self.values
        return found != self.negate


@dataclass(frozen=True)
class Split:
    """One statement per value of ``columns`` (split at ``sep``), the columns' values aligned by position."""

    columns: tuple[str, ...]
    sep: str


@dataclass(frozen=True)
class Lookup:
    """A second table joined on ``on`` (a column of the main table) = ``key`` (a column of ``file``)."""

    name: str
    file: Path
    key: str
    on: str
    delimiter: str | None = None


@dataclass(frozen=True)
class StatementMap:
    """One ``[[statement]]`` table: its templates by field (qualifiers by qualifier name, each with
    one or more templates), its conditions and splits, and where it starts in the mapping file."""

    fields: dict[str, Template]
    qualifiers: dict[str, tuple[Template, ...]]
    when: tuple[Condition, ...] = ()
    splits: tuple[Split, ...] = ()
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    """The line of each key, for messages (``qualifiers.character``)."""

    def columns(self) -> set[str]:
        """Every column it reads."""
        found = {c for t in self.fields.values() for c in t.columns}
        found |= {c for ts in self.qualifiers.values() for t in ts for c in t.columns}
        found |= {c.column for c in self.when} | {c for s in self.splits for c in s.columns}
        return found


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    path: Path
    statements: tuple[StatementMap, ...]
    lookups: dict[str, Lookup] = field(default_factory=dict)
    delimiter: str | None = None
    quoting: bool = True
    null: frozenset[str] = frozenset()
    lines: dict[str, int] = field(default_factory=dict)

    def columns(self) -> set[str]:
        """Every column of the main table the statements and lookups read (lookup columns excluded).

        Examples:
            >>> Mapping(Path("m.toml"), ()).columns()
            set()
        """
        joined = tuple(f"{name}." for name in self.lookups)
        used = {c for s in self.statements for c in s.columns()} | {lk.on for lk in self.lookups.values()}
        return {c for c in used if c not in BUILTINS and not c.startswith(joined)}

    def error(self, key: str, message: str, line: int | None = None) -> IngestError:
        """An :class:`~kg.errors.IngestError` on the mapping file at ``key``'s line."""
        name = str(self.path)
        where = line
        if where is None:  # a key of an inline table is on its parent's line
            parts = key.split(".")
            where = next((self.lines[k] for k in (".".join(parts[:n]) for n in range(len(parts), 0, -1)) if k in self.lines), 0)
        return IngestError(name, [Problem(name, where, None, key, message)])


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key of a TOML text, as ``statement[1].qualifiers.character`` (arrays of
    tables counted from 1), ``lookup.titles.file``, ``table.delimiter``; tables by their header."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    prefix = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("[["):
            name = line[2:].split("]]", 1)[0].strip()
            counts[name] = counts.get(name, 0) + 1
            prefix = f"{name}[{counts[name]}]"
            lines[prefix] = number
        elif line.startswith("["):
            name = line[1:].split("]", 1)[0].strip()
            parent = name.split(".", 1)
            prefix = f"{parent[0]}[{counts[parent[0]]}].{parent[1]}" if parent[0] in counts and len(parent) > 1 else name
            lines[prefix] = number
        elif "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip().strip('"')
            lines.setdefault(f"{prefix}.{key}" if prefix else key, number)
    return lines


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises:
        IngestError: the file is missing or not TOML, or a key or template is wrong; with its line and key.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "m.toml"
        >>> _ = p.write_text('[[statement]]\\nsubject = "{name"\\npredicate = "acted-in"\\nobject = "{film}"\\n')
        >>> load_mapping(p)
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: ...m.toml: 1 problem, nothing was ingested:
          ...m.toml:2: column statement[1].subject: "{name" has a lone "{": write {{ for a brace
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(name, [Problem(name, 0, None, None, f"cannot read the mapping file: {exc}")]) from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, None)
        raise IngestError(name, [Problem(name, line, column, None, f"not valid TOML: {exc}")]) from exc
    mapping = Mapping(path, (), lines=_key_lines(text))
    unknown = sorted(set(data) - {"statement", "lookup", "table"})
    if unknown:
        raise mapping.error(unknown[0], f'unknown key "{unknown[0]}": a mapping has [[statement]] tables, [lookup.NAME] tables and [table]')
    statements = data.get("statement")
    if not isinstance(statements, list) or not statements:
        raise mapping.error("statement", "no [[statement]] table: give at least one, with subject, predicate and object", 0)
    table = _table(mapping, data.get("table", {}))
    lookups = _lookups(mapping, data.get("lookup", {}))
    parsed = tuple(_statement(mapping, i, item) for i, item in enumerate(statements, 1))
    mapping = Mapping(path, parsed, lookups, table[0], table[1], table[2], mapping.lines)
    for index, statement in enumerate(parsed, 1):
        for name_used in statement.columns():
            head = name_used.split(".", 1)[0]
            if "." in name_used and head not in lookups and name_used not in BUILTINS:
                key = f"statement[{index}]"
                raise mapping.error(key, f'"{{{name_used}}}" names no lookup "{head}": add a [lookup.{head}] table, or fix the column')
    return mapping


def _table(mapping: Mapping, data: Any) -> tuple[str | None, bool, frozenset[str]]:
    if not isinstance(data, dict):
        raise mapping.error("table", "[table] must be a table: delimiter, quoting, null")
    for key in data:
        if key not in ("delimiter", "quoting", "null"):
            raise mapping.error(f"table.{key}", f'unknown key "{key}" in [table]: use delimiter, quoting or null')
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise mapping.error("table.delimiter", 'delimiter must be one character, such as "," or "\\t"')
    quoting = data.get("quoting", True)
    if not isinstance(quoting, bool):
        raise mapping.error("table.quoting", "quoting must be true or false")
    return delimiter, quoting, frozenset(_strings(mapping, "table.null", data.get("null", [])))


def _strings(mapping: Mapping, key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise mapping.error(key, f"{key.rsplit('.', 1)[-1]} takes a string or a list of strings")
    return items


def _lookups(mapping: Mapping, data: Any) -> dict[str, Lookup]:
    if not isinstance(data, dict):
        raise mapping.error("lookup", "lookup must hold [lookup.NAME] tables")
    out = {}
    for name, spec in data.items():
        key = f"lookup.{name}"
        if not isinstance(spec, dict):
            raise mapping.error(key, f"[{key}] must be a table with file, key and on")
        missing = [k for k in ("file", "key", "on") if not isinstance(spec.get(k), str) or not spec.get(k)]
        if missing:
            raise mapping.error(key, f"[{key}] needs {', '.join(missing)} (file: the table to join, key: its column, on: ours)")
        extra = sorted(set(spec) - {"file", "key", "on", "delimiter"})
        if extra:
            raise mapping.error(f"{key}.{extra[0]}", f'unknown key "{extra[0]}" in [{key}]: use file, key, on, delimiter')
        file = Path(spec["file"])
        out[name] = Lookup(name, file if file.is_absolute() else mapping.path.parent / file, spec["key"], spec["on"],
                           spec.get("delimiter"))  # fmt: skip
    return out


def _template(mapping: Mapping, key: str, value: Any) -> Template:
    if not isinstance(value, str):
        raise mapping.error(key, f"{key.rsplit('.', 1)[-1]} must be a string template, such as \"{{name}}\"")
    try:
        return Template.parse(value)
    except ValueError as exc:
        raise mapping.error(key, str(exc)) from None


def _statement(mapping: Mapping, index: int, data: Any) -> StatementMap:
    where = f"statement[{index}]"
    if not isinstance(data, dict):
        raise mapping.error(where, "a [[statement]] must be a table")
    unknown = sorted(set(data) - set(_STATEMENT_KEYS))
    if unknown:
        raise mapping.error(f"{where}.{unknown[0]}", f'unknown key "{unknown[0]}": use {", ".join(_STATEMENT_KEYS)}')
    missing = [k for k in ("subject", "predicate", "object") if k not in data]
    if missing:
        raise mapping.error(where, f"this [[statement]] needs {', '.join(missing)}")
    fields = {k: _template(mapping, f"{where}.{k}", data[k]) for k in _FIELDS if k in data}
    qualifiers: dict[str, tuple[Template, ...]] = {}
    given = data.get("qualifiers", {})
    if not isinstance(given, dict):
        raise mapping.error(f"{where}.qualifiers", "qualifiers must be a table: qualifier name = template")
    for name, value in given.items():
        key = f"{where}.qualifiers.{name}"
        values = value if isinstance(value, list) else [value]
        qualifiers[name] = tuple(_template(mapping, key, v) for v in values)
    return StatementMap(fields, qualifiers, _conditions(mapping, where, data.get("when", {})),
                        _splits(mapping, where, data.get("split", [])), mapping.lines.get(where, 0))  # fmt: skip


def _conditions(mapping: Mapping, where: str, data: Any) -> tuple[Condition, ...]:
    if not isinstance(data, dict):
        raise mapping.error(f"{where}.when", 'when must be a table: column = value, [values] or { match = "regex" } or { not = ... }')
    out = []
    for column, test in data.items():
        key = f"{where}.when"
        if isinstance(test, dict):
            if set(test) == {"match"} and isinstance(test["match"], str):
                try:
                    out.append(Condition(column, pattern=re.compile(test["match"])))
                except re.error as exc:
                    raise mapping.error(key, f'"{test["match"]}" is not a regular expression: {exc}') from None
                continue
            if set(test) == {"not"}:
                out.append(Condition(column, tuple(_strings(mapping, key, test["not"])), negate=True))
                continue
            raise mapping.error(key, f'when.{column} takes a value, a list, {{ match = "regex" }} or {{ not = ... }}')
        out.append(Condition(column, tuple(_strings(mapping, key, test))))
    return tuple(out)


def _splits(mapping: Mapping, where: str, data: Any) -> tuple[Split, ...]:
    key = f"{where}.split"
    items: Sequence[Any] = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sep"), str) or not item["sep"]:
            raise mapping.error(key, 'split takes { column = "genres", sep = "," } or { columns = ["a", "b"], sep = "|" }')
        columns = item.get("columns", item.get("column"))
        names = _strings(mapping, key, columns) if columns is not None else []
        if not names or set(item) - {"column", "columns", "sep"}:
            raise mapping.error(key, 'split takes { column = "genres", sep = "," } or { columns = ["a", "b"], sep = "|" }')
        out.append(Split(tuple(names), item["sep"]))
    return tuple(out)


def referenced(templates: Iterable[Template]) -> list[str]:
    """The columns ``templates`` reference, each once, in order.

    Examples:
        >>> referenced([Template.parse("{a} {b}"), Template.parse("{a}")])
        ['a', 'b']
    """
    return list(dict.fromkeys(c for t in templates for c in t.columns))
