from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import errors

from odoo import fields
from odoo.tests import tagged

from ..models.response_support_sla_clock import RETRY_DELAY, WARNING_LEAD
from .common import ResponseSupportCase, weekly_hours

LOGGER = "odoo.addons.response_support.models.response_support_sla_clock"


def dt(value):
    return fields.Datetime.to_datetime(value)


@tagged("post_install", "-at_install")
class TestSlaScheduler(ResponseSupportCase):
    """The SLA scheduler: one breach rule, no spinning, no stale warning, warnings
    ahead of the cron's polling, breaches dated at the deadline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Clock = cls.env["response.support.sla.clock"]
        cls.cron = cls.env.ref("response_support.ir_cron_check_sla")
        # 7×24: response 30 min, resolution 120 min
        cls.level_24 = cls._create_7x24_level(
            "Scheduler 7x24",
            {"percent": 80, "action": "escalate", "kind": "response"},
            {"percent": 150, "action": "notify_manager", "kind": "resolution"},
        )
        # working time 08:00-10:00 and 11:00-12:00 UTC every day
        cls.calendar_gap = cls._create_calendar(
            "Scheduler gap",
            weekly_hours(days="0123456", hours=((8, 10), (11, 12))),
            tz="UTC",
        )
        cls.level_gap = cls._create_flat_sla_level(
            "Scheduler 1 minute",
            1,
            600,
            thresholds=[{"percent": 42, "action": "notify_assignee"}],
            calendar_id=cls.calendar_gap.id,
        )
        cls.contract.phase_ids.write({"sla_level_id": cls.level_24.id})
        # a second system of the customer, under a contract on the gap calendar
        cls.system_gap = cls.env["response.support.system"].create(
            {"name": "Water Meters", "code": "T-WM", "partner_id": cls.customer.id}
        )
        cls.env["response.support.contract"].create(
            {
                "name": "Water meters O&M",
                "partner_id": cls.customer.id,
                "system_ids": [(6, 0, cls.system_gap.ids)],
                "phase_ids": [
                    cls._phase("warranty", "2026-01-01", "2026-12-31", cls.level_gap)
                ],
            }
        )

    def _ticket(self, reported="2026-03-02 02:00:00", level=None, **overrides):
        if level:
            overrides["system_id"] = self.system_gap.id
        with freeze_time(reported):
            return self._create_ticket(
                reported_date=reported,
                user_id=self.engineer_user.id,
                team_id=self.team_software.id,
                **overrides,
            )

    def _clock(self, ticket, kind):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == kind)

    def _pass(self, moment):
        with freeze_time(moment):
            self.Clock._cron_check_sla()

    def _sla_messages(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: any(
                text in (m.body or "") for text in ("SLA warning", "SLA breached")
            )
        ).sorted("id")

    # ------------------------------------------------------------ one breach rule

    def test_at_the_deadline_the_clock_is_met_for_scheduler_and_completion(self):
        ticket = self._ticket()
        response = self._clock(ticket, "response")
        self._pass("2026-03-02 02:30:00")  # the deadline itself
        self.assertFalse(response.breached, "used time equals the target: not late")
        self.assertGreater(response.next_check, dt("2026-03-02 02:30:00"))
        with freeze_time("2026-03-02 02:30:00"):
            ticket.action_acknowledge()
        self.assertEqual(response.status, "met")
        self.assertEqual(response.late_minutes, 0)

    def test_breach_at_completion_posts_the_note_and_acts_once(self):
        ticket = self._ticket()
        response = self._clock(ticket, "response")
        with freeze_time("2026-03-02 02:45:00"):  # no scheduler pass in between
            ticket.action_acknowledge()
        self.assertEqual(response.status, "breached")
        self.assertEqual(response.breach_date, dt("2026-03-02 02:30:00"))
        self.assertAlmostEqual(response.late_minutes, 15)
        breaches = self._sla_messages(ticket)
        self.assertEqual(len(breaches), 1)
        self.assertIn("SLA breached", breaches.body)
        self.assertIn(
            self.engineer_user.partner_id,
            breaches.partner_ids,
            "the assignee its 50% warning would have told",
        )
        self.assertEqual(
            ticket.escalation_level, "engineer", "a completed clock is not escalated"
        )
        self._pass("2026-03-02 02:50:00")
        self.assertEqual(
            self._sla_messages(ticket).filtered(lambda m: "Response" in m.body),
            breaches,
            "neither a second breach nor a late warning",
        )

    def test_deadline_on_the_end_of_a_working_stretch(self):
        # 1 working minute from 09:59 ends at 10:00, when work stops until 11:00
        ticket = self._ticket("2026-03-02 09:59:00", self.level_gap)
        response = self._clock(ticket, "response")
        self.assertEqual(response.deadline, dt("2026-03-02 10:00:00"))
        self._pass("2026-03-02 10:30:00")
        self.assertFalse(response.breached, "no working second past the target yet")
        self.assertEqual(
            response.next_check,
            dt("2026-03-02 11:00:01"),
            "looked at again at the next working second, not at once",
        )
        self._pass("2026-03-02 11:00:01")
        self.assertTrue(response.breached)
        self.assertEqual(response.breach_date, dt("2026-03-02 10:00:00"))
        self.assertFalse(response.next_check)

    # ------------------------------------------------------------ no spinning

    def test_threshold_on_the_end_of_a_working_stretch_fires_once(self):
        """42 % of 1 minute is 25.2 s: planned at 25 s, at 10:00:00 when the working
        stretch ends. The old scheduler compared 25 s with 25.2 s and found its
        next check (10:00) still due after every pass."""
        ticket = self._ticket("2026-03-02 09:59:35", self.level_gap)
        response = self._clock(ticket, "response")
        self.assertEqual(response.deadline, dt("2026-03-02 11:00:35"))
        self.assertEqual(response.next_check, dt("2026-03-02 10:00:00") - WARNING_LEAD)
        self._pass("2026-03-02 10:30:00")
        self._pass("2026-03-02 10:30:00")
        self.assertEqual(response.fired_threshold_ids, self.level_gap.threshold_ids)
        warnings = self._sla_messages(ticket).filtered(lambda m: "Response" in m.body)
        self.assertEqual(len(warnings), 1)
        self.assertEqual(
            response.next_check,
            dt("2026-03-02 11:00:36"),
            "moved on: one second past the deadline",
        )
        due = self.Clock._due_domain(dt("2026-03-02 10:30:00"))
        self.assertFalse(self.Clock.search_count(due + [("ticket_id", "=", ticket.id)]))

    def test_a_failing_calendar_does_not_stop_the_others(self):
        good = self._ticket()
        bad = self._ticket("2026-03-02 09:59:35", self.level_gap)
        original = type(self.Clock)._working_time

        def working_time(clocks, calendar, start, stop):
            if calendar == self.calendar_gap:
                raise ValueError("no holidays known for that year")
            return original(clocks, calendar, start, stop)

        with (
            patch.object(type(self.Clock), "_working_time", working_time),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            self._pass("2026-03-02 10:30:00")
        self.assertEqual(len(logs.records), 1, "the due clock of the bad calendar")
        self.assertTrue(self._clock(good, "response").breached, "handled")
        self.assertTrue(self._clock(good, "resolution").breached, "handled")
        bad_response = self._clock(bad, "response")
        self.assertFalse(bad_response.fired_threshold_ids)
        self.assertEqual(
            bad_response.next_check,
            dt("2026-03-02 10:30:00") + RETRY_DELAY,
            "pushed back, not retried first at every pass",
        )
        self._pass("2026-03-02 11:30:00")  # the calendar works again
        self.assertTrue(bad_response.breached)

    def test_one_failing_clock_is_pushed_back_the_others_are_handled(self):
        first = self._ticket()
        second = self._ticket()
        bad = self._clock(first, "response")
        original = type(self.Clock)._check_due

        def check_due(clocks, now, used=None):
            if bad in clocks:
                raise ValueError("broken record")
            return original(clocks, now, used)

        with (
            patch.object(type(self.Clock), "_check_due", check_due),
            self.assertLogs(LOGGER, "ERROR"),
        ):
            self._pass("2026-03-02 02:20:00")
        self.assertTrue(self._clock(second, "response").fired_threshold_ids)
        self.assertTrue(self._clock(first, "resolution").next_check)
        self.assertFalse(bad.fired_threshold_ids)
        self.assertEqual(bad.next_check, dt("2026-03-02 02:20:00") + RETRY_DELAY)

    def test_serialization_failures_are_raised_for_the_cron_to_retry(self):
        self._ticket()

        def check_due(clocks, now, used=None):
            raise errors.SerializationFailure("could not serialize access")

        with (
            patch.object(type(self.Clock), "_check_due", check_due),
            self.assertRaises(errors.SerializationFailure),
        ):
            self._pass("2026-03-02 02:20:00")

    # ------------------------------------------------------------ no stale warning

    def test_a_pass_after_the_deadline_posts_the_breach_only(self):
        ticket = self._ticket()
        response = self._clock(ticket, "response")
        self._pass("2026-03-02 02:31:00")  # past 50 %, 80 % and the deadline
        messages = self._sla_messages(ticket)
        self.assertEqual(len(messages), 1)
        self.assertIn("SLA breached", messages.body)
        self.assertEqual(response.breach_date, dt("2026-03-02 02:30:00"))
        self.assertEqual(len(response.fired_threshold_ids), 2, "superseded, not sent")
        self.assertIn(self.engineer_user.partner_id, messages.partner_ids)
        self.assertIn(self.manager_user.partner_id, messages.partner_ids)
        self.assertEqual(
            ticket.escalation_level, "manager", "the superseded 80% escalates"
        )
        self._pass("2026-03-02 02:40:00")
        self.assertEqual(self._sla_messages(ticket), messages, "nothing afterwards")

    def test_messages_of_a_clock_are_posted_in_time_order(self):
        ticket = self._ticket()
        resolution = self._clock(ticket, "resolution")
        with freeze_time("2026-03-02 02:10:00"):
            ticket.action_acknowledge()  # the response clock is out of the way
        self._pass("2026-03-02 05:00:00")  # past 50 % (03:00), 04:00 and 150 %
        messages = self._sla_messages(ticket).filtered(lambda m: "Resolution" in m.body)
        self.assertEqual(len(messages), 2)
        self.assertIn("SLA breached", messages[0].body, "the deadline, 04:00")
        self.assertIn("150%", messages[1].body, "05:00")
        self.assertEqual(resolution.breach_date, dt("2026-03-02 04:00:00"))

    # ------------------------------------------------------------ cron granularity

    def test_warning_arrives_ahead_of_the_cron_polling(self):
        ticket = self._ticket()
        response = self._clock(ticket, "response")
        warning_at = dt("2026-03-02 02:15:00")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        self.assertEqual(
            trigger.call_at,
            warning_at - WARNING_LEAD,
            "the new clock wakes the scheduler a polling interval early",
        )
        self._pass(warning_at - WARNING_LEAD - timedelta(seconds=1))
        self.assertFalse(response.fired_threshold_ids, "not due yet")
        # the cron thread polls up to a minute after the trigger: still in time
        self._pass(warning_at - timedelta(seconds=15))
        self.assertEqual(len(self._sla_messages(ticket)), 1)
        self.assertIn("50%", self._sla_messages(ticket).body)

    def test_breach_is_dated_at_the_deadline_whenever_the_pass_runs(self):
        ticket = self._ticket()
        self._pass("2026-03-02 02:20:00")  # the 50% warning
        self._pass("2026-03-02 03:17:00")  # long after the response deadline
        response = self._clock(ticket, "response")
        self.assertEqual(response.breach_date, dt("2026-03-02 02:30:00"))
        self.assertEqual(response.status, "breached")
        with freeze_time("2026-03-02 03:20:00"):
            ticket.action_acknowledge()
        self.assertAlmostEqual(response.late_minutes, 50)

    def test_a_pass_fetches_working_time_once_per_calendar(self):
        tickets = self._ticket("2026-03-02 09:00:00", self.level_gap) | self._ticket(
            "2026-03-02 09:30:00", self.level_gap
        )
        original = type(self.Clock)._working_time
        with patch.object(
            type(self.Clock), "_working_time", autospec=True, side_effect=original
        ) as fetch:
            used = tickets.sla_clock_ids._used_at_pass(dt("2026-03-02 10:30:00"))
        self.assertEqual(fetch.call_count, 1, "now and ahead from one walker")
        response = self._clock(tickets[0], "response")
        self.assertEqual(used[response], (60, 60), "until 10:00, nothing ahead")
