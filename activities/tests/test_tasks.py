"""Capture's Celery tasks: the hand-off to the other engines, and its one allowed fallback."""

import logging
import sys
import types

import pytest

from activities import tasks


@pytest.fixture
def fake_engines(monkeypatch):
    calls = []
    module = types.ModuleType("fake_engine_module")
    module.process = lambda *, activity_ids: calls.append(activity_ids)
    monkeypatch.setitem(sys.modules, "fake_engine_module", module)
    return calls


def test_after_capture_calls_each_engine_with_the_ids(fake_engines, monkeypatch):
    monkeypatch.setattr(tasks, "_AFTER_CAPTURE", (("fake_engine_module", "process"),))
    assert tasks.after_capture.apply(args=([3, 1],)).get() == ["fake_engine_module.process"]
    assert fake_engines == [[3, 1]]


def test_a_missing_engine_is_logged_at_info_and_skipped(fake_engines, monkeypatch, caplog):
    monkeypatch.setattr(
        tasks,
        "_AFTER_CAPTURE",
        (
            ("no_such_engine_module", "process"),
            ("fake_engine_module", "missing_function"),
            ("fake_engine_module", "process"),
        ),
    )
    with caplog.at_level(logging.INFO, logger="activities.tasks"):
        called = tasks.after_capture.apply(args=([7],)).get()
    assert called == ["fake_engine_module.process"]
    assert fake_engines == [[7]]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("no_such_engine_module.process is not available" in m for m in messages)
    assert any("fake_engine_module.missing_function is not available" in m for m in messages)


def test_a_broken_engine_module_is_an_error_not_a_silent_skip(monkeypatch):
    def import_module(name):
        raise ModuleNotFoundError("No module named 'missing_dependency'", name="missing_dependency")

    monkeypatch.setattr(tasks, "importlib", types.SimpleNamespace(import_module=import_module))
    with pytest.raises(ModuleNotFoundError, match="missing_dependency"):
        tasks.after_capture([1])


def test_task_names_and_queues_are_stable():
    assert tasks.after_capture.name == "activities.after_capture"
    assert tasks.after_capture.queue == "capture"
    assert tasks.rematch_after_crm_change.name == "activities.rematch_after_crm_change"
    assert tasks.after_removal.name == "activities.after_removal"
