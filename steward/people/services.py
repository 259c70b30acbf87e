"""Writes to units and people: the roster import and offboarding.

The roster import reads and validates a whole OneRoster package first (``steward.people.oneroster``);
a package with any problem is refused with its report and nothing is written. A good package is
applied in one transaction: units, people, staff roles, enrollments, media opt-outs, and the
deactivation of people missing from a bulk export (offboarding). Re-importing the same package
changes nothing. Every created, updated or deactivated unit and person gets an audit event, written
in bulk in the same transaction so that a 5,000-user district imports in seconds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from steward.core.audit import actor_label, audit
from steward.core.errors import NotPermitted
from steward.core.models import AuditEvent
from steward.core.permissions import scope_for
from steward.people import oneroster
from steward.people.models import Enrollment, OrgUnit, Person, RosterImport, StaffRole

Progress = Callable[[str, int, int], None]
KINDS = ("units", "staff", "students", "roles", "enrollments")
PERSON_FIELDS = (
    "kind", "given_name", "family_name", "preferred_name", "email", "username", "identifier", "active",
    "school_id", "grade", "media_opt_out", "media_opt_out_effective",
)
UNIT_FIELDS = ("name", "kind", "identifier", "active", "parent_id")
BATCH = 1000
# bulk_update writes CASE WHEN pk=... per field; its cost grows with the square of the batch.
UPDATE_BATCH = 100
ROSTER_LOCK = 0x57E3A9D  # pg_advisory_xact_lock key for roster imports


@dataclass
class OffboardingEntry:
    """A staff member the import deactivated, and what they leave behind."""

    person_id: int
    name: str
    sourced_id: str
    grants: list[str] = field(default_factory=list)  # authorizations they hold that are in force
    only_manager_of: list[str] = field(default_factory=list)  # accounts left with no active manager
    administrator_of: list[str] = field(default_factory=list)  # responsible administrator (1.5)
    advisor_of: list[str] = field(default_factory=list)

    @property
    def has_open_responsibilities(self) -> bool:
        return bool(self.grants or self.only_manager_of or self.administrator_of or self.advisor_of)


def _counts() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused package, would do or found wrong)."""

    source: str = ""
    version: str = ""
    dry_run: bool = False
    created: dict[str, int] = field(default_factory=_counts)
    updated: dict[str, int] = field(default_factory=_counts)
    deactivated: dict[str, int] = field(default_factory=_counts)
    reactivated: dict[str, int] = field(default_factory=_counts)
    skipped_users: int = 0
    offboarding: list[OffboardingEntry] = field(default_factory=list)
    problems: list[oneroster.Problem] = field(default_factory=list)
    seconds: float = 0.0
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return any(sum(d.values()) for d in (self.created, self.updated, self.deactivated, self.reactivated))

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind, created, updated, deactivated, reactivated) per kind, for tables."""
        return [
            (k, self.created[k], self.updated[k], self.deactivated[k], self.reactivated[k]) for k in KINDS
        ]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        """Rebuild a report stored with :meth:`as_dict` (RosterImport.report)."""
        data = dict(data)
        data["problems"] = [oneroster.Problem(**p) for p in data.get("problems", [])]
        data["offboarding"] = [OffboardingEntry(**o) for o in data.get("offboarding", [])]
        for key in ("created", "updated", "deactivated", "reactivated"):
            data[key] = {**_counts(), **data.get(key, {})}
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def summary_lines(self) -> list[str]:
        lines = [
            f"{'Dry run of' if self.dry_run else 'Imported'} OneRoster {self.version} package {self.source}".rstrip(),
            f"{'kind':<12} {'created':>8} {'updated':>8} {'deactivated':>12} {'reactivated':>12}",
        ]
        for kind, c, u, d, r in self.rows():
            lines.append(f"{kind:<12} {c:>8} {u:>8} {d:>12} {r:>12}")
        if self.skipped_users:
            lines.append(f"{self.skipped_users} users with roles Steward does not keep (parents, guardians) skipped")
        open_ = [o for o in self.offboarding if o.has_open_responsibilities]
        if self.offboarding:
            lines.append(f"Offboarded staff: {len(self.offboarding)}, with open responsibilities: {len(open_)}")
        for o in open_:
            lines.append(f"  {o.name} ({o.sourced_id})")
            for label, items in (
                ("grants in force", o.grants), ("only active manager of", o.only_manager_of),
                ("responsible administrator of", o.administrator_of), ("advisor of", o.advisor_of),
            ):
                if items:
                    lines.append(f"    {label}: {'; '.join(items)}")
        lines.append(f"{self.seconds:.2f} s")
        return lines


class RosterImportError(Exception):
    """The package was refused; ``report.problems`` says where and why. Nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.problems)} problem(s) in the roster package")
        self.report = report


class _DryRun(Exception):
    pass


def _is_user(actor: Any) -> bool:
    meta = getattr(actor, "_meta", None)
    return meta is not None and meta.label == "auth.User"


def roster_import(
    *,
    actor: Any,
    package: Any,
    dry_run: bool = False,
    deactivate_missing: bool = True,
    progress: Progress | None = None,
    mapping: oneroster.Mapping | dict[str, Any] | None = None,
    opt_outs: Any = None,
    source_label: str = "",
) -> ImportReport:
    """Import a OneRoster package (a parsed :class:`oneroster.Package`, or anything
    :func:`oneroster.read_package` reads) in one transaction, or refuse it whole.

    Only the district-wide roles may import (a person's roles decide what they may authorize);
    ``actor`` may also be a label such as ``"import_roster command"``. Raises
    :class:`RosterImportError` with the report when the package has problems.
    """
    if _is_user(actor) and not scope_for(actor).district_wide:
        raise NotPermitted("Only the communications office or the superintendent's office may import the roster.")
    started = time.monotonic()
    if not isinstance(package, oneroster.Package):
        source_label = source_label or str(getattr(package, "name", "") or (package if isinstance(package, str) else ""))
        package = oneroster.read_package(
            package, mapping=mapping, opt_outs=opt_outs,
            known_org_ids=[s for s in OrgUnit.objects.values_list("sourced_id", flat=True) if s],
            known_user_ids=[s for s in Person.objects.values_list("sourced_id", flat=True) if s],
        )
    report = ImportReport(source=source_label, version=package.version, dry_run=dry_run)
    report.skipped_users = package.skipped_users
    if package.problems:
        report.problems = list(package.problems)
        report.seconds = time.monotonic() - started
        raise RosterImportError(report)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Two imports at once would race on the same sourcedIds: the second waits here.
                # (SQLite runs write transactions one at a time already: transaction_mode IMMEDIATE.)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROSTER_LOCK])
            _Importer(actor, package, report, deactivate_missing, progress).run()
            report.seconds = time.monotonic() - started
            if dry_run:
                raise _DryRun
            run = RosterImport.objects.create(
                actor=actor if _is_user(actor) else None, actor_label=actor_label(actor)[:200],
                source=source_label[:500], oneroster_version=package.version[:20],
                seconds=report.seconds, report=report.as_dict(),
            )
            report.import_id = run.pk
            audit(
                actor=actor, action="people.roster_imported", obj=run, clause="1.3",
                after={
                    "created": report.created, "updated": report.updated,
                    "deactivated": report.deactivated, "reactivated": report.reactivated,
                },
                note=f"{len(report.offboarding)} staff offboarded",
            )
            RosterImport.objects.filter(pk=run.pk).update(report=report.as_dict())
    except _DryRun:
        pass
    return report


class _Importer:
    """Applies a validated package. One instance per import; runs inside the transaction."""

    def __init__(
        self, actor: Any, package: oneroster.Package, report: ImportReport, deactivate_missing: bool,
        progress: Progress | None,
    ) -> None:
        self.actor = actor
        self.actor_user = actor if _is_user(actor) else None
        self.actor_label = actor_label(actor)[:200]
        self.pkg = package
        self.report = report
        self.deactivate_missing = deactivate_missing
        self.progress = progress
        self.now = timezone.now()
        self.events: list[AuditEvent] = []
        self.total = len(package.orgs) + len(package.users) + len(package.enrollments) + 1
        self.done = 0

    def tick(self, step: str, n: int = 0) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(step, min(self.done, self.total), self.total)

    def event(self, action: str, obj: Any, label: str, before: dict[str, Any], after: dict[str, Any], clause: str = "") -> None:
        self.events.append(
            AuditEvent(
                actor=self.actor_user, actor_label=self.actor_label, action=action, clause=clause,
                object_type=obj._meta.label_lower, object_id=str(obj.pk), object_label=label[:300],
                before=before, after=after, note="roster import",
            )
        )

    def run(self) -> None:
        self.units()
        self.people()
        self.enrollments()
        self.offboarding()
        AuditEvent.objects.bulk_create(self.events, batch_size=BATCH)
        self.tick("done")

    # units -------------------------------------------------------------------------------------

    def units(self) -> None:
        self.tick("units")
        all_units = list(OrgUnit.objects.all())
        self.by_pk: dict[int, OrgUnit] = {u.pk: u for u in all_units}
        self.by_sid: dict[str, OrgUnit] = {u.sourced_id: u for u in all_units if u.sourced_id}
        # Parents come before children in package.orgs; group them by depth to create each level in bulk.
        depth: dict[str, int] = {}
        for sid, org in self.pkg.orgs.items():
            parent = org.parent_sourced_id
            depth[sid] = depth[parent] + 1 if parent in depth else 0
        levels: dict[int, list[oneroster.Org]] = defaultdict(list)
        for sid, org in self.pkg.orgs.items():
            levels[depth[sid]].append(org)
        changed: list[OrgUnit] = []
        for level in sorted(levels):
            new: list[OrgUnit] = []
            moved = False
            for org in levels[level]:
                parent_unit = self.by_sid[org.parent_sourced_id] if org.parent_sourced_id else None
                values = {
                    "name": org.name, "kind": org.kind, "identifier": org.identifier,
                    "active": org.active, "parent_id": parent_unit.pk if parent_unit else None,
                }
                unit = self.by_sid.get(org.sourced_id)
                if unit is None:
                    unit = OrgUnit(sourced_id=org.sourced_id, **values)
                    new.append(unit)
                    continue
                before = {f: getattr(unit, f) for f in UNIT_FIELDS}
                if before == values:
                    continue
                for f, v in values.items():
                    setattr(unit, f, v)
                if before["parent_id"] != values["parent_id"]:
                    unit.save()  # a move: save() carries the subtree's paths along
                    moved = True
                else:
                    changed.append(unit)
                self._unit_event(unit, before, values)
            if new:
                OrgUnit.objects.bulk_create(new, batch_size=BATCH)
                for unit in new:
                    parent_path = self.by_pk[unit.parent_id].path if unit.parent_id else "/"
                    unit.path = f"{parent_path}{unit.pk}/"
                    self.by_pk[unit.pk] = unit
                    self.by_sid[unit.sourced_id] = unit  # type: ignore[index]
                    self.report.created["units"] += 1
                    self.event("people.unit_created", unit, unit.name, {}, {
                        "name": unit.name, "kind": unit.kind, "identifier": unit.identifier,
                        "parent": self._unit_label(unit.parent_id), "sourced_id": unit.sourced_id,
                    })
                OrgUnit.objects.bulk_update(new, ["path"], batch_size=UPDATE_BATCH)
            if moved:
                for pk, path in OrgUnit.objects.values_list("pk", "path"):
                    if pk in self.by_pk:
                        self.by_pk[pk].path = path
            self.tick("units", len(levels[level]))
        if changed:
            OrgUnit.objects.bulk_update(changed, ["name", "kind", "identifier", "active"], batch_size=UPDATE_BATCH)
        if self.deactivate_missing:
            gone = []
            for unit in self.by_sid.values():
                if not unit.active or unit.sourced_id in self.pkg.orgs:
                    continue
                # Classes come from classes.csv, the other units from orgs.csv.
                from_file = "classes" if unit.kind == OrgUnit.Kind.CLASSROOM else "orgs"
                if self.pkg.is_bulk(from_file):
                    unit.active = False
                    gone.append(unit)
                    self.report.deactivated["units"] += 1
                    self.event("people.unit_deactivated", unit, unit.name, {"active": True}, {"active": False})
            OrgUnit.objects.bulk_update(gone, ["active"], batch_size=UPDATE_BATCH)

    def _unit_label(self, pk: int | None) -> Any:
        if pk is None:
            return None
        return {"id": pk, "label": self.by_pk[pk].name}

    def _unit_event(self, unit: OrgUnit, before: dict[str, Any], after: dict[str, Any]) -> None:
        b = {k: v for k, v in before.items() if after[k] != v}
        a = {k: after[k] for k in b}
        if "parent_id" in b:
            b["parent"] = self._unit_label(b.pop("parent_id"))
            a["parent"] = self._unit_label(a.pop("parent_id"))
        if set(b) == {"active"}:
            kind = "deactivated" if not after["active"] else "reactivated"
            getattr(self.report, kind)["units"] += 1
            self.event(f"people.unit_{kind}", unit, unit.name, b, a)
        else:
            self.report.updated["units"] += 1
            self.event("people.unit_updated", unit, unit.name, b, a)

    # people and staff roles --------------------------------------------------------------------

    def _school_of(self, org_sid: str | None) -> int | None:
        unit = self.by_sid.get(org_sid) if org_sid else None
        while unit is not None:
            if unit.kind == OrgUnit.Kind.SCHOOL:
                return unit.pk
            unit = self.by_pk.get(unit.parent_id) if unit.parent_id else None
        return None

    def _values(self, user: oneroster.User, current: Person | None) -> dict[str, Any]:
        student = user.kind == oneroster.STUDENT
        values = {
            "kind": Person.Kind.STUDENT if student else Person.Kind.STAFF,
            "given_name": user.given_name, "family_name": user.family_name,
            "preferred_name": user.preferred_name if user.preferred_name != user.given_name else "",
            "email": user.email, "username": user.username, "identifier": user.identifier,
            "active": user.active,
            "school_id": self._school_of(user.primary_org) if student else None,
            "grade": user.grades[0] if student and user.grades else "",
        }
        if student and user.primary_org is None and current is not None:
            values["school_id"] = current.school_id  # a deletion row without roles keeps the school
        if user.opt_out is not None:
            values["media_opt_out"] = user.opt_out
            values["media_opt_out_effective"] = user.opt_out_effective if user.opt_out else None
        return values

    def _plain(self, field_name: str, value: Any) -> Any:
        if field_name == "school_id":
            return self._unit_label(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    def _shown(self, values: dict[str, Any]) -> dict[str, Any]:
        """Field values as the history shows them: ``school`` as {id, label}, dates as ISO text."""
        return {("school" if f == "school_id" else f): self._plain(f, v) for f, v in values.items()}

    def people(self) -> None:
        self.tick("people")
        existing: dict[str, Person] = {p.sourced_id: p for p in Person.objects.exclude(sourced_id=None) if p.sourced_id}
        self.people_by_sid: dict[str, Person] = dict(existing)
        roster_roles: dict[int, dict[tuple[int, str], StaffRole]] = defaultdict(dict)
        manual_roles: set[tuple[int, int, str]] = set()
        for role in StaffRole.objects.all():
            if role.source == "roster":
                roster_roles[role.person_id][(role.unit_id, role.role)] = role
            else:
                manual_roles.add((role.person_id, role.unit_id, role.role))
        new: list[Person] = []
        changed: list[tuple[Person, dict[str, Any], dict[str, Any]]] = []
        deactivated: list[Person] = []
        for n, (sid, user) in enumerate(self.pkg.users.items(), start=1):
            person = existing.get(sid)
            values = self._values(user, person)
            if person is None:
                person = Person(sourced_id=sid, **values)
                if not person.active:
                    person.deactivated_at = self.now
                new.append(person)
            else:
                before = {f: getattr(person, f) for f in values}
                if before != values:
                    for f, v in values.items():
                        setattr(person, f, v)
                    if before["active"] and not person.active:
                        person.deactivated_at = self.now
                    elif not before["active"] and person.active:
                        person.deactivated_at = None
                    changed.append((person, before, values))
            self.people_by_sid[sid] = person
            if n % 500 == 0:
                self.tick("people", 500)
        self.tick("people", len(self.pkg.users) % 500)
        Person.objects.bulk_create(new, batch_size=BATCH)
        # Missing from a bulk users.csv: offboarding.
        if self.deactivate_missing and self.pkg.is_bulk("users"):
            for sid, person in existing.items():
                if person.active and sid not in self.pkg.users:
                    before = {"active": True}
                    person.active = False
                    person.deactivated_at = self.now
                    changed.append((person, before, {"active": False}))
        role_events = self._sync_roles(roster_roles, manual_roles)
        for person in new:
            kind = "staff" if person.kind == Person.Kind.STAFF else "students"
            self.report.created[kind] += 1
            after = self._shown({f: getattr(person, f) for f in PERSON_FIELDS if getattr(person, f) not in ("", None)})
            after.update(role_events.pop(person.pk, ({}, {}))[1])
            self.event("people.person_created", person, str(person), {}, after, "0.2" if person.media_opt_out else "")
        update_fields: set[str] = set()
        for person, before, after in changed:
            b = {f: v for f, v in before.items() if after[f] != v}
            a = {f: after[f] for f in b}
            update_fields |= set(b)
            kind = "staff" if person.kind == Person.Kind.STAFF else "students"
            extra_b, extra_a = role_events.pop(person.pk, ({}, {}))
            b.update(extra_b)
            a.update(extra_a)
            clause = "0.2" if "media_opt_out" in b else ""
            if "active" in b and not after["active"]:
                self.report.deactivated[kind] += 1
                deactivated.append(person)
                action = "people.person_deactivated"
                clause = clause or ("1.3" if person.kind == Person.Kind.STAFF else "")
            elif "active" in b:
                self.report.reactivated[kind] += 1
                action = "people.person_reactivated"
            else:
                self.report.updated[kind] += 1
                action = "people.person_updated"
            if "active" in b and len(b) > 1 and action != "people.person_updated":
                self.report.updated[kind] += 1
            self.event(action, person, str(person), self._shown(b), self._shown(a), clause)
        # People whose only change is in their roles.
        for pk, (b, a) in role_events.items():
            person = self.people_by_pk[pk]
            self.report.updated["staff"] += 1
            self.event("people.person_updated", person, str(person), b, a, "1.3")
        if update_fields:
            if "active" in update_fields:
                update_fields.add("deactivated_at")
            Person.objects.bulk_update([p for p, _, _ in changed], sorted(update_fields), batch_size=UPDATE_BATCH)
        self.deactivated_people = deactivated
        self._extra_opt_outs()

    def _sync_roles(
        self, roster_roles: dict[int, dict[tuple[int, str], StaffRole]], manual_roles: set[tuple[int, int, str]]
    ) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
        """Make each active staff member's roster roles match the package; manual roles stay.
        Returns {person id: (before, after)} for the people whose roles changed."""
        self.people_by_pk = {p.pk: p for p in self.people_by_sid.values()}
        to_create: list[StaffRole] = []
        to_delete: list[int] = []
        to_update: list[StaffRole] = []
        changes: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        producible = (self.pkg.mapping or oneroster.Mapping()).producible_roles()
        for sid, user in self.pkg.users.items():
            person = self.people_by_sid[sid]
            if person.kind != Person.Kind.STAFF or not user.active:
                continue
            wanted: dict[tuple[int, str], bool] = {}
            for r in user.roles:
                key = (self.by_sid[r.org_sourced_id].pk, r.role)
                wanted[key] = wanted.get(key, False) or r.primary
            have = {k: v for k, v in roster_roles.get(person.pk, {}).items() if k[1] in producible or k in wanted}
            if {k: v.is_primary for k, v in have.items()} == wanted:
                continue
            for key, primary in wanted.items():
                role = have.get(key)
                if role is None:
                    if (person.pk, *key) not in manual_roles:
                        to_create.append(StaffRole(person=person, unit_id=key[0], role=key[1], is_primary=primary, source="roster"))
                        self.report.created["roles"] += 1
                elif role.is_primary != primary:
                    role.is_primary = primary
                    to_update.append(role)
                    self.report.updated["roles"] += 1
            for key, role in have.items():
                if key not in wanted and key[1] in producible:
                    to_delete.append(role.pk)
                    self.report.deactivated["roles"] += 1
            if set(have) != set(wanted):
                changes[person.pk] = ({"roles": self._role_labels(have)}, {"roles": self._role_labels(wanted)})
        StaffRole.objects.filter(pk__in=to_delete).delete()
        StaffRole.objects.bulk_create(to_create, batch_size=BATCH)
        StaffRole.objects.bulk_update(to_update, ["is_primary"], batch_size=UPDATE_BATCH)
        return changes

    def _role_labels(self, keys: Any) -> list[str]:
        return sorted(f"{role} @ {self.by_pk[unit_id].name}" for unit_id, role in keys)

    def _extra_opt_outs(self) -> None:
        """Opt-outs from the district CSV for people not in this (delta) package."""
        changed = []
        for sid, (opt, effective) in self.pkg.extra_opt_outs.items():
            person = self.people_by_sid.get(sid)
            if person is None or (person.media_opt_out, person.media_opt_out_effective) == (opt, effective):
                continue
            before = {"media_opt_out": person.media_opt_out, "media_opt_out_effective": self._plain("", person.media_opt_out_effective)}
            person.media_opt_out, person.media_opt_out_effective = opt, effective
            changed.append(person)
            self.report.updated["staff" if person.kind == Person.Kind.STAFF else "students"] += 1
            self.event("people.person_updated", person, str(person), before, {"media_opt_out": opt, "media_opt_out_effective": self._plain("", effective)}, "0.2")
        Person.objects.bulk_update(changed, ["media_opt_out", "media_opt_out_effective"], batch_size=UPDATE_BATCH)

    # enrollments -------------------------------------------------------------------------------

    def enrollments(self) -> None:
        if "enrollments" not in self.pkg.modes:
            return
        self.tick("enrollments")
        existing = {
            sid: (pk, person_id, unit_id, role, active)
            for pk, sid, person_id, unit_id, role, active in Enrollment.objects.values_list(
                "pk", "sourced_id", "person_id", "unit_id", "role", "active"
            )
        }
        new: list[tuple[str, int, int, str, bool]] = []
        changed: list[Enrollment] = []  # moved to another person, class or role: rare
        flips: dict[bool, list[int]] = {True: [], False: []}  # active flag only: common
        seen = set()
        for n, row in enumerate(self.pkg.enrollments, start=1):
            seen.add(row.sourced_id)
            person_id = self.people_by_sid[row.user_sourced_id].pk
            unit_id = self.by_sid[row.class_sourced_id].pk
            old = existing.get(row.sourced_id)
            if old is None:
                new.append((row.sourced_id, person_id, unit_id, row.role, row.active))
                self.report.created["enrollments"] += 1
            elif old[1:] != (person_id, unit_id, row.role, row.active):
                if old[1:4] != (person_id, unit_id, row.role):
                    changed.append(Enrollment(pk=old[0], person_id=person_id, unit_id=unit_id, role=row.role, active=row.active))
                    self.report.updated["enrollments"] += 1
                else:
                    flips[row.active].append(old[0])
                    kind = "reactivated" if row.active else "deactivated"
                    getattr(self.report, kind)["enrollments"] += 1
            if n % 1000 == 0:
                self.tick("enrollments", 1000)
        self.tick("enrollments", len(self.pkg.enrollments) % 1000)
        if self.deactivate_missing and self.pkg.is_bulk("enrollments"):
            for sid, (pk, _person, _unit, _role, active) in existing.items():
                if active and sid not in seen:
                    flips[False].append(pk)
                    self.report.deactivated["enrollments"] += 1
        _insert(Enrollment, ["sourced_id", "person", "unit", "role", "active"], new)
        for active, pks in flips.items():
            for chunk in _chunks(pks, 500):
                Enrollment.objects.filter(pk__in=chunk).update(active=active)
        Enrollment.objects.bulk_update(changed, ["person_id", "unit_id", "role", "active"], batch_size=UPDATE_BATCH)

    # offboarding -------------------------------------------------------------------------------

    def offboarding(self) -> None:
        staff = [p for p in self.deactivated_people if p.kind == Person.Kind.STAFF]
        if not staff:
            return
        self.report.offboarding = offboarding_report(people=staff, at=self.now)


def offboarding_report(*, people: list[Person], at: Any = None) -> list[OffboardingEntry]:
    """What each of ``people`` (staff who left) still holds: authorizations in force, accounts left
    with no active manager, accounts they answer for as responsible administrator or advisor."""
    from steward.authorizations.models import Authorization
    from steward.registry.models import Account

    at = at or timezone.now()
    entries = {p.pk: OffboardingEntry(person_id=p.pk, name=str(p), sourced_id=p.sourced_id or "") for p in people}
    ids = list(entries)
    for chunk in _chunks(ids, 500):
        grants = Authorization.objects.filter(grantee_id__in=chunk, revoked_at__isnull=True, valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        ).select_related("account", "unit")
        for g in grants:
            entries[g.grantee_id].grants.append(f"{g.get_kind_display()}: {g.scope_label}")  # type: ignore[index]
        live = Account.objects.exclude(status=Account.Status.RETIRED)
        for account in live.filter(responsible_administrator_id__in=chunk):
            entries[account.responsible_administrator_id].administrator_of.append(str(account))  # type: ignore[index]
        for account in live.filter(advisor_id__in=chunk):
            entries[account.advisor_id].advisor_of.append(str(account))  # type: ignore[index]
        through = Account.managers.through
        managed = through.objects.filter(person_id__in=chunk, account__in=live).values_list("account_id", "person_id")
        by_account: dict[int, list[int]] = defaultdict(list)
        for account_id, person_id in managed:
            by_account[account_id].append(person_id)
        still_managed = set(
            through.objects.filter(account_id__in=list(by_account), person__active=True).values_list("account_id", flat=True)
        )
        accounts = Account.objects.in_bulk([a for a in by_account if a not in still_managed])
        for account_id, account in accounts.items():
            for person_id in by_account[account_id]:
                entries[person_id].only_manager_of.append(str(account))
    return list(entries.values())


def _insert(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERTs for the largest file (enrollments): building tens of thousands of
    model instances for bulk_create costs more than the database work itself."""
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    one = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 500):  # 500 × 5 values: under every backend's parameter limit
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608 (names from the model, values bound)
            cursor.execute(sql, [v for row in chunk for v in row])


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
