from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ResponseSupportHttpCase
from .test_kpi import KpiCommon

NOW = "2026-03-10 02:00:00"  # Tuesday 10:00 in Shanghai


class BoardCommon(KpiCommon):
    """Open events of the PRC 5×8 level (response 30, resolution 960 working
    minutes) with a warning at 40 % of the resolution time, seen on Tuesday
    2026-03-10 10:00 in Shanghai (02:00 UTC):

    =========  =========================================  ========  =========
    ticket     story                                      SLA       age
    =========  =========================================  ========  =========
    breach     reported Fri 02-20, never acknowledged     breached  > 7 days
    risk       reported Mon 11:00, acknowledged; 420 of   at risk   < 1 day
               960 minutes used, the 40 % warning fired
    paused     reported Fri 03-06, acknowledged, waiting  paused    3–7 days
               for the customer since 11:00
    fine       reported today 09:30, acknowledged 09:40   on track  < 1 day
    emergency  desk, no team; a possible emergency        on track  < 1 day
    resolved   resolved, awaiting its follow-up call      —         —
    =========  =========================================  ========  =========

    The engineer holds the first four, in the software team; the emergency has
    neither engineer nor team. The fine ticket's visit has a plan awaiting
    approval and an extra request awaiting authorisation; one alert failed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_prc.threshold_ids = [
            (0, 0, {"percent": 40, "action": "notify_assignee", "kind": "resolution"})
        ]
        cls.Board = cls.env["response.support.board"]
        cls.alert_source = cls.env["response.support.alert.source"].create(
            {"name": "Board source", "code": "board", "kind": "generic"}
        )

    def _at(self, moment, **vals):
        with freeze_time(moment):
            return self._engineer_ticket(reported_date=moment, **vals)

    def _build_board(self):
        t = {"breach": self._at("2026-02-20 02:00:00", name="breach")}
        t["risk"] = self._at("2026-03-09 03:00:00", name="risk")
        with freeze_time("2026-03-09 03:10:00"):
            t["risk"].action_acknowledge()
        t["paused"] = self._at("2026-03-06 02:00:00", name="paused")
        with freeze_time("2026-03-06 02:10:00"):
            t["paused"].action_acknowledge()
        with freeze_time("2026-03-06 03:00:00"):
            t["paused"].stage_id = self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_stage_awaiting"
            )
        t["resolved"] = self._at("2026-03-02 02:00:00", name="resolved")
        with freeze_time("2026-03-02 03:00:00"):
            self._resolve(t["resolved"])
        t["fine"] = self._at("2026-03-10 01:30:00", name="fine")
        with freeze_time("2026-03-10 01:40:00"):
            t["fine"].action_acknowledge()
            visit = self._visit(t["fine"]).with_user(self.engineer_user)
            visit.write(
                {"plan_steps": "Swap", "plan_risks": "None", "plan_rollback": "Back"}
            )
            visit.action_submit_plan()
            self.env["response.support.activity.request"].with_user(
                self.engineer_user
            ).create({"activity_id": visit.id, "description": "Also the printer"})
        with freeze_time("2026-03-10 01:50:00"):
            t["emergency"] = self._create_ticket(
                user=self.desk_user,
                name="emergency",
                reported_date="2026-03-10 01:50:00",
            )
            t["emergency"].with_user(self.desk_user).action_raise_emergency()
        self.env["response.support.alert"].create(
            {
                "name": "Disk full",
                "source_id": self.alert_source.id,
                "company_id": self.env.company.id,
                "dedup_key": f"board-{t['fine'].id}",
                "status": "firing",
                "state": "error",
                "first_seen": NOW,
                "last_seen": NOW,
            }
        )
        with freeze_time(NOW):
            self.env["response.support.sla.clock"]._cron_check_sla()
        return t

    def _counts(self):
        with freeze_time(NOW):
            data = self.Board.with_user(self.manager_user).get_board_data()
        return {
            tile["key"]: tile
            for section in data["sections"]
            for tile in section["tiles"]
        }


@tagged("post_install", "-at_install")
class TestBoard(BoardCommon):
    def test_counts_and_click_through_domains(self):
        # the database may hold other tickets (demo data): the board is compared
        # with itself before and after this data set
        before = self._counts()
        t = self._build_board()
        self.assertEqual(t["risk"].sla_status, "at_risk")
        self.assertEqual(t["paused"].sla_status, "paused")
        self.assertEqual(t["breach"].sla_status, "breached")
        after = self._counts()
        expected = {
            "sla_at_risk": 1,
            "sla_breached": 1,
            "sla_paused": 1,
            "age_1": 3,  # risk, fine, emergency
            "age_3": 0,
            "age_7": 1,  # paused
            "age_old": 1,  # breach
            "plans": 1,
            "authorisations": 1,
            "emergencies": 1,
            "followups": 1,
            "alerts_error": 1,
        }
        for key, want in expected.items():
            old = before[key]["count"] if key in before else 0
            self.assertEqual(after[key]["count"] - old, want, key)
        engineer = after[f"user_id_{self.engineer_user.id}"]
        self.assertEqual(engineer["count"], 4, "breach, risk, paused, fine")
        self.assertEqual(engineer["label"], self.engineer_user.name)
        self.assertEqual(after[f"team_id_{self.team_software.id}"]["count"], 4)
        self.assertGreaterEqual(after["user_id_0"]["count"], 1)
        # every number is the count of the list its click opens
        with freeze_time(NOW):
            for key, tile in after.items():
                action = tile["action"]
                Model = self.env[action["res_model"]].with_user(self.manager_user)
                self.assertEqual(
                    Model.search_count(action["domain"]), tile["count"], key
                )
        with freeze_time(NOW):
            Ticket = self.env["helpdesk.ticket"]
            self.assertEqual(
                Ticket.search(after["sla_at_risk"]["action"]["domain"])
                & (t["risk"] | t["fine"]),
                t["risk"],
            )

    def test_board_is_for_managers_only(self):
        for user in (self.engineer_user, self.desk_user):
            with self.assertRaises(AccessError):
                self.Board.with_user(user).get_board_data()

    def test_board_queries_do_not_grow_with_the_tickets(self):
        """One grouped query per section (a few for the counts of the last
        two), whatever the number of tickets."""
        self._build_board()
        board = self.Board.with_user(self.manager_user)
        board.get_board_data()  # warm the caches
        self.env.invalidate_all()
        with freeze_time(NOW), self.assertQueryCount(13):
            board.get_board_data()
        self._build_board()
        self.env.invalidate_all()
        with freeze_time(NOW), self.assertQueryCount(13):
            board.get_board_data()


@tagged("post_install", "-at_install")
class TestBoardOverRpc(BoardCommon, ResponseSupportHttpCase):
    def test_rpc_managers_only(self):
        result, error = self._call_kw(
            "rs_manager", "response.support.board", "get_board_data", []
        )
        self.assertFalse(error)
        self.assertEqual(
            [s["key"] for s in result["sections"]],
            [
                "sla",
                "aging",
                "workload_user_id",
                "workload_team_id",
                "approvals",
                "attention",
            ],
        )
        for login in ("rs_engineer", "rs_desk"):
            __, error = self._call_kw(
                login, "response.support.board", "get_board_data", []
            )
            self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
            self.assertIn("supervision board", error["data"]["message"])

    def test_tour_opens_a_tile(self):
        with freeze_time("2026-02-20 02:00:00"):
            self._engineer_ticket(name="Board tour ticket")
        with freeze_time(NOW):
            self.env["response.support.sla.clock"]._cron_check_sla()
        self.start_tour(
            "/odoo/action-response_support.response_support_board_action",
            "response_support_board",
            login="rs_manager",
        )

    def test_tour_kpi_views(self):
        """Pivot, list and graph of the KPI report with the ratio and p90
        aggregators, in the browser."""
        with freeze_time("2026-02-20 02:00:00"):
            ticket = self._engineer_ticket(name="Board tour ticket")
        with freeze_time("2026-02-20 03:00:00"):
            ticket.action_acknowledge()  # 60 of 30 minutes: 0 % on time
        self.start_tour(
            "/odoo/action-response_support.response_support_report_kpi_action",
            "response_support_kpi_views",
            login="rs_manager",
        )
