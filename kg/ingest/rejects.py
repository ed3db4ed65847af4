"""The rejected records of ``skip_bad_rows``: written, with their reasons, as JSON Lines.

Examples:
    >>> import tempfile
    >>> from kg.errors import Problem
    >>> path = Path(tempfile.mkdtemp()) / "rejected.jsonl"
    >>> rejects = Rejects(path)
    >>> rejects.write(Path("x.csv"), Problem("x.csv", 3, None, None, "bad"), [Problem("x.csv", 3, None, None, "bad")])
    >>> rejects.close()
    >>> path.read_text()
    '{"file": "x.csv", "line": 3, "errors": ["x.csv:3: bad"]}\\n'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from kg.errors import IngestError, Problem
from kg.ingest.limits import disk_full
from kg.ingest.records import Row

__all__ = ["Rejects"]


class Rejects:
    """The rejected records of every file, with their reasons, as JSON Lines.

    The file is created (or emptied) when this is made, before anything is read or loaded,
    so that a path that cannot be written is an error while the store is still untouched.

    Raises:
        IngestError: the file cannot be created.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.stream: IO[str] = path.open("w", encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: OSError) -> IngestError:
        name = str(self.path)
        reason = exc.strerror or str(exc)
        if disk_full(exc):
            advice = "free some space or give `skip_bad_rows` a file on another disk"
        else:
            advice = "give `skip_bad_rows` a file in a folder that exists and that you can write to"
        return IngestError(name, [Problem(name, 0, None, None, f"cannot write the rejected rows here ({reason}): {advice}")])

    def write(self, source: Path, row: Row | Problem, problems: Sequence[Problem]) -> None:
        """Write one rejected record.

        Raises:
            IngestError: the file cannot be written (a full disk).
        """
        record: dict[str, object] = {"file": str(source), "line": row.line}
        if isinstance(row, Row):
            record["row"] = {k: (list(c.value) if isinstance(c.value, tuple) else c.value) for k, c in row.cells.items()}
        record["errors"] = [str(p) for p in problems]
        try:
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise self._error(exc) from exc

    def close(self) -> None:
        """Write out and close the file.

        Raises:
            IngestError: the file cannot be written (a full disk).
        """
        try:
            self.stream.close()
        except OSError as exc:
            raise self._error(exc) from exc
