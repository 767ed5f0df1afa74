"""The assistant's evaluation set: questions over the demo org, each with what a right answer must
contain and must not claim (assistant/evaluation/questions.toml), and a runner that scores them.

Expectations name facts through placeholders that plain queries resolve ({record}, {decision_maker},
{open_opportunity}, ...), so the set holds for any size of the demo org and any "now". Every answer
is also held to rules that apply to all questions: no citation of an activity the asker cannot
read, no words from such an activity, no marker without its source, a "Yes"/"No" verdict only on a
yes/no question, and citation links that open exactly their source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q

from accounts.models import Account
from activities.selectors import activities_in_sync, activities_visible_to
from backstory import clock
from insights.models import PersonEngagement
from opportunities.models import NextStep, Opportunity, OpportunityContactRole
from users.models import User

from .answers import DECISION_ROLES, Answer
from .conversations import assistant_answer
from .intents import is_yes_no_question

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "evaluation" / "questions.toml"
CATEGORIES = ("facts", "lists", "dates", "compound", "out_of_scope", "help", "private")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_VERDICT = re.compile(r"^\s*(yes|no)\s*[:.,;!]", re.IGNORECASE)


@dataclass(frozen=True)
class EvaluationQuestion:
    id: str
    category: str
    question: str
    record: str = ""  # "account:<name>", "opportunity:<name or prefix*>", or "" for the product
    asker: str = "rep"
    must: tuple[str, ...] = ()  # regular expressions (case-insensitive) the answer must match
    must_not: tuple[str, ...] = ()  # ... and must not match
    cites: tuple[str, ...] = ()  # citation kinds the answer must include
    verdict: bool = False  # a "Yes"/"No" opening is allowed (a yes/no question the evidence decides)


@dataclass
class EvaluationResult:
    question: EvaluationQuestion
    answer: Answer | None
    failures: list[str] = field(default_factory=list)
    used_llm: bool = False

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class EvaluationReport:
    results: list[EvaluationResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def score(self) -> float:
        return self.passed / len(self.results) if self.results else 0.0

    @property
    def failures(self) -> list[EvaluationResult]:
        return [r for r in self.results if not r.passed]


class EvaluationSetError(ValueError):
    """The questions file is malformed: the message names the question and the field."""


def evaluation_questions_load(*, path: Path = QUESTIONS_FILE) -> list[EvaluationQuestion]:
    """The evaluation set from its TOML file, checked: unique ids, known categories and fields."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    questions, seen = [], set()
    known = set(EvaluationQuestion.__dataclass_fields__)
    for n, raw in enumerate(data.get("question", []), start=1):
        where = f"question {n} ({raw.get('id', 'no id')}) in {path.name}"
        unknown = set(raw) - known
        if unknown:
            raise EvaluationSetError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
        if not raw.get("id") or not raw.get("question"):
            raise EvaluationSetError(f"{where}: every question needs an id and a question.")
        if raw["id"] in seen:
            raise EvaluationSetError(f"{where}: the id is used twice.")
        if raw.get("category") not in CATEGORIES:
            raise EvaluationSetError(f"{where}: category must be one of {', '.join(CATEGORIES)}.")
        seen.add(raw["id"])
        questions.append(
            EvaluationQuestion(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
        )
    return questions


# --- facts the expectations name, from plain queries --------------------------------------------
def _record_get(spec: str):
    if not spec:
        return None
    kind, _, name = spec.partition(":")
    model = {"account": Account, "opportunity": Opportunity}.get(kind)
    if model is None:
        raise EvaluationSetError(f"record {spec!r}: write account:<name> or opportunity:<name>.")
    if name.endswith("*"):  # the first open one whose name starts so: names vary with the org's size
        record = model.objects.filter(name__startswith=name[:-1]).order_by("is_closed", "name").first()
    else:
        record = model.objects.filter(name=name).first()
    if record is None:
        raise EvaluationSetError(f"record {spec!r}: no {kind} with that name; seed the demo org first.")
    return record


def _of_record(record, queryset):
    if isinstance(record, Opportunity):
        return queryset.filter(opportunity_links__opportunity=record)
    return queryset.filter(account=record)


def _opportunities(record):
    if isinstance(record, Opportunity):
        return Opportunity.objects.filter(pk=record.pk)
    return record.opportunities.all()


def _either(values, fallback: str) -> str:
    values = [v for v in dict.fromkeys(values) if v]
    return "(" + "|".join(re.escape(v) for v in values) + ")" if values else fallback


def _fact_decision_maker(record, user, now) -> str:
    names = OpportunityContactRole.objects.filter(
        opportunity__in=_opportunities(record), role__in=DECISION_ROLES
    ).values_list("contact__first_name", "contact__last_name")
    return _either([f"{f} {last}".strip() for f, last in names], r"(no contact|most senior)")


def _fact_champion(record, user, now) -> str:
    names = OpportunityContactRole.objects.filter(
        opportunity__in=_opportunities(record), role=OpportunityContactRole.Role.CHAMPION
    ).values_list("contact__first_name", "contact__last_name")
    return _either([f"{f} {last}".strip() for f, last in names], r"no contact has the champion role")


def _fact_open_opportunity(record, user, now) -> str:
    return _either(_opportunities(record).filter(is_closed=False).values_list("name", flat=True), r"no open")


def _fact_stage(record, user, now) -> str:
    return _either(_opportunities(record).values_list("stage", flat=True), r"stage")


def _fact_next_step(record, user, now) -> str:
    scope = {"opportunity": record} if isinstance(record, Opportunity) else {"account": record}
    subjects = NextStep.objects.filter(status=NextStep.Status.OPEN, **scope).values_list("subject", flat=True)
    return _either(subjects, r"(no open next steps|next steps mentioned)")


def _visible(record, user):
    return _of_record(record, activities_visible_to(user=user)).filter(is_cancelled=False)


def _fact_next_meeting(record, user, now) -> str:
    meeting = (
        _visible(record, user).filter(kind="meeting", occurred_at__gt=now).order_by("occurred_at").first()
    )
    return re.escape(meeting.subject) if meeting else r"no upcoming meeting"


def _fact_last_activity(record, user, now) -> str:
    last = _visible(record, user).filter(occurred_at__lte=now).order_by("-occurred_at").first()
    return re.escape(last.subject) if last else r"no activity"


def _fact_record(record, user, now) -> str:
    return re.escape(record.name) if record is not None else ""


def _fact_account(record, user, now) -> str:
    account = record.account if isinstance(record, Opportunity) else record
    return re.escape(account.name) if account is not None else ""


FACTS: dict[str, Callable] = {
    "record": _fact_record,
    "account": _fact_account,
    "decision_maker": _fact_decision_maker,
    "champion": _fact_champion,
    "open_opportunity": _fact_open_opportunity,
    "stage": _fact_stage,
    "next_step": _fact_next_step,
    "next_meeting": _fact_next_meeting,
    "last_activity": _fact_last_activity,
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _resolve(pattern: str, *, record, user, now) -> str:
    def fact(match: re.Match) -> str:
        name = match.group(1)
        if name not in FACTS:
            raise EvaluationSetError(f"unknown fact {{{name}}} in {pattern!r}; known: {', '.join(FACTS)}.")
        return FACTS[name](record, user, now)

    return _PLACEHOLDER.sub(fact, pattern)


# --- the rules for every answer ------------------------------------------------------------------
# Where each kind of citation must lead: exactly its source, never a page without it.
CITATION_URLS = {
    "activity": r"^/activities/log/{id}/$|^/activities/log/\?(.*&)?activity={id}(&|$)",
    "contact": r"/people/\d+/$|#people$",
    "next_step": r"#next-step-{id}$",
    "opportunity": r"^/opportunities/{id}/",
    "account": r"^/accounts/{id}/",
    "article": r"^/help/",
    "metric": r"#[a-z][\w-]+$",
}


def _general_failures(*, question: EvaluationQuestion, answer: Answer, user, record) -> list[str]:
    failures = []
    text = answer.text
    numbers = {c["n"] for c in answer.citations}
    dangling = sorted({int(n) for n in _MARKER.findall(text)} - numbers)
    if dangling:
        failures.append(f"markers without a source: {dangling}")
    for c in answer.citations:
        if c["kind"] == "contact" and record is not None:
            account = record.account if isinstance(record, Opportunity) else record
            drawers = PersonEngagement.objects.filter(
                Q(opportunity=record) if isinstance(record, Opportunity) else Q(pk__in=[]),
                contact_id=c["id"],
            ).values_list("pk", flat=True) | PersonEngagement.objects.filter(
                account=account, opportunity=None, contact_id=c["id"]
            ).values_list("pk", flat=True)
            opens = re.search(r"/people/(\d+)/$", c["url"])
            if (opens and int(opens.group(1)) not in set(drawers)) or (not opens and drawers.exists()):
                failures.append(f"citation [{c['n']}] (contact {c['id']}) does not open their drawer")
        rule = CITATION_URLS.get(c["kind"])
        if rule and not re.search(rule.replace("{id}", re.escape(str(c["id"]))), c["url"]):
            failures.append(
                f"citation [{c['n']}] ({c['kind']} {c['id']}) links to {c['url']}, not its source"
            )
    if _VERDICT.match(text) and not (question.verdict and is_yes_no_question(question.question)):
        failures.append("opens with a Yes/No verdict the question did not ask for")
    if record is not None:
        visible = set(_visible(record, user).values_list("pk", flat=True))
        hidden = _of_record(record, activities_in_sync()).exclude(pk__in=visible)
        cited = {int(c["id"]) for c in answer.citations if c["kind"] == "activity"}
        leaked = cited & set(hidden.values_list("pk", flat=True))
        if leaked:
            failures.append(f"cites activities the asker cannot open: {sorted(leaked)}")
        seen_subjects = set(_visible(record, user).values_list("subject", flat=True))
        for subject in hidden.exclude(subject__in=seen_subjects).values_list("subject", flat=True):
            if len(subject) > 12 and subject.lower() in text.lower():
                failures.append(f"repeats the subject of an activity the asker cannot open: {subject!r}")
    return failures


def evaluation_question_run(*, question: EvaluationQuestion, now=None) -> EvaluationResult:
    """Ask one question as its asker and check the answer against its expectations."""
    now = now or clock.now()
    user = User.objects.filter(Q(username=question.asker)).first()
    if user is None:
        return EvaluationResult(question, None, [f"no user {question.asker!r}; seed the demo org first"])
    try:
        record = _record_get(question.record)
    except EvaluationSetError as error:
        return EvaluationResult(question, None, [str(error)])
    answer, used_llm, fell_back, notice = assistant_answer(
        user=user, record=record, question=question.question
    )
    failures = _general_failures(question=question, answer=answer, user=user, record=record)
    for pattern in question.must:
        resolved = _resolve(pattern, record=record, user=user, now=now)
        if not re.search(resolved, answer.text, re.IGNORECASE):
            failures.append(f"does not say /{resolved}/")
    for pattern in question.must_not:
        resolved = _resolve(pattern, record=record, user=user, now=now)
        if re.search(resolved, answer.text, re.IGNORECASE):
            failures.append(f"claims /{resolved}/")
    kinds = {c["kind"] for c in answer.citations}
    for kind in question.cites:
        if kind not in kinds:
            failures.append(f"cites no {kind}")
    if fell_back:
        failures.append(f"answered offline: {notice}")
    return EvaluationResult(question, answer, failures, used_llm=used_llm)


def evaluation_run(*, questions: list[EvaluationQuestion] | None = None) -> EvaluationReport:
    """Run the evaluation set (or ``questions``) against the database's demo org."""
    questions = evaluation_questions_load() if questions is None else questions
    now = clock.now()
    return EvaluationReport([evaluation_question_run(question=q, now=now) for q in questions])
