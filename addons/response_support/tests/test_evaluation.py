from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_kpi import KpiCommon


@tagged("post_install", "-at_install")
class TestEvaluation(KpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_engineer = cls._create_engineer(
            "rs_engineer_other", name="Other Engineer"
        )
        cls.Evaluation = cls.env["response.support.evaluation"]

    def _evaluation(self, user, date_from="2026-03-01", period_type="month"):
        return self.Evaluation.with_user(self.manager_user).create(
            {"user_id": user.id, "date_from": date_from, "period_type": period_type}
        )

    def test_snapshot_of_the_engineer_kpis(self):
        """The engineer's tickets of the hand-checked month are A B C R."""
        self._build_month()
        march = self._evaluation(self.engineer_user)
        quarter = self._evaluation(self.engineer_user, "2026-01-01", "quarter")
        april = self._evaluation(self.engineer_user, "2026-04-01")
        (march | quarter | april).action_compute()
        self.assertEqual(str(quarter.date_to), "2026-03-31")
        self.assertEqual(quarter.name, "Support Engineer – 2026 Q1")
        expected = {
            "ticket_count": 4,
            "response_on_time_rate": 75.0,  # A C R of A B C R
            "resolution_on_time_rate": 50.0,  # A of A B
            "arrival_on_time_rate": 50.0,
            "support_on_time_rate": 0.0,
            "response_minutes": 22.5,  # (20 + 45 + 10 + 15) / 4
            "response_minutes_p90": 37.5,  # [10, 15, 20, 45] at 2.7
            "resolution_minutes": 600.0,  # (180 + 1020) / 2
            "resolution_minutes_p90": 936.0,  # [180, 1020] at 0.9
            "followup_rate": 100.0,  # A B R
            "satisfaction_score": 4.0,
            "reopen_rate": 33.33,  # R of A B R
            "escalation_count": 1,
            "emergency_count": 0,
            "complained_count": 1,
            "article_written_count": 1,
            "article_used_count": 1,
            "legacy_open_count": 2,
            "legacy_overdue_count": 1,
        }
        for evaluation in march | quarter:
            for fname, want in expected.items():
                self.assertAlmostEqual(evaluation[fname], want, 2, msg=fname)
        self.assertEqual(april.ticket_count, 0)
        self.assertTrue(april.computed_date)

    def test_manager_rates_and_closes(self):
        evaluation = self._evaluation(self.engineer_user).with_user(self.manager_user)
        with self.assertRaisesRegex(UserError, "Compute"):
            evaluation.action_done()
        evaluation.action_compute()
        evaluation.write({"rating": "4", "comments": "<p>Good month.</p>"})
        evaluation.action_done()
        self.assertEqual(evaluation.state, "done")
        with self.assertRaisesRegex(UserError, "Reset"):
            evaluation.action_compute()
        evaluation.action_draft()
        self.assertEqual(evaluation.state, "draft")
        with self.assertRaises(ValidationError):
            self._evaluation(self.engineer_user, "2026-03-15")
        with self.assertRaises(ValidationError):
            self._evaluation(self.engineer_user, "2026-02-01", "quarter")

    def test_engineer_sees_only_their_own_and_cannot_rate(self):
        mine = self._evaluation(self.engineer_user)
        other = self._evaluation(self.other_engineer)
        for user, own, foreign in (
            (self.engineer_user, mine, other),
            (self.other_engineer, other, mine),
        ):
            Evaluation = self.Evaluation.with_user(user)
            self.assertEqual(Evaluation.search([]), own)
            self.assertTrue(own.with_user(user).name)
            with self.assertRaises(AccessError):
                foreign.with_user(user).read(["rating"])
            with self.assertRaises(AccessError):
                own.with_user(user).write({"rating": "5"})
            with self.assertRaises(AccessError):
                own.with_user(user).action_compute()
            with self.assertRaises(AccessError):
                Evaluation.create({"user_id": user.id, "date_from": "2026-05-01"})
            own.with_user(user).message_post(body="I disagree with the rating.")
        self.assertFalse(mine.rating)

    def test_desk_sees_only_their_own(self):
        mine = self._evaluation(self.desk_user)
        self._evaluation(self.engineer_user)
        self.assertEqual(self.Evaluation.with_user(self.desk_user).search([]), mine)
        with self.assertRaises(AccessError):
            mine.with_user(self.desk_user).write({"comments": "<p>Fine.</p>"})
        manager_view = self.Evaluation.with_user(self.manager_user).search(
            [("user_id", "in", (self.desk_user | self.engineer_user).ids)]
        )
        self.assertEqual(len(manager_view), 2)
