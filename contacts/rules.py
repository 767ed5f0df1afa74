"""Pure rules the contact engine applies to one address or one job title.

- `is_role_address`: automated senders and shared inboxes, which never become contacts.
- `seniority_from_title`, `department_from_title`, `persona_from`, `infer_title_profile`:
  the Seniority, Department and Persona fields Backstory writes on contacts it creates
  or enriches.

The tables below are the rules: each is read top to bottom and the first matching
line wins. Titles are matched on whole words after normalisation (lower case,
abbreviations such as `Sr.`, `VP`, `Dir.`, `Mgr` spelled out), so `Director` never
matches `Directory Services Engineer`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from accounts.domains import normalize_email, registrable_domain

# ---------------------------------------------------------------------------------------
# Role addresses
# ---------------------------------------------------------------------------------------

# Whole local parts of automated senders and shared inboxes. Separators are ignored, so
# `no_reply`, `no.reply` and `no-reply` are all `noreply`, and a local part made only of
# these words (`sales-team`, `it.support`) is one too. Only exact words count: `info.smith`,
# `infosmith` and `john.support` are people.
#
# Deliberately absent: legal, procurement, purchasing, contracts. Those mailboxes belong to
# a buying function that negotiates the deal (redlines, vendor forms) and are worth seeing
# on an opportunity; they still become a contact only with a person's first and last name.
ROLE_LOCAL_PARTS: frozenset[str] = frozenset(
    {
        # Automated senders
        "noreply",
        "donotreply",
        "no-address",
        "notifications",
        "notification",
        "notify",
        "alerts",
        "alert",
        "mailer-daemon",
        "postmaster",
        "bounce",
        "bounces",
        "daemon",
        "nobody",
        "root",
        "system",
        "automated",
        "autoreply",
        "auto-reply",
        "autoresponder",
        "updates",
        "reminders",
        "reminder",
        "digest",
        "invitations",
        "calendar",
        "calendar-notification",
        # Shared inboxes
        "info",
        "information",
        "support",
        "help",
        "helpdesk",
        "servicedesk",
        "service",
        "customerservice",
        "customercare",
        "sales",
        "marketing",
        "billing",
        "invoice",
        "invoices",
        "invoicing",
        "accounts",
        "accounts-payable",
        "accounts-receivable",
        "ap",
        "ar",
        "payables",
        "receivables",
        "payments",
        "orders",
        "admin",
        "administrator",
        "sysadmin",
        "webmaster",
        "hostmaster",
        "it",
        "hr",
        "jobs",
        "careers",
        "recruiting",
        "recruitment",
        "talent",
        "team",
        "staff",
        "everyone",
        "all",
        "hello",
        "contact",
        "contactus",
        "office",
        "reception",
        "frontdesk",
        "enquiries",
        "enquiry",
        "inquiries",
        "inquiry",
        "press",
        "media",
        "news",
        "newsletter",
        "newsletters",
        "announcements",
        "announce",
        "feedback",
        "security",
        "abuse",
        "privacy",
        # Mailing-list software
        "list",
        "lists",
        "listserv",
        "majordomo",
        "mailman",
        "subscribe",
        "unsubscribe",
    }
)

# Words that mark an automated address wherever they stand in the local part
# (`github-noreply`, `enron.announcements`, `notifications.isc`).
ROLE_LOCAL_WORDS: frozenset[str] = frozenset(
    {
        "noreply",
        "donotreply",
        "notifications",
        "announcements",
        "newsletter",
        "newsletters",
        "bounce",
        "bounces",
        "unsubscribe",
        "postmaster",
        "listserv",
        "majordomo",
        "autoreply",
        "autoresponder",
    }
)

# Mailing-list and bounce conventions, matched on the whole lower-case local part.
ROLE_LOCAL_PATTERNS: tuple[str, ...] = (
    r"(?:^|[._-])(?:no|do[._-]?not)[._-]?reply(?:$|[._+-])",  # jobs-no-reply, noreply-12345
    r"^mailer[._-]?daemon",
    r"-request$",  # Mailman/Majordomo administrative address
    r"^owner-|-owner$",  # list owner
    r"-l$",  # LISTSERV list name: rrga-l@
    r"\+(?:bounces?|bnc)",  # VERP bounce tags
    r"^(?:prvs|msprvs\d*|btv1)=",  # BATV-signed bounce address
    r"^srs[01][=+-]",  # Sender Rewriting Scheme
    r"^all[._-]",  # distribution lists: all.worldwide@enron.com
)

# Registrable domains that only send automated mail (email service providers' bounce and
# tracking domains, not the companies' own domains where their staff write from).
ROLE_SENDER_DOMAINS: frozenset[str] = frozenset(
    {
        "mcsv.net",
        "rsgsv.net",
        "mcdlv.net",
        "list-manage.com",  # Mailchimp
        "sendgrid.net",
        "amazonses.com",
        "mailgun.org",
        "mandrillapp.com",
        "sparkpostmail.com",
        "mktomail.com",
        "hubspotemail.net",
        "exacttarget.com",
        "ccsend.com",
        "createsend.com",
        "intercom-mail.com",
        "customeriomail.com",
        "qemailserver.com",
        "facebookmail.com",
        "docusign.net",
    }
)

# Subdomains of these are ticketing or campaign systems; the apex is the vendor's staff.
ROLE_SENDER_PARENT_DOMAINS: frozenset[str] = frozenset({"mailchimp.com", "zendesk.com", "freshdesk.com"})

# A subdomain label that marks a sending or list host: bounce.acme.com, list.rtowest.org.
ROLE_HOST_LABELS: frozenset[str] = frozenset(
    {
        "bounce",
        "bounces",
        "mailer",
        "mailers",
        "list",
        "lists",
        "listserv",
        "listserver",
        "notifications",
        "notification",
        "noreply",
        "no-reply",
        "alerts",
        "news",
        "newsletter",
        "newsletters",
        "reply",
    }
)

_SEPARATORS = re.compile(r"[._-]")
_ROLE_LOCAL_KEYS = frozenset(_SEPARATORS.sub("", part) for part in ROLE_LOCAL_PARTS)
_ROLE_LOCAL_REGEX = re.compile("|".join(ROLE_LOCAL_PATTERNS))


def _is_role_local_part(local: str) -> bool:
    if _ROLE_LOCAL_REGEX.search(local):
        return True
    # A `+tag` is chosen by the person (jane+newsletter@), so only the base is read.
    base = local.split("+", 1)[0]
    tokens = [token for token in _SEPARATORS.split(base) if token]
    if not tokens:
        return False
    if any(token in ROLE_LOCAL_WORDS for token in tokens):
        return True
    # A one-letter part is an initial: `a.p@` is a person, `ap@` is accounts payable.
    if len(tokens) > 1 and any(len(token) < 2 for token in tokens):
        return False
    return "".join(tokens) in _ROLE_LOCAL_KEYS or all(token in _ROLE_LOCAL_KEYS for token in tokens)


def _is_role_host(host: str) -> bool:
    domain = registrable_domain(host)
    if domain is None:
        return False
    if domain in ROLE_SENDER_DOMAINS:
        return True
    if host == domain:
        return False
    if domain in ROLE_SENDER_PARENT_DOMAINS:
        return True
    subdomain_labels = host[: -len(domain) - 1].split(".")
    return any(label in ROLE_HOST_LABELS for label in subdomain_labels)


def is_role_address(email: str | None) -> bool:
    """True for automated senders and shared inboxes, which never become contacts.

    Case-insensitive. Matches exact role local parts with separators ignored
    (`No_Reply@`, `help.desk@`, `support+123@`), the words and list/bounce patterns in
    `ROLE_LOCAL_WORDS` and `ROLE_LOCAL_PATTERNS`, and addresses on sending hosts
    (`ROLE_SENDER_DOMAINS`, `ROLE_SENDER_PARENT_DOMAINS`, `ROLE_HOST_LABELS`). A value
    that is not a valid address is not a role address (it is rejected earlier, by
    `normalize_email`).
    """
    address = normalize_email(email)
    if address is None:
        return False
    local, host = address.rsplit("@", 1)
    return _is_role_local_part(local) or _is_role_host(host)


# ---------------------------------------------------------------------------------------
# Seniority
# ---------------------------------------------------------------------------------------

C_LEVEL = "c_level"
VP = "vp"
DIRECTOR = "director"
MANAGER = "manager"
INDIVIDUAL_CONTRIBUTOR = "individual_contributor"
UNKNOWN = "unknown"

# Highest first, which is also the sort order.
SENIORITY_CHOICES: list[tuple[str, str]] = [
    (C_LEVEL, "C-Level"),
    (VP, "VP"),
    (DIRECTOR, "Director"),
    (MANAGER, "Manager"),
    (INDIVIDUAL_CONTRIBUTOR, "Individual Contributor"),
    (UNKNOWN, "Unknown"),
]
# Sort key: higher is more senior (`sorted(contacts, key=..., reverse=True)`).
SENIORITY_RANK: dict[str, int] = {
    C_LEVEL: 5,
    VP: 4,
    DIRECTOR: 3,
    MANAGER: 2,
    INDIVIDUAL_CONTRIBUTOR: 1,
    UNKNOWN: 0,
}
EXECUTIVE_SENIORITIES: frozenset[str] = frozenset({C_LEVEL, VP})

_C_SUITE_ACRONYMS = (
    "ceo",
    "cfo",
    "coo",
    "cto",
    "cio",
    "ciso",
    "cso",
    "cmo",
    "cro",
    "cpo",
    "cdo",
    "cdao",
    "cco",
    "cao",
    "clo",
    "chro",
    "cxo",
)


def _words(*phrases: str) -> str:
    """A pattern matching any of `phrases` as whole words (each may use regex syntax)."""
    return r"\b(?:" + "|".join(phrases) + r")\b"


# First match wins. Patterns run on the normalised title (see `_normalize_title`).
SENIORITY_RULES: list[tuple[str, str]] = [
    # Assistants to executives are not executives: "Assistant to the CEO", "EA to the MD".
    (
        _words(
            r"(?:executive|administrative|admin|personal|staff) assistant",
            r"assistant (?:to|for)",
            r"(?:ea|pa) to",
        ),
        INDIVIDUAL_CONTRIBUTOR,
    ),
    # Board seats rank with the owners, whatever the word "director" suggests.
    (
        _words(
            "board member",
            "board director",
            "member of the board",
            "non executive director",
            "board of directors",
        ),
        C_LEVEL,
    ),
    (_words(r"(?:deputy|associate|assistant) general counsel"), DIRECTOR),
    (_words("chief of staff"), DIRECTOR),
    # Agile and process "owners" own a backlog, not the company.
    (
        _words(
            r"(?:product|process|service|business process|data|systems?|application|platform|technical"
            r"|content|solutions?|control|risk) owner"
        ),
        INDIVIDUAL_CONTRIBUTOR,
    ),
    (_words(r"chief (?:\w+ ){0,3}officer", "chief executive", *_C_SUITE_ACRONYMS), C_LEVEL),
    (_words(r"(?<!vice )president", r"(?:co )?founder", r"(?:co )?owner", "proprietor"), C_LEVEL),
    (_words(r"chair(?:man|woman|person)?"), C_LEVEL),
    # The general counsel is the company's chief legal officer under another name.
    (_words("general counsel"), C_LEVEL),
    # "Partner" alone or as "Managing Partner", not "Partner Manager" or "Channel Partner".
    (r"(?:^|, )(?:managing |general |senior |founding |equity |name )?partner(?= ,|$)", C_LEVEL),
    # In banks an AVP ranks below a VP, roughly with a director elsewhere.
    (_words(r"(?:assistant|associate) vice president"), DIRECTOR),
    (_words("vice president"), VP),
    # A managing director outranks VPs in banks and at Enron (Analyst < Associate <
    # Manager < Director < VP < MD); in a UK firm it is the CEO. VP keeps it among the
    # executives either way without claiming the top seat.
    (_words("managing director"), VP),
    (_words("director", "general manager"), DIRECTOR),
    (
        _words("head of", r"(?:department|division|practice|team|group|global|regional|country) head"),
        DIRECTOR,
    ),
    (r"(?:^|, )head\b", DIRECTOR),  # "Head, Procurement"
    # Non-officer chiefs (Chief Architect, Chief Scientist, Chief Economist).
    (_words(r"chief \w+"), DIRECTOR),
    # "Manager" is a people manager ("Engineering Manager", "Manager, Procurement") unless
    # what is managed is a book of accounts or a product, project or program: those
    # titles are individual contributors ("Account Manager", "Product Manager").
    (_words(r"(?:senior )?group product manager"), MANAGER),
    (
        _words(
            r"(?:accounts?|key account|territory|client|customer|customer success|success|relationship"
            r"|partner|channel|alliances?|product|project|programme|program|community|case|category"
            r"|content|campaign|social media|events?|release) manager"
        ),
        INDIVIDUAL_CONTRIBUTOR,
    ),
    (_words("manager", "supervisor", r"(?:team|group) lead(?:er)?", "foreman", "superintendent"), MANAGER),
]

# Values that mean "no title".
_PLACEHOLDER_TITLES = frozenset(
    {"", "-", "--", "?", "n/a", "na", "none", "null", "nil", "unknown", "tbd", "tba", "title", "x"}
)

# Abbreviations spelled out before matching, one token at a time.
TITLE_ABBREVIATIONS: dict[str, str] = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "dir": "director",
    "mgr": "manager",
    "mngr": "manager",
    "asst": "assistant",
    "assoc": "associate",
    "exec": "executive",
    "vp": "vice president",
    "vicepresident": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "avp": "assistant vice president",
    "gvp": "group vice president",
    "rvp": "regional vice president",
    "gm": "general manager",
    "pres": "president",
    "cofounder": "co founder",
    "ops": "operations",
    "eng": "engineering",
    "engr": "engineer",
    "mktg": "marketing",
    "acct": "account",
    "mgmt": "management",
    "dept": "department",
    "dev": "development",
    "biz": "business",
    "coord": "coordinator",
    "rep": "representative",
    "spec": "specialist",
    "cust": "customer",
    "svcs": "services",
    "intl": "international",
}

# A reference to an executive ("... of the CEO", "... to the Chairman") says who someone
# works for, not their rank, so it is dropped before ranking.
_EXECUTIVE_REFERENCE = re.compile(
    r"\b(?:to|for|of) (?:the )?(?:(?:\w+ )?vice president|president|chair(?:man|woman|person)?"
    r"|founders?|owners?|chief executive|chief (?:\w+ ){0,3}officer|" + "|".join(_C_SUITE_ACRONYMS) + r")\b"
)


def _normalize_title(title: str) -> str:
    """Lower-case words separated by single spaces, clauses separated by ` , `."""
    # Accents off, so "Vice-Président" still reads as a vice president.
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("fp&a", "fpa")
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)  # V.P., C.E.O.
    text = re.sub(r"\bv\. p\b\.?", "vp", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # Vice-President, Co-Founder
    text = text.replace("&", " and ")
    text = re.sub(r"\s[-–—]+\s|[,/|;:()\[\]–—]", " , ", text)
    text = re.sub(r"[^a-z0-9, ]", " ", text)
    words: list[str] = []
    for word in text.split():
        if word == ",":
            if words and words[-1] != ",":
                words.append(word)
        else:
            words.extend(TITLE_ABBREVIATIONS.get(word, word).split())
    while words and words[-1] == ",":
        words.pop()
    return " ".join(words)


def _has_title(title: str | None) -> bool:
    return (
        isinstance(title, str)
        and title.strip().lower() not in _PLACEHOLDER_TITLES
        and any(ch.isalpha() for ch in title)
    )


_SENIORITY_REGEXES = [(re.compile(pattern), value) for pattern, value in SENIORITY_RULES]


@functools.lru_cache(maxsize=4096)
def seniority_from_title(title: str | None) -> str:
    """The seniority a job title implies, one of the `SENIORITY_CHOICES` values.

    The first matching line of `SENIORITY_RULES` wins, on whole words of the normalised
    title with references to an executive removed ("Assistant to the CEO" is an
    individual contributor). A title that matches no line is an individual contributor;
    an empty or placeholder title (`n/a`, `-`) is unknown.
    """
    if not _has_title(title):
        return UNKNOWN
    text = _EXECUTIVE_REFERENCE.sub(" ", _normalize_title(title))
    for regex, value in _SENIORITY_REGEXES:
        if regex.search(text):
            return value
    return INDIVIDUAL_CONTRIBUTOR


def is_executive(seniority: str | None) -> bool:
    """True for C-level and VP seniorities: the "executives engaged" of the metrics."""
    return seniority in EXECUTIVE_SENIORITIES


# ---------------------------------------------------------------------------------------
# Department
# ---------------------------------------------------------------------------------------

ENGINEERING = "engineering"
IT = "it"
SECURITY = "security"
PRODUCT = "product"
SALES = "sales"
MARKETING = "marketing"
CUSTOMER_SUCCESS = "customer_success"
FINANCE = "finance"
LEGAL = "legal"
PROCUREMENT = "procurement"
OPERATIONS = "operations"
HR = "hr"
EXECUTIVE = "executive"
DATA = "data"
OTHER = "other"

DEPARTMENT_CHOICES: list[tuple[str, str]] = [
    (EXECUTIVE, "Executive"),
    (ENGINEERING, "Engineering"),
    (IT, "IT"),
    (SECURITY, "Security"),
    (DATA, "Data"),
    (PRODUCT, "Product"),
    (SALES, "Sales"),
    (MARKETING, "Marketing"),
    (CUSTOMER_SUCCESS, "Customer Success"),
    (FINANCE, "Finance"),
    (LEGAL, "Legal"),
    (PROCUREMENT, "Procurement"),
    (OPERATIONS, "Operations"),
    (HR, "HR"),
    (OTHER, "Other"),
]

# First match wins. Specific phrases come before the words they contain ("Sales Engineer"
# before "engineer", "Product Marketing" before "product", "IT Security" before "IT").
DEPARTMENT_RULES: list[tuple[str, str]] = [
    # Functional chiefs name their department; the acronyms that are ambiguous take their
    # most common meaning in B2B buying: CSO = security, CRO = revenue, CPO = product.
    (_words("ciso", "cso", r"chief (?:information )?security officer"), SECURITY),
    (_words("cfo", "cao", r"chief (?:financial|finance|accounting|risk) officer"), FINANCE),
    (_words("cto", r"chief (?:technology|technical) officer"), ENGINEERING),
    (_words("cio", "chief information officer"), IT),
    (_words("cmo", r"chief (?:marketing|brand|growth|communications) officer"), MARKETING),
    (_words("cro", r"chief (?:revenue|sales|commercial) officer"), SALES),
    (_words("cpo", "chief product officer"), PRODUCT),
    (_words(r"chief (?:procurement|purchasing|supply chain) officer"), PROCUREMENT),
    (_words("coo", r"chief (?:operating|operations) officer"), OPERATIONS),
    (_words("chro", r"chief (?:people|human resources|talent) officer"), HR),
    (_words("clo", r"chief (?:legal|compliance) officer", "general counsel"), LEGAL),
    (_words("cdo", "cdao", r"chief (?:data|analytics|data and analytics) officer"), DATA),
    (_words("chief customer officer"), CUSTOMER_SUCCESS),
    # The CEO's own department, and the people who work for the CEO.
    (_words("ceo", "chief executive", r"(?<!vice )president"), EXECUTIVE),
    # Revenue operations serves and buys for the sales team, so it counts as sales.
    (_words(r"sales engineer\w*", r"solutions? (?:engineer|consultant|architect)\w*", r"pre ?sales"), SALES),
    (_words(r"(?:revenue|sales) operations", "revops", "sales enablement", "deal desk"), SALES),
    (_words("product marketing", "marketing operations"), MARKETING),
    (_words(r"(?:it|desktop|network|systems?) support", r"data ?cent(?:er|re)"), IT),
    (
        _words(
            r"customer (?:success|support|service|experience|care)",
            r"client services?",
            "technical support",
            r"support engineer\w*",
            "professional services",
        ),
        CUSTOMER_SUCCESS,
    ),
    (_words("security", r"cyber\w*", "infosec", "soc"), SECURITY),
    (
        _words(
            "data",
            "analytics",
            "business intelligence",
            "bi",
            "machine learning",
            "ml",
            "ai",
            "artificial intelligence",
            "statistician",
        ),
        DATA,
    ),
    (
        _words(
            "it",
            r"information (?:technology|systems)",
            "mis",
            "network",
            r"systems? admin\w*",
            "sysadmin",
            r"help ?desk",
            "service desk",
            "infrastructure",
            r"telecom\w*",
        ),
        IT,
    ),
    (
        _words(
            r"engineer(?:s|ing)?",
            "developer",
            "software",
            "devops",
            "sre",
            "site reliability",
            "qa",
            "quality assurance",
            r"architect(?:ure)?",
            "programmer",
            "technology",
            "tech",
            "research and development",
            "r and d",
            "firmware",
        ),
        ENGINEERING,
    ),
    (_words("product", "ux", "ui", r"user (?:experience|research)\w*"), PRODUCT),
    (
        _words(
            "marketing",
            "brand",
            r"communications?",
            "pr",
            "public relations",
            r"demand gen\w*",
            "growth",
            "content",
            r"events?",
            "seo",
            "social media",
            "creative",
            "copywriter",
            "advertising",
        ),
        MARKETING,
    ),
    # Enron-style trading and origination are the revenue line ("Sales & Trading").
    (
        _words(
            "sales",
            r"account (?:executive|manager|management|director)",
            "ae",
            "business development",
            "bdr",
            "sdr",
            "bdm",
            "commercial",
            "revenue",
            "channel",
            r"partnerships?",
            r"partner (?:manager|development|sales|account)",
            r"alliances?",
            r"trad(?:ing|ers?)",
            "origination",
            "originator",
        ),
        SALES,
    ),
    (_words("support", "implementation", "onboarding", "csm"), CUSTOMER_SUCCESS),
    (_words("procurement", "purchasing", "sourcing", "buyer", "vendor management", "supplier"), PROCUREMENT),
    (
        _words(
            r"financ(?:e|ial)",
            "accounting",
            "accountant",
            "controller",
            "comptroller",
            r"treasur(?:y|er)",
            "fpa",
            "tax",
            r"audit(?:or|ing)?",
            "payroll",
            "billing",
            "investor relations",
            "credit",
            "risk",
            "cpa",
            r"accounts (?:payable|receivable)",
            "ap",
            "ar",
            r"bookkeep\w*",
        ),
        FINANCE,
    ),
    (
        _words(
            "legal",
            "counsel",
            "attorney",
            "lawyer",
            "paralegal",
            "compliance",
            r"contracts?",
            "regulatory",
            r"government (?:affairs|relations)",
            "public policy",
            "privacy",
            "solicitor",
        ),
        LEGAL,
    ),
    (
        _words(
            "hr",
            "human resources",
            "people",
            "talent",
            r"recruit\w*",
            "compensation",
            "benefits",
            "learning and development",
            "hris",
        ),
        HR,
    ),
    (
        _words(
            "operations",
            "logistics",
            "supply chain",
            "facilities",
            "manufacturing",
            "production",
            "plant",
            "warehouse",
            "fleet",
            "office manager",
        ),
        OPERATIONS,
    ),
    # Generalist leaders with no function in their title.
    (
        _words(
            r"(?:co )?founder",
            "owner",
            "proprietor",
            r"chair(?:man|woman|person)?",
            "board",
            "managing director",
            "general manager",
            "partner",
            "chief of staff",
            r"chief (?:\w+ ){0,3}officer",
            "strategy",
            "executive",
        ),
        EXECUTIVE,
    ),
]

_DEPARTMENT_REGEXES = [(re.compile(pattern), value) for pattern, value in DEPARTMENT_RULES]


@functools.lru_cache(maxsize=4096)
def department_from_title(title: str | None) -> str:
    """The department a job title implies, one of the `DEPARTMENT_CHOICES` values.

    The first matching line of `DEPARTMENT_RULES` wins, on whole words of the normalised
    title: "VP of Engineering" → engineering, "CISO" → security, "Chief Financial
    Officer" → finance, "CEO" → executive, "Head of RevOps" → sales. A title that matches
    nothing, or no title, is `other`.
    """
    if not _has_title(title):
        return OTHER
    text = _normalize_title(title)
    for regex, value in _DEPARTMENT_REGEXES:
        if regex.search(text):
            return value
    return OTHER


# ---------------------------------------------------------------------------------------
# Persona
# ---------------------------------------------------------------------------------------

DECISION_MAKER = "decision_maker"
ECONOMIC_BUYER = "economic_buyer"
TECHNICAL_BUYER = "technical_buyer"
INFLUENCER = "influencer"
END_USER = "end_user"

# A champion is earned in a deal, not read from a title, so it is not a value here.
PERSONA_CHOICES: list[tuple[str, str]] = [
    (DECISION_MAKER, "Decision Maker"),
    (ECONOMIC_BUYER, "Economic Buyer"),
    (TECHNICAL_BUYER, "Technical Buyer"),
    (INFLUENCER, "Influencer"),
    (END_USER, "End User"),
    (UNKNOWN, "Unknown"),
]

PERSONA_BY_SENIORITY: dict[str, str] = {
    C_LEVEL: DECISION_MAKER,
    VP: DECISION_MAKER,
    DIRECTOR: INFLUENCER,
    MANAGER: INFLUENCER,
    INDIVIDUAL_CONTRIBUTOR: END_USER,
    UNKNOWN: UNKNOWN,
}

# Exceptions to the line above, by (seniority, department). Finance and procurement
# executives hold the budget; technical directors evaluate and choose the product. Above
# director a technical leader decides ("VP of Engineering" is a decision maker).
PERSONA_EXCEPTIONS: dict[tuple[str, str], str] = {
    (C_LEVEL, FINANCE): ECONOMIC_BUYER,
    (VP, FINANCE): ECONOMIC_BUYER,
    (C_LEVEL, PROCUREMENT): ECONOMIC_BUYER,
    (VP, PROCUREMENT): ECONOMIC_BUYER,
    (DIRECTOR, ENGINEERING): TECHNICAL_BUYER,
    (DIRECTOR, IT): TECHNICAL_BUYER,
    (DIRECTOR, SECURITY): TECHNICAL_BUYER,
    (DIRECTOR, DATA): TECHNICAL_BUYER,
}


def persona_from(seniority: str | None, department: str | None) -> str:
    """The buying persona for a seniority and department, one of `PERSONA_CHOICES`.

    `PERSONA_EXCEPTIONS` first, then `PERSONA_BY_SENIORITY`: C-level and VP are decision
    makers, except in finance and procurement where they are economic buyers; directors
    in engineering, IT, security and data are technical buyers; other directors and all
    managers are influencers; individual contributors are end users; unknown stays
    unknown.
    """
    exception = PERSONA_EXCEPTIONS.get((seniority, department))
    if exception is not None:
        return exception
    return PERSONA_BY_SENIORITY.get(seniority, UNKNOWN)


class TitleProfile(NamedTuple):
    seniority: str
    department: str
    persona: str


def infer_title_profile(title: str | None) -> TitleProfile:
    """Seniority, department and persona read from one job title."""
    seniority = seniority_from_title(title)
    department = department_from_title(title)
    return TitleProfile(seniority, department, persona_from(seniority, department))
