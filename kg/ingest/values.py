"""Typed values: ISO 8601 and plain-English durations, dates, numbers, and the bounds of dates and durations.

Each parser returns the literal's lexical form and datatype, or raises
``ValueError`` with a message that says how to write the value instead. A date or
duration the source gives only roughly ("about six weeks", "early 2024") is kept as
its wording, and :func:`bounds` gives the earliest and latest value it allows, so
that values can be compared whatever their precision.

Examples:
    >>> parse_duration("5 months"), parse_duration("P20W"), parse_duration("half a year")
    ('P5M', 'P20W', 'P6M')
    >>> parse_date("2025")
    ('2025', 'http://www.w3.org/2001/XMLSchema#gYear')
    >>> parse_value("about six weeks", XSD + "duration")
    ('about six weeks', 'http://www.w3.org/2001/XMLSchema#string')
    >>> bounds("about six weeks", XSD + "duration").lexical
    ('P37D', 'P47D')
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.ontology import XSD

__all__ = ["Bounds", "bounds", "has_bounds", "parse_date", "parse_duration", "parse_value", "roughly"]

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

    A duration or date given only roughly ("about six weeks", "circa 1931"; see :func:`roughly`)
    is kept as its wording, an ``xsd:string``; :func:`bounds` reads its range.

    Raises:
        ValueError: the text does not fit the datatype.

    Examples:
        >>> parse_value("0.9", XSD + "decimal")
        ('0.9', 'http://www.w3.org/2001/XMLSchema#decimal')
        >>> parse_value("139 minutes", XSD + "duration")
        ('PT139M', 'http://www.w3.org/2001/XMLSchema#duration')
        >>> parse_value("early 2024", XSD + "date")
        ('early 2024', 'http://www.w3.org/2001/XMLSchema#string')
    """
    if datatype == XSD + "duration":
        try:
            return parse_duration(text), datatype
        except ValueError as exc:
            if roughly(text, datatype) is None:
                raise ValueError(f'{exc}, or roughly, such as "about six weeks" or "two to three months"') from None
            return text.strip(), XSD + "string"
    if datatype in _DATE_TYPES:
        try:
            return parse_date(text)
        except ValueError as exc:
            if roughly(text, datatype) is None:
                raise ValueError(f'{exc}, or roughly, such as "circa 1931" or "early 2024"') from None
            return text.strip(), XSD + "string"
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


# ------------------------------------------------------------------------------------------ bounds

_DATE_TYPES = (XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth")
_DAY = 86_400
ABOUT = 0.1
"""An "about" duration allows this fraction either side ("about six weeks": 42 days ± 10%, whole days outward)."""
CIRCA = 2
"""A "circa" date allows this many of its units either side ("circa 1931": 1929 to 1933)."""
_ABOUT_WORDS = r"about|around|approximately|approx\.?|roughly|some|circa|ca\.?|c\.|~"
_AT_LEAST = r"at least|more than|over|upwards of|no less than"
_AT_MOST = r"at most|up to|less than|under|no more than"
_FEW = {"a few": (2, 4), "a couple of": (2, 2), "several": (3, 7), "a handful of": (3, 5)}
_PARTS_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "spring": (3, 5), "summer": (6, 8),
                  "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}  # fmt: skip
_PARTS_OF_MONTH = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}


@dataclass(frozen=True)
class Bounds:
    """The range of a date or duration: ``lower`` and ``upper`` in seconds (a duration) or in days
    since 0001-01-01 (a date, ``datetime.date.toordinal``); ``None`` where the wording sets none
    ("at least 10 days" has no upper bound). ``exact`` is false for a rough wording.

    Examples:
        >>> b = bounds("5 months", XSD + "duration")
        >>> b.lexical, b.exact, b.datatype
        (('P150D', 'P153D'), True, 'http://www.w3.org/2001/XMLSchema#dayTimeDuration')
        >>> bounds("2025", XSD + "date").lexical
        ('2025-01-01', '2025-12-31')
    """

    wording: str
    is_date: bool
    lower: float | None
    upper: float | None
    exact: bool = True

    @property
    def datatype(self) -> str:
        """``xsd:date`` for a date, ``xsd:dayTimeDuration`` for a duration: the datatype of the bounds."""
        return XSD + ("date" if self.is_date else "dayTimeDuration")

    @property
    def lexical(self) -> tuple[str | None, str | None]:
        """The lower and upper bounds as lexical forms of :attr:`datatype`."""
        return _lexical(self.lower, self.is_date), _lexical(self.upper, self.is_date)

    @property
    def stored(self) -> tuple[str | None, str | None, str]:
        """The bounds as the store keeps them, and their datatype: dates as ``xsd:date``; durations
        as a number of days, ``xsd:decimal``, which every SPARQL server compares and sorts alike
        (Virtuoso 7 turns ``xsd:dayTimeDuration`` literals into seconds).

        Examples:
            >>> bounds("PT36H", XSD + "duration").stored
            ('1.5', '1.5', 'http://www.w3.org/2001/XMLSchema#decimal')
            >>> bounds("5 months", XSD + "duration").stored[:2]
            ('150', '153')
        """
        if self.is_date:
            return (*self.lexical, self.datatype)
        return _days(self.lower), _days(self.upper), XSD + "decimal"


def _days(seconds: float | None) -> str | None:
    """A number of seconds as a decimal number of days (at most six decimals)."""
    if seconds is None:
        return None
    days = round(seconds / _DAY, 6)
    return str(int(days)) if days == int(days) else f"{days:.6f}".rstrip("0")


def _lexical(value: float | None, is_date: bool) -> str | None:
    if value is None:
        return None
    if is_date:
        return dt.date.fromordinal(int(value)).isoformat()
    seconds = round(value, 3)
    days, rest = divmod(seconds, _DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{int(n)}{u}" for n, u in ((hours, "H"), (minutes, "M")) if n)
    if secs:
        time += f"{secs:g}S" if secs != int(secs) else f"{int(secs)}S"
    text = "P" + (f"{int(days)}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


@lru_cache(maxsize=4096)
def _month_days(months: int) -> tuple[int, int]:
    """The fewest and most days ``months`` consecutive calendar months span (5 months: 150 to 153)."""
    if months > 12 * 7000:  # beyond the calendar Python knows: the mean month, either way
        return math.floor(months * 30.436875) - 1, math.ceil(months * 30.436875) + 1
    spans = set()
    for year in range(2000, 2400):  # the Gregorian calendar repeats every 400 years
        for month in range(12):
            end_year, end_month = divmod(month + months, 12)
            spans.add((dt.date(year + end_year, end_month + 1, 1) - dt.date(year, month + 1, 1)).days)
    return min(spans), max(spans)


def _exact_duration(lexical: str) -> tuple[float, float] | None:
    """Seconds bounds of an ISO 8601 duration (months and years span the calendar's range)."""
    match = re.fullmatch(
        r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9.]+)S)?)?",
        lexical,
    )
    if match is None:  # a negative duration has no bounds
        return None
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    fixed = ((weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60 + seconds
    low, high = _month_days(int(years * 12 + months)) if years or months else (0, 0)
    return fixed + low * _DAY, fixed + high * _DAY


def _exact_date(lexical: str) -> tuple[float, float] | None:
    """Day bounds of a date, a year-month or a year (its first and last day)."""
    try:
        if re.fullmatch(r"[0-9]{4}", lexical):
            year = int(lexical)
            return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", lexical):
            return _month_range(int(lexical[:4]), int(lexical[5:]), int(lexical[5:]))
        day = float(dt.date.fromisoformat(lexical[:10]).toordinal())
        return day, day
    except ValueError:  # year 0 or before, or not a date at all
        return None


def _month_range(year: int, first: int, last: int, first_day: int = 1, last_day: int = 31) -> tuple[float, float]:
    """Day ``first_day`` of month ``first`` to day ``last_day`` (or the month's last) of month ``last``
    (a month past 12 is in the next year)."""
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    end = dt.date(end_year, end_month, min(last_day, calendar.monthrange(end_year, end_month)[1]))
    return float(dt.date(year, first, first_day).toordinal()), float(end.toordinal())


def _years(first: int, last: int) -> tuple[float, float]:
    """The first day of year ``first`` to the last of year ``last``.

    Raises:
        ValueError: a year outside 1 to 9999.
    """
    return float(dt.date(first, 1, 1).toordinal()), float(dt.date(last, 12, 31).toordinal())


def _range_of(text: str, is_date: bool) -> tuple[float, float] | None:
    """The exact bounds of ``text`` (any wording ``parse_duration`` or ``parse_date`` reads), or ``None``."""
    try:
        if is_date:
            return _exact_date(parse_date(text)[0])
        return _exact_duration(parse_duration(text))
    except ValueError:
        return None


def _rough_duration(text: str) -> tuple[float | None, float | None] | None:
    if match := re.fullmatch(rf"(?:{_ABOUT_WORDS})\s+(.+)", text):
        found = _range_of(match.group(1), False)
        if found is None:
            return None
        low, high = found
        return math.floor(low * (1 - ABOUT) / _DAY) * _DAY, math.ceil(high * (1 + ABOUT) / _DAY) * _DAY
    if match := re.fullmatch(r"(?:nearly|almost|just under)\s+(.+)", text):
        found = _range_of(match.group(1), False)
        return None if found is None else (math.floor(found[0] * (1 - ABOUT) / _DAY) * _DAY, found[1])
    if match := re.fullmatch(rf"(?:{_AT_LEAST})\s+(.+)|(.+?)\s+or (?:more|longer)", text):
        found = _range_of(match.group(1) or match.group(2), False)
        return None if found is None else (found[0], None)
    if match := re.fullmatch(rf"(?:{_AT_MOST})\s+(.+)|(.+?)\s+or (?:less|fewer)", text):
        found = _range_of(match.group(1) or match.group(2), False)
        return None if found is None else (0.0, found[1])
    for words, (few, many) in _FEW.items():
        if match := re.fullmatch(rf"{words}\s+([a-z]+)", text):
            low_range, high_range = _range_of(f"{few} {match.group(1)}", False), _range_of(f"{many} {match.group(1)}", False)
            if low_range and high_range:
                return low_range[0], high_range[1]
    return _between(text, False)


def _between(text: str, is_date: bool) -> tuple[float | None, float | None] | None:
    """"two to three months", "2-3 weeks", "between 1931 and 1933", "2025-03 to 2025-05"."""
    text = re.sub(r"^between\s+", "", text)
    for separator in re.finditer(r"\s*(?:\bto\b|\band\b|\bor\b|-|–|—)\s*", text):
        first, second = text[: separator.start()], text[separator.end() :]
        high = _range_of(second, is_date)
        low = _range_of(first, is_date)
        if low is None and not is_date and (unit := re.fullmatch(r"\S+\s+(.+)", second)):
            low = _range_of(f"{first} {unit.group(1)}", False)  # "two to three months": the unit is said once
        if low is not None and high is not None and low[0] <= high[1]:
            return low[0], high[1]
    return None


def _rough_date(text: str) -> tuple[float | None, float | None] | None:
    if match := re.fullmatch(rf"(?:{_ABOUT_WORDS})\s*([0-9][0-9-]*)", text):
        found = _range_of(match.group(1), True)
        if found is None:
            return None
        value = match.group(1)
        start, end = (dt.date.fromordinal(int(d)) for d in found)
        if len(value) == 4:
            return _years(start.year - CIRCA, end.year + CIRCA)
        if len(value) == 7:
            months = start.year * 12 + start.month - 1
            low = dt.date((months - CIRCA) // 12, (months - CIRCA) % 12 + 1, 1)
            high_month = months + CIRCA + 1
            high = dt.date(high_month // 12, high_month % 12 + 1, 1) - dt.timedelta(days=1)
            return float(low.toordinal()), float(high.toordinal())
        return found[0] - CIRCA, found[1] + CIRCA
    if match := re.fullmatch(r"(early|mid|late|spring|summer|autumn|fall|winter)[\s-]+([0-9]{4})(?:-([0-9]{2}))?", text):
        part, year = match.group(1), int(match.group(2))
        if match.group(3) is None:
            first, last = _PARTS_OF_YEAR[part]
            return _month_range(year, first, last)
        if part not in _PARTS_OF_MONTH or not 1 <= int(match.group(3)) <= 12:
            return None
        first_day, last_day = _PARTS_OF_MONTH[part]
        month = int(match.group(3))
        return _month_range(year, month, month, first_day, last_day)
    if match := re.fullmatch(r"(?:the\s+)?([0-9]{3})0s", text):
        return _years(int(match.group(1)) * 10, int(match.group(1)) * 10 + 9)
    if match := re.fullmatch(r"(before|after|by|since|until)\s+(.+)", text):
        found = _range_of(match.group(2), True)
        if found is None:
            return None
        word = match.group(1)
        if word == "before":
            return None, found[0] - 1
        if word == "after":
            return found[1] + 1, None
        return (None, found[1]) if word in ("by", "until") else (found[0], None)
    return _between(text, True)


@lru_cache(maxsize=65_536)
def roughly(text: str, datatype: str) -> Bounds | None:
    """The bounds of a rough wording of a duration or date, or ``None`` when it is not one.

    Durations: "about X" (X ± :data:`ABOUT`, whole days outward), "nearly X", "at least X",
    "more than X", "over X", "X or more" (no upper bound), "at most X", "up to X", "under X",
    "a few X" (2 to 4), "several X" (3 to 7), "a couple of X", "A to B X", "A-B X",
    "between A and B X". Dates: "circa X" or "about X" (X ± :data:`CIRCA` of its unit),
    "early", "mid" or "late" YEAR (January to April, May to August, September to December)
    or YEAR-MONTH (days 1-10, 11-20, 21-end), "spring|summer|autumn|winter YEAR", "the 1930s",
    "before X", "after X", "by X", "since X", "A to B". Exact wordings give ``None``: use :func:`bounds`.

    Args:
        text: the wording.
        datatype: the XSD datatype the value should have (a duration or a date type).

    Returns:
        The bounds, with ``exact`` false, or ``None``.

    Examples:
        >>> roughly("two to three months", XSD + "duration").lexical
        ('P59D', 'P92D')
        >>> roughly("at least 10 days", XSD + "duration").lexical
        ('P10D', None)
        >>> roughly("circa 1931", XSD + "date").lexical
        ('1929-01-01', '1933-12-31')
        >>> roughly("early 2024", XSD + "date").lexical
        ('2024-01-01', '2024-04-30')
        >>> roughly("soon", XSD + "duration") is None
        True
    """
    words = " ".join(text.strip().lower().split())
    is_date = datatype in _DATE_TYPES
    if not words or (not is_date and datatype != XSD + "duration"):
        return None
    if _range_of(words, is_date) is not None:
        return None
    try:
        found = _rough_date(words) if is_date else _rough_duration(words)
        if found is None:
            return None
        rough = Bounds(text.strip(), is_date, found[0], found[1], exact=False)
        rough.lexical  # noqa: B018  # a bound outside the calendar (after 9999) raises here
    except (ValueError, OverflowError):
        return None
    return rough


@lru_cache(maxsize=65_536)
def has_bounds(datatype: str) -> bool:
    """Whether values of ``datatype`` have bounds (:func:`bounds`): dates and durations.

    Examples:
        >>> has_bounds(XSD + "gYear"), has_bounds(XSD + "integer")
        (True, False)
    """
    return datatype in _DATE_TYPES or datatype == XSD + "duration"


def bounds(text: str, datatype: str) -> Bounds | None:
    """The bounds of a duration or date as written, exact or rough; ``None`` for other datatypes
    or text that is neither.

    An exact duration spans what the calendar allows (5 months: 150 to 153 days, 20 weeks:
    140 days both ways); an exact date spans its precision (2025: the whole year).

    Examples:
        >>> bounds("20 weeks", XSD + "duration").lexical
        ('P140D', 'P140D')
        >>> bounds("half a year", XSD + "duration").lexical
        ('P181D', 'P184D')
        >>> bounds("PT139M", XSD + "duration").lexical
        ('PT2H19M', 'PT2H19M')
        >>> bounds("2025-03-02", XSD + "date").lexical
        ('2025-03-02', '2025-03-02')
        >>> bounds("0.9", XSD + "decimal") is None
        True
    """
    if not has_bounds(datatype):
        return None
    is_date = datatype in _DATE_TYPES
    found = _range_of(text.strip(), is_date)
    if found is not None:
        return Bounds(text.strip(), is_date, found[0], found[1])
    return roughly(text, datatype)
