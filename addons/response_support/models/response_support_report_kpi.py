from odoo import api, fields, models, tools
from odoo.models import parse_read_group_spec
from odoo.tools import SQL

from .helpdesk_ticket import TICKET_TYPES
from .response_support_contract import CONTRACT_PHASES
from .response_support_followup import SATISFACTION
from .response_support_priority_matrix import TICKET_PRIORITIES

# clocks that completed: the ones an on-time rate counts
COMPLETED = SQL("('met', 'breached')")
# the ticket's own clocks (not its activities'), covering what the view reads
CLOCK_INDEX = "response_support_sla_clock_ticket_own_index"


class ResponseSupportReportKpi(models.Model):
    """Service KPIs (SQL view, one row per ticket that follows the process): the
    on-time shares of its SLA clocks, the working minutes its clocks used, intake,
    follow-up, satisfaction, reopening, escalations, complaints, knowledge and
    legacy issues. Every time figure is in the contract's working time, as the
    clocks stored it; nothing is computed per row in Python.

    Rates are exact over any grouping: a rate field uses the ``ratio``
    aggregator, ``100 × SUM(numerator) / SUM(denominator)`` of the count columns
    named in ``_get_ratio_measures()`` (a pivot cell of 3 met out of 4 completed
    clocks shows 75 %). The 90th percentiles use the ``p90`` aggregator,
    ``percentile_cont(0.9)`` over the group's rows: pivot, list and graph show
    both as usual measures."""

    _name = "response.support.report.kpi"
    _description = "Service KPI Report"
    _auto = False
    _rec_name = "ticket_id"
    _order = "reported_date desc, id desc"

    # -- dimensions
    ticket_id = fields.Many2one("helpdesk.ticket", string="Ticket", readonly=True)
    reported_date = fields.Datetime(string="Reported On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    system_id = fields.Many2one(
        "response.support.system", string="System / Platform", readonly=True
    )
    contract_id = fields.Many2one(
        "response.support.contract", string="O&M Contract", readonly=True
    )
    contract_phase_id = fields.Many2one(
        "response.support.contract.phase", string="Contract Phase", readonly=True
    )
    contract_phase = fields.Selection(CONTRACT_PHASES, string="Phase", readonly=True)
    catalog_id = fields.Many2one(
        "response.support.catalog", string="Service Catalog", readonly=True
    )
    team_id = fields.Many2one("helpdesk.ticket.team", string="Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Engineer", readonly=True)
    priority = fields.Selection(TICKET_PRIORITIES, readonly=True)
    channel_id = fields.Many2one(
        "helpdesk.ticket.channel", string="Channel", readonly=True
    )
    support_mode = fields.Selection(
        [
            ("onsite", "On-site"),
            ("remote", "Remote"),
            ("mixed", "On-site and Remote"),
        ],
        string="Handling Mode",
        readonly=True,
    )
    ticket_type = fields.Selection(TICKET_TYPES, string="Type", readonly=True)
    stage_id = fields.Many2one("helpdesk.ticket.stage", string="Stage", readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    satisfaction = fields.Selection(SATISFACTION, readonly=True)
    # -- SLA clocks (completed ones: met or breached)
    response_clock_count = fields.Integer(string="Responses Measured", readonly=True)
    response_met_count = fields.Integer(string="Responses On Time", readonly=True)
    response_on_time_rate = fields.Float(
        string="Response On Time (%)", aggregator="ratio", readonly=True
    )
    response_minutes = fields.Float(
        string="Working Minutes to Respond",
        aggregator="avg",
        readonly=True,
        help="Working minutes the response clock used (mean over the group).",
    )
    response_minutes_p90 = fields.Float(
        string="Working Minutes to Respond (90th pct.)",
        aggregator="p90",
        readonly=True,
        help="90 % of the responses of the group took at most this many working "
        "minutes.",
    )
    resolution_clock_count = fields.Integer(
        string="Resolutions Measured", readonly=True
    )
    resolution_met_count = fields.Integer(string="Resolutions On Time", readonly=True)
    resolution_on_time_rate = fields.Float(
        string="Resolution On Time (%)", aggregator="ratio", readonly=True
    )
    resolution_minutes = fields.Float(
        string="Working Minutes to Resolve",
        aggregator="avg",
        readonly=True,
        help="Working minutes the resolution clock used, pauses left out (mean "
        "over the group).",
    )
    resolution_minutes_p90 = fields.Float(
        string="Working Minutes to Resolve (90th pct.)",
        aggregator="p90",
        readonly=True,
        help="90 % of the resolutions of the group took at most this many working "
        "minutes.",
    )
    arrival_clock_count = fields.Integer(string="Arrivals Measured", readonly=True)
    arrival_met_count = fields.Integer(string="Arrivals On Time", readonly=True)
    arrival_on_time_rate = fields.Float(
        string="Arrival On Time (%)", aggregator="ratio", readonly=True
    )
    support_clock_count = fields.Integer(string="Support Times Measured", readonly=True)
    support_met_count = fields.Integer(string="Support Times Kept", readonly=True)
    support_on_time_rate = fields.Float(
        string="Support Time Kept (%)", aggregator="ratio", readonly=True
    )
    # -- intake, follow-up, satisfaction, reopening
    intake_count = fields.Integer(string="Intake Decided", readonly=True)
    desk_resolved_count = fields.Integer(string="Resolved at the Desk", readonly=True)
    desk_resolution_rate = fields.Float(
        string="First-contact Resolution (%)",
        aggregator="ratio",
        readonly=True,
        help="Share of the tickets with an intake outcome that the desk resolved "
        "itself.",
    )
    resolved_count = fields.Integer(
        string="Resolved",
        readonly=True,
        help="Tickets resolved at least once (reopened ones included).",
    )
    followup_count = fields.Integer(string="Followed Up", readonly=True)
    followup_rate = fields.Float(
        string="Follow-up Rate (%)",
        aggregator="ratio",
        readonly=True,
        help="Share of the resolved tickets whose customer was reached by a "
        "follow-up (回访) and answered, solved or not.",
    )
    satisfaction_score = fields.Float(
        string="Satisfaction (1–5)",
        aggregator="avg",
        readonly=True,
        help="The customer's satisfaction at the closing follow-up, 1 to 5 (mean "
        "over the tickets that have one).",
    )
    reopened_count = fields.Integer(string="Reopened", readonly=True)
    reopen_rate = fields.Float(
        string="Reopen Rate (%)", aggregator="ratio", readonly=True
    )
    # -- escalations, emergencies, complaints
    escalation_count = fields.Integer(string="Escalations", readonly=True)
    emergency_count = fields.Integer(string="Confirmed Emergencies", readonly=True)
    complaint_count = fields.Integer(string="Complaints Received", readonly=True)
    complained_count = fields.Integer(
        string="Complaints About It",
        readonly=True,
        help="Complaints of the customer about the handling of this ticket.",
    )
    # -- knowledge and legacy issues
    article_written_count = fields.Integer(string="Articles Written", readonly=True)
    article_used_count = fields.Integer(string="Articles Used", readonly=True)
    legacy_open_count = fields.Integer(string="Legacy Issues Open", readonly=True)
    legacy_overdue_count = fields.Integer(string="Legacy Issues Overdue", readonly=True)

    # ------------------------------------------------------------------ measures

    @api.model
    def _get_ratio_measures(self):
        """Rate field → (numerator, denominator) count fields (hook)."""
        return {
            "response_on_time_rate": ("response_met_count", "response_clock_count"),
            "resolution_on_time_rate": (
                "resolution_met_count",
                "resolution_clock_count",
            ),
            "arrival_on_time_rate": ("arrival_met_count", "arrival_clock_count"),
            "support_on_time_rate": ("support_met_count", "support_clock_count"),
            "desk_resolution_rate": ("desk_resolved_count", "intake_count"),
            "followup_rate": ("followup_count", "resolved_count"),
            "reopen_rate": ("reopened_count", "resolved_count"),
        }

    @api.model
    def _read_group(self, *args, **kwargs):
        """Grouped reads of the view (pivot, graph, list groups, evaluations) run
        without PostgreSQL's JIT for the rest of the transaction: over many
        tickets the plan's estimated cost passes ``jit_above_cost`` and compiling
        it costs more than it saves (250–530 ms per query of the all-measures
        and unfiltered pivots at 200,000 tickets, bench/RESULTS.md §11)."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._read_group(*args, **kwargs)

    def _read_group_select(self, aggregate_spec, query):
        """The ``ratio`` and ``p90`` aggregators of the KPI measures."""
        if aggregate_spec != "__count":
            fname, __, func = parse_read_group_spec(aggregate_spec)
            ratios = self._get_ratio_measures()
            if func == "ratio" and fname in ratios:
                numerator, denominator = ratios[fname]
                return SQL(
                    "ROUND(100.0 * SUM(%s) / NULLIF(SUM(%s), 0), 2)",
                    self._field_to_sql(self._table, numerator, query),
                    self._field_to_sql(self._table, denominator, query),
                )
            if func == "p90":
                return SQL(
                    "percentile_cont(0.9) WITHIN GROUP (ORDER BY %s)",
                    self._field_to_sql(self._table, fname, query),
                )
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------ view

    def _clock_join(self, alias, kind):
        """The ticket's own clock of ``kind`` (one at most per ticket)."""
        return SQL(
            "LEFT JOIN response_support_sla_clock %s ON %s.ticket_id = t.id "
            "AND %s.kind = %s AND %s.activity_id IS NULL",
            SQL.identifier(alias),
            SQL.identifier(alias),
            SQL.identifier(alias),
            kind,
            SQL.identifier(alias),
        )

    def _clock_columns(self, alias, prefix):
        """Count, met, rate and working minutes of a ticket's own clock."""
        clock = SQL.identifier(alias)
        return SQL(
            """
            (%(c)s.status IN %(done)s)::int AS %(n)s,
            (%(c)s.status = 'met')::int AS %(m)s,
            CASE WHEN %(c)s.status = 'met' THEN 100.0
                 WHEN %(c)s.status = 'breached' THEN 0.0 END AS %(r)s,
            CASE WHEN %(c)s.status IN %(done)s THEN %(c)s.used_minutes END AS %(u)s,
            CASE WHEN %(c)s.status IN %(done)s THEN %(c)s.used_minutes END AS %(p)s
            """,
            c=clock,
            done=COMPLETED,
            n=SQL.identifier(f"{prefix}_clock_count"),
            m=SQL.identifier(f"{prefix}_met_count"),
            r=SQL.identifier(f"{prefix}_on_time_rate"),
            u=SQL.identifier(f"{prefix}_minutes"),
            p=SQL.identifier(f"{prefix}_minutes_p90"),
        )

    # kind of the support activities' clocks → measure prefix
    ACTIVITY_CLOCKS = (("onsite", "arrival"), ("support", "support"))

    def _activity_clock_join(self):
        """The counts of the clocks of the ticket's support activities (a ticket
        may have several visits), all in one index scan per ticket (lateral
        join); the database drops the join when a view asks for none of these
        measures. Four scalar subqueries per row made the pivot of one month at
        200,000 tickets 5 times slower (bench/RESULTS.md §11)."""
        counts = []
        for kind, prefix in self.ACTIVITY_CLOCKS:
            counts += [
                SQL(
                    "COUNT(*) FILTER (WHERE ac.kind = %s AND ac.status IN %s) AS %s",
                    kind,
                    COMPLETED,
                    SQL.identifier(f"{prefix}_done"),
                ),
                SQL(
                    "COUNT(*) FILTER (WHERE ac.kind = %s AND ac.status = 'met') AS %s",
                    kind,
                    SQL.identifier(f"{prefix}_met"),
                ),
            ]
        return SQL(
            "LEFT JOIN LATERAL (SELECT %s FROM response_support_sla_clock ac "
            "WHERE ac.ticket_id = t.id AND ac.kind IN %s) acc ON TRUE",
            SQL(", ").join(counts),
            tuple(kind for kind, _prefix in self.ACTIVITY_CLOCKS),
        )

    def _activity_clock_columns(self, prefix):
        """Counts and rate of the activity clocks of ``prefix``."""
        return SQL(
            "acc.%(done)s AS %(n)s, acc.%(met)s AS %(m)s, "
            "100.0 * acc.%(met)s / NULLIF(acc.%(done)s, 0) AS %(r)s",
            done=SQL.identifier(f"{prefix}_done"),
            met=SQL.identifier(f"{prefix}_met"),
            n=SQL.identifier(f"{prefix}_clock_count"),
            m=SQL.identifier(f"{prefix}_met_count"),
            r=SQL.identifier(f"{prefix}_on_time_rate"),
        )

    def _create_clock_index(self):
        """The ticket's own response and resolution clocks, with what the view
        reads of them, in one index: the pivot of a month looks them up per
        ticket without reading the clock table (index-only scans); without it
        the planner hashes the whole clock table (at 200,000 tickets 4× slower,
        bench/RESULTS.md §11)."""
        if not tools.sql.index_exists(self.env.cr, CLOCK_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX %s ON response_support_sla_clock (ticket_id, kind) "
                    "INCLUDE (status, used_minutes) WHERE activity_id IS NULL",
                    SQL.identifier(CLOCK_INDEX),
                )
            )

    def _select(self):
        resolved = SQL("(t.resolved_date IS NOT NULL OR t.reopen_count > 0)")
        followed = SQL(
            "EXISTS (SELECT 1 FROM response_support_followup f "
            "WHERE f.ticket_id = t.id AND f.result IN ('solved', 'not_solved'))"
        )
        return SQL(
            """
            t.id AS id,
            t.id AS ticket_id,
            t.reported_date,
            t.company_id,
            t.commercial_partner_id AS partner_id,
            t.system_id,
            t.contract_id,
            t.contract_phase_id,
            t.contract_phase,
            t.catalog_id,
            t.team_id,
            t.user_id,
            t.priority,
            t.channel_id,
            t.support_mode,
            t.ticket_type,
            t.stage_id,
            NOT COALESCE(stage.closed, FALSE) AS is_open,
            t.followup_satisfaction AS satisfaction,
            %(response)s,
            %(resolution)s,
            %(arrival)s,
            %(support)s,
            (t.intake_outcome IS NOT NULL)::int AS intake_count,
            (t.intake_outcome = 'desk')::int AS desk_resolved_count,
            CASE WHEN t.intake_outcome = 'desk' THEN 100.0
                 WHEN t.intake_outcome IS NOT NULL THEN 0.0 END
                AS desk_resolution_rate,
            %(resolved)s::int AS resolved_count,
            (%(resolved)s AND %(followed)s)::int AS followup_count,
            CASE WHEN %(resolved)s THEN
                CASE WHEN %(followed)s THEN 100.0 ELSE 0.0 END END AS followup_rate,
            t.followup_satisfaction::int AS satisfaction_score,
            (t.reopen_count > 0)::int AS reopened_count,
            CASE WHEN %(resolved)s THEN
                CASE WHEN t.reopen_count > 0 THEN 100.0 ELSE 0.0 END END
                AS reopen_rate,
            (SELECT COUNT(*) FROM response_support_escalation e
              WHERE e.ticket_id = t.id) AS escalation_count,
            (t.emergency_state = 'confirmed')::int AS emergency_count,
            (t.ticket_type = 'complaint')::int AS complaint_count,
            (SELECT COUNT(*) FROM helpdesk_ticket c
              WHERE c.complained_ticket_id = t.id) AS complained_count,
            (SELECT COUNT(*) FROM response_support_article a
              WHERE a.source_ticket_id = t.id) AS article_written_count,
            (SELECT COUNT(*) FROM helpdesk_ticket_article_rel ar
              WHERE ar.ticket_id = t.id) AS article_used_count,
            (SELECT COUNT(*) FROM response_support_legacy_issue li
              WHERE li.ticket_id = t.id AND li.state = 'open') AS legacy_open_count,
            (SELECT COUNT(*) FROM response_support_legacy_issue li
              WHERE li.ticket_id = t.id AND li.state = 'open'
                AND li.due_date < (NOW() AT TIME ZONE 'UTC')::date)
                AS legacy_overdue_count
            """,
            response=self._clock_columns("rc", "response"),
            resolution=self._clock_columns("sc", "resolution"),
            arrival=self._activity_clock_columns("arrival"),
            support=self._activity_clock_columns("support"),
            resolved=resolved,
            followed=followed,
        )

    def _from(self):
        return SQL(
            """
            helpdesk_ticket t
            LEFT JOIN helpdesk_ticket_stage stage ON stage.id = t.stage_id
            %s
            %s
            %s
            """,
            self._clock_join("rc", "response"),
            self._clock_join("sc", "resolution"),
            self._activity_clock_join(),
        )

    def _where(self):
        return SQL("t.response_support_process AND t.active")

    def _query(self):
        return SQL(
            "SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where()
        )

    def init(self):
        self._create_clock_index()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
