import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("response_support_notify_channel", {
    url: "/odoo/action-response_support.response_support_notify_channel_action",
    steps: () => [
        {
            content: "Add a channel",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name",
            trigger: ".o_form_view div[name=name] input",
            run: "edit Tour Database Team DingTalk",
        },
        {
            content: "A DingTalk custom robot",
            trigger: ".o_form_view div[name=kind] select",
            run: 'selectByLabel "DingTalk Custom Robot"',
        },
        {
            content: "Its webhook (the test's local robot)",
            trigger: ".o_form_view div[name=webhook_url] input",
            run: "edit http://127.0.0.1:18765/robot/send?access_token=tour",
        },
        {
            content: "Its 加签 secret",
            trigger: ".o_form_view div[name=secret] input",
            run: "edit SECtour0123456789",
        },
        {
            content: "Add a route",
            trigger: ".o_form_view div[name=route_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Breaches",
            trigger: ".o_form_view div[name=route_ids] .o_data_row td[name=event] select",
            run: 'selectByLabel "SLA Breach"',
        },
        {
            content: "Of the team",
            trigger: ".o_form_view div[name=route_ids] .o_data_row td[name=team_id] input",
            run: "edit Tour Database",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Database Team)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the secret is only shown masked",
            trigger: ".o_form_view div[name=secret_masked]:contains(6789)",
        },
    ],
});
