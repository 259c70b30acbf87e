"""Authorizations in writing: who may post for which account (1.3), which staff may message which
students and why (1.7), which fundraisers may be promoted (1.8.e).

One model carries all three kinds so that evidence, validity windows and revocation work the same
way for each, and one page lists everything a person has been authorized to do.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.people.models import OrgUnit, Person
from steward.registry.models import Account


class Authorization(models.Model):
    """A written authorization: grantor, grantee, scope, window, purpose, evidence, revocation."""

    class Kind(models.TextChoices):
        POSTING = "posting", _("Posting")
        MESSAGING = "messaging", _("Staff–student messaging")
        FUNDRAISER = "fundraiser", _("Fundraiser promotion")

    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.POSTING, db_index=True
    )
    grantor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authorizations_granted"
    )
    grantee = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorizations_held",
        help_text="The staff member authorized (posting, messaging).",
    )
    # Scope: one account, or a unit and everything under it.
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="authorizations"
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="authorizations"
    )
    # Messaging (1.7): the student the staff member may message.
    student = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messaging_authorizations",
    )
    # Fundraiser (1.8.e): what may be promoted, and the phrases that identify it in comments.
    fundraiser_name = models.CharField(max_length=255, blank=True)
    fundraiser_phrases = models.JSONField(default=list, blank=True)
    # Messaging (records-and-law.md DM-3): whether the parent or guardian was told of the authorization.
    parent_notified = models.BooleanField(default=False)

    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Empty: until revoked.")
    purpose = models.TextField()

    # Evidence in writing: an uploaded signed document, or a typed attestation.
    evidence_document = models.FileField(upload_to="authorizations/%Y/", blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    attestation_name = models.CharField(max_length=200, blank=True)
    attestation_at = models.DateTimeField(null=True, blank=True)
    attestation_address = models.GenericIPAddressField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(account__isnull=False) & Q(unit__isnull=True))
                | (Q(account__isnull=True) & Q(unit__isnull=False)),
                name="authorization_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="authorization_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="messaging") | Q(student__isnull=False),
                name="authorization_messaging_names_student",
            ),
        ]

    def __str__(self) -> str:
        scope = self.account or self.unit
        who = self.grantee or self.fundraiser_name
        return f"{self.get_kind_display()}: {who} — {scope}"

    @property
    def scope_label(self) -> str:
        if self.account:
            return str(self.account)
        return str(_("%(unit)s and everything under it") % {"unit": self.unit})

    def is_in_force(self, at: dt.datetime | None = None) -> bool:
        """Valid at ``at``, not revoked, and the grantee (if any) still active."""
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        if at < self.valid_from or (self.valid_until is not None and at >= self.valid_until):
            return False
        return not (self.grantee_id and not self.grantee.active)  # type: ignore[union-attr]

    def covers_account(self, account: Account) -> bool:
        if self.account_id is not None:
            return self.account_id == account.pk
        return account.owning_unit.is_within(self.unit)  # type: ignore[arg-type]
