from django.contrib import admin

from steward.moderation.models import Appeal, BlockProposal, Decision, PlatformAction, QueueItem


class ReadOnly(admin.ModelAdmin):
    """Decisions and their actions are records: changed only through the services."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ["created_at", "comment", "outcome", "category", "clause", "actor_label"]
    list_filter = ["outcome", "category"]


@admin.register(PlatformAction)
class PlatformActionAdmin(ReadOnly):
    list_display = ["created_at", "kind", "target_id", "state", "attempts", "last_error"]
    list_filter = ["kind", "state"]


@admin.register(QueueItem)
class QueueItemAdmin(ReadOnly):
    list_display = ["opened_at", "reason", "state", "comment", "account"]
    list_filter = ["reason", "state"]


@admin.register(BlockProposal)
class BlockProposalAdmin(ReadOnly):
    list_display = ["proposed_at", "account", "author_name", "state", "review_by"]


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ["received_at", "decision", "state", "reviewed_by"]
