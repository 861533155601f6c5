"""Concurrency check of the alert webhook on a real multi-process server.

Starts the venv's ``odoo`` with ``--workers=2 --max-cron-threads=1`` on a free local
port with its own database, then, round after round, 4 clients post the same new
Alertmanager alert at the same instant. Each round must end with exactly one alert
record (counting 4 posts) and one ticket, and the server log must hold no traceback.

Run (the checkout's Odoo configuration is printed by ./rs setup):

    ~/.cache/response_support/venv/bin/python bench/live_alerts_concurrency.py \\
        --conf ~/.cache/response_support/odoo-<checkout>.conf [--rounds 25]

Exits non-zero when a check fails."""

import argparse
import os
import sys
import threading

import requests
from live_alerts import Server, alert_payload, create_database, post_alert, run_shell

DB = "rs_bench_alerts_concurrency"
CLIENTS = 4

CHECK = """
env.cr.execute('''
    SELECT a.fingerprint, count(*), sum(a.repeat_count), count(DISTINCT a.ticket_id),
           min(a.state)
      FROM response_support_alert a
     WHERE a.fingerprint LIKE 'race-%%'
  GROUP BY a.fingerprint ORDER BY a.fingerprint''')
for row in env.cr.fetchall():
    print("ROW", *row)
env.cr.execute('''SELECT count(*) FROM helpdesk_ticket t
                   WHERE EXISTS (SELECT 1 FROM response_support_alert a
                                  WHERE a.ticket_id = t.id
                                    AND a.fingerprint LIKE 'race-%%')''')
print("TICKETS", env.cr.fetchone()[0])
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", required=True, help="the checkout's odoo .conf")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    conf = os.path.abspath(os.path.expanduser(args.conf))
    print(f"building {DB} …", flush=True)
    token, _background, _system = create_database(conf, DB)
    server = Server(conf, DB, workers=2)
    url = f"{server.url}/response_support/alerts/bench-inline"
    answers = {}
    try:
        sessions = [requests.Session() for _ in range(CLIENTS)]
        for session in sessions:  # open the connections, warm the workers up
            session.get(f"{server.url}/web/health", timeout=30)
        for number in range(args.rounds):
            payload = alert_payload(f"race-{number:03d}")
            barrier = threading.Barrier(CLIENTS)

            def client(session, payload=payload, barrier=barrier):
                barrier.wait()
                response = post_alert(session, url, token, payload)
                result = (
                    response.json()["alerts"][0]["result"]
                    if response.ok
                    else response.text[:200]
                )
                key = (response.status_code, result)
                answers[key] = answers.get(key, 0) + 1

            threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        server.stop()
    output = run_shell(conf, DB, CHECK)
    rows = [line.split()[1:] for line in output.splitlines() if line.startswith("ROW")]
    tickets = int(
        next(
            line.split()[1]
            for line in output.splitlines()
            if line.startswith("TICKETS")
        )
    )
    failures = []
    if len(rows) != args.rounds:
        failures.append(f"{len(rows)} fingerprints stored for {args.rounds} rounds")
    for fingerprint, records, posts, ticket_count, state in rows:
        if (records, posts, ticket_count, state) != ("1", str(CLIENTS), "1", "linked"):
            failures.append(
                f"{fingerprint}: {records} records, {posts} posts counted, "
                f"{ticket_count} tickets, state {state}"
            )
    if tickets != args.rounds:
        failures.append(f"{tickets} tickets for {args.rounds} alerts")
    problems = server.log_problems()
    print(f"answers (status, result): {dict(sorted(answers.items()))}")
    print(
        f"rounds {args.rounds} x {CLIENTS} clients: {len(rows)} alert records, "
        f"{tickets} tickets; server log {server.log.name}: "
        f"{len(problems)} error/traceback lines"
    )
    for line in problems[:20]:
        print("  ", line)
    for failure in failures:
        print("FAIL", failure)
    sys.exit(1 if failures or problems else 0)


if __name__ == "__main__":
    main()
