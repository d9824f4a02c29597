"""The one passphrase rule, for the command line and the window alike."""

from __future__ import annotations

from kinxpro_desktop.core.errors import UserError

MIN_PASSPHRASE = 12
PASSPHRASE_ENV = "KINXPRO_PASSPHRASE"  # noqa: S105 (a variable name)


def new_passphrase_problem(passphrase: str, again: str | None = None) -> str | None:
    """Why a passphrase for a new database is refused, or None when it is fine."""
    if len(passphrase) < MIN_PASSPHRASE:
        return (
            f"Use at least {MIN_PASSPHRASE} characters for the passphrase "
            f"(this one has {len(passphrase)}); a few words are easy to remember."
        )
    if again is not None and again != passphrase:
        return "The two passphrases differ."
    return None


def check_new_passphrase(passphrase: str, again: str | None = None) -> str:
    """The passphrase, or a UserError that says what to type instead (nothing is created)."""
    problem = new_passphrase_problem(passphrase, again)
    if problem is not None:
        raise UserError(problem + " Nothing was created.")
    return passphrase
