"""What Virtuoso 7 changes in its answers, undone before they are parsed.

Virtuoso keeps some typed literals as SQL values and writes them back in its own way:

- ``xsd:duration`` values become numbers: a duration in years and months becomes its number of
  months (``"P5M"`` → ``"5"``), one in days and time its number of seconds (``"PT90M"`` →
  ``"5400.0"``, six significant digits); neither is a valid duration. Durations with both parts
  stay as written (openlink/virtuoso-opensource#936). Its parser also misreads whole seconds
  (``"PT10S"`` becomes 10.1 s, ``"PT5S"`` 5.5 s), so :func:`prepare_upload` writes them with a
  decimal point first (``"PT10.0S"``), which it reads right;
- ``xsd:boolean`` is ``"1"``/``"0"`` in SPARQL JSON results, and ``xsd:double``/``xsd:float`` are
  written as C prints them (``"1000.0"``, ``"1e+20"``);
- blank nodes are ``nodeID://b1`` in SPARQL results and ``_:b1`` in RDF.

Three more differences are on the way there: :func:`dataset_pragmas` sends a query's dataset in
its text rather than as protocol parameters, :func:`bounded_offsets` gives every ``OFFSET``
without ``LIMIT`` a limit (without one Virtuoso fails the query), and :func:`prepare_upload`
writes durations so that Virtuoso reads them right.

:func:`repair` rewrites such literals to the canonical form the embedded store (Oxigraph) gives
the same value, and blank node labels to ``b1``, so that every command prints the same on both.
It only runs on answers whose ``Server`` header names Virtuoso.

Examples:
    >>> repair(b'<http://e/s> <http://e/p> "5"^^<http://www.w3.org/2001/XMLSchema#duration> .')
    b'<http://e/s> <http://e/p> "P5M"^^<http://www.w3.org/2001/XMLSchema#duration> .'
    >>> canonical("5400.0", "duration"), canonical("-12", "duration"), canonical("1", "boolean")
    ('PT1H30M', '-P1Y', 'true')
"""

from __future__ import annotations

import decimal
import functools
import re

import pyoxigraph as ox

from kg.sparql import tokenize

__all__ = ["NO_LIMIT", "bounded_offsets", "canonical", "dataset_pragmas", "is_virtuoso", "prepare_upload", "repair"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPES = "duration|boolean|double|float"
_TYPED_NT = re.compile(rb'"([^"\\]*)"\^\^<' + re.escape(_XSD.encode()) + rb"(" + _TYPES.encode() + rb")>")
_TYPED_JSON = re.compile(
    rb'("datatype"\s*:\s*"' + re.escape(_XSD.encode()) + rb"(" + _TYPES.encode() + rb')"\s*,\s*"value"\s*:\s*")'
    rb'([^"\\]*)"'
)
_WHOLE_SECONDS = re.compile(rb'"(-?P[^"\\]*?)(?<![\d.])(\d+)S"(\^\^<' + re.escape(_XSD.encode()) + rb"duration>)")
_BLANK_JSON = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_INTEGER = re.compile(r"[-+]?\d+")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def is_virtuoso(server_header: str | None) -> bool:
    """Whether an HTTP ``Server`` header names Virtuoso.

    Examples:
        >>> is_virtuoso("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"), is_virtuoso(None)
        (True, False)
    """
    return server_header is not None and server_header.strip().lower().startswith("virtuoso")


def dataset_pragmas(default: list[str], named: list[str]) -> str:
    """A query's dataset as Virtuoso's ``define input:…`` pragmas, which go before the query text.

    Virtuoso echoes every ``default-graph-uri`` and ``named-graph-uri`` protocol parameter in a
    header of its answer; with a hundred graphs that is more headers than Python's HTTP client
    reads. The pragmas say the same and are not echoed.

    Examples:
        >>> print(dataset_pragmas(["http://e/g"], ["http://e/g"]), end="")
        define input:default-graph-uri <http://e/g>
        define input:named-graph-uri <http://e/g>
    """
    lines = [f"define input:default-graph-uri {ox.NamedNode(g)}\n" for g in default]
    lines += [f"define input:named-graph-uri {ox.NamedNode(g)}\n" for g in named]
    return "".join(lines)


NO_LIMIT = 999_999_999_999_999_999
"""The largest ``LIMIT`` Virtuoso 7 accepts (a longer number is a syntax error, SQ074): far more
rows than any answer it sends, which it cuts at its ``ResultSetMaxRows`` anyway."""


def bounded_offsets(query: str) -> str:
    """``query`` with ``LIMIT`` :data:`NO_LIMIT` before each ``OFFSET`` that has neither a ``LIMIT``
    nor an ``ORDER BY`` beside it (in the query or in a subquery): the same answer, which Virtuoso
    7 then gives.

    Virtuoso turns ``OFFSET n`` into a SQL ``TOP`` clause. Without a ``LIMIT`` and without an ``ORDER
    BY`` the clause's row count comes out negative, and the query fails with "SR350: TOP parameter
    < 0", for any offset above 0 and however many solutions there are (openlink/virtuoso-opensource#76).
    With ``ORDER BY`` it pages right as it is, and a limit there would make it refuse the query
    (SR353: a sorted ``TOP`` over more than ``MaxSortedTopRows`` rows), so such queries are left alone.

    The solution modifiers of a query or subquery are the words between the ``}`` that closes its
    ``WHERE`` group and the next brace; strings, IRIs and comments are never read as keywords.

    Args:
        query: the text of a SPARQL query.

    Returns:
        The text to send to Virtuoso (``query`` itself when every ``OFFSET`` is bounded).

    Examples:
        >>> bounded_offsets("SELECT * { ?s ?p ?o } OFFSET 5")
        'SELECT * { ?s ?p ?o } LIMIT 999999999999999999 OFFSET 5'
        >>> bounded_offsets("SELECT * { { SELECT ?s { ?s ?p 'OFFSET' } offset 1 } } ORDER BY ?s OFFSET 5")
        "SELECT * { { SELECT ?s { ?s ?p 'OFFSET' } LIMIT 999999999999999999 offset 1 } } ORDER BY ?s OFFSET 5"
        >>> bounded_offsets("SELECT * { ?s ?p ?o } OFFSET 5 LIMIT 2")
        'SELECT * { ?s ?p ?o } OFFSET 5 LIMIT 2'
    """
    inserts: list[int] = []
    offset: int | None = None  # where the OFFSET of the current modifiers starts
    bounded = False  # the current modifiers have a LIMIT or an ORDER BY
    for token in tokenize(query):
        if token.kind == "punct" and token.text in "{}":
            if offset is not None and not bounded:
                inserts.append(offset)
            offset, bounded = None, False
        elif token.kind == "word":
            word = token.text.upper()
            if word == "OFFSET":
                offset = token.start
            elif word in ("LIMIT", "ORDER"):
                bounded = True
    if offset is not None and not bounded:
        inserts.append(offset)
    for start in reversed(inserts):
        query = f"{query[:start]}LIMIT {NO_LIMIT} {query[start:]}"
    return query


def prepare_upload(ntriples: bytes) -> bytes:
    """N-Triples for Virtuoso's parser: the whole seconds of each duration written with a decimal point.

    Examples:
        >>> prepare_upload(b'<http://e/s> <http://e/p> "P1DT10S"^^<http://www.w3.org/2001/XMLSchema#duration> .')[26:36]
        b'"P1DT10.0S'
    """
    if b"XMLSchema#duration>" not in ntriples:
        return ntriples
    return _WHOLE_SECONDS.sub(rb'"\1\2.0S"\3', ntriples)


def repair(content: bytes) -> bytes:
    """An answer from Virtuoso (SPARQL JSON results, N-Triples or Turtle) with its literals and blank
    node labels as the embedded store writes them (see the module)."""
    if b"XMLSchema#" in content:
        content = _TYPED_NT.sub(lambda m: b'"' + _canonical(m[1], m[2]) + m.group(0)[len(m[1]) + 1 :], content)
        content = _TYPED_JSON.sub(lambda m: m[1] + _canonical(m[3], m[2]) + b'"', content)
    if b"nodeID://" in content:
        content = _BLANK_JSON.sub(rb"\1", content)
    return content


def _canonical(value: bytes, datatype: bytes) -> bytes:
    return canonical(value.decode("ascii", "replace"), datatype.decode("ascii")).encode("utf-8")


@functools.lru_cache(maxsize=4096)
def canonical(value: str, datatype: str) -> str:
    """The canonical form of ``value`` as an ``xsd:<datatype>`` (the embedded store's), reading a
    duration that Virtuoso turned into a number back as months or seconds; ``value`` itself when
    it is not a valid value of the type."""
    if datatype == "duration" and _NUMBER.fullmatch(value):
        sign, number = ("-", value[1:]) if value.startswith("-") else ("", value.lstrip("+"))
        if _INTEGER.fullmatch(number):
            value = f"{sign}P{number}M"
        else:  # seconds, which Virtuoso may write with an exponent ("1.2096e+07")
            value = f"{sign}PT{decimal.Decimal(number):f}S"
    try:
        rows = _casts().query(f"SELECT (<{_XSD}{datatype}>(?v) AS ?c) WHERE {{ BIND({ox.Literal(value)} AS ?v) }}")
    except (SyntaxError, ValueError, OSError):
        return value
    results = [row[0] for row in rows] if isinstance(rows, ox.QuerySolutions) else []
    return results[0].value if results and isinstance(results[0], ox.Literal) else value


@functools.lru_cache(maxsize=1)
def _casts() -> ox.Store:
    """An empty in-memory store: its SPARQL casts give Oxigraph's canonical forms."""
    return ox.Store()
