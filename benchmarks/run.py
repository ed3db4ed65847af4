"""Benchmark ingest and queries against rdflib's Memory store and pyoxigraph directly, on the same data.

    python benchmarks/run.py --rows 1000000            # the README figures
    python benchmarks/run.py --rows 20000 --quick      # a smoke run (one repeat, short rdflib timeout)

Steps (each in a fresh process, so that peak memory is its own):

1. generate an annotated-triples CSV (benchmarks/generate.py);
2. ``filmkg ingest`` of it (into a store that holds the shipped Anora data already): wall time,
   rows/s, triples/s, peak memory, the store's size on disk before and after;
3. the same triples as N-Triples (dumped from the ingested graph), loaded by pyoxigraph's
   ``bulk_load`` into a fresh store, and by rdflib's Memory store (rdflib on at most
   ``--rdflib-triples`` triples, scaled linearly, because it is too slow for the full size);
4. the named queries and a three-way join with aggregation, through the kg API, through
   pyoxigraph directly on the same store, and through rdflib Memory (on its smaller graph);
5. ``path`` on the collaboration projection; ``kg.path``, ``kg.neighbors`` and a ``viz`` of a
   2,000-entity neighbourhood (these fetch only the neighbourhood from the store);
6. with ``--remote``: the same file ingested into an Oxigraph server on 127.0.0.1 through
   ``--endpoint``/``--update-endpoint``/``--gsp-endpoint`` (Graph Store Protocol uploads), and the
   named queries through the API on the server;
7. the reading commands as whole ``filmkg`` commands (a fresh process each, median wall time and
   peak memory), side by side on a store of the shipped 49 rows and on the big store: ``show``,
   ``neighbors``, ``path``, and every named query's first page (``--limit 20``) and whole answer,
   with pyoxigraph running the same text alone beside the whole answers;
8. the ``oxigraph`` CLI's ``load`` then ``optimize`` of the same quads, in a fresh folder, against the ingest;
9. on the big store: a 50-row file ingested (then dropped), and the big file re-ingested with one
   row changed (a replace), against its ingest;
10. the three analyses (``analyze stats``, ``analyze centrality --top 10``, ``analyze communities``)
    as whole commands on the big store, against their targets at 200,000 rows;
11. ``validate``, ``verify`` and ``conflicts`` of the whole big store, as whole commands, against the ingest;
12. ``filmkg drop`` of the big file from the big store: time against its ingest, peak memory, and
    the store's size on disk against its size before that ingest.

Prints a table with ratios to the baselines, each target and whether it is met, and writes
benchmarks/results/run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JOIN = """
SELECT ?film (COUNT(DISTINCT ?actor) AS ?actors) (COUNT(DISTINCT ?award) AS ?awards) WHERE {
  ?actor film:actedIn ?film .
  ?director film:directed ?film .
  ?director film:nominatedFor ?award .
} GROUP BY ?film ORDER BY DESC(?actors) LIMIT 10"""
QUERIES = ["training", "cast", "advisors", "awards"]
SHIPPED = ROOT / "data" / "anora" / "anora.csv"
PERSON, OTHER = "Mikey Madison", "Sean Baker"
"""Entities of the shipped data, present in both stores (the generator also makes a "Mikey Madison")."""
BINDS = {"evidence": f"entity={PERSON}"}
"""Binds for the whole answers (evidence without one lists the evidence of every statement in the store)."""
PAGE = 20
PAGE_TARGET = 2.0
"""Seconds: every named query's first page, as a whole command."""
NEAR_SHIPPED = 2.0
"""show, neighbors and path on the big store within this factor of the same command on the shipped data."""
DROP_PEAK_MB = 2000
DROP_LEFT = 0.15
"""After a drop, the store may keep this share of what the ingest added (Oxigraph keeps its term dictionary)."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def step_ingest(work: Path) -> dict[str, float]:
    from kg import KnowledgeGraph

    import pyoxigraph as ox

    with KnowledgeGraph.open(work / "store") as graph:
        graph.ingest(SHIPPED)
    before = _size_mb(work / "store")
    start = time.perf_counter()
    with KnowledgeGraph.open(work / "store") as graph:
        report = graph.ingest(work / "films.csv")
        seconds = time.perf_counter() - start
        graph.store.raw.dump(str(work / "films.nt"), format=ox.RdfFormat.N_TRIPLES,
                             from_graph=ox.NamedNode(report.files[0].graph))
    return {"seconds": seconds, "rows": report.rows, "triples": report.triples, "peak_mb": _peak_mb(),
            "store_mb_before": before, "store_mb_after": _size_mb(work / "store")}


def step_oxigraph(work: Path) -> dict[str, float]:
    import pyoxigraph as ox

    store = ox.Store(str(work / "ox-store"))
    start = time.perf_counter()
    store.bulk_load(path=str(work / "films.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
    store.flush()
    return {"seconds": time.perf_counter() - start, "triples": len(store), "peak_mb": _peak_mb()}


def _rdflib_subset(work: Path, limit: int) -> Path:
    subset = work / "films-rdflib.nt"
    with (work / "films.nt").open("rb") as source, subset.open("wb") as out:
        for number, line in enumerate(source):
            if number >= limit:
                break
            out.write(line)
    return subset


def step_rdflib(work: Path, limit: int) -> dict[str, float]:
    from rdflib import Graph

    subset = _rdflib_subset(work, limit)
    graph = Graph()
    start = time.perf_counter()
    graph.parse(str(subset), format="nt")
    load = time.perf_counter() - start
    return {"seconds": load, "triples": len(graph), "peak_mb": _peak_mb()}


def step_rdflib_query(work: Path, name: str) -> dict[str, float]:
    """One query on rdflib Memory over the subset (run with a time limit by the parent)."""
    from rdflib import Graph

    from kg.ontology import load_ontology
    from kg.query import named_queries, portable

    graph = Graph()
    graph.parse(str(work / "films-rdflib.nt"), format="nt")
    text = JOIN if name == "join" else portable(named_queries()[name].sparql)
    return {"seconds": _timed(lambda: list(graph.query(text, initNs=load_ontology().prefixes)), repeat=1)}


def step_queries(work: Path) -> dict[str, float]:
    from kg import KnowledgeGraph
    from kg.query import named_queries

    out: dict[str, float] = {}
    with KnowledgeGraph.open(work / "store") as graph:
        prefixes = graph.ontology.prefixes
        for name in QUERIES:
            text = named_queries()[name].sparql
            out[f"kg:{name}"] = _timed(lambda: graph.query(name=name))
            out[f"ox:{name}"] = _timed(
                lambda: list(graph.store.raw.query(text, use_default_graph_as_union=True, prefixes=prefixes))
            )
        out["kg:join"] = _timed(lambda: graph.query(JOIN))
        out["ox:join"] = _timed(
            lambda: list(graph.store.raw.query(JOIN, use_default_graph_as_union=True, prefixes=prefixes))
        )
        start = time.perf_counter()
        from kg.analysis import collaboration_graph

        import networkx as nx

        collaboration = collaboration_graph(graph)
        out["collaboration_graph"] = time.perf_counter() - start
        largest = sorted(max(nx.connected_components(collaboration), key=len))
        people = [largest[0], largest[-1]]
        start = time.perf_counter()
        nx.shortest_path(collaboration, people[0], people[1])
        out["path"] = time.perf_counter() - start
        start = time.perf_counter()
        found = graph.path(f"<{people[0]}>", f"<{people[1]}>", max_paths=3)
        out["kg.path"] = time.perf_counter() - start
        out["kg.path hops"] = len(found.paths[0]) if found.paths else 0
        hub = max(largest, key=collaboration.degree)
        start = time.perf_counter()
        out["kg.neighbors entities"] = len(graph.neighbors(f"<{hub}>", depth=2))
        out["kg.neighbors"] = time.perf_counter() - start
        start = time.perf_counter()
        view = graph.viz(work / "view.html", focus=f"<{hub}>", depth=2, max_nodes=2000)
        out["viz"] = time.perf_counter() - start
        out["viz entities"] = view.nodes
    return out


def step_remote(work: Path) -> dict[str, float]:
    """Ingest and the named queries against an Oxigraph server on loopback."""
    import socket

    import requests

    from kg import KnowledgeGraph

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    command = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    server = subprocess.Popen(
        [command, "serve", "--location", str(work / "server"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    out: dict[str, float] = {}
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        graph = KnowledgeGraph.connect(f"{base}/query", update_endpoint=f"{base}/update", gsp_endpoint=f"{base}/store")
        start = time.perf_counter()
        report = graph.ingest(work / "films.csv")
        out["ingest"] = time.perf_counter() - start
        out["triples"] = report.triples
        for name in QUERIES:
            out[f"remote:{name}"] = _timed(lambda: graph.query(name=name))
        out["remote:join"] = _timed(lambda: graph.query(JOIN))
        graph.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return out


def step_oxigraph_named(work: Path) -> dict[str, float]:
    """Each named query's whole answer, the same text as ``filmkg query --name`` runs (binds as VALUES),
    through pyoxigraph alone on the big store (read-only)."""
    import pyoxigraph as ox

    from kg.ontology import load_ontology
    from kg.query import named_queries
    from kg.sparql import with_values
    from kg.vocab import RES

    store = ox.Store.read_only(str(work / "store"))
    prefixes = load_ontology().prefixes
    out: dict[str, float] = {}
    for name, item in named_queries().items():
        values = {BINDS[name].split("=")[0]: ox.NamedNode(RES + "mikey_madison")} if name in BINDS else {}
        text = with_values(item.sparql, values)
        out[name] = _timed(lambda: list(store.query(text, use_default_graph_as_union=True, prefixes=prefixes)), 1)
    return out


def step_reopen(work: Path) -> dict[str, float]:
    """Open the big store for writing and close it, as the next writing command would."""
    from kg import KnowledgeGraph

    with KnowledgeGraph.open(work / "store"):
        pass
    return {}


def _command(args: list[str], timeout: float, accept: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """One whole ``filmkg`` command in a fresh process: wall seconds, its peak memory in MB, stdout
    (an exit code outside ``accept`` is an error)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=out, stderr=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                process.wait()
                return float("inf"), 0.0, ""
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in accept:
            raise RuntimeError(f"filmkg {' '.join(args)} exited {process.returncode}")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read().decode("utf-8")


def _reading_commands() -> list[tuple[str, list[str], str]]:
    """(label, arguments, kind) of each reading command: ``near`` (compared with the shipped data),
    ``page`` (a first page, under :data:`PAGE_TARGET`) or ``full`` (a whole answer, no target)."""
    from kg.query import named_queries

    out = [
        (f'show "{PERSON}"', ["show", PERSON], "near"),
        (f'neighbors "{PERSON}"', ["neighbors", PERSON, "--format", "csv"], "near"),
        (f'path "{OTHER}" "{PERSON}"', ["path", OTHER, PERSON], "near"),
    ]
    for name in named_queries():
        out.append((f"query --name {name} --limit {PAGE}", ["query", "--name", name, "--limit", str(PAGE), "--format", "csv"], "page"))
        bind = ["--bind", BINDS[name]] if name in BINDS else []
        label = f"query --name {name}" + (f' --bind "{BINDS[name]}"' if bind else "")
        out.append((label, ["query", "--name", name, *bind, "--format", "csv"], "full"))
    return out


def step_cli(store: Path, repeat: int, timeout: float, whole: bool = True) -> dict[str, dict[str, float]]:
    """Every reading command on ``store``: median seconds, peak MB and (for queries) rows; without
    ``whole``, only the bound ones of the whole answers."""
    out: dict[str, dict[str, float]] = {}
    for label, args, kind in _reading_commands():
        if kind == "full" and not whole and "--bind" not in args:
            continue
        runs = [_command(["--store", str(store), *args], timeout) for _ in range(repeat if kind != "full" else 1)]
        seconds = statistics.median(r[0] for r in runs)
        rows = max(len(runs[0][2].splitlines()) - 1, 0) if kind != "near" else 0
        out[label] = {"seconds": seconds, "peak_mb": max(r[1] for r in runs), "rows": rows}
    return out


def step_drop(work: Path, ingest: dict[str, float]) -> dict[str, float]:
    """``filmkg drop`` of the big file, then the store's size on disk (again after the next writing open,
    which removes the log files of the drop)."""
    seconds, peak, _ = _command(["--store", str(work / "store"), "drop", "films.csv"], timeout=24 * 3600)
    after = _size_mb(work / "store")
    _child("reopen", work, [])
    return {"seconds": seconds, "peak_mb": peak, "store_mb_after": after, "store_mb_reopened": _size_mb(work / "store"),
            "store_mb_before_ingest": ingest["store_mb_before"], "store_mb_after_ingest": ingest["store_mb_after"]}


SMALL_ROWS = 50
SMALL_TARGET = 5.0
"""Seconds: a 50-row file ingested into the big store, as a whole command."""
REPLACE_TARGET = 1.5
"""The big file re-ingested with one row changed, at most this many times its ingest."""
LOADER_TARGET = 0.8
"""filmkg ingest at least this share of the throughput of ``oxigraph load`` + ``optimize``."""


def _timed_process(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of a command in a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def step_small_ingest(work: Path) -> dict[str, float]:
    """A 50-row file (another seed of the generator) ingested into the big store, then dropped again."""
    sys.path.insert(0, str(HERE))
    from generate import write

    small = work / "small.csv"
    write(small, SMALL_ROWS, seed=11)
    seconds, peak, _ = _command(["--store", str(work / "store"), "ingest", str(small)], timeout=3600)
    dropped, _, _ = _command(["--store", str(work / "store"), "drop", "small.csv"], timeout=3600)
    return {"seconds": seconds, "peak_mb": peak, "drop_seconds": dropped}


def step_replace(work: Path) -> dict[str, float]:
    """The big file with one row changed (a quote's paragraph number), re-ingested into the big store."""
    path = work / "films.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i in range(len(lines) // 2, len(lines)) if "paragraph" in lines[i])
    lines[row] = lines[row].replace("paragraph", "paragraph no.", 1)
    path.write_text("".join(lines), encoding="utf-8")
    seconds, peak, out = _command(["--store", str(work / "store"), "ingest", str(path)], timeout=24 * 3600)
    return {"seconds": seconds, "peak_mb": peak, "replaced": float("1 replaced" in out)}


def step_oxigraph_cli(work: Path) -> dict[str, float]:
    """The same quads as the big ingest, loaded by the ``oxigraph`` CLI and optimized, in a fresh folder."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    folder = work / "ox-cli"
    load, load_peak = _timed_process([binary, "load", "--location", str(folder), "--file", str(work / "films.nt")])
    optimize, optimize_peak = _timed_process([binary, "optimize", "--location", str(folder)])
    size = _size_mb(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": load + optimize, "load_seconds": load, "optimize_seconds": optimize,
            "peak_mb": max(load_peak, optimize_peak), "store_mb": size}


def _writes_lines(small: dict[str, float], replaced: dict[str, float], loader: dict[str, float],
                  ingest: dict[str, float], rows: int) -> list[str]:
    ratio = replaced["seconds"] / ingest["seconds"]
    throughput = loader["seconds"] / ingest["seconds"]
    return [
        f"filmkg ingest of a {SMALL_ROWS}-row file into the {rows:,}-row store: {small['seconds']:.1f}s, "
        f"{small['peak_mb']:,.0f} MB: {'met' if small['seconds'] < SMALL_TARGET else 'NOT met'} "
        f"(target: under {SMALL_TARGET:g}s; its drop {small['drop_seconds']:.1f}s)",
        f"filmkg ingest of the big file with one row changed (replace): {replaced['seconds']:.1f}s, "
        f"{replaced['peak_mb']:,.0f} MB, {ratio:.2f}x its ingest ({ingest['seconds']:.1f}s): "
        f"{'met' if ratio <= REPLACE_TARGET else 'NOT met'} (target: at most {REPLACE_TARGET:g}x)"
        + ("" if replaced["replaced"] else " [the file was not reported replaced]"),
        f"oxigraph CLI load + optimize of the same quads: {loader['seconds']:.1f}s "
        f"(load {loader['load_seconds']:.1f}s, optimize {loader['optimize_seconds']:.1f}s, {loader['peak_mb']:,.0f} MB); "
        f"filmkg ingest at {throughput:.2f}x its throughput: {'met' if throughput >= LOADER_TARGET else 'NOT met'} "
        f"(target: at least {LOADER_TARGET:g}x)",
    ]


ANALYSES = [
    ("analyze stats", ["analyze", "stats", "--format", "csv"], 10.0),
    ("analyze centrality --top 10", ["analyze", "centrality", "--top", "10", "--format", "csv"], 10.0),
    ("analyze communities", ["analyze", "communities", "--format", "csv"], 60.0),
]
"""(label, arguments, target seconds at 200,000 rows) of the three analyses, as whole commands."""


def step_analyses(store: Path, timeout: float) -> dict[str, dict[str, float]]:
    """The three analyses on ``store``, each a whole ``filmkg`` command (one run each): seconds and peak MB."""
    out: dict[str, dict[str, float]] = {}
    for label, args, _ in ANALYSES:
        seconds, peak, _ = _command(["--store", str(store), *args], timeout)
        out[label] = {"seconds": seconds, "peak_mb": peak}
    return out


EVIDENCE = [
    ("validate", ["validate", "--format", "csv"]),
    ("verify", ["verify", "--format", "csv"]),
    ("conflicts", ["conflicts", "--format", "csv"]),
]
"""(label, arguments) of the evidence commands, as whole commands: validate and verify exit 1 when
they find something, which the generated data has."""


def step_evidence(store: Path, timeout: float) -> dict[str, dict[str, float]]:
    """``validate``, ``verify`` and ``conflicts`` of the whole big store, each a whole command (one run
    each): seconds and peak MB."""
    out: dict[str, dict[str, float]] = {}
    for label, args in EVIDENCE:
        seconds, peak, _ = _command(["--store", str(store), *args], timeout, accept=(0, 1))
        out[label] = {"seconds": seconds, "peak_mb": peak}
    return out


def _evidence_lines(evidence: dict[str, dict[str, float]], ingest: dict[str, float]) -> list[str]:
    lines = [f"{'evidence (whole filmkg command)':<44}{'seconds':>10}{'peak MB':>9}  against the ingest"]
    for label, _ in EVIDENCE:
        found = evidence[label]
        lines.append(
            f"{label:<44}{_seconds(found['seconds']):>10}{found['peak_mb']:>9,.0f}  "
            f"{found['seconds'] / ingest['seconds']:.2f}x"
        )
    return lines


def _analyses_lines(analyses: dict[str, dict[str, float]], rows: int) -> list[str]:
    lines = [f"{'analysis (whole filmkg command)':<44}{'seconds':>10}{'peak MB':>9}  target (at 200,000 rows)"]
    for label, _, target in ANALYSES:
        found = analyses[label]
        met = "met" if found["seconds"] < target else "NOT met"
        note = "" if rows == 200_000 else f" (this run: {rows:,} rows)"
        lines.append(f"{label:<44}{_seconds(found['seconds']):>10}{found['peak_mb']:>9,.0f}  < {target:g}s: {met}{note}")
    return lines


def _child(step: str, work: Path, extra: list[str], timeout: float | None = None) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--step", step, "--work", str(work), *extra],
        check=True, stdout=subprocess.PIPE, text=True, timeout=timeout,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rdflib-triples", type=int, default=200_000)
    parser.add_argument("--rdflib-timeout", type=float, default=120, help="Seconds allowed per rdflib query.")
    parser.add_argument("--query")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--step")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "run.json")
    parser.add_argument("--remote", action="store_true", help="Also ingest and query through an Oxigraph server.")
    parser.add_argument("--quick", action="store_true", help="One repeat of each command; rdflib queries 10 s at most.")
    parser.add_argument("--targets-only", action="store_true",
                        help="Only what has a target: no rdflib, no API query medians, no unbound whole answers.")
    parser.add_argument("--command-timeout", type=float, default=900,
                        help="Seconds allowed per whole filmkg command (a whole answer past it is reported as such).")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    if args.quick:
        args.rdflib_timeout = min(args.rdflib_timeout, 10)
    if args.step:
        steps = {
            "ingest": lambda: step_ingest(args.work),
            "oxigraph": lambda: step_oxigraph(args.work),
            "rdflib": lambda: step_rdflib(args.work, args.rdflib_triples),
            "queries": lambda: step_queries(args.work),
            "rdflib-query": lambda: step_rdflib_query(args.work, args.query),
            "remote": lambda: step_remote(args.work),
            "oxigraph-named": lambda: step_oxigraph_named(args.work),
            "reopen": lambda: step_reopen(args.work),
            "analyses": lambda: step_analyses(args.work / "store", args.command_timeout),
        }
        result = steps[args.step]()
        if args.step == "analyses":  # (run alone on a store: python benchmarks/run.py --step analyses --work DIR --rows N)
            print("\n".join(_analyses_lines(result, args.rows)), file=sys.stderr)  # type: ignore[arg-type]
        print(json.dumps(result))
        return 0

    sys.path.insert(0, str(HERE))
    from generate import write

    work = Path(tempfile.mkdtemp(prefix="filmkg-bench-"))
    try:
        write(work / "films.csv", args.rows)
        ingest = _child("ingest", work, [])
        oxigraph = _child("oxigraph", work, [])
        full = not args.targets_only
        rdflib = _child("rdflib", work, ["--rdflib-triples", str(args.rdflib_triples)]) if full else {}
        queries = _child("queries", work, []) if full else {}
        remote = _child("remote", work, []) if args.remote else {}
        for name in [*QUERIES, "join"] if full else []:
            try:
                rdflib[f"query:{name}"] = _child("rdflib-query", work, ["--query", name], args.rdflib_timeout)["seconds"]
            except subprocess.TimeoutExpired:
                rdflib[f"query:{name}"] = float("inf")
        _command(["--store", str(work / "shipped"), "ingest", str(SHIPPED)], timeout=600)
        reading = {
            "shipped": step_cli(work / "shipped", repeat, args.command_timeout, whole=full),
            "big": step_cli(work / "store", repeat, args.command_timeout, whole=full),
            "pyoxigraph": _child("oxigraph-named", work, []) if full else {},
        }
        loader = step_oxigraph_cli(work)
        small = step_small_ingest(work)
        replaced = step_replace(work)
        analyses = step_analyses(work / "store", args.command_timeout)
        evidence = step_evidence(work / "store", args.command_timeout)
        dropped = step_drop(work, ingest)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    triples = ingest["triples"]
    scale = triples / rdflib["triples"] if rdflib else 0.0
    rdflib_full = rdflib["seconds"] * scale if rdflib else 0.0
    results = {
        "rows": args.rows, "triples": triples, "machine": f"{os.cpu_count()} cores",
        "ingest": ingest, "oxigraph_bulk_load": oxigraph, "rdflib_memory": rdflib,
        "rdflib_memory_scaled_seconds": rdflib_full, "queries": queries, "remote": remote,
        "reading_commands": reading, "analyses": analyses, "evidence": evidence, "drop": dropped, "small_ingest": small,
        "replace": replaced, "oxigraph_cli": loader,
    }
    lines = [
        f"{args.rows:,} annotated rows -> {triples:,} triples ({os.cpu_count()} cores)",
        "",
        f"{'load':<44}{'seconds':>10}{'triples/s':>12}{'peak MB':>10}  ratio",
        f"{'filmkg ingest (annotated CSV)':<44}{ingest['seconds']:>10.1f}{triples / ingest['seconds']:>12,.0f}"
        f"{ingest['peak_mb']:>10,.0f}  1.00 ({args.rows / ingest['seconds']:,.0f} rows/s)",
        f"{'pyoxigraph bulk_load (same triples, N-Triples)':<44}{oxigraph['seconds']:>10.1f}"
        f"{triples / oxigraph['seconds']:>12,.0f}{oxigraph['peak_mb']:>10,.0f}  "
        f"filmkg at {oxigraph['seconds'] / ingest['seconds']:.2f}x its throughput",
    ]
    if rdflib:
        lines += [
            f"{'rdflib Memory (' + format(int(rdflib['triples']), ',') + ' triples, scaled)':<44}{rdflib_full:>10.1f}"
            f"{rdflib['triples'] / rdflib['seconds']:>12,.0f}{rdflib['peak_mb']:>10,.0f}  "
            f"filmkg {rdflib_full / ingest['seconds']:.1f}x faster",
            "",
            f"{'query (median of 3)':<22}{'filmkg API':>12}{'pyoxigraph':>12}{'ratio':>8}{'rdflib*':>12}"
            + (f"{'server':>12}" if remote else ""),
        ]
    for name in [*QUERIES, "join"] if queries else []:
        kg_s, ox_s = queries[f"kg:{name}"], queries[f"ox:{name}"]
        lines.append(
            f"{name:<22}{kg_s * 1000:>10.1f}ms{ox_s * 1000:>10.1f}ms{kg_s / ox_s:>8.2f}"
            + (f"{rdflib[f'query:{name}'] * 1000:>10.1f}ms" if rdflib[f"query:{name}"] != float("inf")
               else f"{'>' + format(args.rdflib_timeout, '.0f') + 's':>12}")
            + (f"{remote[f'remote:{name}'] * 1000:>10.1f}ms" if remote else "")
        )
    lines += [] if not queries else [
        f"* rdflib Memory on its {int(rdflib['triples']):,}-triple subset, one run (load time excluded)",
        "",
        f"collaboration projection built in {queries['collaboration_graph']:.2f}s; "
        f"shortest path on it {queries['path'] * 1000:.1f}ms; "
        f"kg.path ({queries['kg.path hops']:.0f} hops, 3 paths) {queries['kg.path']:.2f}s",
        f"kg.neighbors depth 2 of the best-connected person ({queries['kg.neighbors entities']:,.0f} entities) "
        f"{queries['kg.neighbors']:.2f}s; viz of its 2-hop neighbourhood capped at 2,000 entities "
        f"({queries['viz entities']:,.0f} drawn) {queries['viz']:.2f}s",
    ]
    if remote:
        lines.append(
            f"server (Oxigraph on 127.0.0.1, Graph Store uploads): ingest {remote['ingest']:.1f}s "
            f"({remote['triples'] / remote['ingest']:,.0f} triples/s); '*' queries above in the server column"
        )
    lines += ["", *_reading_lines(reading, args.rows), "", *_analyses_lines(analyses, args.rows),
              "", *_evidence_lines(evidence, ingest),
              "", *_writes_lines(small, replaced, loader, ingest, args.rows), *_drop_lines(dropped, ingest)]
    print("\n".join(lines))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    return 0


def _seconds(value: float) -> str:
    return "timed out" if value == float("inf") else f"{value:.2f}s"


def _reading_lines(reading: dict[str, dict[str, dict[str, float]]], rows: int) -> list[str]:
    shipped, big, alone = reading["shipped"], reading["big"], reading["pyoxigraph"]
    lines = [
        f"{'reading command (whole filmkg command, median)':<52}{'49 rows':>10}{format(rows, ',') + ' rows':>14}"
        f"{'peak MB':>9}  target",
    ]
    for label, _, kind in _reading_commands():
        if label not in big:  # (a whole answer left out with --targets-only)
            continue
        small, large = shipped[label], big[label]
        if kind == "near":
            limit = NEAR_SHIPPED * small["seconds"]
            target = f"<= {NEAR_SHIPPED:g}x shipped ({limit:.2f}s): {'met' if large['seconds'] <= limit else 'NOT met'}"
        elif kind == "page":
            met = large["seconds"] < PAGE_TARGET
            target = f"< {PAGE_TARGET:g}s: {'met' if met else 'NOT met'}"
        else:
            name = label.split()[2]
            target = f"none; {large['rows']:,.0f} rows" + (f", pyoxigraph alone {_seconds(alone[name])}" if alone else "")
        lines.append(
            f"{label:<52}{_seconds(small['seconds']):>10}{_seconds(large['seconds']):>14}{large['peak_mb']:>9,.0f}  {target}"
        )
    return lines


def _drop_lines(dropped: dict[str, float], ingest: dict[str, float]) -> list[str]:
    before, after = dropped["store_mb_before_ingest"], dropped["store_mb_after_ingest"]
    left = dropped["store_mb_reopened"]
    allowed = before + DROP_LEFT * (after - before)
    return [
        f"filmkg drop of the big file: {dropped['seconds']:.1f}s (its ingest {ingest['seconds']:.1f}s): "
        f"{'met' if dropped['seconds'] < ingest['seconds'] else 'NOT met'} (target: faster than the ingest)",
        f"  peak memory {dropped['peak_mb']:,.0f} MB: {'met' if dropped['peak_mb'] < DROP_PEAK_MB else 'NOT met'} "
        f"(target: under {DROP_PEAK_MB:,} MB)",
        f"  store on disk: {before:,.0f} MB before the ingest, {after:,.0f} MB after it, {dropped['store_mb_after']:,.0f} MB "
        f"after the drop, {left:,.0f} MB once reopened: {'met' if left <= allowed else 'NOT met'} (target: at most "
        f"{allowed:,.0f} MB, {DROP_LEFT:.0%} of what the ingest added; Oxigraph keeps its term dictionary)",
    ]


if __name__ == "__main__":
    sys.exit(main())
