"""One place that turns a comment (and its post) into everything the model and the rules read,
so that training and judging see exactly the same inputs."""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import Hit, Lexicon
from .normalize import NormText, light_normalize, normalize
from .signals import (
    asks_for_help,
    content_stems,
    is_question,
    looks_like_name,
    own_case,
    post_overlap,
    pseudo_tokens,
    structural,
)  # fmt: skip

__all__ = ["Prepared", "prepare"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A comment ready for scoring."""

    norm: NormText
    hits: tuple[Hit, ...]
    light: str
    struct: dict[str, float]
    struct_spans: tuple[tuple[str, int, int], ...]
    overlap: float | None
    post_norm: NormText | None
    model_tokens: tuple[str, ...]
    #: How many phrases of the lexicons' "allow" list the comment holds ("chink in the armor").
    allowed: int = 0


_post_cache: dict[str, tuple[NormText, set[str]]] = {}


def _post(post: str) -> tuple[NormText, set[str]]:
    """The normalized post and its content words; many comments answer the same post."""
    got = _post_cache.get(post)
    if got is None:
        norm = normalize(post)
        got = (norm, content_stems(norm.tokens))
        if len(_post_cache) > 4096:
            _post_cache.clear()
        _post_cache[post] = got
    return got


def prepare(lex: Lexicon, text: str, post: str = "", *, with_post: bool = True) -> Prepared:
    """Normalize, resolve masks, scan the lexicon, read structure and the overlap with ``post``.

    ``with_post=False`` leaves the post pseudo-token out (the public training sets have no post).
    """
    norm = lex.resolve_masks(normalize(text))
    allowed: list[tuple[int, int]] = []
    hits = tuple(lex.scan(norm, allowed))
    light = light_normalize(text)
    struct, spans = structural(light)
    struct["sig.name"] = 1.0 if looks_like_name(text) else 0.0
    lower = text.lower()  # both patterns read the lower-cased text; fold it once
    struct["sig.mine"] = 1.0 if own_case(lower, lowered=True) else 0.0
    struct["sig.request"] = 1.0 if asks_for_help(lower, lowered=True) else 0.0
    struct["sig.question"] = 1.0 if is_question(text) else 0.0  # for the rules only
    post_norm, stems = _post(post) if post.strip() else (None, set())
    overlap = post_overlap(norm.tokens, stems) if post_norm is not None else None
    cats = {h.category for h in hits if not h.category.startswith("rule:")}
    extra = pseudo_tokens(text, cats, struct, overlap, with_post=with_post)
    return Prepared(
        norm, hits, light, struct, tuple(spans), overlap, post_norm, norm.tokens + extra,
        len(allowed),
    )
