"""Install and uninstall response_support on a live helpdesk_mgmt database.

A company already runs helpdesk_mgmt: 10,000 tickets in several teams and stages.
This script builds that database, installs response_support (timed), checks that
every existing ticket is unchanged and still behaves as in plain helpdesk_mgmt
(no clocks, no intake hold, stage changes work), then uninstalls the addon (timed)
and checks that helpdesk_mgmt still works and the tickets are intact.

Run (the checkout's Odoo configuration is printed by ./rs setup):

    ~/.cache/response_support/venv/bin/python bench/live_install_existing.py \\
        --conf ~/.cache/response_support/odoo-<checkout>.conf [--tickets 10000]

It prints figures and exits non-zero when a check fails. It asserts nothing about
time."""

import argparse
import os
import subprocess
import sys
import time

from _common import odoo_bin

DB = "rs_bench_install"
TEAMS = ["Internal IT", "HR Requests", "Facilities", "Product B Support"]
# columns of helpdesk_mgmt's own ticket fields, compared before and after
SNAPSHOT_SQL = """
    SELECT id, name, number, stage_id, team_id, user_id, priority, partner_id,
           company_id, category_id, channel_id, closed_date, kanban_state, active
      FROM helpdesk_ticket ORDER BY id
"""


def run_odoo(conf, *args):
    """Run Odoo's CLI with the checkout's configuration; returns seconds taken."""
    start = time.perf_counter()
    subprocess.run(
        [odoo_bin(), "-c", conf, "-d", DB, "--log-level=warn", *args],
        check=True,
        cwd=os.path.dirname(conf),
    )
    return time.perf_counter() - start


def run_shell(conf, code):
    """Run ``code`` in an Odoo shell on the bench database; returns its stdout."""
    result = subprocess.run(
        [odoo_bin(), "shell", "-c", conf, "-d", DB, "--log-level=warn", "--no-http"],
        input=code,
        check=False,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(conf),
    )
    if result.returncode or "Traceback" in result.stderr:
        sys.exit(f"odoo shell failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


POPULATE = """
import random
random.seed(7)
teams = env["helpdesk.ticket.team"].create([{"name": n} for n in %(teams)r])
stages = env["helpdesk.ticket.stage"].search([])
users = env["res.users"].create([
    {"name": f"Agent {i}", "login": f"agent{i}@bench.example.com",
     "groups_id": [(6, 0, [env.ref("helpdesk_mgmt.group_helpdesk_user").id])]}
    for i in range(8)
])
partners = env["res.partner"].create([{"name": f"Customer {i}"} for i in range(200)])
Ticket = env["helpdesk.ticket"].with_context(
    tracking_disable=True, mail_create_nolog=True, mail_notrack=True
)
for offset in range(0, %(count)d, 1000):
    Ticket.create([
        {
            "name": f"Existing request {offset + i}",
            "description": "<p>Created before response_support was installed.</p>",
            "team_id": random.choice(teams).id,
            "stage_id": random.choice(stages).id,
            "user_id": random.choice(users + env["res.users"]).id,
            "priority": random.choice("0123"),
            "partner_id": random.choice(partners).id,
        }
        for i in range(min(1000, %(count)d - offset))
    ])
    env.cr.commit()
print("tickets", env["helpdesk.ticket"].search_count([]))
"""

SNAPSHOT = """
import hashlib
env.cr.execute('''%(sql)s''')
rows = env.cr.fetchall()
print("snapshot", len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
"""

CHECK_PLAIN = """
Ticket = env["helpdesk.ticket"]
print("process", Ticket.search_count([("response_support_process", "=", True)]))
print("clocks", env["response.support.sla.clock"].search_count([]))
team = env["helpdesk.ticket.team"].search([("name", "=", "HR Requests")], limit=1)
print("team_flag", team.response_support_process)

done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
ticket = Ticket.create({"name": "After", "description": "x", "team_id": team.id})
ticket.stage_id = done
print("plain_close", ticket.closed and not ticket.sla_clock_ids)
env.cr.rollback()
"""

UNINSTALL = """
import time
start = time.perf_counter()
module = env["ir.module.module"].search([("name", "=", "response_support")])
module.button_immediate_uninstall()
print("uninstall_s", round(time.perf_counter() - start, 1))
"""

CHECK_AFTER_UNINSTALL = """
env.cr.execute(
    "SELECT count(*) FROM information_schema.columns "
    "WHERE table_name = 'helpdesk_ticket' AND column_name LIKE 'response_support%%'"
)
print("leftover_columns", env.cr.fetchone()[0])
env.cr.execute("SELECT to_regclass('response_support_sla_clock') IS NULL")
print("clock_table_dropped", env.cr.fetchone()[0])
done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
ticket = env["helpdesk.ticket"].create({"name": "After uninstall", "description": "x"})
ticket.stage_id = done
print("helpdesk_works", bool(ticket.closed))
env.cr.rollback()
"""


def values(output):
    """{key: value} of the ``key value…`` lines a shell script printed."""
    result = {}
    for line in output.splitlines():
        key, _sep, rest = line.partition(" ")
        result[key] = rest.strip()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--tickets", type=int, default=10000)
    args = parser.parse_args()
    conf = os.path.abspath(os.path.expanduser(args.conf))
    drop = f"""
import odoo
from odoo import sql_db
from odoo.service.db import _drop_conn
odoo.tools.config.parse_config(["-c", {conf!r}])
with sql_db.db_connect("postgres").cursor() as cr:
    cr._cnx.autocommit = True
    _drop_conn(cr, {DB!r})
    cr.execute('DROP DATABASE IF EXISTS "{DB}"')
"""
    subprocess.run([sys.executable, "-c", drop], check=True, cwd=os.path.dirname(conf))
    print(f"database {DB}: helpdesk_mgmt only, {args.tickets} existing tickets")
    seconds = run_odoo(
        conf, "-i", "helpdesk_mgmt", "--without-demo=all", "--stop-after-init"
    )
    print(f"  helpdesk_mgmt installed in {seconds:.1f} s")
    start = time.perf_counter()
    out = values(run_shell(conf, POPULATE % {"teams": TEAMS, "count": args.tickets}))
    print(f"  {out['tickets']} tickets created in {time.perf_counter() - start:.1f} s")
    before = values(run_shell(conf, SNAPSHOT % {"sql": SNAPSHOT_SQL}))["snapshot"]

    seconds = run_odoo(
        conf, "-i", "response_support", "--without-demo=all", "--stop-after-init"
    )
    print(f"install response_support: {seconds:.1f} s")
    after = values(run_shell(conf, SNAPSHOT % {"sql": SNAPSHOT_SQL}))["snapshot"]
    plain = values(run_shell(conf, CHECK_PLAIN))
    checks = {
        "existing tickets unchanged (helpdesk_mgmt columns)": before == after,
        "no existing ticket joined the process": plain["process"] == "0",
        "no SLA clock created": plain["clocks"] == "0",
        "existing teams do not adopt the process": plain["team_flag"] == "False",
        "a plain ticket closes as in helpdesk_mgmt": plain["plain_close"] == "True",
    }
    uninstall = values(run_shell(conf, UNINSTALL))
    print(f"uninstall response_support: {uninstall['uninstall_s']} s")
    final = values(run_shell(conf, SNAPSHOT % {"sql": SNAPSHOT_SQL}))["snapshot"]
    left = values(run_shell(conf, CHECK_AFTER_UNINSTALL))
    checks.update(
        {
            "tickets intact after uninstall": final == before,
            "no response_support column left on tickets": left["leftover_columns"]
            == "0",
            "addon tables dropped": left["clock_table_dropped"] == "True",
            "helpdesk_mgmt works after uninstall": left["helpdesk_works"] == "True",
        }
    )
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAILED'}] {label}")
    print(f"snapshot before {before}\nsnapshot after  {after}\nafter uninstall {final}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
