"""The forms for a connection, on the Connections page and in the admin.

Secrets are write-only: the field is always shown empty, blank keeps the saved value, and nothing
in clear ever goes back to the browser.
"""

from __future__ import annotations

from django import forms

from .models import CalendarConnection, Connection, MailboxConnection

_SECRET_HELP = "Stored encrypted. Leave blank to keep the saved one."


class NameListField(forms.CharField):
    """A list of names typed one a line (or separated by commas)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        if isinstance(value, list):
            return value
        return [name.strip() for line in text.splitlines() for name in line.split(",") if name.strip()]


class SecretFieldsMixin:
    """Write-only secret fields; ``secrets_changed`` says whether any was entered."""

    secrets_changed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Connection.SECRET_FIELDS:
            if name in self.fields:
                saved = bool(self.instance.pk and getattr(self.instance, name))
                self.fields[name] = forms.CharField(
                    required=False,
                    strip=False,
                    label=self.fields[name].label,
                    widget=forms.PasswordInput(
                        render_value=False,
                        attrs={
                            "autocomplete": "new-password",
                            "placeholder": "•••••••• (saved)" if saved else "",
                        },
                    ),
                    help_text=_SECRET_HELP,
                )
                self.initial[name] = ""

    def clean(self):
        cleaned = super().clean()
        for name in Connection.SECRET_FIELDS:
            if name not in self.fields:
                continue
            if cleaned.get(name):
                self.secrets_changed = True
            else:
                cleaned[name] = getattr(self.instance, name, "") or ""
        auth = cleaned.get("auth")
        if auth == Connection.Auth.OAUTH2:
            if not (cleaned.get("access_token") or cleaned.get("refresh_token")):
                self.add_error(
                    "access_token", "Enter an access token, or a refresh token with its token URL."
                )
            if cleaned.get("refresh_token") and not cleaned.get("token_url"):
                self.add_error("token_url", "A refresh token needs the token URL to renew the access token.")
        elif self._password_required(cleaned) and not cleaned.get("password"):
            self.add_error("password", "Enter the password (for Gmail or Microsoft 365, an app password).")
        return cleaned

    def _password_required(self, cleaned) -> bool:
        return True

    def _post_clean(self):
        super()._post_clean()
        # Changing the server or account starts over: the old cursors describe another mailbox.
        if self.instance.pk and {"host", "port", "username", "url"} & set(self.changed_data):
            self.instance.backfill_finished_at = None


class MailboxConnectionForm(SecretFieldsMixin, forms.ModelForm):
    token_url = forms.URLField(required=False, assume_scheme="https", label="Token URL")
    folders = NameListField(
        required=False,
        help_text="One a line. Leave empty to read INBOX and the folder the server marks as Sent.",
    )

    class Meta:
        model = MailboxConnection
        fields = [
            "name",
            "host",
            "port",
            "security",
            "username",
            "auth",
            "password",
            "access_token",
            "refresh_token",
            "token_url",
            "client_id",
            "client_secret",
            "folders",
            "use_idle",
        ]
        labels = {"host": "IMAP server", "use_idle": "Capture new mail within seconds (IMAP IDLE)"}


class CalendarConnectionForm(SecretFieldsMixin, forms.ModelForm):
    url = forms.URLField(max_length=1000, assume_scheme="https", label="CalDAV or feed URL")
    token_url = forms.URLField(required=False, assume_scheme="https", label="Token URL")
    calendars = NameListField(
        required=False, help_text="Calendar names, one a line. Leave empty to read them all."
    )

    class Meta:
        model = CalendarConnection
        fields = [
            "name",
            "kind",
            "url",
            "username",
            "auth",
            "password",
            "access_token",
            "refresh_token",
            "token_url",
            "client_id",
            "client_secret",
            "calendars",
        ]
        labels = {"url": "CalDAV or feed URL"}

    def _password_required(self, cleaned) -> bool:
        # A published ICS feed is usually a secret URL with no sign-in at all.
        return cleaned.get("kind") == CalendarConnection.Kind.CALDAV or bool(cleaned.get("username"))
