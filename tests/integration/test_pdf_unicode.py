"""Non-Latin text in the PDFs the app makes, read back from real reportlab output with poppler:
a JP packing slip (Japanese title and address), a listings export to PDF through the Exporter
on a real SQLCipher store (Japanese, Polish, Cyrillic titles), the pick list's columns, the
embedded fonts (pdffonts), the table PDF's truncation, Arabic and the privacy-center report."""

from __future__ import annotations

import io
import re
import secrets
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.documents import PackingSlip
from kinxpro_desktop.core.models import Listing, Money, Order, OrderItem, OrderPii
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.documents import fonts
from kinxpro_desktop.documents.compliance import Document, Row, Section, render
from kinxpro_desktop.documents.slips import render_packing_slips, render_pick_list
from kinxpro_desktop.documents.table_pdf import MARGIN, PdfTable, write_table_pdf
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.store.database import Database
from tests.conftest import require_tools

JP = "A1VC38T7YXB528"
AE = "A2VIGQ35RCS4UG"
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
JP_TITLE = "ステンレス製 真空断熱 マグカップ 350ml ブルー"
JP_LONG = (
    "【2026年最新版】ステンレス製 真空断熱 マグカップ 350ml 蓋付き 保温保冷 食洗機対応 "
    "オフィス・アウトドアに最適な二重構造タンブラー（ブルー）"
)
JP_NAME = "山田 太郎"
JP_LINES = ("神宮前1丁目2-3", "青山ハイツ１０１号室")


@pytest.fixture(autouse=True)
def poppler() -> None:
    missing = [t for t in ("pdftotext", "pdffonts", "pdfinfo") if shutil.which(t) is None]
    require_tools(missing, "PDF text checks")


def text_of(pdf: bytes, *args: str) -> str:
    done = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def embedded_fonts(pdf: Path) -> dict[str, str]:
    """Font name (without the subset tag) -> pdffonts' emb column."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    found = {}
    for line in out.stdout.splitlines()[2:]:
        cols = line.split()
        name = cols[0].split("+", 1)[-1]
        found[name] = cols[-5]  # emb sub uni object ID
    return found


def _money(amount: str, currency: str = "JPY") -> Money:
    return Money(Decimal(amount), currency)


def jp_slip(*titles: str) -> PackingSlip:
    items = tuple(
        OrderItem(f"item-{n}", f"B0JP{n:06d}", f"SKU-JP-{n}", t, 1, 0, _money("1980"), _money("0"))
        for n, t in enumerate(titles)
    )
    order = Order(
        "503-1234567-7654321",
        JP,
        NOW,
        NOW,
        "Unshipped",
        "MFN",
        _money("1980"),
        ship_city="渋谷区",
        ship_state="東京都",
        ship_postal_code="150-0001",
        ship_country="JP",
        items=items,
    )
    pii = OrderPii(
        order.order_id,
        recipient_name=JP_NAME,
        address_line1=JP_LINES[0],
        address_line2=JP_LINES[1],
    )
    return PackingSlip.from_order(order, pii, ship_from=("Kinxpro 株式会社", "大阪府大阪市北区1-1"))


def test_jp_packing_slip_prints_the_japanese_title_and_address(tmp_path: Path) -> None:
    pdf = render_packing_slips([jp_slip(JP_TITLE, "Blue mug")], PageSize.A4)
    text = text_of(pdf, "-layout")
    assert "?" not in text
    for expected in (JP_TITLE, *JP_LINES, "〒150-0001", "東京都渋谷区", "Kinxpro 株式会社"):
        assert expected in text, expected
    assert f"{JP_NAME} 様" in text  # addressed the Japanese way: postcode first, name last
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("〒150-0001"))
    assert lines[first + 1].startswith("東京都渋谷区")
    assert "Blue mug" in text and "2 items in this order" in text
    (tmp_path / "slip.pdf").write_bytes(pdf)
    assert embedded_fonts(tmp_path / "slip.pdf") == {
        "DejaVuSans": "yes",
        "DejaVuSans-Bold": "yes",
        "NotoSansCJKjp-KinxproSubset": "yes",
    }


def test_every_page_size_fits_the_japanese_ship_to_block() -> None:
    for page in PageSize:
        text = text_of(render_packing_slips([jp_slip(JP_LONG)], page))
        flat = re.sub(r"\s+", "", text)
        assert JP_LONG.replace(" ", "") in flat, page  # wrapped, nothing lost
        assert all(line in text for line in JP_LINES)


def _bbox_words(pdf: bytes) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) of every word pdftotext finds on page 1."""
    html = text_of(pdf, "-bbox", "-f", "1", "-l", "1")
    pattern = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(float(a), float(b), w) for a, b, w in re.findall(pattern, html)]


def test_pick_list_wraps_a_long_japanese_title_inside_its_column() -> None:
    pdf = render_pick_list([jp_slip(JP_LONG)], PageSize.LETTER)
    # The title column of a letter pick list: margin 48, SKU 22 %, title 43 % of 516 points,
    # wrapped to 6 points less; the Qty column starts right after it.
    width = PageSize.LETTER.points[0] - 96
    left = 48 + width * 0.22
    right = left + width * 0.43 - 6
    words = [w for w in _bbox_words(pdf) if re.search("[\u3040-\u9fff]", w[2])]
    assert len(words) >= 3  # wrapped onto several lines
    for x_min, x_max, word in words:
        assert left - 0.5 <= x_min and x_max <= right + 0.5, (word, x_min, x_max, right)
    flat = re.sub(r"\s+", "", text_of(pdf))
    assert JP_LONG.replace(" ", "") in flat


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(
        tmp_path / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32), source="test")
    )
    titles = {
        "SKU-JP-1": (JP, "真空断熱マグカップ 350ml", "JPY"),
        "SKU-JP-2": (JP, "抹茶 京都宇治産 100g", "JPY"),
        "SKU-PL-1": ("A1C3SOZRARQ6R3", "Kubek łódzki, biały", "PLN"),
        "SKU-RU-1": ("A1PA6795UKMFR9", "Кружка керамическая", "EUR"),
    }
    by_market: dict[str, list[Listing]] = {}
    for sku, (market, title, currency) in titles.items():
        price = Money(Decimal("12"), currency)
        listing = Listing(sku, market, "B0UNI00001", title, price, 3, "Active", "MFN")
        by_market.setdefault(market, []).append(listing)
    with db.transaction() as uow:
        for market, listings in by_market.items():
            uow.listings.replace_marketplace(market, listings, now=NOW)
    yield db
    db.close()


def test_listings_export_to_pdf_prints_japanese_polish_and_cyrillic_titles(
    store: Database, tmp_path: Path
) -> None:
    target = tmp_path / "listings.pdf"
    result = Exporter(store, clock=lambda: NOW).export("listings", "pdf", target)
    assert result.rows == 4
    text = text_of(target.read_bytes(), "-layout")
    for title in ("真空断熱マグカップ 350ml", "抹茶 京都宇治産 100g", "Kubek łódzki, biały"):
        assert title in text, title
    assert "Кружка керамическая" in text
    assert "?" not in text
    fonts_used = embedded_fonts(target)
    assert fonts_used.get("NotoSansCJKjp-KinxproSubset") == "yes"
    assert set(fonts_used.values()) == {"yes"}  # every font embedded, none left to the viewer


def test_arabic_address_prints_without_question_marks(tmp_path: Path) -> None:
    slip = PackingSlip.from_order(
        Order(
            "402-0000000-0000001",
            AE,
            NOW,
            NOW,
            "Unshipped",
            "MFN",
            _money("99", "AED"),
            ship_city="دبي",
            ship_country="AE",
            items=(
                OrderItem("i", "B0AE", "SKU-AE", "كوب سيراميك", 1, 0, _money("9"), _money("0")),
            ),
        ),
        OrderPii("402-0000000-0000001", recipient_name="محمد علي", address_line1="شارع الشيخ زايد"),
    )
    pdf = render_packing_slips([slip], PageSize.A4)
    text = unicodedata.normalize("NFKC", text_of(pdf))
    assert "?" not in text and "\ufffd" not in text
    if fonts.shaping_available():  # joined letters, read back in logical order
        for expected in ("محمد علي", "شارع الشيخ زايد", "كوب سيراميك"):
            assert expected in text, expected


def test_privacy_report_prints_non_latin_text_and_embeds_its_fonts(tmp_path: Path) -> None:
    doc = Document(
        title="Kinxpro Desktop: compliance report",
        header=["Seller: Sklep Łódź Sp. z o.o. / 株式会社キンクスプロ / ООО «Кинкс»"],
        sections=[
            Section(
                "Controls",
                rows=[Row("Access monitoring and alerting", "OK", "通知先: 東京オフィス")],
                preformatted="To: security@amazon.com\n\nSeller: Łukasz Żółć",
            )
        ],
    )
    target = tmp_path / "report.pdf"
    target.write_bytes(render(doc))
    text = text_of(target.read_bytes(), "-layout")
    assert "Sklep Łódź Sp. z o.o. / 株式会社キンクスプロ / ООО «Кинкс»" in text
    assert re.search(r"Access monitoring and alerting\s+OK\s+通知先: 東京オフィス", text)
    assert "Seller: Łukasz Żółć" in text
    assert set(embedded_fonts(target).values()) == {"yes"}


def test_table_pdf_cuts_a_long_japanese_title_inside_its_column() -> None:
    table = PdfTable("Listings", "All dates", ["SKU", "Title", "Qty"], [1, 2, 1], frozenset({2}))
    out = io.BytesIO()
    rows = [["SKU-JP-1", JP_LONG, "3"], ["SKU-PL-1", "Kubek łódzki " * 12, "1"]]
    write_table_pdf(out, table, len(rows), rows, lambda: [["TOTAL", "", "4"]])
    pdf = out.getvalue()
    # Landscape A4; the title column is the middle half, cut 4 points short of its edge.
    usable = PageSize.A4.points[1] - 2 * MARGIN
    left, right = MARGIN + usable / 4, MARGIN + usable * 3 / 4 - 3
    in_column = [w for w in _bbox_words(pdf) if left <= w[0] < right]
    assert any(re.search("[\u3040-\u9fff]", w[2]) for w in in_column)
    assert sum(w[2].endswith("…") for w in in_column) == 2  # both titles were cut
    for _x_min, x_max, word in in_column:
        assert x_max <= right + 0.5, (word, x_max, right)
    assert "【2026年最新版】ステンレス製" in text_of(pdf, "-layout")


def test_documents_rendered_on_parallel_threads_each_print_their_own_text() -> None:
    titles = [f"{JP_TITLE} {n}号" for n in range(4)] + ["Kubek łódzki", "Кружка"]
    with ThreadPoolExecutor(max_workers=len(titles)) as pool:
        pdfs = list(pool.map(lambda t: render_pick_list([jp_slip(t)], PageSize.A4), titles))
    for title, pdf in zip(titles, pdfs, strict=True):
        flat = re.sub(r"\s+", "", text_of(pdf))
        assert title.replace(" ", "") in flat, title
