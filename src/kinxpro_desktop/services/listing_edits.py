"""Listing edits: stage price and quantity changes (validated first), bulk edits of a selection,
the pending list with discard, conflicts the seller decides, and Submit (services/listing_submit).

Staged changes are rows in the encrypted store, so they survive restarts and go at the next
Submit once the connection is back. Nothing here talks to Amazon except `submit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from kinxpro_desktop.core.listing_edits import (
    PRICE,
    QUANTITY,
    BulkEdit,
    ChangeStatus,
    InvalidEdit,
    StagedChange,
    check_price,
    check_quantity,
    format_value,
    parse_price,
    parse_quantity,
)
from kinxpro_desktop.core.marketplaces import DEFAULT_MARKETPLACE_ID, currency_of
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.models import Listing
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, no_progress
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent, Channel
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.staged_changes import StagedChangeRepository

if TYPE_CHECKING:
    from kinxpro_desktop.services.listing_payloads import SubmitReport
    from kinxpro_desktop.spapi.gateway import SpApiGateway

FBA_QUANTITY = (
    "{sku} is fulfilled by Amazon (FBA): its quantity is the stock in Amazon's fulfilment "
    "centres and cannot be set here. Send or remove inventory in Seller Central ▸ Inventory ▸ "
    "Send to Amazon; Kinxpro shows the new quantity after the next sync."
)


class GatewaySource(Protocol):
    """The Connection service (or anything with its `gateway()`)."""

    def gateway(self) -> SpApiGateway: ...


@dataclass(frozen=True)
class EditValue:
    """A typed value (text from a cell or the command line) or an already-parsed one."""

    price: str | Decimal | None = None
    quantity: str | int | None = None


class ListingEdits:
    def __init__(
        self,
        db: Database,
        connection: GatewaySource,
        *,
        clock: Callable[[], datetime] = utcnow,
        feed_threshold: int | None = None,
    ) -> None:
        self.db = db
        #: more accepted SKUs than this go as one JSON_LISTINGS_FEED (None: the default
        #: derived from the rate limits, listing_submit.PATCH_THRESHOLD)
        self.feed_threshold = feed_threshold
        self.connection = connection
        self.clock = clock
        self.changes = StagedChangeRepository(db.engine)

    # ------------------------------------------------------------------ reads
    def pending(self) -> list[StagedChange]:
        """Open changes (staged, conflicts, sent and waiting, answer lost), oldest first."""
        return self.changes.open_changes()

    def results_since(self, since: datetime) -> list[StagedChange]:
        return self.changes.recent(since)

    def listing(self, sku: str, marketplace_id: str) -> Listing:
        found = self.db.listings.get(marketplace_id, sku)
        if found is None:
            raise InvalidEdit(
                f"There is no listing {sku!r} in {market_label(marketplace_id)} in Kinxpro: "
                "check the SKU and the marketplace (--marketplace), or run a sync first."
            )
        return found

    # ------------------------------------------------------------------ validation
    def validate(
        self, listing: Listing, value: EditValue, decimal_point: str = "."
    ) -> list[tuple[str, str | None, str]]:
        """(field, old, new) for each value given, every one validated; nothing is staged
        when any is invalid."""
        if value.price is None and value.quantity is None:
            raise InvalidEdit("Give a new price or a new quantity (or both).")
        currency = listing.price.currency if listing.price else currency_of(listing.marketplace_id)
        out: list[tuple[str, str | None, str]] = []
        if value.price is not None:
            if isinstance(value.price, Decimal):
                price = check_price(value.price, currency)
            else:
                price = parse_price(str(value.price), currency, decimal_point)
            old = format_value(PRICE, listing.price.amount, currency) if listing.price else None
            out.append((PRICE, old, format_value(PRICE, price, currency) or ""))
        if value.quantity is not None:
            if listing.fulfillment_channel == Channel.AFN:
                raise InvalidEdit(FBA_QUANTITY.format(sku=listing.sku))
            if isinstance(value.quantity, int) and not isinstance(value.quantity, bool):
                quantity = check_quantity(value.quantity)
            else:
                quantity = parse_quantity(str(value.quantity))
            old_q = None if listing.quantity is None else str(listing.quantity)
            out.append((QUANTITY, old_q, str(quantity)))
        return out

    # ------------------------------------------------------------------ staging
    def stage(
        self,
        sku: str,
        marketplace_id: str = DEFAULT_MARKETPLACE_ID,
        value: EditValue | None = None,
        *,
        decimal_point: str = ".",
        actor: str = Actor.OWNER,
    ) -> list[StagedChange]:
        """Validate and stage the new price and/or quantity of one listing."""
        self.db.access.require(Permission.CHANGE_LISTINGS)  # only an owner
        listing = self.listing(sku, marketplace_id)
        edits = self.validate(listing, value or EditValue(), decimal_point)
        return self._stage_many([(listing, edits)], actor)

    def stage_bulk(
        self,
        keys: Sequence[tuple[str, str]],
        edit: BulkEdit,
        *,
        actor: str = Actor.OWNER,
    ) -> list[StagedChange]:
        """Apply `edit` to every (sku, marketplace) of a selection: all are validated first;
        if any value is invalid nothing is staged and the message names the SKU."""
        self.db.access.require(Permission.CHANGE_LISTINGS)  # only an owner
        if not keys:
            raise InvalidEdit("Select one or more listings first.")
        planned = []
        for sku, marketplace_id in keys:
            listing = self.listing(sku, marketplace_id)
            currency = (
                listing.price.currency if listing.price else currency_of(listing.marketplace_id)
            )
            if edit.field == QUANTITY and listing.fulfillment_channel == Channel.AFN:
                raise InvalidEdit(FBA_QUANTITY.format(sku=sku))
            old: Decimal | int | None
            old = listing.price.amount if edit.field == PRICE and listing.price else None
            if edit.field == QUANTITY:
                old = listing.quantity
            try:
                new = edit.apply(old, currency)
            except InvalidEdit as exc:
                raise InvalidEdit(f"{sku}: {exc.message} Nothing was staged.") from None
            planned.append(
                (
                    listing,
                    [
                        (
                            edit.field,
                            format_value(edit.field, old, currency),
                            format_value(edit.field, new, currency) or "",
                        )
                    ],
                )
            )
        return self._stage_many(planned, actor)

    def _stage_many(
        self, planned: Sequence[tuple[Listing, list[tuple[str, str | None, str]]]], actor: str
    ) -> list[StagedChange]:
        now = self.clock()
        ids: list[int] = []
        with self.db.transaction() as uow:
            for listing, edits in planned:
                for field, old, new in edits:
                    ids.append(
                        self.changes.stage(
                            uow.connection,
                            sku=listing.sku,
                            marketplace_id=listing.marketplace_id,
                            field=field,
                            old_value=old,
                            new_value=new,
                            now=now,
                        )
                    )
            uow.audit.append(
                AuditEvent.LISTING_CHANGE,
                actor,
                sorted({listing.sku for listing, _ in planned}),
                {"action": "staged", "changes": len(ids)},
            )
        return self.changes.by_ids(ids)

    def discard(self, change_ids: Sequence[int], *, actor: str = Actor.OWNER) -> int:
        """Drop staged or conflicting changes (a change already sent cannot be discarded)."""
        self.db.access.require(Permission.CHANGE_LISTINGS)  # only an owner
        with self.db.transaction() as uow:
            gone = self.changes.discard(uow.connection, change_ids)
            if gone:
                uow.audit.append(
                    AuditEvent.LISTING_CHANGE,
                    actor,
                    sorted({c.sku for c in gone}),
                    {"action": "discarded", "changes": len(gone)},
                )
        return len(gone)

    def resolve_conflict(
        self, change_id: int, *, keep_mine: bool, actor: str = Actor.OWNER
    ) -> StagedChange | None:
        """The seller's choice for a held change: keep theirs (staged again, against Amazon's
        current value) or take Amazon's (the change is dropped)."""
        self.db.access.require(Permission.CHANGE_LISTINGS)  # only an owner
        found = self.changes.by_ids([change_id])
        if not found or found[0].status is not ChangeStatus.CONFLICT:
            raise InvalidEdit("That change is not waiting for a decision any more.")
        change = found[0]
        with self.db.transaction() as uow:
            if keep_mine:
                self.changes.set_status(
                    uow.connection,
                    [change_id],
                    ChangeStatus.STAGED,
                    issues=(),
                    old_value=change.amazon_value,
                )
            else:
                self.changes.discard(uow.connection, [change_id])
            uow.audit.append(
                AuditEvent.LISTING_CHANGE,
                actor,
                [change.sku],
                {"action": "conflict_kept" if keep_mine else "conflict_took_amazon"},
            )
        after = self.changes.by_ids([change_id])
        return after[0] if after else None

    # ------------------------------------------------------------------ submit
    def submit(
        self,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
        *,
        preview_only: bool = False,
        change_ids: Sequence[int] | None = None,
        actor: str = Actor.OWNER,
    ) -> SubmitReport:
        """Preview with Amazon, then apply (patches or one feed) and track each change to its
        final state; see services/listing_submit.py."""
        self.db.access.require(Permission.CHANGE_LISTINGS)  # only an owner
        from kinxpro_desktop.services.listing_submit import Submitter

        submitter = Submitter(self, self.connection.gateway(), actor=actor)
        return submitter.run(cancel or CancelToken(), progress, preview_only, change_ids)
