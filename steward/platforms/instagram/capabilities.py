"""Instagram professional accounts' row of the capability table (platforms.md §0, §2.2)."""

from steward.platforms.base import Action, Capability, PlatformCapabilities

CAPABILITIES = PlatformCapabilities(
    platform="instagram",
    actions={
        Action.HIDE: Capability(
            True,
            "POST /{ig-comment-id} hide=true",
            "Hidden comments may disappear from the comments listing: Steward keeps its own record. "
            "The account's own comments cannot be hidden.",
        ),
        Action.UNHIDE: Capability(True, "POST /{ig-comment-id} hide=false"),
        Action.DELETE: Capability(True, "DELETE /{ig-comment-id}"),
        Action.BLOCK: Capability(
            False, note="No API to block or restrict: do it in the Instagram app.", source="U"
        ),
        Action.UNBLOCK: Capability(False, note="No API; use the Instagram app.", source="U"),
        Action.REPLY: Capability(True, "POST /{ig-comment-id}/replies"),
        Action.PRIVATE_REPLY: Capability(
            True,
            "POST /{ig-user-id}/messages recipient.comment_id",
            "One message within 7 days; lands in Requests if the person does not follow the account.",
            source="P",
        ),
    },
    push_comments=True,
    push_edits_and_removals=False,
    notes="Webhooks announce new comments only: edits and deletions are found by polling.",
)
