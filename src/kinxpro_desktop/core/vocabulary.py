"""Order statuses, channels, audit events and actors: one definition each.

The store and UI use Orders v0 status spellings ("Unshipped"); Orders 2026-01-01's
fulfillmentStatus values are mapped onto them at the SP-API boundary (spapi.mapping).
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_AVAILABILITY = "PendingAvailability"
    PENDING = "Pending"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed"

    @property
    def label(self) -> str:
        """What a seller reads (Seller Central's words)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    OrderStatus.PENDING_AVAILABILITY: "Pending availability",
    OrderStatus.PENDING: "Pending",
    OrderStatus.UNSHIPPED: "Unshipped",
    OrderStatus.PARTIALLY_SHIPPED: "Partially shipped",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.CANCELED: "Cancelled",
    OrderStatus.UNFULFILLABLE: "Unfulfillable",
    OrderStatus.INVOICE_UNCONFIRMED: "Invoice unconfirmed",
}

#: Orders 2026-01-01 fulfillmentStatus -> OrderStatus
STATUS_2026: dict[str, OrderStatus] = {
    "PENDING_AVAILABILITY": OrderStatus.PENDING_AVAILABILITY,
    "PENDING": OrderStatus.PENDING,
    "UNSHIPPED": OrderStatus.UNSHIPPED,
    "PARTIALLY_SHIPPED": OrderStatus.PARTIALLY_SHIPPED,
    "SHIPPED": OrderStatus.SHIPPED,
    "CANCELLED": OrderStatus.CANCELED,
    "UNFULFILLABLE": OrderStatus.UNFULFILLABLE,
}

#: statuses of an order the seller still has to ship (v0 spelling, as stored)
AWAITING_SHIPMENT: frozenset[str] = frozenset(
    {OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED}
)


def status_label(value: str) -> str:
    """A stored status in a seller's words; unknown values are shown as they are."""
    try:
        return OrderStatus(value).label
    except ValueError:
        return value


class Channel(StrEnum):
    MFN = "MFN"  # merchant fulfilled: the seller ships
    AFN = "AFN"  # fulfilled by Amazon (FBA)

    @property
    def label(self) -> str:
        return "Merchant (FBM)" if self is Channel.MFN else "Amazon (FBA)"


class AuditEvent(StrEnum):
    UNLOCK = "unlock"
    UNLOCK_FAILED = "unlock_failed"
    WIPE = "wipe"
    VERIFY = "verify"
    VERIFY_CHAIN = "verify_chain"
    SETTINGS_CHANGED = "settings_changed"
    CREDENTIALS_CHANGED = "credentials_changed"
    CREDENTIALS_REMOVED = "credentials_removed"
    CREDENTIALS_SHOWN = "credentials_shown"  # `account show` (masked)
    REVEAL = "reveal"
    SYNC = "sync"
    PII_FETCH = "pii_fetch"
    EGRESS_REFUSED = "egress_refused"
    SECURITY_ALERT = "security_alert"
    LABEL_PURCHASE = "label_purchase"
    LABEL_PRINT = "label_print"
    LABEL_VOID = "label_void"
    SHIPMENT_CONFIRMED = "shipment_confirmed"
    LISTING_CHANGE = "listing_change"
    DOCUMENT_SAVED = "document_saved"
    DOCUMENT_PRINTED = "document_printed"
    EXPORT = "export"
    REPORT = "report"
    # privacy center (issue 13)
    WIPE_JOB = "wipe_job"  # the wipe-while-closed job installed or removed
    WIPE_JOB_RUN = "wipe_job_run"  # one run of that job (actor wipe-job)
    DISPOSAL_RECEIPT = "disposal_receipt"
    COMPLIANCE_REPORT = "compliance_report"
    INCIDENT_REPORT = "incident_report"
    BACKUP_CREATED = "backup_created"
    BACKUP_RESTORED = "backup_restored"
    # operator roles (issue 13 item 4)
    OPERATOR_ADDED = "operator_added"
    OPERATOR_REMOVED = "operator_removed"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    OPERATOR_LOCKED = "operator_locked"  # too many wrong passwords: locked for a while
    OPERATOR_SWITCHED = "operator_switched"


class Actor(StrEnum):
    OWNER = "owner"
    SYSTEM = "system"
    SYNC = "sync"
    CLI = "cli"
    WIPE_JOB = "wipe-job"  # the scheduled wipe while the app is closed
    UNKNOWN = "unknown"
