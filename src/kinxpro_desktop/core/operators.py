"""Operator roles: who may do what, defined once (issue 13 item 4, PRIVACY.md role row).

Profiles are optional. With none defined, whoever unlocks the store acts as owner, as before.
With profiles, an `Access` is made at sign-in and handed to the services when they are built;
the services refuse what the bound role lacks (the UI only hides it). Buyer data is never
shown to an analyst anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.vocabulary import Actor


class Role(StrEnum):
    OWNER = "owner"
    SHIPPER = "shipper"
    ANALYST = "analyst"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Permission(StrEnum):
    MANAGE_OPERATORS = "manage operator profiles"
    CHANGE_LISTINGS = "change prices and quantities"
    CHANGE_CREDENTIALS = "change the Amazon account credentials"
    CHANGE_PRIVACY = "change privacy settings, backups and the wipe job"
    EXPORT_BUYER_DATA = "export buyer data"
    SEE_BUYER_DATA = "see buyer names and addresses"
    SHIP_ORDERS = "buy and print labels, packing slips and confirm shipments"
    SYNC = "sync with Amazon"
    VIEW = "view listings, orders and reports"
    EXPORT = "export without buyer data"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.SHIPPER: frozenset(
        {
            Permission.SEE_BUYER_DATA,
            Permission.SHIP_ORDERS,
            Permission.SYNC,
            Permission.VIEW,
            Permission.EXPORT,
        }
    ),
    Role.ANALYST: frozenset({Permission.VIEW, Permission.EXPORT}),
}

#: actors that stand for the person at the keyboard: replaced by the operator's name
_HUMAN = frozenset({Actor.OWNER, Actor.CLI, Actor.UNKNOWN})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def roles_with(permission: Permission) -> list[Role]:
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


class PermissionDenied(UserError):
    title = "Not allowed for this operator"

    def __init__(self, role: Role, permission: Permission) -> None:
        allowed = " or ".join(r.value for r in roles_with(permission))
        super().__init__(
            f"The {role.value} role may not {permission.value}. Ask an operator with the "
            f"{allowed} role to do it, or switch operator (Account ▸ Switch operator…, or "
            "--operator NAME on the command line)."
        )
        self.role = role
        self.permission = permission


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise UserError(
            "An operator name is 1 to 32 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit. Choose another name; nothing was changed."
        )
    return name


@dataclass(frozen=True)
class Operator:
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How audit entries name this operator: "shipper:alice"."""
        return f"{self.role.value}:{self.name}"


@dataclass(frozen=True)
class Access:
    """The role bound to one set of services. `operator` is None with no profiles defined
    (then the role is owner, as before profiles existed) or on a command line that named no
    operator while profiles exist (then the role is analyst)."""

    role: Role = Role.OWNER
    operator: Operator | None = None

    @classmethod
    def of(cls, operator: Operator) -> Access:
        return cls(operator.role, operator)

    @property
    def actor(self) -> str:
        return self.operator.actor if self.operator else Actor.OWNER.value

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(self.role, permission)

    @property
    def sees_buyer_data(self) -> bool:
        return self.can(Permission.SEE_BUYER_DATA)

    def stamp(self, actor: str) -> str:
        """The actor an audit entry records: the signed-in operator instead of the generic
        person-at-the-keyboard actors ("owner", "cli"); an automated actor keeps its name plus
        the operator's ("sync/shipper:sam"); an actor naming an operator is kept."""
        if self.operator is None:
            return actor
        mine = self.operator.actor
        if actor in _HUMAN:
            return mine
        if ":" in actor:  # already names an operator (a sign-in names the profile tried)
            return actor
        return f"{actor}/{mine}"


OWNER_ACCESS = Access()
