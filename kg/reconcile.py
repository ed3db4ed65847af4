"""Reconciliation: for every entity known only by name, the identified entities it may be, scored,
with the evidence and the decision the identity rule took (see :mod:`kg.identity`).

Candidates come from an index of the identified entities' labels (whole names, and each word of
them), never from comparing every pair. A candidate's score:

- the name's similarity to the candidate's closest label, from 0 to 1 (``difflib`` ratio of the
  normalised names; an exact match is 1);
- plus 0.1 per neighbour the two share (a film both are credited on), at most 0.3;
- plus 0.2 when the name gives a year (``Scream (2022)``) the candidate is dated by;
- candidates of an incompatible type are left out.

:func:`proposals` turns the best candidate of each name into a ``same-as`` row to review and ingest.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ids.csv").write_text(
    ...     "subject,subject_id,predicate,object\\nChris Johnson,imdb:nm0000001,acted-in,Anora\\n"
    ...     "Chris Johnson,imdb:nm0000002,acted-in,Tangerine\\n")
    >>> _ = (folder / "article.csv").write_text("subject,predicate,object\\nChris Johnson,coached,Mikey Madison\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest([folder / "ids.csv", folder / "article.csv"])
    >>> table = kg.reconcile()
    >>> table[["name", "candidate_id", "score", "decision"]].to_string(index=False)
    ' name   candidate_id  score                        decision\\nChris Johnson imdb:nm0000001    1.0 kept apart: 2 candidates match\\nChris Johnson imdb:nm0000002    1.0 kept apart: 2 candidates match'
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.identifiers import deciding, identifier_of_iri, parse_identifier
from kg.identity import (
    DIFFERENT_FROM,
    LOCAL_ENTITY,
    LOCAL_ID,
    LOCAL_LABEL,
    LOCAL_TYPE,
    RESOLVED_BY,
    RESOLVED_TO,
    SAME_AS,
    YEAR_IN_NAME,
    compatible_classes,
    is_minted_entity,
)
from kg.statements import labels_for
from kg.ontology import normalize_name
from kg.output import cell, written
from kg.store import GraphStore
from kg.vocab import FILM, RDF_TYPE, RDFS_LABEL, REGISTRY_GRAPH, RES

if TYPE_CHECKING:
    import pandas

__all__ = ["COLUMNS", "Candidate", "proposals", "reconcile", "write_proposals"]

COLUMNS = ["name", "name_iri", "sources", "candidate", "candidate_iri", "candidate_id", "score", "evidence", "decision"]
"""The columns of :func:`reconcile`'s table."""
_COMMON_WORD = 2000
"""A word that many identified entities share (\"the\") finds no candidates by itself."""
_MIN_SIMILARITY = 0.75


@dataclass
class _Entity:
    iri: str
    labels: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Candidate:
    """One identified entity a name may be."""

    iri: str
    label: str
    identifier: str
    score: float
    evidence: tuple[str, ...]


def _rows(graph: GraphStore, query: str) -> list[list[ox.NamedNode | ox.BlankNode | ox.Literal]]:
    return [[t for t in row if not isinstance(t, ox.Triple)] for row in graph.store.select(query)]


def _identified(graph: GraphStore) -> dict[str, _Entity]:
    """Every entity with an identifier: its identifiers, labels and classes (years come later, for
    the few names that give one). Each query reads one predicate's triples from the store's index
    and keeps only filmkg's identifier IRIs, so that the rows read are the rows needed."""
    ontology = graph.ontology
    schemes = {s.iri: s for s in ontology.identifiers}
    out: dict[str, _Entity] = {}
    for scheme in schemes.values():
        for e, v in _rows(graph, f"SELECT DISTINCT ?e ?v WHERE {{ ?e <{scheme.iri}> ?v }}"):
            entity = out.setdefault(e.value, _Entity(e.value))
            entity.ids.add(scheme.notation + v.value)
            if scheme.identifies:
                entity.classes.add(scheme.identifies)
    paths = sorted({RES + s.path for s in schemes.values()})
    minted = " || ".join(f"STRSTARTS(STR(?e), {ox.Literal(path)})" for path in paths)
    for predicate in (*graph.ontology.name_properties, RDF_TYPE):
        for e, v in _rows(graph, f"SELECT DISTINCT ?e ?v WHERE {{ ?e <{predicate}> ?v FILTER({minted}) }}"):
            found = out.get(e.value)
            if found is None:
                continue
            if predicate == RDF_TYPE:
                found.classes.add(v.value)
            else:
                found.labels.add(v.value)
    return out


def _years(graph: GraphStore, iris: Iterable[str]) -> dict[str, set[int]]:
    """The years the date relations give each entity (release dates)."""
    dated = [p.iri for p in graph.ontology.relations if p.datatype is not None and "date" in p.datatype.lower()]
    out: dict[str, set[int]] = defaultdict(set)
    for iri in sorted(set(iris)):
        for p, d in _rows(graph, f"SELECT ?p ?d WHERE {{ <{iri}> ?p ?d FILTER(isLiteral(?d)) }}"):
            if p.value in dated and (match := re.match(r"-?(\d{4})", d.value)):
                out[iri].add(int(match.group(1)))
    return out


@dataclass
class _Name:
    iri: str
    labels: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    decision: str = ""
    resolved_to: str | None = None


def _names(graph: GraphStore, identified: dict[str, _Entity]) -> dict[str, _Name]:
    """Every entity known only by name: the name entities the store holds, and the names the rule
    linked to an identified entity (from the resolution records)."""
    ontology = graph.ontology
    out: dict[str, _Name] = {}
    files = {
        row[0].value: row[1].value
        for row in _rows(graph, f"SELECT ?g ?file WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{FILM}sourceName> ?file }} }}")
    }
    # name IRIs are res: and a slug without "/": the filter keeps the rows read to the rows needed
    named = f"STRSTARTS(STR(?e), {ox.Literal(RES)}) && !CONTAINS(STRAFTER(STR(?e), {ox.Literal(RES)}), \"/\")"
    for predicate in (RDFS_LABEL, RDF_TYPE):
        for e, v, g in _rows(
            graph, f"SELECT DISTINCT ?e ?v ?g WHERE {{ GRAPH ?g {{ ?e <{predicate}> ?v FILTER({named}) }} }}"
        ):
            if g.value not in files or e.value in identified or not is_minted_entity(e.value, ontology):
                continue
            name = out.setdefault(e.value, _Name(e.value))
            name.sources.add(files[g.value])
            if predicate == RDF_TYPE:
                name.classes.add(v.value)
            else:
                name.labels.add(v.value)
    for local, target, why, label, file, cls in _rows(
        graph,
        f"""SELECT DISTINCT ?l ?c ?why ?label ?file ?type WHERE {{
              GRAPH ?g {{ ?m <{LOCAL_ENTITY}> ?l ; <{RESOLVED_TO}> ?c ; <{RESOLVED_BY}> ?why ; <{LOCAL_LABEL}> ?label .
                         OPTIONAL {{ ?m <{LOCAL_TYPE}> ?type }}
                         FILTER NOT EXISTS {{ ?m <{LOCAL_ID}> ?id }} }}
              GRAPH <{REGISTRY_GRAPH}> {{ ?g <https://w3id.org/filmkg/ontology#sourceName> ?file }} }}""",
    ):
        if target.value == local.value or target.value not in identified:
            continue
        name = out.setdefault(local.value, _Name(local.value))
        name.labels.add(label.value)
        name.sources.add(file.value)
        if cls is not None:
            name.classes.add(cls.value)
        name.resolved_to = target.value
        name.decision = f"linked: {why.value}"
    return out


class _Similarity:
    """How alike one name is to labels (``difflib`` ratio of normalised names), each label computed once;
    the cheap upper bounds skip most labels below :data:`_MIN_SIMILARITY`."""

    def __init__(self, name: str) -> None:
        self.matcher = difflib.SequenceMatcher(None, "", name)
        self.known: dict[str, float] = {}

    def of(self, label: str) -> float:
        found = self.known.get(label)
        if found is None:
            self.matcher.set_seq1(label)
            found = 0.0
            if self.matcher.real_quick_ratio() >= _MIN_SIMILARITY and self.matcher.quick_ratio() >= _MIN_SIMILARITY:
                found = self.matcher.ratio()
            self.known[label] = found
        return found


class _Index:
    """Identified entities by normalised label and by word."""

    def __init__(self, entities: Iterable[_Entity]) -> None:
        self.by_label: dict[str, set[str]] = defaultdict(set)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        """Each entity's labels, as given and normalised."""
        self.entities = {e.iri: e for e in entities}
        for entity in self.entities.values():
            for label in sorted(entity.labels):
                key = normalize_name(label)
                self.labels[entity.iri].append((label, key))
                self.by_label[key].add(entity.iri)
                for word in _words(key):
                    self.by_word[word].add(key)

    def candidates(self, name: str) -> set[str]:
        """The normalised labels to compare with ``name``: its own, and those sharing one of its two
        rarest words (a word too common finds nothing by itself)."""
        found = {name} if name in self.by_label else set()
        words = sorted(_words(name), key=lambda w: len(self.by_word.get(w, ())))
        for word in words[:2]:
            hits = self.by_word.get(word, set())
            if len(hits) <= _COMMON_WORD:
                found |= hits
        return found


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", name) if len(w) > 1}


def _neighbours(graph: GraphStore, iris: list[str]) -> dict[str, set[str]]:
    """The entities each one is linked to by a relation, in any graph (one query each, starting from it)."""
    relations = {
        p.iri for p in graph.ontology.relations if p.datatype is None and p.iri not in (SAME_AS, DIFFERENT_FROM)
    }
    out: dict[str, set[str]] = defaultdict(set)
    for iri in iris:
        node = f"<{iri}>"
        for p, x in _rows(graph, f"SELECT ?p ?x WHERE {{ {{ {node} ?p ?x }} UNION {{ ?x ?p {node} }} }}"):
            if p.value in relations and isinstance(x, ox.NamedNode):
                out[iri].add(x.value)
    return out


def reconcile(
    graph: GraphStore, *, name: str | None = None, limit: int = 5, unmatched: bool = False
) -> pandas.DataFrame:
    """The candidates of every entity known only by name (or of the one called ``name``), best first.

    Args:
        graph: the knowledge graph.
        name: only the names that normalise to this one.
        limit: at most this many candidates per name.
        unmatched: also list the names no identified entity resembles (one row each, no candidate).

    Returns:
        A DataFrame with :data:`COLUMNS`: the name, its IRI and files; a candidate, its IRI and
        deciding identifier; the score (see the module), the evidence (``; ``-joined); and the
        decision the identity rule took; ``the rule's choice`` in the evidence marks the candidate
        a name was linked to.
    """
    import pandas

    identified = _identified(graph)
    known_years: dict[str, set[int]] = {}

    def years_of(iris: list[str]) -> dict[str, set[int]]:
        missing = [i for i in iris if i not in known_years]
        if missing:
            found = _years(graph, missing)
            known_years.update({i: found.get(i, set()) for i in missing})
        return known_years

    index = _Index(identified.values())
    names = _names(graph, identified)
    wanted = normalize_name(name) if name else None
    rows: list[dict[str, object]] = []
    scored: list[tuple[_Name, list[Candidate]]] = []
    ambiguous: set[str] = set()
    deciding_id: dict[str, str] = {}
    for entry in sorted(names.values(), key=lambda n: (sorted(n.labels), n.iri)):
        keys = {normalize_name(label) for label in entry.labels}
        if wanted is not None and wanted not in keys:
            continue
        found: list[Candidate] = []
        seen: set[str] = set()
        for key in sorted(keys):
            year_match = YEAR_IN_NAME.match(key)
            year = int(year_match.group(2)) if year_match else None
            searched = [key] + ([normalize_name(year_match.group(1))] if year_match else [])
            for text in searched:
                similarity = _Similarity(text)
                close = {iri for label in index.candidates(text) if similarity.of(label) >= _MIN_SIMILARITY
                         for iri in index.by_label[label]}  # fmt: skip
                for iri in sorted(close):
                    entity = identified[iri]
                    if iri in seen or not compatible_classes(entry.classes, entity.classes):
                        continue
                    best = max((similarity.of(normalized), label) for label, normalized in index.labels[iri])
                    seen.add(iri)
                    evidence = ["same name" if best[0] == 1.0 else f"similar name ({best[0]:.2f})"]
                    if entry.classes and entity.classes:
                        evidence.append("same type")
                    score = best[0]
                    if year is not None and year in years_of([iri]).get(iri, set()):
                        score += 0.2
                        evidence.append(f"year {year}")
                    if iri not in deciding_id:
                        parsed = (parse_identifier(n, graph.ontology) for n in entity.ids)
                        deciding_id[iri] = deciding(i for i in parsed if i).notation
                    if iri == entry.resolved_to and len(keys) == 1 and not year_match:
                        evidence.append("the rule's choice")
                    found.append(Candidate(iri, best[1], deciding_id[iri], score, tuple(evidence)))
        if len(found) > 1:
            ambiguous.add(entry.iri)
        scored.append((entry, found))
    if ambiguous:
        # each ambiguous name's neighbours, then what is linked to them: never every candidate's links
        around = _neighbours(graph, sorted({n.resolved_to or n.iri for n, f in scored if n.iri in ambiguous}))
        around.update(_neighbours(graph, sorted({x for found in around.values() for x in found} - set(around))))
        labels = labels_for(graph, sorted({x for found in around.values() for x in found}))
        updated = []
        for entry, found in scored:
            if entry.iri in ambiguous:
                mine = around.get(entry.resolved_to or entry.iri, set())
                new = []
                for candidate in found:
                    shared = sorted(x for x in mine if candidate.iri in around.get(x, set()))
                    if candidate.iri == entry.resolved_to and "the rule's choice" not in candidate.evidence:
                        candidate = Candidate(candidate.iri, candidate.label, candidate.identifier, candidate.score,
                                              (*candidate.evidence, "the rule's choice"))  # fmt: skip
                    elif shared:
                        shared_evidence = (*candidate.evidence, "shares " + ", ".join(labels.get(s, s) for s in shared[:3]))
                        candidate = Candidate(candidate.iri, candidate.label, candidate.identifier,
                                              candidate.score + min(0.3, 0.1 * len(shared)), shared_evidence)  # fmt: skip
                    new.append(candidate)
                found = new
            updated.append((entry, found))
        scored = updated
    for entry, found in scored:
        found.sort(key=lambda c: (-c.score, c.identifier))
        decision = entry.decision or (
            f"kept apart: {len(found)} candidates match" if len(found) > 1 and found[0].score >= 1.0 and found[1].score >= 1.0
            else "kept apart: no identified entity has this name and type" if not any(c.score >= 1.0 for c in found)
            else "kept apart: a different-from row, or a candidate of another type"
        )
        label = sorted(entry.labels)[0] if entry.labels else entry.iri
        base = {"name": label, "name_iri": entry.iri, "sources": "; ".join(sorted(entry.sources)), "decision": decision}
        if not found and unmatched:
            rows.append({**base, "candidate": "", "candidate_iri": "", "candidate_id": "", "score": 0.0, "evidence": ""})
        for candidate in found[:limit]:
            rows.append(
                {**base, "candidate": candidate.label, "candidate_iri": candidate.iri, "candidate_id": candidate.identifier,
                 "score": round(candidate.score, 3), "evidence": "; ".join(candidate.evidence)}
            )  # fmt: skip
    return pandas.DataFrame(rows, columns=COLUMNS)


def proposals(table: pandas.DataFrame, *, threshold: float = 0.9) -> list[dict[str, str]]:
    """``same-as`` rows to review and ingest: each name's best candidate, when it scores at least
    ``threshold`` and beats the next one; names the rule already linked are left out.

    Returns:
        Rows with the columns ``subject``, ``predicate``, ``object``, ``object_id``, ``note``.
    """
    out: list[dict[str, str]] = []
    for _, group in table.groupby("name_iri", sort=True):
        group = group[group["candidate_iri"] != ""]
        if group.empty or str(group.iloc[0]["decision"]).startswith("linked"):
            continue
        best = group.iloc[0]
        runner_up = float(group.iloc[1]["score"]) if len(group) > 1 else -1.0
        if float(best["score"]) < threshold or float(best["score"]) <= runner_up:
            continue
        out.append(
            {
                "subject": str(best["name"]),
                "predicate": "same-as",
                "object": str(best["candidate"]),
                "object_id": str(best["candidate_id"]),
                "note": f"proposed by filmkg reconcile: score {float(best['score']):.2f} ({best['evidence']}); "
                f"review before ingesting",
            }
        )
    return out



def write_proposals(rows: list[dict[str, str]], path: Path, *, store: Path | None = None) -> Path:
    """Write ``same-as`` rows (:func:`proposals`) as an annotated-triple CSV file, ready to review and ingest.

    Args:
        rows: the proposals.
        path: the CSV file (replaced whole, never half written).
        store: the store folder, which ``path`` must not be inside.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["subject", "predicate", "object", "object_id", "note"], lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    with written(path, store=store) as out:
        out.write(buffer.getvalue().encode("utf-8"))
    return path
