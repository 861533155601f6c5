import {registry} from "@web/core/registry";

function clickButton(name, content) {
    return {
        content,
        trigger: `.o_form_view .o_statusbar_buttons button[name=${name}]`,
        run: "click",
    };
}

function openTab(label) {
    return {
        content: `Open the ${label} tab`,
        trigger: `.o_form_view .o_notebook .nav-link:contains(${label})`,
        run: "click",
    };
}

function toggleChecklist(item) {
    return {
        content: `Tick "${item}"`,
        trigger: `.o_form_view div[name=checklist_ids] .o_data_row:contains(${item}) td[name=done] input`,
        run: "click",
    };
}

function waitState(label) {
    return {
        content: `The activity is "${label}"`,
        trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains(${label})`,
    };
}

registry.category("web_tour.tours").add("response_support_onsite_visit", {
    url: "/odoo/action-response_support.response_support_activity_action",
    steps: () => [
        {
            content: "Open the visit of the tour's ticket",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains(Tour visit ticket)",
            run: "click",
        },
        clickButton("action_confirm", "Time, place and work confirmed with the customer"),
        waitState("Confirmed"),
        clickButton("action_set_out", "On the way"),
        waitState("On the Way"),
        clickButton("action_check_in", "Arrived on site"),
        {
            content: "The arrival is recorded",
            trigger: ".o_form_view div[name=checkin_date]:not(:empty)",
        },
        openTab("Checklist"),
        toggleChecklist("Tour spare disk"),
        clickButton("action_start", "Start the confirmed work"),
        waitState("In Progress"),
        openTab("Service Record"),
        {
            content: "Record the work done",
            trigger: ".o_form_view div[name=service_record] textarea",
            run: "edit Tour: disk replaced, RAID rebuilt",
        },
        clickButton("action_request_signoff", "Work finished"),
        waitState("Awaiting Customer Sign-off"),
        openTab("Sign-off"),
        {
            content: "Nothing is left open",
            trigger: ".o_form_view div[name=no_legacy_issue] input",
            run: "click",
        },
        {
            content: "The customer's name",
            trigger: ".o_form_view div[name=signed_by] input",
            run: "edit Li Lei",
        },
        {
            content: "The customer signs",
            trigger: ".o_form_view div[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "Adopt the signature",
            trigger: ".modal .modal-footer .btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the form",
            trigger: ".o_form_view div[name=signature] img.o_signature",
        },
        openTab("Checklist"),
        toggleChecklist("Site left clean"),
        clickButton("action_done", "Leave: close the visit"),
        waitState("Done"),
    ],
});

registry.category("web_tour.tours").add("response_support_remote_session", {
    url: "/odoo/action-response_support.response_support_activity_action",
    steps: () => [
        {
            content: "Open the remote session of the tour's ticket",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains(Tour remote ticket)",
            run: "click",
        },
        clickButton("action_confirm", "Time and work confirmed with the customer"),
        waitState("Confirmed"),
        clickButton("action_set_out", "Connect"),
        waitState("On the Way"),
        openTab("Checklist"),
        toggleChecklist("Access confirmed"),
        clickButton("action_start", "Start the confirmed work"),
        waitState("In Progress"),
        clickButton("action_request_signoff", "Work finished"),
        waitState("Awaiting Customer Sign-off"),
        openTab("Sign-off"),
        {
            content: "Nothing is left open",
            trigger: ".o_form_view div[name=no_legacy_issue] input",
            run: "click",
        },
        {
            content: "The customer confirmed the session",
            trigger: ".o_form_view div[name=customer_confirmed] input",
            run: "click",
        },
        clickButton("action_done", "Close the session"),
        waitState("Done"),
    ],
});

// "My Visits Today" combines both filters: the engineer's own visits AND today's
registry.category("web_tour.tours").add("response_support_visits_today", {
    url: "/odoo/action-response_support.response_support_activity_action_today",
    steps: () => [
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Only the engineer's visit of today is listed",
            trigger: ".o_list_view .o_data_row:contains(Tour mine today)",
        },
        {
            content: "Exactly one visit",
            trigger: ".o_list_view tbody:not(:has(.o_data_row:nth-child(2)))",
        },
    ],
});
