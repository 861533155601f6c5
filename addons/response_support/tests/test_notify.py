import base64
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from freezegun import freeze_time
from requests import PreparedRequest, Session

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import HOST, _super_send

from .common import ResponseSupportCase, ResponseSupportHttpCase

OK_ANSWERS = {
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "feishu": {"code": 0, "msg": "success", "data": {}},
}


class RobotServer:
    """A chat robot on 127.0.0.1: records each POST (path, query, JSON body) and
    answers what the test scripted (status and JSON, or "hang": no answer until
    released), else the service's "ok"."""

    def __init__(self, port=0):
        self.requests = []
        self.answers = []
        self.release = threading.Event()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urlsplit(self.path)
                robot.requests.append(
                    {
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "json": json.loads(body),
                    }
                )
                answer = robot.answers.pop(0) if robot.answers else None
                if answer == "hang":
                    robot.release.wait(10)
                    return
                status, payload = answer or (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def dingtalk_sign(secret, timestamp):
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret, timestamp):
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@tagged("post_install", "-at_install")
class TestNotify(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.robot = RobotServer()
        cls.addClassCleanup(cls.robot.stop)
        cls.Clock = cls.env["response.support.sla.clock"]
        cls.Notification = cls.env["response.support.notification"]
        # a 7×24 level: response 30 min, resolution 120 min, a 50% and an 80% warning
        cls.level_24 = cls._create_7x24_level(
            "Test 7x24", {"percent": 80, "action": "notify_manager"}
        )
        cls.contract.phase_ids.write({"sla_level_id": cls.level_24.id})
        cls.team_software.user_id = cls.manager_user

    @classmethod
    def _request_handler(cls, s: Session, r: PreparedRequest, /, **kw):
        # the robot is local: keep the channel's own (short) timeout, which Odoo's
        # test harness would raise to 10 s; anything else is blocked as usual
        if urlsplit(r.url).hostname == HOST:
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.robot.requests.clear()
        self.robot.answers.clear()

    def _channel(self, kind, events, secret=False, team=None, **vals):
        return (
            self.env["response.support.notify.channel"]
            .with_user(self.manager_user)
            .create(
                {
                    "name": f"Test {kind}",
                    "kind": kind,
                    "webhook_url": self.robot.url(f"/{kind}/send?access_token=T"),
                    "secret": secret,
                    "min_interval_ms": 0,
                    "route_ids": [
                        (
                            0,
                            0,
                            {
                                "event": event,
                                "team_id": (team or self.team_software).id,
                            },
                        )
                        for event in events
                    ],
                    **vals,
                }
            )
        )

    @freeze_time("2026-03-02 02:00:00")
    def _ticket(self, **overrides):
        overrides.setdefault("team_id", self.team_software.id)
        return self._create_ticket(**overrides)

    def _deliver(self):
        return self.Notification._cron_deliver()

    # ------------------------------------------------------------------ formats

    def test_breach_posts_a_signed_dingtalk_markdown(self):
        secret = "SEC0123456789abcdef"
        channel = self._channel("dingtalk", ["sla_breach"], secret=secret)
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:31:00"):
            self.Clock._cron_check_sla()
            # the scheduler only queued: no HTTP call in its transaction
            self.assertFalse(self.robot.requests)
            queued = self.Notification.search([("channel_id", "=", channel.id)])
            self.assertEqual(queued.mapped("state"), ["queued"])
            self._deliver()
        self.assertEqual(len(self.robot.requests), 1)
        request = self.robot.requests[0]
        self.assertEqual(request["path"], "/dingtalk/send")
        timestamp = request["query"]["timestamp"][0]
        self.assertEqual(
            timestamp, str(int(datetime(2026, 3, 2, 2, 31).timestamp() * 1000))
        )
        self.assertEqual(request["query"]["sign"][0], dingtalk_sign(secret, timestamp))
        self.assertEqual(request["query"]["access_token"], ["T"])
        body = request["json"]
        self.assertEqual(body["msgtype"], "markdown")
        self.assertIn("SLA Breach", body["markdown"]["title"])
        text = body["markdown"]["text"]
        self.assertIn("passed its deadline", text)
        self.assertIn("Working time left: 0 h 0 min", text)
        self.assertIn(f"/odoo/helpdesk.ticket/{ticket.id})", text)
        self.assertIn("Team: Software Team", text)
        delivery = channel.delivery_ids
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(delivery.status_code, 200)
        self.assertIn('"errcode": 0', delivery.answer)
        self.assertEqual(queued.state, "sent")
        self.assertEqual(queued.delivery_ids, delivery)
        # idempotent: a second run sends nothing again
        with freeze_time("2026-03-02 02:35:00"):
            self._deliver()
        self.assertEqual(len(self.robot.requests), 1)

    def test_warning_shows_the_working_time_left_and_follows_the_threshold_route(self):
        channel = self._channel("wecom", ["sla_warning"])
        channel.route_ids.min_percent = 80
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:15:00"):
            self.Clock._cron_check_sla()  # 50% of the response clock: not routed
        self.assertFalse(channel.queued_count)
        with freeze_time("2026-03-02 02:24:00"):
            self.Clock._cron_check_sla()  # 80%
            self._deliver()
        self.assertEqual(len(self.robot.requests), 1)
        body = self.robot.requests[0]["json"]
        self.assertEqual(body["msgtype"], "markdown")
        content = body["markdown"]["content"]
        self.assertIn(ticket.display_name, content)
        self.assertIn("has used 80% of its target of 30 working minutes", content)
        self.assertIn("Working time left: 0 h 6 min", content)
        self.assertFalse(self.robot.requests[0]["query"].get("sign"), "WeCom signs not")

    def test_emergency_posts_a_signed_feishu_post_message(self):
        secret = "feishu-secret-42"
        self._channel("feishu", ["emergency_raised"], secret=secret)
        ticket = self._ticket()
        with freeze_time("2026-03-02 03:00:00"):
            ticket.with_user(self.desk_user).action_raise_emergency()
            self.assertFalse(self.robot.requests, "the desk's action does not wait")
            self._deliver()
        body = self.robot.requests[0]["json"]
        self.assertEqual(
            body["timestamp"], str(int(datetime(2026, 3, 2, 3).timestamp()))
        )
        self.assertEqual(body["sign"], feishu_sign(secret, body["timestamp"]))
        self.assertEqual(body["msg_type"], "post")
        post = body["content"]["post"]["en_us"]
        self.assertIn("Possible Emergency Raised", post["title"])
        lines = [part["text"] for line in post["content"] for part in line]
        self.assertIn(
            "Raised as a possible emergency to the technical support manager.", lines
        )
        self.assertIn(
            f"{ticket.get_base_url()}/odoo/helpdesk.ticket/{ticket.id}", lines
        )

    def test_feishu_refusal_with_http_200_is_a_failure(self):
        channel = self._channel("feishu", ["complaint"])
        ticket = self._ticket()
        self.robot.answers.append((200, {"code": 19021, "msg": "sign match fail"}))
        ticket.write({"ticket_type": "complaint"})
        self._deliver()
        self.assertEqual(channel.delivery_ids.state, "failed")
        self.assertIn("19021", channel.delivery_ids.error)
        self.assertIn("sign match fail", channel.delivery_ids.answer)

    # ------------------------------------------------------------------ language

    def test_message_in_the_team_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["response_support"], ["zh_CN"])
        self._channel("wecom", ["escalation"])
        self._channel("wecom", ["escalation"], team=self.team_hardware)
        self.team_software.notify_lang = "zh_CN"
        ticket = self._ticket()
        ticket._escalate_manually("Database down")
        self.team_hardware.user_id = self.env["res.users"].create(
            {"name": "Hardware Lead", "login": "rs_hw_lead", "lang": "en_US"}
        )
        other = self._ticket(team_id=self.team_hardware.id)
        other._escalate_manually("Disk failure")
        self._deliver()
        contents = {
            r["json"]["markdown"]["content"].split("\n")[0]: r["json"]["markdown"][
                "content"
            ]
            for r in self.robot.requests
        }
        self.assertEqual(len(contents), 2)
        chinese = next(c for c in contents.values() if "Database down" in c)
        english = next(c for c in contents.values() if "Disk failure" in c)
        self.assertIn("已升级上报至", chinese)
        self.assertIn("原因：Database down", chinese)
        self.assertIn("Escalated to", english)
        # without a language of its own, the team speaks its leader's
        self.team_hardware.user_id.lang = "zh_CN"
        self.assertEqual(self.team_hardware._get_notify_lang(), "zh_CN")

    # ------------------------------------------------------------------ failures

    def test_retry_with_back_off_then_flag_then_recover(self):
        channel = self._channel(
            "dingtalk",
            ["escalation"],
            retry_delay=60,
            failure_threshold=3,
            timeout=0.5,
        )
        ticket = self._ticket()
        self.robot.answers += [
            (500, {"error": "internal"}),
            (200, {"errcode": 130101, "errmsg": "send too fast"}),
            "hang",
        ]
        start = datetime(2026, 3, 2, 3, 0)
        with freeze_time(start):
            ticket._escalate_manually("Still down")
            note = channel.route_ids and self.Notification.search(
                [("channel_id", "=", channel.id)]
            )
            self._deliver()
            self.assertEqual(note.attempts, 1)
            self.assertEqual(note.next_attempt_date, start + timedelta(seconds=60))
            self._deliver()  # not due yet: nothing sent
        self.assertEqual(len(self.robot.requests), 1)
        with freeze_time(start + timedelta(seconds=60)):
            self._deliver()
        self.assertEqual(note.next_attempt_date, start + timedelta(seconds=180))
        self.assertFalse(channel.failing)
        with freeze_time(start + timedelta(seconds=180)):
            self._deliver()
        self.robot.release.set()
        self.assertEqual(note.attempts, 3)
        self.assertEqual(note.state, "queued")
        self.assertEqual(note.next_attempt_date, start + timedelta(seconds=420))
        failed = channel.delivery_ids.sorted("id")
        self.assertEqual(failed.mapped("state"), ["failed"] * 3)
        self.assertEqual(failed[0].status_code, 500)
        self.assertIn("internal", failed[0].answer)
        self.assertIn("130101", failed[1].error)
        self.assertIn("send too fast", failed[1].error)
        self.assertIn("Timeout", failed[2].error)
        # three failures in a row: the managers are told
        self.assertTrue(channel.failing)
        self.assertEqual(channel.consecutive_failures, 3)
        activity = channel.activity_ids.filtered(
            lambda a: a.user_id == self.manager_user
        )
        self.assertIn("keeps failing", activity.summary)
        with freeze_time(start + timedelta(seconds=420)):
            self._deliver()
        self.assertEqual(note.state, "sent")
        self.assertEqual(note.attempts, 4)
        self.assertFalse(channel.failing)
        self.assertEqual(channel.consecutive_failures, 0)
        self.assertEqual(len(self.robot.requests), 4)

    def test_gives_up_after_the_last_attempt(self):
        channel = self._channel("wecom", ["escalation"], max_attempts=2, retry_delay=10)
        ticket = self._ticket()
        self.robot.answers += [(502, {}), (502, {})]
        with freeze_time("2026-03-02 03:00:00"):
            ticket._escalate_manually("Still down")
            self._deliver()
        with freeze_time("2026-03-02 03:00:10"):
            self._deliver()
        with freeze_time("2026-03-02 04:00:00"):
            self._deliver()
        note = self.Notification.search([("channel_id", "=", channel.id)])
        self.assertEqual(note.state, "failed")
        self.assertEqual(note.attempts, 2)
        self.assertEqual(len(self.robot.requests), 2)
        # the manager fixed the robot and sends it again
        with self.assertRaises(AccessError):
            note.with_user(self.desk_user).action_requeue()
        with freeze_time("2026-03-02 05:00:00"):
            note.with_user(self.manager_user).action_requeue()
            self._deliver()
        self.assertEqual(note.state, "sent")
        self.assertEqual(len(self.robot.requests), 3)

    # ------------------------------------------------------------------ storms

    def _storm(self, channel, ticket, count):
        self.Notification.create(
            [
                {
                    "channel_id": channel.id,
                    "ticket_id": ticket.id,
                    "event": "sla_warning",
                    "title": f"[SLA Warning] storm {i}",
                    "body": "Response has used 80% of its target.",
                    "url": "http://127.0.0.1/odoo/helpdesk.ticket/1",
                    "next_attempt_date": "2026-03-02 03:00:00",
                }
                for i in range(count)
            ]
        )

    def test_storm_is_merged_within_the_rate_limit(self):
        channel = self._channel("dingtalk", ["sla_warning"])
        self.assertEqual((channel.rate_limit, channel.batch_max), (20, 20))
        ticket = self._ticket()
        self._storm(channel, ticket, 450)
        with freeze_time("2026-03-02 03:00:00"):
            self.assertEqual(self._deliver(), 400)
        self.assertEqual(len(self.robot.requests), 20, "20 messages a minute")
        first = self.robot.requests[0]["json"]["markdown"]
        self.assertEqual(first["title"], "20 events: SLA Warning × 20")
        self.assertEqual(first["text"].count("storm "), 20)
        self.assertEqual(channel.queued_count, 50)
        with freeze_time("2026-03-02 03:00:30"):
            self.assertEqual(self._deliver(), 0, "the minute's budget is spent")
        with freeze_time("2026-03-02 03:01:01"):
            self.assertEqual(self._deliver(), 50)
        self.assertEqual(len(self.robot.requests), 23)
        channel.invalidate_recordset(["queued_count"])
        self.assertEqual(channel.queued_count, 0)

    def test_without_merging_one_message_per_event_within_the_rate_limit(self):
        channel = self._channel("wecom", ["sla_warning"], batch_enabled=False)
        ticket = self._ticket()
        self._storm(channel, ticket, 30)
        with freeze_time("2026-03-02 03:00:00"):
            self.assertEqual(self._deliver(), 20)
        self.assertEqual(len(self.robot.requests), 20)
        self.assertEqual(
            self.robot.requests[0]["json"]["markdown"]["content"].count("storm"), 1
        )
        self.assertEqual(channel.queued_count, 10)

    def test_only_routed_teams_and_active_channels_get_events(self):
        channel = self._channel("wecom", ["escalation"], team=self.team_hardware)
        archived = self._channel("wecom", ["escalation"])
        archived.active = False
        ticket = self._ticket()
        ticket._escalate_manually("Still down")
        self.assertFalse(
            self.Notification.search([("channel_id", "in", (channel | archived).ids)])
        )

    # ------------------------------------------------------------------ access

    def test_only_managers_configure_channels_and_nobody_reads_the_secret(self):
        channel = self._channel(
            "dingtalk", ["sla_breach"], secret="SECtopsecretvalue1234"
        )
        self.assertEqual(channel.sudo().secret_value, "SECtopsecretvalue1234")
        as_manager = channel.with_user(self.manager_user)
        as_manager.invalidate_recordset()
        self.assertFalse(as_manager.secret, "write-only")
        self.assertEqual(as_manager.secret_masked, "••••••••1234")
        self.assertEqual(as_manager.read(["secret"])[0]["secret"], False)
        with self.assertRaises(AccessError):
            as_manager.read(["secret_value"])
        with self.assertRaises(AccessError):
            as_manager.search_read([], ["secret_value"])
        self.assertNotIn("secret_value", as_manager.fields_get())
        # typing a new secret replaces it; an empty one keeps it
        as_manager.write({"secret": "SECsecondsecret99999"})
        as_manager.write({"name": "Renamed", "secret": False})
        self.assertEqual(channel.sudo().secret_value, "SECsecondsecret99999")
        as_manager.action_clear_secret()
        self.assertFalse(channel.sudo().secret_value)
        for user in (self.desk_user, self.engineer_user):
            with self.assertRaises(AccessError):
                channel.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                channel.with_user(user).write({"webhook_url": "http://127.0.0.1/x"})
            with self.assertRaises(AccessError):
                self.env["response.support.notify.channel"].with_user(user).create(
                    {"name": "Mine", "kind": "wecom", "webhook_url": "http://x"}
                )
            with self.assertRaises(AccessError):
                self.env["response.support.notify.delivery"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.Notification.with_user(user).search([])
        # the manager reads the log but does not forge it
        self.env["response.support.notify.delivery"].with_user(
            self.manager_user
        ).search([])
        with self.assertRaises(AccessError):
            self.env["response.support.notify.delivery"].with_user(
                self.manager_user
            ).create(
                {
                    "channel_id": channel.id,
                    "date": "2026-03-02 03:00:00",
                    "state": "sent",
                }
            )


@tagged("post_install", "-at_install")
class TestNotifyTour(ResponseSupportHttpCase):
    """In the browser: the manager configures a DingTalk robot for a team, a breach
    of that team posts to the (local) robot; the desk dispatches a call to the
    engineer who has the skill the catalog entry needs."""

    ROBOT_PORT = 18765  # typed by the tour

    @classmethod
    def _request_handler(cls, s: Session, r: PreparedRequest, /, **kw):
        if urlsplit(r.url).hostname == HOST and urlsplit(r.url).port == cls.ROBOT_PORT:
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def test_manager_configures_a_dingtalk_channel_and_a_breach_posts_to_it(self):
        try:
            robot = RobotServer(self.ROBOT_PORT)
        except OSError:
            self.skipTest(f"port {self.ROBOT_PORT} of the tour's robot is taken")
        self.addCleanup(robot.stop)
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Tour Database Team", "response_support_process": True}
        )
        self.start_tour("/odoo", "response_support_notify_channel", login="rs_manager")
        channel = self.env["response.support.notify.channel"].search(
            [("name", "=", "Tour Database Team DingTalk")]
        )
        self.assertEqual(channel.kind, "dingtalk")
        self.assertEqual(channel.route_ids.mapped("event"), ["sla_breach"])
        self.assertEqual(channel.route_ids.team_id, team)
        self.assertEqual(channel.sudo().secret_value, "SECtour0123456789")
        with freeze_time("2026-03-02 02:00:00"):
            ticket = self._create_ticket(team_id=team.id)
        with freeze_time("2026-03-03 02:00:00"):
            self.env["response.support.sla.clock"]._cron_check_sla()
            self.env["response.support.notification"]._cron_deliver()
        self.assertTrue(robot.requests, "the breach reached the robot")
        request = robot.requests[0]
        timestamp = request["query"]["timestamp"][0]
        self.assertEqual(
            request["query"]["sign"][0], dingtalk_sign("SECtour0123456789", timestamp)
        )
        self.assertIn(ticket.display_name, request["json"]["markdown"]["text"])
        self.assertEqual(channel.delivery_ids.mapped("state"), ["sent"])

    def test_desk_dispatches_a_call_to_the_skilled_engineer(self):
        skilled = self._create_engineer("rs_tour_dba", name="Tour DBA")
        self.team_software.write(
            {"user_ids": [(4, skilled.id)], "assign_method": "least_loaded"}
        )
        skill = self.env["response.support.skill"].create({"name": "Tour Database"})
        self.env["response.support.user.skill"].create(
            {"user_id": skilled.id, "skill_id": skill.id, "level": 4}
        )
        self.cat_software_app.write({"skill_id": skill.id, "skill_min_level": 3})
        self.start_tour("/odoo", "response_support_phone_intake", login="rs_desk")
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Billing screen shows error 500")]
        )
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertEqual(ticket.user_id, skilled, "not the unskilled rs_engineer")
        self.assertIn(
            "Proposed Tour DBA: has Tour Database ≥ 3, least loaded (0 open)",
            "".join(ticket.message_ids.mapped("body")),
        )
