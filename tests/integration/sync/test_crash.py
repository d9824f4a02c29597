"""kill -9 the headless sync at 20 random points, then resume: nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.store.database import Database

from .conftest import creds_for
from .support import assert_matches_simulator

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 20


def test_kill_9_at_random_points_then_resume(
    make_sim: Callable[..., Simulator], tmp_path: Path, db_key: DatabaseKey
) -> None:
    sim = make_sim(start=None, orders=3000, listings=200)
    path = tmp_path / "kinxpro.db"
    creds = creds_for(sim)
    fields = {
        "lwa_client_id": creds.lwa_client_id,
        "lwa_client_secret": creds.lwa_client_secret,
        "refresh_token": creds.refresh_token,
        "region": creds.region,
        "marketplaces": list(creds.marketplaces),
        "seller_id": creds.seller_id,
    }
    assert db_key.raw is not None
    env = {**os.environ, "KINXPRO_TEST_DB_KEY": db_key.raw.hex(), "PYTHONWARNINGS": "error"}
    argv = [sys.executable, str(CHILD), str(path), sim.base_url, json.dumps(fields)]
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    finished_early = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path
        )
        time.sleep(rng.uniform(0.3, 2.2))  # start-up takes ~0.5-1 s, a sync ~1 s
        if proc.poll() is None:
            proc.kill()  # SIGKILL
        else:
            finished_early += 1
        _, err = proc.communicate(timeout=30)
        assert b"Traceback" not in err, f"seed {seed}: {err.decode()[-2000:]}"
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"sync: done" in done.stderr
    db = Database.open(path, db_key)
    try:
        assert_matches_simulator(db, sim)
        assert db.audit.verify().ok
    finally:
        db.close()
    assert finished_early < KILLS, f"seed {seed}: no run was ever interrupted"
