import copy
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.response_support.controllers.alerts import MAX_BODY_BYTES
from odoo.addons.response_support.models.response_support_alert import (
    ResponseSupportAlert,
)

from .common import ResponseSupportCase, ResponseSupportHttpCase

# The samples of readme/CONFIGURE.md ("Monitoring alerts"), as the systems post them.
ALERTMANAGER_FIRING = {
    "version": "4",
    "groupKey": '{}/{severity="critical"}:{alertname="BillingApiDown"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "response-support",
    "groupLabels": {"alertname": "BillingApiDown"},
    "commonLabels": {
        "alertname": "BillingApiDown",
        "severity": "critical",
        "environment": "prod",
        "service": "billing",
    },
    "commonAnnotations": {"summary": "Billing API is down"},
    "externalURL": "http://alertmanager.water.example.com:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "BillingApiDown",
                "severity": "critical",
                "environment": "prod",
                "service": "billing",
                "instance": "billing-api-01:8080",
                "job": "billing-api",
            },
            "annotations": {
                "summary": "Billing API is down on billing-api-01",
                "description": "billing-api-01:8080 has not answered the probe for "
                "5 minutes.",
            },
            "startsAt": "2026-03-02T01:55:30.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.water.example.com:9090/graph?g0.expr="
            "up%7Bjob%3D%22billing-api%22%7D+%3D%3D+0",
            "fingerprint": "5f1e2a7c9b3d4e60",
        }
    ],
}
ZABBIX_PROBLEM = {
    "event_id": "48213",
    "event_value": "1",
    "event_update": "0",
    "host": "db-billing-01",
    "trigger_id": "23077",
    "trigger_name": "MySQL is down on db-billing-01",
    "severity": "High",
    "tags": '[{"tag":"service","value":"billing"},'
    '{"tag":"environment","value":"prod"}]',
    "message": "Problem started at 09:58:02 on 2026.03.02\r\nProblem name: MySQL is "
    "down on db-billing-01\r\nHost: db-billing-01\r\nSeverity: High",
}
GENERIC_EVENT = {
    "events": [
        {
            "key": "chk-7781",
            "title": "Disk /data 95% full on nas-02",
            "text": "Free space below 5% on /data.",
            "state": "open",
            "tags": {"host": "nas-02", "severity": "warning", "service": "storage"},
        }
    ]
}


def resolved(payload):
    """The Alertmanager notification of the same alert, resolved."""
    payload = copy.deepcopy(payload)
    payload["status"] = "resolved"
    for alert in payload["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2026-03-02T02:20:30Z"
    return payload


def restarted(payload, starts_at, fingerprint=None):
    payload = copy.deepcopy(payload)
    for alert in payload["alerts"]:
        alert["startsAt"] = starts_at
        if fingerprint:
            alert["fingerprint"] = fingerprint
    return payload


class AlertCommon:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Source = cls.env["response.support.alert.source"]
        cls.source = Source.create(
            {
                "name": "Prometheus (prod)",
                "code": "prom-prod",
                "kind": "alertmanager",
                "system_id": cls.system.id,
                "catalog_id": cls.cat_software_app.id,
                "impact": "low",
                "urgency": "low",
                "rule_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Test environments are not ours",
                            "sequence": 1,
                            "conditions": "environment=test*",
                            "action": "ignore",
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Critical billing",
                            "sequence": 2,
                            "conditions": "severity=critical\nservice=billing",
                            "impact": "high",
                            "urgency": "high",
                        },
                    ),
                ],
            }
        )
        cls.token = cls.source._rotate_token()
        cls.zabbix = Source.create(
            {
                "name": "Zabbix",
                "code": "zabbix",
                "kind": "zabbix",
                "system_id": cls.system.id,
                "catalog_id": cls.cat_hardware.id,
                "resolve_on_recovery": True,
            }
        )
        cls.zabbix_token = cls.zabbix._rotate_token()
        cls.generic = Source.create(
            {
                "name": "Uptime checks",
                "code": "checks",
                "kind": "generic",
                "system_id": cls.system.id,
                "catalog_id": cls.cat_hardware.id,
                "generic_alerts_path": "events",
                "generic_fingerprint_path": "key",
                "generic_title_path": "title",
                "generic_description_path": "text",
                "generic_status_path": "state",
                "generic_resolved_values": "closed,ok",
                "generic_labels_path": "tags",
            }
        )
        cls.generic_token = cls.generic._rotate_token()
        cls.other_system = cls.env["response.support.system"].create(
            {"name": "Water Portal", "code": "T-WP", "partner_id": cls.customer.id}
        )

    def _alerts(self, source=None):
        self.env.invalidate_all()
        return self.env["response.support.alert"].search(
            [("source_id", "=", (source or self.source).id)], order="id"
        )


@tagged("post_install", "-at_install")
class TestAlertWebhook(AlertCommon, ResponseSupportHttpCase):
    def _post(self, payload, token=None, code="prom-prod", raw=None):
        headers = {"Content-Type": "application/json"}
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(payload)
        return self.opener.post(
            f"{self.base_url()}/response_support/alerts/{code}",
            data=data,
            headers=headers,
            timeout=30,
        )

    def test_alertmanager_creates_ticket(self):
        response = self._post(ALERTMANAGER_FIRING)
        self.assertEqual(response.status_code, 200, response.text)
        summary = response.json()
        self.assertEqual(summary["created"], 1)
        self.assertEqual(summary["alerts"][0]["result"], "created")
        alert = self._alerts()
        self.assertEqual(alert.state, "linked")
        self.assertEqual(alert.fingerprint, "5f1e2a7c9b3d4e60")
        self.assertEqual(
            alert.starts_at, fields.Datetime.to_datetime("2026-03-02 01:55:30")
        )
        self.assertIn("billing-api-01:8080", alert.raw_payload)
        self.assertEqual(alert.rule_id.name, "Critical billing")
        ticket = alert.ticket_id
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("response_support.helpdesk_ticket_channel_monitoring"),
        )
        self.assertEqual(ticket.reporter_role, "monitoring")
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.catalog_id, self.cat_software_app)
        self.assertEqual((ticket.impact, ticket.urgency), ("high", "high"))
        self.assertEqual(ticket.priority, "3", "high × high through the matrix")
        self.assertTrue(ticket.response_support_process)
        self.assertFalse(ticket.team_id, "the desk dispatches it")
        self.assertEqual(summary["alerts"][0]["ticket"], ticket.number)

    def test_repeat_updates_the_alert(self):
        first = self._post(ALERTMANAGER_FIRING)
        second = self._post(ALERTMANAGER_FIRING)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["alerts"][0]["result"], "updated")
        alert = self._alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.repeat_count, 2)
        self.assertEqual(
            self.env["helpdesk.ticket"].search_count([("alert_ids", "in", alert.ids)]),
            1,
        )

    def test_recovery_posts_on_the_ticket(self):
        self._post(ALERTMANAGER_FIRING)
        response = self._post(resolved(ALERTMANAGER_FIRING))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["alerts"][0]["result"], "updated")
        alert = self._alerts()
        self.assertEqual((alert.status, len(alert)), ("resolved", 1))
        self.assertFalse(alert.recovery_pending)
        self.assertIn("resolved", alert.ticket_id.message_ids[0].body)
        # the source does not resolve tickets on recovery: the desk decides
        self.assertFalse(alert.ticket_id._is_sla_resolved())

    def test_zabbix_problem_and_recovery(self):
        response = self._post(ZABBIX_PROBLEM, token=self.zabbix_token, code="zabbix")
        self.assertEqual(response.status_code, 200, response.text)
        alert = self._alerts(self.zabbix)
        self.assertEqual(alert.labels["service"], "billing")
        self.assertEqual(alert.host, "db-billing-01")
        ticket = alert.ticket_id
        self.assertEqual(ticket.catalog_id, self.cat_hardware)
        # an update (acknowledged) of the same problem: a repeat, no ticket
        update = dict(ZABBIX_PROBLEM, event_update="1")
        self._post(update, token=self.zabbix_token, code="zabbix")
        recovery = dict(ZABBIX_PROBLEM, event_value="0")
        response = self._post(recovery, token=self.zabbix_token, code="zabbix")
        self.assertEqual(response.status_code, 200, response.text)
        alert = self._alerts(self.zabbix)
        self.assertEqual((len(alert), alert.repeat_count), (1, 3))
        self.assertEqual(alert.status, "resolved")
        self.assertEqual(
            alert.ticket_id.stage_id,
            self.env.ref("response_support.helpdesk_ticket_stage_resolved"),
            "the source resolves its tickets on recovery, awaiting the follow-up",
        )

    def test_generic_mapping(self):
        response = self._post(GENERIC_EVENT, token=self.generic_token, code="checks")
        self.assertEqual(response.status_code, 200, response.text)
        alert = self._alerts(self.generic)
        self.assertEqual(alert.name, "Disk /data 95% full on nas-02")
        self.assertEqual((alert.host, alert.severity), ("nas-02", "warning"))
        self.assertEqual(alert.status, "firing")
        self.assertEqual(alert.ticket_id.catalog_id, self.cat_hardware)

    def test_auth_failures(self):
        cases = {
            "no header": self._post(ALERTMANAGER_FIRING, token=""),
            "wrong token": self._post(ALERTMANAGER_FIRING, token="not-the-token"),
            "another source's token": self._post(
                ALERTMANAGER_FIRING, token=self.zabbix_token
            ),
            "unknown source": self._post(ALERTMANAGER_FIRING, code="nope"),
        }
        for case, response in cases.items():
            with self.subTest(case=case):
                self.assertEqual(response.status_code, 401)
                self.assertIn("token", response.json()["error"])
        basic = self.opener.post(
            f"{self.base_url()}/response_support/alerts/prom-prod",
            data=json.dumps(ALERTMANAGER_FIRING),
            headers={"Authorization": f"Basic {self.token}"},
        )
        self.assertEqual(basic.status_code, 401)
        self.assertFalse(self._alerts())
        # a rotated token replaces the old one at once
        new_token = self.source._rotate_token()
        self.assertEqual(self._post(ALERTMANAGER_FIRING).status_code, 401)
        self.assertEqual(
            self._post(ALERTMANAGER_FIRING, token=new_token).status_code, 200
        )

    def test_malformed_payloads(self):
        no_fingerprint = copy.deepcopy(ALERTMANAGER_FIRING)
        del no_fingerprint["alerts"][0]["fingerprint"]
        bad_date = restarted(ALERTMANAGER_FIRING, "yesterday")
        cases = {
            "not json": ("{not json", "malformed payload"),
            "not an object": (json.dumps([1, 2]), "JSON object"),
            "no alerts": (json.dumps({"version": "4"}), "'alerts' must be a list"),
            "no fingerprint": (
                json.dumps(no_fingerprint),
                "alerts[0].fingerprint is missing",
            ),
            "bad date": (json.dumps(bad_date), "alerts[0].startsAt"),
            "empty": (json.dumps({"alerts": []}), "no alert"),
        }
        for case, (raw, message) in cases.items():
            with self.subTest(case=case):
                response = self._post(None, raw=raw)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["error"])
        zabbix = self._post(
            dict(ZABBIX_PROBLEM, event_id="{EVENT.ID}"),
            token=self.zabbix_token,
            code="zabbix",
        )
        self.assertEqual(zabbix.status_code, 400)
        self.assertIn("event_id", zabbix.json()["error"])
        self.assertFalse(self._alerts())

    def test_oversized_body(self):
        payload = copy.deepcopy(ALERTMANAGER_FIRING)
        payload["commonAnnotations"]["padding"] = "x" * MAX_BODY_BYTES
        response = self._post(payload)
        self.assertEqual(response.status_code, 413)
        self.assertIn("limit", response.json()["error"])
        self.assertFalse(self._alerts())

    def test_rate_limit(self):
        self.source.rate_limit = 2
        two = copy.deepcopy(ALERTMANAGER_FIRING)
        two["alerts"].append(
            restarted(ALERTMANAGER_FIRING, "2026-03-02T01:57:00Z", "0a0b0c0d")[
                "alerts"
            ][0]
        )
        self.assertEqual(self._post(two).status_code, 200)
        third = restarted(ALERTMANAGER_FIRING, "2026-03-02T01:58:00Z", "1a1b1c1d")
        response = self._post(third)
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.headers["Retry-After"], "60")
        self.assertEqual(len(self._alerts()), 2)
        self.source.invalidate_recordset()
        self.assertEqual(self.source.rate_limited_count, 1)
        self.assertTrue(self.source.last_rate_limited)

    def test_routing_rule_ignores(self):
        payload = copy.deepcopy(ALERTMANAGER_FIRING)
        payload["alerts"][0]["labels"]["environment"] = "test-3"
        response = self._post(payload)
        self.assertEqual(response.json()["alerts"][0]["result"], "ignored")
        alert = self._alerts()
        self.assertEqual(alert.state, "ignored")
        self.assertIn("Test environments", alert.ignore_reason)
        self.assertFalse(alert.ticket_id)

    def test_maintenance_window_silences(self):
        now = fields.Datetime.now()
        self.env["response.support.silence"].create(
            {
                "name": "Database upgrade",
                "system_id": self.system.id,
                "date_start": now - timedelta(hours=1),
                "date_end": now + timedelta(hours=1),
            }
        )
        response = self._post(ALERTMANAGER_FIRING)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["alerts"][0]["result"], "silenced")
        alert = self._alerts()
        self.assertEqual(alert.state, "silenced")
        self.assertFalse(alert.ticket_id)
        self.assertIn("5f1e2a7c9b3d4e60", alert.raw_payload, "the alert is kept")

    def test_failed_processing_keeps_the_alert_and_retries(self):
        with patch.object(
            ResponseSupportAlert,
            "_prepare_alert_ticket_vals",
            side_effect=ValueError("ticket service unavailable"),
        ):
            response = self._post(ALERTMANAGER_FIRING)
        self.assertEqual(response.status_code, 200, "accepted: stored, not lost")
        self.assertEqual(response.json()["alerts"][0]["result"], "error")
        alert = self._alerts()
        self.assertEqual(alert.state, "error")
        self.assertIn("ticket service unavailable", alert.error_message)
        self.assertIn("5f1e2a7c9b3d4e60", alert.raw_payload)
        self.assertFalse(alert.ticket_id)
        self.assertEqual(self.source.error_count, 1)
        # the scheduler waits for the backoff, then retries
        Alert = self.env["response.support.alert"]
        self.assertEqual(Alert._cron_process_alerts(), 0)
        alert.next_retry = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(Alert._cron_process_alerts(), 1)
        self.assertEqual(alert.state, "linked")
        self.assertFalse(alert.error_message)
        self.assertTrue(alert.ticket_id)

    def test_background_source(self):
        self.source.process_by_cron = True
        response = self._post(ALERTMANAGER_FIRING)
        self.assertEqual(response.status_code, 202)
        self.assertEqual(response.json()["alerts"][0]["result"], "queued")
        alert = self._alerts()
        self.assertEqual(alert.state, "received")
        second = restarted(ALERTMANAGER_FIRING, "2026-03-02T02:00:00Z", "2b2b")
        self.assertEqual(self._post(second).status_code, 202)
        cron = self.env.ref("response_support.ir_cron_process_alerts")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            1,
            "a burst wakes the scheduler once",
        )
        self.env["response.support.alert"]._cron_process_alerts()
        self.assertEqual(alert.state, "linked")


@tagged("post_install", "-at_install")
class TestAlertProcessing(AlertCommon, ResponseSupportCase):
    def _receive(self, payload, source=None, now="2026-03-02 02:00:00"):
        source = source or self.source
        Alert = self.env["response.support.alert"]
        now = fields.Datetime.to_datetime(now)
        stored = Alert._store(source, Alert._parse_payload(source, payload), now)
        alerts = Alert.browse([a.id for a, _inserted in stored])
        alerts._process()
        return alerts

    def test_flapping_alert_groups_onto_one_ticket(self):
        first = self._receive(ALERTMANAGER_FIRING)
        self._receive(resolved(ALERTMANAGER_FIRING), now="2026-03-02 02:20:00")
        again = self._receive(
            restarted(ALERTMANAGER_FIRING, "2026-03-02T02:30:00Z"),
            now="2026-03-02 02:30:00",
        )
        self.assertNotEqual(first, again, "a new start is a new occurrence")
        self.assertEqual(again.state, "linked")
        self.assertEqual(again.ticket_id, first.ticket_id)
        self.assertIn("fired again", again.ticket_id.message_ids[0].body)
        later = self._receive(
            restarted(ALERTMANAGER_FIRING, "2026-03-02T05:00:00Z"),
            now="2026-03-02 05:00:00",
        )
        self.assertNotEqual(later.ticket_id, first.ticket_id, "outside the window")

    def test_recovery_resolves_when_configured(self):
        self.source.resolve_on_recovery = True
        alert = self._receive(ALERTMANAGER_FIRING)
        self._receive(resolved(ALERTMANAGER_FIRING))
        self.assertEqual(
            alert.ticket_id.stage_id,
            self.env.ref("response_support.helpdesk_ticket_stage_resolved"),
        )
        self.assertTrue(alert.ticket_id.resolved_date)

    def test_recovery_waits_for_all_alerts_of_the_ticket(self):
        self.source.resolve_on_recovery = True
        first = self._receive(ALERTMANAGER_FIRING)
        second = restarted(ALERTMANAGER_FIRING, "2026-03-02T02:05:00Z")
        self._receive(second, now="2026-03-02 02:05:00")
        self._receive(resolved(ALERTMANAGER_FIRING), now="2026-03-02 02:10:00")
        self.assertFalse(first.ticket_id._is_sla_resolved(), "one still fires")
        self._receive(resolved(second), now="2026-03-02 02:15:00")
        self.assertTrue(first.ticket_id._is_sla_resolved())

    def test_desk_confirms_first(self):
        self.source.auto_create = False
        alert = self._receive(ALERTMANAGER_FIRING)
        self.assertEqual(alert.state, "new")
        self.assertFalse(alert.ticket_id)
        self.assertEqual(self.source.triage_count, 1)
        alert.with_user(self.desk_user).action_create_ticket()
        self.assertEqual(alert.state, "linked")
        self.assertEqual(alert.ticket_id.priority, "3")
        self.assertEqual(alert.triage_user_id, self.desk_user)
        with self.assertRaises(UserError):
            alert.with_user(self.desk_user).action_create_ticket()

    def test_desk_links_and_ignores(self):
        self.source.auto_create = False
        ticket = self._create_ticket()
        first = self._receive(ALERTMANAGER_FIRING)
        second = self._receive(
            restarted(ALERTMANAGER_FIRING, "2026-03-02T03:00:00Z", "77aa"),
            now="2026-03-02 03:00:00",
        )
        Triage = self.env["response.support.alert.triage"].with_user(self.desk_user)
        Triage.create(
            {"mode": "link", "alert_ids": first.ids, "ticket_id": ticket.id}
        ).action_confirm()
        self.assertEqual((first.state, first.ticket_id), ("linked", ticket))
        self.assertIn("linked by", ticket.message_ids[0].body)
        with self.assertRaises(UserError):
            Triage.create({"mode": "ignore", "alert_ids": second.ids}).action_confirm()
        Triage.create(
            {"mode": "ignore", "alert_ids": second.ids, "reason": "Known: load test"}
        ).action_confirm()
        self.assertEqual(second.state, "ignored")
        self.assertEqual(second.ignore_reason, "Known: load test")

    def test_link_alerts_of_one_outage_to_an_emergency(self):
        first = self._receive(ALERTMANAGER_FIRING)
        portal = restarted(ALERTMANAGER_FIRING, "2026-03-02T02:01:00Z", "9c9c9c")
        portal["alerts"][0]["labels"]["service"] = "portal"
        self.source.rule_ids[1].copy(
            {"conditions": "service=portal", "system_id": self.other_system.id}
        )
        second = self._receive(portal, now="2026-03-02 02:01:00")
        self.assertEqual(second.ticket_id.system_id, self.other_system)
        (first | second).with_user(self.desk_user).action_link_emergency()
        parent = (first | second).ticket_id.filtered("emergency_state")
        self.assertEqual(len(parent), 1)
        child = (first | second).ticket_id - parent
        self.assertEqual(child.emergency_parent_id, parent)
        with self.assertRaises(UserError):
            first.with_user(self.desk_user).action_link_emergency()

    def test_rule_conditions_are_checked(self):
        with self.assertRaises(ValidationError):
            self.source.rule_ids[0].conditions = "severity critical"

    def test_cron_takes_over_lost_processing(self):
        Alert = self.env["response.support.alert"]
        now = fields.Datetime.now()
        parsed = Alert._parse_payload(self.source, ALERTMANAGER_FIRING)
        ((alert, inserted),) = Alert._store(self.source, parsed, now)
        self.assertTrue(inserted)
        # stored, then the worker died before processing: a fresh alert is left to
        # the request that stored it, a stale one is taken over
        self.assertEqual(Alert._cron_process_alerts(), 0)
        self.env.cr.execute(
            "UPDATE response_support_alert SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=10), alert.id],
        )
        self.env.invalidate_all()
        self.assertEqual(Alert._cron_process_alerts(), 1)
        self.assertEqual(alert.state, "linked")
        self.assertEqual(Alert._cron_process_alerts(), 0, "idempotent")

    # ------------------------------------------------------------------ access

    def test_only_managers_configure_sources(self):
        Source = self.env["response.support.alert.source"]
        vals = {"name": "Desk's own", "code": "desk", "kind": "zabbix"}
        for user in (self.desk_user, self.engineer_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Source.with_user(user).create(vals)
        with self.assertRaises(AccessError):
            self.source.with_user(self.desk_user).write({"rate_limit": 0})
        with self.assertRaises(UserError):
            self.source.with_user(self.desk_user)._rotate_token()
        with self.assertRaises(AccessError):
            self.source.with_user(self.desk_user).read(["token_hash"])
        self.assertEqual(self.source.with_user(self.desk_user).name, self.source.name)
        manager_source = Source.with_user(self.manager_user).create(vals)
        self.assertTrue(manager_source._rotate_token())
        self.assertTrue(manager_source.token_set)
        manager_source.rule_ids = [(0, 0, {"name": "All", "conditions": "host=*"})]

    def test_desk_triages_engineers_read_their_tickets_alerts(self):
        self.source.auto_create = False
        mine = self._receive(ALERTMANAGER_FIRING)
        other = self._receive(
            restarted(ALERTMANAGER_FIRING, "2026-03-02T04:00:00Z", "ee11"),
            now="2026-03-02 04:00:00",
        )
        mine.action_create_ticket()
        mine.ticket_id.team_id = self.team_software  # the engineer's team
        Alert = self.env["response.support.alert"]
        self.assertEqual(
            Alert.with_user(self.engineer_user).search(
                [("id", "in", (mine | other).ids)]
            ),
            mine,
        )
        with self.assertRaises(AccessError):
            other.with_user(self.engineer_user).read(["name"])
        with self.assertRaises(AccessError):
            mine.with_user(self.engineer_user).write({"impact": "high"})
        with self.assertRaises(AccessError):
            other.with_user(self.engineer_user).action_create_ticket()
        # the desk sees and triages every alert, but does not delete them
        self.assertEqual(
            Alert.with_user(self.desk_user).search([("id", "in", (mine | other).ids)]),
            mine | other,
        )
        other.with_user(self.desk_user).write({"impact": "high"})
        with self.assertRaises(AccessError):
            other.with_user(self.desk_user).unlink()
        silence = self.env["response.support.silence"].with_user(self.desk_user)
        silence.create(
            {
                "name": "Patch night",
                "system_id": self.system.id,
                "date_start": "2026-03-03 14:00:00",
                "date_end": "2026-03-03 16:00:00",
            }
        )
        with self.assertRaises(AccessError):
            silence.with_user(self.engineer_user).create(
                {
                    "name": "Mine",
                    "system_id": self.system.id,
                    "date_start": "2026-03-03 14:00:00",
                    "date_end": "2026-03-03 16:00:00",
                }
            )
