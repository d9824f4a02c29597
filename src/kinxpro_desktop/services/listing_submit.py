"""Submit staged listing changes: check each SKU against Amazon (conflicts are held), run
Amazon's VALIDATION_PREVIEW, then apply the accepted ones through patchListingsItem (a few
SKUs) or one JSON_LISTINGS_FEED per marketplace (many), and track every change to its final
state, audited.

Writes are never re-sent blindly. The intent is recorded before each patch or feed (status
``sending``; an in-flight feed in ``sync_state[FEED_KEY]``). After a lost answer
(OutcomeUnknown) a patch is reconciled with getListingsItem and a feed with getFeeds before
anything is sent again; a feed still processing when Submit is cancelled is picked up by the
next Submit.

Patch or feed (rate limits, SPAPI-NOTES §3.2): patchListingsItem runs at 5 requests/s with a
burst of 5, so n patches take about max(0, n - 5) / 5 seconds. A feed costs a fixed handful of
calls (createFeedDocument 0.5/s, createFeed 0.0083/s burst 15, getFeed 2/s, getFeedDocument)
and Amazon's processing time, which does not grow much with n; we assume FEED_TURNAROUND_S
= 60 s for a listings feed (the simulator takes 20 simulated seconds). Patches are quicker
while (n - 5) / 5 < 60, so up to PATCH_THRESHOLD = 5 + 5 * 60 = 305 SKUs go as patches and
more as a feed (createFeed's slow refill, one feed per two minutes, is why it is one feed and
not one per batch). The preview at 1 request/s bounds both: n SKUs take at least n - 1 s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.listing_edits import (
    ChangeIssue,
    ChangeStatus,
    StagedChange,
    same_value,
)
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.services.listing_feed import FeedTracker
from kinxpro_desktop.services.listing_payloads import (
    Item,
    SkuResult,
    SubmitReport,
    amazon_issues,
    build_patches,
    current_values,
    group,
)
from kinxpro_desktop.spapi.errors import (
    BadResponse,
    OutcomeUnknown,
    RequestRejected,
    SpApiError,
)

if TYPE_CHECKING:
    from kinxpro_desktop.services.listing_edits import ListingEdits
    from kinxpro_desktop.spapi.gateway import SpApiGateway

log = logging.getLogger(__name__)

PATCH_RATE, PATCH_BURST = 5.0, 5  # patchListingsItem
PREVIEW_RATE = 1.0  # patchListingsItem with mode=VALIDATION_PREVIEW
FEED_TURNAROUND_S = 60.0
PATCH_THRESHOLD = PATCH_BURST + int(PATCH_RATE * FEED_TURNAROUND_S)  # 305
Json = dict[str, Any]
CHECKING = "Checking the changes with Amazon (validation preview)"
#: Amazon seconds between two previews. The preview's limit is 1/s with a burst of 1, so
#: previews spaced exactly 1 s apart lose to network jitter (in the 500-change bench about
#: 4 in 10 were throttled, and each 429 costs a backoff); 10 % more spacing costs 10 %.
PREVIEW_SPACING_S = 1.1 / PREVIEW_RATE


class Submitter:
    def __init__(self, edits: ListingEdits, gateway: SpApiGateway, *, actor: str) -> None:
        self.edits = edits
        self.db = edits.db
        self.repo = edits.changes
        self.gateway = gateway
        self.actor = actor
        self.threshold = (
            edits.feed_threshold if edits.feed_threshold is not None else (PATCH_THRESHOLD)
        )
        self.feeds = FeedTracker(self)
        self._scale: float | None = None  # the simulator's time scale (1 at Amazon)
        self._last_preview = float("-inf")

    # ------------------------------------------------------------------ state changes
    def settle(
        self,
        item: Item,
        status: ChangeStatus,
        issues: Sequence[ChangeIssue] = (),
        *,
        via: str,
        changes: Sequence[StagedChange] | None = None,
    ) -> None:
        """Record `status` for the item's changes (or `changes`) and audit it."""
        chosen = list(changes) if changes is not None else item.changes
        now = self.edits.clock()
        with self.db.transaction() as uow:
            self.repo.set_status(
                uow.connection,
                [c.change_id for c in chosen],
                status,
                issues=issues,
                submitted_at=now,
            )
            if status is ChangeStatus.ACCEPTED:
                for c in chosen:
                    self.repo.apply_to_listing(uow.connection, c, now)
            if status in (ChangeStatus.ACCEPTED, ChangeStatus.REJECTED, ChangeStatus.UNKNOWN):
                uow.audit.append(
                    AuditEvent.LISTING_CHANGE,
                    self.actor,
                    [item.sku],
                    {
                        "action": status.value,
                        "via": via,
                        "marketplace": item.marketplace_id,
                        "changes": [
                            {"field": c.field, "old": c.old_value, "new": c.new_value}
                            for c in chosen
                        ],
                        **({"codes": sorted({i.code for i in issues if i.code})} if issues else {}),
                    },
                )

    def mark_sending(self, items: Sequence[Item]) -> None:
        with self.db.transaction() as uow:
            self.repo.set_status(
                uow.connection,
                [i for item in items for i in item.ids],
                ChangeStatus.SENDING,
                submitted_at=self.edits.clock(),
            )

    # ------------------------------------------------------------------ the run
    def run(
        self,
        cancel: CancelToken,
        progress: ProgressFn,
        preview_only: bool,
        change_ids: Sequence[int] | None,
    ) -> SubmitReport:
        report = SubmitReport(preview_only)
        if not preview_only:
            self.feeds.resume(cancel, progress, report)
            self._reconcile_unknown(cancel, progress)
        wanted = set(change_ids) if change_ids is not None else None
        staged = [
            c
            for c in self.repo.open_changes()
            if c.status is ChangeStatus.STAGED and (wanted is None or c.change_id in wanted)
        ]
        items = group(staged)
        ready = self._check_and_preview(items, cancel, progress, report)
        if preview_only or not ready:
            return report
        if len(ready) > self.threshold:
            report.via = "feed"
            self.feeds.submit(ready, cancel, progress, report)
        else:
            report.via = "patch"
            self._patch(ready, cancel, progress, report)
        return report

    def _current(self, item: Item, cancel: CancelToken) -> bool:
        """Read the listing from Amazon; False (and the change rejected) if it is gone."""
        try:
            raw = self.gateway.listings.get_item(
                item.sku, item.marketplace_id, ("summaries", "attributes"), cancel
            )
        except RequestRejected as exc:
            if exc.status != 404:
                raise
            self.settle(
                item,
                ChangeStatus.REJECTED,
                [ChangeIssue(f"Amazon has no listing {item.sku} in this marketplace.", "404")],
                via="check",
            )
            return False
        item.product_type, values, item.current = current_values(raw)
        item.current["_values"] = values
        return True

    def _check_and_preview(
        self, items: list[Item], cancel: CancelToken, progress: ProgressFn, report: SubmitReport
    ) -> list[Item]:
        ready: list[Item] = []
        total = len(items)
        for n, item in enumerate(items):
            cancel.check()
            progress(ProgressUpdate(CHECKING, n, total))
            if not self._current(item, cancel):
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        ChangeStatus.REJECTED,
                        self._fields(item),
                        ("Amazon has no such listing.",),
                    )
                )
                continue
            values: dict[str, str | None] = item.current["_values"]
            held = [
                c
                for c in item.changes
                if not same_value(c.field, c.old_value, values.get(c.field), item.currency)
            ]
            if held:
                for c in held:
                    amazon = values.get(c.field)
                    issue = ChangeIssue(
                        f"Amazon's {c.field} is now {amazon} (it was {c.old_value} when you "
                        f"staged {c.new_value}): keep yours or take Amazon's.",
                        "KINXPRO_CONFLICT",
                        attribute=c.field,
                        amazon_value=amazon,
                    )
                    self.settle(item, ChangeStatus.CONFLICT, [issue], via="check", changes=[c])
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        ChangeStatus.CONFLICT,
                        tuple(c.field for c in held),
                        amazon=dict(values),
                    )
                )
                item.changes = [c for c in item.changes if c not in held]
                if not item.changes:
                    continue
            self._pace_preview(cancel)
            try:
                answer = self.gateway.listings.patch_item(
                    item.sku,
                    item.marketplace_id,
                    item.product_type,
                    build_patches(item),
                    preview=True,
                    cancel=cancel,
                )
            except RequestRejected as exc:  # Amazon refused the request itself (400)
                answer = {
                    "status": "INVALID",
                    "issues": [{"code": exc.code, "message": exc.said or exc.message}],
                }
            issues = amazon_issues(answer.get("issues"))
            errors = [i for i in issues if i.severity == "ERROR"]
            if answer.get("status") == "INVALID" or errors:
                if not report.preview_only:
                    self.settle(item, ChangeStatus.REJECTED, errors or issues, via="preview")
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        "invalid" if report.preview_only else ChangeStatus.REJECTED,
                        self._fields(item),
                        tuple(i.text() for i in errors or issues),
                    )
                )
                continue
            if report.preview_only:
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        "valid",
                        self._fields(item),
                        tuple(i.text() for i in issues),
                    )
                )
            ready.append(item)
        progress(ProgressUpdate("Checked the changes with Amazon", total, total))
        return ready

    def _pace_preview(self, cancel: CancelToken) -> None:
        """Wait until PREVIEW_SPACING_S (Amazon time) has passed since the last preview."""
        if self._scale is None:
            from kinxpro_desktop.services.sync.common import time_scale

            self._scale = time_scale(self.gateway)
        gap = PREVIEW_SPACING_S / self._scale - (time.monotonic() - self._last_preview)
        if gap > 0 and cancel.wait(gap):
            raise Cancelled()
        self._last_preview = time.monotonic()

    @staticmethod
    def _fields(item: Item) -> tuple[str, ...]:
        return tuple(c.field for c in item.changes)

    # ------------------------------------------------------------------ patches
    def _patch(
        self, items: list[Item], cancel: CancelToken, progress: ProgressFn, report: SubmitReport
    ) -> None:
        total = len(items)
        for n, item in enumerate(items):
            cancel.check()
            progress(ProgressUpdate("Sending the changes to Amazon", n, total))
            self.mark_sending([item])
            try:
                answer = self.gateway.listings.patch_item(
                    item.sku,
                    item.marketplace_id,
                    item.product_type,
                    build_patches(item),
                    cancel=cancel,
                )
            except (OutcomeUnknown, BadResponse) as exc:  # sent; the answer unusable
                self.settle(
                    item,
                    ChangeStatus.UNKNOWN,
                    [ChangeIssue(exc.message, "KINXPRO_LOST")],
                    via="patch",
                )
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        ChangeStatus.UNKNOWN,
                        self._fields(item),
                        (exc.message,),
                    )
                )
                continue
            except RequestRejected as exc:
                issue = ChangeIssue(exc.said or exc.message, exc.code)
                self.settle(item, ChangeStatus.REJECTED, [issue], via="patch")
                report.results.append(
                    SkuResult(
                        item.sku,
                        item.marketplace_id,
                        ChangeStatus.REJECTED,
                        self._fields(item),
                        (issue.text(),),
                    )
                )
                continue
            except (SpApiError, Cancelled):
                # not sent (refused before, cancelled, gave up on 429s): staged again
                with self.db.transaction() as uow:
                    self.repo.set_status(uow.connection, item.ids, ChangeStatus.STAGED)
                raise
            # anything else (Ctrl-C, a crash) may have followed the send: the change stays
            # 'sending' and the next Submit reconciles it with getListingsItem first
            issues = amazon_issues(answer.get("issues"))
            errors = [i for i in issues if i.severity == "ERROR"]
            status = ChangeStatus.ACCEPTED
            if answer.get("status") == "INVALID" or errors:
                status = ChangeStatus.REJECTED
            self.settle(
                item,
                status,
                errors or issues if status is ChangeStatus.REJECTED else issues,
                via="patch",
            )
            report.results.append(
                SkuResult(
                    item.sku,
                    item.marketplace_id,
                    status,
                    self._fields(item),
                    tuple(i.text() for i in (errors or issues)),
                )
            )
        progress(ProgressUpdate("Sent the changes to Amazon", total, total))

    # ------------------------------------------------------------------ reconcile
    def _reconcile_unknown(self, cancel: CancelToken, progress: ProgressFn) -> None:
        """Patches whose answer was lost, or whose run stopped between the recorded intent
        and the answer (``sending`` with no feed: a crash or a kill): Amazon's value decides
        (new: accepted; still the old one: staged again, safe to send; anything else: a
        conflict for the seller)."""
        in_feeds = self.feeds.tracked_ids()
        unknown = [
            c
            for c in self.repo.open_changes()
            if c.status in (ChangeStatus.UNKNOWN, ChangeStatus.SENDING)
            and c.change_id not in in_feeds
        ]
        for item in group(unknown):
            cancel.check()
            progress(ProgressUpdate("Checking changes whose answer was lost"))
            if not self._current(item, cancel):
                continue
            values: dict[str, str | None] = item.current["_values"]
            for c in item.changes:
                amazon = values.get(c.field)
                if same_value(c.field, c.new_value, amazon, item.currency):
                    self.settle(item, ChangeStatus.ACCEPTED, via="reconcile", changes=[c])
                elif same_value(c.field, c.old_value, amazon, item.currency):
                    with self.db.transaction() as uow:
                        self.repo.set_status(
                            uow.connection, [c.change_id], ChangeStatus.STAGED, issues=()
                        )
                else:
                    issue = ChangeIssue(
                        f"Amazon's {c.field} is now {amazon}, neither the old {c.old_value} nor "
                        f"your {c.new_value}: keep yours or take Amazon's.",
                        "KINXPRO_CONFLICT",
                        attribute=c.field,
                        amazon_value=amazon,
                    )
                    self.settle(item, ChangeStatus.CONFLICT, [issue], via="reconcile", changes=[c])
