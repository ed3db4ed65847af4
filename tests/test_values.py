"""Typed values (kg.ingest.values): durations, dates, numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import IngestError, KnowledgeGraph
from kg.ingest.values import bounds, parse_date, parse_duration, parse_value
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


# ------------------------------------------------------------------ bounds: exact and rough wordings

DURATION, DATE = XSD + "duration", XSD + "date"


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("5 months", "P150D", "P153D"),  # five consecutive calendar months: February-June to July-November
        ("five months", "P150D", "P153D"),
        ("P5M", "P150D", "P153D"),
        ("20 weeks", "P140D", "P140D"),  # an exact number of days: equal bounds
        ("half a year", "P181D", "P184D"),
        ("P1Y", "P365D", "P366D"),
        ("10 days", "P10D", "P10D"),
        ("PT139M", "PT2H19M", "PT2H19M"),
        ("PT10S", "PT10S", "PT10S"),
    ],
)
def test_exact_durations_span_the_calendar(text: str, lower: str, upper: str) -> None:
    found = bounds(text, DURATION)
    assert found is not None and found.exact
    assert found.lexical == (lower, upper)
    assert found.datatype == XSD + "dayTimeDuration"


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025", "2025-01-01", "2025-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-03-02", "2025-03-02", "2025-03-02"),  # a full date: equal bounds
        ("2025-03-02T10:30:00Z", "2025-03-02", "2025-03-02"),
    ],
)
def test_exact_dates_span_their_precision(text: str, lower: str, upper: str) -> None:
    found = bounds(text, DATE)
    assert found is not None and found.exact
    assert found.lexical == (lower, upper)


ROUGH_DURATIONS = [
    ("about six weeks", "P37D", "P47D"),  # 42 days ± 10%, whole days outward
    ("around 3 days", "P2D", "P4D"),
    ("several months", "P89D", "P215D"),  # 3 to 7 months
    ("a few weeks", "P14D", "P28D"),  # 2 to 4 weeks
    ("two to three months", "P59D", "P92D"),
    ("2-3 weeks", "P14D", "P21D"),
    ("between 2 and 3 months", "P59D", "P92D"),
    ("at least 10 days", "P10D", None),
    ("10 days or more", "P10D", None),
    ("over a year", "P365D", None),
    ("more than 20 weeks", "P140D", None),
    ("up to 3 weeks", "PT0S", "P21D"),
    ("nearly a year", "P328D", "P366D"),
]
ROUGH_DATES = [
    ("circa 1931", "1929-01-01", "1933-12-31"),  # ± 2 years
    ("c. 1931", "1929-01-01", "1933-12-31"),
    ("circa 2024-03", "2024-01-01", "2024-05-31"),  # ± 2 months
    ("early 2024", "2024-01-01", "2024-04-30"),
    ("mid 2024", "2024-05-01", "2024-08-31"),
    ("late 2024", "2024-09-01", "2024-12-31"),
    ("late 2024-02", "2024-02-21", "2024-02-29"),
    ("winter 2024", "2024-12-01", "2025-02-28"),
    ("the 1930s", "1930-01-01", "1939-12-31"),
    ("before 1931", None, "1930-12-31"),
    ("after 1931", "1932-01-01", None),
    ("1931 to 1933", "1931-01-01", "1933-12-31"),
    ("2025-03 to 2025-05", "2025-03-01", "2025-05-31"),
]


@pytest.mark.parametrize(("text", "lower", "upper"), ROUGH_DURATIONS)
def test_rough_durations_keep_their_wording_with_bounds(text: str, lower: str | None, upper: str | None) -> None:
    assert parse_value(text, DURATION) == (text, XSD + "string")
    found = bounds(text, DURATION)
    assert found is not None and not found.exact
    assert (found.wording, found.lexical) == (text, (lower, upper))
    for bound in found.lexical:
        if bound is not None:
            assert ox.Literal(bound, datatype=ox.NamedNode(XSD + "dayTimeDuration")).value == bound


@pytest.mark.parametrize(("text", "lower", "upper"), ROUGH_DATES)
def test_rough_dates_keep_their_wording_with_bounds(text: str, lower: str | None, upper: str | None) -> None:
    assert parse_value(text, DATE) == (text, XSD + "string")
    found = bounds(text, DATE)
    assert found is not None and not found.exact
    assert found.lexical == (lower, upper)


@pytest.mark.parametrize("text", ["soon", "about soon", "several", "2 to", "3 to 2 months", "months", "a while",
                                  "circa", "early 20245", "last spring", "after 9999", "circa 0001"])
def test_unparseable_rough_wordings_are_still_errors(text: str) -> None:
    for datatype in (DURATION, DATE):
        with pytest.raises(ValueError, match="is not a (duration|date).*roughly"):
            parse_value(text, datatype)
        assert bounds(text, datatype) is None


def test_other_datatypes_have_no_bounds() -> None:
    assert bounds("0.9", XSD + "decimal") is None
    assert bounds("about six weeks", XSD + "string") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 -–toandbeweircaelyPMDWYTS.", max_size=16))
def test_any_text_is_a_value_with_valid_bounds_or_an_error(text: str) -> None:
    for datatype in (DURATION, DATE):
        try:
            lexical, literal_type = parse_value(text, datatype)
        except ValueError:
            continue
        found = bounds(text, datatype)
        assert found is not None, text
        assert found.exact == (literal_type != XSD + "string")
        low, high = found.lower, found.upper
        assert low is None or high is None or low <= high
        for bound in found.lexical:
            if bound is not None:
                ox.Literal(bound, datatype=ox.NamedNode(found.datatype))


# ------------------------------------------------------------------ bounds in the store (README, "The RDF contract")

_BOUNDS_QUERY = """SELECT ?wording ?value ?lower ?upper WHERE {
  ?b film:boundsOf ?st ; film:boundedProperty film:duration ; film:wording ?wording .
  ?st film:duration ?value .
  OPTIONAL { ?b film:lowerBound ?lower } OPTIONAL { ?b film:upperBound ?upper }
} ORDER BY ?lower ?wording"""


def _ingest_durations(tmp_path: Path, values: list[str]) -> KnowledgeGraph:
    rows = "".join(f"Mikey Madison,trained-for,Anora,{v},Source {i}\n" for i, v in enumerate(values))
    path = tmp_path / "rough.csv"
    path.write_text("subject,predicate,object,duration,source\n" + rows, encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    return graph


def test_rough_and_exact_durations_sort_by_their_bounds_in_sparql(tmp_path: Path) -> None:
    graph = _ingest_durations(tmp_path, ["half a year", "about six weeks", "20 weeks", "at least 10 days"])
    rows = [tuple(str(v) if v is not None else None for v in r.values()) for r in graph.query(_BOUNDS_QUERY).records()]
    assert rows == [
        ("at least 10 days", "at least 10 days", "10", None),
        ("about six weeks", "about six weeks", "37", "47"),
        ("20 weeks", "P20W", "140", "140"),
        ("half a year", "P6M", "181", "184"),
    ]
    longer = graph.query('SELECT (COUNT(*) AS ?n) WHERE { ?b film:lowerBound ?l . FILTER(?l >= 100) }').to_dataframe()
    assert int(longer.iloc[0, 0]) == 2


def test_rough_dates_compare_in_sparql(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("subject,predicate,object\nOld film,release-date,circa 1931\nNew film,release-date,early 2024\n",
                    encoding="utf-8")  # fmt: skip
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    frame = graph.query(
        "SELECT ?date ?lower ?upper WHERE { ?f film:releaseDate ?date . ?st rdf:subject ?f ; rdf:object ?date . "
        "?b film:boundsOf ?st ; film:lowerBound ?lower ; film:upperBound ?upper . "
        'FILTER(?upper < "2000-01-01"^^xsd:date) }'
    ).to_dataframe()
    assert [tuple(map(str, r)) for r in frame.itertuples(index=False)] == [("circa 1931", "1929-01-01", "1933-12-31")]


def test_an_unparseable_wording_is_rejected_with_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("subject,predicate,object,duration\nMikey Madison,trained-for,Anora,about six weeks\n"
                    "Mikey Madison,trained-for,Anora,a good while\n", encoding="utf-8")  # fmt: skip
    graph = KnowledgeGraph.memory()
    with pytest.raises(IngestError) as info:
        graph.ingest(path)
    assert [(p.line, p.column, p.column_name) for p in info.value.problems] == [(3, 4, "duration")]
    assert f"{path}:3:4: column duration: " in str(info.value)
    assert '"a good while" is not a duration' in str(info.value)
    assert len(graph) == 0


def test_bounds_nodes_are_never_entities(tmp_path: Path) -> None:
    graph = _ingest_durations(tmp_path, ["about six weeks", "20 weeks"])
    network = graph.to_networkx()
    assert sorted(data["label"] for _, data in network.nodes(data=True)) == ["Anora", "Mikey Madison"]
    assert network.number_of_edges() == 1
