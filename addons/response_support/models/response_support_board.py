from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# age buckets of the open events since they were reported: (key, from, to days)
AGING_BUCKETS = [
    ("age_1", 0, 1),
    ("age_3", 1, 3),
    ("age_7", 3, 7),
    ("age_old", 7, None),
]


class ResponseSupportBoard(models.AbstractModel):
    """The technical support manager's supervision board (§4.2, §5.3): the
    figures of an OWL client action (``response_support_board``). One call,
    ``get_board_data()``, returns every tile with its count and the window
    action of its list, whose domain is the one the count was made with."""

    _name = "response.support.board"
    _description = "Supervision Board"

    @api.model
    def _check_board_access(self):
        if not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a technical support manager opens the supervision board."
                )
            )

    @api.model
    def _open_domain(self):
        """Open events: tickets of the process, neither closed nor resolved."""
        return [
            ("response_support_process", "=", True),
            ("stage_id.closed", "=", False),
            ("stage_id.sla_resolved", "=", False),
        ]

    @api.model
    def _tile(self, key, label, count, model, domain):
        return {
            "key": key,
            "label": label,
            "count": count,
            "action": {
                "type": "ir.actions.act_window",
                "name": label,
                "res_model": model,
                "views": [[False, "list"], [False, "form"]],
                "domain": domain,
                "context": {"create": False},
            },
        }

    @api.model
    def get_board_data(self):
        """Every section of the board: {"sections": [{"key", "title", "tiles":
        [{"key", "label", "count", "action"}]}]}. Counts come from grouped
        reads and a single aggregate query per section, under the manager's own
        record rules."""
        self._check_board_access()
        return {
            "sections": [
                self._section_sla(),
                self._section_aging(),
                self._section_workload("user_id", self.env._("Workload per Engineer")),
                self._section_workload("team_id", self.env._("Workload per Team")),
                self._section_approvals(),
                self._section_attention(),
            ]
        }

    @api.model
    def _section_sla(self):
        open_domain = self._open_domain()
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                open_domain + [("sla_status", "in", ("at_risk", "breached", "paused"))],
                ["sla_status"],
                ["__count"],
            )
        )
        labels = dict(
            self.env["helpdesk.ticket"]
            ._fields["sla_status"]
            ._description_selection(self.env)
        )
        return {
            "key": "sla",
            "title": self.env._("Open Events by SLA State"),
            "tiles": [
                self._tile(
                    f"sla_{state}",
                    labels[state],
                    counts.get(state, 0),
                    "helpdesk.ticket",
                    open_domain + [("sla_status", "=", state)],
                )
                for state in ("at_risk", "breached", "paused")
            ],
        }

    @api.model
    def _section_aging(self):
        Ticket = self.env["helpdesk.ticket"]
        now = fields.Datetime.now()
        open_domain = self._open_domain()
        query = Ticket._search(open_domain)
        reported = Ticket._field_to_sql(Ticket._table, "reported_date", query)
        domains, filters = [], []
        for _key, start, stop in AGING_BUCKETS:
            since = fields.Datetime.to_string(now - timedelta(days=start))
            domain = [("reported_date", "<=", since)]
            condition = SQL("%s <= %s", reported, since)
            if stop is not None:
                until = fields.Datetime.to_string(now - timedelta(days=stop))
                domain.append(("reported_date", ">", until))
                condition = SQL("%s AND %s > %s", condition, reported, until)
            domains.append(domain)
            filters.append(SQL("COUNT(*) FILTER (WHERE %s)", condition))
        self.env.cr.execute(query.select(*filters))
        counts = self.env.cr.fetchone()
        labels = {
            "age_1": self.env._("Under 1 day"),
            "age_3": self.env._("1 to 3 days"),
            "age_7": self.env._("3 to 7 days"),
            "age_old": self.env._("Over 7 days"),
        }
        return {
            "key": "aging",
            "title": self.env._("Open Events by Age"),
            "tiles": [
                self._tile(
                    key, labels[key], count, "helpdesk.ticket", open_domain + domain
                )
                for (key, *__), domain, count in zip(
                    AGING_BUCKETS, domains, counts, strict=True
                )
            ],
        }

    @api.model
    def _section_workload(self, fname, title):
        open_domain = self._open_domain()
        groups = self.env["helpdesk.ticket"]._read_group(
            open_domain, [fname], ["__count"], order=f"__count desc, {fname}"
        )
        return {
            "key": f"workload_{fname}",
            "title": title,
            "tiles": [
                self._tile(
                    f"{fname}_{record.id or 0}",
                    record.display_name
                    or (
                        self.env._("Unassigned")
                        if fname == "user_id"
                        else self.env._("No Team")
                    ),
                    count,
                    "helpdesk.ticket",
                    open_domain + [(fname, "=", record.id or False)],
                )
                for record, count in groups
            ],
        }

    @api.model
    def _section_approvals(self):
        plan_domain = [("plan_state", "=", "submitted")]
        request_domain = [("state", "=", "pending")]
        return {
            "key": "approvals",
            "title": self.env._("Awaiting the Manager"),
            "tiles": [
                self._tile(
                    "plans",
                    self.env._("Plans to Approve"),
                    self.env["response.support.activity"].search_count(plan_domain),
                    "response.support.activity",
                    plan_domain,
                ),
                self._tile(
                    "authorisations",
                    self.env._("Requests to Authorise"),
                    self.env["response.support.activity.request"].search_count(
                        request_domain
                    ),
                    "response.support.activity.request",
                    request_domain,
                ),
            ],
        }

    @api.model
    def _section_attention(self):
        emergency_domain = self._open_domain() + [
            ("emergency_state", "in", ("possible", "confirmed"))
        ]
        followup_domain = [
            ("response_support_process", "=", True),
            ("followup_state", "=", "pending"),
        ]
        alert_domain = [("state", "=", "error")]
        Ticket = self.env["helpdesk.ticket"]
        return {
            "key": "attention",
            "title": self.env._("Needs Attention"),
            "tiles": [
                self._tile(
                    "emergencies",
                    self.env._("Emergencies"),
                    Ticket.search_count(emergency_domain),
                    "helpdesk.ticket",
                    emergency_domain,
                ),
                self._tile(
                    "followups",
                    self.env._("Follow-ups Due"),
                    Ticket.search_count(followup_domain),
                    "helpdesk.ticket",
                    followup_domain,
                ),
                self._tile(
                    "alerts_error",
                    self.env._("Alerts in Error"),
                    self.env["response.support.alert"].search_count(alert_domain),
                    "response.support.alert",
                    alert_domain,
                ),
            ],
        }
