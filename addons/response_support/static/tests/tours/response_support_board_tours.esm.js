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

registry.category("web_tour.tours").add("response_support_kpi_views", {
    steps: () => [
        {
            content: "The pivot shows the on-time rate of the breached response",
            trigger: ".o_pivot table .o_pivot_cell_value:contains(0.00)",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list shows the tour's ticket",
            trigger: ".o_list_view .o_data_row td:contains(Board tour ticket)",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
    ],
});
