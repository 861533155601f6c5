from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.response_support.models.resource_calendar import (
    UNKNOWN_YEARS_PARAM,
)

from .common import ResponseSupportCase

# a 1×1 transparent PNG: the customer's signature in tests
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def dt(value):
    return fields.Datetime.to_datetime(value)


class OnsiteCommon(ResponseSupportCase):
    """A PRC 5×8 level (Shanghai, 08:00–12:00 and 13:00–17:00, PRC holidays):
    arrival within 120 working minutes, 60 working minutes of support time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(UNKNOWN_YEARS_PARAM, False)
        with freeze_time("2026-01-05 04:00:00"):
            cls.calendar_prc = cls._create_prc_calendar()
        cls.level_prc = cls._create_flat_sla_level(
            "Test PRC",
            30,
            960,
            thresholds=[{"percent": 50, "action": "notify_assignee", "kind": "onsite"}],
            target_vals={"onsite_minutes": 120, "support_minutes": 60},
            calendar_id=cls.calendar_prc.id,
        )
        cls.contract.phase_ids.write({"sla_level_id": cls.level_prc.id})
        cls.manager_other = new_test_user(
            cls.env,
            login="rs_manager_other",
            name="Other Manager",
            groups="response_support.group_response_support_manager",
        )

    def _ticket(self):
        # Monday 2026-03-02 10:00 in Shanghai
        with freeze_time("2026-03-02 02:00:00"):
            return self._create_ticket(
                team_id=self.team_software.id, user_id=self.engineer_user.id
            )

    def _visit(self, ticket, **overrides):
        return self._create_visit(ticket, user=self.engineer_user, **overrides)

    def _run_to_signoff(self, activity):
        if activity.is_onsite:
            self._check_in(activity)
        else:
            activity.action_confirm()
            activity.action_set_out()
        activity.checklist_ids.filtered(lambda c: c.stage == "before").done = True
        activity.action_start()
        activity.action_request_signoff()


@tagged("post_install", "-at_install")
class TestOnsiteClocks(OnsiteCommon):
    def test_arrival_clock_met_and_missed_per_visit(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            first = self._visit(ticket)
        # 10:00 + 120 working minutes = 12:00 (Shanghai)
        self.assertEqual(first.arrival_deadline, dt("2026-03-02 04:00:00"))
        with freeze_time("2026-03-02 07:00:00"):  # 15:00
            second = self._visit(ticket)
        # 15:00 → 17:00 the same day
        self.assertEqual(second.arrival_deadline, dt("2026-03-02 09:00:00"))
        with freeze_time("2026-03-02 03:30:00"):
            self._check_in(first.with_user(self.engineer_user))
        with freeze_time("2026-03-03 01:30:00"):  # next day 09:30
            self._check_in(second.with_user(self.engineer_user))
        self.assertEqual(first.arrival_status, "met")
        self.assertFalse(first.arrival_late)
        self.assertAlmostEqual(first.arrival_clock_id.late_minutes, -30)
        self.assertEqual(second.arrival_status, "breached")
        self.assertTrue(second.arrival_late)
        # 15:00–17:00 and 08:00–09:30: 210 working minutes, 90 late
        self.assertAlmostEqual(second.arrival_clock_id.late_minutes, 90)
        self.assertEqual(ticket.sla_status, "breached")
        self.assertEqual(ticket.support_mode, "onsite")
        self.assertEqual(ticket.onsite_arrival_date, dt("2026-03-02 03:30:00"))

    def test_arrival_breach_found_by_the_scheduler(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._visit(ticket)
        clock = visit.arrival_clock_id
        with freeze_time("2026-03-02 05:30:00"):  # 13:30, 150 working minutes
            self.env["response.support.sla.clock"]._cron_check_sla()
        self.assertEqual(clock.status, "breached")
        self.assertEqual(clock.breach_date, dt("2026-03-02 04:00:00"))
        self.assertTrue(clock.fired_threshold_ids, "the 50 % warning is settled")
        self.assertEqual(ticket.sla_status, "breached")

    def test_support_time_clock_runs_while_in_progress(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._visit(ticket).with_user(self.engineer_user)
        with freeze_time("2026-03-02 02:30:00"):
            self._check_in(visit)
            visit.action_start()
        support = visit.support_clock_id
        self.assertEqual(support.kind, "support")
        self.assertEqual(support.deadline, dt("2026-03-02 03:30:00"))
        with freeze_time("2026-03-02 03:45:00"):
            visit.action_request_signoff()
        self.assertEqual(support.status, "breached")
        self.assertAlmostEqual(support.late_minutes, 15)
        self.assertAlmostEqual(visit.time_spent, 1.25)

    def test_new_targets_move_the_arrival_clock_of_an_open_visit(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._visit(ticket)
        with freeze_time("2026-03-02 02:30:00"):
            self.level_prc.target_ids.write({"onsite_minutes": 60})
        clock = visit.arrival_clock_id
        self.assertEqual(clock.target_minutes, 60)
        self.assertEqual(clock.deadline, dt("2026-03-02 03:00:00"))
        self.assertIn(visit.name, ticket.message_ids[:1].body, "the note names it")

    def test_support_time_warning_fires_for_its_kind(self):
        self.level_prc.threshold_ids = [
            (0, 0, {"percent": 50, "action": "notify_assignee", "kind": "support"})
        ]
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._visit(ticket).with_user(self.engineer_user)
            self._check_in(visit)
            visit.action_start()
        support = visit.support_clock_id
        with freeze_time("2026-03-02 02:31:00"):
            self.env["response.support.sla.clock"]._cron_check_sla()
        fired = support.fired_threshold_ids
        self.assertEqual(fired.mapped("kind"), ["support"])
        self.assertEqual(support.status, "running")

    def test_remote_session_has_no_arrival_clock(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            session = self._visit(ticket, mode="remote_desktop")
        self.assertFalse(session.arrival_clock_id)
        self.assertEqual(ticket.support_mode, "remote")
        with freeze_time("2026-03-02 02:10:00"):
            self._run_to_signoff(session.with_user(self.engineer_user))
        self.assertEqual(session.support_clock_id.status, "met")

    def test_cancelled_visit_cancels_its_clock(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._visit(ticket)
            visit.with_user(self.engineer_user).action_cancel()
        self.assertEqual(visit.arrival_clock_id.status, "cancelled")


@tagged("post_install", "-at_install")
class TestOnsiteProcess(OnsiteCommon):
    def test_risky_activity_needs_a_plan_approved_by_another_manager(self):
        ticket = self._ticket()
        visit = self._visit(ticket, risky=True).with_user(self.engineer_user)
        visit.action_confirm()
        with self.assertRaises(UserError):
            visit.action_set_out()
        with self.assertRaises(UserError, msg="steps, risks and rollback first"):
            visit.action_submit_plan()
        visit.write(
            {
                "plan_steps": "1. stop the service 2. swap the disk",
                "plan_risks": "RAID rebuild fails",
                "plan_rollback": "Put the old disk back",
            }
        )
        visit.action_submit_plan()
        with self.assertRaises(AccessError):
            visit.action_approve_plan()  # an engineer never approves
        # a manager working on the activity does not approve their own plan either
        visit.sudo().user_ids = [(4, self.manager_user.id)]
        with self.assertRaises(AccessError):
            visit.with_user(self.manager_user).action_approve_plan()
        with self.assertRaises(UserError):
            visit.with_user(self.manager_other).action_reject_plan()  # no reason
        visit.with_user(self.manager_other).plan_reject_reason = "No rollback test"
        visit.with_user(self.manager_other).action_reject_plan()
        self.assertEqual(visit.plan_state, "rejected")
        with self.assertRaises(UserError):
            visit.action_set_out()
        visit.action_submit_plan()
        with freeze_time("2026-03-02 03:00:00"):
            visit.with_user(self.manager_other).action_approve_plan()
        self.assertEqual(visit.plan_state, "approved")
        self.assertEqual(visit.state, "plan_approved")
        self.assertEqual(visit.plan_approved_by_id, self.manager_other)
        self.assertEqual(visit.plan_approved_date, dt("2026-03-02 03:00:00"))
        visit.action_set_out()
        self.assertEqual(visit.state, "on_way")

    def test_state_and_approvals_are_set_by_the_buttons_only(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        with self.assertRaises(UserError):
            visit.write({"state": "done"})
        with self.assertRaises(UserError):
            visit.write({"plan_state": "approved"})

    def test_preparation_checklist_must_be_complete_before_start(self):
        self.env["response.support.checklist.template"].create(
            [
                {
                    "name": "Spare disk and screwdriver",
                    "catalog_id": self.cat_software.id,
                    "applies_to": "onsite",
                },
                {"name": "Blank service form", "applies_to": "all"},
                {"name": "VPN token", "applies_to": "remote"},
                {"name": "Other catalog", "catalog_id": self.cat_hardware.id},
            ]
        )
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        self.assertEqual(
            set(visit.checklist_ids.mapped("name")),
            {
                "Spare disk and screwdriver",
                "Blank service form",
                "Site left clean or as found",
            },
        )
        self._check_in(visit)
        with self.assertRaisesRegex(UserError, "Spare disk"):
            visit.action_start()
        visit.checklist_ids.filtered(lambda c: c.stage == "before").done = True
        visit.action_start()
        self.assertEqual(visit.state, "in_progress")
        line = visit.checklist_ids[:1]
        self.assertEqual(line.done_by_id, self.engineer_user)

    def test_scope_is_fixed_after_start(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        visit.work_content = "Replace the disk and check the RAID"
        self._check_in(visit)
        visit.action_start()
        with self.assertRaises(UserError):
            visit.work_content = "Also upgrade the database"
        visit.service_record = "Disk replaced"  # the record goes on

    def test_extra_request_blocked_until_authorised(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        self._check_in(visit)
        visit.action_start()
        request = (
            self.env["response.support.activity.request"]
            .with_user(self.engineer_user)
            .create({"activity_id": visit.id, "description": "Also fix the printer"})
        )
        with self.assertRaises(UserError):
            request.action_mark_done()
        with self.assertRaises(UserError):
            visit.action_request_signoff()
        with self.assertRaises(AccessError):
            request.action_approve()
        with self.assertRaises(UserError):
            request.write({"state": "approved"})
        with freeze_time("2026-03-02 05:00:00"):
            request.with_user(self.manager_user).action_approve()
        self.assertEqual(request.decided_by_id, self.manager_user)
        self.assertEqual(request.decided_date, dt("2026-03-02 05:00:00"))
        request.action_mark_done()
        self.assertEqual(request.state, "done")
        visit.action_request_signoff()
        self.assertEqual(visit.state, "signoff")

    def test_close_refused_without_signature_or_legacy_decision(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        self._run_to_signoff(visit)
        with self.assertRaisesRegex(UserError, "sign"):
            visit.action_done()
        visit.write({"signature": SIGNATURE, "signed_by": "Li Lei"})
        self.assertTrue(visit.signed_on)
        with self.assertRaisesRegex(UserError, "legacy"):
            visit.action_done()
        visit.no_legacy_issue = True
        with self.assertRaisesRegex(UserError, "Site left clean"):
            visit.action_done()
        visit.checklist_ids.done = True
        visit.action_done()
        self.assertEqual(visit.state, "done")
        with self.assertRaises(UserError, msg="the signed form is frozen"):
            visit.write({"signed_by": "Someone else"})
        with self.assertRaises(UserError):
            visit.service_record = "Rewritten afterwards"

    def test_signature_only_when_awaiting_signoff(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        with self.assertRaises(UserError):
            visit.write({"signature": SIGNATURE})

    def test_remote_session_closes_on_customer_confirmation(self):
        session = self._visit(self._ticket(), mode="hotline").with_user(
            self.engineer_user
        )
        self._run_to_signoff(session)
        session.no_legacy_issue = True
        with self.assertRaisesRegex(UserError, "confirm"):
            session.action_done()
        session.customer_confirmed = True
        session.action_done()
        self.assertEqual(session.state, "done")

    def test_legacy_issues_are_carried_to_the_next_visit(self):
        ticket = self._ticket()
        with freeze_time("2026-03-02 02:00:00"):
            first = self._visit(ticket).with_user(self.engineer_user)
        self._run_to_signoff(first)
        issue = (
            self.env["response.support.legacy.issue"]
            .with_user(self.engineer_user)
            .create(
                {
                    "activity_id": first.id,
                    "name": "RAID controller firmware to upgrade",
                    "due_date": "2026-03-10",
                }
            )
        )
        first.write({"signature": SIGNATURE, "signed_by": "Li Lei"})
        first.checklist_ids.done = True
        first.action_done()
        self.assertEqual(ticket.legacy_issue_ids, issue)
        other_ticket = self._ticket()
        with freeze_time("2026-03-05 02:00:00"):
            second = self._visit(other_ticket)
        self.assertEqual(second.open_legacy_issue_ids, issue)
        self.assertIn(first, second.previous_activity_ids)
        self.assertFalse(first.open_legacy_issue_ids, "not its own issues")
        issue.action_solve()
        second.invalidate_recordset(["open_legacy_issue_ids"])
        self.assertFalse(second.open_legacy_issue_ids)

    def test_site_rules_of_the_system_shown_on_the_activity(self):
        self.system.site_rules = "Badge at the gate; no changes before 18:00."
        visit = self._visit(self._ticket())
        self.assertEqual(visit.site_rules, self.system.site_rules)

    def test_check_in_notifies_the_customer_contact(self):
        visit = self._visit(self._ticket()).with_user(self.engineer_user)
        with freeze_time("2026-03-02 03:00:00"):
            self._check_in(visit)
        message = visit.message_ids.filtered(lambda m: self.reporter in m.partner_ids)
        self.assertTrue(message, "the customer contact is told of the arrival")
        self.assertEqual(visit.checkin_date, dt("2026-03-02 03:00:00"))


@tagged("post_install", "-at_install")
class TestOnsiteAccess(OnsiteCommon):
    def test_engineer_sees_the_activities_of_their_tickets_only(self):
        visit = self._visit(self._ticket())
        with freeze_time("2026-03-02 02:00:00"):
            hardware = self._create_ticket(team_id=self.team_hardware.id)
        other = self._create_visit(hardware, user=None, user_ids=[(6, 0, [])])
        Activity = self.env["response.support.activity"]
        seen = Activity.with_user(self.engineer_user).search([])
        self.assertIn(visit, seen)
        self.assertNotIn(other, seen)
        with self.assertRaises(AccessError):
            other.with_user(self.engineer_user).read(["name"])
        self.assertIn(other, Activity.with_user(self.desk_user).search([]))
        self.assertIn(other, Activity.with_user(self.manager_user).search([]))

    def test_service_form_follows_the_customer_contact_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.reporter.lang = "zh_CN"
        visit = self._visit(self._ticket())
        self.assertEqual(visit._get_report_lang(), "zh_CN")
        visit.contact_id = self.env["res.partner"].create(
            {"name": "John Smith", "lang": "en_US", "parent_id": self.customer.id}
        )
        self.assertEqual(visit._get_report_lang(), "en_US")
