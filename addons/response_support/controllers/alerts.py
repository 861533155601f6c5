import json
import logging
import random
import time

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import SUPERUSER_ID, fields, http
from odoo.http import request

from ..models.response_support_alert import CONCURRENCY_ERRORS, PayloadError

_logger = logging.getLogger(__name__)

# a posted body larger than this is refused with 413 (an Alertmanager group of a
# few hundred alerts is well below; set max_alerts on the receiver to stay under)
MAX_BODY_BYTES = 1024 * 1024
# tries of the processing when a concurrent post of the same alert holds its row
PROCESS_TRIES = 4


class ResponseSupportAlertController(http.Controller):
    """The monitoring webhook (§4.1 ④): authenticates the source by its token,
    stores the alerts (nothing lost), commits, then processes them."""

    @http.route(
        "/response_support/alerts/<string:code>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # auth="none" routes default to a read-only cursor: this one stores alerts
        readonly=False,
    )
    def receive_alerts(self, code, **kwargs):
        """Answers 200 (202 when the source processes in the background) with a
        summary per alert; 401 bad or missing token; 413 body too large; 400
        malformed payload; 429 rate limit exceeded. Monitoring systems retry on
        anything but 2xx."""
        source = self._authenticate_source(code)
        if not source:
            return self._json_error(401, "missing or invalid bearer token")
        try:
            request.httprequest.max_content_length = MAX_BODY_BYTES
            data = request.httprequest.get_data()
        except RequestEntityTooLarge:
            return self._json_error(
                413, f"the body exceeds the limit of {MAX_BODY_BYTES} bytes"
            )
        if len(data) > MAX_BODY_BYTES:
            return self._json_error(
                413, f"the body exceeds the limit of {MAX_BODY_BYTES} bytes"
            )
        # the token was checked: the webhook has no user, it acts as the system for
        # this source only (its company, its defaults and rules); tickets, notes and
        # alerts are written as OdooBot
        env = request.env(user=SUPERUSER_ID)
        source = source.with_env(env).with_company(source.company_id)
        Alert = env["response.support.alert"].with_company(source.company_id)
        try:
            body = json.loads(data)
            parsed = Alert._parse_payload(source, body)
        except (ValueError, PayloadError) as error:  # JSONDecodeError is a ValueError
            return self._json_error(400, f"malformed payload: {error}")
        now = fields.Datetime.now()
        if source._is_rate_limited(len(parsed), now):
            source._record_rate_limited(now)
            return self._json_error(
                429,
                f"rate limit of {source.rate_limit} alerts per minute exceeded",
                headers=[("Retry-After", "60")],
            )
        stored = self._store(Alert, source, parsed, now)
        outcomes = self._process(source, stored)
        return self._summary(source, stored, outcomes)

    def _authenticate_source(self, code):
        """The active source of ``code`` if the request bears its token, else an
        empty recordset (same answer for an unknown code and a wrong token)."""
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        # sudo() is safe: the caller has no user, the bearer token is its credential;
        # this lookup reads nothing but the source's hash to compare the token with,
        # and nothing of the source is used or returned before the token matched
        source = (
            request.env["response.support.alert.source"]
            .sudo()
            .search([("code", "=", code)], limit=1)
        )
        if not source or not source._check_token(token.strip()):
            return None
        return source

    def _store(self, Alert, source, parsed, now):
        """Store the alerts in the request's transaction and commit them.

        The transaction so far only read (source, token, rate); it is committed so
        that the store runs in a fresh one at READ COMMITTED: a concurrent post of
        the same alert on another worker then waits for the first insert and
        becomes an update (``ON CONFLICT DO UPDATE``) instead of failing with a
        serialization error under Odoo's REPEATABLE READ (which Odoo would retry,
        logging the failed query as an error)."""
        cr = Alert.env.cr
        cr.commit()  # pylint: disable=invalid-commit
        if not Alert.env.registry.in_test_mode():  # a test cursor is mid-transaction
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        stored = Alert._store(source, parsed, now)
        # nothing lost: the alerts are durable before any processing; whatever
        # happens next, the alert scheduler finds them
        cr.commit()  # pylint: disable=invalid-commit
        return stored

    def _process(self, source, stored):
        """Process the new alerts and recoveries now, or leave them to the alert
        scheduler for a background source. A concurrency error here (another
        worker processes the same alerts) rolls back the processing only: the
        alerts stay stored and the scheduler takes them over."""
        alerts = source.env["response.support.alert"].browse(
            [a.id for a, inserted in stored if inserted or a.recovery_pending]
        )
        if source.process_by_cron:
            self._wake_scheduler(source.env)
            return {alert: "queued" for alert in alerts}
        cr = source.env.cr
        for attempt in range(1, PROCESS_TRIES + 1):
            try:
                with cr.savepoint():
                    return alerts._process()
            except CONCURRENCY_ERRORS:
                # a repeat of the alert committed after this transaction began (it
                # updated the alert's count): start again on a fresh snapshot
                cr.rollback()
                source.env.invalidate_all()
                if attempt < PROCESS_TRIES:
                    time.sleep(random.uniform(0, 0.05 * attempt))
        _logger.info("Monitoring alerts %s left to the scheduler", alerts.ids)
        return {alert: "queued" for alert in alerts}

    def _wake_scheduler(self, env):
        """Run the alert scheduler now, unless it is already due within a minute
        (a burst of posts wakes it once, not once per post)."""
        cron = env.ref("response_support.ir_cron_process_alerts")
        soon = fields.Datetime.add(fields.Datetime.now(), minutes=1)
        if not env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id), ("call_at", "<=", soon)], limit=1
        ):
            cron._trigger()

    def _summary(self, source, stored, outcomes):
        counts = {}
        rows = []
        for alert, inserted in stored:
            result = outcomes.get(alert) or ("received" if inserted else "updated")
            counts[result] = counts.get(result, 0) + 1
            rows.append(
                {
                    "id": alert.id,
                    "fingerprint": alert.fingerprint,
                    "result": result,
                    "state": alert.state,
                    "ticket": alert.ticket_id.number or None,
                }
            )
        status = 202 if source.process_by_cron else 200
        return request.make_json_response(
            {"source": source.code, "received": len(stored), **counts, "alerts": rows},
            status=status,
        )

    def _json_error(self, status, message, headers=None):
        return request.make_json_response(
            {"error": message}, headers=headers, status=status
        )
