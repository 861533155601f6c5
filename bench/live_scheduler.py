"""Live bench: the SLA scheduler in a running Odoo server, with its cron thread.

Not an ``odoo shell`` script (``./rs bench`` does not run it): a plain Python script
that drives a real server from outside. It

1. (re)creates its own database (default ``rs_live_sched``) with
   ``-i response_support --without-demo=all``;
2. starts the venv's ``odoo`` with this checkout's configuration on a free port
   of 127.0.0.1, threaded, with one cron thread (``--max-cron-threads=1``);
3. over XML-RPC, sets up two SLA levels with a 50 % "notify the assignee"
   warning: one 7×24, one on a PRC calendar (00:00-24:00 every day, Asia/Shanghai,
   PRC holidays on, so that it runs whatever the hour); response targets of 1-3
   minutes and resolution targets of 4-5 minutes (their warning comes at least
   two cron polling intervals before the deadline);
4. creates tickets on both levels, spread over a minute (so the moments fall
   anywhere in the cron's polling cycle), and waits for the scheduler: until
   every clock has its warning and its breach, at most until the last deadline
   plus two minutes;
5. reads the clocks and the chatter and prints, for warnings and breaches, the
   lateness (posted moment minus due moment: the threshold's moment, the
   deadline) p50/p95/max, the stale warnings (posted after the breach of their
   clock or after its deadline), the breach dates that are not the deadline,
   and the number of scheduler passes;
6. stops its server at the end, on error and on Ctrl-C. The database is kept for
   inspection (the next run recreates it).

Run (from the checkout, with the venv's Python)::

    ~/.cache/response_support/venv/bin/python bench/live_scheduler.py

Options: ``--db``, ``--tickets`` (per level, default 30: 120 clocks), ``--spread``
(seconds over which tickets are created, default 60), ``--conf`` (default: the
checkout's ``~/.cache/response_support/odoo-<hash>.conf``, as ``./rs`` makes it).
Nothing about time is asserted; the figures go to the lead.
"""

import argparse
import hashlib
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

from _common import free_port

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(
    os.environ.get("RS_STATE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "response_support"
)
POLL = 60  # odoo.service.server.SLEEP_INTERVAL in 18.0
PERCENT = 50
# per priority: (response, resolution) minutes
TARGETS = {"0": (1, 4), "1": (2, 5), "2": (3, 5), "3": (2, 4)}
SERVER_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_args():
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf", default=str(STATE / f"odoo-{digest}.conf"))
    parser.add_argument("--odoo", default=str(STATE / "venv" / "bin" / "odoo"))
    parser.add_argument("--db", default="rs_live_sched")
    parser.add_argument("--tickets", type=int, default=30, help="per level")
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=20261202)
    return parser.parse_args()


def say(text):
    print(f"[live {datetime.now():%H:%M:%S}] {text}", flush=True)


def odoo_cmd(args, *extra):
    return [args.odoo, "-c", args.conf, *extra]


def recreate_db(args):
    say(f"recreating database {args.db} (-i response_support --without-demo=all)")
    # the db command has its own options: config first, then the sub-command
    subprocess.run(
        [args.odoo, "db", "-c", args.conf, "drop", args.db],
        cwd=STATE,
        capture_output=True,
        check=False,  # absent: nothing to drop
    )
    subprocess.run(
        odoo_cmd(
            args,
            "-d",
            args.db,
            "-i",
            "response_support",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ),
        cwd=STATE,
        check=True,
    )


class Server:
    """The Odoo server under test, in its own process group."""

    def __init__(self, args, port, logfile):
        self.args, self.port, self.logfile = args, port, logfile
        self.process = None

    def start(self):
        command = odoo_cmd(
            self.args,
            "-d",
            self.args.db,
            f"--db-filter=^{self.args.db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            "--workers=0",
            "--max-cron-threads=1",
            "--log-level=info",
            f"--logfile={self.logfile}",
        )
        # stderr to the log too: the daemon cron thread may print a traceback when
        # the server stops; the child keeps its own copy of the file
        with open(self.logfile, "ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=STATE,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{self.port}/web/health"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped, see {self.logfile}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the server did not answer /web/health in 90 s")

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        say(f"stopping the server (pid {self.process.pid})")
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Rpc:
    def __init__(self, port, db):
        base = f"http://127.0.0.1:{port}/xmlrpc/2"
        self.db, self.password = db, "admin"
        common = xmlrpc.client.ServerProxy(f"{base}/common", allow_none=True)
        self.uid = common.authenticate(db, "admin", self.password, {})
        if not self.uid:
            raise RuntimeError("admin/admin could not log in")
        self.proxy = xmlrpc.client.ServerProxy(f"{base}/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.proxy.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


def level_vals(name, calendar_id=False):
    return {
        "name": name,
        "calendar_id": calendar_id,
        "target_ids": [
            (
                0,
                0,
                {
                    "priority": priority,
                    "response_minutes": response,
                    "resolution_minutes": resolution,
                    "onsite_minutes": 0,
                },
            )
            for priority, (response, resolution) in TARGETS.items()
        ],
        "threshold_ids": [(0, 0, {"percent": PERCENT, "action": "notify_assignee"})],
    }


def set_up(rpc):
    """Two levels (7×24 and PRC 24h calendar), each with its own system and
    contract; returns {level name: (system id, level id)} and the ticket defaults."""
    rpc("res.users", "write", [rpc.uid], {"notification_type": "inbox"})
    calendar = rpc(
        "resource.calendar",
        "create",
        {
            "name": "Live PRC 24h",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                        "day_period": "morning",
                    },
                )
                for day in range(7)
            ],
        },
    )
    rpc("resource.calendar", "write", [calendar], {"cn_public_holidays": True})
    rpc("resource.calendar", "action_load_cn_holidays", [calendar])
    team = rpc(
        "helpdesk.ticket.team", "create", {"name": "Live", "user_ids": [(4, rpc.uid)]}
    )
    catalog = rpc(
        "response.support.catalog",
        "create",
        {"name": "Live Software", "code": "L-SW", "team_id": team},
    )
    customer = rpc(
        "res.partner", "create", {"name": "Live Water Group", "is_company": True}
    )
    reporter = rpc(
        "res.partner",
        "create",
        {"name": "Li Lei", "parent_id": customer, "email": "li.lei@example.com"},
    )
    today = datetime.utcnow().date()
    setups = {}
    for name, calendar_id in (("7x24", False), ("PRC", calendar)):
        level = rpc(
            "response.support.sla.level", "create", level_vals(name, calendar_id)
        )
        system = rpc(
            "response.support.system",
            "create",
            {"name": f"Live {name}", "code": f"L-{name}", "partner_id": customer},
        )
        rpc(
            "response.support.contract",
            "create",
            {
                "name": f"Live {name} O&M",
                "partner_id": customer,
                "system_ids": [(6, 0, [system])],
                "team_ids": [(6, 0, [team])],
                "phase_ids": [
                    (
                        0,
                        0,
                        {
                            "phase": "service",
                            "date_start": str(today - timedelta(days=2)),
                            "date_end": str(today + timedelta(days=365)),
                            "sla_level_id": level,
                            "catalog_ids": [(6, 0, [catalog])],
                        },
                    )
                ],
            },
        )
        setups[name] = system
    defaults = {
        "description": "<p>Live scheduler bench.</p>",
        "partner_id": reporter,
        "partner_name": "Li Lei",
        "partner_email": "li.lei@example.com",
        "reporter_role": "user",
        "catalog_id": catalog,
        "impact": "medium",
        "urgency": "medium",
        "no_attachment": True,
        "user_id": rpc.uid,
        "team_id": team,
    }
    return setups, defaults


def create_tickets(rpc, args, systems, defaults):
    rng = random.Random(args.seed)
    plan = [(name, i) for name in systems for i in range(args.tickets)]
    rng.shuffle(plan)
    pause = args.spread / max(len(plan), 1)
    tickets = {}
    for name, i in plan:
        vals = dict(
            defaults,
            name=f"Live {name} {i}",
            system_id=systems[name],
            priority=rng.choice(sorted(TARGETS)),
        )
        tickets[rpc("helpdesk.ticket", "create", vals)] = name
        time.sleep(rng.uniform(0, 2 * pause))
    return tickets


def read_clocks(rpc, ticket_ids):
    return rpc(
        "response.support.sla.clock",
        "search_read",
        [("ticket_id", "in", ticket_ids)],
        fields=[
            "ticket_id",
            "kind",
            "start_date",
            "target_minutes",
            "deadline",
            "breached",
            "breach_date",
            "fired_threshold_ids",
        ],
    )


def wait_for_scheduler(rpc, ticket_ids):
    clocks = read_clocks(rpc, ticket_ids)
    last = max(parse(c["deadline"]) for c in clocks if c["deadline"])
    stop_at = last + timedelta(minutes=2)
    say(f"{len(clocks)} clocks; last deadline {last} UTC; waiting until {stop_at}")
    while datetime.utcnow() < stop_at:
        clocks = read_clocks(rpc, ticket_ids)
        done = [c for c in clocks if c["breached"] and c["fired_threshold_ids"]]
        if len(done) == len(clocks):
            say("every clock has its warning and its breach")
            break
        time.sleep(5)
    return read_clocks(rpc, ticket_ids)


def parse(value):
    return datetime.strptime(value, SERVER_FORMAT) if value else None


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def figures(label, values):
    if not values:
        return f"{label}: none"
    return (
        f"{label}: n={len(values)} p50={statistics.median(values):+.0f}s "
        f"p95={percentile(values, 0.95):+.0f}s max={max(values):+.0f}s "
        f"min={min(values):+.0f}s"
    )


def report(rpc, tickets, clocks, logfile):
    ticket_ids = list(tickets)
    numbers = {
        t["id"]: t["number"]
        for t in rpc("helpdesk.ticket", "read", ticket_ids, ["number"])
    }
    messages = rpc(
        "mail.message",
        "search_read",
        [("model", "=", "helpdesk.ticket"), ("res_id", "in", ticket_ids)],
        fields=["id", "date", "body", "res_id"],
        order="id",
    )
    labels = {"response": "Response", "resolution": "Resolution"}
    warning_late, early_enough_late, breach_late = [], [], []
    stale, missing, not_continuous, wrong_breach_date = [], [], [], []
    for clock in clocks:
        ticket = clock["ticket_id"][0]
        name = f"{numbers[ticket]} {labels[clock['kind']]}"
        start, deadline = parse(clock["start_date"]), parse(clock["deadline"])
        target = clock["target_minutes"] * 60
        if deadline != start + timedelta(seconds=target):
            not_continuous.append(name)  # e.g. run on a PRC holiday
            continue
        due = start + timedelta(seconds=round(target * PERCENT / 100))
        mine = [m for m in messages if m["res_id"] == ticket and name in m["body"]]
        warnings = [m for m in mine if "SLA warning" in m["body"]]
        breaches = [m for m in mine if "SLA breached" in m["body"]]
        if len(warnings) != 1 or len(breaches) != 1:
            missing.append((name, len(warnings), len(breaches)))
        for warning in warnings:
            lateness = (parse(warning["date"]) - due).total_seconds()
            warning_late.append(lateness)
            if (deadline - due).total_seconds() >= 2 * POLL:
                early_enough_late.append(lateness)
            after_breach = any(b["id"] < warning["id"] for b in breaches)
            if after_breach or parse(warning["date"]) > deadline:
                stale.append(name)
        for breach in breaches:
            breach_late.append((parse(breach["date"]) - deadline).total_seconds())
        if clock["breached"] and parse(clock["breach_date"]) != deadline:
            wrong_breach_date.append(name)
    log = Path(logfile).read_text(errors="replace")
    passes = len(
        re.findall(r"Job 'Response Support: SLA scheduler' \(\d+\) processed", log)
    )
    levels = {}
    for name in tickets.values():
        levels[name] = levels.get(name, 0) + 2
    print()
    print("== live SLA scheduler ==")
    measured = len(clocks) - len(not_continuous)
    print(f"clocks: {len(clocks)} {levels}, measured {measured}")
    print(f"warning threshold {PERCENT}%, cron polling interval {POLL}s")
    print(figures("warning lateness (posted - threshold moment)", warning_late))
    print(
        figures(
            "warning lateness, threshold >= 2 polling intervals before the deadline",
            early_enough_late,
        )
    )
    print(figures("breach lateness (posted - deadline)", breach_late))
    print(f"stale warnings (after the breach or the deadline): {len(stale)} {stale}")
    print(f"breach_date != deadline: {len(wrong_breach_date)} {wrong_breach_date}")
    print(f"clocks without exactly one warning and one breach: {missing}")
    print(f"clocks not on continuous working time (skipped): {not_continuous}")
    print(f"scheduler passes in the server log: {passes}")
    p95 = percentile(early_enough_late, 0.95)
    verdict = (
        measured >= 50
        and not stale
        and not wrong_breach_date
        and not missing
        and p95 is not None
        and p95 <= 0
    )
    verdict = "met" if verdict else "NOT met"
    print(f"criteria (>= 50 clocks, 0 stale, p95 <= 0 s): {verdict}")


def main():
    args = parse_args()
    if not Path(args.conf).exists():
        sys.exit(f"{args.conf} not found: run ./rs setup first")
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    recreate_db(args)
    port = free_port()
    logfile = STATE / f"{args.db}.log"
    logfile.unlink(missing_ok=True)
    server = Server(args, port, logfile)
    try:
        say(f"starting the server on 127.0.0.1:{port}, log {logfile}")
        server.start()
        rpc = Rpc(port, args.db)
        systems, defaults = set_up(rpc)
        say(f"creating {args.tickets} tickets per level over ~{args.spread:.0f}s")
        tickets = create_tickets(rpc, args, systems, defaults)
        clocks = wait_for_scheduler(rpc, list(tickets))
        report(rpc, tickets, clocks, logfile)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
