"""X API v2 client: endpoints from platforms.md §3.1–§3.3, §3.6.

``account_id`` is the district account's user id; ``access_token`` a user-context OAuth 2.0 token
with ``tweet.read users.read tweet.moderate.write`` (plus ``tweet.write`` to reply).

Rate limits: every answer carries ``x-rate-limit-remaining``/``-reset``; when remaining hits 0
the throttle refuses further calls until the reset, instead of spending a 429.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from steward.platforms.base import (
    Action,
    ActionResult,
    BaseClient,
    Page,
    Platform,
    PlatformComment,
    PlatformPost,
)
from steward.platforms.errors import MalformedPayload, PlatformError, RateLimited
from steward.platforms.ratelimit import parse_x_rate_limit
from steward.platforms.x.capabilities import CAPABILITIES
from steward.platforms.x.parsers import parse_post_v2, parse_tweet_v2

TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets"


class XClient(BaseClient):
    platform: ClassVar[Platform] = Platform.X
    capabilities = CAPABILITIES
    default_base_url: ClassVar[str] = "https://api.x.com/2"

    def __init__(self, *, enterprise: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Blocking through the API is "only available under the Enterprise plan".
        self.enterprise = enterprise

    def observe(self, response: httpx.Response) -> None:
        info = parse_x_rate_limit(response.headers)
        if info is None:
            return
        self.throttle.last_remaining = info.remaining
        if info.remaining == 0 and info.reset is not None and response.is_success:
            self.throttle.block_until(info.reset)

    def error_for(self, response: httpx.Response) -> PlatformError:
        if response.status_code == 429:
            info = parse_x_rate_limit(response.headers)
            if info is not None and info.reset is not None:
                # tweepy sleeps until reset (+1 s of slack for clock skew); so do we.
                retry = max(1.0, info.reset - self.clock() + 1)
                self.throttle.block_for(retry)
                return RateLimited(
                    "rate limited",
                    retry_after=retry,
                    platform=self.platform,
                    status_code=429,
                    response=self.safe_json(response),
                )
        return super().error_for(response)

    def me(self) -> tuple[str, str]:
        """``GET /2/users/me``: the id and username of the user the token belongs to."""
        body = self.request_json("GET", "/users/me")
        data = body.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise MalformedPayload("no user in answer", field="data.id", platform=self.platform)
        return str(data["id"]), str(data.get("username") or "")

    def _search(self, query: str, *, cursor: str | None, limit: int) -> Page[PlatformComment]:
        params: dict[str, Any] = {
            "query": query,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username,name",
            "max_results": max(10, min(limit, 100)),
        }
        if cursor:
            params["next_token"] = cursor  # search uses next_token, not pagination_token
        body = self.request_json("GET", "/tweets/search/recent", params=params)
        includes = body.get("includes") or {}
        users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
        items = [
            parse_tweet_v2(t, users=users, path=f"data[{i}]")
            for i, t in enumerate(body.get("data") or [])
        ]
        meta = body.get("meta") or {}
        return Page(items, meta.get("next_token") or None)

    def list_posts(self, *, cursor: str | None = None, limit: int = 25) -> Page[PlatformPost]:
        params: dict[str, Any] = {
            "tweet.fields": TWEET_FIELDS,
            "max_results": max(5, min(limit, 100)),
        }
        if cursor:
            params["pagination_token"] = cursor
        body = self.request_json("GET", f"/users/{self.account_id}/tweets", params=params)
        items = [
            parse_post_v2(t, account_id=self.account_id, path=f"data[{i}]")
            for i, t in enumerate(body.get("data") or [])
        ]
        return Page(items, (body.get("meta") or {}).get("next_token") or None)

    def list_comments(
        self, post_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> Page[PlatformComment]:
        """Replies in a conversation: ``search/recent`` on ``conversation_id:`` (last 7 days only)."""
        return self._search(f"conversation_id:{post_id}", cursor=cursor, limit=limit)

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        """Direct replies to one post via the ``in_reply_to_tweet_id:`` search operator [U]."""
        return self._search(f"in_reply_to_tweet_id:{comment_id}", cursor=None, limit=100).items

    def _set_hidden(self, tweet_id: str, hidden: bool) -> ActionResult:
        body = self.request_json("PUT", f"/tweets/{tweet_id}/hidden", json_body={"hidden": hidden})
        return ActionResult(
            self.platform, Action.HIDE if hidden else Action.UNHIDE, tweet_id, 200, body
        )

    def hide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        """``PUT /2/tweets/:id/hidden``: only replies in conversations this account started."""
        return self._set_hidden(comment_id, True)

    def unhide_comment(self, comment_id: str, *, post_id: str | None = None) -> ActionResult:
        return self._set_hidden(comment_id, False)

    def reply(self, comment_id: str, text: str, *, post_id: str | None = None) -> ActionResult:
        body = self.request_json(
            "POST",
            "/tweets",
            json_body={"text": text, "reply": {"in_reply_to_tweet_id": comment_id}},
        )
        data = body.get("data") or {}
        return ActionResult(
            self.platform,
            Action.REPLY,
            comment_id,
            201,
            body,
            created_id=str(data.get("id") or "") or None,
        )

    def block_author(self, author_id: str, *, comment_id: str | None = None) -> ActionResult:
        if not self.enterprise:
            raise self.unsupported(Action.BLOCK)
        body = self.request_json(
            "POST", f"/users/{self.account_id}/blocking", json_body={"target_user_id": author_id}
        )
        return ActionResult(self.platform, Action.BLOCK, author_id, 200, body)

    # -- webhooks (platforms.md §3.5; the Account Activity API is deprecated for the X Activity
    # API, whose subscription calls are not in the reference) -------------------------------------
    def register_webhook(self, url: str) -> dict[str, Any]:
        """``POST /2/webhooks`` with an **app-only** bearer token (construct this client with it).
        X runs the CRC against ``url`` before answering; ``url`` must be HTTPS, public, portless."""
        body = self.request_json("POST", "/webhooks", json_body={"url": url})
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def revalidate_webhook(self, webhook_id: str) -> bool:
        """``PUT /2/webhooks/:id``: re-run the CRC (after fixing the endpoint, or rotating secrets)."""
        body = self.request_json("PUT", f"/webhooks/{webhook_id}")
        return bool((body.get("data") or {}).get("valid"))

    def subscribe_account_activity(self, webhook_id: str) -> bool:
        """Subscribe this (user-context) account's activity to the webhook."""
        body = self.request_json(
            "POST", f"/account_activity/webhooks/{webhook_id}/subscriptions/all"
        )
        return bool((body.get("data") or {}).get("subscribed"))

    def mute_author(self, author_id: str) -> ActionResult:
        """The non-Enterprise alternative to blocking: the account stops seeing the author."""
        body = self.request_json(
            "POST", f"/users/{self.account_id}/muting", json_body={"target_user_id": author_id}
        )
        return ActionResult(self.platform, Action.BLOCK, author_id, 200, body)
