"""``steward demo_district [--if-empty] [--seed N]``: build a realistic, generated Lawrence-like
district to try Steward with.

Everything is made up: names are drawn from lists of common given and family names (mostly
Hispanic, as in Lawrence), handles are invented. The structure is a real district's shape: the
district, its high school with academies, teams and clubs, middle and elementary schools,
central departments with programs; about 60 staff, about 600 students with ~8% media opt-outs,
about 30 accounts on every platform in every lifecycle state, written authorizations, and a few
problems to find on the dashboard:

- a team page reported with no coach or advisor (1.5);
- an account whose responsible administrator has left the district (orphaned);
- a posting grant that expires within 30 days.

Accounts and authorizations go through the registry and authorization services, as a person
would make them, so the demo also exercises the rules and leaves a full audit trail.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from steward.core.audit import audit
from steward.env import env
from steward.people.models import OrgUnit, Person, StaffRole

DEFAULT_PASSWORD = "steward-demo-2026"  # noqa: S105 - the documented demo password
DEMO_ADDRESS = "10.20.30.40"  # where the demo's typed attestations were "signed"

GIVEN_F = [
    "María", "Ana", "Yesenia", "Yamilet", "Kiara", "Yaritza", "Franchesca", "Dariana", "Nicole", "Ashley",
    "Genesis", "Emely", "Daniela", "Carolina", "Rosa", "Luz", "Yokasta", "Marisol", "Esmeralda", "Paola",
    "Isabella", "Valentina", "Camila", "Nayeli", "Arianny", "Jaileen", "Sophia", "Emily", "Olivia", "Grace",
]
GIVEN_M = [
    "José", "Luis", "Carlos", "Jonathan", "Ángel", "Josué", "Wilmer", "Darlin", "Juan", "Miguel",
    "Jeremy", "Kevin", "Brayan", "Adonis", "Yeison", "Rafael", "Pedro", "Elvin", "Joel", "Edwin",
    "Santiago", "Mateo", "Dylan", "Ethan", "Liam", "Noah", "Michael", "Daniel", "Anthony", "Christopher",
]
FAMILY_HISPANIC = [
    "Rodríguez", "Pérez", "Santos", "Almonte", "De La Cruz", "Peña", "Báez", "Reyes", "Núñez", "Vásquez",
    "Polanco", "Rosario", "Guzmán", "Tavárez", "Ventura", "Mejía", "Batista", "Cabrera", "Encarnación",
    "Jiménez", "Medina", "Ortiz", "Rivera", "Díaz", "Martínez", "García", "Hernández", "Castillo",
    "Familia", "Féliz", "Paulino", "Lantigua", "Cepeda", "Abreu", "Marte", "Germán", "Santana", "Toribio",
]
FAMILY_OTHER = [
    "Murphy", "Sullivan", "O'Brien", "Doherty", "Nguyen", "Tran", "Kim", "Walsh", "McCarthy", "Ferreira",
    "Silva", "Pham", "Kelly", "Costa", "Abdi",
]

SCHOOLS: list[tuple[str, str, list[str]]] = [
    # (name, kind of school for the grades, short code)
    ("Lawrence High School", "high", ["09", "10", "11", "12"]),
    ("Arlington Middle School", "middle", ["05", "06", "07", "08"]),
    ("Frost Middle School", "middle", ["05", "06", "07", "08"]),
    ("Parthum Middle School", "middle", ["05", "06", "07", "08"]),
    ("Guilbert A. Frost Elementary School", "elementary", ["KG", "01", "02", "03", "04"]),
    ("Hennessey School", "elementary", ["KG", "01", "02", "03", "04"]),
    ("Leahy Elementary School", "elementary", ["KG", "01", "02", "03", "04"]),
    ("Oliver Partnership School", "elementary", ["01", "02", "03", "04", "05"]),
    ("South Lawrence East Elementary School", "elementary", ["01", "02", "03", "04"]),
    ("Tarbox Elementary School", "elementary", ["KG", "01", "02", "03", "04"]),
    ("Wetherbee School", "elementary", ["KG", "01", "02", "03", "04", "05", "06", "07", "08"]),
    ("Bruce School", "elementary", ["KG", "01", "02", "03", "04", "05"]),
]
LHS_ACADEMIES = [
    "LHS Business, Management & Finance Academy", "LHS Health & Human Services Academy",
    "LHS Performing & Visual Arts Academy", "LHS Math, Science & Technology Academy",
    "LHS Humanities & Leadership Academy", "LHS Freshman Academy",
]
DEPARTMENTS = [
    "Communications Office", "Athletics Department", "Family and Community Engagement",
    "Fine Arts Department", "Office of Student Records",
]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


@dataclass
class Built:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    staff: dict[str, Person] = field(default_factory=dict)
    students: list[Person] = field(default_factory=list)
    accounts: dict[str, Any] = field(default_factory=dict)
    grants: list[Any] = field(default_factory=list)


class Command(BaseCommand):
    help = "Build a generated Lawrence-like demo district (units, staff, students, accounts, grants)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has units.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed builds the same district.")
        parser.add_argument("--students", type=int, default=600, help="About how many students (default 600).")

    def handle(self, *args: Any, if_empty: bool, seed: int, students: int, **options: Any) -> None:
        if OrgUnit.objects.exists():
            if if_empty:
                self.stdout.write("The database already has a district; the demo district was not loaded.")
                return
            raise CommandError("The database already has a district. Use a fresh database (or --if-empty).")
        self.password_hash = make_password(env("DEMO_PASSWORD", DEFAULT_PASSWORD))
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.used_emails: set[str] = set()
        self.b = Built()
        with transaction.atomic():
            self._units()
            self._staff()
            self._students(students)
            self._accounts()
            self._grants()
            self._problems()
        b = self.b
        opted = sum(1 for s in b.students if s.media_opt_out)
        self.stdout.write(self.style.SUCCESS(
            f"Demo district built (seed {seed}): {len(b.units)} units, {len(b.staff)} staff, "
            f"{len(b.students)} students ({opted} media opt-outs), {len(b.accounts)} accounts, "
            f"{len(b.grants)} authorizations."
        ))

    # --- people and units ------------------------------------------------------------------

    def _unit(self, key: str, name: str, kind: str, parent: OrgUnit | None, code: str = "") -> OrgUnit:
        unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, sourced_id=f"demo-org-{key}", identifier=code)
        self.b.units[key] = unit
        return unit

    def _units(self) -> None:
        district = self._unit("district", settings.DISTRICT_NAME, OrgUnit.Kind.DISTRICT, None, "01490000")
        for i, name in enumerate(DEPARTMENTS):
            self._unit(f"dept{i}", name, OrgUnit.Kind.DEPARTMENT, district)
        for i, (name, _kind, _grades) in enumerate(SCHOOLS):
            self._unit(f"school{i}", name, OrgUnit.Kind.SCHOOL, district, f"0149{i:04d}")
        lhs = self.b.units["school0"]
        for i, name in enumerate(LHS_ACADEMIES):
            self._unit(f"academy{i}", name, OrgUnit.Kind.PROGRAM, lhs)
        u = self._unit
        u("football", "LHS Lancers Football", OrgUnit.Kind.TEAM, lhs)
        u("gbball", "LHS Lancers Girls Basketball", OrgUnit.Kind.TEAM, lhs)
        u("bsoccer", "LHS Lancers Boys Soccer", OrgUnit.Kind.TEAM, lhs)
        u("track", "LHS Lancers Track & Field", OrgUnit.Kind.TEAM, lhs)
        u("robotics", "LHS Robotics Club", OrgUnit.Kind.CLUB, lhs)
        u("theatre", "LHS Theatre Company", OrgUnit.Kind.CLUB, lhs)
        u("stugov", "LHS Student Government", OrgUnit.Kind.CLUB, lhs)
        u("band", "LHS Marching Lancers Band", OrgUnit.Kind.PROGRAM, lhs)
        u("jrotc", "LHS JROTC", OrgUnit.Kind.PROGRAM, lhs)
        u("frostsoccer", "Frost Middle School Soccer", OrgUnit.Kind.TEAM, self.b.units["school2"])
        u("parthumchess", "Parthum Chess Club", OrgUnit.Kind.CLUB, self.b.units["school3"])
        u("arlyearbook", "Arlington Yearbook Club", OrgUnit.Kind.CLUB, self.b.units["school1"])
        u("tarbox3", "Tarbox Grade 3 — Room 12", OrgUnit.Kind.CLASSROOM, self.b.units["school9"])
        u("summer", "Summer Sports Camp", OrgUnit.Kind.PROGRAM, self.b.units["dept1"])
        u("parentu", "Parent University", OrgUnit.Kind.PROGRAM, self.b.units["dept2"])
        u("allcity", "All-City Music Festival", OrgUnit.Kind.PROGRAM, self.b.units["dept3"])
        u("census", "Count Every Lancer (2026 enrollment drive)", OrgUnit.Kind.INITIATIVE, self.b.units["dept2"])

    def _name(self) -> tuple[str, str]:
        given = self.rng.choice(self.rng.choice([GIVEN_F, GIVEN_M]))
        family_list = FAMILY_HISPANIC if self.rng.random() < 0.82 else FAMILY_OTHER
        family = self.rng.choice(family_list)
        if family_list is FAMILY_HISPANIC and self.rng.random() < 0.25:
            second = self.rng.choice(FAMILY_HISPANIC)
            if second != family:
                family = f"{family} {second}"
        return given, family

    def _email(self, given: str, family: str) -> str:
        base = f"{_ascii(given)[:1]}{_ascii(family.split()[0])}"
        email, n = f"{base}@{settings.DISTRICT_EMAIL_DOMAIN}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{settings.DISTRICT_EMAIL_DOMAIN}"
        self.used_emails.add(email)
        return email

    def _person(self, key: str, roles: list[tuple[str, str]], *, username: str = "", name: tuple[str, str] | None = None) -> Person:
        """A staff member with their roles [(unit key, role)]; a sign-in user for every staff
        member (demo users get the demo password, the rest sign in through the district's
        identity provider in real life, so their passwords are unusable)."""
        given, family = name or self._name()
        email = self._email(given, family)
        user_model = get_user_model()
        user = user_model.objects.create_user(
            username=username or email.split("@")[0], email=email, first_name=given, last_name=family, password=None
        )
        if username:  # hashed once: the password hasher is deliberately slow
            user.password = self.password_hash
            user.save(update_fields=["password"])
        person = Person.objects.create(
            sourced_id=f"demo-staff-{len(self.b.staff) + 1:03d}", kind=Person.Kind.STAFF, given_name=given,
            family_name=family, email=email, username=user.username, user=user,
            identifier=f"E{10400 + len(self.b.staff)}",
        )
        for i, (unit_key, role) in enumerate(roles):
            StaffRole.objects.create(person=person, unit=self.b.units[unit_key], role=role, is_primary=i == 0, source="roster")
        self.b.staff[key] = person
        return person

    def _staff(self) -> None:
        p = self._person
        p("supt", [("district", "superintendent")], username="supt", name=("Rosa", "Almonte Vásquez"))
        p("designee", [("district", "superintendent_designee")], name=("Michael", "Sullivan"))
        p("media", [("dept0", "communications")], username="media", name=("Yesenia", "Polanco"))
        p("media2", [("dept0", "communications")], name=("Jonathan", "Reyes"))
        p("records", [("dept4", "records_officer")], username="records", name=("Grace", "Nguyen"))
        p("athletics_head", [("dept1", "department_head")], name=("Tom", "Walsh"))
        p("face_head", [("dept2", "department_head")], name=("Luz", "Marte"))
        p("arts_head", [("dept3", "department_head")], name=("Carolina", "Lantigua"))
        p("principal", [("school0", "school_leader")], username="principal", name=("Daniel", "Peña"))
        for i in range(1, len(SCHOOLS)):
            p(f"leader{i}", [(f"school{i}", "school_leader")])
        # Lawrence High School: the demo teacher advises the Robotics Club and manages its pages.
        p("teacher", [("school0", "teacher"), ("robotics", "faculty_advisor")], username="teacher", name=("Marisol", "Báez"))
        p("coach_football", [("school0", "teacher"), ("football", "coach")])
        p("coach_gbball", [("school0", "teacher"), ("gbball", "coach")])
        p("coach_soccer", [("school0", "other"), ("bsoccer", "coach")])
        p("coach_track", [("school0", "teacher"), ("track", "coach")])
        p("theatre_adv", [("school0", "teacher"), ("theatre", "faculty_advisor")])
        p("stugov_adv", [("school0", "teacher"), ("stugov", "faculty_advisor")])
        p("band_dir", [("school0", "teacher"), ("band", "faculty_advisor"), ("dept3", "teacher")])
        p("jrotc_instr", [("school0", "teacher"), ("jrotc", "faculty_advisor")])
        p("dean", [("school0", "other")], name=("Kevin", "Doherty"))  # leaves the district: the orphan
        p("lhs_aide", [("school0", "other")])
        for i in range(6):
            p(f"lhs_teacher{i}", [(f"academy{i}", "teacher")])
        p("frost_teacher", [("school2", "teacher")])
        p("frost_pe", [("school2", "teacher")])
        p("parthum_chess", [("school3", "teacher"), ("parthumchess", "faculty_advisor")])
        p("arl_yearbook", [("school1", "teacher"), ("arlyearbook", "faculty_advisor")])
        p("tarbox_room12", [("school9", "teacher"), ("tarbox3", "teacher")])
        p("summer_coord", [("dept1", "coach"), ("summer", "coach")])
        p("parentu_coord", [("dept2", "other"), ("parentu", "other")])
        for i in range(1, len(SCHOOLS)):
            p(f"teacher_s{i}", [(f"school{i}", "teacher")])
        for i in (1, 3, 5, 7, 9):
            p(f"teacher_s{i}b", [(f"school{i}", self.rng.choice(["teacher", "teacher", "coach", "faculty_advisor"]))])

    def _students(self, total: int) -> None:
        weights = [6 if kind == "high" else 2 if kind == "middle" else 1 for _n, kind, _g in SCHOOLS]
        scale = total / sum(weights)
        counter = 0
        rows = []
        for i, (_name, _kind, grades) in enumerate(SCHOOLS):
            school = self.b.units[f"school{i}"]
            for _ in range(round(weights[i] * scale)):
                counter += 1
                given, family = self._name()
                opt_out = ""
                effective = None
                if self.rng.random() < 0.08:
                    opt_out = self.rng.choices(["name", "image", "all"], weights=[3, 4, 3])[0]
                    effective = dt.date(2026, 9, 1) - dt.timedelta(days=self.rng.randrange(0, 400))
                rows.append(Person(
                    sourced_id=f"demo-stu-{counter:04d}", kind=Person.Kind.STUDENT, given_name=given,
                    family_name=family, identifier=f"{100200000 + counter}", school=school,
                    grade=self.rng.choice(grades), media_opt_out=opt_out, media_opt_out_effective=effective,
                ))
        Person.objects.bulk_create(rows, batch_size=500)
        self.b.students = list(Person.objects.filter(kind=Person.Kind.STUDENT, sourced_id__startswith="demo-stu-"))

    # --- accounts -----------------------------------------------------------------------------

    def _user(self, key: str) -> Any:
        return self.b.staff[key].user

    def _account(
        self, key: str, platform: str, handle: str, name: str, unit: str, kind: str, *,
        admin: str | None, advisor: str | None = None, managers: tuple[str, ...] = (), status: str = "registered",
        purpose: str = "", reported_by: str | None = None, reason: str = "", url: str = "",
    ) -> Any:
        from steward.registry import services

        facts: dict[str, Any] = {
            "platform": platform, "handle": handle, "url": url, "display_name": name, "owning_unit": self.b.units[unit],
            "kind": kind, "purpose": purpose or f"News and celebrations from {self.b.units[unit].name}.",
            "responsible_administrator": self.b.staff[admin] if admin else None,
            "advisor": self.b.staff[advisor] if advisor else None,
            "managers": [self.b.staff[m] for m in managers],
        }
        media = self._user("media")
        if reported_by:
            account = services.account_request(actor=self._user(reported_by), reason=reason or "Reported by a staff member.", **facts)
        else:
            account = services.account_create(actor=media, register=status != "requested", reason="Registered by LPS Media.", **facts)
        if status == "suspended":
            account = services.account_suspend(actor=media, account=account, reason=reason or "Suspended while the login is recovered.")
        elif status == "retired":
            account = services.account_retire(actor=media, account=account, reason=reason or "No longer used.")
        self.b.accounts[key] = account
        return account

    def _accounts(self) -> None:
        a = self._account
        # The district's own accounts, run by the communications office.
        a("lps_fb", "facebook", "LawrencePublicSchools", "Lawrence Public Schools", "district", "district",
          admin="supt", managers=("media", "media2"), purpose="The district's official page: news, closings, family information.")
        a("lps_ig", "instagram", "lawrencepublicschools", "Lawrence Public Schools", "district", "district",
          admin="supt", managers=("media", "media2"))
        a("lps_x", "x", "LawrencePS_MA", "Lawrence Public Schools", "district", "district", admin="supt", managers=("media",))
        a("lps_yt", "youtube", "LawrencePublicSchoolsMA", "Lawrence Public Schools", "district", "district",
          admin="supt", managers=("media2",), purpose="School committee meetings and district events.")
        a("lps_tt", "tiktok", "lawrence.schools", "LPS Lancers Pride", "district", "district",
          admin="designee", managers=("media",), status="requested", purpose="Short videos for families and students (proposed).")
        a("census", "facebook", "CountEveryLancer", "Count Every Lancer", "census", "initiative", admin="face_head", managers=("media2",))
        a("lps_snap_old", "snapchat", "lpslancers", "LPS Lancers (old)", "district", "district", admin="supt",
          status="retired", reason="Replaced by the district Instagram; kept for the record.")
        # Departments and their programs.
        a("athletics_fb", "facebook", "LawrenceAthletics", "Lawrence Athletics", "dept1", "department",
          admin="athletics_head", managers=("athletics_head",))
        a("athletics_x", "x", "LawrenceLancers", "Lawrence Lancers Athletics", "dept1", "department",
          admin="athletics_head", managers=("coach_football",))
        a("summer_ig", "instagram", "lawrence_summer_sports", "Summer Sports Camp", "summer", "program",
          admin="athletics_head", managers=("summer_coord",))
        a("face_fb", "facebook", "LPSFamilyEngagement", "LPS Family & Community Engagement", "dept2", "department",
          admin="face_head", managers=("parentu_coord",), purpose="Parent University, family workshops, interpreters.")
        a("parentu_yt", "youtube", "ParentUniversityLPS", "Parent University", "parentu", "program", admin="face_head",
          managers=("parentu_coord",))
        a("arts_ig", "instagram", "lps_fine_arts", "LPS Fine Arts", "dept3", "department", admin="arts_head",
          managers=("band_dir",))
        a("allcity_fb", "facebook", "AllCityMusicFestival", "All-City Music Festival", "allcity", "program",
          admin="arts_head", managers=("band_dir",), status="suspended", reason="Login shared with a parent volunteer; password being reset.")
        # Lawrence High School.
        a("lhs_fb", "facebook", "LawrenceHighSchoolMA", "Lawrence High School", "school0", "school", admin="principal",
          managers=("lhs_aide",))
        a("lhs_ig", "instagram", "lawrencehigh_lancers", "Lawrence High School", "school0", "school", admin="principal",
          managers=("lhs_aide", "theatre_adv"))
        a("lhs_x", "x", "LawrenceHigh", "Lawrence High School", "school0", "school", admin="principal", managers=("lhs_aide",))
        a("football_ig", "instagram", "lhs_lancers_football", "Lancers Football", "football", "team", admin="principal",
          advisor="coach_football", managers=("coach_football",))
        a("gbball_x", "x", "LHSLadyLancers", "Lancers Girls Basketball", "gbball", "team", admin="principal",
          advisor="coach_gbball", managers=("coach_gbball",))
        a("soccer_tt", "tiktok", "lhs_boys_soccer", "Lancers Boys Soccer", "bsoccer", "team", admin="principal",
          advisor="coach_soccer", managers=("coach_soccer",))
        a("track_snap", "snapchat", "lhstrackfield", "Lancers Track & Field", "track", "team", admin="principal",
          advisor="coach_track", managers=("coach_track",))
        a("robotics_ig", "instagram", "lhs_robotics", "LHS Robotics Club", "robotics", "club", admin="principal",
          advisor="teacher", managers=("teacher",), purpose="Build season, competitions and outreach of the Robotics Club.")
        a("robotics_yt", "youtube", "LHSRoboticsLancers", "LHS Robotics Club", "robotics", "club", admin="principal",
          advisor="teacher", managers=("teacher",))
        a("theatre_fb", "facebook", "LHSTheatreCompany", "LHS Theatre Company", "theatre", "club", admin="dean",
          advisor="theatre_adv", managers=("theatre_adv",))
        a("band_ig", "instagram", "marching_lancers", "Marching Lancers Band", "band", "program", admin="principal",
          managers=("band_dir",))
        a("stugov_ig", "instagram", "lhs_student_gov", "LHS Student Government", "stugov", "club", admin="principal",
          advisor="stugov_adv", managers=("stugov_adv",), status="retired", reason="The club now posts on the school's page.")
        # Middle and elementary schools.
        a("arl_fb", "facebook", "ArlingtonMiddleSchoolLawrence", "Arlington Middle School", "school1", "school", admin="leader1",
          managers=("teacher_s1",))
        a("yearbook_ig", "instagram", "arlington_yearbook", "Arlington Yearbook", "arlyearbook", "club", admin="leader1",
          advisor="arl_yearbook", managers=("arl_yearbook",))
        a("parthum_fb", "facebook", "ParthumMiddleSchool", "Parthum Middle School", "school3", "school", admin="leader3",
          managers=("teacher_s3",))
        a("chess_x", "x", "ParthumChess", "Parthum Chess Club", "parthumchess", "club", admin="leader3",
          advisor="parthum_chess", managers=("parthum_chess",), status="requested", reported_by="parthum_chess",
          reason="The club made this account last spring; registering it now.")
        a("oliver_fb", "facebook", "OliverPartnershipSchool", "Oliver Partnership School", "school7", "school", admin="leader7",
          managers=("teacher_s7",))
        a("tarbox_room12", "other", "tarbox-room-12", "Tarbox Room 12 class blog", "tarbox3", "classroom", admin="leader9",
          advisor="tarbox_room12", managers=("tarbox_room12",), purpose="A class blog for Room 12 families (Seesaw).",
          url="https://app.seesaw.me/blog/tarbox-room-12")
        a("wetherbee_ig", "instagram", "wetherbee_school", "Wetherbee School", "school10", "school", admin="leader10",
          managers=("teacher_s10",), status="suspended", reason="Posted a student photo without checking the opt-out list; under review.")
        # Problem: a team page reported with no coach or advisor (1.5).
        a("frost_soccer", "instagram", "frost_ms_soccer", "Frost Middle School Soccer", "frostsoccer", "team",
          admin="leader2", advisor=None, managers=("frost_pe",), status="requested", reported_by="frost_teacher",
          reason="Found while checking Instagram; parents run it, no coach named.")

    # --- authorizations -------------------------------------------------------------------------

    def _grant(self, grantor: str, *, kind: str = "posting", grantee: str | None = None, account: str | None = None,
               unit: str | None = None, days: int | None = 365, started_days_ago: int = 30, purpose: str,
               student: Any = None, fundraiser_name: str = "", phrases: tuple[str, ...] = ()) -> Any:
        from steward.authorizations import services

        person = self.b.staff[grantor]
        valid_from = self.now - dt.timedelta(days=started_days_ago)
        grant = services.grant_create(
            actor=person.user, kind=kind, grantor=person,
            grantee=self.b.staff[grantee] if grantee else None,
            account=self.b.accounts[account] if account else None,
            unit=self.b.units[unit] if unit else None,
            valid_from=valid_from,
            valid_until=(self.now + dt.timedelta(days=days)) if days is not None else None,
            purpose=purpose, attestation_name=str(person), remote_addr=DEMO_ADDRESS,
            student=student, fundraiser_name=fundraiser_name, fundraiser_phrases=phrases,
            parent_notified=kind == "messaging",
        )
        self.b.grants.append(grant)
        return grant

    def _grants(self) -> None:
        g = self._grant
        g("supt", grantee="media", account="lps_fb", days=None, purpose="Communications office: the district's Facebook page.")
        g("supt", grantee="media2", account="lps_fb", days=None, purpose="Communications office: the district's Facebook page.")
        g("supt", grantee="media", account="lps_ig", days=None, purpose="Communications office: the district's Instagram.")
        g("supt", grantee="media2", account="lps_yt", days=None, purpose="School committee meeting videos.")
        g("face_head", grantee="media2", account="census", days=120, purpose="Enrollment drive posts through January.")
        g("principal", grantee="lhs_aide", unit="school0", days=300, purpose="The school's pages: announcements and events.")
        g("principal", grantee="teacher", account="robotics_ig", days=280, purpose="Robotics Club build season and competitions.")
        g("principal", grantee="teacher", account="robotics_yt", days=280, purpose="Robotics Club match videos.")
        g("principal", grantee="coach_football", account="football_ig", days=200, purpose="Game days and team news.")
        g("principal", grantee="coach_gbball", account="gbball_x", days=240, purpose="Scores and schedules.")
        g("principal", grantee="coach_soccer", account="soccer_tt", days=150, purpose="Highlights, with the opt-out list checked.")
        g("principal", grantee="coach_track", account="track_snap", days=180, purpose="Meet results.")
        g("principal", grantee="band_dir", account="band_ig", days=365, purpose="Band performances and trips.")
        g("athletics_head", grantee="summer_coord", unit="summer", days=90, purpose="Summer Sports Camp sign-ups and photos.")
        g("athletics_head", grantee="coach_football", account="athletics_x", days=300, purpose="Athletics scores.")
        g("face_head", grantee="parentu_coord", unit="parentu", days=365, purpose="Parent University workshops.")
        g("leader1", grantee="arl_yearbook", account="yearbook_ig", days=200, purpose="Yearbook club posts.")
        g("leader3", grantee="teacher_s3", account="parthum_fb", days=250, purpose="School news.")
        g("leader7", grantee="teacher_s7", account="oliver_fb", days=250, purpose="School news.")
        g("leader9", grantee="tarbox_room12", account="tarbox_room12", days=220, purpose="Room 12 class blog for families.")
        # A grant that ran out last month, and one revoked.
        g("leader1", grantee="teacher_s1", account="arl_fb", days=-20, started_days_ago=300, purpose="Last year's school news.")
        revoked = g("principal", grantee="theatre_adv", account="lhs_ig", days=200, purpose="Spring musical promotion.")
        from steward.authorizations import services

        services.grant_revoke(actor=self._user("principal"), grant=revoked, reason="The musical is over; posting goes through the school office.")
        # Staff–student messaging (1.7) and fundraisers (1.8.e).
        lhs_students = [s for s in self.b.students if s.school_id == self.b.units["school0"].pk]
        g("principal", kind="messaging", grantee="coach_football", student=lhs_students[0], days=120,
          purpose="Team captain: practice and game-day logistics, parents copied.")
        g("principal", kind="messaging", grantee="teacher", student=lhs_students[1], days=150,
          purpose="Robotics team lead: competition travel, parent notified.")
        g("supt", kind="fundraiser", account="lps_fb", days=60, purpose="District-wide coat drive.",
          fundraiser_name="Lancers Coat Drive", phrases=("coat drive", "colecta de abrigos"))
        g("principal", kind="fundraiser", account="band_ig", days=45, purpose="Band trip to the Thanksgiving parade.",
          fundraiser_name="Marching Lancers Parade Trip", phrases=("parade trip", "band trip"))

    def _problems(self) -> None:
        # Problem: the grant that expires within 30 days (robotics is not the only club with a deadline).
        self._grant("leader3", grantee="parthum_chess", account="parthum_fb", days=12, started_days_ago=200,
                    purpose="Chess tournament coverage on the school page, through the season.")
        # Problem: the Theatre Company's responsible administrator, the dean, has left the district.
        # The roster import would do this; the demo records it the same way, with its audit event.
        dean = self.b.staff["dean"]
        with transaction.atomic():
            dean.active = False
            dean.deactivated_at = self.now - dt.timedelta(days=9)
            dean.save(update_fields=["active", "deactivated_at"])
            audit(actor="demo_district", action="people.person_deactivated", obj=dean, clause="",
                  before={"active": True}, after={"active": False}, note="Left the district (demo).")
        if dean.user_id:
            get_user_model().objects.filter(pk=dean.user_id).update(is_active=False)
