"""Identifiers: an entity's ids in public databases, written ``imdb:nm0000123``, ``imdb:tt0111161``,
``tmdb:movie/550``, ``tmdb:person/287``, ``tmdb:tv/1399`` or ``wd:Q42``.

Every scheme comes from the ontology (``rdfs:subPropertyOf film:identifier``): its notation, the
pattern of its ids, its public IRI, and the entity IRI filmkg mints from an id. When an entity
has several ids, the scheme of lowest ``film:identityRank`` (Wikidata, then IMDb, then TMDB)
and then the smallest id decides its IRI (:func:`deciding`).

Examples:
    >>> from kg.ontology import load_ontology
    >>> onto = load_ontology()
    >>> found = parse_identifier("imdb:nm0000123", onto)
    >>> found.notation, found.iri, found.public
    ('imdb:nm0000123', 'https://w3id.org/filmkg/resource/imdb/nm0000123', 'https://www.imdb.com/name/nm0000123/')
    >>> parse_identifier("Mikey Madison", onto) is None
    True
    >>> parse_identifier("imdb:xx12", onto)
    Traceback (most recent call last):
    ...
    ValueError: "imdb:xx12" is not an IMDb ID: write imdb:nm followed by 7 to 10 digits (a person) or imdb:tt followed by 7 to 10 digits (a title)
    >>> deciding([parse_identifier("tmdb:person/287", onto), parse_identifier("wd:Q42", onto)]).notation
    'wd:Q42'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kg.ontology import IdentifierScheme, Ontology
from kg.vocab import RES

__all__ = ["Identifier", "deciding", "identifier_of_iri", "parse_identifier", "split_identifiers"]


@dataclass(frozen=True)
class Identifier:
    """One id of one scheme."""

    value: str
    scheme: IdentifierScheme

    @property
    def rank(self) -> int:
        """The scheme's ``film:identityRank``: the lowest decides an entity's IRI."""
        return self.scheme.rank

    @property
    def notation(self) -> str:
        """How it is written: ``imdb:nm0000123``."""
        return self.scheme.notation + self.value

    @property
    def iri(self) -> str:
        """The entity IRI filmkg mints from it, under ``res:``."""
        return RES + self.scheme.path + self.value

    @property
    def public(self) -> str:
        """The public IRI (``owl:sameAs`` points to it)."""
        return self.scheme.public.replace("{}", self.value)

    @property
    def property(self) -> str:
        """The identifier property's IRI (``film:imdbPersonId``)."""
        return self.scheme.iri


@cache
def _forms(ontology: Ontology) -> dict[str, list[tuple[re.Pattern[str], IdentifierScheme]]]:
    """The schemes of each notation, with their compiled patterns, longest notation first."""
    forms: dict[str, list[tuple[re.Pattern[str], IdentifierScheme]]] = {}
    for scheme in ontology.identifiers:
        forms.setdefault(scheme.notation, []).append((re.compile(scheme.pattern), scheme))
    return dict(sorted(forms.items(), key=lambda item: -len(item[0])))


def _family(notation: str) -> str:
    """The database part of a notation: ``tmdb`` for ``tmdb:movie/``."""
    return notation.split(":", 1)[0]


def parse_identifier(text: str, ontology: Ontology) -> Identifier | None:
    """The identifier written ``text``, ``None`` when ``text`` is not in an identifier notation.

    Raises:
        ValueError: ``text`` starts like an identifier (``imdb:``, ``tmdb:``, ``wd:`` ...) but the
            id does not match its pattern; the message shows how to write it.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> parse_identifier(" tmdb:movie/550 ", load_ontology()).iri
        'https://w3id.org/filmkg/resource/tmdb/movie/550'
        >>> parse_identifier("wd:Qabc", load_ontology())
        Traceback (most recent call last):
        ...
        ValueError: "wd:Qabc" is not a Wikidata item: write wd:Q followed by digits (wd:Q42)
    """
    text = text.strip()
    forms = _forms(ontology)
    for notation, candidates in forms.items():
        if text.startswith(notation):
            value = text[len(notation) :]
            for pattern, scheme in candidates:
                if pattern.fullmatch(value):
                    return Identifier(value, scheme)
    family = text.split(":", 1)[0] if ":" in text and " " not in text else None
    if family is None or not any(_family(n) == family for n in forms):
        return None
    if family == "wd" and not re.fullmatch(r"Q\S*", text[3:]):
        return None  # wd:P31 and the like are CURIEs of Wikidata's namespace, not items
    raise ValueError(f'"{text}" is not {_how(family, forms)}')


def _how(family: str, forms: dict[str, list[tuple[re.Pattern[str], IdentifierScheme]]]) -> str:
    """How the ids of one database are written, for messages."""
    if family == "imdb":
        return (
            "an IMDb ID: write imdb:nm followed by 7 to 10 digits (a person) "
            "or imdb:tt followed by 7 to 10 digits (a title)"
        )
    if family == "wd":
        return "a Wikidata item: write wd:Q followed by digits (wd:Q42)"
    notations = sorted(n for n in forms if _family(n) == family)
    return f"a {family} id: write {' or '.join(n + 'ID' for n in notations)}, the ID being digits"


def split_identifiers(text: str) -> list[str]:
    """The ids of a cell that may hold several, separated by spaces, commas, semicolons or ``|``.

    Examples:
        >>> split_identifiers("wd:Q42; imdb:nm0010930 |tmdb:person/42")
        ['wd:Q42', 'imdb:nm0010930', 'tmdb:person/42']
    """
    return [part for part in re.split(r"[\s,;|]+", text) if part]


def deciding(identifiers: Iterable[Identifier]) -> Identifier:
    """The identifier that decides the IRI: lowest rank, then smallest id.

    Raises:
        ValueError: no identifiers.
    """
    return min(identifiers, key=lambda i: (i.rank, i.scheme.path, len(i.value), i.value))


def identifier_of_iri(iri: str, ontology: Ontology) -> Identifier | None:
    """The identifier an entity IRI was minted from (``res:imdb/nm0000123``), else ``None``.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> identifier_of_iri("https://w3id.org/filmkg/resource/wikidata/Q42", load_ontology()).notation
        'wd:Q42'
        >>> identifier_of_iri("https://w3id.org/filmkg/resource/anora", load_ontology()) is None
        True
    """
    if not iri.startswith(RES):
        return None
    rest = iri[len(RES) :]
    for scheme in ontology.identifiers:
        if rest.startswith(scheme.path):
            value = rest[len(scheme.path) :]
            if re.fullmatch(scheme.pattern, value):
                return Identifier(value, scheme)
    return None
