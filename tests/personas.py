"""Named people for tests, as STYLE.md asks: a small district with two schools.

    district "Lawrence Public Schools"
      ├─ school_a "Lawrence High School"  ── team_a "LHS Lancers Basketball", club_a "LHS Robotics Club"
      ├─ school_b "Oliver Partnership School"
      └─ dept "Athletics Department" ── program "Summer Sports Program"

superintendent, media_officer (communications office), records_officer: district-wide.
principal_a leads school_a; principal_b leads school_b; athletics_head leads dept.
teacher_a (teacher at school_a), coach_a (coach of team_a), staff_b (teacher at school_b).
outsider: a signed-in user who is not on the roster.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from steward.people.models import OrgUnit, Person, StaffRole

PASSWORD = "correct-horse-battery-staple"


@dataclass
class District:
    district: OrgUnit
    school_a: OrgUnit
    school_b: OrgUnit
    dept: OrgUnit
    team_a: OrgUnit
    club_a: OrgUnit
    program: OrgUnit
    superintendent: Person
    media_officer: Person
    records_officer: Person
    principal_a: Person
    principal_b: Person
    athletics_head: Person
    teacher_a: Person
    coach_a: Person
    staff_b: Person
    student_a: Person
    student_b: Person
    outsider: User

    def user(self, name: str) -> User:
        obj = getattr(self, name)
        return obj if isinstance(obj, User) else obj.user


def _staff(key: str, given: str, family: str, unit: OrgUnit, role: str) -> Person:
    user = User.objects.create_user(username=key, email=f"{key}@lawrence.k12.ma.us", password=PASSWORD)
    person = Person.objects.create(
        sourced_id=f"staff-{key}", kind=Person.Kind.STAFF, given_name=given, family_name=family,
        email=f"{key}@lawrence.k12.ma.us", user=user,
    )
    StaffRole.objects.create(person=person, unit=unit, role=role, is_primary=True)
    return person


def build_district() -> District:
    district = OrgUnit.objects.create(name="Lawrence Public Schools", kind="district", sourced_id="org-district")
    school_a = OrgUnit.objects.create(name="Lawrence High School", kind="school", parent=district, sourced_id="org-lhs")
    school_b = OrgUnit.objects.create(name="Oliver Partnership School", kind="school", parent=district, sourced_id="org-oliver")
    dept = OrgUnit.objects.create(name="Athletics Department", kind="department", parent=district, sourced_id="org-athletics")
    team_a = OrgUnit.objects.create(name="LHS Lancers Basketball", kind="team", parent=school_a)
    club_a = OrgUnit.objects.create(name="LHS Robotics Club", kind="club", parent=school_a)
    program = OrgUnit.objects.create(name="Summer Sports Program", kind="program", parent=dept)
    coach_a = _staff("coach_a", "Marisol", "Peña", school_a, "teacher")
    StaffRole.objects.create(person=coach_a, unit=team_a, role="coach")
    return District(
        district=district, school_a=school_a, school_b=school_b, dept=dept, team_a=team_a, club_a=club_a,
        program=program,
        superintendent=_staff("superintendent", "Ana", "Rivera", district, "superintendent"),
        media_officer=_staff("media_officer", "Luis", "Ortiz", district, "communications"),
        records_officer=_staff("records_officer", "Grace", "Kim", district, "records_officer"),
        principal_a=_staff("principal_a", "Daniel", "Murphy", school_a, "school_leader"),
        principal_b=_staff("principal_b", "Rosa", "Delgado", school_b, "school_leader"),
        athletics_head=_staff("athletics_head", "Tom", "Walsh", dept, "department_head"),
        teacher_a=_staff("teacher_a", "Priya", "Shah", school_a, "teacher"),
        coach_a=coach_a,
        staff_b=_staff("staff_b", "José", "Almonte", school_b, "teacher"),
        student_a=Person.objects.create(
            sourced_id="stu-a", kind="student", given_name="Yamilet", family_name="Santos", school=school_a,
            grade="10", identifier="100200300",
        ),
        student_b=Person.objects.create(
            sourced_id="stu-b", kind="student", given_name="Kevin", family_name="Nguyen", school=school_b,
            grade="4", identifier="100200301", media_opt_out="all",
        ),
        outsider=User.objects.create_user(username="outsider", email="outsider@example.com", password=PASSWORD),
    )
