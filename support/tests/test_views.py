"""The help center pages, search as you type, and the support request form."""

import pytest
from django.core import mail
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from support.models import SupportRequest
from users.tests.factories import UserFactory

from .factories import JPEG_HEADER, HelpArticleFactory, SupportRequestFactory, screenshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, help_articles, frozen_now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(username="dana", email="dana@lumen-analytics.com"))
    return client


@pytest.fixture
def help_articles(db):
    from support.services import help_center_seed

    help_center_seed()


def test_the_help_center_browses_articles_by_topic_and_shows_support_hours(rep_client):
    page = rep_client.get(reverse("support:index")).content.decode()
    for topic in (
        "Backstory pages",
        "Contact creation",
        "Query API",
        "Backstory Assistant",
        "Getting support",
    ):
        assert f"<h2>{topic}</h2>" in page
    assert 'href="/help/faq-how-long-for-a-new-contact/"' in page
    assert "Support opens today at 9:00 AM PT." in page


def test_an_article_renders_its_body_safely(rep_client):
    HelpArticleFactory(
        slug="unsafe", title="Unsafe", body="Hi <img src=x onerror=alert(1)>\n- **safe** bullet"
    )
    page = rep_client.get(reverse("support:article", args=["unsafe"])).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<li><strong>safe</strong> bullet</li>" in page


def test_an_unpublished_or_unknown_article_is_not_found(rep_client):
    HelpArticleFactory(slug="draft", is_published=False)
    assert rep_client.get(reverse("support:article", args=["draft"])).status_code == 404
    assert rep_client.get(reverse("support:article", args=["nope"])).status_code == 404


def test_search_as_you_type_returns_the_partial_and_without_javascript_a_page(rep_client):
    url = reverse("support:search")
    partial = rep_client.get(url, {"q": "duplicate contacts"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert partial.index("How does Backstory prevent the creation of duplicate contacts") < partial.index(
        "</ul>"
    )
    page = rep_client.get(url, {"q": "variation_id"}).content.decode()
    assert "<html" in page and "Query API overview" in page


def test_search_with_no_match_says_so_and_offers_support(rep_client):
    body = rep_client.get(
        reverse("support:search"), {"q": "zzzzqqq"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No article matches" in body and reverse("support:request_new") in body


def test_a_support_request_is_stored_emailed_and_confirmed_with_its_reference(
    rep_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("support:request_new"),
            {
                "description": "Summary shows no data",
                "steps_to_reproduce": "Open Globex",
                "workspace": "Lumen",
                "activity_id": "",
                "screenshots": [screenshot("a.png"), screenshot("b.jpg", JPEG_HEADER)],
            },
        )
    sent = SupportRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "support:request_sent", args=[sent.reference]
    )
    assert sent.attachments.count() == 2 and len(mail.outbox) == 2
    page = rep_client.get(response["Location"]).content.decode()
    assert (
        sent.reference in page
        and "2 screenshots attached" in page
        and "Support opens today at 9:00 AM PT." in page
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [screenshot("notes.txt", b"just some text")],
            "notes.txt is not a PNG, JPEG, GIF or WebP image; only those can be attached.",
        ),
        (
            [screenshot("fake.png", b"%PDF-1.7 not an image")],
            "fake.png is not a PNG, JPEG, GIF or WebP image; only those can be attached.",
        ),
        (
            [screenshot("huge.png", size=6 * 1024 * 1024)],
            "huge.png is 6.0 MB; the limit is 5 MB per screenshot.",
        ),
        (
            [screenshot(f"s{i}.png") for i in range(6)],
            "You attached 6 files; the limit is 5 screenshots per request.",
        ),
    ],
)
def test_bad_screenshots_are_refused_with_a_clear_message(rep_client, files, message):
    response = rep_client.post(
        reverse("support:request_new"), {"description": "Broken", "screenshots": files}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupportRequest.objects.exists() and mail.outbox == []


def test_an_activity_id_the_user_cannot_see_is_refused(rep_client):
    private = ActivityFactory(owner=UserFactory(), is_private=True)
    response = rep_client.post(
        reverse("support:request_new"), {"description": "Wrong match", "activity_id": str(private.pk)}
    )
    assert response.status_code == 400
    assert f"No activity with ID {private.pk} is visible to you." in response.content.decode()


def test_the_form_prefills_the_workspace_and_activity_from_the_link(rep_client):
    page = rep_client.get(
        reverse("support:request_new"), {"workspace": "Globex", "activity": "42"}
    ).content.decode()
    assert 'value="Globex"' in page and 'value="42"' in page and 'enctype="multipart/form-data"' in page


def test_someone_elses_confirmation_page_is_not_found(rep_client):
    other = SupportRequestFactory()
    assert rep_client.get(reverse("support:request_sent", args=[other.reference])).status_code == 404


def test_admins_see_requests_and_their_screenshots(
    client, frozen_now, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    from support.services import support_request_create

    admin = UserFactory(admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        request = support_request_create(
            user=admin, description="Admin test", screenshots=[screenshot("shot.png")]
        )
    client.force_login(admin)
    page = client.get(reverse("admin:support_supportrequest_change", args=[request.pk])).content.decode()
    assert request.reference in page and "shot.png" in page
    assert client.get(reverse("admin:support_supportrequest_changelist")).status_code == 200
    assert client.get(reverse("admin:support_helparticle_changelist")).status_code == 200
    assert client.get(reverse("admin:support_helparticle_add")).status_code == 200


def test_a_support_request_from_a_user_whose_name_holds_a_line_break_is_mailed(
    client, help_articles, frozen_now, django_capture_on_commit_callbacks
):
    client.force_login(
        UserFactory(
            username="eve", email="eve@lumen-analytics.com", first_name="Eve\nBcc: all@x.io", last_name="Ng"
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:request_new"), {"description": "The page is slow"})
    assert response.status_code == 302
    notification, confirmation = mail.outbox
    assert notification.subject.endswith("Support request from Eve Bcc: all@x.io Ng")
    assert notification.to == ["support@backstory.ai"] and not notification.bcc
    assert "\n" not in notification.message()["Subject"]
