"""A real SQLCipher store with 60 days of orders carrying recognisable buyer data."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.wipe_job import WipeJob
from kinxpro_desktop.store.database import Database
from tests.conftest import require_tools
from tests.support.seed import MARKER, Seeded, make_orders, pii_strings, store_seeded

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def seeded_store(tmp_path: Path, raw_key: DatabaseKey) -> Iterator[tuple[Database, Seeded]]:
    db = Database.open(tmp_path / "data" / "kinxpro.db", raw_key)
    seeded = make_orders(NOW, count=60, days=60)
    store_seeded(db, seeded)
    yield db, seeded
    db.close()


@pytest.fixture
def private_job(tmp_path: Path) -> WipeJob:
    """The data folder's wipe job, looked for in a private HOME (never the real one)."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {"HOME": str(tmp_path / "home"), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin"}
    return WipeJob(tmp_path / "data", system="linux", env=env)


def privacy(db: Database) -> PrivacyService:
    return PrivacyService(db)


def pdf_text(path: Path) -> str:
    require_tools([] if _has("pdftotext") else ["pdftotext"], "PDF text checks")
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def _has(tool: str) -> bool:
    import shutil

    return shutil.which(tool) is not None


def assert_no_pii(text: str, seeded: Seeded) -> None:
    assert MARKER.lower() not in text.lower()
    for p in seeded.pii:
        for value in pii_strings(p):
            assert value not in text
