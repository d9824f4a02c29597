"""Rotating log file with a redaction filter, and the Qt message handler.

The filter masks: LWA tokens and client secrets, RDTs, bearer tokens, raw hex keys,
e-mail addresses, phone numbers (not IP addresses, dates, report or order ids),
`field=value` pairs whose field is a PII or secret name, and any literal string
registered at run time (`Redactor.register`), such as the credentials the vault has
loaded or the buyer data currently on screen.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

from kinxpro_desktop.core.retention import PII_FIELDS

MASK = "[redacted]"
_SECRET_FIELDS = (
    "client_secret",
    "lwa_client_secret",
    "refresh_token",
    "access_token",
    "restricted_data_token",
    "restrictedDataToken",
    "x-amz-access-token",
    "passphrase",
    "password",
    "key",
)
_CAMEL_PII = (
    "BuyerName",
    "BuyerEmail",
    "buyerName",
    "buyerEmail",
    "Name",
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "Phone",
    "phone",
    "CompanyName",
    "companyName",
    "GiftMessageText",
    "giftMessage",
    "DeliveryInstructions",
    "deliveryInstructions",
)
_FIELD_NAMES = "|".join(re.escape(f) for f in (*PII_FIELDS, *_SECRET_FIELDS, *_CAMEL_PII))
PATTERNS = (
    re.compile(r"Atz[a-z]?\|[A-Za-z0-9_\-|.+/=]+"),  # LWA access/refresh tokens
    re.compile(r"Atz\.sprdt\|[A-Za-z0-9_\-|.+/=]+"),  # restricted data tokens
    re.compile(r"amzn1\.oa2-cs\.[A-Za-z0-9._\-]+"),  # LWA client secrets
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-|+/=]+"),
    re.compile(r"x'[0-9a-fA-F]{32,}'"),  # raw SQLCipher keys
    re.compile(r"\b[0-9a-fA-F]{64}\b(?!\s*\(sha)"),  # 32-byte hex secrets
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),  # e-mail addresses
    re.compile(
        rf"""(?P<k>["']?(?:{_FIELD_NAMES})["']?\s*[:=]\s*)(?P<v>"[^"]*"|'[^']*'|[^,\s}}&]+)"""
    ),
)


#: Phone numbers: international ("+1 555-0123-4567", "+44 20 7946 0958", "+4915112345678")
#: or North American shapes ("(555) 010-7788", "555-010-7788", "555.010.7788"), 8 to 15
#: digits. Not phones, and kept: IP addresses, dates and times, report ids ("50123018123"),
#: order ids ("113-1234567-1234567"), counts and durations.
PHONE_PATTERNS = (
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(?\d{1,5}\)?){1,5}(?![\w.\-]?\d)"),
    re.compile(r"(?<![\w(])\(\d{2,5}\)\s?\d{3,4}[\s.\-]\d{3,4}(?![\w.\-]?\d)"),
    re.compile(r"(?<![\w.\-])\d{3}([\s.\-])\d{3}\1\d{4}(?![\w.\-]?\d)"),
)


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return MASK if 8 <= digits <= 15 else match.group(0)


class Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._literals: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str) -> None:
        """Mask these exact strings wherever they appear (e.g. loaded secrets)."""
        with self._lock:
            self._literals.update(v for v in values if v and len(v) >= 4)

    def redact(self, text: str) -> str:
        with self._lock:
            literals = sorted(self._literals, key=len, reverse=True)
        for lit in literals:
            text = text.replace(lit, MASK)
        for pattern in PATTERNS:
            if pattern.groupindex.get("k"):
                text = pattern.sub(lambda m: m.group("k") + MASK, text)
            else:
                text = pattern.sub(MASK, text)
        for phone in PHONE_PATTERNS:
            text = phone.sub(_phone, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = Redactor()
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup_logging(log_file: Path, level: int = logging.INFO) -> logging.Handler:
    """Attach a rotating, redacted file handler to the root logger (idempotent per file)."""
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    for existing in root.handlers:
        if getattr(existing, "baseFilename", None) == str(log_file):
            return existing
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.addFilter(REDACTOR)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # Third-party loggers that may echo request details stay at WARNING.
    for noisy in ("httpx", "httpcore", "sp_api", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def teardown_logging(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
