from odoo.tests import tagged

from .common import ResponseSupportHttpCase
from .test_followup import FollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupTours(FollowupCommon, ResponseSupportHttpCase):
    """In the browser: the engineer resolves with the handling result and its
    cause, the desk records the follow-up call and closes; a customer confirms
    the solution on the portal."""

    def _working_ticket(self, **overrides):
        return super()._working_ticket(name="Follow-up tour ticket", **overrides)

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
        self._create_portal_user("rs_portal_tour", self.reporter)
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
