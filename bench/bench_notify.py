"""Benchmark: delivery of 1,000 queued channel notifications to a local robot.

A DingTalk-style robot runs on 127.0.0.1 (``http.server`` in a thread of the
shell, free port) and answers ``{"errcode": 0}`` to every POST, as DingTalk does.
1,000 SLA warnings of realistic size (title, three lines, a link) are queued for
one channel (signed with a secret, as DingTalk's 加签), then delivered by
``response.support.notification._cron_deliver`` — the cron's method — twice:

a) merging on (the default: at most 20 events per message);
b) merging off (one message per event).

The channel's rate limit is switched off (0) for the measure, so that both runs
deliver everything in one pass; with the published limit of 20 messages a
minute (DingTalk, WeCom) the pass sends at most 20 messages, which the figures
turn into minutes to drain the storm. Printed: wall time, SQL queries
(``env.cr.sql_log_count``), HTTP requests the robot received, and per event.
The queueing cost (creating the 1,000 outbox rows in one ``create``) is printed
too. Nothing about time is asserted. Everything runs in the shell's
transaction (``commit=False``), rolled back at the end.

Run: ``./rs bench``, or alone::

    cd ~/.cache/response_support && venv/bin/odoo shell -c odoo-<hash>.conf \\
        -d response_support_bench --no-http --log-level=warn \\
        < /work/main/bench/bench_notify.py
"""

import json
import math
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo import fields

EVENTS = 1_000
PUBLISHED_LIMIT = 20  # messages per minute per robot, DingTalk and WeCom


class Robot:
    """The local robot: counts the POSTs and answers DingTalk's "ok"."""

    def __init__(self):
        self.count = 0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.count += 1
                data = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self):
        return (
            f"http://127.0.0.1:{self.httpd.server_address[1]}/robot/send?access_token=b"
        )

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def queue(env, channel):
    now = fields.Datetime.now()
    started, queries = time.perf_counter(), env.cr.sql_log_count
    env["response.support.notification"].create(
        [
            {
                "channel_id": channel.id,
                "event": "sla_warning",
                "title": f"[SLA Warning] HT{i:05d} Billing screen shows error 500",
                "body": f"HT{i:05d} Resolution has used 80% of its target of 240 "
                "working minutes.\nTeam: Database Team · Assignee: Engineer Demo · "
                "Priority: High\nWorking time left: 0 h 48 min (deadline "
                "2026-03-02 16:12)",
                "url": f"http://127.0.0.1:8069/odoo/helpdesk.ticket/{i}",
                "next_attempt_date": now,
            }
            for i in range(EVENTS)
        ]
    )
    env.flush_all()
    return time.perf_counter() - started, env.cr.sql_log_count - queries


def deliver(env, robot, label, batch_enabled, channel):
    channel.batch_enabled = batch_enabled
    seconds, queries = queue(env, channel)
    print(f"  queueing {EVENTS:,} events: {seconds:.2f} s, {queries} queries")
    robot.count = 0
    Notification = env["response.support.notification"]
    started, queries = time.perf_counter(), env.cr.sql_log_count
    done = Notification._cron_deliver(limit=EVENTS * 2, commit=False)
    env.flush_all()
    seconds, queries = time.perf_counter() - started, env.cr.sql_log_count - queries
    left = Notification.search_count(
        [("channel_id", "=", channel.id), ("state", "=", "queued")]
    )
    print(
        f"{label}: {done:,} events in {robot.count:,} HTTP messages, "
        f"{seconds:.2f} s ({seconds / done * 1000:.2f} ms per event), "
        f"{queries:,} queries ({queries / done:.1f} per event); left queued: {left}"
    )
    minutes = math.ceil(robot.count / PUBLISHED_LIMIT)
    print(
        f"  at the published {PUBLISHED_LIMIT} messages a minute: "
        f"{minutes} minute(s) to drain the storm"
    )
    Notification.search([("channel_id", "=", channel.id)]).unlink()


def main(env):
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    robot = Robot()
    try:
        channel = env["response.support.notify.channel"].create(
            {
                "name": "Bench robot",
                "kind": "dingtalk",
                "webhook_url": robot.url(),
                "secret": "SECbench0123456789",
                "rate_limit": 0,
                "min_interval_ms": 0,
            }
        )
        deliver(env, robot, "a) merging on (20 events per message)", True, channel)
        deliver(env, robot, "b) merging off (one message per event)", False, channel)
    finally:
        robot.stop()
        env.cr.rollback()
        print("rolled back")


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
