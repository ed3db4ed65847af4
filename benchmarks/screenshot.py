"""Screenshot of `filmkg viz --focus Anora --depth 2` on the shipped data, taken by headless Chromium.

    python benchmarks/screenshot.py                    # writes docs/anora-viz.png

Runs the real commands in a temporary store (``filmkg ingest data/anora`` then ``filmkg
viz``), opens the page, hovers a relation with several qualifiers so that its
tooltip (qualifiers, source, quote) shows, and saves the picture. Needs /usr/bin/chromium
and Playwright.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# Page coordinates of a point over the edge (and over no node), searching around its middle.
_EDGE_POINT = """(id) => {
    const net = filmkg.network, edge = filmkg.edges.get(id);
    const [a, b] = [edge.from, edge.to].map((n) => net.canvasToDOM(net.getPosition(n)));
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const normal = { x: -(b.y - a.y) / length, y: (b.x - a.x) / length };
    const box = document.querySelector("#fk-network canvas").getBoundingClientRect();
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7])
        for (let d = 0; d <= 0.4 * length; d += 2)
            for (const sign of [1, -1]) {
                const p = { x: a.x + f * (b.x - a.x) + sign * d * normal.x, y: a.y + f * (b.y - a.y) + sign * d * normal.y };
                if (net.getNodeAt(p) === undefined && net.getEdgeAt(p) === id) return { x: box.x + p.x, y: box.y + p.y };
            }
    return null;
}"""


def filmkg(*args: str) -> None:
    """Run the real command line."""
    subprocess.run([sys.executable, "-m", "kg", *args], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "anora-viz.png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--no-tooltip", action="store_true", help="do not hover a relation")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="filmkg-screenshot-") as tmp:
        store, page_path = Path(tmp) / "store", Path(tmp) / "anora.html"
        filmkg("--store", str(store), "ingest", str(ROOT / "data" / "anora"))
        filmkg("--store", str(store), "viz", "--focus", "Anora", "--depth", "2", "-o", str(page_path))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(page_path.as_uri())
            page.wait_for_function("() => window.filmkg && window.filmkg.ready", timeout=60_000)
            if not args.no_tooltip:
                edge = page.evaluate(  # one statement with the most qualifiers: a full tooltip that hides little
                    "() => { const score = (e) => e.statements.length === 1 ? e.statements[0].qualifiers.length : -1;"
                    " return filmkg.data.edges.reduce((a, b) => (score(b) > score(a) ? b : a)).id; }"
                )
                point = page.evaluate(_EDGE_POINT, edge)
                if point is not None:
                    page.mouse.move(point["x"], point["y"], steps=4)
                    page.wait_for_function(
                        "(id) => { const t = document.querySelector('div.vis-tooltip');"
                        " return t && getComputedStyle(t).visibility === 'visible' && t.firstChild === filmkg.edges.get(id).title; }",
                        arg=edge,
                        timeout=10_000,
                    )
            args.output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.output))
            browser.close()
            if errors:
                raise SystemExit(f"console errors: {errors}")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
