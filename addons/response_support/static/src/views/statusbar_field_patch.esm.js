import {StatusBarField} from "@web/views/fields/statusbar/statusbar_field";
import {patch} from "@web/core/utils/patch";

/**
 * A stage the server refuses (an engineer closing a ticket, intake not complete)
 * leaves the ticket form in its saved state, not showing the refused stage.
 */
patch(StatusBarField.prototype, {
    async selectItem(item) {
        const {record} = this.props;
        if (record.resModel !== "helpdesk.ticket") {
            return super.selectItem(item);
        }
        let saved = false;
        try {
            await super.selectItem(item);
            saved = !record.dirty;
        } finally {
            if (!saved && record.dirty) {
                await record.discard();
            }
        }
    },
});
