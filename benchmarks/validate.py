"""Benchmark ``validate`` and ``verify`` against ``ingest`` of the same generated data.

    python benchmarks/validate.py --rows 1000000     # the issue's size
    python benchmarks/validate.py --rows 200000

Steps, in one process, on a fresh store: generate the annotated-triples CSV of
``benchmarks/generate.py``; ``kg.ingest`` it (timed); ``kg.validate()`` (the ontology's rules as
SPARQL in the store, timed); attach a text to ``--texts`` of the generated sources (each text holds
that source's quotes, one word changed in every tenth, so that some are not found), then
``kg.verify()`` over the whole store (timed); ``kg.conflicts()`` of the whole store and of one
person (timed). Prints the figures and writes
``benchmarks/results/validate-ROWS.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--texts", type=int, default=100, help="Sources to attach a text to before verify.")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    from kg import KnowledgeGraph
    from kg.vocab import DERIVED_FROM, QUOTE

    work = args.work or Path(tempfile.mkdtemp(prefix="filmkg-validate-"))
    data = generate.write(work / "films.csv", args.rows)
    out: dict[str, float] = {"rows": args.rows}
    with KnowledgeGraph.open(work / "store") as kg:
        start = time.perf_counter()
        report = kg.ingest(data)
        out["ingest_s"] = time.perf_counter() - start
        out["triples"] = report.triples
        out["statements"] = report.statements
        start = time.perf_counter()
        validation = kg.validate()
        out["validate_s"] = time.perf_counter() - start
        out["violations"] = validation.count
        out["rules"] = validation.rules
        query = f"SELECT ?src ?q WHERE {{ ?st <{DERIVED_FROM}> ?src ; <{QUOTE}> ?q }}"
        quotes: dict[str, list[str]] = {}
        for src, q in kg.store.select(query):
            quotes.setdefault(src.value, []).append(q.value)
        start = time.perf_counter()
        for index, (src, items) in enumerate(sorted(quotes.items())[: args.texts]):
            text = " ".join(q.replace("worked on", "was on") if i % 10 == 0 else q for i, q in enumerate(items))
            path = work / f"text-{index}.txt"
            path.write_text(text, encoding="utf-8")
            kg.attach(src, path)
        out["attach_s"] = time.perf_counter() - start
        start = time.perf_counter()
        verified = kg.verify()
        out["verify_s"] = time.perf_counter() - start
        out["quotes_checked"] = verified.quotes
        out["quotes_not_found"] = verified.not_found
        out["quotes_unchecked"] = sum(verified.unchecked.values())
        start = time.perf_counter()
        frame = kg.conflicts()
        out["conflicts_s"] = time.perf_counter() - start
        out["conflict_groups"] = int(frame["group"].nunique()) if not frame.empty else 0
        person = generate.PERSON if hasattr(generate, "PERSON") else "Mikey Madison"
        start = time.perf_counter()
        kg.conflicts(person)
        out["conflicts_entity_s"] = time.perf_counter() - start
    lines = [
        f"{args.rows:,} rows -> {int(out['triples']):,} triples, {int(out['statements']):,} statements",
        f"ingest    {out['ingest_s']:8.1f} s",
        f"validate  {out['validate_s']:8.1f} s  ({out['validate_s'] / out['ingest_s']:.2f}x ingest; "
        f"{int(out['rules'])} rules, {int(out['violations']):,} violations)",
        f"verify    {out['verify_s']:8.1f} s  ({int(out['quotes_checked']):,} quotes of {args.texts} sources checked, "
        f"{int(out['quotes_not_found']):,} not found; {int(out['quotes_unchecked']):,} of sources without text counted)",
        f"conflicts {out['conflicts_s']:8.1f} s  (the whole store: {int(out['conflict_groups']):,} groups; "
        f"about one person: {out['conflicts_entity_s']:.2f} s)",
    ]
    print("\n".join(lines))
    target = HERE / "results" / f"validate-{args.rows}.json"
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
