import {Component, onWillStart, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

/**
 * The technical support manager's supervision board: every figure comes from
 * one server call (response.support.board/get_board_data) with the window
 * action of its list; a click on a tile opens that list.
 */
export class SupervisionBoard extends Component {
    static template = "response_support.SupervisionBoard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({sections: [], loading: true});
        onWillStart(() => this.load());
    }

    async load() {
        this.state.loading = true;
        const data = await this.orm.call("response.support.board", "get_board_data", []);
        this.state.sections = data.sections;
        this.state.loading = false;
    }

    openTile(tile) {
        return this.actionService.doAction(tile.action);
    }
}

registry.category("actions").add("response_support_board", SupervisionBoard);
