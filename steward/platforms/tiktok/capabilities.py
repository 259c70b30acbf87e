"""TikTok business accounts' row of the capability table (platforms.md §0, §5), mostly [P]."""

from steward.platforms.base import Action, Capability, PlatformCapabilities

CAPABILITIES = PlatformCapabilities(
    platform="tiktok",
    actions={
        Action.HIDE: Capability(True, "POST /business/comment/hide/ action=HIDE", source="P"),
        Action.UNHIDE: Capability(True, "POST /business/comment/hide/ action=UNHIDE", source="P"),
        Action.DELETE: Capability(
            False, note="Only the account's own comments can be deleted; hide others.", source="P"
        ),
        Action.BLOCK: Capability(False, note="No API found; use the TikTok app.", source="U"),
        Action.UNBLOCK: Capability(False, source="U"),
        Action.REPLY: Capability(True, "POST /business/comment/reply/create/", source="P"),
        Action.PRIVATE_REPLY: Capability(False),
    },
    push_comments=False,
    push_edits_and_removals=False,
    notes="comment.update webhook is [P]/[U]; poll /business/comment/list/.",
)
