"""Validation against the ontology's rules (as SPARQL in the store) and user SHACL shapes (pyshacl).

The shipped data is valid; a Turtle file with a deliberate domain error (a film that directed)
gives exactly one violation, naming the entity, the statement's source and quote and the message;
a wrong range class, a wrong qualifier datatype and a missing label are found too; the same rules
as SHACL shapes (``derived_shapes``), run by pyshacl, agree; user shapes add their own violations.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from cli_helpers import Target, cli, invoke, target_args
from kg import KnowledgeGraph
from kg.errors import KGError
from kg.validate import derived_shapes

DATA = Path(__file__).resolve().parent / "data"
PREFIXES = """@prefix film: <https://w3id.org/filmkg/ontology#> . @prefix res: <https://w3id.org/filmkg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _graph(tmp_path: Path, turtle: str) -> KnowledgeGraph:
    path = tmp_path / "data.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    kg = KnowledgeGraph.memory()
    kg.ingest(path)
    return kg


def test_the_shipped_data_is_valid(anora_mem: KnowledgeGraph) -> None:
    report = anora_mem.validate()
    assert report.ok and report.violations == () and report.rules > 50
    assert report.summary() == f"0 violations of {report.rules} rules"


def test_a_deliberate_domain_error(anora_mem: KnowledgeGraph) -> None:
    anora_mem.ingest(DATA / "domain-error.ttl")
    [violation] = anora_mem.validate().violations
    assert violation.entity.endswith("/anora") and violation.label == "Anora"
    assert (violation.property, violation.value, violation.shape) == ("directed", "Scream", "domain")
    assert (violation.source, violation.quote) == ("Deliberate errors", "Anora directed Scream.")
    assert violation.message == "the subject of `directed` must be a Person"


def test_range_datatype_qualifier_and_label_rules(tmp_path: Path) -> None:
    kg = _graph(tmp_path, """
        res:sean a film:Person ; rdfs:label "Sean" ; film:actedIn res:brooklyn .
        res:brooklyn a film:Location ; rdfs:label "Brooklyn" .
        res:anora a film:Film ; rdfs:label "Anora" ; film:releaseDate "soon" .
        res:nolabel a film:Person ; film:directed res:anora .
        res:st a rdf:Statement ; rdf:subject res:sean ; rdf:predicate film:actedIn ; rdf:object res:brooklyn ;
            film:duration "five months" .
    """)
    found = {(v.shape, v.label, v.property) for v in kg.validate().violations}
    assert ("range", "Sean", "acted-in") in found
    assert ("range", "Anora", "release-date") in found
    assert ("qualifier", "Sean", "duration") in found
    assert ("label", "nolabel", "label") in {(s, label.rsplit(":", 1)[-1], p) for s, label, p in found}
    assert not any(v.label == "Brooklyn" for v in kg.validate().violations)


def test_typed_values_of_the_right_family_are_valid(tmp_path: Path) -> None:
    kg = _graph(tmp_path, """
        res:anora a film:Film ; rdfs:label "Anora" ; film:releaseDate "2024"^^xsd:gYear .
        res:sean a film:Person ; rdfs:label "Sean" ; film:trainedFor res:anora .
        res:st a rdf:Statement ; rdf:subject res:sean ; rdf:predicate film:trainedFor ; rdf:object res:anora ;
            film:duration "P5M"^^xsd:duration .
    """)
    assert kg.validate().ok


def test_derived_shapes_run_by_pyshacl_agree(anora_mem: KnowledgeGraph, tmp_path: Path) -> None:
    anora_mem.ingest(DATA / "domain-error.ttl")
    export = anora_mem.export(tmp_path / "all.nt")
    data = Graph().parse(str(export), format="nt")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=Graph().parse(data=derived_shapes(anora_mem.ontology), format="turtle"))
    assert not conforms
    sh = "http://www.w3.org/ns/shacl#"
    from rdflib import URIRef

    foci = {str(results.value(r, URIRef(sh + "focusNode"))) for r in results.subjects(None, URIRef(sh + "ValidationResult"))}
    assert foci == {v.entity for v in anora_mem.validate().violations}


USER_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix film: <https://w3id.org/filmkg/ontology#> .
@prefix ex: <http://example.org/shapes#> .
ex:FilmsHaveADirector a sh:NodeShape ; sh:targetClass film:Film ;
    sh:property [ sh:path [ sh:inversePath film:directed ] ; sh:minCount 1 ; sh:message "a film needs a director" ] .
"""


def test_user_shapes(anora_mem: KnowledgeGraph, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(USER_SHAPES, encoding="utf-8")
    report = anora_mem.validate(shapes=shapes)
    films = sorted(v.label for v in report.violations if v.message == "a film needs a director")
    assert films == ["Once Upon a Time in Hollywood", "Scream"]
    assert all(v.source and v.quote for v in report.violations)  # each names a statement about the film
    assert not report.ok


def test_bad_shapes_file(anora_mem: KnowledgeGraph, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("not turtle at all", encoding="utf-8")
    with pytest.raises(KGError, match="cannot read the shapes"):
        anora_mem.validate(shapes=shapes)


def test_validate_cli(target: Target, anora_csv: Path) -> None:
    cli(target, "ingest", anora_csv)
    assert cli(target, "validate").stdout.startswith("0 violations of ")
    cli(target, "ingest", DATA / "domain-error.ttl")
    run = invoke([*target_args(target), "validate"], ok=False)
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert "the subject of `directed` must be a Person" in run.stdout and "Deliberate errors" in run.stdout
    assert "1 violation of" in run.stdout and "error: 1 violation" in run.stderr


RES = "https://w3id.org/filmkg/resource/"
QUALIFIER_ERRORS = """
res:st1 a rdf:Statement ; rdf:subject res:mikey-madison ; rdf:predicate film:trainedFor ; rdf:object res:anora ;
    film:duration "soon" ; film:character res:anora ; prov:wasDerivedFrom res:source-x .
res:mikey-madison film:trainedFor res:anora .
res:source-x a film:Source ; rdfs:label "Qualifier errors" .
"""


def test_qualifier_errors_name_the_statement_subject_on_every_backend(target: Target, anora_csv: Path, tmp_path: Path) -> None:
    """A qualifier's value of the wrong type, or naming an entity of the wrong class, is reported with
    the statement's subject; the values are checked before the statements are joined (kg.validate)."""
    cli(target, "ingest", anora_csv)
    bad = tmp_path / "qualifiers.ttl"
    bad.write_text(PREFIXES + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . "
                   "@prefix prov: <http://www.w3.org/ns/prov#> .\n" + QUALIFIER_ERRORS, encoding="utf-8")  # fmt: skip
    cli(target, "ingest", bad)
    run = invoke([*target_args(target), "validate", "--format", "csv"], ok=False)
    assert run.exit_code == 1, run.output
    lines = [line for line in run.stdout.splitlines() if ",qualifier," in line]
    assert len(lines) == 2 and all(line.startswith(f"{RES}mikey-madison,") and "Qualifier errors" in line for line in lines)
    # a relation's violation gets its statement (and so its source) after the query
    assert f"{RES}mikey-madison,res:mikey-madison,trained-for,Anora,Qualifier errors,,domain," in run.stdout
    assert any("`duration` takes a value of type xsd:duration" in line and "soon" in line for line in lines)
    assert any("`character` must name a Character" in line for line in lines)
