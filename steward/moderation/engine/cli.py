"""Command-line logic of ``steward moderate``, ``steward moderate_eval`` and
``steward moderation_train``. The Django commands only pass their arguments here, so the engine's
command line needs no database and no Django."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import yaml

from .types import CATEGORIES, Context, Fundraiser

__all__ = [
    "main", "moderate_main", "eval_main", "train_main", "pack_check_main", "read_items", "context_of",
    "InputError",
]  # fmt: skip


class InputError(ValueError):
    """A row the command cannot use; the message names the file, the line and the field."""


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from e


def read_items(path: str) -> Iterator[dict[str, Any]]:
    """Rows of a JSON Lines or CSV file (``-`` for standard input), by content, not extension.
    Each row gets ``_where`` ("FILE, line N") for error messages."""
    name = "standard input" if path == "-" else path
    fh = _open_input(path)
    try:
        lines = enumerate(fh, start=1)
        first = ""
        buffered: list[tuple[int, str]] = []
        for n, line in lines:
            buffered.append((n, line))
            if line.strip():
                first = line.lstrip()
                break
        if first.startswith("{"):
            for n, line in [*buffered, *lines]:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{name}, line {n}: not valid JSON ({e.msg})") from e
                if not isinstance(row, dict):
                    raise InputError(f"{name}, line {n}: expected a JSON object with 'text'")
                row["_where"] = f"{name}, line {n}"
                yield row
        elif first:
            reader = csv.DictReader(io.StringIO("".join(line for _, line in buffered) + fh.read()))
            if "text" not in (reader.fieldnames or ()):
                raise InputError(f"{name}: no 'text' column (columns: {reader.fieldnames})")
            skipped = buffered[-1][0] - 1  # blank lines before the header
            for row in reader:
                row["_where"] = f"{name}, line {reader.line_num + skipped}"
                yield row
    finally:
        if fh is not sys.stdin:
            fh.close()


def _date(v: Any, field: str = "date") -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as e:
        raise InputError(f"field {field!r}: {v!r} is not a date (YYYY-MM-DD)") from e


def _fundraisers(raw: Any) -> tuple[Fundraiser, ...]:
    if not raw:
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as e:
            raise InputError(f"field 'fundraisers': not valid JSON ({e.msg})") from e
    if not isinstance(raw, list):
        raise InputError("field 'fundraisers': expected a list of {name, phrases, start, end}")
    out = []
    for f in raw:
        if not isinstance(f, dict) or not f.get("name"):
            raise InputError("field 'fundraisers': every fundraiser needs a 'name'")
        phrases = f.get("phrases") or ()
        if isinstance(phrases, str):
            phrases = [p.strip() for p in phrases.split(";") if p.strip()]
        start, end = _date(f.get("start"), "fundraisers.start"), _date(f.get("end"), "fundraisers.end")
        out.append(Fundraiser(str(f["name"]), tuple(phrases), start, end))
    return tuple(out)


def context_of(
    row: dict[str, Any], fundraisers: dict[str, Any] | None = None, today: dt.date | None = None
) -> Context:
    """The engine :class:`Context` of an input row."""
    account = str(row.get("account") or "")
    funds = _fundraisers(row.get("fundraisers"))
    if not funds and fundraisers and account in fundraisers:
        funds = _fundraisers(fundraisers[account])
    prior = row.get("author_prior_removals") or 0
    try:
        prior = int(prior)
    except (TypeError, ValueError) as e:
        raise InputError(f"field 'author_prior_removals': {prior!r} is not a whole number") from e
    return Context(
        post=str(row.get("post") or ""),
        account=account,
        account_kind=str(row.get("account_kind") or ""),
        author_prior_removals=prior,
        lang=str(row.get("lang") or ""),
        fundraisers=funds,
        today=today,
    )


def _judged_rows(
    path: str, funds: dict[str, Any] | None, today: dt.date | None, *, labeled: bool = False
) -> list[tuple[dict[str, Any], Context]]:
    """Every input row with its context, all checked before anything is judged or written."""
    out = []
    for row in read_items(path):
        where = row.pop("_where")
        text = row.get("text")
        if text is None or not isinstance(text, str):
            raise InputError(f"{where}: field 'text' is missing or not text")
        if labeled and row.get("label") not in CATEGORIES:
            raise InputError(
                f"{where}: field 'label' is {row.get('label')!r}; "
                f"expected one of {', '.join(CATEGORIES)}"
            )
        try:
            out.append((row, context_of(row, funds, today)))
        except InputError as e:
            raise InputError(f"{where}: {e}") from e
    return out


def _load_fundraisers(path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from e
    except yaml.YAMLError as e:
        raise InputError(f"{path}: not valid YAML or JSON ({e})") from e
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of account to a list of fundraisers")
    for account, funds in data.items():
        try:
            _fundraisers(funds)
        except InputError as e:
            raise InputError(f"{path}, account {account!r}: {e}") from e
    return data


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file", help="JSON Lines or CSV with id, text, optional post, lang, account; - for stdin"
    )
    p.add_argument("--pack", help="rule pack YAML (default: the LPS pack)")
    p.add_argument("--model", help="model artifact (default: the shipped one)")
    p.add_argument("--fundraisers", help="YAML/JSON: account -> [{name, phrases, start, end}]")
    p.add_argument("--today", help="date for fundraiser windows (YYYY-MM-DD; default today)")


def moderate_main(argv: Sequence[str], stdout: IO[str] | None = None) -> int:
    """``steward moderate FILE|-``: one JSON line per input comment."""
    from .engine import Engine

    p = argparse.ArgumentParser(prog="steward moderate", description="Judge comments.")
    _common(p)
    p.add_argument("--output", "-o", help="write JSON Lines here instead of standard output")
    p.add_argument("--evidence", action="store_true", help="include spans, scores, rule and pack")
    a = p.parse_args(list(argv))
    engine = Engine.load(a.pack, a.model)
    rows = _judged_rows(a.file, _load_fundraisers(a.fundraisers), _date(a.today, "--today"))
    verdicts = engine.judge_many((r["text"], ctx) for r, ctx in rows)
    out = open(a.output, "w", encoding="utf-8") if a.output else (stdout or sys.stdout)  # noqa: SIM115
    try:
        for (r, _ctx), v in zip(rows, verdicts, strict=True):
            rec: dict[str, Any] = {
                "id": r.get("id"),
                "category": v.category,
                "action": v.action,
                "clause": v.clause,
                "confidence": v.confidence,
                "explanation": v.explanation,
            }
            if v.reply:
                rec["reply"] = v.reply
            if v.requires_confirmation:
                rec["requires_confirmation"] = True
            if a.evidence:
                rec["evidence"] = v.to_dict()["evidence"]
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        if a.output:
            out.close()
    return 0


def eval_main(argv: Sequence[str], stdout: IO[str] | None = None) -> int:
    """``steward moderate_eval FILE``: per-category figures against the ``label`` column."""
    from .engine import Engine
    from .evaluate import report

    p = argparse.ArgumentParser(
        prog="steward moderate_eval", description="Evaluate on labeled comments."
    )
    _common(p)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument(
        "--public",
        action="store_true",
        help="evaluate the school test split and the public held-out sets, with peers",
    )
    argv = list(argv)
    if "--public" in argv and not any(not x.startswith("-") for x in argv):
        argv = ["-", *argv]
    a = p.parse_args(argv)
    out = stdout or sys.stdout
    engine = Engine.load(a.pack, a.model)
    if a.public:
        from .public_eval import run

        figures = run(engine, out)
        if a.json:
            out.write(json.dumps(figures, indent=2, default=str) + "\n")
        return 0
    judged = _judged_rows(
        a.file, _load_fundraisers(a.fundraisers), _date(a.today, "--today"), labeled=True
    )
    rows = [r for r, _ in judged]
    verdicts = engine.judge_many((r["text"], ctx) for r, ctx in judged)
    crit = [str(r.get("criticism", "")).lower() in ("true", "1", "yes") for r in rows]
    rep = report(
        [str(r["label"]) for r in rows],
        [v.category for v in verdicts],
        [v.action for v in verdicts],
        crit,
        [str(r.get("text")) for r in rows],
    )
    if a.json:
        out.write(json.dumps(dataclasses.asdict(rep), indent=2) + "\n")
    else:
        out.write(rep.format() + "\n")
    return 0


def pack_check_main(argv: Sequence[str], stdout: IO[str] | None = None) -> int:
    """``steward moderation_pack_check [PACK]``: load an edited rule pack and its lexicons as the
    engine would (an error names the file, the rule or category and the field), then judge every
    criticism of the labeled school set with it: a pack that would hide or escalate one of them is
    refused (exit status 1), because criticism is not a category (records-and-law.md part B)."""
    from .engine import Engine
    from .lexicon import LexiconError
    from .public_eval import criticisms_removed
    from .rules import PackError

    p = argparse.ArgumentParser(
        prog="steward moderation_pack_check",
        description="Check a rule pack before the district uses it.",
    )
    p.add_argument("pack", nargs="?", help="rule pack YAML (default: the LPS pack)")
    p.add_argument("--model", help="model artifact (default: the shipped one)")
    a = p.parse_args(list(argv))
    out = stdout or sys.stdout
    try:
        engine = Engine.load(a.pack, a.model)
    except (PackError, LexiconError) as e:
        raise InputError(str(e)) from e
    pack = engine.pack
    model = engine.model.meta.get("version", "?") if engine.model is not None else "none"
    out.write(f"{pack.path}: pack {pack.name} {pack.version}, {len(pack.rules)} rules, "
              f"{engine.lexicon.size} lexicon entries ({', '.join(sorted(engine.lexicon.languages))}), "
              f"model {model}\n")  # fmt: skip
    for r in pack.rules:
        confirm = ", a person confirms" if r.requires_confirmation else ""
        out.write(f"  {r.priority:>5}  {r.id}  [{r.clause}] {r.category} -> {r.action}{confirm}\n")
    removed, n = criticisms_removed(engine)
    out.write(f"criticisms of the labeled school set hidden or escalated: {len(removed)}/{n}\n")
    for ex, v in removed:
        out.write(f"  REMOVED by {v.evidence.rule_id}: {ex.text}\n")
    return 1 if removed else 0


def train_main(argv: Sequence[str], stdout: IO[str] | None = None) -> int:
    """``steward moderation_train``: train the linear heads and write the artifact."""
    from .train import train

    p = argparse.ArgumentParser(prog="steward moderation_train", description="Train the model.")
    p.add_argument("--data", help="folder of the public data sets (default ../shared/data)")
    p.add_argument("--output", help="artifact path (default: the shipped artifact)")
    p.add_argument("--pack", help="rule pack whose lexicons are used")
    p.add_argument(
        "--cv",
        action="store_true",
        help="print k-fold figures of the whole engine on the school train split",
    )
    p.add_argument(
        "--cv-hatexplain",
        action="store_true",
        help="print removable-vs-ok k-fold figures of the whole engine on the HateXplain train split",
    )
    p.add_argument(
        "--neural-dev",
        action="store_true",
        help="print the engine's figures on the HateXplain train part the sentence model never saw: "
        "without it, as in the pack, and at other thresholds of its rule (where they are chosen)",
    )
    a = p.parse_args(list(argv))
    out = stdout or sys.stdout
    if a.neural_dev:
        from .train import hatexplain_neural_dev

        out.write("HateXplain train, dev part (15 %, never seen by the sentence model):\n")
        for label, rep in hatexplain_neural_dev(
            pack_path=Path(a.pack) if a.pack else None,
            data_root=Path(a.data) if a.data else None,
        ):
            out.write(f"  {label:<34} removable F1 {rep.f1:.4f} (precision {rep.precision:.3f}, "
                      f"recall {rep.recall:.3f}, n {rep.n})\n")  # fmt: skip
        return 0
    if a.cv_hatexplain:
        from .train import hatexplain_cross_validation

        rep, by_rule = hatexplain_cross_validation(
            pack_path=Path(a.pack) if a.pack else None,
            data_root=Path(a.data) if a.data else None,
            log=lambda m: None,
        )
        out.write(f"HateXplain train, 4-fold: removable F1 {rep.f1:.3f} (precision "
                  f"{rep.precision:.3f}, recall {rep.recall:.3f}, n {rep.n})\n")  # fmt: skip
        out.write("removals by rule (HateXplain label normal / removable):\n")
        for rid, (neg, pos) in sorted(by_rule.items(), key=lambda kv: -sum(kv[1])):
            out.write(f"  {rid:<28} {neg:>6} / {pos}\n")
        return 0
    if a.cv:
        from .evaluate import report
        from .train import school_cross_validation

        res = school_cross_validation(pack_path=Path(a.pack) if a.pack else None)
        rep = report([e.label for e, _ in res], [v.category for _, v in res],
                     [v.action for _, v in res], [bool(e.row.get("criticism")) for e, _ in res],
                     [e.text for e, _ in res])  # fmt: skip
        out.write(rep.format() + "\n")
        return 0

    def log(msg: str) -> None:
        out.write(msg + "\n")
        out.flush()

    train(
        output=Path(a.output) if a.output else None,
        data_root=Path(a.data) if a.data else None,
        pack_path=Path(a.pack) if a.pack else None,
        log=log,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m steward.moderation.engine.cli {moderate,moderate_eval,moderation_train} ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    cmds = {"moderate": moderate_main, "moderate_eval": eval_main, "moderation_train": train_main,
            "moderation_pack_check": pack_check_main}  # fmt: skip
    if not args or args[0] not in cmds:
        sys.stderr.write(f"usage: cli {{{','.join(cmds)}}} ...\n")
        return 2
    try:
        return cmds[args[0]](args[1:])
    except InputError as e:
        sys.stderr.write(f"steward {args[0]}: {e}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
