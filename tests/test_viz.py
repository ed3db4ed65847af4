"""Tests of kg.viz: subgraph selection on real stores, the page it writes, the CLI, and the page in Chromium.

The browser tests drive Debian's /usr/bin/chromium with Playwright. They skip when it is
missing, unless FILMKG_REQUIRE_BROWSER=1 (as in .ci/run), where a missing browser fails.
"""

from __future__ import annotations

import csv
import gc
import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from kg import KGError, KnowledgeGraph, NotFoundError, QueryError
from kg.analysis import entity_graph
from kg.cli import app
from kg.ontology import load_ontology, ontology_dir
from kg.store import memory_store
from kg.viz import LAYOUT_THRESHOLD, VizResult, render, subgraph, viz

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.pwned=1</script>"


def labels(view: Any) -> list[str]:
    return sorted(data["label"] for _, data in view.nodes(data=True))


def data_of(page: str) -> dict[str, Any]:
    """The graph data a page carries, parsed back from its JSON script element."""
    match = re.search(r'<script type="application/json" id="fk-data">(.*?)</script>', page, re.DOTALL)
    assert match is not None
    result: dict[str, Any] = json.loads(match.group(1))
    return result


def synthetic_csv(path: Path, entities: int, *, seed: int = 7) -> Path:
    """Annotated triples over exactly ``entities`` entities: people acting in and directing films, coaching each other."""
    import random

    rng = random.Random(seed)
    films = max(2, entities // 8)
    people = entities - films
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "predicate", "object", "character", "source", "quote"])
        for i in range(people):
            writer.writerow([f"Person {i:04d}", "acted-in", f"Film {i % films:03d}", f"Role {i}", "Synthetic", f"P{i} acts."])
            if rng.random() < 0.4:
                writer.writerow([f"Person {i:04d}", "acted-in", f"Film {rng.randrange(films):03d}", "", "Synthetic", ""])
            if i and rng.random() < 0.3:
                writer.writerow([f"Person {i:04d}", "coached", f"Person {rng.randrange(i):04d}", "", "Synthetic", ""])
        for f in range(films):
            writer.writerow([f"Person {rng.randrange(people):04d}", "directed", f"Film {f:03d}", "", "Synthetic", ""])
    return path


@pytest.fixture
def hostile_kg(tmp_path: Path) -> KnowledgeGraph:
    """Entities, qualifiers, sources and quotes that are HTML and script: in a CSV, and exact labels in Turtle."""
    rows = tmp_path / "hostile.csv"
    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "predicate", "object", "character", "source", "quote"])
        writer.writerow([
            f"Eve {IMG}", "acted-in", f"Film {SCRIPT}", '<img src=x onerror="window.pwned=2"> Ani',
            "<b onmouseover=alert(3)>source</b> one", "She said \"hi\" & 'bye' </script><script>window.pwned=3</script>",
        ])  # fmt: skip
        writer.writerow(["Sean 'Q' \"Baker\"", "directed", f"Film {SCRIPT}", "", 'A "quoted" source', "It's <svg onload=alert(4)>"])
    turtle = tmp_path / "hostile.ttl"
    turtle.write_text(
        "@prefix film: <https://w3id.org/filmkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/a> rdfs:label \"<img src=x onerror=alert(1)>\" ; a film:Person, <https://example.org/T?a=1&b='2'> ;\n"
        "  film:actedIn <https://example.org/b> .\n"
        "<https://example.org/b> rdfs:label \"</script><script>window.pwned=1</script>\" ; a film:Film ;\n"
        "  film:description \"<iframe src=javascript:alert(5)>\" .\n",
        encoding="utf-8",
    )
    graph = KnowledgeGraph.memory()
    graph.ingest([rows, turtle])
    return graph


# ------------------------------------------------------------------------------------------ selection


def test_focus_depth_walks_both_directions(tiny_kg: KnowledgeGraph) -> None:
    one = subgraph(tiny_kg, focus="Modern Whore", depth=1)
    two = subgraph(tiny_kg, focus="modern whore", depth=2)
    assert labels(one) == ["Andrea Werhun", "Modern Whore"]
    assert labels(two) == ["Andrea Werhun", "Anora", "Modern Whore"]
    assert {d["label"]: d["distance"] for _, d in two.nodes(data=True)} == {
        "Modern Whore": 0, "Andrea Werhun": 1, "Anora": 2,
    }  # fmt: skip
    assert two.graph["focus"].endswith("/modern_whore") and two.graph["omitted"] == 0 and two.graph["message"] == ""
    assert sorted(k for _, _, k in two.edges(keys=True)) == ["advised", "authored"]


def test_focus_neighbourhood_keeps_qualifiers_sources_and_quotes(tiny_kg: KnowledgeGraph) -> None:
    view = subgraph(tiny_kg, focus="Anora", depth=1)
    assert "Pole Coach" not in labels(view) and "Mikey Madison" in labels(view)
    data = view.get_edge_data("https://w3id.org/filmkg/resource/mikey_madison", "https://w3id.org/filmkg/resource/anora")
    trained = data["trained-for"]["statements"][0]
    assert dict(trained.qualifier_pairs())["duration"] == "P5M"
    assert dict(trained.qualifier_pairs())["skill"] == "pole dancing"
    assert trained.sources == ("Tiny fixture",) and trained.quotes == ("She trained for five months.",)


def test_unknown_focus_relation_or_class(tiny_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no entity"):
        subgraph(tiny_kg, focus="Nobody At All")
    with pytest.raises(NotFoundError, match='did you mean "acted-in"'):
        subgraph(tiny_kg, relations=["actd-in"])
    with pytest.raises(NotFoundError, match="unknown class"):
        subgraph(tiny_kg, types=["Personn"])
    with pytest.raises(KGError, match="depth"):
        subgraph(tiny_kg, focus="Anora", depth=0)
    with pytest.raises(KGError, match="max_nodes"):
        subgraph(tiny_kg, max_nodes=0)


def test_relation_filters_use_ontology_names_and_drop_orphans(tiny_kg: KnowledgeGraph) -> None:
    acted = subgraph(tiny_kg, relations=["starred-in"])  # an alias of acted-in
    assert labels(acted) == ["Anora", "Mark Eydelshteyn", "Mikey Madison"]
    assert {k for _, _, k in acted.edges(keys=True)} == {"acted-in"}
    two = subgraph(tiny_kg, relations=["acted-in", "film:directed"])
    assert {k for _, _, k in two.edges(keys=True)} == {"acted-in", "directed"}
    without = subgraph(tiny_kg, exclude_relations=["acted-in", "trained-for"])
    assert "acted-in" not in {k for _, _, k in without.edges(keys=True)}
    assert "Mark Eydelshteyn" not in labels(without)  # acted-in was his only relation
    assert "Mikey Madison" in labels(without)  # she still won an award and choreographed
    # filters apply before the walk: through acted-in only, Anora's neighbourhood is its cast
    assert labels(subgraph(tiny_kg, focus="Anora", depth=3, relations=["acted-in"])) == [
        "Anora", "Mark Eydelshteyn", "Mikey Madison",
    ]  # fmt: skip


def test_type_filter_keeps_classes_and_the_focus(tiny_kg: KnowledgeGraph) -> None:
    people = subgraph(tiny_kg, types=["person"])
    assert all("Person" in d["types"] for _, d in people.nodes(data=True))
    assert labels(people) == sorted(
        d["label"] for _, d in entity_graph(tiny_kg).nodes(data=True) if "Person" in d["types"]
    )
    assert [k for _, _, k in people.edges(keys=True)] == ["coached"]
    around = subgraph(tiny_kg, focus="Anora", depth=2, types=["Person"])
    assert "Anora" in labels(around) and all(
        "Person" in d["types"] for _, d in around.nodes(data=True) if d["label"] != "Anora"
    )
    assert "Pole Coach" in labels(around)  # two hops: Anora - Mikey Madison - Pole Coach


def test_cap_keeps_the_best_connected_and_says_what_was_left_out(tiny_kg: KnowledgeGraph) -> None:
    whole = entity_graph(tiny_kg)
    view = subgraph(tiny_kg, max_nodes=3)
    assert labels(view) == ["Anora", "Drip dance scene", "Mikey Madison"]  # degrees 7, 5, 3
    assert view.graph["total"] == whole.number_of_nodes() and view.graph["omitted"] == whole.number_of_nodes() - 3
    message = view.graph["message"]
    assert f"{whole.number_of_nodes() - 3} left out" in message and "`focus`" in message and "`max_nodes`" in message
    # degree_total is the degree in the whole graph, however much the view keeps
    assert {d["label"]: d["degree_total"] for _, d in view.nodes(data=True)}["Anora"] == whole.degree(
        "https://w3id.org/filmkg/resource/anora"
    )


def test_cap_with_focus_keeps_the_nearest(tiny_kg: KnowledgeGraph) -> None:
    view = subgraph(tiny_kg, focus="Pole Coach", depth=3, max_nodes=3)
    assert labels(view) == ["Anora", "Mikey Madison", "Pole Coach"]  # Anora: the best connected at distance 2
    assert sorted(d["distance"] for _, d in view.nodes(data=True)) == [0, 1, 2]
    assert "nearest to Pole Coach" in view.graph["message"] and "`depth`" in view.graph["message"]


def test_query_file_construct_and_select(tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    construct = tmp_path / "cast.rq"
    construct.write_text("CONSTRUCT { ?p film:actedIn ?f . ?p a film:Person } WHERE { ?p film:actedIn ?f . ?p a film:Person }")
    view = subgraph(tiny_kg, query=construct)
    assert labels(view) == ["Anora", "Mark Eydelshteyn", "Mikey Madison"]
    assert view.graph["query"] == "cast.rq"
    assert "2 triples of the query are not a relation" in view.graph["message"]  # the two rdf:type triples
    # the statements of the drawn relations come along
    assert all(d["statements"] for _, _, d in view.edges(data=True))
    select = tmp_path / "coach.rq"
    select.write_text("SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p IN (film:coached, film:directed)) }")
    assert labels(subgraph(tiny_kg, query=select)) == ["Anora", "Mikey Madison", "Pole Coach", "Sean Baker"]
    assert labels(subgraph(tiny_kg, query=select, relations=["coached"])) == ["Mikey Madison", "Pole Coach"]
    assert labels(subgraph(tiny_kg, query=select, focus="Sean Baker")) == ["Anora", "Sean Baker"]
    nothing = subgraph(tiny_kg, query=select, types=["Song"])
    assert nothing.number_of_nodes() == 0 and "Nothing to draw: no entity matches" in nothing.graph["message"]


def test_query_errors(tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"SELECT \?s \?p \?o"):
        subgraph(tiny_kg, query="SELECT ?a ?b WHERE { ?a ?b ?c }")
    with pytest.raises(QueryError, match="ASK"):
        subgraph(tiny_kg, query="ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="syntax"):
        subgraph(tiny_kg, query="CONSTRUCT { ?s ?p }")
    with pytest.raises(KGError, match="cannot read the query file"):
        subgraph(tiny_kg, query=tmp_path / "missing.rq")


def test_entity_without_relations_is_shown_alone(tmp_path: Path) -> None:
    rows = tmp_path / "t.csv"
    rows.write_text("subject,predicate,object\nAnora,genre,comedy\nSean Baker,directed,Scream\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(rows)
    view = subgraph(graph, focus="Anora", depth=2)
    assert labels(view) == ["Anora"] and view.number_of_edges() == 0
    page = data_of(render(graph, view))
    assert page["nodes"][0]["facts"] == [["genre", "comedy"]]


def test_empty_store_gives_an_empty_view_with_a_message(tmp_path: Path) -> None:
    result = viz(KnowledgeGraph.memory(), tmp_path / "empty.html")
    assert (result.nodes, result.edges) == (0, 0) and "run `filmkg ingest` first" in result.message
    assert data_of(result.path.read_text(encoding="utf-8"))["nodes"] == []


# ------------------------------------------------------------------------------------------ the page


def test_page_is_self_contained_and_matches_the_view(anora_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = anora_kg.viz(tmp_path / "anora.html", focus="Anora", depth=2)
    view = subgraph(anora_kg, focus="Anora", depth=2)
    assert isinstance(result, VizResult) and result.path == tmp_path / "anora.html"
    assert (result.nodes, result.edges, result.omitted) == (view.number_of_nodes(), view.number_of_edges(), 0)
    page = result.path.read_text(encoding="utf-8")
    # one file: no external script, style, image or font; vis-network inlined; a CSP that refuses requests
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page, re.IGNORECASE)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    assert "vis.Network" in page and csp.startswith("default-src 'none'; script-src 'sha256-") and "unsafe" not in csp
    assert {u[:5] for u in re.findall(r"url\(['\"]?([^'\")]*)", page)} <= {"data:"}
    assert "@import" not in page
    data = data_of(page)
    assert len(data["nodes"]) == view.number_of_nodes() and len(data["edges"]) == view.number_of_edges()
    assert data["physics"] is True and "x" not in data["nodes"][0]
    assert {n["label"] for n in data["nodes"]} >= {"Anora", "Mikey Madison", "Sean Baker", "Drip dance scene"}
    # every statement's source and quote is in the page
    quotes = [q for e in data["edges"] for s in e["statements"] for q in s["quotes"]]
    assert len(quotes) == sum(len(d["statements"]) for _, _, d in view.edges(data=True)) and all(quotes)
    # the legend lists the classes in view, with counts
    legend = dict(re.findall(r'<span class="fk-class-name">([^<]*)</span> <span class="fk-count">([\d,]+)</span>', page))
    assert legend["Person"] == str(sum(1 for _, d in view.nodes(data=True) if d["type"] == "Person"))


def test_class_styles_are_a_fixed_mapping_over_the_ontology(tiny_kg: KnowledgeGraph, anora_kg: KnowledgeGraph) -> None:
    def styles(graph: KnowledgeGraph, **kwargs: Any) -> dict[str, tuple[str, str]]:
        return {c["name"]: (c["color"], c["shape"]) for c in data_of(render(graph, subgraph(graph, **kwargs)))["classes"]}

    tiny, anora = styles(tiny_kg), styles(anora_kg, focus="Anora", depth=2)
    assert all(anora[name] == style for name, style in tiny.items() if name in anora)
    assert styles(tiny_kg, types=["Film"]) == {"Film": tiny["Film"]}
    from kg.viz import _ontology_styles

    every = _ontology_styles(tiny_kg.ontology)  # keyed by class IRI
    assert set(every) == set(tiny_kg.ontology.classes)
    assert len({s.color for s in every.values()}) == len(every)  # distinct colours


def test_classes_are_styled_and_filtered_by_iri_not_by_label(tiny_csv: Path, tmp_path: Path) -> None:
    text = (ontology_dir() / "film.ttl").read_text(encoding="utf-8")
    relabelled = tmp_path / "film.ttl"
    relabelled.write_text(text.replace('film:Person a owl:Class ; rdfs:label "Person"@en',
                                       'film:Person a owl:Class ; rdfs:label "Human"@en'), encoding="utf-8")
    default, human = KnowledgeGraph(memory_store()), KnowledgeGraph(memory_store(), ontology=load_ontology(relabelled))
    for graph in (default, human):
        graph.ingest(tiny_csv)

    def styles(graph: KnowledgeGraph) -> dict[str, tuple[str, str, int]]:
        data = data_of(render(graph, subgraph(graph)))
        counts = {i: sum(1 for n in data["nodes"] if n["class"] == i) for i in range(len(data["classes"]))}
        return {c["name"]: (c["color"], c["shape"], counts[i]) for i, c in enumerate(data["classes"])}

    expected, got = styles(default), styles(human)
    assert got.pop("Human") == expected.pop("Person")  # the same colour, shape and entities
    assert got == expected
    assert labels(subgraph(human, types=["Person"])) == labels(subgraph(default, types=["Person"]))
    assert len(labels(subgraph(human, types=["Person"]))) > 1


def test_hostile_text_is_escaped_everywhere(hostile_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = viz(hostile_kg, tmp_path / "hostile.html", title=f"Title {SCRIPT} {IMG}")
    page = result.path.read_text(encoding="utf-8")
    assert "pwned=1</script>" not in page and "<img" not in page and "<svg" not in page and "<iframe src" not in page
    assert "<title>Title &lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt; &lt;img" in page
    assert len(re.findall(r"^<script", page, re.MULTILINE)) == 3 and page.count("</script>") == 3
    data = data_of(page)
    assert {IMG, SCRIPT, f"Eve {IMG}", f"Film {SCRIPT}"} <= {n["label"] for n in data["nodes"]}
    statement = next(s for e in data["edges"] for s in e["statements"] if "pwned=3" in s["quotes"][0])
    assert statement["quotes"][0] == "She said \"hi\" & 'bye' </script><script>window.pwned=3</script>"
    assert statement["qualifiers"] == [["character", '<img src=x onerror="window.pwned=2"> Ani']]
    assert statement["sources"] == ["<b onmouseover=alert(3)>source</b> one"]
    # a class from outside the ontology: its compact IRI is a legend entry, escaped
    assert '<span class="fk-class-name">&lt;https://example.org/T?a=1&amp;b=&#39;2&#39;&gt;</span>' in page


def test_large_views_are_laid_out_here_with_physics_off(tmp_path: Path) -> None:
    graph = KnowledgeGraph.memory()
    graph.ingest(synthetic_csv(tmp_path / "big.csv", LAYOUT_THRESHOLD + 50))
    result = graph.viz(tmp_path / "big.html", max_nodes=1000)
    assert result.nodes == LAYOUT_THRESHOLD + 50 and result.omitted == 0
    data = data_of(result.path.read_text(encoding="utf-8"))
    assert data["physics"] is False
    points = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(points) == len(data["nodes"])  # every entity placed, none on top of another
    again = data_of(graph.viz(tmp_path / "again.html", max_nodes=1000).path.read_text(encoding="utf-8"))
    assert [(n["x"], n["y"]) for n in again["nodes"]] == [(n["x"], n["y"]) for n in data["nodes"]]  # fixed seed


def test_notebook_display_is_an_escaped_sandboxed_srcdoc(hostile_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = viz(hostile_kg, tmp_path / "view.html")
    frame = result._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    body = frame[len('<iframe srcdoc="') : frame.index('" sandbox=')]
    assert '"' not in body and "<" not in body
    assert html.unescape(body) == result.path.read_text(encoding="utf-8")


def test_unwritable_output(tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(KGError, match="cannot write"):
        viz(tiny_kg, tmp_path / "missing" / "folder" / "view.html")


# ------------------------------------------------------------------------------------------ CLI


def test_cli_viz_writes_the_file(anora_csv: Path, kg_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ingested = runner.invoke(app, ["--store", str(kg_path), "ingest", str(anora_csv)], catch_exceptions=False)
    assert ingested.exit_code == 0, ingested.output
    out = tmp_path / "anora.html"
    result = runner.invoke(
        app, ["--store", str(kg_path), "viz", "--focus", "Anora", "--depth", "2", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"wrote {out}: 25 entities, 33 relations")
    assert len(data_of(out.read_text(encoding="utf-8"))["nodes"]) == 25
    capped = runner.invoke(
        app,
        ["--store", str(kg_path), "viz", "-o", str(tmp_path / "c.html"), "--max-nodes", "4", "--type", "Person", "--type", "film",
         "--relation", "acted-in", "--relation", "directed", "--exclude-relation", "coached", "--title", "Cast"],
        catch_exceptions=False,
    )  # fmt: skip
    assert capped.exit_code == 0 and "wrote" in capped.stderr and "left out" in capped.stderr
    assert "<title>Cast</title>" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_cli_viz_errors(anora_csv: Path, kg_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["--store", str(kg_path), "ingest", str(anora_csv)], catch_exceptions=False)

    def invoke(*args: str) -> Any:
        result = runner.invoke(app, ["--store", str(kg_path), "viz", "-o", str(tmp_path / "x.html"), *args])
        # A failed command leaves its store open until the exception's frames are collected
        # (KnowledgeGraph.close does not release the store): keep only the outputs, and collect.
        outputs = SimpleNamespace(exit_code=result.exit_code, stderr=result.stderr, output=result.output)
        del result
        gc.collect()
        return outputs

    unknown = invoke("--focus", "Nobody Here")
    assert unknown.exit_code == 5 and unknown.stderr.startswith('error: no entity "Nobody Here"')
    assert "Traceback" not in unknown.output and not (tmp_path / "x.html").exists()
    relation = invoke("--relation", "actd-in")
    assert relation.exit_code == 5 and 'did you mean "acted-in"' in relation.stderr and "Traceback" not in relation.output
    query = tmp_path / "ask.rq"
    query.write_text("ASK { ?s ?p ?o }")
    asked = invoke("--query", str(query))
    assert asked.exit_code == 6 and "Traceback" not in asked.output
    usage = invoke("--depth", "0")
    assert usage.exit_code == 2


# ------------------------------------------------------------------------------------------ in Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright; skipped when missing unless FILMKG_REQUIRE_BROWSER=1."""
    required = os.environ.get("FILMKG_REQUIRE_BROWSER") == "1"

    def missing(reason: str) -> None:
        if required:
            pytest.fail(f"FILMKG_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)

    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Session:
    """A page on a view, recording console errors, page errors, dialogs and every request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => window.filmkg && window.filmkg.ready", timeout=60_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def counts(self) -> tuple[int, int]:
        nodes, edges = self.page.evaluate("() => [filmkg.nodes.length, filmkg.edges.length]")
        return int(nodes), int(edges)

    def points(self, kind: str, item: int) -> list[tuple[float, float]]:
        """Page coordinates where the mouse is over this node or edge and nothing else, best first."""
        found = self.page.evaluate(
            """([kind, id]) => {
                const net = filmkg.network;
                const over = (p) => kind === "node" ? net.getNodeAt(p) === id
                                                    : net.getNodeAt(p) === undefined && net.getEdgeAt(p) === id;
                const out = [];
                const add = (p) => { if (out.length < 12 && over(p)) out.push(p); };
                if (kind === "node") {
                    const c = net.canvasToDOM(net.getPosition(id));
                    for (let r = 0; r <= 30; r += 3)
                        for (let t = 0; t < 8; t++) add({ x: c.x + r * Math.cos(t * Math.PI / 4), y: c.y + r * Math.sin(t * Math.PI / 4) });
                } else {
                    const edge = filmkg.edges.get(id);
                    const [a, b] = [edge.from, edge.to].map((n) => net.canvasToDOM(net.getPosition(n)));
                    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
                    const normal = { x: -(b.y - a.y) / length, y: (b.x - a.x) / length };
                    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8])
                        for (let d = 0; d <= 0.4 * length; d += 2)
                            for (const sign of [1, -1])
                                add({ x: a.x + f * (b.x - a.x) + sign * d * normal.x, y: a.y + f * (b.y - a.y) + sign * d * normal.y });
                }
                return out;
            }""",
            [kind, item],
        )
        assert found, f"no point over {kind} {item}"
        box = self.page.locator("#fk-network canvas").bounding_box()
        return [(box["x"] + p["x"], box["y"] + p["y"]) for p in found]

    def point(self, kind: str, item: int) -> tuple[float, float]:
        return self.points(kind, item)[0]

    def hover(self, kind: str, item: int) -> str:
        """Hover a node or edge and return the text of its tooltip once it shows."""
        box = self.page.locator("#fk-network canvas").bounding_box()
        for x, y in self.points(kind, item):
            self.page.mouse.move(box["x"] + 3, box["y"] + 3)
            self.page.mouse.move(x, y, steps=3)
            try:
                self.page.wait_for_function(
                    """([kind, id]) => {
                        const tip = document.querySelector("div.vis-tooltip");
                        const mine = (kind === "node" ? filmkg.nodes : filmkg.edges).get(id).title;
                        return tip && getComputedStyle(tip).visibility === "visible" && tip.firstChild === mine;
                    }""",
                    arg=[kind, item],
                    timeout=1_500,
                )
            except Exception:  # a label drawn over this point: try the next one
                continue
            return str(self.page.evaluate("() => document.querySelector('div.vis-tooltip').textContent"))
        raise AssertionError(f"no tooltip for {kind} {item}")

    def check_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert [url for url in self.requests if not url.startswith("file://")] == []
        assert self.page.evaluate("() => window.pwned") is None

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser: Any) -> Iterator[Any]:
    opened: list[Session] = []

    def open_(path: Path) -> Session:
        opened.append(Session(browser, path))
        return opened[-1]

    yield open_
    for s in opened:
        s.close()


def test_browser_renders_the_anora_view(session: Any, anora_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = anora_kg.viz(tmp_path / "anora.html", focus="Anora", depth=2)
    view = subgraph(anora_kg, focus="Anora", depth=2)
    s = session(result.path)
    assert s.counts() == (view.number_of_nodes(), view.number_of_edges())
    shown = set(s.page.evaluate("() => filmkg.nodes.get().map((n) => n.label)"))
    assert shown == set(labels(view))
    assert s.page.evaluate("() => filmkg.network.physics.physicsEnabled") is False  # stopped after stabilising
    assert s.page.locator("#fk-legend li").count() == len({d["type"] for _, d in view.nodes(data=True)})
    # an edge's tooltip carries its qualifiers, source and quote
    edge = s.page.evaluate(
        "() => filmkg.data.edges.find((e) => e.relation === 'acted-in' && filmkg.data.nodes[e.from].label === 'Mark Eydelshteyn').id"
    )
    tip = s.hover("edge", edge)
    assert "Mark Eydelshteyn — acted in → Anora" in tip and "character: Ivan" in tip
    assert "source: The Mikey Madison Dance Scene in Anora" in tip and "played by Mark Eydelshteyn" in tip
    node = s.page.evaluate("() => filmkg.data.nodes.find((n) => n.label === 'Sean Baker').id")
    tip = s.hover("node", node)
    assert "Sean Baker" in tip and "Person" in tip and "→ directed Anora" in tip
    s.check_clean()


def test_browser_click_highlights_and_search_finds(session: Any, tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    s = session(viz(tiny_kg, tmp_path / "tiny.html").path)
    ids = s.page.evaluate("() => Object.fromEntries(filmkg.data.nodes.map((n) => [n.label, n.id]))")
    s.page.mouse.click(*s.point("node", ids["Modern Whore"]))
    dimmed = s.page.evaluate(
        "() => filmkg.nodes.get().filter((n) => n.color.background === '#eeeeee').map((n) => n.label).sort()"
    )
    assert s.page.evaluate("() => filmkg.state.highlighted") == ids["Modern Whore"]
    assert "Andrea Werhun" not in dimmed and "Modern Whore" not in dimmed and "Anora" in dimmed
    assert len(dimmed) == len(ids) - 2
    s.page.fill("#fk-search", "pole")
    s.page.press("#fk-search", "Enter")
    s.page.wait_for_function(f"() => filmkg.network.getSelectedNodes()[0] === {ids['Pole Coach']}")
    assert s.page.text_content("#fk-status") == "found: Pole Coach"
    s.page.fill("#fk-search", "nobody")
    s.page.press("#fk-search", "Enter")
    assert s.page.text_content("#fk-status") == "no entity “nobody” in this view"
    s.page.click("#fk-reset")
    assert s.page.evaluate("() => filmkg.state.highlighted") is None
    s.check_clean()


def test_browser_hostile_text_runs_nothing(session: Any, hostile_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = viz(hostile_kg, tmp_path / "hostile.html", title=f"{SCRIPT}{IMG}")
    s = session(result.path)
    view = subgraph(hostile_kg)
    assert s.counts() == (view.number_of_nodes(), view.number_of_edges())
    assert s.page.text_content("#fk-title") == f"{SCRIPT}{IMG}"
    assert s.page.title() == f"{SCRIPT}{IMG}"
    assert s.page.evaluate("() => document.querySelectorAll('img, svg, iframe, b').length") == 0
    assert s.page.evaluate("() => document.scripts.length") == 3
    assert "<https://example.org/T?a=1&b='2'>" in s.page.text_content("#fk-legend")
    s.check_clean()
    by_label = s.page.evaluate("() => filmkg.data.nodes.map((n) => [n.id, n.label])")
    node_tips = {}
    for node, label in by_label:  # hover every node, then every edge (vis re-shows no tooltip for the same item)
        node_tips[label] = s.hover("node", node)
        assert label in node_tips[label]
        s.check_clean()
    assert "description: <iframe src=javascript:alert(5)>" in node_tips[SCRIPT]
    edge_tips = []
    for edge in s.page.evaluate("() => filmkg.data.edges.map((e) => e.id)"):
        edge_tips.append(s.hover("edge", edge))
        assert " → " in edge_tips[-1]
        s.check_clean()
    tip = next(t for t in edge_tips if "pwned=3" in t)
    assert "“She said \"hi\" & 'bye' </script><script>window.pwned=3</script>”" in tip
    assert "source: <b onmouseover=alert(3)>source</b> one" in tip
    assert '<img src=x onerror="window.pwned=2"> Ani' in tip
    assert s.page.evaluate("() => document.querySelectorAll('.vis-tooltip *:not(div):not(span):not(blockquote)').length") == 0
    # clicking and searching for hostile names runs nothing either
    s.page.fill("#fk-search", IMG)
    s.page.press("#fk-search", "Enter")
    assert s.page.text_content("#fk-status") == f"found: {IMG}"
    s.page.mouse.click(*s.point("node", by_label[0][0]))
    s.check_clean()


def test_browser_large_view_is_ready_without_physics(session: Any, tmp_path: Path) -> None:
    graph = KnowledgeGraph.memory()
    graph.ingest(synthetic_csv(tmp_path / "big.csv", 600))
    result = graph.viz(tmp_path / "big.html", max_nodes=600)
    s = session(result.path)
    assert s.counts() == (600, result.edges)
    assert s.page.evaluate("() => filmkg.network.physics.physicsEnabled") is False
    assert s.page.evaluate("() => filmkg.timings.ready - filmkg.timings.start") < 5_000
    first = s.page.evaluate("() => filmkg.data.nodes[0]")
    # a click selects the neighbourhood (restyling 600 entities would be slow)
    hub = s.page.evaluate("() => filmkg.data.nodes.reduce((a, b) => (b.degree > a.degree ? b : a))")
    s.page.mouse.click(*s.point("node", hub["id"]))
    selected = s.page.evaluate("() => filmkg.network.getSelectedNodes().sort((a, b) => a - b)")
    around = s.page.evaluate(
        f"() => [...new Set(filmkg.data.edges.flatMap((e) => (e.from === {hub['id']} || e.to === {hub['id']}) ? [e.from, e.to] : []))]"
        ".sort((a, b) => a - b)"
    )
    assert s.page.evaluate("() => filmkg.state.highlighted") == hub["id"] and selected == around and len(around) > 2
    where = s.page.evaluate(f"() => filmkg.network.getPosition({first['id']})")
    assert abs(where["x"] - first["x"]) < 1 and abs(where["y"] - first["y"]) < 1  # placed where the layout put it
    s.check_clean()


def test_browser_notebook_iframe_renders(browser: Any, tiny_kg: KnowledgeGraph, tmp_path: Path) -> None:
    result = viz(tiny_kg, tmp_path / "tiny.html")
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body><h1>cell output</h1>{result._repr_html_()}</body></html>", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(host.as_uri())
        frame = page.frames[1]
        frame.wait_for_function("() => window.filmkg && window.filmkg.ready", timeout=30_000)
        assert frame.evaluate("() => filmkg.nodes.length") == result.nodes
        assert frame.evaluate("() => window.origin") == "null"  # sandboxed: no access to the notebook's page
        assert errors == []
    finally:
        context.close()


def test_conflicting_claims_are_marked_with_each_claim_and_its_rank(tmp_path: Path) -> None:
    """An edge whose statements disagree (see kg.conflicts) is marked, and its tooltip data says
    about what; every statement carries its rank."""
    path = tmp_path / "claims.csv"
    path.write_text("subject,predicate,object,skill,duration,source,rank\n"
                    "Mikey Madison,trained-for,Anora,pole dancing,20 weeks,A,preferred\n"
                    "Mikey Madison,trained-for,Anora,pole dancing,half a year,B,\n"
                    "Sean Baker,directed,Anora,,,C,\n", encoding="utf-8")
    graph = KnowledgeGraph.memory()
    graph.ingest(path)
    data = data_of(render(graph, subgraph(graph)))
    by_relation = {e["relation"]: e for e in data["edges"]}
    trained, directed = by_relation["trained-for"], by_relation["directed"]
    assert trained["conflict"] and not directed["conflict"]
    assert sorted(s["rank"] for s in trained["statements"]) == ["normal", "preferred"]
    assert {s["conflict"] for s in trained["statements"]} == {"duration: P20W, P6M (140 to 184 days)"}
    assert all("rank" not in dict(s["qualifiers"]) for s in trained["statements"])  # shown once, as the rank
    assert [s["rank"] for s in directed["statements"]] == ["normal"] and directed["statements"][0]["conflict"] == ""
