"""Demo mode's Amazon: the simulator in-process (the same world and clock as the last run in
the demo folder), or one already running whose demo credentials it publishes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials

PROG = "kinxpro-desktop"
DEMO_TIME_SCALE = 30.0  # simulated Amazon runs 30x faster, so the demo feels live
DEMO_SYNC_INTERVAL_MS = 60_000


@contextmanager
def demo_target(
    endpoint: str | None, folder: Path | None = None
) -> Iterator[tuple[str, SpApiCredentials]]:
    """(endpoint, demo credentials): the simulator at `endpoint`, or one started in-process
    (with `folder`, the demo data folder: the same world and clock as the last run there)."""
    if endpoint is not None:
        yield published_credentials(endpoint)
        return
    from kinxpro_desktop.sandbox import Simulator

    if folder is not None:
        sim = Simulator.in_folder(folder, time_scale=DEMO_TIME_SCALE).start()
    else:
        sim = Simulator(time_scale=DEMO_TIME_SCALE).start()
    try:
        from kinxpro_desktop.services.connection import simulator_credentials

        yield sim.base_url, simulator_credentials(sim.credentials)
    finally:
        sim.stop()


def _demo_credentials(c: dict[str, Any]) -> SpApiCredentials:
    from types import SimpleNamespace

    from kinxpro_desktop.services.connection import simulator_credentials

    return simulator_credentials(SimpleNamespace(**c))


def published_credentials(endpoint: str) -> tuple[str, SpApiCredentials]:
    """The demo credentials a running simulator publishes at /_sandbox/credentials."""
    import urllib.request

    from kinxpro_desktop.spapi.egress import check_endpoint

    base = check_endpoint(endpoint)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    try:
        with opener.open(f"{base}/_sandbox/credentials", timeout=10) as resp:
            body = json.loads(resp.read(100_000))
        creds = {
            "client_id": body["clientId"],
            "client_secret": body["clientSecret"],
            "refresh_token": body["refreshToken"],
            "seller_id": body["sellerId"],
            "marketplace_ids": body["marketplaceIds"],
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            f"The simulator at {base} did not publish its demo credentials "
            f"({type(exc).__name__}). Start one with `{PROG} sandbox` and pass the URL it "
            "prints to --endpoint, or leave --endpoint out to use the built-in demo."
        ) from None
    return base, _demo_credentials(creds)


def demo_paths(data_dir: str | None) -> AppPaths:
    """Demo data never mixes with the seller's own: DIR/demo (and its own keyring entries)."""
    root = resolve_paths(data_dir).data_dir
    return resolve_paths(root / "demo")
