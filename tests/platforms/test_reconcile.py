"""Polling finds what the platforms do not push: edits, hides and deletions."""

from __future__ import annotations

from steward.platforms.base import Verb
from steward.platforms.fake import FakePlatforms
from steward.platforms.instagram.client import InstagramClient
from steward.platforms.reconcile import diff_comments, resolve_missing


def test_instagram_edits_hides_and_deletions_found_by_polling(fake: FakePlatforms) -> None:
    fake.ig_hidden_unlisted = True
    media = fake.add_post("instagram")
    keep, edited, hidden, removed = (
        fake.add_comment("instagram", media, t) for t in ("a", "b", "c", "d")
    )
    with InstagramClient(**fake.client_kwargs("instagram")) as client:
        before = {c.id: c for c in client.iter_comments(media)}
        assert set(before) == {keep, edited, hidden, removed}

        # Things Instagram sends no webhook for:
        fake.edit_comment("instagram", edited, "b, edited")
        fake.objects[("graph", hidden)].hidden = True  # hidden in the Instagram app
        fake.remove_comment("instagram", removed)
        new = fake.add_comment("instagram", media, "e", send_webhook=False)

        result = diff_comments(before, client.iter_comments(media), account_id=client.account_id)
        assert [(e.verb, e.object_id) for e in result.events] == [
            (Verb.EDIT, edited),
            (Verb.ADD, new),
        ]
        assert result.missing == sorted([hidden, removed])

        resolved = resolve_missing(client, before, result.missing)
    assert sorted((e.verb, e.object_id) for e in resolved) == sorted(
        [(Verb.HIDE, hidden), (Verb.REMOVE, removed)]
    )
    assert all(e.raw["source"] == "poll" for e in resolved)


def test_same_change_seen_twice_has_same_dedupe_key(fake: FakePlatforms) -> None:
    media = fake.add_post("instagram")
    comment = fake.add_comment("instagram", media, "x")
    with InstagramClient(**fake.client_kwargs("instagram")) as client:
        before = {c.id: c for c in client.iter_comments(media)}
        fake.edit_comment("instagram", comment, "y")
        first = diff_comments(before, client.iter_comments(media), account_id="1").events
        second = diff_comments(before, client.iter_comments(media), account_id="1").events
        fake.edit_comment("instagram", comment, "z")
        third = diff_comments(before, client.iter_comments(media), account_id="1").events
    assert first[0].dedupe_key == second[0].dedupe_key != third[0].dedupe_key


def test_incomplete_listing_reports_nothing_missing(fake: FakePlatforms) -> None:
    media = fake.add_post("instagram")
    fake.add_comment("instagram", media, "x")
    with InstagramClient(**fake.client_kwargs("instagram")) as client:
        before = {c.id: c for c in client.iter_comments(media)}
    assert diff_comments(before, [], account_id="1", complete=False).missing == []
    assert diff_comments(before, [], account_id="1").missing == list(before)
