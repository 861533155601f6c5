from freezegun import freeze_time

from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestDeskLanguage(ResponseSupportCase):
    """Notes the system writes are in the company's language (the desk's), not in
    the language of whoever triggered them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env.company.partner_id.lang = "zh_CN"
        cls.manager_user.lang = "en_US"
        cls.desk_user.lang = "en_US"

    def _notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note")
        ).mapped("body")

    def test_dispatch_by_an_english_user_leaves_a_chinese_note(self):
        ticket = self._create_ticket()
        ticket.with_user(self.desk_user).action_dispatch()
        notes = " ".join(self._notes(ticket))
        self.assertIn("已派单给", notes)
        self.assertNotIn("Dispatched to", notes)

    def test_escalation_note_in_the_desk_s_language(self):
        ticket = self._create_ticket()
        ticket.with_user(self.desk_user).action_dispatch()
        ticket.with_user(self.manager_user)._escalate_manually("customer angry")
        notes = " ".join(self._notes(ticket))
        self.assertNotIn("Escalated to", notes)
        self.assertIn("customer angry", notes)

    @freeze_time("2026-03-02 02:00:00")
    def test_sla_breach_note_of_the_scheduler_in_the_desk_s_language(self):
        ticket = self._create_ticket(reported_date="2026-03-02 02:00:00")
        clock = ticket.sla_clock_ids[:1]
        ticket.with_context(lang="en_US")._on_sla_breach(clock)
        body = ticket.message_ids[:1].body
        self.assertNotIn("SLA breached", body)

    def test_compact_chinese_dates_on_lists(self):
        lang = self.env.ref("base.lang_zh_CN")
        self.assertEqual((lang.date_format, lang.time_format), ("%Y-%m-%d", "%H:%M"))
