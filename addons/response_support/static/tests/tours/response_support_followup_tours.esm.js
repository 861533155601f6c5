import {registry} from "@web/core/registry";

const openTicket = (name) => [
    {
        content: "Switch to the list view",
        trigger: ".o_switch_view.o_list",
        run: "click",
    },
    {
        content: "Open the ticket",
        trigger: `.o_data_row td:contains('${name}')`,
        run: "click",
    },
];

registry.category("web_tour.tours").add("response_support_followup_resolve", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        ...openTicket("Follow-up tour ticket"),
        {
            content: "Open the Solution tab",
            trigger: ".o_notebook a[name=resolution]",
            run: "click",
        },
        {
            content: "Record the handling result",
            trigger: ".o_form_view div[name=resolution] .odoo-editor-editable",
            run: "editor Restarted the billing service and cleared its cache.",
        },
        {
            content: "and its cause",
            trigger: ".o_form_view div[name=resolution_cause] .odoo-editor-editable",
            run: "editor The billing service ran out of memory.",
        },
        {
            content: "Resolve",
            trigger: ".o_form_view .o_statusbar_status button:contains('Resolved')",
            run: "click",
        },
        {
            content: "The ticket is resolved",
            trigger:
                ".o_form_view .o_statusbar_status button[aria-checked=true]:contains('Resolved')",
        },
        {
            content: "Back to the list (saves the form)",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list shows the resolved ticket",
            trigger: ".o_list_view .o_data_row:contains('Follow-up tour ticket')",
        },
    ],
});

registry.category("web_tour.tours").add("response_support_followup_close", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
    steps: () => [
        ...openTicket("Follow-up tour ticket"),
        {
            content: "Record the follow-up call",
            trigger: ".o_form_view button[name=action_record_followup]",
            run: "click",
        },
        {
            content: "The customer was reached and confirms it is solved",
            trigger: ".modal div[name=result] select",
            run: 'selectByLabel "Confirmed Solved"',
        },
        {
            content: "Satisfaction: very satisfied",
            trigger: ".modal div[name=satisfaction] input[data-value='5']",
            run: "click",
        },
        {
            content: "The customer's words",
            trigger: ".modal div[name=customer_words] textarea",
            run: "edit Works again, thank you.",
        },
        {
            content: "Save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The desk may now close it",
            trigger: ".o_form_view button[name=action_close_confirmed]",
            run: "click",
        },
        {
            content: "The ticket is closed",
            trigger:
                ".o_form_view .o_statusbar_status button[aria-checked=true]:contains('Done')",
        },
    ],
});

registry.category("web_tour.tours").add("response_support_portal_confirm", {
    steps: () => [
        {
            content: "The portal asks whether the request is solved",
            trigger: "div[name=ticket_followup] select[name=satisfaction]",
            run: "select 4",
        },
        {
            content: "The customer's comment",
            trigger: "div[name=ticket_followup] textarea[name=words]",
            run: "edit Solved within the hour.",
        },
        {
            content: "Confirm solved",
            trigger: "div[name=ticket_followup] button[value=solved]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket page no longer asks",
            trigger: "body:has(.o_portal_wrap):not(:has(div[name=ticket_followup]))",
        },
    ],
});
