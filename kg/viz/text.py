"""Small wording helpers shared by the views' messages and pages."""

from __future__ import annotations

__all__ = ["hops", "plural"]


def plural(count: int, word: str, plural: str | None = None) -> str:
    """A count and its noun, with thousands separators.

    Args:
        count: how many.
        word: the noun in the singular.
        plural: the noun in the plural (default: ``word`` + ``s``).

    Returns:
        The text.

    Examples:
        >>> plural(1, "entity", "entities"), plural(1200, "relation")
        ('1 entity', '1,200 relations')
    """
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def hops(depth: int) -> str:
    """``hop`` or ``hops`` after a depth.

    Args:
        depth: how many hops.

    Returns:
        The depth and the noun.

    Examples:
        >>> hops(1), hops(2)
        ('1 hop', '2 hops')
    """
    return f"{depth} hop{'s' if depth != 1 else ''}"
