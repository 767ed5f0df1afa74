"""The parser on real mail: the 453 public Enron messages in tests/fixtures/enron-sample."""

import datetime as dt

from activities.parsing import ParsedActivity, parse_path
from activities.parsing.mail import parse_email_bytes
from tests.fixtures import ENRON_SAMPLE

ENRON = ENRON_SAMPLE


def enron(number: str) -> ParsedActivity:
    return parse_email_bytes((ENRON / f"{number}.eml").read_bytes(), source=f"{number}.eml")


def test_every_enron_message_parses_once_and_deterministically():
    results = list(parse_path(ENRON))

    assert len(results) == 453
    assert all(isinstance(result, ParsedActivity) for result in results)
    assert len({result.source_id for result in results}) == 453
    assert all(result.source_id.endswith(".JavaMail.evans@thyme") for result in results)
    assert all(result.occurred_at.tzinfo == dt.UTC for result in results)
    assert all(result.author is not None and result.author.role == "from" for result in results)
    assert results == list(parse_path(ENRON))


def test_mangled_to_addresses_are_recovered_from_x_to():
    activity = enron("0061")
    emails = {participant.email for participant in activity.participants}

    assert "'pp'@enron.com" not in emails and "laughlin'.'scott@enron.com" not in emails
    assert {"psellers@pacbell.net", "scottwl@hotmail.com", "jeff.dasovich@enron.com"} <= emails
    assert activity.warnings == (
        "skipped invalid To address(es) 'pp'@enron.com, laughlin'.'scott@enron.com; recovered 2 from X-To",
    )


def test_names_come_from_x_from_when_from_has_none():
    assert enron("0029").author.name == "Brian Day"  # X-From: Day, Brian (Denver)
    assert enron("0001").author.name == "Vince J Kaminski"  # X-From: Kaminski, Vince J


def test_sender_with_mangled_address_is_kept_with_a_warning():
    activity = enron("0003")

    assert activity.author.email == "a..shankman@enron.com"
    assert activity.warnings == (
        "sender address 'a..shankman@enron.com' is not a valid mailbox: kept as written",
    )


def test_outlook_reply_on_top_of_original_message():
    activity = enron("0001")

    assert activity.body.endswith("Shirley Crenshaw's number is 713 853 5290.")
    assert activity.signature == "Vince"
    assert activity.quoted_text.lstrip().startswith("-----Original Message-----")
    assert "Howard Kunreuther" in activity.quoted_text


def test_notes_forward_with_column_header_block():
    activity = enron("0115")

    assert activity.body == ""  # only a signature above the forwarded note
    assert activity.signature == "Kerry E. Carter\nAnalyst\nSimmons & Company International\n(713) 236-9999"
    assert activity.quoted_text.startswith("----- Forwarded by Kerry Carter/SCI on 11/26/01 03:02 PM -----")
    assert "This e-mail is based on information obtained" in activity.quoted_text


def test_notes_header_block_without_forward_line():
    activity = enron("0245")

    assert activity.body.endswith("I think it's around the corner though. Talk\nto you soon.")
    assert activity.quoted_text.lstrip().startswith("Gerald.Nemec@")


def test_bare_wrote_attribution_before_quotes():
    activity = enron("0040")

    assert activity.quoted_text.startswith("Scott.Maxfield@dynegy.com wrote:\n> THE ONLY PROBLEM")
    assert "wrote:" not in activity.body
