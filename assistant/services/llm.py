"""The optional language model: an OpenAI-compatible chat completions endpoint.

Configured by settings.ASSISTANT_LLM_BASE_URL (with ASSISTANT_LLM_API_KEY, ASSISTANT_LLM_MODEL,
ASSISTANT_LLM_TIMEOUT). The model sees only the numbered sources the offline answer retrieved for
this user (so privacy holds), must cite them as [n], and unknown markers are dropped. Any failure
raises LlmUnavailable and the caller falls back to the offline answer.
"""

from __future__ import annotations

import json
import re

import requests
from django.conf import settings

from .answers import Answer

_MARKER = re.compile(r"\[(\d{1,3})\]")
SYSTEM_PROMPT = (
    "You are the Backstory Assistant, helping a sales rep with one account or opportunity. "
    "Answer ONLY from the numbered sources and the draft answer given to you; never invent names, dates or numbers. "
    "Cite every fact with the source's marker in square brackets, like [1] or [2][3]. Use only markers that exist. "
    "If the sources do not answer the question, say plainly that the data has no answer. "
    "Be concise: a sentence or two, or a short list with one '- ' bullet per line."
)


class LlmUnavailable(Exception):
    """The endpoint timed out, failed, or answered with something unusable."""


def llm_is_configured() -> bool:
    return bool(getattr(settings, "ASSISTANT_LLM_BASE_URL", ""))


def keep_known_markers(*, text: str, known: set[int]) -> tuple[str, set[int]]:
    """Drop [n] markers that point at no source; returns the text and the markers kept."""
    used: set[int] = set()

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if n in known:
            used.add(n)
            return match.group(0)
        return ""

    cleaned = _MARKER.sub(keep, text)
    cleaned = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned))
    return cleaned.strip(), used


def build_messages(*, question: str, record_label: str, draft: Answer) -> list[dict]:
    sources = (
        "\n".join(
            f"[{c['n']}] {c['kind']}: {c['label']}{' (' + str(c['detail']) + ')' if c.get('detail') else ''}"
            for c in draft.citations
        )
        or "(no sources)"
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": (
                f"Record: {record_label}\n\nSources:\n{sources}\n\n"
                f"Draft answer composed from the record's data (facts with their markers):\n{draft.text}\n\n"
                f"Question: {question}"
            ),
        },
    ]


def llm_answer(*, question: str, record_label: str, draft: Answer) -> Answer:
    """The model's answer to ``question`` grounded in ``draft``'s sources, or LlmUnavailable."""
    url = settings.ASSISTANT_LLM_BASE_URL.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.ASSISTANT_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.ASSISTANT_LLM_API_KEY}"
    payload = {
        "model": settings.ASSISTANT_LLM_MODEL,
        "messages": build_messages(question=question, record_label=record_label, draft=draft),
        "temperature": 0,
    }
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=settings.ASSISTANT_LLM_TIMEOUT)
    except requests.Timeout as error:
        raise LlmUnavailable("timed out") from error
    except requests.RequestException as error:
        raise LlmUnavailable("could not be reached") from error
    if response.status_code >= 400:
        raise LlmUnavailable(f"answered with HTTP {response.status_code}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, json.JSONDecodeError) as error:
        raise LlmUnavailable("sent a reply that is not a chat completion") from error
    if not isinstance(content, str) or not content.strip():
        raise LlmUnavailable("sent an empty answer")
    known = {c["n"] for c in draft.citations}
    text, used = keep_known_markers(text=content, known=known)
    if known and not used:
        raise LlmUnavailable("answered without citing any source")
    return Answer(
        intent=draft.intent,
        text=text,
        citations=[c for c in draft.citations if c["n"] in used],
        has_data=draft.has_data,
    )
