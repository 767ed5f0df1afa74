"""The Backstory Assistant: question understanding (intents.py, dates.py), retrieval (retrieval.py),
answer composition (answers.py, help.py), the optional language model (llm.py), and conversations."""

from .conversations import (
    assistant_ask,
    assistant_record_get_for_user,
    conversation_for,
    conversation_messages,
)

__all__ = ["assistant_ask", "assistant_record_get_for_user", "conversation_for", "conversation_messages"]
