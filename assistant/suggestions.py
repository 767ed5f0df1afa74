"""The questions the panel suggests, in the product's words."""

ACCOUNT_SUGGESTIONS = [
    "Who are the decision makers?",
    "What was discussed last week?",
    "What are the risks?",
    "When is the next meeting?",
    "Summary for my manager",
]
OPPORTUNITY_SUGGESTIONS = [
    "Who is the champion?",
    "What are the next steps?",
    "What are the risks?",
    "What changed since last week?",
    "Summary for my manager",
]
HELP_SUGGESTIONS = [
    "How long does it take for a new contact to appear in Salesforce?",
    "What is the engagement level?",
    "When is support open?",
]


def suggested_questions(*, record_type: str) -> list[str]:
    """A few starting questions for an account, an opportunity, or the product."""
    return {"account": ACCOUNT_SUGGESTIONS, "opportunity": OPPORTUNITY_SUGGESTIONS}.get(
        record_type, HELP_SUGGESTIONS
    )
