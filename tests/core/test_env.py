import os

import pytest

from steward.env import env, load_env_file


def test_env_file_fills_only_what_the_environment_lacks(tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARD_T_KEEP", "from-environment")
    monkeypatch.delenv("STEWARD_T_NEW", raising=False)
    monkeypatch.delenv("STEWARD_T_QUOTED", raising=False)
    path = tmp_path / ".env"
    path.write_text('# comment\n\nSTEWARD_T_KEEP=from-file\nexport STEWARD_T_NEW=1\nSTEWARD_T_QUOTED="a b"\n')
    load_env_file(path)
    assert os.environ["STEWARD_T_KEEP"] == "from-environment"
    assert env("STEWARD_T_NEW") == "1"
    assert env("STEWARD_T_QUOTED") == "a b"
    monkeypatch.delenv("STEWARD_T_NEW")
    monkeypatch.delenv("STEWARD_T_QUOTED")


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / ".env"
    path.write_text("GOOD=1\nthis is not a setting\n")
    with pytest.raises(ValueError, match=r"line 2"):
        load_env_file(path)


def test_secret_from_file(tmp_path, monkeypatch):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("STEWARD_T_SECRET", raising=False)
    monkeypatch.setenv("STEWARD_T_SECRET_FILE", str(secret))
    assert env("STEWARD_T_SECRET") == "s3cret"
