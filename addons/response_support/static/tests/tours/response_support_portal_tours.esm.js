import {inLang} from "./response_support_tour_utils.esm";
import {registry} from "@web/core/registry";

// what the customer reads, in their language
const PORTAL = {
    en_US: {
        onTrack: "On Track",
        handledBy: "Handled by:",
        response: "Response",
        resolution: "Resolution",
        dueBy: "due by",
        state: "In progress, on time so far",
    },
    zh_CN: {
        onTrack: "正常",
        handledBy: "处理团队：",
        response: "响应时限",
        resolution: "解决时限",
        dueBy: "截止时间",
        state: "处理中，目前未超时",
    },
};

registry.category("web_tour.tours").add("response_support_portal_sla", {
    url: "/my/tickets",
    steps: () => {
        const text = inLang(PORTAL);
        return [
            {
                content: "The ticket list has an SLA column",
                trigger: "table th[name=th_sla_status]",
            },
            {
                content: "The ticket's row shows its SLA state",
                trigger: `tr:contains('Portal SLA ticket') .badge:contains('${text.onTrack}')`,
            },
            {
                content: "Open the ticket",
                trigger: "a[href^='/my/ticket/']:contains('Portal SLA ticket')",
                run: "click",
            },
            {
                content: "The page names the team that handles it",
                trigger: `#wrap strong:contains('${text.handledBy}') + span:contains('Software Team')`,
            },
            {
                content: "The response deadline, due by a date, and its state",
                trigger: `.o_rs_portal_sla:contains('${text.response}'):contains('${text.dueBy}') .badge:contains('${text.state}')`,
            },
            {
                content: "The resolution deadline",
                trigger: `.o_rs_portal_sla:contains('${text.resolution}'):contains('${text.dueBy}')`,
            },
            {
                content: "One reference: the ticket number",
                trigger: "#wrap h3:contains('HT')",
            },
        ];
    },
});
