"""Identity: identifiers, one IRI per entity across files, homonyms kept apart, decisions, reconcile.

The order and drop properties are checked with hypothesis on generated files: ingesting a set of
files in any order gives the same quads, and dropping a file gives the quads of ingesting the
others alone.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg import KnowledgeGraph, identity
from kg.errors import IngestError, NotFoundError
from kg.ingest.imdb import ImdbDatasets
from kg.vocab import FILM, ONTOLOGY_GRAPH, RDFS_LABEL, REGISTRY_GRAPH, RES
from cli_helpers import Target, cli, cli_fails, csv_rows

MIKEY_WD, MIKEY_IMDB = "wd:Q24005195", "imdb:nm9999991"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def data_quads(graph: KnowledgeGraph) -> set[str]:
    """Every quad of the files' graphs (not the registry, which holds times and paths, nor the ontology)."""
    store = graph.store.raw  # type: ignore[attr-defined]
    return {
        str(q)
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in (REGISTRY_GRAPH, ONTOLOGY_GRAPH)
    }


def ask(graph: KnowledgeGraph, pattern: str) -> bool:
    result = graph.query(f"ASK {{ {pattern} }}")
    assert result.boolean is not None
    return result.boolean


def count(graph: KnowledgeGraph, select: str) -> int:
    return len(list(graph.query(select).rows))


@pytest.fixture
def three_files(tmp_path: Path) -> list[Path]:
    """The same actress by name (an article), by IMDb id (credits) and by Wikidata id with her IMDb id."""
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object", "source", "quote"],
                                               ["Mikey Madison", "trained-for", "Anora", "Article", "She trained."]])
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Mikey Madison", MIKEY_IMDB, "acted-in", "Anora"]])
    wikidata = write(tmp_path / "wikidata.csv", [["subject", "subject_id", "predicate", "object", "source"],
                                                 ["Mikey Madison", f"{MIKEY_WD} {MIKEY_IMDB}", "won-award",
                                                  "Academy Award for Best Actress", "Wikidata"]])
    return [article, credits, wikidata]


# ------------------------------------------------------------------------------------ one node


def test_by_name_by_imdb_and_by_wikidata_in_three_files_is_one_node(empty_kg: KnowledgeGraph,
                                                                     three_files: list[Path]) -> None:
    report = empty_kg.ingest(three_files)
    node = RES + "wikidata/Q24005195"
    people = empty_kg.query("SELECT DISTINCT ?p WHERE { ?p a film:Person }").rows
    assert [row[0].value for row in people] == [node]
    card = empty_kg.show("Mikey Madison")
    assert card.iri == node
    assert card.identifiers == [MIKEY_IMDB, MIKEY_WD]
    assert {(f.predicate_label, f.sources) for f in card.facts} == {
        ("trained for", ("Article",)), ("acted in", ()), ("won award", ("Wikidata",))
    }
    # the identifiers and names all find it
    for name in (MIKEY_IMDB, MIKEY_WD, "mikey madison", f"<{node}>"):
        assert empty_kg.show(name).iri == node
    # why each file's entity is this one
    reasons = {(link.source, link.reason) for link in card.links}
    assert ("article.csv", "its name and type") in reasons
    assert any(source == "credits.csv" and "shares an identifier" in why for source, why in reasons)
    assert report.linked == 2
    # a plain SPARQL join across sources: no reasoning
    assert ask(empty_kg, f"?p owl:sameAs <http://www.wikidata.org/entity/Q24005195> ; film:trainedFor ?f ;"
                         f" film:imdbPersonId \"{MIKEY_IMDB[5:]}\" ; film:wonAward ?a")
    # the networks count it once
    assert [n.label for n in empty_kg.neighbors(MIKEY_IMDB)].count("Mikey Madison") == 0
    network = empty_kg.to_networkx()
    assert sum(1 for _, attrs in network.nodes(data=True) if attrs["label"] == "Mikey Madison") == 1
    assert not any(attrs.get("relation") in ("same-as",) for _, _, attrs in network.edges(data=True))


def test_the_cli_takes_identifiers_wherever_an_entity_is_named(target: Target, three_files: list[Path],
                                                                tmp_path: Path) -> None:
    cli(target, "ingest", *three_files)
    shown = cli(target, "show", MIKEY_IMDB).stdout
    assert "identifiers: imdb:nm9999991, wd:Q24005195" in shown
    assert "= Mikey Madison in article.csv: its name and type" in shown
    path = cli(target, "path", MIKEY_WD, "Anora", "--json").stdout
    assert json.loads(path)["paths"]
    rows = csv_rows(cli(target, "query", "--name", "training", "--bind", f"person={MIKEY_IMDB}", "--format", "csv").stdout)
    assert len(rows) == 2 and "Anora" in rows[1]
    neighbours = cli(target, "neighbors", MIKEY_WD, "--format", "csv").stdout
    assert "Anora" in neighbours
    page = tmp_path / "v.html"
    cli(target, "viz", "--focus", MIKEY_IMDB, "-o", page)
    assert "Mikey Madison" in page.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ homonyms


def test_homonyms_with_different_identifiers_never_merge(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Chris Johnson", "imdb:nm0000001", "acted-in", "Anora"],
                                               ["Chris Johnson", "imdb:nm0000002", "acted-in", "Tangerine"],
                                               ["Chris Johnson", "imdb:nm0000003", "directed", "Red Rocket"]])
    more = write(tmp_path / "more.csv", [["subject", "subject_id", "predicate", "object"],
                                         ["Chris Johnson", "tmdb:person/77", "acted-in", "The Florida Project"]])
    empty_kg.ingest([credits, more])
    assert count(empty_kg, 'SELECT DISTINCT ?p WHERE { ?p rdfs:label "Chris Johnson" }') == 4
    # a plain name among several candidates stays apart, and the report says who they are and how to choose
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"], ["Chris Johnson", "coached", "Mikey Madison"]])
    report = empty_kg.ingest(article)
    assert report.linked == 0
    [warning] = report.warnings
    assert '"Chris Johnson" matches 4 entities, so it was kept apart' in warning.message
    assert "Chris Johnson (imdb:nm0000001; Person; acted in Anora)" in warning.message and "tmdb:person/77" in warning.message
    assert "subject_id" in warning.message and "same-as" in warning.message
    assert empty_kg.show("Chris Johnson").iri == RES + "chris_johnson"


def test_the_file_singles_out_a_homonym_by_a_film_it_links_the_name_to(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Chris Johnson", "imdb:nm0000001", "acted-in", "Anora"],
                                               ["Chris Johnson", "imdb:nm0000002", "acted-in", "Tangerine"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Chris Johnson", "acted-in", "Tangerine"],
                                               ["Chris Johnson", "coached", "Mikey Madison"]])
    report = empty_kg.ingest([credits, article])
    assert report.warnings == []
    assert ask(empty_kg, "res:imdb\\/nm0000002 film:coached ?x . ?x rdfs:label 'Mikey Madison'")
    assert not ask(empty_kg, "res:imdb\\/nm0000001 film:coached ?x")
    [link] = empty_kg.show("imdb:nm0000002").links
    assert link.reason == "its name and a neighbour its file links it to"


def test_a_year_in_the_name_singles_out_a_film(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    films = write(tmp_path / "films.csv", [["subject", "subject_id", "predicate", "object"],
                                           ["Scream", "wd:Q1000", "release-date", "1996-12-20"],
                                           ["Scream", "wd:Q2000", "release-date", "2022-01-14"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Jenna Ortega", "acted-in", "Scream (2022)"],
                                               ["Neve Campbell", "acted-in", "Scream"]])
    report = empty_kg.ingest([films, article])
    assert ask(empty_kg, "?p rdfs:label 'Jenna Ortega' ; film:actedIn res:wikidata\\/Q2000")
    assert not ask(empty_kg, "?p rdfs:label 'Jenna Ortega' ; film:actedIn res:wikidata\\/Q1000")
    # "Scream" alone is either: kept apart, with a warning
    assert ask(empty_kg, "?p rdfs:label 'Neve Campbell' ; film:actedIn res:scream")
    assert len(report.warnings) == 1 and '"Scream" matches 2 entities' in report.warnings[0].message


@pytest.mark.parametrize("limit", [None, 0], ids=["names-looked-up", "labels-read"])
def test_a_year_alone_singles_out_a_film(empty_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         limit: int | None) -> None:
    """Also past :data:`kg.identity._DATED_NAMES` names with a year, where settling reads every
    label that ends in a year instead of looking the names up."""
    if limit is not None:
        monkeypatch.setattr(identity, "_DATED_NAMES", limit)
    films = write(tmp_path / "films.csv", [["subject", "subject_id", "predicate", "object"],
                                           ["Scream", "wd:Q1000", "release-date", "1996-12-20"],
                                           ["Scream", "wd:Q2000", "release-date", "2022-01-14"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Jenna Ortega", "acted-in", "Scream (2022)"],
                                               ["Someone", "acted-in", "Scream (1990)"]])
    report = empty_kg.ingest([films, article])
    assert report.warnings == [] and report.linked == 1
    assert ask(empty_kg, "?p rdfs:label 'Jenna Ortega' ; film:actedIn res:wikidata\\/Q2000")
    assert ask(empty_kg, "?p rdfs:label 'Someone' ; film:actedIn res:scream_%281990%29")  # no film of that year
    [link] = empty_kg.show("wd:Q2000").links
    assert link.reason == "its name and the year 2022"


def test_an_alias_keeps_its_property_when_its_entity_is_linked_and_unlinked(empty_kg: KnowledgeGraph,
                                                                            tmp_path: Path) -> None:
    """An also-known-as of a name stays an also-known-as (not a label) on the identified entity
    the name is linked to, and on the name again once that link is dropped."""
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Anora", "also-known-as", "Anora (Cannes cut)"]])
    films = write(tmp_path / "films.csv", [["subject", "subject_id", "predicate", "object"],
                                           ["Anora", "imdb:tt28607951", "release-date", "2024-05-21"]])
    empty_kg.ingest(article)
    before = data_quads(empty_kg)
    empty_kg.ingest(films)
    assert ask(empty_kg, "res:imdb\\/tt28607951 film:alsoKnownAs 'Anora (Cannes cut)'")
    assert not ask(empty_kg, "?e rdfs:label 'Anora (Cannes cut)'")
    empty_kg.drop("films.csv")
    assert data_quads(empty_kg) == before
    assert ask(empty_kg, "res:anora film:alsoKnownAs 'Anora (Cannes cut)'")


def test_a_name_of_another_type_is_not_linked(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    films = write(tmp_path / "films.csv", [["subject", "predicate", "object", "object_id", "object_type"],
                                           ["Sean Baker", "directed", "Anora", "wd:Q115574186", "Film"]])
    characters = write(tmp_path / "characters.csv", [["subject", "predicate", "object", "character"],
                                                     ["Mikey Madison", "acted-in", "Tangerine", "Anora"]])
    empty_kg.ingest([films, characters])
    assert ask(empty_kg, "?st film:character res:anora")
    assert ask(empty_kg, "res:anora a film:Character")
    assert not ask(empty_kg, "res:wikidata\\/Q115574186 a film:Character")


# ------------------------------------------------------------------------------------ decisions


def test_same_as_links_a_name_and_dropping_its_file_takes_it_back(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Mikey Madison", MIKEY_WD, "acted-in", "Anora"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"], ["M. Madison", "trained-for", "Anora"]])
    empty_kg.ingest([credits, article])
    before = data_quads(empty_kg)
    assert empty_kg.show("M. Madison").iri == RES + "m._madison"
    decision = write(tmp_path / "decisions.csv", [["subject", "predicate", "object", "object_id", "note"],
                                                  ["M. Madison", "same-as", "Mikey Madison", MIKEY_WD, "same person"]])
    empty_kg.ingest(decision)
    card = empty_kg.show("M. Madison")
    assert card.iri == RES + "wikidata/Q24005195"
    assert {f.predicate_label for f in card.facts} >= {"acted in", "trained for"}
    assert any(link.source == "article.csv" and "same-as" in link.reason for link in card.links)
    empty_kg.drop("decisions.csv")
    assert data_quads(empty_kg) == before


def test_different_from_rules_a_candidate_out(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Chris Johnson", "imdb:nm0000001", "acted-in", "Anora"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Chris Johnson", "coached", "Mikey Madison"]])
    empty_kg.ingest([credits, article])
    assert empty_kg.show("Chris Johnson").iri == RES + "imdb/nm0000001"
    decision = write(tmp_path / "decision.csv", [["subject", "predicate", "object", "object_id"],
                                                 ["Chris Johnson", "different-from", "Chris Johnson", "imdb:nm0000001"]])
    empty_kg.ingest(decision)
    assert ask(empty_kg, "res:chris_johnson film:coached ?x")
    assert not ask(empty_kg, "res:imdb\\/nm0000001 film:coached ?x")


# ------------------------------------------------------------------------------------ bad identifiers


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["imdb:xx12", "", "acted-in", "Anora"], 1, '"imdb:xx12" is not an IMDb ID'),
        (["Mikey Madison", "wd:Qabc", "acted-in", "Anora"], 2, '"wd:Qabc" is not a Wikidata item'),
        (["Mikey Madison", "nm0000123", "acted-in", "Anora"], 2, '"nm0000123" is not an identifier'),
        (["Mikey Madison", "", "acted-in", "tmdb:film/550"], 4, '"tmdb:film/550" is not a tmdb id'),
        (["imdb:tt0111161", "", "acted-in", "Anora"], 1, "imdb:tt0111161 names a Film, but the row needs a Person"),
        (["Mikey Madison", "imdb:nm0000001 imdb:tt0000002", "acted-in", "Anora"], 1, "names a Film and Person"),
    ],
)
def test_bad_identifiers_are_errors_naming_file_line_and_column(empty_kg: KnowledgeGraph, tmp_path: Path,
                                                                 row: list[str], column: int, message: str) -> None:
    path = write(tmp_path / "bad.csv", [["subject", "subject_id", "predicate", "object"], row])
    with pytest.raises(IngestError) as caught:
        empty_kg.ingest(path)
    [problem] = caught.value.problems
    assert (Path(problem.path).name, problem.line, problem.column) == ("bad.csv", 2, column)
    assert message in problem.message
    assert empty_kg.sources() == []


def test_a_bad_identifier_on_the_command_line_is_a_clean_error(target: Target, three_files: list[Path]) -> None:
    cli(target, "ingest", *three_files)
    run = cli_fails(target, "show", "imdb:xx12", code=5)
    assert "is not an IMDb ID: write imdb:nm" in run.stderr
    run = cli_fails(target, "show", "wd:Q1", code=5)
    assert 'no entity "wd:Q1"' in run.stderr


# ------------------------------------------------------------------------------------ reconcile


def test_reconcile_lists_candidates_with_scores_evidence_and_decisions(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Chris Johnson", "imdb:nm0000001", "acted-in", "Anora"],
                                               ["Chris Johnson", "imdb:nm0000002", "acted-in", "Tangerine"],
                                               ["Mikey Madison", MIKEY_WD, "acted-in", "Anora"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"],
                                               ["Chris Johnson", "coached", "Mikey Madison"],
                                               ["Mikey Madisson", "trained-for", "Anora"],
                                               ["Sean Baker", "directed", "Anora"]])
    empty_kg.ingest([credits, article])
    table = empty_kg.reconcile()
    chris = table[table["name"] == "Chris Johnson"]
    assert sorted(chris["candidate_id"]) == ["imdb:nm0000001", "imdb:nm0000002"]
    assert set(chris["score"]) == {1.0}
    assert set(chris["decision"]) == {"kept apart: 2 candidates match"}
    typo = table[table["name"] == "Mikey Madisson"].iloc[0]
    assert typo["candidate_id"] == MIKEY_WD and 0.9 < typo["score"] < 1.0
    assert "similar name" in typo["evidence"] and "same type" in typo["evidence"]
    linked = table[table["name"] == "Mikey Madison"].iloc[0]
    assert linked["decision"] == "linked: its name and type" and "the rule's choice" in linked["evidence"]
    assert "Sean Baker" not in set(table["name"])  # no candidate: listed with unmatched=True only
    assert "Sean Baker" in set(empty_kg.reconcile(unmatched=True)["name"])
    # proposals: the typo's one candidate, not the tie, not what the rule linked already
    proposed = tmp_path / "proposed.csv"
    empty_kg.write_proposals(table, proposed, threshold=0.9)
    rows = list(csv.DictReader(proposed.open(encoding="utf-8")))
    assert [(r["subject"], r["predicate"], r["object_id"]) for r in rows] == [("Mikey Madisson", "same-as", MIKEY_WD)]
    # ingesting the reviewed file links the name
    empty_kg.ingest(proposed)
    assert empty_kg.show("Mikey Madisson").iri == RES + "wikidata/Q24005195"


def test_reconcile_scores_a_year_the_name_gives(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    films = write(tmp_path / "films.csv", [["subject", "subject_id", "predicate", "object"],
                                           ["Scream", "wd:Q1000", "release-date", "1996-12-20"],
                                           ["Scream", "wd:Q2000", "release-date", "2022-01-14"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"], ["Jenna Ortega", "acted-in", "Scream (2022)"]])
    empty_kg.ingest([films, article])
    table = empty_kg.reconcile("Scream (2022)")
    assert list(table["candidate_id"]) == ["wd:Q2000", "wd:Q1000"]
    best, other = table.iloc[0], table.iloc[1]
    assert best["score"] == pytest.approx(other["score"] + 0.2) and "year 2022" in best["evidence"]
    assert best["decision"] == "linked: its name and the year 2022" and "the rule's choice" in best["evidence"]


def test_reconcile_on_the_command_line(target: Target, tmp_path: Path) -> None:
    credits = write(tmp_path / "credits.csv", [["subject", "subject_id", "predicate", "object"],
                                               ["Mikey Madison", MIKEY_WD, "acted-in", "Anora"]])
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"], ["Mikey Madisson", "trained-for", "Anora"]])
    cli(target, "ingest", credits, article)
    proposed = tmp_path / "p.csv"
    run = cli(target, "reconcile", "--format", "csv", "--write", proposed)
    rows = csv_rows(run.stdout)
    assert rows[0][:3] == ["name", "name_iri", "sources"] and rows[1][0] == "Mikey Madisson"
    assert "wrote 1 same-as row" in run.stderr
    assert "Mikey Madisson,same-as,Mikey Madison,wd:Q24005195" in proposed.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ order and drop

PEOPLE = [("Mikey Madison", "wd:Q24005195"), ("Mikey Madison", ""), ("Mikey Madison", MIKEY_IMDB),
          ("Chris Johnson", "imdb:nm0000001"), ("Chris Johnson", "imdb:nm0000002"), ("Chris Johnson", ""),
          ("Sean Baker", "tmdb:person/5"), ("Sean Baker", "wd:Q7 tmdb:person/5"), ("Sean Baker", "")]
FILMS = [("Anora", "imdb:tt0000009"), ("Anora", ""), ("Scream", "wd:Q100"), ("Scream", "wd:Q200"),
         ("Scream (2022)", ""), ("Tangerine", "")]
row_strategy = st.tuples(
    st.sampled_from(PEOPLE), st.sampled_from(["acted-in", "directed", "trained-for", "same-as", "different-from"]),
    st.sampled_from(FILMS + PEOPLE), st.sampled_from(["", "Article"]), st.sampled_from(["", "Anora", "Tangerine"]),
)
files_strategy = st.lists(st.lists(row_strategy, min_size=1, max_size=5), min_size=2, max_size=4)


def _write_files(folder: Path, files: list[list[tuple]]) -> list[Path]:  # type: ignore[type-arg]
    paths = []
    for index, rows in enumerate(files):
        table = [["subject", "subject_id", "predicate", "object", "object_id", "source", "for-work"]]
        for (subject, subject_id), predicate, (obj, object_id), source, work in rows:
            if predicate in ("same-as", "different-from"):
                work = ""  # a decision about identity has no film
            elif (obj, object_id) in PEOPLE:
                predicate = "coached"
            table.append([subject, subject_id, predicate, obj, object_id, source, work])
        paths.append(write(folder / f"f{index}.csv", table))
    return paths


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=files_strategy, order_seed=st.randoms(use_true_random=False), victim=st.integers(min_value=0))
def test_any_order_gives_the_same_quads_and_a_drop_undoes_exactly_its_file(tmp_path_factory: pytest.TempPathFactory,
                                                                           files: list[list[tuple]],  # type: ignore[type-arg]
                                                                           order_seed: object, victim: int) -> None:
    folder = tmp_path_factory.mktemp("order")
    paths = _write_files(folder, files)
    together = KnowledgeGraph.memory()
    together.ingest(paths)
    expected = data_quads(together)
    shuffled = list(paths)
    order_seed.shuffle(shuffled)  # type: ignore[attr-defined]
    one_by_one = KnowledgeGraph.memory()
    for path in shuffled:
        one_by_one.ingest(path)
    assert data_quads(one_by_one) == expected
    dropped = paths[victim % len(paths)]
    one_by_one.drop(dropped.name)
    without = KnowledgeGraph.memory()
    without.ingest([p for p in paths if p != dropped])
    assert data_quads(one_by_one) == data_quads(without)


ALIASES = [("Scream", "also-known-as", "Anora"), ("Tangerine", "also-known-as", "Scream"),
           ("Sean Baker", "also-known-as", "Chris Johnson"), ("Tangerine", "also-known-as", "Anora (2024)")]
DATES = [(("Scream", "wd:Q200"), "release-date", ("2022-01-14", ""), "", ""),
         (("Scream", ""), "release-date", ("1996-12-20", ""), "Article", ""),
         (("Anora", "imdb:tt0000009"), "release-date", ("2024-05-21", ""), "", ""),
         (("Scream (1996)", ""), "release-date", ("1996-12-20", ""), "", ""),
         (("Anora (2024)", ""), "acted-in", ("Tangerine", ""), "", "")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(st.one_of(row_strategy, st.sampled_from(ALIASES), st.sampled_from(DATES)),
                                    min_size=1, max_size=5),
                      min_size=1, max_size=4),
       victim=st.integers(min_value=0))
@example(files=[[(("Chris Johnson", "imdb:nm0000001"), "acted-in", ("Scream", "wd:Q100"), "", "")],
                [("Tangerine", "also-known-as", "Scream")]], victim=0)
def test_the_entities_settle_reads_decide_as_all_of_them_would(tmp_path_factory: pytest.TempPathFactory,
                                                                 files: list[list[tuple]],  # type: ignore[type-arg]
                                                                 victim: int) -> None:
    """Settling reads only the local entities that may change or decide (records, identified ones,
    those a decision names, names an identified entity carries, with a year or as an alias): after
    each ingest and a drop, the rule over every local entity of every graph changes nothing."""
    folder = tmp_path_factory.mktemp("scoped")
    graph = KnowledgeGraph.memory()
    paths = []
    for index, rows in enumerate(files):
        path = _write_files(folder, [[r for r in rows if len(r) == 5]])[0].rename(folder / f"s{index}.csv")
        aliases = [f"{s},,{p},{o},,," for s, p, o in (r for r in rows if len(r) == 3)]
        path.write_text("\n".join([*path.read_text(encoding="utf-8").splitlines(), *aliases]) + "\n", encoding="utf-8")
        paths.append(path)
        graph.ingest(path)
        before = data_quads(graph)
        whole = identity._settle_all(graph, _settled_graphs(graph), whole=True)
        assert whole.rewritten == [] and data_quads(graph) == before
    graph.drop(paths[victim % len(paths)].name)
    before = data_quads(graph)
    assert identity._settle_all(graph, _settled_graphs(graph), whole=True).rewritten == []
    assert data_quads(graph) == before


def test_ingest_then_drop_gives_back_the_store_as_before(empty_kg: KnowledgeGraph, three_files: list[Path]) -> None:
    empty_kg.ingest(three_files[:2])
    before = data_quads(empty_kg)
    empty_kg.ingest(three_files[2])
    assert data_quads(empty_kg) != before  # the Wikidata file moved the others' entities to its IRI
    empty_kg.drop(three_files[2].name)
    assert data_quads(empty_kg) == before


def test_reconcile_on_an_empty_store_and_an_unknown_name(empty_kg: KnowledgeGraph, three_files: list[Path]) -> None:
    assert empty_kg.reconcile().empty and list(empty_kg.reconcile().columns)[0] == "name"
    empty_kg.ingest(three_files)
    assert empty_kg.reconcile("Nobody At All", unmatched=True).empty


def test_resolve_by_an_identifier_no_entity_has_is_not_found(empty_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match='no entity "imdb:nm0000123"'):
        empty_kg.show("imdb:nm0000123")


# ------------------------------------------------------------------------------------ nothing to settle

IMDB_SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real" / "imdb-pimdb-testdata"
ENTITIES = [("imdb:nm0000001", ""), ("Ann Lee", "imdb:nm0000001"), ("Ann Lee", ""), ("Ann Lee", "imdb:nm0000002"),
            ("Ann Lee", "wd:Q5 imdb:nm0000002"), ("Bob Roe", "wd:Q6"), ("Bob Roe", "imdb:nm0000003 tmdb:person/9"),
            ("tmdb:person/9", "")]
WORKS = [("imdb:tt0000001", ""), ("Anora", "imdb:tt0000001"), ("Anora", ""), ("Anora", "imdb:tt0000002"),
         ("tmdb:movie/7", ""), ("Ann Lee", "")]
credit_strategy = st.tuples(st.sampled_from(ENTITIES), st.sampled_from(["acted-in", "directed"]),
                            st.sampled_from(WORKS), st.sampled_from(["", "Ann Lee", "Anora", "Ani"]),
                            st.sampled_from(["", "IMDb"]))  # fmt: skip


def _settled_graphs(graph: KnowledgeGraph) -> dict[str, str]:
    return {info.graph: info.name for info in graph.sources() if info.settled}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(credit_strategy, min_size=1, max_size=4), min_size=1, max_size=4))
@example(files=[[(ENTITIES[0], "acted-in", WORKS[0], "Ann Lee", "IMDb")], [(ENTITIES[1], "directed", WORKS[1], "", "")]])
@example(files=[[(ENTITIES[7], "acted-in", WORKS[0], "Ani", "")], [(ENTITIES[6], "acted-in", WORKS[4], "", "IMDb")]])
def test_a_store_left_unsettled_is_one_the_full_rule_would_leave_as_it_is(tmp_path_factory: pytest.TempPathFactory,
                                                                          files: list[list[tuple]]) -> None:  # type: ignore[type-arg]
    """After every ingest, running the whole rule changes nothing: had ingest skipped a settle the
    rule needed, its graphs would be rewritten now; and where the check finds nothing to settle,
    the rule links nothing and warns of nothing."""
    folder = tmp_path_factory.mktemp("credits")
    graph = KnowledgeGraph.memory()
    for index, rows in enumerate(files):
        table = [["subject", "subject_id", "predicate", "object", "object_id", "character", "source"]]
        table += [[s, s_id, p, o, o_id, character, source] for (s, s_id), p, (o, o_id), character, source in rows]
        graph.ingest(write(folder / f"credits{index}.csv", table))
        graphs = _settled_graphs(graph)
        before = data_quads(graph)
        full = identity._settle_all(graph, graphs, whole=True)
        assert full.rewritten == [] and data_quads(graph) == before
        if not identity._anything_to_settle(graph, graphs):
            assert full.linked == 0 and full.warnings == []


def test_an_imdb_import_is_settled_without_reading_its_entities_and_a_name_then_links(tmp_path: Path) -> None:
    folder = tmp_path / "imdb"
    folder.mkdir()
    for name in ("title.basics", "title.principals", "name.basics", "title.crew", "title.akas"):
        shutil.copy(IMDB_SAMPLE / f"{name}.tsv", folder / f"{name}.tsv")
    graph = KnowledgeGraph.memory()
    graph.ingest([folder], importer=ImdbDatasets())
    graphs = _settled_graphs(graph)
    assert len(graphs) == 5 and not identity._anything_to_settle(graph, graphs)
    characters = count(graph, f"SELECT DISTINCT ?c WHERE {{ ?c a <{FILM}Character> ; <{RDFS_LABEL}> ?l }}")
    assert characters > 0  # names without identifiers, of a class no identified entity has
    before = data_quads(graph)
    full = identity._settle_all(graph, graphs, whole=True)
    assert (full.rewritten, full.linked, full.warnings) == ([], 0, []) and data_quads(graph) == before
    people = [line.split("\t")[:2] for line in (IMDB_SAMPLE / "name.basics.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    once = {name for name in {n for _, n in people} if [n for _, n in people].count(name) == 1}
    person, name = next((p, n) for p, n in people if n in once and ask(graph, f"<{RES}imdb/{p}> <{RDFS_LABEL}> ?l"))
    article = write(tmp_path / "article.csv", [["subject", "predicate", "object"], [name, "trained-for", "Anora"]])
    graph.ingest(article)
    assert identity._anything_to_settle(graph, _settled_graphs(graph))
    assert ask(graph, f"<{RES}imdb/{person}> <{FILM}trainedFor> ?film")
