"""The assistant's panel (opened from the chat icon) and asking a question. htmx gets partials;
without JavaScript the same URLs serve a full page and a post-redirect-get.

The chat icon is on embedded pages too, inside Salesforce where our cookies are not sent: both views
also accept the page's embed token (``pages.embed``), the question box's POST included."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pages.embed import backstory_page_view
from support.services import support_hours_status

from .services import assistant_ask, assistant_record_get_for_user, conversation_messages
from .suggestions import suggested_questions


def _urls(record_type: str, record_id: int | None) -> dict:
    if record_type:
        return {
            "panel_url": reverse("assistant:panel", args=[record_type, record_id]),
            "ask_url": reverse("assistant:ask", args=[record_type, record_id]),
        }
    return {"panel_url": reverse("assistant:help_panel"), "ask_url": reverse("assistant:help_ask")}


def _panel_context(request, record_type: str, record_id: int | None) -> dict:
    record = assistant_record_get_for_user(user=request.user, record_type=record_type, record_id=record_id)
    return {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "assistant_messages": conversation_messages(user=request.user, record=record),
        "suggestions": suggested_questions(record_type=record_type),
        "support_hours": support_hours_status(),
        # Inside Salesforce, links to pages the token does not open go to a new tab.
        "embed_token": request.embed_token,
        "embedded": bool(request.embed_token),
        **_urls(record_type, record_id),
    }


@require_GET
@backstory_page_view
def panel(request, record_type: str = "", record_id: int | None = None):
    """The conversation about an account or opportunity (or about the product), with the question box."""
    context = _panel_context(request, record_type, record_id)
    if request.htmx:
        return render(request, "assistant/partials/panel.html", context)
    return render(request, "assistant/conversation.html", context)


@require_POST
@backstory_page_view(token_posts=True)
def ask(request, record_type: str = "", record_id: int | None = None):
    """Answer one question; htmx appends the exchange to the panel, a plain form post redirects back."""
    record = assistant_record_get_for_user(user=request.user, record_type=record_type, record_id=record_id)
    question = (request.POST.get("suggested") or request.POST.get("question") or "").strip()
    if not question:
        if request.htmx:
            return render(
                request, "assistant/partials/ask_error.html", {"error": "Type a question first."}, status=400
            )
        return redirect(_urls(record_type, record_id)["panel_url"])
    asked, answered = assistant_ask(
        user=request.user,
        record=record,
        question=question,
        page_url=request.headers.get("HX-Current-URL", "") or request.META.get("HTTP_REFERER", ""),
    )
    if request.htmx:
        return render(
            request,
            "assistant/partials/exchange.html",
            {"asked": asked, "answered": answered, "embedded": bool(request.embed_token)},
        )
    return redirect(_urls(record_type, record_id)["panel_url"] + f"#message-{answered.pk}")
