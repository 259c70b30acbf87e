"""``steward moderate`` answers without Django (issue 3: no database, start-up under 2 seconds);
every other ``steward`` command is Django's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs the ``steward`` entry point in a fresh interpreter and reports whether Django was imported.
_PROBE = """
import sys
from steward import cli
try:
    cli.main(sys.argv[1:])
except SystemExit as e:
    code = e.code
else:
    code = 0
sys.stderr.write("django imported: %s, exit %s\\n" % ("django.core.management" in sys.modules, code))
"""


def _steward(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def test_moderate_runs_the_engine_without_django() -> None:
    r = _steward("moderate", "-", stdin=json.dumps({"id": "x", "text": "f u c k the refs"}) + "\n")
    assert "django imported: False, exit 0" in r.stderr, r.stderr
    out = json.loads(r.stdout)
    assert (out["id"], out["category"], out["action"]) == ("x", "profanity", "hide")


def test_moderate_eval_runs_without_django() -> None:
    r = _steward("moderate_eval", "-", stdin='{"id": 1, "text": "hola", "label": "ok"}\n')
    assert "django imported: False, exit 0" in r.stderr, r.stderr
    assert "macro-F1: 1.000" in r.stdout


def test_other_commands_are_djangos() -> None:
    r = _steward("check")
    assert "System check identified no issues" in r.stdout + r.stderr
    assert "django imported: True, exit 0" in r.stderr


def test_bad_input_names_the_file_line_and_field_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    cases = {
        '{"id": 1, "text": "hola"}\n{"id": 2, "text": "adiós"\n': "line 2: not valid JSON",
        '{"id": 1, "text": "hola"}\n\n[1, 2]\n': "line 3: expected a JSON object",
        '{"id": 1, "txt": "hola"}\n': "line 1: field 'text' is missing",
        '{"id": 1, "text": "hi", "author_prior_removals": "two"}\n': "'author_prior_removals': 'two'",
        '{"id": 1, "text": "hi", "fundraisers": [{"name": "Car wash", "start": "May 1"}]}\n':
            "'fundraisers.start': 'May 1' is not a date",
        "id,text\n1,hello\n2,\"unclosed\n": "",  # a CSV the reader accepts: no error
        "id,comment\n1,hello\n": "no 'text' column",
    }  # fmt: skip
    for i, (body, message) in enumerate(cases.items()):
        src = tmp_path / f"in{i}.txt"
        src.write_text(body, encoding="utf-8")
        r = _steward("moderate", str(src), "--output", str(out))
        if not message:
            assert "exit 0" in r.stderr, r.stderr
            out.unlink()
            continue
        assert f"steward moderate: {src}" in r.stderr and message in r.stderr, (body, r.stderr)
        assert "exit 2" in r.stderr and "Traceback" not in r.stderr
        assert not out.exists(), "nothing is written when a row is refused"
    r = _steward("moderate_eval", "-", stdin='{"id": 1, "text": "hola", "label": "nonsense"}\n')
    assert "standard input, line 1: field 'label' is 'nonsense'; expected one of ok," in r.stderr
    r = _steward("moderate", str(tmp_path / "missing.jsonl"))
    assert "missing.jsonl: cannot be read (No such file or directory)" in r.stderr


def _pack_copy(tmp_path: Path, edit: str = "", replace: tuple[str, str] = ("", "")) -> Path:
    """The LPS pack copied to ``tmp_path``, its lexicons by absolute path, with an edit."""
    from steward.moderation.engine.rules import DEFAULT_PACK

    text = DEFAULT_PACK.read_text(encoding="utf-8")
    text = text.replace("  - lexicons/", f"  - {DEFAULT_PACK.parent}/lexicons/")
    if replace[0]:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "pack.yaml"
    path.write_text(text + edit, encoding="utf-8")
    return path


def test_pack_check_passes_the_shipped_pack_and_refuses_one_that_removes_criticism(tmp_path: Path) -> None:
    r = _steward("moderation_pack_check")
    assert "exit 0" in r.stderr, r.stderr
    assert "lps.safety.threat  [0.2] safety -> escalate, a person confirms" in r.stdout
    assert "criticisms of the labeled school set hidden or escalated: 0/" in r.stdout
    # A district adds a rule that hides whatever names the superintendent: refused, with the proof.
    rule = """
  - id: district.no-superintendent
    clause: "1.8.b"
    category: offensive
    priority: 950
    when:
      phrases: [superintendent, superintendente]
    action: hide
"""
    r = _steward("moderation_pack_check", str(_pack_copy(tmp_path, edit=rule)))
    assert "exit 1" in r.stderr, r.stderr
    assert "REMOVED by district.no-superintendent:" in r.stdout


def test_pack_check_names_the_rule_and_field_of_a_broken_pack(tmp_path: Path) -> None:
    broken = _pack_copy(tmp_path, replace=('clause: "1.8.d"', 'clause: "9.9"'))
    r = _steward("moderation_pack_check", str(broken))
    assert "exit 2" in r.stderr and "Traceback" not in r.stderr
    assert f"steward moderation_pack_check: {broken}: rule 'lps.offtopic.post': field 'clause'" in r.stderr


def test_the_django_commands_reach_the_same_command_line(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "f u c k the refs"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    call_command("moderate", str(src), "--output", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["category"] == "profanity"
    src.write_text('{"id": 1, "txt": "hola"}\n', encoding="utf-8")
    try:
        call_command("moderate", str(src))
    except CommandError as e:
        assert e.returncode == 2
    else:
        raise AssertionError("a row without text was accepted")
    # django-admin passes its arguments through as they are (the engine's parser reads them).
    r = subprocess.run(
        [sys.executable, "-m", "django", "moderation_pack_check"], capture_output=True, text=True,
        cwd=ROOT, timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )  # fmt: skip
    assert r.returncode == 0 and "hidden or escalated: 0/" in r.stdout, r.stderr
