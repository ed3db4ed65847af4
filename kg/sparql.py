"""SPARQL text helpers: a tokenizer, network refusal, dataset clauses, prologues, bound values.

They work on the query's tokens (:func:`tokenize`), so that every way a query reaches a
store (the ``query`` command, named queries, views, the API and remote servers) is checked
and rewritten the same way, and a word inside a string, an IRI, a comment, a variable or a
prefixed name is never taken for a keyword.

Examples:
    >>> scrub('SELECT * { ?s ?p "LOAD" } # SERVICE')
    'SELECT * { ?s ?p        }          '
    >>> declares_dataset("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import pyoxigraph as ox

from kg.errors import NetworkRefusedError, QueryError

__all__ = [
    "Token",
    "Window",
    "check_variable",
    "declares_dataset",
    "insert_data",
    "network_keyword",
    "page_query",
    "portable",
    "prologue",
    "query_form",
    "refuse_network",
    "scrub",
    "syntax_message",
    "tokenize",
    "with_values",
]

# The terminals of the SPARQL 1.1 grammar (section 19.8), as the spec writes them.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_TOKENS = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("space", r"[ \t\r\n]+"),
            ("comment", r"#[^\r\n]*"),
            ("string", r'"""(?:"{0,2}(?:[^"\\]|\\[\s\S]))*"""' r"|'''(?:'{0,2}(?:[^'\\]|\\[\s\S]))*'''"
                       r'|"(?:[^"\\\r\n]|\\[^\r\n])*"' r"|'(?:[^'\\\r\n]|\\[^\r\n])*'"),
            ("iri", r'<[^<>"{}|^`\\\x00-\x20]*>'),
            ("var", f"[?$]{_VARNAME}"),
            ("blank", f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
            ("pname", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
            ("number", r"[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"),
            ("lang", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
            ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
            ("punct", r"[\s\S]"),
        )
    )
)  # fmt: skip
_BLANKED = ("string", "iri", "comment")
_NETWORK_WORDS = re.compile("SERVICE|LOAD", re.IGNORECASE)
_OPERANDS = ("var", "number", "string", "lang", "iri", "pname", "blank", "word")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WHERE = re.compile(r"\bWHERE\s*\{|\b(?:SELECT|ASK)\b[^{]*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[^\W\d]\w*")
_FORMS = {"CONSTRUCT": "graph", "DESCRIBE": "graph", "SELECT": "select", "ASK": "ask"}


class Token(NamedTuple):
    """One SPARQL token: its kind, its text and where it starts.

    Kinds: ``space``, ``comment``, ``string``, ``iri``, ``var``, ``blank``, ``pname``,
    ``number``, ``lang``, ``word`` (keywords and built-in function names) and ``punct``
    (any other single character).
    """

    kind: str
    text: str
    start: int


def _token_at(sparql: str, pos: int) -> Token:
    match = _TOKENS.match(sparql, pos)
    assert match is not None and match.lastgroup is not None  # "punct" matches any character
    return Token(match.lastgroup, match.group(), pos)


def tokenize(sparql: str) -> Iterator[Token]:
    """The tokens of ``sparql``, whitespace and comments included, covering the whole text.

    Any text tokenizes: a character that starts no token (an unterminated string's quote,
    say) is a ``punct`` token of its own. A ``<`` that starts an IRI is read as one; see
    :func:`network_keyword` for the queries where it is a comparison instead.

    Examples:
        >>> [(t.kind, t.text) for t in tokenize("?s film:x\\\\' 49SERVICE") if t.kind != "space"]
        [('var', '?s'), ('pname', "film:x\\\\'"), ('number', '49'), ('word', 'SERVICE')]
    """
    pos = 0
    while pos < len(sparql):
        token = _token_at(sparql, pos)
        yield token
        pos += len(token.text)


def _network_word(token: Token) -> str | None:
    """``SERVICE`` or ``LOAD`` when the token can be read as that keyword.

    Oxigraph's parser (like any PEG parser) matches a keyword without looking at what
    follows: ``49SERVICE``, ``trueSERVICE``, ``SERVICESILENT`` and ``SERVICE:x`` (the keyword
    and the prefixed name ``:x``) all call a service. So a word that contains either keyword,
    and a prefixed name whose prefix does, count.
    """
    if token.kind == "word":
        text = token.text
    elif token.kind == "pname":
        text = token.text.partition(":")[0]
    else:
        return None
    found = _NETWORK_WORDS.search(text)
    return found.group().upper() if found else None


def network_keyword(sparql: str) -> str | None:
    """``SERVICE`` or ``LOAD`` when ``sparql`` could reach the network, else ``None``.

    The decision is made on tokens, under every reading a parser could choose: a ``<`` after
    an operand inside parentheses may be a comparison rather than the start of an IRI
    (``FILTER(?a<?b)SERVICE#>``), so the text after it is read both ways. ``\\u`` escapes are
    read both as written and decoded.

    Examples:
        >>> network_keyword("SELECT * { ?service ex:service 'SERVICE' }") is None
        True
        >>> network_keyword("SELECT * { ?s ?p 49SERVICE <http://e/> { } }")
        'SERVICE'
        >>> network_keyword("SELECT * { FILTER(?a<?b)SERVICE#>\\n<http://e/> { } }")
        'SERVICE'
    """
    found = _network_keyword(sparql)
    if found is None and _UNICODE_ESCAPE.search(sparql):
        found = _network_keyword(_UNICODE_ESCAPE.sub(_unescape, sparql))
    return found


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()


def _network_keyword(sparql: str) -> str | None:
    # Each state is (position, open brackets, whether the last token was an operand, whether this
    # reading took a "<" for a comparison). The plain reading counts a network word anywhere; a
    # reading with a comparison counts it where a group graph pattern may start (outside
    # parentheses), which keeps IRIs such as <http://schema.org/Service> in VALUES rows harmless.
    start: tuple[int, str, bool, bool] = (0, "", False, False)
    pending = [start]
    seen = {start}
    budget = 50 * len(sparql) + 10_000
    while pending:
        pos, brackets, operand, forked = pending.pop()
        while pos < len(sparql):
            token = _token_at(sparql, pos)
            word = _network_word(token)
            if word is not None and (not forked or not brackets.endswith(("(", "["))):
                return word
            if token.kind == "iri" and operand and brackets.endswith("("):
                alternative = (pos + 1, brackets, False, True)
                if alternative not in seen:
                    seen.add(alternative)
                    pending.append(alternative)
            if token.kind not in ("space", "comment"):
                if token.kind == "punct" and token.text in "({[":
                    brackets += token.text
                elif token.kind == "punct" and token.text in ")}]":
                    brackets = brackets[:-1]
                operand = token.kind in _OPERANDS or token.text in ")]"
            pos += len(token.text)
            state = (pos, brackets, operand, forked)
            if state in seen or (pos, brackets, operand, False) in seen:
                break
            seen.add(state)
            if len(seen) > budget:
                return "SERVICE"  # too many readings to check: refuse rather than guess
    return None


def scrub(sparql: str) -> str:
    """``sparql`` with its strings, IRIs and comments blanked out (same length), for keyword scans.

    Examples:
        >>> scrub("ASK { <http://e/SERVICE> ?p 'x' }")
        'ASK {                     ?p     }'
        >>> scrub("ASK { ?s ?p film:x\\\\' # x\\n}")
        "ASK { ?s ?p film:x\\\\'    \\n}"
    """
    return "".join(" " * len(t.text) if t.kind in _BLANKED else t.text for t in tokenize(sparql))


def refuse_network(sparql: str) -> None:
    """Refuse SPARQL that would reach the network: ``SERVICE`` clauses and ``LOAD``.

    Strings, IRIs, comments, variables and prefixed names are not keywords, so a literal
    "service", ``?service`` or ``ex:service`` is fine; see :func:`network_keyword`.

    Raises:
        NetworkRefusedError: the query uses SERVICE or LOAD.

    Examples:
        >>> refuse_network('SELECT * WHERE { ?s ?p "SERVICE" . ?service ?p ?o }  # LOAD')
        >>> refuse_network("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        Traceback (most recent call last):
        ...
        kg.errors.NetworkRefusedError: the query uses SERVICE, which reaches the network: pass `allow_network=True` to permit it
    """
    word = network_keyword(sparql)
    if word is not None:
        raise NetworkRefusedError(
            f"the query uses {word}, which reaches the network: pass `allow_network=True` to permit it"
        )


def _words(sparql: str) -> Iterator[Token]:
    """The tokens that are not whitespace or comments."""
    return (t for t in tokenize(sparql) if t.kind not in ("space", "comment"))


def declares_dataset(sparql: str) -> bool:
    """Whether a query names its own dataset with ``FROM`` or ``FROM NAMED`` (then it keeps it).

    Examples:
        >>> declares_dataset("SELECT ?from {}"), declares_dataset("SELECT * { ?s ex:moved-from ?o }")
        (False, False)
    """
    return any(
        (t.kind == "word" and t.text.upper().startswith("FROM"))
        or (t.kind == "pname" and t.text.partition(":")[0].upper() == "FROM")
        for t in _words(sparql)
    )


def prologue(sparql: str, prefixes: Mapping[str, str] | None) -> str:
    """``PREFIX`` lines for the ``prefixes`` the query does not declare itself.

    Examples:
        >>> prologue("PREFIX a: <http://a/> ASK {}", {"a": "http://x/", "b": "http://b/"})
        'PREFIX b: <http://b/>\\n'
    """
    if not prefixes:
        return ""
    declared: set[str] = set()
    previous: Token | None = None
    for token in _words(sparql):
        if previous is not None and previous.kind == "word" and previous.text.upper() == "PREFIX":
            if token.kind == "pname" and token.text.endswith(":"):
                declared.add(token.text[:-1])
        previous = token
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
    for token in _words(sparql):
        if token.kind == "word":
            word = token.text.upper()
            for keyword, form in _FORMS.items():
                if word.startswith(keyword):
                    return form
    return "select"


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
    if any(token.kind == "blank" for token in tokenize(quads)):
        return f"INSERT {{ {quads} }} WHERE {{}}"
    return f"INSERT DATA {{ {quads} }}"


def portable(sparql: str) -> str:
    """``sparql`` in SPARQL 1.1: each ``LATERAL { OPTIONAL { … } }`` written ``OPTIONAL { … }``, and
    each ``LATERAL { SELECT … }`` written ``{ SELECT … }`` at the start of its group.

    The named queries wrap the OPTIONAL that adds each row's statements in ``LATERAL`` (a SPARQL 1.2
    proposal that Oxigraph implements), so that Oxigraph looks them up row by row for the rows asked
    for, instead of first building a table of every statement in the store; and likewise a subquery
    that aggregates over the statements of each row's subject. Such a subquery groups by the
    variables it shares with the row, and shares none that the group binds in an OPTIONAL or BIND,
    so that joined first, without ``LATERAL``, it gives the same answer (and first is where Oxigraph
    joins it fastest: after the patterns, it is evaluated again for every row). Without the
    wrapper the answer is the same, and every SPARQL 1.1 server (and rdflib) reads it: :func:`query`
    sends a remote store this form.

    Examples:
        >>> portable("SELECT * { ?s ?p ?o LATERAL { OPTIONAL { ?s ?q ?v } } }")
        'SELECT * { ?s ?p ?o OPTIONAL { ?s ?q ?v } }'
        >>> portable("SELECT * { ?s ?p ?o LATERAL { SELECT ?s (COUNT(*) AS ?n) { ?s ?q ?v } GROUP BY ?s } }")
        'SELECT * { { SELECT ?s (COUNT(*) AS ?n) { ?s ?q ?v } GROUP BY ?s } ?s ?p ?o }'
    """
    tokens = list(tokenize(sparql))
    marks = [i for i, t in enumerate(tokens) if t.kind not in ("space", "comment")]
    dropped: set[int] = set()
    moved: dict[int, list[int]] = {}  # the opening brace of a group -> the subqueries moved after it
    for n, i in enumerate(marks[:-3]):
        group, keyword, inner = marks[n + 1 : n + 4]
        if (tokens[i].kind, tokens[i].text.upper(), tokens[group].text) != ("word", "LATERAL", "{"):
            continue
        if tokens[keyword].text.upper() == "SELECT":
            close = _closing(tokens, marks, n + 1)
            opening = _opening(tokens, marks, n)
            if close is not None and opening is not None:
                moved.setdefault(opening, []).extend(range(group, close + 1))
                dropped |= set(range(i, close + 1))
            continue
        if tokens[keyword].text.upper() != "OPTIONAL" or tokens[inner].text != "{":
            continue
        end = _closing(tokens, marks, n + 3)
        after = next((m for m in marks if end is not None and m > end), None)
        if after is not None and tokens[after].text == "}":
            dropped |= {i, group, after}
    spaces = {k + 1 for k in dropped if k + 1 < len(tokens) and tokens[k + 1].kind == "space"}
    out = []
    for k, token in enumerate(tokens):
        if k not in dropped | spaces:
            out.append(token.text)
        if k in moved:
            out.append(" " + "".join(tokens[m].text for m in moved[k]))
    return "".join(out)


def _closing(tokens: list[Token], marks: list[int], n: int) -> int | None:
    """The token index of the brace that closes the one at ``marks[n]``."""
    depth = 0
    for end in marks[n:]:
        depth += {"{": 1, "}": -1}.get(tokens[end].text, 0) if tokens[end].kind == "punct" else 0
        if depth == 0:
            return end
    return None


def _opening(tokens: list[Token], marks: list[int], n: int) -> int | None:
    """The token index of the brace that opens the group holding ``marks[n]``."""
    depth = 0
    for start in reversed(marks[:n]):
        if tokens[start].kind == "punct" and tokens[start].text in "{}":
            if tokens[start].text == "{" and depth == 0:
                return start
            depth += 1 if tokens[start].text == "}" else -1
    return None


Window = tuple[int, int | None]
"""Rows to keep of a SELECT's solutions, as ``(start, stop)`` for :func:`itertools.islice`."""


_OWN_PAGE = ("LIMIT", "OFFSET", "VALUES")


def _modifiers(sparql: str) -> tuple[tuple[int, int] | None, bool]:
    """Where the query's own ``ORDER BY`` clause is (its start and end offsets, or ``None``), and
    whether the query ends with ``LIMIT``, ``OFFSET`` or ``VALUES`` of its own: the clauses after
    the outermost group, outside strings, IRIs and comments.

    Examples:
        >>> text = 'SELECT * WHERE { { SELECT ?s { ?s ?p "ORDER BY" } ORDER BY ?s LIMIT 1 } } ORDER BY ?s'
        >>> span, own = _modifiers(text)
        >>> text[span[0] : span[1]], own
        ('ORDER BY ?s', False)
    """
    depth, closed, order, end, own = 0, False, None, None, False
    for token in tokenize(sparql):
        if token.kind == "punct" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            closed = closed or depth == 0
        elif depth == 0 and closed and token.kind == "word":
            word = token.text.upper()
            if word == "ORDER":
                order = token.start
            elif word in _OWN_PAGE:
                own = True
                if order is not None and end is None:
                    end = token.start
    return (None if order is None else (order, len(sparql) if end is None else end)), own


def page_query(sparql: str, *, limit: int | None, offset: int, sort: bool) -> tuple[str, Window | None]:
    """The query to run for a page: without its ``ORDER BY`` unless ``sort``, and with ``LIMIT`` and
    ``OFFSET`` added; or, when the query has a page of its own, the window to read of its solutions.

    Examples:
        >>> page_query("SELECT * { ?s ?p ?o } ORDER BY ?s", limit=20, offset=40, sort=False)
        ('SELECT * { ?s ?p ?o }\\nLIMIT 20 OFFSET 40\\n', None)
        >>> page_query("SELECT * { ?s ?p ?o } LIMIT 100", limit=20, offset=40, sort=True)
        ('SELECT * { ?s ?p ?o } LIMIT 100', (40, 60))
    """
    order, own = _modifiers(sparql)
    if order is not None and not sort:
        sparql = sparql[: order[0]] + sparql[order[1] :]
    if limit is None and not offset:
        return sparql, None
    if own:
        return sparql, (offset, None if limit is None else offset + limit)
    clauses = " ".join(([f"LIMIT {limit}"] if limit is not None else []) + ([f"OFFSET {offset}"] if offset else []))
    return f"{sparql.rstrip()}\n{clauses}\n", None
