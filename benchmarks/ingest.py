"""Benchmark ``filmkg ingest`` of an annotated table against the loaders alone, on the same quads, in one run.

    python benchmarks/ingest.py --rows 200000          # generate, then compare
    python benchmarks/ingest.py --csv films.csv        # an existing table

Each step is a whole command in a fresh process (wall time; peak memory by ``/usr/bin/time -v``
when it is there, else the child's ``ru_maxrss``):

1. ``filmkg ingest FILE`` into a fresh store; its graph is then dumped as N-Triples (not timed);
2. ``oxigraph load`` of those N-Triples into a fresh store, then ``oxigraph optimize`` of it
   (the CLI of the ``oxigraph`` package);
3. pyoxigraph's ``bulk_load`` of the same N-Triples into a fresh store, then ``optimize()``;
4. the same, in the parts filmkg hands the loader (:func:`kg.store.bulk.load_ntriples`): the
   loader's own share of an ingest, without a row checked;
5. the Python phase alone: the rows checked and written as N-Triples, no store.

Prints each figure, the ingest's throughput as a share of each loader's (target: at least 0.8x
``oxigraph load`` + ``optimize``, peak memory under 2 GB), and step 4 as a share of step 2: the
most an ingest through pyoxigraph can reach. No assertions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
TARGET_RATIO = 0.8
TARGET_PEAK_MB = 2000


def _run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of a whole command."""
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    full = ["/usr/bin/time", "-v", *command] if timer else command
    start = time.perf_counter()
    done = subprocess.run(full, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    peak = 0.0
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak = int(line.split(":")[1]) / 1024
    return seconds, peak


def _python(code: str, *args: str) -> tuple[float, float]:
    return _run([sys.executable, "-c", code, *args])


DUMP = """
import sys, pyoxigraph as ox
from kg import KnowledgeGraph
from kg.registry import sources
with KnowledgeGraph.open(sys.argv[1]) as kg:
    [info] = sources(kg)
    kg.store.raw.dump(sys.argv[2], format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(info.graph))
"""
BULK = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
store.optimize()
store.flush()
"""
PARTS = """
import sys, pyoxigraph as ox
from pathlib import Path
from kg.store.bulk import load_ntriples
store = ox.Store(sys.argv[2])
load_ntriples(store, Path(sys.argv[1]), "urn:g")
store.optimize()
store.flush()
"""
CHECK = """
import sys
from pathlib import Path
from kg.ontology import load_ontology
from kg.ingest.sink import StatementSink
from kg.ingest.annotated import AnnotatedTable
from kg.ingest.importer import ImportOptions
from kg.ingest.limits import Limits
path = Path(sys.argv[1])
with open(sys.argv[2], "wb") as out:
    sink = StatementSink(load_ontology(), path=str(path), out=out)
    AnnotatedTable().read(path, sink, ImportOptions(limits=Limits()))
    sink.finish()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--csv", type=Path, help="an annotated table to ingest (else one is generated)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="filmkg-ingest-bench-") as temp:
        work = Path(temp)
        table = options.csv
        if table is None:
            sys.path.insert(0, str(HERE))
            import generate

            table = generate.write(work / "films.csv", options.rows)
        nt = work / "films.nt"
        figures = {}
        figures["filmkg ingest"] = _run([str(BIN / "filmkg"), "--store", str(work / "kg"), "ingest", str(table)])
        _python(DUMP, str(work / "kg"), str(nt))
        triples = sum(1 for _ in nt.open("rb"))
        load = _run([str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file", str(nt),
                     "--graph", "urn:g"])  # fmt: skip
        optimize = _run([str(BIN / "oxigraph"), "optimize", "--location", str(work / "ox")])
        figures["oxigraph load + optimize"] = (load[0] + optimize[0], max(load[1], optimize[1]))
        figures["pyoxigraph bulk_load + optimize"] = _python(BULK, str(nt), str(work / "bulk"))
        figures["the same in filmkg's parts (no rows checked)"] = _python(PARTS, str(nt), str(work / "parts"))
        figures["rows checked, N-Triples written (no store)"] = _python(CHECK, str(table), str(work / "check.nt"))
    ours = figures["filmkg ingest"][0]
    print(f"{table.name}: {triples:,} triples")
    print(f"{'step':<44}{'seconds':>9}{'triples/s':>11}{'peak MB':>9}  ingest's throughput as a share")
    for name, (seconds, peak) in figures.items():
        print(f"{name:<44}{seconds:>9.1f}{triples / seconds:>11,.0f}{peak:>9,.0f}  {seconds / ours:.2f}x")
    ratio = figures["oxigraph load + optimize"][0] / ours
    peak = figures["filmkg ingest"][1]
    print(f"target: >= {TARGET_RATIO}x oxigraph load + optimize: {'met' if ratio >= TARGET_RATIO else 'NOT met'} "
          f"({ratio:.2f}x); peak < {TARGET_PEAK_MB} MB: {'met' if peak < TARGET_PEAK_MB else 'NOT met'} ({peak:,.0f} MB)")
    alone = figures["oxigraph load + optimize"][0] / figures["the same in filmkg's parts (no rows checked)"][0]
    print(f"pyoxigraph's loader fed filmkg's parts, alone: {alone:.2f}x oxigraph load + optimize (the most an ingest can reach)")
    results = HERE / "results" / f"ingest-{options.rows if options.csv is None else table.stem}.json"
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps({"triples": triples, "figures": figures, "ratio": ratio}, indent=2) + "\n")


if __name__ == "__main__":
    main()
