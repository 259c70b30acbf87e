"""Facebook Page client: Graph API endpoints from platforms.md §1.2–§1.5.

``account_id`` is the Page id and ``access_token`` a Page token (Business Use Case limits apply).
Every call carries ``appsecret_proof`` when ``app_secret`` is given (it should be, in production).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from steward.platforms.base import (
    Action,
    ActionResult,
    Page,
    Platform,
    PlatformComment,
    PlatformPost,
)
from steward.platforms.facebook.capabilities import CAPABILITIES
from steward.platforms.facebook.parsers import parse_comment, parse_post
from steward.platforms.meta import GraphClient

COMMENT_FIELDS = "id,message,from,created_time,parent{id},object{id},is_hidden,can_hide,can_remove,permalink_url,attachment"


class FacebookClient(GraphClient):
    platform: ClassVar[Platform] = Platform.FACEBOOK
    capabilities = CAPABILITIES
    hide_param: ClassVar[str] = "is_hidden"
    reply_edge: ClassVar[str] = "comments"

    def list_posts(self, *, cursor: str | None = None, limit: int = 25) -> Page[PlatformPost]:
        """``GET /{page-id}/feed``: the Page's posts and visitors' posts."""
        params: dict[str, Any] = {
            "fields": "id,message,created_time,permalink_url,from",
            "limit": limit,
        }
        if cursor:
            params["after"] = cursor
        body = self.request_json("GET", f"/{self.account_id}/feed", params=params)
        items = [
            parse_post(d, page_id=self.account_id, path=f"data[{i}]")
            for i, d in enumerate(body.get("data") or [])
        ]
        return Page(items, self.next_cursor(body))

    def list_comments(
        self,
        post_id: str,
        *,
        cursor: str | None = None,
        limit: int = 50,
        since: dt.datetime | None = None,
    ) -> Page[PlatformComment]:
        """``GET /{post-id}/comments?filter=stream``: all comments, replies flattened in; with
        ``since``, only those created at or after it (platforms.md §1.3)."""
        params: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "chronological",
            "limit": limit,
        }
        if cursor:
            params["after"] = cursor
        if since is not None:
            params["since"] = int(since.timestamp())
        body = self.request_json("GET", f"/{post_id}/comments", params=params)
        items = [
            parse_comment(d, post_id=post_id, path=f"data[{i}]")
            for i, d in enumerate(body.get("data") or [])
        ]
        return Page(items, self.next_cursor(body))

    def post_id_of(self, comment_id: str) -> str:
        """A comment id is ``<post id suffix>_<comment id>`` and a Page post id
        ``<page id>_<post id suffix>`` (platforms.md §9), so the post is derivable; the comment
        node's ``object`` field is empty for comments on plain posts."""
        suffix, sep, _ = comment_id.partition("_")
        return f"{self.account_id}_{suffix}" if sep else ""

    def get_comment(self, comment_id: str) -> PlatformComment:
        body = self.request_json("GET", f"/{comment_id}", params={"fields": COMMENT_FIELDS})
        return parse_comment(body, post_id=self.post_id_of(comment_id))

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        body = self.request_json(
            "GET", f"/{comment_id}/comments", params={"fields": COMMENT_FIELDS, "limit": 100}
        )
        post = post_id or self.post_id_of(comment_id)
        return [
            parse_comment(d, post_id=post, path=f"data[{i}]")
            for i, d in enumerate(body.get("data") or [])
        ]

    def block_author(self, author_id: str, *, comment_id: str | None = None) -> ActionResult:
        """``POST /{page-id}/blocked``; the SDK sends list parameters JSON-encoded."""
        body = self.request_json(
            "POST", f"/{self.account_id}/blocked", data={"user": json.dumps([author_id])}
        )
        return ActionResult(self.platform, Action.BLOCK, author_id, 200, body)

    def unblock_author(self, author_id: str) -> ActionResult:
        body = self.request_json(
            "DELETE", f"/{self.account_id}/blocked", params={"user": author_id}
        )
        return ActionResult(self.platform, Action.UNBLOCK, author_id, 200, body)
