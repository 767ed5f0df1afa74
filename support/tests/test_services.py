"""Support hours, screenshot checks, references, notifications and the help center seed."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from activities.tests.factories import ActivityFactory
from support.help_articles import help_articles
from support.models import HelpArticle, SupportAttachment
from support.services import (
    activity_for_support_request,
    help_center_seed,
    screenshot_problems,
    sniff_image_type,
    support_hours_status,
    support_request_create,
)
from users.tests.factories import UserFactory

from .factories import GIF_HEADER, JPEG_HEADER, PNG_HEADER, WEBP_HEADER, screenshot

SEED_FAQ = Path(__file__).resolve().parent / "seed_faq_questions.json"
UTC = dt.UTC


@pytest.mark.parametrize(
    ("now", "is_open", "message"),
    [
        (
            dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
            False,
            "Support opens today at 9:00 AM PT.",
        ),  # Monday 4:00 AM PT
        (
            dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC),
            True,
            "Support is open now, until 5:00 PM PT.",
        ),  # Monday 9:00 AM PT
        (
            dt.datetime(2026, 11, 24, 0, 59, tzinfo=UTC),
            True,
            "Support is open now, until 5:00 PM PT.",
        ),  # Monday 4:59 PM PT
        (
            dt.datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
            False,
            "Support opens tomorrow at 9:00 AM PT.",
        ),  # Monday 5:00 PM PT
        (
            dt.datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
            False,
            "Support opens Monday at 9:00 AM PT.",
        ),  # Friday 5:00 PM PT
        (
            dt.datetime(2026, 11, 28, 20, 0, tzinfo=UTC),
            False,
            "Support opens Monday at 9:00 AM PT.",
        ),  # Saturday noon PT
        (
            dt.datetime(2026, 7, 6, 16, 30, tzinfo=UTC),
            True,
            "Support is open now, until 5:00 PM PT.",
        ),  # summer: 9:30 AM PDT
        (
            dt.datetime(2026, 7, 6, 15, 30, tzinfo=UTC),
            False,
            "Support opens today at 9:00 AM PT.",
        ),  # 8:30 AM PDT
    ],
)
def test_support_hours_are_monday_to_friday_nine_to_five_pacific(now, is_open, message):
    hours = support_hours_status(now=now)
    assert (hours.is_open, hours.message) == (is_open, message)


def test_support_hours_default_to_the_clock(frozen_now):
    assert support_hours_status().message == "Support opens today at 9:00 AM PT."


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG_HEADER, "png"),
        (JPEG_HEADER, "jpeg"),
        (GIF_HEADER, "gif"),
        (b"GIF87a\x00", "gif"),
        (WEBP_HEADER, "webp"),
        (b"%PDF-1.7\n", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_image_type_comes_from_the_first_bytes(head, kind):
    assert sniff_image_type(head) == kind


def test_good_screenshots_pass():
    files = [
        screenshot("a.png"),
        screenshot("b.JPG", JPEG_HEADER),
        screenshot("c.gif", GIF_HEADER),
        screenshot("d.webp", WEBP_HEADER),
    ]
    assert screenshot_problems(files=files) == []


def test_a_renamed_file_is_refused_by_its_content():
    problems = screenshot_problems(files=[screenshot("invoice.png", b"%PDF-1.7\n")])
    assert problems == ["invoice.png is not a PNG, JPEG, GIF or WebP image; only those can be attached."]


def test_an_image_with_a_strange_name_is_refused_by_its_extension():
    assert screenshot_problems(files=[screenshot("screen.exe")]) == [
        "screen.exe is named like a .exe; name it .png, .jpg, .gif or .webp to attach it."
    ]


def test_a_screenshot_over_five_megabytes_is_refused():
    problems = screenshot_problems(files=[screenshot("huge.png", size=5 * 1024 * 1024 + 1)])
    assert problems == ["huge.png is 5.0 MB; the limit is 5 MB per screenshot."]
    assert screenshot_problems(files=[screenshot("max.png", size=5 * 1024 * 1024)]) == []


def test_more_than_five_screenshots_are_refused():
    problems = screenshot_problems(files=[screenshot(f"s{i}.png") for i in range(6)])
    assert problems == ["You attached 6 files; the limit is 5 screenshots per request."]


@pytest.mark.django_db
def test_the_activity_id_must_be_one_the_user_can_see():
    rep, other = UserFactory(), UserFactory()
    mine = ActivityFactory(owner=rep, is_private=True)
    theirs = ActivityFactory(owner=other, is_private=True)
    public = ActivityFactory(owner=other, crm_id="00T000000000001AAA")
    assert activity_for_support_request(user=rep, value="") is None
    assert activity_for_support_request(user=rep, value=f" {mine.pk} ") == mine
    assert activity_for_support_request(user=rep, value="00T000000000001AAA") == public
    for value in (str(theirs.pk), "999999", "not-an-id"):
        with pytest.raises(ValidationError, match=f"No activity with ID {value} is visible to you"):
            activity_for_support_request(user=rep, value=value)


@pytest.mark.django_db
def test_a_request_gets_a_reference_its_screenshots_and_two_emails(
    frozen_now, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.SUPPORT_EMAIL = "support@backstory.ai"
    user = UserFactory(first_name="Dana", last_name="Rivera", email="dana@lumen-analytics.com")
    activity = ActivityFactory(owner=user)
    with django_capture_on_commit_callbacks(execute=True):
        request = support_request_create(
            user=user,
            description="Summary is empty",
            steps_to_reproduce="Open Globex",
            workspace="Lumen",
            activity=activity,
            screenshots=[screenshot("one.png"), screenshot("two.jpg", JPEG_HEADER)],
        )
    assert re.fullmatch(r"BST-2026-\d{6}", request.reference) and request.reference.endswith(
        f"{request.pk:06d}"
    )
    assert not request.sent_during_support_hours  # 4:00 AM PT
    attachments = list(request.attachments.all())
    assert [(a.original_name, a.image_type) for a in attachments] == [("one.png", "png"), ("two.jpg", "jpeg")]
    assert all(Path(a.file.path).is_file() and str(tmp_path) in a.file.path for a in attachments)
    notification, confirmation = mail.outbox
    assert notification.to == ["support@backstory.ai"] and request.reference in notification.subject
    assert "Summary is empty" in notification.body and f"Activity ID: {activity.pk}" in notification.body
    assert [name for name, _, _ in notification.attachments] == ["one.png", "two.jpg"]
    assert confirmation.to == ["dana@lumen-analytics.com"] and request.reference in confirmation.body
    assert "Support opens today at 9:00 AM PT." in confirmation.body


@pytest.mark.django_db
def test_a_request_with_bad_screenshots_stores_nothing(frozen_now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        support_request_create(
            user=UserFactory(), description="x", screenshots=[screenshot("a.txt", b"hello")]
        )
    assert not SupportAttachment.objects.exists()


@pytest.mark.django_db
def test_the_help_center_seed_is_idempotent_and_keeps_admin_edits():
    HelpArticle.objects.all().delete()
    assert help_center_seed() == (len(help_articles()), 0)
    article = HelpArticle.objects.get(slug="faq-how-long-for-a-new-contact")
    article.summary = "Edited by an admin"
    article.save()
    assert help_center_seed() == (0, 0)
    assert HelpArticle.objects.get(slug=article.slug).summary == "Edited by an admin"
    assert help_center_seed(update=True) == (0, 1)
    assert HelpArticle.objects.count() == len(help_articles())


def _faq_questions(seed: str) -> list[str]:
    return json.loads(SEED_FAQ.read_text(encoding="utf-8"))["questions"][seed]


@pytest.mark.parametrize("seed", ["backstory-pages", "automatic-contact-creation"])
def test_every_faq_answer_of_the_seeds_is_its_own_article(seed):
    questions = _faq_questions(seed)
    assert len(questions) >= 3
    titles = {a["title"].lower().replace("’", "'") for a in help_articles() if a.get("is_faq")}
    for question in questions:
        assert question.lower().replace("’", "'") in titles, question


def test_the_articles_cover_every_section_of_the_seeds():
    slugs = {a["slug"] for a in help_articles()}
    assert {
        "engagement-level",
        "account-and-deal-summary",
        "engagement-metrics",
        "people-metrics",
        "backstory-assistant",
        "automatic-contact-creation",
        "opportunity-contact-role-creation",
        "contact-enrichment",
        "view-contacts-created-by-backstory",
        "query-api-overview",
        "query-api-account-metrics",
        "query-api-opportunity-metrics",
        "query-api-user-metrics",
        "query-api-custom-metrics",
        "query-api-variations",
        "contact-support",
        "support-response-times",
        "support-scope",
    } <= slugs
    assert len(slugs) == len(help_articles())


@pytest.mark.django_db
def test_the_data_migration_seeds_the_articles():
    from importlib import import_module

    from django.apps import apps

    HelpArticle.objects.all().delete()
    import_module("support.migrations.0002_seed_help_center").seed(apps, None)
    assert HelpArticle.objects.count() == len(help_articles())
    assert HelpArticle.objects.get(slug="faq-duplicate-contacts").is_faq
