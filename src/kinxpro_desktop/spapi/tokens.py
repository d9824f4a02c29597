"""Tokens 2021-03-01: createRestrictedDataToken, and a cache of RDTs per set of resources.

An RDT is valid for an hour (``expiresIn``); one with generic paths (``{shipmentId}``) covers
every call to those resources for its lifetime, so each set is asked for once an hour at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sp_api.api import Tokens

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse

Json = dict[str, Any]
#: an RDT is replaced this long before Amazon says it expires
MARGIN_SECONDS = 120.0


class TokensApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def create_rdt(
        self, resources: Sequence[Json], cancel: CancelToken | None = None
    ) -> tuple[str, float]:
        """(restricted-data token, seconds it is valid) for `resources`
        ([{"method": "POST", "path": "/mfn/v0/shipments", "dataElements": [...]}, ...])."""
        body = self.core.call(
            "createRestrictedDataToken",
            Tokens,
            lambda c: c.create_restricted_data_token(restrictedResources=list(resources)),
            cancel,
        )
        token = body.get("restrictedDataToken")
        expires = body.get("expiresIn", 3600)
        if not isinstance(token, str) or not token:
            raise BadResponse("createRestrictedDataToken: the answer has no token.")
        if isinstance(expires, bool) or not isinstance(expires, int | float):
            raise BadResponse("createRestrictedDataToken: expiresIn is not a number.")
        return token, float(expires)


class RdtCache:
    """The RDT of one resource set, fetched when needed and renewed before it expires
    (implements call.Restricted)."""

    def __init__(
        self,
        tokens: TokensApi,
        resources: Sequence[Json],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tokens = tokens
        self._resources = [dict(r) for r in resources]
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._until = 0.0

    def token(self, cancel: CancelToken | None) -> str:
        with self._lock:
            if self._token is not None and self._clock() < self._until:
                return self._token
        token, seconds = self._tokens.create_rdt(self._resources, cancel)
        with self._lock:
            self._token = token
            self._until = self._clock() + max(0.0, seconds - MARGIN_SECONDS)
        return token

    def forget(self) -> None:
        with self._lock:
            self._token = None
