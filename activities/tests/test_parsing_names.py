"""Names from display names, address checks and Exchange X-To lists: pure rules, in tables."""

import pytest

from activities.parsing import PersonName, name_from_address, parse_person_name
from activities.parsing.addresses import normalize_email, parse_display_list


@pytest.mark.parametrize(
    ("display", "full", "first", "last"),
    [
        ("Smith, John", "John Smith", "John", "Smith"),
        ('"Smith, John"', "John Smith", "John", "Smith"),
        ("Dr. Jane van der Berg", "Jane van der Berg", "Jane", "van der Berg"),
        ("Kaminski, Vince J", "Vince J Kaminski", "Vince", "Kaminski"),
        ("Day, Brian (Denver)", "Brian Day", "Brian", "Day"),
        ("Bransgrove. Alan", "Alan Bransgrove", "Alan", "Bransgrove"),  # Enron's typo for a comma
        ("JOHN SMITH", "John Smith", "John", "Smith"),
        ("mary o'brien", "Mary O'Brien", "Mary", "O'Brien"),
        ("Jürgen Müller", "Jürgen Müller", "Jürgen", "Müller"),
        ("Michael L [PVTC] Matthews", "Michael L Matthews", "Michael", "Matthews"),
        ("Vince", "Vince", "Vince", None),
        # Not people: no first or last name is invented.
        ("Sales Team", "Sales Team", None, None),
        (
            "Center for Research in Regulated Industries",
            "Center for Research in Regulated Industries",
            None,
            None,
        ),
        ("Steward Analytics, Inc", "Steward Analytics, Inc", None, None),
        ("1-800-Flowers.Com", "1-800-Flowers.Com", None, None),
        # Issue 14: a company after the name is never a surname; an initial is no surname at all.
        ("Pat Pipe | Acme", "Pat Pipe", "Pat", "Pipe"),
        ("Dan Dash - Acme", "Dan Dash", "Dan", "Dash"),
        ("Sue Secondary - Acme", "Sue Secondary", "Sue", "Secondary"),
        ("Sue Secondary – Acme Corp", "Sue Secondary", "Sue", "Secondary"),
        ("Lee Paren (Acme Corp)", "Lee Paren", "Lee", "Paren"),
        ("Ann Arbor at Acme", "Ann Arbor", "Ann", "Arbor"),
        ("Joe Bloggs via LinkedIn", "Joe Bloggs", "Joe", "Bloggs"),
        ("Jo Ray / Acme Analytics", "Jo Ray", "Jo", "Ray"),
        ("Pat Pipe (Sales) | Acme", "Pat Pipe", "Pat", "Pipe"),
        ("Mary Doe-Smith", "Mary Doe-Smith", "Mary", "Doe-Smith"),
        ("Sue S.", "Sue S.", "Sue", None),
        ("Sue S", "Sue S", "Sue", None),
        # Real display names from the Enron sample (X-From), suffixes and middle initials kept right.
        ("Taylor, Mark E (Legal)", "Mark E Taylor", "Mark", "Taylor"),
        ("Williams, Joanna (TX)", "Joanna Williams", "Joanna", "Williams"),
        ("Ward, Kim S (Houston)", "Kim S Ward", "Kim", "Ward"),
        ("Boots, Kelly H.", "Kelly H. Boots", "Kelly", "Boots"),
        ("Bland Jr., Ted C.", "Ted C. Bland", "Ted", "Bland"),
        ("Kaminski, Vince J.", "Vince J. Kaminski", "Vince", "Kaminski"),
    ],
)
def test_parse_person_name(display, full, first, last):
    assert parse_person_name(display) == PersonName(full, first, last)


@pytest.mark.parametrize("display", [None, "", "  ", "kcarter@simmonsco-intl.com", "'", "1234"])
def test_no_display_name_gives_no_name(display):
    assert parse_person_name(display) == PersonName(None, None, None)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("john.smith@acme.com", PersonName("John Smith", "John", "Smith", is_guess=True)),
        ("JOHN.SMITH@acme.com", PersonName("John Smith", "John", "Smith", is_guess=True)),
        ("jsmith@acme.com", None),
        ("sales@acme.com", None),
        ("john.q.smith@acme.com", None),
        ("j.smith@acme.com", None),
    ],
)
def test_name_from_address_guesses_only_first_dot_last(address, expected):
    assert name_from_address(address) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("John.Smith@Acme.COM", "john.smith@acme.com"),
        (" <ana@acme.com> ", "ana@acme.com"),
        ("mailto:Ana@Acme.com", "ana@acme.com"),
        ("o'brien@acme.ie", "o'brien@acme.ie"),
        ("smith'.'john@enron.com", None),  # Exchange-mangled
        ("'pp'@enron.com", None),
        ("a..shankman@enron.com", None),
        ("IMCEANOTES-+22Ann+22@ENRON.com", None),
        ("ana@localhost", None),
        ("not-an-address", None),
        ("", None),
    ],
)
def test_normalize_email(value, expected):
    assert normalize_email(value) == expected


def test_lenient_email_keeps_a_sender_with_stray_dots():
    assert normalize_email("a..shankman@enron.com", lenient=True) == "a..shankman@enron.com"
    assert normalize_email("'pp'@enron.com", lenient=True) is None


def test_parse_display_list_splits_exchange_lists():
    value = (
        "'PP' <psellers@pacbell.net>, Dasovich, Jeff </O=ENRON/OU=NA/CN=RECIPIENTS/CN=JDASOVIC>, "
        "'Scott Laughlin' <scottwl@hotmail.com>"
    )

    assert parse_display_list(value) == [
        ("'PP'", "psellers@pacbell.net"),
        ("Dasovich, Jeff", None),
        ("'Scott Laughlin'", "scottwl@hotmail.com"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kaminski, Vince J", [("Kaminski, Vince J", None)]),
        ("KCarter@simmonsco-intl.com", [("", "kcarter@simmonsco-intl.com")]),
        (
            '"Bransgrove. Alan" <Alan.Bransgrove@xemkt.com>@ENRON',
            [('"Bransgrove. Alan"', "alan.bransgrove@xemkt.com")],
        ),
        ("", []),
        (None, []),
    ],
)
def test_parse_display_list_edge_cases(value, expected):
    assert parse_display_list(value) == expected


def test_no_enron_sender_gets_a_company_or_an_initial_as_surname():
    import re

    from activities.parsing import parse_path
    from tests.fixtures import ENRON_SAMPLE

    surnames = [
        (activity.author.name, activity.author.last_name)
        for activity in parse_path(ENRON_SAMPLE)
        if activity.author and activity.author.last_name
    ]
    assert len(surnames) > 300
    bad = [
        pair
        for pair in surnames
        if re.fullmatch(r"\w\.?", pair[1]) or pair[1].lower() in {"enron", "corp", "inc"}
    ]
    assert bad == []
