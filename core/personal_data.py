"""NIK protection: authenticated encryption for storage, a keyed hash for lookups and
uniqueness, and masking for display (brief, invariant 6).

A plain hash of a NIK is not private (16 digits with a known structure is a small space),
hence an HMAC under a secret key. Keys come from settings; see config/settings.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    # Development only: keys derived from SECRET_KEY (core.checks refuses this in production).
    return hashlib.sha256(f"giliran:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = settings.GILIRAN_DATA_KEYS or [base64.urlsafe_b64encode(_derived("data")).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


@cache
def _hash_key() -> bytes:
    return settings.GILIRAN_HASH_KEY.encode() if settings.GILIRAN_HASH_KEY else _derived("hash")


def reset_key_cache() -> None:
    """Forget the loaded keys (tests and key rotation change settings)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt under the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def keyed_hash(value: str) -> str:
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask_nik(last4: str) -> str:
    return "*" * 12 + last4
