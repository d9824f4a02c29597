"""Packing slips, pick lists and label decoding: real reportlab PDFs read back with poppler."""

from __future__ import annotations

import base64
import gzip
import hashlib
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kinxpro_desktop.core.documents import LabelDecodeError, LabelKind, PackingSlip
from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.documents import labels, smoke
from kinxpro_desktop.documents.slips import pick_lines, render_packing_slips, render_pick_list
from kinxpro_desktop.sandbox.labels import LabelInfo
from kinxpro_desktop.sandbox.labels import render as sandbox_label
from tests.conftest import require_tools

USD = "USD"


def _item(n: int, sku: str, title: str, qty: int) -> OrderItem:
    zero = Money(Decimal("0"), USD)
    return OrderItem(
        f"item-{n}", f"B0{n:08d}", sku, title, qty, 0, Money(Decimal("9.99"), USD), zero
    )


def _order(order_id: str, *items: OrderItem) -> Order:
    at = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    return Order(
        order_id,
        "ATVPDKIKX0DER",
        at,
        at,
        "Unshipped",
        "MFN",
        Money(Decimal("42.50"), USD),
        ship_city="Springfield",
        ship_state="IL",
        ship_postal_code="62701",
        ship_country="US",
        items=items,
    )


def _pii(order_id: str, name: str) -> OrderPii:
    return OrderPii(order_id, recipient_name=name, address_line1="42 Elm Street")


@pytest.fixture
def poppler() -> None:
    require_tools([t for t in ("pdftotext", "pdfinfo") if shutil.which(t) is None], "PDF checks")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode()


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, _, h = line.split("size:")[1].split()[:3]
            sizes.append((float(w), float(h)))
    return sizes


SLIPS = [
    PackingSlip.from_order(
        _order(
            "111-0000001-0000001", _item(1, "SKU-MUG", "Blue mug", 2), _item(2, "SKU-CUP", "Cup", 1)
        ),
        _pii("111-0000001-0000001", "Jane Q Buyer"),
        ship_from=("Kinxpro Goods", "1 Seller Way"),
    ),
    PackingSlip.from_order(
        _order("111-0000002-0000002", _item(3, "SKU-MUG", "Blue mug", 3)),
        _pii("111-0000002-0000002", "John Roe"),
    ),
]


@pytest.mark.parametrize("page", list(PageSize))
def test_packing_slips_one_page_per_order_with_items_and_no_prices(
    poppler: None, page: PageSize
) -> None:
    pdf = render_packing_slips(SLIPS, page)
    sizes = pdf_pages(pdf)
    assert len(sizes) == 2
    for w, h in sizes:
        assert abs(w - page.points[0]) <= 1 and abs(h - page.points[1]) <= 1
    text = pdf_text(pdf)
    first, second = text.split("\f")[:2]
    assert "111-0000001-0000001" in first and "Jane Q Buyer" in first and "42 Elm Street" in first
    assert "Springfield, IL 62701" in first
    assert "SKU-MUG" in first and "Blue mug" in first and "SKU-CUP" in first
    assert "3 items in this order" in first
    assert "111-0000002-0000002" in second and "John Roe" in second and "Jane" not in second
    assert "3 items in this order" in second
    assert "9.99" not in text and "42.50" not in text  # a slip for the buyer: no prices


def test_packing_slip_past_retention_shows_no_name_and_says_why(poppler: None) -> None:
    slip = PackingSlip.from_order(_order("111-0000003-0000003", _item(1, "SKU-A", "A", 1)), None)
    text = pdf_text(render_packing_slips([slip], PageSize.LETTER))
    assert "Springfield, IL 62701" in text
    assert "retention" in text


def test_long_order_continues_on_the_next_page(poppler: None) -> None:
    items = [_item(i, f"SKU-{i:03d}", f"Item number {i}", 1) for i in range(60)]
    slip = PackingSlip.from_order(_order("111-0000004-0000004", *items), None)
    pdf = render_packing_slips([slip], PageSize.LABEL_4X6)
    text = pdf_text(pdf)
    assert len(pdf_pages(pdf)) > 1
    assert "(continued)" in text
    assert all(f"SKU-{i:03d}" in text for i in range(60))
    assert "60 items in this order" in text


def test_pick_list_groups_by_sku_with_totals_and_orders(poppler: None) -> None:
    lines = pick_lines(SLIPS)
    assert [(p.sku, p.quantity, p.order_ids) for p in lines] == [
        ("SKU-CUP", 1, ("111-0000001-0000001",)),
        ("SKU-MUG", 5, ("111-0000001-0000001", "111-0000002-0000002")),
    ]
    for page in (PageSize.LETTER, PageSize.A4):
        pdf = render_pick_list(SLIPS, page)
        (w, h), *_ = pdf_pages(pdf)
        assert abs(w - page.points[0]) <= 1 and abs(h - page.points[1]) <= 1
        text = pdf_text(pdf)
        rows = {line.split()[0]: line.split() for line in text.splitlines() if "SKU-" in line}
        assert rows["SKU-MUG"][3] == "5" and "111-0000002-0000002" in text
        assert rows["SKU-CUP"][2] == "1"
        assert "2 orders, 2 SKUs, 6 units" in text
        assert "Jane" not in text  # a pick list carries no buyer data


def test_pick_list_refuses_label_paper_and_empty_selection() -> None:
    with pytest.raises(Exception, match="letter or A4"):
        render_pick_list(SLIPS, PageSize.LABEL_4X6)
    with pytest.raises(Exception, match="at least one order"):
        render_packing_slips([], PageSize.LETTER)


def test_repr_of_slip_and_ship_to_hides_the_buyer() -> None:
    assert "Jane" not in repr(SLIPS[0]) and "Elm" not in repr(SLIPS[0].ship_to)


INFO = LabelInfo(
    "UPS",
    "Ground",
    "1Z999AA10123456784",
    "111-0000001-0000001",
    ("Seller",),
    ("Jane Q Buyer", "42 Elm Street"),
)


def _payload(fmt: str) -> tuple[bytes, str, str]:
    data, _ = sandbox_label(fmt, INFO)
    contents = base64.b64encode(gzip.compress(data, mtime=0)).decode()
    checksum = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324
    return data, contents, checksum


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("PDF", LabelKind.PDF),
        ("PNG", LabelKind.PNG),
        ("ZPL203", LabelKind.ZPL),
        ("ZPL300", LabelKind.ZPL),
    ],
)
def test_label_decodes_and_detects_the_real_format(fmt: str, kind: LabelKind) -> None:
    data, contents, checksum = _payload(fmt)
    for declared in (fmt, "ShippingServiceDefault", "ZPL", "", "PDF"):  # what Amazon says varies
        label = labels.decode_label(contents, checksum=checksum, declared_format=declared)
        assert label.data == data and label.kind is kind and label.checksum_verified
        assert label.declared_format == declared
    assert "Jane" not in repr(label)


def test_label_checksum_of_the_gzip_stream_is_accepted_too() -> None:
    _, contents, _ = _payload("PDF")
    gz_md5 = base64.b64encode(hashlib.md5(base64.b64decode(contents)).digest()).decode()  # noqa: S324
    assert labels.decode_label(contents, checksum=gz_md5).checksum_verified


def test_label_with_a_corrupted_checksum_raises() -> None:
    _, contents, checksum = _payload("PDF")
    bad = base64.b64encode(bytes(16)).decode()
    with pytest.raises(LabelDecodeError, match="checksum"):
        labels.decode_label(contents, checksum=bad)
    with pytest.raises(LabelDecodeError, match="checksum"):
        labels.decode_label(contents, checksum="not base64!")
    # the label itself changed in transit, gzip still valid: the checksum catches it
    other = base64.b64encode(gzip.compress(b"%PDF-1.4 tampered", mtime=0)).decode()
    with pytest.raises(LabelDecodeError, match="Reprint"):
        labels.decode_label(other, checksum=checksum)


def test_label_without_checksum_is_decoded_but_flagged() -> None:
    data, contents, _ = _payload("ZPL203")
    label = labels.decode_file_contents(
        {"Contents": contents, "FileType": "application/zpl", "Checksum": ""}
    )
    assert label.data == data and not label.checksum_verified
    assert label.declared_format == "application/zpl"


def test_bad_base64_and_bad_gzip_raise_clear_errors() -> None:
    with pytest.raises(LabelDecodeError, match="not valid base64"):
        labels.decode_label("H4sI@@@not-base64")
    with pytest.raises(LabelDecodeError, match="gzip"):
        labels.decode_label(base64.b64encode(b"plain bytes, not gzip").decode())
    _, contents, checksum = _payload("PDF")
    truncated = base64.b64encode(base64.b64decode(contents)[:-20]).decode()
    with pytest.raises(LabelDecodeError, match="gzip"):
        labels.decode_label(truncated, checksum=checksum)
    with pytest.raises(LabelDecodeError, match="no label contents"):
        labels.decode_file_contents({"FileType": "application/pdf"})
    unknown = base64.b64encode(gzip.compress(b"GIF89a...")).decode()
    with pytest.raises(LabelDecodeError, match="neither PDF, PNG nor ZPL"):
        labels.decode_label(unknown)


def test_smoke_page_still_renders() -> None:
    assert smoke.render_test_page().startswith(b"%PDF-")
