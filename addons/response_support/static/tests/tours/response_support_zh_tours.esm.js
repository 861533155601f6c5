import {noEnglishInTabsStep, noEnglishStep} from "./response_support_tour_utils.esm";
import {registry} from "@web/core/registry";

/*
 * The zh_CN "no English" tours: they walk the desk's main screens as a Chinese
 * desk, manager and customer see them and fail when a visible label, button,
 * stage, menu or badge is left in English. The records of the test have Chinese
 * names; what may stay Latin: codes in capitals (SLA, IT, HT00001, T-WB),
 * e-mail addresses, links and the few names of ALLOWED.
 */
export const ALLOWED = [
    "Odoo",
    "OdooBot",
    // time zones are named in English everywhere (tz database)
    "Asia",
    "Shanghai",
    // the footer's "Copyright ©", as Odoo's own zh_CN keeps it
    "Copyright",
    // the spreadsheet program the monthly SLA report is exported for
    "Excel",
];
const TICKET = "计费页面报错";

function menu(xmlid) {
    return `.o_main_navbar [data-menu-xmlid='${xmlid}']`;
}

function openMenu(section, item, ready) {
    return [
        {content: `Open ${section}`, trigger: menu(section), run: "click"},
        noEnglishStep(`.o-dropdown--menu [data-menu-xmlid='${item}']`, ALLOWED),
        {
            content: `Open ${item}`,
            trigger: `.o-dropdown--menu [data-menu-xmlid='${item}']`,
            run: "click",
        },
        noEnglishStep(ready, ALLOWED),
    ];
}

registry.category("web_tour.tours").add("response_support_zh_desk_screens", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {trigger: ".o_switch_view.o_kanban", run: "click"},
        noEnglishStep(`.o_kanban_record:contains('${TICKET}') .o_rs_sla_countdown`, ALLOWED),
        {
            content: "Filters and group-bys",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        noEnglishStep(".o_search_bar_menu .o_filter_menu", ALLOWED),
        {trigger: ".o_searchview_dropdown_toggler", run: "click"},
        {trigger: ".o_switch_view.o_list", run: "click"},
        noEnglishStep(`.o_list_view .o_data_row:contains('${TICKET}')`, ALLOWED),
        {trigger: `.o_data_row td:contains('${TICKET}')`, run: "click"},
        noEnglishStep(".o_form_view .o_rs_sla_countdown", ALLOWED),
        noEnglishInTabsStep(ALLOWED),
        {content: "Back to the list", trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb .breadcrumb-item a", run: "click"},
        {trigger: ".o_data_row td:contains('打印机无法打印')", run: "click"},
        {trigger: ".o_form_view button[name=action_dispatch_dialog]", run: "click"},
        noEnglishStep(".modal button[name=action_confirm]", ALLOWED),
        {trigger: ".modal .btn-close", run: "click"},
        {
            content: "Record a Call",
            trigger: menu("response_support.response_support_phone_intake_menu"),
            run: "click",
        },
        noEnglishStep(".modal div[name=phone] input", ALLOWED),
        {trigger: ".modal .btn-close", run: "click"},
        {
            content: "The teams' dashboard",
            trigger: menu("helpdesk_mgmt.helpdesk_ticket_dashboard_menu"),
            run: "click",
        },
        noEnglishStep(".o_kanban_record:contains('软件团队')", ALLOWED),
    ],
});

registry.category("web_tour.tours").add("response_support_zh_config_screens", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_config_main_menu",
            "response_support.response_support_sla_level_menu",
            ".o_data_row:contains('金牌测试')"
        ),
        {trigger: ".o_data_row td:contains('金牌测试')", run: "click"},
        noEnglishStep(".o_form_view .o_field_one2many .o_data_row", ALLOWED),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_config_main_menu",
            "response_support.response_support_catalog_menu",
            ".o_data_row:contains('计费应用故障')"
        ),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_config_main_menu",
            "response_support.response_support_calendar_menu",
            ".o_data_row:contains('测试 5×8')"
        ),
        {trigger: ".o_data_row td:contains('测试 5×8')", run: "click"},
        noEnglishStep(".o_form_view .o_notebook", ALLOWED),
        noEnglishInTabsStep(ALLOWED),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_config_main_menu",
            "response_support.response_support_priority_matrix_menu",
            ".modal .o_form_view"
        ),
        {content: "Close the priority matrix", trigger: ".modal .btn-close", run: "click"},
        ...openMenu(
            "response_support.response_support_om_menu",
            "response_support.response_support_contract_menu",
            ".o_data_row:contains('水务运维')"
        ),
        {trigger: ".o_data_row td:contains('水务运维')", run: "click"},
        noEnglishStep(".o_form_view .o_notebook", ALLOWED),
        noEnglishInTabsStep(ALLOWED),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_reporting_menu",
            "response_support.response_support_sla_clock_menu",
            // the report opens on met / breached counts and the met rate of the
            // completed clocks, breached counts in red
            ".o_pivot td.o_rs_breached.text-danger"
        ),
    ],
});

registry.category("web_tour.tours").add("response_support_zh_portal_screens", {
    url: "/my/tickets",
    steps: () => [
        noEnglishStep(`tr:contains('${TICKET}') .badge`, ALLOWED),
        {trigger: `a[href^='/my/ticket/']:contains('${TICKET}')`, run: "click"},
        noEnglishStep(".o_rs_portal_sla .badge", ALLOWED),
        // mail's chatter, whose JS terms the portal loads through our ir.http
        noEnglishStep("#chatterRoot:shadow .o-mail-Thread", ALLOWED),
    ],
});

// the manager's reporting screens: supervision board, KPIs, monthly SLA reports,
// evaluations and the configuration change log
registry.category("web_tour.tours").add("response_support_zh_manager_screens", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_reporting_menu",
            "response_support.response_support_board_menu",
            ".o_rs_board .o_rs_board_tile"
        ),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_reporting_menu",
            "response_support.response_support_report_kpi_menu",
            ".o_pivot table"
        ),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_reporting_menu",
            "response_support.response_support_sla_report_menu",
            ".o_list_view"
        ),
        {
            content: "Evaluations",
            trigger: menu("response_support.response_support_evaluation_menu"),
            run: "click",
        },
        noEnglishStep(".o_list_view", ALLOWED),
        ...openMenu(
            "helpdesk_mgmt.helpdesk_ticket_config_main_menu",
            "response_support.response_support_config_change_menu",
            ".o_list_view .o_data_row"
        ),
    ],
});
