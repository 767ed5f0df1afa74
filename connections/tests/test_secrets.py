import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from connections.secrets import decrypt_secret, encrypt_secret

ROOT = Path(__file__).resolve().parents[2]


def test_a_secret_round_trips_and_a_rotated_key_still_reads_old_secrets(settings):
    old = Fernet.generate_key().decode()
    settings.BACKSTORY_SECRETS_KEY = old
    stored = encrypt_secret("app-password-1")
    assert stored.startswith("fernet:") and "app-password" not in stored

    settings.BACKSTORY_SECRETS_KEY = f"{Fernet.generate_key().decode()},{old}"

    assert decrypt_secret(stored) == "app-password-1"


def test_a_secret_under_a_lost_key_reads_as_empty_not_a_crash(settings):
    settings.BACKSTORY_SECRETS_KEY = Fernet.generate_key().decode()
    stored = encrypt_secret("app-password-1")
    settings.BACKSTORY_SECRETS_KEY = Fernet.generate_key().decode()

    assert decrypt_secret(stored) == ""


@pytest.mark.parametrize("configured", [False, True])
def test_check_deploy_warns_when_no_secrets_key_is_set(configured):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backstory.settings_production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check-only",
        "ALLOWED_HOSTS": "backstory.example.com",
    }
    env.pop("BACKSTORY_SECRETS_KEY", None)
    if configured:
        env["BACKSTORY_SECRETS_KEY"] = Fernet.generate_key().decode()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ("connections.W001" in result.stdout + result.stderr) is not configured
