"""`crm.client.salesforce_connect`: every login flow, with `responses` standing in for the
Salesforce login endpoints only, and the session-id flow against the real stand-in."""

import base64
import json
import re
from urllib.parse import parse_qs

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from crm.client import SalesforceNotConfigured, salesforce_connect, salesforce_http_session

SOAP_URL = "https://login.salesforce.com/services/Soap/u/59.0"
TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"
SOAP_LOGIN_OK = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">
<soapenv:Body><loginResponse><result>
<passwordExpired>false</passwordExpired><sandbox>false</sandbox>
<serverUrl>https://acme.my.salesforce.com/services/Soap/u/59.0/00D5g000004XYZA</serverUrl>
<sessionId>00D5g000004XYZA!soap-session</sessionId><userId>0055g00000ABCDeAAP</userId>
</result></loginResponse></soapenv:Body></soapenv:Envelope>"""
SOAP_LOGIN_REFUSED = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>
<faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring>
<detail><sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>
<sf:exceptionMessage>Invalid username, password, security token; or user locked out.</sf:exceptionMessage>
</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"""
TOKEN_OK = {
    "access_token": "00D5g000004XYZA!oauth-token",
    "instance_url": "https://acme.my.salesforce.com",
    "id": "https://login.salesforce.com/id/00D5g000004XYZAEA2/0055g00000ABCDeAAP",
    "token_type": "Bearer",
}


@pytest.fixture
def sf_settings(settings):
    """Every SALESFORCE_* setting reset, so the environment cannot leak into a test."""
    settings.SALESFORCE_MODE = "salesforce"
    settings.SALESFORCE_API_VERSION = "59.0"
    for name in (
        "INSTANCE_URL",
        "SESSION_ID",
        "USERNAME",
        "PASSWORD",
        "SECURITY_TOKEN",
        "CONSUMER_KEY",
        "CONSUMER_SECRET",
        "CA_BUNDLE",
        "PRIVATE_KEY_FILE",
    ):
        setattr(settings, f"SALESFORCE_{name}", "")
    settings.SALESFORCE_DOMAIN = "login"
    return settings


def form(call):
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


# -- session id ---------------------------------------------------------------------------


def test_session_id_flow_against_the_standin(sf_settings, salesforce_standin, monkeypatch):
    # The machine-wide bundle must not beat SALESFORCE_CA_BUNDLE.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    sf_settings.SALESFORCE_MODE = "standin"
    sf_settings.SALESFORCE_INSTANCE_URL = salesforce_standin.url
    sf_settings.SALESFORCE_SESSION_ID = salesforce_standin.session_id
    sf_settings.SALESFORCE_CA_BUNDLE = salesforce_standin.ca_path
    sf = salesforce_connect()
    assert sf.base_url == f"{salesforce_standin.url}/services/data/v59.0/"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6
    assert sf.Account.create({"Name": "Via settings"})["success"] is True


def test_standin_is_not_trusted_without_the_ca_bundle(sf_settings, salesforce_standin):
    sf = salesforce_connect(instance_url=salesforce_standin.url, session_id=salesforce_standin.session_id)
    with pytest.raises(requests.exceptions.SSLError):
        sf.query("SELECT Id FROM Account")


def test_api_version_comes_from_settings(sf_settings, salesforce_standin):
    sf_settings.SALESFORCE_API_VERSION = "58.0"
    sf = salesforce_connect(
        instance_url=salesforce_standin.url,
        session_id=salesforce_standin.session_id,
        ca_bundle=salesforce_standin.ca_path,
    )
    record = sf.query("SELECT Id FROM Account LIMIT 1")["records"][0]
    assert record["attributes"]["url"].startswith("/services/data/v58.0/")


# -- SOAP username / password / token -----------------------------------------------------


@responses.activate
def test_soap_login(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "s3cret&<"
    sf_settings.SALESFORCE_SECURITY_TOKEN = "TOKEN123"
    responses.post(SOAP_URL, body=SOAP_LOGIN_OK, status=200)
    sf = salesforce_connect()
    assert sf.session_id == "00D5g000004XYZA!soap-session"
    assert sf.sf_instance == "acme.my.salesforce.com"
    assert sf.base_url == "https://acme.my.salesforce.com/services/data/v59.0/"
    body = responses.calls[0].request.body
    assert "<n1:username>integration@acme.com</n1:username>" in body
    assert "<n1:password>s3cret&amp;&lt;TOKEN123</n1:password>" in body  # escaped, token appended
    assert responses.calls[0].request.headers["SOAPAction"] == "login"


@responses.activate
def test_soap_login_to_a_sandbox_without_a_token(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com.uat"
    sf_settings.SALESFORCE_PASSWORD = "pw"
    sf_settings.SALESFORCE_DOMAIN = "test"
    responses.post("https://test.salesforce.com/services/Soap/u/59.0", body=SOAP_LOGIN_OK)
    assert salesforce_connect().session_id == "00D5g000004XYZA!soap-session"
    assert "<n1:password>pw</n1:password>" in responses.calls[0].request.body


@responses.activate
def test_soap_login_refused(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "wrong"
    responses.post(SOAP_URL, body=SOAP_LOGIN_REFUSED, status=500)
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        salesforce_connect()
    assert caught.value.code == "INVALID_LOGIN"


# -- OAuth 2 username-password ------------------------------------------------------------


@responses.activate
def test_oauth_password_flow(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "pw"
    sf_settings.SALESFORCE_SECURITY_TOKEN = "TOKEN"
    sf_settings.SALESFORCE_CONSUMER_KEY = "3MVG9-key"
    sf_settings.SALESFORCE_CONSUMER_SECRET = "secret"
    responses.post(TOKEN_URL, json=TOKEN_OK)
    sf = salesforce_connect()
    assert sf.session_id == TOKEN_OK["access_token"]
    assert sf.sf_instance == "acme.my.salesforce.com"
    assert form(responses.calls[0]) == {
        "grant_type": "password",
        "client_id": "3MVG9-key",
        "client_secret": "secret",
        "username": "integration@acme.com",
        "password": "pwTOKEN",
    }


@responses.activate
def test_oauth_login_refused(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "pw"
    sf_settings.SALESFORCE_CONSUMER_KEY = "key"
    sf_settings.SALESFORCE_CONSUMER_SECRET = "secret"
    responses.post(
        TOKEN_URL, status=400, json={"error": "invalid_grant", "error_description": "authentication failure"}
    )
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        salesforce_connect()
    assert caught.value.code == "invalid_grant"


# -- OAuth 2 JWT bearer -------------------------------------------------------------------


@pytest.fixture
def private_key_file(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "server.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path, key.public_key()


@responses.activate
def test_jwt_bearer_flow(sf_settings, private_key_file):
    path, public_key = private_key_file
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_CONSUMER_KEY = "3MVG9-key"
    sf_settings.SALESFORCE_PRIVATE_KEY_FILE = str(path)
    responses.post(TOKEN_URL, json=TOKEN_OK)
    sf = salesforce_connect()
    assert sf.session_id == TOKEN_OK["access_token"]
    sent = form(responses.calls[0])
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        sent["assertion"], public_key, algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("3MVG9-key", "integration@acme.com")


def test_jwt_flow_needs_the_key_file_setting(sf_settings):
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_CONSUMER_KEY = "3MVG9-key"
    with pytest.raises(SalesforceNotConfigured) as caught:
        salesforce_connect(flow="jwt")
    assert caught.value.missing == ("SALESFORCE_PRIVATE_KEY_FILE",)


# -- OAuth 2 client credentials -----------------------------------------------------------


@responses.activate
def test_client_credentials_flow(sf_settings):
    sf_settings.SALESFORCE_CONSUMER_KEY = "3MVG9-key"
    sf_settings.SALESFORCE_CONSUMER_SECRET = "secret"
    sf_settings.SALESFORCE_DOMAIN = "acme.my"
    responses.post("https://acme.my.salesforce.com/services/oauth2/token", json=TOKEN_OK)
    sf = salesforce_connect()
    assert sf.session_id == TOKEN_OK["access_token"]
    call = responses.calls[0]
    assert form(call) == {"grant_type": "client_credentials"}
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(b"3MVG9-key:secret").decode()


def test_client_credentials_need_a_my_domain(sf_settings):
    sf_settings.SALESFORCE_CONSUMER_KEY = "3MVG9-key"
    sf_settings.SALESFORCE_CONSUMER_SECRET = "secret"
    with pytest.raises(SalesforceNotConfigured) as caught:
        salesforce_connect()
    assert caught.value.missing == ("SALESFORCE_DOMAIN",)


# -- CA bundle and re-login ---------------------------------------------------------------


@responses.activate
def test_login_flows_use_the_ca_bundle(sf_settings, tmp_path):
    bundle = tmp_path / "corporate-ca.pem"
    bundle.write_text("placeholder")
    sf_settings.SALESFORCE_CA_BUNDLE = str(bundle)
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "pw"
    responses.post(SOAP_URL, body=SOAP_LOGIN_OK)
    sf = salesforce_connect()
    assert sf.session.verify == str(bundle)
    assert responses.calls[0].request.req_kwargs["verify"] == str(bundle)


def test_expired_session_is_renewed_by_logging_in_again(sf_settings, salesforce_standin):
    """simple-salesforce logs in again on INVALID_SESSION_ID; the stand-in accepts the new token."""
    sf_settings.SALESFORCE_USERNAME = "integration@acme.com"
    sf_settings.SALESFORCE_PASSWORD = "pw"
    sf_settings.SALESFORCE_CONSUMER_KEY = "key"
    sf_settings.SALESFORCE_CONSUMER_SECRET = "secret"
    sf_settings.SALESFORCE_CA_BUNDLE = salesforce_standin.ca_path
    issued = []

    def token(request):
        issued.append(salesforce_standin.issue_session())
        body = {"access_token": issued[-1], "instance_url": salesforce_standin.url, "token_type": "Bearer"}
        return 200, {}, json.dumps(body)

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=token)
        mock.add_passthru(re.compile(re.escape(salesforce_standin.url)))
        sf = salesforce_connect()
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6
        salesforce_standin.faults.next("SESSION_EXPIRED")
        assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 14
    assert len(issued) == 2 and sf.session_id == issued[1]


# -- configuration errors ------------------------------------------------------------------


def test_off_mode_refuses_to_connect(sf_settings):
    sf_settings.SALESFORCE_MODE = "off"
    with pytest.raises(SalesforceNotConfigured, match="SALESFORCE_MODE is 'off'"):
        salesforce_connect()


def test_standin_mode_names_the_missing_settings(sf_settings):
    sf_settings.SALESFORCE_MODE = "standin"
    sf_settings.SALESFORCE_INSTANCE_URL = "https://127.0.0.1:8443"
    with pytest.raises(SalesforceNotConfigured) as caught:
        salesforce_connect()
    assert caught.value.missing == ("SALESFORCE_SESSION_ID",)
    assert "run_salesforce_standin" in str(caught.value)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, ("SALESFORCE_INSTANCE_URL", "SALESFORCE_SESSION_ID")),
        ({"USERNAME": "u@acme.com"}, ("SALESFORCE_PASSWORD",)),
        ({"SESSION_ID": "00D!x"}, ("SALESFORCE_INSTANCE_URL",)),
        # A consumer key without a secret reads as the JWT flow.
        ({"CONSUMER_KEY": "key", "USERNAME": "u@acme.com"}, ("SALESFORCE_PRIVATE_KEY_FILE",)),
    ],
)
def test_salesforce_mode_names_the_missing_settings(sf_settings, given, missing):
    for name, value in given.items():
        setattr(sf_settings, f"SALESFORCE_{name}", value)
    with pytest.raises(SalesforceNotConfigured) as caught:
        salesforce_connect()
    assert caught.value.missing == missing
    for name in missing:
        assert name in str(caught.value)


def test_unknown_flow_and_setting_are_programming_errors(sf_settings):
    with pytest.raises(ValueError):
        salesforce_connect(flow="telepathy")
    with pytest.raises(TypeError):
        salesforce_connect(instance="na1")


def test_http_session_without_a_bundle_trusts_the_system_and_times_out(settings):
    settings.SALESFORCE_CONNECT_TIMEOUT, settings.SALESFORCE_READ_TIMEOUT = 5.0, 45.0
    session = salesforce_http_session("")
    assert isinstance(session, requests.Session) and session.verify is True
    assert session.timeout == (5.0, 45.0)
