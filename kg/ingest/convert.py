"""Row conversion: one record (:class:`~kg.ingest.records.Row`) checked through the ontology and
written as N-Triples lines, the asserted triple with its statement node (README, "The RDF
contract"), or every problem found in it.

:class:`RowConverter` is the base of :class:`~kg.ingest.sink.StatementSink`; it keeps what the
rows of one file described already, so that each entity, source and value is written once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import NotFoundError, Problem
from kg.identifiers import Identifier, deciding, parse_identifier, split_identifiers
from kg.ingest.records import CORE_FIELDS, Cell, Row, RowProblem
from kg.ingest.values import Bounds, bounds, has_bounds, parse_value
from kg.ontology import Ontology, Property, mint_entity
from kg.statements import bounds_lines, nt_literal, source_lines, statement_lines
from kg.vocab import OWL_SAME_AS, RDF_TYPE, RDFS_LABEL, RES, XSD_STRING

__all__ = ["BAD_TEXT", "CACHED", "MAX_LISTED_PROBLEMS", "RowConverter"]

MAX_LISTED_PROBLEMS = 100
"""An error message lists at most this many problems per file (``skip_bad_rows`` writes them all)."""
CACHED = 200_000
"""Each cache of the converter (entities, values, classes, descriptions) holds at most this many entries."""

_T = TypeVar("_T")
_Ids = tuple[Identifier, ...]
_Pending = tuple[str, str | None, str | None, _Ids] | None
"""An entity description waiting for its row to be found good: node, label, class, identifiers."""
_IRI_SCHEME = re.compile(r"(?:https?|urn|ftp|mailto|file):\S+", re.IGNORECASE)
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
"""NUL and lone surrogates: no name, label or IRI may hold them."""
_PLAIN_SLUG = re.compile(r"[a-z0-9 .~\-]+")
"""A normalized ASCII name whose slug is itself, spaces made underscores (see :func:`~kg.ontology.mint_entity`)."""

class RowConverter:
    """Turns records into N-Triples lines through the ontology, remembering what it described.

    The base of :class:`~kg.ingest.sink.StatementSink`, which reads the records, writes the
    lines and collects the problems; this class only converts. Each distinct value (an entity
    name, a date, a source) is checked and written once: later rows with the same text find it
    in a cache of at most :data:`CACHED` entries per kind.

    Args:
        ontology: the vocabulary.
        path: the file name used in messages.
        strict: predicates and qualifiers outside the ontology are errors, not warnings.

    Examples:
        >>> from kg.ontology import load_ontology
        >>> from kg.ingest.records import Cell, Row
        >>> converter = RowConverter(load_ontology(), path="x.csv")
        >>> lines, problems = converter.convert(Row(2, {"subject": Cell("Sean Baker", 1),
        ...     "predicate": Cell("directed", 2), "object": Cell("Anora", 3)}))
        >>> lines[-1].split()[1]
        '<https://w3id.org/filmkg/ontology#directed>'
        >>> converter.convert(Row(3, {"subject": Cell("Sean Baker", 1), "predicate": Cell("danced", 2),
        ...     "object": Cell("Anora", 3)}))[1][0].message.split(":")[0]
        'unknown relation "danced"'
    """

    def __init__(self, ontology: Ontology, *, path: str, strict: bool = False) -> None:
        self.ontology = ontology
        self.path = path
        self.strict = strict
        self.warnings: list[Problem] = []
        self.statements = 0
        """Statement nodes written (a repeated row counts again; the store keeps one)."""
        self._columns: dict[str, Property | str] = {}
        self._plan: list[tuple[str, Property | str, str, bool]] = []
        """Each qualifier column: its property (or IRI), that in N-Triples, and whether its values have bounds."""
        self._positions: dict[str, int] = {}
        self._emitted: set[tuple[str, str, str]] = set()
        self._entity_cache: dict[tuple[str, str], tuple[str, str | None, _Ids]] = {}
        self._relation_cache: dict[str, tuple[Property | None, str]] = {}
        self._value_cache: dict[tuple[str, str], tuple[str, _Pending]] = {}
        self._bounds_cache: dict[tuple[str, str], Bounds | None] = {}
        self._class_cache: dict[tuple[_Ids, str | None, tuple[str, ...]], str | None] = {}
        self._ends: dict[tuple[object, ...], _Pending] = {}
        """Subjects as given (text, identifiers, type, the relation's domain) -> their descriptions."""
        self._objects: dict[tuple[object, ...], tuple[str | None, _Pending]] = {}
        """Objects as given -> their N-Triples and descriptions."""
        self._described: set[tuple[str, str | None, str | None, _Ids]] = set()
        """Entity descriptions written whole: a repeated one is skipped without a look at its parts."""
        self._source_names: dict[str, str] = {}
        self._source_nodes: dict[str, str] = {}
        """Sources described already, by name: their nodes (N-Triples)."""
        self._warned: set[str] = set()
        self._more_warnings = 0
        self._colonless = any(":" not in scheme.notation for scheme in ontology.identifiers)
        """Whether some identifier is written without a colon (else text without one is no identifier)."""

    def _warn_outside(self, line: int, column: int | None, name: str, message: str) -> None:
        if self.strict:
            raise RowProblem(name, f"{message} (allowed without `strict`)", Cell("", column))
        if name not in self._warned:
            self._warned.add(name)
            if len(self.warnings) < MAX_LISTED_PROBLEMS:
                self.warnings.append(Problem(self.path, line, column, None, f"{message}; kept as given"))
            else:
                self._more_warnings += 1

    def _iri_of(self, text: str) -> str | None:
        if ":" not in text:  # no CURIE nor IRI scheme: only <...> can be one (the common case, a plain name)
            text = text.strip()
            return text[1:-1] if text.startswith("<") and text.endswith(">") else None
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        expanded = self.ontology.expand(text)
        if expanded is not None:
            return expanded
        if _IRI_SCHEME.fullmatch(text):
            return text
        return None

    def _node(self, iri: str, column: str, cell: Cell | None) -> str:
        """``<iri>`` in N-Triples, once the IRI is checked."""
        try:
            return str(ox.NamedNode(iri))
        except ValueError as exc:
            raise RowProblem(column, f'"{iri}" is not a valid IRI ({exc})', cell) from None

    def _names_entity(self, text: str) -> bool:
        """Whether an object outside the ontology names an entity: an IRI, a CURIE or an identifier."""
        if self._iri_of(text) is not None:
            return True
        try:
            return parse_identifier(text, self.ontology) is not None
        except ValueError:
            return True  # a malformed identifier: the entity path says what is wrong

    def _identifiers(self, text: str, column: str, cell: Cell | None) -> _Ids:
        """The identifiers of an id cell (``subject_id``, ``object_id``): one or more, each in notation."""
        found = []
        for part in split_identifiers(text):
            try:
                identifier = parse_identifier(part, self.ontology)
            except ValueError as exc:
                raise RowProblem(column, str(exc), cell) from None
            if identifier is None:
                notations = ", ".join(sorted({s.notation + "..." for s in self.ontology.identifiers}))
                raise RowProblem(column, f'"{part}" is not an identifier: write one of {notations}', cell)
            found.append(identifier)
        return tuple(found)

    def _entity(
        self, text: str, column: str, cell: Cell | None, ids: str = "", ids_cell: Cell | None = None
    ) -> tuple[str, str | None, _Ids]:
        """The IRI of an entity cell as this file alone gives it, the label to give it (``None``
        for IRIs, CURIEs and identifiers) and its identifiers (from the cell or ``ids``)."""
        found = self._entity_cache.get((text, ids))
        if found is not None:
            return found
        given = self._identifiers(ids, f"{column}_id", ids_cell) if ids else ()
        try:
            named = parse_identifier(text, self.ontology) if ":" in text or self._colonless else None
        except ValueError as exc:
            raise RowProblem(column, str(exc), cell) from None
        if named is not None:
            identifiers = tuple(sorted({named, *given}, key=lambda i: i.notation))
            result: tuple[str, str | None, _Ids] = (f"<{deciding(identifiers).iri}>", None, identifiers)
        elif given:
            identifiers = tuple(sorted(set(given), key=lambda i: i.notation))
            result = (f"<{deciding(identifiers).iri}>", " ".join(text.split()), identifiers)
        elif (iri := self._iri_of(text)) is not None:
            result = (self._node(iri, column, cell), None, ())
        else:
            result = (f"<{_mint(text)}>", " ".join(text.split()), ())
        if len(self._entity_cache) < CACHED:
            self._entity_cache[(text, ids)] = result
        return result

    def _identified_class(
        self, ids: _Ids, cls: str | None, allowed: tuple[str, ...], column: str, cell: Cell | None
    ) -> str | None:
        """The class of an entity given by identifiers: what its identifiers name (an IMDb ``tt`` id a
        film), which must fit the relation; else ``cls``."""
        key = (ids, cls, allowed)
        if key in self._class_cache:
            return self._class_cache[key]
        named = sorted({i.scheme.identifies for i in ids if i.scheme.identifies})
        if not named:
            return cls
        if len(named) > 1 or (cls is not None and cls != named[0]) or (allowed and named[0] not in allowed):
            names = self.ontology.classes
            what = " and ".join(names[c].name if c in names else c for c in named)
            wanted = [cls] if cls is not None else list(allowed)
            expected = " or ".join(names[c].name if c in names else c for c in wanted)
            notations = ", ".join(i.notation for i in ids)
            raise RowProblem(column, f"{notations} names a {what}, but the row needs a {expected}: fix the identifier",
                             cell)  # fmt: skip
        if len(self._class_cache) < CACHED:
            self._class_cache[key] = named[0]
        return named[0]

    def _describe(self, out: list[str], node: str, label: str | None, cls: str | None, ids: _Ids) -> None:
        description = (node, label, cls, ids)
        if description in self._described:
            return
        if len(self._described) < CACHED:
            self._described.add(description)
        if label is not None and (node, "l", label) not in self._emitted:
            self._emitted.add((node, "l", label))
            out.append(f"{node} <{RDFS_LABEL}> {_nt(label)} .\n")
        if cls is not None and (node, "t", cls) not in self._emitted:
            self._emitted.add((node, "t", cls))
            out.append(f"{node} <{RDF_TYPE}> <{cls}> .\n")
        for identifier in ids:
            if (node, "i", identifier.notation) not in self._emitted:
                self._emitted.add((node, "i", identifier.notation))
                out.append(f"{node} <{identifier.property}> {_nt(identifier.value)} .\n")
                out.append(f"{node} <{OWL_SAME_AS}> <{identifier.public}> .\n")

    def _class(self, cell: Cell | None, column: str, allowed: tuple[str, ...], relation: str) -> str | None:
        if cell is None:
            return allowed[0] if len(allowed) == 1 else None
        value = self._single(cell, column)
        try:
            cls = self.ontology.ontology_class(value).iri
        except NotFoundError as exc:
            raise RowProblem(column, str(exc), cell) from None
        if allowed and cls not in allowed:
            names = " or ".join(self.ontology.classes[c].name for c in allowed if c in self.ontology.classes)
            raise RowProblem(
                column,
                f'{self.ontology.classes[cls].name} does not fit {relation}, which expects {names}: '
                "fix the type or the relation",
                cell,
            )
        return cls

    @staticmethod
    def _single(cell: Cell, column: str) -> str:
        if isinstance(cell.value, tuple):
            raise RowProblem(column, "takes one value, not a list", cell)
        return cell.value

    def _relation(self, text: str, cell: Cell, line: int) -> tuple[Property | None, str]:
        cached = self._relation_cache.get(text)
        if cached is not None:
            return cached
        iri = self._iri_of(text)
        known = self.ontology.properties.get(iri) if iri else None
        if iri is not None and (known is None or known.is_qualifier):
            self._warn_outside(line, cell.column, text, f"relation {text} is not in the ontology")
            result: tuple[Property | None, str] = (None, self._node(iri, "predicate", cell))
        else:
            try:
                prop = self.ontology.relation(text)
            except NotFoundError as exc:
                message = str(exc).split("; known:")[0]
                raise RowProblem(
                    "predicate", f"{message}: use a relation of ontology/film.ttl or a CURIE such as wdt:P57", cell
                ) from None
            result = (prop, f"<{prop.iri}>")
        self._relation_cache[text] = result
        return result

    def _value(self, prop: Property, text: str, column: str, cell: Cell) -> tuple[str, _Pending]:
        """The value of ``prop`` written ``text`` (in N-Triples), and the entity description it calls for."""
        if prop.datatype == XSD_STRING and not prop.choices:  # text as it is (a quote): nothing to check or remember
            return _nt(text), None
        key = (prop.iri, text)
        found = self._value_cache.get(key)
        if found is not None:
            return found
        if prop.datatype is not None:
            try:
                lexical, datatype = parse_value(text, prop.datatype)
            except ValueError as exc:
                raise RowProblem(column, str(exc), cell) from None
            if prop.choices and lexical not in prop.choices:
                raise RowProblem(column, f'"{text}" is not a {prop.name}: write {" or ".join(prop.choices)}', cell)
            result: tuple[str, _Pending] = (_nt(lexical, datatype), None)
        else:
            node, label, ids = self._entity(text, column, cell)
            result = (node, (node, label, prop.range[0] if len(prop.range) == 1 else None, ids))
        if len(self._value_cache) < CACHED:
            self._value_cache[key] = result
        return result

    def convert(self, row: Row) -> tuple[list[str], list[RowProblem]]:
        """The triples of one row as N-Triples lines, or (when the row is bad) every problem found in it.

        Triples that describe an entity or a source already described earlier in the
        file are not repeated.
        """
        cells = row.cells
        found = self._cell_problems(cells)
        if found:
            return [], found
        pcell, ocell = cells["predicate"], cells["object"]
        try:
            prop, predicate = self._relation(self._single(pcell, "predicate"), pcell, row.line)
        except RowProblem as problem:
            return [], [problem]
        relation_name = prop.name if prop else predicate[1:-1]
        subject = self._subject(cells, prop.domain if prop else (), relation_name, found)
        pending: list[_Pending] = [subject]
        obj: str | None = None
        if prop is not None and prop.is_literal:
            obj = self._literal(cells, prop, found)
        else:
            obj, description = self._object(cells, prop, relation_name, found)
            pending.append(description)
        qualifiers: list[tuple[str, str]] = []
        bounded: list[tuple[str, Bounds]] = []
        if prop is not None and prop.datatype is not None and obj is not None:
            bounded += [(predicate, b) for b in (self._bounds(self._single(ocell, "object"), prop.datatype),) if b]
        self._qualifiers(cells, found, qualifiers, bounded, pending)
        source: str | None = None
        if "source" in cells:
            try:
                source = self._source_name(self._single(cells["source"], "source"), cells["source"])
            except RowProblem as problem:
                found.append(problem)
        if found or subject is None or obj is None:
            return [], found
        out: list[str] = []
        for description in pending:
            if description is not None:
                self._describe(out, *description)
        snode = subject[0]
        out.append(f"{snode} {predicate} {obj} .\n")
        if qualifiers or source is not None or any(not b.exact for _, b in bounded):  # a rough object needs its bounds
            source_node = self._source(out, source) if source is not None else None
            # Not remembered: a repeated row writes the same triples again, which the store keeps
            # once; remembering a million statement IRIs would cost a quarter of a gigabyte.
            lines = statement_lines(snode, predicate, obj, qualifiers, source_node)
            out += lines
            node = lines[0].split(" ", 1)[0]
            for bounded_prop, found_bounds in bounded:
                out += bounds_lines(node, bounded_prop, found_bounds.wording, *found_bounds.stored)
            self.statements += 1
        return out, []

    def _cell_problems(self, cells: dict[str, Cell]) -> list[RowProblem]:
        """The core fields missing, and the fields holding a NUL or a lone surrogate."""
        found = [
            RowProblem(
                column,
                f"{column} is empty: every row needs subject, predicate and object",
                Cell("", self._positions.get(column)),
            )
            for column in CORE_FIELDS
            if column not in cells
        ]
        joined = "".join([given.value if isinstance(given.value, str) else "".join(given.value) for given in cells.values()])
        if (not joined.isascii() or "\x00" in joined) and BAD_TEXT.search(joined):  # joining makes no NUL nor surrogate
            for field_name, given in cells.items():
                values = given.value if isinstance(given.value, tuple) else (given.value,)
                if any(BAD_TEXT.search(v) for v in values):
                    found.append(RowProblem(field_name, _bad_text(values), given))
        return found

    def _subject(
        self, cells: dict[str, Cell], domain: tuple[str, ...], relation: str, found: list[RowProblem]
    ) -> _Pending:
        """The subject's description (node, label, class, identifiers); ``None`` when it is bad
        (its problems added to ``found``)."""
        scell, ids_cell, type_cell = cells["subject"], cells.get("subject_id"), cells.get("subject_type")
        key = ("s", scell.value, ids_cell.value if ids_cell else "", type_cell.value if type_cell else None, domain)
        known = self._ends.get(key)
        if known is not None:
            return known
        before = len(found)
        cls = self._attempt(found, self._class, type_cell, "subject_type", domain, relation)
        ids = self._attempt(found, self._single, ids_cell, "subject_id") if ids_cell is not None else ""
        text = self._attempt(found, self._single, scell, "subject")
        entity = self._attempt(found, self._entity, text, "subject", scell, ids or "", ids_cell) if text is not None else None
        if entity is None:
            return None
        cls = self._attempt(found, self._identified_class, entity[2], cls, domain, "subject", scell)
        result = (entity[0], entity[1], cls, entity[2])
        if len(found) == before and len(self._ends) < CACHED:
            self._ends[key] = result
        return result

    def _object(
        self, cells: dict[str, Cell], prop: Property | None, relation: str, found: list[RowProblem]
    ) -> tuple[str | None, _Pending]:
        """The object of a relation to an entity (or outside the ontology) in N-Triples, and its description."""
        ocell, ids_cell, type_cell = cells["object"], cells.get("object_id"), cells.get("object_type")
        ranges = prop.range if prop else ()
        key = ("o", ocell.value, ids_cell.value if ids_cell else "", type_cell.value if type_cell else None, ranges,
               prop is None)  # fmt: skip
        known = self._objects.get(key)
        if known is not None:
            return known
        before = len(found)
        text = self._attempt(found, self._single, ocell, "object")
        ids = self._attempt(found, self._single, ids_cell, "object_id") if ids_cell is not None else ""
        cls = self._attempt(found, self._class, type_cell, "object_type", ranges, relation)
        if text is None:
            return None, None
        result: tuple[str | None, _Pending] = (None, None)
        if prop is None and cls is None and not ids and not self._names_entity(text):
            result = (_nt(text), None)
        else:
            entity = self._attempt(found, self._entity, text, "object", ocell, ids or "", ids_cell)
            if entity is None:
                return None, None
            cls = self._attempt(found, self._identified_class, entity[2], cls, ranges, "object", ocell)
            result = (entity[0], (entity[0], entity[1], cls, entity[2]))
        if len(found) == before and len(self._objects) < CACHED:
            self._objects[key] = result
        return result

    def _literal(self, cells: dict[str, Cell], prop: Property, found: list[RowProblem]) -> str | None:
        """The object of a relation to a value, in N-Triples."""
        if "object_type" in cells:
            found.append(RowProblem("object_type", f"{prop.name} takes a value, not an entity: leave object_type empty",
                                    cells["object_type"]))  # fmt: skip
        ocell = cells["object"]
        value = self._attempt(found, self._value_of, prop, ocell)
        if "object_id" in cells:
            found.append(RowProblem("object_id", f"{prop.name} takes a value, not an entity: leave object_id empty",
                                    cells["object_id"]))  # fmt: skip
        return value[0] if value is not None else None

    def _value_of(self, prop: Property, cell: Cell) -> tuple[str, _Pending]:
        return self._value(prop, self._single(cell, "object"), "object", cell)

    def _qualifiers(
        self,
        cells: dict[str, Cell],
        found: list[RowProblem],
        qualifiers: list[tuple[str, str]],
        bounded: list[tuple[str, Bounds]],
        pending: list[_Pending],
    ) -> None:
        """Add each qualifier's ``(property, value)`` (N-Triples), the bounds of its dates and
        durations, and the descriptions of its entities."""
        for column, target, term, bounded_values in self._plan:
            cell = cells.get(column)
            if cell is None:
                continue
            items = cell.value if isinstance(cell.value, tuple) else (cell.value,)
            if isinstance(target, Property):
                for item in items:
                    qualifier = self._value_cache.get((target.iri, item)) or self._attempt(
                        found, self._value, target, item, column, cell
                    )
                    if qualifier is not None:
                        qualifiers.append((term, qualifier[0]))
                        pending.append(qualifier[1])
                        found_bounds = self._bounds(item, target.datatype) if bounded_values and target.datatype else None
                        if found_bounds is not None:
                            bounded.append((term, found_bounds))
            else:
                for item in items:
                    iri = self._iri_of(item)
                    node = self._attempt(found, self._node, iri, column, cell) if iri else _nt(item)
                    if node is not None:
                        qualifiers.append((term, node))

    @staticmethod
    def _attempt(found: list[RowProblem], step: Callable[..., _T], *args: object) -> _T | None:
        """``step(*args)``, or ``None`` with its problem added to ``found``."""
        try:
            return step(*args)
        except RowProblem as problem:
            found.append(problem)
            return None

    def _source_name(self, text: str, cell: Cell) -> str:
        known = self._source_names.get(text)
        if known is not None:
            return known
        name = " ".join(text.split())
        if re.match(r"https?://", name, re.IGNORECASE):
            self._node(name, "source", cell)
        if len(self._source_names) < CACHED:
            self._source_names[text] = name
        return name

    def _source(self, out: list[str], name: str) -> str:
        known = self._source_nodes.get(name)
        if known is not None:
            return known  # described already
        node, lines = source_lines(name)
        if (node, "src", "") not in self._emitted:
            self._emitted.add((node, "src", ""))
            out += lines
        if len(self._source_nodes) < CACHED:
            self._source_nodes[name] = node
        return node

    def _bounds(self, text: str, datatype: str) -> Bounds | None:
        """:func:`~kg.ingest.values.bounds`, remembered."""
        if not has_bounds(datatype):
            return None
        key = (text, datatype)
        if key in self._bounds_cache:
            return self._bounds_cache[key]
        found = bounds(text, datatype)
        if len(self._bounds_cache) < CACHED:
            self._bounds_cache[key] = found
        return found


def _nt(value: str, datatype: str = XSD_STRING) -> str:
    """:func:`~kg.statements.nt_literal`, quicker for text with nothing to escape (most names and quotes).

    Examples:
        >>> _nt('say "hi"') == nt_literal('say "hi"'), _nt("1990", "http://e/d") == nt_literal("1990", "http://e/d")
        (True, True)
    """
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        return nt_literal(value, datatype)
    return f'"{value}"' if datatype == XSD_STRING else f'"{value}"^^<{datatype}>'


def _mint(name: str) -> str:
    """:func:`~kg.ontology.mint_entity`, quicker for a plain ASCII name (the same IRI).

    Examples:
        >>> _mint(" Mikey  MADISON ") == mint_entity(" Mikey  MADISON "), _mint("Zoë") == mint_entity("Zoë")
        (True, True)
    """
    if name.isascii():
        plain = " ".join(name.lower().split())  # NFC and case folding are lower() on ASCII
        if plain and _PLAIN_SLUG.fullmatch(plain):
            return RES + plain.replace(" ", "_")
    return mint_entity(name)


def _bad_text(values: Sequence[str]) -> str:
    if any("\x00" in v for v in values):
        return "holds a NUL character (\\0), which no name, label or IRI may: remove it"
    return "holds a lone surrogate, which is not a character: fix the file's encoding"

