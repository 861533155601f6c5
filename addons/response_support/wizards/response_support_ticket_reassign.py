from odoo import fields, models


class ResponseSupportTicketReassign(models.TransientModel):
    """转派 or hand back a dispatched ticket, always with a reason for the chatter."""

    _name = "response.support.ticket.reassign"
    _description = "Reassign or Hand Back a Ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    mode = fields.Selection(
        [("reassign", "Reassign"), ("hand_back", "Hand Back")],
        required=True,
        default="reassign",
    )
    team_id = fields.Many2one("helpdesk.ticket.team", string="New Team")
    user_id = fields.Many2one(
        "res.users",
        string="New Engineer",
        domain="[('share', '=', False)]",
    )
    # required in the form; the ticket checks it too, whoever calls it
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "hand_back":
            self.ticket_id._hand_back(self.reason)
        else:
            self.ticket_id._reassign(self.reason, team=self.team_id, user=self.user_id)
        return {"type": "ir.actions.act_window_close"}
