"""Price and quantity edits: parsing, validation and bulk arithmetic (no I/O), and the staged
change as the layers pass it around.

Validation happens before anything is staged: a price is > 0 with at most the currency's
decimals (none for JPY) and below a sanity cap; a quantity is a whole number >= 0 below a cap.
The UI passes its locale's decimal point ("," in de-DE, fr-FR, …) so "12,50" means 12.50 there,
and is refused, not silently read as 1250, where the decimal point is ".".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import currency_decimals

PRICE = "price"
QUANTITY = "quantity"
FIELDS = (PRICE, QUANTITY)

#: sanity caps: a value above these is a typo far more often than a real price or stock level
MAX_PRICE = Decimal("100000")  # in the currency's major unit (JPY: 10,000,000, see max_price)
MAX_QUANTITY = 100_000


class InvalidEdit(UserError):
    """A value the seller typed that cannot be staged; the message says what to type."""

    title = "Check the value"


class ChangeStatus(StrEnum):
    STAGED = "staged"  # waiting for Submit
    CONFLICT = "conflict"  # Amazon's value changed since staging: held, the seller chooses
    SENDING = "sending"  # intent recorded, the patch or feed is on its way / being processed
    UNKNOWN = "unknown"  # sent, answer lost: reconciled with Amazon before anything is resent
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ChangeStatus.STAGED: "Staged",
    ChangeStatus.CONFLICT: "Changed on Amazon: choose",
    ChangeStatus.SENDING: "Sent, waiting for Amazon",
    ChangeStatus.UNKNOWN: "Answer lost: checking with Amazon",
    ChangeStatus.ACCEPTED: "Accepted",
    ChangeStatus.REJECTED: "Rejected",
}

#: a change in one of these is still the seller's business (shown in Pending changes)
OPEN_STATUSES = frozenset(
    {ChangeStatus.STAGED, ChangeStatus.CONFLICT, ChangeStatus.SENDING, ChangeStatus.UNKNOWN}
)


@dataclass(frozen=True)
class ChangeIssue:
    """An issue Amazon (or Kinxpro, code "KINXPRO_*") reported on a change."""

    message: str
    code: str = ""
    severity: str = "ERROR"
    attribute: str = ""
    amazon_value: str | None = None  # for conflicts: Amazon's value now

    def text(self) -> str:
        where = f" [{self.attribute}]" if self.attribute else ""
        code = f"{self.code}: " if self.code and not self.code.startswith("KINXPRO") else ""
        return f"{code}{self.message}{where}"


@dataclass(frozen=True)
class StagedChange:
    change_id: int
    sku: str
    marketplace_id: str
    field: str  # PRICE | QUANTITY
    old_value: str | None  # as Kinxpro knew it when the change was staged
    new_value: str
    status: ChangeStatus
    issues: tuple[ChangeIssue, ...]
    created_at: datetime
    submitted_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.marketplace_id, self.sku)

    @property
    def amazon_value(self) -> str | None:
        """Amazon's value when the change is held as a conflict."""
        for issue in self.issues:
            if issue.amazon_value is not None:
                return issue.amazon_value
        return None

    def issue_text(self) -> str:
        return "; ".join(i.text() for i in self.issues)


# ---------------------------------------------------------------------------------- parsing
def max_price(currency: str) -> Decimal:
    return MAX_PRICE * 100 if currency_decimals(currency) == 0 else MAX_PRICE


def _example(decimal_point: str, decimals: int) -> str:
    return "1500" if decimals == 0 else f"12{decimal_point}99"


def parse_number(text: str, decimal_point: str = ".") -> Decimal | None:
    """`text` as a number written with `decimal_point` (and optional digit grouping with the
    other separator, e.g. "1.234,50" under ","); None when it is not such a number."""
    if decimal_point not in (".", ","):
        raise ValueError(f"unsupported decimal point {decimal_point!r}")
    group = "," if decimal_point == "." else "."
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    dp, gp = re.escape(decimal_point), re.escape(group)
    pattern = rf"[+-]?(?:\d+|\d{{1,3}}(?:{gp}\d{{3}})+)(?:{dp}\d+)?|[+-]?{dp}\d+"
    if not re.fullmatch(pattern, raw):
        return None
    try:
        return Decimal(raw.replace(group, "").replace(decimal_point, "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def check_price(value: Decimal, currency: str, shown: str | None = None) -> Decimal:
    """`value` if it is a valid price in `currency`, else InvalidEdit with what to do."""
    decimals = currency_decimals(currency)
    shown = shown if shown is not None else str(value)
    if not value.is_finite():
        raise InvalidEdit(f"{shown!r} is not a price: type a number such as 12.99.")
    if value <= 0:
        raise InvalidEdit(f"The price must be more than 0 (you typed {shown}).")
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > decimals:
        if decimals == 0:
            raise InvalidEdit(
                f"Prices in {currency} have no decimals: type a whole amount such as "
                f"{value.to_integral_value(ROUND_HALF_UP)} instead of {shown}."
            )
        raise InvalidEdit(
            f"Prices in {currency} have at most {decimals} decimals; {shown} has {places}. "
            f"Round it, e.g. {value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)}."
        )
    cap = max_price(currency)
    if value > cap:
        raise InvalidEdit(
            f"{shown} {currency} is above Kinxpro's sanity limit of {cap:,} {currency}: check "
            "the value (a missing decimal point?)."
        )
    return value.quantize(Decimal(1).scaleb(-decimals))


def parse_price(text: str, currency: str, decimal_point: str = ".") -> Decimal:
    """A price typed by the seller, validated for `currency`."""
    decimals = currency_decimals(currency)
    example = _example(decimal_point, decimals)
    if not text.strip():
        raise InvalidEdit(f"Enter a price, for example {example}.")
    value = parse_number(text, decimal_point)
    if value is None:
        other = "," if decimal_point == "." else "."
        if parse_number(text, other) is not None:
            raise InvalidEdit(
                f"{text.strip()!r}: use {decimal_point!r} as the decimal point here "
                f"(for example {example})."
            )
        raise InvalidEdit(f"{text.strip()!r} is not a price: type a number such as {example}.")
    return check_price(value, currency, text.strip())


def check_quantity(value: int) -> int:
    if value < 0:
        raise InvalidEdit(f"The quantity cannot be negative (you typed {value}); type 0 or more.")
    if value > MAX_QUANTITY:
        raise InvalidEdit(
            f"{value:,} is above Kinxpro's sanity limit of {MAX_QUANTITY:,} units: check the "
            "quantity."
        )
    return value


def parse_quantity(text: str) -> int:
    raw = text.strip()
    if not raw:
        raise InvalidEdit("Enter a quantity: a whole number, 0 or more.")
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise InvalidEdit(f"{raw!r} is not a whole number: type a quantity such as 12.")
    return check_quantity(int(raw))


# ------------------------------------------------------------------------------------ bulk
class BulkMode(StrEnum):
    SET = "set"  # every selected listing gets the value
    ADD = "add"  # add the value (negative: subtract)
    PERCENT = "percent"  # change by this many percent (-10: ten percent off)


@dataclass(frozen=True)
class BulkEdit:
    field: str
    mode: BulkMode
    amount: Decimal

    def apply(self, old: Decimal | int | None, currency: str) -> Decimal | int:
        """The new value for one listing (rounded to the currency's minor unit, or to a whole
        unit for quantities); validated like a typed value."""
        if self.mode is not BulkMode.SET and old is None:
            raise InvalidEdit(
                f"A listing has no {self.field} yet, so it cannot be adjusted: set a value instead."
            )
        base = Decimal(old) if old is not None else Decimal(0)
        if self.mode is BulkMode.SET:
            new = self.amount
        elif self.mode is BulkMode.ADD:
            new = base + self.amount
        else:
            new = base * (1 + self.amount / 100)
        if self.field == QUANTITY:
            whole = new.to_integral_value(ROUND_HALF_UP)
            if self.mode is BulkMode.SET and whole != new:
                raise InvalidEdit(f"{self.amount} is not a whole number of units.")
            return check_quantity(int(whole))
        decimals = currency_decimals(currency)
        if self.mode is BulkMode.SET:
            return check_price(new, currency)
        rounded = new.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        return check_price(rounded, currency)


def format_value(field: str, value: Decimal | int | None, currency: str) -> str | None:
    """The stored text of a value (prices with the currency's decimals)."""
    if value is None:
        return None
    if field == QUANTITY:
        return str(int(value))
    decimals = currency_decimals(currency)
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))


def same_value(field: str, a: str | None, b: str | None, currency: str) -> bool:
    """Equal once rounded to the field's unit (Amazon may answer 12.5 for 12.50)."""
    if a is None or b is None:
        return a is b
    try:
        return format_value(field, Decimal(a), currency) == format_value(
            field, Decimal(b), currency
        )
    except InvalidOperation:
        return a == b
