from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ResponseSupportCase


# calls are reported "now": a day of the contract's warranty phase
@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestPhoneIntake(ResponseSupportCase):
    def _form(self):
        return Form(self.env["response.support.phone.intake"].with_user(self.desk_user))

    def test_caller_number_prefills_reporter_system_and_contract(self):
        form = self._form()
        form.phone = "17700429413"  # typed without country code or spaces
        self.assertEqual(form.partner_id, self.reporter)
        self.assertEqual(form.reporter_name, "Li Lei")
        self.assertEqual(form.reporter_organization, "Test Water Group")
        self.assertEqual(form.reporter_email, "li.lei@water.example.com")
        self.assertEqual(form.system_id, self.system)
        self.assertEqual(form.contract_id, self.contract)

    def test_unknown_number_leaves_the_reporter_to_type(self):
        form = self._form()
        form.phone = "010 6666 7777"
        self.assertFalse(form.partner_id)
        self.assertFalse(form.system_id)

    def test_save_as_draft_keeps_an_incomplete_call(self):
        form = self._form()
        form.phone = "17700429413"
        form.name = "Printer offline"
        form.description = "Second floor printer is offline."
        action = form.save().action_create()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.name, "Printer offline")
        self.assertEqual(ticket.reporter_phone, "17700429413")
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone"),
        )
        self.assertIn("impact scope", ticket.intake_missing)
        self.assertEqual(
            ticket.stage_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        )

    def test_save_and_dispatch(self):
        form = self._form()
        form.phone = "+86 177-0042-9413"
        form.name = "Billing error 500"
        form.description = "Every invoice page fails."
        form.catalog_id = self.cat_software_app
        form.impact = "high"
        form.urgency = "high"
        action = form.save().action_create_dispatch()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(
            ticket.sla_level_id,
            self.contract._get_phase(ticket._reported_day()).sla_level_id,
        )

    def test_save_and_dispatch_incomplete_saves_nothing(self):
        form = self._form()
        form.phone = "17700429413"
        form.name = "Billing error 500"
        form.description = "Every invoice page fails."
        wizard = form.save()
        before = self.env["helpdesk.ticket"].search_count([])
        with self.assertRaisesRegex(UserError, "service catalog entry"):
            with self.env.cr.savepoint():
                wizard.action_create_dispatch()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), before)
        self.assertTrue(wizard.exists(), "the dialog keeps what was typed")
