"""Naming a group is not abuse: a neutral comment that mentions a religion, a nationality, a race or
an LGBTQ+ identity — the district's own families, clubs and rival schools — gets the verdict the
same comment gets with a plain word in the group's place. (Models trained on Gab and Twitter learn
group names as signs of hate; the school train split carries counter-examples, ids
``identity-z*``. None of the comments below is in the labeled set.)"""

from __future__ import annotations

import pytest

from steward.moderation.engine import Context, Engine

CONTROL = "chess"
GROUPS = ["Catholic", "Muslim", "Jewish", "gay", "transgender", "Black", "Latino", "Dominican",
          "Haitian", "immigrant", "Arab", "Cambodian"]  # fmt: skip
TEMPLATES = [
    ("Shout out to the {g} parents who organized the book drive", "Book drive this week at the Oliver School."),
    ("The {g} club is looking for a new advisor next year", "Club fair Wednesday in the cafeteria."),
    ("Final score 62-55 over Central {g}, what a comeback", "Varsity boys basketball plays tonight at 7."),
    ("Los padres {g} organizaron la colecta de libros, gracias", "Book drive this week at the Oliver School."),
    # Held for "transgender" and "Dominican" until rule pack 2026.11.29-9 (abuse 0.62 / 0.64, "chess"
    # 0.39: "<group> are coming" is a pattern of the hate posts the abuse head learned from); the
    # sentence model must now agree before the linear score alone holds an English comment.
    ("Our {g} neighbors are coming to the spring concert too", "Spring concert Thursday at 6 pm in the auditorium."),
]  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _changed(engine: Engine, templates: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    changed = []
    for template, post in templates:
        control = engine.judge(template.format(g=CONTROL), Context(post=post))
        items = [(template.format(g=g), Context(post=post)) for g in GROUPS]
        for (text, _), v in zip(items, engine.judge_many(items), strict=True):
            if (v.category, v.action) != (control.category, control.action):
                changed.append((text, v.category, v.action, "control:", control.category))
    return changed


def test_a_groups_name_does_not_change_the_verdict(engine: Engine) -> None:
    changed = _changed(engine, TEMPLATES)
    assert not changed, changed


@pytest.mark.parametrize("text", [
    "Keep the Muslims out of our school, they don't belong here",
    "Gay teachers should not be allowed near our kids, disgusting",
])  # fmt: skip
def test_hate_about_a_group_is_still_offensive(engine: Engine, text: str) -> None:
    v = engine.judge(text, Context(post="Open house Thursday at Lawrence High"))
    assert v.category == "offensive" and v.action in ("hide", "hold"), (v.category, v.action)
