"""Regenerate the command reference in README.md from real runs on the shipped data, and check
that each "Python:" line beside a command gives what the command printed.

    python tools/readme.py          # rewrite README.md between the markers
    python tools/readme.py --check  # exit 1 if README.md is out of date or a Python line drifted

Every command runs through the real CLI on a fresh store built from ``data/anora``, copied
to a fixed folder so that paths in the output are the same on every machine. Timestamps are
replaced by a fixed one of the same width.

Every "Python:" line runs too, on a twin store that gets the same calls in the same order
(``kg`` is a :class:`~kg.KnowledgeGraph` opened on it, ``analysis`` the :mod:`kg.analysis`
module), and what it gives is compared with what the command beside it gave:

- a line that prints (``print(kg.show(...))``) prints exactly the command's stdout, and a
  string (``.serialize("turtle")``) is exactly the command's stdout;
- a query result, a DataFrame, a dict of DataFrames and a list of records hold the values
  the same command prints with ``--format csv``, ``--format json`` or ``--json``;
- an ingest report's summary is the command's stdout; a file written (a ``Path``, a view) is
  announced as the command announces it and holds what the command's file holds (RDF
  compared as canonical datasets); a dropped source has the counts the command says;
- a line marked ``# raises SomeError`` raises that error, with the command's message and exit code.

A result of any other kind is reported as a problem: add a comparison for it here.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import math
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, NamedTuple

from typer.main import get_command
from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- commands:start -->", "<!-- commands:end -->"
WORKDIR = Path(tempfile.gettempdir()) / "filmkg-readme"
FIXED_TIME = "2026-01-01T00:00:00Z"


class Example(NamedTuple):
    """One command of the reference: its heading, the command line after ``filmkg``, the equivalent
    Python (empty when there is none) and a note shown above it."""

    heading: str
    args: str
    python: str = ""
    note: str = ""


COUNT_FACTS = (
    "SELECT ?name (COUNT(*) AS ?facts) WHERE { ?st rdf:subject ?p ; prov:wasDerivedFrom ?src . ?p rdfs:label ?name } "
    "GROUP BY ?name ORDER BY DESC(?facts) LIMIT 3"
)
CAST_OF_ANORA = "CONSTRUCT { ?p film:actedIn res:anora } WHERE { ?p film:actedIn res:anora }"

EXAMPLES: list[Example] = [
    Example("ingest", "ingest data/anora", 'kg.ingest("data/anora")',
            "Files or folders; each file becomes its own named graph. Ingesting the same file again changes nothing; a changed file replaces its graph in one transaction."),
    Example("ingest (again: unchanged)", "ingest data/anora", 'kg.ingest("data/anora")'),
    Example("import oscars", "import oscars data/oscars/oscars.csv",
            'from kg.ingest.mapped import MappedTable, shipped_mapping; '
            'kg.ingest("data/oscars/oscars.csv", importer=MappedTable.from_file(shipped_mapping("oscars")))',
            "The Academy Awards table through its shipped mapping file (see \"Importing public data\"); here *Anora*'s rows of the 97th ceremony."),
    Example("sources", "sources", "kg.sources()"),
    Example("sources attach",
            'sources attach "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong" '
            "data/anora/anora-dance-scene-article.source.txt",
            "",
            "Archives a source's text with the store (in the registry graph, so it works on a server too), for `verify`. "
            "A `NAME.source.txt` file beside the data, whose first line is `Source: NAME`, is attached by `ingest` itself."),
    Example("verify", "verify", "print(kg.verify().summary())",
            "Every quote checked against its source's text: exit code 1 when one is not found."),
    Example("validate", "validate", "kg.validate().to_dataframe()",
            "The ontology's rules (domain and range classes, datatypes of values and qualifiers, single-valued properties, "
            "a label on every entity) run as SPARQL in the store; `--shapes FILE` adds your own SHACL shapes (pyshacl). "
            "Exit code 1 when there are violations."),
    Example("query (named)", 'query --name training --bind "person=Mikey Madison" --format table',
            'kg.query(name="training", bind={"person": "Mikey Madison"}).to_dataframe()',
            "`--bind` takes an entity's name, a CURIE, an `<IRI>`, a number or a \"quoted literal\"."),
    Example("query (named: cast)", "query --name cast --format csv", 'kg.query(name="cast").to_dataframe()'),
    Example("query (named: the song in each scene)", "query --name scene-songs --format table", 'kg.query(name="scene-songs")'),
    Example("query (named: advisors)", "query --name advisors --format table", 'kg.query(name="advisors")'),
    Example("query (named: awards)", "query --name awards --format table", 'kg.query(name="awards")'),
    Example("query (named: evidence behind an entity)", 'query --name evidence --bind "entity=Andrea Werhun" --format csv',
            'kg.query(name="evidence", bind={"entity": "Andrea Werhun"})'),
    Example("query (named: best-ranked statements)", 'query --name best-ranked --bind "entity=Andrea Werhun" --format table',
            'kg.query(name="best-ranked", bind={"entity": "Andrea Werhun"}).to_dataframe()',
            "Preferred statements where a subject and relation have some, else the normal ones; deprecated ones only where nothing better is said."),
    Example("query --list", "query --list", "from kg.query import named_queries; named_queries()"),
    Example("query (SPARQL)", f'query "{COUNT_FACTS}" --format table', f'kg.query("{COUNT_FACTS}").to_dataframe()',
            "The prefixes film:, res:, rdf:, rdfs:, owl:, xsd:, prov:, schema:, skos:, dcterms:, wd:, wdt:, p:, ps:, pq: are declared for you."),
    Example("query (CONSTRUCT)", f'query "{CAST_OF_ANORA}" --format turtle', f'kg.query("{CAST_OF_ANORA}").serialize("turtle")'),
    Example("query (a syntax error)", 'query "SELECT * WHERE { ?s ?p }"', "", "Exit code 6, the position, no traceback."),
    Example("query (SERVICE refused)", 'query "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"', "",
            "Exit code 6 unless `--allow-network`."),
    Example("show", 'show "Andrea Werhun"', 'print(kg.show("Andrea Werhun"))'),
    Example("show (a character: facts it qualifies)", "show Igor", 'print(kg.show("Igor"))'),
    Example("conflicts", 'conflicts "Mikey Madison"', 'kg.conflicts("Mikey Madison")',
            "Groups of statements that give a single-valued qualifier or relation incompatible values (see \"Conflicting claims and ranks\"); `--format csv` or `json` gives every column, quotes included."),
    Example("reconcile", 'reconcile "Mikey Madison" --unmatched', 'kg.reconcile("Mikey Madison", unmatched=True)',
            "For every entity known only by name, the identified entities it may be (found through an index of their "
            "labels), each with a score, the evidence and the decision the identity rule took; `--unmatched` also lists "
            "names nothing resembles, and `--write FILE.csv` writes the best candidates as `same-as` rows to review and "
            "ingest (docs/identity.md). The shipped data names no identifiers yet, so its names are unmatched."),
    Example("path", 'path "Brooke Candy" "Andrea Werhun" --max-paths 1', 'print(kg.path("Brooke Candy", "Andrea Werhun", max_paths=1))'),
    Example("neighbors", "neighbors Ani --depth 1", 'kg.neighbors("Ani", depth=1)'),
    Example("analyze centrality", "analyze centrality --measure betweenness --top 5", 'kg.centrality(measure="betweenness", top=5)',
            "Exact betweenness runs a shortest-path search from every entity, which takes hours on a big graph: "
            "above 5,000 entities it is approximated from a sample of 100 source entities (networkx's "
            "`betweenness_centrality(k=…)` with a fixed seed, so the same every run), and the command says so on "
            "stderr (`betweenness approximated from a sample of 100 source nodes …`; in Python, `frame.attrs[\"sample\"]` "
            "is the sample, `None` when exact). `--sample K` chooses the sample, `--sample 0` asks for the exact scores."),
    Example("analyze communities", "analyze communities --projection collaboration", 'kg.communities(projection="collaboration")'),
    Example("analyze components", "analyze components", "analysis.components(kg)"),
    Example("analyze stats", "analyze stats", "analysis.stats(kg)"),
    Example("viz", "viz --focus Anora --depth 2 -o anora.html", 'kg.viz("anora.html", focus="Anora", depth=2)',
            "One self-contained HTML file: opens offline, every edge's qualifiers, source and quote a hover away. See the screenshot above."),
    Example("export", "export --format trig -o anora.trig", 'kg.export("anora.trig")'),
    Example("drop", "drop anora.csv", 'kg.drop("anora.csv")'),
    Example("ingest (bad input)", "ingest tests/data/bad.csv", 'kg.ingest("tests/data/bad.csv")  # raises IngestError',
            "The whole file is rejected, every problem listed with file:line:column, exit code 3, and the store is left as it was."),
    Example("ingest (one person in three files)", "ingest docs/examples/identity", 'kg.ingest("docs/examples/identity")',
            "docs/examples/identity: Douglas Adams by his Wikidata item (with the IMDb and TMDB ids Wikidata gives), by "
            "his IMDb id alone, and by name alone in illustrative rows, once misspelt. The identity rule makes one "
            "entity of the three (docs/identity.md)."),
    Example("show (an entity by identifier, with its links)", "show imdb:nm0010930", 'print(kg.show("imdb:nm0010930"))',
            "Any identifier finds it; the card lists its identifiers and, after `=`, each file's name for it and why."),
    Example("ingest (a file with a deliberate domain error)", "ingest tests/data/domain-error.ttl",
            'kg.ingest("tests/data/domain-error.ttl")',
            "An RDF file is loaded as it is (an annotated row with the same mistake is refused at ingest): here a film "
            "that `directed` another film."),
    Example("validate (a domain error)", "validate --format csv", "",
            "Each violation names the entity, the statement's source and quote, and the rule; exit code 1 "
            "(in Python, `kg.validate()` returns the same report, `.to_dataframe()` its rows)."),
    Example("reconcile (a misspelt name)", 'reconcile "Douglas Adam"', 'kg.reconcile("Douglas Adam")',
            "The misspelt name matched no identified entity exactly, so the rule left it apart; reconcile finds the close "
            "candidate, and `--write proposed.csv` would write the same-as row to review and ingest."),
    Example("ingest (statements to send to Wikidata)", "ingest docs/examples/quickstatements",
            'kg.ingest("docs/examples/quickstatements")',
            "docs/examples/quickstatements: Douglas Adams's birth and death dates, each on a reference URL Wikidata "
            "itself gives for it (Q42.json of the OpenRefine fixtures), the death date from two sources."),
    Example("export (QuickStatements)", "export --format quickstatements -o statements.qs", 'kg.write_quickstatements("statements.qs")',
            "Writes `Q42<TAB>P569<TAB>+1952-03-11T00:00:00Z/11<TAB>S854<TAB>\"https://www.wired.com/…\"<TAB>S813<TAB>+…` and the "
            "like: one line per statement and source (see \"Sending statements to Wikidata\"); what is left out, by reason, on stderr."),
    Example("import wikidata", "import wikidata samples/wikidata/Q675031.json",
            'from kg.ingest.wikidata import WikidataEntities; kg.ingest("samples/wikidata/Q675031.json", importer=WikidataEntities(lang="en"))',
            "A Wikidata entity (here the film *Cluny Brown*, from ../shared): its claims the ontology maps, each with its "
            "rank, statement id and references; the properties without a mapping are counted (see \"Wikidata\")."),
    Example("import tmdb", "import tmdb samples/tmdb",
            'from kg.ingest.tmdb import TmdbResponses; kg.ingest("samples/tmdb", importer=TmdbResponses())',
            "TMDB API responses saved as JSON (here the fixtures in ../shared: movie details, credits, person details, "
            "TV aggregate credits, a credit); crew jobs map to relations through ontology/mappings/tmdb.toml."),
    Example("import imdb", "import imdb samples/imdb --type movie --categories director,actor,actress,writer",
            'from kg.ingest.imdb import ImdbDatasets; kg.ingest("samples/imdb", importer=ImdbDatasets(types=["movie"], categories=["director", "actor", "actress", "writer"]))',
            "IMDb's dataset files (here the test extract in ../shared), filtered to films and four categories; only the "
            "people the selected titles need are read from name.basics."),
]

PYTHON_SCOPE = (
    'Beside each command, the same call in Python, on `kg = KnowledgeGraph.open(".filmkg")` with '
    "`from kg import analysis`; `python tools/readme.py --check` runs each one and compares what it gives "
    "with the command's output."
)

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _fixed(text: str) -> str:
    return _TIME.sub(FIXED_TIME, text)


# ------------------------------------------------------------------------------ running commands


@dataclass(frozen=True)
class Output:
    """What a command did: its exit code, stdout and stderr (timestamps fixed)."""

    code: int
    stdout: str
    stderr: str

    @property
    def shown(self) -> str:
        """stdout then stderr, as the README shows them."""
        return "\n".join(part.rstrip() for part in (self.stdout, self.stderr) if part.strip()).rstrip()


def _invoke(args: Sequence[str]) -> Output:
    result = CliRunner().invoke(app, ["--store", str(WORKDIR / "store"), *args], catch_exceptions=False)
    return Output(result.exit_code, _fixed(result.stdout), _fixed(result.stderr or ""))


def _command(args: Sequence[str]) -> Any:
    """The Typer (click) command that ``args`` runs: sub-apps followed by name."""
    command: Any = get_command(app)
    for word in args:
        found = getattr(command, "commands", {}).get(word)
        if found is None:
            break
        command = found
    return command


def _machine_args(args: Sequence[str], kind: str) -> list[str]:
    """``args`` with the command's machine-readable output: ``--format csv``, or ``--json`` / ``--format json``.

    Raises:
        LookupError: the command has no such output.
    """
    options = {opt: param.name for param in _command(args).params for opt in param.opts}
    kept: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word == "--format":
            skip = True
        elif word != "--json":
            kept.append(word)
    if kind == "json" and "--json" in options:
        return [*kept, "--json"]
    if "--format" in options:
        return [*kept, "--format", kind]
    raise LookupError(f"`filmkg {' '.join(args)}` has no --format {kind}")


def _written(args: Sequence[str]) -> Path | None:
    """The file a command writes (its ``-o``/``--output``)."""
    for flag, value in zip(args, args[1:]):
        if flag in ("-o", "--output"):
            return Path(value)
    return None


# ------------------------------------------------------------------------------ running Python lines


@dataclass
class Ran:
    """What a Python line did: its value, what it printed, the exception it raised."""

    value: Any = None
    printed: str = ""
    error: BaseException | None = None


def _evaluate(line: str, scope: dict[str, Any]) -> Ran:
    """Run ``line`` (statements then an expression, as in a notebook cell) and keep what it gives."""
    tree = ast.parse(line, mode="exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    printed = io.StringIO()
    ran = Ran()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(tree, "<README>", "exec"), scope)
            if last is not None:
                ran.value = eval(compile(ast.Expression(last.value), "<README>", "eval"), scope)
    except Exception as exc:  # the comparison says what was raised, and whether the line says it raises
        ran.error = exc
    ran.printed = _fixed(printed.getvalue())
    return ran


# ------------------------------------------------------------------------------ comparing


def _cell(value: Any) -> str:
    """A value as the command prints it in CSV or JSON: plain text, no value empty, lists joined."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes, list, tuple)):
        value = value.item()  # a numpy scalar
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return _fixed(str(value))


def _frame(frame: Any) -> list[list[str]]:
    """A DataFrame as rows of text cells, its header first (booleans as pandas writes them to CSV)."""
    def cell(value: Any) -> str:
        plain = value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value
        return str(plain) if isinstance(plain, bool) else _cell(value)

    return [[str(c) for c in frame.columns], *[[cell(v) for v in row] for row in frame.itertuples(index=False)]]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _records(records: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{k: _cell(v) for k, v in r.items()} for r in records]


def _same(what: str, python: Any, command: Any) -> list[str]:
    return [] if python == command else [f"{what} differ:\n    Python:  {python!r}\n    command: {command!r}"]


def _same_file(path: Path, made_by_command: bytes | None) -> list[str]:
    """The file the Python line wrote holds what the command's did (RDF as canonical datasets)."""
    if made_by_command is None or not path.exists():
        return [f"{path}: the command or the Python line did not write it"]
    ours, theirs = path.read_bytes(), made_by_command
    try:
        import pyoxigraph as ox

        rdf = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    except (ImportError, ValueError):
        rdf = None
    if rdf is None:
        return _same(f"{path} contents", _fixed(ours.decode("utf-8")), _fixed(theirs.decode("utf-8")))

    def canonical(data: bytes) -> set[Any]:
        dataset = ox.Dataset(ox.parse(_fixed(data.decode("utf-8")).encode("utf-8"), format=rdf))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return set(dataset)

    return [] if canonical(ours) == canonical(theirs) else [f"{path}: the quads differ from the command's file"]


def _named_query_lines(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``query --list`` read back: name -> (description, parameters)."""
    out = {}
    for line in text.splitlines():
        found = re.fullmatch(r"(\S+): (.*?)(?:  \(--bind (.*)\))?", line)
        if found is None:
            return {"?": (line, ())}
        out[found.group(1)] = (found.group(2), tuple(found.group(3).split(", ")) if found.group(3) else ())
    return out


Machine = Callable[[str], Output]


def _compare_value(value: Any, args: list[str], output: Output, machine: Machine, file: bytes | None) -> tuple[str, list[str]]:
    """Compare a Python value with the command's output; (what was compared, problems)."""
    import pandas

    from kg.ingest import IngestReport
    from kg.query import QueryResult
    from kg.quickstatements import QuickStatementsReport
    from kg.registry import DropReport
    from kg.viz import VizResult

    if isinstance(value, str):
        return "stdout", _same("stdout", value, output.stdout)
    if isinstance(value, IngestReport):
        return "the summary", _same("the summary", value.summary() + "\n", output.stdout)
    if isinstance(value, QueryResult) and value.kind == "graph":
        chosen = args[args.index("--format") + 1] if "--format" in args else "turtle"
        return f"--format {chosen}", _same(f"--format {chosen}", value.serialize(chosen), output.stdout)
    if isinstance(value, QueryResult):
        return "--format csv", _same("the CSV", _csv(value.serialize("csv")), _csv(machine("csv").stdout))
    if isinstance(value, pandas.DataFrame):
        return "--format csv", _same("the rows", _frame(value), _csv(machine("csv").stdout))
    if isinstance(value, Mapping) and value and all(isinstance(v, pandas.DataFrame) for v in value.values()):
        command = json.loads(machine("json").stdout)
        return "--format json", _same("the tables", {k: _frame(v) for k, v in value.items()}, {
            k: [list(rows[0]) if rows else [], *[[_cell(x) for x in r.values()] for r in rows]] for k, rows in command.items()
        })  # fmt: skip
    if isinstance(value, Mapping) and value and all(is_dataclass(v) for v in value.values()):
        listed = {k: (v.description, tuple(v.parameters)) for k, v in value.items()}
        return "the listing", _same("the listing", listed, _named_query_lines(output.stdout))
    if isinstance(value, list) and all(is_dataclass(v) for v in value):
        records = _records(json.loads(machine("json").stdout))
        keys = [list(r) for r in records]
        ours = [{k: _cell(getattr(v, k, f"<no attribute {k}>")) for k in ks} for v, ks in zip(value, keys)]
        return "the JSON records", _same("the number of records", len(value), len(records)) + _same("the records", ours, records)
    if isinstance(value, VizResult):
        return "the message and the page", _same("the message", str(value) + "\n", output.stderr) + _same_file(value.path, file)
    if isinstance(value, Path):
        return "the message and the file", _same("the message", f"wrote {value}\n", output.stderr) + _same_file(value, file)
    if isinstance(value, QuickStatementsReport):
        written = Path(shlex.split(" ".join(args))[args.index("-o") + 1]) if "-o" in args else None
        return "the report and the file", _same("the report", value.summary() + "\n", output.stderr) + (
            _same_file(written, file) if written is not None else []
        )
    if isinstance(value, DropReport):
        return "the message", _same("the message", value.summary() + "\n", output.stdout)
    return "", [f"no comparison for a {type(value).__name__}: add one to tools/readme.py"]


def compare(example: Example, output: Output, ran: Ran, machine: Machine, file: bytes | None) -> tuple[str, list[str]]:
    """Compare what a Python line did with what its command did; (what was compared, problems)."""
    raises = re.search(r"#\s*raises\s+(\w+)", example.python)
    if ran.error is not None:
        error = ran.error
        if raises is None or raises.group(1) != type(error).__name__:
            return "", [f"the Python line raised {type(error).__name__}: {error}"]
        code = getattr(error, "exit_code", None)
        return "the error and exit code", _same("the exit code", code, output.code) + _same(
            "the error message", f"error: {_fixed(str(error))}\n", output.stderr
        )
    if raises is not None:
        return "", [f"the Python line says it raises {raises.group(1)}, but it gave {type(ran.value).__name__}"]
    if output.code != 0:
        return "", [f"the command failed (exit {output.code}) but the Python line did not raise"]
    if ran.printed:
        return "stdout", _same("what is printed", ran.printed, output.stdout)
    return _compare_value(ran.value, shlex.split(example.args), output, machine, file)


# ------------------------------------------------------------------------------ the reference


@dataclass
class Outcome:
    """One example run: the command's output, and what its Python line was compared with and found."""

    example: Example
    output: Output
    compared: str = ""
    problems: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """The fixed folder with the shipped data (and the bad input), as the current directory."""
    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    (WORKDIR / "data").mkdir(parents=True)
    (WORKDIR / "tests" / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "anora", WORKDIR / "data" / "anora")
    real = ROOT.parent / "shared" / "data" / "real"
    shutil.copytree(real / "tmdb-api-fixtures", WORKDIR / "samples" / "tmdb", ignore=shutil.ignore_patterns("*.txt"))
    (WORKDIR / "samples" / "wikidata").mkdir()
    shutil.copy(real / "wikidata-openrefine-entities" / "Q675031.json", WORKDIR / "samples" / "wikidata")
    (WORKDIR / "samples" / "imdb").mkdir()
    for name in ("title.basics", "title.principals", "name.basics", "title.crew", "title.akas"):
        shutil.copy(real / "imdb-pimdb-testdata" / f"{name}.tsv", WORKDIR / "samples" / "imdb")
    (WORKDIR / "data" / "oscars").mkdir()
    shutil.copy(ROOT / "data" / "oscars" / "oscars.csv", WORKDIR / "data" / "oscars" / "oscars.csv")
    shutil.copy(ROOT / "tests" / "data" / "bad.csv", WORKDIR / "tests" / "data" / "bad.csv")
    shutil.copy(ROOT / "tests" / "data" / "domain-error.ttl", WORKDIR / "tests" / "data" / "domain-error.ttl")
    for example in ("identity", "quickstatements"):
        shutil.copytree(ROOT / "docs" / "examples" / example, WORKDIR / "docs" / "examples" / example,
                        ignore=shutil.ignore_patterns("*.md"))  # fmt: skip
    here = os.getcwd()
    os.chdir(WORKDIR)
    try:
        yield WORKDIR
    finally:
        os.chdir(here)
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run_examples(examples: Sequence[Example] = EXAMPLES) -> list[Outcome]:
    """Run every command on the store, and every Python line on the twin store, in order; compare them."""
    from kg import KnowledgeGraph, analysis

    outcomes = []
    with _workdir() as folder, KnowledgeGraph.open(folder / "twin") as twin:
        scope: dict[str, Any] = {"kg": twin, "analysis": analysis}
        for example in examples:
            args = shlex.split(example.args)
            output = _invoke(args)
            outcome = Outcome(example, output)
            outcomes.append(outcome)
            if not example.python:
                continue
            written = _written(args)
            file = written.read_bytes() if written is not None and written.exists() else None
            ran = _evaluate(example.python, scope)

            def machine(kind: str, args: list[str] = args) -> Output:
                return _invoke(_machine_args(args, kind))

            try:
                outcome.compared, outcome.problems = compare(example, output, ran, machine, file)
            except LookupError as exc:
                outcome.problems = [str(exc)]
    return outcomes


def problems(outcomes: Sequence[Outcome]) -> list[str]:
    """Every drift between a Python line and its command, as ``heading: problem``."""
    return [f"{o.example.heading}: {p}" for o in outcomes for p in o.problems]


def render(outcomes: Sequence[Outcome]) -> str:
    """The command reference, from real runs."""
    parts = [PYTHON_SCOPE, ""]
    for outcome in outcomes:
        heading, args, python, note = outcome.example
        name, _, detail = heading.partition(" (")
        parts.append(f"### `filmkg {name}`{' — ' + detail.rstrip(')') if detail else ''}\n")
        if note:
            parts.append(note + "\n")
        parts.append(f"```console\n$ filmkg {args}\n{outcome.output.shown}\n```")
        if outcome.output.code:
            parts.append(f"exit code {outcome.output.code}")
        if python:
            parts.append(f"Python: `{python}`")
        parts.append("")
    return "\n".join(parts)


def updated(readme: str, outcomes: Sequence[Outcome] | None = None) -> str:
    """README text with the generated section replaced (the examples are run when not given)."""
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{render(run_examples() if outcomes is None else outcomes)}\n{END}{after}"


def main() -> int:
    outcomes = run_examples()
    drift = problems(outcomes)
    for problem in drift:
        print(f"README.md: {problem}", file=sys.stderr)
    if drift:
        print("a Python line gives something other than its command: fix the line or the library", file=sys.stderr)
        return 1
    readme = README.read_text(encoding="utf-8")
    new = updated(readme, outcomes)
    if "--check" in sys.argv:
        if new != readme:
            print("README.md is out of date: run python tools/readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
