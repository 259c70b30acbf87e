"""In-memory state of the fake platforms, and how each platform renders it.

Objects are plain dataclasses; the renderers produce the documented shapes (platforms.md §1–§5)
so the real clients and parsers read them exactly as they would read the real APIs.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class FakeObject:
    """A post (video, media, tweet) or a comment (reply, IG comment, YouTube comment)."""

    platform: str
    kind: str  # "post" | "comment"
    id: str
    account_id: str
    text: str
    author_id: str
    author_name: str
    post_id: str = ""
    parent_id: str = ""
    created: float = field(default_factory=time.time)
    updated: float = 0.0
    hidden: bool = False
    deleted: bool = False
    status: str = "published"  # YouTube moderationStatus
    children: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return bool(self.parent_id) and self.parent_id != self.post_id


def iso(epoch: float, *, z: bool = False) -> str:
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    if z:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def x_v1_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


class IdFactory:
    """Deterministic ids in each platform's style."""

    def __init__(self) -> None:
        self._n = itertools.count(1)

    def next(self) -> int:
        return next(self._n)

    def facebook_post(self, page_id: str) -> str:
        return f"{page_id}_{900000000000000 + self.next()}"

    def facebook_comment(self, post_id: str) -> str:
        # Comment ids are "<post id suffix>_<comment id>" (platforms.md §9).
        return f"{post_id.split('_')[-1]}_{903000000000000 + self.next()}"

    def numeric(self, base: int) -> str:
        return str(base + self.next())

    def youtube_comment(self, parent_id: str = "") -> str:
        n = self.next()
        if parent_id:
            return f"{parent_id}.{n:022d}"  # reply ids are "<parent>.<suffix>"
        return f"Ugz{n:020d}AaABAg"


# -- renderers: Graph API ----------------------------------------------------------------------


def render_fb_comment(obj: FakeObject) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": obj.id,
        "created_time": iso(obj.created),
        "from": {"name": obj.author_name, "id": obj.author_id},
        "message": obj.text,
        "can_comment": True,
        "can_hide": obj.author_id != obj.account_id,
        "can_remove": True,
        "can_like": True,
        "can_reply_privately": True,
        "comment_count": len(obj.children),
        "like_count": 0,
        "is_hidden": obj.hidden,
        "is_private": False,
        "permalink_url": f"https://www.facebook.com/{obj.account_id}/posts/{obj.post_id.split('_')[-1]}/?comment_id={obj.id}",
    }
    if obj.is_reply:
        data["parent"] = {"id": obj.parent_id}
    return data


def render_fb_post(obj: FakeObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "message": obj.text,
        "created_time": iso(obj.created),
        "from": {"name": obj.author_name, "id": obj.author_id},
        "permalink_url": f"https://www.facebook.com/{obj.id}",
    }


def render_ig_comment(obj: FakeObject, replies: list[FakeObject] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": obj.id,
        "text": obj.text,
        "timestamp": iso(obj.created),
        "username": obj.author_name,
        "from": {"id": obj.author_id, "username": obj.author_name},
        "hidden": obj.hidden,
        "like_count": 0,
        "media": {"id": obj.post_id},
    }
    if obj.is_reply:
        data["parent_id"] = obj.parent_id
    if replies is not None:
        data["replies"] = {"data": [render_ig_comment(r) for r in replies]}
    return data


def render_ig_media(obj: FakeObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "caption": obj.text,
        "media_type": "IMAGE",
        "media_product_type": "FEED",
        "permalink": f"https://www.instagram.com/p/{obj.id}/",
        "timestamp": iso(obj.created),
        "comments_count": len(obj.children),
        "username": obj.author_name,
    }


# -- renderers: X ------------------------------------------------------------------------------


def render_x_v2(obj: FakeObject) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": obj.id,
        "text": obj.text,
        "author_id": obj.author_id,
        "conversation_id": obj.post_id or obj.id,
        "created_at": iso(obj.created, z=True),
        "edit_history_tweet_ids": [obj.id],
    }
    if obj.kind == "comment":
        data["referenced_tweets"] = [{"type": "replied_to", "id": obj.parent_id}]
    return data


def render_x_v1(obj: FakeObject, in_reply_to_user_id: str = "") -> dict[str, Any]:
    """A v1.1 Tweet as the Account Activity API delivers it."""
    data: dict[str, Any] = {
        "created_at": x_v1_time(obj.created),
        "id": int(obj.id),
        "id_str": obj.id,
        "text": obj.text,
        "truncated": False,
        "in_reply_to_status_id": int(obj.parent_id) if obj.kind == "comment" else None,
        "in_reply_to_status_id_str": obj.parent_id if obj.kind == "comment" else None,
        "in_reply_to_user_id_str": in_reply_to_user_id or None,
        "user": {
            "id": int(obj.author_id),
            "id_str": obj.author_id,
            "name": obj.author_name,
            "screen_name": obj.author_name,
        },
        "timestamp_ms": str(int(obj.created * 1000)),
    }
    if len(obj.text) > 140:
        # Long tweets arrive truncated with the full text in extended_tweet.
        data["text"] = obj.text[:139] + "…"
        data["truncated"] = True
        data["extended_tweet"] = {"full_text": obj.text}
    return data


# -- renderers: YouTube ------------------------------------------------------------------------


def render_yt_comment(obj: FakeObject, channel_id: str) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "channelId": channel_id,
        "videoId": obj.post_id,
        "textDisplay": obj.text,
        "authorDisplayName": obj.author_name,
        "authorProfileImageUrl": "https://yt3.ggpht.com/fake",
        "authorChannelUrl": f"http://www.youtube.com/channel/{obj.author_id}",
        "authorChannelId": {"value": obj.author_id},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "moderationStatus": obj.status,
        "publishedAt": iso(obj.created, z=True).replace(".000", ""),
        "updatedAt": iso(obj.updated or obj.created, z=True).replace(".000", ""),
    }
    if obj.is_reply:
        snippet["parentId"] = obj.parent_id
    return {
        "kind": "youtube#comment",
        "etag": f"etag-{obj.id[-6:]}",
        "id": obj.id,
        "snippet": snippet,
    }


def render_yt_thread(top: FakeObject, replies: list[FakeObject], channel_id: str) -> dict[str, Any]:
    thread: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": f"etag-t-{top.id[-6:]}",
        "id": top.id,
        "snippet": {
            "channelId": channel_id,
            "videoId": top.post_id,
            "topLevelComment": render_yt_comment(top, channel_id),
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        },
    }
    if replies:
        # A thread carries only a subset of its replies; comments.list has them all.
        thread["replies"] = {"comments": [render_yt_comment(r, channel_id) for r in replies[:5]]}
    return thread


# -- renderers: TikTok -------------------------------------------------------------------------


def render_tt_comment(obj: FakeObject) -> dict[str, Any]:
    return {
        "comment_id": obj.id,
        "video_id": obj.post_id,
        "text": obj.text,
        "create_time": int(obj.created),
        "like_count": 0,
        "reply_count": len(obj.children),
        "status": "HIDDEN" if obj.hidden else "PUBLIC",
        "owner": obj.author_id == obj.account_id,
        "parent_comment_id": obj.parent_id if obj.is_reply else "0",
        "user_id": obj.author_id,
        "username": obj.author_name,
        "display_name": obj.author_name,
    }
