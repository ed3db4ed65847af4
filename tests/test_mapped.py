"""Any spreadsheet through a mapping file (``ingest --map``, ``NAME.map.toml``) and the Academy
Awards table through its shipped mapping (``import oscars``), on the real table in ../shared."""

from __future__ import annotations

import csv
import gzip
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from cli_helpers import fails, ok, quads
from kg import KnowledgeGraph
from kg.errors import IngestError, NotFoundError
from kg.ingest.mapped import MappedTable, shipped_mapping

ROOT = Path(__file__).resolve().parent.parent
OSCARS = ROOT.parent / "shared" / "data" / "real" / "oscars-dlu" / "oscars.csv"
FILM = "https://w3id.org/filmkg/ontology#"

CAST = "name,film,role,ids,genres\nMikey Madison,Anora,Ani,nm5700898,drama|comedy\nYura Borisov,Anora,Igor,,drama\n,Anora,Vanya,,\n"
CAST_MAP = """
[[statement]]
subject = "{name}"
subject_id = "imdb:{ids}"
predicate = "acted-in"
object = "{film}"
qualifiers = { character = "{role}", note = "row {_line} of {_file}" }

[[statement]]
when = { name = { match = "^M" } }
split = { column = "genres", sep = "|" }
subject = "{film}"
predicate = "genre"
object = "{genres|upper}"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(graph: KnowledgeGraph, where: str) -> int:
    rows = graph.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows
    return int(rows[0][0].value)


def test_a_mapping_makes_statements_with_qualifiers_splits_and_filters(tmp_path: Path) -> None:
    table, mapping = _write(tmp_path, "cast.csv", CAST), _write(tmp_path, "cast.toml", CAST_MAP)
    graph = KnowledgeGraph.memory()
    report = graph.ingest(table, importer=MappedTable.from_file(mapping))
    assert report.rows == 4  # two cast rows, two genres of the first row
    assert report.statements == 2  # the genres have no qualifier nor source: plain triples
    assert report.left_out == 1 and "empty subject or object" in report.warnings[0].message
    assert _count(graph, f"?s film:actedIn ?f . ?s film:imdbPersonId 'nm5700898' . ?s rdfs:label 'Mikey Madison'") == 1
    assert _count(graph, "?st rdf:subject ?s ; film:character ?c . ?c rdfs:label 'Igor' . ?st film:note 'row 3 of cast.csv'") == 1
    assert sorted(r[0].value for r in graph.query("SELECT ?g WHERE { ?f film:genre ?g }").rows) == ["COMEDY", "DRAMA"]


def test_lookups_join_a_second_table_and_an_empty_id_lets_the_name_decide(tmp_path: Path) -> None:
    _write(tmp_path, "films.tsv", "key\timdb\nA\ttt28607951\nB\t\n")
    table = _write(tmp_path, "credits.csv", "who,film\nSean Baker,A\nSean Baker,B\n")
    mapping = _write(tmp_path, "m.toml", """
[lookup.films]
file = "films.tsv"
key = "key"
on = "film"

[[statement]]
subject = "{who}"
predicate = "directed"
object = "Film {film}"
object_id = "imdb:{films.imdb}"
""")
    graph = KnowledgeGraph.memory()
    graph.ingest(table, importer=MappedTable.from_file(mapping))
    assert _count(graph, "?p film:directed ?f . ?f film:imdbTitleId 'tt28607951'") == 1
    assert _count(graph, "?p film:directed ?f . ?f rdfs:label 'Film B' FILTER NOT EXISTS { ?f film:imdbTitleId ?i }") == 1


@pytest.mark.parametrize("packing", ["gz", "zip"])
def test_compressed_tables_are_read(tmp_path: Path, packing: str) -> None:
    mapping = _write(tmp_path, "cast.toml", CAST_MAP)
    if packing == "gz":
        table = tmp_path / "cast.csv.gz"
        table.write_bytes(gzip.compress(CAST.encode()))
    else:
        table = tmp_path / "cast.zip"
        with zipfile.ZipFile(table, "w") as archive:
            archive.writestr("cast.csv", CAST)
    assert KnowledgeGraph.memory().ingest(table, importer=MappedTable.from_file(mapping)).rows == 4


def test_a_zip_with_two_tables_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "two.zip"
    with zipfile.ZipFile(table, "w") as archive:
        archive.writestr("a.csv", CAST)
        archive.writestr("b.csv", CAST)
    with pytest.raises(IngestError, match="exactly one table, and this one holds a.csv, b.csv"):
        KnowledgeGraph.memory().ingest(table, importer=MappedTable.from_file(_write(tmp_path, "m.toml", CAST_MAP)))


def test_a_table_with_its_mapping_beside_it_is_read_through_it(tmp_path: Path) -> None:
    _write(tmp_path, "cast.csv", CAST)
    _write(tmp_path, "cast.map.toml", CAST_MAP)
    store = tmp_path / "store"
    assert "4 rows" in ok(["--store", str(store), "ingest", str(tmp_path)]).stdout
    assert "unchanged" in ok(["--store", str(store), "ingest", str(tmp_path)]).stdout
    _write(tmp_path, "cast.map.toml", CAST_MAP.replace("{genres|upper}", "{genres|title}"))
    assert "replaced" in ok(["--store", str(store), "ingest", str(tmp_path)]).stdout
    assert "Comedy" in ok(["--store", str(store), "query", "SELECT ?g WHERE { ?f film:genre ?g }"]).stdout


@pytest.mark.parametrize(
    ("mapping", "line", "expected"),
    [
        ('[[statement]]\nsubject = "{name"\npredicate = "acted-in"\nobject = "x"\n', 2, 'lone "{"'),
        ('[[statement]]\nsubject = "{name}"\npredicate = "actedd-in"\nobject = "{film}"\n', 3, 'unknown relation "actedd-in"'),
        ('[[statement]]\nsubject = "{name}"\npredicate = "acted-in"\nobject = "{film}"\nqualifiers = { charactr = "{role}" }\n', 5, 'unknown qualifier "charactr"'),
        ('[[statement]]\nsubject = "{nmae}"\npredicate = "acted-in"\nobject = "{film}"\n', 1, 'no column "nmae"'),
        ('[[statement]]\nsubject = "{name}"\npredicate = "acted-in"\n', 1, "needs object"),
        ('[[statement]]\nsubject = "{name}"\npredicate = "acted-in"\nobject = "{film}"\nsplt = 1\n', 5, 'unknown key "splt"'),
        ('[[statement]\nsubject = 1\n', 1, "not valid TOML"),
        ('[[statement]]\nsubject = "{name|shout}"\npredicate = "acted-in"\nobject = "{film}"\n', 2, 'unknown filter "shout"'),
        ('[lookup.t]\nfile = "nope.csv"\nkey = "k"\non = "film"\n[[statement]]\nsubject = "{t.x}"\npredicate = "acted-in"\nobject = "{film}"\n', 2, "no such file"),
    ],
)
def test_mapping_errors_name_the_line_and_key_and_change_nothing(tmp_path: Path, mapping: str, line: int, expected: str) -> None:
    table, path = _write(tmp_path, "cast.csv", CAST), _write(tmp_path, "bad.toml", mapping)
    store = tmp_path / "store"
    ok(["--store", str(store), "ingest", str(ROOT / "data" / "anora" / "anora.csv")])
    before = quads(store)
    run = fails(["--store", str(store), "ingest", str(table), "--map", str(path)], 3)
    assert f"bad.toml:{line}" in run.stderr and expected in run.stderr, run.stderr
    assert quads(store) == before


def test_misaligned_split_columns_are_a_row_error(tmp_path: Path) -> None:
    table = _write(tmp_path, "t.csv", "names,ids\nA|B|C,nm0000001|nm0000002\n")
    mapping = _write(tmp_path, "m.toml", '[[statement]]\nsplit = { columns = ["names", "ids"], sep = "|" }\n'
                                         'subject = "{names}"\nsubject_id = "imdb:{ids}"\npredicate = "directed"\nobject = "X"\n')
    run = fails(["--store", str(tmp_path / "s"), "ingest", str(table), "--map", str(mapping)], 3)
    assert "t.csv:2:2" in run.stderr and "names 3, ids 2" in run.stderr
    assert not (tmp_path / "s").exists()


def _oscars_expected() -> Counter[str]:
    """Statements per relation, computed from the raw table apart from filmkg: one per nominee and
    film of a row (aligned lists, "?" an unknown id; three dance-direction rows name two numbers of
    one film, and give one statement per number), plus the film itself for Best Picture-like rows."""
    with OSCARS.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = rows[0]
    expected: Counter[str] = Counter()
    for raw in rows[1:]:
        row = dict(zip(header, raw + [""] * (len(header) - len(raw))))
        relation = "wonAward" if row["Winner"] == "True" else "nominatedFor"
        nominees = row["Nominees"].split("|")
        ids = row["NomineeIds"].split("|")
        films = row["Film"].split("|")
        for index, nominee in enumerate(nominees):
            nominee_id = ids[index] if len(ids) > 1 else ids[0]
            acting = row["Class"] == "Acting"
            if nominee.strip() and (acting or re.fullmatch(r"(nm\d+|\?)?|co\d+", nominee_id)):
                expected[relation] += max(len(films), len(row["Detail"].split("|")))  # aligned: one per film (or number)
        if row["Class"] == "Title":
            expected[relation] += sum(1 for film in films if film.strip())
    return expected


def test_the_academy_awards_table_imports_through_its_shipped_mapping(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = ok(["--store", str(store), "import", "oscars", str(OSCARS)])
    expected = _oscars_expected()
    assert f"{sum(expected.values()):,} statements" in run.stdout, run.stdout
    graph = KnowledgeGraph.open(store)
    try:
        for relation, count in expected.items():
            assert _count(graph, f"?st a rdf:Statement ; rdf:predicate film:{relation}") == count, relation
        # Mikey Madison won for Ani in Anora, with the row, ceremony and IMDb id
        assert _count(graph, """?st rdf:subject ?p ; rdf:predicate film:wonAward ; film:ceremony '97th Academy Awards' ;
                                     film:character/rdfs:label 'Ani' ; film:forWork/rdfs:label 'Anora' ; film:record ?r .
                                 ?p film:imdbPersonId 'nm5700898' FILTER(STRSTARTS(?r, 'oscars.csv row '))""") == 1
    finally:
        graph.close()
    assert "unchanged" in ok(["--store", str(store), "import", "oscars", str(OSCARS)]).stdout
    ok(["--store", str(store), "drop", "oscars.csv"])
    assert "oscars.csv" not in ok(["--store", str(store), "sources"]).stdout
    with KnowledgeGraph.open(store) as dropped:
        assert _count(dropped, "?st film:record ?r") == 0  # not one statement of the table is left


def test_the_shipped_data_puts_the_oscars_and_the_article_on_one_card(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ok(["--store", str(store), "ingest", str(ROOT / "data")])
    card = ok(["--store", str(store), "show", "Anora"]).stdout
    assert "won award Academy Award for Best Picture" in card and "Academy Awards database" in card
    assert "distributed by Neon" in card and "The Mikey Madison Dance Scene in Anora" in card
    madison = ok(["--store", str(store), "show", "Mikey Madison"]).stdout
    assert "won award Academy Award for Actress In A Leading Role" in madison and "trained for" in madison
    assert madison.count("Mikey Madison  <") == 1  # one entity, not one per source


def test_the_shipped_mapping_is_where_import_oscars_reads_it() -> None:
    mapping = ROOT / "ontology" / "mappings" / "oscars.toml"
    assert shipped_mapping("oscars").read_bytes() == mapping.read_bytes()  # the packaged copy, or the file itself
    assert (ROOT / "data" / "oscars" / "oscars.map.toml").resolve() == mapping.resolve()  # data/ uses the same file
    with pytest.raises(NotFoundError, match='no shipped mapping "nope"'):
        shipped_mapping("nope")


def test_map_and_format_together_and_a_missing_table_are_clean_errors(tmp_path: Path) -> None:
    table, mapping = _write(tmp_path, "cast.csv", CAST), _write(tmp_path, "cast.toml", CAST_MAP)
    store = tmp_path / "store"
    assert "give --format or --map, not both" in fails(
        ["--store", str(store), "ingest", str(table), "--map", str(mapping), "--format", "annotated"], 2).output
    assert "no such file or folder" in fails(["--store", str(store), "import", "oscars", str(tmp_path / "nope.csv")], 3).stderr
    assert "cannot read the mapping file" in fails(["--store", str(store), "ingest", str(table), "--map", str(tmp_path / "no.toml")], 3).stderr
    assert not store.exists()  # nothing was created
