"""Operator profiles in the encrypted database: scrypt hashes, failed attempts, lockout.

The password itself is never stored: `hash_password` derives scrypt (n=2**14, r=8, p=1) over
a random 16-byte salt; `verify_password` compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, select, update

from kinxpro_desktop.core.operators import Operator, Role
from kinxpro_desktop.store.schema import operators
from kinxpro_desktop.store.timefmt import opt_from_db, opt_to_db, to_db

SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_LEN = 2**14, 8, 1, 32


def hash_password(password: str, salt: bytes | None = None) -> tuple[str, str]:
    """(salt hex, hash hex) of `password` under a new random salt (or the one given)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_LEN
    )
    return salt.hex(), digest.hex()


def verify_password(password: str, salt_hex: str, hash_hex: str) -> bool:
    _, candidate = hash_password(password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(candidate, hash_hex)


@dataclass(frozen=True)
class Profile:
    operator: Operator
    salt: str
    hash: str
    failed_attempts: int
    locked_until: datetime | None


class OperatorRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count(self, conn: Connection | None = None) -> int:
        if conn is not None:
            return int(conn.execute(select(func.count()).select_from(operators)).scalar_one())
        with self._engine.connect() as own:
            return self.count(own)

    def all(self, conn: Connection | None = None) -> list[Operator]:
        if conn is None:
            with self._engine.connect() as own:
                return self.all(own)
        rows = conn.execute(select(operators.c.name, operators.c.role).order_by(operators.c.name))
        return [Operator(r.name, Role(r.role)) for r in rows]

    def get(self, name: str, conn: Connection | None = None) -> Profile | None:
        if conn is None:
            with self._engine.connect() as own:
                return self.get(name, own)
        r = conn.execute(select(operators).where(operators.c.name == name)).first()
        if r is None:
            return None
        return Profile(
            Operator(r.name, Role(r.role)),
            r.pw_salt,
            r.pw_hash,
            int(r.failed_attempts),
            opt_from_db(r.locked_until),
        )

    def add(self, conn: Connection, operator: Operator, password: str, *, now: datetime) -> None:
        salt, digest = hash_password(password)
        conn.execute(
            operators.insert().values(
                name=operator.name,
                role=operator.role.value,
                pw_salt=salt,
                pw_hash=digest,
                failed_attempts=0,
                locked_until=None,
                created_at=to_db(now),
            )
        )

    def remove(self, conn: Connection, name: str) -> bool:
        return bool(conn.execute(delete(operators).where(operators.c.name == name)).rowcount)

    def set_attempts(
        self, conn: Connection, name: str, failed: int, locked_until: datetime | None
    ) -> None:
        conn.execute(
            update(operators)
            .where(operators.c.name == name)
            .values(failed_attempts=failed, locked_until=opt_to_db(locked_until))
        )


class OperatorsInTransaction:
    """Operator profiles on the unit of work's connection."""

    def __init__(self, repo: OperatorRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def count(self) -> int:
        return self._repo.count(self._conn)

    def all(self) -> list[Operator]:
        return self._repo.all(self._conn)

    def get(self, name: str) -> Profile | None:
        return self._repo.get(name, self._conn)

    def add(self, operator: Operator, password: str, *, now: datetime) -> None:
        self._repo.add(self._conn, operator, password, now=now)

    def remove(self, name: str) -> bool:
        return self._repo.remove(self._conn, name)

    def set_attempts(self, name: str, failed: int, locked_until: datetime | None) -> None:
        self._repo.set_attempts(self._conn, name, failed, locked_until)
