"""Benchmark identity: settling a file of names into a big store of identified entities, and
``reconcile`` of those names, against pairwise comparison of every name with every label.

    python benchmarks/reconcile.py --statements 1000000 --names 10000   # the README figures
    python benchmarks/reconcile.py --statements 20000 --names 1000      # a smoke run

Steps, on one store on disk:

1. a credits file of ``--statements`` rows, each an identified person (``imdb:nm…``) acting in an
   identified film (``imdb:tt…``), with a source (so a statement node each); people's names are
   drawn from a pool a third the number of people (about three
   share each name: homonyms), made of some 2,000 first and 8,000 last names; ingested with ``filmkg``'s API;
2. a file of ``--names`` name-only rows (a third the exact name of a credited person, a third
   with a typo, a third unknown), each coaching a person of the credits: ingested (the identity
   rule runs over the whole store), timed;
3. ``reconcile()`` of the whole store: every name-only entity with its candidates, timed;
4. the baseline: each name compared with every identified label by ``difflib`` (what a tool
   without an index does), timed on a sample of names and scaled to all of them.

Prints the figures and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg import KnowledgeGraph  # noqa: E402
from kg.ontology import normalize_name  # noqa: E402

_SYLLABLES = ["ka", "ren", "mi", "son", "dra", "lo", "vi", "ta", "ber", "nos", "el", "quan", "zo", "ri", "man", "de",
              "ga", "lin", "tor", "sa", "ko", "bel", "ny", "ash", "fer", "go", "li", "mor", "pa", "sch", "wen", "yu"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _pool(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct full names from a few thousand first and last names (as in real credits,
    where the rarest word of a name is usually rare)."""
    first = sorted({_word(rng) for _ in range(2000)})
    last = sorted({_word(rng) for _ in range(8000)})
    names: set[str] = set()
    while len(names) < size:
        names.add(f"{rng.choice(first)} {rng.choice(last)}")
    return sorted(names)


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :] if name[i] != " " and name[i + 1] != " " else name + "e"


def generate(folder: Path, statements: int, names: int, seed: int = 7) -> tuple[Path, Path, list[str], list[str]]:
    rng = random.Random(seed)
    people = max(statements // 5, 1)
    films = max(statements // 20, 1)
    pool = _pool(rng, max(people // 3, 1))  # about three people share each name: homonyms
    person_names = [rng.choice(pool) for _ in range(people)]
    credits = folder / "credits.csv"
    with credits.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["subject", "subject_id", "predicate", "object", "object_id", "source"])
        for row in range(statements):
            p, f = rng.randrange(people), rng.randrange(films)
            out.writerow([person_names[p], f"imdb:nm{p + 1:07d}", "acted-in", f"Film {f}", f"imdb:tt{f + 1:07d}", "Credits"])
    written: list[str] = []
    article = folder / "names.csv"
    with article.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["subject", "predicate", "object"])
        for i in range(names):
            base = person_names[rng.randrange(people)]
            kind = i % 3
            name = base if kind == 0 else _typo(rng, base) if kind == 1 else f"Unknown Person {i}"
            written.append(name)
            out.writerow([name, "coached", f"Coached Person {i}"])
    return credits, article, person_names, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=50, help="names timed for the pairwise baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="filmkg-reconcile-") as tmp:
        folder = Path(tmp)
        credits, article, person_names, names = generate(folder, args.statements, args.names)
        with KnowledgeGraph.open(folder / "store") as graph:
            start = time.perf_counter()
            graph.ingest(credits)
            credits_s = time.perf_counter() - start
            start = time.perf_counter()
            report = graph.ingest(article)
            names_s = time.perf_counter() - start
            start = time.perf_counter()
            table = graph.reconcile()
            reconcile_s = time.perf_counter() - start
        labels = sorted({normalize_name(n) for n in person_names})
        sample = names[: args.sample]
        start = time.perf_counter()
        for name in sample:
            key = normalize_name(name)
            [label for label in labels if difflib.SequenceMatcher(None, key, label).ratio() >= 0.75]
        pairwise_s = (time.perf_counter() - start) / len(sample) * len(names)
    matched = table[table["candidate_iri"] != ""]["name_iri"].nunique()
    print(f"store: {args.statements:,} statements ({len(set(person_names)):,} distinct names for "
          f"{len(person_names):,} identified people); ingest {credits_s:.1f} s")
    print(f"names file: {args.names:,} name-only rows; ingest with the identity rule {names_s:.1f} s "
          f"({report.linked:,} linked, {len(report.identity_warnings):,} kept apart among several candidates)")
    print(f"reconcile: {reconcile_s:.1f} s for {table['name_iri'].nunique():,} names ({matched:,} with candidates, "
          f"{len(table):,} rows)  target < 60 s: {'met' if reconcile_s < 60 else 'NOT met'}")
    print(f"pairwise difflib baseline (scaled from {len(sample)} names): {pairwise_s:.1f} s; "
          f"reconcile is {pairwise_s / reconcile_s:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
