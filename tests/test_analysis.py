"""Network analysis (:mod:`kg.analysis`) and the ``path``, ``neighbors`` and ``analyze`` commands.

Everything runs on real stores, in memory and on disk, built from the shipped Anora data, from
``tests/data/tiny.csv`` and from a small fixture written into ``tmp_path`` (``COLLAB_CSV``) whose
projections, centralities and components are worked out by hand below. Centrality values are also
checked against networkx run independently on the projection, and ``stats`` against SPARQL counts.

CLI calls go through Typer's CliRunner with ``--store DIR`` before the command; exit code, stdout
and stderr are checked separately; happy paths run with ``catch_exceptions=False`` and error paths
check that the failure was a clean exit with no traceback.
"""

from __future__ import annotations

from dataclasses import asdict

import csv
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pandas
import pytest

from kg import KnowledgeGraph
from kg.analysis import (
    Hop,
    PathResult,
    centrality,
    collaboration_graph,
    communities,
    components,
    entity_graph,
    neighbors,
    path,
    person_film_graph,
    statements_of,
    stats,
    to_networkx,
)
from cli_helpers import Run, flat, flats, invoke, plain
from kg.errors import KGError, NotFoundError, UsageError
from kg.ontology import load_ontology, ontology_dir
from kg.store import memory_store
from kg.viz import subgraph
from kg.vocab import FILM, RES
from kg.vocab import GRAPH_PREFIX, REGISTRY_GRAPH

ROOT = Path(__file__).resolve().parent.parent
ANORA = ROOT / "data" / "anora" / "anora.csv"
ARTICLE = "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"

# Two films by Sean Baker (with producer Samantha Quan), a scene of Anora choreographed by Mikey
# Madison and her instructor, a song performer linked only through the scene's song, a person
# who is also typed Character, a fact without a source, a literal fact, a fact stated twice by
# two sources, two relations between the same pair, and two small separate productions.
COLLAB_CSV = """\
subject,predicate,object,subject_type,object_type,character,role,skill,trainer,source,quote
Sean Baker,directed,Anora,,Film,,,,,Press kit,Sean Baker directed Anora.
Sean Baker,directed,Red Rocket,,Film,,,,,Press kit,Sean Baker directed Red Rocket.
Samantha Quan,produced,Anora,,,,,,,Press kit,Samantha Quan produced Anora.
Samantha Quan,produced,Red Rocket,,,,,,,Press kit,Samantha Quan produced Red Rocket.
Mikey Madison,acted-in,Anora,,,Ani,,,,Press kit,Mikey Madison plays Ani.
Mikey Madison,acted-in,Anora,,,Ani,,,,Interview,I played Ani.
Mikey Madison,trained-for,Anora,,Film,,,pole dancing,Pole Instructor,Interview,She trained for months.
Simon Rex,acted-in,Red Rocket,,,Mikey Saber,,,,Press kit,Simon Rex plays Mikey Saber.
Simon Rex,hails-from,San Diego,Character,,,,,,Interview,Simon Rex is from San Diego.
Drip dance scene,scene-of,Anora,,,,,,,Interview,The Drip scene is in Anora.
Drip dance scene,features-song,Drip,,,,,,,Interview,The song is Drip.
Brooke Candy,performed,Drip,,,,,,,Interview,Drip is by Brooke Candy.
Mikey Madison,choreographed,Drip dance scene,,Scene,,,,,Interview,She choreographed it.
Pole Instructor,choreographed,Drip dance scene,,Scene,,,,,Interview,Her instructor choreographed it too.
Pole Instructor,coached,Mikey Madison,,,,pole coach,,,Interview,The instructor coached her.
Anora,distributed-by,Neon,,,,,,,,
Anora,release-date,2024-10-18,,,,,,,Press kit,Anora opened on 18 October 2024.
Lone Director,directed,Lone Film,,Film,,,,,Press kit,Lone Director directed Lone Film.
Ann Able,directed,Quiet Film,,Film,,,,,Press kit,Ann Able directed Quiet Film.
Bob Baker,edited,Quiet Film,,,,,,,Press kit,Bob Baker edited Quiet Film.
"""

# ----------------------------------------------------------------- the fixture's projections, by hand

ENTITY_NODES: dict[str, tuple[str, list[str]]] = {
    "sean_baker": ("Sean Baker", ["Person"]),
    "samantha_quan": ("Samantha Quan", ["Person"]),
    "mikey_madison": ("Mikey Madison", ["Person"]),
    "simon_rex": ("Simon Rex", ["Character", "Person"]),
    "pole_instructor": ("Pole Instructor", ["Person"]),
    "brooke_candy": ("Brooke Candy", ["Person"]),
    "lone_director": ("Lone Director", ["Person"]),
    "ann_able": ("Ann Able", ["Person"]),
    "bob_baker": ("Bob Baker", ["Person"]),
    "anora": ("Anora", ["Film"]),
    "red_rocket": ("Red Rocket", ["Film"]),
    "lone_film": ("Lone Film", ["Film"]),
    "quiet_film": ("Quiet Film", ["Film"]),
    "drip_dance_scene": ("Drip dance scene", ["Scene"]),
    "drip": ("Drip", ["Song"]),
    "neon": ("Neon", ["Organization"]),
    "san_diego": ("San Diego", ["Location"]),
}

# (subject, object, key) -> (predicate local name, label, statements as (qualifier, value) sets)
PRESS, INTERVIEW = "Press kit", "Interview"


def _st(source: str, quote: str, **qualifiers: str) -> frozenset[tuple[str, str]]:
    return frozenset({"source": source, "quote": quote, **qualifiers}.items())


ENTITY_EDGES: dict[tuple[str, str, str], tuple[str, str, list[frozenset[tuple[str, str]]]]] = {
    ("sean_baker", "anora", "directed"): ("directed", "directed", [_st(PRESS, "Sean Baker directed Anora.")]),
    ("sean_baker", "red_rocket", "directed"): ("directed", "directed", [_st(PRESS, "Sean Baker directed Red Rocket.")]),
    ("samantha_quan", "anora", "produced"): ("produced", "produced", [_st(PRESS, "Samantha Quan produced Anora.")]),
    ("samantha_quan", "red_rocket", "produced"): (
        "produced", "produced", [_st(PRESS, "Samantha Quan produced Red Rocket.")],
    ),
    ("mikey_madison", "anora", "acted-in"): (
        "actedIn", "acted in",
        [_st(PRESS, "Mikey Madison plays Ani.", character="Ani"), _st(INTERVIEW, "I played Ani.", character="Ani")],
    ),
    ("mikey_madison", "anora", "trained-for"): (
        "trainedFor", "trained for",
        [_st(INTERVIEW, "She trained for months.", skill="pole dancing", trainer="Pole Instructor")],
    ),
    ("simon_rex", "red_rocket", "acted-in"): (
        "actedIn", "acted in", [_st(PRESS, "Simon Rex plays Mikey Saber.", character="Mikey Saber")],
    ),
    ("simon_rex", "san_diego", "hails-from"): ("hailsFrom", "hails from", [_st(INTERVIEW, "Simon Rex is from San Diego.")]),
    ("drip_dance_scene", "anora", "scene-of"): ("sceneOf", "scene of", [_st(INTERVIEW, "The Drip scene is in Anora.")]),
    ("drip_dance_scene", "drip", "features-song"): ("featuresSong", "features song", [_st(INTERVIEW, "The song is Drip.")]),
    ("brooke_candy", "drip", "performed"): ("performed", "performed", [_st(INTERVIEW, "Drip is by Brooke Candy.")]),
    ("mikey_madison", "drip_dance_scene", "choreographed"): (
        "choreographed", "choreographed", [_st(INTERVIEW, "She choreographed it.")],
    ),
    ("pole_instructor", "drip_dance_scene", "choreographed"): (
        "choreographed", "choreographed", [_st(INTERVIEW, "Her instructor choreographed it too.")],
    ),
    ("pole_instructor", "mikey_madison", "coached"): (
        "coached", "coached", [_st(INTERVIEW, "The instructor coached her.", role="pole coach")],
    ),
    ("anora", "neon", "distributed-by"): ("distributedBy", "distributed by", []),
    ("lone_director", "lone_film", "directed"): ("directed", "directed", [_st(PRESS, "Lone Director directed Lone Film.")]),
    ("ann_able", "quiet_film", "directed"): ("directed", "directed", [_st(PRESS, "Ann Able directed Quiet Film.")]),
    ("bob_baker", "quiet_film", "edited"): ("edited", "edited", [_st(PRESS, "Bob Baker edited Quiet Film.")]),
}

MIKEY_ON_ANORA = "Mikey Madison: acted-in, choreographed (Drip dance scene), trained-for → Anora"
POLE_ON_ANORA = "Pole Instructor: choreographed (Drip dance scene) → Anora"
SEAN_ON = {"Anora": "Sean Baker: directed → Anora", "Red Rocket": "Sean Baker: directed → Red Rocket"}
SAM_ON = {"Anora": "Samantha Quan: produced → Anora", "Red Rocket": "Samantha Quan: produced → Red Rocket"}

# {a, b} -> (weight, films, relations)
COLLAB_EDGES: dict[frozenset[str], tuple[int, list[str], list[str]]] = {
    frozenset({"sean_baker", "samantha_quan"}): (
        2, ["Anora", "Red Rocket"], [SEAN_ON["Anora"], SAM_ON["Anora"], SEAN_ON["Red Rocket"], SAM_ON["Red Rocket"]],
    ),
    frozenset({"sean_baker", "mikey_madison"}): (1, ["Anora"], [SEAN_ON["Anora"], MIKEY_ON_ANORA]),
    frozenset({"sean_baker", "pole_instructor"}): (1, ["Anora"], [SEAN_ON["Anora"], POLE_ON_ANORA]),
    frozenset({"sean_baker", "simon_rex"}): (
        1, ["Red Rocket"], [SEAN_ON["Red Rocket"], "Simon Rex: acted-in → Red Rocket"],
    ),
    frozenset({"samantha_quan", "mikey_madison"}): (1, ["Anora"], [SAM_ON["Anora"], MIKEY_ON_ANORA]),
    frozenset({"samantha_quan", "pole_instructor"}): (1, ["Anora"], [SAM_ON["Anora"], POLE_ON_ANORA]),
    frozenset({"samantha_quan", "simon_rex"}): (
        1, ["Red Rocket"], [SAM_ON["Red Rocket"], "Simon Rex: acted-in → Red Rocket"],
    ),
    frozenset({"mikey_madison", "pole_instructor"}): (1, ["Anora"], [MIKEY_ON_ANORA, POLE_ON_ANORA]),
    frozenset({"ann_able", "bob_baker"}): (
        1, ["Quiet Film"], ["Ann Able: directed → Quiet Film", "Bob Baker: edited → Quiet Film"],
    ),
}
COLLAB_PEOPLE = {
    "sean_baker", "samantha_quan", "mikey_madison", "simon_rex", "pole_instructor",
    "lone_director", "ann_able", "bob_baker",
}  # fmt: skip

# (person, film) -> relations
PERSON_FILM_EDGES: dict[tuple[str, str], list[str]] = {
    ("sean_baker", "anora"): ["directed"],
    ("sean_baker", "red_rocket"): ["directed"],
    ("samantha_quan", "anora"): ["produced"],
    ("samantha_quan", "red_rocket"): ["produced"],
    ("mikey_madison", "anora"): ["acted-in", "choreographed (Drip dance scene)", "trained-for"],
    ("simon_rex", "red_rocket"): ["acted-in"],
    ("pole_instructor", "anora"): ["choreographed (Drip dance scene)"],
    ("lone_director", "lone_film"): ["directed"],
    ("ann_able", "quiet_film"): ["directed"],
    ("bob_baker", "quiet_film"): ["edited"],
}


def r(local: str) -> str:
    """The IRI the ingester mints for a fixture entity."""
    return RES + local




# ------------------------------------------------------------------------------------- fixtures


def _write(folder: Path, name: str, text: str) -> Path:
    target = folder / name
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def collab_csv(tmp_path: Path) -> Path:
    return _write(tmp_path, "collab.csv", COLLAB_CSV)


@pytest.fixture(params=["memory", "disk"])
def collab_kg(request: pytest.FixtureRequest, collab_csv: Path, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """The COLLAB_CSV fixture, in memory and in a store on disk."""
    if request.param == "memory":
        graph = KnowledgeGraph.memory()
        graph.ingest(collab_csv)
        yield graph
        return
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(collab_csv)
        yield graph


@pytest.fixture(params=["memory", "disk"])
def tiny(request: pytest.FixtureRequest, tiny_csv: Path, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """tests/data/tiny.csv, in memory (the tiny_kg fixture) and in a store on disk."""
    if request.param == "memory":
        yield request.getfixturevalue("tiny_kg")
        return
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(tiny_csv)
        yield graph


@pytest.fixture(params=["memory", "disk"])
def anora(request: pytest.FixtureRequest, anora_csv: Path) -> Iterator[KnowledgeGraph]:
    """The shipped Anora data, in memory and on disk (the anora_kg fixture)."""
    if request.param == "disk":
        yield request.getfixturevalue("anora_kg")
        return
    graph = KnowledgeGraph.memory()
    graph.ingest(anora_csv)
    yield graph


# ---------------------------------------------------------------------------------- CLI helpers


def cli(store: Path, *args: str | Path) -> Run:
    """A command expected to succeed: exit 0, nothing on stderr."""
    run = invoke(["--store", str(store), *map(str, args)], ok=True)
    assert run.exit_code == 0, run.output
    assert run.stderr == "", run.stderr
    return run


def cli_fails(store: Path, *args: str | Path) -> Run:
    """A command expected to fail cleanly: a non-zero exit, nothing on stdout, no traceback."""
    run = invoke(["--store", str(store), *map(str, args)], ok=False)
    assert run.exit_code != 0, run.output
    assert run.exception is SystemExit, f"not a clean exit: {run.exception}"
    assert "Traceback" not in run.stdout
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    return run


def _store_from(folder: Path, name: str, source: Path | None = None, text: str | None = None) -> Path:
    data = folder / name
    if source is not None:
        shutil.copy(source, data)
    else:
        assert text is not None
        data.write_text(text, encoding="utf-8")
    store = folder / "store"
    cli(store, "ingest", data)
    return store


@pytest.fixture(scope="module")
def collab_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with COLLAB_CSV, ingested through the CLI; read-only tests share it."""
    return _store_from(tmp_path_factory.mktemp("collab"), "collab.csv", text=COLLAB_CSV)


@pytest.fixture(scope="module")
def anora_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with the shipped Anora data, ingested through the CLI."""
    return _store_from(tmp_path_factory.mktemp("anora"), "anora.csv", source=ANORA)


@pytest.fixture(scope="module")
def collab_mem(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """An in-memory copy of COLLAB_CSV, to compute the expected values of CLI tests."""
    graph = KnowledgeGraph.memory()
    graph.ingest(_write(tmp_path_factory.mktemp("collab_mem"), "collab.csv", COLLAB_CSV))
    return graph


@pytest.fixture(scope="module")
def anora_mem() -> KnowledgeGraph:
    """An in-memory copy of the Anora data, to compute the expected values of CLI tests."""
    graph = KnowledgeGraph.memory()
    graph.ingest(ANORA)
    return graph


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ----------------------------------------------------------------------- independent expectations


def _nx_scores(g: nx.Graph, measure: str) -> dict[str, float]:
    """Centrality computed here with networkx on the projection itself."""
    if measure == "degree":
        scores = nx.degree_centrality(g)
    elif measure == "betweenness":
        scores = nx.betweenness_centrality(nx.Graph(g))  # undirected, parallel edges merged
    else:
        scores = nx.pagerank(nx.DiGraph(g) if g.is_multigraph() else g)
    return {str(node): float(score) for node, score in scores.items()}


def _ranked(g: nx.Graph, scores: dict[str, float]) -> list[tuple[str, str, float]]:
    rows = [(n, g.nodes[n]["label"], round(s, 6)) for n, s in scores.items()]
    return sorted(rows, key=lambda x: (-x[2], x[1]))


def _data_graphs() -> str:
    return f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}"))'


def _sparql(graph: KnowledgeGraph, query: str) -> list[tuple[str, ...]]:
    rows = graph.store.select(query)
    return [tuple(term.value if term is not None else "" for term in row) for row in rows]


def _sparql_relation_triples(graph: KnowledgeGraph) -> set[tuple[str, str, str]]:
    """Entity-to-entity triples of the data graphs, by SPARQL: IRI subject and object, not a
    statement's or source's own triple, not a type, label or reification part."""
    excluded = ", ".join(
        f"<{p}>" for p in (RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object", PROV + "wasDerivedFrom",
                           FILM + "boundsOf", FILM + "boundedProperty")
    )
    rows = _sparql(
        graph,
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} {_data_graphs()}
              FILTER(isIRI(?s) && isIRI(?o) && ?p NOT IN ({excluded}))
              FILTER NOT EXISTS {{ ?s a <{RDF}Statement> }}
              FILTER NOT EXISTS {{ ?s a <{FILM}Bounds> }}
              FILTER NOT EXISTS {{ ?s a <{FILM}Source> }}
              FILTER NOT EXISTS {{ ?o a <{FILM}Source> }}
            }}""",
    )
    return {(s, p, o) for s, p, o in rows}


def _walk(result_path: list[Hop]) -> list[str]:
    """The labels visited by a path, start first (each hop is walked forward or backward)."""
    if not result_path:
        return []
    first = result_path[0]
    labels = [first.subject if first.forward else first.object]
    for hop in result_path:
        here, there = (hop.subject, hop.object) if hop.forward else (hop.object, hop.subject)
        assert here == labels[-1], f"hop {hop} does not start at {labels[-1]}"
        labels.append(there)
    return labels


def _anora_rows() -> list[dict[str, str]]:
    with ANORA.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


# ============================================================================ entity projection


def test_entity_projection_nodes_are_the_entities_with_labels_and_types(collab_kg: KnowledgeGraph) -> None:
    g = entity_graph(collab_kg)
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == {r(n) for n in ENTITY_NODES}
    for local, (label, types) in ENTITY_NODES.items():
        data = g.nodes[r(local)]
        assert data["label"] == label
        assert data["classes"] == tuple(sorted(FILM + t for t in types))  # IRIs, for every decision
        assert data["types"] == types  # labels, in the same order, for display
        assert data["type"] == types[0]


def test_entity_projection_has_no_literal_statement_source_or_qualifier_only_nodes(
    collab_kg: KnowledgeGraph,
) -> None:
    g = entity_graph(collab_kg)
    for node in g.nodes:
        assert node.startswith(RES), node
        assert not node.startswith(RES + "statement/")
        assert not node.startswith(RES + "source/")
        assert not node.startswith(GRAPH_PREFIX)
    assert "2024-10-18" not in {d["label"] for _, d in g.nodes(data=True)}
    # the characters exist only as qualifier values; the trainer qualifier adds no edge
    assert r("ani") not in g and r("mikey_saber") not in g
    assert not g.has_edge(r("mikey_madison"), r("pole_instructor"))
    # a literal relation is not an edge
    assert "release-date" not in {k for _, _, k in g.edges(keys=True)}


def test_entity_projection_edges_keyed_by_relation_with_statements(collab_kg: KnowledgeGraph) -> None:
    g = entity_graph(collab_kg)
    assert {(u, v, k) for u, v, k in g.edges(keys=True)} == {(r(s), r(o), k) for s, o, k in ENTITY_EDGES}
    assert g.number_of_edges() == len(ENTITY_EDGES)
    for (s, o, key), (local, label, statements) in ENTITY_EDGES.items():
        data = g.get_edge_data(r(s), r(o), key=key)
        assert data["relation"] == key
        assert data["iri"] == FILM + local
        assert data["label"] == label
        assert sorted(map(sorted, (frozenset(st.items()) for st in flats(data["statements"])))) == sorted(
            map(sorted, statements)
        ), (s, o, key)


def test_entity_projection_keeps_two_relations_between_one_pair(collab_kg: KnowledgeGraph) -> None:
    g = entity_graph(collab_kg)
    assert set(g[r("mikey_madison")][r("anora")]) == {"acted-in", "trained-for"}
    # one edge per (subject, relation, object) even when two sources state it
    assert g.number_of_edges(r("mikey_madison"), r("anora")) == 2
    assert len(g[r("mikey_madison")][r("anora")]["acted-in"]["statements"]) == 2
    assert {st["source"] for st in flats(g[r("mikey_madison")][r("anora")]["acted-in"]["statements"])} == {PRESS, INTERVIEW}


def test_one_fact_in_two_files_is_one_edge_with_both_statements(tmp_path: Path) -> None:
    header = "subject,predicate,object,object_type,source,quote\n"
    first = _write(tmp_path, "first.csv", header + "Sean Baker,directed,Anora,Film,Press kit,He directed it.\n")
    second = _write(tmp_path, "second.csv", header + "Sean Baker,directed,Anora,Film,Interview,I directed it.\n")
    with KnowledgeGraph.open(tmp_path / "store") as graph:
        graph.ingest(first)
        graph.ingest(second)
        g = entity_graph(graph)
        assert g.number_of_edges() == 1
        statements = flats(g[r("sean_baker")][r("anora")]["directed"]["statements"])
        assert sorted((st["source"], st["quote"]) for st in statements) == [
            ("Interview", "I directed it."), ("Press kit", "He directed it."),
        ]  # fmt: skip
        relations = stats(graph)["relations"]
        assert [tuple(row) for row in relations.itertuples(index=False)] == [("directed", 1, 2)]
        assert person_film_graph(graph)[r("sean_baker")][r("anora")]["relations"] == ["directed"]
        graph.drop("first.csv")
        remaining = flats(entity_graph(graph)[r("sean_baker")][r("anora")]["directed"]["statements"])
        assert [(st["source"], st["quote"]) for st in remaining] == [("Interview", "I directed it.")]


def test_entity_projection_of_the_tiny_fixture(tiny: KnowledgeGraph) -> None:
    g = entity_graph(tiny)
    assert g.number_of_nodes() == 12
    assert g.number_of_edges() == 13
    trained = g.get_edge_data(r("mikey_madison"), r("anora"), key="trained-for")
    assert flats(trained["statements"]) == [
        {
            "source": "Tiny fixture", "quote": "She trained for five months.", "duration": "P5M",
            "skill": "pole dancing", "trainer": "Pole Coach",
        }
    ]  # fmt: skip
    award = g.get_edge_data(r("mikey_madison"), r("academy_award_for_best_actress"), key="won-award")
    assert flat(award["statements"][0])["for-work"] == "Anora"
    assert flat(award["statements"][0])["ceremony"] == "97th Academy Awards"
    assert g.get_edge_data(r("anora"), r("neon"), key="distributed-by")["statements"] == []


def test_entity_projection_of_rdf_input_skips_blank_nodes_and_keeps_unknown_predicates(tmp_path: Path) -> None:
    ttl = _write(
        tmp_path,
        "t.ttl",
        f"""@prefix film: <{FILM}> .
@prefix res: <{RES}> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <{RDFS}> .
res:sean_baker a film:Person ; rdfs:label "Sean Baker" ; film:directed res:anora .
res:anora a film:Film ; rdfs:label "Anora" ; film:runtime "PT2H19M" ; ex:note [ ex:text "blank" ] .
ex:someone ex:knows res:sean_baker .
_:b ex:mentions res:anora .
""",
    )
    graph = KnowledgeGraph.memory()
    graph.ingest(ttl)
    g = entity_graph(graph)
    assert set(g.nodes) == {r("sean_baker"), r("anora"), "http://example.org/someone"}
    assert {(u, v, d["iri"]) for u, v, d in g.edges(data=True)} == {
        (r("sean_baker"), r("anora"), FILM + "directed"),
        ("http://example.org/someone", r("sean_baker"), "http://example.org/knows"),
    }
    assert g.nodes["http://example.org/someone"]["types"] == []


def test_entity_projection_matches_sparql_on_the_anora_data(anora: KnowledgeGraph) -> None:
    g = entity_graph(anora)
    triples = _sparql_relation_triples(anora)
    assert {(u, d["iri"], v) for u, v, d in g.edges(data=True)} == triples
    assert set(g.nodes) == {s for s, _, _ in triples} | {o for _, _, o in triples}
    assert g.number_of_nodes() == 26 and g.number_of_edges() == 34


def test_entity_projection_every_anora_edge_carries_its_csv_quotes(anora: KnowledgeGraph) -> None:
    g = entity_graph(anora)
    expected: dict[tuple[str, str, str], set[str]] = {}
    for row in _anora_rows():
        expected.setdefault((row["subject"], row["predicate"], row["object"]), set()).add(row["quote"])
    checked = 0
    for u, v, key, data in g.edges(keys=True, data=True):
        quotes = expected[(g.nodes[u]["label"], key, g.nodes[v]["label"])]
        assert {st["quote"] for st in flats(data["statements"])} == quotes
        assert {st["source"] for st in flats(data["statements"])} == {ARTICLE}
        checked += 1
    assert checked == 34


def test_entity_graph_without_statements_has_the_same_nodes_and_edges(collab_kg: KnowledgeGraph) -> None:
    full = entity_graph(collab_kg)
    bare = entity_graph(collab_kg, statements=False)
    assert dict(bare.nodes(data=True)) == dict(full.nodes(data=True))

    def strip(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, object]]:
        return {
            (u, v, k): {a: b for a, b in d.items() if a != "statements"}
            for u, v, k, d in g.edges(keys=True, data=True)
        }

    assert strip(bare) == strip(full)
    assert all(d["statements"] == [] for _, _, d in bare.edges(data=True))
    assert any(d["statements"] for _, _, d in full.edges(data=True))


def test_statements_of_chosen_edges_equal_the_full_projection(collab_kg: KnowledgeGraph) -> None:
    full = entity_graph(collab_kg)
    chosen = [
        (r("mikey_madison"), FILM + "actedIn", r("anora")),
        (r("pole_instructor"), FILM + "coached", r("mikey_madison")),
        (r("anora"), FILM + "distributedBy", r("neon")),
    ]
    found = statements_of(collab_kg, chosen)
    assert set(found) == set(chosen[:2])  # the edge without a source has no statement
    for s, p, o in chosen[:2]:
        key = next(k for k, d in full[s][o].items() if d["iri"] == p)
        assert sorted(map(sorted, (d.items() for d in flats(found[(s, p, o)])))) == sorted(
            map(sorted, (d.items() for d in flats(full[s][o][key]["statements"])))
        )
    assert statements_of(collab_kg, []) == {}
    everything = statements_of(collab_kg)
    for u, v, d in full.edges(data=True):
        assert len(everything.get((u, d["iri"], v), [])) == len(d["statements"])


def test_to_networkx_dispatches_and_refuses_unknown_projections(collab_kg: KnowledgeGraph) -> None:
    assert isinstance(to_networkx(collab_kg, "entity"), nx.MultiDiGraph)
    assert set(collab_kg.to_networkx("collaboration").nodes) == {r(p) for p in COLLAB_PEOPLE}
    assert nx.is_bipartite(collab_kg.to_networkx("person-film"))
    with pytest.raises(KGError, match="unknown projection"):
        to_networkx(collab_kg, "people")


# ===================================================================== collaboration projection


def test_collaboration_projection_nodes_are_people_who_worked_on_a_film(collab_kg: KnowledgeGraph) -> None:
    g = collaboration_graph(collab_kg)
    assert type(g) is nx.Graph
    assert set(g.nodes) == {r(p) for p in COLLAB_PEOPLE}
    # Brooke Candy performed a song of a scene; the instructor only coached: not a film credit
    assert r("brooke_candy") not in g
    for node, data in g.nodes(data=True):
        assert data["label"] == ENTITY_NODES[node.removeprefix(RES)][0]
        assert "Person" in data["types"]
        assert data["type"] == "Person"


def test_collaboration_projection_edges_weights_films_and_relations(collab_kg: KnowledgeGraph) -> None:
    g = collaboration_graph(collab_kg)
    assert {frozenset(e) for e in g.edges} == {frozenset(r(x) for x in pair) for pair in COLLAB_EDGES}
    for pair, (weight, films, relations) in COLLAB_EDGES.items():
        a, b = (r(x) for x in pair)
        data = g[a][b]
        assert data["weight"] == weight, pair
        assert sorted(data["films"]) == films
        assert sorted(data["relations"]) == sorted(relations)
    # Simon Rex (Red Rocket) and Mikey Madison (Anora) share no film
    assert not g.has_edge(r("simon_rex"), r("mikey_madison"))
    assert g.degree(r("lone_director")) == 0


def test_collaboration_links_a_person_to_the_film_through_a_scene(collab_kg: KnowledgeGraph) -> None:
    g = collaboration_graph(collab_kg)
    # the instructor only choreographed the Drip dance scene, a scene of Anora
    assert set(g[r("pole_instructor")]) == {r("sean_baker"), r("samantha_quan"), r("mikey_madison")}
    assert POLE_ON_ANORA in g[r("pole_instructor")][r("sean_baker")]["relations"]


def _relabelled(folder: Path) -> Path:
    """A copy of film.ttl whose Person, Film and Scene classes and scene-of relation have other labels."""
    text = (ontology_dir() / "film.ttl").read_text(encoding="utf-8")
    for old, new in [
        ('film:Person a owl:Class ; rdfs:label "Person"@en', 'film:Person a owl:Class ; rdfs:label "Human"@en'),
        ('film:Film a owl:Class ; rdfs:label "Film"@en', 'film:Film a owl:Class ; rdfs:label "Motion picture"@en'),
        ('film:Scene a owl:Class ; rdfs:label "Scene"@en', 'film:Scene a owl:Class ; rdfs:label "Sequence"@en'),
        ('rdfs:label "scene of"@en', 'rdfs:label "part of"@en'),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return _write(folder, "film.ttl", text)


def test_relabelling_classes_in_the_ontology_changes_no_result(tmp_path: Path, collab_csv: Path) -> None:
    """Classes and the projections' roles are found by IRI, never by label: with Person labelled
    "Human" (and Film, Scene and scene-of relabelled too) every result is the same; only labels differ."""
    ontology = load_ontology(_relabelled(tmp_path))
    assert ontology.classes[FILM + "Person"].label == "Human"
    default, human = KnowledgeGraph(memory_store()), KnowledgeGraph(memory_store(), ontology=ontology)
    for graph in (default, human):
        graph.ingest(collab_csv)
    for build in (collaboration_graph, person_film_graph):
        expected, got = build(default), build(human)
        assert set(got.nodes) == set(expected.nodes) and got.nodes, build
        assert sorted(map(sorted, got.edges)) == sorted(map(sorted, expected.edges)), build
        assert {frozenset((u, v)): d["relations"] for u, v, d in got.edges(data=True)} == {
            frozenset((u, v)): d["relations"] for u, v, d in expected.edges(data=True)
        }
    assert {d["type"] for _, d in collaboration_graph(human).nodes(data=True)} == {"Human"}
    assert {d["type"] for _, d in person_film_graph(human).nodes(data=True)} == {"Human", "Motion picture"}
    assert [e["classes"] for _, e in entity_graph(human).nodes(data=True)] == [
        e["classes"] for _, e in entity_graph(default).nodes(data=True)
    ]
    classes = {kind: stats(g)["classes"].set_index("class")["entities"].to_dict() for kind, g in
               (("default", default), ("human", human))}  # fmt: skip
    assert classes["human"].pop("Human") == classes["default"].pop("Person") == 9
    assert classes["human"].pop("Motion picture") == classes["default"].pop("Film")
    assert classes["human"].pop("Sequence") == classes["default"].pop("Scene")
    assert classes["human"] == classes["default"]
    assert list(centrality(human, projection="collaboration", top=None)["entity"]) == list(
        centrality(default, projection="collaboration", top=None)["entity"]
    )
    view, expected_view = subgraph(human, types=["Person"]), subgraph(default, types=["Person"])
    assert set(view.nodes) == set(expected_view.nodes) and view.number_of_nodes() == 9


def test_the_projections_need_the_roles_of_the_ontology(tmp_path: Path, collab_csv: Path) -> None:
    text = (ontology_dir() / "film.ttl").read_text(encoding="utf-8").replace('film:projectionRole "person" ;', "")
    graph = KnowledgeGraph(memory_store(), ontology=load_ontology(_write(tmp_path, "film.ttl", text)))
    graph.ingest(collab_csv)
    assert entity_graph(graph).number_of_nodes() == len(ENTITY_NODES)  # the entity projection needs no role
    with pytest.raises(KGError, match='projection role "person"'):
        collaboration_graph(graph)


def test_collaboration_projection_of_the_anora_data(anora: KnowledgeGraph) -> None:
    g = collaboration_graph(anora)
    people = {"sean_baker", "mikey_madison", "mark_eydelshteyn", "yura_borisov", "andrea_werhun",
              "mikey_madison%27s_pole_dance_instructor"}  # fmt: skip
    assert set(g.nodes) == {r(p) for p in people}
    assert g.number_of_edges() == 15  # everyone worked on Anora: a complete graph
    assert {w for _, _, w in g.edges(data="weight")} == {1}
    assert all(d["films"] == ["Anora"] for _, _, d in g.edges(data=True))
    mikey = next(
        line for line in g[r("mikey_madison")][r("sean_baker")]["relations"] if line.startswith("Mikey Madison:")
    )
    assert mikey == (
        "Mikey Madison: acted-in, choreographed, choreographed (Drip dance scene), trained-for, "
        "trained-for (Drip dance scene), trained-for (Ten-second pole trick scene) → Anora"
    )


# ======================================================================= person–film projection


def test_person_film_projection_is_bipartite_with_relations(collab_kg: KnowledgeGraph) -> None:
    g = person_film_graph(collab_kg)
    films = {"anora", "red_rocket", "lone_film", "quiet_film"}
    assert set(g.nodes) == {r(p) for p in COLLAB_PEOPLE} | {r(f) for f in films}
    for node, data in g.nodes(data=True):
        local = node.removeprefix(RES)
        assert data["label"] == ENTITY_NODES[local][0]
        assert (data["bipartite"], data["type"]) == ((1, "Film") if local in films else (0, "Person"))
    assert {frozenset(e) for e in g.edges} == {frozenset((r(p), r(f))) for p, f in PERSON_FILM_EDGES}
    for (person, film), relations in PERSON_FILM_EDGES.items():
        assert g[r(person)][r(film)]["relations"] == relations
        assert g[r(person)][r(film)]["weight"] == len(relations)
    assert nx.is_bipartite(g)
    assert all(g.nodes[u]["bipartite"] != g.nodes[v]["bipartite"] for u, v in g.edges)


def test_person_film_projection_of_the_anora_data(anora: KnowledgeGraph) -> None:
    g = person_film_graph(anora)
    mikey = r("mikey_madison")
    assert {g.nodes[f]["label"] for f in g[mikey]} == {"Anora", "Once Upon a Time in Hollywood", "Scream"}
    assert g[mikey][r("anora")]["relations"] == [
        "acted-in", "choreographed", "choreographed (Drip dance scene)", "trained-for",
        "trained-for (Drip dance scene)", "trained-for (Ten-second pole trick scene)",
    ]  # fmt: skip
    assert sum(1 for _, d in g.nodes(data=True) if d["bipartite"] == 1) == 3


# ==================================================================================== path


def test_path_brooke_candy_to_andrea_werhun_goes_through_anora(anora: KnowledgeGraph) -> None:
    result = path(anora, "Brooke Candy", "Andrea Werhun")
    assert isinstance(result, PathResult)
    assert (result.start, result.end) == ("Brooke Candy", "Andrea Werhun")
    first = result.paths[0]
    assert _walk(first) == ["Brooke Candy", "Drip", "Drip dance scene", "Anora", "Andrea Werhun"]
    assert [(h.subject, h.relation, h.object, h.forward) for h in first] == [
        ("Brooke Candy", "performed", "Drip", True),
        ("Drip dance scene", "features song", "Drip", False),
        ("Drip dance scene", "scene of", "Anora", True),
        ("Andrea Werhun", "advised", "Anora", False),
    ]
    quotes: dict[tuple[str, str, str], set[str]] = {}
    for row in _anora_rows():
        quotes.setdefault((row["subject"], row["predicate"], row["object"]), set()).add(row["quote"])
    for hop in first:
        assert hop.sources == (ARTICLE,)
        assert hop.quotes[0] in quotes[(hop.subject, hop.relation.replace(" ", "-"), hop.object)]
    assert dict(first[3].statements[0].qualifier_pairs()) == {
        "role": "consultant on strip club realism",
        "note": "Sean Baker worked with her to make the club scenes authentic.",
    }


def test_path_returns_at_most_max_paths_shortest_first(anora: KnowledgeGraph) -> None:
    default = path(anora, "Brooke Candy", "Andrea Werhun")
    assert len(default.paths) == 3
    lengths = [len(p) for p in default.paths]
    assert lengths == sorted(lengths) and lengths[0] == 4
    assert len({tuple(map(str, p)) for p in default.paths}) == 3  # three different paths
    for p in default.paths:
        walked = _walk(p)
        assert walked[0] == "Brooke Candy" and walked[-1] == "Andrea Werhun"
        assert len(set(walked)) == len(walked)  # simple paths
    one = path(anora, "Brooke Candy", "Andrea Werhun", max_paths=1)
    assert len(one.paths) == 1 and [str(h) for h in one.paths[0]] == [str(h) for h in default.paths[0]]
    with pytest.raises(KGError, match="max_paths"):
        path(anora, "Brooke Candy", "Andrea Werhun", max_paths=0)


def test_path_on_the_fixture_finds_every_shortest_path(collab_kg: KnowledgeGraph) -> None:
    result = path(collab_kg, "Simon Rex", "Pole Instructor", max_paths=10)
    walks = [_walk(p) for p in result.paths]
    # by hand: to Anora through Sean Baker or Samantha Quan, then through Mikey Madison or the scene
    shortest = {
        ("Simon Rex", "Red Rocket", middle, "Anora", last, "Pole Instructor")
        for middle in ("Sean Baker", "Samantha Quan")
        for last in ("Mikey Madison", "Drip dance scene")
    }
    assert {tuple(w) for w in walks if len(w) == 6} == shortest
    assert [len(p) for p in result.paths][:4] == [5, 5, 5, 5]
    assert all(len(p) > 5 for p in result.paths[4:])
    assert len(path(collab_kg, "Simon Rex", "Pole Instructor", max_paths=2).paths) == 2


def test_path_hops_carry_qualifiers_source_and_quote(collab_kg: KnowledgeGraph) -> None:
    result = path(collab_kg, "Simon Rex", "Red Rocket")
    assert len(result.paths) == 1
    (hop,) = result.paths[0]
    assert (hop.subject, hop.relation, hop.object, hop.forward) == ("Simon Rex", "acted in", "Red Rocket", True)
    (statement,) = hop.statements
    assert statement.qualifier_pairs() == (("character", "Mikey Saber"),)
    assert (hop.sources, hop.quotes) == ((PRESS,), ("Simon Rex plays Mikey Saber.",))
    assert str(hop) == (
        "Simon Rex —acted in→ Red Rocket  [character: Mikey Saber]\n"
        "      source: Press kit\n"
        "      quote: “Simon Rex plays Mikey Saber.”"
    )
    # entities by IRI and by another spelling of the name
    same = path(collab_kg, f"<{r('simon_rex')}>", "red rocket")
    assert [str(h) for h in same.paths[0]] == [str(hop)]


def test_path_between_the_same_entity(collab_kg: KnowledgeGraph) -> None:
    result = path(collab_kg, "Anora", "anora")
    assert result.paths == [[]]
    assert (result.start, result.end) == ("Anora", "Anora")


def test_path_not_connected_names_both_components(collab_kg: KnowledgeGraph) -> None:
    result = path(collab_kg, "Lone Director", "Sean Baker")
    assert result.paths == []
    assert result.components == (
        "a component of 2 entities around Lone Film",
        "a component of 12 entities around Anora",
    )
    text = str(result)
    assert text.startswith("no connection between Lone Director and Sean Baker")
    assert "Lone Director: a component of 2 entities around Lone Film" in text
    assert "Sean Baker: a component of 12 entities around Anora" in text


def test_path_from_an_entity_without_relations_names_it_by_its_label(tiny: KnowledgeGraph) -> None:
    # Ani exists (typed Character, labelled "Ani") but only as the character qualifier of a statement
    assert tiny.show("Ani").label == "Ani"
    result = path(tiny, "Ani", "Anora")
    assert result.paths == []
    assert result.start == "Ani"
    assert result.components[0] == "a component of 1 entity around Ani"
    assert RES not in str(result)


def test_path_unknown_entity_raises_not_found(collab_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="Nobody Here"):
        path(collab_kg, "Nobody Here", "Anora")
    with pytest.raises(NotFoundError, match="Nobody Here"):
        path(collab_kg, "Anora", "Nobody Here")


# =============================================================================== neighbors


def test_neighbors_depth_1(collab_kg: KnowledgeGraph) -> None:
    found = neighbors(collab_kg, "Mikey Madison")
    assert [(n.label, n.distance, n.via) for n in found] == [
        ("Anora", 1, "Mikey Madison —acted in→ Anora"),
        ("Drip dance scene", 1, "Mikey Madison —choreographed→ Drip dance scene"),
        ("Pole Instructor", 1, "Pole Instructor —coached→ Mikey Madison"),
    ]
    assert found[0].iri == r("anora") and found[0].types == ("Film",)


def test_neighbors_depth_2(collab_kg: KnowledgeGraph) -> None:
    found = collab_kg.neighbors("Mikey Madison", depth=2)
    assert [(n.label, n.distance) for n in found] == [
        ("Anora", 1), ("Drip dance scene", 1), ("Pole Instructor", 1),
        ("Drip", 2), ("Neon", 2), ("Samantha Quan", 2), ("Sean Baker", 2),
    ]  # fmt: skip
    via = {n.label: n.via for n in found if n.distance == 2}
    assert via == {
        "Drip": "Drip dance scene —features song→ Drip",
        "Neon": "Anora —distributed by→ Neon",
        "Samantha Quan": "Samantha Quan —produced→ Anora",
        "Sean Baker": "Sean Baker —directed→ Anora",
    }
    # depth 3 reaches the rest of the component and nothing outside it
    far = {n.label for n in neighbors(collab_kg, "Mikey Madison", depth=3) if n.distance == 3}
    assert far == {"Brooke Candy", "Red Rocket"}
    everything = {n.label for n in neighbors(collab_kg, "Mikey Madison", depth=10)}
    assert everything == {"Anora", "Brooke Candy", "Drip", "Drip dance scene", "Neon", "Pole Instructor",
                          "Red Rocket", "Samantha Quan", "San Diego", "Sean Baker", "Simon Rex"}  # fmt: skip


def test_neighbors_of_ani_in_the_anora_data(anora: KnowledgeGraph) -> None:
    found = neighbors(anora, "Ani", depth=1)
    assert [(n.label, n.via) for n in found] == [
        ("Anora", "Ani —character in→ Anora"),
        ("Brighton Beach", "Ani —hails from→ Brighton Beach"),
        ("Drip dance scene", "Drip dance scene —features character→ Ani"),
        ("Pleasers", "Ani —wore→ Pleasers"),
    ]


def test_neighbors_refuses_depth_0_and_unknown_entities(collab_kg: KnowledgeGraph) -> None:
    with pytest.raises(KGError, match="depth"):
        neighbors(collab_kg, "Anora", depth=0)
    with pytest.raises(NotFoundError):
        neighbors(collab_kg, "Nobody Here")


# ============================================================================== centrality

PROJECTIONS = ("entity", "collaboration", "person-film")
MEASURES = ("degree", "betweenness", "pagerank")


@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("measure", MEASURES)
def test_centrality_matches_networkx_on_the_projection(collab_kg: KnowledgeGraph, measure: str, projection: str) -> None:
    frame = centrality(collab_kg, measure=measure, projection=projection, top=None)
    g = to_networkx(collab_kg, projection)
    expected = _ranked(g, _nx_scores(g, measure))
    assert list(frame.columns) == ["entity", "label", "type", "score"]
    assert len(frame) == g.number_of_nodes()
    assert set(frame["entity"]) == set(g.nodes)
    got = {row.entity: row.score for row in frame.itertuples()}
    for node, _, score in expected:
        assert got[node] == pytest.approx(score, abs=1e-6), node
    # highest first, ties by label
    assert list(zip(frame["score"], frame["label"])) == sorted(zip(frame["score"], frame["label"]),
                                                               key=lambda x: (-x[0], x[1]))  # fmt: skip
    assert list(frame["type"]) == [g.nodes[n]["type"] for n in frame["entity"]]


def test_centrality_values_worked_out_by_hand(collab_kg: KnowledgeGraph) -> None:
    def scores(measure: str, projection: str) -> dict[str, float]:
        frame = centrality(collab_kg, measure=measure, projection=projection, top=None)
        return dict(zip(frame["label"], frame["score"]))

    collab_degree = scores("degree", "collaboration")  # 8 people: degree / 7
    assert collab_degree == pytest.approx({
        "Sean Baker": 4 / 7, "Samantha Quan": 4 / 7, "Mikey Madison": 3 / 7, "Pole Instructor": 3 / 7,
        "Simon Rex": 2 / 7, "Ann Able": 1 / 7, "Bob Baker": 1 / 7, "Lone Director": 0.0,
    }, abs=1e-6)  # fmt: skip
    # only Sean Baker and Samantha Quan lie between Simon Rex and Anora's crew, each on half the
    # shortest paths of 2 pairs: 1 / ((8-1)(8-2)/2)
    collab_between = scores("betweenness", "collaboration")
    assert collab_between["Sean Baker"] == pytest.approx(1 / 21, abs=1e-6)
    assert collab_between["Samantha Quan"] == pytest.approx(1 / 21, abs=1e-6)
    assert all(v == 0 for k, v in collab_between.items() if k not in ("Sean Baker", "Samantha Quan"))
    entity_degree = scores("degree", "entity")  # 17 entities: (in + out edges) / 16
    assert entity_degree["Anora"] == pytest.approx(6 / 16)
    assert entity_degree["Mikey Madison"] == pytest.approx(4 / 16)
    assert entity_degree["Lone Film"] == pytest.approx(1 / 16)
    # Drip joins Brooke Candy to the 10 other entities of the component: 10 / (16 * 15 / 2)
    entity_between = scores("betweenness", "entity")
    assert entity_between["Drip"] == pytest.approx(10 / 120, abs=1e-6)
    assert entity_between["Simon Rex"] == pytest.approx(10 / 120, abs=1e-6)
    assert entity_between["Brooke Candy"] == 0
    for projection in PROJECTIONS:
        assert sum(scores("pagerank", projection).values()) == pytest.approx(1.0, abs=1e-4)


def test_centrality_top_keeps_the_best(collab_kg: KnowledgeGraph) -> None:
    frame = collab_kg.centrality(measure="degree", projection="collaboration", top=3)
    assert list(frame["label"]) == ["Samantha Quan", "Sean Baker", "Mikey Madison"]
    assert len(centrality(collab_kg, top=None)) == 17
    assert len(centrality(collab_kg)) == 10  # the default


def test_centrality_refuses_unknown_measure_and_projection(collab_kg: KnowledgeGraph) -> None:
    with pytest.raises(KGError, match='unknown measure "closeness"'):
        centrality(collab_kg, measure="closeness")
    with pytest.raises(KGError, match='unknown projection "people"'):
        centrality(collab_kg, projection="people")


def test_centrality_on_the_anora_data_matches_networkx(anora: KnowledgeGraph) -> None:
    g = entity_graph(anora, statements=False)
    frame = centrality(anora, measure="betweenness", top=5)
    expected = _ranked(g, _nx_scores(g, "betweenness"))[:5]
    assert list(frame["label"]) == [label for _, label, _ in expected]
    assert list(frame["score"]) == pytest.approx([s for _, _, s in expected], abs=1e-6)
    assert frame["label"][0] == "Anora"


# ============================================================================= communities


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_communities_put_every_node_in_exactly_one(collab_kg: KnowledgeGraph, projection: str) -> None:
    frame = communities(collab_kg, projection=projection)
    g = to_networkx(collab_kg, projection)
    assert list(frame.columns) == ["community", "size", "entity", "label", "type"]
    assert sorted(frame["entity"]) == sorted(g.nodes)  # each node once
    groups: dict[int, set[str]] = {}
    for row in frame.itertuples(index=False):
        groups.setdefault(int(str(row.community)), set()).add(str(row.entity))
    assert sorted(groups) == list(range(len(groups)))
    for number, members in groups.items():
        assert set(frame[frame["community"] == number]["size"]) == {len(members)}
    sizes = [len(groups[n]) for n in sorted(groups)]
    assert sizes == sorted(sizes, reverse=True)  # largest first
    # Louvain never joins unconnected nodes: each community lies inside one component
    parts = [set(c) for c in nx.connected_components(nx.Graph(g))]
    assert all(any(members <= part for part in parts) for members in groups.values())


def test_communities_of_the_collaboration_fixture(collab_kg: KnowledgeGraph) -> None:
    frame = collab_kg.communities(projection="collaboration")
    groups = {frozenset(g) for g in frame.groupby("community")["label"].apply(set)}
    assert frozenset({"Ann Able", "Bob Baker"}) in groups
    assert frozenset({"Lone Director"}) in groups
    assert frame[frame["label"] == "Lone Director"]["community"].item() == len(groups) - 1


def test_communities_are_deterministic_with_a_seed(anora: KnowledgeGraph) -> None:
    a = communities(anora, projection="entity", seed=7)
    b = communities(anora, projection="entity", seed=7)
    assert a.equals(b)
    assert len(set(a["community"])) > 1  # the entity graph of Anora does split


# ============================================================================== components


@pytest.mark.parametrize(
    ("projection", "expected"),
    [
        ("entity", [(12, "Anora"), (3, "Quiet Film"), (2, "Lone Film")]),
        ("collaboration", [(5, "Sean Baker"), (2, "Bob Baker"), (1, "Lone Director")]),
        ("person-film", [(7, "Anora"), (3, "Quiet Film"), (2, "Lone Film")]),
    ],
)
def test_components_sizes_hubs_and_members(
    collab_kg: KnowledgeGraph, projection: str, expected: list[tuple[int, str]]
) -> None:
    frame = components(collab_kg, projection=projection)
    assert list(frame.columns) == ["component", "size", "hub", "members"]
    assert list(zip(frame["size"], frame["hub"])) == expected
    assert list(frame["component"]) == [0, 1, 2]
    g = to_networkx(collab_kg, projection)
    labels = {frozenset(g.nodes[n]["label"] for n in c) for c in nx.connected_components(nx.Graph(g))}
    assert {frozenset(m.split(", ")) for m in frame["members"]} == labels
    assert all(m.split(", ") == sorted(m.split(", ")) for m in frame["members"])


def test_components_of_the_anora_data(anora: KnowledgeGraph) -> None:
    frame = components(anora)
    assert list(frame["size"]) == [26]
    assert frame["hub"][0] == "Anora"


# ================================================================================== stats


def _sparql_statements_by_predicate(graph: KnowledgeGraph) -> dict[str, int]:
    rows = _sparql(
        graph,
        f"SELECT ?p (COUNT(DISTINCT ?st) AS ?n) WHERE {{ GRAPH ?g {{ ?st a <{RDF}Statement> ; <{RDF}predicate> ?p }} "
        f"{_data_graphs()} }} GROUP BY ?p",
    )
    return {p: int(n) for p, n in rows}


def _sparql_types(graph: KnowledgeGraph) -> dict[str, set[str]]:
    """The classes (by label) of every typed IRI of the data graphs that is not a statement or source."""
    rows = _sparql(
        graph,
        f"""SELECT DISTINCT ?e ?c WHERE {{ GRAPH ?g {{ ?e a ?c }} {_data_graphs()}
              FILTER(isIRI(?e) && ?c NOT IN (<{RDF}Statement>, <{FILM}Source>, <{FILM}Bounds>)) }}""",
    )
    out: dict[str, set[str]] = {}
    for e, c in rows:
        out.setdefault(e, set()).add(graph.ontology.label(c))
    return out


def _expected_stats(graph: KnowledgeGraph) -> dict[str, Any]:
    """What stats should say, from SPARQL alone."""
    triples = _sparql_relation_triples(graph)
    entities = {s for s, _, _ in triples} | {o for _, _, o in triples}
    names = {p: graph.ontology.properties[p].name for _, p, _ in triples}
    statements = _sparql_statements_by_predicate(graph)
    relations = {
        names[p]: (sum(1 for _, q, _ in triples if q == p), statements.get(p, 0)) for p in {p for _, p, _ in triples}
    }
    types = _sparql_types(graph)
    everyone = entities | {e for e, t in types.items() if not t & {"Source", "Source file", "Statement"}}
    classes = Counter(c for e in everyone for c in types.get(e, {"(untyped)"}))
    registry = _sparql(
        graph,
        f"""SELECT ?name ?rows ?triples ?statements WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
              ?f a <{FILM}SourceFile> ; <{FILM}sourceName> ?name ; <{FILM}rowCount> ?rows ;
                 <{FILM}tripleCount> ?triples ; <{FILM}statementCount> ?statements }} }} ORDER BY ?name""",
    )
    quads = _sparql(graph, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    n, m = len(entities), len(triples)
    return {
        "everyone": len(everyone),
        "entities": n,
        "edges": m,
        "density": round(m / (n * (n - 1)), 6),
        "relations": relations,
        "classes": dict(classes),
        "sources": [(name, int(a), int(b), int(c)) for name, a, b, c in registry],
        "quads": int(quads[0][0]),
    }


def _check_stats(frames: Mapping[str, pandas.DataFrame], expected: dict[str, Any], components_count: int) -> None:
    assert set(frames) == {"summary", "classes", "relations", "sources"}
    summary, classes, relations, sources = (frames[k] for k in ("summary", "classes", "relations", "sources"))
    assert all(isinstance(f, pandas.DataFrame) for f in (summary, classes, relations, sources))
    values = dict(zip(summary["measure"], summary["value"]))
    assert values == {
        "entities": expected["everyone"],
        "entities with relations": expected["entities"],
        "relations (edges)": expected["edges"],
        "density": pytest.approx(expected["density"], abs=1e-6),
        "weakly connected components": components_count,
        "sources": len(expected["sources"]),
        "quads in store": expected["quads"],
    }
    got_relations = {row.relation: (row.edges, row.statements) for row in relations.itertuples()}
    assert got_relations == expected["relations"]
    assert list(relations["edges"]) == sorted(relations["edges"], reverse=True)
    assert dict(zip(classes["class"], classes["entities"])) == expected["classes"]
    assert [tuple(row) for row in sources.itertuples(index=False)] == expected["sources"]


def test_stats_match_sparql_counts_on_the_fixture(collab_kg: KnowledgeGraph) -> None:
    expected = _expected_stats(collab_kg)
    assert expected["entities"] == 17 and expected["edges"] == 18
    _check_stats(stats(collab_kg), expected, components_count=3)
    relations = dict(zip(stats(collab_kg)["relations"]["relation"], stats(collab_kg)["relations"]["statements"]))
    assert relations["acted-in"] == 3 and relations["distributed-by"] == 0  # by hand


def test_stats_match_sparql_counts_on_tiny(tiny: KnowledgeGraph) -> None:
    _check_stats(stats(tiny), _expected_stats(tiny), components_count=1)
    summary = dict(zip(stats(tiny)["summary"]["measure"], stats(tiny)["summary"]["value"]))
    assert summary["density"] == pytest.approx(13 / (12 * 11), abs=1e-6)


def test_stats_match_sparql_counts_on_the_anora_data(anora: KnowledgeGraph) -> None:
    _check_stats(stats(anora), _expected_stats(anora), components_count=1)


def test_stats_count_every_typed_entity_by_class(tiny: KnowledgeGraph) -> None:
    """Counts by class agree with SPARQL's `?e a ?class` over the data (Ani and Ivan are Characters
    that appear only as qualifier values)."""
    types = _sparql_types(tiny)
    expected = Counter(c for classes in types.values() for c in classes)
    assert expected["Character"] == 2
    frame = stats(tiny)["classes"]
    assert dict(zip(frame["class"], frame["entities"])) == dict(expected)


def test_stats_of_an_empty_store(kg_path: Path) -> None:
    with KnowledgeGraph.open(kg_path) as graph:
        frames = stats(graph)
        assert dict(zip(frames["summary"]["measure"], frames["summary"]["value"]))["entities"] == 0
        assert frames["classes"].empty and frames["relations"].empty and frames["sources"].empty
        assert centrality(graph).empty and communities(graph).empty and components(graph).empty


# ==================================================================================== CLI: path


def test_cli_path_prints_the_chain_through_anora(anora_store: Path) -> None:
    run = cli(anora_store, "path", "Brooke Candy", "Andrea Werhun")
    first = run.stdout.split("path 2")[0]
    assert first.startswith("path 1 (4 hops):\n")
    for line in (
        "  Brooke Candy —performed→ Drip",
        "  Drip dance scene —features song→ Drip",
        "  Drip dance scene —scene of→ Anora",
        "  Andrea Werhun —advised→ Anora  [",
    ):
        assert line in first
    advised = next(line for line in first.splitlines() if "—advised→" in line)
    assert "role: consultant on strip club realism" in advised
    assert "note: Sean Baker worked with her to make the club scenes authentic." in advised
    assert first.count(f"      source: {ARTICLE}") == 4
    assert first.count("      quote: “") == 4
    assert "path 3 (" in run.stdout and "path 4 (" not in run.stdout  # --max-paths defaults to 3


def test_cli_path_max_paths_and_json(anora_store: Path, anora_mem: KnowledgeGraph) -> None:
    run = cli(anora_store, "path", "Brooke Candy", "Andrea Werhun", "--max-paths", "1", "--json")
    data = json.loads(run.stdout)
    expected = path(anora_mem, "Brooke Candy", "Andrea Werhun", max_paths=1)
    assert (data["start"], data["end"]) == ("Brooke Candy", "Andrea Werhun")
    assert len(data["paths"]) == 1
    assert data["paths"][0] == [json.loads(json.dumps(asdict(hop))) for hop in expected.paths[0]]
    assert [h["forward"] for h in data["paths"][0]] == [True, False, True, False]
    text = cli(anora_store, "path", "Brooke Candy", "Andrea Werhun", "--max-paths", "2").stdout
    assert "path 2 (" in text and "path 3 (" not in text


def test_cli_path_not_connected_exits_0_and_names_both_components(collab_store: Path) -> None:
    run = cli(collab_store, "path", "Lone Director", "Sean Baker")
    assert run.stdout == (
        "no connection between Lone Director and Sean Baker: they are in different components\n"
        "  Lone Director: a component of 2 entities around Lone Film\n"
        "  Sean Baker: a component of 12 entities around Anora\n"
    )
    data = json.loads(cli(collab_store, "path", "Lone Director", "Sean Baker", "--json").stdout)
    assert data["paths"] == []
    assert data["components"] == ["a component of 2 entities around Lone Film", "a component of 12 entities around Anora"]


def test_cli_path_same_entity(collab_store: Path) -> None:
    run = cli(collab_store, "path", "Anora", "Anora")
    assert run.stdout.strip() == "Anora and Anora are the same entity"
    assert json.loads(cli(collab_store, "path", "Anora", "Anora", "--json").stdout)["paths"] == [[]]


@pytest.mark.parametrize("args", [("Nobody Here", "Anora"), ("Anora", "Nobody Here")])
def test_cli_path_unknown_entity_exits_5(collab_store: Path, args: tuple[str, str]) -> None:
    run = cli_fails(collab_store, "path", *args)
    assert run.exit_code == 5
    assert run.stderr.startswith('error: no entity "Nobody Here"')


def test_cli_path_refuses_max_paths_0(collab_store: Path) -> None:
    run = cli_fails(collab_store, "path", "Anora", "Drip", "--max-paths", "0")
    assert run.exit_code == 2
    assert "--max-paths" in run.stderr


# =============================================================================== CLI: neighbors


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_neighbors_every_format(collab_store: Path, collab_mem: KnowledgeGraph, fmt: str, depth: int) -> None:
    run = cli(collab_store, "neighbors", "Mikey Madison", "--depth", str(depth), "--format", fmt)
    expected = [
        [str(n.distance), n.label, ", ".join(n.types), n.via] for n in neighbors(collab_mem, "Mikey Madison", depth=depth)
    ]
    assert len(expected) == (3 if depth == 1 else 7)
    if fmt == "csv":
        assert list(_csv(run.stdout)[0]) == ["distance", "label", "types", "via"]
        assert [[row["distance"], row["label"], row["types"], row["via"]] for row in _csv(run.stdout)] == expected
    else:
        assert [[str(row["distance"]), row["label"], row["types"], row["via"]] for row in json.loads(run.stdout)] == expected


def test_cli_neighbors_unknown_entity_exits_5(collab_store: Path) -> None:
    run = cli_fails(collab_store, "neighbors", "Nobody Here")
    assert run.exit_code == 5
    assert "Nobody Here" in run.stderr


# ============================================================================== CLI: analyze

FORMATS = ("csv", "json")
"""The machine-readable formats, which the tests read; ``table`` (for people) is checked by
:func:`test_cli_tables_show_the_columns_without_iris`."""


def _rows(run: Run, fmt: str) -> list[dict[str, str]]:
    """The printed rows as dicts of strings, in either machine-readable format."""
    if fmt == "csv":
        return _csv(run.stdout)
    records = json.loads(run.stdout)
    assert isinstance(records, list)
    return [{k: str(v) for k, v in record.items()} for record in records]


@pytest.mark.parametrize(
    "args",
    [
        ("neighbors", "Mikey Madison", "--depth", "2"),
        ("analyze", "centrality", "--projection", "collaboration"),
        ("analyze", "communities"),
        ("analyze", "components"),
        ("analyze", "stats"),
    ],
)
def test_cli_tables_show_the_columns_without_iris(collab_store: Path, args: tuple[str, ...]) -> None:
    """The default table holds the columns of ``--format json`` except the entity IRIs, and no IRI."""
    table = cli(collab_store, *args).stdout
    data = json.loads(cli(collab_store, *args, "--format", "json").stdout)
    records = [row for rows in data.values() for row in rows] if isinstance(data, dict) else data
    assert records
    columns = {column for record in records for column in record} - {"entity"}
    assert all(column in table for column in columns), (columns, table)
    assert RES not in table


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("measure", MEASURES)
def test_cli_centrality_every_measure_projection_and_format(
    collab_store: Path, collab_mem: KnowledgeGraph, measure: str, projection: str, fmt: str
) -> None:
    run = cli(collab_store, "analyze", "centrality", "--measure", measure, "--projection", projection,
              "--top", "0", "--format", fmt)  # fmt: skip
    g = to_networkx(collab_mem, projection)
    expected = _ranked(g, _nx_scores(g, measure))
    rows = _rows(run, fmt)
    assert len(rows) == g.number_of_nodes()
    assert list(rows[0]) == ["entity", "label", "type", "score"]
    assert [row["entity"] for row in rows] == [n for n, _, _ in expected]
    got = {row["entity"]: float(row["score"]) for row in rows}
    assert got == pytest.approx({n: s for n, _, s in expected}, abs=1e-6)
    assert [row["label"] for row in rows] == [label for _, label, _ in expected]
    assert [float(row["score"]) for row in rows] == pytest.approx([s for _, _, s in expected], abs=1e-6)
    assert [row["type"] for row in rows] == [g.nodes[n]["type"] for n, _, _ in expected]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_centrality_top(collab_store: Path, fmt: str) -> None:
    rows = _rows(cli(collab_store, "analyze", "centrality", "--projection", "collaboration", "--top", "3",
                     "--format", fmt), fmt)  # fmt: skip
    assert [row["label"] for row in rows] == ["Samantha Quan", "Sean Baker", "Mikey Madison"]
    assert [float(row["score"]) for row in rows] == pytest.approx([4 / 7, 4 / 7, 3 / 7], abs=1e-6)
    default = _rows(cli(collab_store, "analyze", "centrality", "--format", fmt), fmt)
    assert len(default) == 10


def test_cli_centrality_readme_example(anora_store: Path, anora_mem: KnowledgeGraph) -> None:
    rows = _csv(cli(anora_store, "analyze", "centrality", "--measure", "betweenness", "--top", "5", "--format", "csv").stdout)
    expected = centrality(anora_mem, measure="betweenness", top=5)
    assert [row["label"] for row in rows] == list(expected["label"])
    assert (rows[0]["label"], rows[0]["type"]) == ("Anora", "Film")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("projection", PROJECTIONS)
def test_cli_communities_every_projection_and_format(
    collab_store: Path, collab_mem: KnowledgeGraph, projection: str, fmt: str
) -> None:
    run = cli(collab_store, "analyze", "communities", "--projection", projection, "--format", fmt)
    rows = _rows(run, fmt)
    g = to_networkx(collab_mem, projection)
    labels = sorted(g.nodes[n]["label"] for n in g)
    assert sorted(row["label"] for row in rows) == labels  # every node exactly once
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row["community"], []).append(row["label"])
    for number, members in groups.items():
        assert {row["size"] for row in rows if row["community"] == number} == {str(len(members))}
    assert sorted(groups, key=int) == [str(i) for i in range(len(groups))]
    assert list(rows[0]) == ["community", "size", "entity", "label", "type"]
    assert sorted(row["entity"] for row in rows) == sorted(g.nodes)
    expected = communities(collab_mem, projection=projection)
    assert [row["label"] for row in rows] == list(expected["label"])


def test_cli_communities_deterministic_with_seed(anora_store: Path) -> None:
    args = ("analyze", "communities", "--projection", "entity", "--seed", "3", "--format", "csv")
    first, second = cli(anora_store, *args), cli(anora_store, *args)
    assert first.stdout == second.stdout
    rows = _csv(first.stdout)
    assert len(rows) == 26 and len({row["entity"] for row in rows}) == 26


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("projection", "expected"),
    [
        ("entity", [("12", "Anora"), ("3", "Quiet Film"), ("2", "Lone Film")]),
        ("collaboration", [("5", "Sean Baker"), ("2", "Bob Baker"), ("1", "Lone Director")]),
        ("person-film", [("7", "Anora"), ("3", "Quiet Film"), ("2", "Lone Film")]),
    ],
)
def test_cli_components_every_projection_and_format(
    collab_store: Path, projection: str, expected: list[tuple[str, str]], fmt: str
) -> None:
    rows = _rows(cli(collab_store, "analyze", "components", "--projection", projection, "--format", fmt), fmt)
    assert [(row["size"], row["hub"]) for row in rows] == expected
    assert [row["component"] for row in rows] == ["0", "1", "2"]
    assert rows[-1]["members"] in ("Lone Director, Lone Film", "Lone Director")
    top = _rows(cli(collab_store, "analyze", "components", "--projection", projection, "--top", "1",
                    "--format", fmt), fmt)  # fmt: skip
    assert [(row["size"], row["hub"]) for row in top] == expected[:1]


def _stats_from_cli(run: Run, fmt: str) -> dict[str, list[dict[str, str]]]:
    if fmt == "json":
        data = json.loads(run.stdout)
        return {k: [{c: str(v) for c, v in row.items()} for row in rows] for k, rows in data.items()}
    sections: dict[str, list[str]] = {}
    current = ""
    for line in run.stdout.splitlines():
        if line.startswith("# "):
            current = line[2:]
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: _csv("\n".join(lines) + "\n") for k, lines in sections.items()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["collab", "anora"])
def test_cli_stats_every_format_matches_sparql(
    collab_store: Path, anora_store: Path, collab_mem: KnowledgeGraph, anora_mem: KnowledgeGraph, which: str, fmt: str
) -> None:
    store, mem = (collab_store, collab_mem) if which == "collab" else (anora_store, anora_mem)
    run = cli(store, "analyze", "stats", "--format", fmt)
    got = _stats_from_cli(run, fmt)
    assert list(got) == ["summary", "classes", "relations", "sources"]
    expected = _expected_stats(mem)
    summary = {row["measure"]: row["value"] for row in got["summary"]}
    assert int(summary["entities"]) == expected["everyone"]
    assert int(summary["relations (edges)"]) == expected["edges"]
    assert float(summary["density"]) == pytest.approx(expected["density"], abs=1e-6)
    assert int(summary["weakly connected components"]) == (3 if which == "collab" else 1)
    assert int(summary["sources"]) == 1
    assert {row["relation"]: (int(row["edges"]), int(row["statements"])) for row in got["relations"]} == expected[
        "relations"
    ]
    assert {row["class"]: int(row["entities"]) for row in got["classes"]} == expected["classes"]
    assert [(row["source"], int(row["rows"]), int(row["triples"]), int(row["statements"])) for row in got["sources"]] == (
        expected["sources"]
    )


def test_cli_stats_json_numbers_are_numbers(collab_store: Path) -> None:
    data = json.loads(cli(collab_store, "analyze", "stats", "--format", "json").stdout)
    assert all(isinstance(row["entities"], int) for row in data["classes"])
    assert all(isinstance(row["edges"], int) and isinstance(row["statements"], int) for row in data["relations"])
    assert isinstance({row["measure"]: row["value"] for row in data["summary"]}["density"], float)


# ======================================================================= CLI: errors are clean


@pytest.mark.parametrize(
    "args",
    [
        ("neighbors", "Anora", "--format", "yaml"),
        ("analyze", "centrality", "--format", "xml"),
        ("analyze", "communities", "--format", "xml"),
        ("analyze", "components", "--format", "xml"),
        ("analyze", "stats", "--format", "xml"),
    ],
)
def test_cli_bad_format_is_a_usage_error(collab_store: Path, args: tuple[str, ...]) -> None:
    run = cli_fails(collab_store, *args)
    assert run.exit_code == 2
    message = plain(run.stderr)
    assert "Invalid value for '--format'" in message and "is not one of 'table', 'csv', 'json'" in message


def test_cli_unknown_measure(collab_store: Path) -> None:
    run = cli_fails(collab_store, "analyze", "centrality", "--measure", "closeness")
    assert run.exit_code == 2
    assert "is not one of 'degree', 'betweenness', 'pagerank'" in plain(run.stderr)


@pytest.mark.parametrize("command", ["centrality", "communities", "components"])
def test_cli_unknown_projection(collab_store: Path, command: str) -> None:
    run = cli_fails(collab_store, "analyze", command, "--projection", "people")
    assert run.exit_code == 2
    assert "is not one of 'entity', 'collaboration', 'person-film'" in plain(run.stderr)


def test_unknown_projection_or_measure_in_python(collab_kg: KnowledgeGraph) -> None:
    with pytest.raises(UsageError, match='unknown projection "people": use one of entity, collaboration, person-film'):
        centrality(collab_kg, projection="people")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match='unknown measure "closeness": use one of degree, betweenness, pagerank'):
        centrality(collab_kg, measure="closeness")  # type: ignore[arg-type]


@pytest.mark.parametrize("args", [("analyze", "centrality", "--top", "-1"), ("neighbors", "Anora", "--depth", "0")])
def test_cli_out_of_range_numbers(collab_store: Path, args: tuple[str, ...]) -> None:
    run = cli_fails(collab_store, *args)
    assert run.exit_code == 2


@pytest.mark.parametrize(
    "args", [("analyze", "stats"), ("analyze", "centrality"), ("path", "A", "B"), ("neighbors", "A")]
)
def test_cli_analysis_without_a_store_exits_4(tmp_path: Path, args: tuple[str, ...]) -> None:
    run = cli_fails(tmp_path / "missing", *args)
    assert run.exit_code == 4
    assert run.stderr.startswith("error: no store at")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["centrality", "communities", "components"])
def test_cli_analyze_an_empty_store(tmp_path: Path, command: str, fmt: str) -> None:
    store = tmp_path / "store"
    data = _write(tmp_path, "gone.csv", "subject,predicate,object\nSean Baker,directed,Anora\n")
    with KnowledgeGraph.open(store) as graph:  # a store whose only source was dropped
        graph.ingest(data)
        graph.drop("gone.csv")
    run = cli(store, "analyze", command, "--format", fmt)
    if fmt == "json":
        assert json.loads(run.stdout) == []
    else:
        assert _csv(run.stdout) == [] and run.stdout.count("\n") == 1
    assert cli(store, "analyze", command).stdout.strip()  # the table prints its header
