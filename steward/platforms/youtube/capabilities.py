"""YouTube's row of the capability table (platforms.md §0, §4.2).

Steward's *hide* is ``heldForReview`` (reversible: approve sets ``published``), its *delete* is
``rejected`` (YouTube cannot move a rejected comment back to published), and *block* is
``rejected`` + ``banAuthor`` on one of the author's comments.
"""

from steward.platforms.base import Action, Capability, PlatformCapabilities

CAPABILITIES = PlatformCapabilities(
    platform="youtube",
    actions={
        Action.HIDE: Capability(
            True,
            "comments.setModerationStatus moderationStatus=heldForReview",
            "Holds the comment for review; 50 quota units.",
        ),
        Action.UNHIDE: Capability(
            True,
            "comments.setModerationStatus moderationStatus=published",
            "Not possible once a comment was rejected.",
        ),
        Action.DELETE: Capability(
            True,
            "comments.setModerationStatus moderationStatus=rejected",
            "Irreversible: a rejected comment cannot be published again; its replies are hidden too.",
        ),
        Action.BLOCK: Capability(
            True,
            "setModerationStatus rejected + banAuthor=true",
            "Rejects the given comment and all the author's future comments.",
        ),
        Action.UNBLOCK: Capability(False, note="No API to lift a ban; use YouTube Studio."),
        Action.REPLY: Capability(True, "comments.insert snippet.parentId", "50 quota units."),
        Action.PRIVATE_REPLY: Capability(False),
    },
    push_comments=False,
    push_edits_and_removals=False,
    notes="No comment webhooks: poll commentThreads.list (1 unit per page) within 10,000 units a day.",
)
