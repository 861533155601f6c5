"""Benchmark: the SLA scheduler over 200,000 tickets, 10,000 of them open.

Data (bulk SQL, in the shell's transaction, rolled back at the end and the
tables vacuumed, so that the bench database stays small and the script can be
re-run; the time it takes is printed): 200,000 tickets with a response and a
resolution clock each (400,000 clocks). 190,000 tickets are closed with both
clocks done; the 10,000 open ones have their response met and their
resolution clock running on a Chinese 5×8 calendar (PRC holidays loaded), under
an SLA level with one 50% "notify the assignee" warning. 1,000 of those clocks
have used 75% of their target (their 50% warning is due now); the 9,000 others
have their next check spread over the coming days.

What is measured:

a) selecting the due clocks exactly as ``_cron_check_sla`` does
   (``search(_due_domain(now), order="next_check, id", limit=…)`` and the
   ``search_count``): median of several runs, plus the EXPLAIN ANALYZE of both
   queries (the next_check index must be used);
b) one scheduler pass, ``_cron_check_sla(batch_size=1000)``, over the 1,000 due
   clocks: seconds and SQL queries per 1,000 warnings (messages posted), and
   the share of the working-time fetches (``_working_time``) and of the warning
   actions (``threshold._fire``: message_post and its notifications).

Nothing about time is asserted.

Run: ``./rs bench``, or alone::

    ./rs bench bench_sla_scheduler.py
"""

import math
import random
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from _common import attendance, insert_columns, load_average, vacuum

from odoo import fields
from odoo.tools import SQL

from odoo.addons.response_support.models.response_support_sla_clock import (
    WorkingTime,
)

SEED = 20250101
TICKETS = 200_000
OPEN = 10_000
DUE = 1_000
RUNS = 9
BATCH_SIZES = (200, 1_000)  # the cron's default, and the pass measured in b)
TABLES = ["helpdesk_ticket", "response_support_sla_clock"]


def create_level(env):
    """A Chinese 5×8 calendar and an SLA level with a 50% warning."""
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench CN 5x8",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)]
            + [attendance(d, 8, 12, "morning") for d in range(5)]
            + [attendance(d, 13, 17, "afternoon") for d in range(5)],
            "cn_public_holidays": True,
        }
    )
    calendar.action_load_cn_holidays(2025)
    return env["response.support.sla.level"].create(
        {
            "name": "Bench level",
            "calendar_id": calendar.id,
            "threshold_ids": [(0, 0, {"percent": 50, "action": "notify_assignee"})],
        }
    )


# ---------------------------------------------------------------------- data


# the columns the bulk INSERTs give, in the order of their select lists
TICKET_COLUMNS = """
    name number description company_id escalation_level reported_date stage_id
    user_id active sla_status create_uid write_uid create_date write_date
""".split()
CLOCK_COLUMNS = """
    ticket_id company_id kind sla_level_id calendar_id target_minutes start_date
    anchor_date anchor_used_minutes deadline next_check done_date used_minutes
    late_minutes status breached cancelled create_uid write_uid create_date
    write_date
""".split()


def insert_closed(env, count, now):
    """``count`` closed tickets, each with a met (or breached) response and
    resolution clock, in one SQL statement."""
    ticket_columns, ticket_extra = insert_columns(
        env["helpdesk.ticket"], TICKET_COLUMNS
    )
    clock_columns, clock_extra = insert_columns(
        env["response.support.sla.clock"], CLOCK_COLUMNS
    )
    env.cr.execute("SELECT setseed(0.42)")
    env.cr.execute(
        SQL(
            """
        WITH ticket AS (
            INSERT INTO helpdesk_ticket (%(ticket_columns)s)
            SELECT 'Bench closed ' || n, 'BENCH-C' || n, '', %(company)s, 'engineer',
                   r, %(stage)s, %(user)s, true, 'met', %(user)s, %(user)s, r,
                   r%(ticket_extra)s
              FROM (SELECT n, %(now)s - random() * interval '730 days' AS r
                      FROM generate_series(1, %(count)s) n) s
         RETURNING id, reported_date AS r
        )
        INSERT INTO response_support_sla_clock (%(clock_columns)s)
        SELECT t.id, %(company)s, k.kind, NULL, NULL, k.target, t.r, t.r, 0,
               t.r + k.target * interval '1 minute', NULL,
               t.r + k.target * interval '1 minute' * u.f, k.target * u.f,
               k.target * (u.f - 1), CASE WHEN u.f > 1 THEN 'breached' ELSE 'met' END,
               u.f > 1, false, %(user)s, %(user)s, t.r, t.r%(clock_extra)s
          FROM ticket t
         CROSS JOIN (VALUES ('response', 60), ('resolution', 960)) AS k(kind, target)
         CROSS JOIN LATERAL (SELECT 0.2 + random() AS f) u
            """,
            ticket_columns=ticket_columns,
            ticket_extra=ticket_extra,
            clock_columns=clock_columns,
            clock_extra=clock_extra,
            company=env.company.id,
            stage=env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
            user=env.ref("base.user_admin").id,
            now=now,
            count=count,
        )
    )


def plan_open(level, now, count, due):
    """(start, target, next check, deadline) of the open resolution clocks: the
    ``due`` first have used 75% of their target (50% warning due), the others
    reach 50% between one hour and ten days from now."""
    rng = random.Random(SEED)
    minute = now.replace(second=0, microsecond=0)
    walker = WorkingTime(
        level.calendar_id, minute - timedelta(days=30), minute + timedelta(days=120)
    )
    plans = []
    for i in range(count):
        if i < due:
            start = minute - timedelta(days=7, minutes=rng.randrange(2880))
            target = math.ceil(walker.between(start, now) / 0.75)
        else:
            start = minute - timedelta(minutes=rng.randrange(2880))
            ahead = 60 + rng.randrange(4800)  # working minutes to the warning
            target = 2 * math.ceil(walker.between(start, now) + ahead)
        plans.append(
            (start, target, walker.add(start, target / 2), walker.add(start, target))
        )
    return plans


def insert_open(env, level, plans):
    """One open ticket per plan, with its response met and its resolution clock
    running."""
    ticket_columns, ticket_extra = insert_columns(
        env["helpdesk.ticket"], TICKET_COLUMNS
    )
    user = env.ref("base.user_admin").id
    env.cr.execute(
        SQL(
            """INSERT INTO helpdesk_ticket (%(ticket_columns)s)
               SELECT 'Bench open ' || n, 'BENCH-O' || n, '', %(company)s, 'engineer',
                      s, %(stage)s, %(user)s, true, 'running', %(user)s, %(user)s, s,
                      s%(ticket_extra)s
                 FROM unnest(%(starts)s::timestamp[]) WITH ORDINALITY AS x(s, n)
             ORDER BY n
            RETURNING id""",
            ticket_columns=ticket_columns,
            ticket_extra=ticket_extra,
            company=env.company.id,
            stage=env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress").id,
            user=user,
            starts=[start for start, *_x in plans],
        )
    )
    ticket_ids = sorted(row[0] for row in env.cr.fetchall())
    clock_columns, clock_extra = insert_columns(
        env["response.support.sla.clock"], CLOCK_COLUMNS
    )
    env.cr.execute(
        SQL(
            """INSERT INTO response_support_sla_clock (%(clock_columns)s)
               SELECT t, %(company)s, k.kind, %(level)s, %(calendar)s, k.target,
                      s, s, 0,
                      CASE k.kind WHEN 'response' THEN s + interval '1 hour' ELSE d END,
                      CASE k.kind WHEN 'response' THEN NULL ELSE c END,
                      CASE k.kind WHEN 'response' THEN s + interval '10 minutes' END,
                      CASE k.kind WHEN 'response' THEN 10 END,
                      CASE k.kind WHEN 'response' THEN -50 END,
                      CASE k.kind WHEN 'response' THEN 'met' ELSE 'running' END,
                      false, false, %(user)s, %(user)s, s, s%(clock_extra)s
                 FROM unnest(%(tickets)s::int[], %(starts)s::timestamp[],
                             %(targets)s::int[], %(checks)s::timestamp[],
                             %(deadlines)s::timestamp[]) AS x(t, s, m, c, d)
                CROSS JOIN LATERAL (VALUES ('response', 60), ('resolution', m))
                      AS k(kind, target)""",
            clock_columns=clock_columns,
            clock_extra=clock_extra,
            company=env.company.id,
            level=level.id,
            calendar=level.calendar_id.id,
            user=user,
            tickets=ticket_ids,
            starts=[p[0] for p in plans],
            targets=[p[1] for p in plans],
            checks=[p[2] for p in plans],
            deadlines=[p[3] for p in plans],
        )
    )


def create_data(env, level, now):
    started = time.perf_counter()
    insert_closed(env, TICKETS - OPEN, now)
    insert_open(env, level, plan_open(level, now, OPEN, DUE))
    for table in TABLES:
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.cr.execute(
        "SELECT count(*), count(*) FILTER (WHERE done_date IS NULL),"
        " count(*) FILTER (WHERE done_date IS NULL AND next_check <= %s)"
        " FROM response_support_sla_clock",
        [now],
    )
    clocks, running, due = env.cr.fetchone()
    print(
        f"data: {TICKETS:,} tickets, {clocks:,} clocks, {running:,} running, "
        f"{due:,} due, created in {time.perf_counter() - started:.1f} s (bulk SQL "
        "+ ANALYZE)"
    )


# ---------------------------------------------------------------------- a) selection


def select_due(Clock, now, limit):
    domain = Clock._due_domain(now)
    clocks = Clock.search(domain, order="next_check, id", limit=limit)
    return clocks, Clock.search_count(domain)


def time_selection(env, now, limit):
    Clock = env["response.support.sla.clock"]
    durations, queries = [], env.cr.sql_log_count
    for _run in range(RUNS):
        env.invalidate_all()
        started = time.perf_counter()
        clocks, count = select_due(Clock, now, limit)
        durations.append(time.perf_counter() - started)
    queries = (env.cr.sql_log_count - queries) // RUNS
    print(
        f"  limit {limit:>5}: {len(clocks):,} clocks of {count:,} due, median "
        f"{statistics.median(durations) * 1000:.1f} ms (min "
        f"{min(durations) * 1000:.1f}, max {max(durations) * 1000:.1f}) over "
        f"{RUNS} runs, {queries} queries"
    )


def explain(env, now, limit):
    Clock = env["response.support.sla.clock"]
    query = Clock._search(Clock._due_domain(now), order="next_check, id", limit=limit)
    for title, sql in (
        (f"search(limit={limit})", query.select()),
        ("search_count", Clock._search(Clock._due_domain(now)).select("COUNT(*)")),
    ):
        env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", sql))
        print(f"  EXPLAIN ANALYZE of the {title} query:")
        for (row,) in env.cr.fetchall():
            print(f"    {row}")


# ---------------------------------------------------------------------- b) warnings


@contextmanager
def timing(model, method, totals):
    """Add the calls and seconds of ``model.method`` to ``totals[method]``."""
    cls = type(model)
    original = getattr(cls, method)
    totals[method] = [0, 0.0]

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            totals[method][0] += 1
            totals[method][1] += time.perf_counter() - started

    with patch.object(cls, method, timed):
        yield


def run_pass(env):
    """(clocks checked, seconds, queries, {method: [calls, seconds]}) of one
    scheduler pass, with the time spent fetching working time and in the warning
    actions (message_post)."""
    Clock = env["response.support.sla.clock"]
    totals = {}
    with (
        timing(Clock, "_working_time", totals),
        timing(env["response.support.sla.threshold"], "_fire", totals),
    ):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        done = Clock._cron_check_sla(batch_size=DUE)
        env.flush_all()
        seconds = time.perf_counter() - started
    return done, seconds, env.cr.sql_log_count - queries, totals


def scheduler_pass(env, now):
    Clock = env["response.support.sla.clock"]
    cr = env.cr
    cr.execute("SELECT coalesce(max(id), 0) FROM mail_message")
    (last_message,) = cr.fetchone()
    due = Clock.search(Clock._due_domain(now))
    done, seconds, queries, totals = run_pass(env)
    cr.execute(
        "SELECT count(*), count(*) FILTER (WHERE body::text LIKE %s) FROM mail_message"
        " WHERE id > %s AND model = 'helpdesk.ticket'",
        ["%SLA warning%", last_message],
    )
    messages, warnings = cr.fetchone()
    print(
        f"  {done:,} clocks checked ({len(due):,} were due): {warnings:,} warnings "
        f"posted, {messages:,} ticket messages, "
        f"{len(due.filtered('breached')):,} breaches"
    )
    if warnings:
        print(
            f"  {seconds:.2f} s → {seconds / warnings * 1000:.2f} s per 1,000 "
            f"warnings; {queries:,} queries ({queries / done:.1f} per clock)"
        )
    for method, (calls, spent) in totals.items():
        print(f"    of which {method}: {calls:,} calls, {spent:.2f} s")
    still_due = Clock.search_count(Clock._due_domain(fields.Datetime.now()))
    print(f"  still due after the pass: {still_due}")


def main(env):
    print(f"load average: {load_average()}")
    try:
        now = fields.Datetime.now()
        level = create_level(env)
        create_data(env, level, now)
        print("a) selecting the due clocks as _cron_check_sla does")
        for limit in BATCH_SIZES:
            time_selection(env, now, limit)
        explain(env, now, BATCH_SIZES[0])
        print(f"b) one scheduler pass, _cron_check_sla(batch_size={DUE})")
        scheduler_pass(env, now)
    finally:
        env.cr.rollback()
        started = time.perf_counter()
        vacuum(env, [*TABLES, "response_support_sla_clock_threshold_rel"])
        print(f"rolled back, then VACUUM: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
