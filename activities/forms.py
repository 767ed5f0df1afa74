"""Forms of the Engagement Log: its filters and Edit Match. Validation only; rules live in services."""

from __future__ import annotations

from django import forms

from accounts.models import Account
from opportunities.models import Opportunity

from .models import Activity
from .selectors import LOG_OUTCOMES, LogFilters


class LogFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, strip=True)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *Activity.Kind.choices]
    )
    outcome = forms.ChoiceField(
        label="Match", required=False, choices=[("", "Any match"), *LOG_OUTCOMES.items()]
    )
    account = forms.TypedChoiceField(label="Account", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    removed = forms.BooleanField(label="Removed from sync", required=False)
    review_for = forms.ModelChoiceField(
        label="May belong to",
        queryset=Opportunity.objects.select_related("account"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That opportunity does not exist (any more): open the log from its page again."
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [
            ("", "All accounts"),
            *Account.objects.order_by("name").values_list("id", "name"),
        ]
        if not user.is_admin:
            del self.fields["removed"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                f"The end date {end:%d %b %Y} is before the start date {start:%d %b %Y}: swap them.",
            )
        return cleaned

    def filters(self) -> LogFilters:
        """The filters to apply: every valid field is kept, an invalid one is left out (and shown)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return LogFilters(
            kind=data.get("kind") or "",
            outcome=data.get("outcome") or "",
            account_id=data.get("account"),
            date_from=data.get("date_from") if "date_to" not in self.errors else None,
            date_to=data.get("date_to"),
            search=data.get("q") or "",
            removed=bool(data.get("removed")),
            review_for=data.get("review_for"),
        )


class EditMatchForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"),
        required=False,
        empty_label="No account",
        error_messages={
            "invalid_choice": "That account does not exist (any more): choose one from the list."
        },
    )
    opportunities = forms.ModelMultipleChoiceField(
        queryset=Opportunity.objects.select_related("account"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Opportunity %(value)s does not exist (any more): choose from the list."
        },
    )
