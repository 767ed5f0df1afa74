"""Question understanding: which kind of question this is (keyword and pattern scoring) and the
period it names. Offline, deterministic, explainable: each intent says what it matched."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .dates import Period, parse_period


@dataclass(frozen=True)
class Intent:
    name: str
    label: str
    patterns: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    needs_record: bool = True

    def score(self, text: str, words: set[str]) -> tuple[int, list[str]]:
        """3 points per pattern that matches, 1 per keyword present; and what matched."""
        matched = [p for p in self.patterns if re.search(p, text)]
        hits = [k for k in self.keywords if (k in text if " " in k else k in words)]
        return 3 * len(matched) + len(hits), matched + hits


# Order breaks ties: specific questions first, the open search last.
INTENTS: tuple[Intent, ...] = (
    Intent(
        "visibility",
        "Activities the reader cannot see",
        patterns=(
            r"\b(can'?t|cannot|can not|don'?t|do not|unable to) (i |we )?(see|find|open|read)\b.*\b(activit|meeting|email|call)",
            r"\b(activit(y|ies)|meetings?|emails?|calls?) (are |is )?(missing|hidden|not (showing|visible)|invisible)\b",
            r"\b(hidden|missing|invisible|private) (activit|meeting|email|call)",
            r"\bwho can see\b",
        ),
        keywords=("private", "hidden", "invisible", "colleague's"),
        needs_record=False,
    ),
    Intent(
        "help",
        "A question about Backstory itself",
        patterns=(
            r"\bhow (do|can|does|should) (i|we|you|backstory)\b(?!.* (them|they|their)\b)",
            r"\bhow long (does|will) it take\b",
            r"\bappear in salesforce\b",
            r"\bdifferent from (what i see in )?salesforce\b",
            r"\bwhat (does|do) .* mean\b",
            r"\b(query api|variation_id|variation id|api (slug|metric)s?)\b",
            r"\b(ocr|first ocr|new ocr|contact role creation|contact enrichment|local filters?|engagement log)\b",
            r"\b(support hours|contact support|support request|help center|customer success manager)\b",
            r"\bautomatic(ally)? (contact )?creat",
            r"\b(duplicate contacts?|de-?dupl)",
            r"\bwhy (are|is) some contacts missing\b",
            r"\bsummary (shows|show|has) no data\b",
            r"\bwho (is|gets) (assigned as )?the contact owner\b",
            r"\bwhat (is|are) (the )?(engagement level|key topics|people metrics|engagement metrics)\b(?! (for|of|on|at) )",
            r"\bcreated by backstory\b",
            r"\b(lead already exists|existing lead)\b",
            r"\bpeople section\b",
            r"\b(can|does|will|why does|why doesn'?t|how does) backstory\b",
            r"\bnot (showing |appearing )?in salesforce\b",
        ),
        keywords=(
            "salesforce",
            "backstory",
            "setting",
            "settings",
            "admin",
            "administrator",
            "configure",
            "report",
            "sync",
            "synced",
            "metric",
            "slug",
        ),
        needs_record=False,
    ),
    Intent(
        "decision_makers",
        "Decision makers",
        patterns=(
            r"\bdecision[- ]?makers?\b",
            r"\beconomic buyers?\b",
            r"\bexecutive sponsors?\b",
            r"\bwho (signs|approves|decides|holds the budget)\b",
            r"\bbuying committee\b",
            r"\bfinal (call|say|decision|sign[- ]?off)\b",
            r"\bsign(ing)? (authority|off)\b",
            r"\bbudget (holder|owner)\b",
        ),
        keywords=("decision", "decides", "signer", "sponsor", "stakeholders", "authority", "approver"),
    ),
    Intent(
        "champion",
        "The champion",
        patterns=(
            r"\bchampions?\b",
            r"\binternal (advocate|coach|ally)\b",
            r"\bwho is (our|the) (advocate|coach|ally)\b",
            r"\b(pushing|rooting|advocating|selling|fighting) for us\b",
            r"\bon our side\b",
        ),
        keywords=("champion", "advocate", "coach", "ally"),
    ),
    Intent(
        "quiet_contacts",
        "People we haven't talked to lately",
        patterns=(
            r"\b(haven'?t|have not|not)( we| i| you)? (talked|spoken|heard from|met|emailed|engaged|been in touch|contacted|reached)\b",
            r"\bgone (quiet|dark|silent)\b",
            r"\bwho (is|are|went) (quiet|silent|dark)\b",
            r"\bnot engaged\b",
            r"\bneglected\b",
        ),
        keywords=("lately", "quiet", "dark", "silent", "recently", "touch"),
    ),
    Intent(
        "awaiting_reply",
        "Emails awaiting a reply",
        patterns=(
            r"\b(awaiting|waiting (for|on)|need(s|ing)?|owe|pending|without|no) (a |an |our |my )?(repl(y|ies)|response|answer)s?\b",
            r"\bunanswered\b",
            r"\bhaven'?t (replied|responded|answered)\b",
            r"\b(reply|respond) to\b",
        ),
        keywords=("reply", "replies", "unanswered", "respond", "response", "inbox"),
    ),
    Intent(
        "next_meeting",
        "The next meeting",
        patterns=(
            r"\bnext (meeting|call|sync|session|demo)\b",
            r"\bupcoming (meetings?|calls?|demos?)\b",
            r"\bwhen (do|are|will) we (meet|meeting|see them)\b",
            r"\b(meeting|meet) next\b",
            r"\bscheduled meetings?\b",
            r"\b(calls?|meetings?|demos?) (booked|scheduled|planned|coming up|on the calendar)\b",
            r"\bdo we have (a|an|any) (call|meeting|demo)s?\b",
        ),
        keywords=("upcoming", "scheduled", "calendar"),
    ),
    Intent(
        "activity_count",
        "How many meetings, emails or calls",
        patterns=(
            r"\bhow many\b.*\b(meetings?|emails?|calls?|activities|touch ?points)\b",
            r"\b(number|count) of (meetings?|emails?|calls?|activities)\b",
        ),
        keywords=("how many", "count", "number"),
    ),
    Intent(
        "time_spent",
        "Time spent",
        patterns=(
            r"\btime (spent|invested)\b",
            r"\bhow (much|many) (time|hours|minutes)\b",
            r"\bhours (spent|with)\b",
        ),
        keywords=("hours", "minutes", "time"),
    ),
    Intent(
        "changes_since",
        "What changed",
        patterns=(
            r"\bwhat('?s| has| have)? (changed|new)\b",
            r"\bany (changes|updates|news)\b",
            r"\bchanged since\b",
            r"\bcatch me up\b",
            r"\bwhat did i miss\b",
        ),
        keywords=("changed", "changes", "new", "happened", "update", "updates", "since"),
    ),
    Intent(
        "manager_summary",
        "A summary for a manager",
        patterns=(
            r"\b(summary|summarize|summarise|brief|briefing|overview|update|status) (for|to) (my |the )?(manager|boss|vp|leadership|exec|team|forecast call)\b",
            r"\b(manager|deal|account|forecast)[- ](summary|brief|update|review)\b",
            r"\bsummari[sz]e (this|the) (account|deal|opportunity)\b",
            r"\bwhere (do|does) (we|it|this deal|the deal|things) stand\b",
            r"\bgive me (a |an )?(summary|overview|rundown|recap)\b",
            r"\btl;?dr\b",
            r"\bbrief me\b",
            r"\bprep (me )?for (my |the )?(1:1|one[- ]on[- ]one|forecast|pipeline|deal) (call|review|meeting)\b",
            r"\bforecast call\b",
        ),
        keywords=(
            "summary",
            "summarize",
            "summarise",
            "overview",
            "manager",
            "brief",
            "rundown",
            "status",
            "forecast",
        ),
    ),
    Intent(
        "risks",
        "Potential risks",
        patterns=(
            r"\brisks?\b",
            r"\bred flags?\b",
            r"\bwarning signs?\b",
            r"\b(worried|concerns?) about\b",
            r"\bat risk\b",
            r"\bcould (go wrong|derail|kill|hurt|block|stall|sink)\b",
        ),
        keywords=(
            "risk",
            "risks",
            "risky",
            "concern",
            "concerns",
            "blockers",
            "blocker",
            "threats",
            "stalled",
            "worried",
            "worry",
        ),
    ),
    Intent(
        "next_steps",
        "Next steps",
        patterns=(
            r"\bnext steps?\b",
            r"\baction items?\b",
            r"\bto-?dos?\b",
            r"\bwhat (should|do) (i|we) (need to |have to )?do( next)?\b",
            r"\bfollow[- ]ups?\b",
            r"\bopen tasks?\b",
        ),
        keywords=("tasks", "task", "actions", "todo", "follow"),
    ),
    Intent(
        "engagement",
        "Engagement level",
        patterns=(
            r"\bengagement (level|score)\b",
            r"\bhow engaged\b",
            r"\b(engagement|engaged) (is|are)\b",
            r"\bhow (hot|warm|cold|healthy)\b",
            r"\bhealth score\b",
        ),
        keywords=("engagement", "engaged", "score", "health", "healthy", "momentum"),
    ),
    Intent(
        "opportunities",
        "Opportunities and stages",
        patterns=(
            r"\bopen (opportunities|opps|deals)\b",
            r"\b(what|which) (stage|stages)\b",
            r"\bstages?\b",
            r"\bclose date\b",
            r"\bpipeline\b",
            r"\bdeal size\b",
            r"\bhow much is (the|this) deal\b",
            r"\b(expected to|going to|will (it|the deal|this deal)|does (it|the deal|this deal)) close\b",
            r"\b(deals?|opportunit(y|ies)|opps?) (are |is )?(open|active|in play)\b",
        ),
        keywords=(
            "opportunities",
            "opportunity",
            "opps",
            "deals",
            "stage",
            "pipeline",
            "amount",
            "probability",
        ),
    ),
    Intent(
        "competitors",
        "Competitors mentioned",
        patterns=(
            r"\bcompetit(ors?|ion|ive)\b",
            r"\b(evaluating|comparing|considering|looking at) (other|another|alternatives?)\b",
            r"\bwho else are they\b",
            r"\balternatives?\b",
            r"\b(gong|clari|outreach|salesloft|chorus|people\.ai)\b",
        ),
        keywords=("competitor", "competitors", "competition", "competing", "rival", "versus", "vs"),
    ),
    Intent(
        "topic_discussed",
        "Whether a topic came up",
        patterns=(
            r"\b(pricing|price|discount|budget|cost|quote|security|sso|legal|contract|msa|timeline|go-live|renewal)\b.*\b(discussed|mentioned|come up|came up|raised|brought up|talked about|covered)\b",
            r"\b(discuss|discussed|mention|mentioned|bring up|brought up|raise|raised|come up|came up|talk about|talked about)\b.*\b(pricing|price|discount|budget|cost|quote|security|sso|legal|contract|msa|timeline|go-live|renewal)\b",
        ),
        keywords=("pricing", "discussed", "mentioned", "raised", "discount", "budget"),
    ),
    Intent(
        "people",
        "Who is involved",
        patterns=(
            r"\bwho (is|are) (involved|engaged|on (the|this) (deal|account)|the key (people|contacts))\b",
            r"\bkey (contacts|people|stakeholders)\b",
            r"\bmost engaged\b",
            r"\bwho have we (met|talked to|been talking to)\b",
            r"\bwho (do|should) (i|we) know\b",
        ),
        keywords=("who", "contacts", "people", "involved", "stakeholders"),
    ),
    Intent(
        "key_topics",
        "Key topics",
        patterns=(
            r"\bkey topics?\b",
            r"\bwhat (are|is) (they|the customer|the team) (focused on|interested in|talking about|care about|priorities)\b",
            r"\bmain themes?\b",
            r"\bpriorities\b",
        ),
        keywords=("topics", "themes", "priorities", "focus"),
    ),
    Intent(
        "recent_discussion",
        "What was discussed",
        patterns=(
            r"\bwhat (was|were|did|have|has)? ?(we |they )?(discuss|discussed|talk about|talked about|said|cover|covered)\b",
            r"\b(recap|rundown) of\b",
            r"\bwhat happened (last|this|yesterday|today)\b",
            r"\blast (meeting|call|conversation|email)\b",
            r"\bwhen did we (last|most recently)\b",
            r"\blast (time )?we (spoke|talked|met|heard)\b",
        ),
        keywords=(
            "discussed",
            "discuss",
            "talked",
            "said",
            "conversation",
            "conversations",
            "recap",
            "lately",
            "recently",
            "latest",
        ),
    ),
    Intent("search", "Search the activities"),
)
INTENTS_BY_NAME = {intent.name: intent for intent in INTENTS}
_WORDS = re.compile(r"[a-z0-9][a-z0-9'\-]*")
# One keyword is enough: a question that names nothing the intents know goes to the open search.
MIN_SCORE = 1


@dataclass(frozen=True)
class Understanding:
    """What the assistant understood of a question."""

    question: str
    intent: str
    score: int
    matched: list[str] = field(default_factory=list)
    period: Period | None = None
    kind: str = ""  # meetings / emails / calls, when the question names one


def _kind_named(text: str) -> str:
    for kind, words in (
        ("meeting", ("meeting", "meetings", "met")),
        ("email", ("email", "emails", "mail")),
        ("call", ("call", "calls")),
    ):
        if any(re.search(rf"\b{w}\b", text) for w in words):
            return kind
    return ""


def understand_question(
    *, question: str, now: dt.datetime, tz: ZoneInfo, has_record: bool = True
) -> Understanding:
    """The best intent for ``question`` with the period and activity kind it names.

    Each intent scores 3 per pattern and 1 per keyword; the highest wins, ties go to the earlier
    intent. A question that matches nothing well is an open search over the record's activities,
    or a help question when the assistant is not on an account or opportunity."""
    text = " ".join(question.lower().replace("’", "'").split())
    words = set(_WORDS.findall(text))
    period = parse_period(text=text, now=now, tz=tz)
    best, best_score, best_matched = None, 0, []
    for intent in INTENTS:
        if intent.name == "search" or (intent.needs_record and not has_record):
            continue
        score, matched = intent.score(text, words)
        if score > best_score:
            best, best_score, best_matched = intent, score, matched
    if best is not None and best.name == "recent_discussion" and period is None and "since" in words:
        best = INTENTS_BY_NAME["changes_since"]
    if best is None or best_score < MIN_SCORE:
        name = "search" if has_record else "help"
        return Understanding(question, name, best_score, best_matched, period, _kind_named(text))
    return Understanding(question, best.name, best_score, best_matched, period, _kind_named(text))


# A yes/no question starts with an auxiliary verb ("Was pricing discussed?", "Is there a champion?");
# only those may get a "Yes"/"No" verdict, and only when the evidence decides it.
_YES_NO_START = re.compile(
    r"^(is|are|was|were|did|do|does|has|have|had|can|could|will|would|should|any|anything)\b"
)
_WH_START = re.compile(r"^(what|which|who|whom|whose|why|how|when|where)\b")
# Where a compound question splits: a new sentence, or "and"/"also"/"then" before a new question word.
_PART_BREAK = re.compile(
    r"\?\s+|;\s+|,?\s+(?:and|also|then|plus)\s+(?=(?:what|which|who|why|how|when|where|is|are|was|were|"
    r"did|do|does|has|have|should|can|could|will)\b)",
    re.IGNORECASE,
)


def _normalized(question: str) -> str:
    return " ".join(question.lower().replace("’", "'").split())


def is_yes_no_question(question: str) -> bool:
    """True for a closed question ("Was pricing discussed?"), false for "what/why/how ..." ones."""
    text = _normalized(question).lstrip("¿¡ ")
    return bool(_YES_NO_START.match(text)) and not _WH_START.match(text)


def is_why_question(question: str) -> bool:
    return bool(re.match(r"^(why|how come)\b", _normalized(question)))


def question_parts(question: str) -> list[str]:
    """The questions inside one message: "Which competitors came up, and what are the biggest risks?"
    is two. Parts too short to be a question on their own stay with the one before."""
    parts: list[str] = []
    for piece in _PART_BREAK.split(question.strip()):
        piece = piece.strip(" ,?")
        if not piece:
            continue
        if parts and len(_WORDS.findall(piece.lower())) < 3:
            parts[-1] = f"{parts[-1]} and {piece}"
        else:
            parts.append(piece + "?")
    return parts or [question]


_PERSON = re.compile(
    r"\b(talk|speak|chat|connect me|put me through)( to| with)? (a |an |to a |with a )?(real )?(person|human|someone|agent|support|rep from support)\b"
    r"|\b(human|live) (support|agent|help)\b|\bhand (me )?over\b|^(human|agent|operator)\W*$",
    re.IGNORECASE,
)


def asks_for_a_person(question: str) -> bool:
    """True when the user wants a person of the support team rather than the automated answers."""
    return bool(_PERSON.search(_normalized(question)))
