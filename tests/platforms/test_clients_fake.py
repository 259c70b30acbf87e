"""The real clients against the fake platforms over real HTTP on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from steward.platforms.base import Action
from steward.platforms.errors import (
    AuthError,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
)
from steward.platforms.facebook.client import FacebookClient
from steward.platforms.fake import FakePlatforms
from steward.platforms.instagram.client import InstagramClient
from steward.platforms.ratelimit import QuotaLedger
from steward.platforms.tiktok.client import TikTokClient
from steward.platforms.x.client import XClient
from steward.platforms.youtube.client import YouTubeClient


def fb(fake: FakePlatforms, **kw: object) -> FacebookClient:
    return FacebookClient(**{**fake.client_kwargs("facebook"), **kw})  # type: ignore[arg-type]


# -- Facebook -------------------------------------------------------------------------------------


def test_facebook_list_hide_reply_delete(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook", "Snow day tomorrow")
    first = fake.add_comment("facebook", post, "yay")
    fake.add_comment("facebook", post, "a reply", parent_id=first)
    with fb(fake) as client:
        assert [p.id for p in client.list_posts().items] == [post]
        comments = client.list_comments(post).items
        assert [c.text for c in comments] == ["yay", "a reply"]
        assert comments[1].is_reply and comments[1].parent_id == first
        assert all(isinstance(c.id, str) and c.is_hidden is False for c in comments)

        result = client.hide_comment(first)
        assert (result.action, result.status_code, result.response) == (
            Action.HIDE,
            200,
            {"success": True},
        )
        fetched = client.get_comment(first)
        assert fetched.is_hidden is True and fetched.post_id == post
        (nested,) = client.list_replies(first)
        assert nested.post_id == post and nested.parent_id == first
        client.unhide_comment(first)
        assert fake.comment("facebook", first).hidden is False

        reply = client.reply(first, "Please see our help line.")
        assert (
            reply.created_id
            and fake.comment("facebook", reply.created_id).author_id == fake.accounts["facebook"]
        )

        client.delete_comment(first)
        with pytest.raises(NotFound):
            client.get_comment(first)


def test_facebook_hide_twice_hides_once(fake_with_webhooks: FakePlatforms, receiver) -> None:  # type: ignore[no-untyped-def]
    fake = fake_with_webhooks
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "rude")  # one 'add' webhook
    with fb(fake) as client:
        client.hide_comment(comment)
        client.hide_comment(comment)
    assert fake.comment("facebook", comment).hidden is True
    deliveries = fake.wait_for_deliveries(2)
    time.sleep(0.1)  # would a second hide webhook arrive?
    verbs = [d.payload["entry"][0]["changes"][0]["value"]["verb"] for d in fake.deliveries]
    assert verbs == ["add", "hide"], deliveries
    hides = [c for c in fake.calls if c.method == "POST" and c.path.endswith(comment)]
    assert len(hides) == 2  # both calls reached the platform; the state changed once


def test_facebook_paging_follows_cursors(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    ids = [fake.add_comment("facebook", post, f"c{i}", send_webhook=False) for i in range(7)]
    with fb(fake) as client:
        page = client.list_comments(post, limit=3)
        assert len(page.items) == 3 and page.next_cursor
        assert [c.id for c in client.iter_comments(post, limit=3)] == ids


def test_facebook_block_and_private_reply(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    comment = fake.add_comment("facebook", post, "spam", author_id="555", send_webhook=False)
    with fb(fake) as client:
        assert client.block_author("555").response == {"555": True}
        assert "555" in fake.blocked["facebook"]
        client.unblock_author("555")
        assert "555" not in fake.blocked["facebook"]
        sent = client.private_reply(comment, "We hid your comment; you may appeal.")
        assert sent.created_id and sent.created_id.startswith("m_")
        with pytest.raises(PermanentError):  # one private reply per comment
            client.private_reply(comment, "again")


def test_appsecret_proof_is_sent_and_checked(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    with fb(fake) as client:
        client.list_comments(post)
    assert fake.calls[-1].params["appsecret_proof"]
    with fb(fake, app_secret="wrong-secret") as client, pytest.raises(PermanentError) as info:
        client.list_comments(post)
    assert info.value.code == 100 and "appsecret_proof" in str(info.value)


def test_bad_token_is_auth_error(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    with fb(fake, access_token="expired") as client, pytest.raises(AuthError) as info:
        client.list_comments(post)
    assert info.value.permanent and info.value.code == 190


@pytest.mark.parametrize("status", [429, 400])
def test_meta_throttle_reads_buc_header_and_backs_off(fake: FakePlatforms, status: int) -> None:
    post = fake.add_post("facebook")
    fake.inject_fault("rate_limit", count=1, platform="facebook", status=status, retry_after=180)
    with fb(fake) as client:
        with pytest.raises(RateLimited) as info:
            client.list_comments(post)
        assert info.value.retry_after == 180  # estimated_time_to_regain_access: 3 (minutes)
        assert info.value.code == 80001 and not info.value.permanent
        calls = fake.call_count
        with pytest.raises(RateLimited):  # refused locally: no call spent while throttled
            client.list_comments(post)
        assert fake.call_count == calls


def test_meta_usage_at_100_percent_blocks_next_call(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    with fb(fake) as client:
        client.list_comments(post)
        assert (
            client.throttle.last_usage_percent is not None
            and client.throttle.last_usage_percent < 100
        )
        client.throttle.block_for(0)
        # Pretend Meta said 100 %: the client keeps away for the default wait.
        client.observe(
            type(
                "R",
                (),
                {"headers": {"X-App-Usage": '{"call_count":100,"total_cputime":1,"total_time":1}'}},
            )()  # type: ignore[arg-type]
        )
        with pytest.raises(RateLimited) as info:
            client.list_comments(post)
        assert info.value.retry_after > 50


def test_500_storm_is_transient_then_recovers(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    fake.add_comment("facebook", post, "hello", send_webhook=False)
    fake.inject_fault("error", count=3, platform="facebook")
    with fb(fake) as client:
        for _ in range(3):
            with pytest.raises(TransientError) as info:
                client.list_comments(post)
            assert not info.value.permanent and info.value.status_code == 500
        assert len(client.list_comments(post).items) == 1


def test_disconnect_and_timeout_are_transient(fake: FakePlatforms) -> None:
    post = fake.add_post("facebook")
    fake.inject_fault("disconnect", count=1, platform="facebook")
    with fb(fake) as client, pytest.raises(TransientError):
        client.list_comments(post)
    fake.inject_fault("latency", count=1, platform="facebook", latency=0.5)
    with fb(fake, timeout=0.1) as client, pytest.raises(TransientError, match="timeout"):
        client.list_comments(post)


# -- Instagram ------------------------------------------------------------------------------------


def test_instagram_comments_hide_reply(fake: FakePlatforms) -> None:
    media = fake.add_post("instagram", "Graduation!")
    top = fake.add_comment("instagram", media, "congrats")
    fake.add_comment("instagram", media, "thanks", parent_id=top)
    with InstagramClient(**fake.client_kwargs("instagram")) as client:
        assert [p.id for p in client.list_posts().items] == [media]
        comments = client.list_comments(media).items
        assert [(c.text, c.is_reply) for c in comments] == [("congrats", False), ("thanks", True)]
        client.hide_comment(top)
        client.hide_comment(top)
        assert fake.comment("instagram", top).hidden is True
        reply = client.reply(top, "Thank you!")
        assert client.find_own_reply(top, "Thank you!") is not None
        assert reply.created_id == client.find_own_reply(top, "Thank you!").id  # type: ignore[union-attr]
        client.delete_comment(top)
        assert fake.comment("instagram", top).deleted


# -- X --------------------------------------------------------------------------------------------


def test_x_hide_and_search(fake: FakePlatforms) -> None:
    post = fake.add_post("x", "Early release Friday")
    reply = fake.add_comment("x", post, "@LawrenceSchools why?")
    with XClient(**fake.client_kwargs("x")) as client:
        found = client.list_comments(post).items
        assert [c.id for c in found] == [reply]
        assert found[0].author is not None and found[0].author.username == "patpublic"
        assert client.hide_comment(reply).response == {"data": {"hidden": True}}
        client.hide_comment(reply)
        assert fake.comment("x", reply).hidden
        assert fake.calls[-1].params == {"hidden": True}  # JSON bodies are recorded too
        assert client.throttle.last_remaining == 48  # 50 per 15 minutes for hide
        client.unhide_comment(reply)
        assert not fake.comment("x", reply).hidden


def test_x_hide_outside_own_conversation_is_permanent(fake: FakePlatforms) -> None:
    other = fake.add_post("x", post_id="1799999999999999999")
    fake.objects[("x", other)].author_id = "999"  # someone else's conversation
    reply = fake.add_comment("x", other, "hi", send_webhook=False)
    with XClient(**fake.client_kwargs("x")) as client, pytest.raises(PermanentError) as info:
        client.hide_comment(reply)
    assert info.value.status_code == 403


def test_x_429_uses_reset_header(fake: FakePlatforms) -> None:
    post = fake.add_post("x")
    reply = fake.add_comment("x", post, "hi", send_webhook=False)
    fake.inject_fault("rate_limit", count=1, platform="x", retry_after=600)
    with XClient(**fake.client_kwargs("x")) as client:
        with pytest.raises(RateLimited) as info:
            client.hide_comment(reply)
        assert 595 <= info.value.retry_after <= 602
        assert info.value.status_code == 429


def test_x_remaining_zero_blocks_until_reset(fake: FakePlatforms) -> None:
    fake.x_limits["hidden"] = 1
    post = fake.add_post("x")
    reply = fake.add_comment("x", post, "hi", send_webhook=False)
    with XClient(**fake.client_kwargs("x")) as client:
        client.hide_comment(reply)  # remaining: 0
        calls = fake.call_count
        with pytest.raises(RateLimited) as info:
            client.hide_comment(reply)
        assert fake.call_count == calls and 800 < info.value.retry_after <= 900


def test_x_reply_and_mute(fake: FakePlatforms) -> None:
    post = fake.add_post("x")
    reply = fake.add_comment("x", post, "hi", send_webhook=False)
    with XClient(**fake.client_kwargs("x")) as client:
        result = client.reply(reply, "See our help line")
        assert result.created_id and fake.comment("x", result.created_id).parent_id == reply
        client.mute_author("1102323333")
        assert "1102323333" in fake.muted


# -- YouTube --------------------------------------------------------------------------------------


def yt(fake: FakePlatforms, **kw: object) -> YouTubeClient:
    return YouTubeClient(**{**fake.client_kwargs("youtube"), **kw})  # type: ignore[arg-type]


def test_youtube_threads_and_moderation(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube", "Spring concert")
    top = fake.add_comment("youtube", video, "Bravo")
    fake.add_comment("youtube", video, "agreed", parent_id=top)
    ledger = QuotaLedger(daily_units=10_000)
    with yt(fake, quota=ledger) as client:
        top_c, reply_c = client.list_comments(video).items
        assert (top_c.id, reply_c.parent_id, reply_c.id.startswith(top + ".")) == (top, top, True)
        assert [r.text for r in client.list_replies(top)] == ["agreed"]

        assert client.hide_comment(top).status_code == 204
        assert fake.comment("youtube", top).status == "heldForReview"
        held = client.list_comment_threads(moderation_status="heldForReview").items
        assert held[0].id == top and held[0].is_hidden  # the thread carries its replies too
        client.unhide_comment(top)
        client.delete_comment(top)
        with pytest.raises(PermanentError) as info:  # rejected cannot be published again
            client.unhide_comment(top)
        assert info.value.code == "operationNotSupported"
        assert ledger.spent == 3 * 1 + 4 * 50  # lists cost 1, moderation 50 (the failed one too)


def test_youtube_ban_needs_reject_and_comment(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube")
    top = fake.add_comment("youtube", video, "spam", author_id="UCspam")
    with yt(fake) as client:
        with pytest.raises(PermanentError):
            client.block_author("UCspam")
        with pytest.raises(PermanentError, match="banAuthor"):
            client.set_moderation_status([top], "heldForReview", ban_author=True)
        assert client.block_author("UCspam", comment_id=top).action is Action.BLOCK
        assert "UCspam" in fake.blocked["youtube"]


def test_youtube_local_quota_refuses_before_calling(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube")
    top = fake.add_comment("youtube", video, "x")
    with yt(fake, quota=QuotaLedger(daily_units=60)) as client:
        client.hide_comment(top)
        calls = fake.call_count
        with pytest.raises(RateLimited) as info:
            client.unhide_comment(top)
        assert fake.call_count == calls
        assert 0 < info.value.retry_after <= 25 * 3600


def test_youtube_quota_exceeded_from_platform(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube")
    fake.inject_fault("quota", count=1, platform="youtube")
    ledger = QuotaLedger()
    with yt(fake, quota=ledger) as client:
        with pytest.raises(RateLimited) as info:
            client.list_comments(video)
        assert info.value.code == "quotaExceeded"
        assert ledger.spent == ledger.daily_units  # trusts the platform until the reset
    fake.inject_fault("rate_limit", count=1, platform="youtube", retry_after=30)
    with yt(fake) as client, pytest.raises(RateLimited) as info:
        client.list_comments(video)
    assert info.value.retry_after == 30


def test_youtube_deleted_by_author_is_permanent(fake: FakePlatforms) -> None:
    video = fake.add_post("youtube")
    top = fake.add_comment("youtube", video, "x")
    fake.remove_comment("youtube", top)
    with yt(fake) as client, pytest.raises(PermanentError) as info:
        client.hide_comment(top)
    assert info.value.code == "processingFailure"


# -- TikTok ---------------------------------------------------------------------------------------


def test_tiktok_comments(fake: FakePlatforms) -> None:
    video = fake.add_post("tiktok")
    top = fake.add_comment("tiktok", video, "fire")
    with TikTokClient(**fake.client_kwargs("tiktok")) as client:
        (comment,) = client.list_comments(video).items
        assert comment.id == top and comment.is_hidden is False
        with pytest.raises(PermanentError, match="video id"):
            client.hide_comment(top)
        client.hide_comment(top, post_id=video)
        assert fake.comment("tiktok", top).hidden
        result = client.reply(top, "thanks", post_id=video)
        assert client.find_own_reply(top, "thanks", post_id=video).id == result.created_id  # type: ignore[union-attr]
    with (
        TikTokClient(**{**fake.client_kwargs("tiktok"), "access_token": "bad"}) as client,
        pytest.raises(AuthError),
    ):
        client.list_comments(video)


def test_forbidden_object_is_not_a_bad_token(fake: FakePlatforms) -> None:
    """X's 403 for a reply outside our conversations must not send an admin to reconnect."""
    other = fake.add_post("x", post_id="1799999999999999998")
    fake.objects[("x", other)].author_id = "999"
    reply = fake.add_comment("x", other, "hi", send_webhook=False)
    with XClient(**fake.client_kwargs("x")) as client, pytest.raises(PermanentError) as info:
        client.hide_comment(reply)
    assert not isinstance(info.value, AuthError) and info.value.code == "forbidden"
    with (
        XClient(**{**fake.client_kwargs("x"), "access_token": "revoked"}) as client,
        pytest.raises(AuthError),
    ):
        client.hide_comment(reply)
    with (
        YouTubeClient(**{**fake.client_kwargs("youtube"), "access_token": "revoked"}) as client,
        pytest.raises(AuthError),
    ):
        client.list_comments("v")


def test_meta_account_connection(fake: FakePlatforms) -> None:
    """Connecting: a User token lists the managed Pages with their Page tokens and the linked
    Instagram account; the Page token then installs the app for feed webhooks."""
    user = FacebookClient(
        **{**fake.client_kwargs("facebook"), "access_token": fake.user_token, "account_id": "me"}
    )
    with user:
        token, expires = user.exchange_long_lived(app_id=fake.oauth_clients["meta"][0])
        assert token and expires and expires > 86400
        (page,) = user.managed_pages()
    assert (page.id, page.instagram_account_id) == (
        fake.accounts["facebook"],
        fake.accounts["instagram"],
    )
    assert page.can_moderate and page.access_token == fake.tokens["facebook"]
    with FacebookClient(
        **{**fake.client_kwargs("facebook"), "access_token": page.access_token}
    ) as client:
        assert client.subscribed_fields() == []
        assert client.subscribe_webhooks(("feed",)) is True
        assert client.subscribed_fields() == ["feed"]


def test_x_post_without_reply(fake: FakePlatforms) -> None:
    with XClient(**fake.client_kwargs("x")) as client:
        created = client.request_json(
            "POST", "/tweets", json_body={"text": "Board meeting tonight"}
        )
        (post,) = client.list_posts().items
    assert post.id == created["data"]["id"] and post.text == "Board meeting tonight"
