"""Typed values: ISO 8601 and plain-English durations, dates, numbers.

Each parser returns the literal's lexical form and datatype, or raises
``ValueError`` with a message that says how to write the value instead.

Examples:
    >>> parse_duration("5 months"), parse_duration("P20W"), parse_duration("half a year")
    ('P5M', 'P20W', 'P6M')
    >>> parse_date("2025")
    ('2025', 'http://www.w3.org/2001/XMLSchema#gYear')
"""

from __future__ import annotations

import datetime as dt
import re

from kg.ontology import XSD

__all__ = ["parse_date", "parse_duration", "parse_value"]

_ISO_DURATION = re.compile(
    r"-?P(?=[0-9]|T[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}  # fmt: skip
# unit -> (designator, is time part, half of one unit as (amount, designator, is time part))
_UNITS: dict[str, tuple[str, bool, tuple[int, str, bool] | None]] = {
    "year": ("Y", False, (6, "M", False)),
    "month": ("M", False, None),
    "week": ("W", False, None),
    "day": ("D", False, (12, "H", True)),
    "hour": ("H", True, (30, "M", True)),
    "minute": ("M", True, (30, "S", True)),
    "min": ("M", True, (30, "S", True)),
    "second": ("S", True, None),
    "sec": ("S", True, None),
}
_PART = re.compile(r"(half\s+an?|[0-9]+|[a-z]+(?:[\s-][a-z]+)?)\s+([a-z]+?)s?\b")
_DATE_FORMATS = (
    (re.compile(r"-?[0-9]{4}"), XSD + "gYear"),
    (re.compile(r"-?[0-9]{4}-[0-9]{2}"), XSD + "gYearMonth"),
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN")


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    total = 0
    for piece in re.split(r"[\s-]+", word):
        if piece not in _NUMBER_WORDS:
            return None
        total += _NUMBER_WORDS[piece]
    return total


def parse_duration(text: str) -> str:
    """An ``xsd:duration`` lexical form from ISO 8601 (``P5M``, ``PT10S``, ``P20W``) or English.

    English accepts numbers in digits or words and the units year, month, week, day,
    hour, minute and second, joined by commas or "and": ``5 months``, ``ten days``,
    ``2 hours and 30 minutes``, ``half a year``. ISO input is kept as written.

    Raises:
        ValueError: the text is not a duration; the message shows how to write one.

    Examples:
        >>> parse_duration("ten days"), parse_duration("2 hours and 30 minutes"), parse_duration("pt10s")
        ('P10D', 'PT2H30M', 'PT10S')
        >>> parse_duration("soon")
        Traceback (most recent call last):
        ...
        ValueError: "soon" is not a duration: write ISO 8601 such as P5M, P20W or PT10S, or English such as "5 months"
    """
    value = text.strip()
    if _ISO_DURATION.fullmatch(value.upper()):
        return value.upper()
    words = re.sub(r"\s+", " ", value.lower().replace(",", " and ")).strip()
    amounts: dict[tuple[str, bool], int] = {}
    pos = 0
    for piece in re.split(r"\band\b", words):
        piece = piece.strip()
        if not piece:
            continue
        match = _PART.fullmatch(piece)
        unit = _UNITS.get(match.group(2)) if match else None
        if match is None or unit is None:
            amounts = {}
            break
        designator, is_time, half = unit
        if match.group(1).startswith("half"):
            if half is None:
                amounts = {}
                break
            amount, designator, is_time = half
        else:
            number = _number(match.group(1))
            if number is None:
                amounts = {}
                break
            amount = number
        amounts[(designator, is_time)] = amounts.get((designator, is_time), 0) + amount
        pos += 1
    if not amounts:
        raise ValueError(
            f'"{text}" is not a duration: write ISO 8601 such as P5M, P20W or PT10S, or English such as "5 months"'
        )
    date = "".join(f"{amounts[(d, False)]}{d}" for d in "YMWD" if (d, False) in amounts)
    time = "".join(f"{amounts[(d, True)]}{d}" for d in "HMS" if (d, True) in amounts)
    return "P" + date + (f"T{time}" if time else "")


def parse_date(text: str) -> tuple[str, str]:
    """A date as lexical form and datatype: ``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear`` or ``xsd:dateTime``.

    Raises:
        ValueError: not a date; the message shows the accepted forms.

    Examples:
        >>> parse_date("2025-03-02")
        ('2025-03-02', 'http://www.w3.org/2001/XMLSchema#date')
        >>> parse_date("2025-13-40")
        Traceback (most recent call last):
        ...
        ValueError: "2025-13-40" is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (or YYYY-MM-DDThh:mm:ss)
    """
    value = text.strip()
    for pattern, datatype in _DATE_FORMATS:
        if pattern.fullmatch(value):
            if datatype.endswith("gYearMonth") and not 1 <= int(value[-2:]) <= 12:
                break
            return value, datatype
    try:
        if _DATE.fullmatch(value):
            dt.date.fromisoformat(value)
            return value, XSD + "date"
        if _DATE_TIME.fullmatch(value):
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return value, XSD + "dateTime"
    except ValueError:
        pass
    raise ValueError(f'"{text}" is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (or YYYY-MM-DDThh:mm:ss)')


def parse_value(text: str, datatype: str) -> tuple[str, str]:
    """The lexical form and datatype of ``text`` read as a value of ``datatype``.

    Raises:
        ValueError: the text does not fit the datatype.

    Examples:
        >>> parse_value("0.9", XSD + "decimal")
        ('0.9', 'http://www.w3.org/2001/XMLSchema#decimal')
        >>> parse_value("139 minutes", XSD + "duration")
        ('PT139M', 'http://www.w3.org/2001/XMLSchema#duration')
    """
    if datatype == XSD + "duration":
        return parse_duration(text), datatype
    if datatype in (XSD + "date", XSD + "dateTime", XSD + "gYear"):
        return parse_date(text)
    value = text.strip()
    if datatype == XSD + "integer":
        if not _INTEGER.fullmatch(value):
            raise ValueError(f'"{text}" is not a whole number: write it like 42')
        return value, datatype
    if datatype == XSD + "decimal":
        if not _DECIMAL.fullmatch(value):
            raise ValueError(f'"{text}" is not a number: write a decimal like 0.9')
        return value, datatype
    if datatype in (XSD + "double", XSD + "float"):
        if not _DOUBLE.fullmatch(value):
            raise ValueError(f'"{text}" is not a number: write it like 0.9 or 1.5e3')
        return value, datatype
    if datatype == XSD + "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(f'"{text}" is not true or false')
        return value.lower(), datatype
    return text, XSD + "string"
