from freezegun import freeze_time

from odoo.tests import tagged

from .common import ResponseSupportCase

# the numbers of queries a ticket creation costs with a cold record cache, as each
# request of the desk starts (issue 13, bench/RESULTS.md §10 d): the registry
# caches (working time, priority matrix) stay warm, as in a running server
INTAKE_QUERIES = 39
CREATE_QUERIES = 34


@freeze_time("2026-03-02 03:00:00")  # Mon 11:00 Shanghai, the warranty phase
@tagged("post_install", "-at_install")
class TestCreateCost(ResponseSupportCase):
    """What the desk's ticket creation costs on top of helpdesk_mgmt's, and that
    the caches it relies on follow the configuration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_gold.calendar_id = cls.calendar_5x8

    def _intake(self, name="Billing error 500"):
        wizard = (
            self.env["response.support.phone.intake"]
            .with_user(self.desk_user)
            .create(
                {
                    "phone": "17700429413",
                    "name": name,
                    "description": "Every invoice page fails.",
                    "catalog_id": self.cat_software_app.id,
                    "impact": "medium",
                    "urgency": "high",
                    "no_attachment": True,
                }
            )
        )
        ticket = self.env["helpdesk.ticket"].browse(wizard.action_create()["res_id"])
        self.env.flush_all()
        return ticket

    def _create(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.desk_user)
            .create(self._complete_vals(reported_date=None))
        )
        self.env.flush_all()
        return ticket

    def _response_clock(self, ticket):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == "response")

    def test_intake_query_budget(self):
        self._intake()  # registry caches warm, as in a running server
        self.env.invalidate_all()
        with self.assertQueryCount(INTAKE_QUERIES):
            ticket = self._intake("Second call")
        self.assertEqual(len(ticket.sla_clock_ids), 2)
        self.assertEqual(ticket.priority, "2")  # medium impact × high urgency

    def test_create_query_budget(self):
        self._create()
        self.env.invalidate_all()
        with self.assertQueryCount(CREATE_QUERIES):
            ticket = self._create()
        self.assertEqual(len(ticket.sla_clock_ids), 2)

    def test_clocks_are_inserted_planned(self):
        """Deadline and next check are in the clocks' INSERT: Mon 11:00 + 30
        working minutes of the 5×8 calendar."""
        ticket = self._create()
        clock = self._response_clock(ticket)
        self.env.invalidate_all()
        self.assertEqual(str(clock.deadline), "2026-03-02 03:30:00")
        self.assertTrue(clock.next_check)
        self.assertEqual(clock.status, "running")
        self.assertEqual(ticket.sla_deadline, clock.deadline)

    def test_cached_working_time_follows_an_attendance_change(self):
        self.assertEqual(
            str(self._response_clock(self._create()).deadline), "2026-03-02 03:30:00"
        )
        # Monday morning is no longer worked: the next call's clock starts Mon 13:00
        self.calendar_5x8.attendance_ids.filtered(
            lambda a: a.dayofweek == "0" and a.day_period == "morning"
        ).unlink()
        self.assertEqual(
            str(self._response_clock(self._create()).deadline), "2026-03-02 05:30:00"
        )

    def test_cached_working_time_follows_a_leave(self):
        self._create()
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Office closed",
                "calendar_id": self.calendar_5x8.id,
                "date_from": "2026-03-02 00:00:00",
                "date_to": "2026-03-02 15:59:59",
            }
        )
        # Tue 08:00 + 30 minutes
        self.assertEqual(
            str(self._response_clock(self._create()).deadline), "2026-03-03 00:30:00"
        )

    def test_cached_priority_matrix_follows_a_cell_change(self):
        self.assertEqual(self._create().priority, "2")
        cell = self.env["response.support.priority.matrix"].search(
            [("impact", "=", "medium"), ("urgency", "=", "high")]
        )
        cell.write({"priority": "3"})
        self.assertEqual(self._create().priority, "3")
