from odoo import fields, models


class ResponseSupportTicketEscalate(models.TransientModel):
    """升级上报 a ticket one step up the ladder, or downgrade an emergency: both
    need a reason, kept in the escalation log and the chatter."""

    _name = "response.support.ticket.escalate"
    _description = "Escalate a Ticket or Downgrade an Emergency"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    mode = fields.Selection(
        [("escalate", "Escalate"), ("downgrade", "Downgrade Emergency")],
        required=True,
        default="escalate",
    )
    escalation_level = fields.Selection(related="ticket_id.escalation_level")
    # required in the form; the ticket checks it too, whoever calls it
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "downgrade":
            self.ticket_id._downgrade_emergency(self.reason)
        else:
            self.ticket_id._escalate_manually(self.reason)
        return {"type": "ir.actions.act_window_close"}
