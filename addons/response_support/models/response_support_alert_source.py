import hashlib
import hmac
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .response_support_priority_matrix import IMPACTS, URGENCIES

ALERT_SOURCE_KINDS = [
    ("alertmanager", "Prometheus Alertmanager (webhook v4)"),
    ("zabbix", "Zabbix (webhook media type)"),
    ("generic", "Generic JSON (field mapping)"),
]


def hash_token(token):
    """The stored form of a source token. The token is 256 random bits, so a plain
    SHA-256 cannot be brute-forced and keeps the webhook fast (a slow password hash
    would cost tens of milliseconds per post)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ResponseSupportAlertSource(models.Model):
    """A monitoring system that posts alerts to the desk (§4.1 ④): its kind of
    payload, its secret token (stored hashed, shown once), the defaults and routing
    rules of its alerts, whether the desk confirms before a ticket is created, and
    its rate limit."""

    _name = "response.support.alert.source"
    _description = "Monitoring Alert Source"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char(
        required=True,
        index=True,
        help="Last part of the webhook URL: /response_support/alerts/<code>.",
    )
    kind = fields.Selection(ALERT_SOURCE_KINDS, required=True, default="alertmanager")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    token_hash = fields.Char(
        readonly=True,
        copy=False,
        groups="response_support.group_response_support_manager",
    )
    token_set = fields.Boolean(compute="_compute_token_set", compute_sudo=True)
    # -- defaults of its tickets (routing rules override them)
    contract_id = fields.Many2one(
        "response.support.contract",
        string="Default O&M Contract",
        domain="[('company_id', '=', company_id)]",
    )
    system_id = fields.Many2one(
        "response.support.system",
        string="Default System",
        domain="[('company_id', '=', company_id)]",
    )
    catalog_id = fields.Many2one("response.support.catalog", string="Default Catalog")
    impact = fields.Selection(IMPACTS, string="Default Impact", default="medium")
    urgency = fields.Selection(URGENCIES, string="Default Urgency", default="medium")
    rule_ids = fields.One2many(
        "response.support.alert.rule", "source_id", string="Routing Rules"
    )
    # -- dispatch control (派单管控)
    auto_create = fields.Boolean(
        string="Create Tickets Automatically",
        default=True,
        help="Off: every alert waits in the triage list until the service desk "
        "creates a ticket, links it to one or ignores it.",
    )
    process_by_cron = fields.Boolean(
        string="Process in the Background",
        help="Store the posted alerts and answer at once; the alert scheduler routes "
        "them and creates the tickets a moment later. For sources that post bursts.",
    )
    resolve_on_recovery = fields.Boolean(
        string="Resolve Tickets on Recovery",
        help="When the monitoring system reports the alert resolved, move its ticket "
        "to the resolved stage, where it awaits the desk's follow-up.",
    )
    resolved_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Resolved Stage",
        domain="[('sla_resolved', '=', True)]",
        default=lambda self: self.env.ref(
            "response_support.helpdesk_ticket_stage_resolved", False
        ),
    )
    flap_window = fields.Integer(
        string="Flapping Window (minutes)",
        default=60,
        help="An alert that fires again within this many minutes of its last "
        "occurrence is added to the same ticket instead of opening a new one.",
    )
    rate_limit = fields.Integer(
        string="Rate Limit (alerts per minute)",
        default=600,
        help="Posts beyond this many alerts received in one minute are refused with "
        "HTTP 429 (the monitoring system retries them later). 0: no limit.",
    )
    # -- generic JSON field mapping (dotted paths into each alert object)
    generic_alerts_path = fields.Char(
        string="Alert List Path",
        help="Path of the list of alerts in the body, e.g. 'events'. Empty: the body "
        "is one alert, or a list of alerts.",
    )
    generic_fingerprint_path = fields.Char(
        string="Fingerprint Path", default="id", help="Path of the alert's unique key."
    )
    generic_title_path = fields.Char(string="Title Path", default="title")
    generic_description_path = fields.Char(
        string="Description Path", default="description"
    )
    generic_status_path = fields.Char(string="Status Path", default="status")
    generic_resolved_values = fields.Char(
        string="Resolved Status Values",
        default="resolved,ok,recovery",
        help="Comma-separated values of the status that mean the alert is resolved.",
    )
    generic_labels_path = fields.Char(
        string="Labels Path",
        default="labels",
        help="Path of an object of labels (host, service, severity…) used by the "
        "routing rules.",
    )
    # -- health
    alert_ids = fields.One2many("response.support.alert", "source_id")
    rate_limited_count = fields.Integer(
        string="Posts Refused (Rate Limit)", readonly=True, copy=False
    )
    last_rate_limited = fields.Datetime(
        string="Last Refused (Rate Limit)", readonly=True, copy=False
    )
    last_received = fields.Datetime(compute="_compute_health")
    received_count = fields.Integer(string="Alerts", compute="_compute_health")
    triage_count = fields.Integer(string="To Triage", compute="_compute_health")
    error_count = fields.Integer(string="Errors", compute="_compute_health")
    ignored_count = fields.Integer(string="Ignored", compute="_compute_health")
    silenced_count = fields.Integer(string="Silenced", compute="_compute_health")
    linked_count = fields.Integer(string="With Ticket", compute="_compute_health")

    _sql_constraints = [
        ("code_uniq", "unique (code)", "The code of an alert source must be unique."),
        (
            "rate_limit_positive",
            "CHECK (rate_limit >= 0)",
            "The rate limit cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------ computes

    @api.depends("token_hash")
    def _compute_token_set(self):
        for source in self:
            source.token_set = bool(source.token_hash)

    def _compute_health(self):
        """Counts by state and the last reception, in one grouped read."""
        groups = self.env["response.support.alert"]._read_group(
            [("source_id", "in", self.ids)],
            ["source_id", "state"],
            ["__count", "last_seen:max"],
        )
        stats = {}
        for source, state, count, last_seen in groups:
            entry = stats.setdefault(source.id, {"last": False, "total": 0})
            entry[state] = count
            entry["total"] += count
            if last_seen and (not entry["last"] or last_seen > entry["last"]):
                entry["last"] = last_seen
        for source in self:
            entry = stats.get(source.id, {"last": False, "total": 0})
            source.last_received = entry["last"]
            source.received_count = entry["total"]
            source.triage_count = entry.get("new", 0) + entry.get("received", 0)
            source.error_count = entry.get("error", 0)
            source.ignored_count = entry.get("ignored", 0)
            source.silenced_count = entry.get("silenced", 0)
            source.linked_count = entry.get("linked", 0)

    @api.constrains("code")
    def _check_code(self):
        for source in self:
            if not source.code.replace("-", "").replace("_", "").isalnum():
                raise ValidationError(
                    self.env._(
                        "The code %(code)s of an alert source may only contain "
                        "letters, digits, '-' and '_': it is part of the webhook URL.",
                        code=source.code,
                    )
                )

    # ------------------------------------------------------------------ actions

    def action_rotate_token(self):
        """Generate a new token (the old one stops working at once) and show it once
        in a sticky notification: only its hash is stored, nowhere the token."""
        self.ensure_one()
        token = self._rotate_token()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("New token of %(source)s", source=self.name),
                "message": self.env._(
                    "Copy it into the monitoring system now, it is not shown again: "
                    "%(token)s",
                    token=token,
                ),
                "sticky": True,
                "type": "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _rotate_token(self):
        """A new random token for the source; returns it in clear (the only time)."""
        self.ensure_one()
        if not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise UserError(
                self.env._("Only a technical support manager sets alert tokens.")
            )
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    def action_view_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "response_support.response_support_alert_action"
        )
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {"default_source_id": self.id}
        return action

    # ------------------------------------------------------------------ webhook

    def _check_token(self, token):
        """Whether ``token`` is the source's token, compared in constant time."""
        self.ensure_one()
        stored = self.sudo().token_hash or ""
        # compare_digest on equal-length hex digests: no timing leak of the hash
        return bool(stored) and hmac.compare_digest(stored, hash_token(token or ""))

    def _get_rate_count(self, now):
        """Alerts of the source received (new or repeated) in the minute before
        ``now``: a read of the alerts' last-seen, so concurrent posts never fight
        over a counter row."""
        self.ensure_one()
        self.env.cr.execute(
            """SELECT count(*) FROM response_support_alert
                WHERE source_id = %s AND last_seen > %s""",
            [self.id, fields.Datetime.subtract(now, minutes=1)],
        )
        return self.env.cr.fetchone()[0]

    def _is_rate_limited(self, alert_count, now):
        self.ensure_one()
        return bool(self.rate_limit) and (
            self._get_rate_count(now) + alert_count > self.rate_limit
        )

    def _record_rate_limited(self, now):
        """Count a refused post on the source, in its own short transaction at READ
        COMMITTED: concurrent refusals then wait for each other instead of failing
        with serialization errors, and the count survives the refused request."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            if not self.env.registry.in_test_mode():
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(
                """UPDATE response_support_alert_source
                      SET rate_limited_count = COALESCE(rate_limited_count, 0) + 1,
                          last_rate_limited = %s
                    WHERE id = %s""",
                [now, self.id],
            )
        self.invalidate_recordset(["rate_limited_count", "last_rate_limited"])
