from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ResponseSupportHttpCase


@tagged("post_install", "-at_install")
class TestOnsiteTours(ResponseSupportHttpCase):
    def _ticket(self, name):
        with freeze_time("2026-03-02 02:00:00"):
            return self._create_ticket(
                name=name, team_id=self.team_software.id, user_id=self.engineer_user.id
            )

    # a day of the contract's warranty phase (tick: the browser and the server run)
    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_engineer_runs_an_onsite_visit(self):
        self.env["response.support.checklist.template"].create(
            {"name": "Tour spare disk", "applies_to": "onsite"}
        )
        visit = self._create_visit(self._ticket("Tour visit ticket"))
        self.start_tour("/odoo", "response_support_onsite_visit", login="rs_engineer")
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.signed_by, "Li Lei")
        self.assertTrue(visit.signature)
        self.assertTrue(visit.checkin_date)
        self.assertEqual(visit.service_record, "Tour: disk replaced, RAID rebuilt")
        self.assertTrue(visit.service_form_id)

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_engineer_runs_a_remote_session(self):
        session = self._create_visit(
            self._ticket("Tour remote ticket"), mode="remote_desktop"
        )
        self.start_tour("/odoo", "response_support_remote_session", login="rs_engineer")
        self.assertEqual(session.state, "done")
        self.assertTrue(session.customer_confirmed)
        self.assertTrue(session.service_form_id)

    # not frozen: the browser filters on its own (real) today
    def test_my_visits_today_lists_only_mine_of_today(self):
        now = fields.Datetime.now() + timedelta(minutes=1)
        self._create_visit(self._ticket("Tour mine today"), agreed_date=now)
        self._create_visit(
            self._ticket("Tour other today"),
            agreed_date=now,
            user_ids=[(6, 0, self.manager_user.ids)],
        )
        self._create_visit(
            self._ticket("Tour mine tomorrow"), agreed_date=now + timedelta(days=1)
        )
        self.start_tour("/odoo", "response_support_visits_today", login="rs_engineer")
