"""The engine is loaded once for the whole moderation test session."""

from __future__ import annotations

import pytest

from steward.moderation.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()
