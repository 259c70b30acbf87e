"""Instagram, X, YouTube and TikTok payloads → events and comments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from steward.platforms.base import Verb
from steward.platforms.errors import MalformedPayload
from steward.platforms.instagram import parsers as ig
from steward.platforms.tiktok import parsers as tt
from steward.platforms.webhooks import parse_webhook
from steward.platforms.x import parsers as xp
from steward.platforms.youtube import parsers as yt
from tests.platforms.conftest import fixture_bytes, fixture_json

# -- Instagram ----------------------------------------------------------------------------------


def test_instagram_comment_webhook() -> None:
    (event,) = parse_webhook("instagram", {}, fixture_bytes("instagram/wh-comments.json"))
    assert (event.platform, event.account_id, event.item, event.verb) == (
        "instagram",
        "17841452691600098",
        "comment",
        Verb.ADD,
    )
    comment = event.comment
    assert comment is not None
    assert (comment.id, comment.post_id, comment.parent_id) == ("123456789", "76543987", "76543987")
    assert comment.author is not None and (comment.author.id, comment.author.username) == (
        "1234536447",
        "testuser",
    )
    assert comment.text == "This is an example."
    assert event.occurred_at == datetime.fromtimestamp(1519399307, tz=UTC)  # the entry's time


def test_instagram_reply_webhook_numeric_from_id() -> None:
    (event,) = parse_webhook("instagram", {}, fixture_bytes("instagram/wh-comments-reply.json"))
    assert (
        event.comment is not None
        and event.comment.is_reply
        and event.comment.parent_id == "123456789"
    )
    assert event.comment.author is not None and event.comment.author.id == "1234536448"


def test_instagram_mentions_and_dm_read() -> None:
    (mention,) = parse_webhook("instagram", {}, fixture_bytes("instagram/wh-mentions.json"))
    assert (mention.item, mention.object_id) == ("mention", "17894227972186120")
    (seen,) = parse_webhook("instagram", {}, fixture_bytes("instagram/messaging-seen.json"))
    assert (seen.item, seen.verb, seen.object_id) == ("message", Verb.READ, "MESSAGE-ID")


def test_instagram_graph_comment_flattens_replies() -> None:
    top, reply = ig.parse_comment(fixture_json("instagram/graph-comment.json"))
    assert (top.id, top.post_id, top.is_hidden) == ("123456789", "987654321", False)
    assert top.author is not None and top.author.id == "98765432123"  # older "user" shape
    assert (reply.id, reply.parent_id, reply.post_id, reply.text) == (
        "1234567891",
        "123456789",
        "987654321",
        "yeah",
    )
    assert reply.is_reply


def test_instagram_rejects_a_page_payload() -> None:
    with pytest.raises(MalformedPayload) as info:
        parse_webhook("instagram", {}, fixture_bytes("facebook/feed-comment-add.json"))
    assert info.value.field == "object"


def test_instagram_comment_without_media_is_malformed() -> None:
    body = b'{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"2","text":"x"}}]}]}'
    with pytest.raises(MalformedPayload) as info:
        parse_webhook("instagram", {}, body)
    assert info.value.field == "entry[0].changes[0].value.media"


# -- X ------------------------------------------------------------------------------------------


def test_x_reply_from_account_activity() -> None:
    (event,) = parse_webhook("x", {}, fixture_bytes("x/aaa-tweet-create-reply.json"))
    assert (event.account_id, event.item, event.verb, event.object_id) == (
        "2244994945",
        "comment",
        Verb.ADD,
        "1280169177479744444",
    )
    comment = event.comment
    assert comment is not None and comment.parent_id == comment.post_id == "1279944223114900000"
    assert comment.author is not None and (comment.author.id, comment.author.username) == (
        "63044444",
        "patpublic",
    )
    assert comment.created_at == datetime(2026, 3, 17, 12, 0, tzinfo=UTC)
    assert comment.permalink == "https://x.com/patpublic/status/1280169177479744444"


def test_x_extended_text_own_post_and_mention() -> None:
    reply, own, mention = parse_webhook("x", {}, fixture_bytes("x/aaa-tweet-create-extended.json"))
    assert reply.comment is not None and reply.comment.text is not None
    assert reply.comment.text.endswith("lives in extended_tweet.")
    assert (own.item, mention.item) == ("post", "mention")


def test_x_delete_and_dm() -> None:
    (deleted,) = parse_webhook("x", {}, fixture_bytes("x/aaa-tweet-delete.json"))
    assert (deleted.item, deleted.verb, deleted.object_id) == (
        "tweet",
        Verb.REMOVE,
        "1280169177479744444",
    )
    assert deleted.actor is not None and deleted.actor.id == "63044444"
    (dm,) = parse_webhook("x", {}, fixture_bytes("x/aaa-dm.json"))
    assert (dm.item, dm.verb, dm.object_id) == ("message", Verb.ADD, "1582838499983564806")
    assert dm.occurred_at == datetime.fromtimestamp(1710000000, tz=UTC)


def test_x_activity_api_envelope() -> None:
    (event,) = parse_webhook("x", {}, fixture_bytes("x/xaa-post-create.json"))
    assert (event.account_id, event.item, event.verb, event.object_id) == (
        "2244994945",
        "post",
        Verb.ADD,
        "1990000000000000001",
    )


def test_x_v2_search_reply() -> None:
    body = fixture_json("x/v2-search.json")
    users = {u["id"]: u for u in body["includes"]["users"]}
    comment = xp.parse_tweet_v2(body["data"][0], users=users)
    assert comment.post_id == "1279944223114900000"
    assert comment.parent_id == "1280155225706433333" and comment.is_reply
    assert comment.author is not None and comment.author.username == "patpublic"


def test_x_missing_for_user_id() -> None:
    with pytest.raises(MalformedPayload) as info:
        parse_webhook("x", {}, b'{"tweet_create_events":[]}')
    assert info.value.field == "for_user_id"


# -- YouTube ------------------------------------------------------------------------------------


def test_youtube_threads() -> None:
    threads = fixture_json("youtube/comment-threads.json")["items"]
    top, reply = yt.parse_comment_thread(threads[0])
    assert (top.id, top.post_id, top.parent_id, top.is_hidden, top.status) == (
        "UgzTopLevel000001",
        "dQw4w9WgXcQ",
        "dQw4w9WgXcQ",
        False,
        "published",
    )
    assert top.author is not None and top.author.id == "UCpat"
    assert top.updated_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert (reply.parent_id, reply.post_id, reply.is_reply, reply.text) == (
        "UgzTopLevel000001",
        "dQw4w9WgXcQ",
        True,
        "Thank you!",
    )
    (held,) = yt.parse_comment_thread(threads[1])
    assert held.is_hidden is True and held.status == "heldForReview"


def test_youtube_has_no_webhooks() -> None:
    with pytest.raises(MalformedPayload):
        parse_webhook("youtube", {}, b"{}")


# -- TikTok -------------------------------------------------------------------------------------


def test_tiktok_comment_list() -> None:
    first, second = (
        tt.parse_comment(c) for c in fixture_json("tiktok/comment-list.json")["data"]["comments"]
    )
    assert (first.post_id, first.parent_id, first.is_hidden, first.is_reply) == (
        "7300000000000000001",
        "7300000000000000001",
        False,
        False,
    )
    assert first.created_at == datetime.fromtimestamp(1700000000, tz=UTC)
    assert second.is_hidden is True and second.parent_id == "7310000000000000001"
    assert second.author is not None and second.author.id == "lawrenceschools"


def test_tiktok_webhook() -> None:
    (event,) = parse_webhook("tiktok", {}, fixture_bytes("tiktok/webhook-comment-update.json"))
    assert (event.account_id, event.item, event.verb, event.object_id) == (
        "7010000000000000001",
        "comment",
        Verb.OTHER,
        "7310000000000000001",
    )


def test_unknown_platform() -> None:
    with pytest.raises(KeyError):
        parse_webhook("myspace", {}, b"{}")


def test_one_meta_endpoint_for_pages_and_instagram() -> None:
    from steward.platforms.signatures import meta_signature, verify_webhook

    page = fixture_bytes("facebook/feed-comment-add.json")
    insta = fixture_bytes("instagram/wh-comments.json")
    assert parse_webhook("meta", {}, page)[0].platform == "facebook"
    assert parse_webhook("meta", {}, insta)[0].platform == "instagram"
    verify_webhook("meta", {"X-Hub-Signature-256": meta_signature(insta, "s")}, insta, "s")
    with pytest.raises(MalformedPayload) as info:
        parse_webhook("meta", {}, b'{"object":"whatsapp_business_account","entry":[]}')
    assert info.value.field == "object"
