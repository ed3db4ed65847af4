"""Values as QuickStatements writes them: strings on one line, times with their precision, quantities
with their unit. A value that does not fit raises :class:`Unfit`, whose message is the reason.

Examples:
    >>> time_value("2025-03")
    '+2025-03-00T00:00:00Z/10'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["Unfit", "quantity_value", "text", "time_value"]

_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_DATE = re.compile(r"([+-]?\d{4,})(?:-(\d\d))?(?:-(\d\d))?")
_DURATION = re.compile(
    r"P(?:(?P<year>\d+)Y)?(?:(?P<month>\d+)M)?(?:(?P<week>\d+)W)?(?:(?P<day>\d+)D)?"
    r"(?:T(?:(?P<hour>\d+)H)?(?:(?P<minute>\d+)M)?(?:(?P<second>\d+(?:\.\d+)?)S)?)?"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


class Unfit(Exception):
    """A value that cannot go out as its property's datatype; the message is the reason."""


def text(value: str, max_length: int = 1500) -> str:
    """``value`` as QuickStatements string content: one line, no tabs, whitespace runs as one space.

    Raises:
        Unfit: empty, or longer than ``max_length``.

    Examples:
        >>> text('say "hi"\\tQ1\\tP31\\tQ5\\n-Q1 ')
        'say "hi" Q1 P31 Q5 -Q1'
    """
    out = _UNSAFE.sub(" ", value).strip()
    if not out:
        raise Unfit("an empty string")
    if len(out) > max_length:
        raise Unfit(f"a string longer than {max_length:,} characters")
    return out


def time_value(lexical: str) -> str:
    """A date (``2025``, ``2025-03`` or ``2025-03-02``) as a QuickStatements time.

    Raises:
        Unfit: not a date of one of those forms.

    Examples:
        >>> time_value("2024-05-02"), time_value("2025"), time_value("1931-07")
        ('+2024-05-02T00:00:00Z/11', '+2025-00-00T00:00:00Z/9', '+1931-07-00T00:00:00Z/10')
    """
    match = _DATE.fullmatch(lexical.strip())
    if not match:
        raise Unfit("not an exact date")
    year, month, day = match.groups()
    sign = "-" if year.startswith("-") else "+"
    precision = 11 if day else 10 if month else 9
    return f"{sign}{year.lstrip('+-')}-{month or '00'}-{day or '00'}T00:00:00Z/{precision}"


def quantity_value(lexical: str, units: Mapping[str, str]) -> str:
    """A number, or a duration in the unit the mapping gives, as a QuickStatements quantity.

    Raises:
        Unfit: neither a number nor an exact duration.

    Examples:
        >>> units = {"month": "Q5151", "minute": "Q7727"}
        >>> quantity_value("PT2H19M", units), quantity_value("P5M", units), quantity_value("42", units)
        ('139U7727', '5U5151', '42')
    """
    lexical = lexical.strip()
    if _NUMBER.fullmatch(lexical):
        return lexical
    match = _DURATION.fullmatch(lexical)
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None} if match else {}
    if not parts:
        raise Unfit("not an exact number or duration")
    if len(parts) == 1 and next(iter(parts)) in ("year", "month", "week", "day") and next(iter(parts)) in units:
        unit, amount = next(iter(parts.items()))
    else:
        factors = {"week": 10080, "day": 1440, "hour": 60, "minute": 1, "second": 1 / 60}
        if any(name not in factors for name in parts) or "minute" not in units:
            raise Unfit("a duration in years or months mixed with other units")
        unit, amount = "minute", sum(factors[name] * value for name, value in parts.items())
    number = f"{amount:.4f}".rstrip("0").rstrip(".")
    return f"{number}U{units[unit].lstrip('Q')}"
