"""Inputs for the printed documents (packing slips, pick lists) and decoded shipping labels.

Built from core.models' Order / OrderItem / OrderPii; the ship-to block is buyer PII, so its
repr is redacted like OrderPii's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order, OrderPii


@dataclass(frozen=True)
class ShipTo:
    """The recipient block of a packing slip (PII: deleted with the order's buyer data)."""

    name: str = ""
    company: str = ""
    lines: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""

    def block(self) -> list[str]:
        """Lines as printed: name, company, street lines, "City, ST 12345", country; in
        Japan the way Japanese post is addressed: 〒postal code, prefecture and city, street
        lines, company, then the name with 様 (no country line for a domestic parcel)."""
        if self.country.upper() == "JP":
            return [
                line
                for line in (
                    f"〒{self.postal_code}" if self.postal_code else "",
                    f"{self.state}{self.city}",
                    *self.lines,
                    self.company,
                    f"{self.name} 様" if self.name else "",
                )
                if line
            ]
        place = ", ".join(p for p in (self.city, f"{self.state} {self.postal_code}".strip()) if p)
        return [
            line for line in (self.name, self.company, *self.lines, place, self.country) if line
        ]

    def __repr__(self) -> str:
        return "ShipTo(<redacted>)"


@dataclass(frozen=True)
class SlipLine:
    sku: str
    title: str
    quantity: int
    asin: str = ""


@dataclass(frozen=True)
class PackingSlip:
    order_id: str
    order_date: datetime
    ship_to: ShipTo
    items: tuple[SlipLine, ...]
    marketplace_id: str = ""
    ship_from: tuple[str, ...] = ()  # the seller's return address lines
    gift_message: str = ""

    @classmethod
    def from_order(
        cls, order: Order, pii: OrderPii | None = None, ship_from: tuple[str, ...] = ()
    ) -> PackingSlip:
        """The slip for one order; without buyer data (past retention) the ship-to block holds
        only the non-PII city/state/postal code/country."""
        lines = tuple(
            x
            for x in ((pii.address_line1, pii.address_line2, pii.address_line3) if pii else ())
            if x
        )
        ship_to = ShipTo(
            name=(pii.recipient_name or pii.buyer_name) if pii else "",
            company=pii.company if pii else "",
            lines=lines,
            city=order.ship_city,
            state=order.ship_state,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
        )
        items = tuple(
            SlipLine(sku=i.sku, title=i.title, quantity=i.quantity_ordered, asin=i.asin)
            for i in order.items
        )
        return cls(
            order_id=order.order_id,
            order_date=order.purchase_date,
            ship_to=ship_to,
            items=items,
            marketplace_id=order.marketplace_id,
            ship_from=ship_from,
            gift_message=pii.gift_message if pii else "",
        )

    def __repr__(self) -> str:
        return f"PackingSlip(order_id={self.order_id!r}, items={len(self.items)}, <redacted>)"


class LabelKind(StrEnum):
    """The real format of label bytes, detected from the bytes themselves."""

    PDF = "PDF"
    PNG = "PNG"
    ZPL = "ZPL"

    @property
    def mime(self) -> str:
        return {"PDF": "application/pdf", "PNG": "image/png", "ZPL": "application/zpl"}[self]


@dataclass(frozen=True)
class LabelFile:
    """A decoded label, ready to print; its bytes hold the buyer's address (PII)."""

    data: bytes
    kind: LabelKind
    declared_format: str  # what Amazon said (LabelFormat or FileType), kept for the record
    checksum_verified: bool  # False only when Amazon sent no checksum (gzip's CRC still held)

    def __repr__(self) -> str:
        return (
            f"LabelFile(kind={self.kind}, bytes={len(self.data)}, "
            f"declared={self.declared_format!r}, checksum_verified={self.checksum_verified})"
        )


class LabelDecodeError(UserError):
    title = "Label unreadable"
