from odoo import fields, models

from .response_support_sla_clock import current_sla_warning_batch

THRESHOLD_ACTIONS = [
    ("notify_assignee", "Notify the Assignee"),
    ("notify_manager", "Notify the Team Leader and Managers"),
    ("escalate", "Escalate"),
]


class ResponseSupportSlaThreshold(models.Model):
    """A warning step of an SLA level: when a clock has used ``percent`` of its
    target, do ``action`` — once per ticket and clock."""

    _name = "response.support.sla.threshold"
    _inherit = ["response.support.sla.term.mixin"]
    _description = "SLA Warning Threshold"
    _order = "level_id, percent, sequence"

    level_id = fields.Many2one(
        "response.support.sla.level", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("all", "All Clocks"),
            ("response", "Response"),
            ("resolution", "Resolution"),
            ("onsite", "On-site Arrival"),
            ("support", "Support Time"),
        ],
        string="Clock",
        required=True,
        default="all",
    )
    percent = fields.Integer(
        string="At % of Target",
        required=True,
        default=80,
        help="100 means at the deadline.",
    )
    action = fields.Selection(
        THRESHOLD_ACTIONS, required=True, default="notify_assignee"
    )

    _sql_constraints = [
        (
            "percent_positive",
            "CHECK (percent > 0 AND percent <= 1000)",
            "A threshold is a percentage of the target between 1 and 1000.",
        ),
    ]

    def _seconds_of(self, clock):
        """Working seconds after which this threshold is reached on ``clock``, in
        whole seconds: the scheduler plans and compares thresholds at the
        precision of the deadlines (see ``WorkingTime``)."""
        self.ensure_one()
        return round(clock.target_minutes * self.percent * 60 / 100)

    def _minutes_of(self, clock):
        """Working minutes after which this threshold is reached on ``clock``."""
        return self._seconds_of(clock) / 60

    def _fire(self, clock):
        """Mark the threshold sent on the clock and run its action on the clock's
        ticket (hook: ``_sla_action_<action>``). In a scheduler pass, the mark
        is written with those of the other clocks (``_batch_sla_warnings``)."""
        self.ensure_one()
        batch = current_sla_warning_batch()
        if batch is None:
            clock.fired_threshold_ids = [(4, self.id)]
        else:
            batch.marks.setdefault(self, []).append(clock.id)
        getattr(clock.ticket_id, f"_sla_action_{self.action}")(clock, self)

    def _get_sla_term_owners(self):
        # the next checks of the clocks are replanned with or without these
        return self.level_id
