"""Operator profiles: create and remove them (owner only), sign in (scrypt, lockout), switch.

`sign_in` returns the `Access` that app.py / the CLI hand to the services they build, and
binds it to the store so that every audit entry names the operator. With no profiles
defined, `unrestricted()` is the owner, as before profiles existed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import (
    OWNER_ACCESS,
    Access,
    Operator,
    Permission,
    Role,
    check_name,
)
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.operators import verify_password

__all__ = ["LOCKOUT", "MAX_ATTEMPTS", "MIN_PASSWORD", "OperatorService", "SignInFailed"]

MAX_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 8
#: an unknown name costs one scrypt too, so timing does not tell which names exist
_DUMMY_SALT, _DUMMY_HASH = "00" * 16, "00" * 32


class SignInFailed(UserError):
    title = "Sign-in failed"


class OperatorService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def profiles(self) -> list[Operator]:
        return self._db.operators.all()

    def enabled(self) -> bool:
        """Profiles are defined: someone must sign in."""
        return self._db.operators.count() > 0

    def unsigned(self) -> Access:
        """The access before anyone signs in: owner with no profiles, analyst with them."""
        return OWNER_ACCESS if not self.enabled() else Access(Role.ANALYST)

    def bind(self, access: Access) -> Access:
        """Every audit entry from now on names `access`'s operator."""
        self._db.bind_access(access)
        return access

    # -- profiles (owner only) ------------------------------------------------------------
    def create(self, access: Access, name: str, role: Role | str, password: str) -> Operator:
        """Add a profile. With none defined yet, the first must be an owner (else nobody
        could manage them any more)."""
        first = not self.enabled()
        if not first:
            access.require(Permission.MANAGE_OPERATORS)
        name = check_name(name)
        try:
            role = Role(role)
        except ValueError:
            raise UserError(
                f"Unknown role {role!r}: choose owner, shipper or analyst; nothing was changed."
            ) from None
        if first and role is not Role.OWNER:
            raise UserError(
                "The first operator profile must be an owner (owners manage the profiles). "
                "Create an owner first; nothing was changed."
            )
        if len(password) < MIN_PASSWORD:
            raise UserError(
                f"An operator password has at least {MIN_PASSWORD} characters. Choose a longer "
                "one; nothing was changed."
            )
        operator = Operator(name, role)
        with self._db.transaction() as uow:
            if uow.operators.get(name) is not None:
                raise UserError(f"An operator named {name} exists already; choose another name.")
            uow.operators.add(operator, password, now=self._clock())
            uow.audit.append(
                AuditEvent.OPERATOR_ADDED, access.actor, (), {"operator": operator.actor}
            )
        return operator

    def remove(self, access: Access, name: str) -> None:
        access.require(Permission.MANAGE_OPERATORS)
        with self._db.transaction() as uow:
            profile = uow.operators.get(name)
            if profile is None:
                raise UserError(f"There is no operator named {name}; nothing was removed.")
            owners = [o for o in uow.operators.all() if o.role is Role.OWNER]
            if (
                profile.operator.role is Role.OWNER
                and len(owners) == 1
                and uow.operators.count() > 1
            ):
                raise UserError(
                    "This is the last owner profile: remove the other profiles first, or create "
                    "another owner. Nothing was removed."
                )
            uow.operators.remove(name)
            uow.audit.append(
                AuditEvent.OPERATOR_REMOVED, access.actor, (), {"operator": profile.operator.actor}
            )

    # -- sign in ---------------------------------------------------------------------------
    def sign_in(self, name: str, password: str, *, switching_from: Access | None = None) -> Access:
        """Check the password; five wrong ones in a row lock the profile for 15 minutes (both
        audited). Returns the bound Access."""
        now = self._clock()
        failure = SignInFailed(
            "Wrong operator name or password. Check them and try again "
            f"({MAX_ATTEMPTS} wrong passwords lock the profile for "
            f"{int(LOCKOUT.total_seconds() // 60)} minutes)."
        )
        with self._db.transaction() as uow:
            profile = uow.operators.get(name.strip())
            if profile is None:
                verify_password(password, _DUMMY_SALT, _DUMMY_HASH)  # as slow as a real check
                uow.audit.append(AuditEvent.SIGN_IN_FAILED, "sign-in", (), {"reason": "name"})
                error: UserError | None = failure
            elif profile.locked_until is not None and profile.locked_until > now:
                minutes = max(1, round((profile.locked_until - now).total_seconds() / 60))
                uow.audit.append(
                    AuditEvent.SIGN_IN_FAILED,
                    profile.operator.actor,
                    (),
                    {"reason": "locked"},
                )
                error = SignInFailed(
                    f"The profile {profile.operator.name} is locked after {MAX_ATTEMPTS} wrong "
                    f"passwords; try again in {minutes} minutes, or ask an owner."
                )
            elif not verify_password(password, profile.salt, profile.hash):
                failed = profile.failed_attempts + 1
                locked = failed >= MAX_ATTEMPTS
                uow.operators.set_attempts(
                    profile.operator.name,
                    0 if locked else failed,
                    now + LOCKOUT if locked else None,
                )
                uow.audit.append(
                    AuditEvent.OPERATOR_LOCKED if locked else AuditEvent.SIGN_IN_FAILED,
                    profile.operator.actor,
                    (),
                    {"reason": "password", "attempt": failed},
                )
                error = failure
            else:
                uow.operators.set_attempts(profile.operator.name, 0, None)
                detail: dict[str, object] = {"operator": profile.operator.actor}
                if switching_from is not None:
                    detail["from"] = switching_from.actor
                uow.audit.append(
                    AuditEvent.OPERATOR_SWITCHED if switching_from else AuditEvent.SIGN_IN,
                    profile.operator.actor,
                    (),
                    detail,
                )
                error = None
                access = Access.of(profile.operator)
        if error is not None:
            raise error
        return self.bind(access)
