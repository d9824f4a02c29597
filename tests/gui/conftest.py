"""GUI fixtures: a real encrypted store, real services and task runner, widgets offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kinxpro_desktop.app import build_context
from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from tests.support.seed import make_orders, store_seeded


@pytest.fixture
def database(app_paths: AppPaths, raw_key: DatabaseKey) -> Iterator[Database]:
    db = Database.open(app_paths.database, raw_key)
    store_seeded(db, make_orders(datetime.now(UTC), count=60, days=60))
    yield db
    db.close()


@pytest.fixture
def empty_database(tmp_path, raw_key: DatabaseKey) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    db = Database.open(tmp_path / "empty" / "kinxpro.db", raw_key)
    yield db
    db.close()


@pytest.fixture
def make_ctx(app_paths: AppPaths, database: Database, qtbot) -> Iterator:  # type: ignore[no-untyped-def]
    runners: list[TaskRunner] = []
    contexts: list[AppContext] = []

    def factory(privacy: PrivacyService | None = None, **kwargs: object) -> AppContext:
        runner = TaskRunner()
        runners.append(runner)
        ctx = build_context(
            app_paths,
            privacy or PrivacyService(database),
            runner,
            "keyring",
            **kwargs,  # type: ignore[arg-type]
        )
        contexts.append(ctx)
        return ctx

    yield factory
    for ctx in contexts:
        assert ctx.sync.stop(10_000)
    for runner in runners:
        assert runner.shutdown(10_000)
