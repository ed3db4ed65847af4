"""Benchmark ingest and queries against rdflib's Memory store and pyoxigraph directly, on the same data.

    python benchmarks/run.py --rows 1000000            # the README figures
    python benchmarks/run.py --rows 20000 --quick      # a smoke run

Steps (each in a fresh process, so that peak memory is its own):

1. generate an annotated-triples CSV (benchmarks/generate.py);
2. ``filmkg ingest`` of it: wall time, rows/s, triples/s, peak memory;
3. the same triples as N-Triples (dumped from the ingested graph), loaded by pyoxigraph's
   ``bulk_load`` into a fresh store, and by rdflib's Memory store (rdflib on at most
   ``--rdflib-triples`` triples, scaled linearly, because it is too slow for the full size);
4. the named queries and a three-way join with aggregation, through the kg API, through
   pyoxigraph directly on the same store, and through rdflib Memory (on its smaller graph);
5. ``path`` on the collaboration projection; ``kg.path``, ``kg.neighbors`` and a ``viz`` of a
   2,000-entity neighbourhood (these fetch only the neighbourhood from the store);
6. with ``--remote``: the same file ingested into an Oxigraph server on 127.0.0.1 through
   ``--endpoint``/``--update-endpoint``/``--gsp-endpoint`` (Graph Store Protocol uploads), and the
   named queries through the API on the server.

Prints a table with ratios to the baselines and writes benchmarks/results/run.json.
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_ingest(work: Path) -> dict[str, float]:
    from kg import KnowledgeGraph

    import pyoxigraph as ox

    start = time.perf_counter()
    with KnowledgeGraph.open(work / "store") as graph:
        report = graph.ingest(work / "films.csv")
        seconds = time.perf_counter() - start
        graph.store.dump(str(work / "films.nt"), format=ox.RdfFormat.N_TRIPLES,
                         from_graph=ox.NamedNode(report.files[0].graph))
    return {"seconds": seconds, "rows": report.rows, "triples": report.triples, "peak_mb": _peak_mb()}


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
    from kg.query import named_queries

    graph = Graph()
    graph.parse(str(work / "films-rdflib.nt"), format="nt")
    text = JOIN if name == "join" else named_queries()[name].sparql
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
                lambda: list(graph.store.query(text, use_default_graph_as_union=True, prefixes=prefixes))
            )
        out["kg:join"] = _timed(lambda: graph.query(JOIN))
        out["ox:join"] = _timed(lambda: list(graph.store.query(JOIN, use_default_graph_as_union=True, prefixes=prefixes)))
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
    args = parser.parse_args()
    if args.step:
        steps = {
            "ingest": lambda: step_ingest(args.work),
            "oxigraph": lambda: step_oxigraph(args.work),
            "rdflib": lambda: step_rdflib(args.work, args.rdflib_triples),
            "queries": lambda: step_queries(args.work),
            "rdflib-query": lambda: step_rdflib_query(args.work, args.query),
            "remote": lambda: step_remote(args.work),
        }
        print(json.dumps(steps[args.step]()))
        return 0

    sys.path.insert(0, str(HERE))
    from generate import write

    work = Path(tempfile.mkdtemp(prefix="filmkg-bench-"))
    try:
        write(work / "films.csv", args.rows)
        ingest = _child("ingest", work, [])
        oxigraph = _child("oxigraph", work, [])
        rdflib = _child("rdflib", work, ["--rdflib-triples", str(args.rdflib_triples)])
        queries = _child("queries", work, [])
        remote = _child("remote", work, []) if args.remote else {}
        for name in [*QUERIES, "join"]:
            try:
                rdflib[f"query:{name}"] = _child("rdflib-query", work, ["--query", name], args.rdflib_timeout)["seconds"]
            except subprocess.TimeoutExpired:
                rdflib[f"query:{name}"] = float("inf")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    triples = ingest["triples"]
    scale = triples / rdflib["triples"]
    rdflib_full = rdflib["seconds"] * scale
    results = {
        "rows": args.rows, "triples": triples, "machine": f"{os.cpu_count()} cores",
        "ingest": ingest, "oxigraph_bulk_load": oxigraph, "rdflib_memory": rdflib,
        "rdflib_memory_scaled_seconds": rdflib_full, "queries": queries, "remote": remote,
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
        f"{'rdflib Memory (' + format(int(rdflib['triples']), ',') + ' triples, scaled)':<44}{rdflib_full:>10.1f}"
        f"{rdflib['triples'] / rdflib['seconds']:>12,.0f}{rdflib['peak_mb']:>10,.0f}  "
        f"filmkg {rdflib_full / ingest['seconds']:.1f}x faster",
        "",
        f"{'query (median of 3)':<22}{'filmkg API':>12}{'pyoxigraph':>12}{'ratio':>8}{'rdflib*':>12}"
        + (f"{'server':>12}" if remote else ""),
    ]
    for name in [*QUERIES, "join"]:
        kg_s, ox_s = queries[f"kg:{name}"], queries[f"ox:{name}"]
        lines.append(
            f"{name:<22}{kg_s * 1000:>10.1f}ms{ox_s * 1000:>10.1f}ms{kg_s / ox_s:>8.2f}"
            + (f"{rdflib[f'query:{name}'] * 1000:>10.1f}ms" if rdflib[f"query:{name}"] != float("inf")
               else f"{'>' + format(args.rdflib_timeout, '.0f') + 's':>12}")
            + (f"{remote[f'remote:{name}'] * 1000:>10.1f}ms" if remote else "")
        )
    lines += [
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
    print("\n".join(lines))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
