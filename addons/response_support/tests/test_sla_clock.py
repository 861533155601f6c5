from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..models.response_support_sla_clock import WARNING_LEAD, WorkingTime
from .common import ResponseSupportCase


def dt(value):
    return fields.Datetime.to_datetime(value)


@tagged("post_install", "-at_install")
class TestSlaClock(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Clock = cls.env["response.support.sla.clock"]
        # the module's data sets these; tests must not depend on configuration
        cls.stage_awaiting.sla_pause = True
        cls.stage_resolved.sla_resolved = True
        # a 7×24 level: response 30 min, resolution 120 min for every priority
        cls.level_24 = cls._create_7x24_level(
            "Test 7x24", {"percent": 80, "action": "escalate", "kind": "resolution"}
        )
        cls.contract.phase_ids.write({"sla_level_id": cls.level_24.id})

    def _clock(self, ticket, kind):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == kind)

    @freeze_time("2026-03-02 02:00:00")
    def _new_ticket(self, **overrides):
        return self._create_ticket(**overrides)

    def test_clocks_start_with_the_targets_of_the_level(self):
        ticket = self._new_ticket()
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(response.target_minutes, 30)
        self.assertEqual(response.deadline, dt("2026-03-02 02:30:00"))
        self.assertEqual(resolution.deadline, dt("2026-03-02 04:00:00"))
        self.assertEqual(response.status, "running")
        self.assertFalse(self._clock(ticket, "onsite"), "no on-site request yet")
        self.assertEqual(ticket.sla_status, "running")
        self.assertEqual(ticket.sla_deadline, dt("2026-03-02 02:30:00"))
        self.assertEqual(
            response.next_check,
            dt("2026-03-02 02:15:00") - WARNING_LEAD,
            "50% warning, a cron polling interval ahead",
        )

    def test_no_contract_no_clock(self):
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        ticket = self._new_ticket(partner_id=stranger.id, system_id=None)
        self.assertFalse(ticket.sla_clock_ids)
        self.assertFalse(ticket.sla_status)

    def test_response_met_early_with_lateness(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:20:00"):
            ticket.action_acknowledge()
        response = self._clock(ticket, "response")
        self.assertEqual(response.status, "met")
        self.assertEqual(response.done_date, dt("2026-03-02 02:20:00"))
        self.assertAlmostEqual(response.used_minutes, 20)
        self.assertAlmostEqual(response.late_minutes, -10)
        self.assertEqual(self._clock(ticket, "resolution").status, "running")

    def test_reply_to_the_customer_is_a_first_response(self):
        ticket = self._new_ticket(team_id=self.team_software.id)  # the engineer's team
        with freeze_time("2026-03-02 02:10:00"):
            ticket.with_user(self.engineer_user).message_post(
                body="We are looking at it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.responded_date, dt("2026-03-02 02:10:00"))
        self.assertEqual(self._clock(ticket, "response").status, "met")

    def test_internal_note_is_not_a_response(self):
        ticket = self._new_ticket()
        ticket.message_post(body="note", subtype_xmlid="mail.mt_note")
        self.assertFalse(ticket.responded_date)

    def test_late_completion_is_breached_with_lateness(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:45:00"):
            ticket.action_acknowledge()
        response = self._clock(ticket, "response")
        self.assertEqual(response.status, "breached")
        self.assertAlmostEqual(response.late_minutes, 15)
        self.assertEqual(ticket.sla_status, "breached")

    def test_pause_and_resume_keep_every_interval(self):
        ticket = self._new_ticket(stage_id=self.stage_progress.id)
        resolution = self._clock(ticket, "resolution")
        with freeze_time("2026-03-02 02:30:00"):
            ticket.stage_id = self.stage_awaiting
        self.assertEqual(resolution.status, "paused")
        self.assertEqual(ticket.sla_status, "paused")
        self.assertAlmostEqual(resolution.used_minutes, 30)
        self.assertFalse(resolution.next_check, "a paused clock is not scheduled")
        with freeze_time("2026-03-02 03:30:00"):
            ticket.stage_id = self.stage_progress
        self.assertEqual(resolution.status, "running")
        self.assertEqual(
            resolution.deadline, dt("2026-03-02 05:00:00"), "shifted by 1 h"
        )
        with freeze_time("2026-03-02 04:00:00"):
            ticket.stage_id = self.stage_awaiting
        with freeze_time("2026-03-02 04:10:00"):
            ticket.stage_id = self.stage_progress
        pauses = resolution.pause_ids
        self.assertEqual(len(pauses), 2)
        self.assertEqual(pauses[0].start_date, dt("2026-03-02 02:30:00"))
        self.assertEqual(pauses[0].stop_date, dt("2026-03-02 03:30:00"))
        self.assertEqual(pauses[1].stop_date, dt("2026-03-02 04:10:00"))
        self.assertEqual(resolution.deadline, dt("2026-03-02 05:10:00"))

    def test_breach_after_a_pause(self):
        ticket = self._new_ticket(stage_id=self.stage_progress.id)
        with freeze_time("2026-03-02 03:00:00"):
            ticket.stage_id = self.stage_awaiting
        with freeze_time("2026-03-02 05:00:00"):
            ticket.stage_id = self.stage_progress
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.deadline, dt("2026-03-02 06:00:00"))
        with freeze_time("2026-03-02 05:59:00"):
            self.Clock._cron_check_sla()
        self.assertFalse(resolution.breached)
        with freeze_time("2026-03-02 06:00:30"):
            self.Clock._cron_check_sla()
        self.assertTrue(resolution.breached)
        self.assertEqual(resolution.breach_date, dt("2026-03-02 06:00:00"))
        self.assertIn("SLA breached", ticket.message_ids[0].body)

    def test_breached_stays_breached_after_resolution_and_reopening(self):
        ticket = self._new_ticket(
            stage_id=self.stage_progress.id, **self.RESOLUTION_VALS
        )
        with freeze_time("2026-03-02 05:00:00"):
            self.Clock._cron_check_sla()
            ticket.stage_id = self.stage_resolved
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.status, "breached")
        self.assertAlmostEqual(resolution.late_minutes, 60)
        self.assertEqual(ticket.resolved_date, dt("2026-03-02 05:00:00"))
        with freeze_time("2026-03-02 06:00:00"):
            ticket.stage_id = self.stage_progress
        self.assertFalse(resolution.done_date, "reopened: the clock runs again")
        self.assertFalse(ticket.resolved_date)
        self.assertEqual(resolution.status, "breached")

    def test_reopened_clock_does_not_count_the_resolved_time(self):
        ticket = self._new_ticket(
            stage_id=self.stage_progress.id, **self.RESOLUTION_VALS
        )
        with freeze_time("2026-03-02 03:00:00"):
            ticket.stage_id = self.stage_resolved
        with freeze_time("2026-03-02 05:00:00"):
            ticket.stage_id = self.stage_progress
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.deadline, dt("2026-03-02 06:00:00"))

    def test_cancelled_ticket_does_not_meet_its_sla(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:10:00"):
            ticket.stage_id = self.stage_cancelled
        self.assertEqual(
            set(ticket.sla_clock_ids.mapped("status")),
            {"cancelled"},
            "OCA counts it met",
        )
        self.assertFalse(ticket.sla_status == "met")

    def test_retarget_keeps_the_clock_and_posts_old_and_new_deadline(self):
        faster = self._create_flat_sla_level("Faster", 10, 60)
        ticket = self._new_ticket()
        response = self._clock(ticket, "response")
        with freeze_time("2026-03-02 02:05:00"):
            ticket.sla_level_id = faster
        self.assertEqual(self._clock(ticket, "response"), response, "not restarted")
        self.assertEqual(response.start_date, dt("2026-03-02 02:00:00"))
        self.assertEqual(response.target_minutes, 10)
        self.assertEqual(response.deadline, dt("2026-03-02 02:10:00"))
        notes = ticket.message_ids.mapped("body")
        self.assertTrue(any("SLA targets changed" in body for body in notes))

    def test_priority_change_retargets(self):
        level = self.level_24
        level.target_ids.filtered(lambda t: t.priority == "3").response_minutes = 15
        ticket = self._new_ticket(impact="medium", urgency="medium")
        self.assertEqual(self._clock(ticket, "response").target_minutes, 30)
        with freeze_time("2026-03-02 02:01:00"):
            ticket.write({"impact": "high", "urgency": "high"})
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(
            self._clock(ticket, "response").deadline, dt("2026-03-02 02:15:00")
        )

    def test_onsite_clock_from_request_to_arrival(self):
        self.level_24.target_ids.write({"onsite_minutes": 90})
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 03:00:00"):
            visit = self._create_visit(ticket)
        onsite = self._clock(ticket, "onsite")
        self.assertEqual(onsite.activity_id, visit)
        self.assertEqual(onsite.deadline, dt("2026-03-02 04:30:00"))
        with freeze_time("2026-03-02 04:00:00"):
            self._check_in(visit)
        self.assertEqual(onsite.status, "met")
        self.assertAlmostEqual(onsite.late_minutes, -30)
        self.assertEqual(ticket.onsite_requested_date, dt("2026-03-02 03:00:00"))
        self.assertEqual(ticket.onsite_arrival_date, dt("2026-03-02 04:00:00"))

    def test_thresholds_fire_exactly_once_when_the_scheduler_runs_twice(self):
        ticket = self._new_ticket(
            user_id=self.engineer_user.id, team_id=self.team_software.id
        )
        before = len(ticket.message_ids)
        with freeze_time("2026-03-02 03:40:00"):  # resolution at 83%, response breached
            self.Clock._cron_check_sla()
            self.Clock._cron_check_sla()
        resolution = self._clock(ticket, "resolution")
        response = self._clock(ticket, "response")
        self.assertEqual(len(resolution.fired_threshold_ids), 2)
        self.assertEqual(
            len(response.fired_threshold_ids), 1, "the 80% one is resolution-only"
        )
        warnings = ticket.message_ids.filtered(
            lambda m: "SLA warning" in (m.body or "")
        )
        self.assertEqual(
            len(warnings),
            2,
            "resolution 50% + escalation; the response breach supersedes its 50%",
        )
        self.assertIn(self.engineer_user.partner_id, warnings.partner_ids)
        self.assertEqual(ticket.escalation_level, "manager")
        self.assertTrue(
            ticket.activity_ids.filtered(lambda a: a.user_id == self.manager_user)
        )
        self.assertIn(self.manager_user.partner_id, ticket.message_partner_ids)
        self.assertGreater(len(ticket.message_ids), before)
        self.assertEqual(ticket.sla_status, "breached")

    def test_at_risk_status_after_a_warning(self):
        ticket = self._new_ticket()
        with freeze_time("2026-03-02 02:20:00"):
            self.Clock._cron_check_sla()
        self.assertEqual(ticket.sla_status, "at_risk")

    def test_scheduler_only_touches_due_clocks(self):
        ticket = self._new_ticket()
        later = self._new_ticket(reported_date="2026-03-05 02:00:00")
        with freeze_time("2026-03-02 02:20:00"):
            with patch.object(
                type(self.Clock),
                "_check_due",
                autospec=True,
                side_effect=lambda *a: None,
            ) as check:
                self.Clock._cron_check_sla()
        checked = {call.args[0] for call in check.call_args_list}
        self.assertEqual(checked & set(later.sla_clock_ids), set())
        self.assertTrue(checked & set(ticket.sla_clock_ids))

    def test_a_failing_clock_does_not_stop_the_batch(self):
        first = self._new_ticket()
        second = self._new_ticket()
        bad = self._clock(first, "response")
        original = type(self.Clock)._check_due

        def check_due(clocks, now, used=None):
            if bad in clocks:
                raise ValueError("broken clock")
            return original(clocks, now, used)

        with (
            freeze_time("2026-03-02 02:20:00"),
            patch.object(type(self.Clock), "_check_due", check_due),
            self.assertLogs(
                "odoo.addons.response_support.models.response_support_sla_clock",
                "ERROR",
            ),
        ):
            self.Clock._cron_check_sla()
        self.assertTrue(self._clock(second, "response").fired_threshold_ids)
        self.assertFalse(bad.fired_threshold_ids)
        self.assertEqual(bad.next_check, dt("2026-03-02 03:20:00"), "retried later")

    def _queries_to_schedule(self, clocks):
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        before = self.env.cr.sql_log_count
        clocks._recompute_schedule()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_deadline_batch_query_count_does_not_grow(self):
        tickets = self.env["helpdesk.ticket"]
        for _i in range(30):
            tickets |= self._new_ticket()
        # as the scheduler gets them: from a search
        clocks = self.Clock.search([("ticket_id", "in", tickets.ids)])
        clocks.write({"deadline": False})  # something to write back
        few = self._queries_to_schedule(clocks[:4])
        clocks.write({"deadline": False})
        self.env.invalidate_all()
        with self.assertQueryCount(few):
            clocks._recompute_schedule()
            self.env.flush_all()
        self.assertEqual(len(clocks), 60)

    def test_scheduler_wakes_itself_for_the_next_due_moment(self):
        self._new_ticket()
        cron = self.env.ref("response_support.ir_cron_check_sla")
        with freeze_time("2026-03-02 02:20:00"):
            self.Clock._cron_check_sla()
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertEqual(
            trigger.call_at,
            dt("2026-03-02 02:30:01"),
            "just past the response deadline",
        )


@tagged("post_install", "-at_install")
class TestSlaChineseWorkingTime(ResponseSupportCase):
    """The worked examples, through the ticket's clocks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._create_calendar("CN 5x8")
        cls.calendar.write({"cn_public_holidays": True})
        cls.calendar.action_load_cn_holidays(2025)
        cls.calendar.action_load_cn_holidays(2026)
        cls.level = cls._create_flat_sla_level(
            "CN Silver", 60, 600, calendar_id=cls.calendar.id
        )
        cls.contract.phase_ids.write({"sla_level_id": cls.level.id})

    def _resolution(self, ticket):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == "resolution")

    def test_spring_festival_2026(self):
        # Fri 2026-02-13 16:00 Shanghai; Sat 02-14 works; 02-15…02-23 off
        ticket = self._create_ticket(reported_date="2026-02-13 08:00:00")
        self.assertEqual(self._resolution(ticket).calendar_id, self.calendar)
        self.assertEqual(
            self._resolution(ticket).deadline, datetime(2026, 2, 24, 1, 0), "Tue 09:00"
        )

    def test_national_day_2025(self):
        # Tue 2025-09-30 16:30 Shanghai, 60 minutes: 30 min that day, then 10-01…10-08
        # are off, Thu 10-09 08:30
        ticket = self._create_ticket(reported_date="2025-09-30 08:30:00")
        response = ticket.sla_clock_ids.filtered(lambda c: c.kind == "response")
        self.assertEqual(response.deadline, datetime(2025, 10, 9, 0, 30))
        # Sat 2025-09-27 16:00 (not a working day) → Sun 09-28 is a make-up day
        ticket = self._create_ticket(reported_date="2025-09-27 08:00:00")
        response = ticket.sla_clock_ids.filtered(lambda c: c.kind == "response")
        self.assertEqual(response.deadline, datetime(2025, 9, 28, 1, 0), "Sun 09:00")

    def test_across_the_holiday_and_a_make_up_saturday(self):
        """Mon 02-16 16:47 (holiday) + 48 working hours: Tue 02-24…Fri 02-27, the
        make-up Sat 02-28 and Mon 03-02 → Mon 03-02 17:00 Shanghai. (plan_hours
        answers Tue 03-03 08:00 here: its 14-day chunks cut the last stretch.)"""
        start = datetime(2026, 2, 16, 8, 47)
        walker = WorkingTime(self.calendar, start, start + timedelta(days=30))
        self.assertEqual(walker.add(start, 2880), datetime(2026, 3, 2, 9, 0))

    def test_used_minutes_count_working_time_only(self):
        ticket = self._create_ticket(reported_date="2026-02-13 08:00:00")
        with freeze_time("2026-02-24 00:30:00"):  # Tue 08:30 Shanghai
            ticket.action_acknowledge()
        response = ticket.sla_clock_ids.filtered(lambda c: c.kind == "response")
        self.assertAlmostEqual(response.used_minutes, 60 + 480 + 30)
        self.assertAlmostEqual(response.late_minutes, 510)
        self.assertTrue(response.breached)
        self.assertEqual(response.deadline, datetime(2026, 2, 13, 9, 0), "Fri 17:00")


@tagged("post_install", "-at_install")
class TestWorkingTimeWalker(ResponseSupportCase):
    """The walker against calendars whose attendance ends at 24:00 (Odoo makes that
    23:59:59.999999): a deadline on the end of a stretch must not slip."""

    def _calendar(self, tz, hours):
        return self.env["resource.calendar"].create(
            {
                "name": f"Walker {tz}",
                "tz": tz,
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{day}-{start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": stop,
                            "day_period": "morning" if start < 12 else "afternoon",
                        },
                    )
                    for day in range(7)
                    for start, stop in hours
                ],
            }
        )

    def _add(self, calendar, start, minutes):
        start = dt(start)
        walker = WorkingTime(
            calendar, start - timedelta(days=1), start + timedelta(days=10)
        )
        return walker.add(start, minutes)

    def test_round_the_clock_attendance_is_exact(self):
        calendar = self._calendar("UTC", [(0, 24)])
        self.assertEqual(
            self._add(calendar, "2026-03-01 16:00:00", 1440), dt("2026-03-02 16:00:00")
        )
        self.assertEqual(
            self._add(calendar, "2026-03-01 16:00:00", 4320), dt("2026-03-04 16:00:00")
        )

    def test_night_shift_ending_at_midnight(self):
        calendar = self._calendar("America/New_York", [(0, 6), (22, 24)])
        # 13:10 New York: next shift 22:00-24:00 then 00:00-06:00 = 480 minutes
        self.assertEqual(
            self._add(calendar, "2026-11-19 18:10:00", 480), dt("2026-11-20 11:00:00")
        )

    def test_used_minutes_are_whole(self):
        calendar = self._calendar("UTC", [(0, 24)])
        start = dt("2026-03-01 00:00:00")
        walker = WorkingTime(calendar, start, start + timedelta(days=5))
        self.assertEqual(walker.between(start, dt("2026-03-04 00:00:00")), 4320)
