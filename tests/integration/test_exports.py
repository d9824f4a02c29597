"""Exports of seeded data on a real SQLCipher store: CSV, XLSX (read back with openpyxl) and
PDF (pdftotext) hold the right rows and totals; no buyer data unless chosen, and then an
audit entry; cancelled or failed exports leave no file and no temp file."""

from __future__ import annotations

import csv
import io
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import bindparam, text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressUpdate
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.services.exports import Exporter, ExportFailed, ExportScope
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.timefmt import to_db
from tests.support.seed import MARKER, Seeded, make_orders, store_seeded

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Database, Seeded]]:
    db = Database.open(
        tmp_path / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32), source="test")
    )
    data = make_orders(NOW, count=300, days=60)
    store_seeded(db, data)
    with db.transaction() as uow:
        uow.listings.replace_marketplace(
            "ATVPDKIKX0DER",
            [
                Listing(
                    f"SKU-{n}",
                    "ATVPDKIKX0DER",
                    f"B0TEST{n:04d}",
                    f"Crème brûlée set {n}",
                    Money(Decimal("12.50") + n, "USD"),
                    n,
                    "Active",
                    "MFN",
                )
                for n in range(25)
            ],
            now=NOW,
        )
    yield db, data
    db.close()


def exporter(db: Database, page: int = 2000) -> Exporter:
    return Exporter(db, clock=lambda: NOW, page=page)


def sql_totals(db: Database) -> dict[str, tuple[int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT currency, COUNT(*), SUM(total_minor) FROM orders GROUP BY currency")
        ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def no_parts(folder: Path) -> None:
    leftovers = [p.name for p in folder.iterdir() if "kinxpro-part" in p.name]
    assert leftovers == []


def test_csv_orders_rows_and_totals(seeded: tuple[Database, Seeded], tmp_path: Path) -> None:
    db, data = seeded
    target = tmp_path / "orders.csv"
    result = exporter(db, page=64).export("orders", "csv", target)
    rows = read_csv(target)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Order", "Purchased (UTC)", "Marketplace"]
    orders = [r for r in body if not r[0].startswith("TOTAL")]
    totals = [r for r in body if r[0].startswith("TOTAL")]
    assert len(orders) == result.rows == len(data.orders) == 300
    assert {r[0] for r in orders} == {o.order_id for o in data.orders}
    count, minor = sql_totals(db)["USD"]
    assert totals == [totals[0]] and totals[0][0] == "TOTAL USD"
    assert totals[0][1] == f"{count} orders"
    assert Decimal(totals[0][7]) == Decimal(minor) / 100
    assert sum(Decimal(r[7]) for r in orders) == Decimal(minor) / 100
    assert MARKER not in target.read_text("utf-8-sig")
    assert result.warning == "" and not result.buyer_data
    no_parts(tmp_path)


def test_xlsx_read_back(seeded: tuple[Database, Seeded], tmp_path: Path) -> None:
    db, data = seeded
    target = tmp_path / "orders.xlsx"
    exporter(db, page=100).export("orders", "xlsx", target)
    wb = load_workbook(target, read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    body = [r for r in rows[1:] if not str(r[0]).startswith("TOTAL")]
    assert len(body) == len(data.orders)
    _count, minor = sql_totals(db)["USD"]
    total_row = rows[-1]
    assert total_row[0] == "TOTAL USD"
    assert Decimal(str(total_row[7])) == Decimal(minor) / 100
    assert isinstance(body[0][6], int)  # numbers stay numbers for the accountant
    assert not any(MARKER in str(v) for r in rows for v in r)


def test_pdf_text_has_rows_totals_and_page_numbers(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, data = seeded
    target = tmp_path / "orders.pdf"
    scope = ExportScope(start=NOW - timedelta(days=20), end=NOW + timedelta(days=1))
    result = exporter(db).export("orders", "pdf", target, scope)
    out = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    inside = [o for o in data.orders if o.purchase_date >= scope.start]  # type: ignore[operator]
    assert result.rows == len(inside)
    assert all(o.order_id in out for o in inside)
    assert "Orders" in out and "2026-11-07 to 2026-11-28 (UTC)" in out
    pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    n = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages")))
    assert f"Page 1 of {n}" in out and f"Page {n} of {n}" in out
    total = sum(o.order_total.amount for o in inside)
    assert "TOTAL USD" in out and f"{total:.2f}" in out
    assert MARKER not in out


def test_buyer_data_only_when_chosen_then_audited(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, data = seeded
    target = tmp_path / "with-buyers.csv"
    result = exporter(db).export("orders", "csv", target, include_buyer_data=True, actor="owner")
    content = target.read_text("utf-8-sig")
    assert MARKER in content
    assert result.buyer_data and "outside Kinxpro's retention" in result.warning
    entry = db.audit.latest(AuditEvent.EXPORT)
    assert entry is not None and entry.actor == "owner"
    with_pii = {p.order_id for p in data.pii if db.orders.get_pii(p.order_id) is not None}
    assert set(entry.object_ids) == with_pii and with_pii
    assert entry.detail["path"] == str(target) and entry.detail["buyer_data"] is True
    assert MARKER not in str(entry.detail)


def test_export_without_buyer_data_is_audited_too(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, _ = seeded
    exporter(db).export("listings", "csv", tmp_path / "l.csv", actor="cli")
    entry = db.audit.latest(AuditEvent.EXPORT)
    assert entry is not None and entry.object_ids == () and entry.detail["buyer_data"] is False


def test_xlsx_with_buyer_data_leaves_nothing_in_the_temp_folder(
    seeded: tuple[Database, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = seeded
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out = tmp_path / "out"
    out.mkdir()
    exporter(db).export("orders", "xlsx", out / "b.xlsx", include_buyer_data=True)
    assert list(system_tmp.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["b.xlsx"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_cancel_halfway_leaves_no_file(
    seeded: tuple[Database, Seeded], tmp_path: Path, fmt: str
) -> None:
    db, _ = seeded
    target = tmp_path / f"orders.{fmt}"
    token = CancelToken()
    seen: list[ProgressUpdate] = []

    def progress(update: ProgressUpdate) -> None:
        seen.append(update)
        if update.done >= 100:
            token.cancel()

    with pytest.raises(Cancelled):
        exporter(db, page=50).export("orders", fmt, target, cancel=token, progress=progress)
    assert not target.exists()
    no_parts(tmp_path)
    assert any(0 < u.done < 300 for u in seen)  # it had really started


def test_failure_halfway_keeps_the_previous_file(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    db, _ = seeded
    target = tmp_path / "orders.csv"
    target.write_text("previous export\n")

    def progress(update: ProgressUpdate) -> None:
        if update.done >= 100:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        exporter(db, page=50).export("orders", "csv", target, progress=progress)
    assert target.read_text() == "previous export\n"
    no_parts(tmp_path)


def test_missing_folder_says_what_to_do(seeded: tuple[Database, Seeded], tmp_path: Path) -> None:
    db, _ = seeded
    with pytest.raises(ExportFailed, match=r"does not exist\. Choose an existing folder"):
        exporter(db).export("orders", "csv", tmp_path / "nope" / "o.csv")


def test_listings_audit_and_report_rows(seeded: tuple[Database, Seeded], tmp_path: Path) -> None:
    db, _ = seeded
    listings = exporter(db).export("listings", "csv", tmp_path / "l.csv")
    rows = read_csv(tmp_path / "l.csv")
    assert listings.rows == 25 == len(rows) - 2
    assert any(r[3] == "Crème brûlée set 3" for r in rows)
    audit = exporter(db).export("audit", "xlsx", tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx", read_only=True)
    lines = len(list(wb.active.iter_rows()))
    wb.close()
    assert audit.rows == db.audit.count() - 1 == lines - 2
    with db.transaction() as uow:
        run = uow.reports.create_run(
            "GET_MERCHANT_LISTINGS_ALL_DATA", "ATVPDKIKX0DER", now=NOW, start=None, end=None
        )
        uow.reports.store_rows(
            run,
            [{"seller-sku": f"S{n}", "item-name": f"Café {n}"} for n in range(7)],
            document_id="doc",
            completed_at=NOW,
        )
    rr = exporter(db).export("report-rows", "pdf", tmp_path / "r.pdf", run_id=run)
    out = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert rr.rows == 7 and "Café 6" in out and "TOTAL 7 rows" in out
    with pytest.raises(Exception, match="Choose which report run"):
        exporter(db).export("report-rows", "csv", tmp_path / "x.csv")


def test_money_text_is_exact() -> None:
    from kinxpro_desktop.services.exports_tables import money

    assert [money(m, "USD") for m in (0, 5, -5, 123456, None)] == [
        "0.00",
        "0.05",
        "-0.05",
        "1234.56",
        "",
    ]
    assert money(1200, "JPY") == "1200" and money(-7, "JPY") == "-7"
    assert money(2**55 + 1, "USD") == f"{(2**55 + 1) // 100}.{(2**55 + 1) % 100:02d}"


def test_orders_placed_in_the_same_second_across_pages_export_once(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    """Pages follow (purchase time, order id): orders that share a purchase time and straddle
    a page boundary are each written once, with their item counts."""
    db, data = seeded
    same = data.orders[10].purchase_date
    tied = [o.order_id for o in data.orders[:40]]
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE orders SET purchase_date = :t WHERE order_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"t": to_db(same), "ids": tied},
        )
    target = tmp_path / "orders.csv"
    exporter(db, page=7).export("orders", "csv", target)
    body = [r for r in read_csv(target)[1:] if not r[0].startswith("TOTAL")]
    assert sorted(r[0] for r in body) == sorted(o.order_id for o in data.orders)
    items = {
        o.order_id: (len(o.items), sum(i.quantity_ordered for i in o.items)) for o in data.orders
    }
    assert all((int(r[5]), int(r[6])) == items[r[0]] for r in body)


def test_sales_without_dates_cover_the_30_days_through_today_and_say_so(
    seeded: tuple[Database, Seeded], tmp_path: Path
) -> None:
    """The default sales export includes today and its PDF names the days it covers (it
    left today out and said "All dates")."""
    from kinxpro_desktop.store.reports_dashboard import DashboardQueries

    db, _ = seeded
    exporter(db).export("sales", "csv", tmp_path / "s.csv")
    shown = sorted({r[0] for r in read_csv(tmp_path / "s.csv")[1:] if r[0][:2] == "20"})
    every = {d.day for d in DashboardQueries(db.engine).days("2026-01-01", "2027-01-01")}
    expected = sorted(d for d in every if "2026-10-29" <= d <= "2026-11-27")
    assert shown == expected and expected[-1] == "2026-11-27", (shown[-3:], sorted(every)[-3:])
    exporter(db).export("sales", "pdf", tmp_path / "s.pdf")
    out = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "s.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2026-10-29 to 2026-11-27 (each marketplace's own days)" in out
    assert "All dates" not in out
