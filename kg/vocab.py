"""Every namespace IRI, well-known term and graph name filmkg uses, once.

Examples:
    >>> FILM + "actedIn"
    'https://w3id.org/filmkg/ontology#actedIn'
    >>> REGISTRY_GRAPH
    'https://w3id.org/filmkg/resource/registry'
"""

from __future__ import annotations

__all__ = [
    "FILM",
    "GRAPH_PREFIX",
    "ONTOLOGY_GRAPH",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "REGISTRY_GRAPH",
    "RES",
    "SCHEMA",
    "SKOS",
    "XSD",
]

FILM = "https://w3id.org/filmkg/ontology#"
"""The ontology namespace (prefix ``film:``)."""
RES = "https://w3id.org/filmkg/resource/"
"""The namespace under which entity, statement, source and graph IRIs are minted (prefix ``res:``)."""
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
RDF_STATEMENT = RDF + "Statement"
RDF_SUBJECT = RDF + "subject"
RDF_PREDICATE = RDF + "predicate"
RDF_OBJECT = RDF + "object"
XSD_STRING = XSD + "string"
DERIVED_FROM = PROV + "wasDerivedFrom"
"""Links a statement node to its source."""
GENERATED_AT = PROV + "generatedAtTime"
QUOTE = FILM + "quote"
RANK = FILM + "rank"
"""A statement's rank: the ontology lists its values, best first, and its default."""
RANK_REASON = FILM + "rankReason"
"""The sentence of the source a statement rests on."""
SOURCE_CLASS = FILM + "Source"
BOUNDS_CLASS = FILM + "Bounds"
"""The range a date or duration of a statement allows (README, "The RDF contract")."""
BOUNDS_OF = FILM + "boundsOf"
BOUNDED_PROPERTY = FILM + "boundedProperty"
WORDING = FILM + "wording"
LOWER_BOUND = FILM + "lowerBound"
UPPER_BOUND = FILM + "upperBound"
SOURCE_FILE_CLASS = FILM + "SourceFile"
URL = SCHEMA + "url"
OWL_SAME_AS = OWL + "sameAs"
SKOS_ALT_LABEL = SKOS + "altLabel"

REGISTRY_GRAPH = RES + "registry"
"""The named graph that lists ingested files."""
GRAPH_PREFIX = RES + "graph/"
"""Named graphs of ingested files are minted under this prefix."""
ONTOLOGY_GRAPH = "https://w3id.org/filmkg/ontology"
"""The named graph holding ``ontology/film.ttl``, so that queries see labels of relations and classes."""
