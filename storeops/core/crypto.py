"""Encryption at rest for the few values that must be read back (vault secrets, robot secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key comes from
`STOREOPS_ENCRYPTION_KEY` or, on a laptop, the 0600 key file `encryption.key` in the data dir
(settings create it on first start). Either may hold several keys separated by commas or new
lines: the first encrypts, every one decrypts, which is how a key rotation is carried out
without a moment where stored values cannot be read (`storeops vault-rotate-key`).

A running process notices a rewritten key file by itself (the file's mtime and size are checked
on each use), so web workers and task consumers follow a rotation without a restart.

Every column holding values from `encrypt` is registered with `register_encrypted_field` (in its
app's `ready()`), so that a key rotation re-encrypts all of them, not only the vault's.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "InvalidToken",
    "configured_keys",
    "decrypt",
    "encrypt",
    "encrypted_fields",
    "generate_key",
    "is_valid_key",
    "keys_from_text",
    "readable_with",
    "register_encrypted_field",
    "reset",
    "rotate",
    "write_key_file",
]

_ENCRYPTED_FIELDS: list[tuple[str, str]] = []
_lock = threading.Lock()
_cache: dict[str, object] = {}


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def keys_from_text(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def register_encrypted_field(model_label: str, field_name: str) -> None:
    """Declare a column holding `encrypt` tokens ("app_label.Model", "field")."""
    if (model_label, field_name) not in _ENCRYPTED_FIELDS:
        _ENCRYPTED_FIELDS.append((model_label, field_name))


def encrypted_fields() -> list[tuple[str, str]]:
    return list(_ENCRYPTED_FIELDS)


def key_file_in_use() -> Path | None:
    """The key file when the keys come from it (not from the environment)."""
    if settings.ENCRYPTION_KEY_FROM_ENV:
        return None
    return Path(settings.ENCRYPTION_KEY_FILE)


def _file_stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def configured_keys() -> list[str]:
    path = key_file_in_use()
    if path is not None and path.exists():
        return keys_from_text(path.read_text())  # re-read: a rotation rewrites the file
    return keys_from_text(settings.STOREOPS_ENCRYPTION_KEY)


def _fernet() -> MultiFernet:
    stamp = _file_stamp(key_file_in_use())
    with _lock:
        if _cache.get("stamp", "unset") != stamp or "fernet" not in _cache:
            keys = configured_keys()
            if not keys:
                raise RuntimeError("no encryption key: set STOREOPS_ENCRYPTION_KEY")
            _cache["fernet"] = MultiFernet([Fernet(key.encode()) for key in keys])
            _cache["stamp"] = stamp
        return _cache["fernet"]  # type: ignore[return-value]


def reset() -> None:
    """Forget the cached keys (after the settings changed, and in tests)."""
    with _lock:
        _cache.clear()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Raises `InvalidToken` when no configured key opens the value."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """The same value encrypted under the first configured key (opened with any of them)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def is_valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def readable_with(token: str, keys: list[str]) -> bool:
    """Whether these keys alone open the value (checked before an old key is dropped)."""
    try:
        MultiFernet([Fernet(k.encode()) for k in keys]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file atomically, 0600 from the first byte, and flushed to disk."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(keys) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    reset()
