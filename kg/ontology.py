"""The vocabulary: classes, relations and qualifiers read from ``ontology/film.ttl``.

Nothing in the package keeps a second list of them: input names (``trained-for``),
aliases, domains, ranges, datatypes, labels, the roles the network projections need
(``film:projectionRole``) and the prefixes the query command declares all come from
the ontology file.

Examples:
    >>> onto = load_ontology()
    >>> onto.relation("trained-for").iri
    'https://w3id.org/filmkg/ontology#trainedFor'
    >>> onto.relation("trainedFor").name, onto.relation("film:trainedFor").name
    ('trained-for', 'trained-for')
    >>> onto.qualifier("duration").datatype
    'http://www.w3.org/2001/XMLSchema#duration'
    >>> onto.qualifier("duration").functional, onto.relation("acted-in").functional
    (True, False)
    >>> onto.qualifier("rank").choices, onto.qualifier("rank").default
    (('preferred', 'normal', 'deprecated'), 'normal')
    >>> mint_entity("  Mikey   MADISON ")
    'https://w3id.org/filmkg/resource/mikey_madison'
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node

from kg.errors import KGError, NotFoundError
from kg.vocab import FILM, RES, SKOS, XSD

__all__ = [
    "IdentifierScheme",
    "FILM",
    "RES",
    "XSD",
    "Ontology",
    "OntologyClass",
    "Property",
    "load_ontology",
    "mint_entity",
    "mint_hashed",
    "normalize_name",
    "ontology_dir",
]

_SKOS_CLOSE = URIRef(SKOS + "closeMatch")
_ALIAS = URIRef(FILM + "alias")
_EXPECTED = URIRef(FILM + "expectedQualifier")
_RELATION = URIRef(FILM + "relation")
_QUALIFIER = URIRef(FILM + "qualifier")
_PROJECTION_ROLE = URIRef(FILM + "projectionRole")
_IDENTIFIER = URIRef(FILM + "identifier")
_IDENTITY_RECORD = URIRef(FILM + "identityRecord")
_IDENTIFYING = URIRef(FILM + "identifyingQualifier")
_DEFAULT = URIRef(FILM + "defaultValue")
_INVERSE_MATCH = URIRef(FILM + "inverseMatch")


def ontology_dir() -> Path:
    """The folder holding ``film.ttl``, ``shapes.ttl`` and ``queries/``.

    The installed package carries a copy as ``kg/_ontology``; a source checkout uses
    the top-level ``ontology/`` folder.

    Returns:
        The folder's path.

    Examples:
        >>> (ontology_dir() / "film.ttl").is_file()
        True
    """
    packaged = Path(str(resources.files("kg"))) / "_ontology"
    if (packaged / "film.ttl").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "ontology"


def _camel_to_kebab(local: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", local).lower()


def _key(name: str) -> str:
    """Comparison key of an input name: kebab, camel and snake case all match."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


@dataclass(frozen=True)
class OntologyClass:
    """A class of the ontology (Person, Film, Scene...)."""

    iri: str
    name: str
    label: str
    comment: str
    aliases: tuple[str, ...] = ()
    mappings: tuple[str, ...] = ()
    """Its ``skos:closeMatch`` classes elsewhere (``schema:Person``, ``wd:Q5``)."""


@dataclass(frozen=True)
class Property:
    """A relation or a qualifier of the ontology.

    ``domain`` and ``range`` hold class IRIs (several for an ``owl:unionOf``);
    ``datatype`` is the XSD datatype IRI when the range is a datatype, else ``None``
    (``xsd:string`` for an ``owl:oneOf`` list of strings, whose values are then ``choices``, best first).
    ``functional`` says the property is an ``owl:FunctionalProperty``: a relation with one object per
    subject (``release-date``), or a qualifier with one value per claim (``duration``), so that two
    different values conflict. ``identifying_qualifiers`` are the qualifiers that tell a relation's
    claims apart (``skill`` for ``trained-for``: film:identifyingQualifier); ``default`` is the value
    of a qualifier a statement does not give (film:defaultValue). ``mappings`` are its
    ``skos:closeMatch`` properties elsewhere (schema.org, Wikidata); ``inverse_mappings`` those of them
    stated from the object to the subject (film:inverseMatch: ``wdt:P57`` for ``directed``).
    """

    iri: str
    name: str
    label: str
    comment: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    datatype: str | None
    is_qualifier: bool
    aliases: tuple[str, ...] = ()
    mappings: tuple[str, ...] = ()
    inverse_mappings: tuple[str, ...] = ()
    expected_qualifiers: tuple[str, ...] = field(default=())
    functional: bool = False
    identifying_qualifiers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    default: str | None = None

    @property
    def is_literal(self) -> bool:
        """True when the value is a literal (a datatype property)."""
        return self.datatype is not None


@dataclass(frozen=True)
class IdentifierScheme:
    """An identifier property of the ontology (``rdfs:subPropertyOf film:identifier``) and how its
    ids are written (``notation`` then an id matching ``pattern``), linked (``public``, with ``{}``
    for the id) and minted into entity IRIs (``path`` under ``res:``; the lowest ``rank`` decides).
    """

    iri: str
    label: str
    notation: str
    pattern: str
    public: str
    path: str
    rank: int
    identifies: str | None = None
    mappings: tuple[str, ...] = ()


class Ontology:
    """The parsed ontology: look-ups by input name, CURIE or IRI, and prefixes.

    Use :func:`load_ontology` rather than the constructor.
    """

    def __init__(
        self,
        *,
        classes: Iterable[OntologyClass],
        properties: Iterable[Property],
        prefixes: Mapping[str, str],
        digest: str,
        path: Path,
        roles: Mapping[str, Iterable[str]] | None = None,
        identifiers: Iterable[IdentifierScheme] = (),
        identity_records: Iterable[str] = (),
    ) -> None:
        self.classes: dict[str, OntologyClass] = {c.iri: c for c in classes}
        self.properties: dict[str, Property] = {p.iri: p for p in properties}
        self.prefixes: dict[str, str] = dict(prefixes)
        self.roles: dict[str, tuple[str, ...]] = {name: tuple(sorted(set(iris))) for name, iris in (roles or {}).items()}
        """The IRIs of the classes and relations marked with each ``film:projectionRole``, by role."""
        self.identifiers: tuple[IdentifierScheme, ...] = tuple(
            sorted(identifiers, key=lambda s: (s.rank, s.notation, s.pattern))
        )
        """The identifier properties, the deciding one first (``film:identityRank``)."""
        self.identity_records: frozenset[str] = frozenset(identity_records)
        """The properties of identity bookkeeping (``rdfs:subPropertyOf film:identityRecord``): never relations."""
        self.digest = digest
        self.path = path
        self._relations = self._index(p for p in self.properties.values() if not p.is_qualifier)
        self._qualifiers = self._index(p for p in self.properties.values() if p.is_qualifier)
        self._class_index = self._index(self.classes.values())

    @staticmethod
    def _index(items: Iterable[OntologyClass | Property]) -> dict[str, str]:
        index: dict[str, str] = {}
        for item in items:
            for name in (item.name, *item.aliases):
                index.setdefault(_key(name), item.iri)
        return index

    @property
    def relations(self) -> list[Property]:
        """Every relation, sorted by input name."""
        return sorted((p for p in self.properties.values() if not p.is_qualifier), key=lambda p: p.name)

    @property
    def qualifiers(self) -> list[Property]:
        """Every qualifier, sorted by input name."""
        return sorted((p for p in self.properties.values() if p.is_qualifier), key=lambda p: p.name)

    def expand(self, curie: str) -> str | None:
        """The IRI of ``prefix:local`` for a prefix the ontology declares, else ``None``.

        Examples:
            >>> load_ontology().expand("wd:Q5")
            'http://www.wikidata.org/entity/Q5'
            >>> load_ontology().expand("Mission: Impossible") is None
            True
        """
        match = re.fullmatch(r"([A-Za-z][\w.\-]*)?:(\S*)", curie)
        if not match:
            return None
        namespace = self.prefixes.get(match.group(1) or "")
        return None if namespace is None else namespace + match.group(2)

    def compact(self, iri: str) -> str:
        """``prefix:local`` for an IRI under a declared prefix, else ``<iri>``.

        Examples:
            >>> load_ontology().compact("https://w3id.org/filmkg/ontology#actedIn")
            'film:actedIn'
        """
        best = ""
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(self.prefixes.get(best, "")):
                local = iri[len(namespace) :]
                if re.fullmatch(r"[\w\-.]*", local) and not local.endswith("."):
                    best = prefix
        if best:
            return f"{best}:{iri[len(self.prefixes[best]) :]}"
        return f"<{iri}>"

    def _lookup(self, text: str, index: Mapping[str, str], kind: str) -> str:
        text = text.strip()
        iri = text[1:-1] if text.startswith("<") and text.endswith(">") else self.expand(text)
        if iri is not None and iri in index.values():
            return iri
        found = index.get(_key(text))
        if found is not None:
            return found
        names = sorted({self._name_of(v) for v in index.values()})
        close = difflib.get_close_matches(text.strip().lower(), names, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise NotFoundError(f'unknown {kind} "{text}"{hint}; known: {", ".join(names)}')

    def _name_of(self, iri: str) -> str:
        item = self.properties.get(iri) or self.classes.get(iri)
        return item.name if item else iri

    def relation(self, name: str) -> Property:
        """The relation called ``name`` (kebab-case, camelCase, an alias, a CURIE or ``<IRI>``).

        Raises:
            NotFoundError: an unknown name; the message suggests the closest one.

        Examples:
            >>> load_ontology().relation("starred-in").name
            'acted-in'
            >>> load_ontology().relation("trainedd-for")
            Traceback (most recent call last):
            ...
            kg.errors.NotFoundError: unknown relation "trainedd-for" (did you mean "trained-for"?); known: ...
        """
        return self.properties[self._lookup(name, self._relations, "relation")]

    @property
    def name_properties(self) -> tuple[str, ...]:
        """The properties that give an entity a name: ``rdfs:label``, ``skos:altLabel`` and the
        relations mapped to it (``also-known-as``); name resolution reads them all.

        Examples:
            >>> [p.rsplit("#", 1)[-1] for p in load_ontology().name_properties]
            ['label', 'altLabel', 'alsoKnownAs']
        """
        alias = SKOS + "altLabel"
        return (str(RDFS.label), alias, *sorted(p.iri for p in self.properties.values() if alias in p.mappings))

    def matching(self, iri: str) -> list[tuple[Property, bool]]:
        """The relations and qualifiers mapped to an outside property ``iri`` (``skos:closeMatch``),
        each with whether the mapping is stated the other way round (``film:inverseMatch``).

        Examples:
            >>> [(p.name, inverse) for p, inverse in load_ontology().matching("http://www.wikidata.org/prop/direct/P57")]
            [('directed', True)]
            >>> [(p.name, inverse) for p, inverse in load_ontology().matching("http://www.wikidata.org/prop/qualifier/P453")]
            [('character', False)]
        """
        return sorted(
            ((p, iri in p.inverse_mappings) for p in self.properties.values() if iri in p.mappings),
            key=lambda found: found[0].name,
        )

    def qualifier(self, name: str) -> Property:
        """The qualifier called ``name``; see :meth:`relation`.

        Examples:
            >>> load_ontology().qualifier("for-work").iri
            'https://w3id.org/filmkg/ontology#forWork'
        """
        return self.properties[self._lookup(name, self._qualifiers, "qualifier")]

    def ontology_class(self, name: str) -> OntologyClass:
        """The class called ``name`` (``Person``, ``person``, ``film:Person``, an alias).

        Examples:
            >>> load_ontology().ontology_class("movie").name
            'Film'
        """
        return self.classes[self._lookup(name, self._class_index, "class")]

    def role(self, name: str) -> tuple[str, ...]:
        """The classes or relations that play a role in the network projections (``film:projectionRole``).

        ``film.ttl`` marks ``person`` and ``film`` (the classes the collaboration and
        person-film projections link) and ``part-of-film`` (the relation from a scene to
        its film), so that the projections never depend on a label.

        Args:
            name: the role, as written in the ontology file.

        Returns:
            The IRIs marked with it, sorted.

        Raises:
            KGError: nothing in the ontology file has that role.

        Examples:
            >>> load_ontology().role("person")
            ('https://w3id.org/filmkg/ontology#Person',)
            >>> load_ontology().role("part-of-film")
            ('https://w3id.org/filmkg/ontology#sceneOf',)
        """
        found = self.roles.get(name)
        if not found:
            raise KGError(
                f'the ontology {self.path} gives nothing the projection role "{name}": '
                f'mark a class or relation with film:projectionRole "{name}"'
            )
        return found

    def label(self, iri: str) -> str:
        """The label of a class or property, the identifier an entity IRI was minted from (for an
        entity no file names), or its compact form when unknown.

        Examples:
            >>> load_ontology().label("https://w3id.org/filmkg/ontology#actedIn")
            'acted in'
            >>> load_ontology().label("https://w3id.org/filmkg/resource/imdb/nm0000123")
            'imdb:nm0000123'
        """
        item = self.properties.get(iri) or self.classes.get(iri)
        if item:
            return item.label
        return self.notation_of(iri) or self.compact(iri)

    def notation_of(self, iri: str) -> str | None:
        """The identifier (in notation) an entity IRI was minted from, or ``None``.

        Examples:
            >>> load_ontology().notation_of("https://w3id.org/filmkg/resource/imdb/tt0111161")
            'imdb:tt0111161'
        """
        if not iri.startswith(RES):
            return None
        for scheme in self.identifiers:
            start = RES + scheme.path
            if iri.startswith(start) and re.fullmatch(scheme.pattern, iri[len(start) :]):
                return scheme.notation + iri[len(start) :]
        return None


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    values = sorted(
        (v for v in graph.objects(subject, predicate) if isinstance(v, Literal)),
        key=lambda v: (v.language not in (None, "en"), str(v)),
    )
    return str(values[0]) if values else ""


def _choices(graph: Graph, node: Node | None) -> tuple[str, ...]:
    """The literals of an ``owl:oneOf`` list (a datatype of a few values), in order."""
    members = graph.value(node, OWL.oneOf) if isinstance(node, BNode) else None
    return () if members is None else tuple(str(m) for m in Collection(graph, members))


def _classes_of(graph: Graph, node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, BNode):
        members = graph.value(node, OWL.unionOf)
        if members is not None:
            return tuple(str(m) for m in Collection(graph, members))
        return ()
    if node == OWL.Thing or node == RDFS.Resource:
        return ()
    return (str(node),)


@cache
def load_ontology(path: Path | None = None) -> Ontology:
    """Read the ontology file (``ontology/film.ttl`` by default); cached per path.

    Args:
        path: another Turtle file in the same conventions.

    Returns:
        The parsed :class:`Ontology`.

    Raises:
        KGError: the file is missing or is not valid Turtle.

    Examples:
        >>> onto = load_ontology()
        >>> len(onto.classes) >= 10, "film" in onto.prefixes
        (True, True)
    """
    path = path or ontology_dir() / "film.ttl"
    try:
        data = path.read_bytes()
        graph = Graph().parse(data=data, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise KGError(f"cannot read the ontology {path}: {exc}") from exc
    prefixes = dict(re.findall(r"@prefix\s+([A-Za-z][\w.\-]*):\s*<([^>]*)>", data.decode("utf-8")))
    classes = []
    for cls in set(graph.subjects(RDF.type, OWL.Class)):
        if isinstance(cls, URIRef) and str(cls).startswith(FILM):
            local = str(cls)[len(FILM) :]
            classes.append(
                OntologyClass(
                    iri=str(cls),
                    name=local,
                    label=_text(graph, cls, RDFS.label) or local,
                    comment=_text(graph, cls, RDFS.comment),
                    aliases=tuple(sorted(str(a) for a in graph.objects(cls, _ALIAS))),
                    mappings=tuple(sorted(str(m) for m in graph.objects(cls, _SKOS_CLOSE))),
                )
            )
    properties = []
    for parent, is_qualifier in ((_RELATION, False), (_QUALIFIER, True)):
        for prop in set(graph.subjects(RDFS.subPropertyOf, parent)):
            local = str(prop)[len(FILM) :]
            choices = _choices(graph, graph.value(prop, RDFS.range))
            ranges = _classes_of(graph, graph.value(prop, RDFS.range))
            datatype = XSD + "string" if choices else ranges[0] if ranges and ranges[0].startswith(XSD) else None
            default = graph.value(prop, _DEFAULT)
            properties.append(
                Property(
                    iri=str(prop),
                    name=_camel_to_kebab(local),
                    label=_text(graph, prop, RDFS.label) or local,
                    comment=_text(graph, prop, RDFS.comment),
                    domain=_classes_of(graph, graph.value(prop, RDFS.domain)),
                    range=() if datatype else ranges,
                    datatype=datatype,
                    is_qualifier=is_qualifier,
                    aliases=tuple(sorted(str(a) for a in graph.objects(prop, _ALIAS))),
                    mappings=tuple(sorted(str(m) for m in graph.objects(prop, _SKOS_CLOSE))),
                    inverse_mappings=tuple(sorted(str(m) for m in graph.objects(prop, _INVERSE_MATCH))),
                    expected_qualifiers=tuple(sorted(str(q) for q in graph.objects(prop, _EXPECTED))),
                    functional=(prop, RDF.type, OWL.FunctionalProperty) in graph,
                    identifying_qualifiers=tuple(sorted(str(q) for q in graph.objects(prop, _IDENTIFYING))),
                    choices=choices,
                    default=None if default is None else str(default),
                )
            )
    return Ontology(
        classes=classes,
        properties=properties,
        prefixes=prefixes,
        digest=hashlib.sha256(data).hexdigest(),
        path=path,
        roles=_roles(graph),
        identifiers=_identifier_schemes(graph, path),
        identity_records=sorted(str(p) for p in graph.subjects(RDFS.subPropertyOf, _IDENTITY_RECORD)),
    )


def _identifier_schemes(graph: Graph, path: Path) -> list[IdentifierScheme]:
    """Every identifier property and its notation, pattern, public IRI, path and rank."""
    schemes = []
    for prop in sorted(set(graph.subjects(RDFS.subPropertyOf, _IDENTIFIER)), key=str):
        values = {name: _text(graph, prop, URIRef(FILM + name)) for name in
                  ("notation", "idPattern", "publicIri", "iriPath", "identityRank")}  # fmt: skip
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise KGError(f"the ontology {path}: identifier {prop} needs {', '.join('film:' + m for m in missing)}")
        try:
            re.compile(values["idPattern"])
            rank = int(values["identityRank"])
        except (re.error, ValueError) as exc:
            raise KGError(f"the ontology {path}: identifier {prop}: {exc}") from exc
        identifies = graph.value(prop, URIRef(FILM + "identifies"))
        schemes.append(
            IdentifierScheme(
                iri=str(prop),
                label=_text(graph, prop, RDFS.label) or str(prop),
                notation=values["notation"],
                pattern=values["idPattern"],
                public=values["publicIri"],
                path=values["iriPath"],
                rank=rank,
                identifies=str(identifies) if identifies is not None else None,
                mappings=tuple(sorted(str(m) for m in graph.objects(prop, _SKOS_CLOSE))),
            )
        )
    return schemes


def _roles(graph: Graph) -> dict[str, list[str]]:
    """The IRIs marked with each ``film:projectionRole`` value."""
    roles: dict[str, list[str]] = {}
    for subject, role in graph.subject_objects(_PROJECTION_ROLE):
        if isinstance(subject, URIRef) and isinstance(role, Literal):
            roles.setdefault(str(role), []).append(str(subject))
    return roles


def normalize_name(name: str) -> str:
    """The identity of a plain entity name: Unicode NFC, case folded, whitespace collapsed.

    Examples:
        >>> normalize_name("  Mikey\\tMADISON ")
        'mikey madison'
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _slug(name: str) -> str:
    out = []
    for char in normalize_name(name):
        if char == " ":
            out.append("_")
        elif char.isalnum() or char in "-.~":
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def mint_entity(name: str) -> str:
    """The deterministic IRI of the entity a plain name names, under :data:`RES`.

    The same name, ignoring case and extra whitespace, always gives the same IRI;
    different names give different IRIs.

    Raises:
        ValueError: the name is empty.

    Examples:
        >>> mint_entity("Ivan's mansion")
        'https://w3id.org/filmkg/resource/ivan%27s_mansion'
        >>> mint_entity("Mikey Madison") == mint_entity("mikey  madison")
        True
    """
    slug = _slug(name)
    if not slug:
        raise ValueError("an entity name cannot be empty")
    return RES + slug


def mint_hashed(kind: str, *parts: str) -> str:
    """A deterministic IRI ``res:KIND/<hash>`` for content identified by ``parts``.

    Examples:
        >>> mint_hashed("statement", "a", "b") == mint_hashed("statement", "a", "b")
        True
        >>> mint_hashed("statement", "a", "b").startswith(RES + "statement/")
        True
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
    return f"{RES}{kind}/{digest}"
