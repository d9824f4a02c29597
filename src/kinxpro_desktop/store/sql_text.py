"""SQL text helpers shared by the read queries."""

from __future__ import annotations


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (use with ``escape="\\"``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
