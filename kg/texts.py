"""Source texts: the text of an article or book archived with the store, and quotes matched against it.

A source (``film:Source``, what the ``source`` column names) can carry its text. :func:`attach`
archives it in the registry graph, beside the list of ingested files, as a literal
(``<source> film:sourceText "…" ; film:sourceTextFile "article.source.txt"``), so it travels with
the store: on disk, in memory and on a SPARQL server alike, and in every export.

A quote is *found* when it appears verbatim in the text once both are normalised
(:func:`normalise`): Unicode NFKC, curly and straight quotation marks and apostrophes made one,
every dash and hyphen made ``-``, runs of whitespace made one space, and case folded. Case is
ignored because curators change it for good reasons (a quote taken from mid-sentence starts with
a capital; a title is written in title case) and a change of case never changes what a sentence
claims. An ellipsis (``…`` or ``...``) in a quote stands for left-out words: the parts around it
must appear in order.

When a quote is not found, :meth:`SourceText.match` gives the closest passage and its similarity
(:class:`difflib.SequenceMatcher` ratio, 0 to 1). It does not slide a window over the whole text:
an index of the text's word trigrams (or of its words, for quotes that share no trigram) votes for
where a passage like the quote could start, and only the best few places are compared.

A quote of fewer than :data:`MIN_QUOTE_WORDS` words is *too short*: found or not, it proves
little, since such words turn up in any article on the subject.

Examples:
    >>> text = SourceText("Mikey Madison spent five months training to be a pole dancer.")
    >>> text.match("Mikey Madison spent five months training").found
    True
    >>> miss = text.match("Mikey Madison spent six months training")
    >>> miss.found, round(miss.similarity, 2), miss.passage
    (False, 0.94, 'Mikey Madison spent five months training')
    >>> text.match("pole dancer").too_short
    True
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, NotFoundError
from kg.ontology import mint_hashed
from kg.statements import nt_literal
from kg.store import GraphStore
from kg.vocab import FILM, RDF_TYPE, RDFS_LABEL, REGISTRY_GRAPH, SOURCE_CLASS, URL

__all__ = [
    "MIN_QUOTE_WORDS",
    "SOURCE_TEXT",
    "SOURCE_TEXT_FILE",
    "AttachedText",
    "QuoteMatch",
    "SourceText",
    "attach",
    "attached_texts",
    "normalise",
    "resolve_source",
]

MIN_QUOTE_WORDS = 4
"""A quote of fewer words than this is too short to prove anything."""
SOURCE_TEXT = FILM + "sourceText"
"""The property that holds a source's archived text (in the registry graph)."""
SOURCE_TEXT_FILE = FILM + "sourceTextFile"
"""The name of the file the text was read from."""
MAX_TEXT_CHARACTERS = 50_000_000
"""A text longer than this is refused (a book is about a million characters)."""

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    }
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_CANDIDATES = 3
"""How many likely places of the text are compared with a quote that is not found."""


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFKC, one kind of quotation mark, apostrophe and dash, one
    space for any whitespace, case folded.

    Examples:
        >>> normalise("It’s  “Drip” — by\\nBrooke Candy")
        'it\\'s "drip" - by brooke candy'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def _key(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


@dataclass(frozen=True)
class QuoteMatch:
    """How a quote fares against a text: ``found`` verbatim (after :func:`normalise`), ``too_short``
    to prove anything, and, when not found, the ``passage`` of the text most like it and their
    ``similarity`` (0 to 1; 1.0 when found)."""

    found: bool
    too_short: bool
    similarity: float
    passage: str

    @property
    def status(self) -> str:
        """``found``, ``too short`` (found, but too short to prove anything) or ``not found``."""
        if not self.found:
            return "not found"
        return "too short" if self.too_short else "found"


class SourceText:
    """A text, normalised and indexed once, to match many quotes against.

    Args:
        text: the source's text.

    Examples:
        >>> SourceText("It’s “Drip” by Brooke Candy.").match('It\\'s "Drip" by Brooke Candy.').status
        'found'
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._normalised = normalise(text)
        self._words = [(_key(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]
        self._unigrams: dict[str, list[int]] = defaultdict(list)
        self._trigrams: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        keys = [w[0] for w in self._words]
        for index, key in enumerate(keys):
            self._unigrams[key].append(index)
            if index + 2 < len(keys):
                self._trigrams[(key, keys[index + 1], keys[index + 2])].append(index)

    def contains(self, quote: str) -> bool:
        """Whether ``quote`` appears verbatim after :func:`normalise` (an ellipsis standing for left-out words)."""
        at = 0
        for part in _ELLIPSIS.split(normalise(quote)):
            if not part:
                continue
            found = self._normalised.find(part, at)
            if found < 0:
                return False
            at = found + len(part)
        return True

    def match(self, quote: str) -> QuoteMatch:
        """Match ``quote``: found or not, too short or not, and the closest passage when not found."""
        words = [_key(m.group()) for m in _WORD.finditer(quote)]
        too_short = len(words) < MIN_QUOTE_WORDS
        if self.contains(quote):
            return QuoteMatch(True, too_short, 1.0, "")
        similarity, passage = self._closest(normalise(quote), words)
        return QuoteMatch(False, too_short, similarity, passage)

    def _closest(self, quote: str, words: list[str]) -> tuple[float, str]:
        """The passage most like ``quote``, among the places the n-gram index votes for."""
        votes: Counter[int] = Counter()
        for index in range(len(words) - 2):
            for at in self._trigrams.get((words[index], words[index + 1], words[index + 2]), ()):
                votes[at - index] += 1
        if not votes:
            for index, word in enumerate(words):
                for at in self._unigrams.get(word, ()):
                    votes[at - index] += 1
        best = (0.0, "")
        size = len(words)
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(quote)  # the quote is indexed once; each passage is compared with it
        for start, _ in votes.most_common(_CANDIDATES):
            for shift in (-1, 0, 1):
                for extra in (-1, 0, 1):
                    first, last = max(start + shift, 0), min(start + shift + size + extra, len(self._words))
                    if last <= first:
                        continue
                    passage = self.text[self._words[first][1] : self._words[last - 1][2]]
                    matcher.set_seq1(normalise(passage))
                    if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
                        continue
                    ratio = matcher.ratio()
                    if ratio > best[0]:
                        best = (ratio, _SPACE.sub(" ", passage))
        return best


@dataclass(frozen=True)
class AttachedText:
    """A source's archived text: the source's IRI and label, the file it was read from, its length."""

    source: str
    label: str
    file: str
    characters: int


def resolve_source(graph: GraphStore, source: str) -> tuple[str, str]:
    """The IRI and label of the source (``film:Source``) called ``source``: its name as the
    ``source`` column gives it (case and spacing ignored), its URL, or its IRI.

    Raises:
        NotFoundError: no statement cites such a source; the message lists some that are cited.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> resolve_source(KnowledgeGraph.memory(), "An article")
        Traceback (most recent call last):
        ...
        kg.errors.NotFoundError: no source "An article": the store cites no sources yet
    """
    name = " ".join(source.split())
    candidates = [mint_hashed("source", name.casefold())]
    if name.startswith("<") and name.endswith(">"):
        candidates.insert(0, name[1:-1])
    elif re.match(r"[a-z][a-z0-9+.-]*:", name, re.IGNORECASE):
        candidates.insert(0, name)
    values = " ".join(f"<{c}>" for c in candidates if _is_iri(c))
    queries = [f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDF_TYPE}> <{SOURCE_CLASS}> . "
               f"OPTIONAL {{ ?s <{RDFS_LABEL}> ?l }} }}"]  # fmt: skip
    if _is_iri(name):
        queries.append(f"SELECT ?s ?l WHERE {{ ?s <{URL}> <{name}> ; <{RDF_TYPE}> <{SOURCE_CLASS}> . "
                       f"OPTIONAL {{ ?s <{RDFS_LABEL}> ?l }} }}")  # fmt: skip
    for query in queries:  # simple patterns that every server answers alike (Virtuoso included)
        found: dict[str, list[str]] = {}
        for row in graph.store.select(query):
            found.setdefault(row[0].value, []).extend([row[1].value] if row[1] is not None else [])
        for iri in (c for c in [*candidates, *sorted(found)] if c in found):
            return iri, min(found[iri]) if found[iri] else iri
    known = [
        row[0].value
        for row in graph.store.select(
            f"SELECT DISTINCT ?l WHERE {{ ?s <{RDF_TYPE}> <{SOURCE_CLASS}> ; <{RDFS_LABEL}> ?l }} ORDER BY ?l LIMIT 6"
        )
    ]
    if not known:
        raise NotFoundError(f'no source "{source}": the store cites no sources yet')
    listing = ", ".join(f'"{k}"' for k in known[:5]) + (", …" if len(known) > 5 else "")
    raise NotFoundError(f'no source "{source}": give a source as the `source` column names it, such as {listing}')


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return re.match(r"[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) is not None and not re.search(r"[\s<>\"{}|^`\\]", text)


def attach(graph: GraphStore, source: str, file: str | Path, *, text: str | None = None) -> AttachedText:
    """Archive the text of ``file`` with the store as the text of the source called ``source``,
    in place of any text it had (one transaction).

    Args:
        graph: the knowledge graph.
        source: the source, as :func:`resolve_source` takes it; statements must cite it already.
        file: a UTF-8 text file (a byte order mark is fine).
        text: the text, when already read (``file`` then only names it).

    Returns:
        What was attached.

    Raises:
        NotFoundError: no such source.
        KGError: the file cannot be read, is not UTF-8 text, or is too long.
        StoreError: the store is read-only.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "t.csv").write_text("subject,predicate,object,source,quote\\n"
        ...     "Sean Baker,directed,Anora,An article,Sean Baker directed Anora in 2024.\\n")
        >>> _ = (folder / "article.txt").write_text("In 2024, Sean Baker directed Anora in 2024.")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(folder / "t.csv")
        >>> kg.attach("an article", folder / "article.txt").characters
        43
        >>> list(attached_texts(kg).values())[0][:7]
        'In 2024'
    """
    path = Path(file)
    if text is None:
        text = read_text(path)
    if len(text) > MAX_TEXT_CHARACTERS:
        raise KGError(f"{path}: {len(text):,} characters, more than a source text may hold ({MAX_TEXT_CHARACTERS:,})")
    iri, label = resolve_source(graph, source)
    graph.store.check_writable()
    node = f"<{iri}>"
    graph.store.update(
        f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{SOURCE_TEXT}> ?t }} }} ; "
        f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{SOURCE_TEXT_FILE}> ?f }} }} ; "
        f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{SOURCE_TEXT}> {nt_literal(text)} ; "
        f"<{SOURCE_TEXT_FILE}> {nt_literal(path.name)} }} }}"
    )
    graph.store.written()
    return AttachedText(iri, label, path.name, len(text))


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path`` (a byte order mark dropped, line ends made ``\\n``).

    Raises:
        KGError: the file cannot be read or is not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise KGError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    except OSError as exc:
        raise KGError(f"cannot read {path}: {exc.strerror or exc}") from exc


def attached_texts(graph: GraphStore, sources: list[str] | None = None) -> dict[str, str]:
    """The archived text of each source that has one, by source IRI (of ``sources`` only, when given).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> attached_texts(KnowledgeGraph.memory())
        {}
    """
    values = "VALUES ?s { " + " ".join(f"<{s}>" for s in sources) + " }" if sources is not None else ""
    query = f"SELECT ?s ?t WHERE {{ {values} GRAPH <{REGISTRY_GRAPH}> {{ ?s <{SOURCE_TEXT}> ?t }} }}"
    return {row[0].value: row[1].value for row in graph.store.select(query, union=False)}
