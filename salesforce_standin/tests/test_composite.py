"""sObject Collections (composite/sobjects): per-record results, allOrNone, the 200 limit."""

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from salesforce_standin import ids

MISSING_LEAD = ids.make_id("00Q", 999_999)  # well formed, but no such record


def create(sf, records, all_or_none=False):
    return sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": all_or_none, "records": records}
    )


def contact(last_name=None, **fields):
    record = {"attributes": {"type": "Contact"}, **fields}
    if last_name is not None:
        record["LastName"] = last_name
    return record


def test_create_reports_each_record(salesforce_standin):
    sf = salesforce_standin.sf
    results = create(
        sf,
        [
            contact("Good"),
            contact(Email="no-last-name@acme.com"),
            {"attributes": {"type": "Account"}, "Name": "Mixed Types Ltd"},
        ],
    )
    assert results[0]["success"] is True and results[0]["id"].startswith("003") and results[0]["errors"] == []
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            },
        ],
    }
    assert results[2]["success"] is True and results[2]["id"].startswith("001")
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Good'")["totalSize"] == 1


def test_create_all_or_none_rolls_everything_back(salesforce_standin):
    sf = salesforce_standin.sf
    before = sf.query("SELECT COUNT() FROM Contact")["totalSize"]
    results = create(sf, [contact("Kept?"), contact(None, FirstName="Broken")], all_or_none=True)
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == before


def test_create_all_or_none_succeeds_when_all_are_valid(salesforce_standin):
    results = create(salesforce_standin.sf, [contact("A"), contact("B")], all_or_none=True)
    assert all(r["success"] for r in results)


def test_create_refuses_ids_and_unknown_types(salesforce_standin):
    results = create(
        salesforce_standin.sf,
        [
            contact("X", Id=salesforce_standin.store.ref("acme_cfo")),
            {"attributes": {"type": "Wombat"}, "Name": "W"},
            {"Name": "typeless"},
        ],
    )
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "INVALID_FIELD",
        "INVALID_TYPE",
        "INVALID_TYPE",
    ]


def test_update(salesforce_standin):
    sf = salesforce_standin.sf
    store = salesforce_standin.store
    results = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Contact"}, "id": store.ref("acme_cfo"), "Title": "CFO"},
                {"attributes": {"type": "Contact"}, "Id": store.ref("acme_it"), "LastName": None},
                {"attributes": {"type": "Contact"}, "id": "003Dn0000009999IAA", "Title": "Ghost"},
                {"attributes": {"type": "Contact"}, "Title": "No id"},
            ],
        },
    )
    assert results[0] == {"id": store.ref("acme_cfo"), "success": True, "errors": []}
    assert results[1]["id"] == store.ref("acme_it")
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert results[3]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert sf.Contact.get(store.ref("acme_cfo"))["Title"] == "CFO"


def test_update_all_or_none(salesforce_standin):
    sf = salesforce_standin.sf
    store = salesforce_standin.store
    results = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Contact"}, "id": store.ref("acme_cfo"), "Title": "Rolled back"},
                {"attributes": {"type": "Contact"}, "id": store.ref("acme_it"), "Email": "bad email"},
            ],
        },
    )
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert sf.Contact.get(store.ref("acme_cfo"))["Title"] == "Chief Financial Officer"


def test_delete(salesforce_standin):
    sf = salesforce_standin.sf
    store = salesforce_standin.store
    doomed = [store.ref("lead_hooli"), store.ref("noaccount")]
    results = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": ",".join(doomed + [MISSING_LEAD, "nonsense"]), "allOrNone": "false"},
    )
    assert results[:2] == [
        {"id": doomed[0], "success": True, "errors": []},
        {"id": doomed[1], "success": True, "errors": []},
    ]
    assert results[2]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert results[3]["errors"][0]["statusCode"] == "MALFORMED_ID"
    again = sf.restful("composite/sobjects", method="DELETE", params={"ids": doomed[0]})
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_delete_all_or_none(salesforce_standin):
    sf = salesforce_standin.sf
    store = salesforce_standin.store
    results = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": f"{store.ref('lead_hooli')},{MISSING_LEAD}", "allOrNone": "true"},
    )
    assert [r["success"] for r in results] == [False, False]
    assert sf.query(f"SELECT COUNT() FROM Lead WHERE Id = '{store.ref('lead_hooli')}'")["totalSize"] == 1


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_at_most_200_records(salesforce_standin, method):
    sf = salesforce_standin.sf
    records = [contact(f"N{i}", id=salesforce_standin.store.ref("acme_cfo")) for i in range(201)]
    if method == "DELETE":
        kwargs = {"params": {"ids": ",".join([salesforce_standin.store.ref("acme_cfo")] * 201)}}
    else:
        kwargs = {"json": {"records": records}}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method=method, **kwargs)
    assert caught.value.content == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]


def test_exactly_200_records_are_accepted(salesforce_standin):
    results = create(salesforce_standin.sf, [contact(f"Batch {i}") for i in range(200)])
    assert len(results) == 200 and all(r["success"] for r in results)


def test_malformed_body(salesforce_standin):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.restful("composite/sobjects", method="POST", data="{not json")
    assert caught.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"
