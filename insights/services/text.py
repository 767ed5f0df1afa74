"""Reading the new text of one activity (its subject and body: capture already removed quoted
replies and signatures): key phrases (a YAKE-style scorer, ``keyphrases``), next-step sentences, and the signals scores look for
(competitors named, budget and purchase-order talk, pricing).

Everything here is a pure function of the text and a few names, cached on the text, so identical
texts (templated mail, the same meeting notes) are read once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from .keyphrases import STOP_WORDS, extract_key_phrases

# --- cleaning ------------------------------------------------------------------------------

SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Whole lines that open or close an email: they are manners, not topics.
GREETING_LINE = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hi all|hi team)\b[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
SIGN_OFF_LINE = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|best|best regards|regards|kind regards|warm regards|cheers"
    r"|sincerely|talk soon|all the best|speak soon)\b[^\n]{0,30}$",
    re.IGNORECASE | re.MULTILINE,
)
# Words that make a phrase email boilerplate rather than a topic: no phrase starts or ends with one.
BOILERPLATE_WORDS = frozenset(
    """
    hi hello hey dear thanks thank regards best cheers sincerely greetings please kindly attached attachment
    attachments enclosed email emails mail mails message messages reply replies wrote writes fyi asap
    today tomorrow yesterday tonight week weeks weekend month months morning afternoon evening
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    quick update updates checking check touch touching base heard hear hope hoping wanted want
    happy glad great good nice love looking forward let know sounds sound time times call calls
    discussed reviewed covered walked confirmed accepted flagged tested liked asked answered agreed
    promised understand understood send sent sending share shared sharing find found set schedule
    evaluating comparing considering works starts needs wants looks seems goes comes makes takes gets helps
    means includes covers requires brings keeps including regarding following
    scheduled question questions help thoughts note notes agenda team
    quarter year years day days side back way thing things lot part point plan plans based conversation
    priority idea option options version step steps item items list yes
    """.split()
)
# Verbs that mean something only with their object: alone they are not a topic ("adjust the plan"
# gives "adjust"), while "security review" or "pricing update" are.
BARE_VERBS = frozenset(
    """
    adjust align approve arrange assess book build cancel change choose clarify close complete confirm
    connect consider continue decide deliver discuss draft explain extend finalize finalise follow
    improve join keep learn meet move need plan prepare present proceed provide reach receive
    reconnect remind resend reschedule respond review revise revisit run sign start submit suggest
    update walk work
    """.split()
)
# Inside a phrase only "of" may join words ("proof of concept", "limitation of liability"):
# phrases joined by other stop words are sentence fragments ("plan the QBR").
INNER_JOINERS = frozenset({"of"})
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'+./-]*")
_DIGITS = re.compile(r"^[\d$€£.,%/-]+$")


def clean_subject(subject: str) -> str:
    """The subject without reply and forward prefixes."""
    return SUBJECT_PREFIX.sub("", subject or "").strip()


def strip_manners(body: str) -> str:
    """The body without greeting and sign-off lines."""
    return SIGN_OFF_LINE.sub("", GREETING_LINE.sub("", body or ""))


@functools.lru_cache(maxsize=512)
def _names_pattern(names: tuple[str, ...], ignore_case: bool) -> re.Pattern | None:
    words = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
    if not words:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", flags)


def mask_names(text: str, *, people: tuple[str, ...], companies: tuple[str, ...]) -> str:
    """Replace people's names (as written, capitalised) and company names (any case) with a phrase
    break, so no key phrase contains a name or grows across one ("redlines from Northwind")."""
    for pattern in (_names_pattern(companies, True), _names_pattern(people, False)):
        if pattern is not None:
            text = pattern.sub(" ; ", text)
    return text


# --- key phrases ---------------------------------------------------------------------------

PHRASES_PER_ACTIVITY = 6


def _stop_words() -> frozenset[str]:
    return STOP_WORDS | BOILERPLATE_WORDS


def phrase_key(phrase: str) -> str:
    """The comparison form of a phrase: lower case, hyphens as spaces, simple plurals singular."""
    words = []
    for token in re.split(r"[\s-]+", phrase.lower()):
        token = token.strip(".,;:'\"()")
        if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
            token = token[:-1]
        if token:
            words.append(token)
    return " ".join(words)


def acceptable_phrase(phrase: str) -> bool:
    """A phrase a person would call a topic: no boilerplate, no numbers, no fragment joined by
    stop words, and a single word only when it is long enough or an acronym (MSA, QBR)."""
    tokens = _TOKEN.findall(phrase)
    if not tokens or len(tokens) != len(phrase.split()):
        return False
    stop = _stop_words()
    lowered = [t.lower() for t in tokens]
    # Numbers are not topics ("500 seats", "$25,000") but may name one ("SOC 2 report").
    if _DIGITS.match(lowered[0]) or any(t in BOILERPLATE_WORDS or re.search(r"[$€£%]", t) for t in lowered):
        return False
    if (
        lowered[0] in stop
        or lowered[-1] in stop
        or any(t in stop and t not in INNER_JOINERS for t in lowered[1:-1])
    ):
        return False
    # A topic ends with a thing, not a past participle ("confidential revised").
    last = lowered[-1]
    if len(last) > 4 and last.endswith("ed") and not last.endswith("eed"):
        return False
    if len(tokens) == 1:
        word = tokens[0]
        if lowered[0] in BARE_VERBS:
            return False
        return (word.isupper() and len(word) >= 2) or len(word) >= 4
    return True


def _only_after_of(phrase: str, text: str) -> bool:
    """True when the phrase is always the tail of an "X of ..." construction in the text: the
    three-word window cut "proof of concept success criteria" into "concept success criteria"."""
    occurrences = [m.start() for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]
    return bool(occurrences) and all(
        re.search(r"\bof\s+$", text[max(0, i - 4) : i], re.IGNORECASE) for i in occurrences
    )


@functools.lru_cache(maxsize=50_000)
def key_phrases(text: str) -> tuple[tuple[str, float], ...]:
    """The best few key phrases of one text with a rank weight (1.0 for the first, falling by
    rank), found by ``extract_key_phrases`` and filtered with ``acceptable_phrase``."""
    if len(text.strip()) < 3:
        return ()
    found = []
    seen = set()
    for phrase, _score in extract_key_phrases(text, top=PHRASES_PER_ACTIVITY * 4):
        phrase = " ".join(phrase.split())
        key = phrase_key(phrase)
        if key in seen or not acceptable_phrase(phrase) or _only_after_of(phrase, text):
            continue
        seen.add(key)
        found.append(phrase)
    # A single word inside one of the text's phrases ("pricing" in "pricing proposal") takes no slot.
    inside = {word for phrase in found if " " in phrase for word in phrase_key(phrase).split()}
    found = [p for p in found if " " in p or phrase_key(p) not in inside][:PHRASES_PER_ACTIVITY]
    return tuple((phrase, round(1.0 - rank / PHRASES_PER_ACTIVITY, 3)) for rank, phrase in enumerate(found))


# --- next-step sentences -------------------------------------------------------------------

_ACTION_VERBS = (
    r"send|share|schedule|set up|book|confirm|follow up|get back|review|prepare|provide|deliver|loop in|introduce"
    r"|return|update|draft|circulate|sign|arrange|organi[sz]e|reach out|check|finali[sz]e|submit|walk|demo|plan|call"
)
NEXT_STEP_PATTERNS = (
    # "Next step: I'll set up the kickoff meeting", "Action: send the sub-processor list"
    re.compile(
        r"^(?:next steps?|action items?|action|to-?do|follow-?up)\s*[:\-\u2013]\s*(?P<text>.{6,})$",
        re.IGNORECASE,
    ),
    # "I'll send the revised order form by Friday", "We will confirm the executive sponsor by Friday"
    re.compile(
        rf"^(?P<text>.*\b(?:i|we)(?:'ll|\u2019ll| will| are going to| plan to)\s+(?:{_ACTION_VERBS})\b.*)$",
        re.IGNORECASE,
    ),
    # "Let's schedule the security review with your InfoSec team next week"
    re.compile(
        rf"^(?P<text>.*\blet(?:'s|\u2019s| us)\s+(?:{_ACTION_VERBS}|meet|discuss)\b.*)$", re.IGNORECASE
    ),
    # "Legal will return comments next week"
    re.compile(
        rf"^(?P<text>(?:legal|procurement|finance|security|the team|our team|[A-Z][a-z]+)\s+will\s+(?:{_ACTION_VERBS})\b.*)$"
    ),
)
_SENTENCE_END = re.compile(r"(?<=[.!])\s+|\n+")
_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}


def due_date_in(sentence: str, *, said_on: dt.date) -> dt.date | None:
    """The date a sentence promises, relative to the day it was said: "by Friday" is the next
    Friday after that day, "tomorrow" the day after, "next week" the following Monday, "end of the
    week" that week's Friday, "end of the month" its last day."""
    text = sentence.lower()
    for name, index in _WEEKDAYS.items():
        if re.search(rf"\b{name}\b", text):
            ahead = (index - said_on.weekday()) % 7 or 7
            return said_on + dt.timedelta(days=ahead)
    if re.search(r"\btomorrow\b", text):
        return said_on + dt.timedelta(days=1)
    if re.search(r"\b(?:today|end of (?:the )?day|eod)\b", text):
        return said_on
    if re.search(r"\bnext week\b", text):
        return said_on + dt.timedelta(days=7 - said_on.weekday())
    if re.search(r"\bend of (?:the |this )?week\b", text):
        return said_on + dt.timedelta(days=(4 - said_on.weekday()) % 7)
    if re.search(r"\bend of (?:the |this )?month\b", text):
        return said_on.replace(day=calendar.monthrange(said_on.year, said_on.month)[1])
    return None


@functools.lru_cache(maxsize=50_000)
def next_step_sentences(body: str) -> tuple[str, ...]:
    """Sentences of a body that commit someone to an action, as written (questions left out)."""
    found = []
    for raw in _SENTENCE_END.split(strip_manners(body)):
        sentence = " ".join(raw.split())
        if not (12 <= len(sentence) <= 220) or sentence.endswith("?"):
            continue
        for pattern in NEXT_STEP_PATTERNS:
            match = pattern.match(sentence)
            if match:
                text = match.group("text").strip()
                text = text[0].upper() + text[1:]
                if not text.endswith((".", "!")):
                    text += "."
                found.append(text)
                break
    return tuple(found)


# --- signals -------------------------------------------------------------------------------

BUDGET_CONFIRMED = re.compile(
    r"\bbudget (?:is |was |has been |got )?(?:approved|confirmed|allocated|signed off|in place|secured|available)\b"
    r"|\b(?:approved|confirmed|allocated|secured) (?:the |our |a )?budget\b",
    re.IGNORECASE,
)
PURCHASE_ORDER = re.compile(r"\bpurchase orders?\b|\bPO(?: number)?\b|\bP\.O\.", re.IGNORECASE)
PRICING = re.compile(
    r"\bpric(?:e|es|ed|ing)\b|\bquotes?\b|\bquotation\b|\bdiscounts?\b|\border form\b|\bcost\b|\bbudget\b|\bproposal\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Signals:
    budget_confirmed: bool
    purchase_order: bool
    pricing: bool


@functools.lru_cache(maxsize=50_000)
def signals_in(text: str) -> Signals:
    """Budget, purchase-order and pricing talk in a text."""
    return Signals(
        bool(BUDGET_CONFIRMED.search(text)), bool(PURCHASE_ORDER.search(text)), bool(PRICING.search(text))
    )


def _alias_regex(alias: str) -> str:
    # A name written with capitals ("Gong") only matches as written, so "gong" the word does not count.
    body = r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])"
    return body if any(ch.isupper() for ch in alias) else f"(?i:{body})"


@functools.lru_cache(maxsize=512)
def _competitor_pattern(alias: str) -> re.Pattern:
    return re.compile(_alias_regex(alias))


def competitors_pattern(competitors: dict[str, list[str]]) -> re.Pattern | None:
    """One pattern that finds a mention of any configured competitor, alias by alias as
    ``competitors_in`` does; None when no competitor is configured."""
    aliases = [alias for names in competitors.values() for alias in names]
    return re.compile("|".join(_alias_regex(alias) for alias in aliases)) if aliases else None


def competitors_in(text: str, competitors: dict[str, list[str]]) -> list[str]:
    """The configured competitors a text names, by their display name."""
    return [
        name
        for name, aliases in competitors.items()
        if any(_competitor_pattern(a).search(text) for a in aliases)
    ]
