"""Hostile input and faults (issue 13), input side: every case is generated here, small, and fast.

- SPARQL that would reach the network is refused from its tokens (kg.sparql), wherever it comes
  from; a loopback HTTP server counts the requests that get through (there must be none).
- Every input is bounded (kg.ingest.limits): gzip bombs, long lines, wide headers, deep JSON,
  XML entity expansion and temporary disk space fail early, with exit code 3, naming the file
  and the limit to raise. The limits are set low here, so that no test needs much of anything.
- User and environment errors are messages and exit codes, never tracebacks.
- Nothing is lost silently: duplicate columns and keys, NaN, NUL, symbolic links.
"""

from __future__ import annotations

import gc
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli_helpers import cli, cli_fails, quads
from kg import IngestError, KnowledgeGraph, NetworkRefusedError, StoreError
from kg.errors import Problem
from kg.ingest import Limits, ingest
from kg.sparql import network_keyword, refuse_network, scrub, tokenize

ROWS = "subject,predicate,object\nSean Baker,directed,Anora\n"


# ------------------------------------------------------------------ helpers


@pytest.fixture
def counter() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that counts the requests it gets and answers each with an empty 500."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            seen.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= 1 << 20:
                self.rfile.read(length)
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql", seen
    finally:
        server.shutdown()
        server.server_close()


def problems_of(info: pytest.ExceptionInfo[IngestError]) -> list[Problem]:
    return info.value.problems


def ingest_fails(path: Path, graph: KnowledgeGraph | None = None, **limits: int) -> IngestError:
    """Ingest ``path`` with these limits, expecting an IngestError; the store must stay empty."""
    graph = graph or KnowledgeGraph.memory()
    with pytest.raises(IngestError) as info:
        ingest(graph, [path], limits=Limits(**limits))
    assert len(graph) == 0
    return info.value


def gzip_stream(*parts: tuple[bytes, int]) -> bytes:
    """A gzip file of each ``(block, times)`` repeated, compressed as it goes (nothing big is held)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = []
    for block, times in parts:
        for _ in range(times):
            out.append(compressor.compress(block))
    out.append(compressor.flush())
    return b"".join(out)


def laughs(levels: int, width: int) -> str:
    """A "billion laughs" RDF/XML file: ``width`` ** ``levels`` * 3 bytes of text from about 1 KB."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * width}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f'<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


@pytest.fixture
def store(kg_path: Path, tiny_csv: Path, tmp_path: Path) -> Path:
    """A store on disk with the tiny data and a triple whose object is 49 (for ``?s ?p 49SERVICE``)."""
    numbers = tmp_path / "numbers.ttl"
    numbers.write_text("<http://example.org/s> <http://example.org/p> 49 .\n")
    cli(kg_path, "ingest", tiny_csv, numbers)
    return kg_path


# ------------------------------------------------------------------ 1. no network: the bypasses of the issue

ESCAPED = "SELECT * WHERE {{ VALUES ?x {{ film:x\\' }} SERVICE <{url}> {{ ?a ?b ?c }} }}"
"""A prefixed name ending in the legal escape \\' (a regex scrubber read a string from there on)."""
GLUED = "SELECT * WHERE {{ ?s ?p 49SERVICE <{url}> {{ ?a ?b ?c }} }}"
"""SERVICE glued to a number (a look-behind let it through)."""
INJECTED = "zz) {{ (1) }} SERVICE <{url}> {{ ?a ?b ?c }} VALUES (?film=Anora"
"""A --bind whose name closes the VALUES clause and adds a SERVICE."""


@pytest.mark.parametrize("template", [ESCAPED, GLUED], ids=["escaped-local-name", "glued-to-a-number"])
def test_the_query_bypasses_reach_the_server_only_with_allow_network(
    store: Path, counter: tuple[str, list[str]], template: str
) -> None:
    url, seen = counter
    text = template.format(url=url)
    run = cli_fails(store, "query", text, code=6)
    assert "SERVICE" in run.stderr and "--allow-network" in run.stderr
    assert seen == []
    # the control: the same query does reach the server when the network is allowed
    cli_fails(store, "query", text, "--allow-network", code=6)  # the server answers 500
    assert seen


def test_a_bind_name_cannot_inject_service(store: Path, counter: tuple[str, list[str]]) -> None:
    url, seen = counter
    injected = INJECTED.format(url=url)
    run = cli_fails(store, "query", "SELECT * WHERE { ?film ?p ?o } LIMIT 1", "--bind", injected, code=6)
    assert "is not a SPARQL variable name" in run.stderr
    run = cli_fails(store, "query", "--name", "training", "--bind", injected, code=6)
    assert "is not a SPARQL variable name" in run.stderr
    cli_fails(store, "query", "--name", "training", "--bind", injected, "--allow-network", code=6)
    assert seen == []


@pytest.mark.parametrize("template", [ESCAPED, GLUED], ids=["escaped-local-name", "glued-to-a-number"])
def test_viz_query_refuses_the_bypasses(
    store: Path, counter: tuple[str, list[str]], tmp_path: Path, template: str
) -> None:
    url, seen = counter
    query = tmp_path / "view.rq"
    query.write_text(template.format(url=url).replace("SELECT *", "CONSTRUCT { ?s ?p ?o }", 1))
    out = tmp_path / "view.html"
    run = cli_fails(store, "viz", "--query", query, "-o", out, code=6)
    assert "SERVICE" in run.stderr
    assert seen == []
    assert not out.exists()


@pytest.mark.parametrize("template", [ESCAPED, GLUED], ids=["escaped-local-name", "glued-to-a-number"])
def test_the_api_refuses_the_bypasses(store: Path, counter: tuple[str, list[str]], template: str) -> None:
    url, seen = counter
    with KnowledgeGraph.open(store, read_only=True) as graph, pytest.raises(NetworkRefusedError):
        graph.query(template.format(url=url))
    assert seen == []


# ------------------------------------------------------------------ 1. no network: the tokenizer

REFUSED = [
    "SELECT * { SERVICE <http://e/> { } }",
    "select * { service <http://e/> { } }",
    "SELECT * { ?s ?p 49SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p 4.0SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p 4e1SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p trueSERVICE <http://e/> { } }",
    "SELECT * { SERVICESILENT <http://e/> { } }",
    "PREFIX : <http://e/> SELECT * { SERVICE:x { } }",
    "PREFIX : <http://e/> SELECT * { SERVICE: { } }",
    "SELECT * { ?s ?p film:x\\' . SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p 'x'SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p \"\"\"a\"b\"\"\"SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p []SERVICE <http://e/> { } }",
    "SELECT * { ?s ?p (1)SERVICE <http://e/> { } }",
    "SELECT * { BIND(1 AS ?a) FILTER(?a<?b)SERVICE <http://e/> { } }",
    "SELECT * { BIND(1 AS ?a) FILTER(?a<?b)SERVICE#>\n<http://e/> { } }",
    "SELECT * { BIND(1 AS ?a) FILTER(?a<?b)'>' ?p ?o SERVICE <http://e/> { } }",
    "SELECT * { \\u0053ERVICE <http://e/> { } }",
    "LOAD <http://e/data.ttl>",
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> } ; LOAD<http://e/x>",
]
ALLOWED = [
    'SELECT * WHERE { ?s ?p "SERVICE" . ?service ?p ?o }  # LOAD',
    "PREFIX ex: <http://e/> SELECT * { ?s ex:service ?o ; ex:load 'LOAD' }",
    "SELECT * { ?s ?p film:x\\' }",
    "SELECT * { ?s <http://schema.org/Service> ?o }",
    "SELECT * { VALUES (?a ?b) { (<http://e/x> <http://schema.org/Service>) } }",
    "SELECT * { FILTER(?a < ?b) FILTER(?c>?d) ?s ?p '''SERVICE <http://e/> { }''' }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://e/Service> ; ?p $load }",
    "SELECT * { ?s ?p _:service , 'x'@en-service }",
]


@pytest.mark.parametrize("sparql", REFUSED)
def test_network_keywords_are_found_however_they_are_written(sparql: str) -> None:
    assert network_keyword(sparql) in ("SERVICE", "LOAD"), sparql
    with pytest.raises(NetworkRefusedError):
        refuse_network(sparql)


@pytest.mark.parametrize("sparql", ALLOWED)
def test_strings_iris_comments_variables_and_prefixed_names_are_not_keywords(sparql: str) -> None:
    assert network_keyword(sparql) is None, sparql
    refuse_network(sparql)


def test_the_tokenizer_covers_any_text_and_scrub_keeps_its_length() -> None:
    text = "SELECT ?x { ?x film:x\\' \"unterminated ; <http://e/#x> 'a' # c\n \x00 \ud800 }"
    assert "".join(t.text for t in tokenize(text)) == text
    scrubbed = scrub(text)
    assert len(scrubbed) == len(text)
    assert "film:x\\'" in scrubbed and "http" not in scrubbed and "'a'" not in scrubbed


GLUE_OBJECTS = ["49", "4.0", "4e1", "true", "'x'", "'x'@en", "<http://e/x>", "ex:x", "ex:x\\'", ":x", "?o", "[]", "(1)"]
GLUE_BETWEEN = ["", " ", "\n", "#c\n", " . ", "."]
GLUE_KEYWORDS = ["SERVICE", "service", "SERVICESILENT", "SERVICE SILENT"]
GLUE_TARGETS = ["<{url}>", ":", ":x", "?x", "\n<{url}>"]


def test_whatever_oxigraph_sends_a_request_for_is_refused(counter: tuple[str, list[str]]) -> None:
    """A differential check: every query that makes Oxigraph call the server is refused by the tokenizer."""
    url, seen = counter
    store = ox.Store()
    store.update("INSERT DATA { <http://e/s> <http://e/p> 49, 4.0, 4e1, true, 'x', 'x'@en, <http://e/x>, <http://e/x'> }")
    prologue = f"PREFIX ex: <http://e/> PREFIX : <{url}/> "
    checked = reached = 0
    for index, obj in enumerate(GLUE_OBJECTS):
        for between in GLUE_BETWEEN:
            keyword = GLUE_KEYWORDS[(index + len(between)) % len(GLUE_KEYWORDS)]
            for target in GLUE_TARGETS:
                text = prologue + f"SELECT * {{ ?s ?p {obj}{between}{keyword}{target.format(url=url)} {{ }} }}"
                before = len(seen)
                try:
                    store.query(text)
                except (SyntaxError, OSError, RuntimeError, ValueError):
                    pass
                checked += 1
                if len(seen) > before:
                    reached += 1
                    assert network_keyword(text) is not None, text
    assert reached > 50 and checked > 300  # the check did meet queries that reach the server


# ------------------------------------------------------------------ 2. bounded input: gzip


def test_a_gzip_bomb_stops_at_the_compression_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip_stream((b"subject,predicate,object\n", 1), (b"Sean Baker,directed,Anora\n" * 4096, 400)))
    assert path.stat().st_size < 150_000  # 40 MB inside
    error = ingest_fails(path)
    assert str(path) in str(error)
    assert "`max_compression_ratio`" in str(error) and "FILMKG_MAX_COMPRESSION_RATIO" in str(error)


def test_a_large_gzip_file_stops_at_the_decompressed_size(tmp_path: Path) -> None:
    path = tmp_path / "large.csv.gz"
    rows = "".join(f"Person {i},directed,Film {i}\n" for i in range(20_000))
    path.write_bytes(gzip.compress(("subject,predicate,object\n" + rows).encode()))
    error = ingest_fails(path, max_decompressed_bytes=100_000)
    assert "`max_decompressed_bytes`" in str(error) and str(path) in str(error)
    graph = KnowledgeGraph.memory()
    assert ingest(graph, [path], limits=Limits(max_decompressed_bytes=10_000_000)).rows == 20_000


def test_a_huge_line_is_refused_without_being_held(tmp_path: Path) -> None:
    """64 MB on one line of a small .csv.gz: refused at its line, holding no more than a chunk or two."""
    path = tmp_path / "line.csv.gz"
    path.write_bytes(gzip_stream((b"subject,predicate,object,quote\nA,directed,B,", 1), (b"x" * (1 << 20), 64),
                                 (b"\nSean Baker,directed,Anora,\n", 1)))  # fmt: skip
    tracemalloc.start()
    try:
        error = ingest_fails(path, max_compression_ratio=1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak
    [problem] = error.problems
    assert problem.line == 2
    assert "longer than 1.0 MiB (`max_line_bytes`)" in problem.message


# ------------------------------------------------------------------ 2. bounded input: lines and fields


@pytest.mark.parametrize("length", [900, 2000])
def test_csv_fields_and_json_lines_share_one_limit(tmp_path: Path, length: int) -> None:
    quote = "q" * length
    table = tmp_path / "t.csv"
    table.write_text(f"subject,predicate,object,quote\nSean Baker,directed,Anora,{quote}\n")
    lines = tmp_path / "t.jsonl"
    record = {"subject": "Sean Baker", "predicate": "directed", "object": "Anora", "quote": quote}
    lines.write_text(json.dumps(record) + "\n")
    for path in (table, lines):
        graph = KnowledgeGraph.memory()
        if length > 1000:
            with pytest.raises(IngestError, match="`max_line_bytes`"):
                ingest(graph, [path], limits=Limits(max_line_bytes=1000))
        else:
            assert ingest(graph, [path], limits=Limits(max_line_bytes=1000)).statements == 1


def test_fields_past_the_old_csv_limit_of_128_kb_are_read(tmp_path: Path) -> None:
    quote = "q" * 200_000
    table = tmp_path / "t.csv"
    table.write_text(f'subject,predicate,object,quote\nSean Baker,directed,Anora,"{quote}"\n')
    assert KnowledgeGraph.memory().ingest(table).statements == 1


def test_a_quoted_record_over_many_lines_is_held_to_the_same_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    body = "\n".join(["line"] * 400)
    path.write_text(f'subject,predicate,object,quote\nSean Baker,directed,Anora,"{body}"\nA,directed,B,\n')
    error = ingest_fails(path, max_line_bytes=1000)
    assert any("record" in p.message and "`max_line_bytes`" in p.message for p in error.problems)


def test_rows_after_a_long_line_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    good = json.dumps({"subject": "Sean Baker", "predicate": "directed", "object": "Anora"})
    path.write_text(good + "\n" + json.dumps({"subject": "x" * 5000}) + "\n" + good.replace("Anora", "Tangerine") + "\n")
    rejects = tmp_path / "rejected.jsonl"
    graph = KnowledgeGraph.memory()
    report = ingest(graph, [path], skip_bad_rows=rejects, limits=Limits(max_line_bytes=1000))
    assert report.rows == 2 and report.rejected == 1
    assert json.loads(rejects.read_text())["line"] == 2


def test_a_wide_header_is_checked_quickly_and_its_problems_capped(tmp_path: Path) -> None:
    width = 200_000
    path = tmp_path / "wide.csv"
    path.write_text("subject,predicate,object," + ",".join(f"c{i}" for i in range(width)) + "\n"
                    + "A,directed,B" + "," * width + "\n")  # fmt: skip
    started = time.monotonic()
    error = ingest_fails(path, max_line_bytes=4 << 20)
    assert time.monotonic() - started < 20
    assert len(error.problems) == 101
    assert "were not checked" in error.problems[-1].message
    assert len(str(error)) < 50_000


def test_a_wide_header_of_curies_warns_a_capped_number_of_times(tmp_path: Path) -> None:
    width = 50_000
    path = tmp_path / "curies.csv"
    path.write_text("subject,predicate,object," + ",".join(f"wd:P{i}" for i in range(width)) + "\n"
                    + "A,directed,B" + ",x" * width + "\n")  # fmt: skip
    report = ingest(KnowledgeGraph.memory(), [path], limits=Limits(max_line_bytes=4 << 20))
    assert len(report.warnings) == 101
    assert "49,900 more" in report.warnings[-1].message


# ------------------------------------------------------------------ 2. bounded input: JSON depth


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deep_json_is_a_problem_at_its_line(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.jsonl"
    good = json.dumps({"subject": "Sean Baker", "predicate": "directed", "object": "Anora"})
    path.write_text(good + "\n" + '{"subject": ' + "[" * depth + "]" * depth + "}\n")
    error = ingest_fails(path)
    [problem] = error.problems
    assert problem.line == 2
    assert "32 deep (`max_json_depth`)" in problem.message


# ------------------------------------------------------------------ 2. bounded input: XML entities


@pytest.mark.parametrize(("levels", "width"), [(9, 10), (6, 15)], ids=["billion-laughs", "30-MB-literal"])
def test_entity_expansion_is_refused_before_the_parser_sees_it(tmp_path: Path, levels: int, width: int) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(laughs(levels, width))
    assert path.stat().st_size < 1100
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = ingest_fails(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10 and peak < 16 << 20
    assert "`max_entity_bytes`" in str(error) and str(path) in str(error)


def test_gzipped_entity_expansion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.rdf.gz"
    path.write_bytes(gzip.compress(laughs(9, 10).encode()))
    assert "`max_entity_bytes`" in str(ingest_fails(path))


def test_the_entities_ontology_editors_write_are_read(tmp_path: Path) -> None:
    path = tmp_path / "onto.owl"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
        ' <!ENTITY ex "http://example.org/" >\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="&ex;Film"><rdf:type rdf:resource="&owl;Class"/></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    graph = KnowledgeGraph.memory()
    assert ingest(graph, [path], limits=Limits(max_entity_bytes=200)).rows == 1
    assert graph.query("ASK { <http://example.org/Film> a owl:Class }").boolean


@pytest.mark.parametrize(
    ("declaration", "message"),
    [('<!ENTITY % p "x">', "parameter entity"), ('<!ENTITY e SYSTEM "file:///etc/passwd">', "external entity")],
)
def test_parameter_and_external_entities_are_refused(tmp_path: Path, declaration: str, message: str) -> None:
    path = tmp_path / "x.rdf"
    path.write_text(
        f'<!DOCTYPE rdf:RDF [ {declaration} ]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    assert message in str(ingest_fails(path))


# ------------------------------------------------------------------ 2. bounded input: temporary disk


def test_too_little_temporary_space_fails_before_reading(
    kg_path: Path, tiny_csv: Path, tmp_path: Path
) -> None:
    cli(kg_path, "ingest", tiny_csv)
    before = quads(kg_path)
    other = tmp_path / "other.csv"
    other.write_text(ROWS)
    run = cli_fails(kg_path, "ingest", other, "--min-free-bytes", str(1 << 60), code=3)
    assert "temporary space" in run.stderr and "--min-free-bytes" in run.stderr and str(other) in run.stderr
    assert quads(kg_path) == before


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, to fill up (only where the tests may mount one: as root, on Linux)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)  # lazily: a store may still hold a file


def _rows_file(tmp_path: Path) -> Path:
    path = tmp_path / "many.csv"
    rows = "".join(f'Person {i},directed,Film {i},Source {i},"quote {i}, with a comma"\n' for i in range(6000))
    path.write_text("subject,predicate,object,source,quote\n" + rows)
    return path


def test_a_full_temporary_disk_is_a_clear_error(tmpfs: Path, kg_path: Path, tmp_path: Path) -> None:
    """In a process of its own: the temporary folder is chosen once per process."""
    path = _rows_file(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(kg_path), "ingest", str(path), "--min-free-bytes", "0"],
        capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmpfs)}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "is full" in done.stderr and "TMPDIR" in done.stderr and "Traceback" not in done.stderr
    assert not kg_path.exists() or not any(kg_path.iterdir())


def test_a_full_disk_under_the_store_is_a_store_error(tmpfs: Path, tmp_path: Path) -> None:
    path = _rows_file(tmp_path)
    graph = KnowledgeGraph.open(tmpfs / "store")
    try:
        with pytest.raises(StoreError, match="is full"):
            graph.ingest(path)
    finally:
        try:
            graph.close()
        except StoreError as exc:  # flushing a store on a full disk fails too, and says so
            assert "is full" in str(exc)
        del graph
        gc.collect()


def test_a_full_disk_under_the_store_is_exit_code_4(tmpfs: Path, tmp_path: Path) -> None:
    path = _rows_file(tmp_path)
    try:
        run = cli_fails(tmpfs / "store", "ingest", path, code=4)
        assert "is full" in run.stderr
    finally:
        gc.collect()


# ------------------------------------------------------------------ 3. --skip-bad-rows


@pytest.mark.parametrize("where", ["missing/rejected.jsonl", "."], ids=["missing-folder", "a-folder"])
def test_an_unwritable_rejects_file_fails_before_anything_is_committed(
    kg_path: Path, tiny_csv: Path, tmp_path: Path, where: str
) -> None:
    cli(kg_path, "ingest", tiny_csv)
    before = quads(kg_path)
    other = tmp_path / "other.csv"
    other.write_text(ROWS + "Nobody,trainedd-for,Anora\n")
    target = tmp_path / where
    run = cli_fails(kg_path, "ingest", other, "--skip-bad-rows", target, code=3)
    assert "cannot write the rejected rows" in run.stderr and "--skip-bad-rows" in run.stderr
    assert quads(kg_path) == before


def test_the_rejects_file_is_created_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(ROWS)
    rejects = tmp_path / "rejected.jsonl"
    report = KnowledgeGraph.memory().ingest(path, skip_bad_rows=rejects)
    assert report.rejected == 0 and rejects.read_text() == ""


# ------------------------------------------------------------------ 4. no traceback


def test_lone_surrogates_in_json_are_a_problem(kg_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"subject": "Sean Baker", "predicate": "directed", "object": "Anora"}\n'
        '{"subject": "\\ud800", "predicate": "directed", "object": "Anora"}\n'
        '{"subject": "Sean Baker", "predicate": "directed", "object": "Anora", "\\udc00": "x"}\n'
        '{"subject": "Sean Baker", "predicate": "directed", "object": ["\\ud83c\\udfac", "\\ud83c"]}\n'
    )
    run = cli_fails(kg_path, "ingest", path, code=3)
    assert run.stderr.count("lone surrogate") == 3
    assert f"{path}:2:" in run.stderr and f"{path}:4:" in run.stderr


def test_an_unreadable_file_is_a_message(kg_path: Path, tmp_path: Path) -> None:
    if not Path("/proc/self/mem").exists():
        pytest.skip("needs /proc/self/mem, a file that cannot be read from its start")
    path = tmp_path / "mem.csv"
    path.symlink_to("/proc/self/mem")
    run = cli_fails(kg_path, "ingest", path, code=3)
    assert "cannot read the file" in run.stderr


def test_a_fifo_and_a_device_are_said_to_be_what_they_are(kg_path: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    run = cli_fails(kg_path, "ingest", fifo, code=3)
    assert "named pipe" in run.stderr and "no such file" not in run.stderr
    run = cli_fails(kg_path, "ingest", "--format", "annotated", "/dev/zero", code=3)
    assert "character device" in run.stderr


def test_bad_utf8_is_reported_at_its_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(ROWS.encode() + "Mikey Madison,acted-in,Anora\nB\u00e9la Tarr,directed,S\u00e1t\u00e1ntang\u00f3\n".encode("latin-1"))
    [problem] = ingest_fails(path).problems
    assert (problem.line, problem.column) == (4, 2)
    assert "not UTF-8" in problem.message and "line 4" in problem.message


def test_a_remote_json_ld_context_during_ingest_is_bad_input(
    kg_path: Path, tmp_path: Path, counter: tuple[str, list[str]]
) -> None:
    url, seen = counter
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": url, "@id": "http://example.org/anora", "name": "Anora"}))
    run = cli_fails(kg_path, "ingest", path, code=3)
    assert "--allow-network" in run.stderr
    assert seen == []


def _corrupt_current(store: Path) -> None:
    (store / "CURRENT").write_text("garbage\n")


def _remove_manifest(store: Path) -> None:
    for manifest in store.glob("MANIFEST-*"):
        manifest.unlink()


def _scramble_tables(store: Path) -> None:
    for table in store.glob("*.sst"):
        with table.open("r+b") as stream:
            stream.write(b"garbage" * 50)


@pytest.mark.parametrize("damage", [_corrupt_current, _remove_manifest, _scramble_tables])
def test_a_damaged_store_is_a_store_error_saying_what_to_do(kg_path: Path, tiny_csv: Path, damage: object) -> None:
    cli(kg_path, "ingest", tiny_csv)
    assert callable(damage)
    damage(kg_path)
    for command in (["sources"], ["ingest", str(tiny_csv)]):
        run = cli_fails(kg_path, *command, code=4)
        assert "damaged" in run.stderr and "backup" in run.stderr and "export" in run.stderr
    with pytest.raises(StoreError):
        KnowledgeGraph.open(kg_path, read_only=True)


# ------------------------------------------------------------------ 5. no silent data loss


def test_a_column_given_twice_names_both(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("subject,predicate,object,duration,duration\nMikey Madison,trained-for,Anora,P1M,P2M\n")
    [problem] = ingest_fails(path).problems
    assert (problem.line, problem.column) == (1, 5)
    assert "columns 4 and 5" in problem.message


def test_a_json_key_given_twice_names_both(tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    line = '{"subject": "Mikey Madison", "predicate": "trained-for", "object": "Anora", "duration": "P1M", "duration": "P2M"}'
    path.write_text(line + "\n")
    [problem] = ingest_fails(path).problems
    first, second = line.index('"duration"') + 1, line.rindex('"duration"') + 1
    assert f"columns {first} and {second}" in problem.message and problem.column == second


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_json_does_not_allow_are_refused(tmp_path: Path, number: str) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(f'{{"subject": {number}, "predicate": "directed", "object": "Anora"}}\n')
    [problem] = ingest_fails(path).problems
    assert number.lstrip("-") in problem.message


@pytest.mark.parametrize("name", ["nul.csv", "nul.jsonl"])
def test_nul_characters_are_refused_in_names_and_iris(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("subject,predicate,object\nSean\x00Baker,directed,Anora\nA,directed,<http://e/a\x00b>\n")
    else:
        path.write_text('{"subject": "Sean\\u0000Baker", "predicate": "directed", "object": "Anora"}\n')
    error = ingest_fails(path)
    assert error.problems and all("NUL" in p.message for p in error.problems)
    assert {p.column_name for p in error.problems} <= {"subject", "object"}


def test_a_nul_in_a_column_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("subject,predicate,object,dura\x00tion\nA,directed,B,x\n")
    assert "NUL" in str(ingest_fails(path))


def test_a_byte_order_mark_is_accepted_in_turtle(tmp_path: Path) -> None:
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n")
    assert KnowledgeGraph.memory().ingest(path).rows == 1


def test_a_symbolic_link_to_a_file_already_given_is_one_source(kg_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "films.csv"
    path.write_text(ROWS)
    (folder / "alias.csv").symlink_to(path)
    (tmp_path / "elsewhere.csv").symlink_to(path)
    with KnowledgeGraph.open(kg_path) as graph:
        report = graph.ingest([path, tmp_path / "elsewhere.csv", folder])
        assert len(report.files) == 1
        assert [s.name for s in graph.sources()] == ["films.csv"]
        assert graph.ingest(tmp_path / "elsewhere.csv").files[0].status == "unchanged"
        assert len(graph.sources()) == 1
    assert quads(kg_path)
