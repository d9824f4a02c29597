"""The demo simulator's world across restarts.

Demo mode keeps an encrypted store synced against the simulator. When the demo is reopened,
the simulator must be the same world (seed, size and origin fix every order id and
timestamp) and its clock must not be behind the store's watermarks. ``demo-simulator.json``
in the demo data folder keeps exactly that: the seed, the world's size and origin, and the
simulated time reached; no credentials, no buyer data (the world is regenerated from them).
It is written when the simulator starts, every few seconds while it runs and when it stops,
atomically (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "demo-simulator.json"
VERSION = 1
SAVE_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class SavedWorld:
    seed: int
    orders: int
    days: int
    listings: int
    origin: datetime  # the world's origin
    reached: datetime  # the simulated time reached when last saved

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": VERSION,
                "seed": self.seed,
                "orders": self.orders,
                "days": self.days,
                "listings": self.listings,
                "origin": self.origin.isoformat(),
                "reached": self.reached.isoformat(),
            },
            indent=2,
        )


def _aware(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a date-time string")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment


def _count(value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError("not a count")
    return value


def read(path: Path) -> SavedWorld | None:
    """The saved world, or None when there is none or it cannot be used (a damaged file
    starts a new world; the sync then sees a different Amazon, as after a store reset)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("demo simulator state %s unreadable (%s); starting a new world", path, exc)
        return None
    try:
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            raise ValueError("unknown version")
        saved = SavedWorld(
            seed=_count(raw.get("seed"), -(2**63)),
            orders=_count(raw.get("orders"), 0),
            days=_count(raw.get("days"), 1),
            listings=_count(raw.get("listings"), 1),
            origin=_aware(raw.get("origin")),
            reached=_aware(raw.get("reached")),
        )
    except (ValueError, TypeError) as exc:
        log.warning("demo simulator state %s not usable (%s); starting a new world", path, exc)
        return None
    return saved


def write(path: Path, saved: SavedWorld) -> None:
    """Atomically replace `path`; a folder that does not exist (yet) is skipped."""
    if not path.parent.is_dir():
        return
    fd, tmp = tempfile.mkstemp(prefix=".demo-simulator-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(saved.to_json())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not save the demo simulator state to %s: %s", path, exc)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
