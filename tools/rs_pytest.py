"""pytest plugin of ``./rs test``: helpdesk_mgmt's own Python tests run as our
regression suite, and the few that test behaviour this addon changes on purpose
are expected to fail — each listed here with its reason (and in the addon's
readme, "Differences from helpdesk_mgmt"). They are strict: if one passes, the
run fails, so the list never hides a real regression and never goes stale."""

import pytest

HELPDESK_MGMT_DIFFERENCES = {
    "test_helpdesk_portal.py::TestHelpdeskPortal::test_close_ticket_invalid_stage": (
        "/ticket/close refuses a stage that is not a portal-closing stage of the "
        "ticket's team with 403 Forbidden, where helpdesk_mgmt silently ignores it "
        "and redirects (OCA/helpdesk#1089 hardening)"
    ),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/helpdesk_mgmt/tests/" not in str(item.path):
            continue
        key = f"{item.path.name}::{'::'.join(item.nodeid.split('::')[1:])}"
        reason = HELPDESK_MGMT_DIFFERENCES.get(key)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
