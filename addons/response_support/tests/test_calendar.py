from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time
from pytz import timezone, utc

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.resource.models.resource_calendar import (
    ResourceCalendar as OdooCalendar,
)
from odoo.addons.response_support.models.resource_calendar import (
    UNKNOWN_YEARS_PARAM,
)

from .common import ResponseSupportCase, weekly_hours

SHANGHAI = timezone("Asia/Shanghai")


def local(*args):
    """An aware datetime from a Shanghai wall-clock time."""
    return SHANGHAI.localize(datetime(*args))


def at_utc(*args):
    return utc.localize(datetime(*args))


@tagged("post_install", "-at_install")
class TestChineseCalendar(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(UNKNOWN_YEARS_PARAM, False)
        # a schedule that follows the PRC holidays, loaded for 2025 and 2026
        with freeze_time("2025-03-01 04:00:00"):
            cls.calendar = cls._create_prc_calendar()
        cls.plain_calendar = cls._create_calendar("Plain 5x8")
        cls.Workday = cls.env["response.support.calendar.workday"]
        cls.Leave = cls.env["resource.calendar.leaves"]

    def _cn_leaves(self, calendar):
        return self.Leave.search(
            [("calendar_id", "=", calendar.id), ("cn_public_holiday", "=", True)]
        )

    # ------------------------------------------------------------------ loading

    def test_load_creates_holiday_periods_and_make_up_days(self):
        leaves = self._cn_leaves(self.calendar)
        self.assertEqual(len(leaves), 13, "6 periods in 2025, 7 in 2026")
        spring_2026 = leaves.filtered(lambda leave: leave.name.startswith("Spring"))[-1]
        self.assertEqual(spring_2026.name, "Spring Festival (春节)")
        # 02-15 00:00 → 02-24 00:00 in Shanghai, weekends inside included
        self.assertEqual(spring_2026.date_from, datetime(2026, 2, 14, 16, 0))
        self.assertEqual(spring_2026.date_to, datetime(2026, 2, 23, 16, 0))
        self.assertFalse(spring_2026.resource_id)
        self.assertEqual(spring_2026.time_type, "leave")
        national_2025 = leaves.filtered(
            lambda leave: leave.date_from == datetime(2025, 9, 30, 16, 0)
        )
        self.assertEqual(
            national_2025.name,
            "National Day (国庆节) / Mid-autumn Festival (中秋)",
            "2025-10-06 is Mid-autumn inside the National Day holiday: one period",
        )
        self.assertEqual(national_2025.date_to, datetime(2025, 10, 8, 16, 0))
        self.assertEqual(
            self.calendar.cn_workday_ids.mapped("date"),
            [
                date(2025, 1, 26),
                date(2025, 2, 8),
                date(2025, 4, 27),
                date(2025, 9, 28),
                date(2025, 10, 11),
                date(2026, 1, 4),
                date(2026, 2, 14),
                date(2026, 2, 28),
                date(2026, 5, 9),
                date(2026, 9, 20),
                date(2026, 10, 10),
            ],
        )
        self.assertTrue(all(self.calendar.cn_workday_ids.mapped("cn_public_holiday")))
        self.assertTrue(self.calendar.cn_has_workdays)
        self.assertFalse(self.plain_calendar.cn_has_workdays)
        self.assertEqual(self.calendar.cn_holidays_checked_date, date(2025, 3, 1))
        self.assertFalse(self._cn_leaves(self.plain_calendar))
        self.assertFalse(self.plain_calendar.cn_workday_ids)

    def test_loading_twice_creates_no_duplicates(self):
        leaves, workdays = self._cn_leaves(self.calendar), self.calendar.cn_workday_ids
        self.calendar.action_load_cn_holidays(year=2025)
        self.calendar.action_load_cn_holidays(year=2026)
        with freeze_time("2025-12-01"):
            self.calendar.action_load_cn_holidays()
        self.assertEqual(self._cn_leaves(self.calendar), leaves, "same records")
        self.assertEqual(self.calendar.cn_workday_ids, workdays)

    def test_reload_replaces_the_loaded_year_only_and_keeps_manual_entries(self):
        manual_leave = self.Leave.create(
            {
                "name": "Company anniversary",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2025, 6, 9, 0, 0),
                "date_to": datetime(2025, 6, 9, 9, 0),
            }
        )
        manual_workday = self.Workday.create(
            {"calendar_id": self.calendar.id, "date": date(2025, 6, 14)}
        )
        # a loaded holiday removed since (as if the published data had changed)
        stale_leave = self.Leave.create(
            dict(
                self.calendar._prepare_cn_holiday_leave_vals(
                    date(2025, 7, 1), date(2025, 7, 1), "Stale"
                )
            )
        )
        stale_workday = self.Workday.create(
            self.calendar._prepare_cn_workday_vals(date(2025, 7, 5), "Stale")
        )
        leaves_2026 = self._cn_leaves(self.calendar).filtered(
            lambda leave: leave.date_from.year == 2026
        )
        self.calendar.action_load_cn_holidays(year=2025)
        self.assertFalse(stale_leave.exists())
        self.assertFalse(stale_workday.exists())
        self.assertTrue(manual_leave.exists())
        self.assertTrue(manual_workday.exists())
        self.assertEqual(len(self._cn_leaves(self.calendar)), 13)
        self.assertLess(leaves_2026, self._cn_leaves(self.calendar))

    def test_unchecking_removes_the_loaded_days_and_checking_loads_them(self):
        manual_workday = self.Workday.create(
            {"calendar_id": self.calendar.id, "date": date(2025, 6, 14)}
        )
        self.calendar.cn_public_holidays = False
        self.assertFalse(self._cn_leaves(self.calendar))
        self.assertEqual(self.calendar.cn_workday_ids, manual_workday)
        with freeze_time("2026-01-10"):
            self.calendar.cn_public_holidays = True
        self.assertEqual(len(self._cn_leaves(self.calendar)), 7, "2026; 2027 unknown")
        self.assertEqual(len(self.calendar.cn_workday_ids), 7, "6 + the manual one")

    def test_changing_the_timezone_moves_the_loaded_holidays(self):
        self.calendar.tz = "Europe/Paris"
        leaves = self._cn_leaves(self.calendar)
        self.assertEqual(len(leaves), 13, "the same years, 2025 and 2026")
        spring_2026 = leaves.filtered(
            lambda leave: leave.name.startswith("Spring")
            and leave.date_from.year == 2026
        )
        # 02-15 00:00 → 02-24 00:00 in Paris (UTC+1 in winter)
        self.assertEqual(spring_2026.date_from, datetime(2026, 2, 14, 23, 0))
        self.assertEqual(spring_2026.date_to, datetime(2026, 2, 23, 23, 0))

    # ------------------------------------------------------------------ working time

    def test_spring_festival_2026(self):
        """Fri 16:00 + 1 h, Sat 02-14 is worked (8 h), 02-15…02-23 off, Tue + 1 h."""
        end = self.calendar.plan_hours(
            10, local(2026, 2, 13, 16, 0), compute_leaves=True
        )
        self.assertEqual(end, at_utc(2026, 2, 24, 1, 0), "Tue 2026-02-24 09:00")

    def test_national_day_2025(self):
        calendar = self.calendar
        # Sat 09-27 is off, Sun 09-28 is a make-up working day
        end = calendar.plan_hours(8, local(2025, 9, 27, 8, 0), compute_leaves=True)
        self.assertEqual(end, at_utc(2025, 9, 28, 9, 0), "Sun 2025-09-28 17:00")
        end = calendar.plan_hours(1, local(2025, 9, 30, 16, 30), compute_leaves=True)
        self.assertEqual(end, at_utc(2025, 10, 9, 0, 30), "Thu 2025-10-09 08:30")
        # Thu 10-09, Fri 10-10 and the make-up Sat 10-11
        hours = calendar.get_work_hours_count(local(2025, 10, 1), local(2025, 10, 12))
        self.assertEqual(hours, 24)
        # backwards too: 1 h before Thu 10-09 09:00 is 08:00 that day, 2 h is Tue 16:00
        end = calendar.plan_hours(-2, local(2025, 10, 9, 9, 0), compute_leaves=True)
        self.assertEqual(end, at_utc(2025, 9, 30, 8, 0), "Tue 2025-09-30 16:00")

    def test_make_up_days_count_without_leaves(self):
        """Without the leaves a make-up Saturday is still an attendance day."""
        hours = self.calendar.get_work_hours_count(
            local(2025, 10, 11), local(2025, 10, 12), compute_leaves=False
        )
        self.assertEqual(hours, 8)

    def test_plain_calendar_keeps_odoo_behaviour(self):
        calendar = self.plain_calendar
        self.assertEqual(
            calendar.get_work_hours_count(local(2025, 10, 1), local(2025, 10, 2)),
            8,
            "a PRC holiday on a Wednesday is worked",
        )
        self.assertEqual(
            calendar.get_work_hours_count(local(2025, 10, 11), local(2025, 10, 12)),
            0,
            "a make-up Saturday is not",
        )
        end = calendar.plan_hours(10, local(2026, 2, 13, 16, 0), compute_leaves=True)
        self.assertEqual(end, at_utc(2026, 2, 17, 1, 0), "Tue 2026-02-17 09:00")

    def test_work_intervals_batch_returns_the_make_up_day(self):
        resource = self.env["resource.resource"].create(
            {"name": "Engineer", "calendar_id": self.calendar.id, "tz": "Asia/Shanghai"}
        )
        intervals = self.calendar._work_intervals_batch(
            local(2026, 2, 14), local(2026, 2, 16), resources=resource
        )
        for resource_id in (False, resource.id):
            self.assertEqual(
                [(start, stop) for start, stop, _meta in intervals[resource_id]],
                [
                    (local(2026, 2, 14, 8), local(2026, 2, 14, 12)),
                    (local(2026, 2, 14, 13), local(2026, 2, 14, 17)),
                ],
                "Sat 02-14 worked like a Monday, Sun 02-15 a holiday",
            )
            meta = intervals[resource_id]._items[0][2]
            self.assertEqual(meta._name, "resource.calendar.attendance")
            self.assertEqual(meta.dayofweek, "0")
        # the boundaries cut the make-up day like any other day
        intervals = self.calendar._work_intervals_batch(
            local(2026, 2, 14, 10), local(2026, 2, 14, 14)
        )[False]
        self.assertEqual(
            [(start, stop) for start, stop, _meta in intervals],
            [
                (local(2026, 2, 14, 10), local(2026, 2, 14, 12)),
                (local(2026, 2, 14, 13), local(2026, 2, 14, 14)),
            ],
        )

    def test_make_up_day_follows_its_template_weekday(self):
        calendar = self._create_calendar(
            "Short Fridays",
            [hours for hours in weekly_hours() if hours[:2] != ("4", 13)],
        )
        calendar.attendance_ids = [
            (
                0,
                0,
                {
                    "name": "Lunch",
                    "dayofweek": "4",
                    "hour_from": 12,
                    "hour_to": 13,
                    "day_period": "lunch",
                },
            )
        ]
        self.Workday.create(
            {
                "calendar_id": calendar.id,
                "date": date(2025, 3, 8),
                "template_dayofweek": "4",
            }
        )
        start, end = local(2025, 3, 8), local(2025, 3, 9)
        self.assertEqual(calendar.get_work_hours_count(start, end), 4)
        # the lunch break of the template weekday as well
        lunch = calendar._attendance_intervals_batch(start, end, lunch=True)[False]
        self.assertEqual(
            [(start, stop) for start, stop, _meta in lunch],
            [(local(2025, 3, 8, 12), local(2025, 3, 8, 13))],
        )
        # a domain on the attendances applies to make-up days too
        intervals = calendar._attendance_intervals_batch(
            start, end, domain=[("day_period", "=", "afternoon")]
        )[False]
        self.assertFalse(intervals)

    def _count_queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        func()
        return self.env.cr.sql_log_count - count

    def test_calendar_without_make_up_days_pays_no_extra_query(self):
        calendar = self.plain_calendar
        start, end = local(2025, 10, 1), local(2025, 10, 15)
        odoo_queries = self._count_queries(
            lambda: OdooCalendar._attendance_intervals_batch(calendar, start, end)
        )
        queries = self._count_queries(
            lambda: calendar._attendance_intervals_batch(start, end)
        )
        self.assertEqual(queries, odoo_queries, "cold cache")
        with self.assertQueryCount(1):  # warm cache: the attendances, as in Odoo
            calendar._attendance_intervals_batch(start, end)

    # ------------------------------------------------------------------ unknown years

    def test_unknown_year_from_the_button_is_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "2099.*not published"):
            self.calendar.action_load_cn_holidays(year=2099)

    def test_unknown_years_keep_the_weekly_schedule(self):
        with freeze_time("2098-06-01"):
            calendar = self._create_prc_calendar("2098")
            with self.assertRaises(UserError):
                calendar.action_load_cn_holidays()
        self.assertFalse(self._cn_leaves(calendar))
        self.assertFalse(calendar.cn_workday_ids)
        hours = calendar.get_work_hours_count(local(2099, 9, 28), local(2099, 10, 5))
        self.assertEqual(hours, 40, "Mon 2099-09-28 → Sun 10-04: the weekly hours")

    def test_next_year_unknown_from_the_button_is_a_warning(self):
        with freeze_time("2026-11-28"):
            action = self.calendar.action_load_cn_holidays()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("2027", action["params"]["message"])

    def test_cron_tolerates_unknown_years_and_tells_the_managers_once(self):
        Message = self.env["mail.message"]
        domain = [
            ("partner_ids", "in", self.manager_user.partner_id.ids),
            ("subject", "ilike", "2099"),
        ]
        with freeze_time("2098-06-01"):
            self.calendar.cn_holidays_checked_date = False
            unknown = self.env["resource.calendar"]._cron_load_cn_holidays()
        self.assertEqual(unknown, [2098, 2099])
        messages = Message.search(domain)
        self.assertEqual(len(messages), 1)
        self.assertIn("not published yet", messages.subject)
        self.assertNotIn(
            self.desk_user.partner_id, messages.partner_ids, "managers only"
        )
        self.assertEqual(len(self._cn_leaves(self.calendar)), 13, "nothing removed")
        with freeze_time("2098-07-01"):
            unknown = self.env["resource.calendar"]._cron_load_cn_holidays()
        self.assertEqual(unknown, [2098, 2099], "still unknown…")
        self.assertEqual(len(Message.search(domain)), 1, "…but told only once")

    # ------------------------------------------------------------------ cron

    def test_cron_goes_on_when_a_calendar_fails(self):
        with freeze_time("2025-03-01"):
            bad = self._create_prc_calendar("Bad")
            good = self._create_prc_calendar("Good")
        (bad | good)._unload_cn_holidays()
        (self.calendar | bad | good).cn_holidays_checked_date = False
        Calendar = self.registry["resource.calendar"]
        load = Calendar._load_cn_holidays

        def _load_cn_holidays(calendars, years):
            if bad in calendars:
                raise UserError(self.env._("broken calendar"))
            return load(calendars, years)

        with (
            freeze_time("2025-06-01"),
            patch.object(Calendar, "_load_cn_holidays", _load_cn_holidays),
            self.assertLogs(
                "odoo.addons.response_support.models.resource_calendar", "WARNING"
            ) as logs,
        ):
            unknown = self.env["resource.calendar"]._cron_load_cn_holidays()
        self.assertEqual(unknown, [])
        self.assertIn("broken calendar", logs.output[0])
        self.assertFalse(self._cn_leaves(bad))
        self.assertEqual(len(self._cn_leaves(good)), 13)
        self.assertEqual(len(good.cn_workday_ids), 11)
        self.assertEqual(bad.cn_holidays_checked_date, date(2025, 6, 1))

    def test_cron_works_in_batches_and_resumes(self):
        with freeze_time("2025-03-01"):
            other = self._create_prc_calendar("Other")
        with (
            freeze_time("2025-06-01"),
            patch.object(
                self.registry["ir.cron"], "_notify_progress", autospec=True
            ) as progress,
        ):
            self.env["resource.calendar"]._cron_load_cn_holidays(limit=1)
            self.env["resource.calendar"]._cron_load_cn_holidays(limit=1)
            self.env["resource.calendar"]._cron_load_cn_holidays(limit=1)
        calls = [call.kwargs for call in progress.call_args_list]
        self.assertEqual(calls[0]["done"], 1)
        self.assertGreaterEqual(calls[0]["remaining"], 1)
        self.assertEqual(self.calendar.cn_holidays_checked_date, date(2025, 6, 1))
        self.assertEqual(other.cn_holidays_checked_date, date(2025, 6, 1))

    def test_cron_record_runs_and_reports_progress(self):
        cron = self.env.ref("response_support.ir_cron_load_cn_holidays")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "months"))
        self.assertTrue(cron.active)
        with freeze_time("2025-06-01"):
            cron.method_direct_trigger()
        self.assertEqual(self.calendar.cn_holidays_checked_date, date(2025, 6, 1))
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)])
        self.assertGreaterEqual(progress.done, 1)
        self.assertEqual(progress.remaining, 0)

    # ------------------------------------------------------------------ access

    def test_desk_user_reads_but_does_not_create_make_up_days(self):
        Workday = self.Workday.with_user(self.desk_user)
        workdays = Workday.search([("calendar_id", "=", self.calendar.id)])
        self.assertEqual(len(workdays), 11)
        self.assertTrue(workdays[0].date)
        with self.assertRaises(AccessError):
            Workday.create({"calendar_id": self.calendar.id, "date": date(2025, 3, 8)})
        with self.assertRaises(AccessError):
            workdays[0].template_dayofweek = "4"

    def test_manager_manages_make_up_days(self):
        Workday = self.Workday.with_user(self.manager_user)
        workday = Workday.create(
            {"calendar_id": self.calendar.id, "date": date(2025, 3, 8)}
        )
        workday.template_dayofweek = "4"
        self.assertEqual(
            self.calendar.get_work_hours_count(local(2025, 3, 8), local(2025, 3, 9)),
            8,
        )
        workday.unlink()

    def test_calendar_form_lists_holidays_and_make_up_days_by_date(self):
        """Reachable from Helpdesk → Configuration; both lists by date."""
        menu = self.env.ref("response_support.response_support_calendar_menu")
        self.assertEqual(
            menu.parent_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_config_main_menu"),
        )
        arch = self.env["resource.calendar"].get_view(
            self.env.ref("resource.resource_calendar_form").id, "form"
        )["arch"]
        self.assertIn('name="global_leave_ids"', arch)
        self.assertIn('default_order="date_from"', arch)
        self.assertIn('default_order="date"', arch)
