"""ISO-8601 UTC text for timestamps in the database."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    # isoformat is ~5x faster than strftime and gives the same text for these fields.
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def opt_to_db(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
