"""Build the fixed train/test split of the school-page labeled set from ``school_comments.txt``.

Run: ``python steward/moderation/labeled/build_split.py``. The split is stratified by label: within
each label, comments are ordered by the SHA-1 of their id and every comment whose hash falls in the
lowest 30 % goes to ``test.jsonl``. Ids are stable (post key + position), so re-running after adding
comments at the end of a post keeps earlier assignments.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {
    "ok", "profanity", "offensive", "inappropriate", "personal_issue", "off_topic", "commercial",
    "safety", "privacy",
}  # fmt: skip
TEST_SHARE = 0.30


def parse(path: Path) -> list[dict[str, object]]:
    """Read the authoring format into rows."""
    rows: list[dict[str, object]] = []
    post: dict[str, str] = {}
    fundraisers: list[dict[str, object]] = []
    counter = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@post "):
            key, account, kind, text = (x.strip() for x in line[6:].split("|", 3))
            post = {"key": key, "account": account, "kind": kind, "text": text}
            fundraisers, counter = [], 0
            continue
        if line.startswith("@fundraiser "):
            name, phrases, start, end = (x.strip() for x in line[12:].split("|", 3))
            fundraisers.append({
                "name": name, "phrases": [p.strip() for p in phrases.split(";") if p.strip()],
                "start": start, "end": end,
            })  # fmt: skip
            continue
        label, lang, text = (x.strip() for x in line.split("|", 2))
        crit = label.endswith("!")
        label = label.rstrip("!")
        if label not in LABELS or lang not in ("en", "es"):
            raise SystemExit(f"{path}:{n}: bad label or language: {label!r} {lang!r}")
        if crit and label != "ok":
            raise SystemExit(f"{path}:{n}: only ok comments can be marked as criticism")
        counter += 1
        row: dict[str, object] = {
            "id": f"{post['key']}-{counter:03d}", "text": text, "post": post["text"],
            "lang": lang, "account": post["account"], "account_kind": post["kind"],
            "label": label, "criticism": crit,
        }  # fmt: skip
        if fundraisers:
            row["fundraisers"] = fundraisers
        rows.append(row)
    return rows


def split(rows: list[dict[str, object]]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Stratified, hash-ordered 70/30 split."""
    train, test = [], []
    for label in sorted(LABELS):
        group = [r for r in rows if r["label"] == label]
        group.sort(
            key=lambda r: hashlib.sha1(str(r["id"]).encode(), usedforsecurity=False).hexdigest()
        )
        k = round(len(group) * TEST_SHARE)
        test.extend(group[:k])
        train.extend(group[k:])
    key = [str(r["id"]) for r in rows]
    train.sort(key=lambda r: key.index(str(r["id"])))
    test.sort(key=lambda r: key.index(str(r["id"])))
    return train, test


def main() -> None:
    rows = parse(HERE / "school_comments.txt")
    train, test = split(rows)
    for name, part in (("train.jsonl", train), ("test.jsonl", test)):
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for r in part:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} comments: {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main()
