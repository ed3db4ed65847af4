"""Time-to-interactive of `filmkg viz` pages in headless Chromium, for 500 and 2,000 entities.

    python benchmarks/viz_tti.py                      # the README figures
    python benchmarks/viz_tti.py --sizes 500 --runs 1 --no-baseline   # a smoke run

For each size, a synthetic store is built from annotated rows (people acting in,
directing, training for and advising films, scenes with songs; every statement with a
source and a quote, most with qualifiers) holding exactly that many entities, and the
whole graph is written with ``viz(..., max_nodes=size)``. Measured:

- write: ``kg.viz`` in Python (selection, layout, rendering, writing the file);
- first draw / interactive: from navigation start to the first drawn frame, and to the
  moment the page is ready (``window.filmkg.ready``: drawn, and physics done if any);
- click: from a node's click highlight to the next drawn frame, once interactive;
- baseline (``--baseline``, on by default): the same page with the browser's physics left
  on (as below the layout threshold), i.e. the time vis-network needs to stabilise.

Prints a table and writes benchmarks/results/viz_tti.json. Needs /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kg.viz  # noqa: E402
import kg.viz.page  # noqa: E402
from kg import KnowledgeGraph  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
HEADER = ["subject", "predicate", "object", "character", "duration", "skill", "role", "source", "quote"]


def synthetic_rows(entities: int, *, seed: int = 7) -> list[list[str]]:
    """Annotated rows mentioning exactly ``entities`` entities, about two relations each."""
    rng = random.Random(seed)
    films = max(2, entities // 10)
    scenes = max(1, entities // 10)
    songs = max(1, entities // 20)
    people = entities - films - scenes - songs
    film = [f"Film {i:04d}" for i in range(films)]
    scene = [f"Scene {i:04d}" for i in range(scenes)]
    song = [f"Song {i:04d}" for i in range(songs)]
    person = [f"Person {i:05d}" for i in range(people)]

    def source() -> str:
        return f"Article {rng.randrange(max(entities // 40, 3))}"

    out: list[list[str]] = []
    for i, name in enumerate(scene):
        out.append([name, "scene-of", film[i % films], "", "", "", "", source(), f"{name} is a scene of {film[i % films]}."])
    for i, name in enumerate(song):
        out.append([scene[i % scenes], "features-song", name, "", "", "", "", source(), f"{name} plays in {scene[i % scenes]}."])
    for i, name in enumerate(person):
        target = film[i % films]
        out.append([name, "acted-in", target, f"Character {i}", "", "", "", source(), f"{name} plays Character {i} in {target}."])
        roll = rng.random()
        if roll < 0.15:
            out.append([name, "trained-for", rng.choice(scene), "", f"P{rng.randrange(1, 12)}M", "dancing", "", source(),
                        f"{name} trained for months."])
        elif roll < 0.25:
            out.append([name, "advised", rng.choice(film), "", "", "", "consultant", source(), f"{name} advised."])
        elif roll < 0.45 and i:
            out.append([name, "coached", rng.choice(person[:i]), "", "", "acting", "", source(), f"{name} coached."])
        elif roll < 0.5:
            out.append([name, "performed", rng.choice(song), "", "", "", "", source(), f"{name} sings."])
    for name in film:
        out.append([rng.choice(person), "directed", name, "", "", "", "", source(), f"Directed {name}."])
    return out


def build(entities: int, folder: Path) -> tuple[KnowledgeGraph, float]:
    """An in-memory store of ``entities`` entities, and the seconds its ingest took."""
    path = folder / f"synthetic-{entities}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(synthetic_rows(entities))
    graph = KnowledgeGraph.memory()
    start = time.perf_counter()
    graph.ingest(path)
    return graph, time.perf_counter() - start


_CLICK = """async () => {
    const id = filmkg.data.nodes.reduce((a, b) => (b.degree > a.degree ? b : a)).id;
    const start = performance.now();
    const drawn = new Promise((resolve) => filmkg.network.once("afterDrawing", resolve));
    filmkg.highlight(id);
    await drawn;
    const took = performance.now() - start;
    filmkg.highlight(null);
    return took;
}"""


def measure_page(browser: Any, path: Path, *, timeout_s: float) -> dict[str, Any]:
    """Load a page once: navigation-relative times of the first draw and readiness, and a click's redraw."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file://") else None)
    try:
        wall = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => window.filmkg && window.filmkg.ready", timeout=timeout_s * 1000, polling=50)
        wall = time.perf_counter() - wall
        timings = page.evaluate("() => filmkg.timings")
        counts = page.evaluate("() => [filmkg.nodes.length, filmkg.edges.length]")
        click = page.evaluate(_CLICK)
        return {
            "first_draw_ms": round(timings["firstDraw"], 1), "interactive_ms": round(timings["ready"], 1),
            "wall_s": round(wall, 3), "click_redraw_ms": round(click, 1), "nodes": counts[0], "edges": counts[1],
            "console_errors": errors, "requests_outside_file": outside,
        }  # fmt: skip
    except Exception as exc:  # a timeout of the physics baseline is a result too
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}", "timeout_s": timeout_s}
    finally:
        context.close()


def median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 1) if values else None


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=5, help="page loads per size (the median is reported)")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the same pages with the browser's physics on")
    parser.add_argument("--baseline-timeout", type=float, default=300.0, help="seconds before a physics run is abandoned")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "viz_tti.json")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated pages in this folder")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    folder = args.keep or Path(tempfile.mkdtemp(prefix="filmkg-viz-tti-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            graph, ingest_s = build(size, folder)
            start = time.perf_counter()
            view = kg.viz.subgraph(graph, max_nodes=size)
            select_s = time.perf_counter() - start
            start = time.perf_counter()
            written = graph.viz(folder / f"view-{size}.html", max_nodes=size)
            write_s = time.perf_counter() - start
            assert written.nodes == size == view.number_of_nodes(), (written, size)
            runs = [measure_page(browser, written.path, timeout_s=60) for _ in range(args.runs)]
            row: dict[str, Any] = {
                "entities": written.nodes, "relations": written.edges, "ingest_s": round(ingest_s, 3),
                "select_s": round(select_s, 3), "write_s": round(write_s, 3),
                "html_bytes": written.path.stat().st_size,
                "first_draw_ms": median(runs, "first_draw_ms"), "interactive_ms": median(runs, "interactive_ms"),
                "wall_s": median(runs, "wall_s"), "click_redraw_ms": median(runs, "click_redraw_ms"),
                "runs": runs,
            }  # fmt: skip
            if args.baseline:
                threshold = kg.viz.page.LAYOUT_THRESHOLD  # read where render reads it
                kg.viz.page.LAYOUT_THRESHOLD = size  # this page only: physics on, no positions computed here
                try:
                    physics = graph.viz(folder / f"view-{size}-physics.html", max_nodes=size)
                finally:
                    kg.viz.page.LAYOUT_THRESHOLD = threshold
                baseline = measure_page(browser, physics.path, timeout_s=args.baseline_timeout)
                row["physics_baseline"] = baseline
            results.append(row)
            print(f"measured {size} entities", file=sys.stderr)
        browser.close()

    print()
    print(f"{'entities':>8} {'relations':>9} {'write s':>8} {'HTML MB':>8} {'first draw ms':>13} "
          f"{'interactive ms':>14} {'click ms':>8} {'physics-on interactive ms':>25}")
    for r in results:
        base = r.get("physics_baseline", {})
        base_text = f"{base['interactive_ms']:,.0f}" if "interactive_ms" in base else base.get("error", "-")[:25]
        print(f"{r['entities']:>8,} {r['relations']:>9,} {r['write_s']:>8.2f} {r['html_bytes'] / 1e6:>8.2f} "
              f"{r['first_draw_ms']:>13,.0f} {r['interactive_ms']:>14,.0f} {r['click_redraw_ms']:>8,.0f} {base_text:>25}")
    ratios: dict[str, float] = {}
    by_size = {r["entities"]: r for r in results}
    if 500 in by_size and 2000 in by_size:
        for key in ("write_s", "first_draw_ms", "interactive_ms", "click_redraw_ms"):
            if by_size[500][key]:
                ratios[key] = round(by_size[2000][key] / by_size[500][key], 2)
        print("ratio 2000/500: " + ", ".join(f"{k} {v}x" for k, v in ratios.items()))
    report = {
        "command": "python benchmarks/viz_tti.py " + " ".join(sys.argv[1:]),
        "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "environment": {
            "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "chromium": chromium_version(), "vis_network": kg.viz._vis_assets()[2],
            "layout_threshold": kg.viz.LAYOUT_THRESHOLD,
        },  # fmt: skip
        "runs_per_size": args.runs,
        "results": results,
        "ratio_2000_500": ratios,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
