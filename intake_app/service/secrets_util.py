"""Tokens, codes and keys: made with ``secrets``, stored only as SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A bearer token for a device or technician (shown once, stored hashed)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10 ** digits):0{digits}d}"


def digest(value: str) -> str:
    """SHA-256 hex of ``value``: what the database stores instead of the secret."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches(value: str, stored_digest: str) -> bool:
    """Constant-time check of ``value`` against a stored digest."""
    return hmac.compare_digest(digest(value), stored_digest)


def new_id() -> str:
    """A public identifier (device id, announcement id): random, not a secret."""
    return secrets.token_hex(8)
