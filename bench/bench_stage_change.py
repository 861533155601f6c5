# Query count and time of a stage change on 1 and on 50 tickets with running SLA
# clocks (issue 8: the write path is batched like the planner).
# Run: ./rs bench (every bench_*.py), or this script alone through `odoo shell`
# (see bench/RESULTS.md). Everything is rolled back at the end; prints figures only.
import os

from freezegun import freeze_time
from freezegun.api import real_perf_counter  # perf_counter is frozen too

print(f"load average {os.getloadavg()[0]:.1f}")
env = env  # noqa: F821 - provided by odoo shell
Ticket = env["helpdesk.ticket"]
team = env["helpdesk.ticket.team"].create(
    {"name": "Bench team", "response_support_process": True}
)
level = env["response.support.sla.level"].create(
    {
        "name": "Bench level",
        "target_ids": [
            (0, 0, {"priority": p, "response_minutes": 60, "resolution_minutes": 480})
            for p in "0123"
        ],
    }
)
customer = env["res.partner"].create({"name": "Bench customer", "is_company": True})
catalog = env["response.support.catalog"].create({"name": "Bench", "code": "BENCH"})
system = env["response.support.system"].create(
    {"name": "Bench system", "code": "BENCH-SYS", "partner_id": customer.id}
)
env["response.support.contract"].create(
    {
        "name": "Bench contract",
        "partner_id": customer.id,
        "system_ids": [(6, 0, system.ids)],
        "phase_ids": [
            (
                0,
                0,
                {
                    "phase": "service",
                    "date_start": "2020-01-01",
                    "date_end": "2030-12-31",
                    "sla_level_id": level.id,
                    "catalog_ids": [(6, 0, catalog.ids)],
                },
            )
        ],
    }
)
stage_progress = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
stage_awaiting = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")


def vals():
    return {
        "name": "Bench ticket",
        "description": "<p>bench</p>",
        "team_id": team.id,
        "system_id": system.id,
        "partner_id": customer.id,
        "partner_name": "Li Lei",
        "partner_email": "li.lei@bench.example.com",
        "reporter_role": "user",
        "catalog_id": catalog.id,
        "impact": "medium",
        "urgency": "high",
        "no_attachment": True,
        "reported_date": "2026-03-02 02:00:00",
    }


def measure(tickets, stage):
    env.flush_all()
    env.invalidate_all()
    start_queries = env.cr.sql_log_count
    start = real_perf_counter()
    tickets.write({"stage_id": stage.id})
    env.flush_all()
    return env.cr.sql_log_count - start_queries, real_perf_counter() - start


with freeze_time("2026-03-02 02:00:00"):
    warm = Ticket.create(vals())
    one = Ticket.create(vals())
    fifty = Ticket.create([vals() for _i in range(50)])
with freeze_time("2026-03-02 02:05:00"):
    measure(warm, stage_progress)
    q1, t1 = measure(one, stage_progress)
    q50, t50 = measure(fifty, stage_progress)
print(f"stage change New -> In Progress, 1 ticket:   {q1} queries, {t1 * 1000:.0f} ms")
print(
    f"stage change New -> In Progress, 50 tickets: {q50} queries, {t50 * 1000:.0f} ms"
)
with freeze_time("2026-03-02 02:10:00"):
    measure(warm, stage_awaiting)
    q1, t1 = measure(one, stage_awaiting)
    q50, t50 = measure(fifty, stage_awaiting)
print(f"stage change -> Awaiting (pause), 1 ticket:   {q1} queries, {t1 * 1000:.0f} ms")
print(
    f"stage change -> Awaiting (pause), 50 tickets: {q50} queries, {t50 * 1000:.0f} ms"
)
env.cr.rollback()
