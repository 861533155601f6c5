import logging
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

CLOCK_KINDS = [
    ("response", "Response"),
    ("resolution", "Resolution"),
    ("onsite", "On-site Arrival"),
    ("support", "Support Time"),
]
CLOCK_STATUSES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("breached", "Breached"),
    ("cancelled", "Cancelled"),
]
# working time fetched when planning: a few days, plus a day per 4 working hours to
# plan (a holiday week fits); multiplied by 4 for what is still beyond the window, up
# to PLANNING_MAX_DAYS (a deadline further away stays unplanned)
PLANNING_MIN_DAYS = 3
PLANNING_MINUTES_PER_DAY = 240
PLANNING_MAX_DAYS = 5 * 366
# Odoo's cron workers look for due jobs every SLEEP_INTERVAL seconds (60 s in 18.0; the
# threaded cron thread n waits n s more, a prefork cron worker up to 9 s more), and a
# trigger set for a future moment does not wake them: a job triggered for T runs up to
# one polling interval after T. Warnings are therefore looked at this much before their
# moment (see ``_get_next_check``); breaches never are.
WARNING_LEAD = timedelta(seconds=SLEEP_INTERVAL + 10)
# a clock whose check failed is looked at again after this delay
RETRY_DELAY = timedelta(hours=1)

# changes made outside the tickets (contracts, SLA levels, calendars) collected
# inside ``_batch_external_changes``: their clocks are replanned once, at its end
_PENDING_EXTERNAL_CHANGES = ContextVar(
    "response_support_sla_pending_external_changes", default=None
)
# the warnings of a scheduler pass, collected by ``_batch_sla_warnings`` and posted
# together at its end (see ``SlaWarningBatch``)
_SLA_WARNING_BATCH = ContextVar("response_support_sla_warning_batch", default=None)


def whole_second(moment):
    """``moment`` rounded to the nearest second: Odoo ends a 24:00 attendance at
    23:59:59.999999, which must count as midnight, not as a second short."""
    return (moment + timedelta(microseconds=500000)).replace(microsecond=0)


class WorkingTime:
    """Working time of one calendar over a window, walked in Python; the window
    grows to the calendar's cached one (``_get_sla_work_intervals``).

    ``add(start, minutes)`` is the moment ``minutes`` working minutes after ``start``;
    ``minutes_until(moment)`` the working minutes from the window's start to
    ``moment``. Without a calendar, time runs around the clock (7×24). All datetimes
    are naive UTC, as Odoo stores them; the walk counts whole seconds, so a deadline
    that falls on the end of a working stretch stays on it."""

    def __init__(self, calendar, start, stop):
        self.start, self.stop = start, stop
        self.calendar = calendar
        if not calendar:
            return
        # the window grows to the cached one: moments inside it walk the same
        self.start, self.stop, intervals = calendar._get_sla_work_intervals(start, stop)
        self.begins, self.ends, self.cumul = [], [], [0]
        for begin, end in intervals:
            begin, end = whole_second(begin), whole_second(end)
            if end <= begin:
                continue
            self.begins.append(begin)
            self.ends.append(end)
            self.cumul.append(self.cumul[-1] + int((end - begin).total_seconds()))

    def _seconds_until(self, moment):
        if not self.calendar:
            return int((whole_second(moment) - self.start).total_seconds())
        i = bisect_right(self.begins, moment) - 1
        if i < 0:
            return 0
        inside = min(whole_second(moment), self.ends[i]) - self.begins[i]
        return self.cumul[i] + int(inside.total_seconds())

    def minutes_until(self, moment):
        """Working minutes between the window start and ``moment``."""
        return self._seconds_until(moment) / 60

    def between(self, start, stop):
        """Working minutes between two moments of the window."""
        return max(self._seconds_until(stop) - self._seconds_until(start), 0) / 60

    def add(self, start, minutes):
        """The moment ``minutes`` working minutes after ``start``, or None when it
        falls beyond the window."""
        seconds = max(round(minutes * 60), 0)
        if not self.calendar:
            return whole_second(start) + timedelta(seconds=seconds)
        if not seconds:
            # nothing left: the moment itself, or the next working moment
            j = bisect_right(self.ends, start)
            return max(start, self.begins[j]) if j < len(self.begins) else None
        goal = self._seconds_until(start) + seconds
        i = bisect_left(self.cumul, goal) - 1  # interval i holds the goal
        if i >= len(self.begins):
            return None
        return self.begins[i] + timedelta(seconds=goal - self.cumul[i])


class SlaWarningBatch:
    """What the warnings of one scheduler pass do, collected to be done at once:
    the thresholds fired ({threshold: [clock id, …]}, one write per threshold),
    the notes to post ([(ticket, clock, threshold, partners)], threshold False
    for a breach note, see ``helpdesk.ticket._post_sla_warnings``) and what must
    follow them, in order (an escalation follows its warning or breach note)."""

    def __init__(self):
        self.marks = {}
        self.warnings = []
        self.after = []


def current_sla_warning_batch():
    """The ``SlaWarningBatch`` being collected, or None outside a pass."""
    return _SLA_WARNING_BATCH.get()


class ResponseSupportSlaClock(models.Model):
    """One SLA clock of a ticket: response, resolution, or the arrival and support
    time of one of its support activities (``activity_id``). It keeps
    its target, calendar, deadline, pauses, the working time used and the lateness;
    a breached clock stays breached."""

    _name = "response.support.sla.clock"
    _description = "SLA Clock"
    _order = "ticket_id, kind"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, precompute=True
    )
    activity_id = fields.Many2one(
        "response.support.activity",
        string="Support Activity",
        ondelete="cascade",
        index="btree_not_null",
        help="The visit or remote session this clock counts for (arrival and "
        "support time); empty for the ticket's own clocks.",
    )
    kind = fields.Selection(CLOCK_KINDS, required=True)
    sla_level_id = fields.Many2one("response.support.sla.level", string="SLA Level")
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        help="Empty: the clock runs around the clock (7×24).",
    )
    target_minutes = fields.Integer(string="Target (working minutes)")
    start_date = fields.Datetime(string="Started On", required=True)
    anchor_date = fields.Datetime(
        help="Start of the current running stretch (start, or last resume)."
    )
    anchor_used_minutes = fields.Float(
        help="Working minutes used before the current running stretch."
    )
    deadline = fields.Datetime(index=True)
    paused_since = fields.Datetime()
    done_date = fields.Datetime(string="Completed On")
    breached = fields.Boolean(index=True, readonly=True)
    cancelled = fields.Boolean(
        readonly=True,
        help="The ticket was cancelled or rejected: the clock stopped without being "
        "met.",
    )
    breach_date = fields.Datetime(string="Breached On")
    status = fields.Selection(
        CLOCK_STATUSES,
        compute="_compute_status",
        store=True,
        index=True,
        precompute=True,  # in the INSERT of a new clock, not an UPDATE after it
    )
    met_count = fields.Integer(
        string="Clocks Met",
        compute="_compute_outcome_counts",
        store=True,
        precompute=True,
        aggregator="sum",
    )
    breached_count = fields.Integer(
        string="Clocks Breached",
        compute="_compute_outcome_counts",
        store=True,
        precompute=True,
        aggregator="sum",
    )
    met_rate = fields.Float(
        string="Met Rate (%)",
        compute="_compute_outcome_counts",
        store=True,
        precompute=True,
        aggregator="avg",
        help="100 for a met clock, 0 for a breached one: its average over completed "
        "clocks (the Completed filter) is the share met on time.",
    )
    used_minutes = fields.Float(
        string="Working Minutes Used",
        help="Frozen when the clock is paused or completed.",
    )
    late_minutes = fields.Float(
        string="Lateness (working minutes)",
        help="Working minutes used beyond the target when the clock completed; "
        "negative when it completed early.",
    )
    next_check = fields.Datetime(
        index=True,
        help="When the SLA scheduler must look at this clock next: a cron polling "
        "interval before its next warning, or just past its deadline.",
    )
    pause_ids = fields.One2many(
        "response.support.sla.pause", "clock_id", string="Pauses"
    )
    fired_threshold_ids = fields.Many2many(
        "response.support.sla.threshold",
        relation="response_support_sla_clock_threshold_rel",
        column1="clock_id",
        column2="threshold_id",
        string="Warnings Sent",
    )
    fired_threshold_marks = fields.Json(
        readonly=True,
        copy=False,
        help="Warnings fired under earlier SLA levels, as [action, percent] pairs: "
        "a level or priority change does not fire them again.",
    )

    _sql_constraints = [
        (
            "ticket_kind_uniq",
            "unique nulls not distinct (ticket_id, kind, activity_id)",
            "One clock per kind per ticket and support activity.",
        ),
    ]

    @api.depends("breached", "cancelled", "done_date", "paused_since")
    def _compute_status(self):
        for clock in self:
            if clock.breached:
                clock.status = "breached"
            elif clock.cancelled:
                clock.status = "cancelled"
            elif clock.done_date:
                clock.status = "met"
            elif clock.paused_since:
                clock.status = "paused"
            else:
                clock.status = "running"

    @api.depends("status")
    def _compute_outcome_counts(self):
        for clock in self:
            clock.met_count = clock.status == "met"
            clock.breached_count = clock.status == "breached"
            clock.met_rate = 100.0 if clock.status == "met" else 0.0

    @api.depends("kind", "ticket_id", "activity_id")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for clock in self:
            name = f"{clock.ticket_id.number} {labels.get(clock.kind)}"
            if clock.activity_id:
                name = f"{name} ({clock.activity_id.name})"
            clock.display_name = name

    def _prepare_target_vals(self, start):
        """Target values of this clock for a restart or retarget: those of its
        support activity, else of its ticket ({} when the SLA sets none)."""
        self.ensure_one()
        owner = self.activity_id or self.ticket_id
        return owner._prepare_sla_clock_vals(self.kind, start)

    # ------------------------------------------------------------------ planning

    def _is_running(self):
        self.ensure_one()
        return not self.done_date and not self.paused_since

    @api.model
    def _working_time(self, calendar, start, stop):
        """Hook: the working-time walker for a calendar and window."""
        return WorkingTime(calendar, start, stop)

    def _plan(self, requests_by_clock):
        """Batch planning: ``requests_by_clock`` maps a clock to a list of
        (start, working minutes) pairs; returns {clock: [moment, …]}, one working
        interval fetch per calendar and window whatever the number of clocks."""
        result = {}
        by_calendar = {}
        for clock, requests in requests_by_clock.items():
            by_calendar.setdefault(clock.calendar_id, []).append((clock, requests))
        for calendar, items in by_calendar.items():
            todo = items
            longest = max(minutes for _c, reqs in items for _s, minutes in reqs)
            days = min(
                PLANNING_MIN_DAYS + longest / PLANNING_MINUTES_PER_DAY,
                PLANNING_MAX_DAYS,
            )
            while todo:
                starts = [start for _c, reqs in todo for start, _m in reqs]
                walker = self._working_time(
                    calendar,
                    min(starts) - timedelta(days=1),
                    max(starts) + timedelta(days=days),
                )
                missing = []
                for clock, requests in todo:
                    moments = [walker.add(start, mins) for start, mins in requests]
                    if None in moments and days < PLANNING_MAX_DAYS:
                        missing.append((clock, requests))
                    else:
                        result[clock] = moments
                todo, days = missing, min(days * 4, PLANNING_MAX_DAYS)
        return result

    def _used_minutes_at(self, moment, walkers=None):
        """{clock: working minutes used at ``moment``} (a datetime, or {clock:
        datetime} when the clocks of a batch stop at different moments), one
        working-time fetch per calendar; ``walkers`` ({calendar: WorkingTime}),
        when given, keeps the walkers for a next call, which reuses those whose
        window covers it."""
        moments = moment if isinstance(moment, dict) else dict.fromkeys(self, moment)
        result = {}
        groups = {}
        for clock in self:
            if not clock._is_running():
                result[clock] = clock.used_minutes
            else:
                groups.setdefault(clock.calendar_id, []).append(clock)
        for calendar, clocks in groups.items():
            begin = min(clock.anchor_date for clock in clocks)
            end = max(moments[clock] for clock in clocks)
            walker = (walkers or {}).get(calendar)
            if not walker or walker.start > begin or walker.stop < end:
                walker = self._working_time(
                    calendar, begin, max(end, begin) + timedelta(days=1)
                )
                if walkers is not None:
                    walkers[calendar] = walker
            for clock in clocks:
                result[clock] = clock.anchor_used_minutes + walker.between(
                    clock.anchor_date, moments[clock]
                )
        return result

    def _recompute_schedule(self):
        """Deadline and next check of running clocks, in one batch."""
        running = self.filtered(lambda c: c._is_running())
        (self - running).write({"next_check": False})
        if not running:
            return
        schedule = running._compute_schedule()
        self._write_schedule({clock.id: moments for clock, moments in schedule.items()})

    def _compute_schedule(self):
        """{clock: (deadline, next check)} of these running clocks (stored ones,
        or new records not created yet), one working-time fetch per calendar."""
        running = self
        requests = {}
        for clock in running:
            remaining = clock.target_minutes - clock.anchor_used_minutes
            reqs = [(clock.anchor_date, remaining)]
            reqs += [
                (
                    clock.anchor_date,
                    threshold._minutes_of(clock) - clock.anchor_used_minutes,
                )
                for threshold in clock._pending_thresholds()
            ]
            requests[clock] = reqs
        planned = self._plan(requests)
        schedule = {}
        for clock in running:
            deadline, *moments = planned[clock]
            schedule[clock] = (deadline, clock._get_next_check(deadline, moments))
        return schedule

    @api.model
    def _write_schedule(self, schedule):
        """Store {clock id: (deadline, next check)} in one UPDATE per thousand
        clocks: every clock has its own values, and an ORM write per clock costs
        more than the whole planning. Caches and dependent ticket fields (SLA status
        and deadline) are then refreshed the ORM way."""
        clocks = self.browse(list(schedule))
        clocks.flush_recordset(["deadline", "next_check"])
        items = list(schedule.items())
        for offset in range(0, len(items), 1000):
            chunk = items[offset : offset + 1000]
            self.env.cr.execute(
                SQL(
                    """UPDATE response_support_sla_clock AS clock
                          SET deadline = new.deadline,
                              next_check = new.next_check,
                              write_uid = %s,
                              write_date = %s
                         FROM (VALUES %s) AS new(id, deadline, next_check)
                        WHERE clock.id = new.id""",
                    self.env.uid,
                    fields.Datetime.now(),
                    SQL(", ").join(
                        SQL("(%s, %s::timestamp, %s::timestamp)", cid, dl, nc)
                        for cid, (dl, nc) in chunk
                    ),
                )
            )
        fnames = ["deadline", "next_check", "write_uid", "write_date"]
        clocks.invalidate_recordset(fnames)
        clocks.modified(fnames)
        if not self.env.context.get("response_support_sla_pass"):
            # a new or moved clock may be due before the scheduler's next run
            self._wake_scheduler(
                min((check for _dl, check in schedule.values() if check), default=None)
            )

    def _pending_thresholds(self):
        """Thresholds of the clock's level that have not fired yet. One counts as
        fired when the clock already fired the same action at that percent or
        above, under this level or an earlier one: a level or priority change
        never warns or escalates twice for the same clock."""
        self.ensure_one()
        fired = self._get_fired_marks()
        return self.sla_level_id._get_thresholds().filtered(
            lambda t: t.kind in (self.kind, "all")
            and t not in self.fired_threshold_ids
            and not any(
                action == t.action and percent >= t.percent for action, percent in fired
            )
        )

    def _get_fired_marks(self):
        """{(action, percent)} of the warnings this clock has fired."""
        self.ensure_one()
        marks = {tuple(mark) for mark in self.fired_threshold_marks or []}
        marks.update((t.action, t.percent) for t in self.fired_threshold_ids)
        return marks

    # ------------------------------------------------------------------ lifecycle

    @api.model
    def _start_clocks(self, ticket_kinds, start=None):
        """Create the clocks of ``ticket_kinds`` ({ticket: [kind, …]}) that have a
        target, and plan them."""
        vals_list = []
        for ticket, kinds in ticket_kinds.items():
            for kind in kinds:
                vals = ticket._prepare_sla_clock_vals(kind, start)
                if vals:
                    vals_list.append(vals)
        # planned before they are inserted: no UPDATE of the new rows afterwards
        drafts = self.browse()
        for vals in vals_list:
            drafts |= self.new(vals)
        schedule = drafts._compute_schedule()
        for draft, vals in zip(drafts, vals_list, strict=True):
            vals["deadline"], vals["next_check"] = schedule[draft]
        clocks = self.create(vals_list)
        if not self.env.context.get("response_support_sla_pass"):
            # a new clock may be due before the scheduler's next run
            self._wake_scheduler(
                min((check for _dl, check in schedule.values() if check), default=None)
            )
        return clocks

    def _stop(self, moment):
        """Complete the clocks at ``moment`` (a datetime, or {clock: datetime} for a
        batch whose clocks complete at different moments): met or breached
        (``_is_late``, the rule the scheduler applies too), with lateness in whole
        seconds. A breach found here is posted and acted on like one found by the
        scheduler."""
        todo = self.filtered(lambda c: not c.done_date)
        moments = moment if isinstance(moment, dict) else dict.fromkeys(todo, moment)
        used = todo._used_minutes_at(moments)
        # one write per clock, as each has its own values: the ORM flushes them
        # in one UPDATE per set of columns, not one per clock
        for clock in todo:
            moment = moments[clock]
            vals = {
                "done_date": moment,
                "used_minutes": used[clock],
                "late_minutes": clock._late_seconds(used[clock]) / 60,
                "paused_since": False,
                "next_check": False,
            }
            if clock.paused_since:
                clock.pause_ids.filtered(lambda p: not p.stop_date).stop_date = moment
            clock.write(vals)
            if not clock.breached and clock._is_late(used[clock]):
                clock._breach(moment)

    def _cancel(self, moment):
        """The ticket was cancelled or rejected: stop without counting as met."""
        open_clocks = self.filtered(lambda c: not c.done_date)
        open_clocks._stop(moment)
        open_clocks.write({"cancelled": True})

    def _pause(self, moment):
        running = self.filtered(lambda c: c._is_running())
        used = running._used_minutes_at(moment)
        for clock in running:  # flushed in one UPDATE, see _stop
            clock.write(
                {
                    "paused_since": moment,
                    "used_minutes": used[clock],
                    "anchor_used_minutes": used[clock],
                    "next_check": False,
                }
            )
        self.env["response.support.sla.pause"].create(
            [{"clock_id": clock.id, "start_date": moment} for clock in running]
        )

    def _resume(self, moment):
        paused = self.filtered(lambda c: c.paused_since and not c.done_date)
        paused.pause_ids.filtered(lambda p: not p.stop_date).write(
            {"stop_date": moment}
        )
        paused.write({"paused_since": False, "anchor_date": moment})
        paused._recompute_schedule()

    def _reopen(self, moment):
        """A resolved ticket reopened, or a cancelled or rejected one put back in
        work: the clocks resume from ``moment``. They are resumed, not started
        afresh: the customer's request is the same one, reported when it was, so
        the working time used before counts; the time spent resolved or cancelled
        does not (as a pause), and a breach stays. A clock met before the
        cancellation (a response) stays met."""
        done = self.filtered("done_date")
        for clock in done:
            clock.write(
                {
                    "done_date": False,
                    "anchor_date": moment,
                    "anchor_used_minutes": clock.used_minutes,
                    "late_minutes": 0.0,
                    "cancelled": False,
                }
            )
        done._recompute_schedule()

    def _restart(self, starts):
        """A new commitment of the same kind (a second on-site request): each clock
        of ``starts`` ({clock: start}) counts again from its start with the whole
        target of the ticket's current SLA. Its earlier pauses stay as history and
        a breach of an earlier visit stays on record."""
        for clock, start in starts.items():
            vals = clock._prepare_target_vals(start)
            if not vals:
                continue
            clock.write(
                {
                    "target_minutes": vals["target_minutes"],
                    "calendar_id": vals["calendar_id"],
                    "sla_level_id": vals["sla_level_id"],
                    "start_date": start,
                    "anchor_date": start,
                    "anchor_used_minutes": 0.0,
                    "used_minutes": 0.0,
                    "late_minutes": 0.0,
                    "done_date": False,
                    "paused_since": False,
                    "cancelled": False,
                    "fired_threshold_ids": [(5, 0, 0)],
                    "fired_threshold_marks": False,
                }
            )
        self.browse([clock.id for clock in starts])._recompute_schedule()

    def _retarget(self, moment):
        """Targets or working time changed (priority, SLA level, contract phase,
        calendar): open clocks take the ticket's current target and calendar
        without restarting (the working time used so far is kept) and are all
        replanned in one pass. Completed clocks keep the verdict they got. Returns
        {clock: (old deadline, new deadline, retargeted)} of the clocks whose
        target or deadline changed (``retargeted``: its target, level or calendar
        changed, not only the working time it counts in)."""
        old_deadlines = {}
        open_clocks = self.filtered(lambda c: not c.done_date)
        used = open_clocks._used_minutes_at(moment)
        retargeted = set()
        for clock in open_clocks:
            old_deadlines[clock] = clock.deadline
            vals = clock._prepare_target_vals(clock.start_date)
            if not vals:
                continue  # the new level has no such target: keep the old one
            update = {}
            if vals["target_minutes"] != clock.target_minutes:
                update["target_minutes"] = vals["target_minutes"]
            for key in ("calendar_id", "sla_level_id"):
                if vals[key] != clock[key].id:
                    update[key] = vals[key]
            if not update:
                continue
            if "sla_level_id" in update:
                # what fired under the old level must not fire again
                update["fired_threshold_marks"] = sorted(
                    map(list, clock._get_fired_marks())
                )
            if clock._is_running():
                update.update(anchor_date=moment, anchor_used_minutes=used[clock])
            retargeted.add(clock)
            clock.write(update)
        open_clocks._recompute_schedule()
        return {
            clock: (old, clock.deadline, clock in retargeted)
            for clock, old in old_deadlines.items()
            if clock in retargeted or clock.deadline != old
        }

    # ------------------------------------------------------------ external changes

    @contextmanager
    def _batch_external_changes(self):
        """Within this block, changes made outside the tickets (contract phases,
        SLA levels, calendars, leaves…) only note what they touch; the clocks of
        the tickets concerned are brought in line once, at the end of the outermost
        block, in one planning pass."""
        if _PENDING_EXTERNAL_CHANGES.get() is not None:
            yield
            return
        pending = {"tickets": set(), "calendars": set()}
        token = _PENDING_EXTERNAL_CHANGES.set(pending)
        try:
            yield
        finally:
            _PENDING_EXTERNAL_CHANGES.reset(token)
        self._apply_external_changes(pending["tickets"], pending["calendars"])

    @api.model
    def _note_external_change(self, tickets=None, calendars=None):
        """Note tickets whose SLA terms and calendars whose working time changed;
        outside a batch, their clocks follow at once."""
        pending = _PENDING_EXTERNAL_CHANGES.get()
        ticket_ids = set(tickets.ids if tickets else [])
        calendar_ids = set(calendars.ids if calendars else [])
        if pending is None:
            self._apply_external_changes(ticket_ids, calendar_ids)
        else:
            pending["tickets"] |= ticket_ids
            pending["calendars"] |= calendar_ids

    @api.model
    def _apply_external_changes(self, ticket_ids, calendar_ids):
        # the editor of a contract, level or calendar may not see every ticket it
        # affects: the clocks are system-maintained, and only ids are used here
        tickets = self.env["helpdesk.ticket"].sudo().browse(list(ticket_ids))
        if calendar_ids:
            tickets |= (
                self.sudo()
                .search(
                    [
                        ("calendar_id", "in", list(calendar_ids)),
                        ("done_date", "=", False),
                    ]
                )
                .ticket_id
            )
        tickets.exists()._sync_sla_terms()

    # ------------------------------------------------------------------ scheduler

    def _late_seconds(self, used_minutes):
        """Working seconds used beyond the target (negative: to spare), in whole
        seconds like the planned deadlines."""
        self.ensure_one()
        return round(used_minutes * 60) - self.target_minutes * 60

    def _is_late(self, used_minutes):
        """The breach rule, for the scheduler and for completion alike: a clock is
        breached exactly when its used working time exceeds its target (at the
        deadline itself it is still met)."""
        return self._late_seconds(used_minutes) > 0

    def _get_next_check(self, deadline, warning_moments):
        """When the scheduler must look at the clock next, given its deadline and
        the moments of its pending warnings.

        Warnings are checked ``WARNING_LEAD`` (a cron polling interval and a
        margin) before their moment, and ``_check_due`` sends those due within that
        lead: Odoo runs a job triggered for a future moment only when its cron
        thread next polls, up to a polling interval later, so a warning planned at
        its moment would arrive up to a minute late, and after the breach for
        short targets (``ir.cron._trigger`` wakes the cron thread at once, by its
        ``cron_trigger`` notification, only for a moment already past). A warning
        may so arrive up to ``WARNING_LEAD`` early, never late. A breach is a
        fact, not a forecast: it is checked one second past the deadline, when the
        used time exceeds the target, and dated at the deadline whenever the pass
        runs."""
        self.ensure_one()
        checks = [moment - WARNING_LEAD for moment in warning_moments if moment]
        if not self.breached and deadline:
            checks.append(deadline + timedelta(seconds=1))
        return min(checks, default=None)

    def _used_at_pass(self, now):
        """{clock: (working minutes used at ``now``, at ``now`` + the warning
        lead)}, one working-time fetch per calendar for the batch."""
        walkers = {}
        used = self._used_minutes_at(now, walkers)
        ahead = self._used_minutes_at(now + WARNING_LEAD, walkers)
        return {clock: (used[clock], ahead[clock]) for clock in self}

    def _thresholds_reached(self, used_minutes):
        """The pending thresholds reached once ``used_minutes`` are used, in time
        order (whole seconds, as they are planned)."""
        self.ensure_one()
        seconds = round(used_minutes * 60)
        return (
            self._pending_thresholds()
            .filtered(lambda t: t._seconds_of(self) <= seconds)
            .sorted(lambda t: (t._seconds_of(self), t.sequence, t.id))
        )

    def _breach(self, moment):
        """Mark the clock breached, dated at its deadline, and run the breach
        actions once. Warnings not sent yet for a moment at or before the deadline
        are superseded: marked sent, never posted after the breach."""
        self.ensure_one()
        superseded = self._thresholds_reached(self.target_minutes)
        self.write(
            {
                "breached": True,
                "breach_date": self.deadline or moment,
                "fired_threshold_ids": [(4, threshold.id) for threshold in superseded],
            }
        )
        self.ticket_id._on_sla_breach(self, superseded)

    def _check_due(self, now, used=None):
        """Mark the breaches and fire the warnings that are due; the caller plans
        the next checks. ``used`` (``_used_at_pass``) spares working-time fetches
        in a batch.

        Per clock, messages go in time order: the breach first (its moment is
        the deadline), superseding the warnings at or before the deadline, then
        the warnings beyond 100 %, lowest first. A warning is due when its
        threshold is reached within ``WARNING_LEAD`` (see ``_get_next_check``)."""
        used = used if used is not None else self._used_at_pass(now)
        for clock in self:
            used_now, used_ahead = used[clock]
            if not clock.breached and clock._is_late(used_now):
                clock._breach(now)
            due = clock._thresholds_reached(used_ahead)
            if clock.breached:
                # e.g. a breached clock reopened: its early warnings are stale
                stale = due & clock._thresholds_reached(clock.target_minutes)
                if stale:
                    clock.fired_threshold_ids = [(4, t.id) for t in stale]
                    due -= stale
            for threshold in due:
                threshold._fire(clock)

    def _scheduler_step(self, now, used=None):
        """Everything one pass does for these clocks: warnings and breaches, then
        the next check, which always lies after ``now``. The warnings are posted
        together, once every clock was looked at."""
        with self._batch_sla_warnings():
            for clock in self:
                clock._check_due(now, used)
        self._recompute_schedule()
        self._push_forward(now)

    @contextmanager
    def _batch_sla_warnings(self):
        """Within this block, the warnings fired (``threshold._fire``) and the
        breach notes are collected; at its end the thresholds are marked sent in
        one write per threshold and the notes posted in bulk, one chatter entry
        per ticket and warning or breach as before
        (``helpdesk.ticket._post_sla_warnings``). A block that
        fails posts nothing: the scheduler then checks its clocks one by one."""
        if _SLA_WARNING_BATCH.get() is not None:
            yield
            return
        batch = SlaWarningBatch()
        token = _SLA_WARNING_BATCH.set(batch)
        try:
            yield
        finally:
            _SLA_WARNING_BATCH.reset(token)
        self._flush_sla_warnings(batch)

    @api.model
    def _flush_sla_warnings(self, batch):
        for threshold, clock_ids in batch.marks.items():
            self.browse(clock_ids).write({"fired_threshold_ids": [(4, threshold.id)]})
        self.env["helpdesk.ticket"]._post_sla_warnings(batch.warnings)
        for action in batch.after:
            action()

    def _push_forward(self, now):
        """Clocks still due after their pass move on to their next working
        second: their deadline passed in a non-working stretch (used time equals
        the target, not breached yet), so nothing can change before."""
        stuck = self.filtered(lambda c: c.next_check and c.next_check <= now)
        if not stuck:
            return
        planned = self._plan({clock: [(now, 1 / 60)] for clock in stuck})
        self._write_schedule(
            {
                clock.id: (
                    clock.deadline,
                    max(
                        planned[clock][0] or now + RETRY_DELAY,
                        now + timedelta(seconds=1),
                    ),
                )
                for clock in stuck
            }
        )

    @api.model
    def _due_domain(self, now):
        return [("next_check", "<=", now), ("done_date", "=", False)]

    @api.model
    def _cron_check_sla(self, batch_size=200):
        """SLA scheduler: looks only at clocks whose stored next check is due
        (indexed), in batches; idempotent (each threshold fires once per clock);
        wakes itself for the next due moment.

        A batch is handled in one savepoint (one working-time fetch per
        calendar). When it fails, its clocks are handled again one by one, each in
        its own savepoint: a clock that fails alone (bad calendar, bad record) is
        logged and pushed back by ``RETRY_DELAY``, the others go through.
        Concurrency errors are raised: the transaction is lost and the cron runs
        again."""
        now = fields.Datetime.now()
        domain = self._due_domain(now)
        clocks = self.search(domain, order="next_check, id", limit=batch_size)
        clocks = clocks.with_context(response_support_sla_pass=True)
        try:
            with self.env.cr.savepoint():
                clocks._scheduler_step(now, clocks._used_at_pass(now))
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001 - retried clock by clock just below
            _logger.warning(
                "SLA scheduler: a batch of %s clocks failed, checking them one by one",
                len(clocks),
            )
            clocks._scheduler_step_one_by_one(now)
        done = len(clocks)
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        self._schedule_next_run()
        return done

    def _scheduler_step_one_by_one(self, now):
        for clock in self:
            try:
                with self.env.cr.savepoint():
                    clock._scheduler_step(now)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # noqa: BLE001 - one bad clock must not stop the batch
                # logged with its traceback, rolled back to the savepoint, and put
                # back in the queue later instead of blocking it
                _logger.exception("SLA clock %s could not be checked", clock.id)
                clock.next_check = now + RETRY_DELAY

    @api.model
    def _schedule_next_run(self):
        next_clock = self.search(
            [("next_check", "!=", False), ("done_date", "=", False)],
            order="next_check",
            limit=1,
        )
        self._wake_scheduler(next_clock.next_check)

    @api.model
    def _wake_scheduler(self, moment):
        """Trigger the SLA scheduler at ``moment``, or now when it is past (the cron
        thread is then woken at commit). A future trigger already set at or before
        ``moment`` will do: that run plans the next one."""
        if not moment:
            return
        # the registry's cached id, without ``ref``'s query checking that it exists
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "response_support.ir_cron_check_sla", raise_if_not_found=False
        )
        if not cron_id:
            return
        cron = self.env["ir.cron"].browse(cron_id)
        now = fields.Datetime.now()
        at = max(moment, now)
        # triggers are the cron's bookkeeping; any user moving a clock may set one
        triggers = self.env["ir.cron.trigger"].sudo()
        if at > now and triggers.search_count(
            [("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", at)],
            limit=1,
        ):
            return
        cron._trigger(at=at)


class ResponseSupportSlaPause(models.Model):
    """A stretch of time during which a clock stood still (waiting on the customer
    or a third party)."""

    _name = "response.support.sla.pause"
    _description = "SLA Clock Pause"
    _order = "start_date"

    clock_id = fields.Many2one(
        "response.support.sla.clock", required=True, ondelete="cascade", index=True
    )
    ticket_id = fields.Many2one(related="clock_id.ticket_id", store=True, index=True)
    start_date = fields.Datetime(string="Paused On", required=True)
    stop_date = fields.Datetime(string="Resumed On")
    reason = fields.Char()
