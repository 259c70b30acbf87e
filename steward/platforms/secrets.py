"""Platform access tokens encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, with a timestamp).

Pure functions taking the key: settings read it from the environment (``STEWARD_TOKEN_KEY`` or
``STEWARD_TOKEN_KEY_FILE``) and pass it in; nothing here imports Django.

Key rotation: the key may be a comma-separated list ``"new,old,..."``. Encryption always uses the
first key; decryption tries each in turn (``MultiFernet``), so old rows stay readable and
:func:`rotate_token` re-encrypts them under the new key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretError(Exception):
    """The key is missing or malformed, or a stored token cannot be decrypted with it."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _fernet(key: str | bytes) -> MultiFernet:
    text = key.decode() if isinstance(key, bytes) else key
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise SecretError("no token encryption key configured")
    try:
        return MultiFernet([Fernet(part.encode()) for part in parts])
    except (ValueError, TypeError) as exc:
        raise SecretError(
            "token encryption key is not a valid Fernet key (32 url-safe base64 bytes)"
        ) from exc


def encrypt_token(plaintext: str, *, key: str | bytes) -> str:
    return _fernet(key).encrypt(plaintext.encode()).decode()


def decrypt_token(ciphertext: str, *, key: str | bytes) -> str:
    try:
        return _fernet(key).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretError("stored token cannot be decrypted with the configured key(s)") from exc


def rotate_token(ciphertext: str, *, key: str | bytes) -> str:
    """Re-encrypt under the first (newest) key."""
    try:
        return _fernet(key).rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretError("stored token cannot be decrypted with the configured key(s)") from exc


def key_from_env(environ: Mapping[str, str] | None = None, name: str = "STEWARD_TOKEN_KEY") -> str:
    """``NAME`` or the contents of the file named by ``NAME_FILE`` (Docker/systemd secrets)."""
    env = os.environ if environ is None else environ
    value = env.get(name, "").strip()
    if not value and env.get(f"{name}_FILE"):
        with open(env[f"{name}_FILE"], encoding="utf-8") as fh:
            value = fh.read().strip()
    if not value:
        raise SecretError(
            f"set {name} (or {name}_FILE) to a Fernet key; generate one with generate_key()"
        )
    return value
