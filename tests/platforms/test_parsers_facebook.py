"""Facebook Page webhook and Graph API payloads → events and comments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from steward.platforms.base import Verb
from steward.platforms.errors import MalformedPayload
from steward.platforms.facebook.parsers import parse_comment, parse_webhook
from steward.platforms.webhooks import parse_webhook as parse_any
from tests.platforms.conftest import fixture_bytes, fixture_json


def one(name: str):  # type: ignore[no-untyped-def]
    events = parse_webhook(fixture_bytes(name))
    assert len(events) == 1
    return events[0]


def test_comment_add() -> None:
    event = one("facebook/feed-comment-add.json")
    assert (event.platform, event.account_id, event.item, event.verb) == (
        "facebook",
        "1234567890321",
        "comment",
        Verb.ADD,
    )
    assert event.object_id == "901097836652708_903438993085259"
    comment = event.comment
    assert comment is not None
    assert comment.post_id == "1234567890321_901097836652708"
    assert comment.parent_id == comment.post_id and not comment.is_reply
    assert (
        comment.author is not None
        and comment.author.id == "1234567890321"
        and comment.author.name == "Tester"
    )
    assert comment.text == "and the next one"
    assert comment.created_at == datetime(2015, 12, 3, 9, 30, 3, tzinfo=UTC)


def test_reply_has_parent_comment() -> None:
    comment = one("facebook/feed-comment-reply.json").comment
    assert comment is not None and comment.is_reply
    assert comment.parent_id == "901097836652708_903438993085259"


@pytest.mark.parametrize(
    "name", ["facebook/feed-comment-edited.json", "facebook/feed-comment-edit-legacy.json"]
)
def test_both_edit_verbs_are_edit(name: str) -> None:
    assert one(name).verb is Verb.EDIT


def test_legacy_sender_id_and_numeric_ids_become_strings() -> None:
    event = one("facebook/feed-comment-edit-legacy.json")
    assert event.account_id == "1234567890321"  # entry.id was a number
    assert event.comment is not None and event.comment.author is not None
    assert event.comment.author.id == "8423678347823"  # sender_id was a number
    assert event.comment.author.name == "John Doe"
    assert isinstance(event.actor.id, str)  # type: ignore[union-attr]


def test_remove_has_no_text() -> None:
    event = one("facebook/feed-comment-remove.json")
    assert event.verb is Verb.REMOVE
    assert event.comment is not None and event.comment.text is None


@pytest.mark.parametrize(
    ("name", "verb", "hidden"),
    [
        ("facebook/feed-comment-hide.json", Verb.HIDE, True),
        ("facebook/feed-comment-unhide.json", Verb.UNHIDE, False),
    ],
)
def test_hide_unhide(name: str, verb: Verb, hidden: bool) -> None:
    event = one(name)
    assert event.verb is verb
    assert event.comment is not None and event.comment.is_hidden is hidden
    assert event.comment.author is not None and event.comment.author.id == "8423678347823"


def test_photo_comment_without_message() -> None:
    comment = one("facebook/feed-comment-add-with-photo.json").comment
    assert comment is not None and comment.text is None
    assert comment.media_url == "https://scontent.example/photo.jpg"


def test_posts() -> None:
    added = one("facebook/feed-post-add.json")
    assert (added.item, added.verb, added.object_id, added.comment) == (
        "post",
        Verb.ADD,
        "1234567890321_7293787835232",
        None,
    )
    removed = one("facebook/feed-post-remove.json")
    assert (
        removed.verb is Verb.REMOVE
        and removed.actor is not None
        and removed.actor.id == "1234567890321"
    )


def test_several_entries_and_changes() -> None:
    events = parse_webhook(fixture_bytes("facebook/feed-two-entries.json"))
    assert [(e.item, e.verb) for e in events] == [
        ("status", Verb.ADD),
        ("reaction", Verb.ADD),
        ("comment", Verb.ADD),
    ]
    assert events[2].comment is not None and events[2].comment.text == "Thank you! ¡Gracias!"


def test_messenger_message() -> None:
    event = one("facebook/messaging-message-basic.json")
    assert (event.item, event.verb, event.object_id) == (
        "message",
        Verb.ADD,
        "mid.1457764197618:41d102a3e1ae206a38",
    )
    assert event.actor is not None and event.actor.id == "987654321432"
    assert event.account_id == "12345654332"


def test_dedupe_key_stable_across_redelivery_and_distinct_across_edits() -> None:
    first = parse_webhook(fixture_bytes("facebook/feed-comment-edited.json"))[0]
    again = parse_webhook(fixture_bytes("facebook/feed-comment-edited.json"))[0]
    other = parse_webhook(fixture_bytes("facebook/feed-comment-edit-legacy.json"))[0]
    assert first.dedupe_key == again.dedupe_key
    assert first.object_id == other.object_id and first.verb == other.verb
    assert first.dedupe_key != other.dedupe_key


def test_graph_comment_node() -> None:
    comment = parse_comment(fixture_json("facebook/graph-comment.json"), post_id="2954961744718970")
    assert comment.id == "2954961744718970_2966313500250461"
    assert comment.is_hidden is False and comment.text == "My Nice Car "
    assert comment.author is not None and comment.author.id == "2711636948859886"
    assert comment.permalink.endswith("comment_id=2966313500250461")
    assert comment.created_at == datetime(2021, 7, 23, 8, 35, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "<body>"),
        (b'{"object":"user","entry":[]}', "object"),
        (b'{"object":"page"}', "entry"),
        (b'{"object":"page","entry":[{"time":1}]}', "entry[0].id"),
        (
            b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed"}]}]}',
            "entry[0].changes[0].value",
        ),
        (
            b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":7}}]}]}',
            "entry[0].changes[0].value.verb",
        ),
        (
            b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","post_id":"1_2"}}]}]}',
            "entry[0].changes[0].value.comment_id",
        ),
        (
            b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":{"x":1},"post_id":"1_2"}}]}]}',
            "entry[0].changes[0].value.comment_id",
        ),
    ],
)
def test_malformed_payload_names_the_field(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayload) as info:
        parse_any("facebook", {}, body)
    assert info.value.field == field
    assert info.value.permanent
    assert field in str(info.value)


def test_unknown_verb_is_other_and_keeps_the_rest_of_the_delivery() -> None:
    body = (
        b'{"object":"page","entry":[{"id":"1","changes":['
        b'{"field":"feed","value":{"item":"comment","verb":"pin","comment_id":"2_3","post_id":"1_2"}},'
        b'{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"2_4","post_id":"1_2"}}]}]}'
    )
    assert [e.verb for e in parse_any("facebook", {}, body)] == [Verb.OTHER, Verb.ADD]


def test_unknown_field_is_kept_as_other() -> None:
    body = (
        b'{"object":"page","entry":[{"id":"1","changes":[{"field":"ratings","value":{"id":"9"}}]}]}'
    )
    (event,) = parse_any("facebook", {}, body)
    assert (event.item, event.verb, event.object_id) == ("ratings", Verb.OTHER, "9")
