"""Connection secrets (passwords, OAuth tokens) encrypted at rest with Fernet.

The key comes from ``BACKSTORY_SECRETS_KEY`` (one Fernet key, or several separated by commas: the
first encrypts, all decrypt, so a key can be rotated). Without it, a key is derived from
``SECRET_KEY`` for local use; ``manage.py check --deploy`` warns about that (connections/checks.py).
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

_PREFIX = "fernet:"


@functools.cache
def _fernet(configured: str, secret_key: str) -> MultiFernet:
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        derived = hashlib.sha256(f"backstory-connection-secrets:{secret_key}".encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def secrets_key_configured() -> bool:
    return bool(settings.BACKSTORY_SECRETS_KEY.strip())


def encrypt_secret(value: str) -> str:
    if not value:
        return ""
    token = _fernet(settings.BACKSTORY_SECRETS_KEY, settings.SECRET_KEY).encrypt(value.encode())
    return _PREFIX + token.decode()


def decrypt_secret(stored: str) -> str:
    """The clear text of a stored secret; a secret the current keys cannot open reads as empty,
    so the connection reports that its password must be entered again (never a crash)."""
    if not stored:
        return ""
    if not stored.startswith(_PREFIX):
        return stored
    try:
        return (
            _fernet(settings.BACKSTORY_SECRETS_KEY, settings.SECRET_KEY)
            .decrypt(stored.removeprefix(_PREFIX).encode())
            .decode()
        )
    except InvalidToken:
        return ""


class SecretStr(str):
    """A decrypted secret: a str whose repr never shows it, so it stays out of logs and tracebacks."""

    def __repr__(self) -> str:
        return "'********'" if self else "''"


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code reads and writes the clear text."""

    def from_db_value(self, value, expression, connection):
        return SecretStr(decrypt_secret(value)) if value is not None else value

    def to_python(self, value):
        return SecretStr(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_secret(value) if value else (value if value is None else "")
