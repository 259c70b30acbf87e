"""YouTube Data API v3 resources → :mod:`steward.platforms.base` dataclasses (platforms.md §4).

YouTube has no comment webhooks: everything here comes from polling ``commentThreads.list`` and
``comments.list``. Quirks:

* A ``commentThread`` holds ``snippet.topLevelComment`` and only a *subset* of its replies in
  ``replies.comments``; fetch ``comments.list?parentId=`` for all of them.
* ``textOriginal`` is returned only to the comment's author; everyone else gets ``textDisplay``
  (HTML unless ``textFormat=plainText``, which the client always asks for).
* ``moderationStatus`` is returned only to the channel or video owner: ``published`` is visible,
  ``heldForReview``/``likelySpam``/``rejected`` are not.
* A reply's id is ``<parent id>.<suffix>``; its ``snippet.parentId`` names the parent.
* A channel-level comment (no video) has no ``videoId``: the channel id stands in as ``post_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from steward.platforms.base import (
    PlatformAuthor,
    PlatformComment,
    as_id,
    get_obj,
    opt_id,
    opt_text,
    parse_time,
)

PLATFORM = "youtube"
HIDDEN_STATUSES = frozenset({"heldForReview", "likelySpam", "rejected"})


def parse_comment(
    data: Mapping[str, Any], *, video_id: str = "", path: str = "comment"
) -> PlatformComment:
    """A ``youtube#comment`` resource."""
    comment_id = as_id(data.get("id"), f"{path}.id", platform=PLATFORM)
    snippet = get_obj(data, "snippet", path, platform=PLATFORM)
    here = f"{path}.snippet"
    channel = snippet.get("authorChannelId")
    author_id = channel.get("value") if isinstance(channel, Mapping) else None
    author = (
        PlatformAuthor(
            id=as_id(author_id, f"{here}.authorChannelId.value", platform=PLATFORM),
            name=str(snippet.get("authorDisplayName") or ""),
        )
        if author_id
        else None
    )
    post_id = (
        opt_id(snippet.get("videoId"), f"{here}.videoId", platform=PLATFORM)
        or video_id
        or opt_id(snippet.get("channelId"), f"{here}.channelId", platform=PLATFORM)
    )
    parent = opt_id(snippet.get("parentId"), f"{here}.parentId", platform=PLATFORM)
    status = str(snippet.get("moderationStatus") or "")
    text = opt_text(snippet.get("textOriginal"), f"{here}.textOriginal", platform=PLATFORM)
    if text is None:
        text = opt_text(snippet.get("textDisplay"), f"{here}.textDisplay", platform=PLATFORM)
    return PlatformComment(
        platform=PLATFORM,
        id=comment_id,
        post_id=post_id,
        parent_id=parent or post_id,
        author=author,
        text=text,
        created_at=parse_time(snippet.get("publishedAt"), f"{here}.publishedAt", platform=PLATFORM),
        updated_at=parse_time(snippet.get("updatedAt"), f"{here}.updatedAt", platform=PLATFORM),
        is_hidden=(status in HIDDEN_STATUSES) if status else None,
        status=status,
        permalink=f"https://www.youtube.com/watch?v={post_id}&lc={comment_id}"
        if snippet.get("videoId") or video_id
        else "",
        raw=data,
    )


def parse_comment_thread(data: Mapping[str, Any], *, path: str = "thread") -> list[PlatformComment]:
    """A ``youtube#commentThread``: the top-level comment, then the replies it carries."""
    snippet = get_obj(data, "snippet", path, platform=PLATFORM)
    video_id = opt_id(snippet.get("videoId"), f"{path}.snippet.videoId", platform=PLATFORM)
    top = parse_comment(
        get_obj(snippet, "topLevelComment", f"{path}.snippet", platform=PLATFORM),
        video_id=video_id,
        path=f"{path}.snippet.topLevelComment",
    )
    out = [top]
    replies = data.get("replies")
    if isinstance(replies, Mapping):
        for j, reply in enumerate(replies.get("comments") or []):
            out.append(
                parse_comment(reply, video_id=top.post_id, path=f"{path}.replies.comments[{j}]")
            )
    return out
