"""SPARQL text helpers: scrubbing, network refusal, dataset clauses, prologues, bound values.

They work on the query's text, so that every way a query reaches a store (the
``query`` command, named queries, views, the API and remote servers) is checked
and rewritten the same way.

Examples:
    >>> scrub('SELECT * { ?s ?p "LOAD" } # SERVICE')
    'SELECT * { ?s ?p        }          '
    >>> declares_dataset("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }")
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import NetworkRefusedError, QueryError

__all__ = [
    "check_variable",
    "declares_dataset",
    "insert_data",
    "prologue",
    "query_form",
    "refuse_network",
    "scrub",
    "syntax_message",
    "with_values",
]

_SCRUB = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_NETWORK = re.compile(r"(?<![?$:\w])(SERVICE|LOAD)(?![\w:])", re.IGNORECASE)
_DATASET_CLAUSE = re.compile(r"(?<![?$:\w.-])FROM(?![\w:.-])", re.IGNORECASE)
_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{|\b(?:SELECT|ASK)\b[^{]*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[^\W\d]\w*")
_BLANK_LABEL = re.compile(r"(?<![\w:])_:")
_FORM = re.compile(r"(?<![?$:\w.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)


def scrub(sparql: str) -> str:
    """``sparql`` with its strings, IRIs and comments blanked out (same length), for keyword scans.

    Examples:
        >>> scrub("ASK { <http://e/SERVICE> ?p 'x' }")
        'ASK {                     ?p     }'
    """
    return _SCRUB.sub(lambda m: " " * len(m.group()), sparql)


def refuse_network(sparql: str) -> None:
    """Refuse SPARQL that would reach the network: ``SERVICE`` clauses and ``LOAD``.

    Strings, IRIs and comments are ignored, so a literal "service" is fine.

    Raises:
        NetworkRefusedError: the query uses SERVICE or LOAD.

    Examples:
        >>> refuse_network('SELECT * WHERE { ?s ?p "SERVICE" . ?service ?p ?o }  # LOAD')
        >>> refuse_network("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        Traceback (most recent call last):
        ...
        kg.errors.NetworkRefusedError: the query uses SERVICE, which reaches the network: pass `allow_network=True` to permit it
    """
    match = _NETWORK.search(scrub(sparql))
    if match:
        raise NetworkRefusedError(
            f"the query uses {match.group(1).upper()}, which reaches the network: "
            "pass `allow_network=True` to permit it"
        )


def declares_dataset(sparql: str) -> bool:
    """Whether a query names its own dataset with ``FROM`` or ``FROM NAMED`` (then it keeps it).

    Examples:
        >>> declares_dataset("SELECT ?from {}"), declares_dataset("SELECT * { ?s ex:moved-from ?o }")
        (False, False)
    """
    return _DATASET_CLAUSE.search(scrub(sparql)) is not None


def prologue(sparql: str, prefixes: Mapping[str, str] | None) -> str:
    """``PREFIX`` lines for the ``prefixes`` the query does not declare itself.

    Examples:
        >>> prologue("PREFIX a: <http://a/> ASK {}", {"a": "http://x/", "b": "http://b/"})
        'PREFIX b: <http://b/>\\n'
    """
    if not prefixes:
        return ""
    declared = {m.group(1) or "" for m in _PREFIX_DECLARED.finditer(scrub(sparql))}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p not in declared)


def check_variable(name: str) -> str:
    """A variable name for a bound value, without its ``?`` or ``$``.

    Raises:
        QueryError: not a SPARQL variable name.

    Examples:
        >>> check_variable("?film")
        'film'
        >>> check_variable("a) { }")
        Traceback (most recent call last):
        ...
        kg.errors.QueryError: "a) { }" is not a SPARQL variable name: use letters, digits and _ (such as film)
    """
    bare = name.strip()
    bare = bare[1:] if bare[:1] in ("?", "$") else bare
    if not _VARIABLE.fullmatch(bare):
        raise QueryError(f'"{name}" is not a SPARQL variable name: use letters, digits and _ (such as film)')
    return bare


def with_values(sparql: str, values: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``sparql`` with a VALUES block at the start of its WHERE clause, so that every
    pattern and FILTER sees the bound values (or, failing that, a trailing VALUES clause).

    Raises:
        QueryError: a variable name that is not one.

    Examples:
        >>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")})
        'SELECT ?x WHERE { VALUES (?p) { (<http://e/p>) }  ?x ?p ?o }'
    """
    if not values:
        return sparql
    names = " ".join(f"?{check_variable(k)}" for k in values)
    block = f" VALUES ({names}) {{ ({' '.join(str(v) for v in values.values())}) }} "
    match = _WHERE.search(scrub(sparql))
    if match is None:
        return f"{sparql}\n{block}"
    return sparql[: match.end()] + block + sparql[match.end() :]


def syntax_message(sparql: str, message: str) -> str:
    """A syntax error message with the offending line and a caret under the position.

    Examples:
        >>> print(syntax_message("SELECT * WHERE { ?s ?p }", "error at 1:25: expected ..."))
        SPARQL syntax error: error at 1:25: expected ...
          SELECT * WHERE { ?s ?p }
                                  ^
    """
    match = re.search(r"(\d+):(\d+)", message)
    text = f"SPARQL syntax error: {message}"
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        lines = sparql.splitlines()
        if 1 <= line <= len(lines):
            text += f"\n  {lines[line - 1]}\n  {' ' * max(column - 1, 0)}^"
    return text


def query_form(sparql: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT, DESCRIBE): the first query keyword outside strings,
    IRIs and comments; ``select`` when none is found (the store then reports the syntax error).

    Examples:
        >>> query_form("PREFIX s: <http://e/select#> # ASK\\nCONSTRUCT { ?s s:ask ?o } WHERE { { SELECT * {} } }")
        'graph'
    """
    match = _FORM.search(scrub(sparql))
    word = match.group(1).upper() if match else "SELECT"
    return {"SELECT": "select", "ASK": "ask"}.get(word, "graph")


def insert_data(quads: str) -> str:
    """The update that adds ``quads`` (the body of ``INSERT DATA``: triples and ``GRAPH`` blocks).

    Without blank nodes it is ``INSERT DATA { … }``. With blank nodes it is ``INSERT { … } WHERE {}``,
    which means the same (each blank node label becomes one new blank node) and which every server
    accepts, while some refuse blank nodes inside ``INSERT DATA`` (Virtuoso 7: "SP031 … Blank node
    … is not allowed in a constant clause").

    Examples:
        >>> insert_data('GRAPH <http://e/g> { <http://e/s> <http://e/p> "_:not a blank node" }')[:13]
        'INSERT DATA {'
        >>> insert_data("GRAPH <http://e/g> { <http://e/s> <http://e/p> _:b1 }")[-10:]
        '} WHERE {}'
    """
    if _BLANK_LABEL.search(scrub(quads)):
        return f"INSERT {{ {quads} }} WHERE {{}}"
    return f"INSERT DATA {{ {quads} }}"
