"""Reading a period of the audit log (reports, receipts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from kinxpro_desktop.core.models import AuditEntry
from kinxpro_desktop.store.database import Database

_PAGE = 500


def entries_between(db: Database, start: datetime, end: datetime) -> Iterator[AuditEntry]:
    """Audit entries with start <= at < end, newest first by id (paged). Stops after a whole
    page older than `start`: a clock set back for a while cannot hide entries behind it."""
    offset = 0
    while True:
        page = db.audit.entries(_PAGE, offset)
        for entry in page:
            if start <= entry.at < end:
                yield entry
        if len(page) < _PAGE or all(e.at < start for e in page):
            return
        offset += _PAGE
