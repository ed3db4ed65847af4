"""Typed values (kg.ingest.values): durations, dates, numbers."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest.values import parse_date, parse_duration, parse_value
from kg.vocab import XSD

# XSD lexical spaces (https://www.w3.org/TR/xmlschema11-2/), ASCII digits only. filmkg also keeps
# ISO 8601 weeks (P20W) as written, so the duration pattern allows a W part.
_D = "[0-9]"
XSD_LEXICAL = {
    XSD + "duration": re.compile(
        rf"-?P(?=[0-9T])(?:{_D}+Y)?(?:{_D}+M)?(?:{_D}+W)?(?:{_D}+D)?"
        rf"(?:T(?=[0-9])(?:{_D}+H)?(?:{_D}+M)?(?:{_D}+(?:\.{_D}+)?S)?)?"
    ),
    XSD + "gYear": re.compile(rf"-?{_D}{{4,}}(?:Z|[+-]{_D}{{2}}:{_D}{{2}})?"),
    XSD + "gYearMonth": re.compile(rf"-?{_D}{{4,}}-(?:0[1-9]|1[0-2])(?:Z|[+-]{_D}{{2}}:{_D}{{2}})?"),
    XSD + "date": re.compile(rf"-?{_D}{{4,}}-{_D}{{2}}-{_D}{{2}}(?:Z|[+-]{_D}{{2}}:{_D}{{2}})?"),
    XSD + "dateTime": re.compile(
        rf"-?{_D}{{4,}}-{_D}{{2}}-{_D}{{2}}T{_D}{{2}}:{_D}{{2}}:{_D}{{2}}(?:\.{_D}+)?(?:Z|[+-]{_D}{{2}}:{_D}{{2}})?"
    ),
    XSD + "decimal": re.compile(rf"[+-]?(?:{_D}+(?:\.{_D}*)?|\.{_D}+)"),
    XSD + "integer": re.compile(rf"[+-]?{_D}+"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
}


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize("text", ["P5M", "P20W", "PT10S", "P1Y2M3DT4H5M6S", "PT1.5S", "P10D", "PT139M", "-P5M"])
def test_iso_durations_are_kept_as_written(text: str) -> None:
    assert parse_duration(text) == text
    assert parse_duration(f"  {text} ") == text


def test_iso_durations_are_upper_cased() -> None:
    assert parse_duration("p20w") == "P20W"
    assert parse_duration("pt10s") == "PT10S"


def test_p20w_is_not_rewritten_in_days_or_months() -> None:
    assert parse_duration("P20W") == "P20W"
    assert parse_value("P20W", XSD + "duration") == ("P20W", XSD + "duration")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("5 months", "P5M"),
        ("1 month", "P1M"),
        ("ten days", "P10D"),
        ("half a year", "P6M"),
        ("half an hour", "PT30M"),
        ("20 weeks", "P20W"),
        ("twenty weeks", "P20W"),
        ("twenty-one days", "P21D"),
        ("2 hours and 30 minutes", "PT2H30M"),
        ("a year, two months", "P1Y2M"),
        ("one year and six months", "P1Y6M"),
        ("90 seconds", "PT90S"),
        ("139 minutes", "PT139M"),
        ("  5   Months ", "P5M"),
        ("Five Months", "P5M"),
        ("3 days and 4 hours", "P3DT4H"),
    ],
)
def test_english_durations(text: str, iso: str) -> None:
    assert parse_duration(text) == iso


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "P", "PT", "P1YT", "5", "months", "5 parsecs", "half a month", "5 months ago",
     "P5X", "five", "and", "a while", "P5M3", "5M", "T10S", "about 5 months"],
)
def test_bad_durations_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration") as info:
        parse_duration(text)
    assert "P5M" in str(info.value)  # the message shows how to write one


@pytest.mark.parametrize("text", ["P\u0665M", "\u0665 months"])  # ARABIC-INDIC DIGIT FIVE
def test_durations_with_non_ascii_digits_are_refused_or_normalized(text: str) -> None:
    try:
        lexical = parse_duration(text)
    except ValueError:
        return
    assert XSD_LEXICAL[XSD + "duration"].fullmatch(lexical), lexical


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", ("2025", XSD + "gYear")),
        ("2025-03", ("2025-03", XSD + "gYearMonth")),
        ("2025-03-02", ("2025-03-02", XSD + "date")),
        (" 2024-10-18 ", ("2024-10-18", XSD + "date")),
        ("2024-02-29", ("2024-02-29", XSD + "date")),
        ("2025-03-02T10:30:00Z", ("2025-03-02T10:30:00Z", XSD + "dateTime")),
        ("2025-03-02T10:30:00+01:00", ("2025-03-02T10:30:00+01:00", XSD + "dateTime")),
    ],
)
def test_dates(text: str, expected: tuple[str, str]) -> None:
    assert parse_date(text) == expected
    assert parse_value(text, XSD + "date") == expected


@pytest.mark.parametrize(
    "text",
    ["", "soon", "2025-13", "2025-00", "2025-13-40", "2025-02-30", "2023-02-29", "25", "202", "March 2025",
     "2025/03/02", "02-03-2025", "2025-3-2", "2025-03-02T25:00:00"],
)
def test_invalid_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["\u0662\u0660\u0662\u0665", "\u0662\u0660\u0662\u0665-\u0660\u0663"])
def test_dates_with_non_ascii_digits_are_refused_or_normalized(text: str) -> None:
    """Arabic-Indic digits match Python's \\d but are not XSD digits: "٢٠٢٥"^^xsd:gYear is ill-typed."""
    try:
        lexical, datatype = parse_date(text)
    except ValueError:
        return
    assert XSD_LEXICAL[datatype].fullmatch(lexical), (lexical, datatype)


@pytest.mark.parametrize("text", ["2025-03-02T10:00", "2025-03-02T10", "20250302T1000"])
def test_date_times_must_be_xsd_date_times(text: str) -> None:
    """xsd:dateTime needs YYYY-MM-DDThh:mm:ss; Python's fromisoformat accepts more."""
    try:
        lexical, datatype = parse_date(text)
    except ValueError:
        return
    assert XSD_LEXICAL[datatype].fullmatch(lexical), (lexical, datatype)


# ------------------------------------------------------------------ numbers and other datatypes


@pytest.mark.parametrize("text", ["0.9", "1", "-0.5", "+2.25", ".5", "10."])
def test_decimals(text: str) -> None:
    assert parse_value(text, XSD + "decimal") == (text, XSD + "decimal")


@pytest.mark.parametrize("text", ["", "abc", "nan", "NaN", "inf", "-inf", "Infinity", "0,9", "1.2.3", "ninety"])
def test_bad_decimals_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_value(text, XSD + "decimal")


@pytest.mark.parametrize("text", ["1e5", "-nan", "+Infinity", "sNaN", "1_000", "\u0661\u0662"])
def test_decimals_accept_only_xsd_decimal_lexical_forms(text: str) -> None:
    """Python's Decimal reads exponents, underscores, signed NaN/Infinity and non-ASCII digits;
    none of them is an xsd:decimal, so each must be refused (or rewritten to a valid form)."""
    try:
        lexical, datatype = parse_value(text, XSD + "decimal")
    except ValueError:
        return
    assert XSD_LEXICAL[datatype].fullmatch(lexical), (lexical, datatype)


@pytest.mark.parametrize(("text", "lexical"), [("42", "42"), ("-7", "-7"), (" +3 ", "+3")])
def test_integers(text: str, lexical: str) -> None:
    assert parse_value(text, XSD + "integer") == (lexical, XSD + "integer")


@pytest.mark.parametrize("text", ["4.2", "four", "", "1e3"])
def test_bad_integers_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="whole number"):
        parse_value(text, XSD + "integer")


def test_booleans() -> None:
    assert parse_value("True", XSD + "boolean") == ("true", XSD + "boolean")
    assert parse_value(" false ", XSD + "boolean") == ("false", XSD + "boolean")
    with pytest.raises(ValueError):
        parse_value("yes", XSD + "boolean")


def test_strings_are_kept_as_given() -> None:
    assert parse_value(" pole dancing ", XSD + "string") == (" pole dancing ", XSD + "string")


def test_durations_through_parse_value() -> None:
    assert parse_value("5 months", XSD + "duration") == ("P5M", XSD + "duration")
    assert parse_value("2025", XSD + "gYear") == ("2025", XSD + "gYear")


# ------------------------------------------------------------------ properties

any_text = st.text(st.characters(codec="utf-8"), max_size=30)
value_like = st.one_of(
    any_text,
    st.from_regex(r"\A-?P(\d{1,3}[YMWD]){0,3}(T(\d{1,3}[HMS]){0,3})?\Z"),
    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z"),
    st.from_regex(r"\A[+-]?\d{0,4}(\.\d{0,3})?([eE]\d)?\Z"),
    st.from_regex(r"\A(half an? |\d{1,3} |ten |twenty-one )(year|month|week|day|hour|minute|second)s?\Z"),
)
DATATYPES = ["duration", "date", "dateTime", "gYear", "decimal", "double", "integer", "boolean", "string"]


@settings(max_examples=100, deadline=None)
@given(value_like)
def test_any_text_is_a_duration_or_a_value_error(text: str) -> None:
    try:
        lexical = parse_duration(text)
    except ValueError:
        return
    assert lexical.startswith(("P", "-P"))
    assert parse_duration(lexical) == lexical  # the result reads back as itself


@settings(max_examples=100, deadline=None)
@given(value_like)
def test_any_text_is_a_date_or_a_value_error(text: str) -> None:
    try:
        lexical, datatype = parse_date(text)
    except ValueError:
        return
    assert datatype in (XSD + "gYear", XSD + "gYearMonth", XSD + "date", XSD + "dateTime")
    assert parse_date(lexical) == (lexical, datatype)


@settings(max_examples=100, deadline=None)
@given(value_like, st.sampled_from(DATATYPES))
def test_any_text_parses_or_raises_value_error(text: str, datatype: str) -> None:
    try:
        lexical, result = parse_value(text, XSD + datatype)
    except ValueError:
        return
    ox.Literal(lexical, datatype=ox.NamedNode(result))  # a literal can be made of it


@settings(max_examples=100, deadline=None)
@given(value_like, st.sampled_from([d for d in DATATYPES if d != "string"]))
def test_parsed_values_are_valid_xsd_lexical_forms(text: str, datatype: str) -> None:
    """A value that parses is a valid literal of the datatype it is given (never an ill-typed literal)."""
    try:
        lexical, result = parse_value(text, XSD + datatype)
    except ValueError:
        return
    if result == XSD + "double":
        return  # no xsd:double property in the ontology; not checked here
    assert XSD_LEXICAL[result].fullmatch(lexical), (text, lexical, result)
