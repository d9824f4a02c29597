"""Schema upgrades at start-up: the file is copied aside first and restored if the upgrade fails."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import MigrationFailed
from kinxpro_desktop.resources import migrations_dir
from kinxpro_desktop.store.database import Database, migrate, pending_migration
from kinxpro_desktop.store.engine import make_engine

REVISION = '''"""{message}"""

from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''


def scripts_with(tmp_path: Path, body: str) -> Path:
    """The app's migrations plus one more revision on top."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    _current, head = pending_migration_of_app()
    (scripts / "versions" / "9999_test.py").write_text(
        REVISION.format(message="test revision", rev="9999", down=head, body=body)
    )
    return scripts


def pending_migration_of_app() -> tuple[None, str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return None, head


@pytest.fixture
def existing(tmp_path: Path, raw_key: DatabaseKey) -> Path:
    path = tmp_path / "kinxpro.db"
    db = Database.open(path, raw_key)
    db.audit.append("unlock", "owner")
    db.close()
    return path


def test_a_new_database_is_created_at_head_without_a_copy(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    db = Database.open(tmp_path / "new.db", raw_key)
    current, head = pending_migration(db.engine)
    db.close()
    assert current == head
    assert sorted(p.name for p in tmp_path.iterdir() if "before" in p.name) == []


def test_successful_upgrade_keeps_data_and_removes_the_copy(
    tmp_path: Path, existing: Path, raw_key: DatabaseKey
) -> None:
    scripts = scripts_with(tmp_path, '    op.add_column("orders", sa.Column("note", sa.Text()))')
    engine = make_engine(existing, raw_key)
    try:
        assert migrate(engine, existing, scripts) is True
        assert "note" in {c["name"] for c in inspect(engine).get_columns("orders")}
        assert pending_migration(engine, scripts) == ("9999", "9999")
    finally:
        engine.dispose()
    assert not list(tmp_path.glob("kinxpro.db.before-*"))
    before = hashlib.sha256(existing.read_bytes()).hexdigest()
    with pytest.raises(MigrationFailed, match="newer Kinxpro Desktop"):
        Database.open(existing, raw_key)  # this build's schema is older: refuse, never downgrade
    assert hashlib.sha256(existing.read_bytes()).hexdigest() == before


def test_failed_upgrade_restores_the_file_byte_for_byte(
    tmp_path: Path, existing: Path, raw_key: DatabaseKey
) -> None:
    before = hashlib.sha256(existing.read_bytes()).hexdigest()
    scripts = scripts_with(tmp_path, '    op.execute("THIS IS NOT SQL")')
    engine = make_engine(existing, raw_key)
    with pytest.raises(MigrationFailed) as err:
        migrate(engine, existing, scripts)
    engine.dispose()
    assert "restored unchanged" in err.value.message
    assert hashlib.sha256(existing.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("kinxpro.db.before-*"))
    db = Database.open(existing, raw_key)
    assert db.audit.verify().ok
    db.close()


def _unquoted(default: object) -> str | None:
    if default is None:
        return None
    text = str(getattr(default, "text", default)).strip()
    while len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _same_default(
    _context: object,
    _inspected: object,
    _metadata: object,
    inspected_default: str | None,
    _metadata_default: object,
    rendered_metadata_default: str | None,
) -> bool:
    """True when they differ. Alembic's own SQLite comparison reports every empty-string
    default (DEFAULT '') as changed; compare the unquoted values instead."""
    return _unquoted(inspected_default) != _unquoted(rendered_metadata_default)


#: the FTS5 table of migration 0007 and the shadow tables SQLite keeps for it (SQLAlchemy
#: cannot describe a virtual table; store/order_search.py owns it)
SEARCH_INDEX_TABLES = {f"orders_fts{s}" for s in ("", "_data", "_idx", "_docsize", "_config")}


def _not_the_search_index(name: str | None, type_: str, _parents: object) -> bool:
    return not (type_ == "table" and name in SEARCH_INDEX_TABLES)


def test_the_sqlalchemy_schema_matches_the_migrations(tmp_path: Path, raw_key: DatabaseKey) -> None:
    """Alembic's autogenerate comparison on a freshly migrated store finds no difference:
    tables, columns, types, nullability, indexes, constraints and server defaults."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from kinxpro_desktop.store.schema import metadata

    db = Database.open(tmp_path / "kinxpro.db", raw_key)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": _same_default,
                    "include_name": _not_the_search_index,
                },
            )
            diff = compare_metadata(context, metadata)
    finally:
        db.close()
    assert diff == []
