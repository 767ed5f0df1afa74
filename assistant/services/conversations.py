"""Asking the assistant: one question in, one stored answer out, per user and record."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts.models import Account
from backstory import clock
from opportunities.models import Opportunity
from pages.record import KINDS
from support.models import SupportReply
from support.services import support_hours_status, support_request_from_chat

from ..models import Conversation, Message
from .answers import Answer, answer_record_question, answer_visibility, answers_combined
from .help import answer_help_question
from .intents import asks_for_a_person, question_parts, understand_question
from .llm import LlmUnavailable, llm_answer, llm_is_configured
from .retrieval import RecordContext

logger = logging.getLogger(__name__)
MAX_QUESTION_LENGTH = 1_000


def assistant_record_get_for_user(*, user, record_type: str, record_id: int | None):
    """The account or opportunity the assistant is opened on (None: product help only), or 404.

    Every signed-in user may open every account and opportunity page; what they may read of its
    activities is decided later by activities.selectors.activities_visible_to."""
    if not record_type:
        return None
    kind = KINDS.get(record_type)
    if kind is None or record_id is None:
        raise Http404("The assistant works on an account or an opportunity.")
    try:
        return kind.with_details(record_id)
    except ObjectDoesNotExist as error:
        raise Http404(f"No {record_type} {record_id}.") from error


def _record_lookup(record) -> dict:
    if isinstance(record, Opportunity):
        return {"opportunity": record, "account": None}
    if isinstance(record, Account):
        return {"account": record, "opportunity": None}
    return {"account": None, "opportunity": None}


def conversation_for(*, user, record) -> Conversation:
    """The user's conversation about ``record`` (or about the product), created on first use."""
    lookup = _record_lookup(record)
    conversation = Conversation.objects.filter(user=user, **lookup).first()
    if conversation:
        return conversation
    now = clock.now()
    try:
        with transaction.atomic():
            return Conversation.objects.create(user=user, created_at=now, updated_at=now, **lookup)
    except IntegrityError:  # the same user asked twice at once
        return Conversation.objects.get(user=user, **lookup)


def conversation_messages(*, user, record, limit: int = 40) -> list[Message]:
    """The latest messages of the user's conversation about ``record``, oldest first."""
    lookup = _record_lookup(record)
    messages = Message.objects.filter(
        conversation__user=user, **{f"conversation__{k}": v for k, v in lookup.items()}
    )
    return list(reversed(messages.order_by("-created_at", "-id")[:limit]))


def _answer_one(*, user, record, question: str, now, tz) -> Answer:
    understanding = understand_question(question=question, now=now, tz=tz, has_record=record is not None)
    context = RecordContext(user=user, record=record, now=now, tz=tz) if record is not None else None
    if understanding.intent == "visibility":
        return answer_visibility(context=context, understanding=understanding)
    if understanding.intent == "help" or context is None:
        return answer_help_question(question=question, tz=tz)
    draft = answer_record_question(context=context, understanding=understanding)
    if draft.intent == "search" and not draft.has_data:
        # Not in the record's activities: maybe it is a question about the product.
        help_answer = answer_help_question(question=question, tz=tz)
        if help_answer.has_data:
            return help_answer
    return draft


def assistant_answer_offline(*, user, record, question: str) -> Answer:
    """The answer composed from the data alone. A compound question ("Which competitors came up, and
    what are the biggest risks?") gets every part answered, each under its own heading."""
    now = clock.now()
    tz = clock.user_zone(user)
    parts = question_parts(question)
    if len(parts) > 1:
        answers = [
            (part, _answer_one(user=user, record=record, question=part, now=now, tz=tz)) for part in parts
        ]
        if len({answer.intent for _, answer in answers}) > 1:
            return answers_combined(parts=answers)
    return _answer_one(user=user, record=record, question=question, now=now, tz=tz)


def assistant_answer(*, user, record, question: str) -> tuple[Answer, bool, bool, str]:
    """The answer, grounded and cited, with (used_llm, fell_back, notice): the language model's when
    one is configured and answers, else the offline one. Nothing is stored."""
    draft = assistant_answer_offline(user=user, record=record, question=question)
    if not llm_is_configured():
        return draft, False, False, ""
    label = (
        f"{'Opportunity' if isinstance(record, Opportunity) else 'Account'} {record.name}"
        if record
        else "Backstory help"
    )
    try:
        return llm_answer(question=question, record_label=label, draft=draft), True, False, ""
    except LlmUnavailable as error:
        logger.warning("Assistant language model unavailable (%s); answering offline.", error)
        notice = f"The language model {error}, so this answer was composed offline from the same data."
        return draft, False, True, notice


HANDOVER_TRANSCRIPT_MESSAGES = 12


def _hand_over(*, user, conversation: Conversation, page_url: str) -> Message:
    """The chat becomes a support request; the answer says who answers, where, and when."""
    recent = list(conversation.messages.order_by("-created_at", "-id")[:HANDOVER_TRANSCRIPT_MESSAGES])
    transcript = "\n\n".join(f"{m.get_role_display()}: {m.text}" for m in reversed(recent))
    request = support_request_from_chat(
        user=user, conversation=conversation, transcript=transcript, page_url=page_url
    )
    hours = support_hours_status()
    email = f" and by email to {user.email}" if user.email else ""
    if hours.is_open:
        text = (
            f"I've handed this conversation to the support team as {request.reference}. "
            f"A person will answer here in this chat{email}. {hours.message}"
        )
    else:
        text = (
            "No one from support can answer right now: human support is Monday to Friday, 9:00 AM to 5:00 PM Pacific. "
            f"{hours.message} I've logged this conversation as {request.reference}; a person will answer here{email} "
            "after support opens. Until then I can keep answering questions about your accounts and the product."
        )
    now = clock.now()
    answered = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, text=text, intent="handover", created_at=now
    )
    conversation.updated_at = now
    conversation.save(update_fields=["updated_at"])
    return answered


@transaction.atomic
def assistant_ask(*, user, record, question: str, page_url: str = "") -> tuple[Message, Message]:
    """Store the user's question and the assistant's grounded, cited answer; returns both messages."""
    question = " ".join((question or "").split())[:MAX_QUESTION_LENGTH]
    if not question:
        raise ValueError("Ask a question first.")
    conversation = conversation_for(user=user, record=record)
    asked_at = clock.now()
    asked = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, text=question, created_at=asked_at
    )
    if asks_for_a_person(question):
        return asked, _hand_over(user=user, conversation=conversation, page_url=page_url)
    answer, used_llm, fell_back, notice = assistant_answer(user=user, record=record, question=question)
    answered = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text=answer.text,
        citations=answer.citations,
        intent=answer.intent,
        used_llm=used_llm,
        fell_back=fell_back,
        notice=notice,
        created_at=clock.now(),
    )
    conversation.updated_at = answered.created_at
    conversation.save(update_fields=["updated_at"])
    return asked, answered


def conversation_post_support_reply(*, reply_id: int) -> Message | None:
    """Show a support person's reply in the chat the request came from (once, however often the
    task runs)."""
    reply = SupportReply.objects.select_related("request", "author").filter(pk=reply_id).first()
    if reply is None or not reply.request.conversation_id:
        return None
    name = reply.author.get_full_name() or reply.author.username
    text = f"{name}, Backstory Support ({reply.request.reference}):\n{reply.text}"
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            conversation_id=reply.request.conversation_id,
            role=Message.Role.SUPPORT,
            text=text,
            defaults={"created_at": reply.created_at},
        )
        if created:
            Conversation.objects.filter(pk=reply.request.conversation_id).update(updated_at=reply.created_at)
    return message
