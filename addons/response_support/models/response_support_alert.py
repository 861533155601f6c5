import json
import logging
import re
from datetime import datetime, timedelta, timezone

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from .helpdesk_ticket_access import private_flag
from .response_support_priority_matrix import IMPACTS, URGENCIES

_logger = logging.getLogger(__name__)

# raw JSON kept per alert; the rest is cut (the parsed fields are kept in full)
RAW_PAYLOAD_CAP = 32 * 1024
# an alert in error is retried by the scheduler at most this many times
MAX_RETRIES = 5
# an alert still "received" this long after it was stored lost its processing
# (worker killed, concurrency error): the scheduler takes it over
STALE_MINUTES = 5
CRON_BATCH = 200
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
)

ALERT_STATES = [
    ("received", "Received"),
    ("new", "To Triage"),
    ("linked", "Linked to Ticket"),
    ("ignored", "Ignored"),
    ("silenced", "Silenced"),
    ("error", "Error"),
]
ALERT_STATUSES = [("firing", "Firing"), ("resolved", "Resolved")]

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)


class PayloadError(ValueError):
    """A posted payload the webhook refuses (HTTP 400); the message says why."""


def parse_timestamp(value, where):
    """A naive UTC datetime from an RFC 3339 timestamp (Alertmanager sends up to
    nanoseconds); None for an empty value or Go's zero time."""
    if value in (None, "") or str(value).startswith("0001-01-01"):
        return None
    match = _RFC3339.match(str(value))
    if not match:
        raise PayloadError(f"{where}: {value!r} is not an RFC 3339 timestamp")
    day, time, fraction, zone = match.groups()
    fraction = (fraction or ".0")[:7].ljust(7, "0")
    zone = zone or "Z"
    zone = "+00:00" if zone == "Z" else zone
    if ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    moment = datetime.fromisoformat(f"{day}T{time}{fraction}{zone}")
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def get_path(data, path):
    """The value at a dotted ``path`` in nested dicts, or None."""
    for key in (path or "").split("."):
        if not key:
            continue
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class ResponseSupportAlert(models.Model):
    """An alert posted by a monitoring system (§4.1 ④), kept before anything is
    done with it.

    The webhook stores each accepted alert in the request's own transaction with an
    ``INSERT … ON CONFLICT (source_id, dedup_key) DO UPDATE``, at READ COMMITTED:
    the unique constraint makes de-duplication hold across the workers of a
    multi-process server (a concurrent repeat waits for the first insert and becomes
    an update of its last-seen time and count), and neither a unique violation nor
    a serialization error reaches the log. The request commits, then processes the
    alerts (routing, silences, flapping, ticket create or update) with the alert
    rows locked and one savepoint per alert: a failure leaves the alert stored in
    state "error" with its reason, retried by the alert scheduler (cron) with a
    backoff; a concurrency error (a repeat updated the row meanwhile) restarts the
    processing on a fresh snapshot.

    Inline-after-commit was chosen over OCA ``queue_job``: it needs no extra
    dependency, no ``server_wide_modules`` entry and no job runner process, the
    alert is durable before any processing, and the scheduler already gives the
    retries. A source that posts bursts can defer its processing to the scheduler
    (``process_by_cron``) so the webhook only stores and answers."""

    _name = "response.support.alert"
    _description = "Monitoring Alert"
    _order = "last_seen desc, id desc"

    name = fields.Char(string="Alert", required=True)
    source_id = fields.Many2one(
        "response.support.alert.source",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    kind = fields.Selection(related="source_id.kind")
    dedup_key = fields.Char(
        string="De-duplication Key",
        required=True,
        readonly=True,
        help="Alertmanager: fingerprint and start; Zabbix: problem event id.",
    )
    group_key = fields.Char(
        index=True,
        readonly=True,
        help="Alerts of one source with the same group key that fire again within "
        "the flapping window go onto the same ticket.",
    )
    fingerprint = fields.Char(readonly=True)
    description = fields.Text(readonly=True)
    labels = fields.Json(string="Label Values", readonly=True)
    labels_text = fields.Text(string="Labels", compute="_compute_labels_text")
    raw_payload = fields.Text(readonly=True)
    raw_truncated = fields.Boolean(string="Raw Payload Truncated", readonly=True)
    status = fields.Selection(ALERT_STATUSES, required=True, readonly=True)
    state = fields.Selection(
        ALERT_STATES, required=True, default="received", index=True, readonly=True
    )
    severity = fields.Char(readonly=True)
    host = fields.Char(readonly=True, index=True)
    starts_at = fields.Datetime(string="Started", readonly=True)
    ends_at = fields.Datetime(string="Ended", readonly=True)
    first_seen = fields.Datetime(required=True, readonly=True)
    last_seen = fields.Datetime(required=True, readonly=True, index=True)
    repeat_count = fields.Integer(
        string="Times Received",
        default=1,
        readonly=True,
        help="How often it was posted.",
    )
    recovery_pending = fields.Boolean(readonly=True)
    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Ticket",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    rule_id = fields.Many2one(
        "response.support.alert.rule", string="Routing Rule", readonly=True
    )
    system_id = fields.Many2one("response.support.system", string="System")
    catalog_id = fields.Many2one("response.support.catalog", string="Catalog")
    impact = fields.Selection(IMPACTS)
    urgency = fields.Selection(URGENCIES)
    error_message = fields.Text(string="Error", readonly=True)
    retry_count = fields.Integer(string="Retries", readonly=True)
    next_retry = fields.Datetime(readonly=True)
    ignore_reason = fields.Text(readonly=True)
    triage_user_id = fields.Many2one("res.users", string="Triaged By", readonly=True)

    _sql_constraints = [
        (
            "dedup_uniq",
            "unique (source_id, dedup_key)",
            "An alert is stored once per source and de-duplication key.",
        ),
    ]

    def init(self):
        # the rate limit counts a source's alerts of the last minute
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS response_support_alert_source_seen_idx
                   ON response_support_alert (source_id, last_seen)"""
        )

    @api.depends("labels")
    def _compute_labels_text(self):
        for alert in self:
            labels = alert.labels or {}
            alert.labels_text = "\n".join(f"{k}={v}" for k, v in sorted(labels.items()))

    # ------------------------------------------------------------------ parsing

    @api.model
    def _parse_payload(self, source, body):
        """The alerts of a posted body as dicts (hook ``_parse_<kind>``); raises
        PayloadError saying what is wrong."""
        alerts = getattr(self, f"_parse_{source.kind}")(source, body)
        if not alerts:
            raise PayloadError("the payload holds no alert")
        return alerts

    @api.model
    def _parse_alertmanager(self, source, body):
        """Alertmanager webhook v4: one alert per entry of ``alerts``, de-duplicated
        by fingerprint + startsAt (a new start is a new occurrence, grouped onto
        the previous ticket when it flaps)."""
        if not isinstance(body, dict):
            raise PayloadError("the body must be a JSON object")
        if str(body.get("version", "4")) != "4":
            raise PayloadError(f"unsupported webhook version {body.get('version')!r}")
        items = body.get("alerts")
        if not isinstance(items, list):
            raise PayloadError("'alerts' must be a list")
        common = body.get("commonLabels") or {}
        alerts = []
        for index, item in enumerate(items):
            where = f"alerts[{index}]"
            if not isinstance(item, dict):
                raise PayloadError(f"{where} must be an object")
            fingerprint = item.get("fingerprint")
            if not fingerprint or not isinstance(fingerprint, str):
                raise PayloadError(f"{where}.fingerprint is missing")
            status = item.get("status")
            if status not in ("firing", "resolved"):
                raise PayloadError(f"{where}.status must be 'firing' or 'resolved'")
            labels = item.get("labels")
            annotations = item.get("annotations") or {}
            if not isinstance(labels, dict) or not isinstance(annotations, dict):
                raise PayloadError(f"{where}.labels and annotations must be objects")
            starts_at = parse_timestamp(item.get("startsAt"), f"{where}.startsAt")
            if not starts_at:
                raise PayloadError(f"{where}.startsAt is missing")
            labels = {**common, **labels}
            name = annotations.get("summary") or labels.get("alertname") or fingerprint
            description = "\n".join(
                filter(
                    None,
                    [
                        annotations.get("description"),
                        item.get("generatorURL"),
                    ],
                )
            )
            alerts.append(
                {
                    "dedup_key": f"{fingerprint}@{item['startsAt']}",
                    "group_key": fingerprint,
                    "fingerprint": fingerprint,
                    "status": status,
                    "name": str(name),
                    "description": description,
                    "labels": labels,
                    "severity": labels.get("severity"),
                    "host": labels.get("host") or labels.get("instance"),
                    "starts_at": starts_at,
                    "ends_at": parse_timestamp(item.get("endsAt"), f"{where}.endsAt"),
                    "raw": item,
                }
            )
        return alerts

    @api.model
    def _parse_zabbix(self, source, body):
        """Zabbix webhook media type (see readme/CONFIGURE.md): one event per post,
        problem (event_value 1), recovery (0) or update (event_update 1) of the
        same problem event id."""
        if not isinstance(body, dict):
            raise PayloadError("the body must be a JSON object")
        event_id = str(body.get("event_id") or "").strip()
        if not event_id or event_id.startswith("{"):
            raise PayloadError("event_id is missing (macro {EVENT.ID})")
        value = str(body.get("event_value", "")).strip()
        if value not in ("0", "1"):
            raise PayloadError("event_value must be 1 (problem) or 0 (recovery)")
        host = str(body.get("host") or "")
        trigger = str(body.get("trigger_name") or "")
        if not (host or trigger):
            raise PayloadError("host or trigger_name is required")
        tags = body.get("tags") or []
        if isinstance(tags, str):
            try:
                tags = json.loads(tags) if tags.strip() else []
            except ValueError as error:
                raise PayloadError("tags must be {EVENT.TAGSJSON}") from error
        if isinstance(tags, list):
            try:
                labels = {str(t["tag"]): str(t.get("value", "")) for t in tags}
            except (TypeError, KeyError) as error:
                raise PayloadError("tags must be a list of {tag, value}") from error
        elif isinstance(tags, dict):
            labels = {str(k): str(v) for k, v in tags.items()}
        else:
            raise PayloadError("tags must be a list or an object")
        severity = str(body.get("severity") or "")
        labels.update(host=host, trigger=trigger, severity=severity)
        group = str(body.get("trigger_id") or f"{host}/{trigger}")
        return [
            {
                "dedup_key": f"event:{event_id}",
                "group_key": group,
                "fingerprint": event_id,
                "status": "firing" if value == "1" else "resolved",
                "name": trigger or host,
                "description": str(body.get("message") or ""),
                "labels": labels,
                "severity": severity,
                "host": host,
                "starts_at": None,
                "ends_at": None,
                "raw": body,
            }
        ]

    @api.model
    def _parse_generic(self, source, body):
        """Any JSON, read through the source's field mapping."""
        items = get_path(body, source.generic_alerts_path)
        if source.generic_alerts_path and not isinstance(items, list):
            raise PayloadError(f"'{source.generic_alerts_path}' must be a list")
        if items is None:
            items = body if isinstance(body, list) else [body]
        resolved_values = {
            v.strip().lower()
            for v in (source.generic_resolved_values or "").split(",")
            if v.strip()
        }
        alerts = []
        for index, item in enumerate(items):
            where = f"alert {index}"
            if not isinstance(item, dict):
                raise PayloadError(f"{where} must be an object")
            key = get_path(item, source.generic_fingerprint_path)
            if key in (None, ""):
                raise PayloadError(
                    f"{where}: '{source.generic_fingerprint_path}' is missing"
                )
            labels = get_path(item, source.generic_labels_path) or {}
            if not isinstance(labels, dict):
                raise PayloadError(
                    f"{where}: '{source.generic_labels_path}' must be an object"
                )
            labels = {str(k): str(v) for k, v in labels.items()}
            status = str(get_path(item, source.generic_status_path) or "").lower()
            alerts.append(
                {
                    "dedup_key": str(key),
                    "group_key": str(key),
                    "fingerprint": str(key),
                    "status": "resolved" if status in resolved_values else "firing",
                    "name": str(get_path(item, source.generic_title_path) or key),
                    "description": str(
                        get_path(item, source.generic_description_path) or ""
                    ),
                    "labels": labels,
                    "severity": labels.get("severity"),
                    "host": labels.get("host"),
                    "starts_at": None,
                    "ends_at": None,
                    "raw": item,
                }
            )
        return alerts

    # ------------------------------------------------------------------ storing

    @api.model
    def _store(self, source, parsed, now):
        """Insert the parsed alerts of ``source`` or, for those already stored
        (same de-duplication key), count the repeat: one ``INSERT … ON CONFLICT DO
        UPDATE`` per alert, so concurrent repeats never raise a unique violation.
        Returns [(alert, inserted)] in the order of ``parsed``."""
        result = []
        uid = self.env.uid
        for values in parsed:
            raw = json.dumps(values["raw"], ensure_ascii=False, default=str)
            truncated = len(raw) > RAW_PAYLOAD_CAP
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO response_support_alert AS a (
                    name, source_id, company_id, dedup_key, group_key, fingerprint,
                    description, labels, raw_payload, raw_truncated, status, state,
                    severity, host, starts_at, ends_at, first_seen, last_seen,
                    repeat_count, recovery_pending, retry_count,
                    create_uid, create_date, write_uid, write_date)
                VALUES (%(name)s, %(source)s, %(company)s, %(dedup)s, %(group)s,
                    %(fingerprint)s, %(description)s, %(labels)s, %(raw)s,
                    %(truncated)s, %(status)s, 'received', %(severity)s, %(host)s,
                    %(starts)s, %(ends)s, %(now)s, %(now)s, 1, false, 0,
                    %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT (source_id, dedup_key) DO UPDATE SET
                    last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
                    repeat_count = a.repeat_count + 1,
                    ends_at = COALESCE(EXCLUDED.ends_at, a.ends_at),
                    status = EXCLUDED.status,
                    recovery_pending = a.recovery_pending
                        OR (a.status = 'firing' AND EXCLUDED.status = 'resolved'),
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                RETURNING a.id, (a.xmax = 0)
                """,
                    name=values["name"][:500],
                    source=source.id,
                    company=source.company_id.id,
                    dedup=values["dedup_key"][:500],
                    group=(values["group_key"] or "")[:500],
                    fingerprint=(values["fingerprint"] or "")[:500],
                    description=values["description"] or None,
                    labels=json.dumps(values["labels"], default=str),
                    raw=raw[:RAW_PAYLOAD_CAP],
                    truncated=truncated,
                    status=values["status"],
                    severity=(values["severity"] or None),
                    host=(values["host"] or None),
                    starts=values["starts_at"],
                    ends=values["ends_at"],
                    now=now,
                    uid=uid,
                )
            )
            alert_id, inserted = self.env.cr.fetchone()
            result.append((self.browse(alert_id), inserted))
        self.invalidate_model()
        return result

    # ------------------------------------------------------------------ processing

    def _lock_for_processing(self):
        """The alerts among these that still need processing, locked until the
        end of the transaction (waiting for a concurrent repeat or processing of
        the same alert to commit; under REPEATABLE READ that raises a
        serialization error, which the caller retries on a fresh snapshot and is
        not logged as a failed query here)."""
        if not self:
            return self
        self.env.cr.execute(
            """SELECT id FROM response_support_alert
                WHERE id IN %s AND (state IN ('received', 'error') OR recovery_pending)
                ORDER BY id
                  FOR UPDATE""",
            [tuple(self.ids)],
            log_exceptions=False,
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _process(self):
        """Route and dispatch these alerts, each in its own savepoint: a failure
        leaves that alert in state "error" with the reason, the others go on.
        Returns {alert: outcome} with outcome created, updated, ignored, silenced,
        triage or error."""
        alerts = self._lock_for_processing()
        outcomes = {}
        todo = alerts.filtered(lambda a: a.state in ("received", "error"))
        flapping = todo._get_flapping_tickets()
        silences = todo._get_silences()
        for alert in todo:
            outcomes[alert] = alert._process_safely(
                lambda a=alert: a._dispatch(flapping, silences)
            )
        for alert in alerts.filtered("recovery_pending"):
            outcome = alert._process_safely(alert._process_recovery, recovery=True)
            if outcomes.get(alert) != "error":
                outcomes[alert] = outcome
        return outcomes

    def _process_safely(self, function, recovery=False):
        """Run ``function`` in a savepoint; on failure record the reason on the
        alert (state "error", or for a recovery the pending flag stays) with the
        next retry of the scheduler."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return function()
        except CONCURRENCY_ERRORS:
            raise  # the whole transaction must start again: the caller retries
        except Exception as error:  # noqa: BLE001 - recorded on the alert, retried
            _logger.warning(
                "Monitoring alert %s could not be processed", self.id, exc_info=True
            )
            self._set_error(error, recovery=recovery)
            return "error"

    def _set_error(self, error, recovery=False):
        retries = self.retry_count + (1 if self.state == "error" or recovery else 0)
        vals = {
            "error_message": str(error) or error.__class__.__name__,
            "retry_count": retries,
            "next_retry": fields.Datetime.now()
            + timedelta(minutes=STALE_MINUTES * 2**retries),
        }
        if not recovery:
            vals["state"] = "error"
        self.write(vals)

    def _dispatch(self, flapping, silences):
        """The fate of one received alert: routed (or ignored by a rule), silenced
        by a maintenance window, grouped onto the ticket of the alert it flaps
        with, put to the desk's triage, or turned into a ticket."""
        self.ensure_one()
        vals = self._get_route_vals()
        vals.update(error_message=False, next_retry=False)
        self.write(vals)
        if self.state == "ignored":
            return "ignored"
        if self.status == "resolved":
            self.write(
                {
                    "state": "ignored",
                    "ignore_reason": self.env._("Already resolved when received."),
                }
            )
            return "ignored"
        if self._is_silenced(silences):
            self.state = "silenced"
            return "silenced"
        ticket = flapping.get(self.group_key)
        if ticket and self._flaps_with(ticket):
            self._link_ticket(
                ticket,
                self.env._(
                    "Monitoring alert %(alert)s fired again (%(count)s times in the "
                    "flapping window).",
                    alert=self.name,
                    count=len(ticket.alert_ids) + 1,
                ),
            )
            return "updated"
        if not self.source_id.auto_create:
            self.state = "new"
            return "triage"
        ticket = self._create_ticket()
        if self.group_key:
            flapping[self.group_key] = ticket
        return "created"

    def _get_route_vals(self):
        """System, catalog, impact and urgency from the first matching rule of the
        source, or from the source's defaults; state "ignored" if the rule says
        so."""
        self.ensure_one()
        source = self.source_id
        labels = self.labels or {}
        rule = source.rule_ids.filtered(lambda r: r._matches(labels))[:1]
        if rule.action == "ignore":
            return {
                "rule_id": rule.id,
                "state": "ignored",
                "ignore_reason": self.env._(
                    "Ignored by routing rule %(rule)s.", rule=rule.name
                ),
            }
        return {
            "rule_id": rule.id,
            "system_id": (rule.system_id or source.system_id).id,
            "catalog_id": (rule.catalog_id or source.catalog_id).id,
            "impact": rule.impact or source.impact,
            "urgency": rule.urgency or source.urgency,
        }

    def _get_silences(self):
        """The maintenance windows that may cover these alerts, in one query."""
        if not self:
            return self.env["response.support.silence"]
        moments = self.mapped("last_seen")
        return self.env["response.support.silence"].search_fetch(
            [("date_start", "<=", max(moments)), ("date_end", ">", min(moments))],
            ["system_id", "source_id", "date_start", "date_end"],
        )

    def _is_silenced(self, silences):
        self.ensure_one()
        return any(
            s.system_id == self.system_id
            and (not s.source_id or s.source_id == self.source_id)
            and s.date_start <= self.last_seen < s.date_end
            for s in silences
        )

    def _get_flapping_tickets(self):
        """{group key: ticket} of the latest earlier alert of each group that has a
        ticket, in one query."""
        keys = [key for key in self.mapped("group_key") if key]
        if not keys:
            return {}
        earlier = self.search_fetch(
            [
                ("source_id", "in", self.source_id.ids),
                ("group_key", "in", keys),
                ("ticket_id", "!=", False),
                ("id", "not in", self.ids),
            ],
            ["group_key", "ticket_id", "last_seen"],
            order="last_seen desc",
        )
        tickets = {}
        for alert in earlier:
            tickets.setdefault(alert.group_key, alert.ticket_id)
        return tickets

    def _flaps_with(self, ticket):
        """Whether this alert fires again within the flapping window of the last
        alert of ``ticket`` (and the ticket is still open)."""
        self.ensure_one()
        if ticket.stage_id.closed:
            return False
        window = timedelta(minutes=self.source_id.flap_window)
        last = max(ticket.alert_ids.mapped("last_seen") or [ticket.create_date])
        return self.first_seen - last <= window

    def _process_recovery(self):
        """The monitoring system reports the alert resolved: a note on its ticket
        and, if the source says so, the ticket moves to the resolved stage once all
        of its alerts are resolved (where it awaits the desk's follow-up)."""
        self.ensure_one()
        self.write(
            {"recovery_pending": False, "error_message": False, "next_retry": False}
        )
        ticket = self.ticket_id
        if not ticket:
            return "updated"
        ticket._post_note(
            self.env._(
                "Monitoring reports alert %(alert)s resolved.",
                alert=self.name,
            )
        )
        stage = self.source_id.resolved_stage_id
        if (
            self.source_id.resolve_on_recovery
            and stage
            and not ticket.stage_id.closed
            and not ticket._is_sla_resolved()
            and all(a.status == "resolved" for a in ticket.alert_ids)
        ):
            # the monitoring system saw the fault end: the ticket leaves intake
            # without the desk's confirmations, to be checked at the follow-up call
            vals = {"stage_id": stage.id}
            # resolving needs a handling result and its cause: the monitoring
            # system's word, which the engineer or the follow-up call may complete
            if tools.is_html_empty(ticket.resolution):
                vals["resolution"] = self.env._(
                    "Monitoring reports the fault ended (alert %(alert)s resolved).",
                    alert=self.name,
                )
            if tools.is_html_empty(ticket.resolution_cause):
                vals["resolution_cause"] = self.env._(
                    "Not analysed yet: the monitoring system saw the fault end."
                )
            with private_flag("skip_intake"):
                ticket.write(vals)
        return "updated"

    # ------------------------------------------------------------------ tickets

    def _prepare_alert_ticket_vals(self):
        """Values of the ticket an alert opens (hook for integrators): monitoring
        channel and reporter role, the routed system, catalog, impact and urgency,
        the system's customer; in the desk's intake queue (no team yet)."""
        self.ensure_one()
        channel = self.env.ref(
            "response_support.helpdesk_ticket_channel_monitoring", False
        )
        body = Markup("<p>%s</p>") % (self.description or self.name)
        if self.labels:
            body += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li>%s=%s</li>") % (key, value)
                for key, value in sorted(self.labels.items())
            )
        vals = {
            "name": self.name,
            "description": body,
            "channel_id": channel.id if channel else False,
            "reporter_role": "monitoring",
            "partner_name": self.source_id.name,
            "partner_id": self.system_id.partner_id.id,
            "system_id": self.system_id.id,
            "catalog_id": self.catalog_id.id,
            "impact": self.impact,
            "urgency": self.urgency,
            "no_attachment": True,
            "reported_date": self.first_seen,
            "company_id": self.company_id.id,
            "team_id": False,
            "user_id": False,
        }
        if self.source_id.contract_id:
            vals["contract_id"] = self.source_id.contract_id.id
        return vals

    def _create_ticket(self):
        self.ensure_one()
        ticket = (
            self.env["helpdesk.ticket"]
            .with_company(self.company_id)
            .create(self._prepare_alert_ticket_vals())
        )
        self.write({"ticket_id": ticket.id, "state": "linked"})
        return ticket

    def _link_ticket(self, ticket, note):
        self.write({"ticket_id": ticket.id, "state": "linked"})
        ticket._post_note(note)

    # ------------------------------------------------------------------ triage

    def _check_triage(self, states=("new", "error", "received", "ignored")):
        done = self.filtered(lambda a: a.state not in states)
        if done:
            raise UserError(
                self.env._(
                    "Alert %(alert)s is already %(state)s: only alerts to triage, "
                    "in error or ignored can be triaged.",
                    alert=done[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        done[0].state
                    ],
                )
            )

    def action_create_ticket(self):
        """Desk: open a ticket for each selected alert (routing applied first)."""
        self._check_triage()
        for alert in self:
            # what the desk already set on the alert stays; routing fills the rest
            route = alert._get_route_vals()
            alert.write(
                {
                    name: route[name]
                    for name in ("system_id", "catalog_id", "impact", "urgency")
                    if name in route and not alert[name]
                }
            )
            alert._create_ticket()
            alert.triage_user_id = self.env.user
        if len(self) == 1:
            return self.ticket_id._get_form_action()
        return True

    def action_link_ticket(self):
        return self._open_triage_wizard("link", self.env._("Link to Ticket"))

    def action_ignore(self):
        return self._open_triage_wizard("ignore", self.env._("Ignore Alerts"))

    def _open_triage_wizard(self, mode, name):
        self._check_triage()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "response.support.alert.triage",
            "view_mode": "form",
            "target": "new",
            "context": {"default_mode": mode, "default_alert_ids": self.ids},
        }

    def _link_to_ticket(self, ticket):
        self._check_triage()
        if not ticket:
            raise UserError(self.env._("Choose the ticket to link the alerts to."))
        for alert in self:
            alert._link_ticket(
                ticket,
                self.env._(
                    "Monitoring alert %(alert)s linked by %(user)s.",
                    alert=alert.name,
                    user=self.env.user.name,
                ),
            )
        self.triage_user_id = self.env.user

    def _ignore(self, reason):
        self._check_triage(states=("new", "error", "received"))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for ignoring the alerts."))
        self.write(
            {
                "state": "ignored",
                "ignore_reason": reason,
                "triage_user_id": self.env.user.id,
            }
        )

    def action_retry(self):
        """Desk: process alerts in error again now."""
        self._check_triage(states=("error", "received"))
        self.write({"next_retry": False})
        self._process()
        return True

    def action_link_emergency(self):
        """Desk: the selected alerts are one outage across systems: their tickets
        become other reports of one emergency (the existing emergency among them,
        else the highest-priority ticket raised as a possible emergency)."""
        tickets = self.ticket_id
        if len(tickets) < 2:
            raise UserError(
                self.env._(
                    "Select alerts of at least two different tickets to link them "
                    "to one emergency."
                )
            )
        parents = tickets.filtered(
            lambda t: t.emergency_state in ("possible", "confirmed")
        )
        if not parents:
            parent = tickets.sorted(lambda t: (-int(t.priority or 0), t.id))[:1]
            parent.action_raise_emergency()
        tickets.action_link_emergency_children()
        return True

    # ------------------------------------------------------------------ scheduler

    def _get_retry_domain(self, now):
        stale = now - timedelta(minutes=STALE_MINUTES)
        return [
            "|",
            "|",
            "&",
            ("state", "=", "error"),
            "&",
            ("retry_count", "<", MAX_RETRIES),
            "|",
            ("next_retry", "=", False),
            ("next_retry", "<=", now),
            "&",
            ("state", "=", "received"),
            "|",
            ("source_id.process_by_cron", "=", True),
            ("create_date", "<", stale),
            "&",
            "&",
            ("recovery_pending", "=", True),
            ("retry_count", "<", MAX_RETRIES),
            "|",
            ("next_retry", "<=", now),
            "&",
            ("next_retry", "=", False),
            ("write_date", "<", stale),
        ]

    @api.model
    def _cron_process_alerts(self, batch=CRON_BATCH):
        """Alert scheduler: processes the alerts of background sources, retries
        alerts in error (with a backoff) and takes over alerts whose processing was
        lost. Works in batches; one bad alert does not stop the others."""
        now = fields.Datetime.now()
        domain = self._get_retry_domain(now)
        alerts = self.search(domain, limit=batch, order="id")
        alerts._process()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(alerts), remaining=remaining)
        return len(alerts)
