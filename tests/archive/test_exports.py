"""Export-file parsers (platforms.md §6) on fixtures built in the documented shapes."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from steward.archive.exports import BadExportFile, fix_mojibake
from steward.platforms.facebook import export as facebook
from steward.platforms.instagram import export as instagram
from steward.platforms.x import export as x
from steward.platforms.youtube import export as youtube

FIX = Path(__file__).parent / "fixtures"


def test_mojibake_repair_is_idempotent() -> None:
    broken = "¡Qué orgullo! 🎉".encode().decode("latin-1")
    assert fix_mojibake(broken) == "¡Qué orgullo! 🎉"
    assert fix_mojibake("¡Qué orgullo! 🎉") == "¡Qué orgullo! 🎉"
    assert fix_mojibake("plain ascii") == "plain ascii"


def test_facebook_dyi_posts_comments_messages() -> None:
    items = list(facebook.parse(FIX / "facebook_dyi"))
    kinds = sorted(i.kind for i in items)
    assert kinds == ["comment", "message", "message", "message", "post", "post"]
    post = next(i for i in items if i.kind == "post" and i.media)
    assert post.text.startswith("¡Felicidades a los estudiantes")
    assert "🎉" in post.text
    assert post.created_at == dt.datetime(2024, 4, 25, 16, 0, tzinfo=dt.UTC)
    assert post.media == ("your_facebook_activity/posts/media/field_day.jpg",)
    assert post.extra["updated_at"].startswith("2024-04-26")
    # raw is exactly as found: still mojibake
    assert "Â¡" in post.raw["data"][0]["post"]
    assert isinstance(post.platform_id, str) and post.platform_id.startswith("facebook-dyi-post:")
    msgs = [i for i in items if i.kind == "message"]
    assert msgs[0].author_name == "José Peña"
    assert msgs[0].thread_id == "inbox/josepena_123"
    assert msgs[0].created_at.microsecond == 123000
    assert msgs[2].state == "unsent"
    assert msgs[1].media


def test_facebook_ids_are_stable() -> None:
    first = [i.platform_id for i in facebook.parse(FIX / "facebook_dyi")]
    again = [i.platform_id for i in facebook.parse(FIX / "facebook_dyi")]
    assert first == again and len(set(first)) == len(first)


def test_facebook_zip_export(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "fb"), "zip", FIX / "facebook_dyi")
    assert [i.platform_id for i in facebook.parse(archive)] == [
        i.platform_id for i in facebook.parse(FIX / "facebook_dyi")
    ]


def test_facebook_bad_file_names_file_and_record() -> None:
    with pytest.raises(BadExportFile) as err:
        list(facebook.parse(FIX / "facebook_bad"))
    assert err.value.index == 1
    assert err.value.field == "timestamp"
    assert "your_posts_1.json" in str(err.value)
    assert "record 1" in str(err.value)


def test_instagram_dyi() -> None:
    items = list(instagram.parse(FIX / "instagram_dyi"))
    assert sorted(i.kind for i in items) == ["comment", "message", "post", "post"]
    grad = next(i for i in items if "Graduación" in i.text)
    assert grad.text == "Graduación 2024 — ¡felicidades, Lancers!"
    carousel = next(i for i in items if i.text == "Spring concert carousel")
    assert len(carousel.media) == 2
    comment = next(i for i in items if i.kind == "comment")
    assert comment.text == "¡Gracias familias! 💙"
    assert comment.created_at == dt.datetime.fromtimestamp(1717310000, dt.UTC)


def test_x_archive_split_parts_and_dms() -> None:
    items = list(x.parse(FIX / "x_archive"))
    tweets = [i for i in items if i.kind in ("post", "reply")]
    assert [t.platform_id for t in tweets] == [
        "1780000000000000001",
        "1780000000000000002",
        "1780000000000000003",
    ]
    reply = tweets[1]
    assert reply.kind == "reply" and reply.parent_id == "1779999999999999999"
    assert tweets[0].author_id == "42424242"
    assert tweets[0].author_name == "Lawrence Public Schools"
    assert tweets[0].created_at == dt.datetime(2024, 8, 28, 14, 5, 17, tzinfo=dt.UTC)
    assert tweets[2].extra["edit_of"] == "1780000000000000001"
    dms = [i for i in items if i.kind == "message"]
    assert sorted(d.platform_id for d in dms) == [
        "1790000000000000010",
        "1790000000000000011",
        "1790000000000000020",
    ]
    dms = sorted(dms, key=lambda d: d.platform_id)
    assert dms[0].thread_id == "42424242-777" and dms[0].author_id == "777"
    assert dms[0].created_at == dt.datetime(2024, 9, 3, 11, 58, 52, 744000, tzinfo=dt.UTC)


def test_x_single_file() -> None:
    items = list(x.parse(FIX / "x_archive" / "data" / "tweets-part1.js"))
    assert [i.platform_id for i in items] == ["1780000000000000003"]


def test_x_bad_date_is_named() -> None:
    with pytest.raises(BadExportFile) as err:
        list(x.parse(FIX / "x_bad"))
    assert err.value.index == 1 and err.value.field == "tweet.created_at"


@pytest.mark.parametrize("folder", ["youtube_takeout_old", "youtube_takeout_new"])
def test_youtube_both_column_orders(folder: str) -> None:
    items = list(youtube.parse(FIX / folder))
    assert [i.kind for i in items] == ["comment", "reply"]
    top, reply = items
    assert reply.parent_id == top.platform_id
    assert reply.thread_id == top.platform_id
    assert top.author_id == "UCdistrict"
    assert top.created_at.tzinfo is not None


def test_youtube_segment_text() -> None:
    old = list(youtube.parse(FIX / "youtube_takeout_old"))
    assert old[0].text == "Thanks for watching the graduation livestream!"
    assert old[0].created_at == dt.datetime(2023, 9, 19, 17, 42, 53, 434647, tzinfo=dt.UTC)
    new = list(youtube.parse(FIX / "youtube_takeout_new"))
    assert new[0].text == "> quote\nGreat question, ¡gracias!"
    assert new[1].text == "Hi @someone"


def test_youtube_bad_segment_named() -> None:
    with pytest.raises(BadExportFile) as err:
        list(youtube.parse(FIX / "youtube_bad"))
    assert err.value.index == 1 and err.value.field == "Comment Text"


def test_youtube_zip(tmp_path: Path) -> None:
    path = tmp_path / "takeout.zip"
    with zipfile.ZipFile(path, "w") as zf:
        src = (
            FIX
            / "youtube_takeout_new"
            / "Takeout"
            / "YouTube and YouTube Music"
            / "comments"
            / "comments.csv"
        )
        zf.write(src, "Takeout/YouTube and YouTube Music/comments/comments.csv")
    assert len(list(youtube.parse(path))) == 2


def test_missing_path() -> None:
    with pytest.raises(BadExportFile):
        list(facebook.parse(FIX / "nope"))
