"""The QuickStatements export: every line read back with a small QuickStatements v1 reader of the
tests' own, on stores made from annotated rows with Wikidata ids, on the shipped data, with hostile
strings, through the library and through the CLI."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_helpers import cli, cli_fails, store_files
from kg import KnowledgeGraph
from kg.errors import UsageError
from kg.ingest.annotated import AnnotatedTable
from kg.ontology import load_ontology, ontology_dir
from kg.quickstatements import WIKIDATA_IMPORTER, quickstatements_lines, write_quickstatements

ROOT = Path(__file__).resolve().parent.parent
ANORA = ROOT / "data" / "anora" / "anora.csv"
ANORA_Q, BAKER_Q, MADISON_Q, ANI_Q = "Q124373707", "Q1950469", "Q24005195", "Q130000001"

# ------------------------------------------------------------------------------ a QuickStatements v1 reader


@dataclass(frozen=True)
class Command:
    """One line: ``item property value``, then qualifier pairs and one reference group."""

    item: str
    property: str
    value: tuple[str, ...]
    qualifiers: tuple[tuple[str, tuple[str, ...]], ...]
    references: tuple[tuple[str, tuple[str, ...]], ...]


_TIME = re.compile(r"([+-])(\d{4,})-(\d\d)-(\d\d)T00:00:00Z/(9|10|11)")


def parse_value(text: str) -> tuple[str, ...]:
    """A value as (kind, parts...), the way QuickStatements tells the kinds apart; anything else fails."""
    if re.fullmatch(r"Q\d+", text):
        return ("item", text)
    if m := re.fullmatch(r'([a-z_-]+):"(.*)"', text):
        return ("monolingualtext", m.group(1), m.group(2))
    if m := re.fullmatch(r'"(.*)"', text):
        return ("string", m.group(1))
    if m := _TIME.fullmatch(text):
        sign, year, month, day, precision = m.groups()
        assert {"9": (month, day) == ("00", "00"), "10": month != "00" and day == "00", "11": "00" not in (month, day)}[precision]
        return ("time", f"{sign}{year}-{month}-{day}", precision)
    if m := re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(?:U(\d+))?", text):
        return ("quantity", m.group(1), "Q" + m.group(2) if m.group(2) else "")
    raise AssertionError(f"not a QuickStatements value: {text!r}")


def parse_line(line: str) -> Command:
    """One command of the file; every column is accounted for."""
    assert line and "\n" not in line and "\r" not in line, repr(line)
    columns = line.split("\t")
    assert len(columns) >= 3 and len(columns) % 2 == 1, columns
    item, prop, value, *rest = columns
    assert re.fullmatch(r"Q\d+", item) and re.fullmatch(r"P\d+", prop), columns
    qualifiers, references = [], []
    for key, raw in zip(rest[::2], rest[1::2]):
        assert re.fullmatch(r"[PS]\d+", key), columns
        assert not (key.startswith("P") and references), f"a qualifier after the reference: {columns}"
        (qualifiers if key.startswith("P") else references).append((key, parse_value(raw)))
    return Command(item, prop, parse_value(value), tuple(qualifiers), tuple(references))


def read_file(path: Path) -> list[Command]:
    raw = path.read_bytes().decode("utf-8")
    assert raw == "" or raw.endswith("\n")
    return [parse_line(line) for line in raw.split("\n")[:-1]]


def today_ingested(graph: KnowledgeGraph, name: str) -> tuple[str, ...]:
    """The S813 value the export gives a statement of the file ``name`` without a retrieved date."""
    [info] = [s for s in graph.sources() if s.name == name]
    return ("time", "+" + info.ingested[:10], "11")


# ------------------------------------------------------------------------------ annotated rows with ids

ROWS = f'''subject,subject_id,subject_type,predicate,object,object_id,character,source,quote,rank,retrieved,order,date,role,note
Sean Baker,wd:{BAKER_Q},,directed,Anora,wd:{ANORA_Q},,https://example.org/a,"He said ""hi""",,2024-05-02,,,,
Ani,wd:{ANI_Q},Character,character-in,Anora,wd:{ANORA_Q},,,,,,,,,
Mikey Madison,wd:{MADISON_Q},,acted-in,Anora,wd:{ANORA_Q},Ani,https://example.org/b,Quote b,preferred,,1,,,a note
Mikey Madison,wd:{MADISON_Q},,acted-in,Anora,wd:{ANORA_Q},Ani,Press kit,Quote c,,,,,,
Mikey Madison,wd:{MADISON_Q},,acted-in,Anora,wd:{ANORA_Q},Ani,https://example.org/old,,deprecated,,,,,
Anora,wd:{ANORA_Q},,release-date,2024-05,,,,,,,,,,
Anora,wd:{ANORA_Q},,runtime,PT139M,,,,,,,,,,
Anora,wd:{ANORA_Q},,genre,comedy drama,,,,,,,,,,
Yura Borisov,imdb:nm1234567,,acted-in,Anora,wd:{ANORA_Q},Igor,https://example.org/c,,,,,,,
Sean Baker,wd:{BAKER_Q},,produced,Tangerine,imdb:tt3824458,,https://example.org/d,,,,,,,
Mikey Madison,wd:{MADISON_Q},,won-award,Academy Award for Best Actress,,,,,,,,2025,,
Mikey Madison,wd:{MADISON_Q},,trained-for,Anora,wd:{ANORA_Q},,https://example.org/e,,,,,,,
Sean Baker,wd:{BAKER_Q},,worked-on,Anora,wd:{ANORA_Q},,https://example.org/f,,,,,2024,editor,
'''


@pytest.fixture
def rows_kg(tmp_path: Path) -> tuple[KnowledgeGraph, Path]:
    path = tmp_path / "rows.csv"
    path.write_text(ROWS, encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    return graph, path


def test_every_line_of_annotated_rows_reads_back_as_expected(rows_kg: tuple[KnowledgeGraph, Path], tmp_path: Path) -> None:
    graph, _ = rows_kg
    report = write_quickstatements(graph, tmp_path / "out.qs")
    ingested = today_ingested(graph, "rows.csv")
    url = lambda u: ("S854", ("string", u))  # noqa: E731
    quote = lambda q: ("S1683", ("monolingualtext", "en", q))  # noqa: E731
    expected = {
        # directed is stated from the film in Wikidata (film:inverseMatch wdt:P57); retrieved given
        Command(ANORA_Q, "P57", ("item", BAKER_Q), (),
                (url("https://example.org/a"), quote('He said "hi"'), ("S813", ("time", "+2024-05-02", "11")))),
        Command(ANORA_Q, "P161", ("item", MADISON_Q), (("P453", ("item", ANI_Q)), ("P1545", ("string", "1"))),
                (url("https://example.org/b"), quote("Quote b"), ("S813", ingested))),
        # the same statement from another source: a second line, another reference group
        Command(ANORA_Q, "P161", ("item", MADISON_Q), (("P453", ("item", ANI_Q)),),
                (("S1476", ("monolingualtext", "en", "Press kit")), quote("Quote c"), ("S813", ingested))),
        Command(ANI_Q, "P1441", ("item", ANORA_Q), (), ()),
        Command(ANORA_Q, "P577", ("time", "+2024-05-00", "10"), (), ()),
        Command(ANORA_Q, "P2047", ("quantity", "139", "Q7727"), (), ()),
    }  # fmt: skip
    commands = read_file(tmp_path / "out.qs")
    assert set(commands) == expected and len(commands) == len(expected) == report.lines
    assert report.written == 6
    assert report.skipped == {
        "acted-in: the subject has no Wikidata id": 1,
        "produced: the object has no Wikidata id": 1,
        "won-award: the object has no Wikidata id": 1,
        "genre: the object is words in filmkg, an item in Wikidata": 1,
        "trained-for: no Wikidata property": 1,
        "worked-on: no Wikidata property": 1,
        "deprecated rank": 1,
    }
    assert report.dropped == {"note qualifier: no Wikidata property": 1}
    assert report.notes == {
        "preferred rank not set (QuickStatements v1 sets no ranks)": 1,
        "no source or quote: written without a reference": 3,
    }
    assert report.examples["genre: the object is words in filmkg, an item in Wikidata"] == ("Anora genre comedy drama",)
    summary = report.summary()
    assert summary.startswith(f"wrote 6 lines for 6 statements to {tmp_path / 'out.qs'}\nskipped 7 statements:")
    assert "  1  deprecated rank (e.g. Mikey Madison acted-in Anora)" in summary


def test_skipped_for_ids_matches_the_rows_counted_independently(rows_kg: tuple[KnowledgeGraph, Path]) -> None:
    """Rows naming an entity without a wd: id (an empty id cell on an entity column) are the ones
    skipped for lack of a Wikidata id, counted from the file with the csv module."""
    graph, path = rows_kg
    literal = {p.name for p in load_ontology().relations if p.is_literal}
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    missing = sum(
        1 for r in rows
        if r["predicate"] in {"acted-in", "produced", "won-award", "directed", "character-in"}
        and (not r["subject_id"].startswith("wd:") or (r["predicate"] not in literal and not r["object_id"].startswith("wd:")))
    )  # fmt: skip
    _, report = quickstatements_lines(graph)
    assert sum(n for reason, n in report.skipped.items() if reason.endswith("has no Wikidata id")) == missing == 3


def test_qualifier_entities_without_an_id_are_left_out_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "subject,subject_id,predicate,object,object_id,character,date,role,source\n"
        f"Mikey Madison,wd:{MADISON_Q},acted-in,Anora,wd:{ANORA_Q},Ani,,,https://example.org/x\n"
        f"Mikey Madison,wd:{MADISON_Q},nominated-for,Best Actress,wd:Q103618,,2025-03-02,lead,https://example.org/y\n",
        encoding="utf-8",
    )
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    lines, report = quickstatements_lines(graph)
    commands = {parse_line(line) for line in lines}
    assert {(c.item, c.property, c.value[1], c.qualifiers) for c in commands} == {
        (ANORA_Q, "P161", MADISON_Q, ()),
        (MADISON_Q, "P1411", "Q103618", (("P585", ("time", "+2025-03-02", "11")),)),
    }
    assert report.dropped == {
        "character qualifier: the character has no Wikidata id": 1,
        "role qualifier: the role is words in filmkg, an item in Wikidata": 1,
    }


# ------------------------------------------------------------------------------ sources read from Wikidata


@dataclass(frozen=True)
class WikidataRows:
    """An importer called ``wikidata`` that reads annotated rows: a stand-in for the Wikidata importer."""

    table: AnnotatedTable = AnnotatedTable()
    name: str = WIKIDATA_IMPORTER
    description: str = "annotated rows, as if read from Wikidata"
    suffixes: tuple[str, ...] = (".csv",)

    def claims(self, path: Path) -> bool:
        return self.table.claims(path)

    def fingerprint(self, path: Path) -> str:
        return self.table.fingerprint(path)

    def read(self, path: Path, sink, options) -> None:  # type: ignore[no-untyped-def]
        self.table.read(path, sink, options)


def test_statements_read_from_wikidata_are_not_sent_back(tmp_path: Path) -> None:
    header = "subject,subject_id,predicate,object,object_id,source\n"
    (tmp_path / "from_wd").mkdir()
    wd = tmp_path / "from_wd" / "wd.csv"
    wd.write_text(
        header
        + f"Sean Baker,wd:{BAKER_Q},directed,Anora,wd:{ANORA_Q},https://www.wikidata.org/wiki/{ANORA_Q}\n"
        + f"Mikey Madison,wd:{MADISON_Q},acted-in,Anora,wd:{ANORA_Q},https://www.wikidata.org/wiki/{ANORA_Q}\n",
        encoding="utf-8",
    )
    article = tmp_path / "article.csv"
    article.write_text(header + f"Sean Baker,wd:{BAKER_Q},directed,Anora,wd:{ANORA_Q},https://example.org/article\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(wd, importer=WikidataRows())
    graph.ingest(article)
    assert {s.name: s.importer for s in graph.sources()} == {"wd.csv": "wikidata", "article.csv": "annotated"}
    lines, report = quickstatements_lines(graph)
    # the article's reference still goes to the statement Wikidata has; nothing of Wikidata's own
    assert [parse_line(line).references[0] for line in lines] == [("S854", ("string", "https://example.org/article"))]
    assert report.skipped == {"read from Wikidata": 2}
    assert sorted(report.examples["read from Wikidata"]) == ["Mikey Madison acted-in Anora", "Sean Baker directed Anora"]


# ------------------------------------------------------------------------------ the shipped data


def test_shipped_data_has_no_wikidata_ids_so_nothing_is_written(tmp_path: Path) -> None:
    assert "wd:" not in ANORA.read_text(encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(ANORA)
    report = write_quickstatements(graph, tmp_path / "anora.qs")
    assert (tmp_path / "anora.qs").read_bytes() == b"" and report.lines == report.written == 0
    relations = " ".join(f"<{p.iri}>" for p in load_ontology().relations)
    [[count]] = graph.store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?st WHERE { VALUES ?p { " + relations + " } "
        "?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p } } }"
    )
    assert sum(report.skipped.values()) >= int(count.value) > 10
    assert all(r.endswith(("has no Wikidata id", "no Wikidata property")) for r in report.skipped)


def test_shipped_data_with_ids_added_writes_each_mapped_row_with_its_quote(tmp_path: Path) -> None:
    """data/anora/anora.csv with Wikidata ids added for three names: the lines expected are computed
    from the file with the csv module."""
    ids = {"Sean Baker": BAKER_Q, "Mikey Madison": MADISON_Q, "Anora": ANORA_Q}
    with ANORA.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
        fields = list(reader.fieldnames or [])
    out = tmp_path / "anora_ids.csv"
    with out.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, [*fields, "subject_id", "object_id"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "subject_id": f"wd:{ids[row['subject']]}" if row["subject"] in ids else "",
                             "object_id": f"wd:{ids[row['object']]}" if row["object"] in ids else ""})  # fmt: skip
    wanted = {"directed": "P57", "acted-in": "P161"}
    expected = {
        (ids[r["object"]], wanted[r["predicate"]], ids[r["subject"]], r["quote"].strip())
        for r in rows if r["predicate"] in wanted and r["subject"] in ids and r["object"] in ids
    }  # fmt: skip
    graph = KnowledgeGraph.memory()
    graph.ingest(out)
    commands = [parse_line(line) for line in quickstatements_lines(graph)[0]]
    got = {(c.item, c.property, c.value[1], next(v[2] for k, v in c.references if k == "S1683")) for c in commands
           if c.property in wanted.values()}  # fmt: skip
    assert got == expected and len(expected) >= 3
    assert all(dict(c.references)["S813"] == today_ingested(graph, "anora_ids.csv") for c in commands)


# ------------------------------------------------------------------------------ hostile strings

HOSTILE = [
    'a "quoted" word',
    "tab\there\tQ1\tP31\tQ5",
    "line\nQ1\tP31\tQ5\n-Q2\tP31\tQ5",
    "carriage\r\nreturn",
    "pipes || Q1|P31|Q5 || CREATE",
    "unicode\u2028line\u2029separators\x85and\x0bcontrols\x1b[31m",
    '"starts and ends with quotes"',
]


def test_hostile_strings_stay_inside_one_value(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["subject", "subject_id", "predicate", "object", "object_id", "source", "quote"])
        for n, text in enumerate(HOSTILE):
            writer.writerow(["Mikey Madison", f"wd:{MADISON_Q}", "acted-in", "Anora", f"wd:{ANORA_Q}", f"Source {n}\t\"x\"", text])
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    report = write_quickstatements(graph, tmp_path / "h.qs")
    raw = (tmp_path / "h.qs").read_text(encoding="utf-8")
    assert raw.count("\n") == len(HOSTILE) == report.lines
    commands = read_file(tmp_path / "h.qs")
    quotes = sorted(dict(c.references)["S1683"][2] for c in commands)
    titles = sorted(dict(c.references)["S1476"][2] for c in commands)
    assert quotes == sorted(" ".join(re.split(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+", t)).strip() for t in HOSTILE)
    assert titles == [f'Source {n} "x"' for n in range(len(HOSTILE))]
    assert all((c.item, c.property, c.value) == (ANORA_Q, "P161", ("item", MADISON_Q)) for c in commands)


def test_too_long_and_empty_quotes_are_left_out_of_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "subject,subject_id,predicate,object,object_id,source,quote\n"
        f"Sean Baker,wd:{BAKER_Q},directed,Anora,wd:{ANORA_Q},https://example.org/a,{'x' * 1501}\n"
        f"Sean Baker,wd:{BAKER_Q},directed,Anora,wd:{ANORA_Q},https://example.org/b,{'y' * 1500}\n",
        encoding="utf-8",
    )
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    lines, report = quickstatements_lines(graph)
    refs = sorted(tuple(k for k, _ in parse_line(line).references) for line in lines)
    assert refs == [("S854", "S1683", "S813"), ("S854", "S813")]
    assert report.dropped == {"quote: a string longer than 1,500 characters": 1}


# ------------------------------------------------------------------------------ library and CLI


def test_the_library_calls(rows_kg: tuple[KnowledgeGraph, Path], tmp_path: Path) -> None:
    graph, _ = rows_kg
    path = graph.export(tmp_path / "a.qs")
    assert path == tmp_path / "a.qs"
    by_name = graph.export(tmp_path / "b.txt", format="quickstatements", language="de")
    report = graph.write_quickstatements(tmp_path / "c.qs")
    assert report.output == tmp_path / "c.qs" and path.read_text() == report.output.read_text()
    german = read_file(by_name)
    assert len(german) == report.lines == 6
    assert {v[1] for c in german for _, v in c.references if v[0] == "monolingualtext"} == {"de"}
    with pytest.raises(UsageError, match="`language` is for the quickstatements format"):
        graph.export(tmp_path / "d.ttl", language="de")
    with pytest.raises(UsageError, match="`language` must be a Wikidata language code"):
        graph.write_quickstatements(tmp_path / "e.qs", language='en"\tP31')
    assert not (tmp_path / "e.qs").exists()


def test_the_cli_writes_the_file_and_reports_on_stderr(rows_kg: tuple[KnowledgeGraph, Path], tmp_path: Path) -> None:
    _, rows = rows_kg
    store = tmp_path / "store"
    cli(store, "ingest", rows)
    out = tmp_path / "out.txt"
    run = cli(store, "export", "--format", "quickstatements", "-o", out)
    assert run.stdout == ""
    assert run.stderr.startswith(f"wrote 6 lines for 6 statements to {out}\nskipped 7 statements:\n")
    assert "  1  genre: the object is words in filmkg, an item in Wikidata (e.g. Anora genre comedy drama)" in run.stderr
    assert len(read_file(out)) == 6
    before = store_files(store)
    by_suffix = cli(store, "export", "-o", tmp_path / "out.qs", "--language", "fr")
    assert store_files(store) == before  # a read leaves the store byte-identical
    assert by_suffix.stderr.startswith("wrote 6 lines")
    assert 'fr:"Quote b"' in (tmp_path / "out.qs").read_text(encoding="utf-8")
    bad = cli_fails(store, "export", "-o", tmp_path / "bad.qs", "--language", "E N", code=2)
    assert bad.stderr == 'error: --language must be a Wikidata language code such as "en" or "pt-br", not "E N"\n'
    wrong = cli_fails(store, "export", "-o", tmp_path / "x.ttl", "--language", "fr", code=2)
    assert wrong.stderr == "error: --language is for the quickstatements format, not ttl\n"
    assert not (tmp_path / "bad.qs").exists() and not (tmp_path / "x.ttl").exists()


# ------------------------------------------------------------------------------ the mapping file


def test_every_wikidata_mapping_of_the_ontology_has_a_datatype() -> None:
    data = tomllib.loads((ontology_dir() / "mappings" / "quickstatements.toml").read_text(encoding="utf-8"))
    onto = load_ontology()
    spaces = tuple(onto.prefixes[p] for p in ("wdt", "pq", "pr"))
    mapped = {m.rsplit("/", 1)[1] for p in onto.properties.values() for m in p.mappings if m.startswith(spaces)}
    assert mapped and mapped <= set(data["datatypes"])
    assert set(data["reference"].values()) <= set(data["datatypes"])
    assert set(data["datatypes"].values()) <= {"item", "string", "monolingualtext", "time", "quantity", "url"}
