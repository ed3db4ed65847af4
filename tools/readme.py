"""Regenerate the command reference in README.md from real runs on the shipped data.

    python tools/readme.py          # rewrite README.md between the markers
    python tools/readme.py --check  # exit 1 if README.md is out of date (the test suite runs this)

Every command runs through the real CLI on a fresh store built from ``data/anora``,
copied to a fixed folder so that paths in the output are the same on every machine.
Timestamps are replaced by a fixed one of the same width.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- commands:start -->", "<!-- commands:end -->"
WORKDIR = Path(tempfile.gettempdir()) / "filmkg-readme"

# (heading, command line after `filmkg`, equivalent Python, note)
EXAMPLES: list[tuple[str, str, str, str]] = [
    ("ingest", "ingest data/anora", 'kg.ingest("data/anora")',
     "Files or folders; each file becomes its own named graph. Ingesting the same file again changes nothing; a changed file replaces its graph in one transaction."),
    ("ingest (again: unchanged)", "ingest data/anora", 'kg.ingest("data/anora")', ""),
    ("sources", "sources", "kg.sources()", ""),
    ("query (named)", 'query --name training --bind "person=Mikey Madison" --format table',
     'kg.query(name="training", bind={"person": "Mikey Madison"}).to_dataframe()',
     "`--bind` takes an entity's name, a CURIE, an `<IRI>`, a number or a \"quoted literal\"."),
    ("query (named: cast)", "query --name cast --format csv", 'kg.query(name="cast").to_dataframe()', ""),
    ("query (named: the song in each scene)", "query --name scene-songs --format table", 'kg.query(name="scene-songs")', ""),
    ("query (named: advisors)", "query --name advisors --format table", 'kg.query(name="advisors")', ""),
    ("query (named: awards)", "query --name awards --format table", 'kg.query(name="awards")', ""),
    ("query (named: evidence behind an entity)", 'query --name evidence --bind "entity=Andrea Werhun" --format csv',
     'kg.query(name="evidence", bind={"entity": "Andrea Werhun"})', ""),
    ("query --list", "query --list", "kg.query.named_queries()", ""),
    ("query (SPARQL)",
     "query \"SELECT ?name (COUNT(*) AS ?facts) WHERE { ?st rdf:subject ?p ; prov:wasDerivedFrom ?src . ?p rdfs:label ?name } GROUP BY ?name ORDER BY DESC(?facts) LIMIT 3\" --format table",
     'kg.query("SELECT ...").to_dataframe()', "The prefixes film:, res:, rdf:, rdfs:, owl:, xsd:, prov:, schema:, skos:, dcterms:, wd:, wdt:, p:, ps:, pq: are declared for you."),
    ("query (CONSTRUCT)", "query \"CONSTRUCT { ?p film:actedIn res:anora } WHERE { ?p film:actedIn res:anora }\" --format turtle",
     'kg.query("CONSTRUCT ...").serialize("turtle")', ""),
    ("query (a syntax error)", 'query "SELECT * WHERE { ?s ?p }"', "", "Exit code 6, the position, no traceback."),
    ("query (SERVICE refused)", 'query "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"', "",
     "Exit code 6 unless `--allow-network`."),
    ("show", 'show "Andrea Werhun"', 'print(kg.show("Andrea Werhun"))', ""),
    ("show (a character: facts it qualifies)", "show Igor", 'print(kg.show("Igor"))', ""),
    ("path", 'path "Brooke Candy" "Andrea Werhun" --max-paths 1', 'print(kg.path("Brooke Candy", "Andrea Werhun", max_paths=1))', ""),
    ("neighbors", "neighbors Ani --depth 1", 'kg.neighbors("Ani", depth=1)', ""),
    ("analyze centrality", "analyze centrality --measure betweenness --top 5", 'kg.centrality(measure="betweenness", top=5)', ""),
    ("analyze communities", "analyze communities --projection collaboration", 'kg.communities(projection="collaboration")', ""),
    ("analyze components", "analyze components", 'analysis.components(kg)', ""),
    ("analyze stats", "analyze stats", "analysis.stats(kg)", ""),
    ("viz", "viz --focus Anora --depth 2 -o anora.html", 'kg.viz("anora.html", focus="Anora", depth=2)',
     "One self-contained HTML file: opens offline, every edge's qualifiers, source and quote a hover away. See the screenshot above."),
    ("export", "export --format trig -o anora.trig", 'kg.export("anora.trig")', ""),
    ("drop", "drop anora.csv", 'kg.drop("anora.csv")', ""),
    ("ingest (bad input)", "ingest tests/data/bad.csv", 'kg.ingest("tests/data/bad.csv")  # raises IngestError',
     "The whole file is rejected, every problem listed with file:line:column, exit code 3, and the store is left as it was."),
]

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _run(args: str) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(app, ["--store", str(WORKDIR / "store"), *shlex.split(args)], catch_exceptions=False)
    text = "\n".join(part.rstrip() for part in (result.stdout, result.stderr or "") if part.strip())
    return result.exit_code, _TIME.sub("2026-01-01T00:00:00Z", text).rstrip()


def render() -> str:
    """The command reference, from real runs."""
    import os

    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    (WORKDIR / "data").mkdir(parents=True)
    (WORKDIR / "tests" / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "anora", WORKDIR / "data" / "anora")
    shutil.copy(ROOT / "tests" / "data" / "bad.csv", WORKDIR / "tests" / "data" / "bad.csv")
    here = os.getcwd()
    os.chdir(WORKDIR)
    try:
        parts = []
        for heading, args, python, note in EXAMPLES:
            code, output = _run(args)
            parts.append(f"### `filmkg {heading.split(' (')[0]}`{' — ' + heading.split(' (', 1)[1].rstrip(')') if ' (' in heading else ''}\n")
            if note:
                parts.append(note + "\n")
            parts.append(f"```console\n$ filmkg {args}\n{output}\n```")
            if code:
                parts.append(f"exit code {code}")
            if python:
                parts.append(f"Python: `{python}`")
            parts.append("")
        return "\n".join(parts)
    finally:
        os.chdir(here)
        shutil.rmtree(WORKDIR, ignore_errors=True)


def updated(readme: str) -> str:
    """README text with the generated section replaced."""
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{render()}\n{END}{after}"


def main() -> int:
    readme = README.read_text(encoding="utf-8")
    new = updated(readme)
    if "--check" in sys.argv:
        if new != readme:
            print("README.md is out of date: run python tools/readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
