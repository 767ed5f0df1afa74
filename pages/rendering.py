"""The Backstory page, shared by the account and the opportunity pages.

The state of a page lives in its query string (period, people audience, sort, filters, an open
breakdown), so every view of it is a link that works without JavaScript. Each interactive part
(metrics, people, a bullet's sidebar, a person's sidebar) has its own route: an htmx request gets
the named partial of ``pages/backstory.html``; a plain request gets the whole page in that state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from activities.selectors import opportunity_review
from backstory import clock

from .engagement import engagement_for, summary_has_data
from .metrics import DEFAULT_PERIOD, PERIOD_LABELS, PERIODS, metrics_for
from .people import (
    AUDIENCES,
    PEOPLE_PAGE_SIZE,
    PEOPLE_SORTS,
    PeopleQuery,
    people_page,
    person_detail,
    person_for_user,
)
from .recency import RECENCY_LEGEND
from .record import Record, kind_of
from .summary import SECTION_LABELS, bullet_activities, bullet_for_user, summary_sections

PAGE_TEMPLATE = "pages/backstory.html"
EMBED_PARAM = "embed"
# The whole page (per reader) and its rendered sections are cached for this long, keyed by the record
# and its last write, its summary's version, the reader's today, the page state and the reader. Every
# change to the record's activities (captured, made private, re-matched, Edit Match, removed from
# sync) and every summary refresh moves the summary's version: another key at once. What changes in
# the CRM alone around the record (its open deals, team, contact roles, a contact's title) shows
# within this many seconds.
PAGE_CACHE_SECONDS = 60
PAGE_CACHE_VERSION = "2"
# Sections that are the same for every reader; the others follow who may see what (privacy).
# The same for every reader. Not "side": the contact roles a reader may know of depend on what they can see.
SHARED_SECTIONS = ("metrics", "facts")


@dataclass(frozen=True)
class PageState:
    """Where the reader is on the page, from GET parameters (defaults left out of links)."""

    period: str = DEFAULT_PERIOD
    people: PeopleQuery = PeopleQuery()
    explain: bool = False

    @classmethod
    def from_params(cls, params) -> PageState:
        period = params.get("period", DEFAULT_PERIOD)
        return cls(
            period=period if period in PERIOD_LABELS else DEFAULT_PERIOD,
            people=PeopleQuery.from_params(params),
            explain=params.get("explain") == "1",
        )

    def params(self, **changes) -> dict[str, str]:
        """The non-default parameters of this state, with ``changes`` applied."""
        values = {
            "period": self.period,
            "people": self.people.audience,
            "sort": self.people.sort,
            "seniority": self.people.seniority,
            "department": self.people.department,
            "show": str(self.people.show),
            "explain": "1" if self.explain else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        defaults = {
            "period": DEFAULT_PERIOD,
            "people": "external",
            "sort": "engagement",
            "seniority": "",
            "department": "",
            "show": str(PEOPLE_PAGE_SIZE),
            "explain": "",
        }
        return {k: v for k, v in values.items() if v != defaults[k]}


class PageUrls:
    """Links of one page in its current state, each carrying the embed token when there is one
    (Salesforce's Canvas guide: do not rely on cookies inside the iframe)."""

    def __init__(self, record: Record, state: PageState, embed_token: str = ""):
        self.record = record
        self.state = state
        self.embed_token = embed_token
        self.namespace = record.kind.namespace

    def _url(self, name: str, *args, params: dict | None = None) -> str:
        url = reverse(f"{self.namespace}:{name}", args=[self.record.pk, *args])
        query = dict(params or {})
        if self.embed_token:
            query[EMBED_PARAM] = self.embed_token
        return f"{url}?{urlencode(query)}" if query else url

    def page(self, **changes) -> str:
        return self._url("detail", params=self.state.params(**changes))

    @property
    def close(self) -> str:
        return self.page()

    @property
    def explain(self) -> str:
        return self.page(explain="" if self.state.explain else "1") + "#engagement-breakdown"

    @property
    def metrics(self) -> str:
        return self._url("metrics")

    @property
    def people(self) -> str:
        return self._url("people")

    def more_people(self) -> str:
        return self._url("people", params=self.state.params(show=self.state.people.show + PEOPLE_PAGE_SIZE))

    def clear_filters(self) -> str:
        return self._url("people", params=self.state.params(seniority="", department=""))

    def bullet(self, section: str, index: int) -> str:
        return self._url("bullet", section, index, params=self.state.params())

    def person(self, person_pk: int) -> str:
        return self._url("person", person_pk, params=self.state.params())

    @property
    def standalone(self) -> str:
        """The page in Backstory itself (opened from an embedded view, in a new tab)."""
        return reverse(f"{self.namespace}:detail", args=[self.record.pk])


def record_or_404(obj):
    """The record a permission-checked helper returned, or a 404 when it returned nothing."""
    if obj is None:
        raise Http404("No such record, or you may not open it.")
    return obj


def _wants_partial(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


class PageContext:
    """Builds only what the rendered part needs, once per request."""

    def __init__(self, request, record: Record):
        self.request = request
        self.record = record
        self.user = request.user
        self.zone = clock.user_zone(self.user)
        self.today = clock.user_today(self.user)
        self.state = PageState.from_params(request.GET)
        self.embed_token = getattr(request, "embed_token", "")
        self.urls = PageUrls(record, self.state, self.embed_token)
        self._summary: dict | None = None
        # Taken from the page's first fetch, before a section loads the record's details (which
        # carry no version annotations): every key of this request names the same version.
        self.version = self._version_parts()

    def base(self) -> dict:
        return {
            "record": self.record,
            "obj": self.record.obj,
            "summary": self.record.summary if summary_has_data(self.record.summary) else None,
            "state": self.state,
            "urls": self.urls,
            "today": self.today,
            "embed_token": self.embed_token,
            "embedded": bool(self.embed_token),
            "periods": PERIODS,
            "audiences": AUDIENCES,
            "sorts": PEOPLE_SORTS,
            "legend": RECENCY_LEGEND,
            "band_names": ("Low", "Medium", "High"),
        }

    def metrics(self) -> dict:
        return {"metrics": metrics_for(self.record, period=self.state.period)}

    def people(self) -> dict:
        page = people_page(
            self.record, user=self.user, query=self.state.people, today=self.today, zone=self.zone
        )
        for row in page.rows:
            row.url = self.urls.person(row.person.pk)
        if page.has_more:
            page.more_url = self.urls.more_people()
        return {"people": page}

    def summary(self) -> dict:
        if self._summary is None:
            found = summary_sections(
                self.record, user=self.user, today=self.today, zone=self.zone, sections=self.sections
            )
            for section in found:
                for bullet in section.bullets:
                    bullet.url = self.urls.bullet(bullet.section, bullet.index)
            self._summary = {
                "sections": [s for s in found if s.key != "warnings"],
                "warnings": next((s for s in found if s.key == "warnings"), None),
                "review": opportunity_review(user=self.user, opportunity=self.record.obj)
                if self.record.is_opportunity
                else None,
            }
        return self._summary

    def engagement(self) -> dict:
        return {"engagement": engagement_for(self.record, user=self.user, today=self.today)}

    @property
    def sections(self) -> tuple[str, ...]:
        return self.record.kind.sections

    def bullet(self, section: str, index: int) -> dict:
        if section not in self.sections:
            raise Http404("No such summary section on this page.")
        self.load_summary()
        bullet = bullet_for_user(
            self.record, user=self.user, section=section, index=index, today=self.today, zone=self.zone
        )
        if bullet is None:
            raise Http404("No such summary item, or none of its activities are visible to you.")
        rows, total = bullet_activities(
            self.record, user=self.user, section=section, index=index, today=self.today, zone=self.zone
        )
        return {
            "drawer": "bullet",
            "bullet": bullet,
            "section_label": SECTION_LABELS[section],
            "activity_rows": rows,
            "activity_total": total,
        }

    def person(self, person_pk: int) -> dict:
        person = person_for_user(self.record, user=self.user, person_pk=person_pk)
        if person is None:
            raise Http404("No such person on this record, or you may not see them.")
        detail = person_detail(self.record, user=self.user, person=person, today=self.today, zone=self.zone)
        return {"drawer": "person", "detail": detail}

    def extras(self) -> dict:
        return self.record.kind.side(self.record.obj, user=self.user, record_url=self.record_url)

    def record_url(self, obj) -> str:
        """A link to another record's page, keeping the embed token."""
        url = reverse(f"{kind_of(obj).namespace}:detail", args=[obj.pk])
        return f"{url}?{urlencode({EMBED_PARAM: self.embed_token})}" if self.embed_token else url

    # --- Sections, rendered once and cached --------------------------------------------------

    def section_names(self) -> tuple[str, ...]:
        names = ("facts", "engagement", "summary", "metrics", "people", "side")
        return names + (("warnings",) if self.record.is_opportunity else ())

    def _builder(self, name: str):
        return {
            "engagement": self.engagement,
            "summary": self.summary,
            "warnings": self.summary,
            "metrics": self.metrics,
            "people": self.people,
            "side": self.extras,
            "facts": dict,
        }[name]

    def _template(self, name: str) -> str:
        # The side cards differ between an account and an opportunity: they live in each one's template.
        if name in ("side", "facts"):
            return f"{self.record.kind.template}#{name}"
        return f"{PAGE_TEMPLATE}#{name}"

    def load_summary(self) -> None:
        """Load the record's details and its summary's content (the page's first fetch has only
        their versions) before rendering a section from them."""
        self.record = self.record.with_details().with_full_summary()
        self.urls.record = self.record

    def _version_parts(self) -> list:
        """What every cached part of this page depends on besides the reader: the record (its id,
        creation and last write), its summary's version, the reader's today (recency bands), the
        page state and the embed token (its links carry it)."""
        record, summary = self.record, self.record.summary
        return [
            PAGE_CACHE_VERSION,
            record.kind.key,
            record.pk,
            _stamp(getattr(record.obj, "created_at", None)),
            _stamp(getattr(record.obj, "record_updated_at", None)),
            # The summary's version moves with every change to the record's activities (a new one,
            # one made private, re-matched, edited or removed from sync) and every refresh.
            f"{summary.pk}:{summary.version}:{_stamp(summary.generated_at)}:{int(summary.is_stale)}:{_stamp(summary.stale_since)}"
            if summary
            else "-",
            self.today.isoformat(),
            sorted(self.state.params().items()),
            self.embed_token,
        ]

    def _reader_parts(self) -> list:
        """Who reads: what they may see (private activities, people, contact roles) and their time zone."""
        user = self.user
        return [user.pk, _stamp(user.date_joined), user.is_admin, user.time_zone]

    def _cache_key(self, name: str) -> str:
        parts = [*self.version, name]
        if name not in SHARED_SECTIONS:
            parts += self._reader_parts()
        return _digest(parts)

    def _page_key(self) -> str:
        # The whole page is the reader's own: the top bar names them and shows staff links. Every
        # query parameter and the path are in it, not only the state they are read into.
        user = self.user
        return _digest(
            [
                *self.version,
                "page",
                self.request.path,
                sorted(self.request.GET.lists()),
                *self._reader_parts(),
                user.get_username(),
                user.is_staff,
            ]
        )

    def page_html(self, extra: dict, *, cacheable: bool) -> str:
        """The whole page's HTML with a stand-in for the reader's CSRF token (``with_csrf_token``):
        from the cache when ``cacheable`` and there, otherwise rendered (and cached when cacheable).
        A request with messages waiting is never served from or stored in the cache: they are shown
        once, to their reader."""
        seconds = _cache_seconds()
        key = None
        if cacheable and seconds and not _messages_waiting(self.request):
            key = self._page_key()
            found = cache.get(key)
            if found is not None:
                return found
        context = {**self.base(), **extra}
        context["html"] = self.sections_html(self.section_names())
        # The cached HTML never holds a token: the stand-in is replaced per request.
        context["csrf_token"] = csrf_token_stand_in()
        html = render_to_string(self.record.kind.template, context, request=self.request)
        if key is not None:
            cache.set(key, html, timeout=seconds)
        return html

    def sections_html(self, names) -> dict:
        """The HTML of these sections, from the cache where it is, rendered (and cached) otherwise."""
        seconds = _cache_seconds()
        keys = {name: self._cache_key(name) for name in names}
        found = cache.get_many(list(keys.values())) if seconds else {}
        html, missing = {}, {}
        for name, key in keys.items():
            if key in found:
                html[name] = mark_safe(found[key])
                continue
            self.load_summary()
            context = {**self.base(), **self._builder(name)()}
            rendered = render_to_string(self._template(name), context, request=self.request)
            html[name] = mark_safe(rendered)
            missing[key] = rendered
        if missing and seconds:
            cache.set_many(missing, timeout=seconds)
        return html


def _stamp(moment) -> str:
    return f"{moment.timestamp():.6f}" if moment else "-"


def _digest(parts: list) -> str:
    return f"backstory:page:{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"


def _cache_seconds() -> int:
    return getattr(settings, "BACKSTORY_PAGE_CACHE_SECONDS", PAGE_CACHE_SECONDS)


def _messages_waiting(request) -> bool:
    # len() reads the stored messages without marking them shown.
    return bool(len(messages.get_messages(request)))


def csrf_token_stand_in() -> str:
    """What a cached page holds where the reader's CSRF token goes: derived from SECRET_KEY, so no
    captured text can spell it, and the same in every server process sharing the cache."""
    return "csrf" + salted_hmac("backstory.pages.csrf-stand-in", "page").hexdigest()[:40]


def with_csrf_token(request, html: str) -> str:
    """The page's HTML with this request's own CSRF token where the stand-in is (Django's
    ``get_token``: it also sets the CSRF cookie on the response, as rendering ``{{ csrf_token }}`` does)."""
    return html.replace(csrf_token_stand_in(), get_token(request))


def render_record_page(request, record: Record, *, part: str | None = None, **part_args):
    """Render a Backstory page, or only ``part`` ("metrics", "people", "bullet", "person") for htmx.

    A plain request for a part's route renders the whole page in that state (with the sidebar open
    for "bullet" and "person"), so every link works without JavaScript and can be shared."""
    page = PageContext(request, record)
    with timezone.override(page.zone):
        if part and _wants_partial(request):
            if part in ("metrics", "people"):
                response = HttpResponse(page.sections_html([part])[part])
            elif part == "bullet":
                response = render(
                    request,
                    f"{PAGE_TEMPLATE}#bullet",
                    {**page.base(), **page.bullet(part_args["section"], part_args["index"])},
                )
            else:
                response = render(
                    request, f"{PAGE_TEMPLATE}#person", {**page.base(), **page.person(part_args["person_pk"])}
                )
        else:
            extra = {}
            if part == "bullet":
                extra = page.bullet(part_args["section"], part_args["index"])
            elif part == "person":
                extra = page.person(part_args["person_pk"])
            # The page itself is cached whole; a page with a sidebar open is rendered around its
            # cached sections (the sidebar is one click, not a page load).
            html = page.page_html(extra, cacheable=part is None)
            response = HttpResponse(with_csrf_token(request, html))
    # One URL answers with a partial or the whole page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
