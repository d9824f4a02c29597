"""Suite-wide settings and explicit per-test fixtures.

Qt runs offscreen; loopback never goes through a proxy; every test gets its own data
folder. Tests that need gnome-keyring skip with a reason when it is missing, and fail
instead when CI is set.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.paths import AppPaths, resolve_paths
from tests.support import secret_service as ss


def require_tools(tools: list[str], what: str) -> None:
    """Skip (locally) or fail (in CI) when system tools a test needs are missing."""
    if not tools:
        return
    message = f"{what} needs {', '.join(tools)} (apt: see README 'System packages')"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    paths = resolve_paths(tmp_path / "data")
    paths.ensure()
    return paths


@pytest.fixture
def raw_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="test key")


@pytest.fixture
def secret_service_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private, unlocked gnome-keyring over its own D-Bus session; env applied to this process."""
    require_tools(ss.missing_tools(), "the real-keyring test")
    with ss.secret_service(tmp_path / "keyring") as env:
        for name in (
            "HOME",
            "XDG_DATA_HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_RUNTIME_DIR",
            "DBUS_SESSION_BUS_ADDRESS",
        ):
            monkeypatch.setenv(name, env[name])
        yield env
