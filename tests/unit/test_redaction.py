"""The log redaction filter: secrets and buyer data never reach the log file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kinxpro_desktop.logging_setup import MASK, Redactor, setup_logging, teardown_logging


@pytest.mark.parametrize(
    "text, secret",
    [
        ("token Atza|IwEBIExampleAccessToken123 used", "Atza|IwEBIExampleAccessToken123"),
        ("refresh Atzr|IwEBIRefresh-Token_abc/def= ok", "Atzr|IwEBIRefresh-Token_abc/def="),
        ("rdt Atz.sprdt|AYABeExampleRdt", "Atz.sprdt|AYABeExampleRdt"),
        ("secret amzn1.oa2-cs.v1.0123456789abcdef", "amzn1.oa2-cs.v1.0123456789abcdef"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("mail jane.doe@example.com now", "jane.doe@example.com"),
        ("call +1 (555) 010-7788 later", "555) 010-7788"),
        ('{"buyer_name": "Jane Q Public", "x": 1}', "Jane Q Public"),
        ("AddressLine1=12 Elm Street&City=Austin", "12 Elm Street"),
        ("client_secret='s3cr3t-value'", "s3cr3t-value"),
        ("PRAGMA key = \"x'" + "ab" * 32 + "'\"", "ab" * 32),
    ],
)
def test_patterns_mask_tokens_and_pii(text: str, secret: str) -> None:
    out = Redactor().redact(text)
    assert secret not in out
    assert MASK in out


def test_registered_literals_are_masked_and_plain_text_kept() -> None:
    redactor = Redactor()
    redactor.register("Zebulon Quartermaine", "x")  # too short to register: 'x' stays
    out = redactor.redact("shipping to Zebulon Quartermaine, 3 items, box x")
    assert "Zebulon" not in out
    assert "3 items" in out
    assert "box x" in out


def test_log_file_gets_redacted_messages_and_tracebacks(tmp_path: Path) -> None:
    handler = setup_logging(tmp_path / "app.log")
    try:
        log = logging.getLogger("kinxpro.test")
        log.warning("order 111-2 buyer_email=%s", "pat@buyer.example")
        try:
            raise ValueError("recipient_name: Pat Buyerson")
        except ValueError:
            log.exception("failed")
        handler.flush()
    finally:
        teardown_logging(handler)
    text = (tmp_path / "app.log").read_text(encoding="utf-8")
    assert "order 111-2" in text
    assert "ValueError" in text
    assert "pat@buyer.example" not in text
    assert "Pat Buyerson" not in text


@pytest.mark.parametrize(
    "phone",
    [
        "+1 555-0123-4567",  # the simulator's buyer phones
        "+1 (555) 010-7788",
        "+44 20 7946 0958",
        "+4915112345678",
        "(555) 010-7788",
        "555-010-7788",
        "555.010.7788",
    ],
)
def test_phone_numbers_are_masked(phone: str) -> None:
    out = Redactor().redact(f"ship to {phone} today")
    assert phone not in out
    assert out == f"ship to {MASK} today"


@pytest.mark.parametrize(
    "text",
    [
        "connecting to 127.0.0.1:8080 and 192.168.100.200",
        "orders report 50123018123 is DONE",
        "getOrder 113-1234567-1234567: HTTP 404",
        "order 902-3359124-1234567 shipped",
        "watermark 2026-03-02 12:00:00.123456+00:00 (2026-03-02T12:00:00Z)",
        "10000 orders in 12345678 us, 1,234,567 rows",
        "PySide6 6.12.0.1",
        "ids 12345 67890 11111",
    ],
)
def test_ip_addresses_report_and_order_ids_and_times_are_kept(text: str) -> None:
    assert Redactor().redact(text) == text
