"""The fault run (RELIABILITY.md, "Salesforce"), small: a fifth of calls failing, a silent period and
one validation-rule refusal end with every other contact, role, Task and Event delivered once, no
junk, the unmatched email's Task gone, and the refused one on Sync problems with Salesforce's error."""

import io

import pytest
from django.core.management import call_command

from contacts.models import Contact


@pytest.mark.django_db
def test_a_small_fault_run_ends_in_the_expected_state():
    out = io.StringIO()
    call_command(
        "salesforce_fault_run", "--people", "6", "--silent-seconds", "2", "--read-timeout", "0.5", stdout=out
    )

    text = out.getvalue()
    for line in (
        "contacts delivered                 6 of 6",
        "duplicate contacts                 0",
        "junk contacts                      0",
        "refused contact on Sync problems   FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "tasks delivered                    4 of 4",
        "duplicate tasks (by Backstory id)  0",
        "events delivered                   2 of 2",
        "duplicate events (by Backstory id) 0",
        "task of the unmatched email        0 (created, then deleted)",
        "other entries not done             0",
    ):
        assert line in text, text
    assert not Contact.objects.filter(email="vera.valid@acme.com").exists()  # rolled back
