import {Component, onWillDestroy, onWillUpdateProps, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";
import {useService} from "@web/core/utils/hooks";

// the countdown is in working minutes: read it again from the server every minute
// (the calendar decides whether time runs), one read for all the widgets shown
export const REFRESH_MS = 60000;
const BATCH_MS = 50;
const STATE_CLASSES = {
    running: "text-bg-success",
    at_risk: "text-bg-warning",
    paused: "text-bg-secondary",
    breached: "text-bg-danger",
};

const pending = new Map();
let batchTimer = null;

function readCountdown(orm, resModel, id) {
    return new Promise((resolve) => {
        const key = `${resModel},${id}`;
        pending.set(key, [...(pending.get(key) || []), resolve]);
        if (batchTimer) {
            return;
        }
        batchTimer = setTimeout(async () => {
            const batch = new Map(pending);
            pending.clear();
            batchTimer = null;
            const byModel = {};
            for (const key of batch.keys()) {
                const [model, recordId] = key.split(",");
                (byModel[model] = byModel[model] || []).push(Number(recordId));
            }
            for (const [model, ids] of Object.entries(byModel)) {
                let rows = [];
                try {
                    rows = await orm.read(
                        model,
                        ids,
                        ["sla_countdown", "sla_countdown_state"],
                        {context: {active_test: false}}
                    );
                } finally {
                    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
                    for (const recordId of ids) {
                        for (const done of batch.get(`${model},${recordId}`)) {
                            done(byId[recordId] || null);
                        }
                    }
                }
            }
        }, BATCH_MS);
    });
}

export class SlaCountdownField extends Component {
    static template = "response_support.SlaCountdownField";
    static props = {...standardFieldProps};

    setup() {
        this.orm = useService("orm");
        this.state = useState({text: null, countdownState: null});
        this.interval = setInterval(() => this.refresh(), REFRESH_MS);
        onWillUpdateProps(() => {
            // the record was reloaded: its own values are the freshest
            this.state.text = null;
            this.state.countdownState = null;
        });
        onWillDestroy(() => clearInterval(this.interval));
    }

    get text() {
        return this.state.text ?? this.props.record.data[this.props.name];
    }

    get badgeClass() {
        const state =
            this.state.countdownState ?? this.props.record.data.sla_countdown_state;
        return STATE_CLASSES[state] || "text-bg-light";
    }

    async refresh() {
        const {record} = this.props;
        if (!record.resId || record.dirty) {
            return;
        }
        const row = await readCountdown(this.orm, record.resModel, record.resId);
        if (row) {
            this.state.text = row.sla_countdown || "";
            this.state.countdownState = row.sla_countdown_state;
        }
    }
}

export const slaCountdownField = {
    component: SlaCountdownField,
    supportedTypes: ["char"],
};

registry.category("fields").add("rs_sla_countdown", slaCountdownField);
