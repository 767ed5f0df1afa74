"""What the People section is asked for, from GET parameters (no database)."""

import pytest

from pages.people import PeopleQuery


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, PeopleQuery()),
        ({"people": "internal", "sort": "seniority"}, PeopleQuery(audience="internal", sort="seniority")),
        ({"people": "everyone", "sort": "shoe size", "seniority": "emperor"}, PeopleQuery()),
        ({"seniority": "vp", "department": "finance"}, PeopleQuery(seniority="vp", department="finance")),
        ({"show": "9999"}, PeopleQuery(show=500)),
        ({"show": "-3"}, PeopleQuery(show=20)),
        ({"show": "lots"}, PeopleQuery(show=20)),
    ],
)
def test_people_query_from_params(params, expected):
    assert PeopleQuery.from_params(params) == expected
