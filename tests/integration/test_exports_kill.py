"""An export killed halfway (kill -9 in a subprocess) leaves no file at the target path; the
next export to that path removes the dead one's temp file."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.store.database import Database
from tests.support.seed import make_orders, store_seeded

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kinxpro_desktop.core.dbkey import DatabaseKey
    from kinxpro_desktop.services.exports import Exporter
    from kinxpro_desktop.store.database import Database

    db = Database.open(Path(sys.argv[1]), DatabaseKey(raw=bytes.fromhex(sys.argv[2]), source="t"))

    def progress(update):
        if update.done >= 100:
            print("HALF", flush=True)
            time.sleep(120)

    Exporter(db, page=50).export(sys.argv[4], sys.argv[5], Path(sys.argv[3]),
                                 include_buyer_data=True, progress=progress)
    """
)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_kill_9_halfway_leaves_no_target(tmp_path: Path, fmt: str) -> None:
    key = secrets.token_bytes(32)
    db_path = tmp_path / "kinxpro.db"
    db = Database.open(db_path, DatabaseKey(raw=key, source="test"))
    store_seeded(db, make_orders(NOW, count=300, days=60))
    db.close()
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"orders.{fmt}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), key.hex(), str(target), "orders", fmt],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "HALF"
        assert any(out.iterdir()), "the export had started writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert not target.exists()
    db = Database.open(db_path, DatabaseKey(raw=key, source="test"))
    try:
        result = Exporter(db).export("orders", fmt, target)
    finally:
        db.close()
    assert result.rows == 300
    assert [p.name for p in out.iterdir()] == [target.name]
