"""Shared fixtures: the persona district (tests/personas.py) and signed-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.personas import District, build_district


@pytest.fixture
def lps(db: None) -> District:
    """The small persona district (see tests/personas.py)."""
    return build_district()


@pytest.fixture
def client_as(lps: District):  # type: ignore[no-untyped-def]
    """``client_as("principal_a")`` returns a Client signed in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(lps.user(name))
        return client

    return make
