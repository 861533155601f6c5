from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ResponseSupportCase

EMAIL = """To: support@water-desk.example.com
Message-ID: <{msg_id}@mail.example.com>
Date: Mon, 02 Mar 2026 10:00:00 +0800
From: {email_from}
MIME-Version: 1.0
Subject: Billing system is down
Content-Type: text/plain; charset=UTF-8

Invoices cannot be printed since this morning.
"""


# mails are reported when they arrive: a day of the contract's warranty phase
@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestMailIntake(ResponseSupportCase):
    def _receive(self, email_from, msg_id):
        res_id = (
            self.env["mail.thread"]
            .with_context(fetchmail_cron_running=True)
            .message_process(
                "helpdesk.ticket",
                EMAIL.format(email_from=email_from, msg_id=msg_id),
            )
        )
        return self.env["helpdesk.ticket"].browse(res_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_known_sender_fills_reporter_system_and_contract(self):
        ticket = self._receive('"Li Lei" <li.lei@water.example.com>', "known-1")
        self.assertEqual(ticket.name, "Billing system is down")
        self.assertEqual(ticket.partner_id, self.reporter)
        self.assertEqual(ticket.partner_name, "Li Lei")
        self.assertEqual(ticket.partner_email, "li.lei@water.example.com")
        self.assertEqual(ticket.reporter_phone, "+86 177 0042 9413")
        self.assertEqual(ticket.reporter_organization, "Test Water Group")
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email"),
        )
        self.assertIn(
            "impact scope", ticket.intake_missing, "the desk confirms the rest"
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_keeps_name_and_email(self):
        ticket = self._receive(
            '"Wang Fang" <wang.fang@unknown.example.com>', "unknown-1"
        )
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.partner_name, "Wang Fang")
        self.assertEqual(ticket.partner_email, "wang.fang@unknown.example.com")
        self.assertFalse(ticket.contract_id)
        self.assertEqual(ticket.coverage_state, "no_contract")
