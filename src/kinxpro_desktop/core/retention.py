"""The PII retention rule.

An order's buyer data is deleted once `days` have passed since the order was
placed. The seller may shorten the window (1 to 30 days), never lengthen it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kinxpro_desktop.core.errors import InvalidSetting

MAX_RETENTION_DAYS = 30
MIN_RETENTION_DAYS = 1
DEFAULT_RETENTION_DAYS = MAX_RETENTION_DAYS
WIPE_INTERVAL_SECONDS = 15 * 60

# Fields deleted by a wipe. City, state, postal code and country are not PII here:
# Amazon's own non-PII order reports carry them.
PII_FIELDS = (
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "recipient_name",
    "address_line1",
    "address_line2",
    "address_line3",
    "company",
    "gift_message",
    "delivery_instructions",
)


def parse_retention_days(value: object) -> int:
    """Validate a retention period typed by a user or read from storage."""
    if isinstance(value, bool):
        raise InvalidSetting("Retention must be a whole number of days from 1 to 30.")
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only, and few of them: int() takes "٣" and fails on "²" or 5000 digits.
        if not (text.isascii() and len(text) <= 6 and text.lstrip("-").isdigit()):
            raise InvalidSetting(
                f"Retention must be a whole number of days from 1 to 30; got {text[:20]!r}."
            )
        value = int(text)
    if not isinstance(value, int):
        raise InvalidSetting("Retention must be a whole number of days from 1 to 30.")
    if value < MIN_RETENTION_DAYS:
        raise InvalidSetting(
            f"Retention must be at least {MIN_RETENTION_DAYS} day; got {value}. "
            "Buyer data is needed to ship an order."
        )
    if value > MAX_RETENTION_DAYS:
        raise InvalidSetting(
            f"Retention cannot be longer than {MAX_RETENTION_DAYS} days (got {value}): "
            "Amazon's Data Protection Policy and Kinxpro's privacy promise forbid it."
        )
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def cutoff(now: datetime, days: int) -> datetime:
    """Orders placed at or before this moment are past the window."""
    return as_utc(now) - timedelta(days=parse_retention_days(days))


def is_past_window(placed_at: datetime, now: datetime, days: int) -> bool:
    return as_utc(placed_at) <= cutoff(now, days)


def expires_at(placed_at: datetime, days: int) -> datetime:
    return as_utc(placed_at) + timedelta(days=parse_retention_days(days))
