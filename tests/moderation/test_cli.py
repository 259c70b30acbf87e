"""The command-line logic (the Django commands only forward their arguments to it)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from steward.moderation.engine.cli import InputError, eval_main, moderate_main

ROWS = [
    {"id": "a", "text": "Go Lancers!", "post": "We won the title", "label": "ok"},
    {"id": "b", "text": "f u c k the refs", "label": "profanity"},
    {"id": "c", "text": "Mi hijo no tiene autobús desde el lunes, nadie me contesta en la escuela",
     "post": "New bus routes are posted", "lang": "es", "label": "personal_issue"},
]  # fmt: skip


def _jsonl(tmp_path: Path) -> Path:
    p = tmp_path / "in.jsonl"
    p.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8"
    )
    return p


def test_moderate_jsonl_one_line_per_input(tmp_path: Path) -> None:
    out = io.StringIO()
    assert moderate_main([str(_jsonl(tmp_path))], out) == 0
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["id"] for x in lines] == ["a", "b", "c"]
    assert {"id", "category", "action", "clause", "confidence", "explanation"} <= set(lines[0])
    assert lines[1]["category"] == "profanity" and lines[1]["action"] == "hide"
    assert "LPShelp@lawrence.k12.ma.us" in lines[2]["reply"]


def test_moderate_csv_to_output_file(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,text,post,lang,account\n1,"sh1t happens",,en,lhs\n2,"Nice concert",,,lhs\n',
                   encoding="utf-8")  # fmt: skip
    dst = tmp_path / "out.jsonl"
    moderate_main([str(src), "--output", str(dst)])
    got = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert [(g["id"], g["category"]) for g in got] == [("1", "profanity"), ("2", "ok")]


def test_moderate_reads_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(_jsonl(tmp_path).read_text(encoding="utf-8")))
    out = io.StringIO()
    moderate_main(["-", "--evidence"], out)
    first = json.loads(out.getvalue().splitlines()[1])
    assert first["evidence"]["rule_id"] == "lps.profanity.words"


def test_moderate_eval_prints_figures(tmp_path: Path) -> None:
    out = io.StringIO()
    eval_main([str(_jsonl(tmp_path))], out)
    text = out.getvalue()
    assert "macro-F1" in text and "confusion" in text and "ok comments hidden or escalated" in text


def test_moderate_eval_refuses_rows_without_label(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": 1, "text": "hi"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"x.jsonl, line 1: field 'label' is None; expected one of ok,"):
        eval_main([str(p)], io.StringIO())
