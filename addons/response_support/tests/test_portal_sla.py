from freezegun import freeze_time

from odoo.tests import tagged

from .common import ResponseSupportHttpCase


@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestPortalSla(ResponseSupportHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "rs_portal_sla", cls.reporter, password="rs_portal_sla"
        )

    def _ticket(self):
        ticket = self._create_ticket(
            name="Portal SLA ticket", reported_date="2026-03-02 03:00:00"
        )
        ticket.action_dispatch()
        return ticket

    def test_ticket_page_shows_deadlines_team_system_contract(self):
        ticket = self._ticket()
        self.authenticate("rs_portal_sla", "rs_portal_sla")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("Handled by:", page)
        self.assertIn(self.team_software.name, page)
        self.assertIn(self.system.name, page)
        self.assertIn("Water O&amp;M", page)
        self.assertIn("o_rs_portal_sla", page)
        self.assertIn("due by", page)
        self.assertIn("In progress, on time so far", page)
        self.assertIn(ticket.number, page)
        self.assertNotIn(f"(#{ticket.id})", page, "one reference: the number")

    def test_ticket_list_shows_the_sla_state(self):
        self._ticket()
        self.authenticate("rs_portal_sla", "rs_portal_sla")
        page = self.url_open("/my/tickets").text
        self.assertIn("th_sla_status", page)
        self.assertIn("On Track", page)

    def test_sla_lines_in_plain_words(self):
        ticket = self._ticket()
        lines = ticket.with_user(self.portal_user)._get_portal_sla_lines()
        self.assertEqual([line["label"] for line in lines], ["Response", "Resolution"])
        with freeze_time("2026-03-09 03:00:00"):
            lines = ticket.with_user(self.portal_user)._get_portal_sla_lines()
        self.assertEqual(lines[0]["state"], "Missed: we are late")
