"""Facebook Pages' row of the capability table (platforms.md §0, §1.5)."""

from steward.platforms.base import Action, Capability, PlatformCapabilities

CAPABILITIES = PlatformCapabilities(
    platform="facebook",
    actions={
        Action.HIDE: Capability(
            True,
            "POST /{comment-id} is_hidden=true",
            "Hidden comments stay visible to their author and the author's friends. "
            "Check the comment's can_hide first.",
        ),
        Action.UNHIDE: Capability(True, "POST /{comment-id} is_hidden=false"),
        Action.DELETE: Capability(
            True, "DELETE /{comment-id}", "Check the comment's can_remove first."
        ),
        Action.BLOCK: Capability(
            True,
            "POST /{page-id}/blocked user=[id]",
            "Uses the commenter's Page-scoped id; the response body is unverified.",
        ),
        Action.UNBLOCK: Capability(True, "DELETE /{page-id}/blocked user=id"),
        Action.REPLY: Capability(
            True, "POST /{comment-id}/comments", "The reply is posted as the Page."
        ),
        Action.PRIVATE_REPLY: Capability(
            True,
            "POST /{page-id}/messages recipient.comment_id",
            "One message per comment, within 7 days of the comment; needs pages_messaging.",
        ),
    },
    push_comments=True,
    push_edits_and_removals=True,
    notes="Page feed webhooks carry comment add/edit/remove/hide/unhide.",
)
