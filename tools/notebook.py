"""Write notebooks/anora-analysis.ipynb (without outputs) from the cells below.

    python tools/notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

CELLS: list[tuple[str, str]] = [
    ("markdown", """# Anora: who made the dance scene, and how they connect

This notebook builds its own knowledge graph from the shipped data (`data/`), then asks the questions a
researcher would: who played whom, who trained for what and for how long, who connects the song's
performer to the film's consultant, who sits at the centre. Everything goes through the `kg` library,
the same functions the `filmkg` command line calls."""),
    ("code", """import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from kg import KnowledgeGraph
from kg import analysis

ROOT = Path.cwd() if (Path.cwd() / "data").is_dir() else Path.cwd().parent
store = Path(tempfile.mkdtemp()) / "store"
kg = KnowledgeGraph.open(store)
report = kg.ingest(ROOT / "data")
print(report.summary())"""),
    ("markdown", "## SPARQL into DataFrames\n\nThe cast, with the characters they played (the named query `cast`):"),
    ("code", """cast = kg.query(name="cast").to_dataframe()
cast"""),
    ("markdown", "Any SPARQL works; the prefixes `film:`, `res:`, `rdfs:`, `prov:` … are declared. Facts per person, with how many rest on a quote:"),
    ("code", """facts = kg.query('''
SELECT ?person (COUNT(DISTINCT ?st) AS ?statements) (COUNT(DISTINCT ?quote) AS ?quotes) WHERE {
  ?st rdf:subject ?p . ?p a film:Person ; rdfs:label ?person .
  OPTIONAL { ?st film:quote ?quote }
} GROUP BY ?person ORDER BY DESC(?statements)''').to_dataframe()
facts"""),
    ("markdown", """## Training and preparation

The article gives Mikey Madison's pole training three times, in different words: five months, half a
year and 20 weeks. The `training` query returns each statement with its ISO 8601 duration; we turn them
into months to compare."""),
    ("code", """import re

def months(duration):
    if not isinstance(duration, str):
        return None
    parts = dict((unit, float(n)) for n, unit in re.findall(r"(\\d+(?:\\.\\d+)?)([YMWD])", duration.split("T")[0]))
    return parts.get("Y", 0) * 12 + parts.get("M", 0) + parts.get("W", 0) * 7 / 30.44 + parts.get("D", 0) / 30.44

training = kg.query(name="training").to_dataframe()
training["months"] = training["duration"].map(months)
training[["name", "trainedFor", "skill", "duration", "months"]]"""),
    ("code", """timed = training.dropna(subset=["months"])
fig, ax = plt.subplots(figsize=(7, 3))
ax.barh([f"{d} ({s})" for d, s in zip(timed["duration"], timed["skill"])], timed["months"], color="#c0392b")
ax.set_xlabel("months")
ax.set_title("Mikey Madison's preparation for Anora, as the article states it")
fig.tight_layout()
plt.show()"""),
    ("markdown", "## Who connects whom\n\nHow does Brooke Candy, who performed the song, connect to Andrea Werhun, who advised the film? Each hop carries its source and quote."),
    ("code", """result = kg.path("Brooke Candy", "Andrea Werhun", max_paths=2)
print(result)"""),
    ("code", """hops = pd.DataFrame([
    {"path": n, "subject": h.subject, "relation": h.relation, "object": h.object, "quotes": "; ".join(h.quotes)}
    for n, hops in enumerate(result.paths, 1) for h in hops
])
hops"""),
    ("markdown", "## Who sits at the centre\n\nBetweenness on the entity projection, PageRank on the collaboration projection:"),
    ("code", """kg.centrality(measure="betweenness", top=8)"""),
    ("code", """kg.centrality(measure="pagerank", projection="collaboration", top=8)"""),
    ("markdown", "## Communities\n\nLouvain communities (as networkx ships it) of the entity projection, by member:"),
    ("code", """communities = kg.communities(projection="entity")
communities.groupby("community")["label"].apply(lambda s: ", ".join(s)).to_frame("members")"""),
    ("markdown", "## The neighbourhood of Anora, interactive\n\nHover an entity or a relation for its facts, qualifiers, source and quote; click to highlight; search by name. The view is a self-contained HTML file, shown inline without a server."),
    ("code", """view = kg.viz(Path(tempfile.mkdtemp()) / "anora.html", focus="Anora", depth=2)
view"""),
    ("code", """g = kg.to_networkx("collaboration")
print(g.number_of_nodes(), "people,", g.number_of_edges(), "collaborations")
sorted(((g.nodes[a]["label"], g.nodes[b]["label"], d["films"]) for a, b, d in g.edges(data=True)))[:5]"""),
]


def build() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in CELLS:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.pop("id", None)
        nb.cells.append(cell)
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb


if __name__ == "__main__":
    nbformat.write(build(), ROOT / "notebooks" / "anora-analysis.ipynb")
