"""The IMDb importer (kg.ingest.imdb) on the shared pimdb sample of IMDb's datasets, every count
checked against pandas over the same TSV files; small files of our own for what the sample lacks
(homonyms, unmapped values) and for bad input."""

from __future__ import annotations

import gzip
import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from kg import KnowledgeGraph
from kg.errors import IngestError, UsageError
from kg.ingest.imdb import ImdbDatasets
from kg.ingest.limits import Limits
from kg.ontology import load_ontology
from kg.vocab import DERIVED_FROM, FILM, RDF_OBJECT, RDF_PREDICATE, RDF_STATEMENT, RDF_SUBJECT, RDFS_LABEL
from tests.cli_helpers import fails, ok

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "real" / "imdb-pimdb-testdata"
FILES = ("title.basics", "title.principals", "name.basics", "title.crew", "title.akas")
MAPPING = tomllib.loads((ROOT / "ontology" / "mappings" / "imdb.toml").read_text(encoding="utf-8"))
ALL_TYPES = sorted(t for t, v in MAPPING["title_types"].items() if v == "film")
NULL = "\\N"
ONTOLOGY = load_ontology()
BASICS_HEADER = "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n"
PRINCIPALS_HEADER = "tconst\tordering\tnconst\tcategory\tjob\tcharacters\n"
NAMES_HEADER = "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\n"


def table(name: str) -> pd.DataFrame:
    """A dataset file as IMDb writes it: TAB-separated, no quoting, every value a string."""
    return pd.read_csv(SAMPLE / f"{name}.tsv", sep="\t", quoting=3, dtype=str, keep_default_na=False)


def relation_iri(category: str) -> str:
    target = MAPPING["categories"][category]
    return ONTOLOGY.relation(target if isinstance(target, str) else target["relation"]).iri


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The five dataset files the importer reads, copied into a folder of their own."""
    folder = tmp_path / "imdb"
    folder.mkdir()
    for name in FILES:
        shutil.copy(SAMPLE / f"{name}.tsv", folder / f"{name}.tsv")
    return folder


def selected_titles(types: list[str], since: int | None = None, until: int | None = None) -> set[str]:
    basics = table("title.basics")
    keep = basics.titleType.isin(types)
    years = pd.to_numeric(basics.startYear.where(basics.startYear != NULL), errors="coerce")
    if since is not None:
        keep &= years >= since
    if until is not None:
        keep &= years <= until
    return set(basics[keep].tconst)


def statements(kg: KnowledgeGraph, source: str) -> list[tuple[str, str, str, str]]:
    """(subject, relation, object, record) of every statement from ``source``."""
    query = f"""SELECT ?s ?p ?o ?r WHERE {{ GRAPH ?g {{
        ?st a <{RDF_STATEMENT}> ; <{RDF_SUBJECT}> ?s ; <{RDF_PREDICATE}> ?p ; <{RDF_OBJECT}> ?o ;
            <{FILM}record> ?r ; <{DERIVED_FROM}> ?src . ?src <{RDFS_LABEL}> "{source}" }} }}"""
    return [tuple(t.value for t in row) for row in kg.store.select(query)]


def qualifier_values(kg: KnowledgeGraph, qualifier: str, source: str) -> list[tuple[str, str]]:
    """(record, value) of each ``qualifier`` value of the statements from ``source``."""
    query = f"""SELECT ?r ?v WHERE {{ GRAPH ?g {{
        ?st <{FILM}record> ?r ; <{FILM}{qualifier}> ?v ; <{DERIVED_FROM}> ?src . ?src <{RDFS_LABEL}> "{source}" }} }}"""
    return [(row[0].value, row[1].value) for row in kg.store.select(query)]


def count_by_relation(rows: list[tuple[str, str, str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, relation, _, _ in rows:
        out[relation] = out.get(relation, 0) + 1
    return out


def expected_principals(titles: set[str], categories: list[str] | None = None) -> pd.DataFrame:
    principals = table("title.principals")
    keep = principals.tconst.isin(titles) & principals.category.isin(list(MAPPING["categories"]))
    if categories is not None:
        keep &= principals.category.isin(categories)
    return principals[keep]


def test_principals_match_pandas_per_category_with_characters_roles_and_records(sample: Path) -> None:
    kg = KnowledgeGraph.memory()
    report = kg.ingest([sample], importer=ImdbDatasets(types=ALL_TYPES))
    assert {f.source: f.status for f in report.files} == {f"{n}.tsv": "added" for n in FILES}
    expected = expected_principals(selected_titles(ALL_TYPES))
    assert len(expected) == 572  # every row of the sample: every category is mapped
    found = statements(kg, "IMDb title.principals")
    by_category = expected.groupby("category").size()
    wanted: dict[str, int] = {}
    for category, n in by_category.items():
        wanted[relation_iri(str(category))] = wanted.get(relation_iri(str(category)), 0) + int(n)
    assert count_by_relation(found) == wanted
    assert sorted(r for *_, r in found) == sorted(expected.tconst + "/" + expected.ordering)
    # characters: one value per name of the JSON array, less the names that say "themselves"
    selves = set(MAPPING["characters"]["self"])
    names = expected.characters[expected.characters != NULL].map(json.loads)
    wanted_characters = sorted(n for row in names for n in row if n not in selves)
    characters = qualifier_values(kg, "character", "IMDb title.principals")
    labels = {row[0].value: row[1].value for row in kg.store.select(
        f"SELECT ?c ?l WHERE {{ GRAPH ?g {{ ?c a <{FILM}Character> ; <{RDFS_LABEL}> ?l }} }}")}  # fmt: skip
    assert sorted(labels[c] for _, c in characters) == wanted_characters
    two = [r for r, n in pd.Series([r for r, _ in characters]).value_counts().items() if n == 2]
    assert len(two) == sum(len(row) == 2 for row in names) == 3
    # roles: the job, unless it only repeats the category
    jobs = expected[(expected.job != NULL) & (expected.job != expected.category.str.replace("_", " "))]
    assert sorted(qualifier_values(kg, "role", "IMDb title.principals")) == sorted(
        zip(jobs.tconst + "/" + jobs.ordering, jobs.job)
    )
    assert "co-director" in set(jobs.job) and "director of photography" in set(jobs.job)
    orders = qualifier_values(kg, "order", "IMDb title.principals")
    assert sorted(orders) == sorted(zip(expected.tconst + "/" + expected.ordering, expected.ordering))


def test_names_titles_crew_and_akas_match_pandas(sample: Path) -> None:
    kg = KnowledgeGraph.memory()
    kg.ingest([sample], importer=ImdbDatasets())  # the default types: movie, tvMovie, short, video
    titles = selected_titles(MAPPING["defaults"]["types"])
    assert titles and len(titles) < 75
    crew = table("title.crew")
    crew = crew[crew.tconst.isin(titles)]
    people = set(expected_principals(titles).nconst)
    crew_rows = [(p, column, t) for t, d, w in zip(crew.tconst, crew.directors, crew.writers)
                 for column, value in (("director", d), ("writer", w)) if value != NULL for p in value.split(",")]  # fmt: skip
    people |= {p for p, _, _ in crew_rows}
    names = table("name.basics")
    needed = names[names.nconst.isin(people)]
    births = statements(kg, "IMDb name.basics")
    born = [(s, o) for s, p, o, _ in births if p == FILM + "birthDate"]
    assert sorted(born) == sorted(
        (f"https://w3id.org/filmkg/resource/imdb/{n}", y) for n, y in zip(needed.nconst, needed.birthYear) if y != NULL
    )
    assert len(born) > 0
    # every needed person in name.basics got its name
    labels = {row[0].value: row[1].value for row in kg.store.select(
        f"SELECT ?e ?l WHERE {{ GRAPH ?g {{ ?e <{RDFS_LABEL}> ?l }} }}")}  # fmt: skip
    for nconst, name in zip(needed.nconst, needed.primaryName):
        assert labels[f"https://w3id.org/filmkg/resource/imdb/{nconst}"] == name
    # title.crew: one statement per person and column
    found = statements(kg, "IMDb title.crew")
    assert count_by_relation(found) == {
        relation_iri(c): sum(1 for _, column, _ in crew_rows if column == c) for c in ("director", "writer")
    }
    # title.basics: release dates, runtimes, genres, original titles
    basics = table("title.basics")
    basics = basics[basics.tconst.isin(titles)]
    found = statements(kg, "IMDb title.basics")
    counts = count_by_relation(found)
    assert counts[FILM + "releaseDate"] == int((basics.startYear != NULL).sum())
    assert counts[FILM + "runtime"] == int((basics.runtimeMinutes != NULL).sum())
    assert counts[FILM + "genre"] == sum(len(g.split(",")) for g in basics.genres if g != NULL)
    for tconst, title in zip(basics.tconst, basics.primaryTitle):
        assert labels[f"https://w3id.org/filmkg/resource/imdb/{tconst}"] == title
    assert ("https://w3id.org/filmkg/resource/imdb/tt2535470", FILM + "alsoKnownAs", "Wyrmwood", "tt2535470") in found
    akas = table("title.akas")
    akas = akas[akas.titleId.isin(titles)].drop_duplicates(["titleId", "title"])
    assert sorted(r for *_, r in statements(kg, "IMDb title.akas")) == sorted(akas.titleId + "/" + akas.ordering)


def test_a_person_without_a_name_reads_as_their_id(sample: Path) -> None:
    kg = KnowledgeGraph.memory()
    kg.ingest([sample], importer=ImdbDatasets())
    missing = set(table("title.crew").directors.str.split(",").explode()) - set(table("name.basics").nconst) - {NULL}
    person = sorted(p for p in missing if p in {"nm2341629"})[0]
    card = kg.show(f"imdb:{person}")
    assert card.label == f"imdb:{person}"
    assert "Person" in card.types


def test_homonyms_stay_apart(tmp_path: Path) -> None:
    (tmp_path / "title.basics.tsv").write_text(
        BASICS_HEADER + "tt9000001\tmovie\tTwin Peaks Again\tTwin Peaks Again\t0\t2001\t\\N\t90\tDrama\n", encoding="utf-8"
    )
    (tmp_path / "title.principals.tsv").write_text(
        PRINCIPALS_HEADER + "tt9000001\t1\tnm9000001\tactor\t\\N\t[\"A\"]\ntt9000001\t2\tnm9000002\tactor\t\\N\t[\"B\"]\n",
        encoding="utf-8",
    )
    (tmp_path / "name.basics.tsv").write_text(
        NAMES_HEADER + "nm9000001\tJohn Smith\t1950\t\\N\tactor\t\\N\nnm9000002\tJohn Smith\t1980\t\\N\tactor\t\\N\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.memory()
    kg.ingest([tmp_path], importer=ImdbDatasets())
    people = {row[0].value for row in kg.store.select(
        f'SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e <{RDFS_LABEL}> "John Smith" }} }}')}  # fmt: skip
    assert people == {"https://w3id.org/filmkg/resource/imdb/nm9000001", "https://w3id.org/filmkg/resource/imdb/nm9000002"}
    assert [f.object_label for f in kg.show("imdb:nm9000002").facts if f.predicate_label == "birth date"] == ["1980"]


def test_reimport_is_unchanged_a_changed_file_or_filter_replaces_and_drop_works(sample: Path, tmp_path: Path) -> None:
    kg = KnowledgeGraph.open(tmp_path / "store")
    kg.ingest([sample], importer=ImdbDatasets())
    size = len(kg)
    again = kg.ingest([sample], importer=ImdbDatasets())
    assert {f.status for f in again.files} == {"unchanged"} and len(kg) == size
    principals = sample / "title.principals.tsv"
    lines = principals.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = next(i for i, line in enumerate(lines) if "\tnm3658287\t" in line and "tt2535470" in line)
    principals.write_text("".join(lines[:dropped] + lines[dropped + 1 :]), encoding="utf-8")
    changed = {f.source: f.status for f in kg.ingest([sample], importer=ImdbDatasets()).files}
    # name.basics reads title.principals to know whom the titles need: it is read again too
    assert changed == {"title.basics.tsv": "unchanged", "title.principals.tsv": "replaced", "name.basics.tsv": "replaced",
                       "title.crew.tsv": "unchanged", "title.akas.tsv": "unchanged"}  # fmt: skip
    assert not any(r.endswith(f"tt2535470/{lines[dropped].split(chr(9))[1]}") for *_, r in statements(kg, "IMDb title.principals"))
    filtered = kg.ingest([sample], importer=ImdbDatasets(since=2015))
    assert {f.status for f in filtered.files} == {"replaced"}
    info = kg.drop(sample / "title.principals.tsv")
    assert info.name == "title.principals.tsv"
    assert statements(kg, "IMDb title.principals") == []
    assert [s.name for s in kg.sources()] == sorted(f"{n}.tsv" for n in FILES if n != "title.principals")


@pytest.mark.parametrize(
    ("options", "types", "since", "until", "categories"),
    [
        ({"since": 2015}, None, 2015, None, None),
        ({"until": 2014}, None, None, 2014, None),
        ({"types": ["tvEpisode"]}, ["tvEpisode"], None, None, None),
        ({"categories": ["director", "actress"]}, None, None, None, ["director", "actress"]),
        ({"types": ["short", "movie"], "since": 2012, "until": 2018}, ["short", "movie"], 2012, 2018, None),
    ],
)
def test_filters_select_what_pandas_selects(
    sample: Path, options: dict[str, object], types: list[str] | None, since: int | None, until: int | None,
    categories: list[str] | None,
) -> None:  # fmt: skip
    kg = KnowledgeGraph.memory()
    kg.ingest([sample], importer=ImdbDatasets(**options))  # type: ignore[arg-type]
    titles = selected_titles(types or MAPPING["defaults"]["types"], since, until)
    expected = expected_principals(titles, categories)
    found = statements(kg, "IMDb title.principals")
    assert sorted(r for *_, r in found) == sorted(expected.tconst + "/" + expected.ordering)
    assert found
    dated = [s for s, p, _, _ in statements(kg, "IMDb title.basics") if p == FILM + "releaseDate"]
    basics = table("title.basics")
    assert len(dated) == int((basics.tconst.isin(titles) & (basics.startYear != NULL)).sum())
    named = {s for s, *_ in statements(kg, "IMDb name.basics")}
    assert {s.rsplit("/", 1)[1] for s, *_ in found} <= {s.rsplit("/", 1)[1] for s in named}


def test_titles_filter_from_ids_and_from_a_file(sample: Path, tmp_path: Path) -> None:
    ids = ["tt2535470", "tt10070612"]  # a movie and a tvEpisode: a list of titles takes every type
    listing = tmp_path / "titles.txt"
    listing.write_text("\n".join(ids) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    ok(["--store", str(store), "import", "imdb", str(sample), "--titles", ",".join(ids)])
    kg = KnowledgeGraph.open(store)
    expected = expected_principals(set(ids))
    assert sorted(r for *_, r in statements(kg, "IMDb title.principals")) == sorted(expected.tconst + "/" + expected.ordering)
    kg.close()
    run = ok(["--store", str(store), "import", "imdb", str(sample), "--titles", str(listing)])
    assert "5 unchanged" in run.stdout  # the same titles, whichever way given
    assert fails(["--store", str(store), "import", "imdb", str(sample), "--titles", "Wyrmwood"], 2).stderr


def test_unmapped_values_are_reported_and_strict_refuses_them(tmp_path: Path) -> None:
    (tmp_path / "title.basics.tsv").write_text(
        BASICS_HEADER + "tt9000001\tmovie\tA\tA\t0\t2001\t\\N\t90\tDrama\n"
        "tt9000002\tpodcastSeries\tB\tB\t0\t2001\t\\N\t\\N\t\\N\n", encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "title.principals.tsv").write_text(
        PRINCIPALS_HEADER + "".join(f"tt9000001\t{i}\tnm900000{i}\t{c}\t\\N\t\\N\n"
                                    for i, c in enumerate(["stunts", "stunts", "actor", "animator"], 1)),
        encoding="utf-8",
    )  # fmt: skip
    kg = KnowledgeGraph.memory()
    report = kg.ingest([tmp_path], importer=ImdbDatasets())
    messages = [w.message for w in report.warnings]
    assert any('IMDb category has no mapping: "stunts" (2), "animator" (1)' in m for m in messages), messages
    assert any('IMDb titleType has no mapping: "podcastSeries" (1)' in m for m in messages), messages
    assert any("no name.basics" in m and "only their IMDb ids" in m for m in messages), messages
    assert report.left_out == 4 and len(statements(kg, "IMDb title.principals")) == 1
    with pytest.raises(IngestError, match="stunts"):
        KnowledgeGraph.memory().ingest([tmp_path], importer=ImdbDatasets(), strict=True)
    run = fails(["--store", str(tmp_path / "store"), "import", "imdb", str(tmp_path), "--strict"], 3)
    assert "stunts" in run.stderr and "imdb.toml" in run.stderr


def test_the_cli_imports_with_filters_and_refuses_unknown_choices(sample: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = ok(["--store", str(store), "import", "imdb", str(sample), "--type", "movie,short", "--categories",
              "director", "--categories", "actress", "--since", "2010"])  # fmt: skip
    assert run.stdout.startswith("5 files (5 added)")
    shown = ok(["--store", str(store), "show", "imdb:nm3658287"]).stdout
    assert shown.startswith("Bianca Bradey") and "acted in Wyrmwood: Road of the Dead" in shown
    assert "record: tt2535470/" in shown and "source: IMDb title.principals" in shown
    assert "→ wrote" not in shown  # the writer credits (principals and crew) are filtered out
    assert "unknown videoGames" in fails(["--store", str(store), "import", "imdb", str(sample), "--type", "videoGames"], 2).stderr
    assert "unknown stunt" in fails(["--store", str(store), "import", "imdb", str(sample), "--categories", "stunt"], 2).stderr


def test_imdb_and_article_data_meet_in_one_entity(sample: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.csv"
    article.write_text(
        "subject,subject_id,predicate,object,object_id,source\n"
        "Bianca Bradey,imdb:nm3658287,trained-for,Wyrmwood: Road of the Dead,imdb:tt2535470,https://example.org/interview\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.memory()
    kg.ingest([sample], importer=ImdbDatasets())
    kg.ingest([article])
    card = kg.show("Bianca Bradey")
    assert card.iri == "https://w3id.org/filmkg/resource/imdb/nm3658287"
    relations = {(f.predicate_label, f.object_label) for f in card.facts}
    assert ("trained for", "Wyrmwood: Road of the Dead") in relations
    assert ("acted in", "Wyrmwood: Road of the Dead") in relations


# ---------------------------------------------------------------- bad input: clear errors, nothing written


def _refused(folder: Path, store: Path, *needles: str) -> str:
    before = sorted(p.name for p in store.iterdir()) if store.exists() else []
    run = fails(["--store", str(store), "import", "imdb", str(folder)], 3)
    for needle in needles:
        assert needle in run.stderr, run.stderr
    if not before:  # nothing was written
        kg = KnowledgeGraph.open(store)
        try:
            assert kg.sources() == []
        finally:
            kg.close()
    return run.stderr


def test_a_csv_file_says_which_header_was_expected(sample: Path, tmp_path: Path) -> None:
    (sample / "title.principals.tsv").write_text("tconst,ordering,nconst,category,job,characters\n", encoding="utf-8")
    stderr = _refused(sample, tmp_path / "store", "title.principals.tsv:1", "expected the tab-separated header tconst, ordering",
                      "this looks like a CSV file")  # fmt: skip
    assert "Traceback" not in stderr


def test_a_tsv_with_other_columns_and_a_row_with_other_fields_are_refused(sample: Path, tmp_path: Path) -> None:
    (sample / "title.crew.tsv").write_text("tconst\tdirector\nx\ty\n", encoding="utf-8")
    _refused(sample, tmp_path / "store", "title.crew.tsv:1", 'found "tconst | director"')
    shutil.copy(SAMPLE / "title.crew.tsv", sample / "title.crew.tsv")
    with (sample / "title.akas.tsv").open("a", encoding="utf-8") as out:
        out.write("tt2535470\t99\tonly three\n")
    _refused(sample, tmp_path / "store", "title.akas.tsv:242", "expected 8 tab-separated fields")


def test_bad_characters_json_is_refused_at_its_line(sample: Path, tmp_path: Path) -> None:
    with (sample / "title.principals.tsv").open("a", encoding="utf-8") as out:
        out.write('tt2535470\t99\tnm3658287\tactress\t\\N\t["Brooke"\n')
    _refused(sample, tmp_path / "store", "title.principals.tsv:574", "characters is not valid JSON")


def test_a_truncated_gzip_is_refused_and_nothing_is_written(sample: Path, tmp_path: Path) -> None:
    data = gzip.compress((SAMPLE / "title.principals.tsv").read_bytes())
    (sample / "title.principals.tsv").unlink()
    (sample / "title.principals.tsv.gz").write_bytes(data[: len(data) // 2])
    _refused(sample, tmp_path / "store", "title.principals.tsv.gz", "not a complete gzip file")


def test_each_line_is_held_to_max_line_bytes_not_the_whole_file(sample: Path) -> None:
    longest = max(len(line) for n in FILES for line in (SAMPLE / f"{n}.tsv").read_bytes().splitlines())
    kg = KnowledgeGraph.memory()
    kg.ingest([sample], importer=ImdbDatasets(types=ALL_TYPES), limits=Limits(max_line_bytes=longest + 1))
    assert len(statements(kg, "IMDb title.principals")) == 572
    with (sample / "title.principals.tsv").open("a", encoding="utf-8") as out:
        out.write("tt2535470\t99\tnm3658287\tactress\t\\N\t" + "x" * (longest + 10) + "\n")
    with pytest.raises(IngestError, match="title.principals.tsv:574: this line is longer"):
        KnowledgeGraph.memory().ingest([sample], importer=ImdbDatasets(), limits=Limits(max_line_bytes=longest + 1))


def test_gzipped_files_are_read_directly(sample: Path) -> None:
    for name in FILES:
        path = sample / f"{name}.tsv"
        (sample / f"{name}.tsv.gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    kg = KnowledgeGraph.memory()
    report = kg.ingest([sample], importer=ImdbDatasets(types=ALL_TYPES))
    assert len(report.files) == 5 and len(statements(kg, "IMDb title.principals")) == 572


def test_missing_required_files_are_errors_and_a_missing_name_basics_a_warning(sample: Path, tmp_path: Path) -> None:
    (sample / "title.basics.tsv").unlink()
    _refused(sample, tmp_path / "store", "needs title.basics.tsv", "to select titles")
    shutil.copy(SAMPLE / "title.basics.tsv", sample)
    (sample / "title.principals.tsv").unlink()
    _refused(sample, tmp_path / "store", "name.basics.tsv:0: needs title.principals.tsv")
    shutil.copy(SAMPLE / "title.principals.tsv", sample)
    (sample / "name.basics.tsv").unlink()
    run = ok(["--store", str(tmp_path / "store"), "import", "imdb", str(sample)])
    assert "warning:" in run.stderr and "no name.basics.tsv" in run.stderr and "4 files (4 added)" in run.stdout


def test_the_importer_refuses_contradicting_filters_and_other_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="since"):
        ImdbDatasets(since=2020, until=2010)
    other = tmp_path / "title.ratings.tsv"
    other.write_text("tconst\taverageRating\tnumVotes\n", encoding="utf-8")
    assert not ImdbDatasets().claims(other)
    with pytest.raises(IngestError, match="not an IMDb dataset file name"):
        KnowledgeGraph.memory().ingest([other], importer=ImdbDatasets())
