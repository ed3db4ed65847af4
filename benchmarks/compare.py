"""Compare this checkout with another revision on the same data, whole CLI commands, in one run.

    python benchmarks/compare.py --rows 200000 --base HEAD~5

Generates annotated rows (benchmarks/generate.py), checks the base revision out into a
temporary git worktree, then for each version: ingests the rows into its own store and runs
the same read commands, each ``--repeat`` times (median). Prints a table of seconds and the
ratio this/base (below 1 is faster), and the cost of the embedded store's two ways of scoping a
query to the filmkg dataset (the union of all graphs, or the graphs listed by name).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

COMMANDS: list[tuple[str, list[str]]] = [
    ("query --name training (bound)", ["query", "--name", "training", "--bind", "person=Mikey Madison", "--format", "csv"]),
    ("query --name cast", ["query", "--name", "cast", "--format", "csv"]),
    ("query --name advisors", ["query", "--name", "advisors", "--format", "csv"]),
    ("show Mikey Madison", ["show", "Mikey Madison"]),
    ("neighbors Mikey Madison", ["neighbors", "Mikey Madison", "--format", "csv"]),
    ("path Mikey Madison -> Sean Baker", ["path", "Mikey Madison", "Sean Baker"]),
    ("analyze stats", ["analyze", "stats", "--format", "csv"]),
    ("sources", ["sources", "--json"]),
]


def _run(checkout: Path, store: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(store), *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{checkout.name}: filmkg {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


def _scoping(store: Path, repeat: int) -> tuple[float, float]:
    """Seconds of one three-pattern join over the union of all graphs, and over the graphs listed by name."""
    import pyoxigraph as ox

    raw = ox.Store.read_only(str(store))
    graphs = list(raw.named_graphs())
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/filmkg/ontology#actedIn> ?o . "
        "?s <http://www.w3.org/2000/01/rdf-schema#label> ?l . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?m }"
    )

    def timed(**options: object) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            list(raw.query(query, **options))  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return timed(use_default_graph_as_union=True), timed(default_graph=graphs, named_graphs=graphs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--base", default="HEAD~1", help="The revision to compare with.")
    parser.add_argument("--this", help="A revision to measure instead of the working tree.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="filmkg-compare-") as folder:
        work = Path(folder)
        data = work / "films.csv"
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--rows", str(args.rows), "-o", str(data)], check=True)
        base = work / "base"
        this = work / "this" if args.this else ROOT
        for folder, revision in ((base, args.base), (this, args.this)):
            if revision:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), revision],
                               check=True, capture_output=True)
        try:
            results: dict[str, dict[str, float]] = {}
            for name, checkout in (("this", this), ("base", base)):
                store = work / f"store-{name}"
                timings = {"ingest": _run(checkout, store, ["ingest", str(data)])}
                for label, command in COMMANDS:
                    timings[label] = statistics.median(_run(checkout, store, command) for _ in range(args.repeat))
                results[name] = timings
            union, listed = _scoping(work / "store-this", args.repeat)
        finally:
            for folder in {base, this} - {ROOT}:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], capture_output=True)
    print(f"{args.rows:,} generated rows; {args.this or 'the working tree'} against {args.base}; "
          f"median of {args.repeat} runs")
    print(f"{'command':36} {'this s':>9} {'base s':>9} {'this/base':>9}")
    for label in results["this"]:
        this, other = results["this"][label], results["base"][label]
        print(f"{label:36} {this:9.2f} {other:9.2f} {this / other:9.2f}")
    print(f"dataset scoping, one join: union of graphs {union:.3f} s, graphs listed {listed:.3f} s "
          f"(listed/union {listed / union:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
