from django.contrib import admin

from steward.platforms.models import (
    Comment,
    PlatformConnection,
    PollCursor,
    WebhookEvent,
    WebhookRejection,
)


@admin.register(PlatformConnection)
class PlatformConnectionAdmin(admin.ModelAdmin):
    list_display = ["account", "platform", "platform_account_id", "status", "throttled_until"]
    list_filter = ["platform", "status"]
    # Tokens are set through the connection page, which encrypts them; never shown here.
    exclude = ["access_token_encrypted", "app_secret_encrypted"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "platform", "source", "state", "attempts", "received_at", "account"]
    list_filter = ["platform", "state", "source"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # stored deliveries are evidence


@admin.register(WebhookRejection)
class WebhookRejectionAdmin(admin.ModelAdmin):
    list_display = ["received_at", "platform", "remote_addr", "reason"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["comment_id", "account", "author_name", "state", "hidden_by", "versions"]
    list_filter = ["platform", "state"]
    search_fields = ["comment_id", "author_name", "text"]


@admin.register(PollCursor)
class PollCursorAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "high_water", "next_poll_at", "units_spent", "last_error"]
