"""Fixtures for the live path: the fake platform server, connected accounts, signed deliveries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import Client, TestCase

from steward.platforms.fake import FakePlatforms
from steward.registry.models import Account

TOKEN_KEY = Fernet.generate_key().decode()
VERIFY_TOKEN = "lps-verify-token"


@pytest.fixture(autouse=True)
def live_settings(settings: Any) -> Any:
    settings.STEWARD_TOKEN_KEY = TOKEN_KEY
    settings.META_APP_SECRET = "fake-meta-app-secret"
    settings.X_CONSUMER_SECRET = "fake-x-consumer-secret"
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN
    settings.SITE_URL = "https://steward.example.org"
    from steward.platforms.services import clients_reset

    clients_reset()
    yield settings
    clients_reset()


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    server = FakePlatforms(port=0)
    server.start()
    yield server
    server.stop()


def connect(lps: Any, fake: FakePlatforms, platform: str, *, unit: Any = None, handle: str = "") -> Account:
    from steward.platforms.services import connection_save

    account = Account.objects.create(
        platform=platform,
        handle=handle or f"lps-{platform}",
        display_name=f"LPS on {platform}",
        owning_unit=unit or lps.school_a,
        kind="school",
        status="registered",
        platform_account_id=fake.accounts[platform],
    )
    connection_save(
        actor=lps.user("media_officer"),
        account=account,
        platform_account_id=fake.accounts[platform],
        access_token=fake.tokens[platform],
        base_url=fake.base_url(platform),
    )
    return account


@pytest.fixture
def fb(lps: Any, fake: FakePlatforms) -> Account:
    """The district's Facebook Page, connected to the fake."""
    return connect(lps, fake, "facebook")


@pytest.fixture
def accounts(lps: Any, fake: FakePlatforms) -> dict[str, Account]:
    return {p: connect(lps, fake, p) for p in ("facebook", "instagram", "x", "youtube")}


def deliver(fake: FakePlatforms, platform: str, payload: Any, *, client: Client | None = None,
            signature: str | None = None, path: str | None = None) -> Any:  # fmt: skip
    """POST a delivery the way the platform would: raw bytes, signed over those bytes."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=True).encode()
    headers = fake.sign(platform, body)
    if signature is not None:
        headers = {next(iter(headers)): signature}
    client = client or Client()
    # In-process tests run inside one transaction: run the on-commit work (the pipeline) here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            path or f"/platforms/webhooks/{platform}/", data=body, content_type="application/json",
            headers=headers,
        )


def on_commit() -> Any:
    return TestCase.captureOnCommitCallbacks(execute=True)


def comment_webhook(fake: FakePlatforms, platform: str, post_id: str, text: str, **kw: Any) -> tuple[str, Any]:
    """Create a comment on the fake without sending, and return (id, the webhook payload)."""
    cid = fake.add_comment(platform, post_id, text, send_webhook=False, **kw)
    obj = fake._get(platform, cid)
    return cid, fake.webhook_payload(obj, "add")


def delivered_comment(fake: FakePlatforms, text: str, **kw: Any) -> Any:
    """A comment on a new Facebook post, delivered by webhook and processed; returns its row."""
    from steward.platforms.models import Comment

    post = fake.add_post("facebook", "Report cards go home Friday")
    cid, payload = comment_webhook(fake, "facebook", post, text, **kw)
    deliver(fake, "facebook", payload)
    return Comment.objects.get(comment_id=cid)
