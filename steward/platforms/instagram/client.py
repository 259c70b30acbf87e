"""Instagram professional-account client: Graph API endpoints from platforms.md §2.2.

``account_id`` is the IG user id. ``base_url`` is ``graph.facebook.com/vN.0`` for the Facebook
Login setup or ``graph.instagram.com/vN.0`` for Instagram Login; the paths are the same.
"""

from __future__ import annotations

from typing import Any, ClassVar

from steward.platforms.base import (
    Page,
    Platform,
    PlatformComment,
    PlatformPost,
)
from steward.platforms.instagram.capabilities import CAPABILITIES
from steward.platforms.instagram.parsers import parse_comment, parse_media
from steward.platforms.meta import GraphClient

REPLY_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"
COMMENT_FIELDS = f"{REPLY_FIELDS},like_count,replies{{{REPLY_FIELDS}}}"


class InstagramClient(GraphClient):
    platform: ClassVar[Platform] = Platform.INSTAGRAM
    capabilities = CAPABILITIES
    hide_param: ClassVar[str] = "hide"
    reply_edge: ClassVar[str] = "replies"

    def list_posts(self, *, cursor: str | None = None, limit: int = 25) -> Page[PlatformPost]:
        params: dict[str, Any] = {
            "fields": "id,caption,media_type,media_product_type,permalink,timestamp,comments_count,username",
            "limit": limit,
        }
        if cursor:
            params["after"] = cursor
        body = self.request_json("GET", f"/{self.account_id}/media", params=params)
        items = [
            parse_media(d, account_id=self.account_id, path=f"data[{i}]")
            for i, d in enumerate(body.get("data") or [])
        ]
        return Page(items, self.next_cursor(body))

    def list_comments(
        self, post_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> Page[PlatformComment]:
        """``GET /{ig-media-id}/comments`` with nested replies, flattened.

        Hidden comments may be missing from this listing: do not read absence as deletion
        without checking ``GET /{ig-comment-id}``.
        """
        params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": limit}
        if cursor:
            params["after"] = cursor
        body = self.request_json("GET", f"/{post_id}/comments", params=params)
        items: list[PlatformComment] = []
        for i, d in enumerate(body.get("data") or []):
            items += parse_comment(d, media_id=post_id, path=f"data[{i}]")
        return Page(items, self.next_cursor(body))

    def get_comment(self, comment_id: str) -> PlatformComment:
        body = self.request_json(
            "GET", f"/{comment_id}", params={"fields": REPLY_FIELDS + ",media"}
        )
        return parse_comment(body)[0]

    def list_replies(self, comment_id: str, *, post_id: str | None = None) -> list[PlatformComment]:
        body = self.request_json("GET", f"/{comment_id}/replies", params={"fields": REPLY_FIELDS})
        out: list[PlatformComment] = []
        for i, d in enumerate(body.get("data") or []):
            out += parse_comment({"parent_id": comment_id, **d}, path=f"data[{i}]")
        return out
