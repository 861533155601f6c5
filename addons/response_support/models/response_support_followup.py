from odoo import api, fields, models
from odoo.exceptions import UserError

FOLLOWUP_RESULTS = [
    ("unreached", "Not Reached"),
    ("solved", "Confirmed Solved"),
    ("not_solved", "Not Solved"),
    ("no_answer_closure", "Closed Without Answer"),
]
SATISFACTION = [
    ("1", "Very Dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very Satisfied"),
]


class ResponseSupportFollowup(models.Model):
    """One follow-up (回访) of a resolved ticket (§4.1 ⑥): a call of the desk, the
    customer's answer on the portal, or the closure under the no-answer rule.
    Whether the customer was reached, whether they confirm the solution, their
    satisfaction and words; their opinions and requests are records of their
    own. Recording one acts on the ticket: not solved reopens it, confirmed
    allows (or, when the team says so, makes) its closure."""

    _name = "response.support.followup"
    _description = "Follow-up Call"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer Contact")
    channel = fields.Selection(
        [("call", "Phone Call"), ("portal", "Portal"), ("rule", "No-Answer Rule")],
        required=True,
        default="call",
    )
    result = fields.Selection(FOLLOWUP_RESULTS, required=True, default="solved")
    satisfaction = fields.Selection(SATISFACTION)
    customer_words = fields.Text(
        string="Customer's Words",
        help="What the customer said: why it is not solved, or their comments.",
    )
    opinion_ids = fields.One2many(
        "response.support.customer.opinion",
        "followup_id",
        string="Opinions and Requests",
    )

    @api.depends("ticket_id", "result", "date")
    def _compute_display_name(self):
        for followup in self:
            followup.display_name = " – ".join(
                filter(
                    None,
                    [
                        followup.ticket_id.display_name,
                        dict(
                            self._fields["result"]._description_selection(self.env)
                        ).get(followup.result),
                    ],
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("result") == "no_answer_closure":
                vals["channel"] = "rule"
            if vals.get("result") == "not_solved" and not vals.get("customer_words"):
                raise UserError(
                    self.env._(
                        "Write down the customer's words: the engineer needs them "
                        "to resume the work on the ticket."
                    )
                )
        followups = super().create(vals_list)
        followups.ticket_id._check_awaits_followup()
        for followup in followups:
            followup._apply_to_ticket()
        return followups

    def _apply_to_ticket(self):
        """What the answer does to the ticket (hook)."""
        self.ensure_one()
        ticket = self.ticket_id
        if self.result == "not_solved":
            ticket._reopen_after_followup(self)
        elif self.result == "no_answer_closure":
            if not ticket._is_no_answer_closable():
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed without an answer yet: "
                        "its team's rule asks for more failed follow-up attempts or "
                        "more working days since the first one.",
                        ticket=ticket.display_name,
                    )
                )
            ticket._close_after_followup()
        elif self.result == "solved" and ticket.team_id.followup_auto_close:
            ticket._close_after_followup()


class ResponseSupportCustomerOpinion(models.Model):
    """An opinion or request of the customer (客户意见, §4.1 ②), recorded during
    a follow-up: kept as its own record so they can be reported and handled."""

    _name = "response.support.customer.opinion"
    _description = "Customer Opinion"
    _order = "id desc"

    followup_id = fields.Many2one(
        "response.support.followup", required=True, ondelete="cascade", index=True
    )
    ticket_id = fields.Many2one(related="followup_id.ticket_id", store=True, index=True)
    partner_id = fields.Many2one(
        related="ticket_id.commercial_partner_id", string="Customer", store=True
    )
    system_id = fields.Many2one(related="ticket_id.system_id", store=True)
    company_id = fields.Many2one(
        related="followup_id.company_id", store=True, index=True
    )
    date = fields.Datetime(related="followup_id.date", store=True)
    kind = fields.Selection(
        [
            ("praise", "Praise"),
            ("suggestion", "Suggestion"),
            ("request", "Request"),
            ("complaint", "Complaint"),
        ],
        required=True,
        default="suggestion",
    )
    description = fields.Text(required=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Handled")], required=True, default="open"
    )
