from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
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

    def _complete_form(self):
        form = self._form()
        form.phone = "17700429413"
        form.name = "Billing error 500"
        form.description = "Every invoice page fails."
        form.catalog_id = self.cat_software_app
        form.impact = "high"
        form.urgency = "high"
        return form

    def test_failed_dispatch_uses_no_ticket_number(self):
        """helpdesk_mgmt's sequence is not rolled back with the transaction: the
        check runs before the ticket is created, and names no ticket."""
        form = self._complete_form()
        form.catalog_id = self.env["response.support.catalog"]
        wizard = form.save()
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "helpdesk.ticket.sequence")]
        )
        before = sequence.number_next_actual
        with self.assertRaises(UserError) as caught:
            wizard.action_create_dispatch()
        message = str(caught.exception)
        self.assertIn("service catalog entry", message)
        self.assertIn("This call cannot be dispatched yet", message)
        self.assertNotIn("HT", message)
        self.assertNotIn("False", message)
        sequence.invalidate_recordset()
        self.assertEqual(sequence.number_next_actual, before)

    def test_error_names_only_what_is_missing(self):
        form = self._complete_form()
        form.system_id = self.env["response.support.system"]
        form.contract_id = self.contract
        wizard = form.save()
        with self.assertRaises(UserError) as caught:
            wizard.action_create_dispatch()
        message = str(caught.exception)
        self.assertIn("the system or platform", message)
        self.assertNotIn("and so the O&M contract", message)

    def test_shows_the_open_tickets_of_the_caller_s_organisation(self):
        colleague = self.env["res.partner"].create(
            {"name": "Han Meimei", "parent_id": self.customer.id}
        )
        theirs = self._create_ticket(partner_id=colleague.id, partner_name="Han")
        closed = self._create_ticket()
        closed.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        other = self.env["res.partner"].create({"name": "Other Co", "is_company": True})
        self._create_ticket(partner_id=other.id, system_id=False)
        form = self._form()
        form.phone = "17700429413"
        self.assertEqual(form.open_ticket_ids[:], theirs)

    def test_out_of_scope_call_is_accepted_as_chargeable_in_the_dialog(self):
        form = self._complete_form()
        form.catalog_id = self.cat_development
        self.assertEqual(form.coverage_state, "out_of_scope")
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "out-of-scope or expired"):
            wizard.action_create_dispatch()
        wizard.action_accept_chargeable()
        action = wizard.action_create_dispatch()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.scope_decision, "chargeable")
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertEqual(ticket.team_id, self.team_hardware)

    def test_out_of_scope_call_is_rejected_in_the_dialog(self):
        form = self._complete_form()
        form.catalog_id = self.cat_development
        action = form.save().action_reject_out_of_scope()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.scope_decision, "rejected")
        self.assertEqual(
            ticket.stage_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected"),
        )

    def test_engineer_cannot_accept_as_chargeable(self):
        wizard = self._complete_form().save()
        with self.assertRaises(AccessError):
            wizard.with_user(self.engineer_user).action_accept_chargeable()

    def test_attachments_of_the_call_go_to_the_ticket(self):
        form = self._complete_form()
        form.no_attachment = False
        wizard = form.save()
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.desk_user)
            .create(
                {"name": "screen.png", "datas": "aGVsbG8=", "res_model": wizard._name}
            )
        )
        wizard.attachment_ids = attachment
        action = wizard.action_create_dispatch()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.attachment_ids, attachment)
        self.assertEqual(ticket.intake_outcome, "assigned")
