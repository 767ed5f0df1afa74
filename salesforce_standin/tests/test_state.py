"""Fixtures in, state out: loading JSON fixtures, dumping and reloading the whole org,
and concurrent writers sharing one store."""

import json
import threading

import pytest

from salesforce_standin import SMALL_ORG, StandinServer, Store, ids


def test_small_org_fixture_loads_a_realistic_org():
    store = Store()
    store.load_file(SMALL_ORG)
    counts = {
        name: store.count(name)
        for name in (
            "User",
            "Account",
            "Contact",
            "Lead",
            "Opportunity",
            "OpportunityContactRole",
            "Task",
            "Event",
            "AccountTeamMember",
        )
    }
    assert counts == {
        "User": 7,
        "Account": 6,
        "Contact": 14,
        "Lead": 5,
        "Opportunity": 8,
        "OpportunityContactRole": 9,
        "Task": 6,
        "Event": 5,
        "AccountTeamMember": 4,
    }
    integration = store.get("User", store.api_user_id)
    assert integration["Email"] == "integration@lumen-analytics.com"
    acme = store.get("Account", store.ref("acme"))
    assert acme["Secondary_Domains__c"] == "acme.co.uk;acme-labs.io"
    converted = store.get("Lead", store.ref("lead_converted"))
    assert converted["IsConverted"] is True and converted["ConvertedContactId"] == store.ref("initech_dev")
    won = store.get("Opportunity", store.ref("initech_won"))
    assert (won["IsClosed"], won["IsWon"], won["Probability"]) == (True, True, 100)
    for name, prefix in ids.KEY_PREFIXES.items():
        assert all(r["Id"].startswith(prefix) and ids.is_well_formed(r["Id"]) for r in store.rows(name))


def test_fixture_keys_may_point_forward():
    store = Store()
    store.load(
        {
            "Contact": [{"Id": "@ada", "LastName": "Lovelace", "AccountId": "@analytical"}],
            "Account": [{"Id": "@analytical", "Name": "Analytical Engines"}],
        }
    )
    contact = store.get("Contact", store.ref("@ada"))
    assert contact["AccountId"] == store.ref("analytical")
    assert contact["Name"] == "Lovelace"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Wombat": []}, "unknown objects"),
        ({"Account": [{"Name": "X", "Colour__c": "red"}]}, "unknown field"),
        ({"Contact": [{"LastName": "X", "AccountId": "@nowhere"}]}, "unknown key"),
        ({"Contact": [{"LastName": "X", "AccountId": ids.make_id("001", 424242)}]}, "missing records"),
        ({"Contact": [{"Id": ids.make_id("001", 1), "LastName": "X"}]}, "not a valid Contact id"),
        (
            {"Opportunity": [{"Name": "X", "StageName": "Daydreaming", "CloseDate": "2026-01-01"}]},
            "unknown stage",
        ),
        ({"Account": [{"Name": "X", "NumberOfEmployees": "many"}]}, "NumberOfEmployees"),
    ],
)
def test_bad_fixtures_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        Store().load(data)


def test_dump_and_reload_round_trip(salesforce_standin, tmp_path):
    sf = salesforce_standin.sf
    new_id = sf.Contact.create({"LastName": "Persisted", "Backstory_Id__c": "bs-persist"})["id"]
    sf.Lead.delete(salesforce_standin.store.ref("lead_hooli"))
    sf.Opportunity.update(salesforce_standin.store.ref("globex_new"), {"StageName": "Closed Won"})
    state_file = tmp_path / "org.json"
    salesforce_standin.store.dump_file(state_file)
    assert json.loads(state_file.read_text())["_standin"]["format"] == 1

    with StandinServer(fixtures=state_file) as reloaded:
        again = reloaded.sf
        original = sf.Contact.get(new_id)
        copy = again.Contact.get(new_id)
        assert copy == original
        assert again.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
        assert again.query("SELECT COUNT() FROM Lead", include_deleted=True)["totalSize"] == 5
        history = f"SELECT StageName FROM OpportunityHistory WHERE OpportunityId = '{reloaded.store.ref('globex_new')}'"
        assert [r["StageName"] for r in again.query(history)["records"]] == [
            "Id. Decision Makers",
            "Closed Won",
        ]
        assert reloaded.store.ref("acme") == salesforce_standin.store.ref("acme")
        newer = again.Contact.create({"LastName": "After reload"})["id"]
        assert newer != new_id and newer.startswith("003")
        assert reloaded.store.api_user_id == salesforce_standin.store.api_user_id


def test_dump_is_stable_across_a_reload():
    store = Store()
    store.load_file(SMALL_ORG)
    first = store.dump()
    second_store = Store()
    second_store.load(json.loads(json.dumps(first)))
    assert second_store.dump() == first


def test_load_can_add_to_an_existing_org():
    store = Store()
    store.load_file(SMALL_ORG)
    store.load({"Account": [{"Id": "@extra", "Name": "Extra Co", "OwnerId": "@ae1"}]}, replace=False)
    assert store.count("Account") == 7
    assert store.get("Account", store.ref("extra"))["OwnerId"] == store.ref("ae1")


def test_concurrent_writers_get_unique_ids(salesforce_standin):
    created: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def writer(worker):
        sf = salesforce_standin.salesforce()
        try:
            for n in range(15):
                record_id = sf.Contact.create({"LastName": f"W{worker}-{n}"})["id"]
                sf.Contact.update(record_id, {"Title": "Concurrent"})
                with lock:
                    created.append(record_id)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(created) == len(set(created)) == 90
    count = salesforce_standin.sf.query("SELECT COUNT() FROM Contact WHERE Title = 'Concurrent'")["totalSize"]
    assert count == 90


def test_a_bad_fixture_leaves_the_org_as_it_was():
    store = Store()
    store.load_file(SMALL_ORG)
    before = store.dump()
    with pytest.raises(ValueError):
        store.load({"Account": [{"Id": "@new", "Name": "New"}], "Contact": [{"LastName": "X", "Bogus": 1}]})
    with pytest.raises(ValueError):
        store.load({"Contact": [{"LastName": "X", "AccountId": "@missing"}]}, replace=False)
    assert store.dump() == before
