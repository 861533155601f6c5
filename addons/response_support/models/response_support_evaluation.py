from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from pytz import timezone, utc

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .response_support_followup import SATISFACTION

PERIOD_MONTHS = {"month": 1, "quarter": 3}


class ResponseSupportEvaluation(models.Model):
    """The evaluation (考核/评价) of one engineer over a month or a quarter: a
    snapshot of the service KPIs of their tickets, taken from the KPI report
    when the manager computes it, with the manager's rating and comments. The
    engineer reads their own evaluations; only managers create, compute and
    rate them."""

    _name = "response.support.evaluation"
    _description = "Engineer Evaluation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, user_id"
    # the engineer comments on their evaluation in the chatter, without writing it
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Engineer",
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter")],
        string="Period",
        required=True,
        default="month",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="First day of the month or quarter, in the engineer's time zone.",
    )
    date_to = fields.Date(string="To", compute="_compute_date_to", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    computed_date = fields.Datetime(string="KPIs Computed On", readonly=True)
    # -- KPI snapshot (see _get_kpi_measures)
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    response_on_time_rate = fields.Float(
        string="Response On Time (%)", readonly=True, aggregator="avg"
    )
    resolution_on_time_rate = fields.Float(
        string="Resolution On Time (%)", readonly=True, aggregator="avg"
    )
    arrival_on_time_rate = fields.Float(
        string="Arrival On Time (%)", readonly=True, aggregator="avg"
    )
    support_on_time_rate = fields.Float(
        string="Support Time Kept (%)", readonly=True, aggregator="avg"
    )
    response_minutes = fields.Float(
        string="Working Minutes to Respond", readonly=True, aggregator="avg"
    )
    response_minutes_p90 = fields.Float(
        string="Working Minutes to Respond (90th pct.)",
        readonly=True,
        aggregator="avg",
    )
    resolution_minutes = fields.Float(
        string="Working Minutes to Resolve", readonly=True, aggregator="avg"
    )
    resolution_minutes_p90 = fields.Float(
        string="Working Minutes to Resolve (90th pct.)",
        readonly=True,
        aggregator="avg",
    )
    desk_resolution_rate = fields.Float(
        string="First-contact Resolution (%)", readonly=True, aggregator="avg"
    )
    followup_rate = fields.Float(
        string="Follow-up Rate (%)", readonly=True, aggregator="avg"
    )
    satisfaction_score = fields.Float(
        string="Satisfaction (1–5)", readonly=True, aggregator="avg"
    )
    reopen_rate = fields.Float(
        string="Reopen Rate (%)", readonly=True, aggregator="avg"
    )
    escalation_count = fields.Integer(string="Escalations", readonly=True)
    emergency_count = fields.Integer(string="Confirmed Emergencies", readonly=True)
    complained_count = fields.Integer(string="Complaints About It", readonly=True)
    article_written_count = fields.Integer(string="Articles Written", readonly=True)
    article_used_count = fields.Integer(string="Articles Used", readonly=True)
    legacy_open_count = fields.Integer(string="Legacy Issues Open", readonly=True)
    legacy_overdue_count = fields.Integer(string="Legacy Issues Overdue", readonly=True)
    # -- the manager's judgement
    rating = fields.Selection(SATISFACTION, tracking=True)
    comments = fields.Html(string="Manager's Comments")

    _sql_constraints = [
        (
            "user_period_uniq",
            "unique (user_id, period_type, date_from, company_id)",
            "An engineer has one evaluation per period.",
        ),
    ]

    @api.depends("user_id", "period_type", "date_from")
    def _compute_name(self):
        for evaluation in self:
            if evaluation.period_type == "quarter" and evaluation.date_from:
                quarter = (evaluation.date_from.month - 1) // 3 + 1
                period = f"{evaluation.date_from.year} Q{quarter}"
            else:
                period = evaluation.date_from and evaluation.date_from.strftime("%Y-%m")
            evaluation.name = " – ".join(
                filter(None, [evaluation.user_id.name, period or ""])
            )

    @api.depends("period_type", "date_from")
    def _compute_date_to(self):
        for evaluation in self:
            months = PERIOD_MONTHS.get(evaluation.period_type, 1)
            evaluation.date_to = evaluation.date_from and (
                evaluation.date_from + relativedelta(months=months, days=-1)
            )

    @api.constrains("period_type", "date_from")
    def _check_period_start(self):
        for evaluation in self:
            start = evaluation.date_from
            if start.day != 1 or (
                evaluation.period_type == "quarter" and (start.month - 1) % 3
            ):
                raise ValidationError(
                    self.env._(
                        "An evaluation starts on the first day of a month, or of a "
                        "quarter (January, April, July, October)."
                    )
                )

    # ------------------------------------------------------------------ actions

    @api.model
    def _get_kpi_measures(self):
        """Snapshot field → aggregate of the KPI report (hook)."""
        report = self.env["response.support.report.kpi"]
        measures = {"ticket_count": "__count"}
        for fname in (
            "response_on_time_rate",
            "resolution_on_time_rate",
            "arrival_on_time_rate",
            "support_on_time_rate",
            "response_minutes",
            "response_minutes_p90",
            "resolution_minutes",
            "resolution_minutes_p90",
            "desk_resolution_rate",
            "followup_rate",
            "satisfaction_score",
            "reopen_rate",
            "escalation_count",
            "emergency_count",
            "complained_count",
            "article_written_count",
            "article_used_count",
            "legacy_open_count",
            "legacy_overdue_count",
        ):
            measures[fname] = f"{fname}:{report._fields[fname].aggregator or 'sum'}"
        return measures

    def _get_period_bounds(self):
        """The period as naive UTC datetimes [start, stop), in the engineer's
        time zone."""
        self.ensure_one()
        tz = timezone(self.user_id.tz or "UTC")
        start = tz.localize(datetime.combine(self.date_from, time.min))
        stop = tz.localize(
            datetime.combine(self.date_to + relativedelta(days=1), time.min)
        )
        return (
            start.astimezone(utc).replace(tzinfo=None),
            stop.astimezone(utc).replace(tzinfo=None),
        )

    def action_compute(self):
        """Take the KPI snapshot: one grouped read of the report per period and
        time zone, grouped by engineer."""
        if self.filtered(lambda e: e.state == "done"):
            raise UserError(
                self.env._(
                    "Reset a done evaluation to draft before computing it again."
                )
            )
        measures = self._get_kpi_measures()
        report = self.env["response.support.report.kpi"]
        batches = defaultdict(lambda: self.browse())
        for evaluation in self:
            key = (evaluation.company_id, evaluation._get_period_bounds())
            batches[key] |= evaluation
        now = fields.Datetime.now()
        for (company, (start, stop)), evaluations in batches.items():
            rows = report._read_group(
                [
                    ("user_id", "in", evaluations.user_id.ids),
                    ("company_id", "=", company.id),
                    ("reported_date", ">=", start),
                    ("reported_date", "<", stop),
                ],
                groupby=["user_id"],
                aggregates=list(measures.values()),
            )
            figures = {user: values for user, *values in rows}
            for evaluation in evaluations:
                values = figures.get(evaluation.user_id, [0] * len(measures))
                vals = {
                    fname: value or 0
                    for fname, value in zip(measures, values, strict=True)
                }
                vals["computed_date"] = now
                evaluation.write(vals)
        return True

    def action_done(self):
        if self.filtered(lambda e: not e.computed_date):
            raise UserError(
                self.env._("Compute the KPIs before closing the evaluation.")
            )
        self.write({"state": "done"})
        return True

    def action_draft(self):
        self.write({"state": "draft"})
        return True
