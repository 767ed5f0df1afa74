"""Internal people: reps, managers, admins and the integration user."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    manager = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of the company using Backstory; may or may not also be a CRM user."""

    crm_id = models.CharField("CRM user id", max_length=18, null=True, blank=True, unique=True)
    title = models.CharField("title / role", max_length=120, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hire_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_integration_user = models.BooleanField(
        default=False, help_text="Owns records created for people who are not CRM users."
    )
    private_by_default = models.BooleanField(
        "mark my activities private",
        default=False,
        help_text="Every activity captured from this user's mailbox and calendar is private: counted, shown only to them and admins.",
    )
    configuration_profile = models.ForeignKey(
        "contacts.ConfigurationProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )

    class Meta:
        ordering = ["first_name", "last_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="user_email_ci_unique", condition=~models.Q(email="")
            ),
        ]

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_crm_user(self) -> bool:
        return bool(self.crm_id)

    @property
    def is_admin(self) -> bool:
        """An admin of Backstory (staff or superuser): sees every activity, private ones included,
        and may remove activities from sync."""
        return bool(self.is_staff or self.is_superuser)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Quota(models.Model):
    """A rep's quota for one period (a month, quarter or year)."""

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="quotas")
    period = models.CharField(max_length=10, choices=Period.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["user", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "start_date"], name="quota_unique_per_period"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="quota_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.period} from {self.start_date}: {self.amount}"


class LoginFailure(models.Model):
    """One failed sign-in: counted per username and per address to slow password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    failed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.failed_at:%Y-%m-%d %H:%M}"
