"""JSON documents read whole (an API response in a file), within limits, with line numbers for messages.

:func:`read_json_document` reads a ``.json`` or ``.json.gz`` file of at most
``max_document_bytes`` (decompressed), nesting at most ``max_json_depth`` deep, and says where a
syntax error is (file:line:column, from the JSON decoder). A :class:`Located` document finds the
line a key or a value is written on, since decoded JSON keeps no positions.

Examples:
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "r.json"
    >>> _ = p.write_text('{\\n  "id": 550,\\n  "credit_id": "52fe"\\n}\\n')
    >>> doc = read_json_document(p)
    >>> doc.value["id"], doc.line_of_key("credit_id"), doc.line_of_value("credit_id", "52fe")
    (550, 3, 3)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import IngestError, Problem
from kg.ingest.inputs import Input
from kg.ingest.limits import Limits, size

__all__ = ["Located", "read_json_document"]

_BOM = "\ufeff"
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
"""A JSON string (skipped whole) or a bracket: what the depth check looks at."""


@dataclass
class Located:
    """A decoded JSON document and its text, to find the line where something is written.

    Examples:
        >>> doc = Located({"a": 1}, '{\\n  "a": 1\\n}')
        >>> doc.line_at(4), doc.line_of_key("a"), doc.line_of_key("b"), doc.line_of_value("a", "x")
        (2, 2, 1, 0)
    """

    value: Any
    text: str
    _values: dict[str, dict[str, int]] = field(default_factory=dict)

    def line_at(self, offset: int) -> int:
        """The line (1-based) of a character offset in the text."""
        return self.text.count("\n", 0, offset) + 1

    def line_of_key(self, key: str) -> int:
        """The line where ``"key":`` is first written; 1 when it is not."""
        match = re.search(re.escape(json.dumps(key)) + r"\s*:", self.text)
        return self.line_at(match.start()) if match else 1

    def line_of_value(self, key: str, value: str) -> int:
        """The line where ``"key": "value"`` is first written (a credit id, say); 0 when it is not."""
        lines = self._values.get(key)
        if lines is None:
            lines = {}
            pattern = re.compile(re.escape(json.dumps(key)) + r'\s*:\s*"([^"\\]*)"')
            line, last = 1, 0
            for match in pattern.finditer(self.text):
                line += self.text.count("\n", last, match.start())
                last = match.start()
                lines.setdefault(match.group(1), line)
            self._values[key] = lines
        return lines.get(value, 0)


def _problem(path: Path, line: int, column: int | None, message: str) -> IngestError:
    name = str(path)
    return IngestError(name, [Problem(name, line, column, None, message)])


def _read_text(path: Path, limits: Limits) -> str:
    chunks: list[bytes] = []
    total = 0
    with Input(path, limits) as source:
        while data := source.read():
            total += len(data)
            if total > limits.max_document_bytes:
                message = (
                    f"the document is larger than {size(limits.max_document_bytes)} (`max_document_bytes`), "
                    f"and is read whole: check that it is one API response, or {limits.advice('max_document_bytes')}"
                )
                raise _problem(path, 0, None, message)
            chunks.append(data)
    raw = b"".join(chunks)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _problem(path, line, column, f"the file is not UTF-8 ({exc.reason}): save it as UTF-8") from None
    return text[1:] if text.startswith(_BOM) else text


def _check_depth(path: Path, text: str, limits: Limits) -> None:
    deepest = limits.max_json_depth
    if text.count("[") + text.count("{") <= deepest:
        return
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - text.rfind("\n", 0, offset)
                message = (
                    f"nests arrays and objects more than {deepest} deep (`max_json_depth`): "
                    f"an API response nests a few levels; {limits.advice('max_json_depth')}"
                )
                raise _problem(path, line, column, message)
        elif token in "]}":
            depth -= 1


def read_json_document(path: Path, limits: Limits | None = None) -> Located:
    """Read and decode the one JSON document of ``path`` (``.json`` or ``.json.gz``).

    Args:
        path: the file.
        limits: ``max_document_bytes``, ``max_json_depth`` and the decompression limits; the defaults if not given.

    Returns:
        The decoded value with its text.

    Raises:
        IngestError: the file cannot be read, is empty, is not UTF-8 or not JSON (with the line and
            column the decoder gives), or is past one of ``limits``.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "bad.json"
        >>> _ = p.write_text('{\\n  "id": 550,\\n  "cast": [\\n}\\n')
        >>> read_json_document(p)
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: ...bad.json:4:1: not valid JSON: Expecting value: ...
    """
    limits = limits or Limits()
    text = _read_text(path, limits)
    if not text.strip():
        raise _problem(path, 1, None, "the file is empty: it should hold one JSON document (an API response)")
    _check_depth(path, text, limits)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg}: check that the file is a whole API response"
        raise _problem(path, exc.lineno, exc.colno, message) from None
    except RecursionError:  # only past a max_json_depth raised far beyond the default
        raise _problem(path, 1, None, "nests arrays and objects too deeply for the JSON decoder") from None
    return Located(value, text)
