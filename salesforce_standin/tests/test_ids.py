"""Salesforce ids: the case-safe checksum and the ids the stand-in mints."""

import pytest

from salesforce_standin import ids


@pytest.mark.parametrize(
    ("id15", "id18"),
    [
        ("a0D30000001n7Pi", "a0D30000001n7PiEAI"),  # the example Salesforce documents
        ("001000000000000", "001000000000000AAA"),
        ("00QABCDEABCDEAB", "00QABCDEABCDEAB255"),
        ("0015g00000ABCDe", "0015g00000ABCDeAAP"),
    ],
)
def test_checksum_matches_the_salesforce_algorithm(id15, id18):
    assert ids.to_18(id15) == id18
    assert ids.to_18(id18) == id18


@pytest.mark.parametrize("value", ["001Dn0000000001", "001Dn0000000001IAA", "a0D30000001n7PiEAI"])
def test_well_formed_accepts_15_and_18_character_ids(value):
    assert ids.is_well_formed(value)


@pytest.mark.parametrize(
    "value",
    ["", "001", "001Dn0000000001IAB", "001Dn0000000001I", "001Dn00000!0001", "a0D30000001n7PiEAi", None, 42],
)
def test_well_formed_rejects_bad_ids_and_wrong_checksums(value):
    assert not ids.is_well_formed(value)


def test_minted_ids_carry_the_prefix_and_a_valid_checksum():
    for prefix in ids.KEY_PREFIXES.values():
        minted = ids.make_id(prefix, 987654)
        assert len(minted) == 18
        assert minted.startswith(prefix)
        assert ids.is_well_formed(minted)
        assert ids.to_18(minted[:15]) == minted


def test_key_prefixes_are_the_real_ones():
    assert ids.KEY_PREFIXES["Account"] == "001"
    assert ids.KEY_PREFIXES["Contact"] == "003"
    assert ids.KEY_PREFIXES["User"] == "005"
    assert ids.KEY_PREFIXES["Opportunity"] == "006"
    assert ids.KEY_PREFIXES["OpportunityHistory"] == "008"
    assert ids.KEY_PREFIXES["OpportunityContactRole"] == "00K"
    assert ids.KEY_PREFIXES["Lead"] == "00Q"
    assert ids.KEY_PREFIXES["Task"] == "00T"
    assert ids.KEY_PREFIXES["Event"] == "00U"


def test_to_18_refuses_malformed_ids():
    with pytest.raises(ValueError):
        ids.to_18("not-an-id")
