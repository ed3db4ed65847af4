"""The TMDB importer (kg/ingest/tmdb.py) on the shared samples: TMDB API fixtures (Fight Club credits
and details, Brad Pitt, Game of Thrones aggregate credits, a credit of Breaking Bad) and five 2019
movie credits responses.

Counts are checked against an independent reading of the same files with :mod:`json` and of the
mapping file with :mod:`tomllib` (the test applies the mapping's documented rule itself).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import invoke
from kg import IngestError, KnowledgeGraph
from kg.ingest import Limits
from kg.ingest.importers import IMPORTERS, importer_for
from kg.ingest.tmdb import TmdbResponses, resource_of
from kg.ingest.tmdb_mapping import load_tmdb_mapping, mapping_path
from kg.ontology import load_ontology
from kg.vocab import FILM

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
FIXTURES = REAL / "tmdb-api-fixtures"
CREDITS_2019 = REAL / "tmdb-movie-credits-2019"
CREDITS_FILES = sorted(CREDITS_2019.glob("*.json")) + [FIXTURES / "movie-credits.json"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")


# ---------------------------------------------------------------- an independent reading of the mapping


def _toml() -> dict[str, Any]:
    return tomllib.loads(mapping_path().read_text(encoding="utf-8"))


def _crew_relation(table: dict[str, Any], department: str, job: str) -> str | None:
    """The mapping file's rule, read as its comments state it."""
    if f"{department}/{job}" in table["left_out"]["jobs"] or job in table["left_out"]["any_department"]:
        return None
    for relation, departments in table["jobs"].items():
        if job in departments.get(department, []):
            return str(relation)
    found = table["departments"].get(department)
    return None if found is None else str(found)


def _cast(table: dict[str, Any], character: str) -> tuple[str, list[str], list[str]]:
    """Relation, characters and other notes of a character text, by the rule the mapping file states."""
    cast = table["cast"]
    text, relation, notes = " ".join(character.split()), str(cast["relation"]), []
    while (match := _NOTE.search(text)) is not None:
        note, text = match.group(1).strip(), text[: match.start()]
        if note.lower() in cast["voice"]["notes"]:
            relation = cast["voice"]["relation"] if relation == cast["relation"] else relation
        elif note.lower() in cast["archive"]["notes"]:
            relation = cast["archive"]["relation"] if relation == cast["relation"] else relation
        elif note:
            notes.append(note)
    if text.lower() in [c.lower() for c in cast["self"]["characters"]]:
        return cast["self"]["relation"], [], notes
    return relation, [p.strip() for p in text.split(cast["separator"]) if p.strip()], notes


def _expected_credits(path: Path) -> tuple[Counter[str], Counter[str], list[str], list[int], int]:
    """Statements per relation, characters, orders and jobs left out of a credits response."""
    table = _toml()
    doc = json.loads(path.read_text(encoding="utf-8"))
    relations: Counter[str] = Counter()
    characters: Counter[str] = Counter()
    orders = []
    for item in doc["cast"]:
        relation, names, _ = _cast(table, item["character"])
        relations[relation] += 1
        characters.update(names)
        orders.append(item["order"])
    left_out = 0
    for item in doc["crew"]:
        relation = _crew_relation(table, item["department"], item["job"])
        if relation is None:
            left_out += 1
        else:
            relations[relation] += 1
    return relations, characters, sorted(set(characters)), sorted(orders), left_out


# ---------------------------------------------------------------- reading the store


def _graph_of(kg: KnowledgeGraph, path: Path) -> str:
    return next(s.graph for s in kg.sources() if Path(s.path) == path.resolve())


def _select(kg: KnowledgeGraph, query: str) -> list[list[str]]:
    return [[term.value for term in row] for row in kg.store.select(query)]


def _relations(kg: KnowledgeGraph, graph: str) -> Counter[str]:
    ontology = load_ontology()
    rows = _select(kg, f"""SELECT ?p (COUNT(?s) AS ?n) WHERE {{ GRAPH <{graph}> {{
        ?s a <{RDF}Statement> ; <{RDF}predicate> ?p }} }} GROUP BY ?p""")
    return Counter({ontology.properties[p].name: int(n) for p, n in rows})


def _qualifier_values(kg: KnowledgeGraph, graph: str, qualifier: str) -> list[str]:
    rows = _select(kg, f"""SELECT ?v WHERE {{ GRAPH <{graph}> {{
        ?s a <{RDF}Statement> ; <{FILM}{qualifier}> ?v }} }}""")
    return [r[0] for r in rows]


def _character_labels(kg: KnowledgeGraph, graph: str) -> Counter[str]:
    rows = _select(kg, f"""SELECT ?l WHERE {{ GRAPH <{graph}> {{
        ?s a <{RDF}Statement> ; <{FILM}character> ?c . ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}""")
    return Counter(r[0] for r in rows)


def _imported(*paths: Path, **settings: Any) -> tuple[KnowledgeGraph, Any]:
    kg = KnowledgeGraph.memory()
    return kg, kg.ingest(list(paths), importer=TmdbResponses(**settings))


# ---------------------------------------------------------------- the mapping


def test_every_configured_job_is_mapped_to_a_relation_or_left_out() -> None:
    jobs = json.loads((FIXTURES / "configuration-jobs.json").read_text(encoding="utf-8"))
    mapping, table, ontology = load_tmdb_mapping(), _toml(), load_ontology()
    found: Counter[str | None] = Counter()
    for department in jobs:
        for job in department["jobs"]:
            relation = mapping.crew(department["department"], job)
            assert relation == _crew_relation(table, department["department"], job)
            assert relation is None or ontology.relation(relation).name == relation
            found[relation] += 1
    assert sum(found.values()) == sum(len(d["jobs"]) for d in jobs) == 941
    assert found[None] == 13  # "Other" in each of the 10 departments that list it, Thanks, In Memory Of, File Footage
    assert {"directed", "wrote", "produced", "composed", "edited", "cinematography", "choreographed", "advised",
            "performed-stunts", "production-designed", "costume-designed", "cast-for", "worked-on"} <= set(found)


@pytest.mark.parametrize(
    ("department", "job", "relation"),
    [
        ("Directing", "Director", "directed"), ("Writing", "Screenplay", "wrote"), ("Production", "Producer", "produced"),
        ("Sound", "Original Music Composer", "composed"), ("Editing", "Editor", "edited"),
        ("Camera", "Director of Photography", "cinematography"), ("Crew", "Choreographer", "choreographed"),
        ("Crew", "Technical Advisor", "advised"), ("Crew", "Dialect Coach", "worked-on"),
        ("Crew", "Stunt Coordinator", "performed-stunts"), ("Crew", "Stunts", "performed-stunts"),
        ("Art", "Production Design", "production-designed"), ("Costume & Make-Up", "Costume Design", "costume-designed"),
        ("Production", "Casting", "cast-for"), ("Lighting", "Gaffer", "worked-on"), ("Crew", "Thanks", None),
        ("Catering", "Chef", None),
    ],
)  # fmt: skip
def test_the_mapping_of_named_jobs(department: str, job: str, relation: str | None) -> None:
    assert load_tmdb_mapping().crew(department, job) == relation


def test_a_mapping_with_a_relation_outside_the_ontology_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tmdb.toml"
    bad.write_text(mapping_path().read_text(encoding="utf-8").replace('Director", "Co-Director"', 'Director"') + (
        '\n[jobs.directd]\nDirecting = ["Co-Director"]\n'), encoding="utf-8")  # fmt: skip
    with pytest.raises(Exception, match="directd"):
        load_tmdb_mapping(bad)


# ---------------------------------------------------------------- credits, against json


@pytest.mark.parametrize("path", CREDITS_FILES, ids=lambda p: p.name)
def test_movie_credits_counts_match_an_independent_reading(path: Path) -> None:
    relations, characters, _, orders, left_out = _expected_credits(path)
    kg, report = _imported(path)
    graph = _graph_of(kg, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert report.files[0].rows == len(doc["cast"]) + len(doc["crew"]) - left_out
    assert report.left_out == left_out
    assert _relations(kg, graph) == relations
    assert sorted(int(v) for v in _qualifier_values(kg, graph, "order")) == orders
    assert _character_labels(kg, graph) == characters
    records = _qualifier_values(kg, graph, "record")
    wanted = {f"/movie/{doc['id']}/credits {item['credit_id']}" for item in doc["cast"]}
    assert wanted <= set(records) and len(records) == len(set(records))


def test_voice_roles_and_notes_in_the_2019_credits() -> None:
    lego = CREDITS_2019 / "movie-137106-the-lego-movie-credits.json"
    logan = CREDITS_2019 / "movie-263115-logan-credits.json"
    kg, _ = _imported(lego, logan)
    relations = _relations(kg, _graph_of(kg, lego))
    # SOURCE.txt: 34 of 35 cast "(voice)"; one is "Himself (voice)", who appears as himself
    assert (relations["voiced"], relations["appeared-as-self"], relations["acted-in"]) == (33, 1, 1)
    notes = Counter(_qualifier_values(kg, _graph_of(kg, logan), "note"))
    raw = json.loads(logan.read_text(encoding="utf-8"))["cast"]
    assert notes["uncredited"] == sum("(uncredited)" in c["character"] for c in raw) == 14
    ferrell = kg.show("Will Ferrell")
    assert [f.predicate_label for f in ferrell.facts] == ["voiced"]
    characters = _character_labels(kg, _graph_of(kg, lego))
    assert {"Lord Business", "President Business", "The Man Upstairs"} <= set(characters)


def test_tv_aggregate_credits_one_statement_per_role_and_job() -> None:
    path = FIXTURES / "tv-aggregate-credits.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    table = _toml()
    expected: Counter[str] = Counter()
    left_out = 0
    episodes = 0
    for item in doc["cast"]:
        for role in item["roles"]:
            expected[_cast(table, role["character"])[0]] += 1
            episodes += role["episode_count"]
    for item in doc["crew"]:
        for job in item["jobs"]:
            relation = _crew_relation(table, item["department"], job["job"])
            if relation is None:
                left_out += 1
            else:
                expected[relation] += 1
                episodes += job["episode_count"]
    kg, report = _imported(path)
    graph = _graph_of(kg, path)
    assert _relations(kg, graph) == expected
    assert report.left_out == left_out
    assert sum(int(v) for v in _qualifier_values(kg, graph, "episodeCount")) == episodes
    card = kg.show("Kit Harington")
    jon = [f for f in card.facts if f.predicate_label == "acted in"]
    assert len(jon) == 1 and jon[0].object_label == "tmdb:tv/1399"  # no label yet: the series reads as its id


def test_credit_details_is_the_one_credit() -> None:
    kg, report = _imported(FIXTURES / "credit-details.json")
    assert report.files[0].statements == 1
    card = kg.show("Bryan Cranston")
    assert card.identifiers == ["tmdb:person/17419"]
    (fact,) = card.facts
    assert (fact.predicate_label, fact.object_label) == ("acted in", "Breaking Bad")
    assert _qualifier_values(kg, _graph_of(kg, FIXTURES / "credit-details.json"), "record") == [
        "/credit/52542282760ee313280017f9"
    ]
    assert kg.show("tmdb:tv/1396").label == "Breaking Bad"


# ---------------------------------------------------------------- details, and where sources meet


def test_movie_details() -> None:
    kg, _ = _imported(FIXTURES / "movie-details.json")
    card = kg.show("Fight Club")
    assert card.identifiers == ["imdb:tt0137523", "tmdb:movie/550"]
    facts = Counter(f.predicate_label for f in card.facts)
    assert facts == {"produced by": 5, "genre": 1, "release date": 1, "runtime": 1}
    runtime = _select(kg, f"""SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{RDF}predicate> <{FILM}runtime> ; <{RDF}object> ?o .
        FILTER(?o = "PT139M"^^<http://www.w3.org/2001/XMLSchema#duration>) }} }}""")
    assert len(runtime) == 1
    assert sorted(f.object_label for f in card.facts if f.predicate_label == "produced by")[0] == "20th Century Fox"


def test_person_details() -> None:
    path = FIXTURES / "person-details.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    kg, _ = _imported(path)
    card = kg.show("Brad Pitt")
    assert card.identifiers == ["imdb:nm0000093", "tmdb:person/287"]
    facts = Counter(f.predicate_label for f in card.facts)
    aliases = {" ".join(a.split()).casefold() for a in doc["also_known_as"]} - {"brad pitt"}
    assert facts == {"birth date": 1, "also known as": len(aliases)}
    assert [f.object_label for f in card.facts if f.predicate_label == "birth date"] == ["1963-12-18"]


def test_details_and_credits_and_an_annotated_row_are_one_entity_and_homonyms_stay_apart(tmp_path: Path) -> None:
    table = tmp_path / "notes.csv"
    table.write_text(
        "subject,subject_id,predicate,object,object_id\n"
        "Brad Pitt,imdb:nm0000093,acted-in,Fight Club,imdb:tt0137523\n"
        "Brad Pitt,imdb:nm0000001,directed,A Short Film,\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.memory()
    tmdb = kg.ingest([FIXTURES / f for f in ("movie-credits.json", "movie-details.json", "person-details.json")],
                     importer=TmdbResponses())  # fmt: skip
    assert tmdb.linked >= 1  # the credits' tmdb:person/287 joins the details' imdb:nm0000093
    assert kg.ingest([table]).linked == 0  # the row's ids give it the entity's own IRI: nothing moves
    pitt = kg.show("imdb:nm0000093")
    assert kg.show("tmdb:person/287").iri == pitt.iri
    assert pitt.identifiers == ["imdb:nm0000093", "tmdb:person/287"]
    acted = [f for f in pitt.facts if f.predicate_label == "acted in"]
    assert [f.object_label for f in acted] == ["Fight Club"]
    film = kg.show("tmdb:movie/550")
    assert film.iri == kg.show("imdb:tt0137523").iri and film.label == "Fight Club"
    row = _select(kg, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{pitt.iri}> <{FILM}actedIn> <{film.iri}> }} }}")
    assert {g for (g,) in row} == {_graph_of(kg, table), _graph_of(kg, FIXTURES / "movie-credits.json")}
    other = kg.show("imdb:nm0000001")
    assert other.iri != pitt.iri and other.label == "Brad Pitt"
    assert [f.predicate_label for f in other.facts] == ["directed"]


def test_a_credits_file_alone_names_its_film_by_identifier() -> None:
    kg, _ = _imported(CREDITS_2019 / "movie-263115-logan-credits.json")
    film = kg.show("tmdb:movie/263115")
    assert film.identifiers == ["tmdb:movie/263115"] and film.types == ["Film"]
    assert film.label == "tmdb:movie/263115"  # its identifier: no label until details give one
    assert "tmdb/movie/263115" in str(film).splitlines()[0]


def test_appended_credits_in_movie_details(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "movie-details.json").read_text(encoding="utf-8"))
    credits = json.loads((FIXTURES / "movie-credits.json").read_text(encoding="utf-8"))
    doc["credits"] = {"cast": credits["cast"][:3], "crew": credits["crew"][:2]}
    path = tmp_path / "movie-550.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    kg, report = _imported(path)
    assert report.files[0].statements == 8 + 3 + 2
    norton = kg.show("Edward Norton")
    assert [(f.predicate_label, f.object_label) for f in norton.facts] == [("acted in", "Fight Club")]


# ---------------------------------------------------------------- files: gz, folders, re-import, drop


def test_a_folder_import_skips_the_jobs_configuration_and_reads_gz(tmp_path: Path) -> None:
    folder = tmp_path / "tmdb"
    shutil.copytree(FIXTURES, folder)
    plain = folder / "person-details.json"
    (folder / "person-details.json.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    kg, report = _imported(folder)
    names = sorted(Path(s.path).name for s in kg.sources())
    assert names == ["credit-details.json", "movie-credits.json", "movie-details.json", "person-details.json.gz",
                     "tv-aggregate-credits.json"]  # fmt: skip
    assert kg.show("Brad Pitt").identifiers == ["imdb:nm0000093", "tmdb:person/287"]
    # by suffix, a .json goes to the first importer that claims it: Wikidata's entities are not TMDB's
    assert importer_for(folder / "movie-credits.json").name == "tmdb" and "tmdb" in [i.name for i in IMPORTERS]


def test_reimport_unchanged_replaced_and_dropped(tmp_path: Path) -> None:
    path = tmp_path / "credits.json"
    shutil.copy(CREDITS_2019 / "movie-263115-logan-credits.json", path)
    kg = KnowledgeGraph.memory()
    first = kg.ingest([path], importer=TmdbResponses())
    again = kg.ingest([path], importer=TmdbResponses())
    assert [f.status for f in again.files] == ["unchanged"]
    assert again.files[0].statements == first.files[0].statements
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["cast"] = doc["cast"][1:]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    changed = kg.ingest([path], importer=TmdbResponses())
    assert [f.status for f in changed.files] == ["replaced"]
    assert changed.files[0].statements == first.files[0].statements - 1
    dated = kg.ingest([path], importer=TmdbResponses(retrieved="2019-04-21"))
    assert [f.status for f in dated.files] == ["replaced"]
    graph = _graph_of(kg, path)
    assert set(_qualifier_values(kg, graph, "retrieved")) == {"2019-04-21"}
    kg.drop(path)
    assert kg.sources() == []
    assert _select(kg, f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == []


# ---------------------------------------------------------------- bad input: clear errors, nothing written


def _fails(kg: KnowledgeGraph, path: Path, **settings: Any) -> str:
    before = len(kg.store.raw)
    with pytest.raises(IngestError) as caught:
        kg.ingest([path], importer=TmdbResponses(**{k: v for k, v in settings.items() if k != "limits"}),
                  limits=settings.get("limits"))  # fmt: skip
    assert len(kg.store.raw) == before and kg.sources() == []
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "id": 550,\n  "cast": [\n    {"id": 1,}\n  ]\n}\n', r"bad\.json:4:\d+: not valid JSON"),
        ('{"page": 1, "results": [], "total_pages": 0}', r"found the keys: page, results, total_pages\); expected one of: movie details"),
        ('{"status_code": 34, "status_message": "The resource you requested could not be found.", "success": false}',
         r'TMDB error response \(status_code 34: "The resource you requested could not be found\."\)'),
        ('[{"department": "Crew", "jobs": []}]', r"a JSON array, not a TMDB response"),
        ("", r"bad\.json:1: the file is empty"),
        ('{"id": 550, "title": "Fight Club", "imdb_id": "0137523", "runtime": 139}', r'bad\.json:1: "imdb_id" is "0137523"'),
        ('{\n "id": 550,\n "cast": [\n  {"id": "x", "name": "A", "character": "B", "credit_id": "c1"}\n ],\n "crew": []\n}',
         r'bad\.json:4: cast item 0 needs "id"'),
        ('{"id": 287, "name": "Brad Pitt", "birthday": "1963-13-45"}', r"bad\.json:1: column object"),
    ],
)  # fmt: skip
def test_bad_documents_are_refused_whole(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert re.search(expected, _fails(KnowledgeGraph.memory(), path))


def test_hostile_depth_size_encoding_and_truncated_gz(tmp_path: Path) -> None:
    kg = KnowledgeGraph.memory()
    deep = tmp_path / "deep.json"
    deep.write_text('{"id": 1, "cast": ' + "[" * 100 + "]" * 100 + "}", encoding="utf-8")
    assert re.search(r"deep\.json:1:\d+: nests arrays and objects more than 32 deep \(`max_json_depth`\)", _fails(kg, deep))
    big = tmp_path / "big.json"
    shutil.copy(FIXTURES / "movie-credits.json", big)
    assert "`max_document_bytes`" in _fails(kg, big, limits=Limits(max_document_bytes=10_000))
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{\n "id": 287,\n "name": "Jos\xe9", "birthday": null}')
    assert re.search(r"latin\.json:3:\d+: the file is not UTF-8", _fails(kg, latin))
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(gzip.compress((FIXTURES / "movie-credits.json").read_bytes())[:5000])
    assert "not a complete gzip file" in _fails(kg, truncated)


def test_a_resource_hint_must_fit_the_shape(tmp_path: Path) -> None:
    kg = KnowledgeGraph.memory()
    message = _fails(kg, FIXTURES / "person-details.json", resource="movie-credits")
    assert "expected movie credits (/movie/{id}/credits: id, cast, crew)" in message and "found the keys: adult" in message
    assert resource_of({"id": 1, "cast": [], "crew": []}, "tv-credits") == "tv-credits"
    kg.ingest([FIXTURES / "movie-credits.json"], importer=TmdbResponses(resource="tv-credits"))
    assert kg.show("tmdb:tv/550").types == ["Film"]


def test_strict_makes_unmapped_jobs_an_error() -> None:
    kg = KnowledgeGraph.memory()
    with pytest.raises(IngestError) as caught:
        kg.ingest([FIXTURES / "movie-credits.json"], importer=TmdbResponses(), strict=True)
    message = str(caught.value)
    assert '"Crew/Thanks" (1), "Crew/In Memory Of" (1)' in message and "allowed without `strict`" in message
    assert kg.sources() == []


# ---------------------------------------------------------------- the command line


def test_cli_import_tmdb(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run = invoke(["--store", store, "import", "tmdb", str(FIXTURES), str(CREDITS_2019)], ok=True)
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("10 files (10 added):")
    assert '"Crew/Thanks" (6), "Crew/In Memory Of" (2)' in run.stderr
    again = invoke(["--store", store, "import", "tmdb", str(FIXTURES / "movie-credits.json")], ok=True)
    assert "unchanged" in again.stdout
    shown = invoke(["--store", store, "show", "Brad Pitt"], ok=True)
    assert shown.stdout.startswith("Brad Pitt  <https://w3id.org/filmkg/resource/imdb/nm0000093>")


def test_cli_bad_input_and_bad_options(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": 550, "cast": [}', encoding="utf-8")
    run = invoke(["--store", store, "import", "tmdb", str(bad)], ok=False)
    assert run.exit_code == 3 and "Traceback" not in run.output and run.stdout == ""
    assert re.search(r"bad\.json:1:22: not valid JSON", run.stderr)
    strict = invoke(["--store", store, "import", "tmdb", "--strict", str(FIXTURES / "movie-credits.json")], ok=False)
    assert strict.exit_code == 3 and "Crew/Thanks" in strict.stderr
    wrong = invoke(["--store", store, "import", "tmdb", "--resource", "tv", str(bad)], ok=False)
    assert wrong.exit_code == 2
    date = invoke(["--store", store, "import", "tmdb", "--retrieved", "yesterday", str(bad)], ok=False)
    assert date.exit_code == 2 and "`retrieved`" not in date.stderr and "--retrieved" in date.stderr
    hinted = invoke(["--store", store, "import", "tmdb", "--resource", "tv-credits", str(FIXTURES / "movie-credits.json")],
                    ok=True)  # fmt: skip
    assert hinted.exit_code == 0 and "1 added" in hinted.stdout


def test_a_credit_of_another_type_is_refused(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "credit-details.json").read_text(encoding="utf-8"))
    doc["credit_type"] = "guest"
    path = tmp_path / "credit.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    assert re.search(r'credit\.json:2: "credit_type" is "guest"', _fails(KnowledgeGraph.memory(), path))


def test_skip_bad_rows_keeps_the_good_credits(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "movie-credits.json").read_text(encoding="utf-8"))
    doc["cast"][0]["id"] = None
    path = tmp_path / "credits.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    kg = KnowledgeGraph.memory()
    report = kg.ingest([path], importer=TmdbResponses(), skip_bad_rows=rejects)
    relations, *_ = _expected_credits(FIXTURES / "movie-credits.json")
    assert report.rejected == 1 and report.files[0].statements == sum(relations.values()) - 1
    (rejected,) = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert rejected["line"] == 15 and 'cast item 0 needs "id"' in rejected["errors"][0]
