from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestDispatch(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_resolved.sla_resolved = True
        cls.engineers = cls.engineer_user
        for login in ("rs_eng_b", "rs_eng_c"):
            cls.engineers |= cls._create_engineer(login)
        cls.team_software.user_ids = cls.engineers
        cls.eng_a, cls.eng_b, cls.eng_c = cls.engineers.sorted("id")

    def _dispatch(self, user=None, **overrides):
        """A complete ticket dispatched by the desk, to ``user`` when given (the
        desk's choice in the dispatch dialog)."""
        ticket = self._create_ticket(**overrides)
        if user:
            form = self._dialog(ticket)
            form.user_id = user
            form.save().action_confirm()
        else:
            ticket.with_user(self.desk_user).action_dispatch()
        return ticket

    # ------------------------------------------------------------------ methods

    def test_manual_team_leaves_the_ticket_unassigned(self):
        ticket = self._dispatch()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertFalse(ticket.user_id)

    def test_round_robin_takes_members_in_turn(self):
        self.team_software.assign_method = "round_robin"
        assignees = [self._dispatch().user_id for _i in range(4)]
        self.assertEqual(assignees, [self.eng_a, self.eng_b, self.eng_c, self.eng_a])
        self.assertIn("rs_eng_b", self._dispatch().message_ids[0].body)

    def _dialog(self, ticket):
        action = ticket.with_user(self.desk_user).action_dispatch_dialog()
        return Form(
            self.env[action["res_model"]]
            .with_user(self.desk_user)
            .with_context(**action["context"])
        )

    def test_dispatch_keeps_an_assignee_chosen_by_the_desk(self):
        self.team_software.assign_method = "round_robin"
        ticket = self._create_ticket()
        form = self._dialog(ticket)
        self.assertEqual(form.team_id, self.team_software)
        self.assertEqual(form.user_id, self.eng_a, "the dialog shows the target")
        form.user_id = self.eng_c
        form.save().action_confirm()
        self.assertEqual(ticket.user_id, self.eng_c)
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertFalse(self.team_software.last_assigned_user_id)

    def test_dialog_confirmed_as_proposed_follows_the_assignment_method(self):
        self.team_software.assign_method = "round_robin"
        ticket = self._create_ticket()
        self._dialog(ticket).save().action_confirm()
        self.assertEqual(ticket.user_id, self.eng_a)
        self.assertEqual(self.team_software.last_assigned_user_id, self.eng_a)

    def test_dialog_team_chosen_by_the_desk_wins(self):
        self.team_hardware.user_ids = self.eng_b
        self.team_hardware.assign_method = "round_robin"
        ticket = self._create_ticket()
        form = self._dialog(ticket)
        form.team_id = self.team_hardware
        self.assertEqual(form.user_id, self.eng_b)
        form.save().action_confirm()
        self.assertEqual(ticket.team_id, self.team_hardware)
        self.assertEqual(ticket.user_id, self.eng_b)

    def test_dialog_engineer_cleared_leaves_the_team_queue(self):
        self.team_software.assign_method = "round_robin"
        ticket = self._create_ticket()
        form = self._dialog(ticket)
        form.user_id = self.env["res.users"]
        form.save().action_confirm()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertFalse(ticket.user_id)

    def test_dispatch_dialog_is_the_desk_s(self):
        ticket = self._create_ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(self.engineer_user).action_dispatch_dialog()

    def test_dispatch_overrides_helpdesk_mgmt_auto_assign(self):
        """With auto-assign on, a ticket recorded by the desk gets the desk user and
        their first team; dispatch still goes to the catalog's team and method."""
        self.env.company.helpdesk_mgmt_ticket_auto_assign = True
        self.team_hardware.user_ids |= self.desk_user
        self.team_software.assign_method = "round_robin"
        ticket = self._create_ticket(user=self.desk_user, team_id=None, user_id=None)
        self.assertEqual(ticket.user_id, self.desk_user, "helpdesk_mgmt's auto-assign")
        self.assertEqual(ticket.team_id, self.team_hardware)
        ticket.with_user(self.desk_user).action_dispatch()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.user_id, self.eng_a)

    def test_least_loaded_picks_the_member_with_fewest_open_tickets(self):
        self.team_software.assign_method = "least_loaded"
        for user in (self.eng_a, self.eng_a, self.eng_b):
            self._create_ticket(team_id=self.team_software.id, user_id=user.id)
        closed = self._create_ticket(team_id=self.team_hardware.id)
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        closed.write({"user_id": self.eng_c.id, "stage_id": cancelled.id})
        self._create_ticket(team_id=self.team_hardware.id, user_id=self.eng_c.id)
        # eng_a 2 open, eng_b 1, eng_c 1 open (+1 closed, not counted): tie → by id
        self.assertEqual(self._dispatch().user_id, self.eng_b)
        self.assertEqual(self._dispatch().user_id, self.eng_c)

    @freeze_time("2026-03-02 03:00:00")
    def test_member_on_leave_is_skipped(self):
        self.team_software.assign_method = "round_robin"
        self._put_on_leave(self.eng_a, "2026-03-02 00:00:00", "2026-03-03 00:00:00")
        self._put_on_leave(self.eng_b, "2026-03-05 00:00:00", "2026-03-06 00:00:00")
        self.assertEqual(
            self.team_software._get_available_members(), self.eng_b | self.eng_c
        )
        assignees = [self._dispatch().user_id for _i in range(3)]
        self.assertEqual(assignees, [self.eng_b, self.eng_c, self.eng_b])

    @freeze_time("2026-03-02 03:00:00")
    def test_nobody_available_leaves_the_ticket_in_the_queue(self):
        self.team_software.assign_method = "least_loaded"
        for user in self.engineers:
            self._put_on_leave(user, "2026-03-01 00:00:00", "2026-03-04 00:00:00")
        ticket = self._dispatch()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertFalse(ticket.user_id)

    # ------------------------------------------------------------------ reassign

    def _wizard(self, ticket, user, mode, **vals):
        action = getattr(ticket.with_user(user), f"action_{mode}")()
        return (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create(vals)
        )

    def test_reassign_needs_a_reason(self):
        ticket = self._dispatch(user=self.eng_a)
        wizard = self._wizard(
            ticket, self.eng_a, "reassign", team_id=self.team_hardware.id
        )
        with self.assertRaisesRegex(UserError, "Give the reason"):
            wizard.action_confirm()
        wizard.reason = "   "
        with self.assertRaisesRegex(UserError, "Give the reason"):
            wizard.action_confirm()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.user_id, self.eng_a)

    def test_reassign_needs_a_team_or_an_engineer(self):
        ticket = self._dispatch(user=self.eng_a)
        with self.assertRaisesRegex(UserError, "Choose the team or the engineer"):
            ticket._reassign("Not my field")

    def test_reassign_to_another_team_goes_to_its_queue(self):
        ticket = self._dispatch(user=self.eng_a)
        wizard = self._wizard(
            ticket,
            self.eng_a,
            "reassign",
            team_id=self.team_hardware.id,
            reason="The disk array failed, not the application.",
        )
        wizard.action_confirm()
        self.assertEqual(ticket.team_id, self.team_hardware)
        self.assertFalse(ticket.user_id)
        body = ticket.message_ids[0].body
        self.assertIn("Reassigned to Hardware Team", body)
        self.assertIn("The disk array failed", body)

    def test_reassign_to_a_colleague(self):
        ticket = self._dispatch(user=self.eng_a)
        ticket.with_user(self.eng_a)._reassign(
            "Database expert needed", user=self.eng_c
        )
        self.assertEqual(ticket.user_id, self.eng_c)
        self.assertEqual(ticket.team_id, self.team_software)

    # ------------------------------------------------------------ accept, hand back

    @freeze_time("2026-03-02 02:10:00")
    def test_accept_takes_an_unassigned_dispatch(self):
        ticket = self._dispatch()
        ticket.with_user(self.eng_b).action_accept()
        self.assertEqual(ticket.user_id, self.eng_b)
        self.assertEqual(str(ticket.responded_date), "2026-03-02 02:10:00")
        self.assertIn("Accepted by rs_eng_b", ticket.message_ids[0].body)

    def test_accept_keeps_the_assignee(self):
        ticket = self._dispatch(user=self.eng_a)
        ticket.with_user(self.eng_b).action_accept()
        self.assertEqual(ticket.user_id, self.eng_a)
        self.assertTrue(ticket.responded_date)

    def test_hand_back_returns_the_ticket_to_the_team_queue(self):
        ticket = self._dispatch(user=self.eng_a)
        wizard = self._wizard(ticket, self.eng_a, "hand_back")
        with self.assertRaisesRegex(UserError, "Give the reason"):
            wizard.action_confirm()
        wizard.reason = "On site at another customer all day."
        wizard.action_confirm()
        self.assertFalse(ticket.user_id)
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertIn("On site at another customer", ticket.message_ids[0].body)

    def test_reassign_form_requires_the_reason(self):
        ticket = self._dispatch(user=self.eng_a)
        action = ticket.action_reassign()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.team_id = self.team_hardware
        with self.assertRaises(AssertionError):  # the form refuses to save
            form.save()

    # ------------------------------------------------------------------ channel

    def test_engineer_direct_request_gets_the_engineer_channel(self):
        channel = self.env.ref("response_support.helpdesk_ticket_channel_engineer")
        ticket = self._create_ticket(user=self.engineer_user)
        self.assertEqual(ticket.channel_id, channel)
        by_desk = self._create_ticket(user=self.desk_user)
        self.assertNotEqual(by_desk.channel_id, channel)
        phone = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        chosen = self._create_ticket(user=self.engineer_user, channel_id=phone.id)
        self.assertEqual(chosen.channel_id, phone)

    # ------------------------------------------------------------------ restrictions

    def test_engineer_cannot_close(self):
        ticket = self._dispatch(user=self.engineer_user)
        as_engineer = ticket.with_user(self.engineer_user)
        with self.assertRaisesRegex(AccessError, "follow-up call"):
            as_engineer.stage_id = self.stage_done
        # resolving is theirs
        as_engineer.write(dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id))
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self._confirm_followup(ticket)
        with self.assertRaisesRegex(AccessError, "follow-up call"):
            as_engineer.stage_id = self.stage_done  # even once confirmed
        ticket.with_user(self.desk_user).stage_id = self.stage_done
        self.assertTrue(ticket.closed)

    def test_engineer_is_offered_no_closing_stage(self):
        """The form's status bar lists the stages of ``may_close`` only."""
        ticket = self._dispatch(user=self.engineer_user)
        self.assertFalse(ticket.with_user(self.engineer_user).may_close)
        self.assertTrue(ticket.with_user(self.desk_user).may_close)
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.engineer_user)
            .get_view(self.env.ref("helpdesk_mgmt.ticket_view_form").id, "form")["arch"]
        )
        self.assertIn("('closed', 'in', [False, may_close])", arch)
        Stage = self.env["helpdesk.ticket.stage"].with_user(self.engineer_user)
        may_close = ticket.with_user(self.engineer_user).may_close
        offered = Stage.search([("closed", "in", [False, may_close])])
        self.assertIn(self.stage_resolved, offered)
        self.assertNotIn(self.stage_done, offered)

    def test_engineer_cannot_change_sla_level_or_contract(self):
        ticket = self._dispatch(user=self.engineer_user)
        as_engineer = ticket.with_user(self.engineer_user)
        with self.assertRaisesRegex(AccessError, "SLA Level"):
            as_engineer.sla_level_id = self.level_silver
        with self.assertRaisesRegex(AccessError, "O&M Contract"):
            as_engineer.contract_id = False
        # unchanged values, as a form sends them, are no change
        as_engineer.write(
            {"sla_level_id": ticket.sla_level_id.id, "contract_id": self.contract.id}
        )
        as_engineer.write({"impact": "high"})
        self.assertEqual(ticket.impact, "high")

    def test_desk_and_manager_change_sla_level_and_contract(self):
        ticket = self._dispatch()
        ticket.with_user(self.desk_user).sla_level_id = self.level_silver
        self.assertEqual(ticket.sla_level_id, self.level_silver)
        ticket.with_user(self.manager_user).sla_level_id = self.level_gold
        self.assertEqual(ticket.sla_level_id, self.level_gold)
        ticket.with_user(self.desk_user).contract_id = False
        self.assertFalse(ticket.contract_id)

    def test_helpers_are_the_managers_choice(self):
        ticket = self._dispatch()
        with self.assertRaisesRegex(AccessError, "helpers"):
            ticket.with_user(self.desk_user).helper_user_ids = self.eng_c
        ticket.with_user(self.manager_user).helper_user_ids = self.eng_c
        self.assertEqual(ticket.helper_user_ids, self.eng_c)
