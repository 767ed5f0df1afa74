"""Sign-in forms that say when sign-in is locked, instead of "wrong password"."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .login_throttle import client_address, login_lockout


class _SaysWhenLocked:
    @property
    def has_locked_error(self) -> bool:
        return any(error.code == "locked" for error in self.non_field_errors().as_data())

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            locked = login_lockout(
                username=self.cleaned_data.get("username") or "", address=client_address(self.request)
            )
            if locked:
                raise forms.ValidationError(locked, code="locked") from None
            raise


class SignInForm(_SaysWhenLocked, AuthenticationForm):
    """The sign-in page's form."""


class AdminSignInForm(_SaysWhenLocked, AdminAuthenticationForm):
    """The admin's sign-in form."""
