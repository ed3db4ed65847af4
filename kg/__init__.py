"""filmkg: a knowledge graph of film production relationships.

Examples:
    >>> from kg import KnowledgeGraph
    >>> KnowledgeGraph.memory().sources()
    []
"""

from kg.errors import EndpointError, IngestError, KGError, NetworkRefusedError, NotFoundError, QueryError, StoreError
from kg.graph import KnowledgeGraph

__all__ = [
    "EndpointError",
    "IngestError",
    "KGError",
    "KnowledgeGraph",
    "NetworkRefusedError",
    "NotFoundError",
    "QueryError",
    "StoreError",
]
__version__ = "0.1.0"
