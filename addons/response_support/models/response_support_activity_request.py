from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .helpdesk_ticket_access import has_private_flag, private_flag

DECISION_FIELDS = {"state", "decided_by_id", "decided_date", "requested_by_id"}
DECISION_FLAG = "response_support_request_decision"


class ResponseSupportActivityRequest(models.Model):
    """An extra request of the customer, or a problem the engineer cannot solve,
    met during a support activity: nothing is done about it before the superior
    (a technical support manager) authorises it (§5.2 一(二), 二(二))."""

    _name = "response.support.activity.request"
    _description = "Extra Request or Unsolved Problem"
    _inherit = ["mail.thread"]
    _order = "id desc"

    activity_id = fields.Many2one(
        "response.support.activity",
        string="Support Activity",
        required=True,
        ondelete="cascade",
        index=True,
    )
    ticket_id = fields.Many2one(related="activity_id.ticket_id", store=True)
    company_id = fields.Many2one(
        related="activity_id.company_id", store=True, index=True
    )
    kind = fields.Selection(
        [("extra", "Extra Request of the Customer"), ("problem", "Unsolved Problem")],
        required=True,
        default="extra",
    )
    description = fields.Text(required=True)
    requested_by_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )
    state = fields.Selection(
        [
            ("pending", "Awaiting Authorisation"),
            ("approved", "Authorised"),
            ("declined", "Declined"),
            ("done", "Done"),
        ],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
    )
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    decided_date = fields.Datetime(string="Decided On", readonly=True)
    decision_note = fields.Text()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_decision_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_decision_fields(vals)
        return super().write(vals)

    def _check_decision_fields(self, vals):
        if DECISION_FIELDS & set(vals) and not has_private_flag(DECISION_FLAG):
            raise UserError(
                self.env._("The decision is recorded by the Authorise/Decline buttons.")
            )

    def _decide(self, state):
        if not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._("Only a technical support manager authorises this.")
            )
        if self.filtered(lambda r: r.state != "pending"):
            raise UserError(self.env._("This request was already decided."))
        if self.filtered(lambda r: r.requested_by_id == self.env.user):
            raise AccessError(
                self.env._("Another manager decides on a request you recorded.")
            )
        with private_flag(DECISION_FLAG):
            self.write(
                {
                    "state": state,
                    "decided_by_id": self.env.user.id,
                    "decided_date": fields.Datetime.now(),
                }
            )
        return True

    def action_approve(self):
        return self._decide("approved")

    def action_decline(self):
        return self._decide("declined")

    def action_mark_done(self):
        """The work on the request is done: only once authorised."""
        self.activity_id._check_engineer()
        if self.filtered(lambda r: r.state != "approved"):
            raise UserError(
                self.env._(
                    "Work on an extra request or problem only after the superior "
                    "authorised it."
                )
            )
        with private_flag(DECISION_FLAG):
            self.write({"state": "done"})
        return True
