"""Monitoring alerts against a real multi-process Odoo server.

Builds a throwaway database with response_support, starts the venv's ``odoo`` with
``--workers=4 --max-cron-threads=1`` on a free local port, and measures with 1 and 8
concurrent clients, side by side in the same run:

- ``/web/health`` (GET): the floor of the server;
- ``alert new+ticket``: an Alertmanager post of a new alert, processed inline (the
  alert is stored, committed, routed and its ticket created in the request);
- ``alert accept``: the same post to a background source (stored and answered 202;
  the scheduler creates the ticket later): what the webhook accepts under a burst;
- ``alert duplicate``: the same alert posted again (de-duplicated: no row created);
- ``web ticket``: helpdesk_mgmt's own portal ticket creation (/submitted/ticket) of
  the same ticket, by a logged-in portal user.

Run (the checkout's Odoo configuration is printed by ./rs setup):

    ~/.cache/response_support/venv/bin/python bench/live_alerts.py \\
        --conf ~/.cache/response_support/odoo-<checkout>.conf [--requests 200]

It prints requests/s and p50/p95 latency per scenario and client count, and the rows
the duplicate posts created (expected 0). It asserts nothing about time; the server
log is checked for tracebacks."""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import requests
from _common import Server, odoo_bin

DB = "rs_bench_alerts"
PORTAL_LOGIN = "bench.portal@water.example.com"
PORTAL_PASSWORD = "bench-portal-42"

SETUP = """
customer = env["res.partner"].create({"name": "Bench Water", "is_company": True})
reporter = env["res.partner"].create(
    {"name": "Bench Reporter", "parent_id": customer.id, "email": "%(login)s"}
)
system = env["response.support.system"].create(
    {"name": "Bench Billing", "code": "B-BILL", "partner_id": customer.id}
)
catalog = env["response.support.catalog"].create({"name": "Bench Software"})
Source = env["response.support.alert.source"]
common = {
    "kind": "alertmanager", "system_id": system.id, "catalog_id": catalog.id,
    "impact": "high", "urgency": "high", "rate_limit": 0,
}
inline = Source.create(dict(common, name="Bench inline", code="bench-inline"))
background = Source.create(
    dict(common, name="Bench background", code="bench-bg", process_by_cron=True)
)
env["res.users"].create({
    "name": "Bench Portal", "login": "%(login)s", "password": "%(password)s",
    "partner_id": reporter.id,
    "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
})
env.cr.commit()
print("TOKENS", inline._rotate_token(), background._rotate_token())
print("SYSTEM", system.id)
env.cr.commit()
"""

COUNTS = """
env.cr.execute(
    "SELECT count(*), coalesce(sum(repeat_count), 0) FROM response_support_alert"
)
alerts, posts = env.cr.fetchone()
env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
print("COUNTS", alerts, posts, env.cr.fetchone()[0])
"""


def run_odoo(conf, db, *args):
    subprocess.run(
        [odoo_bin(), "-c", conf, "-d", db, "--log-level=warn", *args],
        check=True,
        cwd=os.path.dirname(conf),
        stdout=subprocess.DEVNULL,
    )


def run_shell(conf, db, code):
    result = subprocess.run(
        [odoo_bin(), "shell", "-c", conf, "-d", db, "--log-level=warn", "--no-http"],
        input=code,
        check=False,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(conf),
    )
    if result.returncode or "Traceback" in result.stderr:
        sys.exit(f"odoo shell failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def shell_value(output, key):
    for line in output.splitlines():
        if line.startswith(key + " "):
            return line.split()[1:]
    sys.exit(f"{key} missing in shell output:\n{output}")


def create_database(conf, db):
    """A fresh database with response_support and the bench's sources; returns
    (inline token, background token, system id)."""
    drop_database(conf, db)
    run_odoo(
        conf, db, "-i", "response_support", "--without-demo=all", "--stop-after-init"
    )
    out = run_shell(
        conf, db, SETUP % {"login": PORTAL_LOGIN, "password": PORTAL_PASSWORD}
    )
    return (*shell_value(out, "TOKENS"), shell_value(out, "SYSTEM")[0])


def drop_database(conf, db):
    """Drop ``db`` if it exists, connecting as the Odoo configuration says."""
    import psycopg2

    options = {}
    with open(conf) as handle:
        for line in handle:
            key, _sep, value = line.partition("=")
            options[key.strip()] = value.strip()
    params = {"dbname": "postgres"}
    for key in ("host", "port", "user", "password"):
        value = options.get(f"db_{key}")
        if value and value != "False":
            params[key] = value
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}"')
    connection.close()


def alert_payload(fingerprint, starts_at="2026-03-02T01:55:30Z"):
    """The sample of the tests (readme/CONFIGURE.md) with its own fingerprint."""
    payload = json.loads(json.dumps(SAMPLE))
    payload["alerts"][0]["fingerprint"] = fingerprint
    payload["alerts"][0]["startsAt"] = starts_at
    return payload


# the test sample, read from the test module's source (no Odoo import needed here)
def _load_sample():
    import ast

    path = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "..",
        "addons",
        "response_support",
        "tests",
        "test_alerts.py",
    )
    with open(path) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "ALERTMANAGER_FIRING":
            return ast.literal_eval(node.value)
    raise RuntimeError("ALERTMANAGER_FIRING not found")


SAMPLE = _load_sample()


def post_alert(session, url, token, payload):
    return session.post(
        url,
        data=json.dumps(payload),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
        timeout=60,
    )


def portal_session(base):
    """A logged-in portal session and the CSRF token of its ticket form."""
    session = requests.Session()
    page = session.get(f"{base}/web/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/web/login",
        data={
            "login": PORTAL_LOGIN,
            "password": PORTAL_PASSWORD,
            "csrf_token": csrf,
            "redirect": "/my",
        },
        timeout=30,
    )
    page = session.get(f"{base}/new/ticket", timeout=30).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not match:
        sys.exit("portal login failed: no ticket form")
    return session, match.group(1)


def run_clients(clients, requests_per_client, make_client):
    """Run ``clients`` threads; each calls its request function
    ``requests_per_client`` times. Returns (seconds, latencies, statuses)."""
    latencies = []
    statuses = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker(index):
        call = make_client(index)
        barrier.wait()
        local = []
        codes = {}
        for number in range(requests_per_client):
            start = time.perf_counter()
            status = call(number)
            local.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(local)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, statuses


def report(name, clients, seconds, latencies, statuses):
    latencies = sorted(latencies)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    print(
        f"{name:<18} clients={clients:<2} n={len(latencies):<5} "
        f"{len(latencies) / seconds:8.1f} req/s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"status {dict(sorted(statuses.items()))}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", required=True, help="the checkout's odoo .conf")
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    conf = os.path.abspath(os.path.expanduser(args.conf))
    print(f"building {DB} …", flush=True)
    inline_token, background_token, system_id = create_database(conf, DB)
    server = Server(conf, DB, args.workers, prefix="rs_bench_alerts_")
    base = server.url
    run_id = int(time.time())
    try:
        # warm the workers up (registry, routing maps) before measuring
        warm = requests.Session()
        for i in range(args.workers * 4):
            warm.get(f"{base}/web/health", timeout=30)
            post_alert(
                warm,
                f"{base}/response_support/alerts/bench-inline",
                inline_token,
                alert_payload(f"warm-{run_id}-{i}"),
            )
        for clients in (1, 8):
            per_client = max(1, args.requests // clients)

            def health(_index):
                session = requests.Session()
                return lambda _n: session.get(
                    f"{base}/web/health", timeout=60
                ).status_code

            def inline(index, clients=clients):
                session = requests.Session()
                url = f"{base}/response_support/alerts/bench-inline"
                return lambda n: post_alert(
                    session, url, inline_token, alert_payload(f"i{clients}-{index}-{n}")
                ).status_code

            def accept(index, clients=clients):
                session = requests.Session()
                url = f"{base}/response_support/alerts/bench-bg"
                return lambda n: post_alert(
                    session,
                    url,
                    background_token,
                    alert_payload(f"b{clients}-{index}-{n}"),
                ).status_code

            def duplicate(_index, clients=clients):
                session = requests.Session()
                url = f"{base}/response_support/alerts/bench-inline"
                payload = alert_payload(f"dup-{clients}")
                return lambda _n: post_alert(
                    session, url, inline_token, payload
                ).status_code

            def web_ticket(_index):
                session, csrf = portal_session(base)

                def call(_n):
                    return session.post(
                        f"{base}/submitted/ticket",
                        data={
                            "csrf_token": csrf,
                            "subject": "Billing API is down on billing-api-01",
                            "description": "billing-api-01:8080 has not answered "
                            "the probe for 5 minutes.",
                            "system": system_id,
                            "impact": "high",
                            "urgency": "high",
                        },
                        allow_redirects=False,
                        timeout=60,
                    ).status_code

                return call

            # the duplicate's alert exists before it is measured
            post_alert(
                requests.Session(),
                f"{base}/response_support/alerts/bench-inline",
                inline_token,
                alert_payload(f"dup-{clients}"),
            )
            before = shell_value(run_shell(conf, DB, COUNTS), "COUNTS")
            for name, factory in (
                ("web/health", health),
                ("alert new+ticket", inline),
                ("alert accept", accept),
                ("web ticket", web_ticket),
            ):
                report(name, clients, *run_clients(clients, per_client, factory))
            mid = shell_value(run_shell(conf, DB, COUNTS), "COUNTS")
            report(
                "alert duplicate", clients, *run_clients(clients, per_client, duplicate)
            )
            after = shell_value(run_shell(conf, DB, COUNTS), "COUNTS")
            print(
                f"duplicates (clients={clients}): alert rows created "
                f"{int(after[0]) - int(mid[0])}, tickets created "
                f"{int(after[2]) - int(mid[2])}, posts counted "
                f"{int(after[1]) - int(mid[1])} "
                f"(before the run: {before[0]} alerts, {before[2]} tickets)",
                flush=True,
            )
    finally:
        server.stop()
    problems = server.log_problems()
    print(f"server log {server.log.name}: {len(problems)} error/traceback lines")
    for line in problems[:20]:
        print("  ", line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
