import {inLang} from "./response_support_tour_utils.esm";
import {registry} from "@web/core/registry";

// the stage a dispatched ticket reaches (helpdesk_mgmt's "In Progress")
export const IN_PROGRESS = {en_US: "In Progress", zh_CN: "处理中"};

registry.category("web_tour.tours").add("response_support_ticket_list", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {
            content: "Switch to the list view",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The ticket created by the test is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour list ticket')",
        },
    ],
});

registry.category("web_tour.tours").add("response_support_phone_intake", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        {
            content: "Open the phone intake",
            trigger:
                ".o_menu_sections [data-menu-xmlid='response_support.response_support_phone_intake_menu']",
            run: "click",
        },
        {
            content: "Type the caller's number",
            trigger: ".modal div[name=phone] input",
            run: "edit 17700429413",
        },
        {
            content: "Title",
            trigger: ".modal div[name=name] input",
            run: "edit Billing screen shows error 500",
        },
        {
            content: "The caller was recognised from the number",
            trigger: ".modal div[name=reporter_name] input:value(Li Lei)",
        },
        {
            content: "The system of the caller's organisation is suggested",
            trigger: ".modal div[name=system_id] input:value([T-WB] Water Billing)",
        },
        {
            content: "Description",
            trigger: ".modal div[name=description] textarea",
            run: "edit Every invoice page returns error 500 since 09:00.",
        },
        {
            content: "Impact",
            trigger: ".modal div[name=impact] select",
            run: `select "medium"`,
        },
        {
            content: "Urgency",
            trigger: ".modal div[name=urgency] select",
            run: `select "high"`,
        },
        {
            content: "Service catalog",
            trigger: ".modal div[name=catalog_id] input",
            run: "edit Billing Application",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Billing Application Fault)",
            run: "click",
        },
        {
            content: "Save and dispatch",
            trigger: ".modal button[name=action_create_dispatch]",
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
