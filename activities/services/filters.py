"""Local filters: domains, addresses and subject keywords whose activities are never captured."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.domains import domain_matches_rule, normalize_email
from contacts.models import LocalFilter


@dataclass(frozen=True)
class FilterRule:
    profile_id: int | None
    kind: str
    value: str

    def describe(self) -> str:
        label = dict(LocalFilter.Kind.choices)[self.kind].lower()
        scope = "every profile" if self.profile_id is None else "the owner's profile"
        return f"local filter on {label} “{self.value}” ({scope})"


@dataclass(frozen=True)
class FilterHit:
    rule: FilterRule
    matched: str

    @property
    def reason(self) -> str:
        return f"excluded by the {self.rule.describe()}: matched {self.matched}"


def _keyword_pattern(keyword: str) -> re.Pattern:
    # Whole words only: the keyword "sale" must not exclude "wholesale pricing".
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE)


class LocalFilterSet:
    """Every local filter, loaded once per import; ``hit`` reads no database."""

    def __init__(self, rules: Iterable[FilterRule]):
        self.rules = list(rules)
        self._keywords = [
            (r, _keyword_pattern(r.value)) for r in self.rules if r.kind == LocalFilter.Kind.SUBJECT_KEYWORD
        ]
        self._addresses: dict[str, list[FilterRule]] = {}
        self._domain_rules: list[FilterRule] = []
        for rule in self.rules:
            if rule.kind == LocalFilter.Kind.DOMAIN:
                self._domain_rules.append(rule)
            elif rule.kind == LocalFilter.Kind.ADDRESS:
                address = normalize_email(rule.value)
                if address and not rule.value.lstrip().startswith(("@", "*")):
                    self._addresses.setdefault(address, []).append(rule)
                else:
                    # An address filter holding "@acme.com" covers the domain, as address_matches_rule says.
                    self._domain_rules.append(rule)
        # The same hosts come back on every activity of a mailbox: decide each one once.
        self._by_host: dict[str, tuple[FilterRule, ...]] = {}

    @classmethod
    def load(cls) -> LocalFilterSet:
        return cls(
            FilterRule(p, k, v) for p, k, v in LocalFilter.objects.values_list("profile_id", "kind", "value")
        )

    def _rules_for_email(self, email: str) -> list[FilterRule]:
        host = email.rsplit("@", 1)[-1]
        by_domain = self._by_host.get(host)
        if by_domain is None:
            by_domain = tuple(rule for rule in self._domain_rules if domain_matches_rule(host, rule.value))
            self._by_host[host] = by_domain
        return [*self._addresses.get(email, ()), *by_domain]

    def hit(self, *, profile_id: int | None, subject: str, emails: Iterable[str]) -> FilterHit | None:
        """The first filter (global, or of the owner's profile) that excludes the activity, if any."""
        if not self.rules:
            return None

        # Seed (LocalFilter): "A filter with no profile applies to every user."
        def applies(rule: FilterRule) -> bool:
            return rule.profile_id is None or rule.profile_id == profile_id

        if self._addresses or self._domain_rules:
            for email in emails:
                for rule in self._rules_for_email(email):
                    if applies(rule):
                        return FilterHit(rule, email)
        if subject:
            for rule, pattern in self._keywords:
                if applies(rule) and pattern.search(subject):
                    return FilterHit(rule, f"the subject “{subject}”")
        return None
