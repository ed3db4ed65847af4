"""Ingest's output is unchanged by its optimisations: every quad that the shipped data, a generated
annotated table (with bad rows rejected), a JSON Lines table, the shared IMDb, TMDB and Wikidata
samples and a synthetic IMDb folder produce is compared with a fixture captured from the code
before the row converter was reworked for speed (tests/fixtures/ingest-quads.txt.gz).

The fixture is written by ``python tests/test_ingest_unchanged.py --write`` (only when the
output is meant to change). Graph IRIs hold the file's path, so each quad's graph is written as
the source's name; the registry graph (times, paths) is left out.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402  (benchmarks/generate.py)
import imdb as imdb_bench  # noqa: E402  (benchmarks/imdb.py)

from kg import KnowledgeGraph  # noqa: E402
from kg.ingest.imdb import ImdbDatasets  # noqa: E402
from kg.ingest.tmdb import TmdbResponses  # noqa: E402
from kg.ingest.wikidata import WikidataEntities  # noqa: E402
from kg.registry import sources  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ingest-quads.txt.gz"
REAL = ROOT.parent / "shared" / "data" / "real"
IMDB_FILES = ("title.basics", "title.principals", "name.basics", "title.crew", "title.akas")


def _bad_rows(path: Path) -> None:
    """Append rows each wrong in another way (rejected with ``skip_bad_rows``)."""
    with path.open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        blank = [""] * (len(generate.HEADER) - 3)
        writer.writerow(["Ana Silva", "no-such-relation", "Anora", *blank])
        writer.writerow(["Ana Silva", "trained-for", "Anora", "", "Scene", "", "ten fortnights", *blank[3:]])
        writer.writerow(["", "acted-in", "Anora", *blank])
        writer.writerow(["Ana Silva", "directed", "Anora", "Song", *blank[1:]])
        writer.writerow(["imdb:xx12", "acted-in", "Anora", *blank])


def _jsonl(path: Path) -> None:
    records = [
        {"subject": "Mikey Madison", "predicate": "acted-in", "object": "Anora", "character": ["Ani", "Anora"],
         "source": "https://example.org/a", "quote": "she plays Ani"},
        {"subject": "imdb:nm0000001", "predicate": "directed", "object": "imdb:tt0000001", "date": "1990s"},
        {"subject": "Sean Baker", "predicate": "wdt:P57", "object": "Anora", "pq:P1686": "http://e/x", "duration": "3 weeks"},
        {"subject": "Sean Baker", "predicate": "trained-for", "object": "Anora", "duration": ["P2M", "about a year"],
         "subject_id": "imdb:nm0000002 wd:Q42", "skill": "editing"},
        {"subject": "Anora", "predicate": "<http://e/p>", "object": "Brooklyn", "qualifiers": {"role": "place"}},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _inputs(work: Path) -> list[tuple[list[Path], dict[str, object]]]:
    """Each ingest: its paths and keyword arguments."""
    generated = generate.write(work / "generated.csv", 1500, seed=11)
    _bad_rows(generated)
    _jsonl(work / "table.jsonl")
    imdb = work / "imdb"
    imdb.mkdir()
    for name in IMDB_FILES:
        shutil.copy(REAL / "imdb-pimdb-testdata" / f"{name}.tsv", imdb / f"{name}.tsv")
    synthetic = work / "synthetic"
    synthetic.mkdir()
    imdb_bench.generate(synthetic, 800)
    tmdb = REAL / "tmdb-api-fixtures"
    return [
        ([ROOT / "data"], {}),
        ([generated], {"skip_bad_rows": work / "rejects.jsonl"}),
        ([work / "table.jsonl"], {}),
        ([imdb], {"importer": ImdbDatasets()}),
        ([synthetic], {"importer": ImdbDatasets(types=[t for t, _ in imdb_bench.TYPES])}),
        ([tmdb / f for f in ("movie-credits.json", "movie-details.json", "person-details.json")],
         {"importer": TmdbResponses()}),
        ([REAL / "wikidata-openrefine-entities"], {"importer": WikidataEntities()}),
    ]  # fmt: skip


def produced(work: Path) -> list[str]:
    """Every quad of every ingested source (its graph as the source's name), and every rejected row, sorted."""
    kg = KnowledgeGraph.memory()
    for paths, settings in _inputs(work):
        kg.ingest(paths, **settings)  # type: ignore[arg-type]
    names = {info.graph: info.name for info in sources(kg)}
    lines = []
    for quad in kg.store.raw.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value in names:
            lines.append(f"{names[graph.value]}\t{quad.subject} {quad.predicate} {quad.object}")
    rejects = (work / "rejects.jsonl").read_text(encoding="utf-8").replace(str(work), "WORK").splitlines()
    return sorted(lines) + [f"rejected\t{line}" for line in rejects]


def test_every_quad_as_before_the_rework(tmp_path: Path) -> None:
    expected = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    got = produced(tmp_path)
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert not missing and not extra, f"{len(missing)} missing, e.g. {missing[:3]}; {len(extra)} new, e.g. {extra[:3]}"
    assert got == expected  # the same lines, each as often
    assert len(expected) > 40_000  # every input gave its quads


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/test_ingest_unchanged.py --write")
    with tempfile.TemporaryDirectory() as temp:
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_bytes(gzip.compress(("\n".join(produced(Path(temp))) + "\n").encode("utf-8"), mtime=0))
    print(FIXTURE, FIXTURE.stat().st_size)
