"""Who a request's session signs in: Django's ``ModelBackend`` with the user's query compiled once.

Every page load reads the signed-in user. Compiling ``User.objects.get(pk=...)`` took more CPU than
the rest of a cached page's own work (``backstory.compiled_queries``), so this backend binds only the
id into SQL compiled once per process. Signing in with a password is ModelBackend's, unchanged.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from backstory.compiled_queries import CompiledGet

_user_by_id = CompiledGet(lambda: get_user_model()._default_manager.all())


class UserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username is not None and password is not None:
            # Final: ModelBackend, listed after this one only for sessions signed in before it
            # existed, would check the same password again (a second slow hash per failure).
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        user = _user_by_id.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
