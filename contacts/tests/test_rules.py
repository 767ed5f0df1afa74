"""Table-driven tests for the address and title rules (no database)."""

import pytest

from contacts.rules import (
    DEPARTMENT_CHOICES,
    PERSONA_CHOICES,
    SENIORITY_CHOICES,
    SENIORITY_RANK,
    TitleProfile,
    department_from_title,
    infer_title_profile,
    is_executive,
    is_role_address,
    persona_from,
    seniority_from_title,
)

ROLE_ADDRESSES = [
    # no-reply in every spelling
    "noreply@acme.com",
    "NoReply@Acme.com",
    "no-reply@acme.com",
    "no_reply@acme.com",
    "no.reply@acme.com",
    "donotreply@acme.com",
    "do-not-reply@acme.com",
    "Do_Not_Reply@acme.com",
    "noreply-12345@acme.com",
    "drive-shares-noreply@google.com",
    "messages-noreply@linkedin.com",
    "noreply@salesforce.com",
    # automated senders
    "notifications@github.com",
    "notification@acme.com",
    "alerts@acme.com",
    "MAILER-DAEMON@acme.com",
    "mailer_daemon@acme.com",
    "postmaster@acme.com",
    "bounce@acme.com",
    "bounces+123=jane=acme.com@acme.com",
    "daemon@acme.com",
    "calendar@acme.com",
    "calendar-notification@google.com",
    # shared inboxes
    "info@acme.com",
    "support@salesforce.com",
    "support+ticket-4821@acme.com",
    "help@acme.com",
    "helpdesk@acme.com",
    "help.desk@acme.com",
    "sales@acme.com",
    "marketing@nymex.com",
    "billing@acme.com",
    "invoices@acme.com",
    "accounts-payable@acme.com",
    "accounts.payable@acme.com",
    "ap@acme.com",
    "ar@acme.com",
    "admin@acme.com",
    "administrator@houstontech.org",
    "webmaster@acme.com",
    "hostmaster@acme.com",
    "hr@acme.com",
    "jobs@acme.com",
    "careers@acme.com",
    "recruiting@acme.com",
    "team@acme.com",
    "hello@acme.com",
    "contact@acme.com",
    "office@acme.com",
    "enquiries@acme.co.uk",
    "inquiries@acme.com",
    "press@acme.com",
    "media@acme.com",
    "news@forestweb.com",
    "newsletter@acme.com",
    "feedback@acme.com",
    "security@acme.com",
    "abuse@acme.com",
    "staff@haas.berkeley.edu",
    "sales-team@acme.com",
    "it.support@acme.com",
    # mailing lists and bounce conventions
    "list@acme.com",
    "listserv@acme.com",
    "majordomo@acme.com",
    "ferc-request@acme.org",
    "owner-energy@acme.org",
    "energy-bounces@lists.acme.org",
    "rrga-l@list.rtowest.org",
    "powerindex@list.intcx.com",
    "alliance_info@listserver.eei.org",
    "prvs=1234abcd5e=jane@acme.com",
    "SRS0=abcd=XY=acme.com=jane@forwarder.io",
    # Enron's own announcement and distribution lists
    "enron.announcements@enron.com",
    "announcements.enron@enron.com",
    "notifications.isc@enron.com",
    "all.worldwide@enron.com",
    "no.address@enron.com",
    # sending hosts and email service providers
    "jane@bounce.acme.com",
    "news@mailer.acme.com",
    "jane@notifications.acme.com",
    "x@calendar-server.bounces.google.com",
    "reply+abc123@reply.github.com",
    "us1-abc@mail123.suw11.mcsv.net",
    "0100abc@amazonses.com",
    "a@bounces.amazonses.com",
    "bounce@sendgrid.net",
    "acme@list-manage.com",
    "dse@docusign.net",
    "campaign@us5.mailchimp.com",
    "support@acme.zendesk.com",
]

PERSON_ADDRESSES = [
    "john.smith@acme.com",
    "jeff.skilling@enron.com",
    "vince.kaminski@enron.com",
    "j..kaminski@enron.com",
    "paul.y'barbo@enron.com",
    # prefix matching would misfire on these
    "info.smith@acme.com",
    "infosmith@acme.com",
    "infante@acme.com",
    "john.support@acme.com",
    "sales.jones@acme.com",
    "salesky@acme.com",
    "helen@acme.com",
    "hrishikesh@acme.com",
    "apatel@acme.com",
    "arthur@acme.com",
    "newsome@acme.com",
    "billy@acme.com",
    "allison@acme.com",
    "admin.jones@acme.com",
    "jo.hr@acme.com",
    # initials, not accounts payable or human resources
    "a.p@acme.com",
    "h.r@acme.com",
    # a person's own sub-address tag
    "jane+newsletter@gmail.com",
    # function mailboxes of a buying committee are kept (documented decision)
    "legal@acme.com",
    "procurement@acme.com",
    "purchasing@acme.com",
    "contracts@acme.com",
    # hosts that only look automated
    "jane@mail.acme.com",
    "dan.skopec@mail.house.gov",
    "mike@list.com",
    "kate@newsweek.com",
    "kate@mailchimp.com",
    "rob.smith@sendgrid.com",
    "marc.benioff@salesforce.com",
    # not an address at all
    "noreply",
    "",
    None,
]


@pytest.mark.parametrize("email", ROLE_ADDRESSES)
def test_role_addresses_are_recognised(email):
    assert is_role_address(email) is True


@pytest.mark.parametrize("email", PERSON_ADDRESSES)
def test_person_addresses_are_not_role_addresses(email):
    assert is_role_address(email) is False


def test_role_tables_are_large_enough():
    assert len(ROLE_ADDRESSES) >= 40
    assert len(PERSON_ADDRESSES) >= 20


C, V, D, M, IC, U = "c_level", "vp", "director", "manager", "individual_contributor", "unknown"

SENIORITY_CASES = [
    # C-level
    ("CEO", C),
    ("ceo", C),
    ("C.E.O.", C),
    ("Chief Executive Officer", C),
    ("Chief Revenue Officer", C),
    ("Chief Information Security Officer", C),
    ("Founder & CEO", C),
    ("Co-Founder", C),
    ("Cofounder and CTO", C),
    ("President", C),
    ("President & CEO, Enron North America", C),
    ("Owner", C),
    ("Business Owner", C),
    ("Chairman & CEO", C),
    ("Vice Chairman, Office of the Chairman", C),
    ("Interim CFO", C),
    ("SVP & Chief Marketing Officer", C),
    ("Executive Vice President & Chief Risk Officer", C),
    ("General Counsel", C),
    ("Managing Partner", C),
    ("Partner, Deloitte", C),
    ("Board Member", C),
    ("Non-Executive Director", C),
    # VP
    ("EVP", V),
    ("SVP Sales", V),
    ("Sr. VP", V),
    ("Vice President, Energy Trading", V),
    ("Vice President, Enron Americas", V),
    ("VP of Engineering", V),
    ("Vice-President", V),
    ("V.P.", V),
    ("V. P. Marketing", V),
    ("Corporate Vice President", V),
    ("Area Vice President, Sales", V),
    ("VP, Office of the CEO", V),
    ("Vice President and General Manager", V),
    ("Managing Director", V),
    ("Managing Director - Gas Trading", V),
    # Director
    ("Director", D),
    ("Sr. Director, IT", D),
    ("Senior Director of Product Management", D),
    ("Dir. of Ops", D),
    ("Director, Government Affairs", D),
    ("Executive Director", D),
    ("Head of Security", D),
    ("Global Head of Sales", D),
    ("Head, Procurement", D),
    ("General Manager", D),
    ("GM, EMEA", D),
    ("Chief of Staff to the CEO", D),
    ("Chief Architect", D),
    ("Assistant Vice President", D),
    ("Associate General Counsel", D),
    ("Assistant General Counsel", D),
    # Manager
    ("Engineering Manager", M),
    ("Manager, Procurement", M),
    ("Sr. Manager, Risk Management", M),
    ("Manager of IT", M),
    ("Mgr, Gas Logistics", M),
    ("Sales Manager", M),
    ("Assistant Manager", M),
    ("Group Product Manager", M),
    ("Supervisor, Accounts Payable", M),
    ("Team Lead, Support", M),
    # Individual contributor
    ("Account Manager", IC),
    ("Senior Account Manager", IC),
    ("Key Account Manager", IC),
    ("Customer Success Manager", IC),
    ("Product Manager", IC),
    ("Project Manager", IC),
    ("Product Owner", IC),
    ("Account Executive", IC),
    ("Senior Software Engineer", IC),
    ("Directory Services Engineer", IC),
    ("Analyst", IC),
    ("Sr. Specialist", IC),
    ("Associate", IC),
    ("Counsel", IC),
    ("Senior Counsel", IC),
    ("Assistant to the CEO", IC),
    ("Executive Assistant to the President", IC),
    ("Executive Assistant to the Managing Director", IC),
    ("Administrative Assistant", IC),
    ("Founding Engineer", IC),
    ("Principal Engineer", IC),
    ("Data Scientist", IC),
    ("Sr. Trader", IC),
    ("Intern", IC),
    # Unknown
    ("", U),
    ("   ", U),
    ("n/a", U),
    ("N/A", U),
    ("-", U),
    ("?", U),
    ("unknown", U),
    (None, U),
]


@pytest.mark.parametrize(("title", "expected"), SENIORITY_CASES)
def test_seniority_from_title(title, expected):
    assert seniority_from_title(title) == expected


DEPARTMENT_CASES = [
    ("VP of Engineering", "engineering"),
    ("Engineering Manager", "engineering"),
    ("Senior Software Engineer", "engineering"),
    ("CTO", "engineering"),
    ("Founder & CTO", "engineering"),
    ("Director of DevOps", "engineering"),
    ("CIO", "it"),
    ("Sr. Director, IT", "it"),
    ("Network Engineer", "it"),
    ("IT Support Specialist", "it"),
    ("Systems Administrator", "it"),
    ("CISO", "security"),
    ("Chief Information Security Officer", "security"),
    ("Head of Security", "security"),
    ("IT Security Manager", "security"),
    ("Product Manager", "product"),
    ("Chief Product Officer", "product"),
    ("UX Researcher", "product"),
    ("SVP Sales", "sales"),
    ("Chief Revenue Officer", "sales"),
    ("Account Executive", "sales"),
    ("Account Manager", "sales"),
    ("Head of RevOps", "sales"),
    ("Revenue Operations Manager", "sales"),
    ("Sales Engineer", "sales"),
    ("Solutions Architect", "sales"),
    ("Business Development Representative", "sales"),
    ("Vice President, Energy Trading", "sales"),
    ("Managing Director - Gas Trading", "sales"),
    ("CMO", "marketing"),
    ("Product Marketing Manager", "marketing"),
    ("Director of Communications", "marketing"),
    ("Customer Success Manager", "customer_success"),
    ("Technical Support Engineer", "customer_success"),
    ("Support Specialist", "customer_success"),
    ("Chief Financial Officer", "finance"),
    ("CFO", "finance"),
    ("Controller", "finance"),
    ("Director, FP&A", "finance"),
    ("Manager, Risk Management", "finance"),
    ("Credit Analyst", "finance"),
    ("General Counsel", "legal"),
    ("Counsel", "legal"),
    ("Assistant General Counsel", "legal"),
    ("Director, Government Affairs", "legal"),
    ("Director of Procurement", "procurement"),
    ("Manager, Procurement", "procurement"),
    ("Purchasing Agent", "procurement"),
    ("COO", "operations"),
    ("Dir. of Ops", "operations"),
    ("Office Manager", "operations"),
    ("VP, People", "hr"),
    ("Chief Human Resources Officer", "hr"),
    ("Recruiter", "hr"),
    ("CEO", "executive"),
    ("Founder & CEO", "executive"),
    ("President", "executive"),
    ("Owner", "executive"),
    ("Chairman", "executive"),
    ("Managing Director", "executive"),
    ("Chief of Staff", "executive"),
    ("Assistant to the CEO", "executive"),
    ("Data Scientist", "data"),
    ("Data Engineer", "data"),
    ("Chief Data Officer", "data"),
    ("Director of Business Intelligence", "data"),
    ("Analyst", "other"),
    ("Sr. Specialist", "other"),
    ("Vice President, Enron Americas", "other"),
    ("", "other"),
    (None, "other"),
]


@pytest.mark.parametrize(("title", "expected"), DEPARTMENT_CASES)
def test_department_from_title(title, expected):
    assert department_from_title(title) == expected


PERSONA_CASES = [
    (C, "executive", "decision_maker"),
    (C, "engineering", "decision_maker"),
    (V, "sales", "decision_maker"),
    (V, "engineering", "decision_maker"),
    (C, "finance", "economic_buyer"),
    (V, "finance", "economic_buyer"),
    (C, "procurement", "economic_buyer"),
    (V, "procurement", "economic_buyer"),
    (D, "engineering", "technical_buyer"),
    (D, "it", "technical_buyer"),
    (D, "security", "technical_buyer"),
    (D, "data", "technical_buyer"),
    (D, "finance", "influencer"),
    (D, "marketing", "influencer"),
    (D, "other", "influencer"),
    (M, "engineering", "influencer"),
    (M, "procurement", "influencer"),
    (IC, "engineering", "end_user"),
    (IC, "finance", "end_user"),
    (U, "other", "unknown"),
    (U, "finance", "unknown"),
    (None, None, "unknown"),
]


@pytest.mark.parametrize(("seniority", "department", "expected"), PERSONA_CASES)
def test_persona_from(seniority, department, expected):
    assert persona_from(seniority, department) == expected


PROFILE_CASES = [
    ("VP of Engineering", TitleProfile("vp", "engineering", "decision_maker")),
    ("Chief Financial Officer", TitleProfile("c_level", "finance", "economic_buyer")),
    ("VP Procurement", TitleProfile("vp", "procurement", "economic_buyer")),
    ("Sr. Director, IT", TitleProfile("director", "it", "technical_buyer")),
    ("Director of Procurement", TitleProfile("director", "procurement", "influencer")),
    ("Engineering Manager", TitleProfile("manager", "engineering", "influencer")),
    ("Account Manager", TitleProfile("individual_contributor", "sales", "end_user")),
    ("Assistant to the CEO", TitleProfile("individual_contributor", "executive", "end_user")),
    ("", TitleProfile("unknown", "other", "unknown")),
]


@pytest.mark.parametrize(("title", "expected"), PROFILE_CASES)
def test_infer_title_profile(title, expected):
    assert infer_title_profile(title) == expected


@pytest.mark.parametrize(
    ("seniority", "expected"),
    [(C, True), (V, True), (D, False), (M, False), (IC, False), (U, False), (None, False)],
)
def test_is_executive(seniority, expected):
    assert is_executive(seniority) is expected


def test_choices_cover_every_value_the_rules_return():
    seniorities = {value for value, _ in SENIORITY_CHOICES}
    departments = {value for value, _ in DEPARTMENT_CHOICES}
    personas = {value for value, _ in PERSONA_CHOICES}
    assert seniorities == {C, V, D, M, IC, U}
    assert "champion" not in personas
    assert {seniority_from_title(t) for t, _ in SENIORITY_CASES} <= seniorities
    assert {department_from_title(t) for t, _ in DEPARTMENT_CASES} == departments
    assert {persona_from(s, d) for s, d, _ in PERSONA_CASES} == personas


def test_seniority_rank_sorts_c_level_first():
    assert [value for value, _ in SENIORITY_CHOICES] == sorted(
        SENIORITY_RANK, key=SENIORITY_RANK.get, reverse=True
    )
    assert dict(SENIORITY_CHOICES)[C] == "C-Level"
    assert dict(SENIORITY_CHOICES)[IC] == "Individual Contributor"
