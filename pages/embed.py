"""Backstory pages inside Salesforce: a plain iframe (a Lightning/Visualforce tab) and a Canvas app.

Three pieces:

- framing: only embedded responses may be framed, and only by the configured Salesforce domains
  (``Content-Security-Policy: frame-ancestors 'self' <BACKSTORY_FRAME_ANCESTORS>``, no
  X-Frame-Options); every other page keeps Django's ``X-Frame-Options: DENY``;
- the embed token: Salesforce's Canvas guide says not to rely on cookies inside the iframe, so an
  embedded page carries a short-lived signed token (``TimestampSigner``) that its htmx requests send
  back in the ``X-Backstory-Embed`` header and its plain links in the ``embed`` query parameter. The
  token authenticates read-only GETs of the page and partial views decorated with
  ``backstory_page_view``, and POSTs only of the views decorated with
  ``backstory_page_view(token_posts=True)`` (the assistant's question box), only from the header;
  nothing else;
- the Canvas endpoint: verifies Salesforce's signed request (HMAC-SHA256 with the Connected App's
  consumer secret, ``issuedAt`` freshness), maps the Salesforce user to ours and opens the record.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors import user_may_open_records
from crm.ids import salesforce_id_forms

from .record import record_for
from .rendering import EMBED_PARAM, render_record_page
from .selectors import record_get_by_crm_id

EMBED_HEADER = "X-Backstory-Embed"
EMBED_SALT = "backstory.pages.embed"
EMBED_TOKEN_MAX_AGE = 60 * 60
CANVAS_MAX_AGE = dt.timedelta(minutes=15)
# Salesforce's clock and ours may disagree by a few seconds; anything further ahead is refused.
CANVAS_CLOCK_SKEW = dt.timedelta(seconds=30)


# --- Framing ---------------------------------------------------------------------------------


def frame_ancestors() -> str:
    """The CSP ``frame-ancestors`` value: ourselves and the configured Salesforce origins."""
    sources = ["'self'"]
    for origin in getattr(settings, "BACKSTORY_FRAME_ANCESTORS", []):
        origin = str(origin).strip()
        # A source expression never holds spaces, commas or semicolons: drop anything that would
        # smuggle another directive into the header.
        if origin and not any(ch in origin for ch in " ;,\"'\n\r\t"):
            sources.append(origin)
    return "frame-ancestors " + " ".join(sources)


def allow_salesforce_framing(response):
    """Let the configured Salesforce domains (and only them) frame this response."""
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = frame_ancestors()
    return response


def _embed_message(
    request,
    *,
    title: str,
    message: str,
    status: int,
    action_url: str = "",
    action_label: str = "",
    new_tab: bool = False,
):
    response = render(
        request,
        "pages/embed_message.html",
        {
            "title": title,
            "message": message,
            "action_url": action_url,
            "action_label": action_label,
            "new_tab": new_tab,
            "embedded": True,
        },
        status=status,
    )
    return allow_salesforce_framing(response)


# --- The embed token -------------------------------------------------------------------------


def embed_token_for(user) -> str:
    """A signed, timestamped token naming ``user``, good for ``EMBED_TOKEN_MAX_AGE`` seconds."""
    return signing.TimestampSigner(salt=EMBED_SALT).sign_object({"u": user.pk})


def user_from_embed_token(token: str):
    """The active user a token names if it is genuine and fresh, else None."""
    try:
        payload = signing.TimestampSigner(salt=EMBED_SALT).unsign_object(token, max_age=EMBED_TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = get_user_model().objects.filter(pk=payload.get("u")).first() if isinstance(payload, dict) else None
    return user if user is not None and user_may_open_records(user) else None


def _token_from(request) -> str:
    return request.headers.get(EMBED_HEADER) or request.GET.get(EMBED_PARAM, "")


def _expired(request):
    if getattr(request, "htmx", None):
        # The page's script shows this in its alert area (htmx does not swap error responses).
        return allow_salesforce_framing(
            HttpResponse(
                "This view has expired. Reload the tab in Salesforce to continue.",
                status=401,
                content_type="text/plain",
            )
        )
    return _embed_message(
        request,
        title="This view has expired",
        message="For your security an embedded Backstory page stays open for an hour. Reload the tab in Salesforce to continue.",
        status=401,
    )


def _as_token_user(request, token: str, view, args, kwargs):
    user = user_from_embed_token(token)
    if user is None:
        return _expired(request)
    request.user = user
    request.embed_token = token
    return allow_salesforce_framing(view(request, *args, **kwargs))


def backstory_page_view(view=None, *, token_posts: bool = False):
    """Sign the reader in for a Backstory page or partial: an embed token (header or ``embed``
    parameter) for read-only GETs inside Salesforce, otherwise the normal session login. A page
    opened with a token may be framed by Salesforce; everything else keeps X-Frame-Options DENY.

    With ``token_posts=True`` (``@backstory_page_view(token_posts=True)``) a POST may be signed in
    too, by a token in the ``X-Backstory-Embed`` header only: a cross-site form cannot set a custom
    header (it would need a CORS preflight we never grant), so the header is the CSRF proof and the
    CSRF cookie, unavailable in a third-party iframe, is not needed. A bad or expired header token is
    refused; a POST without the header gets the session login and Django's CSRF check as before."""
    if view is None:
        return functools.partial(backstory_page_view, token_posts=token_posts)

    def session_view(request, *args, **kwargs):
        if not user_may_open_records(request.user):
            if getattr(request, "htmx", None):
                return HttpResponseClientRedirect(
                    f"{reverse(settings.LOGIN_URL)}?next={request.htmx.current_url_abs_path or '/'}"
                )
            return redirect_to_login(request.get_full_path())
        request.embed_token = ""
        return view(request, *args, **kwargs)

    if token_posts:
        # The view is exempt from the CSRF middleware (below) so that header-token POSTs pass; every
        # other request gets the same check here, before the login check, as the middleware would.
        session_view = csrf_protect(session_view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _token_from(request)
        if token and request.method in ("GET", "HEAD"):
            return _as_token_user(request, token, view, args, kwargs)
        # Never the ``embed`` parameter for a POST: a cross-site form could put it in its action URL.
        header_token = request.headers.get(EMBED_HEADER, "")
        if token_posts and header_token and request.method == "POST":
            return _as_token_user(request, header_token, view, args, kwargs)
        return session_view(request, *args, **kwargs)

    if token_posts:
        wrapper.csrf_exempt = True
    return wrapper


def _render_embedded(request, obj, *, user, token: str):
    request.user = user
    request.embed_token = token
    return allow_salesforce_framing(render_record_page(request, record_for(obj)))


def _record_not_found(request):
    return _embed_message(
        request,
        title="Not in Backstory yet",
        message=(
            "Backstory has no account or opportunity with this Salesforce id yet. A new record appears "
            "after the next CRM sync; allow 24 to 48 hours after initial setup."
        ),
        status=404,
    )


@require_GET
@xframe_options_exempt
def salesforce_record(request, crm_id: str):
    """The Backstory page of the Salesforce Account (001…) or Opportunity (006…) ``crm_id``, for a
    Lightning or Visualforce tab that frames Backstory. The reader is signed in by an embed token, or
    by their Backstory session (cookies marked SameSite=None; Secure in production)."""
    token = _token_from(request)
    if token:
        user = user_from_embed_token(token)
        if user is None:
            return _expired(request)
    elif user_may_open_records(request.user):
        user = request.user
        token = embed_token_for(user)
    else:
        login_url = f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}"
        return _embed_message(
            request,
            title="Sign in to Backstory",
            message="Sign in once in a new tab, then reload this Salesforce tab to see the Backstory page here.",
            action_url=login_url,
            action_label="Sign in to Backstory",
            new_tab=True,
            status=401,
        )
    obj = record_get_by_crm_id(user=user, crm_id=crm_id)
    if obj is None:
        return _record_not_found(request)
    return _render_embedded(request, obj, user=user, token=token)


# --- Salesforce Canvas -----------------------------------------------------------------------


class CanvasRequestInvalid(Exception):
    """A signed request that Backstory does not trust; the message says why, in plain words."""


def _b64decode(value: str) -> bytes:
    """Standard base64 as Salesforce sends it (URL-safe letters tolerated), strictly validated."""
    value = value.strip().translate(str.maketrans("-_", "+/"))
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CanvasRequestInvalid("The signed request is not valid base64.") from exc


def _issued_at(envelope: dict) -> dt.datetime:
    raw = envelope.get("issuedAt")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CanvasRequestInvalid("The signed request does not say when it was issued.")
    try:
        seconds = float(raw)
    except ValueError as exc:
        raise CanvasRequestInvalid("The signed request's issue time is not a timestamp.") from exc
    if seconds > 1e11:  # milliseconds since the epoch
        seconds /= 1000
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def verify_canvas_request(signed_request: str, *, secret: str, now: dt.datetime | None = None) -> dict:
    """The decoded Canvas envelope of ``<base64 signature>.<base64 JSON context>``, once the signature
    (HMAC-SHA256 of the base64 context with the consumer secret, compared in constant time) and the
    freshness (``issuedAt`` at most 15 minutes old, not in the future) check out. Raises
    ``CanvasRequestInvalid`` otherwise."""
    if not secret:
        raise CanvasRequestInvalid("Salesforce Canvas is not configured on this Backstory server.")
    signature_b64, dot, context_b64 = (signed_request or "").strip().partition(".")
    if not dot or not signature_b64 or not context_b64:
        raise CanvasRequestInvalid("The signed request is malformed.")
    given = _b64decode(signature_b64)
    expected = hmac.new(secret.encode(), context_b64.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise CanvasRequestInvalid("The signed request's signature does not match.")
    try:
        envelope = json.loads(_b64decode(context_b64))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanvasRequestInvalid("The signed request's context is not JSON.") from exc
    if not isinstance(envelope, dict):
        raise CanvasRequestInvalid("The signed request's context is not an object.")
    algorithm = envelope.get("algorithm")
    if algorithm not in (None, "HMACSHA256"):
        raise CanvasRequestInvalid("The signed request uses an algorithm Backstory does not accept.")
    now = now or dt.datetime.fromtimestamp(time.time(), tz=dt.UTC)
    issued = _issued_at(envelope)
    if issued > now + CANVAS_CLOCK_SKEW:
        raise CanvasRequestInvalid("The signed request is dated in the future.")
    if now - issued > CANVAS_MAX_AGE:
        raise CanvasRequestInvalid("The signed request has expired.")
    return envelope


def _context(envelope: dict) -> dict:
    context = envelope.get("context")
    return context if isinstance(context, dict) else {}


def canvas_user(envelope: dict):
    """Our user for the Salesforce user of a Canvas request: by Salesforce user id
    (``context.user.userId`` → ``User.crm_id``, 15 or 18 characters), else by a unique email."""
    users = get_user_model().objects.filter(is_active=True, is_integration_user=False)
    salesforce_user = _context(envelope).get("user") or {}
    forms = salesforce_id_forms(str(salesforce_user.get("userId") or envelope.get("userId") or ""))
    if forms:
        user = users.filter(crm_id__in=forms).order_by("pk").first()
        if user is not None:
            return user
    email = str(salesforce_user.get("email") or "").strip().lower()
    if email:
        matches = list(users.filter(email=email)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def canvas_record_id(envelope: dict) -> str:
    """The Salesforce id of the record the Canvas app was opened on (``context.environment.record.Id``)."""
    environment = _context(envelope).get("environment") or {}
    record = environment.get("record") or {}
    return str(record.get("Id") or "") if isinstance(record, dict) else ""


@csrf_exempt  # Salesforce posts the signed request cross-site; its signature is the proof.
@require_POST
@xframe_options_exempt
def canvas(request):
    """The Canvas app's URL: Salesforce POSTs ``signed_request``; we verify it, sign the user in for
    this iframe with an embed token (no cookies) and render the record's Backstory page."""
    try:
        envelope = verify_canvas_request(
            request.POST.get("signed_request", ""), secret=settings.SALESFORCE_CANVAS_CONSUMER_SECRET
        )
    except CanvasRequestInvalid as exc:
        return _embed_message(
            request, title="Backstory could not verify Salesforce", message=str(exc), status=403
        )
    user = canvas_user(envelope)
    if user is None:
        return _embed_message(
            request,
            title="Your Salesforce user is not linked to Backstory",
            message="Ask your Backstory administrator to add you, with your Salesforce user id or email.",
            status=403,
        )
    record_id = canvas_record_id(envelope)
    if not record_id:
        return _embed_message(
            request,
            title="Open Backstory from a record",
            message="Backstory shows an Account or an Opportunity: add it to an Account or Opportunity page layout.",
            status=400,
        )
    obj = record_get_by_crm_id(user=user, crm_id=record_id)
    if obj is None:
        return _record_not_found(request)
    return _render_embedded(request, obj, user=user, token=embed_token_for(user))
