"""The registry of LPS-affiliated social media accounts (clauses 1.1, 1.4, 1.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from steward.people.models import OrgUnit, Person


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    SNAPCHAT = "snapchat", "Snapchat"
    OTHER = "other", _("Other")


class Account(models.Model):
    """An account, site or page created to communicate for an LPS school, program, club, team,
    initiative or similar entity (1.1), with the people who answer for it.

    Lifecycle: requested → registered → suspended → retired. A staff member's report of an
    unregistered account creates a *requested* entry; only the communications office registers (1.4).
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        SCHOOL = "school", _("School")
        DEPARTMENT = "department", _("Department")
        PROGRAM = "program", _("Program")
        CLUB = "club", _("Club")
        TEAM = "team", _("Team")
        CLASSROOM = "classroom", _("Classroom")
        INITIATIVE = "initiative", _("Initiative")

    # Kinds that 1.5 says are created with their coach, teacher or faculty advisor.
    ADVISED_KINDS = frozenset({"team", "classroom", "club"})

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        REGISTERED = "registered", _("Registered")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=255, help_text="As shown on the platform, without @.")
    handle_key = models.CharField(
        max_length=255, editable=False, help_text="Lower-cased, for uniqueness."
    )
    url = models.URLField(max_length=500, blank=True)
    platform_account_id = models.CharField(
        max_length=100, blank=True, help_text="The platform's id (a string)."
    )
    display_name = models.CharField(max_length=255)
    owning_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    purpose = models.TextField(blank=True)
    managers = models.ManyToManyField(Person, blank=True, related_name="managed_accounts")
    responsible_administrator = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administered_accounts",
    )
    advisor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="advised_accounts"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_reason = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle_key"], name="account_unique_platform_handle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_platform_display()} @{self.handle})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.handle_key = self.handle.strip().lstrip("@").lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AccountStatusChange(models.Model):
    """One step of an account's lifecycle: who moved it, when and why."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Account.Status.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_status or '—'} → {self.to_status}"

    def get_from_status_display(self) -> str:
        """The earlier status in words, as ``get_to_status_display`` gives the new one."""
        if self.from_status in Account.Status.values:
            return str(Account.Status(self.from_status).label)
        return self.from_status
