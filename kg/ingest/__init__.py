"""Ingest: files of every kind an importer reads, each into its own named graph.

- :mod:`kg.ingest.importer`: the :class:`Importer` protocol;
- :mod:`kg.ingest.importers`: the importers, in one tuple;
- :mod:`kg.ingest.sink`: the statement sink every importer feeds (validation, reification), and
  :mod:`kg.ingest.rejects`, where ``skip_bad_rows`` puts the records it rejects;
- :mod:`kg.ingest.annotated`, :mod:`kg.ingest.rdf`: the built-in importers;
- :mod:`kg.ingest.files`: :func:`ingest`, checking every file before loading any;
- :mod:`kg.ingest.limits`, :mod:`kg.ingest.inputs`, :mod:`kg.ingest.entities`: what one file may
  cost, and reading it within that.
"""

from kg.ingest.files import FileReport, IngestReport, ingest, supported_files
from kg.ingest.importer import Importer, ImportOptions, ProgressCallback
from kg.ingest.importers import IMPORTERS, importer_for
from kg.ingest.limits import Limits

__all__ = [
    "IMPORTERS",
    "FileReport",
    "ImportOptions",
    "Importer",
    "IngestReport",
    "Limits",
    "ProgressCallback",
    "importer_for",
    "ingest",
    "supported_files",
]
