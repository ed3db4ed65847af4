"""SPARQL through the API: results, their formats, bindings, named queries and the network guard.

The named queries run on the Anora data in memory and on disk (``anora_graph``); the rest on the tiny fixture.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas
import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, NetworkRefusedError, NotFoundError, QueryError
from kg.vocab import FILM, RES, XSD
from kg.query import GRAPH_FORMATS, TABLE_FORMATS, QueryResult, named_queries
from kg.sparql import refuse_network

ARTICLE = "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong"
WD = "http://www.wikidata.org/entity/"


def _res(name: str) -> ox.NamedNode:
    return ox.NamedNode(RES + name)


# ------------------------------------------------------------------------------ result kinds


def test_select_result(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("SELECT ?a ?c WHERE { ?a film:actedIn res:anora } ORDER BY ?a")
    assert result.kind == "select"
    assert result.variables == ["a", "c"]
    assert len(result) == 2
    assert result.rows == [(_res("mark_eydelshteyn"), None), (_res("mikey_madison"), None)]
    assert result.boolean is None and result.triples == []


@pytest.mark.parametrize(("sparql", "answer"), [("ASK { res:sean_baker film:directed res:anora }", True),
                                                ("ASK { res:anora film:directed res:sean_baker }", False)])
def test_ask_result(tiny_kg: KnowledgeGraph, sparql: str, answer: bool) -> None:
    result = tiny_kg.query(sparql)
    assert result.kind == "ask"
    assert result.boolean is answer
    assert len(result) == 1


def test_construct_result(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("CONSTRUCT { ?f film:hasCast ?a } WHERE { ?a film:actedIn ?f }")
    assert result.kind == "graph"
    assert len(result) == 2
    cast = ox.NamedNode(FILM + "hasCast")
    assert set(result.triples) == {
        ox.Triple(_res("anora"), cast, _res("mikey_madison")),
        ox.Triple(_res("anora"), cast, _res("mark_eydelshteyn")),
    }


def test_describe_result(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("DESCRIBE res:neon")
    assert result.kind == "graph"
    assert result.triples
    assert {t.subject for t in result.triples} == {_res("neon")}
    labels = [t.object for t in result.triples if t.predicate.value.endswith("#label")]
    assert labels == [ox.Literal("Neon")]


# ------------------------------------------------------------------------------ plain values


def test_records_convert_values(tiny_kg: KnowledgeGraph) -> None:
    sparql = """SELECT ?film ?released ?n ?ok ?when ?missing ?name WHERE {
        res:anora film:releaseDate ?released . BIND(res:anora AS ?film) BIND(7 AS ?n) BIND(true AS ?ok)
        ?st film:date ?when . res:anora rdfs:label ?name
        OPTIONAL { res:anora film:nothing ?missing } }"""
    (record,) = list(tiny_kg.query(sparql).records())
    assert record == {
        "film": RES + "anora",
        "released": dt.date(2024, 10, 18),
        "n": 7,
        "ok": True,
        "when": dt.date(2025, 3, 2),
        "missing": None,
        "name": "Anora",
    }


def test_records_decimal_double_and_duration(tiny_kg: KnowledgeGraph) -> None:
    sparql = "SELECT ?d ?f ?dur WHERE { BIND(2.5 AS ?d) BIND(1.0e0 AS ?f) ?st rdf:predicate film:trainedFor ; film:duration ?dur }"
    (record,) = list(tiny_kg.query(sparql).records())
    assert record["d"] == Decimal("2.5")
    assert isinstance(record["f"], float) and record["f"] == 1.0
    assert record["dur"] == "P5M"


def test_to_dataframe_select(tiny_kg: KnowledgeGraph) -> None:
    frame = tiny_kg.query(
        "SELECT ?name ?character WHERE { ?st rdf:subject ?p ; rdf:predicate film:actedIn ; film:character ?c . "
        "?p rdfs:label ?name . ?c rdfs:label ?character } ORDER BY ?name"
    ).to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["name", "character"]
    assert frame.values.tolist() == [["Mark Eydelshteyn", "Ivan"], ["Mikey Madison", "Ani"]]


def test_to_dataframe_empty_select_keeps_columns(tiny_kg: KnowledgeGraph) -> None:
    frame = tiny_kg.query("SELECT ?a ?b WHERE { ?a film:nothing ?b }").to_dataframe()
    assert frame.shape == (0, 2)
    assert list(frame.columns) == ["a", "b"]


def test_to_dataframe_graph_and_ask(tiny_kg: KnowledgeGraph) -> None:
    frame = tiny_kg.query("CONSTRUCT { ?a film:actedIn ?f } WHERE { ?a film:actedIn ?f }").to_dataframe()
    assert list(frame.columns) == ["subject", "predicate", "object"]
    assert sorted(frame["subject"]) == [RES + "mark_eydelshteyn", RES + "mikey_madison"]
    assert set(frame["predicate"]) == {FILM + "actedIn"}
    ask = tiny_kg.query("ASK { ?a film:actedIn ?f }").to_dataframe()
    assert ask["ask"].tolist() == [True]


# ------------------------------------------------------------------------------ serialization

SELECT_CAST = "SELECT ?a ?name WHERE { ?a film:actedIn res:anora ; rdfs:label ?name } ORDER BY ?name"


def test_serialize_csv(tiny_kg: KnowledgeGraph) -> None:
    text = tiny_kg.query(SELECT_CAST).serialize("csv")
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "name"],
        [RES + "mark_eydelshteyn", "Mark Eydelshteyn"],
        [RES + "mikey_madison", "Mikey Madison"],
    ]


def test_serialize_csv_quotes_commas_and_quotes(tiny_kg: KnowledgeGraph) -> None:
    text = tiny_kg.query('SELECT ?x WHERE { BIND("a, \\"b\\"\\nc" AS ?x) }').serialize("csv")
    assert list(csv.reader(io.StringIO(text))) == [["x"], ['a, "b"\nc']]


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_serialize_tsv_and_json_parse_back(tiny_kg: KnowledgeGraph, fmt: str) -> None:
    sparql = (
        "SELECT ?a ?name ?released ?none WHERE { ?a film:actedIn ?f ; rdfs:label ?name . "
        "?f film:releaseDate ?released OPTIONAL { ?a film:nothing ?none } } ORDER BY ?name"
    )
    result = tiny_kg.query(sparql)
    text = result.serialize(fmt)
    parsed = ox.parse_query_results(text.encode("utf-8"), format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == result.variables
    assert [tuple(s[v] for v in result.variables) for s in parsed] == result.rows
    assert result.rows[0][2] == ox.Literal("2024-10-18", datatype=ox.NamedNode(XSD + "date"))


def test_serialize_json_document(tiny_kg: KnowledgeGraph) -> None:
    document = json.loads(tiny_kg.query(SELECT_CAST).serialize("json"))
    assert document["head"] == {"vars": ["a", "name"]}
    assert document["results"]["bindings"][1] == {
        "a": {"type": "uri", "value": RES + "mikey_madison"},
        "name": {"type": "literal", "value": "Mikey Madison"},
    }


@pytest.mark.parametrize("answer", [True, False])
def test_serialize_ask(tiny_kg: KnowledgeGraph, answer: bool) -> None:
    result = tiny_kg.query("ASK { ?a film:actedIn ?f }" if answer else "ASK { ?a film:nothing ?f }")
    parsed = ox.parse_query_results(result.serialize("json").encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    assert bool(parsed) is answer
    assert result.serialize("csv").strip() == str(answer).lower()
    assert result.serialize("tsv").strip() == str(answer).lower()


_RDF = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
        "trig": ox.RdfFormat.TRIG}


def test_graph_formats_are_the_documented_ones() -> None:
    assert set(GRAPH_FORMATS) == set(_RDF)
    assert set(TABLE_FORMATS) == {"table", "csv", "tsv", "json"}


@pytest.mark.parametrize("fmt", list(_RDF))
def test_serialize_graph_parses_back(tiny_kg: KnowledgeGraph, fmt: str) -> None:
    result = tiny_kg.query(
        "CONSTRUCT { ?st ?q ?v } WHERE { ?st rdf:predicate film:trainedFor ; ?q ?v }"
    )
    assert len(result) > 5
    text = result.serialize(fmt)
    parsed = {q.triple for q in ox.parse(text.encode("utf-8"), format=_RDF[fmt])}
    assert parsed == set(result.triples)


def test_turtle_uses_the_ontology_prefixes(tiny_kg: KnowledgeGraph) -> None:
    text = tiny_kg.query("CONSTRUCT { ?a film:actedIn ?f } WHERE { ?a film:actedIn ?f }").serialize("turtle")
    assert "@prefix film:" in text and "film:actedIn" in text


@pytest.mark.parametrize(
    ("sparql", "fmt"),
    [(SELECT_CAST, "turtle"), ("ASK { ?s ?p ?o }", "nt"), ("CONSTRUCT WHERE { ?s ?p ?o }", "csv"),
     ("CONSTRUCT WHERE { ?s ?p ?o }", "json"), (SELECT_CAST, "xml")],
)
def test_serialize_wrong_format(tiny_kg: KnowledgeGraph, sparql: str, fmt: str) -> None:
    with pytest.raises(QueryError, match=fmt):
        tiny_kg.query(sparql).serialize(fmt)


# ------------------------------------------------------------------------------------- bind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Anora", _res("anora")),
        ("  aNoRa ", _res("anora")),
        ("Mikey Madison", _res("mikey_madison")),
        ("mikey   madison", _res("mikey_madison")),
        ("res:anora", _res("anora")),
        ("wd:Q5", ox.NamedNode(WD + "Q5")),
        ("film:Person", ox.NamedNode(FILM + "Person")),
        (f"<{RES}anora>", _res("anora")),
        ("<http://example.org/not-in-the-store>", ox.NamedNode("http://example.org/not-in-the-store")),
        ("42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
        ("-7", ox.Literal("-7", datatype=ox.NamedNode(XSD + "integer"))),
        ('"Anora"', ox.Literal("Anora")),
        ("'Mikey Madison'", ox.Literal("Mikey Madison")),
        ('"42"', ox.Literal("42")),
    ],
)
def test_bind_resolution(tiny_kg: KnowledgeGraph, value: str, expected: ox.NamedNode | ox.Literal) -> None:
    result = tiny_kg.query("SELECT ?x WHERE { }", bind={"x": value})
    assert result.rows == [(expected,)]


def test_bind_resolves_an_rdf_label(tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text('<http://example.org/p/42> <http://www.w3.org/2000/01/rdf-schema#label> "Chloé Zhao" .\n',
                    encoding="utf-8")
    tiny_kg.ingest(data)
    result = tiny_kg.query("SELECT ?x WHERE { }", bind={"x": "CHLOÉ ZHAO"})
    assert result.rows == [(ox.NamedNode("http://example.org/p/42"),)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.5", ox.Literal("2.5", datatype=ox.NamedNode(XSD + "decimal"))),
     ("-0.75", ox.Literal("-0.75", datatype=ox.NamedNode(XSD + "decimal")))],
)
def test_bind_decimal_number(tiny_kg: KnowledgeGraph, value: str, expected: ox.Literal) -> None:
    """A number is a number: ``--bind x=2.5`` is a decimal, not the string "2.5"."""
    result = tiny_kg.query("SELECT ?x WHERE { }", bind={"x": value})
    assert result.rows == [(expected,)]


def test_bind_question_mark_is_optional(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("SELECT ?x WHERE { }", bind={"?x": "Anora"})
    assert result.rows == [(_res("anora"),)]


def test_bind_a_variable_that_is_not_projected(tiny_kg: KnowledgeGraph) -> None:
    sparql = "SELECT ?name WHERE { ?p film:actedIn ?f ; rdfs:label ?name } ORDER BY ?name"
    assert len(tiny_kg.query(sparql)) == 2
    result = tiny_kg.query(sparql, bind={"p": "Mikey Madison"})
    assert [r["name"] for r in result.records()] == ["Mikey Madison"]


def test_bind_reaches_filters(tiny_kg: KnowledgeGraph) -> None:
    """A bound variable has its value everywhere in the query, FILTER included."""
    sparql = "SELECT ?name WHERE { ?p film:actedIn ?f ; rdfs:label ?name FILTER(?name = ?wanted) }"
    result = tiny_kg.query(sparql, bind={"wanted": '"Mikey Madison"'})
    assert [r["name"] for r in result.records()] == ["Mikey Madison"]


def test_bind_invalid_iri(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        tiny_kg.query("SELECT ?x WHERE { }", bind={"x": "<not an iri>"})


# -------------------------------------------------------------------------- named queries


def test_named_queries_are_the_shipped_files() -> None:
    queries = named_queries()
    shipped = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "ontology" / "queries").glob("*.rq"))
    assert sorted(queries) == shipped
    for name, item in queries.items():
        assert item.name == name
        assert len(item.description) > 10
    assert queries["training"].parameters == ("person",)
    assert queries["evidence"].parameters == ("entity",)
    assert queries["cast"].parameters == ("film",)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs_on_the_anora_data(anora_graph: KnowledgeGraph, name: str) -> None:
    result = anora_graph.query(name=name)
    assert result.kind == "select"
    assert len(result) > 0


def _records(graph: KnowledgeGraph, name: str, **bind: str) -> list[dict[str, object]]:
    return list(graph.query(name=name, bind=bind).records())


def test_named_training(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "training")
    five_months = [r for r in records if r["duration"] == "P5M"]
    assert len(five_months) == 1
    (row,) = five_months
    assert row["name"] == "Mikey Madison"
    assert row["trainedFor"] == "Anora"
    assert row["skill"] == "pole dancing"
    assert "five months training" in str(row["quote"])
    assert {r["duration"] for r in records} >= {"P5M", "P6M", "P20W"}
    assert any(r["skill"] == "observation" and r["location"] == "New York" for r in records)


def test_named_training_bound_to_a_person(anora_graph: KnowledgeGraph) -> None:
    assert len(_records(anora_graph, "training", person="Mikey Madison")) == len(_records(anora_graph, "training"))
    assert _records(anora_graph, "training", person="Sean Baker") == []


def test_named_cast(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "cast", film="Anora")
    assert {(r["actor"], r["character"]) for r in records} == {
        ("Mikey Madison", "Ani"), ("Mark Eydelshteyn", "Ivan"), ("Yura Borisov", "Igor")
    }
    assert {r["title"] for r in records} == {"Anora"}
    every = _records(anora_graph, "cast")
    assert {"Scream", "Once Upon a Time in Hollywood"} <= {r["title"] for r in every}


def test_named_scene_songs(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "scene-songs")
    assert {"title": "Anora", "scene": "Drip dance scene", "song": "Drip", "performer": "Brooke Candy"} in records


def test_named_scene_songs_bound_to_a_film(anora_graph: KnowledgeGraph) -> None:
    assert _records(anora_graph, "scene-songs", film="Anora") == _records(anora_graph, "scene-songs")
    assert _records(anora_graph, "scene-songs", film="Scream") == []


def test_named_advisors(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "advisors", film="Anora")
    assert len(records) == 1
    (row,) = records
    assert row["name"] == "Andrea Werhun" and row["advised"] == "Anora"
    assert "consultant" in str(row["role"])
    assert "Modern Whore" in str(row["quote"])


def test_named_awards(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "awards", person="Mikey Madison")
    assert len(records) == 1
    (row,) = records
    assert row["award"] == "Academy Award for Best Actress"
    assert row["outcome"] == "won"
    assert str(row["date"]).startswith("2025")
    assert row["forWork"] == "Anora"
    assert _records(anora_graph, "awards", person="Sean Baker") == []


def test_named_choreography(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "choreography")
    pairs = {(r["name"], r["choreographed"]) for r in records}
    assert ("Mikey Madison", "Drip dance scene") in pairs
    assert ("Mikey Madison's pole dance instructor", "Drip dance scene") in pairs


def test_named_evidence(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "evidence", entity="Andrea Werhun")
    assert {(r["subject"], r["relation"], r["object"]) for r in records} == {
        ("Andrea Werhun", "advised", "Anora"), ("Andrea Werhun", "authored", "Modern Whore")
    }
    for row in records:
        assert row["source"] == ARTICLE
        assert "Andrea Werhun, who wrote Modern Whore" in str(row["quote"])


def test_named_evidence_includes_facts_an_entity_qualifies(anora_graph: KnowledgeGraph) -> None:
    records = _records(anora_graph, "evidence", entity="New York")
    assert [(r["subject"], r["relation"], r["object"]) for r in records] == [("Mikey Madison", "trained for", "Anora")]
    assert "clubs in New York" in str(records[0]["quote"])


def test_unknown_named_query(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match='no named query "trainig" \\(did you mean "training"\\?\\)') as caught:
        tiny_kg.query(name="trainig")
    assert caught.value.exit_code == 5


def test_query_needs_exactly_one_of_sparql_and_name(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError):
        tiny_kg.query("ASK {}", name="cast")
    with pytest.raises(ValueError):
        tiny_kg.query()


# ----------------------------------------------------------------------- errors and network


def test_syntax_error_has_its_position(tiny_kg: KnowledgeGraph) -> None:
    sparql = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s ?p }"
    with pytest.raises(QueryError) as caught:
        tiny_kg.query(sparql)
    message = str(caught.value)
    assert message.startswith("SPARQL syntax error")
    assert "3:" in message
    lines = message.splitlines()
    assert lines[1].strip() == "?s ?p }"
    assert lines[2].strip() == "^"
    assert caught.value.exit_code == 6
    assert isinstance(caught.value.__cause__, SyntaxError)


@pytest.mark.parametrize(
    "sparql",
    [
        'SELECT * WHERE { ?s ?p "use SERVICE <http://x/> here" }',
        "SELECT * WHERE { ?s ?p 'LOAD <http://x/>' }",
        'SELECT * WHERE { ?s ?p """two\nSERVICE <http://x/> { }\nlines""" }',
        'SELECT * WHERE { ?s ?p "a \\" SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT * WHERE { ?s ?p <http://example.org/load#service> }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
        "# LOAD <http://x/>\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT ?service WHERE { ?service ?load $service }",
        "SELECT * WHERE { ?serviceName ?p ?loaded }",
        "SELECT * WHERE { ?s film:service ?o . ?s res:LOAD ?x }",
    ],
)
def test_refuse_network_ignores_strings_iris_comments_and_variables(sparql: str) -> None:
    refuse_network(sparql)


@pytest.mark.parametrize(
    ("sparql", "keyword"),
    [
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("select * where { service <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE {\nSERVICE\n<http://x/>{} }", "SERVICE"),
        ('SELECT * WHERE { ?s ?p "#" . SERVICE<http://x/>{} }', "SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o } # it's\nSERVICE <http://x/> { }", "SERVICE"),
        ("SELECT * WHERE { ?s <http://x/it's> ?o . SERVICE <http://x/> { } }", "SERVICE"),
        ("LOAD <http://x/data.ttl>", "LOAD"),
        ("load silent <http://x/data.ttl> INTO GRAPH <http://x/g>", "LOAD"),
    ],
)
def test_refuse_network_refuses_service_and_load(sparql: str, keyword: str) -> None:
    with pytest.raises(NetworkRefusedError, match=keyword) as caught:
        refuse_network(sparql)
    assert isinstance(caught.value, QueryError)
    assert caught.value.exit_code == 6
    assert "allow_network" in str(caught.value)


def test_query_refuses_service_before_running(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(NetworkRefusedError):
        tiny_kg.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_query_with_a_variable_named_service(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("SELECT ?service WHERE { ?service film:directed res:anora }")
    assert result.rows == [(_res("sean_baker"),)]


# ----------------------------------------------------------------------------- union, prefixes


def test_queries_see_every_named_graph(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    two = tmp_path / "two.csv"
    two.write_text("subject,predicate,object\nMikey Madison,acted-in,Anora\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest([one, two])
    result = graph.query("SELECT ?who WHERE { { ?who film:directed res:anora } UNION { ?who film:actedIn res:anora } }")
    assert {row[0] for row in result.rows} == {_res("sean_baker"), _res("mikey_madison")}
    # a join across two files' graphs
    assert graph.query("ASK { ?d film:directed ?f . ?a film:actedIn ?f }").boolean is True
    # and the facts really live in two different named graphs
    graphs = graph.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { { ?x film:directed ?f } UNION { ?x film:actedIn ?f } } }"
    )
    assert len(graphs) == 2


def test_queries_see_the_ontology(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("SELECT ?label WHERE { film:trainedFor rdfs:label ?label }")
    assert [r["label"] for r in result.records()] == ["trained for"]


def test_prefixes_are_declared() -> None:
    graph = KnowledgeGraph.memory()
    sparql = (
        "SELECT ?x WHERE { VALUES ?x { film:a res:b rdf:c rdfs:d owl:e xsd:f prov:g schema:h wd:Q1 wdt:P57 } }"
    )
    values = {row[0].value for row in graph.query(sparql).rows}  # type: ignore[union-attr]
    assert values == {
        FILM + "a",
        RES + "b",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#c",
        "http://www.w3.org/2000/01/rdf-schema#d",
        "http://www.w3.org/2002/07/owl#e",
        XSD + "f",
        "http://www.w3.org/ns/prov#g",
        "https://schema.org/h",
        WD + "Q1",
        "http://www.wikidata.org/prop/direct/P57",
    }


def test_query_result_is_a_frozen_value(tiny_kg: KnowledgeGraph) -> None:
    result = tiny_kg.query("ASK {}")
    assert isinstance(result, QueryResult)
    with pytest.raises(AttributeError):
        result.kind = "select"  # type: ignore[misc]


def test_syntax_error_with_bind_reports_the_position_in_the_text_written(tiny_kg: KnowledgeGraph) -> None:
    """Bindings are spliced into the query; an error must still point into what the user wrote."""
    text = "SELECT ?x WHERE { ?x ?p }"
    with pytest.raises(QueryError) as bound:
        tiny_kg.query(text, bind={"x": "Anora"})
    with pytest.raises(QueryError) as plain:
        tiny_kg.query(text)
    assert str(bound.value) == str(plain.value)
    assert "VALUES" not in str(bound.value)
