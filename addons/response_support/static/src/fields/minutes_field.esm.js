import {FloatTimeField, floatTimeField} from "@web/views/fields/float_time/float_time_field";
import {formatFloatTime} from "@web/views/fields/formatters";
import {parseFloatTime} from "@web/views/fields/parsers";
import {registry} from "@web/core/registry";
import {useInputField} from "@web/views/fields/input_field_hook";
import {useNumpadDecimal} from "@web/views/fields/numpad_decimal_hook";

/**
 * Minutes (SLA targets, working time used, lateness) shown and typed as
 * hours:minutes: 1440 reads 24:00.
 */
export class MinutesField extends FloatTimeField {
    setup() {
        this.inputFloatTimeRef = useInputField({
            getValue: () => this.formattedValue,
            refName: "numpadDecimal",
            parse: (value) => Math.round(parseFloatTime(value) * 60),
        });
        useNumpadDecimal();
    }

    get formattedValue() {
        return formatFloatTime((this.props.record.data[this.props.name] || 0) / 60);
    }
}

export const minutesField = {
    ...floatTimeField,
    component: MinutesField,
    supportedTypes: ["integer", "float"],
};

registry.category("fields").add("rs_minutes", minutesField);
