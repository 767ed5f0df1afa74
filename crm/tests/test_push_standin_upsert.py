"""The stand-in's upsert collection (PATCH composite/sobjects/<T>/<external id>, API v46+), which the
push uses, and the org's own stage table carried in fixtures and state (added for the push and the
demo org; both are real Salesforce behaviour)."""

import pytest
from simple_salesforce.exceptions import SalesforceResourceNotFound

from salesforce_standin import Store


def upsert(sf, records, all_or_none=False, field="Backstory_Id__c", object_name="Contact"):
    return sf.restful(
        f"composite/sobjects/{object_name}/{field}",
        method="PATCH",
        json={"allOrNone": all_or_none, "records": records},
    )


def contact(key, **fields):
    return {"attributes": {"type": "Contact"}, "Backstory_Id__c": key, **fields}


def test_upsert_collection_creates_then_updates_by_external_id(salesforce_standin):
    sf = salesforce_standin.sf
    first = upsert(sf, [contact("up-1", LastName="One"), contact("up-2", LastName="Two")])
    assert [(r["success"], r["created"]) for r in first] == [(True, True), (True, True)]
    again = upsert(sf, [contact("up-1", LastName="Uno", Title="CEO"), contact("up-3", LastName="Three")])
    assert again[0] == {"id": first[0]["id"], "success": True, "errors": [], "created": False}
    assert again[1]["created"] is True
    record = sf.Contact.get(first[0]["id"])
    assert (record["LastName"], record["Title"]) == ("Uno", "CEO")
    assert sf.query("SELECT COUNT() FROM Contact WHERE Backstory_Id__c LIKE 'up-%'")["totalSize"] == 3


def test_upsert_collection_reports_each_record(salesforce_standin):
    results = upsert(
        salesforce_standin.sf,
        [
            contact("bs-ok", LastName="Fine"),
            contact("bs-bad", FirstName="No last name"),
            {"attributes": {"type": "Contact"}, "LastName": "No key"},
            {"attributes": {"type": "Account"}, "Backstory_Id__c": "bs-acct", "Name": "Wrong type"},
        ],
    )
    assert results[0]["success"] is True
    assert [r["errors"][0]["statusCode"] for r in results[1:]] == [
        "REQUIRED_FIELD_MISSING",
        "MISSING_ARGUMENT",
        "INVALID_TYPE",
    ]


def test_upsert_collection_all_or_none_rolls_back(salesforce_standin):
    sf = salesforce_standin.sf
    results = upsert(sf, [contact("bs-kept", LastName="Kept?"), contact("bs-broken")], all_or_none=True)
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "REQUIRED_FIELD_MISSING",
    ]
    assert sf.query("SELECT COUNT() FROM Contact WHERE Backstory_Id__c = 'bs-kept'")["totalSize"] == 0


def test_upsert_collection_faults_are_per_record(salesforce_standin):
    salesforce_standin.faults.next("UNABLE_TO_LOCK_ROW", path="composite")
    results = upsert(salesforce_standin.sf, [contact("bs-a", LastName="A"), contact("bs-b", LastName="B")])
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW" and results[1]["success"] is True


def test_upsert_collection_needs_an_external_id_field(salesforce_standin):
    with pytest.raises(SalesforceResourceNotFound):
        upsert(salesforce_standin.sf, [contact("x", LastName="X")], field="Email")


def test_an_org_brings_its_own_stages_and_keeps_them_in_its_state():
    stages = [
        {"name": "Discovery", "probability": 30, "is_closed": False, "is_won": False},
        {"name": "Closed Won", "probability": 100, "is_closed": True, "is_won": True},
    ]
    store = Store()
    store.load(
        {
            "_standin": {"stages": stages},
            "Account": [{"Id": "@a", "Name": "A"}],
            "Opportunity": [
                {
                    "Id": "@o",
                    "Name": "O",
                    "AccountId": "@a",
                    "StageName": "Discovery",
                    "CloseDate": "2026-12-01",
                }
            ],
        }
    )
    opportunity = store.get("Opportunity", store.ref("o"))
    assert (opportunity["Probability"], opportunity["ForecastCategoryName"]) == (30.0, "Pipeline")
    assert [s["name"] for s in store.dump()["_standin"]["stages"]] == ["Discovery", "Closed Won"]
    reloaded = Store()
    reloaded.load(store.dump())
    assert set(reloaded.stages) == {"discovery", "closed won"}
    with pytest.raises(ValueError, match="Prospecting"):
        reloaded.load(
            {
                "Account": [{"Id": "@a", "Name": "A"}],
                "Opportunity": [
                    {"Name": "O", "AccountId": "@a", "StageName": "Prospecting", "CloseDate": "2026-12-01"}
                ],
            },
            replace=False,
        )
