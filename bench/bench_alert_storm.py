"""Benchmark: an alert storm and the SLA scheduler pass that warns about it.

Data (in the shell's transaction, rolled back at the end): an Alertmanager
source of one monitored system under a 7×24 O&M contract (response 30 min,
a 50 % "notify the assignee" warning) and a team of ten engineers who work in
Odoo (inbox notifications). 1,000 distinct alerts arrive in bursts of 100, as
Alertmanager posts them, 20 minutes ago: each batch goes through the alert
model's path the webhook uses (``_parse_payload``, ``_store``, ``_process``),
so that each alert opens its ticket with its SLA clocks. The desk then
dispatches the tickets to the engineers. Now their response clocks have used
20 of their 30 minutes: 1,000 warnings are due.

What is measured: one scheduler pass, ``_cron_check_sla(batch_size=1000)``,
twice on the same data (the first pass runs in a savepoint rolled back after
it): first with each warning posted on its own (``message_post`` per warning,
as before the warnings were batched: ``_batch_sla_warnings`` patched out), then
batched; per warning: SQL queries and milliseconds, and the ratio. Then the
same with a WeCom robot route for SLA warnings (channel events queued). Each
pass is checked to post one chatter entry and one inbox notification per
warning. Nothing about time is asserted.

Run: ``./rs bench``, or alone::

    cd ~/.cache/response_support && venv/bin/odoo shell -c odoo-<hash>.conf \\
        -d response_support_bench --no-http --log-level=warn \\
        < /work/main/bench/bench_alert_storm.py
"""

import os
import time
from contextlib import nullcontext
from datetime import timedelta
from unittest.mock import patch

from odoo import fields

ALERTS = int(os.environ.get("STORM_ALERTS", 1_000))
BURST = 100  # alerts per Alertmanager post
ENGINEERS = 10
AGO = timedelta(minutes=20)  # the storm began 20 working minutes ago (7×24)


class Rollback(Exception):
    """Rolls the first pass back to its savepoint."""


def create_world(env):
    company = env.company
    level = env["response.support.sla.level"].create(
        {
            "name": "Storm 7x24",
            "target_ids": [
                (
                    0,
                    0,
                    {"priority": p, "response_minutes": 30, "resolution_minutes": 240},
                )
                for p in ("0", "1", "2", "3")
            ],
            "threshold_ids": [(0, 0, {"percent": 50, "action": "notify_assignee"})],
        }
    )
    customer = env["res.partner"].create({"name": "Storm Grid Co.", "is_company": True})
    system = env["response.support.system"].create(
        {"name": "Storm SCADA", "code": "STORM-SCADA", "partner_id": customer.id}
    )
    catalog = env["response.support.catalog"].create(
        {"name": "Storm monitoring", "code": "STORM-MON"}
    )
    today = fields.Date.today()
    env["response.support.contract"].create(
        {
            "name": "Storm O&M",
            "partner_id": customer.id,
            "system_ids": [(6, 0, system.ids)],
            "phase_ids": [
                (
                    0,
                    0,
                    {
                        "phase": "service",
                        "date_start": today - timedelta(days=30),
                        "date_end": today + timedelta(days=365),
                        "sla_level_id": level.id,
                        "catalog_ids": [(6, 0, catalog.ids)],
                    },
                )
            ],
        }
    )
    engineers = env["res.users"].create(
        [
            {
                "name": f"Storm Engineer {i}",
                "login": f"storm_engineer_{i}",
                "email": f"storm.engineer.{i}@example.com",
                "notification_type": "inbox",
                "groups_id": [
                    (4, env.ref("response_support.group_response_support_engineer").id)
                ],
            }
            for i in range(ENGINEERS)
        ]
    )
    team = env["helpdesk.ticket.team"].create(
        {
            "name": "Storm Team",
            "user_ids": [(6, 0, engineers.ids)],
            "response_support_process": True,
            "company_id": company.id,
        }
    )
    source = env["response.support.alert.source"].create(
        {
            "name": "Alertmanager (storm)",
            "code": "storm",
            "kind": "alertmanager",
            "system_id": system.id,
            "catalog_id": catalog.id,
            "impact": "medium",
            "urgency": "medium",
        }
    )
    return source, team, engineers


def payload(start, first, count, moment):
    """An Alertmanager webhook v4 body with ``count`` distinct firing alerts."""
    starts_at = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "version": "4",
        "groupKey": '{}:{alertname="NodeDown"}',
        "status": "firing",
        "receiver": "response-support",
        "groupLabels": {"alertname": "NodeDown"},
        "commonLabels": {"alertname": "NodeDown", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.storm.example:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "NodeDown",
                    "severity": "critical",
                    "instance": f"rtu-{n:04d}.storm.example:9100",
                    "job": "node",
                },
                "annotations": {
                    "summary": f"RTU {n:04d} is down",
                    "description": f"rtu-{n:04d} has not answered for 5 minutes.",
                },
                "startsAt": starts_at,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": f"http://prometheus.storm.example/graph?g0.expr=up%7Bi%3D{n}%7D",
                "fingerprint": f"{start:08x}{n:08x}",
            }
            for n in range(first, first + count)
        ],
    }


def ingest(env, source, moment):
    """The storm, in bursts, through the webhook's model path; returns the
    tickets opened."""
    Alert = env["response.support.alert"].with_company(source.company_id)
    started = time.perf_counter()
    tickets = env["helpdesk.ticket"]
    stamp = int(time.time())
    for first in range(0, ALERTS, BURST):
        parsed = Alert._parse_payload(source, payload(stamp, first, BURST, moment))
        stored = Alert._store(source, parsed, moment)
        alerts = Alert.browse([a.id for a, inserted in stored if inserted])
        outcomes = alerts._process()
        tickets |= alerts.ticket_id
        if set(outcomes.values()) != {"created"}:
            raise RuntimeError(f"alerts not all created: {set(outcomes.values())}")
    seconds = time.perf_counter() - started
    print(
        f"ingest: {ALERTS:,} alerts in {ALERTS // BURST} posts → {len(tickets):,} "
        f"tickets, {seconds:.1f} s ({ALERTS / seconds:.0f} alerts/s, model path)"
    )
    return tickets


def dispatch(tickets, team, engineers):
    """The desk dispatches the tickets to the engineers, round robin."""
    tickets.write({"team_id": team.id})
    for i, engineer in enumerate(engineers):
        tickets[i :: len(engineers)].write({"user_id": engineer.id})


def run_pass(env, tickets, batched):
    Clock = env["response.support.sla.clock"]
    cr = env.cr
    cr.execute("SELECT coalesce(max(id), 0) FROM mail_message")
    (last_message,) = cr.fetchone()
    env.flush_all()
    env.invalidate_all()
    switch = (
        nullcontext()
        if batched
        else patch.object(
            type(Clock), "_batch_sla_warnings", lambda self: nullcontext()
        )
    )
    profile = batched and os.environ.get("STORM_PROFILE")
    if profile:
        import cProfile  # noqa: PLC0415 - on demand only

        profiler = cProfile.Profile()
        profiler.enable()
    with switch:
        queries = cr.sql_log_count
        started = time.perf_counter()
        done = Clock._cron_check_sla(batch_size=ALERTS)
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = cr.sql_log_count - queries
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    cr.execute(
        """SELECT count(DISTINCT m.id), count(DISTINCT m.res_id), count(n.id)
             FROM mail_message m
        LEFT JOIN mail_notification n ON n.mail_message_id = m.id
                                     AND n.notification_type = 'inbox'
            WHERE m.id > %s AND m.model = 'helpdesk.ticket'
              AND m.body::text LIKE %s AND m.res_id = ANY(%s)""",
        [last_message, "%SLA warning%", tickets.ids],
    )
    warnings, tickets_warned, inbox = cr.fetchone()
    cr.execute(
        "SELECT count(*) FROM response_support_notification WHERE ticket_id = ANY(%s)",
        [tickets.ids],
    )
    (queued,) = cr.fetchone()
    return {
        "done": done,
        "warnings": warnings,
        "tickets": tickets_warned,
        "inbox": inbox,
        "queued": queued,
        "seconds": seconds,
        "queries": queries,
    }


def report(label, r):
    w = r["warnings"] or 1
    print(
        f"  {label:<26} {r['warnings']:>5,} warnings on {r['tickets']:,} tickets, "
        f"{r['inbox']:,} inbox notifications, {r['queued']:,} channel events; "
        f"{r['queries']:>7,} queries = {r['queries'] / w:5.1f} per warning; "
        f"{r['seconds']:6.2f} s = {r['seconds'] / w * 1000:5.2f} ms per warning"
    )


def compare(env, tickets, title):
    print(title)
    try:
        with env.cr.savepoint():
            old = run_pass(env, tickets, batched=False)
            raise Rollback
    except Rollback:
        env.invalidate_all()
    new = run_pass(env, tickets, batched=True)
    report("one by one (message_post)", old)
    report("batched", new)
    print(
        f"  ratio: {old['queries'] / max(new['queries'], 1):.1f}× fewer queries, "
        f"{old['seconds'] / new['seconds']:.1f}× faster"
    )
    return new


def add_route(env, team):
    env["response.support.notify.channel"].create(
        {
            "name": "Storm WeCom",
            "kind": "wecom",
            "webhook_url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=storm",
            "min_interval_ms": 0,
            "route_ids": [(0, 0, {"event": "sla_warning", "team_id": team.id})],
        }
    )


def main(env):
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    env = env(user=env.ref("base.user_root").id)  # the cron's user (OdooBot)
    try:
        source, team, engineers = create_world(env)
        tickets = ingest(env, source, fields.Datetime.now() - AGO)
        dispatch(tickets, team, engineers)
        due = env["response.support.sla.clock"].search_count(
            env["response.support.sla.clock"]._due_domain(fields.Datetime.now())
        )
        print(f"due clocks: {due:,}")
        for title, route in (
            ("a) one scheduler pass over the storm", False),
            ("b) the same with a WeCom robot route for SLA warnings", True),
        ):
            try:
                with env.cr.savepoint():
                    if route:
                        add_route(env, team)
                    compare(env, tickets, title)
                    raise Rollback
            except Rollback:
                env.invalidate_all()
    finally:
        env.cr.rollback()
        print("rolled back")


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
