"""A verdict's dictionary names every field of the verdict and of its evidence (it is written out
by hand for speed, so a new field must be added there too)."""

from __future__ import annotations

import json
from dataclasses import asdict

from steward.moderation.engine import Context, Engine


def test_to_dict_is_asdict_with_spans_as_a_list():
    engine = Engine.load()
    for text in ("this is fucking bullshit", "Great game last night!", "Call me at 978-555-0199 about my son"):
        verdict = engine.judge(text, Context(post="Report cards go home Friday"))
        expected = asdict(verdict)
        expected["evidence"]["spans"] = [asdict(s) for s in verdict.evidence.spans]
        assert verdict.to_dict() == expected
        json.dumps(verdict.to_dict())  # JSON-ready
