from odoo import Command, api, fields, models

from ..models.response_support_priority_matrix import (
    IMPACTS,
    TICKET_PRIORITIES,
    URGENCIES,
)


class ResponseSupportPriorityMatrixGrid(models.TransientModel):
    """The priority matrix on one screen: impact rows × urgency columns."""

    _name = "response.support.priority.matrix.grid"
    _description = "Priority Matrix Grid"

    company_id = fields.Many2one(
        "res.company",
        help="Empty: the cells shared by every company.",
    )
    line_ids = fields.One2many(
        "response.support.priority.matrix.grid.line",
        "grid_id",
        default=lambda self: self._get_line_commands(self.env["res.company"]),
    )

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.line_ids = self._get_line_commands(self.company_id)

    @api.model
    def _get_line_commands(self, company):
        """One row per impact (most severe first), the urgency cells as columns."""
        cells = self.env["response.support.priority.matrix"].search(
            [("company_id", "=", company.id)]
        )
        priority = {(c.impact, c.urgency): c.priority for c in cells}
        return [Command.clear()] + [
            Command.create(
                {
                    "impact": impact,
                    **{
                        f"priority_{urgency}": priority.get((impact, urgency))
                        for urgency, _label in URGENCIES
                    },
                }
            )
            for impact, _label in reversed(IMPACTS)
        ]

    def action_save(self):
        """Write the grid back to the matrix cells (one per impact and urgency)."""
        self.ensure_one()
        Matrix = self.env["response.support.priority.matrix"]
        cells = Matrix.search([("company_id", "=", self.company_id.id)])
        by_key = {(c.impact, c.urgency): c for c in cells}
        to_create = []
        for line in self.line_ids:
            for urgency, _label in URGENCIES:
                value = line[f"priority_{urgency}"]
                cell = by_key.get((line.impact, urgency))
                if cell and not value:
                    cell.unlink()
                elif cell and cell.priority != value:
                    cell.priority = value
                elif not cell and value:
                    to_create.append(
                        {
                            "impact": line.impact,
                            "urgency": urgency,
                            "priority": value,
                            "company_id": self.company_id.id,
                        }
                    )
        Matrix.create(to_create)
        return {"type": "ir.actions.act_window_close"}


class ResponseSupportPriorityMatrixGridLine(models.TransientModel):
    _name = "response.support.priority.matrix.grid.line"
    _description = "Priority Matrix Grid Row"

    grid_id = fields.Many2one(
        "response.support.priority.matrix.grid", required=True, ondelete="cascade"
    )
    impact = fields.Selection(IMPACTS, required=True, readonly=True)
    priority_high = fields.Selection(TICKET_PRIORITIES, string="High Urgency")
    priority_medium = fields.Selection(TICKET_PRIORITIES, string="Medium Urgency")
    priority_low = fields.Selection(TICKET_PRIORITIES, string="Low Urgency")
