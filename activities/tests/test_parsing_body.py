"""The body splitter: new text, quoted history, signature and disclaimers; HTML to text."""

import pytest

from activities.parsing import AuthorHint, PersonName, html_to_text, split_message_text

DANA = AuthorHint.from_person(
    PersonName("Dana Whitfield", "Dana", "Whitfield"), "dana.whitfield@northwind-logistics.com"
)


def split(text, author=DANA):
    return split_message_text(text, author)


def test_gmail_reply_with_wrapped_attribution():
    result = split(
        "Works for us.\n\nOn Tue, Mar 12, 2024 at 9:15 AM Marcus Chen\n<marcus@brightlane.io> wrote:\n"
        "> Can we do $38 per seat?\n> Marcus\n"
    )

    assert result.body == "Works for us."
    assert result.quoted_text.startswith("On Tue, Mar 12, 2024 at 9:15 AM Marcus Chen")
    assert result.quoted_text.endswith("> Marcus")
    assert result.signature == ""


def test_bottom_posted_answers_stay_new_text():
    result = split(
        "Marcus Chen <marcus@brightlane.io> wrote:\n> Is the 3-year term OK?\n\n"
        "Yes, if the uplift is capped at 5%.\n\n> And the SOC 2 report?\n\nWe need it before signing.\n"
    )

    assert result.body == "Yes, if the uplift is capped at 5%.\n\nWe need it before signing."
    assert result.quoted_text == (
        "Marcus Chen <marcus@brightlane.io> wrote:\n> Is the 3-year term OK?\n> And the SOC 2 report?"
    )


def test_outlook_header_block_without_original_message_line():
    result = split(
        "Approved on our side.\n\n________________________________\n"
        "From: Marcus Chen <marcus@brightlane.io>\nSent: Monday, March 11, 2024 4:02 PM\n"
        "To: Dana Whitfield\nSubject: Order form v3\n\nPlease approve v3.\n"
    )

    assert result.body == "Approved on our side."
    assert result.quoted_text.startswith("From: Marcus Chen")


def test_notes_header_block_with_sender_line_above():
    result = split(
        "See the legal note below.\n\n"
        '"Leon Brandt" <lbrandt@fabrikam-power.com> on 03/14/2024 04:45:12 PM\n'
        "To:\tgwen.halvorsen@fabrikam-power.com\ncc:\t \nSubject:\tMSA redlines\n\n"
        "Section 9.2 must exclude data-breach claims.\n"
    )

    assert result.body == "See the legal note below."
    assert result.quoted_text.startswith('"Leon Brandt" <lbrandt@fabrikam-power.com> on 03/14/2024')


def test_dash_dash_signature_delimiter():
    result = split("Pricing attached.\n\n-- \nDana Whitfield | Northwind\n+1 713 555 0142\n")

    assert result.body == "Pricing attached."
    assert result.signature == "Dana Whitfield | Northwind\n+1 713 555 0142"


def test_signature_block_after_sign_off_without_the_author_name():
    author = AuthorHint(local_part="procurement", domain="northwind-logistics.com")
    result = split(
        "Please send the order form.\n\nRegards,\n\nCraig Jefferies\nPresident\nCKB Energy, Inc.\n"
        "(917) 445 1189\n",
        author,
    )

    assert result.body == "Please send the order form.\n\nRegards,"
    assert result.signature.startswith("Craig Jefferies\nPresident")


def test_disclaimer_is_dropped_from_body_and_signature():
    result = split(
        "The redlines are fine.\n\nDana Whitfield\nDirector of Procurement\n"
        "The information contained in this e-mail may be privileged, confidential,\n"
        "and protected from disclosure. If you are not the intended recipient, you\n"
        "are hereby notified that any dissemination is strictly prohibited.\n"
    )

    assert result.body == "The redlines are fine."
    assert result.signature == "Dana Whitfield\nDirector of Procurement"
    assert result.disclaimer.startswith("The information contained in this e-mail")


def test_mailing_list_footer_is_dropped():
    result = split(
        "Join our pricing webinar on Thursday.\n\nTo unsubscribe from these updates, reply with REMOVE.\n"
    )

    assert result.body == "Join our pricing webinar on Thursday."


def test_postscript_below_the_signature_is_new_text():
    result = split(
        "Contract attached.\n\nDana Whitfield\nDirector of Procurement\n(713) 555-0142\n\n"
        "P.S. Legal wants the DPA too.\n"
    )

    assert result.signature == "Dana Whitfield\nDirector of Procurement\n(713) 555-0142"
    assert result.body == "Contract attached.\n\nP.S. Legal wants the DPA too."


def test_tagline_below_the_signature_stays_with_it():
    result = split(
        "Thanks!\n\nDana Whitfield\nDirector of Procurement\n(713) 555-0142\n"
        "Northwind Logistics is a proud sponsor of the Houston Food Bank and its volunteers.\n"
    )

    assert result.body == "Thanks!"
    assert result.signature.endswith("Houston Food Bank and its volunteers.")


@pytest.mark.parametrize(
    "text",
    [
        "Dana will send the revised order form tomorrow morning.",
        "We agreed on $38 per seat.\nSecurity review is next week.",
        "Thanks,\nthe procurement team",
    ],
)
def test_no_signature_is_better_than_a_wrong_one(text):
    result = split(text)

    assert result.signature == ""
    assert result.body == text


def test_sign_off_name_is_the_signature():
    result = split("Sounds good, see you Thursday.\n\nDana\n")

    assert result.body == "Sounds good, see you Thursday."
    assert result.signature == "Dana"


def test_trailing_attachment_markers_stay_in_the_body():
    result = split(
        "Redlines attached.\n\nDana Whitfield\nDirector of Procurement\n\n"
        " <<MSA redlines v2.doc>>\n - MSA redlines v2.doc\n"
    )

    assert result.signature == "Dana Whitfield\nDirector of Procurement"
    assert result.body == "Redlines attached.\n\n<<MSA redlines v2.doc>>\n- MSA redlines v2.doc"


def test_html_to_text():
    html = (
        "<html><head><style>p{}</style><script>var x = 1;</script></head><body>"
        "<p>Hi&nbsp;Dana,</p><p>Price: 38&euro; &amp; up</p><div>Line one<br>Line two</div>"
        "<ul><li>SSO</li><li>SCIM</li></ul><!-- tracking --><blockquote><p>old</p>"
        "<blockquote>older</blockquote></blockquote></body></html>"
    )

    assert html_to_text(html) == (
        "Hi Dana,\n\nPrice: 38€ & up\n\nLine one\nLine two\n\n- SSO\n\n- SCIM\n\n> old\n>\n> > older"
    )


def test_business_text_mentioning_confidentiality_is_kept():
    text = "Important: the pricing below is confidential until we sign.\n\nTier 1: $38 per seat."

    assert split(text).body == text


@pytest.mark.parametrize(
    "text",
    [
        # A colleague's details passed on below the author's text: not the author's signature.
        "Please call my colleague about the invoice.\n\nJohn Smith\nVP Sales, Contoso\n+1 312 555 0100",
        "Regards,\n\nJohn Smith\nDirector of Finance\n(713) 555-0101",
        "Here is who to talk to:\n\nJohn Smith - Head of IT\nCell 415 555 0199",
    ],
)
def test_a_block_opening_with_another_persons_name_is_not_the_authors_signature(text):
    # Issue 14: the author is Dana Whitfield; John Smith's title and phone are not hers.
    assert split(text).signature == ""


def test_a_block_with_no_text_of_the_author_before_it_is_not_a_signature():
    text = "Vice President, Energy Trading\nFabrikam Power Company\n(713) 853-5620"
    assert split(text).signature == ""


def test_the_authors_own_block_stays_her_signature_after_her_text():
    text = "See you Thursday.\n\nDana Whitfield\nDirector of Procurement\n+1 713 555 0142"
    assert split(text).signature.startswith("Dana Whitfield\nDirector of Procurement")


@pytest.mark.parametrize("number", ["0042", "0080", "0144", "0186", "0226", "0314", "0407"])
def test_enron_messages_ending_with_another_persons_card_give_the_author_no_title(number):
    # Real Enron mail: Donna Brock's message ends with LaWanza Spears' card, Christi Nicolay's
    # with Marcus Nettelton's, ... Before issue 14 the author got that person's title and phone.
    from activities.parsing.mail import parse_email_bytes
    from tests.fixtures import ENRON_SAMPLE

    details = parse_email_bytes((ENRON_SAMPLE / f"{number}.eml").read_bytes()).signature_details
    assert (details.title, details.phone) == (None, None)
