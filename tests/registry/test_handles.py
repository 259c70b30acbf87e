"""The pure handle and URL checks, per platform."""

from __future__ import annotations

import pytest

from steward.registry.handles import HandleProblem, check_account_address

GOOD = [
    (
        "facebook",
        "LawrencePublicSchools",
        "",
        "LawrencePublicSchools",
        "https://www.facebook.com/LawrencePublicSchools",
    ),
    (
        "facebook",
        "",
        "https://m.facebook.com/lps.news/?ref=x",
        "lps.news",
        "https://www.facebook.com/lps.news",
    ),
    (
        "facebook",
        "",
        "facebook.com/profile.php?id=100064",
        "100064",
        "https://www.facebook.com/profile.php?id=100064",
    ),
    ("instagram", "@lhs_lancers", "", "lhs_lancers", "https://www.instagram.com/lhs_lancers/"),
    (
        "instagram",
        "lhs_lancers",
        "https://www.instagram.com/LHS_Lancers/",
        "lhs_lancers",
        "https://www.instagram.com/lhs_lancers/",
    ),
    (
        "x",
        "",
        "https://twitter.com/LawrenceSchools",
        "LawrenceSchools",
        "https://x.com/LawrenceSchools",
    ),
    ("x", "LPS", "https://x.com/lps", "LPS", "https://x.com/LPS"),
    ("youtube", "", "https://www.youtube.com/@LPSTV", "LPSTV", "https://www.youtube.com/@LPSTV"),
    (
        "youtube",
        "",
        "https://youtube.com/channel/UC1234567890abcdefghijkl",
        "UC1234567890abcdefghijkl",
        "https://www.youtube.com/channel/UC1234567890abcdefghijkl",
    ),
    (
        "tiktok",
        "",
        "https://www.tiktok.com/@lhs.robotics",
        "lhs.robotics",
        "https://www.tiktok.com/@lhs.robotics",
    ),
    (
        "snapchat",
        "",
        "https://www.snapchat.com/add/lhs-lancers",
        "lhs-lancers",
        "https://www.snapchat.com/add/lhs-lancers",
    ),
    ("other", "", "https://lps.example.org/blog", "blog", "https://lps.example.org/blog"),
]


@pytest.mark.parametrize(("platform", "handle", "url", "want_handle", "want_url"), GOOD)
def test_good_addresses(
    platform: str, handle: str, url: str, want_handle: str, want_url: str
) -> None:
    assert check_account_address(platform, handle, url) == (want_handle, want_url)


BAD = [
    ("facebook", "abc", "", "handle"),  # too short
    ("instagram", ".lancers", "", "handle"),
    ("instagram", "lan..cers", "", "handle"),
    ("instagram", "a" * 31, "", "handle"),
    ("x", "this_is_far_too_long", "", "handle"),
    ("x", "bad-dash", "", "handle"),
    ("youtube", "ab", "", "handle"),
    ("tiktok", "lancers.", "", "handle"),
    ("snapchat", "1lancers", "", "handle"),
    ("snapchat", "lancers_", "", "handle"),
    ("instagram", "", "https://www.facebook.com/lancers", "url"),  # wrong site
    ("youtube", "", "https://www.youtube.com/watch?v=abc", "url"),
    ("youtube", "", "https://www.youtube.com/channel/XY123", "url"),
    ("tiktok", "", "https://www.tiktok.com/lancers", "url"),
    ("snapchat", "", "https://www.snapchat.com/lancers", "url"),
    ("facebook", "", "https://www.facebook.com/groups/123", "url"),
    ("x", "lancers", "https://x.com/robotics", "url"),  # handle and URL disagree
    ("x", "", "", "handle"),
    ("other", "someone", "", "url"),
    ("x", "", "ftp://x.com/lps", "url"),
]


@pytest.mark.parametrize(("platform", "handle", "url", "field"), BAD)
def test_bad_addresses_name_the_field(platform: str, handle: str, url: str, field: str) -> None:
    with pytest.raises(HandleProblem) as exc:
        check_account_address(platform, handle, url)
    assert exc.value.field == field
    assert str(exc.value)
