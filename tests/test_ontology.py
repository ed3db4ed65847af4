"""The vocabulary (ontology/film.ttl, read by kg.ontology) and entity IRI minting."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from kg.errors import KGError, NotFoundError
from kg.ontology import FILM, RES, XSD, Ontology, load_ontology, mint_entity, normalize_name, ontology_dir

F = Namespace(FILM)
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")

CLASSES = ["Person", "Film", "Scene", "Character", "Song", "Organization", "Award", "Location", "Work", "Source"]
RELATIONS = {
    "directed": "directed",
    "wrote": "wrote",
    "produced": "produced",
    "acted-in": "actedIn",
    "trained-for": "trainedFor",
    "coached": "coached",
    "advised": "advised",
    "choreographed": "choreographed",
    "composed": "composed",
    "edited": "edited",
    "cinematography": "cinematography",
    "performed": "performed",
    "features-song": "featuresSong",
    "scene-of": "sceneOf",
    "set-in": "setIn",
    "filmed-at": "filmedAt",
    "won-award": "wonAward",
    "nominated-for": "nominatedFor",
    "distributed-by": "distributedBy",
    "produced-by": "producedBy",
    "authored": "authored",
    "release-date": "releaseDate",
    "runtime": "runtime",
}
QUALIFIERS = {
    "duration": "duration",
    "character": "character",
    "role": "role",
    "skill": "skill",
    "trainer": "trainer",
    "start": "start",
    "end": "end",
    "date": "date",
    "for-work": "forWork",
    "ceremony": "ceremony",
    "quote": "quote",
    "note": "note",
    "confidence": "confidence",
}


@pytest.fixture(scope="module")
def ttl() -> Graph:
    """ontology/film.ttl parsed by rdflib, independently of kg.ontology."""
    return Graph().parse(ontology_dir() / "film.ttl", format="turtle")


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology()


def _cls(*names: str) -> set[str]:
    return {FILM + n for n in names}


# ------------------------------------------------------------------ classes, relations, qualifiers exist


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_of_the_issue_is_an_owl_class(ttl: Graph, onto: Ontology, name: str) -> None:
    assert (F[name], RDF.type, OWL.Class) in ttl
    assert onto.ontology_class(name).iri == FILM + name
    assert onto.classes[FILM + name].label
    assert onto.classes[FILM + name].comment


@pytest.mark.parametrize(("name", "local"), sorted(RELATIONS.items()))
def test_every_relation_of_the_issue_is_a_relation(ttl: Graph, onto: Ontology, name: str, local: str) -> None:
    assert (F[local], RDFS.subPropertyOf, F.relation) in ttl
    prop = onto.relation(name)
    assert prop.iri == FILM + local
    assert prop.name == name
    assert not prop.is_qualifier


@pytest.mark.parametrize(("name", "local"), sorted(QUALIFIERS.items()))
def test_every_qualifier_of_the_issue_is_a_qualifier(ttl: Graph, onto: Ontology, name: str, local: str) -> None:
    assert (F[local], RDFS.subPropertyOf, F.qualifier) in ttl
    assert (F[local], RDFS.domain, RDF.Statement) in ttl
    prop = onto.qualifier(name)
    assert prop.iri == FILM + local
    assert prop.name == name
    assert prop.is_qualifier


def test_relations_and_qualifiers_are_disjoint(onto: Ontology) -> None:
    relations = {p.iri for p in onto.relations}
    qualifiers = {p.iri for p in onto.qualifiers}
    assert relations and qualifiers
    assert not relations & qualifiers
    assert {FILM + v for v in RELATIONS.values()} <= relations
    assert {FILM + v for v in QUALIFIERS.values()} <= qualifiers


def _declared_properties(ttl: Graph) -> set[URIRef]:
    props = set(ttl.subjects(RDFS.subPropertyOf, F.relation)) | set(ttl.subjects(RDFS.subPropertyOf, F.qualifier))
    props |= set(ttl.subjects(RDF.type, OWL.ObjectProperty)) | set(ttl.subjects(RDF.type, OWL.DatatypeProperty))
    return {p for p in props if isinstance(p, URIRef)}


def test_every_property_has_label_comment_domain_and_range(ttl: Graph) -> None:
    props = _declared_properties(ttl)
    assert len(props) >= len(RELATIONS) + len(QUALIFIERS)
    missing = {
        str(p): [what for what, pred in (("label", RDFS.label), ("comment", RDFS.comment), ("domain", RDFS.domain),
                                         ("range", RDFS.range)) if ttl.value(p, pred) is None]
        for p in props
    }
    assert {p: m for p, m in missing.items() if m} == {}


def test_every_parsed_property_has_a_label_and_comment(onto: Ontology) -> None:
    for prop in onto.properties.values():
        assert prop.label, prop.iri
        assert prop.comment, prop.iri
        assert prop.range or prop.datatype, prop.iri


@pytest.mark.parametrize(
    ("name", "domain", "range_"),
    [
        ("trained-for", {"Person"}, {"Scene", "Film"}),
        ("coached", {"Person"}, {"Person"}),
        ("advised", {"Person"}, {"Film", "Scene"}),
        ("choreographed", {"Person"}, {"Scene", "Film"}),
        ("performed", {"Person"}, {"Song"}),
        ("features-song", {"Scene"}, {"Song"}),
        ("scene-of", {"Scene"}, {"Film"}),
        ("set-in", None, {"Location"}),
        ("filmed-at", None, {"Location"}),
        ("won-award", {"Person", "Film"}, {"Award"}),
        ("nominated-for", {"Person", "Film"}, {"Award"}),
        ("distributed-by", {"Film"}, {"Organization"}),
        ("produced-by", {"Film"}, {"Organization"}),
        ("authored", {"Person"}, {"Work"}),
        ("acted-in", {"Person"}, {"Film"}),
    ],
)
def test_relation_domains_and_ranges_follow_the_issue(
    onto: Ontology, name: str, domain: set[str] | None, range_: set[str]
) -> None:
    prop = onto.relation(name)
    if domain is not None:
        assert set(prop.domain) == _cls(*domain)
    assert set(prop.range) == _cls(*range_)
    assert prop.datatype is None


@pytest.mark.parametrize(
    ("name", "datatype"),
    [("release-date", XSD + "date"), ("runtime", XSD + "duration")],
)
def test_datatype_relations(onto: Ontology, name: str, datatype: str) -> None:
    prop = onto.relation(name)
    assert prop.is_literal
    assert prop.datatype == datatype


@pytest.mark.parametrize(
    ("name", "datatype", "range_"),
    [
        ("duration", XSD + "duration", None),
        ("confidence", XSD + "decimal", None),
        ("date", XSD + "date", None),
        ("start", XSD + "date", None),
        ("end", XSD + "date", None),
        ("role", XSD + "string", None),
        ("skill", XSD + "string", None),
        ("ceremony", XSD + "string", None),
        ("quote", XSD + "string", None),
        ("note", XSD + "string", None),
        ("character", None, "Character"),
        ("trainer", None, "Person"),
        ("for-work", None, "Film"),
    ],
)
def test_qualifier_ranges(onto: Ontology, name: str, datatype: str | None, range_: str | None) -> None:
    prop = onto.qualifier(name)
    assert prop.datatype == datatype
    assert prop.range == ((FILM + range_,) if range_ else ())


@pytest.mark.parametrize(
    ("relation", "qualifiers"),
    [
        ("acted-in", {"character"}),
        ("trained-for", {"duration", "skill", "trainer"}),
        ("coached", {"skill", "duration"}),
        ("advised", {"role"}),
        ("won-award", {"date", "for-work", "ceremony"}),
        ("nominated-for", {"date", "for-work", "ceremony"}),
    ],
)
def test_expected_qualifiers(onto: Ontology, relation: str, qualifiers: set[str]) -> None:
    expected = {onto.qualifier(q).iri for q in qualifiers}
    assert expected <= set(onto.relation(relation).expected_qualifiers)


# ------------------------------------------------------------------ mappings to Wikidata and schema.org


@pytest.mark.parametrize(
    ("local", "mapping"),
    [
        ("directed", WDT.P57),
        ("actedIn", WDT.P161),
        ("character", PQ.P453),
        ("choreographed", WDT.P1809),
        ("composed", WDT.P86),
        ("wonAward", WDT.P166),
        ("nominatedFor", WDT.P1411),
        ("distributedBy", WDT.P750),
        ("directed", SCHEMA.director),
        ("actedIn", SCHEMA.actor),
        ("composed", SCHEMA.musicBy),
    ],
)
def test_wikidata_and_schema_mappings(ttl: Graph, onto: Ontology, local: str, mapping: URIRef) -> None:
    assert (F[local], SKOS.closeMatch, mapping) in ttl
    assert str(mapping) in onto.properties[FILM + local].mappings


# ------------------------------------------------------------------ look-ups


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("trained-for", "trained-for"),
        ("trainedFor", "trained-for"),
        ("TrainedFor", "trained-for"),
        ("trained_for", "trained-for"),
        ("  trained-for  ", "trained-for"),
        ("film:trainedFor", "trained-for"),
        (f"<{FILM}trainedFor>", "trained-for"),
        ("prepared-for", "trained-for"),
        ("acted-in", "acted-in"),
        ("actedIn", "acted-in"),
        ("film:actedIn", "acted-in"),
        ("starred-in", "acted-in"),
        ("won", "won-award"),
        ("distributor", "distributed-by"),
        ("releaseDate", "release-date"),
    ],
)
def test_relation_lookup(onto: Ontology, text: str, name: str) -> None:
    assert onto.relation(text).name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("for-work", "for-work"),
        ("forWork", "for-work"),
        ("film:forWork", "for-work"),
        (f"<{FILM}forWork>", "for-work"),
        ("as", "character"),
        ("character-role", "character"),
        ("coach", "trainer"),
        ("Duration", "duration"),
    ],
)
def test_qualifier_lookup(onto: Ontology, text: str, name: str) -> None:
    assert onto.qualifier(text).name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [("Person", "Person"), ("person", "Person"), ("film:Person", "Person"), ("movie", "Film"),
     ("track", "Song"), ("book", "Work"), ("organisation", "Organization"), ("place", "Location")],
)
def test_class_lookup(onto: Ontology, text: str, name: str) -> None:
    assert onto.ontology_class(text).name == name


def test_every_name_and_alias_finds_its_own_property(onto: Ontology) -> None:
    for prop in onto.relations:
        for name in (prop.name, *prop.aliases, onto.compact(prop.iri), f"<{prop.iri}>"):
            assert onto.relation(name).iri == prop.iri, name
    for prop in onto.qualifiers:
        for name in (prop.name, *prop.aliases, onto.compact(prop.iri), f"<{prop.iri}>"):
            assert onto.qualifier(name).iri == prop.iri, name
    for cls in onto.classes.values():
        for name in (cls.name, *cls.aliases):
            assert onto.ontology_class(name).iri == cls.iri, name


def test_a_qualifier_is_not_a_relation_and_vice_versa(onto: Ontology) -> None:
    with pytest.raises(NotFoundError):
        onto.relation("skill")
    with pytest.raises(NotFoundError):
        onto.qualifier("directed")


@pytest.mark.parametrize(
    ("kind", "text", "suggestion"),
    [
        ("relation", "trainedd-for", "trained-for"),
        ("relation", "choreographd", "choreographed"),
        ("relation", "distributed-bi", "distributed-by"),
        ("qualifier", "durration", "duration"),
        ("qualifier", "ceremonie", "ceremony"),
        ("ontology_class", "Persn", "Person"),
    ],
)
def test_unknown_names_suggest_the_closest(onto: Ontology, kind: str, text: str, suggestion: str) -> None:
    with pytest.raises(NotFoundError) as info:
        getattr(onto, kind)(text)
    message = str(info.value)
    assert f'"{text}"' in message
    assert f'did you mean "{suggestion}"' in message
    assert isinstance(info.value, KGError)
    assert info.value.exit_code == 5


def test_an_unknown_name_far_from_any_lists_the_known_ones(onto: Ontology) -> None:
    with pytest.raises(NotFoundError) as info:
        onto.relation("qqqqqqqq")
    assert "did you mean" not in str(info.value)
    assert "trained-for" in str(info.value)


def test_curie_expansion_and_compaction(onto: Ontology) -> None:
    assert onto.expand("wd:Q5") == "http://www.wikidata.org/entity/Q5"
    assert onto.expand("film:actedIn") == FILM + "actedIn"
    assert onto.expand("nosuchprefix:x") is None
    assert onto.expand("Mission: Impossible") is None
    assert onto.compact(FILM + "actedIn") == "film:actedIn"
    assert onto.compact("http://example.org/x y") == "<http://example.org/x y>"
    for prefix in ("film", "res", "rdf", "rdfs", "owl", "xsd", "prov", "schema", "wd", "wdt"):
        assert prefix in onto.prefixes


def test_load_ontology_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix film: <x> .\nfilm:a film:b .\nthis is not turtle\n")
    with pytest.raises(KGError):
        load_ontology(broken)
    with pytest.raises(KGError):
        load_ontology(tmp_path / "missing.ttl")


# ------------------------------------------------------------------ roles of the network projections

ROLES = {"person": (FILM + "Person",), "film": (FILM + "Film",), "part-of-film": (FILM + "sceneOf",)}


def test_projection_roles_are_annotations_of_the_ontology(ttl: Graph, onto: Ontology) -> None:
    role = F.projectionRole
    assert (role, RDF.type, OWL.AnnotationProperty) in ttl
    assert ttl.value(role, RDFS.label) is not None and ttl.value(role, RDFS.comment) is not None
    assert onto.roles == ROLES
    for name, iris in ROLES.items():
        assert onto.role(name) == iris
        assert all((URIRef(iri), role, Literal(name)) in ttl for iri in iris)


def test_an_unknown_role_is_an_error_that_says_how_to_add_it(onto: Ontology) -> None:
    with pytest.raises(KGError, match='projection role "crew": mark a class or relation with film:projectionRole "crew"'):
        onto.role("crew")


def test_roles_do_not_depend_on_labels(tmp_path: Path) -> None:
    text = (ontology_dir() / "film.ttl").read_text(encoding="utf-8")
    relabelled = text.replace('rdfs:label "Person"@en', 'rdfs:label "Human"@en').replace(
        'rdfs:label "scene of"@en', 'rdfs:label "part of"@en'
    )
    assert relabelled != text
    (tmp_path / "film.ttl").write_text(relabelled, encoding="utf-8")
    other = load_ontology(tmp_path / "film.ttl")
    assert other.classes[FILM + "Person"].label == "Human"
    assert other.roles == ROLES


# ------------------------------------------------------------------ minting entity IRIs

names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(lambda s: s.strip())
whitespace = st.text(st.sampled_from(" \t\n\r\u00a0\u2003"), min_size=1, max_size=3)


def test_mint_entity_examples() -> None:
    assert mint_entity("Mikey Madison") == RES + "mikey_madison"
    assert mint_entity("  Mikey   MADISON ") == RES + "mikey_madison"
    assert mint_entity("Ivan's mansion") == RES + "ivan%27s_mansion"
    assert mint_entity("a_b") != mint_entity("a b")
    assert mint_entity("100%") != mint_entity("100%25")


@pytest.mark.parametrize("text", ["", " ", "\t\n "])
def test_mint_entity_refuses_empty_names(text: str) -> None:
    with pytest.raises(ValueError):
        mint_entity(text)


@settings(max_examples=100, deadline=None)
@given(names)
def test_mint_entity_is_deterministic_and_a_valid_iri(name: str) -> None:
    iri = mint_entity(name)
    assert iri == mint_entity(name)
    assert iri.startswith(RES)
    assert len(iri) > len(RES)
    node = ox.NamedNode(iri)  # raises ValueError on an invalid IRI
    assert node.value == iri
    # the IRI survives a round trip through N-Triples
    triple = ox.Triple(node, node, node)
    [back] = list(ox.parse(ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES))
    assert back.subject == node


@settings(max_examples=100, deadline=None)
@given(names)
def test_mint_entity_ignores_case(name: str) -> None:
    assert mint_entity(name) == mint_entity(name.casefold())
    assert mint_entity(name) == mint_entity(name.lower())


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40).filter(str.strip))
def test_mint_entity_ignores_ascii_case(name: str) -> None:
    assert mint_entity(name) == mint_entity(name.swapcase()) == mint_entity(name.upper())


@settings(max_examples=100, deadline=None)
@given(st.lists(names.map(lambda s: "".join(s.split())).filter(bool), min_size=1, max_size=4), st.data())
def test_mint_entity_ignores_extra_whitespace(words: list[str], data: st.DataObject) -> None:
    spaced = data.draw(whitespace) + "".join(w + data.draw(whitespace) for w in words)
    assert mint_entity(spaced) == mint_entity(" ".join(words))


@settings(max_examples=100, deadline=None)
@given(names, names)
def test_mint_entity_gives_different_names_different_iris(a: str, b: str) -> None:
    assume(normalize_name(a) != normalize_name(b))
    assert mint_entity(a) != mint_entity(b)


@pytest.mark.parametrize("name", ["Mikey Madison", "Sean Baker", "Ivan's mansion", "Drip dance scene"])
def test_mint_entity_near_names_stay_apart(name: str) -> None:
    assert mint_entity(name) != mint_entity(name + "s")
    assert mint_entity(name) != mint_entity(name.replace(" ", "_"))
    assert mint_entity(name) != mint_entity(name.replace(" ", ""))
    assert mint_entity(name) == mint_entity("\u00a0" + name.upper().replace(" ", " \t ") + "\n")
