"""The profit export (fees, refunds and net proceeds per SKU and currency from settlements) on a
real SQLCipher store: CSV, XLSX (read back with openpyxl) and PDF (pdftotext) hold the profit
view's own rows and one total per currency, equal to a SQL sum over the stored settlement rows;
two currencies are never added; the file says which settlements it covers; bad input (an
unknown kind, buyer data, --from after --to, an unwritable folder) is one clear message and
leaves no file; `kinxpro-desktop export profit` works in a child process."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.services.dashboard import DashboardService
from kinxpro_desktop.services.dashboard_profit import ProfitRow, profit_rows
from kinxpro_desktop.services.exports import EXPORT_KINDS, Exporter, ExportFailed, ProfitScope
from kinxpro_desktop.services.exports_profit import profit_lines
from kinxpro_desktop.services.exports_tables import money
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.exports import ExportScope
from kinxpro_desktop.store.settlement_lines import SettlementQueries
from tests.integration.test_cli import PASS, cli, one_clean_line
from tests.integration.test_cli_folders import tmpfs  # noqa: F401 (fixture)
from tests.support.settlements import DE_ROWS, JP_ROWS, line, store_settlement
from tests.support.simulator import db_fixture

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


db = db_fixture()  # a real SQLCipher store with a random key


US_ROWS = [
    {"settlement-id": "111", "currency": "USD", "total-amount": "1",
     "settlement-start-date": "2026-10-18 00:00:00 UTC",
     "settlement-end-date": "2026-11-27 00:00:00 UTC"},
    line("2026-11-20 10:00:00 UTC", "Amazon.com", "Order", "ItemPrice", "Principal", "50.00",
         "A", "113-1"),
    line("2026-11-20 10:00:00 UTC", "Amazon.com", "Order", "ItemFees", "Commission", "-7.50",
         "A", "113-1"),
    line("2026-11-21 10:00:00 UTC", "Amazon.com", "Refund", "ItemPrice", "Principal", "-50.00",
         "A", "113-1"),
    line("2026-11-21 10:00:00 UTC", "Amazon.com", "Refund", "ItemFees", "Commission", "6.00",
         "A", "113-1"),
    line("2026-11-22 10:00:00 UTC", "Amazon.com", "Order", "ItemPrice", "Principal", "12.34",
         "B, \"gift\"", "113-2"),
    line("2026-11-22 10:00:00 UTC", "Amazon.com", "other-transaction", "other", "Storage Fee",
         "-4.10", "", ""),
    # posted before the period: stored, but neither the view nor the export counts it
    line("2026-09-15 10:00:00 UTC", "Amazon.com", "Order", "ItemPrice", "Principal", "999.00",
         "A", "113-0"),
]  # fmt: skip
MARKETS = (("ATVPDKIKX0DER", US_ROWS), ("A1VC38T7YXB528", JP_ROWS), ("A1PA6795UKMFR9", DE_ROWS))


def store(db: Database, market: str, rows: list[dict[str, str]], now: datetime = NOW) -> None:
    store_settlement(db, market, rows, now)


def seed(db: Database) -> None:
    for market, rows in MARKETS:
        store(db, market, rows)


def exporter(db: Database, now: datetime = NOW) -> Exporter:
    return Exporter(db, clock=lambda: now)


def view_scope(
    db: Database, period: str = "30d", now: datetime = NOW
) -> tuple[ProfitScope, tuple[ProfitRow, ...]]:
    """What the profit view shows and the scope its Export button hands over."""
    dash = DashboardService(db, clock=lambda: now).load(period)
    scope = ProfitScope(
        start=dash.start,
        end=dash.end,
        marketplace_id=dash.marketplace_id or None,
        period=dash.period,
        as_of=dash.as_of,
    )
    return scope, dash.profit


def cells(row: ProfitRow) -> list[str]:
    label = {"total": f"TOTAL {row.currency}", "other": "Other (no SKU)"}.get(row.kind, row.sku)
    return [label, row.currency] + [
        money(m.minor_units, m.currency) for m in (row.sales, row.fees, row.refunds, row.net)
    ]


def expected(rows: tuple[ProfitRow, ...]) -> tuple[list[list[str]], list[list[str]]]:
    """(data rows, totals rows) as the export writes them: the view's rows in its order."""
    return (
        [cells(r) for r in rows if r.kind != "total"],
        [cells(r) for r in rows if r.kind == "total"],
    )


def sql_net(db: Database, since: str) -> dict[str, int]:
    """Net proceeds per currency straight from the stored settlement rows (minor units; EU
    files write 1.234,56)."""
    sql = text(
        """
        SELECT json_extract(head.data_json, '$.currency') AS cur,
               json_extract(r.data_json, '$.amount') AS amount
        FROM report_rows AS r
        JOIN report_rows AS head ON head.run_id = r.run_id AND head.row_no = 1
        WHERE r.row_no > 1 AND json_extract(r.data_json, '$."posted-date"') >= :since
           OR r.row_no > 1 AND json_extract(r.data_json, '$."posted-date"') LIKE '__.__.____'
        """
    )
    out: dict[str, int] = {}
    with db.engine.connect() as conn:
        for cur, amount in conn.execute(sql, {"since": since}):
            value = amount.replace(".", "").replace(",", ".") if "," in amount else amount
            places = 0 if cur == "JPY" else 2
            out[cur] = out.get(cur, 0) + int(Decimal(value).scaleb(places))
    return out


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def no_parts(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if "kinxpro-part" in p.name] == []


def test_csv_holds_the_profit_views_rows_and_one_total_per_currency(
    db: Database, tmp_path: Path
) -> None:
    seed(db)
    scope, view_rows = view_scope(db)
    out = tmp_path / "profit.csv"
    result = exporter(db).export("profit", "csv", out, scope)
    rows = read_csv(out)
    data, totals = expected(view_rows)
    assert rows[0] == ["SKU", "Currency", "Sales", "Fees", "Refunds", "Net proceeds"]
    assert rows[1 : 1 + len(data)] == data
    assert rows[1 + len(data) : 1 + len(data) + len(totals)] == totals
    assert result.rows == len(data) == 5  # USD A, B, other; JPY A; EUR A
    # one total per currency, each the SQL sum of that currency's lines in the period only
    net = {r[1]: r[5] for r in totals}
    assert sorted(net) == ["EUR", "JPY", "USD"]
    sql = sql_net(db, "2026-10-29")
    assert net == {cur: money(v, cur) for cur, v in sql.items()}
    assert net == {"USD": "6.74", "JPY": "1275", "EUR": "1049.38"}  # 999.00 of Sept left out
    usd = {r[0]: r for r in rows if r[1] == "USD"}
    assert usd["A"][2:] == ["0.00", "-1.50", "-44.00", "-1.50"]
    assert usd['B, "gift"'][5] == "12.34"  # quoted through the CSV writer
    assert usd["Other (no SKU)"][5] == "-4.10"
    # never across currencies: no row, total or summary holds two currencies or a grand total
    assert all(len({r[1]}) == 1 and r[1] in ("USD", "JPY", "EUR") for r in rows[1:-1])
    assert not any(str(Decimal("6.74") + 1275) in cell for r in rows for cell in r)
    note = rows[-1]
    assert note[0].startswith("Downloaded settlements cover") and note[1:] == [""] * 5
    assert "111 2026-10-18 to 2026-11-27 USD" in note[0]
    assert result.totals[-1] == note[0]
    assert "USD: sales 12.34, fees -1.50, refunds -44.00, net proceeds 6.74" in result.totals
    no_parts(tmp_path)


def test_the_same_rows_as_profit_rows_over_the_same_lines(db: Database) -> None:
    """The export reads the dashboard's lines and leaves the sums to dashboard_profit."""
    seed(db)
    scope, view_rows = view_scope(db)
    lines, _found, _days = profit_lines(SettlementQueries(db.engine), scope, NOW)
    assert profit_rows(lines) == view_rows
    assert len(lines) == 10  # every stored line but the September one


def test_xlsx_reads_back_as_numbers_with_the_views_figures(db: Database, tmp_path: Path) -> None:
    seed(db)
    scope, view_rows = view_scope(db)
    out = tmp_path / "profit.xlsx"
    exporter(db).export("profit", "xlsx", out, scope)
    ws = load_workbook(out, read_only=True).active
    assert ws is not None
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    data, totals = expected(view_rows)
    assert got[0] == ["SKU", "Currency", "Sales", "Fees", "Refunds", "Net proceeds"]
    body = got[1:-1]
    assert [r[:2] for r in body] == [r[:2] for r in data + totals]
    for read, want in zip(body, data + totals, strict=True):
        assert all(isinstance(v, int | float) for v in read[2:]), read  # numbers, not text
        assert [Decimal(str(v)) for v in read[2:]] == [Decimal(v) for v in want[2:]]
    assert str(got[-1][0]).startswith("Downloaded settlements cover")
    jpy_total = next(r for r in got if r[0] == "TOTAL JPY")
    assert jpy_total[5] == 1275 and isinstance(jpy_total[5], int)


def test_pdf_has_title_period_rows_totals_and_coverage(db: Database, tmp_path: Path) -> None:
    seed(db)
    scope, view_rows = view_scope(db)
    out = tmp_path / "profit.pdf"
    exporter(db).export("profit", "pdf", out, scope)
    assert out.read_bytes()[:5] == b"%PDF-"
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Profit by SKU (settlements)" in pdf
    assert "Last 30 days: 2026-10-29 to 2026-11-27" in pdf
    assert "Downloaded settlements cover" in pdf
    assert "Page 1" in pdf
    for row in expected(view_rows)[1]:
        assert " ".join(row[0:1]) in pdf and row[5] in pdf
    assert "1049.38" in pdf and "1275" in pdf and "6.74" in pdf


def test_view_export_takes_each_marketplaces_own_today(db: Database, tmp_path: Path) -> None:
    """At 20:00 UTC it is already tomorrow in Tokyo: the view's "Today" counts the JP line of
    Tokyo's today and the US line of Pacific today. The export from the view must count the
    same lines, not one calendar date for both."""
    late = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 11-28 05:00 Tokyo, 11-27 12:00 LA
    store(db, "ATVPDKIKX0DER", [
        {"settlement-id": "U", "currency": "USD"},
        line("2026-11-27T09:00:00-08:00", "Amazon.com", "Order", "ItemPrice", "Principal",
             "10.00", "A", "113-9"),
    ], late)  # fmt: skip
    store(db, "A1VC38T7YXB528", [
        {"settlement-id": "J", "currency": "JPY"},
        line("2026-11-28T03:00:00+09:00", "Amazon.co.jp", "Order", "ItemPrice", "Principal",
             "700", "A", "503-9"),
    ], late)  # fmt: skip
    scope, view_rows = view_scope(db, "today", late)
    assert {r.currency for r in view_rows} == {"USD", "JPY"}
    out = tmp_path / "today.csv"
    exporter(db, late).export("profit", "csv", out, scope)
    data, totals = expected(view_rows)
    assert read_csv(out)[1 : 1 + len(data) + len(totals)] == data + totals


def test_command_line_dates_are_each_marketplaces_local_days(db: Database, tmp_path: Path) -> None:
    seed(db)
    scope = ExportScope(
        start=datetime(2026, 11, 21, tzinfo=UTC), end=datetime(2026, 11, 22, tzinfo=UTC)
    )
    out = tmp_path / "one-day.csv"
    result = exporter(db).export("profit", "csv", out, scope)
    rows = read_csv(out)
    assert result.rows == 1
    assert rows[1] == ["A", "USD", "-50.00", "6.00", "-44.00", "-44.00"]  # the refund day
    assert rows[2][0] == "TOTAL USD" and len(rows) == 4


def test_a_period_without_settlements_says_so(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    result = exporter(db).export("profit", "csv", out, ExportScope())
    rows = read_csv(out)
    assert result.rows == 0 and rows[0][0] == "SKU"
    assert rows[-1][0].startswith("No settlement covers this period yet")


def test_buyer_data_is_refused_like_the_other_tables(db: Database, tmp_path: Path) -> None:
    seed(db)
    out = tmp_path / "profit.csv"
    with pytest.raises(UserError, match="Only orders exports can include buyer data"):
        exporter(db).export("profit", "csv", out, include_buyer_data=True)
    assert not out.exists()
    no_parts(tmp_path)


def test_unknown_kind_names_the_kinds(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    with pytest.raises(UserError, match=r"Unknown export 'profits'\. Choose one of: .*profit"):
        exporter(db).export("profits", "csv", out)
    assert "profit" in EXPORT_KINDS and not out.exists()


def test_missing_folder_says_what_to_do(db: Database, tmp_path: Path) -> None:
    seed(db)
    with pytest.raises(ExportFailed, match=r"does not exist\. Choose an existing folder"):
        exporter(db).export("profit", "pdf", tmp_path / "nope" / "p.pdf")
    assert not (tmp_path / "nope").exists()


def test_read_only_folder_says_what_to_do(
    db: Database,
    tmpfs: Callable[[str], Path],  # noqa: F811
) -> None:
    seed(db)
    ro = tmpfs("ro,size=1m")
    with pytest.raises(ExportFailed, match="Choose a folder you can write to; nothing was written"):
        exporter(db).export("profit", "xlsx", ro / "p.xlsx")
    assert list(ro.iterdir()) == []


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A passphrase-mode data folder holding the three settlements."""
    folder = tmp_path / "data"
    created = cli(folder, "--key-source", "passphrase", "wipe")
    assert created.returncode == 0, created.stderr
    database = Database.open(
        folder / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase")
    )
    seed(database)
    database.close()
    return folder


def test_cli_export_profit(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "profit.csv"
    done = cli(data, "--key-source", "passphrase", "export", "profit", "--format", "csv",
               "--out", str(out), "--from", "2026-11-01", "--to", "2026-11-30")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Exported 5 rows to" in done.stdout
    assert "USD: sales 12.34, fees -1.50, refunds -44.00, net proceeds 6.74" in done.stdout
    assert "JPY: sales 1500, fees -225, refunds 0, net proceeds 1275" in done.stdout
    rows = read_csv(out)
    database = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    try:
        scope = ExportScope(
            start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC)
        )
        lines, _f, _d = profit_lines(SettlementQueries(database.engine), scope, NOW)
    finally:
        database.close()
    data_rows, totals = expected(profit_rows(lines))
    assert rows[1:-1] == data_rows + totals
    pdf = tmp_path / "profit.pdf"
    as_pdf = cli(data, "--key-source", "passphrase", "export", "profit", "--format", "pdf",
                 "--out", str(pdf))  # fmt: skip
    assert as_pdf.returncode == 0, as_pdf.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_cli_bad_input_is_one_line_and_no_file(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "profit.csv"
    swapped = cli(data, "--key-source", "passphrase", "export", "profit", "--format", "csv",
                  "--out", str(out), "--from", "2026-11-30", "--to", "2026-11-01")  # fmt: skip
    assert swapped.returncode != 0 and "--from is after --to" in one_clean_line(swapped)
    buyer = cli(data, "--key-source", "passphrase", "export", "profit", "--format", "csv",
                "--out", str(out), "--include-buyer-data")  # fmt: skip
    assert buyer.returncode != 0 and "--include-buyer-data" in one_clean_line(buyer)
    unknown = cli(data, "--key-source", "passphrase", "export", "profits", "--format", "csv",
                  "--out", str(out))  # fmt: skip
    assert unknown.returncode != 0 and "profit" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert not out.exists()
    no_parts(tmp_path)
    helped = cli(data, "export", "--help")
    assert helped.returncode == 0 and "profit" in helped.stdout
