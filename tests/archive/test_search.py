"""Search: same results on SQLite FTS5 and PostgreSQL (run the suite on both), filters, highlights."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.archive import services
from steward.archive.search import highlight, parse_query
from steward.archive.selectors import record_search
from steward.registry.models import Account
from tests.archive.conftest import make_account
from tests.personas import District

TEXTS = [
    "The bus schedule changed again, ¿por qué?",
    "Gracias a la escuela Oliver por la fiesta",
    "Cutting art teachers again is shameful",
    "Bus 14 never came this morning",
    "La señora Peña es la mejor maestra",
    "Graduation livestream link please",
    "e-mail the principal about buses",
]


def seed(lps: District) -> tuple[Account, Account]:
    fb = make_account(lps, "facebook", "LPS")
    lhs = make_account(lps, "instagram", "lhs_lancers", unit="school_a")
    for i, text in enumerate(TEXTS):
        account = fb if i % 2 == 0 else lhs
        rec = services.record_append(
            kind="comment",
            platform=account.platform,
            source="webhook",
            account=account,
            platform_id=f"c{i}",
            text=text,
            author_name=f"Parent {i}",
            author_id=f"u{i}",
            created_at=dt.datetime(2026, 3, 1 + i, tzinfo=dt.UTC),
            raw_payload={"i": i},
        )
        if i in (2, 3):
            services.record_version_append(
                previous=rec,
                version="removed_by_district",
                state="removed",
                moderation_category="offensive" if i == 2 else "personal_issue",
            )
    return fb, lhs


def ids(lps: District, query: str, **filters: object) -> list[str]:
    qs = record_search(user=lps.user("records_officer"), query=query, filters=filters)
    return sorted(f"{r.platform_id}:{r.version}" for r in qs)


def test_words_accents_prefix_phrase(lps: District) -> None:
    seed(lps)
    assert ids(lps, "bus") == ["c0:created", "c3:created", "c3:removed_by_district"]
    assert ids(lps, "bus*") == ["c0:created", "c3:created", "c3:removed_by_district", "c6:created"]
    assert ids(lps, "pena") == ["c4:created"]
    assert ids(lps, "PEÑA maestra") == ["c4:created"]
    assert ids(lps, '"art teachers"') == ["c2:created", "c2:removed_by_district"]
    assert ids(lps, '"teachers art"') == []
    assert ids(lps, "e-mail") == ["c6:created"]
    assert ids(lps, "porque") == []
    assert ids(lps, "por") == ["c0:created", "c1:created"]


def test_filters(lps: District) -> None:
    fb, lhs = seed(lps)
    assert ids(lps, "bus", state="removed") == ["c3:removed_by_district"]
    assert ids(lps, "", moderation_category="offensive") == ["c2:removed_by_district"]
    assert ids(lps, "", account=lhs.pk) == [
        "c1:created",
        "c3:created",
        "c3:removed_by_district",
        "c5:created",
    ]
    assert ids(lps, "", unit=lps.school_a.pk) == ids(lps, "", account=lhs.pk)
    assert ids(lps, "", platform="facebook", date_from="2026-03-03", date_to="2026-03-05") == [
        "c2:created",
        "c2:removed_by_district",
        "c4:created",
    ]
    assert ids(lps, "", author="Parent 4") == ["c4:created"]
    assert ids(lps, "", kind="post") == []


def test_permissions(lps: District) -> None:
    seed(lps)
    assert (
        len(record_search(user=lps.user("principal_a"), query="")) == 4
    )  # school_a's account only
    assert len(record_search(user=lps.user("principal_b"), query="")) == 0
    assert len(record_search(user=lps.user("outsider"), query="")) == 0


def test_highlight_is_escaped_and_accent_blind() -> None:
    out = highlight("<b>La señora Peña</b> es buena", "pena")
    assert out == "&lt;b&gt;La señora <mark>Peña</mark>&lt;/b&gt; es buena"
    assert "<mark>buses</mark>" in highlight("about buses", "bus*")
    assert parse_query('"a b" c*')[1].prefix


def test_page_matches_full_search_in_every_strategy(lps: District, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The paged search (index-driven, filter-driven or id list) lists exactly what the full
    queryset lists, in the same order, and pages on without gaps."""
    from steward.archive import search
    from steward.archive.selectors import record_search_page

    fb, lhs = seed(lps)
    for i in range(120):
        account = fb if i % 3 else lhs
        services.record_append(
            kind="comment",
            platform=account.platform,
            source="poll",
            account=account,
            platform_id=f"x{i}",
            text=f"bus route {i % 7} update",
            raw_payload={},
        )
    user = lps.user("records_officer")
    # SMALL 5 forces the chunked strategies; on PostgreSQL a WINDOW of 7 ids makes the unfiltered
    # search walk windows (BITMAP_COST huge) or sort a bitmap of the older matches (0), in keyset
    # chunks of MAX_CHUNK.
    for small, window, cost, chunk in [
        (20_000, 20_000, 2.0, 10_000),
        (5, 20_000, 2.0, 10_000),
        (5, 7, 1e12, 10_000),
        (5, 7, 0.0, 3),
    ]:
        monkeypatch.setattr(search, "MAX_CHUNK", chunk)
        monkeypatch.setattr(search, "SMALL", small)
        monkeypatch.setattr(search, "WINDOW", window)
        monkeypatch.setattr(search, "BITMAP_COST", cost)
        for query, filters in [
            ("bus", {}),
            ("bus", {"account": lhs.pk}),
            ("route*", {"platform": "instagram"}),
            ('"bus route"', {}),
            ("bus", {"date_from": "2020-01-01", "kind": "comment"}),
            ("nothing", {}),
            ("", {"account": fb.pk}),
        ]:
            full = [r.pk for r in record_search(user=user, query=query, filters=filters)]
            paged: list[int] = []
            before = None
            while True:
                page = record_search_page(
                    user=user, query=query, filters=filters, before=before, limit=17
                )
                paged.extend(r.pk for r in page.records)
                if page.next_before is None:
                    break
                before = page.next_before
            assert paged == full, (small, window, cost, query, filters)
            first = record_search_page(user=user, query=query, filters=filters, count_cap=10)
            assert (first.count, first.more_than_count) == (min(len(full), 10), len(full) > 10)


def test_cached_words_are_the_words_of_the_whole_text() -> None:
    """``words`` folds space-separated pieces (cached) instead of the whole text: same words."""
    import random

    from steward.archive.search import WORD, fold, words

    def whole(text: str) -> list[str]:
        return WORD.findall(fold(text).replace("_", " "))

    rng = random.Random(4)
    alphabet = "ab é\u0301ñ_ \u00a0\u00a8ΣİßﬁX1½\t-.ς"
    samples = ["La señora Peña  es_buena", "ﬁn ½ x\u00a8y", "e\u0301 \u0301a", "ΣΟΦΊΑ ς"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(3000)
    ]
    for text in samples:
        assert words(text) == whole(text), text


def test_phrases_long_documents_and_phrase_prefixes(
    lps: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL phrases also require the pair lexemes; a document too long to carry its pairs
    is still found by its phrases, and a prefix at a phrase's end matches the pair's start."""
    from steward.archive import search

    fb, _ = seed(lps)
    monkeypatch.setattr(search, "PAIRS_MAX_WORDS", 5)
    services.record_append(
        kind="post",
        platform="facebook",
        source="poll",
        account=fb,
        platform_id="long",
        text="one two three four five six seven school bus route today",
    )
    assert ids(lps, '"bus route"') == ["long:created"]
    assert ids(lps, "school-bus-rou*") == ["long:created"]  # words joined: a phrase
    assert ids(lps, '"route bus"') == []
    assert ids(lps, "art-teach*") == ["c2:created", "c2:removed_by_district"]
    assert ids(lps, "teach*") == ["c2:created", "c2:removed_by_district"]  # not the pairs
    assert search.pair_lexemes("a b a b") == ["~a b", "~b a"]
    assert search.pair_lexemes("one two three four five six") == [search.NO_PAIRS]
