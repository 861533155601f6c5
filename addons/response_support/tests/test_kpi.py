from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ResponseSupportHttpCase
from .test_onsite import OnsiteCommon


class KpiCommon(OnsiteCommon):
    """A hand-checked month of one customer under the PRC 5×8 level of
    OnsiteCommon (Shanghai 08:00–12:00 and 13:00–17:00; response 30, resolution
    960, arrival 120, support time 60 working minutes). Monday 2026-03-02 10:00
    in Shanghai is 02:00 UTC; every time below is UTC.

    ====  =====================================================================
    A     engineer; acknowledged 02:20 (20 min, met); visit 1 arrives 03:30
          (90 min, met), works 03:30–05:45 (11:30–12:00 and 13:00–13:45 = 75
          min, support time breached); visit 2 requested 07:00 arrives Tue 01:30
          (210 min, breached); resolved 06:00 (10–12 + 13–14 = 180 min, met);
          follow-up solved, satisfaction 5; one article written from it and
          used on it; legacy issues: one open overdue, one open not due, one
          solved
    B     engineer; acknowledged 02:45 (45 min, breached); resolved Wed 03:00
          (Mon 360 + Tue 480 + Wed 180 = 1020 min, breached); follow-up solved,
          satisfaction 3
    C     engineer; acknowledged 02:10 (10 min, met); still open; one manual
          escalation; one complaint (ticket F) about it
    R     engineer; acknowledged 02:15 (15 min, met); resolved 03:00 then the
          customer says not solved: reopened, its resolution clock runs again
    D     desk; resolved at the desk 02:05 (intake outcome "desk")
    E     desk; dispatched 02:03 (intake outcome "assigned")
    F     complaint about C
    G     desk; raised as possible emergency, confirmed by the manager
    ====  =====================================================================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_resolved.sla_resolved = True
        cls.Kpi = cls.env["response.support.report.kpi"]

    def _engineer_ticket(self, **vals):
        return self._create_ticket(
            team_id=self.team_software.id, user_id=self.engineer_user.id, **vals
        )

    def _resolve(self, ticket):
        ticket.write(dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id))

    def _build_month(self):
        t = {}
        with freeze_time("2026-03-02 02:00:00"):
            for key in "ABCR":
                t[key] = self._engineer_ticket(name=f"Ticket {key}")
            for key in "DEG":
                t[key] = self._create_ticket(user=self.desk_user, name=f"Ticket {key}")
            visit1 = self._visit(t["A"]).with_user(self.engineer_user)
        with freeze_time("2026-03-02 02:03:00"):
            t["E"].with_user(self.desk_user).action_dispatch()
        with freeze_time("2026-03-02 02:05:00"):
            t["D"].with_user(self.desk_user).write(self.RESOLUTION_VALS)
            t["D"].with_user(self.desk_user).action_resolve_at_desk()
            t["G"].with_user(self.desk_user).action_raise_emergency()
            t["G"].with_user(self.manager_user).action_confirm_emergency()
        with freeze_time("2026-03-02 02:10:00"):
            t["C"].action_acknowledge()
            t["C"].with_user(self.engineer_user)._escalate_manually(
                "Needs the database team"
            )
            t["F"] = self._create_ticket(
                name="Complaint about C",
                ticket_type="complaint",
                complained_ticket_id=t["C"].id,
            )
        with freeze_time("2026-03-02 02:15:00"):
            t["R"].action_acknowledge()
        with freeze_time("2026-03-02 02:20:00"):
            t["A"].action_acknowledge()
        with freeze_time("2026-03-02 02:45:00"):
            t["B"].action_acknowledge()
        with freeze_time("2026-03-02 03:00:00"):
            self._resolve(t["R"])
        with freeze_time("2026-03-02 03:30:00"):
            self._check_in(visit1)
            visit1.action_start()
        with freeze_time("2026-03-02 04:00:00"):
            self._confirm_followup(
                t["R"], result="not_solved", customer_words="Still failing."
            )
        with freeze_time("2026-03-02 05:45:00"):
            visit1.action_request_signoff()
        with freeze_time("2026-03-02 06:00:00"):
            self._resolve(t["A"])
        with freeze_time("2026-03-02 07:00:00"):
            visit2 = self._visit(t["A"]).with_user(self.engineer_user)
            self._confirm_followup(t["A"], satisfaction="5")
        with freeze_time("2026-03-03 01:30:00"):
            self._check_in(visit2)
        with freeze_time("2026-03-04 03:00:00"):
            self._resolve(t["B"])
        with freeze_time("2026-03-04 04:00:00"):
            self._confirm_followup(t["B"], satisfaction="3")
        article = self.env["response.support.article"].create(
            {"name": "Billing service memory", "source_ticket_id": t["A"].id}
        )
        t["A"].article_ids = article
        self.env["response.support.legacy.issue"].create(
            [
                {"name": name, "activity_id": visit1.id, "due_date": due}
                for name, due in (("Overdue", "2020-01-01"), ("Later", "2099-01-01"))
            ]
            + [{"name": "Solved", "activity_id": visit1.id, "state": "done"}]
        )
        self.env.flush_all()
        return t

    def _kpis(self, aggregates, groupby=(), domain=()):
        return self.Kpi._read_group(
            [("partner_id", "=", self.customer.id), *domain],
            groupby=list(groupby),
            aggregates=list(aggregates),
        )


@tagged("post_install", "-at_install")
class TestKpiReport(KpiCommon):
    def setUp(self):
        super().setUp()
        self.tickets = self._build_month()

    def test_kpis_of_the_month(self):
        """Every KPI of the hand-checked month, over the customer's tickets."""
        [row] = self._kpis(
            [
                "__count",
                "response_clock_count:sum",
                "response_on_time_rate:ratio",
                "response_minutes:avg",
                "response_minutes_p90:p90",
                "resolution_clock_count:sum",
                "resolution_on_time_rate:ratio",
                "resolution_minutes:avg",
                "resolution_minutes_p90:p90",
                "arrival_on_time_rate:ratio",
                "support_on_time_rate:ratio",
                "desk_resolution_rate:ratio",
                "followup_rate:ratio",
                "satisfaction_score:avg",
                "reopen_rate:ratio",
                "escalation_count:sum",
                "emergency_count:sum",
                "complaint_count:sum",
                "complained_count:sum",
                "article_written_count:sum",
                "article_used_count:sum",
                "legacy_open_count:sum",
                "legacy_overdue_count:sum",
            ],
            domain=[
                ("reported_date", ">=", "2026-03-01 00:00:00"),
                ("reported_date", "<", "2026-04-01 00:00:00"),
            ],
        )
        expected = [
            8,  # A B C R D E F G
            5,  # responses of A B C R D (E F G still running)
            80.0,  # 4 of 5 on time (B took 45 > 30)
            19.0,  # (20 + 45 + 10 + 15 + 5) / 5
            35.0,  # [5, 10, 15, 20, 45] at 0.9 × 4 = 3.6: 20 + 0.6 × 25
            3,  # resolutions of A B D (R reopened, C open)
            66.67,  # A and D of A B D
            (180 + 1020 + 5) / 3,
            852.0,  # [5, 180, 1020] at 0.9 × 2 = 1.8: 180 + 0.8 × 840
            50.0,  # visit 1 arrived on time, visit 2 did not
            0.0,  # visit 1 worked 75 of 60 minutes
            33.33,  # D resolved at the desk, of D E G with an intake outcome
            75.0,  # A B R followed up, of A B R D resolved
            4.0,  # A 5, B 3
            25.0,  # R reopened, of A B R D resolved
            2,  # C manual, G emergency
            1,  # G
            1,  # F
            1,  # F is about C
            1,
            1,
            2,  # "Overdue" and "Later" (A's visit 1)
            1,  # "Overdue"
        ]
        for value, want in zip(row, expected, strict=True):
            self.assertAlmostEqual(value, want, places=2)

    def test_kpis_per_engineer_and_satisfaction_distribution(self):
        by_user = {
            user: rest
            for user, *rest in self._kpis(
                [
                    "__count",
                    "response_on_time_rate:ratio",
                    "response_minutes:avg",
                    "response_minutes_p90:p90",
                    "resolution_on_time_rate:ratio",
                ],
                groupby=["user_id"],
            )
        }
        # A B C R: 3 of 4 responses on time, A of A B resolved on time
        self.assertEqual(by_user[self.engineer_user], [4, 75.0, 22.5, 37.5, 50.0])
        distribution = dict(self._kpis(["__count"], groupby=["satisfaction"]))
        self.assertEqual(distribution, {"5": 1, "3": 1, False: 6})
        by_mode = dict(self._kpis(["arrival_on_time_rate:ratio"], ["support_mode"]))
        self.assertEqual(by_mode["onsite"], 50.0)
        self.assertFalse(by_mode[False], "no clock: no rate, not 0 %")
        self.assertFalse(
            self._kpis(["__count"], domain=[("contract_phase", "=", "service")])[0][0]
        )
        by_channel = self._kpis(["__count"], ["channel_id", "priority", "catalog_id"])
        self.assertEqual(sum(count for *__, count in by_channel), 8)

    def test_web_client_calls(self):
        """The pivot and list call read_group with the fields' own aggregators."""
        self.assertEqual(
            self.Kpi.fields_get(["reopen_rate"], ["aggregator"])["reopen_rate"][
                "aggregator"
            ],
            "ratio",
        )
        groups = self.Kpi.with_user(self.manager_user).read_group(
            [("partner_id", "=", self.customer.id)],
            ["response_on_time_rate", "resolution_minutes_p90"],
            ["team_id"],
            lazy=False,
        )
        software = next(g for g in groups if g["team_id"][0] == self.team_software.id)
        self.assertEqual(software["__count"], 5)  # A B C R E
        # grouped reads of the view run without JIT (bench/RESULTS.md §11)
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], "off")
        self.assertEqual(software["response_on_time_rate"], 75.0)
        self.assertAlmostEqual(software["resolution_minutes_p90"], 936.0)


@tagged("post_install", "-at_install")
class TestKpiAccess(KpiCommon):
    def test_managers_only(self):
        self._build_month()
        domain = [("partner_id", "=", self.customer.id)]
        self.assertEqual(self.Kpi.with_user(self.manager_user).search_count(domain), 8)
        for user in (self.engineer_user, self.desk_user):
            with self.assertRaises(AccessError):
                self.Kpi.with_user(user).search_count(domain)
            with self.assertRaises(AccessError):
                self.Kpi.with_user(user).read_group(domain, ["reopen_rate"], [])


@tagged("post_install", "-at_install")
class TestKpiAccessOverRpc(KpiCommon, ResponseSupportHttpCase):
    def test_rpc_managers_only(self):
        args = [[], ["response_on_time_rate"], ["team_id"]]
        result, error = self._call_kw(
            "rs_manager", self.Kpi._name, "read_group", args, {"lazy": False}
        )
        self.assertFalse(error)
        self.assertIsInstance(result, list)
        for login in ("rs_engineer", "rs_desk"):
            __, error = self._call_kw(login, self.Kpi._name, "read_group", args)
            self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
