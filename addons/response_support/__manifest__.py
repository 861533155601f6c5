# Copyright 2026 response_support contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Response Support",
    "summary": "IT operations response-support desk on top of OCA helpdesk: "
    "O&M contracts, service catalog, SLA in Chinese working time, intake desk",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "category": "After-Sales",
    "author": "response_support contributors",
    "website": "https://github.com/response-support/response_support",
    "depends": ["helpdesk_mgmt", "resource", "portal", "mail"],
    "external_dependencies": {"python": ["chinese-calendar"]},
    "data": [
        "security/response_support_groups.xml",
        "security/ir.model.access.csv",
        "security/response_support_rules.xml",
        "data/response_support_data.xml",
        "data/resource_calendar_data.xml",
        "data/response_support_sla_data.xml",
        "views/response_support_system_views.xml",
        "views/response_support_catalog_views.xml",
        "views/response_support_sla_level_views.xml",
        "views/response_support_priority_matrix_views.xml",
        "views/response_support_contract_views.xml",
        "views/resource_calendar_views.xml",
        "views/response_support_sla_clock_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/portal_templates.xml",
        "wizards/response_support_phone_intake_views.xml",
        "views/response_support_menus.xml",
    ],
    "demo": ["demo/response_support_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "response_support/static/tests/tours/*.esm.js",
        ],
    },
    "application": False,
    "installable": True,
}
