"""Frozen dataclasses passed between layers. No ORM row ever leaves store/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from kinxpro_desktop.core.listing_issues import ListingIssue as ListingIssue  # re-exported
from kinxpro_desktop.core.marketplaces import currency_decimals


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @property
    def minor_units(self) -> int:
        return int(self.amount.scaleb(currency_decimals(self.currency)).to_integral_value())

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(Decimal(minor).scaleb(-currency_decimals(currency)), currency)

    def __str__(self) -> str:
        return f"{self.amount:.{currency_decimals(self.currency)}f} {self.currency}"


@dataclass(frozen=True)
class OrderItem:
    order_item_id: str
    asin: str
    sku: str
    title: str
    quantity_ordered: int
    quantity_shipped: int
    item_price: Money
    item_tax: Money


@dataclass(frozen=True)
class Order:
    """An order without buyer PII; city/state/postal/country are not PII here."""

    order_id: str
    marketplace_id: str
    purchase_date: datetime
    last_updated: datetime
    status: str
    fulfillment_channel: str  # "MFN" (seller ships) or "AFN" (FBA)
    order_total: Money
    ship_city: str = ""
    ship_state: str = ""
    ship_postal_code: str = ""
    ship_country: str = ""
    ship_by: datetime | None = None
    deliver_by: datetime | None = None
    items: tuple[OrderItem, ...] = ()


@dataclass(frozen=True)
class OrderPii:
    """Buyer data needed to ship one order; deleted when the retention window ends."""

    order_id: str
    buyer_name: str = ""
    buyer_email: str = ""
    buyer_phone: str = ""
    recipient_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    address_line3: str = ""
    company: str = ""
    gift_message: str = ""
    delivery_instructions: str = ""

    def __repr__(self) -> str:  # never print buyer data by accident
        return f"OrderPii(order_id={self.order_id!r}, <redacted>)"


@dataclass(frozen=True)
class Listing:
    sku: str
    marketplace_id: str
    asin: str
    title: str
    price: Money | None
    quantity: int | None
    status: str
    fulfillment_channel: str
    issues: tuple[ListingIssue, ...] = ()  # as Amazon reports them, errors first


@dataclass(frozen=True)
class AuditEntry:
    entry_id: int
    at: datetime
    event: str
    actor: str
    object_ids: tuple[str, ...]
    detail: dict[str, object] = field(default_factory=dict, compare=False)
    prev_hash: str = ""
    entry_hash: str = ""


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries_checked: int
    broken_at: int | None = None  # entry id of the first broken link
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"Audit chain intact ({self.entries_checked} entries checked)."
        return f"Audit chain broken at entry {self.broken_at}: {self.reason}"


@dataclass(frozen=True)
class WipeResult:
    at: datetime
    cutoff: datetime
    orders_wiped: int
    labels_wiped: int
    day_keys_destroyed: int = 0  # crypto-shredding: day keys destroyed by this wipe


@dataclass(frozen=True)
class DisposalFinding:
    """PII found past the window; order ids only."""

    kind: str  # "order_pii" or "label_document"
    order_ids: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.order_ids[:5])
        more = f" and {len(self.order_ids) - 5} more" if len(self.order_ids) > 5 else ""
        return f"{len(self.order_ids)} {self.kind} row(s) past the window: {shown}{more}"


@dataclass(frozen=True)
class EncryptionStatus:
    sqlcipher_version: str
    cipher: str
    key_source: str  # "keyring (SecretService)" or "passphrase"
    database_path: str


@dataclass(frozen=True)
class PrivacyStatus:
    encryption: EncryptionStatus
    retention_days: int
    last_wipe_at: datetime | None
    last_wipe_orders: int | None
    orders_with_pii: int
    audit_entries: int


@dataclass(frozen=True)
class IntegrityReport:
    """The database file's own checks (page HMACs, b-tree structure); pages, not content."""

    full: bool  # with integrity_check (verify), not only the page HMACs (timer, sync)
    findings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def describe(self) -> str:
        if self.ok:
            checked = "page HMACs and structure" if self.full else "page HMACs"
            return f"Database file intact ({checked} checked)."
        shown = "; ".join(self.findings[:5])
        more = f" and {len(self.findings) - 5} more" if len(self.findings) > 5 else ""
        return f"Database file damaged: {shown}{more}."
