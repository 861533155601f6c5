import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("response_support_board", {
    steps: () => [
        {
            content: "The board shows the breached events",
            trigger: ".o_rs_board .o_rs_board_tile[data-key=sla_breached] .o_rs_board_count:not(:contains(/^0$/))",
        },
        {
            content: "Open the breached events",
            trigger: ".o_rs_board .o_rs_board_tile[data-key=sla_breached]",
            run: "click",
        },
        {
            content: "Their list holds the breached ticket",
            trigger: ".o_list_view .o_data_row td:contains(Board tour ticket)",
        },
    ],
});
