from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..models.response_support_sla_clock import PLANNING_MAX_DAYS, WARNING_LEAD
from .common import ResponseSupportCase


def dt(value):
    return fields.Datetime.to_datetime(value)


class SlaHardeningCommon(ResponseSupportCase):
    """A 7×24 level A (response 30 min, resolution 120 min, warnings at 50% and an
    escalation at 80% of the resolution), a faster level B, and the stages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_awaiting.sla_pause = True
        cls.Clock = cls.env["response.support.sla.clock"]
        cls.level_a = cls._level("Test A", 30, 120, escalate_at=80)
        cls.level_b = cls._level("Test B", 10, 60, escalate_at=75)
        cls.contract.phase_ids.write({"sla_level_id": cls.level_a.id})

    @classmethod
    def _level(cls, name, response, resolution, escalate_at, calendar=None):
        return cls._create_flat_sla_level(
            name,
            response,
            resolution,
            thresholds=[
                {"percent": 50, "action": "notify_assignee"},
                {"percent": escalate_at, "action": "escalate", "kind": "resolution"},
            ],
            target_vals={"onsite_minutes": 90},
            calendar_id=calendar and calendar.id,
        )

    @classmethod
    def _calendar(cls, name, **vals):
        """Monday to Friday 08:00-12:00 and 13:00-17:00 UTC."""
        return cls._create_calendar(name, tz="UTC", **vals)

    def _clock(self, ticket, kind):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == kind)

    @freeze_time("2026-03-02 02:00:00")
    def _new_ticket(self, **overrides):
        overrides.setdefault("resolution", "<p>Restarted the service.</p>")
        return self._create_ticket(**overrides)

    def _notes(self, ticket, text):
        return ticket.message_ids.filtered(lambda m: text in (m.body or ""))

    def _count_calls(self, method):
        """patch.object that counts the calls of a clock method, which still runs."""
        original = getattr(type(self.Clock), method)
        return patch.object(
            type(self.Clock), method, autospec=True, side_effect=original
        )


@tagged("post_install", "-at_install")
class TestSlaReopenAndCopy(SlaHardeningCommon):
    def test_reopening_a_cancelled_ticket_resumes_its_clocks(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:10:00"):
            ticket.stage_id = self.stage_cancelled
        self.assertEqual(set(ticket.sla_clock_ids.mapped("status")), {"cancelled"})
        with freeze_time("2026-03-02 03:00:00"):
            ticket.stage_id = self.stage_progress
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(response.status, "running")
        self.assertEqual(resolution.status, "running")
        # 10 minutes used before the cancellation; the cancelled time does not count
        self.assertEqual(response.deadline, dt("2026-03-02 03:20:00"))
        self.assertEqual(resolution.deadline, dt("2026-03-02 04:50:00"))
        self.assertEqual(ticket.sla_status, "running")
        with freeze_time("2026-03-02 03:05:00"):
            ticket.action_acknowledge()
        self.assertEqual(response.status, "met")
        self.assertAlmostEqual(response.used_minutes, 15)

    def test_reopening_a_rejected_ticket_keeps_a_met_clock_met(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:05:00"):
            ticket.action_acknowledge()
        with freeze_time("2026-03-02 02:10:00"):
            ticket.stage_id = self.stage_rejected
        self.assertEqual(self._clock(ticket, "response").status, "met")
        with freeze_time("2026-03-02 04:00:00"):
            ticket.stage_id = self.stage_progress
        self.assertEqual(self._clock(ticket, "response").status, "met")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.deadline, dt("2026-03-02 05:50:00"))

    def test_duplicate_starts_its_own_clocks_from_now(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-05 10:00:00"):
            duplicate = ticket.copy()
        self.assertEqual(duplicate.reported_date, dt("2026-03-05 10:00:00"))
        self.assertEqual(len(ticket.sla_clock_ids), 2, "the original keeps its own")
        self.assertEqual(len(duplicate.sla_clock_ids), 2)
        self.assertFalse(duplicate.sla_clock_ids & ticket.sla_clock_ids)
        response = self._clock(duplicate, "response")
        self.assertEqual(response.start_date, dt("2026-03-05 10:00:00"))
        self.assertEqual(response.deadline, dt("2026-03-05 10:30:00"))
        self.assertEqual(duplicate.sla_status, "running")

    def test_client_context_key_does_not_skip_the_synchronisation(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:10:00"):
            ticket.with_context(response_support_sla_sync=True).write(
                {"stage_id": self.stage_cancelled.id}
            )
        self.assertEqual(set(ticket.sla_clock_ids.mapped("status")), {"cancelled"})
        with freeze_time("2026-03-02 02:20:00"):
            ticket.with_context(response_support_sla_sync=True).write(
                {"stage_id": self.stage_progress.id}
            )
        self.assertEqual(self._clock(ticket, "response").status, "running")

    def test_message_of_an_employee_reporter_is_not_a_first_response(self):
        employee = self.engineer_user.partner_id
        ticket = self._new_ticket(
            partner_id=employee.id,
            partner_name=employee.name,
            partner_email="rs_engineer@example.com",
            team_id=self.team_software.id,
        )
        with freeze_time("2026-03-02 02:05:00"):
            ticket.with_user(self.engineer_user).message_post(
                body="It still fails on my desk.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.responded_date)
        self.assertEqual(self._clock(ticket, "response").status, "running")
        with freeze_time("2026-03-02 02:07:00"):
            ticket.with_user(self.desk_user).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.responded_date, dt("2026-03-02 02:07:00"))

    def test_second_visit_has_its_own_arrival_clock(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 03:00:00"):
            first = self._create_visit(ticket)
        with freeze_time("2026-03-02 04:00:00"):
            self._check_in(first)
        self.assertEqual(first.arrival_clock_id.status, "met")
        with freeze_time("2026-03-03 06:00:00"):
            second = self._create_visit(ticket)
        self.assertEqual(len(self._clock(ticket, "onsite")), 2, "one per visit")
        onsite = second.arrival_clock_id
        self.assertEqual(onsite.status, "running")
        self.assertEqual(onsite.start_date, dt("2026-03-03 06:00:00"))
        self.assertEqual(onsite.deadline, dt("2026-03-03 07:30:00"))
        with freeze_time("2026-03-03 08:00:00"):
            self._check_in(second)
        self.assertEqual(onsite.status, "breached")
        self.assertAlmostEqual(onsite.late_minutes, 30)
        self.assertEqual(first.arrival_clock_id.status, "met", "the first stays met")


@tagged("post_install", "-at_install")
class TestSlaExternalChanges(SlaHardeningCommon):
    def _closed_ticket(self):
        ticket = self._new_ticket(
            stage_id=self.stage_progress.id, **self.RESOLUTION_VALS
        )
        with freeze_time("2026-03-02 02:30:00"):
            ticket.stage_id = self.env.ref(
                "response_support.helpdesk_ticket_stage_resolved"
            )
            self._confirm_followup(ticket)
            ticket.stage_id = self.stage_done
        return ticket

    def test_phase_change_retargets_open_tickets_in_one_pass(self):
        open_tickets = self._new_ticket() | self._new_ticket()
        closed = self._closed_ticket()
        warranty = closed.contract_phase_id
        construction = self.contract.phase_ids.filtered(
            lambda p: p.phase == "construction"
        )
        with (
            freeze_time("2026-03-02 02:05:00"),
            self._count_calls("_plan") as plan,
        ):
            self.contract.write(
                {
                    "phase_ids": [
                        (1, warranty.id, {"date_start": "2026-04-01"}),
                        (
                            1,
                            construction.id,
                            {"date_end": "2026-03-31", "sla_level_id": self.level_b.id},
                        ),
                    ]
                }
            )
        self.assertEqual(plan.call_count, 1, "one planning pass for every ticket")
        for ticket in open_tickets:
            self.assertEqual(ticket.contract_phase_id, construction)
            self.assertEqual(ticket.sla_level_id, self.level_b)
            response = self._clock(ticket, "response")
            self.assertEqual(response.target_minutes, 10)
            self.assertEqual(response.deadline, dt("2026-03-02 02:10:00"))
            self.assertTrue(self._notes(ticket, "SLA targets changed"))
        self.assertEqual(closed.contract_phase_id, warranty, "history is kept")
        self.assertEqual(closed.sla_level_id, self.level_a)
        self.assertEqual(self._clock(closed, "resolution").target_minutes, 120)
        self.assertFalse(self._notes(closed, "SLA targets changed"))

    def test_level_target_change_reaches_running_clocks(self):
        ticket = self._new_ticket()
        closed = self._closed_ticket()
        target = closed.sla_target_id
        with freeze_time("2026-03-02 02:05:00"):
            self.level_a.target_ids.write({"response_minutes": 15})
        self.assertEqual(
            self._clock(ticket, "response").deadline, dt("2026-03-02 02:15:00")
        )
        self.assertTrue(self._notes(ticket, "SLA targets changed"))
        self.assertEqual(closed.sla_target_id, target)
        self.assertEqual(self._clock(closed, "response").target_minutes, 30)

    def test_threshold_change_replans_the_next_check(self):
        ticket = self._new_ticket()
        response = self._clock(ticket, "response")
        # warnings are looked at WARNING_LEAD ahead of their moment (cron polling)
        self.assertEqual(response.next_check, dt("2026-03-02 02:15:00") - WARNING_LEAD)
        with freeze_time("2026-03-02 02:01:00"):
            self.level_a.threshold_ids.filtered(lambda t: t.percent == 50).percent = 20
        self.assertEqual(response.next_check, dt("2026-03-02 02:06:00") - WARNING_LEAD)

    def test_phase_scope_and_catalog_hierarchy_recompute_the_coverage(self):
        ticket = self._new_ticket()
        self.assertEqual(ticket.coverage_state, "covered")
        self.contract.phase_ids.write({"catalog_ids": [(6, 0, self.cat_hardware.ids)]})
        self.assertEqual(ticket.coverage_state, "out_of_scope")
        self.cat_software_app.parent_id = self.cat_hardware
        self.assertEqual(ticket.coverage_state, "covered")


@tagged("post_install", "-at_install")
class TestSlaWorkingTimeChanges(SlaHardeningCommon):
    """Calendar edits reach running clocks. The clock of the ticket reported on Mon
    2026-03-02 09:00 UTC counts 120 working minutes: deadline 11:00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._calendar("Hardening 5x8")
        cls.level_a.calendar_id = cls.calendar

    def _ticket(self, reported="2026-03-02 09:00:00"):
        with freeze_time(reported):
            ticket = self._create_ticket(reported_date=reported)
        clock = self._clock(ticket, "resolution")
        self.assertEqual(clock.calendar_id, self.calendar)
        return ticket, clock

    def test_leave_of_the_calendar_moves_the_deadline(self):
        ticket, clock = self._ticket()
        self.assertEqual(clock.deadline, dt("2026-03-02 11:00:00"))
        with freeze_time("2026-03-02 09:30:00"):
            leave = self.env["resource.calendar.leaves"].create(
                {
                    "name": "Power cut",
                    "calendar_id": self.calendar.id,
                    "date_from": "2026-03-02 10:00:00",
                    "date_to": "2026-03-02 12:00:00",
                }
            )
        self.assertEqual(clock.deadline, dt("2026-03-02 14:00:00"))
        self.assertTrue(self._notes(ticket, "SLA working time changed"))
        with freeze_time("2026-03-02 09:40:00"):
            leave.unlink()
        self.assertEqual(clock.deadline, dt("2026-03-02 11:00:00"))

    def test_attendance_change_moves_the_deadline(self):
        _ticket, clock = self._ticket("2026-03-06 16:00:00")  # Friday
        self.assertEqual(clock.deadline, dt("2026-03-09 09:00:00"))
        friday = self.calendar.attendance_ids.filtered(
            lambda a: a.dayofweek == "4" and a.hour_from == 13
        )
        with freeze_time("2026-03-06 16:10:00"):  # as the calendar form saves it
            self.calendar.write({"attendance_ids": [(1, friday.id, {"hour_to": 18})]})
        self.assertEqual(clock.deadline, dt("2026-03-06 18:00:00"))

    def test_attendance_edited_on_its_own_moves_the_deadline(self):
        """Not through the calendar's form: the attendance record itself."""
        _ticket, clock = self._ticket("2026-03-06 16:00:00")  # Friday
        friday = self.calendar.attendance_ids.filtered(
            lambda a: a.dayofweek == "4" and a.hour_from == 13
        )
        with freeze_time("2026-03-06 16:10:00"):
            friday.hour_to = 18
        self.assertEqual(clock.deadline, dt("2026-03-06 18:00:00"))
        with freeze_time("2026-03-06 16:20:00"):
            friday.unlink()
        # the clock's time is counted again in the edited calendar: no Friday
        # afternoon any more, so all 120 minutes fall on Monday from 08:00
        self.assertEqual(clock.deadline, dt("2026-03-09 10:00:00"))

    def test_make_up_working_day_moves_the_deadline(self):
        _ticket, clock = self._ticket("2026-03-06 16:00:00")
        with freeze_time("2026-03-06 16:10:00"):
            self.env["response.support.calendar.workday"].create(
                {"calendar_id": self.calendar.id, "date": "2026-03-07"}
            )
        self.assertEqual(clock.deadline, dt("2026-03-07 09:00:00"))

    def test_prc_holiday_reload_replans_in_one_pass(self):
        _ticket, clock = self._ticket("2026-09-30 16:00:00")
        self.assertEqual(clock.deadline, dt("2026-10-01 09:00:00"))
        with (
            freeze_time("2026-09-30 16:10:00"),
            self._count_calls("_plan") as plan,
        ):
            self.calendar.cn_public_holidays = True  # National Day: 10-01…10-07
        self.assertEqual(plan.call_count, 1, "one pass for all the reloaded days")
        self.assertEqual(clock.deadline, dt("2026-10-08 09:00:00"))

    def test_global_leave_of_another_company_does_not_count(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        Leave = self.env["resource.calendar.leaves"]
        ticket, clock = self._ticket()
        with freeze_time("2026-03-02 09:10:00"):
            Leave.with_company(other).create(
                {
                    "name": "Other company holiday",
                    "calendar_id": False,
                    "date_from": "2026-03-02 00:00:00",
                    "date_to": "2026-03-03 00:00:00",
                }
            )
            Leave.create(
                {
                    "name": "Other company's calendar",
                    "calendar_id": self._calendar("Other", company_id=other.id).id,
                    "date_from": "2026-03-02 00:00:00",
                    "date_to": "2026-03-03 00:00:00",
                }
            )
            ticket.stage_id = self.stage_awaiting  # used minutes counted under sudo
        self.assertAlmostEqual(clock.used_minutes, 10)
        with freeze_time("2026-03-02 09:20:00"):
            ticket.stage_id = self.stage_progress
            self.assertEqual(clock.deadline, dt("2026-03-02 11:10:00"))
            Leave.create(
                {
                    "name": "Own company holiday",
                    "calendar_id": False,
                    "date_from": "2026-03-02 10:00:00",
                    "date_to": "2026-03-02 11:00:00",
                }
            )
        self.assertEqual(clock.deadline, dt("2026-03-02 13:10:00"))


@tagged("post_install", "-at_install")
class TestSlaThresholdsFireOnce(SlaHardeningCommon):
    def _escalated_ticket(self):
        ticket = self._new_ticket(
            user_id=self.engineer_user.id, team_id=self.team_software.id
        )
        with freeze_time("2026-03-02 02:10:00"):
            ticket.action_acknowledge()
        level = ticket.escalation_level
        with freeze_time("2026-03-02 03:40:00"):  # resolution at 83%
            self.Clock._cron_check_sla()
        self.assertNotEqual(ticket.escalation_level, level, "escalated at 80%")
        return ticket

    def _warnings(self, ticket):
        return self._notes(ticket, "SLA warning")

    def test_level_change_does_not_fire_an_escalation_twice(self):
        # level C escalates at 40%: already done at 80% of level A
        level_c = self._level("Test C", 60, 240, escalate_at=40)
        ticket = self._escalated_ticket()
        escalation, warnings = ticket.escalation_level, len(self._warnings(ticket))
        with freeze_time("2026-03-02 03:41:00"):
            ticket.sla_level_id = level_c
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.target_minutes, 240)
        with freeze_time("2026-03-02 04:30:00"):  # 150 of 240 minutes: 62%
            self.Clock._cron_check_sla()
        self.assertEqual(ticket.escalation_level, escalation, "not climbed again")
        self.assertEqual(len(self._warnings(ticket)), warnings)
        self.assertFalse(resolution.breached)

    def test_priority_change_does_not_fire_a_warning_twice(self):
        self.level_a.target_ids.filtered(lambda t: t.priority == "3").write(
            {"resolution_minutes": 180}
        )
        ticket = self._escalated_ticket()
        escalation, warnings = ticket.escalation_level, len(self._warnings(ticket))
        with freeze_time("2026-03-02 03:41:00"):
            ticket.write({"impact": "high", "urgency": "high"})  # → priority 3
        self.assertEqual(self._clock(ticket, "resolution").target_minutes, 180)
        with freeze_time("2026-03-02 04:30:00"):  # 150 of 180 minutes: 83%
            self.Clock._cron_check_sla()
        self.assertEqual(ticket.escalation_level, escalation)
        self.assertEqual(len(self._warnings(ticket)), warnings)


@tagged("post_install", "-at_install")
class TestSlaBatching(SlaHardeningCommon):
    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _stage_change_queries(self, tickets, stage, moment):
        with freeze_time(moment):
            return self._queries(lambda: tickets.write({"stage_id": stage.id}))

    def test_stage_change_costs_the_same_for_1_and_50_tickets(self):
        Ticket = self.env["helpdesk.ticket"]
        with freeze_time("2026-03-02 02:00:00"):
            warm_up = Ticket.create(self._complete_vals())  # fills the caches
            one = Ticket.create(self._complete_vals())
            many = Ticket.create([self._complete_vals() for _i in range(50)])
        self.assertEqual(len(many.sla_clock_ids), 100)
        for stage, moment in (
            (self.stage_progress, "2026-03-02 02:05:00"),
            (self.stage_awaiting, "2026-03-02 02:10:00"),
            (self.stage_progress, "2026-03-02 02:20:00"),
            (self.stage_cancelled, "2026-03-02 02:30:00"),
            (self.stage_progress, "2026-03-02 02:40:00"),
        ):
            self._stage_change_queries(warm_up, stage, moment)
            few = self._stage_change_queries(one, stage, moment)
            with self._count_calls("_working_time") as fetches:
                lots = self._stage_change_queries(many, stage, moment)
            self.assertEqual(lots, few, f"queries to move to {stage.name}")
            self.assertLessEqual(fetches.call_count, 1, "one fetch per calendar")
        self.assertEqual(set(many.sla_clock_ids.mapped("status")), {"running"})

    def test_contract_look_up_costs_the_same_for_1_and_20_tickets(self):
        tickets = self.env["helpdesk.ticket"].create(
            [self._complete_vals() for _i in range(20)]
        )
        field = tickets._fields["contract_id"]

        def recompute(records):
            self.env.add_to_compute(field, records)
            records._recompute_recordset(["contract_id"])

        few = self._queries(lambda: recompute(tickets[:1]))
        lots = self._queries(lambda: recompute(tickets))
        self.assertEqual(lots, few)
        self.assertEqual(tickets.contract_id, self.contract)


@tagged("post_install", "-at_install")
class TestContractLookUps(SlaHardeningCommon):
    def test_current_phase_search_needs_one_phase_matching_everything(self):
        Contract = self.env["response.support.contract"]
        contract = Contract.create(
            {
                "name": "Split",
                "partner_id": self.customer.id,
                "phase_ids": [
                    self._phase("warranty", "2026-01-01", "2026-12-31", self.level_a),
                    self._phase("service", "2027-01-01", "2027-12-31", self.level_a),
                ],
            }
        )
        with freeze_time("2026-06-01"):
            self.assertNotIn(
                contract, Contract.search([("current_phase", "=", "service")])
            )
            self.assertIn(
                contract, Contract.search([("current_phase", "in", ["warranty"])])
            )

    def test_valid_contract_of_the_reporter_company_before_an_expired_one(self):
        """_find_for_ticket: a valid contract of the system, then any valid
        contract of the reporter's company, then the most recent one."""
        other = self.env["response.support.contract"].create(
            {
                "name": "Follow-up O&M",
                "partner_id": self.customer.id,
                "phase_ids": [
                    self._phase("service", "2029-01-01", "2029-12-31", self.level_b)
                ],
            }
        )
        ticket = self._create_ticket(reported_date="2029-06-01 02:00:00")
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.contract_id, other)
        self.assertEqual(ticket.sla_level_id, self.level_b)
        # no valid contract at all: the most recent one of the system
        ticket = self._create_ticket(reported_date="2031-06-01 02:00:00")
        self.assertEqual(ticket.contract_id, self.contract)
        # a valid contract of the system comes first
        ticket = self._create_ticket(reported_date="2026-06-01 02:00:00")
        self.assertEqual(ticket.contract_id, self.contract)

    def test_planning_window_never_exceeds_the_cap(self):
        empty = self.env["resource.calendar"].create(
            {"name": "Never works", "tz": "UTC", "attendance_ids": [(5, 0, 0)]}
        )
        self.level_a.calendar_id = empty
        windows = []
        original = type(self.Clock)._working_time

        def working_time(model, calendar, start, stop):
            windows.append(stop - start)
            return original(model, calendar, start, stop)

        with patch.object(type(self.Clock), "_working_time", working_time):
            ticket = self._new_ticket()
        self.assertTrue(windows)
        self.assertLessEqual(max(windows), timedelta(days=PLANNING_MAX_DAYS + 1))
        self.assertFalse(self._clock(ticket, "response").deadline, "never reached")
