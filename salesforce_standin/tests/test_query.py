"""SOQL through the real simple-salesforce client over HTTPS: filters, relationships,
ordering, paging, queryAll and the error codes."""

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from salesforce_standin import ids


def names(result, key="Name"):
    return [record[key] for record in result["records"]]


def error_code(caught):
    return caught.value.content[0]["errorCode"]


def test_records_carry_attributes_and_requested_fields(salesforce_standin):
    result = salesforce_standin.sf.query("SELECT Id, Name, Website FROM Account WHERE Name = 'Initech'")
    assert result["totalSize"] == 1 and result["done"] is True
    record = result["records"][0]
    assert list(record) == ["attributes", "Id", "Name", "Website"]
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{record['Id']}",
    }
    assert ids.is_well_formed(record["Id"]) and record["Id"].startswith("001")


def test_field_names_come_back_in_schema_case(salesforce_standin):
    record = salesforce_standin.sf.query("select name, WEBSITE from ACCOUNT where name = 'initech'")[
        "records"
    ][0]
    assert record["Name"] == "Initech" and record["Website"] == "www.initech.io"
    prefixed = salesforce_standin.sf.query("SELECT Account.Name FROM Account WHERE Account.Name = 'Initech'")
    assert prefixed["records"][0]["Name"] == "Initech"  # a leading object name is allowed


def test_parent_relationships_nest_records(salesforce_standin):
    result = salesforce_standin.sf.query(
        "SELECT Name, Account.Name, Account.Owner.Email, Owner.Email FROM Contact WHERE Email = 'rita.moreno@acme.com'"
    )
    record = result["records"][0]
    assert record["Account"]["attributes"]["type"] == "Account"
    assert record["Account"]["Name"] == "Acme Corporation"
    assert record["Account"]["Owner"]["Email"] == "priya.raman@lumen-analytics.com"
    assert record["Owner"]["Email"] == "priya.raman@lumen-analytics.com"


def test_empty_lookup_renders_null(salesforce_standin):
    record = salesforce_standin.sf.query("SELECT Name, Account.Name FROM Contact WHERE LastName = 'Marsh'")[
        "records"
    ][0]
    assert record["Account"] is None


def test_polymorphic_who_and_what(salesforce_standin):
    result = salesforce_standin.sf.query(
        "SELECT Subject, Who.Name, What.Name FROM Task WHERE Subject = 'Call Lucius about data platform'"
    )
    record = result["records"][0]
    assert record["Who"]["attributes"]["type"] == "Lead"
    assert record["Who"]["Name"] == "Lucius Fox"
    assert record["What"] is None
    events = salesforce_standin.sf.query(
        "SELECT What.Name FROM Event WHERE WhatId != null ORDER BY StartDateTime"
    )
    assert {r["What"]["attributes"]["type"] for r in events["records"]} == {"Account", "Opportunity"}


def test_filter_on_related_fields(salesforce_standin):
    result = salesforce_standin.sf.query(
        "SELECT Name FROM Opportunity WHERE Account.Name = 'Acme Corporation' ORDER BY Name"
    )
    assert names(result) == ["Acme - EMEA Expansion", "Acme - FY26 Platform Renewal"]
    via_ids = salesforce_standin.sf.query(
        "SELECT OpportunityId, ContactId FROM OpportunityContactRole WHERE Contact.Email = 'hank@globex.com'"
    )
    assert via_ids["totalSize"] == 1


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'initech'", ["Initech"]),  # text equality ignores case, as in SOQL
        ("Name != 'Initech' AND Tier__c = 'Tier 1'", ["Acme Corporation", "Globex Industries"]),
        ("Name <> 'Initech' AND Tier__c = 'Tier 2'", ["Umbrella Health"]),
        ("NumberOfEmployees < 850", ["Soylent Foods"]),
        ("NumberOfEmployees <= 850", ["Initech", "Soylent Foods"]),
        ("NumberOfEmployees > 5200", ["Globex Industries"]),
        ("NumberOfEmployees >= 5200", ["Acme Corporation", "Globex Industries"]),
        ("AnnualRevenue > 1000000000.5", ["Acme Corporation", "Globex Industries"]),
        ("Name IN ('Initech', 'Globex Industries', 'Nope')", ["Globex Industries", "Initech"]),
        ("Tier__c NOT IN ('Tier 1', 'Tier 2')", ["Soylent Foods", "Stark Logistics GmbH"]),
        ("Name LIKE 'acme%'", ["Acme Corporation"]),
        ("Name LIKE '%health'", ["Umbrella Health"]),
        ("Name LIKE 'Init_ch'", ["Initech"]),
        ("Website = null", ["Soylent Foods"]),
        ("Website != null AND Tier__c = 'Tier 3'", ["Stark Logistics GmbH"]),
        (
            "(Tier__c = 'Tier 1' OR Tier__c = 'Tier 3') AND BillingCountry = 'Germany'",
            ["Stark Logistics GmbH"],
        ),
        ("NOT Tier__c IN ('Tier 1', 'Tier 2')", ["Soylent Foods", "Stark Logistics GmbH"]),
        ("NOT (Tier__c = 'Tier 1' OR Tier__c = 'Tier 2')", ["Soylent Foods", "Stark Logistics GmbH"]),
        ("Owner.IsActive = false", ["Soylent Foods"]),
        ("CreatedDate > 2024-07-01T11:59:59Z AND CreatedDate < 2024-07-01T12:00:01+00:00", None),
    ],
)
def test_where_operators(salesforce_standin, where, expected):
    result = salesforce_standin.sf.query(f"SELECT Name FROM Account WHERE {where} ORDER BY Name")
    if expected is None:  # every fixture account was created at the same instant
        assert result["totalSize"] == 6
    else:
        assert names(result) == expected


def test_like_escapes_wildcards(salesforce_standin):
    sf = salesforce_standin.sf
    sf.Account.create({"Name": "100% Juice_Co"})
    sf.Account.create({"Name": "1000 Juicers"})
    assert names(sf.query(r"SELECT Name FROM Account WHERE Name LIKE '100\%%'")) == ["100% Juice_Co"]
    assert names(sf.query(r"SELECT Name FROM Account WHERE Name LIKE '%\_Co'")) == ["100% Juice_Co"]
    assert sf.query(r"SELECT Name FROM Account WHERE Name LIKE '100_%'")["totalSize"] == 2


def test_string_literals_with_escapes(salesforce_standin):
    result = salesforce_standin.sf.query(r"SELECT Name FROM Contact WHERE LastName = 'O\'Connor'")
    assert names(result) == ["James O'Connor"]


def test_boolean_date_and_datetime_filters(salesforce_standin):
    sf = salesforce_standin.sf
    assert names(sf.query("SELECT Name FROM Opportunity WHERE IsWon = true")) == ["Initech - Team Licenses"]
    closed = sf.query("SELECT Name FROM Opportunity WHERE IsClosed = true AND IsWon = false")
    assert names(closed) == ["Stark Logistics - Fleet Insights"]
    early = sf.query("SELECT Name FROM Opportunity WHERE CloseDate < 2025-09-01 ORDER BY CloseDate")
    assert names(early) == ["Initech - Team Licenses", "Soylent - Data Audit"]
    recent = sf.query(
        "SELECT LastName FROM Contact WHERE CreatedDate >= 2025-10-01T00:00:00Z ORDER BY CreatedDate"
    )
    assert names(recent, "LastName") == ["Alvarez", "Gibbons"]
    offset = sf.query("SELECT LastName FROM Contact WHERE CreatedDate >= 2025-10-20T09:00:00+01:00")
    assert names(offset, "LastName") == ["Gibbons"]


def test_id_filters_accept_15_and_18_character_ids(salesforce_standin):
    sf = salesforce_standin.sf
    acme = salesforce_standin.store.ref("acme")
    for value in (acme, acme[:15]):
        assert sf.query(f"SELECT COUNT() FROM Contact WHERE AccountId = '{value}'")["totalSize"] == 4


def test_order_by_several_fields_and_nulls(salesforce_standin):
    sf = salesforce_standin.sf
    by_account = sf.query(
        "SELECT LastName, Account.Name FROM Contact WHERE Account.Name IN ('Initech', 'Globex Industries') "
        "ORDER BY Account.Name DESC, LastName ASC, CreatedDate DESC"
    )
    assert names(by_account, "LastName") == ["Gibbons", "Gibbons", "Lumbergh", "Scorpio", "Tanaka"]
    assert [r["Account"]["Name"] for r in by_account["records"]][0] == "Initech"
    nulls_first = sf.query("SELECT Name FROM Account ORDER BY Website NULLS FIRST, Name LIMIT 1")
    assert names(nulls_first) == ["Soylent Foods"]
    nulls_default = sf.query("SELECT Name FROM Account ORDER BY Website DESC LIMIT 1")
    assert names(nulls_default) == ["Soylent Foods"]  # nulls sort first unless told otherwise
    nulls_last = sf.query("SELECT Name FROM Account ORDER BY Website NULLS LAST")
    assert names(nulls_last)[-1] == "Soylent Foods"


def test_order_is_case_insensitive(salesforce_standin):
    sf = salesforce_standin.sf
    sf.Account.create({"Name": "aardvark ltd"})
    assert names(sf.query("SELECT Name FROM Account ORDER BY Name LIMIT 2")) == [
        "aardvark ltd",
        "Acme Corporation",
    ]


def test_limit_and_offset(salesforce_standin):
    sf = salesforce_standin.sf
    everything = names(sf.query("SELECT Name FROM Account ORDER BY Name"))
    page = sf.query("SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 3")
    assert names(page) == everything[3:5]
    assert page["totalSize"] == 2


def test_count(salesforce_standin):
    sf = salesforce_standin.sf
    result = sf.query("SELECT COUNT() FROM Contact WHERE Account.Name = 'Acme Corporation'")
    assert result == {"totalSize": 4, "done": True, "records": []}
    assert sf.query("SELECT COUNT() FROM Contact LIMIT 3")["totalSize"] == 3


def test_paging_with_query_more_and_query_all(salesforce_standin_factory):
    server = salesforce_standin_factory(page_size=4)
    sf = server.sf
    first = sf.query("SELECT Name FROM Contact ORDER BY Name")
    assert first["totalSize"] == 14 and first["done"] is False and len(first["records"]) == 4
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 4 and second["done"] is False
    locator = second["nextRecordsUrl"].rsplit("/", 1)[1]
    third = sf.query_more(locator)  # the bare locator works too
    assert len(third["records"]) == 4
    everything = sf.query_all("SELECT Name FROM Contact ORDER BY Name")
    assert everything["totalSize"] == 14 and len(everything["records"]) == 14
    assert names(everything)[:4] == names(first)
    assert names(everything) == sorted(names(everything), key=str.casefold)
    assert len(list(sf.query_all_iter("SELECT Id FROM Contact"))) == 14


def test_batch_size_header(salesforce_standin):
    sf = salesforce_standin.sf
    for n in range(210):
        salesforce_standin.store.create("Lead", {"LastName": f"Bulk {n}", "Company": "Bulk Co"})
    result = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(result["records"]) == 200 and not result["done"]


def test_expired_query_locator(salesforce_standin):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.query_more("01gDn0000000009IAA-2000")
    assert error_code(caught) == "INVALID_QUERY_LOCATOR"


def test_query_all_shows_soft_deleted_rows(salesforce_standin):
    sf = salesforce_standin.sf
    lead_id = salesforce_standin.store.ref("lead_hooli")
    sf.Lead.delete(lead_id)
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead_id}'"
    assert sf.query(soql)["totalSize"] == 0
    everything = sf.query_all(soql, include_deleted=True)
    assert everything["records"][0]["IsDeleted"] is True
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
    assert sf.query("SELECT COUNT() FROM Lead", include_deleted=True)["totalSize"] == 5


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Acount", "INVALID_TYPE"),
        ("SELECT Id, Nmae FROM Account", "INVALID_FIELD"),
        ("SELECT Id, Foo__c FROM Contact", "INVALID_FIELD"),
        ("SELECT Acount.Name FROM Contact", "INVALID_FIELD"),
        ("SELECT Account FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Nmae = 'x'", "INVALID_FIELD"),
        ("SELECT Id FROM Account ORDER BY Nmae", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity WHERE CloseDate > 2024-01-01T00:00:00Z", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees > '5'", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity WHERE IsWon = 'true'", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'", "INVALID_FIELD"),
        ("SELECT Id FROM Contact WHERE AccountId = 'not-an-id'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Account WHERE Name > null", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "MALFORMED_QUERY"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
    ],
)
def test_query_errors(salesforce_standin, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.query(soql)
    assert caught.value.status == 400
    assert list(caught.value.content[0]) == ["message", "errorCode"]
    assert error_code(caught) == code


def test_query_needs_a_query_string(salesforce_standin):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.restful("query", params={"q": ""})
    assert error_code(caught) == "MALFORMED_QUERY"
