import {PivotRenderer} from "@web/views/pivot/pivot_renderer";
import {pivotView} from "@web/views/pivot/pivot_view";
import {registry} from "@web/core/registry";

/**
 * The SLA clock report: the counts of breached clocks are shown in red, so
 * that what went wrong stands out of the met counts and the met rate.
 */
export class SlaClockPivotRenderer extends PivotRenderer {
    static template = "response_support.SlaClockPivotRenderer";
    static dangerMeasures = ["breached_count"];

    isDanger(cell) {
        return (
            this.constructor.dangerMeasures.includes(cell.measure) &&
            cell.value > 0 &&
            cell.originIndexes.length === 1
        );
    }
}

registry.category("views").add("rs_sla_clock_pivot", {
    ...pivotView,
    Renderer: SlaClockPivotRenderer,
});
