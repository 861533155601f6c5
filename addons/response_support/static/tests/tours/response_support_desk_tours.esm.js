import {IN_PROGRESS} from "./response_support_tours.esm";
import {inLang} from "./response_support_tour_utils.esm";
import {registry} from "@web/core/registry";

const ON_TRACK = {en_US: "On Track", zh_CN: "正常"};
// the countdown of a running clock: "Response: 12 min left" / "响应时限剩余 12 分钟"
const LEFT = {en_US: "min left", zh_CN: "剩余"};
const MANAGER = {en_US: "Technical Support Manager", zh_CN: "技术支持经理"};

registry.category("web_tour.tours").add("response_support_kanban_sla", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {
            content: "Switch to the kanban view",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The card shows the SLA status badge",
            trigger:
                `.o_kanban_record:contains('Kanban SLA ticket') [name=response_support_badges] .badge:contains('${inLang(ON_TRACK)}')`,
        },
        {
            content: "The card shows the working-time countdown",
            trigger:
                `.o_kanban_record:contains('Kanban SLA ticket') .o_rs_sla_countdown.text-bg-success:contains('${inLang(LEFT)}')`,
        },
        {
            content: "The card shows the escalation level",
            trigger:
                `.o_kanban_record:contains('Kanban SLA ticket') [name=escalation_level] .badge:contains('${inLang(MANAGER)}')`,
        },
    ],
});

registry.category("web_tour.tours").add("response_support_dispatch_dialog", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {
            content: "Switch to the list view",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Open the ticket",
            trigger: ".o_data_row td:contains('Dialog dispatch ticket')",
            run: "click",
        },
        {
            content: "The form shows the countdown",
            trigger: `.o_form_view .o_rs_sla_countdown:contains('${inLang(LEFT)}')`,
        },
        {
            content: "Dispatch",
            trigger: ".o_form_view button[name=action_dispatch_dialog]",
            run: "click",
        },
        {
            content: "The dialog shows the catalog's team",
            trigger: ".modal div[name=team_id] input:value(Software Team)",
        },
        {
            content: "and the engineer its round robin picks",
            trigger: ".modal div[name=user_id] input:value(Support Engineer)",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The ticket is dispatched to the working stage",
            trigger: `.o_form_view .o_statusbar_status button[aria-checked=true]:contains('${inLang(
                IN_PROGRESS
            )}')`,
        },
    ],
});
