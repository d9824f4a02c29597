"""The feed half of Submit: one JSON_LISTINGS_FEED per marketplace, tracked to its results.

The intent (which change ids each message carries, when it was sent) is saved in
``sync_state[FEED_KEY]`` before createFeed, so a restart, a cancel or a lost answer never
loses track of it: after OutcomeUnknown the next Submit looks for the feed with getFeeds
(created since the intent) before anything is sent again; a feed still processing is polled
again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.listing_edits import ChangeIssue, ChangeStatus
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.spapi.errors import BadResponse, OutcomeUnknown, SpApiError

if TYPE_CHECKING:
    from kinxpro_desktop.services.listing_payloads import Item, SubmitReport
    from kinxpro_desktop.services.listing_submit import Submitter


def amazon_time(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, whole seconds (spapi.orders.amazon_time, without importing the
    SP-API library at start-up)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


log = logging.getLogger(__name__)

FEED_KEY = "listing_edits.feeds"
FEED_TYPE = "JSON_LISTINGS_FEED"
FEED_WAIT_S = 30 * 60.0  # Amazon time; longer and the next Submit picks it up
FIRST_POLL_S, MAX_POLL_S = 2.0, 30.0
Json = dict[str, Any]


class FeedTracker:
    def __init__(self, submitter: Submitter) -> None:
        self.s = submitter

    # ------------------------------------------------------------------ the record
    def _records(self) -> list[Json]:
        detail = self.s.db.sync_state.get(FEED_KEY).detail
        feeds = detail.get("feeds", [])
        return [f for f in feeds if isinstance(f, dict)] if isinstance(feeds, list) else []

    def _known(self) -> list[str]:
        known = self.s.db.sync_state.get(FEED_KEY).detail.get("known", [])
        return [str(k) for k in known] if isinstance(known, list) else []

    def _save(self, records: list[Json], known: Sequence[str] | None = None) -> None:
        with self.s.db.transaction() as uow:
            uow.sync_state.set(
                FEED_KEY,
                None,
                {"feeds": records, "known": list(known if known is not None else self._known())},
                self.s.edits.clock(),
            )

    def tracked_ids(self) -> set[int]:
        return {int(i) for r in self._records() for ids in r["messages"].values() for i in ids}

    def _replace(self, record: Json, new: Json | None) -> None:
        records = [r for r in self._records() if r["intent"] != record["intent"]]
        if new is not None:
            records.append(new)
        self._save(records)

    # ------------------------------------------------------------------ submit
    def submit(
        self, items: list[Item], cancel: CancelToken, progress: ProgressFn, report: SubmitReport
    ) -> None:
        from kinxpro_desktop.services.listing_payloads import build_patches

        by_market: dict[str, list[Item]] = {}
        for item in items:
            by_market.setdefault(item.marketplace_id, []).append(item)
        created: list[Json] = []
        for marketplace_id, chosen in by_market.items():
            cancel.check()
            messages = [
                {
                    "messageId": n,
                    "sku": item.sku,
                    "operationType": "PATCH",
                    "productType": item.product_type,
                    "patches": build_patches(item),
                }
                for n, item in enumerate(chosen, start=1)
            ]
            document = {
                "header": {
                    "sellerId": self.s.gateway.creds.seller_id,
                    "version": "2.0",
                    "issueLocale": "en_US",
                },
                "messages": messages,
            }
            now = self.s.edits.clock()
            record: Json = {
                "intent": amazon_time(now) + f"/{marketplace_id}",
                "since": amazon_time(now - timedelta(seconds=1)),
                "marketplace": marketplace_id,
                "feed_id": None,
                "phase": "creating",
                "messages": {str(n): item.ids for n, item in enumerate(chosen, start=1)},
                "skus": {str(n): item.sku for n, item in enumerate(chosen, start=1)},
            }
            progress(ProgressUpdate(f"Sending one feed of {len(chosen)} listings to Amazon"))
            self.s.mark_sending(chosen)
            self._save([*self._records(), record])
            content = json.dumps(document).encode("utf-8")
            try:
                slot = self.s.gateway.feeds.create_document(cancel=cancel)
                self.s.gateway.feeds.upload(slot, content)
                feed_id = self.s.gateway.feeds.create(
                    FEED_TYPE, str(slot["feedDocumentId"]), [marketplace_id], cancel=cancel
                )
            except (OutcomeUnknown, BadResponse) as exc:  # sent; the answer unusable
                self._replace(record, {**record, "phase": "unknown"})
                with self.s.db.transaction() as uow:
                    self.s.repo.set_status(
                        uow.connection,
                        [i for item in chosen for i in item.ids],
                        ChangeStatus.UNKNOWN,
                        issues=[ChangeIssue(exc.message, "KINXPRO_LOST")],
                    )
                for item in chosen:
                    report.results.append(self._result(item.sku, marketplace_id, "unknown", item))
                continue
            except (SpApiError, Cancelled):
                # the feed was not created: the changes are staged again
                self._replace(record, None)
                with self.s.db.transaction() as uow:
                    self.s.repo.set_status(
                        uow.connection,
                        [i for item in chosen for i in item.ids],
                        ChangeStatus.STAGED,
                    )
                raise
            record = {**record, "feed_id": feed_id, "phase": "processing"}
            self._replace(record, record)
            self._save(self._records(), [*self._known(), feed_id])
            created.append(record)
        # every marketplace's feed is created first, so Amazon processes them side by side
        for record in created:
            self._track(record, cancel, progress, report)

    @staticmethod
    def _result(sku: str, marketplace_id: str, status: str, item: Item | None) -> Any:
        from kinxpro_desktop.services.listing_payloads import SkuResult

        fields = tuple(c.field for c in item.changes) if item is not None else ()
        return SkuResult(sku, marketplace_id, status, fields)

    # ------------------------------------------------------------------ resume
    def resume(self, cancel: CancelToken, progress: ProgressFn, report: SubmitReport) -> None:
        for record in self._records():
            current: Json | None = record
            if record["phase"] in ("unknown", "creating"):  # lost answer, or a crash
                current = self._find(record, cancel)
            if current is not None:
                self._track(current, cancel, progress, report)

    def _find(self, record: Json, cancel: CancelToken) -> Json | None:
        """After a lost createFeed: a feed created since the intent that Kinxpro does not
        know is ours; none means it was not created, and the changes are staged again."""
        known = set(self._known())
        found = [
            f
            for f in self.s.gateway.feeds.list([FEED_TYPE], cancel)
            if str(f.get("createdTime", "")) >= record["since"]
            and str(f.get("feedId")) not in known
            and record["marketplace"] in (f.get("marketplaceIds") or [record["marketplace"]])
        ]
        ids = [int(i) for ids in record["messages"].values() for i in ids]
        if not found:
            log.info("lost createFeed: no feed since %s; changes staged again", record["since"])
            self._replace(record, None)
            with self.s.db.transaction() as uow:
                self.s.repo.set_status(uow.connection, ids, ChangeStatus.STAGED, issues=())
            return None
        feed_id = str(sorted(found, key=lambda f: str(f.get("createdTime")))[0]["feedId"])
        adopted = {**record, "feed_id": feed_id, "phase": "processing"}
        self._replace(record, adopted)
        self._save(self._records(), [*known, feed_id])
        with self.s.db.transaction() as uow:
            self.s.repo.set_status(uow.connection, ids, ChangeStatus.SENDING)
        return adopted

    # ------------------------------------------------------------------ tracking
    def _track(
        self, record: Json, cancel: CancelToken, progress: ProgressFn, report: SubmitReport
    ) -> None:
        from kinxpro_desktop.services.sync.common import time_scale

        scale = time_scale(self.s.gateway)
        waited, interval = 0.0, FIRST_POLL_S
        feed_id = str(record["feed_id"])
        while True:
            feed = self.s.gateway.feeds.get(feed_id, cancel)
            status = feed["processingStatus"]
            if status in ("DONE", "FATAL", "CANCELLED"):
                break
            progress(ProgressUpdate(f"Amazon is processing feed {feed_id} ({status})"))
            if waited >= FEED_WAIT_S:
                log.info("feed %s still %s; the next Submit picks it up", feed_id, status)
                return
            if cancel.wait(interval / scale):
                raise Cancelled()
            waited += interval
            interval = min(MAX_POLL_S, interval * 1.5)
        from kinxpro_desktop.services.listing_payloads import Item, result_issues

        document = feed.get("resultFeedDocumentId")
        text = self.s.gateway.feeds.result(str(document), cancel) if document else ""
        by_message = result_issues(text) if text else {}
        general = _general_issues(text)
        changes = {
            c.change_id: c
            for c in self.s.repo.by_ids(
                [int(i) for ids in record["messages"].values() for i in ids]
            )
        }
        for message_id, ids in record["messages"].items():
            mine = [changes[int(i)] for i in ids if int(i) in changes]
            if not mine:
                continue
            item = Item(mine[0].sku, mine[0].marketplace_id, mine)
            issues = by_message.get(int(message_id), [])
            errors = [i for i in issues if i.severity == "ERROR"]
            if status != "DONE":
                errors = (
                    errors
                    or general
                    or [ChangeIssue(f"Amazon ended feed {feed_id} {status}; nothing was changed.")]
                )
            final = ChangeStatus.REJECTED if errors else ChangeStatus.ACCEPTED
            self.s.settle(item, final, errors or issues, via=f"feed {feed_id}")
            result = self._result(item.sku, item.marketplace_id, final, item)
            report.results.append(
                type(result)(
                    result.sku,
                    result.marketplace_id,
                    result.status,
                    result.fields,
                    tuple(i.text() for i in (errors or issues)),
                )
            )
        self._replace(record, None)


def _general_issues(text: str) -> list[ChangeIssue]:
    """Feed-level issues (no messageId), e.g. why a feed ended FATAL."""
    from kinxpro_desktop.services.listing_payloads import amazon_issues

    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return []
    raw = [
        i
        for i in (data.get("issues", []) if isinstance(data, dict) else [])
        if isinstance(i, dict) and "messageId" not in i
    ]
    return list(amazon_issues(raw))
