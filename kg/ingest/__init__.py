"""Ingest: annotated triples (CSV, TSV, JSON Lines) and RDF files into the store.

See :func:`ingest`.
"""

from kg.ingest.files import FileReport, IngestReport, ingest, supported_files

__all__ = ["FileReport", "IngestReport", "ingest", "supported_files"]
