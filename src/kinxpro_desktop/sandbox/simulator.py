"""The in-process API of the SP-API simulator, for demo mode and tests."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from . import persist
from .clock import iso
from .server import Server
from .state import DemoCredentials, SimConfig, SimState


class Simulator:
    """An SP-API simulator on loopback. ``with Simulator(seed=1).start() as sim: sim.base_url``.

    Arguments: ``seed``, ``orders`` (default 2000), ``days`` (60), ``listings`` (300),
    ``time_scale`` (1.0; 100 makes buckets refill and simulated time run 100x faster),
    ``faults`` (a spec, see :mod:`kinxpro_desktop.sandbox.faults`), ``pii_roles`` (True: the
    account holds the restricted roles), ``rate_limits`` (False turns every bucket off),
    ``start`` (the simulated start time, the world's origin; default now), ``resume_at`` (a
    restarted world: the clock resumes there, never before ``start``), ``state_file`` (where
    the world is saved for :meth:`in_folder`), ``host`` and ``port`` (0: any free port).
    """

    def __init__(
        self,
        *,
        seed: int = 42,
        orders: int = 2000,
        days: int = 60,
        listings: int = 300,
        time_scale: float = 1.0,
        faults: str = "",
        pii_roles: bool = True,
        rate_limits: bool = True,
        start: datetime | None = None,
        resume_at: datetime | None = None,
        state_file: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        config = SimConfig(
            seed,
            orders,
            days,
            listings,
            time_scale,
            faults,
            pii_roles,
            rate_limits,
            start,
            resume_at,
        )
        self.state = SimState(config)
        self.credentials: DemoCredentials = self.state.credentials
        self.state_file = state_file
        self._address = (host, port)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._saver: threading.Thread | None = None

    @classmethod
    def in_folder(cls, folder: Path, **kwargs: Any) -> Simulator:
        """The demo's simulator for data folder `folder`: the same world as the last run
        there (seed, size, origin from ``demo-simulator.json``), its clock resumed where it
        had got to; a new world, saved there, the first time."""
        path = Path(folder) / persist.FILE_NAME
        saved = persist.read(path)
        if saved is not None:
            kwargs.update(
                seed=saved.seed,
                orders=saved.orders,
                days=saved.days,
                listings=saved.listings,
                start=saved.origin,
                resume_at=saved.reached,
            )
        return cls(state_file=path, **kwargs)

    def save(self) -> None:
        """Write the world's seed, origin and simulated time to `state_file` (if any)."""
        if self.state_file is None:
            return
        config = self.state.config
        persist.write(
            self.state_file,
            persist.SavedWorld(
                seed=config.seed,
                orders=config.orders,
                days=config.days,
                listings=config.listings,
                origin=self.state.origin,
                reached=self.state.clock.now_dt(),
            ),
        )

    def _save_while_running(self) -> None:
        while not self.state.stopping.wait(persist.SAVE_EVERY_SECONDS):
            self.save()

    # ------------------------------------------------------------- lifecycle
    def start(self) -> Simulator:
        if self._server is not None:
            return self
        server = Server(self._address, self.state)
        host, port = server.server_address[:2]
        self.state.base_url = f"http://{host!s}:{port}"
        self.state.stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"sp-api-simulator:{port}"
        self._thread.start()
        if self.state_file is not None:
            self.save()
            self._saver = threading.Thread(
                target=self._save_while_running, name=f"sp-api-simulator-save:{port}", daemon=True
            )
            self._saver.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self.state.stopping.set()
        server.shutdown()
        server.close_open_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        saver, self._saver = self._saver, None
        if saver is not None:
            saver.join(timeout=5)
        self.save()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ addresses
    @property
    def base_url(self) -> str:
        if not self.state.base_url:
            raise RuntimeError("the simulator is not started")
        return self.state.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def host(self) -> str:
        """``host:port``, the value for ``AccessTokenClient.host``."""
        return self.base_url.split("://", 1)[1]

    @property
    def lwa_url(self) -> str:
        return f"{self.base_url}/auth/o2/token"

    # --------------------------------------------------------------- control
    def set_faults(self, spec: str) -> None:
        self.state.faults.set(spec)

    def add_faults(self, spec: str) -> None:
        self.state.faults.add(spec)

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def advance(self, seconds: float) -> datetime:
        """Move simulated time forward; new orders appear and statuses advance."""
        self.state.clock.advance(seconds)
        return datetime.fromtimestamp(self.state.now(), UTC)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.now(), UTC)

    def now_iso(self) -> str:
        return iso(self.state.now())

    def set_pii_roles(self, granted: bool) -> None:
        self.state.pii_roles = granted

    def set_rate_limits(self, enabled: bool) -> None:
        self.state.limiter.enabled = enabled
        self.state.limiter.reset()

    def stats(self) -> dict[str, object]:
        return self.state.stats.snapshot()

    def pii_log(self) -> list[dict[str, object]]:
        return self.state.stats.pii_log()

    def describe(self) -> str:
        c = self.credentials
        return json.dumps(
            {
                "baseUrl": self.base_url,
                "lwaTokenUrl": self.lwa_url,
                "clientId": c.client_id,
                "clientSecret": c.client_secret,
                "refreshToken": c.refresh_token,
                "sellerId": c.seller_id,
                "marketplaceIds": list(c.marketplace_ids),
            },
            indent=2,
        )
