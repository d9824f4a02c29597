"""Secrets live in the OS keyring, or in memory only. Never anywhere else.

`KeyringSecretStore` wraps `keyring` behind one lock and refuses any backend that is
not a real secure store (no plaintext or "null" fallback, ever).
"""

from __future__ import annotations

import os
import threading
from typing import Protocol

import keyring
import keyring.backend
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend

from kinxpro_desktop.core.errors import KeyringLocked, KeyringUnavailable

# Backends that keep secrets encrypted by the OS. Anything else is refused.
SECURE_BACKEND_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.kwallet",
)

UNAVAILABLE_HELP = (
    "No secure system keyring is available ({why}). Kinxpro never stores secrets in a "
    "plain file. Start your desktop's keyring (GNOME Keyring, KWallet, macOS Keychain or "
    "Windows Credential Manager), or choose passphrase mode: on the command line add "
    "--key-source passphrase (the passphrase comes from KINXPRO_PASSPHRASE or a prompt); the "
    "window offers it when it starts."
)
LOCKED_HELP = (
    "The system keyring is locked, so the database key cannot be read. Unlock the keyring "
    "(log in to your desktop session or open your keyring app), then start Kinxpro again."
)


class SecretStore(Protocol):
    @property
    def backend_name(self) -> str: ...

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def _flatten(backend: KeyringBackend) -> list[KeyringBackend]:
    inner = getattr(backend, "backends", None)
    if inner:
        return [b for sub in inner for b in _flatten(sub)]
    return [backend]


def _detect() -> KeyringBackend:
    """Pick a backend now (keyring itself caches its first pick for the whole process)."""
    forced = os.environ.get("PYTHON_KEYRING_BACKEND")
    if forced:
        return keyring.core.load_keyring(forced)
    keyring.backend.get_all_keyring()  # loads the backend plugins once
    viable = [
        cls
        for cls in keyring.backend.KeyringBackend.get_viable_backends()
        if cls.__module__ in SECURE_BACKEND_MODULES
    ]
    if not viable:
        return keyring.get_keyring()
    best = max(viable, key=lambda cls: cls.priority)
    return best()


def secure_backend(backend: KeyringBackend | None = None) -> KeyringBackend:
    """The first secure backend to use, or KeyringUnavailable. Never a plaintext one."""
    chosen = backend if backend is not None else _detect()
    for candidate in _flatten(chosen):
        if type(candidate).__module__ in SECURE_BACKEND_MODULES:
            return candidate
    name = f"{type(chosen).__module__}.{type(chosen).__name__}"
    raise KeyringUnavailable(UNAVAILABLE_HELP.format(why=f"keyring offers only {name}"))


def backend_label(backend: KeyringBackend) -> str:
    return type(backend).__module__.rsplit(".", 1)[-1]


class KeyringSecretStore:
    """The OS keyring, one service per data folder, every call under one lock."""

    def __init__(self, service: str, backend: KeyringBackend | None = None) -> None:
        self._service = service
        self._backend = secure_backend(backend)
        self._lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        return backend_label(self._backend)

    def _call(self, fn_name: str, *args: str) -> str | None:
        with self._lock:
            try:
                result: str | None = getattr(self._backend, fn_name)(self._service, *args)
            except keyring.errors.KeyringLocked as exc:
                raise KeyringLocked(LOCKED_HELP) from exc
            except keyring.errors.PasswordDeleteError:
                return None
            except keyring.errors.KeyringError as exc:
                text = str(exc)
                if "dismissed" in text.lower() or "locked" in text.lower():
                    raise KeyringLocked(LOCKED_HELP) from exc
                raise KeyringUnavailable(
                    UNAVAILABLE_HELP.format(why=f"{type(exc).__name__}: {text[:120]}")
                ) from exc
            return result

    def get(self, name: str) -> str | None:
        return self._call("get_password", name)

    def set(self, name: str, value: str) -> None:
        self._call("set_password", name, value)

    def delete(self, name: str) -> None:
        self._call("delete_password", name)


class MemorySecretStore:
    """Secrets held only in this process (passphrase mode, and tests)."""

    def __init__(self, backend_name: str = "memory") -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()
        self._name = backend_name

    @property
    def backend_name(self) -> str:
        return self._name

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            self._values[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)
