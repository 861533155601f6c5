from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestEscalation(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_resolved.sla_resolved = True
        cls.manager_2 = new_test_user(
            cls.env,
            login="rs_manager_2",
            name="Second Manager",
            groups="response_support.group_response_support_manager",
        )
        cls.managers = cls.manager_user | cls.manager_2
        cls.activity_escalation = cls.env.ref(
            "response_support.mail_activity_type_escalation"
        )
        cls.activity_emergency = cls.env.ref(
            "response_support.mail_activity_type_emergency"
        )

    def _activities(self, ticket, activity_type, users=None):
        users = users or self.managers
        return ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type and a.user_id in users
        )

    def _escalate(self, ticket, user, reason):
        action = ticket.with_user(user).action_escalate()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"reason": reason})
        )
        return wizard.action_confirm()

    # ------------------------------------------------------------------ ladder

    @freeze_time("2026-03-02 03:00:00")
    def test_manual_escalation_is_recorded(self):
        ticket = self._create_ticket(user_id=self.engineer_user.id)
        self._escalate(ticket, self.engineer_user, "Needs a vendor patch.")
        self.assertEqual(ticket.escalation_level, "manager")
        escalation = ticket.escalation_ids
        self.assertEqual(len(escalation), 1)
        self.assertRecordValues(
            escalation,
            [
                {
                    "from_level": "engineer",
                    "to_level": "manager",
                    "reason": "Needs a vendor patch.",
                    "user_id": self.engineer_user.id,
                    "trigger": "manual",
                    "date": fields.Datetime.to_datetime("2026-03-02 03:00:00"),
                    "resolved_date": False,
                }
            ],
        )
        self.assertEqual(len(self._activities(ticket, self.activity_escalation)), 2)
        self.assertTrue(self.managers.partner_id <= ticket.message_partner_ids)
        self.assertIn("Needs a vendor patch.", ticket.message_ids[0].body)
        # everyone internal reads the log, nobody but a manager writes it
        self.assertEqual(
            escalation.with_user(self.engineer_user).reason, "Needs a vendor patch."
        )
        with self.assertRaises(AccessError):
            escalation.with_user(self.desk_user).write({"reason": "other"})

    def test_manual_escalation_needs_a_reason(self):
        ticket = self._create_ticket()
        with self.assertRaisesRegex(UserError, "Give the reason"):
            self._escalate(ticket, self.engineer_user, "")
        self.assertEqual(ticket.escalation_level, "engineer")
        self.assertFalse(ticket.escalation_ids)

    def test_no_escalation_above_emergency(self):
        ticket = self._create_ticket()
        self._escalate(ticket, self.desk_user, "Customer management involved.")
        self._escalate(ticket, self.desk_user, "Whole city without billing.")
        self.assertEqual(ticket.escalation_level, "emergency")
        self.assertEqual(
            ticket.escalation_ids.sorted("id").mapped("to_level"),
            ["manager", "emergency"],
        )
        with self.assertRaisesRegex(UserError, "no higher level"):
            self._escalate(ticket, self.desk_user, "More!")

    def test_sla_threshold_escalates_with_a_record(self):
        level = self._create_flat_sla_level(
            "Test 7x24 escalation",
            30,
            600,
            thresholds=[{"percent": 80, "action": "escalate"}],
        )
        self.contract.phase_ids.write({"sla_level_id": level.id})
        with freeze_time("2026-03-02 02:00:00"):
            ticket = self._create_ticket()
        with freeze_time("2026-03-02 02:25:00"):
            self.env["response.support.sla.clock"]._cron_check_sla()
            self.env["response.support.sla.clock"]._cron_check_sla()
        escalation = ticket.escalation_ids
        self.assertEqual(len(escalation), 1, "the scheduler escalates once")
        self.assertEqual(escalation.trigger, "sla")
        self.assertEqual(escalation.to_level, "manager")
        self.assertIn("80%", escalation.reason)
        self.assertEqual(ticket.escalation_level, "manager")

    @freeze_time("2026-03-02 05:00:00")
    def test_resolving_the_ticket_resolves_its_escalations(self):
        ticket = self._create_ticket()
        self._escalate(ticket, self.desk_user, "Stuck.")
        ticket.write(self.RESOLUTION_VALS)
        ticket.with_user(self.desk_user).action_resolve_at_desk()
        self.assertEqual(
            ticket.escalation_ids.resolved_date,
            fields.Datetime.to_datetime("2026-03-02 05:00:00"),
        )

    # ------------------------------------------------------------------ emergencies

    def _raise(self, **overrides):
        ticket = self._create_ticket(**overrides)
        ticket.with_user(self.desk_user).action_raise_emergency()
        return ticket

    def test_confirm_emergency_notifies_every_manager(self):
        ticket = self._raise()
        with self.assertRaisesRegex(AccessError, "technical support manager"):
            ticket.with_user(self.desk_user).action_confirm_emergency()
        ticket.with_user(self.manager_user).action_confirm_emergency()
        self.assertEqual(ticket.emergency_state, "confirmed")
        self.assertEqual(ticket.escalation_level, "emergency")
        self.assertRecordValues(
            ticket.escalation_ids,
            [
                {
                    "from_level": "engineer",
                    "to_level": "emergency",
                    "user_id": self.manager_user.id,
                    "trigger": "manual",
                }
            ],
        )
        message = ticket.message_ids.filtered(
            lambda m: "Confirmed emergency" in (m.body or "")
        )
        self.assertTrue(self.managers.partner_id <= message.partner_ids)
        self.assertEqual(len(self._activities(ticket, self.activity_escalation)), 2)
        self.assertFalse(
            self._activities(ticket, self.activity_emergency),
            "the confirm-or-downgrade activities are done",
        )
        with self.assertRaisesRegex(UserError, "not a possible emergency"):
            ticket.with_user(self.manager_user).action_confirm_emergency()

    def test_downgrade_emergency_with_a_reason(self):
        ticket = self._raise()
        ticket.with_user(self.manager_user).action_confirm_emergency()
        with self.assertRaises(AccessError):
            ticket.with_user(self.desk_user).action_downgrade_emergency()
        action = ticket.with_user(self.manager_user).action_downgrade_emergency()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager_user)
            .with_context(**action["context"])
            .create({})
        )
        with self.assertRaisesRegex(UserError, "Give the reason"):
            wizard.action_confirm()
        wizard.reason = "Only one user affected, a local network fault."
        wizard.action_confirm()
        self.assertEqual(ticket.emergency_state, "downgraded")
        self.assertEqual(ticket.escalation_level, "engineer")
        self.assertTrue(ticket.escalation_ids.resolved_date)
        self.assertIn("local network fault", ticket.message_ids[0].body)
        # a downgraded ticket may be raised again
        ticket.with_user(self.desk_user).action_raise_emergency()
        self.assertEqual(ticket.emergency_state, "possible")

    def test_children_are_resolved_with_the_parent(self):
        parent = self._raise(user_id=self.engineer_user.id)
        child = self._create_ticket(name="Billing down too", impact=False)
        done_child = self._create_ticket(name="Also down")
        done_child.write(dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id))
        with self.assertRaisesRegex(UserError, "exactly one emergency"):
            (child | done_child).with_user(
                self.desk_user
            ).action_link_emergency_children()
        (parent | child | done_child).with_user(
            self.desk_user
        ).action_link_emergency_children()
        self.assertEqual(parent.emergency_child_ids, child | done_child)
        with self.assertRaises(ValidationError):
            parent.emergency_parent_id = child
        parent.with_user(self.manager_user).action_confirm_emergency()
        parent.resolution = "<p>Replaced the failed switch.</p>"
        parent.resolution_cause = "<p>The core switch failed.</p>"
        parent.with_user(self.engineer_user).stage_id = self.stage_resolved
        self.assertEqual(child.stage_id, self.stage_resolved)
        self.assertIn("Replaced the failed switch", child.resolution)
        self.assertIn(parent.display_name, child.message_ids[0].body)
        self.assertTrue(child.resolved_date)
        self.assertTrue(parent.escalation_ids.resolved_date)

    # ------------------------------------------------------------------ complaints

    def test_complaint_is_routed_to_the_managers(self):
        original = self._create_ticket()
        complaint = self._create_ticket(
            user=self.desk_user,
            name="Nobody called me back",
            ticket_type="complaint",
            complained_ticket_id=original.id,
        )
        self.assertTrue(self.managers.partner_id <= complaint.message_partner_ids)
        activity_type = self.env.ref("response_support.mail_activity_type_complaint")
        self.assertEqual(
            self._activities(complaint, activity_type).user_id, self.managers
        )
        self.assertIn(complaint.display_name, original.message_ids[0].body)
        self.assertEqual(original.ticket_type, "incident")
        self.assertEqual(
            (original | complaint).filtered_domain([("ticket_type", "=", "complaint")]),
            complaint,
        )

    def test_ticket_turned_into_a_complaint_is_routed(self):
        ticket = self._create_ticket(ticket_type="request")
        activity_type = self.env.ref("response_support.mail_activity_type_complaint")
        self.assertFalse(self._activities(ticket, activity_type))
        ticket.with_user(self.desk_user).ticket_type = "complaint"
        self.assertEqual(self._activities(ticket, activity_type).user_id, self.managers)
