"""Backstory pages inside Salesforce: framing headers, the embed token, and the Canvas signed request."""

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from demo.ids import crm_id
from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityFactory
from pages import embed
from pages.tests.factories import CANVAS_SECRET, full_account, signed_canvas_request
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SALESFORCE = ["https://acme.lightning.force.com", "https://*.visualforce.com"]


@pytest.fixture(autouse=True)
def salesforce_settings(settings):
    settings.SALESFORCE_CANVAS_CONSUMER_SECRET = CANVAS_SECRET
    settings.BACKSTORY_FRAME_ANCESTORS = SALESFORCE


@pytest.fixture
def rep(db):
    return UserFactory(
        username="dana",
        first_name="Dana",
        last_name="Rivera",
        crm_id=crm_id("005", 41),
        email="dana.rivera@lumen-analytics.com",
    )


@pytest.fixture
def account(rep, frozen_now):
    account = AccountFactory(name="Northwind Logistics", owner=rep, crm_id=crm_id("001", 42))
    full_account(account=account, rep=rep, other_rep=UserFactory())
    return account


def canvas_post(client, signed: str):
    return client.post(reverse("accounts:canvas"), {"signed_request": signed})


def assert_framable(response):
    assert response["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://acme.lightning.force.com https://*.visualforce.com"
    )
    assert "X-Frame-Options" not in response


# --- Framing headers -----------------------------------------------------------------------------


def test_normal_pages_refuse_framing(client, rep, account):
    client.force_login(rep)
    for path in (
        reverse("home"),
        reverse("accounts:detail", args=[account.pk]),
        reverse("accounts:search") + "?q=no",
    ):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert "Content-Security-Policy" not in response, path


def test_embed_route_with_a_session_frames_the_record_for_salesforce(client, rep, account):
    client.force_login(rep)
    response = client.get(reverse("accounts:embed_salesforce", args=[account.crm_id]))
    assert response.status_code == 200
    assert_framable(response)
    body = response.content.decode()
    assert "<h1>Northwind Logistics</h1>" in body
    assert '"X-Backstory-Embed": "' in body  # htmx sends the token back
    assert f'href="/accounts/{account.pk}/bullet/key_topics/0/?embed=' in body  # and so do plain links
    assert 'id="global-search"' not in body and "Open in Backstory" in body


def test_embed_route_accepts_the_15_character_id(client, rep, account):
    client.force_login(rep)
    response = client.get(reverse("accounts:embed_salesforce", args=[account.crm_id[:15]]))
    assert response.status_code == 200 and "<h1>Northwind Logistics</h1>" in response.content.decode()


def test_embed_route_opens_an_opportunity_by_its_006_id(client, rep, account):
    opportunity = OpportunityFactory(account=account, name="Northwind - Expansion", crm_id=crm_id("006", 43))
    client.force_login(rep)
    response = client.get(reverse("accounts:embed_salesforce", args=[opportunity.crm_id]))
    assert response.status_code == 200 and "<h1>Northwind - Expansion</h1>" in response.content.decode()


def test_embed_route_without_a_session_asks_to_sign_in_in_a_new_tab(client, account):
    response = client.get(reverse("accounts:embed_salesforce", args=[account.crm_id]))
    assert response.status_code == 401
    assert_framable(response)
    body = response.content.decode()
    assert "Sign in to Backstory" in body and 'target="_blank"' in body


def test_embed_route_for_an_unknown_record_says_it_is_not_in_backstory_yet(client, rep, account):
    client.force_login(rep)
    for value in (crm_id("001", 999), crm_id("003", 1), "not-an-id"):
        response = client.get(reverse("accounts:embed_salesforce", args=[value]))
        assert response.status_code == 404, value
        assert_framable(response)
        assert "Not in Backstory yet" in response.content.decode()


def test_frame_ancestors_drop_entries_that_would_inject_directives(settings):
    settings.BACKSTORY_FRAME_ANCESTORS = [
        "https://ok.force.com",
        "https://x.com; script-src *",
        "",
        "https://a.com,https://b.com",
    ]
    assert embed.frame_ancestors() == "frame-ancestors 'self' https://ok.force.com"


# --- The embed token -----------------------------------------------------------------------------


def test_token_signs_in_page_and_partial_gets_without_a_session(rep, account):
    token = embed.embed_token_for(rep)
    client = Client()
    for name, args in (("detail", []), ("metrics", []), ("people", []), ("bullet", ["key_topics", 0])):
        response = client.get(
            reverse(f"accounts:{name}", args=[account.pk, *args]),
            HTTP_X_BACKSTORY_EMBED=token,
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, name
        assert_framable(response)
    response = client.get(
        reverse("accounts:people", args=[account.pk]), {"people": "internal", "embed": token}
    )
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert "sessionid" not in response.cookies


def test_token_links_keep_the_token(rep, account):
    token = embed.embed_token_for(rep)
    body = Client().get(reverse("accounts:detail", args=[account.pk]), {"embed": token}).content.decode()
    assert f'<input type="hidden" name="embed" value="{token}">' in body
    import re
    from urllib.parse import quote

    assert re.search(rf'href="/accounts/{account.pk}/people/\d+/\?embed={re.escape(quote(token))}"', body)


def test_token_keeps_the_privacy_of_its_user(rep, account):
    token = embed.embed_token_for(rep)
    body = (
        Client()
        .get(reverse("accounts:detail", args=[account.pk]), HTTP_X_BACKSTORY_EMBED=token)
        .content.decode()
    )
    assert "Confidential discount request" not in body


def test_a_bad_or_expired_token_is_refused_with_a_framable_message(rep, account, monkeypatch):
    url = reverse("accounts:detail", args=[account.pk])
    response = Client().get(url, {"embed": "nonsense"})
    assert response.status_code == 401 and "This view has expired" in response.content.decode()
    assert_framable(response)
    token = embed.embed_token_for(rep)
    monkeypatch.setattr(embed, "EMBED_TOKEN_MAX_AGE", -1)
    response = Client().get(url, HTTP_X_BACKSTORY_EMBED=token, HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and b"expired" in response.content


def test_a_token_for_an_inactive_user_is_refused(rep, account):
    token = embed.embed_token_for(rep)
    rep.is_active = False
    rep.save()
    assert Client().get(reverse("accounts:detail", args=[account.pk]), {"embed": token}).status_code == 401


def test_the_token_opens_nothing_but_backstory_pages(rep, account):
    token = embed.embed_token_for(rep)
    client = Client()
    for path in (reverse("home"), reverse("accounts:search") + "?q=north", "/admin/"):
        response = client.get(path, {"embed": token}, HTTP_X_BACKSTORY_EMBED=token)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_the_token_is_read_only(rep, account):
    token = embed.embed_token_for(rep)
    for name in ("detail", "people", "metrics"):
        response = Client().post(
            reverse(f"accounts:{name}", args=[account.pk]), {"embed": token}, HTTP_X_BACKSTORY_EMBED=token
        )
        assert response.status_code == 405


def test_a_signed_in_page_gets_no_token(client, rep, account):
    client.force_login(rep)
    body = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "X-Backstory-Embed" not in body and "embed=" not in body


def test_htmx_request_without_a_session_redirects_the_whole_page_to_login(client, account):
    response = client.get(
        reverse("accounts:metrics", args=[account.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/accounts/{account.pk}/",
    )
    assert response["HX-Redirect"].startswith(reverse("login"))


# --- Salesforce Canvas ----------------------------------------------------------------------------


def test_canvas_with_a_good_signature_opens_the_record_for_the_salesforce_user(rep, account):
    client = Client(enforce_csrf_checks=True)  # Salesforce posts cross-site, without our CSRF token
    response = canvas_post(client, signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id))
    assert response.status_code == 200
    assert_framable(response)
    body = response.content.decode()
    assert "<h1>Northwind Logistics</h1>" in body and '"X-Backstory-Embed": "' in body
    assert "Confidential discount request" not in body  # Dana's view, not an admin's
    assert "sessionid" not in response.cookies


def test_canvas_accepts_the_15_character_user_and_record_ids(rep, account):
    response = canvas_post(
        Client(), signed_canvas_request(user_id=rep.crm_id[:15], record_id=account.crm_id[:15])
    )
    assert response.status_code == 200 and "<h1>Northwind Logistics</h1>" in response.content.decode()


def test_canvas_maps_by_email_when_the_salesforce_user_id_is_unknown(rep, account):
    signed = signed_canvas_request(
        user_id=crm_id("005", 77), email="Dana.Rivera@lumen-analytics.com", record_id=account.crm_id
    )
    assert canvas_post(Client(), signed).status_code == 200


def test_canvas_refuses_an_unlinked_salesforce_user(rep, account):
    response = canvas_post(
        Client(),
        signed_canvas_request(
            user_id=crm_id("005", 77), email="stranger@example.com", record_id=account.crm_id
        ),
    )
    assert response.status_code == 403 and "not linked to Backstory" in response.content.decode()
    assert_framable(response)


def test_canvas_opens_an_opportunity(rep, account):
    opportunity = OpportunityFactory(account=account, name="Northwind - Expansion", crm_id=crm_id("006", 44))
    SummaryFactory(account=None, opportunity=opportunity)
    response = canvas_post(Client(), signed_canvas_request(user_id=rep.crm_id, record_id=opportunity.crm_id))
    assert "<h1>Northwind - Expansion</h1>" in response.content.decode()


def test_canvas_without_a_record_asks_for_a_record_page(rep, account):
    response = canvas_post(Client(), signed_canvas_request(user_id=rep.crm_id, record_id=""))
    assert response.status_code == 400 and "Open Backstory from a record" in response.content.decode()


def test_canvas_for_a_record_not_synced_yet(rep, account):
    response = canvas_post(Client(), signed_canvas_request(user_id=rep.crm_id, record_id=crm_id("001", 5000)))
    assert response.status_code == 404 and "Not in Backstory yet" in response.content.decode()


def test_canvas_rejects_a_tampered_context(rep, account):
    signature, context = signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id).split(".")
    other = signed_canvas_request(user_id=crm_id("005", 1), record_id=account.crm_id).split(".")[1]
    for tampered in (
        f"{signature}.{other}",
        f"{signature}.{context[:-4]}AAAA",
        f"{signature[:-4]}AAA=.{context}",
    ):
        response = canvas_post(Client(), tampered)
        assert response.status_code == 403
        assert "signature does not match" in response.content.decode()
        assert_framable(response)


def test_canvas_rejects_a_request_signed_with_another_secret(rep, account):
    response = canvas_post(
        Client(), signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, secret="not-ours")
    )
    assert response.status_code == 403


def test_canvas_rejects_an_expired_request(rep, account):
    old = time.time() - 16 * 60
    response = canvas_post(
        Client(), signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, issued_at=old)
    )
    assert response.status_code == 403 and "has expired" in response.content.decode()
    recent = time.time() - 14 * 60
    assert (
        canvas_post(
            Client(), signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, issued_at=recent)
        ).status_code
        == 200
    )


def test_canvas_rejects_a_request_from_the_future(rep, account):
    future = time.time() + 5 * 60
    response = canvas_post(
        Client(), signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, issued_at=future)
    )
    assert response.status_code == 403 and "in the future" in response.content.decode()


def test_canvas_accepts_issued_at_in_milliseconds(rep, account):
    envelope = {
        "algorithm": "HMACSHA256",
        "issuedAt": int(time.time() * 1000),
        "context": {"user": {"userId": rep.crm_id}, "environment": {"record": {"Id": account.crm_id}}},
    }
    assert canvas_post(Client(), signed_canvas_request(envelope=envelope)).status_code == 200


@pytest.mark.parametrize(
    "signed, reason",
    [
        ("", "malformed"),
        ("no-dot-here", "malformed"),
        ("!!!.???", "not valid base64"),
    ],
)
def test_canvas_rejects_malformed_requests(signed, reason):
    response = canvas_post(Client(), signed)
    assert response.status_code == 403 and reason in response.content.decode()


def test_canvas_rejects_a_request_without_issued_at_or_with_another_algorithm(rep, account):
    base = {"context": {"user": {"userId": rep.crm_id}, "environment": {"record": {"Id": account.crm_id}}}}
    response = canvas_post(Client(), signed_canvas_request(envelope={**base, "algorithm": "HMACSHA256"}))
    assert response.status_code == 403 and "does not say when it was issued" in response.content.decode()
    response = canvas_post(
        Client(), signed_canvas_request(envelope={**base, "algorithm": "NONE", "issuedAt": int(time.time())})
    )
    assert response.status_code == 403 and "algorithm" in response.content.decode()


def test_canvas_refuses_everything_when_no_secret_is_configured(settings, rep, account):
    settings.SALESFORCE_CANVAS_CONSUMER_SECRET = ""
    response = canvas_post(
        Client(), signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, secret="")
    )
    assert response.status_code == 403 and "not configured" in response.content.decode()


def test_canvas_only_accepts_post(client):
    assert client.get(reverse("accounts:canvas")).status_code == 405


def test_verify_uses_a_constant_time_comparison(monkeypatch, rep, account):
    calls = []
    real = embed.hmac.compare_digest
    monkeypatch.setattr(embed.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    embed.verify_canvas_request(
        signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id), secret=CANVAS_SECRET
    )
    assert len(calls) == 1 and isinstance(calls[0][0], bytes)


def test_verify_measures_freshness_against_the_given_time(rep, account):
    issued = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    signed = signed_canvas_request(user_id=rep.crm_id, record_id=account.crm_id, issued_at=issued.timestamp())
    assert embed.verify_canvas_request(signed, secret=CANVAS_SECRET, now=issued + dt.timedelta(minutes=15))[
        "issuedAt"
    ]
    with pytest.raises(embed.CanvasRequestInvalid):
        embed.verify_canvas_request(
            signed, secret=CANVAS_SECRET, now=issued + dt.timedelta(minutes=15, seconds=1)
        )
    with pytest.raises(embed.CanvasRequestInvalid):
        embed.verify_canvas_request(signed, secret=CANVAS_SECRET, now=issued - dt.timedelta(minutes=1))
