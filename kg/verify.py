"""Checking every quote against the archived text of its source (``filmkg verify``).

Each statement's quote (``film:quote``) is matched against the text of the source it is derived
from (``prov:wasDerivedFrom``), when that source has a text (:func:`kg.texts.attach`): see
:mod:`kg.texts` for what *found*, *too short* and the closest passage mean. The same quote from
the same source is matched once, however many statements carry it, so the cost goes with the
number of distinct quotes; the store answers one grouped query.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("subject,predicate,object,source,quote\\n"
    ...     "Sean Baker,directed,Anora,An article,Sean Baker directed Anora in 2024.\\n"
    ...     "Sean Baker,directed,Tangerine,An article,Sean Baker shot Tangerine on an iPhone.\\n")
    >>> _ = (folder / "article.txt").write_text("Sean Baker directed Anora in 2024. He shot Tangerine on phones.")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(folder / "t.csv")
    >>> _ = kg.attach("An article", folder / "article.txt")
    >>> report = kg.verify()
    >>> report.summary()
    '2 quotes from 1 source: 1 found, 1 not found, 0 too short'
    >>> [(c.status, c.closest) for c in report.checks if not c.found]
    [('not found', 'He shot Tangerine on phones')]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from kg.errors import NotFoundError
from kg.statements import labels_for
from kg.store import GraphStore
from kg.texts import SourceText, attached_texts, resolve_source
from kg.vocab import DERIVED_FROM, QUOTE

if TYPE_CHECKING:
    import pandas

__all__ = ["QuoteCheck", "VerifyReport", "check_quotes", "verify"]


@dataclass(frozen=True)
class QuoteCheck:
    """One distinct quote of one source: how many statements carry it, whether it was found, too
    short to prove anything, and otherwise the closest passage and its similarity (0 to 1)."""

    source: str
    source_iri: str
    quote: str
    statements: int
    found: bool
    too_short: bool
    similarity: float
    closest: str

    @property
    def status(self) -> str:
        """``found``, ``too short`` (found, but too short to prove anything) or ``not found``."""
        if not self.found:
            return "not found"
        return "too short" if self.too_short else "found"


@dataclass(frozen=True)
class VerifyReport:
    """The quotes checked (one :class:`QuoteCheck` per distinct quote and source, not found first),
    how many quotes were not checked for want of their source's text (``unchecked``), and how many
    of the sources statements cite have no text (``sources_without_text``)."""

    checks: tuple[QuoteCheck, ...] = ()
    unchecked: int = 0
    sources_without_text: int = 0

    @property
    def quotes(self) -> int:
        """Quotes checked (statement by statement)."""
        return sum(c.statements for c in self.checks)

    @property
    def found(self) -> int:
        """Quotes found (too short ones included)."""
        return sum(c.statements for c in self.checks if c.found)

    @property
    def not_found(self) -> int:
        """Quotes not found."""
        return self.quotes - self.found

    @property
    def too_short(self) -> int:
        """Quotes too short to prove anything, found or not."""
        return sum(c.statements for c in self.checks if c.too_short)

    @property
    def ok(self) -> bool:
        """Whether every quote checked was found."""
        return self.not_found == 0

    def summary(self) -> str:
        """One line of counts.

        Examples:
            >>> VerifyReport().summary()
            '0 quotes from 0 sources: 0 found, 0 not found, 0 too short'
        """
        sources = len({c.source_iri for c in self.checks})
        text = (
            f"{self.quotes:,} quote{'s' if self.quotes != 1 else ''} from {sources} source{'s' if sources != 1 else ''}: "
            f"{self.found:,} found, {self.not_found:,} not found, {self.too_short:,} too short"
        )
        if self.unchecked:
            skipped, count = self.unchecked, self.sources_without_text
            text += (
                f"; {skipped:,} quote{'s' if skipped != 1 else ''} of {count} source{'s' if count != 1 else ''} "
                "without a text not checked (attach one with `filmkg sources attach SOURCE FILE`)"
            )
        return text

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per :class:`QuoteCheck`, with its ``status``."""
        import pandas

        columns = ["status", "source", "quote", "statements", "similarity", "closest", "found", "too_short", "source_iri"]
        return pandas.DataFrame([{**asdict(c), "status": c.status} for c in self.checks], columns=columns)


def verify(graph: GraphStore, source: str | None = None) -> VerifyReport:
    """Check every quote against the archived text of its source.

    Args:
        graph: the knowledge graph.
        source: only this source (its name as the ``source`` column gives it, its URL or IRI);
            by default every source with a text.

    Returns:
        A :class:`VerifyReport`; ``report.ok`` is false when a quote was not found.

    Raises:
        NotFoundError: no such source, or ``source`` has no text.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> verify(KnowledgeGraph.memory()).summary()
        '0 quotes from 0 sources: 0 found, 0 not found, 0 too short'
    """
    found = resolve_source(graph, source) if source is not None else None
    wanted = [found[0]] if found is not None else None
    texts = attached_texts(graph, wanted)
    if found is not None and not texts:
        raise NotFoundError(f'source "{found[1]}" has no text: attach one with `filmkg sources attach SOURCE FILE`')
    # The quotes of the sources with a text, each once with how many statements carry it; of the
    # others only how many there are, counted without joining them to their sources: grouping a
    # million quotes by text, or even by source, cost nearly all the time (33 s, then 15 s, of
    # verify at a million statements; the count alone takes half a second).
    counts = _quote_counts(graph, sorted(texts)) if texts else {}
    labels = labels_for(graph, {iri for iri, _ in counts})
    checks = check_quotes(texts, counts, labels)
    if found is not None:
        return VerifyReport(tuple(checks))
    unchecked = _count(graph, f"?st <{QUOTE}> ?q") - sum(counts.values())
    with_text = f"FILTER(?src NOT IN ({', '.join(f'<{iri}>' for iri in sorted(texts))}))" if texts else ""
    cited = f"SELECT DISTINCT ?src WHERE {{ ?st <{DERIVED_FROM}> ?src {with_text} }}"
    return VerifyReport(tuple(checks), unchecked, _count(graph, cited, select=True) if unchecked else 0)


def check_quotes(
    texts: dict[str, str], counts: dict[tuple[str, str], int], labels: dict[str, str]
) -> list[QuoteCheck]:
    """Match each ``(source IRI, quote)`` of ``counts`` whose source has a text in ``texts``; not
    found first, then by source and quote.

    Examples:
        >>> [c.status for c in check_quotes({"s": "A quote that is here."}, {("s", "a quote that is here"): 2}, {})]
        ['found']
    """
    indexes = {iri: SourceText(text) for iri, text in texts.items()}
    out = []
    for (iri, quote), n in counts.items():
        index = indexes.get(iri)
        if index is None:
            continue
        match = index.match(quote)
        out.append(
            QuoteCheck(labels.get(iri, iri), iri, quote, n, match.found, match.too_short, round(match.similarity, 3),
                       match.passage)
        )  # fmt: skip
    out.sort(key=lambda c: (c.found, c.source, c.quote))
    return out


def _count(graph: GraphStore, pattern: str, *, select: bool = False) -> int:
    """How many solutions ``pattern`` (or the sub-``select``) has."""
    inner = f"{{ {pattern} }}" if select else pattern
    rows = list(graph.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}"))
    return int(rows[0][0].value) if rows and rows[0][0] is not None else 0


def _quote_counts(graph: GraphStore, sources: list[str] | None) -> dict[tuple[str, str], int]:
    """How many statements carry each (source IRI, quote)."""
    values = "VALUES ?src { " + " ".join(f"<{s}>" for s in sources) + " }" if sources is not None else ""
    query = f"""SELECT ?src ?q (COUNT(*) AS ?n) WHERE {{ {values}
        ?st <{DERIVED_FROM}> ?src ; <{QUOTE}> ?q }} GROUP BY ?src ?q"""
    return {(row[0].value, row[1].value): int(row[2].value) for row in graph.store.select(query)}
