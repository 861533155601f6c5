from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestIntake(ResponseSupportCase):
    def test_complete_ticket_has_nothing_missing(self):
        ticket = self._create_ticket()
        self.assertEqual(ticket._get_intake_missing(), [])
        self.assertFalse(ticket.intake_missing)

    def test_each_missing_item_blocks_dispatch_and_is_named(self):
        cases = {
            "system or platform": {"system_id": False, "partner_id": False},
            "reporter's name": {"partner_name": False},
            "reporter's organisation": {"reporter_organization": False},
            "phone number or email": {"partner_email": False, "reporter_phone": False},
            "reporter's role": {"reporter_role": False},
            "description of the symptoms": {"description": "<p><br></p>"},
            "service catalog": {"catalog_id": False},
            "impact scope": {"impact": False},
            "urgency": {"urgency": False},
            "attachments, or the confirmation": {"no_attachment": False},
            "decision on the out-of-scope": {"catalog_id": self.cat_development.id},
        }
        for label, overrides in cases.items():
            with self.subTest(missing=label):
                ticket = self._create_ticket(user=self.desk_user, **overrides)
                for field, value in overrides.items():  # computes must not refill
                    if field in ("reporter_organization", "reporter_phone"):
                        ticket[field] = value
                with self.assertRaisesRegex(UserError, label):
                    ticket.with_user(self.desk_user).action_dispatch()
                with self.assertRaisesRegex(UserError, label):
                    ticket.with_user(self.desk_user).stage_id = self.stage_progress
                self.assertEqual(
                    ticket.stage_id, self.stage_new, "nothing half-written"
                )
                self.assertFalse(ticket.intake_outcome)

    def test_missing_sla_level_is_named(self):
        ticket = self._create_ticket()
        ticket.sla_level_id = False
        with self.assertRaisesRegex(UserError, "SLA level"):
            ticket.action_dispatch()

    def test_message_lists_every_missing_item_at_once(self):
        ticket = self._create_ticket(impact=False, urgency=False, reporter_role=False)
        with self.assertRaises(UserError) as error:
            ticket.action_dispatch()
        message = str(error.exception)
        for label in ("impact scope", "urgency", "reporter's role"):
            self.assertIn(label, message)
        self.assertIn(ticket.display_name, message)

    def test_incomplete_call_is_saved_as_draft(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.desk_user)
            .create({"name": "Caller hung up", "description": "<p>Line dropped.</p>"})
        )
        self.assertTrue(ticket.exists())
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertIn("impact scope", ticket.intake_missing)
        ticket.write({"impact": "low"})  # a draft stays editable while in intake
        self.assertEqual(ticket.impact, "low")

    def test_cancel_and_reject_are_allowed_from_intake(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Spam", "description": "<p>buy now</p>"}
        )
        ticket.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        self.assertTrue(ticket.closed)

    def test_dispatch_uses_the_catalog_team(self):
        ticket = self._create_ticket(user=self.desk_user)
        ticket.with_user(self.desk_user).action_dispatch()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertIn("Dispatched to Software Team", ticket.message_ids[0].body)

    def test_dispatch_falls_back_to_the_contract_team(self):
        self.cat_software.team_id = False
        self.cat_software_app.team_id = False
        ticket = self._create_ticket()
        ticket.action_dispatch()
        self.assertEqual(ticket.team_id, self.team_hardware)

    def test_dispatch_without_any_team_says_what_to_do(self):
        self.cat_software.team_id = False
        self.cat_software_app.team_id = False
        self.contract.team_ids = False
        ticket = self._create_ticket()
        with self.assertRaisesRegex(UserError, "Choose the engineer team"):
            ticket.action_dispatch()
        self.assertFalse(ticket.intake_outcome)

    def test_dispatch_goes_to_the_catalog_team_over_the_ticket_s(self):
        """The team on the ticket may be helpdesk_mgmt's auto-assignment: the
        catalog decides (the desk chooses otherwise in the dispatch dialog)."""
        ticket = self._create_ticket(team_id=self.team_hardware.id)
        ticket.action_dispatch()
        self.assertEqual(ticket.team_id, self.team_software)

    def test_dispatch_without_catalog_team_keeps_the_ticket_s(self):
        self.cat_software.team_id = False
        self.cat_software_app.team_id = False
        self.contract.team_ids = False
        ticket = self._create_ticket(team_id=self.team_hardware.id)
        ticket.action_dispatch()
        self.assertEqual(ticket.team_id, self.team_hardware)

    @freeze_time("2026-03-02 03:00:00")
    def test_resolve_at_desk(self):
        ticket = self._create_ticket()
        with self.assertRaisesRegex(UserError, "Solution, Cause Analysis"):
            ticket.with_user(self.desk_user).action_resolve_at_desk()
        ticket.resolution = "<p>Cleared the browser cache with the user.</p>"
        with self.assertRaisesRegex(UserError, "fill in Cause Analysis"):
            ticket.with_user(self.desk_user).action_resolve_at_desk()
        self.assertEqual(ticket.stage_id.unattended, True)
        ticket.resolution_cause = "<p>A stale cached script.</p>"
        ticket.with_user(self.desk_user).action_resolve_at_desk()
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self.assertEqual(ticket.intake_outcome, "desk")
        self.assertEqual(str(ticket.resolved_date), "2026-03-02 03:00:00")
        self.assertFalse(ticket.closed, "closure waits for the follow-up call")

    def test_resolve_at_desk_needs_the_intake_too(self):
        ticket = self._create_ticket(impact=False, resolution="<p>done</p>")
        with self.assertRaisesRegex(UserError, "impact scope"):
            ticket.action_resolve_at_desk()

    def test_raise_emergency_notifies_the_managers(self):
        ticket = self._create_ticket(impact=False)  # an emergency is not held up
        ticket.with_user(self.desk_user).action_raise_emergency()
        self.assertEqual(ticket.intake_outcome, "emergency")
        self.assertEqual(ticket.emergency_state, "possible")
        self.assertIn(self.manager_user.partner_id, ticket.message_partner_ids)
        activity = ticket.activity_ids.filtered(
            lambda a: a.user_id == self.manager_user
        )
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("response_support.mail_activity_type_emergency"),
        )
        last = ticket.message_ids[0]
        self.assertIn("possible emergency", last.body)
        self.assertIn("impact scope", last.body, "what is still to confirm is listed")
        self.assertIn(self.manager_user.partner_id, last.partner_ids)

    def test_out_of_scope_accepted_as_chargeable(self):
        ticket = self._create_ticket(catalog_id=self.cat_development.id)
        ticket.team_id = self.team_software
        ticket.with_user(self.desk_user).action_accept_chargeable()
        self.assertEqual(ticket.scope_decision, "chargeable")
        self.assertEqual(ticket.scope_decision_user_id, self.desk_user)
        self.assertTrue(ticket.scope_decision_date)
        ticket.action_dispatch()
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertTrue(
            self._tracked(ticket, "scope_decision"), "the decision is in the chatter"
        )

    def test_expired_contract_rejected(self):
        ticket = self._create_ticket(reported_date="2029-05-01 01:00:00")
        self.assertEqual(ticket.coverage_state, "expired")
        ticket.with_user(self.desk_user).action_reject_out_of_scope()
        self.assertEqual(ticket.scope_decision, "rejected")
        self.assertEqual(
            ticket.stage_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected"),
        )

    def test_scope_decision_refused_on_covered_ticket(self):
        ticket = self._create_ticket()
        with self.assertRaisesRegex(UserError, "no scope decision is needed"):
            ticket.action_accept_chargeable()
