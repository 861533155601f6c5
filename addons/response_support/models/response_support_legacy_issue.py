from odoo import fields, models


class ResponseSupportLegacyIssue(models.Model):
    """A legacy issue (遗留问题) left open by a support activity, agreed with the
    customer: who follows it up, by when, and how it ends. Shown on the ticket, on
    the next activity for the same customer and system, and on the portal."""

    _name = "response.support.legacy.issue"
    _description = "Legacy Issue"
    _inherit = ["mail.thread"]
    _order = "state, due_date, id"

    name = fields.Char(string="Issue", required=True, tracking=True)
    activity_id = fields.Many2one(
        "response.support.activity",
        string="Support Activity",
        required=True,
        ondelete="cascade",
        index=True,
    )
    ticket_id = fields.Many2one(related="activity_id.ticket_id", store=True, index=True)
    customer_id = fields.Many2one(
        related="activity_id.customer_id", store=True, index=True
    )
    system_id = fields.Many2one(related="activity_id.system_id", store=True, index=True)
    company_id = fields.Many2one(
        related="activity_id.company_id", store=True, index=True
    )
    proposal = fields.Text(
        string="Agreed Handling", help="The handling proposal agreed with the customer."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    due_date = fields.Date(tracking=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Solved"), ("cancel", "Cancelled")],
        default="open",
        required=True,
        tracking=True,
    )

    def action_solve(self):
        self.write({"state": "done"})
        return True

    def action_cancel(self):
        self.write({"state": "cancel"})
        return True
