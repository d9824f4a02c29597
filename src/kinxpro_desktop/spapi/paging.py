"""One helper for nextToken loops: every API module pages through it (services may too)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.errors import BadResponse

Json = dict[str, Any]


def token_at(*path: str) -> Callable[[Json], str | None]:
    """A reader of the next-page token at `path`: ``token_at("pagination", "nextToken")``."""

    def read(body: Json) -> str | None:
        node: object = body
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node if isinstance(node, str) and node else None

    return read


def paginate(
    fetch: Callable[[str | None], Json],
    next_token: Callable[[Json], str | None],
    cancel: CancelToken | None = None,
    *,
    first_token: str | None = None,
) -> Iterator[Json]:
    """Yield each page: ``fetch(None)`` (or `first_token`), then ``fetch(token)`` while the
    last page names a next one. A token seen twice is Amazon looping: refused, not followed."""
    token = first_token
    seen: set[str] = set()
    while True:
        if cancel is not None:
            cancel.check()
        page = fetch(token)
        yield page
        token = next_token(page)
        if token is None:
            return
        if token in seen:
            raise BadResponse(
                "Amazon returned the same next-page token twice; Kinxpro stopped paging and "
                "will try again at the next sync."
            )
        seen.add(token)
