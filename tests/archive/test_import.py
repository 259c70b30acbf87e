"""import_export: idempotent, progress, bad file writes nothing (§3 of issue 4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from steward.archive import services
from steward.archive.models import Media, Record
from steward.registry.models import Account
from tests.archive.conftest import make_account
from tests.personas import District

FIX = Path(__file__).parent / "fixtures"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_export", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_facebook_import_is_idempotent(fb_account: Account) -> None:
    first = run("facebook", str(FIX / "facebook_dyi"), "--account", str(fb_account.pk))
    assert "6 added" in first
    count = Record.objects.count()
    second = run("facebook", str(FIX / "facebook_dyi"), "--account", fb_account.handle)
    assert "0 added, 6 already archived" in second
    assert Record.objects.count() == count == 6
    post = Record.objects.get(kind="post", text__startswith="¡Felicidades")
    assert (
        post.source == "export"
        and post.media
        and Media.objects.filter(sha256=post.media[0]).exists()
    )
    assert services.archive_verify().ok


def test_bad_file_writes_nothing(fb_account: Account) -> None:
    with pytest.raises(CommandError) as err:
        run("facebook", str(FIX / "facebook_bad"), "--account", str(fb_account.pk))
    assert "your_posts_1.json" in str(err.value) and "record 1" in str(err.value)
    assert Record.objects.count() == 0


def test_all_platforms_import_and_verify(lps: District) -> None:
    x = make_account(lps, "x", "LawrencePS")
    yt = make_account(lps, "youtube", "LawrencePSchannel")
    ig = make_account(lps, "instagram", "lawrenceps")
    run("x", str(FIX / "x_archive"), "--account", "LawrencePS")
    run("youtube", str(FIX / "youtube_takeout_old"), "--account", str(yt.pk))
    run("youtube", str(FIX / "youtube_takeout_new"), "--account", str(yt.pk))
    run("instagram", str(FIX / "instagram_dyi"), "--account", str(ig.pk))
    assert Record.objects.filter(account=x).count() == 6
    assert Record.objects.filter(account=yt, kind="reply").count() == 2
    assert Record.objects.filter(account=ig).count() == 4
    reply = Record.objects.get(platform_id="UgxAAA111.9abc")
    assert reply.parent_platform_id == "UgxAAA111" and reply.platform_created_at is not None
    assert services.archive_verify().ok


def test_platform_mismatch_is_refused(fb_account: Account) -> None:
    with pytest.raises(CommandError):
        run("x", str(FIX / "x_archive"), "--account", str(fb_account.pk))


def test_facebook_raw_payload_is_the_item_as_written_in_the_file(fb_account: Account) -> None:
    """REC-1: the raw payload of an imported DYI item is its text in the export file (spacing,
    escapes and mojibake as they were), so ``raw_sha256`` can be checked against the file."""
    import hashlib
    import json

    run("facebook", str(FIX / "facebook_dyi"), "--account", str(fb_account.pk))
    files = [p.read_text("utf-8") for p in (FIX / "facebook_dyi").rglob("*.json")]
    for record in Record.objects.filter(source="export"):
        assert any(record.raw_payload in text for text in files), record.raw_payload[:80]
        assert record.raw_payload.startswith("{") and json.loads(record.raw_payload)
        expected = hashlib.sha256(record.raw_payload.encode("utf-8")).hexdigest()
        assert record.content()["raw_sha256"] == expected  # type: ignore[index]


def test_x_raw_payload_is_the_item_as_written_in_the_file(lps: District) -> None:
    """The same for the X archive's ``window.YTD`` files: each tweet or message keeps its text."""
    import json

    x = make_account(lps, "x", "LawrencePS")
    run("x", str(FIX / "x_archive"), "--account", "LawrencePS")
    files = [p.read_text("utf-8") for p in (FIX / "x_archive").rglob("*.js")]
    records = list(Record.objects.filter(account=x, source="export"))
    assert records
    for record in records:
        assert any(record.raw_payload in text for text in files), record.raw_payload[:80]
        assert record.raw_payload.startswith("{") and json.loads(record.raw_payload)
