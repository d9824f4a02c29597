"""Report runs and their parsed rows (tables report_runs, report_rows).

A run is recorded before createReport is sent (status REQUESTED: the intent), then follows
Amazon's processingStatus. Its rows are stored in one transaction together with the DONE
status, so a run is either fully parsed or has no rows at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update

from kinxpro_desktop.store.schema import report_rows, report_runs
from kinxpro_desktop.store.timefmt import from_db, opt_from_db, opt_to_db, to_db

#: rows inserted per statement while storing a parsed document
_INSERT_BATCH = 1000


@dataclass(frozen=True)
class ReportRun:
    run_id: int
    report_type: str
    marketplace_id: str
    status: str  # REQUESTED | IN_QUEUE | IN_PROGRESS | DONE | CANCELLED | FATAL | FAILED
    requested_at: datetime
    completed_at: datetime | None
    data_start: datetime | None
    data_end: datetime | None
    row_count: int
    error: str
    amazon_report_id: str
    document_id: str


def _run(r: Row[Any]) -> ReportRun:
    return ReportRun(
        run_id=r.id,
        report_type=r.report_type,
        marketplace_id=r.marketplace_id,
        status=r.status,
        requested_at=from_db(r.requested_at),
        completed_at=opt_from_db(r.completed_at),
        data_start=opt_from_db(r.data_start),
        data_end=opt_from_db(r.data_end),
        row_count=r.row_count,
        error=r.error,
        amazon_report_id=r.amazon_report_id or "",
        document_id=r.document_id,
    )


class ReportRepository:
    """Reads on the engine; writes through the unit of work (`uow.reports`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- reads ------------------------------------------------------------------------
    def runs(self, limit: int = 200, report_type: str | None = None) -> list[ReportRun]:
        q = select(report_runs).order_by(report_runs.c.id.desc()).limit(limit)
        if report_type is not None:
            q = q.where(report_runs.c.report_type == report_type)
        with self._engine.connect() as conn:
            return [_run(r) for r in conn.execute(q)]

    def run(self, run_id: int) -> ReportRun | None:
        with self._engine.connect() as conn:
            r = conn.execute(select(report_runs).where(report_runs.c.id == run_id)).first()
        return _run(r) if r is not None else None

    def last_done(self, report_type: str, marketplace_id: str | None) -> ReportRun | None:
        """The newest DONE run of this type for this marketplace (regeneration limits), or
        for any marketplace when it is None (scheduled refresh)."""
        q = (
            select(report_runs)
            .where(report_runs.c.report_type == report_type, report_runs.c.status == "DONE")
            .order_by(report_runs.c.id.desc())
            .limit(1)
        )
        if marketplace_id is not None:
            q = q.where(report_runs.c.marketplace_id == marketplace_id)
        with self._engine.connect() as conn:
            r = conn.execute(q).first()
        return _run(r) if r is not None else None

    def known_amazon_ids(self, report_type: str) -> set[str]:
        q = select(report_runs.c.amazon_report_id).where(
            report_runs.c.report_type == report_type, report_runs.c.status == "DONE"
        )
        with self._engine.connect() as conn:
            return {r[0] for r in conn.execute(q) if r[0]}

    def row_count(self, run_id: int) -> int:
        q = select(func.count()).select_from(report_rows).where(report_rows.c.run_id == run_id)
        with self._engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def rows_page(self, run_id: int, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        """Rows with row_no > `after`, in order (keyset paging: no OFFSET scans)."""
        q = (
            select(report_rows.c.row_no, report_rows.c.data_json)
            .where(report_rows.c.run_id == run_id, report_rows.c.row_no > after)
            .order_by(report_rows.c.row_no)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [(r[0], json.loads(r[1])) for r in conn.execute(q)]

    def iter_rows(self, run_id: int, page: int = 2000) -> Iterator[dict[str, Any]]:
        after = 0
        while True:
            batch = self.rows_page(run_id, after, page)
            if not batch:
                return
            for _no, data in batch:
                yield data
            after = batch[-1][0]

    # -- writes (on the unit of work's connection) --------------------------------------
    @staticmethod
    def create_run(
        conn: Connection,
        report_type: str,
        marketplace_id: str,
        *,
        now: datetime,
        start: datetime | None,
        end: datetime | None,
        status: str = "REQUESTED",
        amazon_report_id: str | None = None,
    ) -> int:
        result = conn.execute(
            insert(report_runs).values(
                report_type=report_type,
                marketplace_id=marketplace_id,
                status=status,
                requested_at=to_db(now),
                data_start=opt_to_db(start),
                data_end=opt_to_db(end),
                amazon_report_id=amazon_report_id,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    @staticmethod
    def set_status(
        conn: Connection,
        run_id: int,
        status: str,
        *,
        amazon_report_id: str | None = None,
        error: str | None = None,
        completed_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status}
        if amazon_report_id is not None:
            values["amazon_report_id"] = amazon_report_id
        if error is not None:
            values["error"] = error
        if completed_at is not None:
            values["completed_at"] = to_db(completed_at)
        conn.execute(update(report_runs).where(report_runs.c.id == run_id).values(**values))

    @staticmethod
    def store_rows(
        conn: Connection,
        run_id: int,
        rows: Iterable[Mapping[str, object]],
        *,
        document_id: str,
        completed_at: datetime,
    ) -> int:
        """Replace the run's rows and mark it DONE (one transaction: all or nothing)."""
        conn.execute(delete(report_rows).where(report_rows.c.run_id == run_id))
        count = 0
        batch: list[dict[str, object]] = []
        for row in rows:
            count += 1
            batch.append(
                {
                    "run_id": run_id,
                    "row_no": count,
                    "data_json": json.dumps(row, ensure_ascii=False, separators=(",", ":")),
                }
            )
            if len(batch) >= _INSERT_BATCH:
                conn.execute(insert(report_rows), batch)
                batch = []
        if batch:
            conn.execute(insert(report_rows), batch)
        conn.execute(
            update(report_runs)
            .where(report_runs.c.id == run_id)
            .values(
                status="DONE",
                row_count=count,
                document_id=document_id,
                completed_at=to_db(completed_at),
                error="",
            )
        )
        return count


class ReportsInTransaction:
    """`uow.reports`: the repository's writes on the unit of work's connection."""

    def __init__(self, repo: ReportRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def create_run(
        self,
        report_type: str,
        marketplace_id: str,
        *,
        now: datetime,
        start: datetime | None,
        end: datetime | None,
        status: str = "REQUESTED",
        amazon_report_id: str | None = None,
    ) -> int:
        return self._repo.create_run(
            self._conn,
            report_type,
            marketplace_id,
            now=now,
            start=start,
            end=end,
            status=status,
            amazon_report_id=amazon_report_id,
        )

    def set_status(
        self,
        run_id: int,
        status: str,
        *,
        amazon_report_id: str | None = None,
        error: str | None = None,
        completed_at: datetime | None = None,
    ) -> None:
        self._repo.set_status(
            self._conn,
            run_id,
            status,
            amazon_report_id=amazon_report_id,
            error=error,
            completed_at=completed_at,
        )

    def store_rows(
        self,
        run_id: int,
        rows: Iterable[Mapping[str, object]],
        *,
        document_id: str,
        completed_at: datetime,
    ) -> int:
        return self._repo.store_rows(
            self._conn, run_id, rows, document_id=document_id, completed_at=completed_at
        )
