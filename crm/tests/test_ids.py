"""Salesforce ids in their 15- and 18-character forms."""

import pytest

from crm.ids import salesforce_id_forms


@pytest.mark.parametrize(
    "value, forms",
    [
        ("001A0000006Vm9r", ["001A0000006Vm9r", "001A0000006Vm9rIAC"]),
        (" 001A0000006Vm9rIAC ", ["001A0000006Vm9rIAC", "001A0000006Vm9r"]),
        ("", []),
        ("001", []),
        ("001Dn000001AbC!", []),
        ("0010000000001AB999", ["0010000000001AB999", "0010000000001AB", "0010000000001ABAAY"]),
    ],
)
def test_salesforce_id_forms(value, forms):
    assert salesforce_id_forms(value) == forms


def test_salesforce_checksum_matches_the_known_example():
    # Salesforce's documented example: 001A0000006Vm9r → 001A0000006Vm9rIAC.
    assert salesforce_id_forms("001A0000006Vm9r")[-1] == "001A0000006Vm9rIAC"
    assert salesforce_id_forms("001A0000006Vm9rIAC") == ["001A0000006Vm9rIAC", "001A0000006Vm9r"]
