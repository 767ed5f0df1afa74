"""Key phrases of one text, scored by statistics of the text alone (no model, no corpus).

The scorer follows the published YAKE method (Campos et al., "YAKE! Keyword extraction from single
documents using multiple local features", Information Sciences 509, 2020), written here so the
project carries no AGPL code: each word gets five features from the text itself — how often it is
capitalised or an acronym, how early it appears, how frequent it is, how many different words stand
beside it (a word next to everything is a function word), and in how many sentences it appears —
and a candidate phrase of one to three words is scored from its words' features and its own
frequency. Lower scores are better; near-duplicate phrases are dropped.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# scikit-learn's list (BSD) less the words that name business things ("system", "bill", "detail"),
# plus the contractions and conversational words of email.
_KEEP_AS_CONTENT = frozenset(
    "amount bill detail fire interest system top bottom front full empty side move show call part".split()
)
_CONVERSATIONAL = frozenset(
    """
    a's able according actually ain't anybody anyways appreciate aren't aside ask asking available away
    believe best better can't certainly clearly come comes couldn't currently definitely did didn't
    does doesn't doing don't dr especially exactly far gets getting given gives goes going gone got
    gotten greetings hadn't hasn't haven't having he's hello hi hopefully i'd i'll i'm i've instead
    isn't it'd it'll it's just know known knows lately later let let's like liked likely little look
    looking looks maybe mr mrs ms need needs oh ok okay ones particular particularly possible probably
    quite really regarding regards right said say saying says shall shouldn't soon sorry sure tell
    thank thanks that's there's they'd they'll they're they've think took tried try trying use used
    uses using usually want wants wasn't way we'd we'll we're we've welcome went weren't what's where's
    who's won't wouldn't yes you'd you'll you're you've
    """.split()
)
STOP_WORDS = frozenset((ENGLISH_STOP_WORDS - _KEEP_AS_CONTENT) | _CONVERSATIONAL)

MAX_WORDS = 3
DEDUP_SIMILARITY = 0.8
# Phrases break at punctuation and at the masks that replace names (" ; ").
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=[A-Z\-*•])")
_CHUNK = re.compile(r"[,;:()\[\]{}\"“”<>|!?]+|\s[-–—]\s|\.(?:\s|$)")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'+./-]*[A-Za-z0-9+]|[A-Za-z0-9]")
_NUMBER = re.compile(r"^[\d$€£.,%/:-]+$")
# Room numbers, ticket and order ids ("EB1962", "PO-20431"): codes, not topics.
_CODE = re.compile(r"\d.*\d.*\d")


@dataclass
class _Word:
    count: int = 0
    acronym: int = 0
    capitalised: int = 0
    sentences: list[int] = field(default_factory=list)
    left: defaultdict = field(default_factory=lambda: defaultdict(int))
    right: defaultdict = field(default_factory=lambda: defaultdict(int))


def _chunks(text: str) -> list[tuple[int, list[str]]]:
    """(sentence index, words) for every punctuation-free run of the text."""
    found = []
    for index, sentence in enumerate(s for s in _SENTENCE.split(text) if s.strip()):
        for chunk in _CHUNK.split(sentence):
            words = _WORD.findall(chunk)
            if words:
                found.append((index, words))
    return found


def _word_scores(chunks: list[tuple[int, list[str]]]) -> tuple[dict[str, float], dict[str, _Word]]:
    words: dict[str, _Word] = defaultdict(_Word)
    for sentence, tokens in chunks:
        for position, token in enumerate(tokens):
            key = token.lower()
            word = words[key]
            word.count += 1
            word.sentences.append(sentence)
            if len(token) > 1 and token.isupper():
                word.acronym += 1
            elif token[0].isupper() and position > 0:
                word.capitalised += 1
            # Neighbours within the chunk (YAKE's window of one word each side).
            if position > 0:
                word.left[tokens[position - 1].lower()] += 1
            if position + 1 < len(tokens):
                word.right[tokens[position + 1].lower()] += 1
    content = [w.count for k, w in words.items() if k not in STOP_WORDS and not _NUMBER.match(k)]
    if not content:
        return {}, words
    mean = statistics.fmean(content)
    spread = statistics.pstdev(content)
    most = max(content)
    sentence_total = max(1, len({s for s, _ in chunks}))
    scores = {}
    for key, word in words.items():
        casing = max(word.acronym, word.capitalised) / (1.0 + math.log(word.count))
        position = math.log(math.log(3.0 + statistics.median(word.sentences)))
        frequency = word.count / (mean + spread)
        left = len(word.left) / max(1, sum(word.left.values()))
        right = len(word.right) / max(1, sum(word.right.values()))
        relatedness = 1.0 + (left + right) * word.count / most
        spread_over = len(set(word.sentences)) / sentence_total
        scores[key] = (relatedness * position) / (
            casing + frequency / relatedness + spread_over / relatedness
        )
    return scores, words


def _candidates(chunks: list[tuple[int, list[str]]]) -> dict[str, tuple[str, int]]:
    """Lower-cased phrase → (first written form, how often it occurs)."""
    found: dict[str, tuple[str, int]] = {}
    for _, tokens in chunks:
        for start in range(len(tokens)):
            for size in range(1, MAX_WORDS + 1):
                gram = tokens[start : start + size]
                if len(gram) < size:
                    break
                lowered = [t.lower() for t in gram]
                if any(_NUMBER.match(t) or _CODE.search(t) for t in lowered):
                    break
                if lowered[0] in STOP_WORDS:
                    break
                if lowered[-1] in STOP_WORDS:
                    continue
                key = " ".join(lowered)
                form, count = found.get(key, (" ".join(gram), 0))
                found[key] = (form, count + 1)
    return found


def extract_key_phrases(text: str, *, top: int) -> list[tuple[str, float]]:
    """The ``top`` best phrases of a text as (phrase as written, score), best (lowest) first."""
    chunks = _chunks(text)
    scores, _ = _word_scores(chunks)
    if not scores:
        return []
    ranked = []
    for key, (form, count) in _candidates(chunks).items():
        product, total = 1.0, 0.0
        for token in key.split():
            if token in STOP_WORDS:
                continue  # an inner "of" neither helps nor hurts
            product *= scores[token]
            total += scores[token]
        ranked.append((product / (count * (1.0 + total)), form))
    ranked.sort()
    chosen: list[tuple[str, float]] = []
    for score, form in ranked:
        lowered = form.lower()
        if any(SequenceMatcher(None, lowered, kept.lower()).ratio() > DEDUP_SIMILARITY for kept, _ in chosen):
            continue
        chosen.append((form, score))
        if len(chosen) == top:
            break
    return chosen
