"""Records: what an importer hands the statement sink, one per claim, with where each value came from.

A :class:`Row` holds :class:`Cell` values by field name (``subject``, ``predicate``,
``object``, ``subject_type``, ``object_type``, ``subject_id``, ``object_id``, ``source``,
``quote`` and qualifier names); a :class:`RowProblem` is what is wrong with one of them.

Examples:
    >>> Row(2, {"subject": Cell("Sean Baker", 1)}).cells["subject"].column
    1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from kg.errors import Problem

__all__ = ["CORE_FIELDS", "SPECIAL_FIELDS", "Cell", "Row", "RowProblem"]

CORE_FIELDS = ("subject", "predicate", "object")
"""The fields every record needs."""
SPECIAL_FIELDS = (*CORE_FIELDS, "subject_type", "object_type", "subject_id", "object_id", "source")
"""Fields that are not qualifiers (``quote`` is the ontology's qualifier ``film:quote``)."""


class Cell(NamedTuple):
    """One value of a row and the column (1-based) it came from; ``None`` in JSON Lines.

    A named tuple: a million rows make several million cells, and a tuple is the cheapest to make.
    """

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
