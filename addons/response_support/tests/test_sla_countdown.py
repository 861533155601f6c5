from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestSlaCountdown(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level = cls._create_flat_sla_level("Test countdown", 30, 120)
        cls.contract.phase_ids.write({"sla_level_id": cls.level.id})

    def _ticket(self, when="2026-03-02 02:00:00"):
        with freeze_time(when):
            return self._create_ticket(reported_date=when)

    def _countdown(self, ticket, when):
        with freeze_time(when):
            ticket.invalidate_recordset(
                ["sla_countdown", "sla_countdown_state", "sla_remaining_minutes"]
            )
            return ticket.sla_countdown, ticket.sla_countdown_state

    def test_time_left_then_late_on_the_most_pressing_clock(self):
        ticket = self._ticket()
        self.assertEqual(
            self._countdown(ticket, "2026-03-02 02:18:00"),
            ("Response: 12 min left", "running"),
        )
        self.assertEqual(
            self._countdown(ticket, "2026-03-02 03:05:00"),
            ("Response: 35 min late", "breached"),
        )
        with freeze_time("2026-03-02 02:20:00"):
            ticket.action_acknowledge()
        self.assertEqual(
            self._countdown(ticket, "2026-03-02 02:40:00"),
            ("Resolution: 1 h 20 min left", "running"),
        )

    def test_working_time_of_the_clock_s_calendar(self):
        """A 5×8 calendar: the weekend does not use up the time left."""
        self.level.calendar_id = self.calendar_5x8
        ticket = self._ticket("2026-03-06 08:45:00")  # Friday 16:45 in Shanghai
        friday = self._countdown(ticket, "2026-03-06 09:30:00")
        self.assertEqual(friday, ("Response: 15 min left", "running"))
        self.assertEqual(friday, self._countdown(ticket, "2026-03-08 04:00:00"))
        self.assertEqual(
            self._countdown(ticket, "2026-03-09 00:10:00"),  # Monday 08:10
            ("Response: 5 min left", "running"),
        )

    def test_no_open_clock_no_countdown(self):
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        ticket = self._create_ticket(partner_id=stranger.id, system_id=None)
        self.assertFalse(ticket.sla_countdown)

    def test_countdown_in_the_reader_s_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        ticket = self._ticket()
        with freeze_time("2026-03-02 03:05:00"):
            text = ticket.with_context(lang="zh_CN").sla_countdown
        self.assertTrue(text)

    def test_kanban_card_shows_the_badges(self):
        """The badges are inside the card template (helpdesk_mgmt's kanban declares
        ``number`` twice: outside the card, and in it)."""
        arch = self.env["helpdesk.ticket"].get_view(
            self.env.ref("helpdesk_mgmt.view_helpdesk_ticket_kanban").id, "kanban"
        )["arch"]
        card = etree.fromstring(arch).xpath("//t[@t-name='card']")[0]
        badges = card.xpath(".//div[@name='response_support_badges']")
        self.assertTrue(badges)
        for name in ("sla_status", "sla_countdown", "escalation_level"):
            with self.subTest(name=name):
                self.assertTrue(badges[0].xpath(f".//field[@name='{name}']"))

    def test_clock_outcomes_feed_the_pivot(self):
        met = self._ticket()
        with freeze_time("2026-03-02 02:20:00"):
            met.action_acknowledge()
        late = self._ticket()
        with freeze_time("2026-03-02 02:45:00"):
            late.action_acknowledge()
        Clock = self.env["response.support.sla.clock"]
        domain = [
            ("ticket_id", "in", (met | late).ids),
            ("kind", "=", "response"),
            ("status", "in", ("met", "breached")),
        ]
        [(met_count, breached_count, rate)] = Clock._read_group(
            domain, [], ["met_count:sum", "breached_count:sum", "met_rate:avg"]
        )
        self.assertEqual((met_count, breached_count, rate), (1, 1, 50.0))
