"""Fault injection: each knob on the next N calls and at a seeded rate, narrowed by path
and method, per record inside sObject Collections, and through the admin HTTP path."""

import time

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from salesforce_standin import FaultPlan


def code_of(caught):
    return caught.value.content[0]["errorCode"]


def test_request_limit_on_the_next_calls(salesforce_standin):
    sf = salesforce_standin.sf
    rule = salesforce_standin.faults.next("REQUEST_LIMIT_EXCEEDED", times=2)
    for _ in range(2):
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sf.query("SELECT Id FROM Account")
        assert caught.value.status == 403
        assert caught.value.content == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6
    assert rule.fired == 2 and rule.exhausted


def fail_pattern(server, calls=40):
    outcome = []
    for _ in range(calls):
        try:
            server.sf.query("SELECT Id FROM User LIMIT 1")
            outcome.append(False)
        except SalesforceGeneralError:
            outcome.append(True)
    return outcome


def test_server_errors_at_a_seeded_rate(salesforce_standin_factory):
    first, second = salesforce_standin_factory(), salesforce_standin_factory()
    first.faults.at_rate("SERVER_ERROR", 0.3, seed=11)
    second.faults.at_rate("SERVER_ERROR", 0.3, seed=11)
    pattern = fail_pattern(first)
    assert pattern == fail_pattern(second)  # the same seed fails the same calls
    assert 4 <= sum(pattern) <= 20


def test_server_error_statuses(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("SERVER_ERROR")
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.status == 500 and code_of(caught) == "UNKNOWN_EXCEPTION"
    salesforce_standin.faults.next("SERVER_ERROR", status=503)
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.status == 503 and code_of(caught) == "SERVER_UNAVAILABLE"


def test_slow_responses(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("SLOW", times=2, delay=0.4)
    started = time.monotonic()
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6  # slow, but it answers
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.exceptions.ReadTimeout):
        sf.query("SELECT COUNT() FROM Account", timeout=0.1)
    started = time.monotonic()
    sf.query("SELECT COUNT() FROM Account")
    assert time.monotonic() - started < 0.4


def test_expired_session_stays_expired_until_a_new_one_is_used(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("SESSION_EXPIRED")
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")  # the old session id is gone for good
    refreshed = salesforce_standin.salesforce(session_id=salesforce_standin.issue_session())
    assert refreshed.query("SELECT COUNT() FROM Account")["totalSize"] == 6


def test_unable_to_lock_row_on_a_write(salesforce_standin):
    sf = salesforce_standin.sf
    cfo = salesforce_standin.store.ref("acme_cfo")
    salesforce_standin.faults.next("UNABLE_TO_LOCK_ROW")
    sf.Contact.get(cfo)  # reads are never locked out
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.update(cfo, {"Title": "CFO"})
    assert caught.value.content == [
        {
            "message": f"unable to obtain exclusive access to this record or 1 records: {cfo}",
            "errorCode": "UNABLE_TO_LOCK_ROW",
            "fields": [],
        }
    ]
    assert sf.Contact.get(cfo)["Title"] == "Chief Financial Officer"
    assert sf.Contact.update(cfo, {"Title": "CFO"}) == 204  # the retry goes through


def test_unable_to_lock_row_on_delete_and_upsert(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("UNABLE_TO_LOCK_ROW", times=2)
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.delete(salesforce_standin.store.ref("lead_hooli"))
    with pytest.raises(SalesforceMalformedRequest):
        sf.Contact.upsert("Backstory_Id__c/bs-contact-acme_analyst", {"Title": "Analyst"})
    assert sf.Lead.delete(salesforce_standin.store.ref("lead_hooli")) == 204


def test_duplicates_detected_names_the_existing_record(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("DUPLICATES_DETECTED")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "Moreno", "Email": "RITA.MORENO@acme.com"})
    error = caught.value.content[0]
    assert error["errorCode"] == "DUPLICATES_DETECTED"
    match = error["duplicateResult"]["matchResults"][0]
    assert match["entityType"] == "Contact"
    assert [m["record"]["Id"] for m in match["matchRecords"]] == [salesforce_standin.store.ref("acme_cfo")]
    assert match["matchRecords"][0]["record"]["attributes"]["type"] == "Contact"
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Moreno'")["totalSize"] == 1


def test_duplicates_detected_only_on_create_and_with_a_chosen_match(salesforce_standin):
    sf = salesforce_standin.sf
    chosen = salesforce_standin.store.ref("globex_vp")
    salesforce_standin.faults.next("DUPLICATES_DETECTED", duplicate_of=chosen)
    sf.Contact.update(chosen, {"Title": "VP"})  # updates are not duplicate-checked
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "Anyone"})
    records = caught.value.content[0]["duplicateResult"]["matchResults"][0]["matchRecords"]
    assert records[0]["record"]["Id"] == chosen


def test_faults_can_target_a_path_and_method(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("SERVER_ERROR", times=5, path=r"sobjects/Contact", method="POST")
    assert sf.Account.create({"Name": "Unaffected"})["success"]
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 14
    sf.Contact.get(salesforce_standin.store.ref("acme_cfo"))
    with pytest.raises(SalesforceGeneralError):
        sf.Contact.create({"LastName": "Affected"})


def test_record_faults_land_in_collection_results(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.next("UNABLE_TO_LOCK_ROW", path="composite")
    salesforce_standin.faults.next("DUPLICATES_DETECTED", path="composite")
    records = [
        {"attributes": {"type": "Contact"}, "LastName": f"C{i}", "Email": "hank@globex.com"} for i in range(3)
    ]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert results[1]["success"] is False
    duplicate = results[1]["errors"][0]
    assert duplicate["statusCode"] == "DUPLICATES_DETECTED"
    assert duplicate["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"][
        "Id"
    ] == salesforce_standin.store.ref("globex_vp")
    assert results[2]["success"] is True


def test_record_faults_in_collections_at_a_rate(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.faults.at_rate("UNABLE_TO_LOCK_ROW", 0.5, seed=3, method="PATCH")
    records = [
        {"attributes": {"type": "Contact"}, "id": r["Id"], "Department": "Reviewed"}
        for r in sf.query("SELECT Id FROM Contact")["records"]
    ]
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": records})
    failed = [r for r in results if not r["success"]]
    assert 0 < len(failed) < len(records)
    assert {r["errors"][0]["statusCode"] for r in failed} == {"UNABLE_TO_LOCK_ROW"}
    reviewed = sf.query("SELECT COUNT() FROM Contact WHERE Department = 'Reviewed'")["totalSize"]
    assert reviewed == len(records) - len(failed)


def test_admin_path_manages_faults(salesforce_standin):
    http = salesforce_standin.requests_session()
    base = f"{salesforce_standin.url}/_standin"
    added = http.post(f"{base}/faults", json={"kind": "REQUEST_LIMIT_EXCEEDED", "times": 1})
    assert added.status_code == 201 and added.json()["kind"] == "REQUEST_LIMIT_EXCEEDED"
    with pytest.raises(SalesforceRefusedRequest):
        salesforce_standin.sf.query("SELECT Id FROM Account")
    listed = http.get(f"{base}/faults").json()
    assert listed[0]["fired"] == 1 and listed[0]["exhausted"] is True
    http.post(f"{base}/faults", json={"kind": "SERVER_ERROR", "rate": 1.0})
    assert http.delete(f"{base}/faults").status_code == 204
    assert http.get(f"{base}/faults").json() == []
    assert salesforce_standin.sf.query("SELECT COUNT() FROM Account")["totalSize"] == 6
    refused = http.post(f"{base}/faults", json={"kind": "GREMLINS"})
    assert refused.status_code == 400 and "unknown fault kind" in refused.json()[0]["message"]


def test_admin_path_issues_sessions_and_reports_health(salesforce_standin):
    http = salesforce_standin.requests_session()
    base = f"{salesforce_standin.url}/_standin"
    session_id = http.post(f"{base}/sessions").json()["session_id"]
    assert (
        salesforce_standin.salesforce(session_id=session_id).query("SELECT COUNT() FROM User")["totalSize"]
        == 7
    )
    assert http.get(f"{base}/health").json() == {"ok": True, "api_usage": 1, "api_limit": 15000}
    assert http.get(f"{base}/state").json()["Account"][0]["Name"] == "Acme Corporation"


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("NOPE", {}),
        ("SERVER_ERROR", {"rate": 1.5}),
        ("SERVER_ERROR", {"status": 418}),
        ("SLOW", {}),
        ("UNABLE_TO_LOCK_ROW", {"times": -1}),
    ],
)
def test_rules_are_validated(kind, options):
    with pytest.raises(ValueError):
        FaultPlan().add(kind, **options)


def test_aliases_and_removal():
    plan = FaultPlan()
    rule = plan.add("invalid_session_id")
    assert rule.kind == "SESSION_EXPIRED"
    plan.remove(rule)
    assert plan.rules() == []
