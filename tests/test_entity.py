"""Entities: resolving a name, label, CURIE or IRI, and the card of facts ``show`` gives.

On the Anora data, in memory and on disk (``anora_graph``); on the tiny fixture, in memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph, NotFoundError
from kg.entity import EntityCard, Fact, resolve, show
from kg.vocab import FILM, RES

ARTICLE = "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong"
WD = "http://www.wikidata.org/entity/"


@pytest.fixture
def mixed_kg(tiny_kg: KnowledgeGraph, tmp_path: Path) -> KnowledgeGraph:
    """tiny.csv plus an entity known only by an rdfs:label, and one given as a Wikidata CURIE."""
    turtle = tmp_path / "extra.ttl"
    turtle.write_text(
        '<http://example.org/person/42> <http://www.w3.org/2000/01/rdf-schema#label> "Chloé Zhao" .\n'
        f"<http://example.org/person/42> <{FILM}directed> <{RES}nomadland> .\n"
        '<http://example.org/person/43> <http://www.w3.org/2000/01/rdf-schema#label> "Agnès  Varda" .\n',
        encoding="utf-8",
    )
    rows = tmp_path / "wd.csv"
    rows.write_text("subject,predicate,object\nwd:Q7407,directed,Anora\n", encoding="utf-8")
    tiny_kg.ingest([turtle, rows])
    return tiny_kg


# ----------------------------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    "name", ["Mikey Madison", "mikey madison", "MIKEY MADISON", "  Mikey   Madison  ", "Mikey\tMadison", "mIkEy madisoN"]
)
def test_resolve_name_any_case_and_spacing(tiny_kg: KnowledgeGraph, name: str) -> None:
    assert resolve(tiny_kg, name) == RES + "mikey_madison"


@pytest.mark.parametrize("label", ["Chloé Zhao", "chloé zhao", "CHLOÉ   ZHAO", " Chloé  Zhao "])
def test_resolve_by_label(mixed_kg: KnowledgeGraph, label: str) -> None:
    assert resolve(mixed_kg, label) == "http://example.org/person/42"


@pytest.mark.parametrize("label", ["Agnès  Varda", "Agnès Varda", "agnès varda"])
def test_resolve_by_label_with_irregular_spacing(mixed_kg: KnowledgeGraph, label: str) -> None:
    """A label written with extra whitespace is found by its exact text and by its normalized form."""
    assert resolve(mixed_kg, label) == "http://example.org/person/43"


@pytest.mark.parametrize(
    ("curie", "iri"),
    [("res:anora", RES + "anora"), ("wd:Q7407", WD + "Q7407"), ("res:mikey_madison", RES + "mikey_madison")],
)
def test_resolve_curie(mixed_kg: KnowledgeGraph, curie: str, iri: str) -> None:
    assert resolve(mixed_kg, curie) == iri


@pytest.mark.parametrize(
    "iri", [RES + "anora", "http://example.org/person/42", WD + "Q7407"]
)
def test_resolve_iri(mixed_kg: KnowledgeGraph, iri: str) -> None:
    assert resolve(mixed_kg, f"<{iri}>") == iri
    assert resolve(mixed_kg, f"  <{iri}> ") == iri


def test_resolve_entity_only_in_object_position(tiny_kg: KnowledgeGraph) -> None:
    assert resolve(tiny_kg, "neon") == RES + "neon"


def test_not_found_suggests_close_names(anora_graph: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve(anora_graph, "Mikey Madisson")
    message = str(caught.value)
    assert message.startswith('no entity "Mikey Madisson" in the store')
    assert "did you mean" in message and "'Mikey Madison'" in message
    assert caught.value.exit_code == 5


def test_not_found_suggestion_for_a_misspelt_film(anora_graph: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="did you mean.*'Anora'"):
        resolve(anora_graph, "Anorra")


@pytest.mark.parametrize(
    "missing", ["Nobody", "res:nobody", "wd:Q1", "<http://example.org/nobody>", "<not an iri>", "foo:bar", ""]
)
def test_not_found(tiny_kg: KnowledgeGraph, missing: str) -> None:
    with pytest.raises(NotFoundError, match="no entity"):
        resolve(tiny_kg, missing)


def test_not_found_on_an_empty_store() -> None:
    with pytest.raises(NotFoundError, match='no entity "Anora" in the store$'):
        resolve(KnowledgeGraph.memory(), "Anora")


# -------------------------------------------------------------------------------------- cards


def _facts(card: EntityCard, direction: str, predicate: str) -> list[Fact]:
    return [f for f in card.facts if f.direction == direction and f.predicate == FILM + predicate]


def test_card_of_mikey_madison(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "mikey madison")
    assert card.iri == RES + "mikey_madison"
    assert card.label == "Mikey Madison"
    assert card.types == ["Person"]
    trained = _facts(card, "out", "trainedFor")
    assert len(trained) == 6
    (five,) = [f for f in trained if ("duration", "P5M") in f.qualifiers]
    assert five.subject == RES + "mikey_madison" and five.subject_label == "Mikey Madison"
    assert five.object == RES + "anora" and five.object_label == "Anora"
    assert five.predicate_label == "trained for"
    assert ("skill", "pole dancing") in five.qualifiers
    assert five.sources == (ARTICLE,)
    assert len(five.quotes) == 1 and "spent five months training" in five.quotes[0]
    durations = sorted(dict(f.qualifiers).get("duration", "") for f in trained)
    assert durations == ["", "", "", "P20W", "P5M", "P6M"]
    (observing,) = [f for f in trained if ("skill", "observation") in f.qualifiers]
    assert ("location", "New York") in observing.qualifiers


def test_card_of_mikey_madison_other_facts(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Mikey Madison")
    acted = _facts(card, "out", "actedIn")
    assert {f.object_label for f in acted} == {"Anora", "Scream", "Once Upon a Time in Hollywood"}
    assert all(("character", "Ani") in f.qualifiers for f in acted if f.object_label == "Anora")
    (award,) = _facts(card, "out", "wonAward")
    assert award.object_label == "Academy Award for Best Actress"
    assert ("for-work", "Anora") in award.qualifiers
    (coached,) = _facts(card, "in", "coached")
    assert coached.subject_label == "Mikey Madison's pole dance instructor"
    assert ("skill", "pole dancing") in coached.qualifiers


def test_card_of_mikey_madison_as_text(anora_graph: KnowledgeGraph) -> None:
    text = str(show(anora_graph, "Mikey Madison"))
    lines = text.splitlines()
    assert lines[0] == f"Mikey Madison  <{RES}mikey_madison>"
    assert lines[1] == "  types: Person"
    assert "  → trained for Anora" in lines
    assert "      duration: P5M" in lines
    assert "      skill: pole dancing" in lines
    assert f"      source: {ARTICLE}" in lines
    assert any(line.startswith("      quote: “Here’s a bit of trivia") for line in lines)
    assert "  ← Mikey Madison's pole dance instructor coached" in lines


def test_card_lists_no_labels_or_types_as_facts(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Mikey Madison")
    predicates = {f.predicate for f in card.facts}
    assert "http://www.w3.org/2000/01/rdf-schema#label" not in predicates
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in predicates


def test_card_of_anora_has_in_facts(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Anora")
    assert card.types == ["Film"]
    (directed,) = _facts(card, "in", "directed")
    assert directed.subject == RES + "sean_baker" and directed.subject_label == "Sean Baker"
    assert directed.object == RES + "anora"
    assert directed.sources == (ARTICLE,)
    assert "Sean Baker’s Anora" in directed.quotes[0]
    cast = {(f.subject_label, dict(f.qualifiers).get("character")) for f in _facts(card, "in", "actedIn")}
    assert cast == {("Mikey Madison", "Ani"), ("Mark Eydelshteyn", "Ivan"), ("Yura Borisov", "Igor")}
    (advised,) = _facts(card, "in", "advised")
    assert advised.subject_label == "Andrea Werhun"
    assert ("role", "consultant on strip club realism") in advised.qualifiers
    scenes = {f.subject_label for f in _facts(card, "in", "sceneOf")}
    assert {"Drip dance scene", "Final car scene", "Home invasion sequence", "Ten-second pole trick scene"} <= scenes
    assert {f.object_label for f in _facts(card, "out", "distributedBy")} == {"Neon"}


def test_card_does_not_show_statement_nodes_as_facts(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Anora")
    for fact in card.facts:
        assert not fact.subject.startswith(RES + "statement/"), fact
        assert not fact.predicate.startswith("http://www.w3.org/1999/02/22-rdf-syntax-ns#"), fact


def test_card_of_ani_has_qualifier_facts(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Ani")
    assert card.types == ["Character"]
    played = _facts(card, "qualifier", "actedIn")
    assert len(played) == 2  # two sourced statements of the same fact
    for fact in played:
        assert fact.subject == RES + "mikey_madison" and fact.subject_label == "Mikey Madison"
        assert fact.object == RES + "anora" and fact.object_label == "Anora"
        assert ("character", "Ani") in fact.qualifiers
        assert fact.sources == (ARTICLE,)
        assert len(fact.quotes) == 1
    assert "  ~ Mikey Madison acted in Anora" in str(card).splitlines()
    # Ani's own facts are there too
    assert {f.object_label for f in _facts(card, "out", "wore")} == {"Pleasers"}


def test_card_of_a_for_work_qualifier(anora_graph: KnowledgeGraph) -> None:
    card = show(anora_graph, "Anora")
    (award,) = _facts(card, "qualifier", "wonAward")
    assert award.subject_label == "Mikey Madison"
    assert award.object_label == "Academy Award for Best Actress"
    assert ("for-work", "Anora") in award.qualifiers


def test_card_of_a_fact_without_statement(tiny_kg: KnowledgeGraph) -> None:
    card = show(tiny_kg, "Neon")
    assert card.types == ["Organization"]
    (fact,) = card.facts
    assert (fact.direction, fact.subject_label, fact.predicate_label) == ("in", "Anora", "distributed by")
    assert fact.qualifiers == () and fact.sources == () and fact.quotes == ()


def test_card_literal_fact(tiny_kg: KnowledgeGraph) -> None:
    card = show(tiny_kg, "Anora")
    (released,) = _facts(card, "out", "releaseDate")
    assert released.object_label == "2024-10-18"


def test_card_via_knowledge_graph_and_by_iri(mixed_kg: KnowledgeGraph) -> None:
    card = mixed_kg.show("<http://example.org/person/42>")
    assert card.label == "Chloé Zhao"
    (directed,) = card.facts
    assert (directed.direction, directed.object) == ("out", RES + "nomadland")
    assert mixed_kg.show("chloé zhao").iri == card.iri


def test_show_unknown_entity(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="did you mean"):
        show(tiny_kg, "Mikey Madisen")
