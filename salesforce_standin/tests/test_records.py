"""Single-record REST endpoints through simple-salesforce: CRUD, upsert, describe,
replication windows, and the write rules a real org enforces."""

import datetime as dt
from urllib.parse import quote_plus

import pytest
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from salesforce_standin import ManualClock, ids
from salesforce_standin.values import parse_datetime


def error_of(caught):
    return caught.value.content[0]


@pytest.fixture
def clocked(salesforce_standin_factory):
    """A stand-in whose clock only moves when the test moves it."""
    clock = ManualClock("2025-11-20T12:00:00Z")
    server = salesforce_standin_factory(clock=clock)
    server.clock = clock
    return server


def test_create_get_update_delete(salesforce_standin):
    sf = salesforce_standin.sf
    created = sf.Contact.create(
        {
            "FirstName": "Ada",
            "LastName": "Byron",
            "Email": "ada@acme.com",
            "AccountId": salesforce_standin.store.ref("acme"),
        }
    )
    assert created["success"] is True and created["errors"] == []
    contact_id = created["id"]
    assert contact_id.startswith("003") and len(contact_id) == 18 and ids.is_well_formed(contact_id)

    record = sf.Contact.get(contact_id)
    assert record["attributes"]["type"] == "Contact"
    assert record["Name"] == "Ada Byron"
    assert record["IsDeleted"] is False
    assert record["Created_By_Backstory__c"] is False  # checkboxes default to false, never null
    assert record["OwnerId"] == salesforce_standin.store.api_user_id

    assert sf.Contact.update(contact_id, {"Title": "Countess", "FirstName": "Augusta Ada"}) == 204
    record = sf.Contact.get(contact_id[:15])  # 15-character ids work in URLs too
    assert (record["Title"], record["Name"]) == ("Countess", "Augusta Ada Byron")

    assert sf.Contact.delete(contact_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(contact_id)
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Contact.update(contact_id, {"Title": "Late"})
    assert error_of(caught)["errorCode"] == "ENTITY_IS_DELETED"


def test_get_selected_fields(salesforce_standin):
    record = salesforce_standin.sf.Account.get(
        salesforce_standin.store.ref("acme"), params={"fields": "Name,Website"}
    )
    assert list(record) == ["attributes", "Name", "Website"]


def test_missing_records_are_404(salesforce_standin):
    sf = salesforce_standin.sf
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get("001Dn0000009999IAA")
    assert error_of(caught) == {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(salesforce_standin.store.ref("acme_cfo"))  # a contact's id is no account
    with pytest.raises(SalesforceResourceNotFound):
        sf.Wombat.describe()


def test_timestamps_move_on_every_write(clocked):
    sf = clocked.sf
    created_id = sf.Account.create({"Name": "Tick Tock Inc"})["id"]
    first = sf.Account.get(created_id)
    assert first["CreatedDate"] == "2025-11-20T12:00:00.000+0000"
    assert first["LastModifiedDate"] == first["SystemModstamp"] == first["CreatedDate"]
    assert first["CreatedById"] == clocked.store.api_user_id

    clocked.clock.advance(minutes=5, milliseconds=250)
    sf.Account.update(created_id, {"Industry": "Horology"})
    second = sf.Account.get(created_id)
    assert second["CreatedDate"] == first["CreatedDate"]
    assert second["LastModifiedDate"] == second["SystemModstamp"] == "2025-11-20T12:05:00.250+0000"
    assert parse_datetime(second["SystemModstamp"]) > parse_datetime(first["SystemModstamp"])

    clocked.clock.advance(minutes=1)
    sf.Account.delete(created_id)
    deleted = clocked.sf.query_all(
        f"SELECT SystemModstamp FROM Account WHERE Id = '{created_id}'", include_deleted=True
    )
    assert deleted["records"][0]["SystemModstamp"] == "2025-11-20T12:06:00.250+0000"


@pytest.mark.parametrize(
    ("stage", "is_closed", "is_won", "probability", "forecast"),
    [
        ("Prospecting", False, False, 10, "Pipeline"),
        ("Qualification", False, False, 10, "Pipeline"),
        ("Needs Analysis", False, False, 20, "Pipeline"),
        ("Value Proposition", False, False, 50, "Pipeline"),
        ("Id. Decision Makers", False, False, 60, "Pipeline"),
        ("Perception Analysis", False, False, 70, "Pipeline"),
        ("Proposal/Price Quote", False, False, 75, "Pipeline"),
        ("Negotiation/Review", False, False, 90, "Commit"),
        ("Closed Won", True, True, 100, "Closed"),
        ("Closed Lost", True, False, 0, "Omitted"),
    ],
)
def test_opportunity_flags_follow_the_stage(
    salesforce_standin, stage, is_closed, is_won, probability, forecast
):
    sf = salesforce_standin.sf
    opp_id = sf.Opportunity.create({"Name": "Stage test", "StageName": stage, "CloseDate": "2026-01-31"})[
        "id"
    ]
    record = sf.Opportunity.get(opp_id)
    assert (record["IsClosed"], record["IsWon"], record["Probability"], record["ForecastCategoryName"]) == (
        is_closed,
        is_won,
        probability,
        forecast,
    )


def test_stage_change_writes_history_and_resets_probability(clocked):
    sf = clocked.sf
    opp_id = sf.Opportunity.create(
        {
            "Name": "Initech - Add-on",
            "StageName": "Prospecting",
            "CloseDate": "2026-01-31",
            "Amount": 10000,
            "Probability": 15,
        }
    )["id"]
    assert sf.Opportunity.get(opp_id)["Probability"] == 15  # an explicit probability wins on create
    clocked.clock.advance(days=1)
    sf.Opportunity.update(opp_id, {"StageName": "Negotiation/Review"})
    clocked.clock.advance(days=1)
    sf.Opportunity.update(opp_id, {"NextStep": "Call legal"})  # untracked field: no history
    clocked.clock.advance(days=1)
    sf.Opportunity.update(opp_id, {"StageName": "Closed Won"})
    record = sf.Opportunity.get(opp_id)
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (True, True, 100)
    history = sf.query(
        f"SELECT StageName, Amount, CloseDate, Probability, CreatedDate FROM OpportunityHistory "
        f"WHERE OpportunityId = '{opp_id}' ORDER BY CreatedDate"
    )["records"]
    assert [(h["StageName"], h["Probability"], h["CreatedDate"][:10]) for h in history] == [
        ("Prospecting", 15, "2025-11-20"),
        ("Negotiation/Review", 90, "2025-11-21"),
        ("Closed Won", 100, "2025-11-23"),
    ]
    assert {h["Amount"] for h in history} == {10000}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.OpportunityHistory.create({"OpportunityId": opp_id, "StageName": "Prospecting"})
    assert error_of(caught)["errorCode"] == "INVALID_TYPE_FOR_OPERATION"


def test_fixture_opportunities_have_an_initial_history_row(salesforce_standin):
    assert salesforce_standin.sf.query("SELECT COUNT() FROM OpportunityHistory")["totalSize"] == 8


def test_derived_fields_are_read_only(salesforce_standin):
    sf = salesforce_standin.sf
    opp_id = salesforce_standin.store.ref("globex_new")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Opportunity.update(opp_id, {"IsWon": True})
    assert error_of(caught)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error_of(caught)["fields"] == ["IsWon"]


def test_unknown_stage_is_refused(salesforce_standin):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.Opportunity.create(
            {"Name": "X", "StageName": "Dreaming", "CloseDate": "2026-01-01"}
        )
    assert error_of(caught)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_one_primary_contact_role_per_opportunity(clocked):
    sf = clocked.sf
    store = clocked.store
    opp_id = store.ref("acme_renewal")
    previous_primary = sf.query(
        f"SELECT Id, Contact.LastName FROM OpportunityContactRole WHERE OpportunityId = '{opp_id}' AND IsPrimary = true"
    )["records"]
    assert [r["Contact"]["LastName"] for r in previous_primary] == ["Moreno"]
    clocked.clock.advance(minutes=1)
    new_role = sf.OpportunityContactRole.create(
        {
            "OpportunityId": opp_id,
            "ContactId": store.ref("acme_analyst"),
            "Role": "Influencer",
            "IsPrimary": True,
        }
    )["id"]
    assert new_role.startswith("00K")
    primaries = sf.query(
        f"SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '{opp_id}' AND IsPrimary = true"
    )["records"]
    assert [r["Id"] for r in primaries] == [new_role]
    cleared = sf.OpportunityContactRole.get(previous_primary[0]["Id"])
    assert cleared["IsPrimary"] is False
    assert cleared["SystemModstamp"] == "2025-11-20T12:01:00.000+0000"
    other_opp = sf.query(
        f"SELECT COUNT() FROM OpportunityContactRole WHERE OpportunityId = '{store.ref('acme_expansion')}' "
        "AND IsPrimary = true"
    )
    assert other_opp["totalSize"] == 1  # other opportunities keep their primary

    sf.OpportunityContactRole.update(previous_primary[0]["Id"], {"IsPrimary": True})
    assert sf.OpportunityContactRole.get(new_role)["IsPrimary"] is False


@pytest.mark.parametrize(
    ("object_name", "data", "code", "fields"),
    [
        ("Contact", {"FirstName": "No", "Email": "no@last.name"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ("Contact", {"LastName": ""}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ("Account", {"Website": "nameless.com"}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ("Lead", {"LastName": "Solo"}, "REQUIRED_FIELD_MISSING", ["Company"]),
        ("Opportunity", {"Name": "No stage"}, "REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"]),
        (
            "OpportunityContactRole",
            {"Role": "Lonely"},
            "REQUIRED_FIELD_MISSING",
            ["OpportunityId", "ContactId"],
        ),
        ("Contact", {"LastName": "X", "Shoe_Size__c": 9}, "INVALID_FIELD", ["Shoe_Size__c"]),
        ("Contact", {"LastName": "X", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
        ("Contact", {"LastName": "X" * 81}, "STRING_TOO_LONG", ["LastName"]),
        (
            "Contact",
            {"LastName": "X", "AccountId": "001Dn0000009999IAA"},
            "INVALID_CROSS_REFERENCE_KEY",
            ["AccountId"],
        ),
        (
            "Contact",
            {"LastName": "X", "AccountId": "003Dn0000000001IAA"},
            "FIELD_INTEGRITY_EXCEPTION",
            ["AccountId"],
        ),
        ("Contact", {"LastName": "X", "AccountId": "garbage"}, "MALFORMED_ID", ["AccountId"]),
        ("Contact", {"LastName": "X", "Created_By_Backstory__c": "yes"}, "JSON_PARSER_ERROR", []),
        (
            "Opportunity",
            {"Name": "X", "StageName": "Prospecting", "CloseDate": "31/01/2026"},
            "JSON_PARSER_ERROR",
            [],
        ),
        (
            "Contact",
            {"LastName": "X", "CreatedDate": "2020-01-01T00:00:00Z"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["CreatedDate"],
        ),
        (
            "Event",
            {
                "Subject": "Backwards",
                "StartDateTime": "2025-11-20T10:00:00Z",
                "EndDateTime": "2025-11-20T09:00:00Z",
            },
            "FIELD_INTEGRITY_EXCEPTION",
            ["EndDateTime"],
        ),
        (
            "Task",
            {"Subject": "X", "TaskSubtype": "Fax"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["TaskSubtype"],
        ),
        (
            "Task",
            {"Subject": "X", "CallType": "Sideways"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["CallType"],
        ),
        ("Task", {"Subject": "X", "CallDurationInSeconds": 1.5}, "JSON_PARSER_ERROR", []),
        (
            "Task",
            {"Subject": "X", "CallDurationInSeconds": 10**8},
            "NUMBER_OUTSIDE_VALID_RANGE",
            ["CallDurationInSeconds"],
        ),
        (
            "Event",
            {
                "Subject": "Disagrees",
                "StartDateTime": "2025-11-20T10:00:00Z",
                "EndDateTime": "2025-11-20T11:00:00Z",
                "DurationInMinutes": 30,
            },
            "FIELD_INTEGRITY_EXCEPTION",
            ["DurationInMinutes", "EndDateTime"],
        ),
        (
            "Event",
            {
                "Subject": "Too long",
                "StartDateTime": "2025-11-01T10:00:00Z",
                "EndDateTime": "2025-11-20T11:00:00Z",
            },
            "FIELD_INTEGRITY_EXCEPTION",
            ["EndDateTime"],
        ),
    ],
)
def test_write_validation(salesforce_standin, object_name, data, code, fields):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        getattr(salesforce_standin.sf, object_name).create(data)
    error = error_of(caught)
    assert (error["errorCode"], error["fields"]) == (code, fields)
    assert error["message"]


def test_required_field_cannot_be_cleared(salesforce_standin):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        salesforce_standin.sf.Contact.update(salesforce_standin.store.ref("acme_cfo"), {"LastName": None})
    assert error_of(caught)["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_unique_external_id(salesforce_standin):
    sf = salesforce_standin.sf
    sf.Contact.create({"LastName": "First", "Backstory_Id__c": "bs-1"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "Second", "Backstory_Id__c": "BS-1"})
    assert error_of(caught)["errorCode"] == "DUPLICATE_VALUE"


def test_derived_activity_fields(salesforce_standin):
    sf = salesforce_standin.sf
    task_id = sf.Task.create({"Subject": "Call", "WhoId": salesforce_standin.store.ref("acme_cfo")})["id"]
    task = sf.Task.get(task_id)
    assert (task["Status"], task["Priority"], task["IsClosed"]) == ("Not Started", "Normal", False)
    sf.Task.update(task_id, {"Status": "Completed"})
    assert sf.Task.get(task_id)["IsClosed"] is True
    event_id = sf.Event.create(
        {
            "Subject": "Lunch",
            "StartDateTime": "2025-11-20T12:00:00.000+0000",
            "EndDateTime": "2025-11-20T13:30:00Z",
        }
    )["id"]
    event = sf.Event.get(event_id)
    assert (event["DurationInMinutes"], event["ActivityDate"]) == (90, "2025-11-20")
    assert event["EndDateTime"] == "2025-11-20T13:30:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.create({"Subject": "Bad who", "WhoId": salesforce_standin.store.ref("acme")})
    assert error_of(caught)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_deleting_an_account_cascades(salesforce_standin):
    sf = salesforce_standin.sf
    store = salesforce_standin.store
    sf.Account.delete(store.ref("initech"))
    assert (
        sf.query(f"SELECT COUNT() FROM Contact WHERE AccountId = '{store.ref('initech')}'")["totalSize"] == 0
    )
    assert (
        sf.query(f"SELECT COUNT() FROM Opportunity WHERE AccountId = '{store.ref('initech')}'")["totalSize"]
        == 0
    )
    roles = sf.query_all(
        f"SELECT IsDeleted FROM OpportunityContactRole WHERE OpportunityId = '{store.ref('initech_won')}'",
        include_deleted=True,
    )
    assert [r["IsDeleted"] for r in roles["records"]] == [True]


def test_upsert_by_external_id(salesforce_standin):
    sf = salesforce_standin.sf
    created = sf.Contact.upsert("Backstory_Id__c/bs-42", {"LastName": "Upserted"}, raw_response=True)
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True and body["created"] is True and body["id"].startswith("003")
    assert sf.Contact.get(body["id"])["Backstory_Id__c"] == "bs-42"

    updated = sf.Contact.upsert("Backstory_Id__c/bs-42", {"Title": "Updated"}, raw_response=True)
    # From API v46.0 an update answers 200 with a body; earlier versions answer 204.
    assert updated.status_code == 200
    assert updated.json() == {"id": body["id"], "success": True, "errors": [], "created": False}
    assert sf.Contact.get(body["id"])["Title"] == "Updated"
    old_client = salesforce_standin.salesforce(version="45.0")
    assert old_client.Contact.upsert("Backstory_Id__c/bs-42", {"Title": "Old API"}) == 204
    assert sf.Contact.get_by_custom_id("Backstory_Id__c", "bs-42")["Title"] == "Old API"


def test_upsert_values_are_url_encoded(salesforce_standin):
    sf = salesforce_standin.sf
    # simple-salesforce leaves encoding the upsert path to the caller, and encodes get_by_custom_id itself.
    assert sf.Account.upsert(f"Backstory_Id__c/{quote_plus('acme co/eu 1')}", {"Name": "Acme EU"}) == 201
    assert sf.Account.get_by_custom_id("Backstory_Id__c", "acme co/eu 1")["Name"] == "Acme EU"


def test_upsert_with_several_matches_is_300(salesforce_standin):
    sf = salesforce_standin.sf
    first = sf.Lead.create({"LastName": "One", "Company": "Dup", "Legacy_Id__c": "L-7"})["id"]
    second = sf.Lead.create({"LastName": "Two", "Company": "Dup", "Legacy_Id__c": "L-7"})["id"]
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Lead.upsert("Legacy_Id__c/L-7", {"Title": "Who?"})
    assert caught.value.status == 300
    assert caught.value.content == [
        f"/services/data/v59.0/sobjects/Lead/{first}",
        f"/services/data/v59.0/sobjects/Lead/{second}",
    ]
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Lead.get_by_custom_id("Legacy_Id__c", "L-7")


def test_upsert_on_a_field_that_is_not_an_external_id(salesforce_standin):
    with pytest.raises(SalesforceResourceNotFound) as caught:
        salesforce_standin.sf.Contact.upsert("Email/x@y.com", {"LastName": "X"})
    assert error_of(caught)["errorCode"] == "NOT_FOUND"


def test_describe_global_and_object(salesforce_standin):
    sf = salesforce_standin.sf
    described = sf.describe()
    by_name = {o["name"]: o for o in described["sobjects"]}
    assert by_name["Account"]["keyPrefix"] == "001" and by_name["Lead"]["keyPrefix"] == "00Q"
    contact = sf.Contact.describe()
    fields = {f["name"]: f for f in contact["fields"]}
    assert fields["LastName"]["nillable"] is False and fields["LastName"]["createable"] is True
    assert fields["Backstory_Id__c"]["externalId"] is True and fields["Backstory_Id__c"]["unique"] is True
    assert fields["Backstory_Id__c"]["custom"] is True
    for custom in ("Created_By_Backstory__c", "Department__c", "Seniority__c", "Persona__c"):
        assert custom in fields
    assert (
        fields["AccountId"]["referenceTo"] == ["Account"]
        and fields["AccountId"]["relationshipName"] == "Account"
    )
    assert fields["Name"]["createable"] is False
    task_fields = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert task_fields["WhoId"]["referenceTo"] == ["Contact", "Lead"]
    assert task_fields["WhoId"]["polymorphicForeignKey"] is True
    assert "Secondary_Domains__c" in {f["name"] for f in sf.Account.describe()["fields"]}
    assert "Backstory_Id__c" in {f["name"] for f in sf.OpportunityContactRole.describe()["fields"]}
    assert sf.Account.metadata()["objectDescribe"]["name"] == "Account"


def test_updated_and_deleted_windows(clocked):
    sf = clocked.sf
    start = clocked.clock.now
    clocked.clock.advance(minutes=1)
    touched = sf.Contact.create({"LastName": "Fresh"})["id"]
    sf.Contact.update(clocked.store.ref("acme_cfo"), {"Title": "CFO"})
    clocked.clock.advance(minutes=1)
    sf.Contact.delete(clocked.store.ref("gmail_guy"))
    clocked.clock.advance(minutes=2)
    end = clocked.clock.now

    updated = sf.Contact.updated(start, end)
    assert set(updated["ids"]) == {touched, clocked.store.ref("acme_cfo")}
    assert updated["latestDateCovered"] == "2025-11-20T12:04:00.000+0000"
    deleted = sf.Contact.deleted(start, end)
    assert deleted["deletedRecords"] == [
        {"id": clocked.store.ref("gmail_guy"), "deletedDate": "2025-11-20T12:02:00.000+0000"}
    ]
    assert deleted["earliestDateAvailable"] == "2025-11-20T12:02:00.000+0000"
    assert deleted["latestDateCovered"] == "2025-11-20T12:04:00.000+0000"
    # Windows are by the minute and half-open: the next window starts where this one ended.
    assert sf.Contact.updated(start, start + dt.timedelta(minutes=1))["ids"] == []
    # The future is never covered.
    assert (
        sf.Contact.updated(start, end + dt.timedelta(hours=2))["latestDateCovered"]
        == updated["latestDateCovered"]
    )


@pytest.mark.parametrize(
    ("start_offset", "end_offset"),
    [(dt.timedelta(days=-31), dt.timedelta(0)), (dt.timedelta(minutes=-1), dt.timedelta(minutes=-1))],
)
def test_replication_window_limits(clocked, start_offset, end_offset):
    now = clocked.clock.now
    with pytest.raises(SalesforceMalformedRequest) as caught:
        clocked.sf.Account.updated(now + start_offset, now + end_offset)
    assert error_of(caught)["errorCode"] == "INVALID_REPLICATION_DATE"


def test_every_response_reports_api_usage(salesforce_standin):
    sf = salesforce_standin.sf
    session = salesforce_standin.requests_session()
    headers = {"Authorization": f"Bearer {salesforce_standin.session_id}"}
    ok = session.get(f"{salesforce_standin.url}/services/data/v59.0/sobjects/", headers=headers)
    bad = session.get(
        f"{salesforce_standin.url}/services/data/v59.0/query/", headers=headers, params={"q": "SELEC"}
    )
    assert ok.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert bad.status_code == 400 and bad.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    sf.query("SELECT Id FROM User")
    assert sf.api_usage["api-usage"].used == 3 and sf.api_usage["api-usage"].total == 15000
    assert sf.limits()["DailyApiRequests"] == {"Max": 15000, "Remaining": 14996}


def test_daily_limit_runs_out(salesforce_standin_factory):
    server = salesforce_standin_factory(api_limit=2)
    server.sf.query("SELECT Id FROM User")
    server.sf.query("SELECT Id FROM User")
    from simple_salesforce.exceptions import SalesforceRefusedRequest

    with pytest.raises(SalesforceRefusedRequest) as caught:
        server.sf.query("SELECT Id FROM User")
    assert error_of(caught)["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_unknown_sessions_are_refused(salesforce_standin):
    stranger = salesforce_standin.salesforce(session_id="00DDn0000000001!forged")
    with pytest.raises(SalesforceExpiredSession) as caught:
        stranger.query("SELECT Id FROM Account")
    assert error_of(caught) == {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    another = salesforce_standin.salesforce(session_id=salesforce_standin.issue_session())
    assert another.query("SELECT COUNT() FROM Account")["totalSize"] == 6


def test_any_api_version_is_served(salesforce_standin):
    for version in ("52.0", "60.0"):
        result = salesforce_standin.salesforce(version=version).query("SELECT Id FROM Account LIMIT 1")
        assert result["records"][0]["attributes"]["url"].startswith(f"/services/data/v{version}/")


def test_wrong_method_is_405(salesforce_standin):
    from simple_salesforce.exceptions import SalesforceGeneralError

    with pytest.raises(SalesforceGeneralError) as caught:
        salesforce_standin.sf.restful("sobjects/Account/describe", method="POST")
    assert caught.value.status == 405
    assert error_of(caught)["errorCode"] == "METHOD_NOT_ALLOWED"


def test_stage_table_is_configurable():
    from salesforce_standin import Stage, StandinServer, Store

    stages = [
        Stage("Discovery", 10, False, False, "Pipeline"),
        Stage("Signed", 100, True, True, "Closed"),
        Stage("Dead", 0, True, False, "Omitted"),
    ]
    with StandinServer(store=Store(stages=stages)) as server:
        sf = server.sf
        opp_id = sf.Opportunity.create({"Name": "Custom", "StageName": "signed", "CloseDate": "2026-01-01"})[
            "id"
        ]
        record = sf.Opportunity.get(opp_id)
        assert (record["StageName"], record["IsClosed"], record["IsWon"]) == ("Signed", True, True)
        with pytest.raises(SalesforceMalformedRequest):
            sf.Opportunity.create({"Name": "Old", "StageName": "Closed Won", "CloseDate": "2026-01-01"})
        stage_field = next(f for f in sf.Opportunity.describe()["fields"] if f["name"] == "StageName")
        assert [p["value"] for p in stage_field["picklistValues"]] == ["Discovery", "Signed", "Dead"]


def test_secondary_domains_are_filterable(salesforce_standin):
    result = salesforce_standin.sf.query(
        "SELECT Name FROM Account WHERE Secondary_Domains__c LIKE '%acme.co.uk%'"
    )
    assert [r["Name"] for r in result["records"]] == ["Acme Corporation"]


def test_call_fields_of_a_task(salesforce_standin):
    """A logged call as Salesforce keeps it: its subtype is set on create and never changed."""
    sf = salesforce_standin.sf
    task_id = sf.Task.create(
        {"Subject": "Call", "TaskSubtype": "call", "CallType": "Outbound", "CallDurationInSeconds": 720}
    )["id"]
    task = sf.Task.get(task_id)
    assert (task["TaskSubtype"], task["CallType"], task["CallDurationInSeconds"]) == ("Call", "Outbound", 720)
    sf.Task.update(task_id, {"CallDurationInSeconds": 60, "CallType": None})
    assert (sf.Task.get(task_id)["CallDurationInSeconds"], sf.Task.get(task_id)["CallType"]) == (60, None)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.update(task_id, {"TaskSubtype": "Email"})
    assert error_of(caught)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    described = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert [v["value"] for v in described["CallType"]["picklistValues"]] == [
        "Internal",
        "Inbound",
        "Outbound",
    ]
    assert described["TaskSubtype"]["updateable"] is False


def test_event_end_from_its_duration(salesforce_standin):
    sf = salesforce_standin.sf
    event_id = sf.Event.create(
        {"Subject": "Demo", "StartDateTime": "2025-11-20T12:00:00Z", "DurationInMinutes": 45}
    )["id"]
    event = sf.Event.get(event_id)
    assert (event["EndDateTime"], event["DurationInMinutes"]) == ("2025-11-20T12:45:00.000+0000", 45)


def test_limits_remaining_falls_with_every_call_served_and_can_be_set(salesforce_standin):
    sf = salesforce_standin.sf
    salesforce_standin.set_api_limits(max=1000, remaining=100)  # other integrations used 900
    assert sf.limits()["DailyApiRequests"] == {"Max": 1000, "Remaining": 99}  # the read itself counts
    sf.query("SELECT Id FROM User")
    sf.Account.describe()
    assert sf.limits()["DailyApiRequests"] == {"Max": 1000, "Remaining": 96}
    assert sf.api_usage["api-usage"].used == 904 and sf.api_usage["api-usage"].total == 1000

    http = salesforce_standin.requests_session()
    answer = http.post(f"{salesforce_standin.url}/_standin/limits", json={"Remaining": 1})
    assert answer.json() == {"DailyApiRequests": {"Max": 1000, "Remaining": 1}}
    sf.query("SELECT Id FROM User")
    from simple_salesforce.exceptions import SalesforceRefusedRequest

    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM User")
    assert error_of(caught)["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    refused = http.post(f"{salesforce_standin.url}/_standin/limits", json={"Remaining": 5000})
    assert refused.status_code == 400 and "between 0 and Max (1000)" in refused.json()[0]["message"]
