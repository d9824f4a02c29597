"""Package presets: named boxes, the package last shipped per SKU (as Amazon's Buy Shipping
remembers it after the first shipment), and the box used for multi-item orders.

Kept in the encrypted database's settings (key ``labels.packages``): sizes and SKUs, no buyer
data. Order of choice for an order: one SKU (any quantity 1) with a remembered package → that
package; several items → the multi-item box, weighing the sum of the known per-SKU weights
(or the box's own weight); otherwise the default box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.shipping import Package
from kinxpro_desktop.store.database import Database

KEY = "labels.packages"
DEFAULT_BOXES: dict[str, Package] = {
    "Small box": Package(10, 8, 4, 16, "Small box"),
    "Medium box": Package(14, 12, 6, 48, "Medium box"),
    "Large box": Package(18, 14, 10, 96, "Large box"),
    "Poly mailer": Package(12, 9, 1, 8, "Poly mailer"),
}
DEFAULT_BOX = "Small box"
MULTI_BOX = "Medium box"


def _package(raw: object, name: str) -> Package | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        p = Package(
            float(raw["length"]),
            float(raw["width"]),
            float(raw["height"]),
            float(raw["weight_oz"]),
            name,
        )
    except (KeyError, TypeError, ValueError):
        return None
    return p if min(p.length, p.width, p.height, p.weight_oz) > 0 else None


def _raw(p: Package) -> dict[str, float]:
    d = asdict(p)
    d.pop("preset")
    return d


class PackagePresets:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _state(self) -> dict[str, Any]:
        stored = self._db.settings.get(KEY, {})
        return dict(stored) if isinstance(stored, dict) else {}

    def boxes(self) -> dict[str, Package]:
        state = self._state()
        out = dict(DEFAULT_BOXES)
        for name, raw in dict(state.get("boxes") or {}).items():
            p = _package(raw, str(name))
            if p is not None:
                out[str(name)] = p
        return out

    def sku_package(self, sku: str) -> Package | None:
        raw = dict(self._state().get("skus") or {}).get(sku)
        return _package(raw, f"SKU {sku}")

    def multi_box(self) -> str:
        name = self._state().get("multi_box")
        return str(name) if isinstance(name, str) and name in self.boxes() else MULTI_BOX

    def for_order(self, order: Order) -> Package:
        lines = [(i.sku, i.quantity_ordered - i.quantity_shipped) for i in order.items]
        lines = [(sku, q) for sku, q in lines if q > 0] or [
            (i.sku, i.quantity_ordered) for i in order.items
        ]
        if len(lines) == 1 and lines[0][1] == 1:
            remembered = self.sku_package(lines[0][0])
            if remembered is not None:
                return remembered
        boxes = self.boxes()
        if sum(q for _, q in lines) > 1:
            box = boxes[self.multi_box()]
            weights = [self.sku_package(sku) for sku, _ in lines]
            if all(w is not None for w in weights):
                total = sum(w.weight_oz * q for w, (_, q) in zip(weights, lines, strict=True) if w)
                return Package(box.length, box.width, box.height, round(total, 1), box.preset)
            return box
        return boxes[DEFAULT_BOX]

    # -- writes ---------------------------------------------------------------------------
    def save_box(self, name: str, package: Package, *, now: datetime) -> None:
        name = name.strip()
        if not name:
            raise UserError("Give the box preset a name (for example 'Shoe box').")
        package.check()
        state = self._state()
        boxes = dict(state.get("boxes") or {})
        boxes[name] = _raw(package)
        state["boxes"] = boxes
        with self._db.transaction() as uow:
            uow.settings.set(KEY, state, now=now)

    def set_multi_box(self, name: str, *, now: datetime) -> None:
        if name not in self.boxes():
            raise UserError(f"There is no box preset named {name!r}; save it first.")
        state = self._state()
        state["multi_box"] = name
        with self._db.transaction() as uow:
            uow.settings.set(KEY, state, now=now)

    def remembered_after_purchase(self, order: Order, package: Package) -> dict[str, Any] | None:
        """The new settings value when a single-SKU order shipped in `package` (to be written
        in the purchase's own transaction), or None when there is nothing to remember."""
        skus = {i.sku for i in order.items if i.sku}
        if len(skus) != 1 or sum(i.quantity_ordered for i in order.items) != 1:
            return None
        state = self._state()
        remembered = dict(state.get("skus") or {})
        remembered[skus.pop()] = _raw(package)
        state["skus"] = remembered
        return state
