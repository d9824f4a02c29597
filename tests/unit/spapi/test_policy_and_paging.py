"""The retry-policy table, paginate() and the RDT cache (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from kinxpro_desktop.core.progress import Cancelled, CancelToken
from kinxpro_desktop.spapi.buckets import RATE_TABLE
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.paging import paginate, token_at
from kinxpro_desktop.spapi.policy import POLICIES, WRITES, policy_of
from kinxpro_desktop.spapi.tokens import MARGIN_SECONDS, RdtCache


def test_writes_are_declared_and_every_operation_has_words_and_a_bucket() -> None:
    assert {
        "createShipment",
        "createFeed",
        "confirmShipment",
        "patchListingsItem",
        "createReport",
    } == WRITES
    assert not policy_of("patchListingsItemPreview").write  # a preview changes nothing
    for operation, policy in POLICIES.items():
        assert policy.words.startswith("the "), operation
        assert operation in RATE_TABLE, f"{operation} has no default bucket"
    assert not policy_of("someNewRead").write


def test_paginate_follows_tokens_until_none() -> None:
    pages = {None: {"n": 1, "next": "a"}, "a": {"n": 2, "next": "b"}, "b": {"n": 3}}
    seen = [p["n"] for p in paginate(lambda t: pages[t], token_at("next"))]
    assert seen == [1, 2, 3]


def test_paginate_refuses_a_token_loop() -> None:
    pages: dict[Any, dict[str, Any]] = {None: {"next": "a"}, "a": {"next": "b"}, "b": {"next": "a"}}
    with pytest.raises(BadResponse, match="same next-page token"):
        list(paginate(lambda t: pages[t], token_at("next")))


def test_paginate_is_cancellable_between_pages() -> None:
    cancel = CancelToken()
    pages = paginate(lambda t: {"next": "x" if t is None else None}, token_at("next"), cancel)
    next(pages)
    cancel.cancel()
    with pytest.raises(Cancelled):
        next(pages)


def test_token_at_ignores_wrong_shapes() -> None:
    read = token_at("pagination", "nextToken")
    assert read({"pagination": {"nextToken": "t"}}) == "t"
    assert read({"pagination": "x"}) is None
    assert read({"pagination": {"nextToken": ""}}) is None
    assert read({}) is None


class FakeTokens:
    def __init__(self) -> None:
        self.calls = 0

    def create_rdt(self, resources: Any, cancel: Any) -> tuple[str, float]:
        self.calls += 1
        return f"rdt-{self.calls}", 3600.0


def test_rdt_cache_reuses_until_near_expiry_and_after_forget() -> None:
    now = [0.0]
    tokens = FakeTokens()
    cache = RdtCache(tokens, [{"method": "GET", "path": "/x"}], clock=lambda: now[0])  # type: ignore[arg-type]
    assert cache.token(None) == "rdt-1"
    now[0] = 3600 - MARGIN_SECONDS - 1
    assert cache.token(None) == "rdt-1"
    now[0] = 3600 - MARGIN_SECONDS + 1
    assert cache.token(None) == "rdt-2"
    cache.forget()
    assert cache.token(None) == "rdt-3"
