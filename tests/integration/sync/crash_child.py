"""Child process for the crash test: one headless sync against a simulator.

argv: database path, simulator endpoint, credentials JSON; the raw key comes hex-encoded in
KINXPRO_TEST_DB_KEY (test-only; the app keeps it in the keyring).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.services.sync.headless import run_headless_sync
from kinxpro_desktop.store.database import Database


def main() -> int:
    path, endpoint, creds_json = sys.argv[1:4]
    fields = json.loads(creds_json)
    fields["marketplaces"] = tuple(fields["marketplaces"])
    key = DatabaseKey(raw=bytes.fromhex(os.environ["KINXPRO_TEST_DB_KEY"]), source="test")
    db = Database.open(Path(path), key)
    try:
        return run_headless_sync(db, SpApiCredentials(**fields), endpoint=endpoint)
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
