"""Access tokens encrypted at rest with a key from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.platforms.secrets import (
    SecretError,
    decrypt_token,
    encrypt_token,
    generate_key,
    key_from_env,
    rotate_token,
)


def test_round_trip_and_ciphertext_hides_token() -> None:
    key = generate_key()
    stored = encrypt_token("EAAB-page-token", key=key)
    assert "EAAB" not in stored
    assert decrypt_token(stored, key=key) == "EAAB-page-token"


def test_wrong_key_and_bad_key() -> None:
    stored = encrypt_token("secret", key=generate_key())
    with pytest.raises(SecretError):
        decrypt_token(stored, key=generate_key())
    with pytest.raises(SecretError):
        encrypt_token("x", key="not-a-key")
    with pytest.raises(SecretError):
        encrypt_token("x", key="")


def test_rotation() -> None:
    old, new = generate_key(), generate_key()
    stored = encrypt_token("tok", key=old)
    assert decrypt_token(stored, key=f"{new},{old}") == "tok"
    rotated = rotate_token(stored, key=f"{new},{old}")
    assert decrypt_token(rotated, key=new) == "tok"


def test_key_from_env_and_file(tmp_path: Path) -> None:
    key = generate_key()
    assert key_from_env({"STEWARD_TOKEN_KEY": key}) == key
    path = tmp_path / "key"
    path.write_text(key + "\n")
    assert key_from_env({"STEWARD_TOKEN_KEY_FILE": str(path)}) == key
    with pytest.raises(SecretError, match="STEWARD_TOKEN_KEY"):
        key_from_env({})
