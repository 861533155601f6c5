"""The desk under load: 20 desk users with locust against a live server (issue 13).

Needs the data of ``gen_tickets.py`` in the database (default ``rs_bench_200k``).
Starts the venv's ``odoo`` with ``--workers=4 --max-cron-threads=1`` on a free
127.0.0.1 port, measures ``/web/health`` alone (the floor: 200 sequential
requests), runs ``locustfile.py`` headless (20 users, spawned 5 per second, for
2 minutes; see that file for what a desk user does), prints p50/p95/errors per
request and overall, the server log's error lines, stops the server and deletes
what the load test created (tickets and messages above the ids seen before).

Run (locust in its own virtualenv, created on first use)::

    RS_BENCH_DB=rs_bench_200k ./rs bench-load

or, with locust installed elsewhere::

    ~/.cache/response_support/venv/bin/python bench/live_load.py \\
        --conf ~/.cache/response_support/odoo-<checkout>.conf --db rs_bench_200k \\
        --locust ~/.cache/response_support/locust-venv/bin/locust

Nothing about time is asserted.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import psycopg2
import requests
from _common import Server, load_average, median, percentile

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "response_support.bench_gen"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conf", required=True, help="the checkout's odoo.conf")
    parser.add_argument("--db", default="rs_bench_200k")
    parser.add_argument("--locust", required=True, help="the locust command")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--time", default="120s")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--wait", default="1,3", help="think time between actions: min,max seconds"
    )
    return parser.parse_args()


def connect(conf, db):
    options = {}
    with open(conf) as handle:
        for line in handle:
            key, _sep, value = line.partition("=")
            options[key.strip()] = value.strip()
    params = {"dbname": db}
    for key in ("host", "port", "user", "password"):
        value = options.get(f"db_{key}")
        if value and value != "False":
            params[key] = value
    return psycopg2.connect(**params)


def high_water(conf, db):
    """The generated data's marker and the ids the load test starts above."""
    with connect(conf, db) as connection, connection.cursor() as cr:
        cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [MARK])
        row = cr.fetchone()
        if not row:
            sys.exit(f"{db} holds no generated data: run bench/gen_tickets.py first")
        marks = {}
        for table in ("helpdesk_ticket", "mail_message"):
            cr.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
            marks[table] = cr.fetchone()[0]
    connection.close()
    return marks


def clean_up(conf, db, marks):
    """Delete the tickets and messages the load test created."""
    with connect(conf, db) as connection, connection.cursor() as cr:
        counts = {}
        for table in ("mail_message", "helpdesk_ticket"):
            cr.execute(f"DELETE FROM {table} WHERE id > %s", [marks[table]])  # noqa: S608
            counts[table] = cr.rowcount
    connection.close()
    return counts


def health_floor(url, count=200):
    session = requests.Session()
    times = []
    for _i in range(count):
        started = time.perf_counter()
        session.get(f"{url}/web/health", timeout=10).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return median(times), percentile(times, 0.95)


def run_locust(args, url):
    prefix = os.path.join(tempfile.mkdtemp(prefix="rs_bench_load_"), "load")
    env = dict(
        os.environ,
        RS_LOAD_DB=args.db,
        RS_LOAD_WAIT=args.wait,
        RS_LOAD_SUMMARY=f"{prefix}_actions.json",
        PYTHONPATH=HERE,
    )
    command = [
        args.locust,
        "-f",
        os.path.join(HERE, "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.time,
        "--host",
        url,
        "--csv",
        prefix,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    result = subprocess.run(
        command, env=env, check=False, capture_output=True, text=True
    )
    if not os.path.exists(f"{prefix}_stats.csv"):
        sys.exit(f"locust failed:\n{result.stdout}\n{result.stderr}")
    with open(f"{prefix}_stats.csv") as handle:
        stats = list(csv.DictReader(handle))
    failures = []
    for kind in ("failures", "exceptions"):  # failed requests, errors in the script
        if os.path.exists(f"{prefix}_{kind}.csv"):
            with open(f"{prefix}_{kind}.csv") as handle:
                failures += list(csv.DictReader(handle))
    return stats, failures, prefix


def report_actions(prefix):
    """p50/p95 over every desk action (log-in and get_views left out)."""
    path = f"{prefix}_actions.json"
    if not os.path.exists(path):
        return
    with open(path) as handle:
        actions = json.load(handle)
    times = actions["times"]
    print(
        f"desk actions (kanban, ticket, note, call; no log-in): {len(times)} requests,"
        f" {actions['errors']} errors, p50 {median(times):.0f} ms,"
        f" p95 {percentile(times, 0.95):.0f} ms"
    )


def report(stats, failures):
    width = max(len(row["Name"]) for row in stats)
    print(f"{'request':<{width}} | count | errors | p50 ms | p95 ms | max ms | req/s")
    for row in stats:
        print(
            f"{row['Name']:<{width}} | {row['Request Count']:>5} | "
            f"{row['Failure Count']:>6} | {row['50%']:>6} | {row['95%']:>6} | "
            f"{float(row['Max Response Time']):>6.0f} | {float(row['Requests/s']):.1f}"
        )
    for failure in failures:
        what = failure.get("Name", "locustfile")
        error = failure.get("Error") or failure.get("Message")
        count = failure.get("Occurrences") or failure.get("Count")
        print(f"  failure: {what}: {error} ×{count}")


def main():
    args = parse_args()
    print(f"load average: {load_average()}")
    marks = high_water(args.conf, args.db)
    server = Server(args.conf, args.db, args.workers, prefix="rs_bench_load_")
    try:
        floor = health_floor(server.url)
        print(f"/web/health alone: p50 {floor[0]:.1f} ms, p95 {floor[1]:.1f} ms")
        print(
            f"locust: {args.users} desk users, {args.time}, think time {args.wait} s,"
            f" server --workers="
            f"{args.workers} --max-cron-threads=1 on {server.url}"
        )
        stats, failures, prefix = run_locust(args, server.url)
        print(f"load average after: {load_average()}")
        report(stats, failures)
        report_actions(prefix)
        print(f"(CSV files: {prefix}_*.csv)")
    finally:
        server.stop()
    problems = server.log_problems()
    print(f"server log: {len(problems)} error/traceback lines ({server.log.name})")
    for line in problems[:10]:
        print(f"  {line}")
    counts = clean_up(args.conf, args.db, marks)
    print(
        f"cleaned up: {counts['helpdesk_ticket']} tickets,"
        f" {counts['mail_message']} messages"
    )


if __name__ == "__main__":
    main()
