"""Heavy third-party modules loaded on first use, so that quick commands start quickly.

networkx and numpy take a quarter of a second to import; ``filmkg show`` or ``filmkg query``
never touch them. A module that needs them names them with :func:`lazy` (and imports them
for real under ``TYPE_CHECKING``, for the type checker and the layer check).

Examples:
    >>> json = lazy("json")
    >>> json.dumps([1])
    '[1]'
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy"]


def lazy(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read (at once if already imported).

    Raises:
        ModuleNotFoundError: no such module is installed.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
