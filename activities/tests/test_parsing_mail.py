"""Mail (.eml / .mbox) into email activities: MIME, charsets, participants, threading, errors."""

import datetime as dt
import hashlib
from pathlib import Path

from activities.parsing import ParsedActivity, ParseError, parse_path
from activities.parsing.mail import decode_text, parse_email_bytes

DATA = Path(__file__).parent / "data"
UTC = dt.UTC


def parse_one(name: str):
    results = list(parse_path(DATA / name))
    assert len(results) == 1
    return results[0]


def roles(activity):
    return {participant.email: participant.role for participant in activity.participants}


def test_multipart_alternative_prefers_plain_text_and_splits_reply_and_signature():
    activity = parse_one("multipart_alternative.eml")

    assert isinstance(activity, ParsedActivity)
    assert activity.kind == "email"
    assert activity.source_id == "CAF7x9Q2k1@mail.northwind-logistics.com"
    assert activity.occurred_at == dt.datetime(2024, 3, 12, 15, 42, 17, tzinfo=UTC)
    assert activity.subject == "Re: Brightlane renewal - pricing for 250 seats"
    assert activity.body.startswith("Hi Marcus,\n\nThanks for the revised quote.")
    assert "per-seat price drops to $38" in activity.body  # quoted-printable soft breaks joined
    assert activity.body.endswith("Best regards,")
    assert "HTML part" not in activity.body
    assert activity.quoted_text.startswith("On Tue, Mar 12, 2024 at 9:15 AM Marcus Chen")
    assert "> Attached is the quote for 250 seats" in activity.quoted_text
    assert activity.signature.startswith("Dana Whitfield\nDirector of Procurement")
    assert activity.duration_minutes is None
    assert activity.is_private is False


def test_multipart_participants_are_lower_cased_named_and_collapsed():
    activity = parse_one("multipart_alternative.eml")

    # marcus is in To and Cc: kept once, as "to".
    assert roles(activity) == {
        "dana.whitfield@northwind-logistics.com": "from",
        "marcus.chen@brightlane.io": "to",
        "priya.raman@northwind-logistics.com": "cc",
    }
    sender = activity.author
    assert (sender.name, sender.first_name, sender.last_name) == ("Dana Whitfield", "Dana", "Whitfield")


def test_threading_uses_first_reference_and_in_reply_to():
    activity = parse_one("multipart_alternative.eml")

    assert activity.thread_id == "20240305141000.1177@brightlane.io"
    assert activity.in_reply_to == "20240312091500.4411@brightlane.io"
    assert activity.raw_headers["In-Reply-To"] == "<20240312091500.4411@brightlane.io>"


def test_signature_details_of_the_sender():
    details = parse_one("multipart_alternative.eml").signature_details

    assert details.title == "Director of Procurement"
    assert details.phone == "(713) 555-0142"  # the direct line, not the fax
    assert details.company == "Northwind Logistics, Inc."
    assert (details.country, details.state) == ("US", "TX")


def test_html_only_mail_is_stripped_to_text_and_attachment_ignored():
    activity = parse_one("html_only.eml")

    assert activity.body == (
        "Hi Marcus,\n\nOur security team reviewed the questionnaire. Two open items:\n\n"
        "- SSO via SAML & SCIM provisioning\n\n- Data residency in the EU region\n\n"
        "Could your CISO join a call on Thursday? Café chat afterwards is on me.\n\nThanks,"
    )
    assert activity.signature == "Renée"
    assert activity.quoted_text == "> Marcus wrote: please find the questionnaire attached."
    assert "alert" not in activity.body and "color" not in activity.body
    assert "JVBERi0" not in activity.body  # the PDF attachment
    assert activity.author.name == "Renée Okafor"  # RFC 2047 display name


def test_outlook_forward_quotes_history_and_drops_disclaimer():
    activity = parse_one("forward_outlook.eml")

    assert activity.body == (
        "Marcus - see below from our InfoSec lead. Once the pen test summary is in,\n"
        "we can move the security review to approved and get legal started on redlines."
    )
    assert activity.quoted_text.startswith("-----Original Message-----\nFrom: Alicia Moreno")
    assert activity.signature == "Jonah Feld\nSr. Counsel\nContoso Energy LLC\n+1 415 555 0117"
    assert "CONFIDENTIALITY" not in activity.body + activity.signature
    assert activity.signature_details.title == "Sr. Counsel"
    assert activity.signature_details.phone == "+1 415 555 0117"


def test_enron_style_forward_and_names_from_x_headers():
    activity = parse_one("forward_enron_style.eml")

    assert activity.body.startswith("Marcus,\n\nOur legal team's redlines on the MSA are below.")
    assert activity.body.endswith("the indemnity carve-out is not.")
    assert activity.quoted_text.startswith("---------------------- Forwarded by Gwen Halvorsen/FPC")
    assert "Subject:  MSA redlines" in activity.quoted_text
    assert activity.signature_details.title == "Vice President, Energy Trading"
    assert activity.signature_details.company == "Fabrikam Power Company"
    # The From header has no display name; X-From has it.
    assert activity.author.name == "Gwen Halvorsen"
    recipient = activity.participants[1]
    assert (recipient.email, recipient.name) == ("marcus.chen@brightlane.io", "Marcus Chen")


def test_latin1_body_and_rfc2047_subject_and_sender():
    activity = parse_one("latin1_rfc2047.eml")

    assert activity.subject == "Preisübersicht für Müller Logistik"
    assert activity.author.name == "Jürgen Müller"
    assert "Geschäftsführer möchte" in activity.body
    # Bytes 0x93/0x94 in "ISO-8859-1" mail are Windows-1252 curly quotes.
    assert "“automatische Verlängerung”" in activity.body
    assert activity.signature.startswith("Jürgen Müller\nLeiter Einkauf")
    assert activity.warnings == ()


def test_windows_1252_base64_body():
    activity = parse_one("cp1252_base64.eml")

    assert "The budget is €48,000 for year one – firm." in activity.body
    assert activity.author.name == "Soé Laurent"


def test_unknown_charset_is_a_warning_not_an_error():
    activity = parse_one("unknown_charset.eml")

    assert isinstance(activity, ParsedActivity)
    assert activity.body == "Grüße Marcus, the pilot can start with 20 users in April."
    assert any("x-no-such-charset" in warning for warning in activity.warnings)


def test_lying_charset_falls_back_with_a_warning():
    activity = parse_one("lying_charset.eml")

    assert "The résumé of our champion" in activity.body
    assert activity.warnings == ("text is not valid utf-8: decoded by guessing",)


def test_sensitivity_private_marks_the_email_private():
    activity = parse_one("sensitivity_private.eml")

    assert activity.is_private is True
    assert activity.raw_headers["Sensitivity"] == "Private"


def test_company_confidential_is_not_private():
    raw = (
        b"Message-ID: <cc-1@acme.com>\nDate: Mon, 1 Apr 2024 10:00:00 +0000\n"
        b"From: ana@acme.com\nTo: bo@brightlane.io\nSensitivity: Company-Confidential\n"
        b"Subject: Internal pricing\n\nSee the floor price.\n"
    )

    assert parse_email_bytes(raw).is_private is False


def test_garbage_bytes_and_headerless_file_are_errors():
    for name in ("garbage.eml", "headerless.eml"):
        error = parse_one(name)
        assert isinstance(error, ParseError)
        assert error.source == str(DATA / name)
        assert error.reason == "no mail headers found: not an email message"


def test_empty_input_is_an_error():
    assert parse_email_bytes(b"  \n").reason == "empty message"


def test_missing_message_id_gets_a_stable_derived_id():
    activity = parse_one("missing_message_id.eml")
    raw = (DATA / "missing_message_id.eml").read_bytes()

    assert activity.source_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert activity.thread_id == activity.source_id
    assert activity.warnings == ("no Message-ID: source id derived from the message bytes",)
    assert parse_one("missing_message_id.eml") == activity


def test_broken_date_is_an_error_with_the_reason():
    error = parse_one("broken_date.eml")

    assert isinstance(error, ParseError)
    assert error.reason == "unparseable Date header: 'sometime next week'"


def test_date_without_zone_is_read_as_utc_with_a_warning():
    raw = (
        b"Message-ID: <tz-1@acme.com>\nDate: Mon, 1 Apr 2024 10:00:00 -0000\n"
        b"From: ana@acme.com\nTo: bo@brightlane.io\nSubject: x\n\nHello\n"
    )
    activity = parse_email_bytes(raw)

    assert activity.occurred_at == dt.datetime(2024, 4, 1, 10, 0, tzinfo=UTC)
    assert activity.warnings == ("Date header has no time zone: read as UTC",)


def test_missing_sender_is_an_error():
    raw = b"Message-ID: <nf@acme.com>\nDate: Mon, 1 Apr 2024 10:00:00 +0000\nTo: bo@brightlane.io\n\nHi\n"

    assert parse_email_bytes(raw).reason == "missing or invalid From address"


def test_bcc_is_a_participant_and_role_priority_wins():
    raw = (
        b"Message-ID: <bcc-1@acme.com>\nDate: Mon, 1 Apr 2024 10:00:00 +0000\n"
        b"From: Ana Ruiz <ana@acme.com>\nTo: bo@brightlane.io, not-an-address\n"
        b"Cc: ana@acme.com, cy@acme.com\nBcc: cy@acme.com, dee@acme.com\nSubject: x\n\nHi\n"
    )
    activity = parse_email_bytes(raw)

    assert roles(activity) == {
        "ana@acme.com": "from",
        "bo@brightlane.io": "to",
        "cy@acme.com": "cc",
        "dee@acme.com": "bcc",
    }
    assert [p.role for p in activity.participants] == ["from", "to", "cc", "bcc"]
    assert any("not-an-address" in warning for warning in activity.warnings)


def test_mbox_yields_each_message_and_an_error_for_the_broken_one():
    results = list(parse_path(DATA / "three_messages.mbox"))

    assert [type(result).__name__ for result in results] == ["ParsedActivity", "ParseError", "ParsedActivity"]
    assert results[1].position == "message 2"
    assert results[1].reason == "missing Date header"
    assert results[0].origin.endswith("three_messages.mbox message 1")
    reply = results[2]
    assert reply.thread_id == "mbox-1@northwind-logistics.com"
    assert reply.body == "72 hours works for us. I will send a clean DPA today."
    assert reply.quoted_text.startswith("> Marcus, legal sent their redlines")


def test_same_input_same_output():
    first = list(parse_path(DATA / "multipart_alternative.eml"))
    second = list(parse_path(DATA / "multipart_alternative.eml"))

    assert first == second


def test_decode_text_fallbacks():
    warnings: list[str] = []
    assert decode_text("Grüße".encode(), None, warnings) == "Grüße"
    assert decode_text(b"caf\xe9", "us-ascii", warnings) == "café"  # read as Windows-1252
    assert decode_text(b"\x81\x8d", "utf-8", warnings) == "\x81\x8d"  # last resort: Latin-1
    assert warnings == ["text is not valid utf-8: decoded by guessing"]


NESTED = b"""Message-ID: <nested-1@acme.com>
Date: Mon, 1 Apr 2024 10:00:00 +0000
From: Ana Ruiz <ana@acme.com>
To: marcus.chen@brightlane.io
Subject: Signed order form
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="related"

--related
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

The signed order form is attached.
--alt
Content-Type: text/html; charset=utf-8

<p>The <b>signed</b> order form is attached.</p>
--alt--
--related
Content-Type: image/png
Content-Disposition: inline; filename="logo.png"

iVBORw0KGgo=
--related--
--outer
Content-Type: text/plain; name="order-form.txt"
Content-Disposition: attachment; filename="order-form.txt"

Attachment text that is not the body.
--outer--
"""


def test_nested_multipart_finds_the_plain_body_and_ignores_attachments():
    activity = parse_email_bytes(NESTED)

    assert activity.body == "The signed order form is attached."
    assert activity.warnings == ()


def test_attachment_only_mail_has_no_body_and_says_so():
    raw = (
        b"Message-ID: <att-1@acme.com>\nDate: Mon, 1 Apr 2024 10:00:00 +0000\n"
        b"From: ana@acme.com\nTo: bo@brightlane.io\nSubject: deck\nMIME-Version: 1.0\n"
        b"Content-Type: application/pdf\nContent-Disposition: attachment; filename=deck.pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
    )
    activity = parse_email_bytes(raw)

    assert activity.body == ""
    assert activity.warnings == ("no text body",)


def test_no_date_header_is_dated_from_the_newest_received_header():
    # Issue 14: such messages were refused although a Received header could date them.
    raw = (
        b"Received: from mx2.acme.com by mail.lumen-analytics.com; Tue, 2 Apr 2024 09:15:02 -0700\n"
        b"Received: from laptop by mx2.acme.com; Tue, 2 Apr 2024 16:14:58 +0000\n"
        b"Message-ID: <nodate-1@acme.com>\nFrom: ana@acme.com\nTo: bo@brightlane.io\nSubject: x\n\nHello\n"
    )
    activity = parse_email_bytes(raw)

    assert activity.occurred_at == dt.datetime(2024, 4, 2, 16, 15, 2, tzinfo=dt.UTC)
    assert "no Date header: dated from the newest Received header" in activity.warnings


def test_no_date_and_no_received_header_is_still_refused_with_the_reason():
    raw = b"Message-ID: <nodate-2@acme.com>\nFrom: ana@acme.com\nTo: bo@brightlane.io\n\nHello\n"
    error = parse_email_bytes(raw)

    assert isinstance(error, ParseError) and error.reason == "missing Date header"
