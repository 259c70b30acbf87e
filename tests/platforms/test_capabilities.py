"""The §0 capability table drives what pages offer; the clients refuse what it refuses."""

from __future__ import annotations

import pytest

from steward.platforms.base import Action
from steward.platforms.errors import Unsupported
from steward.platforms.registry import PLATFORMS, allows, capabilities_for, client_for

TABLE = {
    #             hide   unhide delete block  reply  private
    "facebook": (True, True, True, True, True, True),
    "instagram": (True, True, True, False, True, True),
    "x": (True, True, False, False, True, False),
    "youtube": (True, True, True, True, True, False),
    "tiktok": (True, True, False, False, True, False),
}
ORDER = (
    Action.HIDE,
    Action.UNHIDE,
    Action.DELETE,
    Action.BLOCK,
    Action.REPLY,
    Action.PRIVATE_REPLY,
)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_table(platform: str) -> None:
    caps = capabilities_for(platform)
    assert caps.platform == platform
    assert tuple(caps.allows(a) for a in ORDER) == TABLE[platform]
    assert [a for a in caps.offered() if a in ORDER] == [
        a for a, ok in zip(ORDER, TABLE[platform], strict=True) if ok
    ]


def test_restrictions_are_explained() -> None:
    assert "Enterprise" in capabilities_for("x").get(Action.BLOCK).note
    assert "rejected" in capabilities_for("youtube").get(Action.DELETE).via
    assert "Irreversible" in capabilities_for("youtube").get(Action.DELETE).note
    assert capabilities_for("instagram").get(Action.BLOCK).source == "U"
    assert not capabilities_for("youtube").push_comments
    assert capabilities_for("facebook").push_edits_and_removals
    assert not capabilities_for("instagram").push_edits_and_removals


def test_lookup_by_string() -> None:
    assert allows("facebook", "block")
    assert not allows("X", "delete")
    assert not allows("facebook", "teleport")
    with pytest.raises(KeyError):
        capabilities_for("friendster")


@pytest.mark.parametrize(
    ("platform", "call"),
    [
        ("instagram", lambda c: c.block_author("1")),
        ("x", lambda c: c.delete_comment("1")),
        ("x", lambda c: c.block_author("1")),
        ("tiktok", lambda c: c.delete_comment("1", post_id="2")),
        ("youtube", lambda c: c.private_reply("1", "hi")),
    ],
)
def test_client_refuses_without_a_network_call(platform: str, call) -> None:  # type: ignore[no-untyped-def]
    client = client_for(platform, access_token="t", account_id="1", base_url="http://127.0.0.1:9")
    with pytest.raises(Unsupported) as info:
        call(client)
    assert info.value.permanent
