"""Errors a user can act on (UserError) versus bugs (everything else).

A UserError's message says what happened and what to do. It never carries PII
or a secret: callers pass order ids, counts and paths only.
"""

from __future__ import annotations

import re
import traceback

_PARAMETERS = re.compile(
    r"\[parameters: .*?(?=\n\(Background on this error|\n\nThe above exception|"
    r"\n\nDuring handling|\Z)",
    re.DOTALL,
)


def safe_traceback(exc: BaseException) -> str:
    """The traceback with SQLAlchemy's `[parameters: ...]` blocks cut (they hold bound values,
    buyer data among them); the log's redaction filter then masks tokens and contacts."""
    text = "".join(traceback.format_exception(exc))
    return _PARAMETERS.sub("[parameters: not logged]", text)


class UserError(Exception):
    """Something the user can fix; the message says how."""

    title = "Kinxpro Desktop"
    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class KeyringUnavailable(UserError):
    title = "No secure keyring"


class KeyringLocked(UserError):
    title = "Keyring locked"


class KeyMissing(UserError):
    title = "Database key missing"


class WrongKey(UserError):
    title = "Cannot unlock the database"


class DatabaseDamaged(UserError):
    title = "Database damaged"


class AlreadyRunning(UserError):
    title = "Already running"


class InvalidSetting(UserError):
    title = "Invalid setting"


class PiiPastRetention(UserError):
    title = "Buyer data past retention"


class MigrationFailed(UserError):
    title = "Database upgrade failed"


class DataFolderUnusable(UserError):
    title = "Data folder unusable"


class DiskFull(UserError):
    title = "Disk full"
