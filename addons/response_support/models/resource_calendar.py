import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday
from pytz import timezone, utc

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.resource.models.utils import Intervals, float_to_time

_logger = logging.getLogger(__name__)

UNKNOWN_YEARS_PARAM = "response_support.cn_holidays_unknown_years_notified"
# calendar fields that change the working time the SLA clocks count in (working
# hours are edited in the calendar form, through attendance_ids)
SLA_WORKING_TIME_FIELDS = {
    "tz",
    "attendance_ids",
    "flexible_hours",
    "two_weeks_calendar",
    "cn_public_holidays",
}
# the SLA clocks' working time is fetched and cached per calendar over windows
# aligned on this period (a window crossing a boundary takes the next period too)
SLA_INTERVAL_PERIOD = timedelta(days=7)
SLA_INTERVAL_EPOCH = datetime(2000, 1, 3)  # a Monday


def naive_utc(moment):
    return moment.astimezone(utc).replace(tzinfo=None)


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    cn_public_holidays = fields.Boolean(
        string="PRC Public Holidays",
        help="Follow the PRC statutory holidays and make-up working days (调休): "
        "they are loaded for the current and next year when this is checked, then "
        "every month, from the chinese-calendar library.",
    )
    cn_holidays_checked_date = fields.Date(
        string="PRC Holidays Checked On", readonly=True, copy=False
    )
    cn_workday_ids = fields.One2many(
        "response.support.calendar.workday",
        "calendar_id",
        string="Make-up Working Days",
        copy=True,
    )
    # stored, so that calendars without make-up days pay no query for them
    cn_has_workdays = fields.Boolean(compute="_compute_cn_has_workdays", store=True)

    @api.depends("cn_workday_ids")
    def _compute_cn_has_workdays(self):
        for calendar in self:
            calendar.cn_has_workdays = bool(calendar.cn_workday_ids)

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        calendars = super().create(vals_list)
        calendars.filtered("cn_public_holidays")._load_cn_holidays(
            self._get_cn_default_years()
        )
        return calendars

    def write(self, vals):
        # the working time changes: running clocks are replanned once, at the end
        with self.env["response.support.sla.clock"]._batch_external_changes():
            before = self.filtered("cn_public_holidays")
            loaded_years = {
                calendar: calendar._get_cn_loaded_years()
                for calendar in (before if "tz" in vals else [])
            }
            res = super().write(vals)
            if "cn_public_holidays" in vals or "tz" in vals:
                after = self.filtered("cn_public_holidays")
                # unknown years are tolerated here: the cron reports them
                (after - before)._load_cn_holidays(self._get_cn_default_years())
                (before - after)._unload_cn_holidays()
            if "tz" in vals:
                # the holidays run from midnight to midnight in the calendar's tz
                for calendar in before & after:
                    calendar._get_cn_holiday_leaves().unlink()
                    calendar._load_cn_holidays(loaded_years[calendar])
            if SLA_WORKING_TIME_FIELDS & set(vals):
                self._note_sla_change()
            elif "company_id" in vals:
                # the company's global leaves count: another company, other leaves
                self.env.registry.clear_cache()
        return res

    # ------------------------------------------------------------------ actions

    def action_load_cn_holidays(self, year=None):
        """Load the PRC holidays of ``year`` (default: current and next year)."""
        years = [int(year)] if year else self._get_cn_default_years()
        unknown = self._load_cn_holidays(years)
        if unknown and (year or len(unknown) == len(years)):
            # nothing was loaded: tell the user why
            raise UserError(self._get_cn_unknown_years_message(unknown))
        message = (
            self._get_cn_unknown_years_message(unknown)
            if unknown
            else self.env._(
                "PRC holidays and make-up working days loaded for %(years)s.",
                years=", ".join(map(str, years)),
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if unknown else "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_load_cn_holidays(self, limit=50):
        """Reload the PRC holidays of the current and next year on every calendar
        that follows them, ``limit`` calendars per batch (a calendar is done once a
        day). Returns the years chinese_calendar does not know; the managers are
        told about each of them once."""
        today = fields.Date.context_today(self)
        domain = [
            ("cn_public_holidays", "=", True),
            "|",
            ("cn_holidays_checked_date", "=", False),
            ("cn_holidays_checked_date", "<", today),
        ]
        calendars = self.search(domain, limit=limit)
        years = self._get_cn_default_years()
        unknown = set()
        # the clocks of all the reloaded calendars are replanned in one pass
        with self.env["response.support.sla.clock"]._batch_external_changes():
            for calendar in calendars:
                try:
                    with self.env.cr.savepoint():
                        unknown.update(calendar._load_cn_holidays(years))
                except UserError as error:
                    _logger.warning(
                        "PRC holidays not loaded on working schedule %s (%s): %s",
                        calendar.display_name,
                        calendar.id,
                        error,
                    )
                    # checked anyway, so that the next batch goes on with the others
                    calendar.cn_holidays_checked_date = today
        self.env["ir.cron"]._notify_progress(
            done=len(calendars),
            remaining=self.search_count(domain) if len(calendars) == limit else 0,
        )
        unknown = sorted(unknown)
        if unknown:
            _logger.warning(
                "chinese_calendar does not know the PRC holidays of %s yet: "
                "the weekly schedules apply",
                unknown,
            )
            ICP = self.env["ir.config_parameter"].sudo()
            notified = set((ICP.get_param(UNKNOWN_YEARS_PARAM) or "").split(","))
            new_years = [year for year in unknown if str(year) not in notified]
            if new_years:
                self._notify_unknown_cn_year(new_years)
                ICP.set_param(
                    UNKNOWN_YEARS_PARAM,
                    ",".join(sorted((notified | set(map(str, new_years))) - {""})),
                )
        return unknown

    # ------------------------------------------------------------- business methods

    @api.model
    def _get_cn_default_years(self):
        today = fields.Date.context_today(self)
        return [today.year, today.year + 1]

    @api.model
    def _get_cn_unknown_years_message(self, years):
        return self.env._(
            "The PRC holidays of %(years)s are not published in the installed "
            "chinese-calendar library yet: the working schedule uses its weekly hours "
            "for that period. Upgrade the chinese-calendar Python package once the "
            "State Council has published them, then load the holidays again.",
            years=", ".join(map(str, years)),
        )

    @api.model
    def _notify_unknown_cn_year(self, years):
        """Tell the support managers that ``years`` have no PRC holidays yet."""
        managers = self.env.ref("response_support.group_response_support_manager").users
        if not managers:
            return
        # sudo: a fixed notice from OdooBot to internal users, nothing from a request
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=managers.partner_id.ids,
            author_id=self.env.ref("base.partner_root").id,
            subject=self.env._(
                "Chinese holidays of %(years)s are not published yet",
                years=", ".join(map(str, years)),
            ),
            body=self._get_cn_unknown_years_message(years),
        )

    @api.model
    def _get_cn_year_data(self, year):
        """The PRC holidays of ``year`` from chinese_calendar: a list of holiday
        periods ``(first_day, last_day, name)`` (weekends inside included) and a list
        of make-up working days ``(day, name)`` (weekend days that are worked).
        Raise NotImplementedError when chinese_calendar does not know ``year``."""
        periods, workdays = [], []
        day = date(year, 1, 1)
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            if is_holiday and name:
                name = _cn_holiday_name(name)
                if periods and periods[-1][1] == day - timedelta(days=1):
                    # one period, even of two holidays (e.g. 国庆节 + 中秋 in 2025)
                    first_day, _last_day, names = periods[-1]
                    if name not in names:
                        names = f"{names} / {name}"
                    periods[-1] = (first_day, day, names)
                else:
                    periods.append((day, day, name))
            elif not is_holiday and day.weekday() >= 5:
                workdays.append((day, _cn_holiday_name(name) if name else False))
            day += timedelta(days=1)
        return periods, workdays

    def _load_cn_holidays(self, years):
        """Synchronise the loaded PRC holidays (global leaves) and make-up working
        days of ``years`` on these calendars with chinese_calendar. What was entered
        by hand is left alone. Returns the years chinese_calendar does not know:
        their weekly schedule applies unchanged."""
        unknown = []
        if not self:
            return unknown
        # one replanning of the clocks for the whole reload, not one per change
        with self.env["response.support.sla.clock"]._batch_external_changes():
            for year in sorted(set(years)):
                try:
                    periods, workdays = self._get_cn_year_data(year)
                except NotImplementedError:
                    unknown.append(year)
                    continue
                self._sync_cn_holiday_leaves(year, periods)
                self._sync_cn_workdays(year, workdays)
        self.cn_holidays_checked_date = fields.Date.context_today(self)
        return unknown

    def _get_cn_holiday_leaves(self, domain=None):
        """The PRC holidays loaded on these calendars."""
        return self.env["resource.calendar.leaves"].search(
            expression.AND(
                [
                    domain or [],
                    [("calendar_id", "in", self.ids), ("cn_public_holiday", "=", True)],
                ]
            )
        )

    def _get_cn_loaded_years(self):
        """The years whose PRC holidays are loaded on this calendar."""
        self.ensure_one()
        return {leave._get_cn_local_year() for leave in self._get_cn_holiday_leaves()}

    def _sync_cn_holiday_leaves(self, year, periods):
        Leave = self.env["resource.calendar.leaves"]
        old_leaves = self._get_cn_holiday_leaves(
            [
                ("date_from", ">=", datetime(year - 1, 12, 30)),
                ("date_from", "<", datetime(year + 1, 1, 2)),
            ]
        ).filtered(lambda leave: leave._get_cn_local_year() == year)
        existing = {
            (leave.calendar_id, leave.date_from, leave.date_to): leave
            for leave in old_leaves
        }
        to_create = []
        for calendar in self:
            for first_day, last_day, name in periods:
                vals = calendar._prepare_cn_holiday_leave_vals(
                    first_day, last_day, name
                )
                leave = existing.pop(
                    (calendar, vals["date_from"], vals["date_to"]), Leave
                )
                if not leave:
                    to_create.append(vals)
                elif leave.name != vals["name"]:
                    leave.name = vals["name"]
        Leave.browse().union(*existing.values()).unlink()
        Leave.create(to_create)

    def _sync_cn_workdays(self, year, workdays):
        Workday = self.env["response.support.calendar.workday"]
        old_workdays = Workday.search(
            [
                ("calendar_id", "in", self.ids),
                ("date", ">=", date(year, 1, 1)),
                ("date", "<=", date(year, 12, 31)),
            ]
        )
        existing = {
            (workday.calendar_id, workday.date): workday for workday in old_workdays
        }
        to_create = []
        for calendar in self:
            for day, name in workdays:
                workday = existing.pop((calendar, day), Workday)
                if not workday:
                    to_create.append(calendar._prepare_cn_workday_vals(day, name))
                # a make-up day entered by hand, or its template edited, is kept
        Workday.browse().union(*existing.values()).filtered(
            "cn_public_holiday"
        ).unlink()
        Workday.create(to_create)

    def _prepare_cn_holiday_leave_vals(self, first_day, last_day, name):
        """A global leave from ``first_day`` 00:00 to the day after ``last_day``
        00:00 in the calendar's timezone."""
        self.ensure_one()
        tz = timezone(self.tz or "UTC")

        def to_utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(utc).replace(tzinfo=None)

        return {
            "name": name,
            "calendar_id": self.id,
            "resource_id": False,
            "time_type": "leave",
            "date_from": to_utc(first_day),
            "date_to": to_utc(last_day + timedelta(days=1)),
            "cn_public_holiday": True,
        }

    def _prepare_cn_workday_vals(self, day, name):
        """A make-up working day, worked with the hours of a Monday."""
        self.ensure_one()
        return {
            "calendar_id": self.id,
            "date": day,
            "name": name,
            "template_dayofweek": "0",
            "cn_public_holiday": True,
        }

    def _unload_cn_holidays(self):
        """Remove the loaded PRC holidays and make-up working days."""
        if not self:
            return
        with self.env["response.support.sla.clock"]._batch_external_changes():
            self._get_cn_holiday_leaves().unlink()
            self.cn_workday_ids.filtered("cn_public_holiday").unlink()

    def _note_sla_change(self):
        """The working time of these calendars changed: their running clocks are
        replanned (completed ones keep their verdict). The cached working time of
        every calendar is dropped, even when ``self`` is empty (a global leave
        without company changes them all); a rollback drops it again."""
        self.env.registry.clear_cache()
        self.env["response.support.sla.clock"]._note_external_change(calendars=self)

    def _get_sla_work_intervals(self, start, stop):
        """(window start, window stop, ((begin, end), …)): the working intervals
        the SLA clocks count in, naive UTC, over a window that holds ``start`` to
        ``stop`` (naive UTC) aligned on SLA_INTERVAL_PERIOD, so that clocks
        started within a week share one cached fetch."""
        self.ensure_one()
        first = start - (start - SLA_INTERVAL_EPOCH) % SLA_INTERVAL_PERIOD
        last = stop + (SLA_INTERVAL_EPOCH - stop) % SLA_INTERVAL_PERIOD
        return first, last, self._fetch_sla_work_intervals(first, last)

    @tools.ormcache("self.id", "start", "stop")
    def _fetch_sla_work_intervals(self, start, stop):
        """Cached in the registry until the working time changes (attendances,
        leaves, make-up days, PRC holidays, calendar fields: ``_note_sla_change``).
        As superuser: the calendar's working time, whoever asks (record rules
        would hide leaves of other companies, see _get_sla_leave_domain)."""
        calendar = self.sudo()
        intervals = calendar._work_intervals_batch(
            utc.localize(start),
            utc.localize(stop),
            domain=calendar._get_sla_leave_domain(),
        )[False]
        return tuple(
            (naive_utc(begin), naive_utc(end)) for begin, end, _meta in intervals
        )

    def _get_sla_tz(self):
        """This calendar's time zone (False without a calendar), cached in the
        registry for stored calendars until it changes (``_note_sla_change``)."""
        if len(self) != 1 or not isinstance(self.id, int):
            return self.tz if len(self) == 1 else False
        return self._get_stored_sla_tz()

    @tools.ormcache("self.id")
    def _get_stored_sla_tz(self):
        return self.sudo().tz

    def _get_sla_leave_domain(self):
        """The leaves that shorten the working time SLA clocks count in: this
        calendar's, and the global ones (no calendar) of its own company only. The
        clocks are computed as superuser, so record rules would not keep another
        company's global leaves out."""
        self.ensure_one()
        return [
            ("time_type", "=", "leave"),
            "|",
            ("calendar_id", "!=", False),
            ("company_id", "in", self.company_id.ids + [False]),
        ]

    # ------------------------------------------------------------------ working time

    def _attendance_intervals_batch(
        self, start_dt, end_dt, resources=None, domain=None, tz=None, lunch=False
    ):
        """Add the make-up working days: on each, the attendances of its template
        weekday."""
        result = super()._attendance_intervals_batch(
            start_dt, end_dt, resources=resources, domain=domain, tz=tz, lunch=lunch
        )
        if not self.cn_has_workdays or self.flexible_hours:
            return result
        # every timezone is less than a day away from UTC
        first_day = (start_dt.astimezone(utc) - timedelta(days=1)).date()
        last_day = (end_dt.astimezone(utc) + timedelta(days=1)).date()
        workdays = self.cn_workday_ids.filtered(
            lambda w: first_day <= w.date <= last_day
        )
        if not workdays:
            return result
        extra = self._get_cn_workday_intervals_batch(
            workdays,
            start_dt,
            end_dt,
            resources=resources,
            domain=domain,
            tz=tz,
            lunch=lunch,
        )
        return {
            resource_id: intervals | extra[resource_id]
            if extra.get(resource_id)
            else intervals
            for resource_id, intervals in result.items()
        }

    def _get_cn_workday_intervals_batch(
        self,
        workdays,
        start_dt,
        end_dt,
        resources=None,
        domain=None,
        tz=None,
        lunch=False,
    ):
        """Attendance intervals of the make-up working days ``workdays`` between
        ``start_dt`` and ``end_dt``, like ``_attendance_intervals_batch``: a dict
        resource id → Intervals."""
        self.ensure_one()
        Attendance = self.env["resource.calendar.attendance"]
        Resource = self.env["resource.resource"]
        resources_list = [Resource] + list(resources or [])
        attendances = Attendance.search(
            expression.AND(
                [
                    domain or [],
                    [
                        ("calendar_id", "=", self.id),
                        ("resource_id", "in", [r.id for r in resources_list]),
                        ("display_type", "=", False),
                        ("day_period", "=" if lunch else "!=", "lunch"),
                        (
                            "dayofweek",
                            "in",
                            list(set(workdays.mapped("template_dayofweek"))),
                        ),
                    ],
                ]
            )
        )
        # naive local intervals per resource id (False: the calendar's own)
        naive = defaultdict(list)
        for workday in workdays:
            day = workday.date
            week_type = str(Attendance.get_week_type(day))
            for attendance in attendances:
                if (
                    attendance.dayofweek != workday.template_dayofweek
                    or (self.two_weeks_calendar and attendance.week_type != week_type)
                    or (attendance.date_from and day < attendance.date_from)
                    or (attendance.date_to and attendance.date_to < day)
                ):
                    continue
                naive[attendance.resource_id.id].append(
                    (
                        datetime.combine(day, float_to_time(attendance.hour_from)),
                        datetime.combine(day, float_to_time(attendance.hour_to)),
                        attendance,
                    )
                )
        result = {}
        for resource in resources_list:
            if resource and resource._is_flexible():
                continue  # flexible resources have no attendances to add to
            res_tz = tz or timezone((resource or self).tz)
            start, end = start_dt.astimezone(res_tz), end_dt.astimezone(res_tz)
            result[resource.id] = Intervals(
                [
                    (
                        max(start, res_tz.localize(day_from)),
                        min(end, res_tz.localize(day_to)),
                        attendance,
                    )
                    for day_from, day_to, attendance in naive[False]
                    + (naive[resource.id] if resource else [])
                ]
            )
        return result


def _cn_holiday_name(english):
    """``Spring Festival (春节)``: chinese_calendar's English name and Chinese one."""
    try:
        return f"{english} ({Holiday(english).chinese})"
    except ValueError:  # a name chinese_calendar has no Chinese one for
        return english
