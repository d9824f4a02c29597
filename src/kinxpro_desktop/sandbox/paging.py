"""Pagination tokens: a query's result ids are frozen at the first page, pages are slices."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from .wire import invalid_input

TOKEN_TTL = 24 * 3600.0  # real seconds, like Amazon's 24 hours
MAX_QUERIES = 512


@dataclass
class _Query:
    signature: str
    ids: list[str]
    extra: dict[str, str]
    expires: float


class Pager:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, _Query] = OrderedDict()

    def page(
        self,
        signature: str,
        ids: list[str],
        size: int,
        extra: dict[str, str] | None = None,
    ) -> tuple[list[str], str | None, dict[str, str]]:
        """First page of a new query: (ids on the page, next token or None, extra)."""
        query = _Query(signature, ids, dict(extra or {}), time.monotonic() + TOKEN_TTL)
        query_id = secrets.token_urlsafe(12)
        with self._lock:
            self._queries[query_id] = query
            while len(self._queries) > MAX_QUERIES:
                self._queries.popitem(last=False)
        return self._slice(query_id, query, 0, size)

    def resume(
        self, token: str, signature: str | None, size: int
    ) -> tuple[list[str], str | None, dict[str, str]]:
        """A later page; ``signature`` None skips the same-filters check (Orders v0 rule)."""
        query_id, _, offset_text = token.rpartition(".")
        with self._lock:
            query = self._queries.get(query_id)
        if query is None or not offset_text.isdigit() or query.expires < time.monotonic():
            raise invalid_input("Invalid or expired pagination token.", token)
        if signature is not None and signature != query.signature:
            raise invalid_input(
                "The request parameters must match those of the request that returned "
                "the pagination token."
            )
        return self._slice(query_id, query, int(offset_text), size)

    @staticmethod
    def _slice(
        query_id: str, query: _Query, offset: int, size: int
    ) -> tuple[list[str], str | None, dict[str, str]]:
        ids = query.ids[offset : offset + size]
        end = offset + size
        token = f"{query_id}.{end}" if end < len(query.ids) else None
        return ids, token, query.extra
