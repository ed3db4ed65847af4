"""The exception hierarchy of filmkg.

Every failure a user can cause is a :class:`KGError`; each subclass carries the
exit code the command line uses for it.

Examples:
    >>> from kg.errors import IngestError, KGError
    >>> issubclass(IngestError, KGError), IngestError.exit_code
    (True, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "EndpointError",
    "IngestError",
    "InputNetworkRefusedError",
    "KGError",
    "NetworkRefusedError",
    "NotFoundError",
    "Problem",
    "QueryError",
    "StoreError",
    "UsageError",
]


class KGError(Exception):
    """Base class of every expected failure; exit code 1."""

    exit_code: int = 1


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located by line and column.

    Examples:
        >>> str(Problem("anora.csv", 14, 2, "predicate", 'unknown relation "x"'))
        'anora.csv:14:2: column predicate: unknown relation "x"'
    """

    path: str
    line: int
    column: int | None
    column_name: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        if self.column_name:
            return f"{where}: column {self.column_name}: {self.message}"
        return f"{where}: {self.message}"


class IngestError(KGError):
    """Malformed input: every problem found, each with its file, line and column; exit code 3.

    Examples:
        >>> err = IngestError("x.csv", [Problem("x.csv", 2, 1, "subject", "empty")])
        >>> print(err)
        x.csv: 1 problem, nothing was ingested:
          x.csv:2:1: column subject: empty
    """

    exit_code = 3

    def __init__(self, path: str, problems: Sequence[Problem], *, more: int = 0) -> None:
        self.path = path
        self.problems = list(problems)
        self.more = more
        count = len(self.problems) + more
        lines = [f"{path}: {count} problem{'s' if count != 1 else ''}, nothing was ingested:"]
        lines += [f"  {problem}" for problem in self.problems]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


class UsageError(KGError):
    """Arguments that do not go together or are out of range; exit code 2, as for the command line's own.

    Library messages name parameters in backticks (`` `max_paths` ``); the command line says
    them as its flags (``--max-paths``).
    """

    exit_code = 2


class StoreError(KGError):
    """The store is missing, locked, unreadable or read-only; exit code 4."""

    exit_code = 4


class EndpointError(StoreError):
    """A remote SPARQL endpoint cannot be reached, timed out, refused access or failed; exit code 4.

    ``status`` is the HTTP status of the answer, when there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFoundError(KGError):
    """An unknown entity, source or named query; exit code 5."""

    exit_code = 5


class QueryError(KGError):
    """SPARQL that is invalid or fails; exit code 6."""

    exit_code = 6


class NetworkRefusedError(QueryError):
    """A SPARQL SERVICE or LOAD, or a remote JSON-LD context, without ``allow_network``."""


class InputNetworkRefusedError(IngestError, NetworkRefusedError):
    """An input file that would fetch from the network (a remote JSON-LD context) without ``allow_network``.

    It is bad input, so its exit code is 3 (an :class:`IngestError`), and it is still a
    :class:`NetworkRefusedError`.

    Examples:
        >>> err = InputNetworkRefusedError("x.jsonld", [Problem("x.jsonld", 1, None, None, "remote context")])
        >>> err.exit_code, isinstance(err, NetworkRefusedError)
        (3, True)
    """
