"""Encryption at rest for the few values that must be read back (vault secrets, robot secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key comes from
`STOREOPS_ENCRYPTION_KEY` or, on a laptop, the 0600 key file `encryption.key` in the data dir
(settings create it on first start). Either may hold several keys separated by commas or new
lines: the first encrypts, every one decrypts, which is how a key rotation is carried out
without a moment where stored values cannot be read (`storeops vault-rotate-key`).
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "generate_key", "keys_from_text", "reset"]


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def keys_from_text(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def _configured_keys() -> list[str]:
    key_file = settings.ENCRYPTION_KEY_FILE
    if not settings.ENCRYPTION_KEY_FROM_ENV and key_file.exists():
        return keys_from_text(key_file.read_text())  # re-read: a rotation rewrites the file
    return keys_from_text(settings.STOREOPS_ENCRYPTION_KEY)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = _configured_keys()
    if not keys:
        raise RuntimeError("no encryption key: set STOREOPS_ENCRYPTION_KEY")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def reset() -> None:
    """Forget the cached keys (after a rotation rewrote the key file, and in tests)."""
    _fernet.cache_clear()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Raises `InvalidToken` when no configured key opens the value."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
