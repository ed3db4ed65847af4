"""Conflicts (kg.conflicts): each kind of conflict and non-conflict, ranks resolving a group, the command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cli_helpers import cli, fails
from kg import IngestError, KnowledgeGraph
from kg.conflicts import COLUMNS, TOLERANCE
from kg.errors import NotFoundError, UsageError
from kg.query import named_queries
from kg.sparql import portable, scrub

HEADER = ["subject", "predicate", "object", "skill", "duration", "role", "character", "rank", "rank-reason", "source"]


def graph_of(tmp_path: Path, rows: list[dict[str, str]]) -> KnowledgeGraph:
    """An in-memory graph of the rows (missing columns empty; each row its own source unless given)."""
    path = tmp_path / "claims.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, HEADER)
        writer.writeheader()
        for number, row in enumerate(rows):
            writer.writerow({"source": f"Source {number}", **row})
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    return graph


def training(duration: str, *, skill: str = "pole dancing", **extra: str) -> dict[str, str]:
    return {"subject": "Mikey Madison", "predicate": "trained-for", "object": "Anora", "skill": skill,
            "duration": duration, **extra}  # fmt: skip


def released(date: str, **extra: str) -> dict[str, str]:
    return {"subject": "Anora", "predicate": "release-date", "object": date, **extra}


def groups(graph: KnowledgeGraph, **options: float) -> list[list[str]]:
    """The values of each group, sorted."""
    frame = graph.conflicts(**options)
    return [sorted(frame[frame["group"] == g]["value"]) for g in sorted(frame["group"].unique())]


# ------------------------------------------------------------------ the shipped data


def test_the_three_training_durations_of_the_shipped_data_form_one_group(anora_mem: KnowledgeGraph) -> None:
    frame = anora_mem.conflicts()
    assert list(frame.columns) == list(COLUMNS)
    assert sorted(frame["value"]) == ["P20W", "P5M", "P6M"]
    assert set(frame["group"]) == {1}
    assert set(frame["identifying"]) == {"skill: pole dancing"}
    assert set(frame["spread"]) == {"140 to 184 days"}
    assert not frame["resolved"].any()
    assert sorted(zip(frame["value"], frame["lower"], frame["upper"])) == [
        ("P20W", "P140D", "P140D"), ("P5M", "P150D", "P153D"), ("P6M", "P181D", "P184D")
    ]
    assert all(frame["quote"].str.len() > 20) and all(frame["source"].str.startswith("The Mikey Madison Dance Scene"))
    assert len(anora_mem.conflicts("Mikey Madison")) == 3
    assert len(anora_mem.conflicts("Anora")) == 3  # as object
    assert anora_mem.conflicts("Sean Baker").empty


# ------------------------------------------------------------------ conflicts and non-conflicts


def test_durations_within_tolerance_agree(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months"), training("20 weeks")])
    assert groups(graph) == []  # 140 days and 150 to 153 days: within 10%
    assert groups(graph, tolerance=0) == [["P20W", "P5M"]]


def test_durations_beyond_tolerance_conflict(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("20 weeks"), training("half a year")])
    assert groups(graph) == [["P20W", "P6M"]]
    assert groups(graph, tolerance=0.2) == []


def test_the_same_duration_in_other_words_is_no_conflict(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("5 months"), training("five months"), training("P5M")])
    assert groups(graph, tolerance=0) == []


def test_a_rough_duration_agrees_with_a_value_inside_its_bounds(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("about six weeks"), training("P40D"), training("at least 10 days")])
    assert groups(graph, tolerance=0) == []
    graph = graph_of(tmp_path, [training("two to three months"), training("half a year")])
    assert groups(graph, tolerance=0) == [["half a year", "two to three months"]] or groups(graph, tolerance=0) == [
        ["P6M", "two to three months"]
    ]


def test_different_identifying_qualifiers_are_different_claims(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("two weeks", skill="boxing"), training("half a year")])
    assert groups(graph, tolerance=0) == []


def test_compatible_date_precisions_agree(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [released("2025"), released("2025-03"), released("2025-03-02"), released("early 2025")])
    assert groups(graph) == []


def test_incompatible_dates_conflict_whatever_the_tolerance(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [released("2024"), released("2025-03-02")])
    assert groups(graph, tolerance=0.5) == [["2024", "2025-03-02"]]
    frame = graph.conflicts()
    assert set(frame["property"]) == {"release-date"} and set(frame["spread"]) == {"2024-01-01 to 2025-03-02"}


def test_a_circa_date_agrees_with_a_year_near_it(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [released("circa 1931"), released("1932")])
    assert groups(graph) == []
    graph = graph_of(tmp_path, [released("circa 1931"), released("1940")])
    assert groups(graph) == [["1940", "circa 1931"]]


def test_a_single_valued_relation_to_entities_conflicts(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [{"subject": "Drip scene", "predicate": "scene-of", "object": "Anora"},
                                {"subject": "Drip scene", "predicate": "scene-of", "object": "Tangerine"}])  # fmt: skip
    frame = graph.conflicts()
    assert sorted(frame["value"]) == ["Anora", "Tangerine"] and set(frame["spread"]) == {"2 values"}


def test_a_single_valued_text_qualifier_conflicts_ignoring_case_and_spacing(tmp_path: Path) -> None:
    advised = {"subject": "Andrea Werhun", "predicate": "advised", "object": "Anora"}
    graph = graph_of(tmp_path, [{**advised, "role": "consultant"}, {**advised, "role": " Consultant "}])
    assert groups(graph) == []
    graph = graph_of(tmp_path, [{**advised, "role": "consultant"}, {**advised, "role": "choreographer"}])
    assert groups(graph) == [["choreographer", "consultant"]]


def test_multi_valued_relations_and_qualifiers_are_never_flagged(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Anora", "character": "Ani"},
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Anora", "character": "Anora"},
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Scream"},
        {"subject": "Sean Baker", "predicate": "directed", "object": "Anora"},
        {"subject": "Sean Baker", "predicate": "directed", "object": "Tangerine"},
    ])  # fmt: skip
    assert graph.conflicts().empty
    assert graph.conflicts(tolerance=0).empty


def test_statements_without_a_source_still_conflict(tmp_path: Path) -> None:
    path = tmp_path / "bare.csv"
    path.write_text("subject,predicate,object\nAnora,runtime,139 minutes\nAnora,runtime,90 minutes\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    frame = graph.conflicts()
    assert sorted(frame["value"]) == ["PT1H30M", "PT2H19M"] and set(frame["source"]) == {""}
    assert set(frame["spread"]) == {"PT1H30M to PT2H19M"}


# ------------------------------------------------------------------ ranks


def test_one_preferred_claim_resolves_the_group(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months", rank="preferred", **{"rank-reason": "said first"}),
                                training("half a year"), training("20 weeks")])  # fmt: skip
    frame = graph.conflicts()
    assert len(frame) == 3 and frame["resolved"].all()
    preferred = frame[frame["rank"] == "preferred"]
    assert list(preferred["value"]) == ["P5M"] and list(preferred["rank_reason"]) == ["said first"]
    assert sorted(frame["rank"]) == ["normal", "normal", "preferred"]


def test_deprecating_the_others_resolves_the_group(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months"), training("half a year", rank="deprecated"),
                                training("20 weeks", rank="deprecated")])  # fmt: skip
    assert graph.conflicts()["resolved"].all()


def test_ranks_that_leave_disagreeing_claims_do_not_resolve(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months"), training("half a year"), training("20 weeks", rank="deprecated")])
    assert graph.conflicts()["resolved"].all()  # the normal ones, five months and half a year, agree within 10%
    graph = graph_of(tmp_path, [training("five months", rank="deprecated"), training("half a year"), training("20 weeks")])
    assert not graph.conflicts()["resolved"].any()
    graph = graph_of(tmp_path, [training("20 weeks", rank="preferred"), training("half a year", rank="preferred")])
    assert not graph.conflicts()["resolved"].any()


def test_an_unknown_rank_is_rejected_with_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match='"best" is not a rank: write preferred or normal or deprecated'):
        graph_of(tmp_path, [training("five months", rank="best")])


def test_cards_show_ranks_and_reasons(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months", rank="deprecated", **{"rank-reason": "restated"})])
    text = str(graph.show("Mikey Madison"))
    assert "rank: deprecated" in text and "rank-reason: restated" in text


def test_the_best_ranked_named_query_leaves_out_outranked_statements(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months", rank="preferred"), training("half a year"),
                                training("20 weeks", rank="deprecated"),
                                {"subject": "Sean Baker", "predicate": "directed", "object": "Anora", "rank": "deprecated"}])  # fmt: skip
    rows = graph.query(name="best-ranked").records()
    found = sorted((r["subject"], r["relation"], r["rank"], r["source"]) for r in rows)
    assert found == [
        ("Mikey Madison", "trained for", "preferred", "Source 0"),  # not half a year (normal), not 20 weeks
        ("Sean Baker", "directed", "deprecated", "Source 3"),  # the only statement: still the best there is
    ]
    bound = graph.query(name="best-ranked", bind={"entity": "Sean Baker"}).records()
    assert [r["source"] for r in bound] == ["Source 3"]
    # what a server is sent (SPARQL 1.1, the subquery joined first instead of LATERAL) answers the same
    text = portable(named_queries()["best-ranked"].sparql)
    assert "LATERAL" not in scrub(text).upper()
    assert sorted((r["subject"], r["relation"], r["rank"], r["source"]) for r in graph.query(text).records()) == found


# ------------------------------------------------------------------ errors and the command


def test_a_negative_tolerance_and_an_unknown_entity_are_errors(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [training("five months")])
    with pytest.raises(UsageError, match="`tolerance`"):
        graph.conflicts(tolerance=-0.1)
    with pytest.raises(NotFoundError):
        graph.conflicts("Nobody at all")


def test_the_default_tolerance_is_documented() -> None:
    assert TOLERANCE == 0.1
    assert "10%" in (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_cli_conflicts_prints_the_group_in_each_format(anora_folder_store: Path) -> None:
    run = cli(anora_folder_store, "conflicts")
    assert "P20W" in run.stdout and "140 to 184 days" in run.stdout
    assert "1 group of conflicting claims (3 claims), 0 resolved by rank" in run.stderr
    rows = list(csv.DictReader(io.StringIO(cli(anora_folder_store, "conflicts", "Mikey Madison", "--format", "csv").stdout)))
    assert sorted(r["value"] for r in rows) == ["P20W", "P5M", "P6M"] and list(rows[0]) == list(COLUMNS)
    records = json.loads(cli(anora_folder_store, "conflicts", "--format", "json", "--tolerance", "0.5").stdout)
    assert records == []


def test_cli_conflicts_errors_are_clean(anora_folder_store: Path) -> None:
    fails(["--store", str(anora_folder_store), "conflicts", "Nobody at all"], 5)
    run = fails(["--store", str(anora_folder_store), "conflicts", "--tolerance", "-1"], 2)
    assert "--tolerance" in run.stderr
    fails(["--store", str(anora_folder_store), "conflicts", "--format", "xml"], 2)


# ------------------------------------------------------------------ path --preferred


def _hops(result: object) -> list[list[str]]:
    return [[f"{h.subject} {h.relation} {h.object}" for h in hops] for hops in result.paths]  # type: ignore[attr-defined]


def test_path_preferred_skips_relations_only_deprecated_statements_assert(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, [
        {"subject": "Sean Baker", "predicate": "directed", "object": "Anora", "rank": "deprecated"},
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Anora"},
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Anora", "rank": "deprecated"},
        {"subject": "Sean Baker", "predicate": "wrote", "object": "Tangerine"},
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Tangerine"},
    ])  # fmt: skip
    every = _hops(graph.path("Sean Baker", "Mikey Madison", max_paths=5))
    assert ["Sean Baker directed Anora", "Mikey Madison acted in Anora"] in every
    preferred = graph.path("Sean Baker", "Mikey Madison", max_paths=5, preferred=True)
    assert _hops(preferred) == [["Sean Baker wrote Tangerine", "Mikey Madison acted in Tangerine"]]
    alone = graph.path("Mikey Madison", "Anora", preferred=True).paths[0][0]
    assert [dict(s.qualifier_pairs()).get("rank") for s in alone.statements] == [None]  # the deprecated one left out
    assert len(graph.path("Mikey Madison", "Anora").paths[0][0].statements) == 2


def test_cli_path_preferred(tmp_path: Path) -> None:
    graph_of(tmp_path, [{"subject": "Sean Baker", "predicate": "directed", "object": "Anora", "rank": "deprecated"}])
    store = tmp_path / "store"
    cli(store, "ingest", tmp_path / "claims.csv")
    assert "—directed→" in cli(store, "path", "Sean Baker", "Anora").stdout
    run = cli(store, "path", "Sean Baker", "Anora", "--preferred")
    assert "—directed→" not in run.stdout and run.stdout.startswith("no connection between Sean Baker and Anora")


# ------------------------------------------------------------------ cards group conflicting values


def test_a_card_groups_the_values_of_its_conflicting_claims(anora_mem: KnowledgeGraph) -> None:
    card = anora_mem.show("Mikey Madison")
    [group] = card.disagreements
    assert (group.subject, group.relation, group.object, group.identifying, group.property) == (
        "Mikey Madison", "trained-for", "Anora", "skill: pole dancing", "duration")
    assert [v.split(" ")[0] for v in group.values] == ["P20W", "P5M", "P6M"]
    assert group.spread == "140 to 184 days" and not group.resolved
    assert "  ≠ Mikey Madison trained-for Anora (skill: pole dancing): duration P20W; P5M; P6M" in str(card)
    assert anora_mem.show("Sean Baker").disagreements == []


def test_a_card_says_when_ranks_resolve_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "ranked.csv"
    path.write_text("subject,predicate,object,skill,duration,source,rank\n"
                    "Mikey Madison,trained-for,Anora,pole dancing,20 weeks,A,preferred\n"
                    "Mikey Madison,trained-for,Anora,pole dancing,half a year,B,\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    [group] = graph.show("Anora").disagreements
    assert group.resolved and group.values == ("P20W (preferred) [A]", "P6M [B]")
    assert "resolved by rank" in str(graph.show("Anora"))
