"""Benchmark the IMDb importer against pyoxigraph's bulk loader, on synthetic IMDb-format files.

    python benchmarks/imdb.py --rows 1000000     # 1 M title.principals rows (the target size)
    python benchmarks/imdb.py --rows 100000      # a quicker run

Steps (each timed step in a fresh process, so that its peak memory is its own):

1. generate title.basics, title.principals, name.basics, title.crew and title.akas (.tsv.gz) in
   IMDb's format: ``--rows`` principal rows over rows/8 titles (ordering 1..8) and rows/4 people,
   with IMDb's categories, jobs and JSON character arrays (no IMDb data: made-up names);
2. ``filmkg import imdb`` of the folder (every title type) into a fresh store: wall time,
   quads/s, peak memory (the child's ``ru_maxrss``);
3. the store dumped as N-Quads, and those quads loaded by pyoxigraph's ``bulk_load`` into a fresh
   store: wall time, quads/s, peak memory.

Prints the figures and the ratios (target: the importer at no less than half the bulk loader's
quads/s, and under 2 GB peak); writes benchmarks/results/imdb-<rows>.json. No assertions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CATEGORIES = [("actor", 30), ("actress", 25), ("self", 8), ("director", 8), ("writer", 8), ("producer", 7),
              ("composer", 4), ("cinematographer", 4), ("editor", 4), ("production_designer", 1),
              ("casting_director", 1)]  # fmt: skip
JOBS = {"writer": ["screenplay", "novel", "story", "writer"], "producer": ["producer", "executive producer"],
        "director": ["co-director"], "cinematographer": ["director of photography"]}  # fmt: skip
TYPES = [("movie", 50), ("short", 20), ("tvEpisode", 20), ("video", 5), ("tvMovie", 5)]
GENRES = ["Drama", "Comedy", "Horror", "Documentary", "Action", "Thriller", "Romance", "Short"]
SYLLABLES = ["ka", "ri", "mo", "an", "el", "tor", "vin", "sa", "lu", "den", "ba", "ro", "mi", "ne", "th", "or"]
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 2000


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    """Write the five dataset files with ``rows`` principal rows into ``folder``."""
    rng = random.Random(seed)
    titles, people = max(rows // 8, 1), max(rows // 4, 1)
    categories = [c for c, w in CATEGORIES for _ in range(w)]
    types = [t for t, w in TYPES for _ in range(w)]

    def out(name: str) -> TextIO:
        return gzip.open(folder / f"{name}.tsv.gz", "wt", encoding="utf-8", compresslevel=1, newline="\n")

    with out("title.basics") as basics, out("title.akas") as akas, out("title.crew") as crew:
        basics.write("tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n")
        akas.write("titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle\n")
        crew.write("tconst\tdirectors\twriters\n")
        for t in range(1, titles + 1):
            tconst = f"tt{t:07d}"
            title = f"{_word(rng, 2)} {_word(rng, 3)}"
            year = str(rng.randint(1920, 2024)) if rng.random() < 0.95 else "\\N"
            minutes = str(rng.randint(5, 180)) if rng.random() < 0.6 else "\\N"
            genres = ",".join(rng.sample(GENRES, rng.randint(1, 3))) if rng.random() < 0.8 else "\\N"
            basics.write(f"{tconst}\t{rng.choice(types)}\t{title}\t{title}\t0\t{year}\t\\N\t{minutes}\t{genres}\n")
            for o in range(1, rng.randint(1, 3) + 1):
                akas.write(f"{tconst}\t{o}\t{title} {o}\tDE\t\\N\t\\N\t\\N\t0\n")
            crew.write(f"{tconst}\tnm{rng.randint(1, people):07d}\tnm{rng.randint(1, people):07d}\n")
    with out("title.principals") as principals:
        principals.write("tconst\tordering\tnconst\tcategory\tjob\tcharacters\n")
        for i in range(rows):
            t, ordering = i // 8 + 1, i % 8 + 1
            category = rng.choice(categories)
            job = rng.choice(JOBS[category]) if category in JOBS and rng.random() < 0.5 else "\\N"
            if category in ("actor", "actress"):
                played = [_word(rng, 2)] + ([_word(rng, 2)] if rng.random() < 0.02 else [])
                characters = json.dumps(played)
            else:
                characters = '["Self"]' if category == "self" else "\\N"
            principals.write(f"tt{t:07d}\t{ordering}\tnm{rng.randint(1, people):07d}\t{category}\t{job}\t{characters}\n")
    with out("name.basics") as names:
        names.write("nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\n")
        for p in range(1, people + 1):
            born = str(rng.randint(1900, 2005)) if rng.random() < 0.3 else "\\N"
            names.write(f"nm{p:07d}\t{_word(rng, 2)} {_word(rng, 3)}\t{born}\t\\N\tactor,writer\ttt{rng.randint(1, titles):07d}\n")


def _child(step: str, *args: str) -> dict[str, float]:
    """Run one step in a fresh process; it prints its figures as JSON."""
    done = subprocess.run([sys.executable, __file__, "--step", step, *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_import(folder: str, store: str, dump: str) -> None:
    """Import the folder into a fresh store, then dump it as N-Quads (the dump is not timed)."""
    sys.path.insert(0, str(ROOT))
    from kg import KnowledgeGraph
    from kg.ingest.imdb import ImdbDatasets

    kg = KnowledgeGraph.open(Path(store))
    types = [t for t, _ in TYPES]
    start = time.perf_counter()
    report = kg.ingest([Path(folder)], importer=ImdbDatasets(types=types))
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    import pyoxigraph as ox

    with open(dump, "wb") as out:
        kg.store.dump(out, ox.RdfFormat.N_QUADS)
    quads = len(kg)
    kg.close()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "quads": quads, "triples": report.triples,
                      "statements": report.statements, "warnings": len(report.warnings)}))  # fmt: skip


def step_bulk(dump: str, store: str) -> None:
    """pyoxigraph's bulk loader on the same quads, into a fresh store."""
    import pyoxigraph as ox

    target = ox.Store(store)
    start = time.perf_counter()
    target.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    target.flush()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "quads": len(target)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="title.principals rows")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step == "import":
        return step_import(*options.args)
    if options.step == "bulk":
        return step_bulk(*options.args)
    with tempfile.TemporaryDirectory(prefix="filmkg-imdb-bench-") as temp:
        work = Path(temp)
        (work / "data").mkdir()
        start = time.perf_counter()
        generate(work / "data", options.rows)
        generated = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (work / "data").iterdir())
        dump = str(work / "dump.nq")
        ours = _child("import", str(work / "data"), str(work / "store"), dump)
        bulk = _child("bulk", dump, str(work / "bulk"))
    quads = bulk["quads"]
    ours_rate, bulk_rate = quads / ours["seconds"], quads / bulk["seconds"]
    ratio = ours_rate / bulk_rate
    print(f"{options.rows:,} title.principals rows ({size / 2**20:.1f} MiB gzipped, generated in {generated:.1f}s) "
          f"-> {quads:,} quads, {ours['statements']:,} statements")  # fmt: skip
    print()
    print(f"{'load':<44}{'seconds':>9}{'quads/s':>11}{'peak MB':>9}  ratio")
    print(f"{'filmkg import imdb (5 files, .tsv.gz)':<44}{ours['seconds']:>9.1f}{ours_rate:>11,.0f}{ours['peak_mb']:>9,.0f}"
          f"  1.00 ({options.rows / ours['seconds']:,.0f} principal rows/s)")  # fmt: skip
    print(f"{'pyoxigraph bulk_load (same quads, N-Quads)':<44}{bulk['seconds']:>9.1f}{bulk_rate:>11,.0f}"
          f"{bulk['peak_mb']:>9,.0f}  filmkg at {ratio:.2f}x its throughput")  # fmt: skip
    print()
    print(f"targets: throughput >= {TARGET_RATIO:.1f}x bulk_load: {'met' if ratio >= TARGET_RATIO else 'NOT met'} "
          f"({ratio:.2f}x); peak < {TARGET_PEAK_MB} MB: {'met' if ours['peak_mb'] < TARGET_PEAK_MB else 'NOT met'} "
          f"({ours['peak_mb']:,.0f} MB)")  # fmt: skip
    results = HERE / "results" / f"imdb-{options.rows}.json"
    results.write_text(json.dumps({"rows": options.rows, "filmkg": ours, "bulk_load": bulk, "ratio": ratio}, indent=2) + "\n")


if __name__ == "__main__":
    main()
