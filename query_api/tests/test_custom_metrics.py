"""Custom metrics (stored values, loaded from CSV) and derived formulas (parsed with ast, never eval'd)."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory
from query_api.admin import CustomMetricForm
from query_api.models import CustomMetric, CustomMetricValue
from query_api.registry import FormulaError, formula_problem, load_catalog
from query_api.registry.formula import parse_formula
from query_api.services import CustomMetricLoadError, custom_metric_load_values, query_run
from query_api.tests.factories import CustomMetricFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('x')",
        "ootb_emails_sent ** 2",
        "ootb_emails_sent % 3",
        "ootb_emails_sent.real",
        "f(1)",
        "a if b else c",
        "ootb_emails_sent < 3",
        "[1]",
        "'text'",
        "True",
        "1e999",
        "(" * 300 + "1" + ")" * 300,
        "",
        "lambda: 1",
        "x[0]",
        "1; 2",
    ],
)
def test_only_arithmetic_on_numbers_and_slugs_parses(formula):
    with pytest.raises(FormulaError):
        parse_formula(formula)


def test_formula_problems_name_what_is_wrong(frozen_now):
    assert (
        formula_problem(
            object="account", slug="derived_account_x", formula="ootb_emails_sent / ootb_meetings_held"
        )
        is None
    )
    assert (
        formula_problem(
            object="account", slug="derived_account_x", formula="(ootb_emails_sent_last_30_days + 1) / 2"
        )
        is None
    )
    assert "not an account metric" in (
        formula_problem(object="account", slug="derived_account_x", formula="ootb_win_rate") or ""
    )
    assert "a string, not a number" in (
        formula_problem(object="account", slug="derived_account_x", formula="industry + 1") or ""
    )
    assert "no variation" in (
        formula_problem(object="account", slug="derived_account_x", formula="ootb_emails_sent_current_week")
        or ""
    )
    CustomMetricFactory(slug="derived_account_a", kind="derived", formula="derived_account_b + 1")
    CustomMetricFactory(slug="derived_account_b", kind="derived", formula="derived_account_a * 2")
    assert (
        "circle"
        in load_catalog().problems[
            (load_catalog().metric("account", "derived_account_a").object, "derived_account_a")
        ]
    )


def test_derived_metrics_compute_in_sql_and_division_by_zero_is_null(frozen_now):
    busy, idle = AccountFactory(name="Busy"), AccountFactory(name="Idle")
    for _ in range(3):
        ActivityFactory(account=busy)
    ActivityFactory(account=busy, meeting=True)
    CustomMetricFactory(
        slug="derived_account_emails_per_meeting",
        kind="derived",
        formula="ootb_emails_sent / ootb_meetings_held",
    )
    CustomMetricFactory(slug="derived_account_score", kind="derived", formula="-(ootb_emails_sent + 1) * 2.5")
    body = {
        "object": "account",
        "columns": [
            {"slug": "ootb_account_name"},
            {"slug": "derived_account_emails_per_meeting"},
            {"slug": "derived_account_score"},
        ],
        "sort": [{"attribute": {"slug": "derived_account_score"}, "direction": "asc"}],
        "filter": {"attribute": {"slug": "derived_account_score"}, "clause": {"$lt": 0}},
    }
    rows = query_run(body=body).rows
    assert rows == [
        {"ootb_account_name": "Busy", "derived_account_emails_per_meeting": 3, "derived_account_score": -10},
        {
            "ootb_account_name": "Idle",
            "derived_account_emails_per_meeting": None,
            "derived_account_score": -2.5,
        },
    ]
    del idle


def test_a_broken_derived_metric_is_a_400_not_a_500(api):
    CustomMetric.objects.create(
        slug="derived_account_broken",
        object="account",
        kind="derived",
        label="Broken",
        formula="custom_account_gone + 1",
    )
    response = api.query({"object": "account", "columns": [{"slug": "derived_account_broken"}]})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "metric_unavailable"


def test_the_admin_form_checks_the_formula_and_the_slug(frozen_now):
    def errors(**data):
        form = CustomMetricForm(
            data={"object": "account", "kind": "derived", "data_type": "number", "label": "X", **data}
        )
        form.is_valid()
        return form.errors

    assert errors(slug="derived_account_ratio", formula="ootb_emails_sent / ootb_meetings_held") == {}
    assert "formula" in errors(slug="derived_account_ratio", formula="__import__('os')")
    assert "formula" in errors(slug="derived_account_ratio", formula="")
    assert "slug" in errors(slug="custom_account_ratio", formula="ootb_emails_sent")
    assert "formula" in errors(slug="custom_account_nps", kind="stored", formula="1 + 1")


@pytest.fixture
def nps(frozen_now):
    acme, globex = AccountFactory(name="Acme", crm_id="001A"), AccountFactory(name="Globex", crm_id="001B")
    metric = CustomMetric.objects.create(
        slug="custom_account_nps_score", object="account", label="NPS", data_type="number"
    )
    return metric, acme, globex


def test_values_load_from_csv_and_are_queryable(nps, tmp_path):
    metric, acme, globex = nps
    path = tmp_path / "nps.csv"
    path.write_text("crm_id,value\n001A,42\n001B,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("load_custom_metric", "custom_account_nps_score", str(path), stdout=out)
    assert "Stored 2 values" in out.getvalue()
    body = {
        "object": "account",
        "columns": [{"slug": "ootb_account_name"}, {"slug": "custom_account_nps_score"}],
        "filter": {"attribute": {"slug": "custom_account_nps_score"}, "clause": {"$exists": False}},
    }
    assert query_run(body=body).rows == [{"ootb_account_name": "Globex", "custom_account_nps_score": None}]
    path.write_text(f"id,value\n{acme.pk},7.5\n", encoding="utf-8")
    call_command("load_custom_metric", "custom_account_nps_score", str(path), stdout=io.StringIO())
    assert CustomMetricValue.objects.get(metric=metric, object_id=acme.pk).value_number == 7.5


def test_a_bad_file_loads_nothing_and_lists_every_bad_line(nps, tmp_path):
    metric, acme, _ = nps
    with pytest.raises(CustomMetricLoadError) as error:
        custom_metric_load_values(
            metric=metric, csv_text="crm_id,value\n001A,12\n001Z,3\n001A,4\n001B,lots\n"
        )
    assert error.value.problems == [
        "Line 3: no account has crm_id '001Z'.",
        "Line 4: '001A' is already on line 2.",
        "Line 5: 'lots' is not a number.",
    ]
    assert not CustomMetricValue.objects.exists()
    path = tmp_path / "bad.csv"
    path.write_text("name,score\nx,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="identifier column"):
        call_command("load_custom_metric", "custom_account_nps_score", str(path))
    with pytest.raises(CommandError, match="No custom metric"):
        call_command("load_custom_metric", "custom_account_missing", str(path))
