"""X's row of the capability table (platforms.md §0, §3.2, §3.3)."""

from steward.platforms.base import Action, Capability, PlatformCapabilities

CAPABILITIES = PlatformCapabilities(
    platform="x",
    actions={
        Action.HIDE: Capability(
            True,
            "PUT /2/tweets/:id/hidden",
            "Only replies to conversations the district account started; up to 725 per conversation; "
            "50 requests per 15 minutes. The author is not notified.",
        ),
        Action.UNHIDE: Capability(True, "PUT /2/tweets/:id/hidden hidden=false"),
        Action.DELETE: Capability(
            False, note="X deletes only the account's own posts; hide the reply instead."
        ),
        Action.BLOCK: Capability(
            False,
            "POST /2/users/:id/blocking",
            "Enterprise plan only. Muting (POST /2/users/:id/muting) is available on other plans.",
        ),
        Action.UNBLOCK: Capability(False, note="Enterprise plan only."),
        Action.REPLY: Capability(True, "POST /2/tweets reply.in_reply_to_tweet_id", source="U"),
        Action.PRIVATE_REPLY: Capability(False),
    },
    push_comments=True,
    push_edits_and_removals=True,
    notes="Account Activity API is deprecated in favour of the X Activity API; keep it behind the parser.",
)
