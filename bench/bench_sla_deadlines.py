"""Benchmark: SLA deadlines of 1,000 and 10,000 open tickets, ours vs plan_hours.

What is measured, on the same random (seeded) inputs — start moments in whole
minutes over the 30 days before 2026-03-05 (open tickets are recent; the Spring
Festival falls inside), targets drawn from TARGETS, each ticket on one of three
calendars (a Chinese 5×8 Asia/Shanghai calendar with the PRC holidays and make-up
working days of 2025–2026 loaded, a Mon–Sat 08:00–18:00 calendar and a 7×24
calendar of 00:00–24:00 attendances):

* ours, planner: ``response.support.sla.clock._plan()``, the batch planner used by
  ``_recompute_schedule``: one working-time fetch per calendar and window, then a
  bisection per ticket. ``_plan`` only reads ``clock.calendar_id`` from its keys,
  so plain objects stand for the clocks. Its fixed part, the working-time fetch
  (30 days of starts plus the planning margin, per calendar), is also timed
  alone;
* ours, ORM: real tickets and clocks (bulk-inserted, then ANALYZEd),
  ``_recompute_schedule()`` on all of them, flush included (reads, deadline and
  next check writes, recomputation of the tickets' SLA status);
* OCA ``helpdesk_mgmt_sla``'s way: one ``calendar.plan_hours(minutes / 60, start,
  compute_leaves=True)`` call per ticket.

It prints the wall and CPU time and the SQL queries (``env.cr.sql_log_count``)
of each, the speed-up over plan_hours, and the number of deadlines that differ
from plan_hours' (aware result made naive UTC), with the first few. Nothing
about time is asserted. Everything runs in the shell's transaction, rolled back
at the end (then the two tables are vacuumed).

Run: ``./rs bench``, or alone::

    ./rs bench bench_sla_deadlines.py
"""

import random
import time
from datetime import datetime, timedelta

from _common import attendance, insert_columns, load_average, vacuum
from pytz import utc

from odoo.tools import SQL

from odoo.addons.response_support.models.response_support_sla_clock import (
    PLANNING_MIN_DAYS,
    PLANNING_MINUTES_PER_DAY,
    whole_second,
)

SEED = 20250101
SIZES = (1_000, 10_000)
TARGETS = (15, 30, 60, 240, 480, 960, 2880)
# open tickets were reported in the last 30 days; "now" is 2026-03-05, so the
# window holds the Spring Festival (02-15…02-23) and its make-up days
PERIOD_START = datetime(2026, 2, 3)
PERIOD_MINUTES = 30 * 24 * 60
SHOW_MISMATCHES = 5
# the window _plan() fetches beyond the last start for the longest target
MARGIN_DAYS = PLANNING_MIN_DAYS + max(TARGETS) / PLANNING_MINUTES_PER_DAY


class PlanKey:
    """Stands for a clock in ``_plan()``, which only reads ``calendar_id``."""

    __slots__ = ("calendar_id",)

    def __init__(self, calendar):
        self.calendar_id = calendar


# ---------------------------------------------------------------------- data


def create_calendars(env):
    """The three calendars of the benchmark, Chinese holidays loaded."""
    Calendar = env["resource.calendar"]
    cn = Calendar.create(
        {
            "name": "Bench CN 5x8",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)]
            + [attendance(d, 8, 12) for d in range(5)]
            + [attendance(d, 13, 17, "afternoon") for d in range(5)],
            "cn_public_holidays": True,
        }
    )
    for year in (2025, 2026):
        cn.action_load_cn_holidays(year)
    six_days = Calendar.create(
        {
            "name": "Bench Mon-Sat 8-18",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)] + [attendance(d, 8, 18) for d in range(6)],
        }
    )
    always = Calendar.create(
        {
            "name": "Bench 7x24",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)] + [attendance(d, 0, 24) for d in range(7)],
        }
    )
    print(
        f"calendars: {cn.name} ({len(cn.global_leave_ids)} holiday periods, "
        f"{len(cn.cn_workday_ids)} make-up days), {six_days.name}, {always.name}"
    )
    return cn | six_days | always


def draw_tickets(rng, calendars, count):
    """``count`` (calendar, start, minutes) triples."""
    return [
        (
            rng.choice(calendars),
            PERIOD_START + timedelta(minutes=rng.randrange(PERIOD_MINUTES)),
            rng.choice(TARGETS),
        )
        for _i in range(count)
    ]


def insert_tickets_and_clocks(env, tickets):
    """Bulk-insert one open ticket and one running resolution clock per ticket;
    returns the clocks, in the order of ``tickets``."""
    cr = env.cr
    columns, extra = insert_columns(
        env["helpdesk.ticket"],
        ["name", "description", "company_id", "escalation_level", "reported_date"]
        + ["active", "create_date", "write_date"],
    )
    cr.execute(
        SQL(
            """INSERT INTO helpdesk_ticket (%(columns)s)
               SELECT 'Bench deadline ' || n, '', %(company)s, 'engineer', s,
                      true, now(), now()%(extra)s
                 FROM unnest(%(starts)s::timestamp[]) WITH ORDINALITY AS t(s, n)
             ORDER BY n
            RETURNING id""",
            columns=columns,
            extra=extra,
            company=env.company.id,
            starts=[start for _cal, start, _m in tickets],
        )
    )
    ticket_ids = sorted(row[0] for row in cr.fetchall())
    columns, extra = insert_columns(
        env["response.support.sla.clock"],
        ["ticket_id", "company_id", "kind", "calendar_id", "target_minutes"]
        + ["start_date", "anchor_date", "anchor_used_minutes", "status", "breached"]
        + ["cancelled", "create_date", "write_date"],
    )
    cr.execute(
        SQL(
            """INSERT INTO response_support_sla_clock (%(columns)s)
               SELECT t, %(company)s, 'resolution', c, m, s, s, 0, 'running', false,
                      false, now(), now()%(extra)s
                 FROM unnest(%(tickets)s::int[], %(calendars)s::int[],
                             %(targets)s::int[], %(starts)s::timestamp[])
                      WITH ORDINALITY AS x(t, c, m, s, n)
             ORDER BY n
            RETURNING id""",
            columns=columns,
            extra=extra,
            company=env.company.id,
            tickets=ticket_ids,
            calendars=[cal.id for cal, _s, _m in tickets],
            targets=[minutes for _c, _s, minutes in tickets],
            starts=[start for _c, start, _m in tickets],
        )
    )
    clock_ids = sorted(row[0] for row in cr.fetchall())
    # statistics as the tables would have them in production
    cr.execute("ANALYZE helpdesk_ticket")
    cr.execute("ANALYZE response_support_sla_clock")
    return env["response.support.sla.clock"].browse(clock_ids)


# ---------------------------------------------------------------------- methods


def measure(env, function):
    """(result, wall seconds, CPU seconds of this process, SQL queries) of
    ``function()``, on a cold ORM cache."""
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return (
        result,
        time.perf_counter() - started,
        time.process_time() - cpu,
        env.cr.sql_log_count - queries,
    )


def fetch_only(env, tickets):
    """The fixed part of ``_plan()``: one working-time walker per calendar over
    the window of its tickets."""
    Clock = env["response.support.sla.clock"]
    for calendar in {cal for cal, _s, _m in tickets}:
        starts = [start for cal, start, _m in tickets if cal == calendar]
        Clock._working_time(
            calendar,
            min(starts) - timedelta(days=1),
            max(starts) + timedelta(days=MARGIN_DAYS),
        )


def ours_planner(env, tickets):
    """Deadlines by the batch planner, ``_plan()``."""
    requests = {PlanKey(cal): [(start, minutes)] for cal, start, minutes in tickets}
    planned = env["response.support.sla.clock"]._plan(requests)
    return [planned[key][0] for key in requests]


def ours_orm(env, clocks):
    """Deadlines by ``_recompute_schedule()`` on real clocks, writes flushed."""
    clocks._recompute_schedule()
    env.flush_all()
    return clocks.mapped("deadline")


def plan_hours(tickets):
    """Deadlines the OCA helpdesk_mgmt_sla way: one plan_hours() per ticket."""
    deadlines = []
    for calendar, start, minutes in tickets:
        moment = calendar.plan_hours(
            minutes / 60, utc.localize(start), compute_leaves=True
        )
        # aware (UTC) → naive UTC, as the ORM stores it; plan_hours ends a 24:00
        # attendance at 23:59:59.999999: compare whole seconds, as the ORM stores
        deadlines.append(
            moment and whole_second(moment.astimezone(utc).replace(tzinfo=None))
        )
    return deadlines


# ---------------------------------------------------------------------- report


def mismatches(tickets, ours, theirs):
    pairs = zip(tickets, ours, theirs, strict=True)
    return [
        (cal.name, start, minutes, mine, other)
        for (cal, start, minutes), mine, other in pairs
        if mine != other
    ]


def report_mismatches(label, found):
    print(f"  {label}: {len(found)} deadline(s) differ from plan_hours'")
    if not found:
        return
    seconds = [abs((mine - other).total_seconds()) for *_x, mine, other in found]
    print(
        f"    {sum(s < 1 for s in seconds)} of them by less than 1 s; largest "
        f"difference {max(seconds):.6f} s; the first ones:"
    )
    for name, start, minutes, mine, other in found[:SHOW_MISMATCHES]:
        print(f"    {name}, {start} + {minutes} min: ours {mine}, plan_hours {other}")


def line(label, measured, reference=None):
    _result, wall, cpu, queries = measured
    ratio = f"  {reference[1] / wall:6.1f}× faster" if reference else ""
    print(f"  {label:<34} {wall:8.3f} s (CPU {cpu:7.3f} s) {queries:6d} queries{ratio}")


def run(env, calendars, tickets):
    print(f"\n{len(tickets):,} open tickets over {len(calendars)} calendars")
    planner = measure(env, lambda: ours_planner(env, tickets))
    fetch = measure(env, lambda: fetch_only(env, tickets))
    clocks = insert_tickets_and_clocks(env, tickets)
    orm = measure(env, lambda: ours_orm(env, clocks))
    oca = measure(env, lambda: plan_hours(tickets))
    line("ours: _plan (batch planner)", planner, oca)
    line("  of which working-time fetch", fetch)
    line("ours: ORM, incl. writes", orm, oca)
    line("OCA: plan_hours per ticket", oca)
    report_mismatches("ours: _plan", mismatches(tickets, planner[0], oca[0]))
    report_mismatches("ours: ORM", mismatches(tickets, orm[0], oca[0]))


def main(env):
    print(f"load average: {load_average()}")
    try:
        started = time.perf_counter()
        calendars = create_calendars(env)
        print(f"calendars created in {time.perf_counter() - started:.1f} s")
        rng = random.Random(SEED)
        for size in SIZES:
            run(env, list(calendars), draw_tickets(rng, list(calendars), size))
    finally:
        env.cr.rollback()
        vacuum(env, ["helpdesk_ticket", "response_support_sla_clock"])


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
