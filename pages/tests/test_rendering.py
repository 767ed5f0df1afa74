"""The page's state in its query string (no database)."""

from pages.rendering import PageState


def test_page_state_links_leave_defaults_out():
    state = PageState.from_params({"period": "last_7_days", "people": "external", "sort": "recent"})
    assert state.params() == {"period": "last_7_days", "sort": "recent"}
    assert state.params(period="last_30_days", people="internal") == {"sort": "recent", "people": "internal"}
