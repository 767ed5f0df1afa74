"""Accounts, their mail domains, and the internal team that works them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Account(models.Model):
    class Tier(models.TextChoices):
        ENTERPRISE = "Enterprise", "Enterprise"
        MID_MARKET = "Mid-Market", "Mid-Market"
        SMB = "SMB", "SMB"

    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    name = models.CharField(max_length=255)
    website = models.CharField(max_length=255, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    company_size = models.PositiveIntegerField("employees", null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    account_type = models.CharField("type", max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    crm_last_modified = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="account_name_ci_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def primary_domain(self) -> str | None:
        for domain in self.domains.all():
            if domain.is_primary:
                return domain.domain
        return None


class AccountDomain(models.Model):
    """A registrable mail domain of an account: exactly one primary, any number of secondary.

    Two accounts may share a domain (a parent and a subsidiary, say). Capture then prefers the
    account that holds it as its primary domain, then the one with an open opportunity, then the
    oldest account; the rule lives in ``activities.services.matching``.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=255, db_index=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["account", "domain"], name="account_domain_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(is_primary=True), name="account_one_primary_domain"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({'primary' if self.is_primary else 'secondary'})"

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class AccountTeamMember(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_memberships"
    )
    role = models.CharField(
        max_length=80, blank=True, help_text="e.g. Sales Engineer, Customer Success Manager"
    )
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["account", "user"]
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="account_team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} on {self.account} ({self.role or 'member'})"
