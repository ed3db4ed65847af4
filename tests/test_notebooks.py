"""Every notebook runs top to bottom on the shipped data, headless, and is committed without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(str(output.get("text", "")))
        parts.append(str(output.get("data", {}).get("text/plain", "")))
        parts.append(str(output.get("data", {}).get("text/html", "")))
    return "\n".join(parts)


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_runs_top_to_bottom(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert "Traceback" not in text
    if path.name == "anora-analysis.ipynb":
        shipped = KnowledgeGraph.memory().ingest(ROOT / "data")  # the same folder, outside the notebook
        assert f"{shipped.rows} rows, {shipped.triples:,} triples" in text  # the shipped data was ingested
        assert "Brooke Candy —performed→ Drip" in text and "Andrea Werhun —advised→ Anora" in text
        assert "Mark Eydelshteyn" in text and "Ivan" in text  # the cast DataFrame
        assert "<iframe" in text and "srcdoc" in text  # the inline interactive view
        assert "P20W" in text and "image/png" in str([c.get("outputs") for c in nb.cells])  # the training chart
        assert "140 to 184 days" in text and "P150D" in text  # the conflict table (bounds of 5 months: 150 to 153 days)
    if path.name == "public-data-to-evidence.ipynb":
        for importer in ("annotated", "imdb", "mapped", "tmdb", "wikidata"):
            assert re.search(rf"^{importer}\s+\d+\s+\d+$", text, re.M), importer  # each source's statements
        assert "Brad Pitt ['imdb:nm0000093', 'tmdb:person/287'] ['Person']" in text  # one entity of two sources
        hops = text[text.index("path 1 (") :]
        assert "source: TMDB" in hops and "source: Academy Awards database" in hops  # a path across sources,
        assert "source: The Mikey Madison Dance Scene in Anora" in hops  # to the article, hop by hop
        assert "record: /movie/550/credits" in hops and "record: oscars.csv row" in hops
