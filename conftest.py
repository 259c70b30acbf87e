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


@pytest.fixture(scope="session", autouse=True)
def _close_stray_postgres_sessions(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Worker processes and server threads started by the live tests may still hold a session on
    the test database when the run ends; end them so that the database can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
