"""The Wikidata importer (kg/ingest/wikidata.py) on the shared samples (every file of
wikidata-openrefine-entities and wikidata-kevin-bacon-wdtk), on dump lines written here in the
documented layouts, and on bad input; counts are checked against json over the same files."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import invoke
from kg import KnowledgeGraph
from kg.errors import IngestError
from kg.ingest import importer_for, supported_files
from kg.ingest.wikidata import WikidataEntities
from kg.ontology import load_ontology
from kg.vocab import FILM, RES

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
OPENREFINE = REAL / "wikidata-openrefine-entities"
BACON = REAL / "wikidata-kevin-bacon-wdtk"
WD50K = REAL / "wd50k" / "wd50k" / "statements" / "valid.txt"
SAMPLES = sorted(OPENREFINE.glob("*.json")) + sorted(BACON.glob("*.json"))
WDT = "http://www.wikidata.org/prop/direct/"
WD = RES + "wikidata/"
ONTOLOGY = load_ontology()


def entities() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in SAMPLES]


def mapped(pid: str) -> bool:
    return any(not p.is_qualifier for p, _ in ONTOLOGY.matching(WDT + pid))


def identifier_pids() -> set[str]:
    return {m[len(WDT):] for s in ONTOLOGY.identifiers for m in s.mappings if m.startswith(WDT)}


def select(graph: KnowledgeGraph, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(getattr(term, "value", "") for term in row) for row in graph.query(sparql).rows]


def item(snak: dict[str, Any]) -> str:
    return str(snak["datavalue"]["value"]["id"])


@pytest.fixture(scope="module")
def samples() -> tuple[KnowledgeGraph, Any]:
    graph = KnowledgeGraph.memory()
    report = graph.ingest(SAMPLES, importer=WikidataEntities())
    return graph, report


# ------------------------------------------------------------------------------------ the samples


def test_every_sample_is_one_source_of_the_wikidata_importer(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, report = samples
    assert len(report.files) == len(SAMPLES) == 10
    assert {s.importer for s in graph.sources()} == {"wikidata"}
    assert {Path(s.path).name for s in graph.sources()} == {p.name for p in SAMPLES}


def test_cast_and_directors_point_from_the_person_to_the_film(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, _ = samples
    expected = {
        (relation, WD + item(s["mainsnak"]), WD + e["id"])
        for e in entities()
        for pid, relation in (("P161", "actedIn"), ("P57", "directed"))
        for s in e["claims"].get(pid, [])
        if s["mainsnak"]["snaktype"] == "value"
    }
    found = set(select(graph, "SELECT ?p ?s ?o WHERE { VALUES ?p { film:actedIn film:directed } ?s ?p ?o }"))
    assert {(FILM + r, s, o) for r, s, o in expected} == found
    assert len(found) == 30  # 16 + 7 + 4 cast members, and 3 directors
    # the inverse never appears: the film is never the subject
    assert not select(graph, f"SELECT ?o WHERE {{ <{WD}Q675031> film:actedIn|film:directed ?o }}")
    # the person, known only by QID here, is a Person labelled by its QID; the film keeps its label and class
    assert select(graph, f"SELECT ?l WHERE {{ <{WD}Q51562> a film:Person ; rdfs:label ?l }}") == [("Q51562",)]
    assert select(graph, f"SELECT ?l WHERE {{ <{WD}Q675031> a film:Film ; rdfs:label ?l }}") == [("Cluny Brown",)]


def test_unmapped_properties_are_counted_per_file_as_json_counts_them(samples: tuple[KnowledgeGraph, Any]) -> None:
    _, report = samples
    skip = identifier_pids() | {"P31"}
    for path, entity, file in zip(SAMPLES, entities(), report.files, strict=True):
        assert Path(file.path).name == path.name
        expected = Counter({pid: len(sts) for pid, sts in entity["claims"].items()
                            if pid not in skip and not mapped(pid)})  # fmt: skip
        warning = next(w.message for w in file.warnings if "Wikidata property has no mapping" in w.message)
        assert int(warning.split(" records")[0].replace(",", "")) == sum(expected.values())
        top = re.findall(r'"(P\d+)" \((\d+)\)', warning)
        assert top and all(expected[pid] == int(n) for pid, n in top)
        assert int(top[0][1]) == max(expected.values())


def test_references_become_sources_with_their_url_item_and_retrieved_date(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, _ = samples
    urls, stated, retrieved, unreferenced = set(), set(), set(), set()
    for e in entities():
        if e["id"] == "Q11223":  # the air force: its P31 maps to no class, its claims are left out
            continue
        for pid in ("P161", "P57", "P58", "P86", "P569", "P166", "P1411"):
            for s in e["claims"].get(pid, []):
                if s["mainsnak"]["snaktype"] != "value":
                    continue
                if not any({"P854", "P248", "P143"} & set(ref["snaks"]) for ref in s.get("references", [])):
                    unreferenced.add(s["id"])
                for ref in s.get("references", []):
                    snaks = ref["snaks"]
                    if "P854" in snaks:
                        urls.add((s["id"], snaks["P854"][0]["datavalue"]["value"]))
                    elif "P248" in snaks:
                        stated.add((s["id"], item(snaks["P248"][0])))
                    for snak in snaks.get("P813", []):
                        retrieved.add((s["id"], snak["datavalue"]["value"]["time"][1:11]))
    relations = "film:actedIn film:directed film:wrote film:composed film:birthDate film:wonAward film:nominatedFor"
    rows = select(graph, f"""SELECT ?record ?source ?retrieved WHERE {{
        VALUES ?p {{ {relations} }} ?st rdf:predicate ?p ; film:record ?record ; prov:wasDerivedFrom/rdfs:label ?source
        OPTIONAL {{ ?st film:retrieved ?retrieved }} FILTER(CONTAINS(?record, "$")) }}""")
    assert urls and stated and retrieved
    assert urls == {(r, s) for r, s, _ in rows if s.startswith("http") and "wikidata.org/wiki/" not in s}
    assert stated <= {(r, s) for r, s, _ in rows}
    assert retrieved == {(r, d) for r, _, d in rows if d}
    # a claim without references rests on the entity's page
    pages = {r for r, s, _ in rows if re.fullmatch(r"https://www\.wikidata\.org/wiki/Q\d+", s)}
    assert unreferenced <= pages and unreferenced


def test_award_qualifiers_map_and_unmapped_ones_are_reported(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, report = samples
    for_work = {(e["id"], item(s["mainsnak"]), item(q))
                for e in entities() if e["id"] != "Q11223" for pid in ("P166", "P1411") for s in e["claims"].get(pid, [])
                for q in s.get("qualifiers", {}).get("P1686", [])}  # fmt: skip
    rows = select(graph, """SELECT DISTINCT ?s ?a ?w WHERE { VALUES ?p { film:wonAward film:nominatedFor }
                            ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?a ; film:forWork ?w }""")
    assert {(s[len(WD):], a[len(WD):], w[len(WD):]) for s, a, w in rows} == for_work
    assert len(for_work) == 17
    # the air force's P31 (military branch) maps to no class: its nominations are left out, and said so
    air_force = next(f for f in report.files if f.path.endswith("Q11223.json"))
    assert any('their Wikidata class (P31) has no mapping: "Q61883" (3)' in w.message for w in air_force.warnings)
    assert sum(len(s) for p, s in json.loads((OPENREFINE / "Q11223.json").read_text())["claims"].items()
               if p in ("P1411", "P361")) == 3  # fmt: skip
    # Douglas Adams' nominations keep their year
    dates = select(graph, f"""SELECT DISTINCT ?d WHERE {{ ?st rdf:subject <{WD}Q42> ;
                              rdf:predicate film:nominatedFor ; film:date ?d }}""")
    q42 = json.loads((OPENREFINE / "Q42.json").read_text())
    years = {q["datavalue"]["value"]["time"][1:5] for s in q42["claims"]["P1411"] for q in s["qualifiers"]["P585"]}
    assert sorted(d for (d,) in dates) == sorted(years) == ["1979", "1983"]
    jackson = next(f for f in report.files if f.path.endswith("Q2831.json"))
    assert any("4 qualifier values not kept: P1706 (4)" in w.message for w in jackson.warnings)


def test_dates_keep_their_precision_and_durations_their_unit(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, _ = samples
    rows = dict(select(graph, """SELECT ?f (STR(?d) AS ?v) WHERE { ?f film:releaseDate ?d }"""))
    assert rows[WD + "Q675031"] == "1946-05-01"  # day precision
    assert rows[WD + "Q3987899"] == "2008"  # year precision written +2008-01-01
    kinds = dict(select(graph, "SELECT ?f (DATATYPE(?d) AS ?t) WHERE { ?f film:releaseDate ?d }"))
    assert kinds[WD + "Q3987899"].endswith("gYear")
    runtime = select(graph, f"SELECT ?d WHERE {{ <{WD}Q675031> film:runtime ?d }}")
    assert runtime in ([("PT108M",)], [("PT1H48M",)])
    assert select(graph, f"SELECT (STR(?d) AS ?v) WHERE {{ <{WD}Q42> film:birthDate ?d }}") == [("1952-03-11",)]


def test_identifiers_and_names(samples: tuple[KnowledgeGraph, Any]) -> None:
    graph, _ = samples
    card = graph.show("Douglas Adams")
    assert card.iri == WD + "Q42"
    assert card.identifiers == ["imdb:nm0010930", "tmdb:person/52843", "wd:Q42"]
    assert graph.show("tmdb:movie/222006").iri == WD + "Q64860145"  # Amsterdam's P4947
    aliases = {a for (a,) in select(graph, f"SELECT ?a WHERE {{ <{WD}Q42> film:alsoKnownAs ?a }}")}
    expected = {a["value"] for code in ("en", "mul") for a in entities()[SAMPLES.index(OPENREFINE / "Q42.json")]
                .get("aliases", {}).get(code, [])}  # fmt: skip
    assert aliases == expected and aliases
    # homonyms stay apart: the film and the novel it is based on are both "Cluny Brown"
    both = select(graph, 'SELECT ?e ?c WHERE { ?e rdfs:label "Cluny Brown" ; a ?c }')
    assert sorted(both) == [(WD + "Q5136636", FILM + "Work"), (WD + "Q675031", FILM + "Film")]


def test_another_language_and_its_fallbacks(tmp_path: Path) -> None:
    graph = KnowledgeGraph.memory()
    graph.ingest([OPENREFINE / "Q675031.json", OPENREFINE / "Q5136636.json"], importer=WikidataEntities(lang="de"))
    labels = dict(select(graph, "SELECT ?e ?l WHERE { ?e rdfs:label ?l ; a ?c }"))
    assert labels[WD + "Q675031"] == "Cluny Brown auf Freiersfüßen"
    assert labels[WD + "Q5136636"] == "Cluny Brown"  # the novel has an English label only


# ------------------------------------------------------------------------------------ dump lines


def _snak(pid: str, kind: str, value: Any) -> dict[str, Any]:
    return {"snaktype": "value", "property": pid, "datavalue": {"type": kind, "value": value}}


def _item(qid: str) -> dict[str, Any]:
    return {"entity-type": "item", "id": qid, "numeric-id": int(qid[1:])}


def _time(text: str, precision: int) -> dict[str, Any]:
    return {"time": text, "precision": precision, "timezone": 0, "before": 0, "after": 0,
            "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}  # fmt: skip


def _statement(sid: str, snak: dict[str, Any], rank: str = "normal", **extra: Any) -> dict[str, Any]:
    return {"id": sid, "type": "statement", "rank": rank, "mainsnak": snak, **extra}


FILM_ENTITY = {
    "type": "item", "id": "Q900001", "lastrevid": 77,
    "labels": {"en": {"language": "en", "value": "Test Film"}},
    "claims": {
        "P31": [_statement("Q900001$a", _snak("P31", "wikibase-entityid", _item("Q11424")))],
        "P161": [_statement("Q900001$cast", _snak("P161", "wikibase-entityid", _item("Q900002")), rank="preferred",
                            qualifiers={"P453": [_snak("P453", "wikibase-entityid", _item("Q900003"))],
                                        "P1545": [_snak("P1545", "string", "1")],
                                        "P9999": [_snak("P9999", "string", "x")]},
                            **{"qualifiers-order": ["P453", "P1545", "P9999"]},
                            references=[{"snaks": {"P854": [_snak("P854", "string", "https://example.org/cast")],
                                                   "P813": [_snak("P813", "time", _time("+2020-05-04T00:00:00Z", 11))],
                                                   "P1683": [_snak("P1683", "monolingualtext",
                                                                   {"text": "She plays Ann.", "language": "en"})]}},
                                        {"snaks": {"P248": [_snak("P248", "wikibase-entityid", _item("Q900004"))]}}])],
        "P57": [_statement("Q900001$dir", {"snaktype": "somevalue", "property": "P57"})],
        "P577": [_statement("Q900001$y", _snak("P577", "time", _time("+1952-00-00T00:00:00Z", 9))),
                 _statement("Q900001$m", _snak("P577", "time", _time("+1952-03-00T00:00:00Z", 10)), rank="deprecated"),
                 _statement("Q900001$c", _snak("P577", "time", _time("+1900-00-00T00:00:00Z", 7))),
                 _statement("Q900001$bce", _snak("P577", "time", _time("-0044-03-15T00:00:00Z", 11)))],
        "P2047": [_statement("Q900001$len", _snak("P2047", "quantity",
                                                  {"amount": "+95", "unit": "http://www.wikidata.org/entity/Q7727"}))],
    },
}  # fmt: skip
PERSON_ENTITY = {
    "type": "item", "id": "Q900002", "labels": {"fr": {"language": "fr", "value": "Anne Actrice"}},
    "claims": {"P31": [_statement("Q900002$a", _snak("P31", "wikibase-entityid", _item("Q5")))],
               "P345": [_statement("Q900002$imdb", _snak("P345", "external-id", "nm9000002"))]},
}  # fmt: skip
SOURCE_ENTITY = {"type": "item", "id": "Q900004", "labels": {"en": {"language": "en", "value": "Film Yearbook"}},
                 "claims": {}}  # fmt: skip


def dump(path: Path, *items: dict[str, Any], array: bool = True) -> Path:
    """Entities in the dump's layout: one per line, inside [ and ] lines with a comma after each but the last."""
    lines = [json.dumps(e) for e in items]
    text = "[\n" + ",\n".join(lines) + "\n]\n" if array else "\n".join(lines) + "\n"
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    with opener(path, "wt", encoding="utf-8") as out:
        out.write(text)
    return path


@pytest.mark.parametrize(("name", "array"), [("dump.json.gz", True), ("dump.ndjson.bz2", False), ("dump.json", True)])
def test_dump_lines_with_a_character_role_ranks_and_references(tmp_path: Path, name: str, array: bool) -> None:
    path = dump(tmp_path / name, FILM_ENTITY, PERSON_ENTITY, SOURCE_ENTITY, array=array)
    graph = KnowledgeGraph.memory()
    report = graph.ingest(path)  # found by its suffix and content
    assert graph.sources()[0].importer == "wikidata"
    rows = select(graph, f"""SELECT ?s ?l ?character ?order ?rank ?source ?quote ?retrieved WHERE {{
        ?st rdf:subject ?s ; rdf:predicate film:actedIn ; rdf:object <{WD}Q900001> ; film:character ?character ;
            film:order ?order ; film:rank ?rank ; film:record "Q900001$cast" ; prov:wasDerivedFrom/rdfs:label ?source .
        ?s rdfs:label ?l OPTIONAL {{ ?st film:quote ?quote }} OPTIONAL {{ ?st film:retrieved ?retrieved }} }}""")
    # one statement per reference; the person is labelled as the file labels it (its only label, in French)
    assert sorted(rows) == sorted([
        (WD + "Q900002", "Anne Actrice", WD + "Q900003", "1", "preferred", "https://example.org/cast",
         "She plays Ann.", "2020-05-04"),
        (WD + "Q900002", "Anne Actrice", WD + "Q900003", "1", "preferred", "Film Yearbook", "", ""),
    ])  # fmt: skip
    assert select(graph, f"SELECT ?c WHERE {{ <{WD}Q900003> a ?c }}") == [(FILM + "Character",)]
    # dates: a year, a month (deprecated, kept with its rank), a century and a BCE date left out
    dates = select(graph, """SELECT (STR(?d) AS ?v) ?rank WHERE { ?st rdf:predicate film:releaseDate ;
                             rdf:object ?d ; film:rank ?rank }""")
    assert sorted(dates) == [("1952", "normal"), ("1952-03", "deprecated")]
    assert select(graph, f"SELECT ?d WHERE {{ <{WD}Q900001> film:runtime ?d }}") in ([("PT95M",)], [("PT1H35M",)])
    warnings = " | ".join(w.message for w in report.warnings)
    assert "1 record skipped: a claim whose value is unknown (somevalue)" in warnings
    assert "a date less precise than a year" in warnings and "a date before year 1" in warnings
    assert "1 qualifier value not kept: P9999 (1)" in warnings
    assert report.left_out == 3
    # the person's IMDb id joins it to the same person from another file
    assert graph.show("imdb:nm9000002").iri == WD + "Q900002"


def test_a_csv_row_by_imdb_id_and_q42_are_one_entity(tmp_path: Path) -> None:
    table = tmp_path / "credits.csv"
    with table.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["subject", "subject_id", "predicate", "object"],
                                   ["D. Adams", "imdb:nm0010930", "wrote", "The Hitchhiker's Guide to the Galaxy"],
                                   ["Douglas Adams", "tmdb:person/52843", "acted-in", "Love Actually"]])  # fmt: skip
    graph = KnowledgeGraph.memory()
    graph.ingest(OPENREFINE / "Q42.json", importer=WikidataEntities())
    graph.ingest(table)
    writers = select(graph, "SELECT DISTINCT ?p WHERE { ?p film:wrote ?f }")
    actors = select(graph, "SELECT DISTINCT ?p WHERE { ?p film:actedIn ?f }")
    assert writers == actors == [(WD + "Q42",)]
    assert len(select(graph, "SELECT DISTINCT ?p WHERE { ?p film:imdbPersonId \"nm0010930\" }")) == 1


# ------------------------------------------------------------------------------------ the file contract


def test_reimport_unchanged_replaced_and_drop(tmp_path: Path) -> None:
    path = dump(tmp_path / "film.json", FILM_ENTITY, PERSON_ENTITY)
    graph = KnowledgeGraph.memory()
    graph.ingest(path, importer=WikidataEntities())
    before = len(graph)
    assert graph.ingest(path, importer=WikidataEntities()).files[0].status == "unchanged"
    assert len(graph) == before
    # another language is another reading of the file: it replaces the graph
    assert graph.ingest(path, importer=WikidataEntities(lang="fr")).files[0].status == "replaced"
    changed = json.loads(json.dumps(FILM_ENTITY))
    changed["labels"]["en"]["value"] = "Renamed Film"
    dump(path, changed, PERSON_ENTITY)
    assert graph.ingest(path, importer=WikidataEntities(lang="fr")).files[0].status == "replaced"
    assert len(graph.sources()) == 1
    assert select(graph, f"SELECT ?l WHERE {{ <{WD}Q900001> rdfs:label ?l }}") == [("Renamed Film",)]
    graph.drop(path)
    assert graph.sources() == [] and not select(graph, "SELECT ?s WHERE { ?s film:actedIn ?o }")


def test_folders_give_the_wikidata_files_and_no_other_json(tmp_path: Path) -> None:
    dump(tmp_path / "a.json", PERSON_ENTITY, array=False)
    (tmp_path / "tmdb.json").write_text('{"id": 550, "cast": [], "crew": []}')
    found = supported_files([tmp_path], importer=WikidataEntities())
    assert [p.name for p in found] == ["a.json"]
    assert importer_for(tmp_path / "a.json").name == "wikidata"
    assert importer_for(tmp_path / "tmdb.json").name == "tmdb"  # each .json to the importer that claims it
    (tmp_path / "other.json").write_text('[1, 2]')  # no importer's: neither an entity nor a TMDB object
    with pytest.raises(IngestError, match="unsupported file type"):
        importer_for(tmp_path / "other.json")


def test_strict_makes_unmapped_properties_errors() -> None:
    graph = KnowledgeGraph.memory()
    with pytest.raises(IngestError, match="Wikidata property has no mapping.*allowed without `strict`"):
        graph.ingest(OPENREFINE / "Q974910.json", importer=WikidataEntities(), strict=True)
    assert graph.sources() == []


# ------------------------------------------------------------------------------------ bad input


def _bad_inputs(tmp_path: Path) -> list[tuple[Path, str]]:
    good = dump(tmp_path / "good.json", FILM_ENTITY, array=False).read_bytes()
    truncated_gz = tmp_path / "cut.json.gz"
    truncated_gz.write_bytes(gzip.compress(good * 3)[:-30])
    truncated_bz2 = tmp_path / "cut.json.bz2"
    truncated_bz2.write_bytes(bz2.compress(good * 3)[:-30])
    deep = tmp_path / "deep.json"
    deep.write_text('{"id": "Q1", "claims": {"P1": ' + "[" * 40 + "]" * 40 + "}}\n")
    malformed = tmp_path / "malformed.ndjson"
    malformed.write_text(json.dumps(PERSON_ENTITY) + "\n" + '{"id": "Q2", "claims": {]}\n')
    shape = tmp_path / "shape.json"
    shape.write_text('{"results": {"bindings": []}}')
    wd50k = tmp_path / "wd50k.json"
    wd50k.write_text(WD50K.read_text(encoding="utf-8").splitlines()[0] + "\n")
    dump_cut = tmp_path / "dump_cut.json"
    dump_cut.write_text("[\n" + json.dumps(PERSON_ENTITY) + ",\n")
    empty = tmp_path / "empty.json"
    empty.write_text("\n\n")
    bomb = tmp_path / "bomb.json.bz2"
    bomb.write_bytes(bz2.compress(b"\n" * (8 << 20)))
    claims = tmp_path / "claims.json"
    claims.write_text('{"id": "Q5", "claims": {"P161": [{"mainsnak": "x"}]}}')
    return [
        (truncated_gz, "not a complete gzip file"),
        (truncated_bz2, "not a complete bzip2 file"),
        (deep, "more than 32 deep (`max_json_depth`)"),
        (malformed, "malformed.ndjson:2:25: not valid JSON"),
        (shape, 'found an object without "id" (its keys: "results"): expected a Wikidata entity'),
        (wd50k, "this looks like statements by id"),
        (dump_cut, "the file ends before the closing ] of the dump"),
        (claims, "Q5: claims.P161: a statement without a mainsnak: the entity is malformed"),
        (empty, "the file is empty: expected a Wikidata entity"),
        (bomb, "`max_compression_ratio`"),
    ]


def test_bad_input_is_a_clear_error_and_nothing_is_written(tmp_path: Path) -> None:
    graph = KnowledgeGraph.memory()
    graph.ingest(OPENREFINE / "Q42.json", importer=WikidataEntities())
    before = len(graph)
    for path, message in _bad_inputs(tmp_path):
        with pytest.raises(IngestError) as info:
            graph.ingest(path, importer=WikidataEntities())
        assert message in str(info.value), path.name
        assert len(graph) == before and len(graph.sources()) == 1


def test_the_wd50k_sample_is_refused_with_what_to_give_instead() -> None:
    with pytest.raises(IngestError) as info:
        KnowledgeGraph.memory().ingest(WD50K, importer=WikidataEntities())
    message = str(info.value)
    assert f"{WD50K}:1:1: not JSON: this looks like statements by id" in message
    assert "WD50K" in message and "give the entities' JSON instead" in message


# ------------------------------------------------------------------------------------ the command line


def test_the_import_wikidata_command(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = invoke(["--store", str(store), "import", "wikidata", str(OPENREFINE / "Q675031.json"), "--lang", "fr"], ok=True)
    assert run.exit_code == 0
    assert run.stdout.startswith("1 file (1 added):")
    assert "Wikidata property has no mapping" in run.stderr
    shown = invoke(["--store", str(store), "show", "La Folle Ingénue"], ok=True)
    assert shown.exit_code == 0 and "types: Film" in shown.stdout and "acted in" in shown.stdout
    again = invoke(["--store", str(store), "import", "wikidata", str(OPENREFINE / "Q675031.json"), "--lang", "fr"], ok=True)
    assert "unchanged" in again.stdout


@pytest.mark.parametrize("args", [["--strict"], []])
def test_the_command_fails_cleanly(tmp_path: Path, args: list[str]) -> None:
    store = tmp_path / "store"
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "Q1", "claims": }')
    target = OPENREFINE / "Q974910.json" if args else bad
    run = invoke(["--store", str(store), "import", "wikidata", str(target), *args], ok=False)
    assert run.exit_code == 3
    assert "Traceback" not in run.output and run.stdout == ""
    assert ("--strict" in run.stderr) if args else ("bad.json:1:24: not valid JSON: Expecting value" in run.stderr)


def test_a_bad_language_is_a_usage_error(tmp_path: Path) -> None:
    run = invoke(["--store", str(tmp_path / "s"), "import", "wikidata", str(OPENREFINE / "Q42.json"), "--lang", "e n"],
                 ok=False)  # fmt: skip
    assert run.exit_code == 2 and "Traceback" not in run.output
