from odoo.tests import new_test_user, tagged

from .common import ResponseSupportHttpCase


@tagged("post_install", "-at_install")
class TestFollowupTours(ResponseSupportHttpCase):
    """In the browser: the engineer resolves with the handling result and its
    cause, the desk records the follow-up call and closes; a customer confirms
    the solution on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_resolved = ref("response_support.helpdesk_ticket_stage_resolved")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_resolved.sla_resolved = True
        cls.team_software.write(
            {
                "followup_max_attempts": 3,
                "followup_no_answer_days": 0,
                "followup_auto_close": False,
            }
        )

    def _working_ticket(self, **overrides):
        return self._create_ticket(
            name="Follow-up tour ticket",
            team_id=self.team_software.id,
            user_id=self.engineer_user.id,
            stage_id=self.stage_progress.id,
            **overrides,
        )

    def test_resolve_follow_up_and_close(self):
        ticket = self._working_ticket()
        self.start_tour(
            "/odoo", "response_support_followup_resolve", login="rs_engineer"
        )
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self.assertIn("cleared its cache", ticket.resolution)
        self.assertIn("ran out of memory", ticket.resolution_cause)
        self.assertEqual(ticket.followup_state, "pending")
        self.start_tour("/odoo", "response_support_followup_close", login="rs_desk")
        self.assertEqual(ticket.stage_id, self.stage_done)
        followup = ticket.closure_followup_id
        self.assertEqual(followup.result, "solved")
        self.assertEqual(followup.channel, "call")
        self.assertEqual(followup.user_id, self.desk_user)
        self.assertEqual(followup.customer_words, "Works again, thank you.")
        self.assertEqual(ticket.followup_satisfaction, "5")
        self.assertEqual(ticket.followup_state, "confirmed")

    def test_customer_confirms_on_the_portal(self):
        self.team_software.followup_auto_close = True
        new_test_user(
            self.env,
            login="rs_portal_tour",
            groups="base.group_portal",
            partner_id=self.reporter.id,
        )
        ticket = self._working_ticket()
        ticket.with_user(self.engineer_user).write(
            dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id)
        )
        self.start_tour(
            f"/my/ticket/{ticket.id}",
            "response_support_portal_confirm",
            login="rs_portal_tour",
        )
        followup = ticket.closure_followup_id
        self.assertEqual(followup.channel, "portal")
        self.assertEqual(followup.partner_id, self.reporter)
        self.assertEqual(followup.customer_words, "Solved within the hour.")
        self.assertEqual(ticket.followup_satisfaction, "4")
        # the team closes on the customer's confirmation
        self.assertEqual(ticket.stage_id, self.stage_done)
