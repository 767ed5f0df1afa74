from django.core.checks import Warning, register

from .secrets import secrets_key_configured


@register(deploy=True)
def secrets_key_check(app_configs, **kwargs):
    """Production keeps connection passwords under a key of its own, not one derived from SECRET_KEY."""
    if secrets_key_configured():
        return []
    return [
        Warning(
            "BACKSTORY_SECRETS_KEY is not set: mailbox and calendar passwords are encrypted with a key "
            "derived from SECRET_KEY.",
            hint='Set BACKSTORY_SECRETS_KEY to a Fernet key (python -c "from cryptography.fernet import '
            'Fernet; print(Fernet.generate_key().decode())") and keep it apart from the database backups.',
            id="connections.W001",
        )
    ]
