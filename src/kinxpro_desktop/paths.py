"""Where data, configuration and logs live (platformdirs), with a --data-dir override."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "kinxpro-desktop"
APP_AUTHOR = "Kinxpro"
DB_FILENAME = "kinxpro.db"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "kinxpro.lock"

    @property
    def key_mode_file(self) -> Path:
        """Non-secret marker: whether the DB key comes from the keyring or a passphrase."""
        return self.data_dir / "key-source"

    @property
    def unlock_failures_file(self) -> Path:
        """Timestamps of failed unlocks (no secrets), folded into the audit log on next unlock."""
        return self.data_dir / "unlock-failures.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "kinxpro-desktop.log"

    @property
    def ui_state_file(self) -> Path:
        return self.config_dir / "ui-state.ini"

    @property
    def keyring_service(self) -> str:
        """One keyring service per data folder, so demo and real accounts never mix."""
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return f"{APP_NAME}/{digest}"

    def ensure(self) -> None:
        for folder in (self.data_dir, self.config_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def resolve_paths(data_dir: str | Path | None = None) -> AppPaths:
    """Default: the platformdirs folders. With --data-dir, everything lives under it."""
    if data_dir is not None:
        root = Path(data_dir).expanduser().resolve()
        return AppPaths(data_dir=root, config_dir=root / "config", log_dir=root / "logs")
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )
