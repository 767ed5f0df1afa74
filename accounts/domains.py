"""Domain and address rules shared by ingest, account matching and the contact engine.

Domains match exactly on the registrable domain: eu.acme.com is acme.com;
acmepartners.com is not acme.com; free-mail domains match no account.

The registrable domain is the label just above the public suffix, taken from the
public-suffix list that ships inside tldextract (never fetched over the network).
Its private section is included, so `acme.uk.com` and `acme.github.io` stay distinct
companies instead of collapsing into `uk.com` and `github.io`.

Everything returned here is lower-case; internationalised domains come back in their
ASCII (punycode) form so the same company always has the same key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import tldextract
from django.conf import settings

# Offline on purpose: no suffix-list URLs and no cache directory, so the snapshot
# bundled with the package is the only source and nothing is written to disk.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# RFC 5322 atext plus the dot, and any non-ASCII character (RFC 6531). Dots are not
# checked for position: Exchange exports such as Enron's record senders as
# `j..kaminski@enron.com` or `.taylor@enron.com`, and those strings are the only
# stable key we have for that person.
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.\-\u0080-\U0010ffff]+$")
_WRAPPING = " \t\r\n'\"<>,;"
_NOT_A_WEBSITE = frozenset(
    {"", "n/a", "na", "none", "null", "-", "--", "tbd", "unknown", "http://", "https://"}
)


FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        # Google, Microsoft, Apple, Yahoo, AOL
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "hotmail.de",
        "hotmail.it",
        "hotmail.es",
        "hotmail.ca",
        "hotmail.com.au",
        "hotmail.com.br",
        "outlook.com",
        "outlook.fr",
        "outlook.de",
        "live.com",
        "live.co.uk",
        "live.fr",
        "live.ca",
        "msn.com",
        "passport.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "yahoo.it",
        "yahoo.es",
        "yahoo.ca",
        "yahoo.co.in",
        "yahoo.in",
        "yahoo.co.jp",
        "yahoo.com.au",
        "yahoo.com.br",
        "yahoo.com.mx",
        "yahoo.com.ar",
        "ymail.com",
        "rocketmail.com",
        "aol.com",
        "aol.co.uk",
        "aim.com",
        # Privacy-focused and independent providers
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "tuta.io",
        "fastmail.com",
        "fastmail.fm",
        "hey.com",
        "hushmail.com",
        "zoho.com",
        "zohomail.com",
        "mail.com",
        "email.com",
        "usa.com",
        "inbox.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "gmx.at",
        "gmx.ch",
        "gmx.fr",
        "web.de",
        "t-online.de",
        "freenet.de",
        "arcor.de",
        # Europe
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "alice.it",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "ntlworld.com",
        "talktalk.net",
        "blueyonder.co.uk",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        # Russia, Asia, Latin America
        "yandex.ru",
        "yandex.com",
        "ya.ru",
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "rambler.ru",
        "qq.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sohu.com",
        "naver.com",
        "hanmail.net",
        "daum.net",
        "rediffmail.com",
        "uol.com.br",
        "bol.com.br",
        "terra.com.br",
        # North American ISPs, including the ones Enron-era correspondents used
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "bellsouth.net",
        "earthlink.net",
        "mindspring.com",
        "cox.net",
        "charter.net",
        "optonline.net",
        "rr.com",
        "juno.com",
        "netzero.com",
        "netzero.net",
        "prodigy.net",
        "compuserve.com",
        "netscape.net",
        "excite.com",
        "lycos.com",
        "swbell.net",
        "pacbell.net",
        "flash.net",
        "alltel.net",
        "shaw.ca",
        "rogers.com",
        "sympatico.ca",
    }
)


def _clean(value: object) -> str:
    """Lower-cased text with wrapping whitespace, quotes, brackets and list commas removed."""
    if not isinstance(value, str):
        return ""
    return value.strip(_WRAPPING).lower()


def _ascii_host(host: str) -> str | None:
    """`host` as lower-case ASCII labels, or None when it is not a hostname at all."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return host


def _host_of(value: object) -> str | None:
    """The hostname inside a host, URL, `@domain` entry or email address."""
    text = _clean(value)
    if not text:
        return None
    if "://" in text:
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
        return _ascii_host(host) if host else None
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = re.sub(r":\d*$", "", text)
    return _ascii_host(text)


@functools.lru_cache(maxsize=65536)
def registrable_domain(host_or_email: str | None) -> str | None:
    """The lower-cased registrable domain of a host, URL or email address.

    `mail.acme.com` → `acme.com`, `john@eu.acme.co.uk` → `acme.co.uk`, `ACME.COM.` →
    `acme.com`. Hosts without a public suffix (`localhost`, `enron@enronxgate`), IP
    addresses, bare suffixes (`co.uk`) and anything that is not a hostname give None.
    Cached: ingest calls this for every participant of every activity.
    """
    host = _host_of(host_or_email)
    if host is None:
        return None
    parts = _EXTRACT(host)
    if not parts.domain or not parts.suffix:
        return None
    return parts.top_domain_under_public_suffix


def website_to_domain(website: str | None) -> str | None:
    """The registrable domain of a CRM `Website` value.

    Accepts what people type: `https://www.acme.com/`, `www.acme.com`, `acme.com/about`,
    `http://shop.acme.co.uk` (→ `acme.co.uk`). Empty values and placeholders such as
    `n/a` give None.
    """
    text = _clean(website)
    if text in _NOT_A_WEBSITE or " " in text:
        return None
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    return registrable_domain(text)


def normalize_email(email: str | None) -> str | None:
    """The address stripped, lower-cased and validated, or None when it is not one.

    Removes surrounding whitespace, quotes, angle brackets and a `mailto:` prefix
    (with any `?subject=` query). Valid means exactly one `@`; a local part of RFC 5322
    characters, so apostrophes (`paul.y'barbo@enron.com`, `smith'.'john@enron.com`)
    are kept; no spaces; and a domain of at least two valid labels
    (`enron@enronxgate` is rejected). Dot placement in the local part is not checked:
    see `_LOCAL_PART`.
    """
    text = _clean(email)
    if text.startswith("mailto:"):
        text = _clean(text[len("mailto:") :].split("?", 1)[0])
    if text.count("@") != 1 or len(text) > 254:
        return None
    local, domain = text.split("@")
    if not local or len(local) > 64 or not _LOCAL_PART.match(local) or local.strip(".") == "":
        return None
    host = _ascii_host(domain)
    if host is None or "." not in host:
        return None
    return f"{local}@{host}"


def email_domain(email: str | None) -> str | None:
    """The lower-cased domain after the `@` of a valid address (not reduced to its
    registrable domain), or None when `email` is not an address."""
    address = normalize_email(email)
    return address.rsplit("@", 1)[1] if address else None


def is_free_mail_domain(domain: str | None) -> bool:
    """True when a domain, host or address belongs to a consumer mail provider.

    Compared on the registrable domain, so `mail.yahoo.co.uk` and `jane@houston.rr.com`
    are free mail. Free-mail domains never identify an account.
    """
    return registrable_domain(domain) in FREE_MAIL_DOMAINS


def _is_same_or_subdomain(host: str, parent: str) -> bool:
    return host == parent or host.endswith("." + parent)


def is_internal_domain(domain: str | None, internal_domains: Iterable[str] | None = None) -> bool:
    """True when a domain, host or address belongs to our own company.

    The company's domains are `settings.BACKSTORY_INTERNAL_DOMAINS` unless given. A
    subdomain counts as its parent (`ect.enron.com` is internal when `enron.com` is),
    but not the reverse, so an entry can be narrower than a whole registrable domain.
    """
    host = _host_of(domain)
    if host is None:
        return False
    if internal_domains is None:
        internal_domains = settings.BACKSTORY_INTERNAL_DOMAINS
    for entry in internal_domains:
        parent = _host_of(entry.lstrip("@"))
        if parent and _is_same_or_subdomain(host, parent):
            return True
    return False


def _domain_rule(rule: str | None) -> tuple[str, bool] | None:
    """A blocklist domain entry as (host, subdomains_only), or None for address entries
    and garbage. `acme.com`, `@acme.com` and `*@acme.com` cover the domain and its
    subdomains; `*.acme.com` covers subdomains only."""
    text = _clean(rule)
    subdomains_only = text.startswith("*.")
    if subdomains_only:
        text = text[2:]
    elif text.startswith("*@"):
        text = text[2:]
    elif text.startswith("@"):
        text = text[1:]
    if not text or "@" in text:
        return None
    host = _ascii_host(text)
    return (host, subdomains_only) if host and "." in host else None


def domain_matches_rule(domain: str | None, rule: str | None) -> bool:
    """True when a domain (or the domain of an address) is covered by a blocklist entry.

    `acme.com` and `@acme.com` cover `acme.com` and `eu.acme.com` but not
    `acmepartners.com`; `*.acme.com` covers `eu.acme.com` but not `acme.com`. An
    address entry (`bob@acme.com`) covers no domain: see `address_matches_rule`.
    """
    parsed = _domain_rule(rule)
    host = _host_of(domain)
    if parsed is None or host is None:
        return False
    parent, subdomains_only = parsed
    if subdomains_only:
        return host.endswith("." + parent)
    return _is_same_or_subdomain(host, parent)


def address_matches_rule(email: str | None, rule: str | None) -> bool:
    """True when an address is covered by a blocklist entry of any kind.

    An address entry (`bob@acme.com`) matches that exact address, case-insensitively;
    a domain entry matches as in `domain_matches_rule`.
    """
    address = normalize_email(email)
    if address is None:
        return False
    if _domain_rule(rule) is not None:
        return domain_matches_rule(address.rsplit("@", 1)[1], rule)
    return normalize_email(rule) == address
