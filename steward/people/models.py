"""The district's organisation and people, as the roster (OneRoster) describes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    """A node of the district tree: district → schools and departments → programs, clubs, teams,
    classrooms. ``path`` is the materialised chain of ids ("/1/4/17/") so that "this unit and
    everything under it" is one indexed prefix query."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        SCHOOL = "school", _("School")
        DEPARTMENT = "department", _("Department")
        PROGRAM = "program", _("Program")
        CLUB = "club", _("Club")
        TEAM = "team", _("Team")
        CLASSROOM = "classroom", _("Classroom")
        INITIATIVE = "initiative", _("Initiative")

    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    identifier = models.CharField(max_length=100, blank=True, help_text="State or SIS code.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="district") | models.Q(parent__isnull=False),
                name="orgunit_only_district_is_root",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        created = self.pk is None
        if created:
            super().save(*args, **kwargs)  # the path needs the new id
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if created:
            OrgUnit.objects.filter(pk=self.pk).update(path=self.path)
            return
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:  # moved: carry the subtree along
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                OrgUnit.objects.filter(pk=child.pk).update(path=self.path + child.path[len(old_path):])

    def descendants(self, *, include_self: bool = True) -> models.QuerySet[OrgUnit]:
        qs = OrgUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self, *, include_self: bool = True) -> models.QuerySet[OrgUnit]:
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        if not include_self:
            ids = ids[:-1]
        return OrgUnit.objects.filter(pk__in=ids).order_by("path")

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is ``other`` or lies under it."""
        return self.path.startswith(other.path)

    @property
    def school(self) -> OrgUnit | None:
        """The school (or department) this unit belongs to, itself included."""
        for unit in self.ancestors().order_by("-path"):
            if unit.kind in (self.Kind.SCHOOL, self.Kind.DEPARTMENT):
                return unit
        return None


class Person(models.Model):
    """A staff member or a student from the roster. Never deleted: people who leave are
    deactivated (offboarding) so that the records that name them stay meaningful."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        STUDENT = "student", _("Student")

    class MediaOptOut(models.TextChoices):
        NONE = "", _("No opt-out")
        NAME = "name", _("Name")
        IMAGE = "image", _("Image")
        ALL = "all", _("Name and image")

    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    identifier = models.CharField(max_length=100, blank=True, help_text="Student or employee number.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    active = models.BooleanField(default=True, db_index=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Students
    school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="students",
        help_text="A student's school.",
    )
    grade = models.CharField(max_length=10, blank=True)
    media_opt_out = models.CharField(max_length=10, choices=MediaOptOut.choices, default="", blank=True)
    media_opt_out_effective = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["kind", "active"])]

    def __str__(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def opted_out_of(self, what: str, on: object = None) -> bool:
        """Whether the student's media opt-out covers ``what`` ("name" or "image") on date ``on``."""
        if not self.media_opt_out:
            return False
        if on is not None and self.media_opt_out_effective and on < self.media_opt_out_effective:  # type: ignore[operator]
            return False
        return self.media_opt_out in (what, self.MediaOptOut.ALL)


class StaffRole(models.Model):
    """A staff member's job role in a unit. The role decides what they may authorize (1.3) and what
    they see in Steward."""

    class Role(models.TextChoices):
        SUPERINTENDENT = "superintendent", _("Superintendent")
        SUPERINTENDENT_DESIGNEE = "superintendent_designee", _("Superintendent's designee")
        SCHOOL_LEADER = "school_leader", _("School leader")
        DEPARTMENT_HEAD = "department_head", _("Department head")
        TEACHER = "teacher", _("Teacher")
        COACH = "coach", _("Coach")
        FACULTY_ADVISOR = "faculty_advisor", _("Faculty advisor")
        COMMUNICATIONS = "communications", _("Communications office")
        RECORDS_OFFICER = "records_officer", _("Records officer")
        OTHER = "other", _("Other staff")

    # Roles that see and manage the whole district.
    DISTRICT_WIDE = frozenset({"superintendent", "superintendent_designee", "communications", "records_officer"})
    # Roles that lead a unit and everything under it.
    UNIT_LEADERS = frozenset({"school_leader", "department_head"})
    # Roles that can advise a team, class or club account (1.5).
    ADVISORS = frozenset({"teacher", "coach", "faculty_advisor"})

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    is_primary = models.BooleanField(default=False)
    source = models.CharField(max_length=20, default="roster", help_text="roster or manual")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "unit", "role"], name="staffrole_unique")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}, {self.unit}"


class Enrollment(models.Model):
    """A person's membership of a class or section (OneRoster enrollments.csv)."""

    sourced_id = models.CharField(max_length=255, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="enrollments")
    role = models.CharField(max_length=30)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.person} in {self.unit} ({self.role})"


class RosterImport(models.Model):
    """One roster import that was carried out (dry runs and refused packages leave no row): who ran
    it, from what, and the report (counts, offboarding, problems) as it was shown to them."""

    started_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    source = models.CharField(max_length=500, blank=True, help_text="File or folder name.")
    oneroster_version = models.CharField(max_length=20, blank=True)
    seconds = models.FloatField(default=0)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Roster import {self.started_at:%Y-%m-%d %H:%M} ({self.source or 'upload'})"
