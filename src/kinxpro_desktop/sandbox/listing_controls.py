"""Listings controls for tests and the preview's own rate limit.

* ``inject_issue``: make Amazon report an issue for a SKU in VALIDATION_PREVIEW answers, when a
  patch or a feed message applies the change, or both (what a seller sees as Amazon's text).
* ``inject_listing_issue``: make searchListingsItems and getListingsItem (includedData=issues)
  report an issue on a listing, as Amazon does for a missing attribute or a rejected image.
* ``preview_allowed``: mode=VALIDATION_PREVIEW has its own limit, 1 request/s burst 1
  (SPAPI-NOTES 3.2), on top of patchListingsItem's; the router's rate header still states
  patchListingsItem's 5/s, as Amazon's does.
"""

from __future__ import annotations

import threading
import time
from weakref import WeakKeyDictionary

from .state import SimState
from .wire import JsonObj


def issue(code: str, message: str, attribute: str, severity: str = "ERROR") -> JsonObj:
    category = "MISSING_ATTRIBUTE" if "required" in message else "INVALID_ATTRIBUTE"
    return {
        "code": code,
        "message": message,
        "severity": severity,
        "attributeNames": [attribute] if attribute else [],
        "categories": [category],
    }


def inject_listing_issue(
    state: SimState,
    sku: str,
    message: str,
    *,
    code: str = "90220",
    attribute: str = "item_package_weight",
    severity: str = "ERROR",
    replace: bool = False,
) -> None:
    """Make the listing `sku` carry an issue in searchListingsItems and getListingsItem answers
    (after the ones it has, or instead of them with ``replace``)."""
    if severity not in ("ERROR", "WARNING", "INFO"):
        raise ValueError(f"severity must be ERROR, WARNING or INFO, not {severity!r}")
    with state.world.lock:
        listing = state.world.by_sku[sku]
        if replace:
            listing.issues = []
        listing.issues.append(issue(code, message, attribute, severity))


#: issues a test injects for a SKU: (when, issue) with when "preview", "apply" or "both"
_INJECTED: WeakKeyDictionary[SimState, dict[str, list[tuple[str, JsonObj]]]] = WeakKeyDictionary()
_INJECT_LOCK = threading.Lock()


def inject_issue(
    state: SimState,
    sku: str,
    message: str,
    *,
    code: str = "90000",
    attribute: str = "purchasable_offer",
    when: str = "both",
    severity: str = "ERROR",
) -> None:
    """Make Amazon report `message` for `sku`: in VALIDATION_PREVIEW answers ("preview"),
    when the change is applied by a patch or a feed message ("apply"), or both."""
    if when not in ("preview", "apply", "both"):
        raise ValueError(f"when must be preview, apply or both, not {when!r}")
    with _INJECT_LOCK:
        _INJECTED.setdefault(state, {}).setdefault(sku, []).append(
            (when, issue(code, message, attribute, severity))
        )


#: mode=VALIDATION_PREVIEW has its own limit, 1 request/s burst 1 (SPAPI-NOTES 3.2), on top
#: of patchListingsItem's; the router's rate header still states patchListingsItem's 5/s
PREVIEW_PLAN = (1.0, 1)
_PREVIEW_BUCKETS: WeakKeyDictionary[SimState, list[float]] = WeakKeyDictionary()


def preview_allowed(state: SimState) -> bool:
    if not state.limiter.enabled:
        return True
    rate, burst = PREVIEW_PLAN
    now = time.monotonic()
    with _INJECT_LOCK:
        bucket = _PREVIEW_BUCKETS.setdefault(state, [float(burst), now])
        bucket[0] = min(
            float(burst), bucket[0] + (now - bucket[1]) * rate * state.limiter.time_scale
        )
        bucket[1] = now
        if bucket[0] >= 1.0 - 1e-9:
            bucket[0] -= 1.0
            return True
        return False


def injected_issues(state: SimState, sku: str, *, preview: bool) -> list[JsonObj]:
    wanted = {"both", "preview" if preview else "apply"}
    with _INJECT_LOCK:
        return [dict(i) for when, i in _INJECTED.get(state, {}).get(sku, []) if when in wanted]
