"""Generator: a desk with 200,000 tickets (issue 13, "Scale"), seeded.

Builds, in the database ``odoo shell`` runs on (response_support installed), a
desk two years deep:

- people: 20 desk users ``bench_desk01…`` (the load test logs in as them), 30
  engineers ``bench_eng01…`` in 4 teams following the process, a manager
  ``bench_manager`` (all with the password ``bench``); 300 customers (companies)
  with one contact each; the first, *Bench Customer 000*, has 10,000 tickets and a
  portal user ``bench_portal``;
- a PRC 5×8 calendar (2025–2026 holidays and make-up days), three SLA levels,
  a 16-entry catalog (4 areas, one per team), 1–5 systems per customer, one O&M
  contract per customer (three for customer 000: ``BENCH-LARGEST`` is the largest
  contract of the desk, 8,000 tickets) with construction → free maintenance → paid
  O&M phases;
- 200,000 tickets by COPY, reported over the 730 days before 2026-12-01 (UTC),
  newest ids last: a mix of priorities (impact × urgency), channels, types,
  catalog entries and teams; open (New, In Progress, Awaiting: ~5 %), resolved
  (awaiting the follow-up) and closed (Done, Cancelled, Rejected); resolved at the
  desk or assigned; escalated to the manager or raised as emergencies;
- SLA clocks: response and resolution for every ticket (met or breached, used
  working minutes, lateness), on-site arrival for on-site visits, support time for
  remote ones; the running clocks of open tickets have no next check, so a live
  scheduler leaves them alone during the load test;
- support activities (on-site ~6 %, remote ~10 %) with engineers, legacy issues
  (遗留问题) on some on-site visits, follow-ups (回访) with satisfaction on 75 % of
  closed tickets and customer opinions on some, escalation records, 3,000
  knowledge articles (written by engineers, linked to the tickets that used them).

The monthly-report and KPI benches (other branches) find the largest contract and
the counts in the ``ir.config_parameter`` ``response_support.bench_gen`` (JSON).

With ``RS_BENCH_BARE_DB`` set, the same tickets (the ``helpdesk_ticket`` columns
helpdesk_mgmt knows; the Resolved stage, which it lacks, becomes Awaiting) and the
same people go into that database too, which has helpdesk_mgmt alone: the
reference of ``bench_scale.py``.

Run once (about 8 minutes on 2 busy cores; both databases must be new)::

    RS_BENCH_DB=rs_bench_200k RS_BENCH_BARE_DB=rs_bench_bare ./rs bench gen_tickets.py

``RS_BENCH_TICKETS`` sets the size (default 200000; 10,000 or 5 % of it for the
big customer). The data is committed. Importable: ``generate(env, size, bare_env)``.
"""

import json
import os
import random
import time
from collections import namedtuple
from datetime import datetime, timedelta

from _common import copy_rows, load_average, vacuum

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

SEED = 20261202
TICKETS = 200_000
BIG_TICKETS = 10_000
CUSTOMERS = 300
DESK_USERS = 20
ENGINEERS = 30
ARTICLES = 3_000
NOW = datetime(2026, 12, 1)
DAYS = 730
PASSWORD = "bench"
MARK = "response_support.bench_gen"
BIG_CUSTOMER = "Bench Customer 000"
LARGEST = "BENCH-LARGEST"

TEAMS = ["Software", "Hardware", "Network", "Database"]
CATEGORIES = ["Fault", "Request", "Consultation", "Change", "Security", "Other"]
CHANNELS = ["Phone", "Email", "Web", "Other"]  # helpdesk_mgmt's, in both databases
# (impact, urgency) → priority: the default matrix of the addon's demo
MATRIX = {
    ("low", "low"): "0",
    ("low", "medium"): "0",
    ("low", "high"): "1",
    ("medium", "low"): "0",
    ("medium", "medium"): "1",
    ("medium", "high"): "2",
    ("high", "low"): "1",
    ("high", "medium"): "2",
    ("high", "high"): "3",
}
TABLES = [
    "helpdesk_ticket",
    "response_support_sla_clock",
    "response_support_activity",
    "response_support_followup",
    "response_support_legacy_issue",
    "response_support_escalation",
    "response_support_article",
    "response_support_customer_opinion",
]

Ticket = namedtuple(
    "Ticket",
    """n customer contract system catalog category team user stage priority impact
    urgency channel ticket_type reported assigned responded resolved closed
    response_f resolution_f outcome escalation mode satisfaction reopen scope""",
)


# ---------------------------------------------------------------------- the world


def _users(env, ours):
    """Desk users, engineers and the manager (password ``bench``); the hash of the
    first one is copied to the others (hashing 51 passwords takes a minute)."""
    if ours:
        desk = env.ref("response_support.group_response_support_desk")
        engineer = env.ref("response_support.group_response_support_engineer")
        manager = env.ref("response_support.group_response_support_manager")
    else:
        desk = engineer = env.ref("helpdesk_mgmt.group_helpdesk_user")
        manager = env.ref("helpdesk_mgmt.group_helpdesk_manager")
    specs = (
        [(f"bench_desk{i:02d}", f"Bench Desk {i:02d}", desk) for i in range(1, 21)]
        + [
            (f"bench_eng{i:02d}", f"Bench Engineer {i:02d}", engineer)
            for i in range(1, 31)
        ]
        + [("bench_manager", "Bench Manager", manager)]
    )
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
    users = Users.create(
        [
            {
                "login": login,
                "name": name,
                "email": f"{login}@bench.example.com",  # message_post needs one
                "groups_id": [(6, 0, group.ids)],
                "tz": "Asia/Shanghai",
            }
            for login, name, group in specs
        ]
    )
    users[0].password = PASSWORD
    env.flush_all()
    env.cr.execute(
        "UPDATE res_users SET password = (SELECT password FROM res_users WHERE id = %s)"
        " WHERE id = ANY(%s)",
        [users[0].id, users.ids],
    )
    return users[:DESK_USERS], users[DESK_USERS:-1], users[-1]


def build_world(env, ours, size):
    """The records both databases share (by name), and ours only; returns a dict
    of id lists the ticket rows refer to."""
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
    desks, engineers, manager = _users(env, ours)
    teams = env["helpdesk.ticket.team"].create(
        [
            {
                "name": f"Bench {name}",
                "user_ids": [(6, 0, engineers[i::4].ids)],
                **({"response_support_process": True} if ours else {}),
            }
            for i, name in enumerate(TEAMS)
        ]
    )
    categories = env["helpdesk.ticket.category"].create(
        [{"name": f"Bench {name}"} for name in CATEGORIES]
    )
    Channel = env["helpdesk.ticket.channel"]
    channels = [Channel.search([("name", "=", name)], limit=1).id for name in CHANNELS]
    companies = env["res.partner"].create(
        [
            {"name": f"Bench Customer {i:03d}", "is_company": True}
            for i in range(CUSTOMERS)
        ]
    )
    contacts = env["res.partner"].create(
        [
            {
                "name": f"Contact {i:03d}",
                "parent_id": company.id,
                "email": f"contact{i:03d}@customer{i:03d}.example.com",
                "phone": f"+86 10 5555 {i:04d}",
            }
            for i, company in enumerate(companies)
        ]
    )
    portal = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "login": "bench_portal",
                "name": contacts[0].name,
                "partner_id": contacts[0].id,
                "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
            }
        )
    )
    env.cr.execute(
        "UPDATE res_users SET password = (SELECT password FROM res_users WHERE id = %s)"
        " WHERE id = %s",
        [desks[0].id, portal.id],
    )
    stages = {
        key: env.ref(f"helpdesk_mgmt.helpdesk_ticket_stage_{key}").id
        for key in ("new", "in_progress", "awaiting", "done", "cancelled", "rejected")
    }
    stages["resolved"] = (
        env.ref("response_support.helpdesk_ticket_stage_resolved").id
        if ours
        else stages["awaiting"]
    )
    world = {
        "desks": desks.ids,
        "engineers": engineers.ids,
        "manager": manager.id,
        "teams": teams.ids,
        "team_engineers": [engineers[i::4].ids for i in range(4)],
        "categories": categories.ids,
        "channels": channels,
        "companies": companies.ids,
        "contacts": contacts.ids,
        "contact_names": contacts.mapped("name"),
        "contact_emails": contacts.mapped("email"),
        "portal": portal.id,
        "stages": stages,
        "company": env.company.id,
    }
    if ours:
        world.update(_build_contracts(env, teams, companies, size))
    return world


def _build_contracts(env, teams, companies, size):
    from _common import attendance

    calendar = env["resource.calendar"].create(
        {
            "name": "Bench CN 5x8",
            "tz": "Asia/Shanghai",
            "attendance_ids": [(5, 0, 0)]
            + [attendance(d, 9, 12, "morning") for d in range(5)]
            + [attendance(d, 13, 18, "afternoon") for d in range(5)],
            "cn_public_holidays": True,
        }
    )
    for year in (2025, 2026):
        calendar.action_load_cn_holidays(year)

    def level(name, response, resolution):
        return {
            "name": name,
            "calendar_id": calendar.id,
            "target_ids": [
                (
                    0,
                    0,
                    {
                        "priority": p,
                        "response_minutes": response * (4 - int(p)),
                        "resolution_minutes": resolution * (4 - int(p)),
                        "onsite_minutes": 120 * (4 - int(p)),
                        "support_minutes": 240 * (4 - int(p)),
                    },
                )
                for p in "0123"
            ],
        }

    levels = env["response.support.sla.level"].create(
        [
            level("Bench Gold", 15, 240),
            level("Bench Silver", 30, 480),
            level("Bench Bronze", 60, 960),
        ]
    )
    Catalog = env["response.support.catalog"]
    areas = Catalog.create(
        [
            {
                "name": f"Bench {name}",
                "code": f"B-{name[:3].upper()}",
                "team_id": team.id,
            }
            for name, team in zip(TEAMS, teams, strict=True)
        ]
    )
    leaves = Catalog.create(
        [
            {
                "name": f"{area.name} {kind}",
                "code": f"{area.code}-{j}",
                "parent_id": area.id,
            }
            for area in areas
            for j, kind in enumerate(("Fault", "Request", "Change"))
        ]
    )
    rng = random.Random(SEED + 1)
    system_counts = [5] + [rng.randint(1, 3) for _i in range(len(companies) - 1)]
    systems = env["response.support.system"].create(
        [
            {
                "name": f"System {c:03d}-{s}",
                "code": f"S{c:03d}{s}",
                "partner_id": company.id,
            }
            for c, company in enumerate(companies)
            for s in range(system_counts[c])
        ]
    )
    by_company = {}
    for system in systems:
        by_company.setdefault(system.partner_id.id, []).append(system.id)

    def phases(level_index):
        return [
            (
                0,
                0,
                {
                    "phase": "construction",
                    "date_start": "2024-01-01",
                    "date_end": "2024-12-31",
                    "sla_level_id": levels[1].id,
                    "catalog_ids": [(6, 0, leaves.ids)],
                },
            ),
            (
                0,
                0,
                {
                    "phase": "warranty",
                    "date_start": "2025-01-01",
                    "date_end": "2025-12-31",
                    "sla_level_id": levels[0].id,
                    "catalog_ids": [(6, 0, leaves.ids)],
                },
            ),
            (
                0,
                0,
                {
                    "phase": "service",
                    "date_start": "2026-01-01",
                    "date_end": "2027-12-31",
                    "sla_level_id": levels[level_index].id,
                    "catalog_ids": [(6, 0, leaves.ids)],
                },
            ),
        ]

    contract_vals = []
    owners = []  # (company index, system ids)
    for c, company in enumerate(companies):
        ids = by_company[company.id]
        parts = (
            [(LARGEST, ids[:3]), ("BENCH-C000-B", ids[3:4]), ("BENCH-C000-C", ids[4:])]
            if c == 0
            else [(f"BENCH-C{c:03d}", ids)]
        )
        for code, system_ids in parts:
            contract_vals.append(
                {
                    "name": f"O&M {company.name}"
                    + (" (largest)" if code == LARGEST else ""),
                    "code": code,
                    "partner_id": company.id,
                    "system_ids": [(6, 0, system_ids)],
                    "team_ids": [(6, 0, teams.ids)],
                    "phase_ids": phases(c % 3),
                }
            )
            owners.append((c, system_ids))
    contracts = env["response.support.contract"].create(contract_vals)
    customer_contracts = {}
    for contract, (c, system_ids) in zip(contracts, owners, strict=True):
        customer_contracts.setdefault(c, []).append((contract.id, system_ids))
    phase_rows = {}
    for contract in contracts:
        phase_rows[contract.id] = [
            (p.date_start, p.date_end, p.id, p.phase, p.sla_level_id.id)
            for p in contract.phase_ids.sorted("date_start")
        ]
    targets = {
        (t.level_id.id, t.priority): (
            t.id,
            t.response_minutes,
            t.resolution_minutes,
            t.onsite_minutes,
            t.support_minutes,
        )
        for t in levels.target_ids
    }
    return {
        "calendar": calendar.id,
        "catalog": [(leaf.id, areas.ids.index(leaf.parent_id.id)) for leaf in leaves],
        "customer_contracts": customer_contracts,
        "phases": phase_rows,
        "targets": targets,
        "largest": contracts.filtered(lambda c: c.code == LARGEST).id,
    }


# ---------------------------------------------------------------------- tickets


def draw_tickets(size):
    """The logical tickets, the same for both databases (indices, not ids)."""
    rng = random.Random(SEED)
    big_every = max(1, size // min(BIG_TICKETS, max(1, size // 20)))
    weights = [1 / (k**0.5) for k in range(1, CUSTOMERS)]  # none beats customer 000
    others = rng.choices(range(1, CUSTOMERS), weights=weights, k=size)
    span = DAYS * 86400
    tickets = []
    for n in range(size):
        customer = 0 if n % big_every == 0 else others[n]
        reported = NOW - timedelta(
            seconds=int(span * (size - n) / size) + rng.randrange(600)
        )
        age = (NOW - reported).days
        draw = rng.random()
        if age > 30:
            stage = (
                "done"
                if draw < 0.92
                else "cancelled"
                if draw < 0.955
                else "rejected"
                if draw < 0.965
                else "resolved"
                if draw < 0.975
                else ("new", "in_progress", "awaiting")[rng.randrange(3)]
            )
        else:
            stage = (
                ("new", "in_progress", "in_progress", "awaiting")[rng.randrange(4)]
                if draw < 0.4
                else "resolved"
                if draw < 0.6
                else "done"
            )
        impact = rng.choices(("low", "medium", "high"), (5, 4, 1))[0]
        urgency = rng.choices(("low", "medium", "high"), (4, 4, 2))[0]
        catalog = rng.randrange(12)
        team = catalog // 3
        outcome = "desk" if rng.random() < 0.25 else "assigned"
        escalation = rng.choices(("engineer", "manager", "emergency"), (955, 40, 5))[0]
        mode = rng.choices((None, "onsite", "remote"), (84, 6, 10))[0]
        assigned = reported + timedelta(minutes=rng.randint(2, 90))
        response_f = (
            rng.betavariate(2, 5) * 1.4
        )  # share of the target used; > 1: breached
        resolution_f = rng.betavariate(2, 4) * 1.5
        done = stage in ("done", "resolved", "cancelled", "rejected")
        resolved = (
            reported + timedelta(minutes=int(60 + rng.expovariate(1 / 1800)))
            if done
            else None
        )
        closed = (
            resolved + timedelta(hours=rng.randint(1, 96))
            if stage in ("done", "cancelled", "rejected")
            else None
        )
        if closed and closed > NOW:
            closed = NOW - timedelta(minutes=rng.randint(1, 600))
        if resolved and resolved > (closed or NOW):
            resolved = (closed or NOW) - timedelta(minutes=rng.randint(1, 60))
        tickets.append(
            Ticket(
                n=n,
                customer=customer,
                contract=(0 if rng.random() < 0.8 else rng.randint(1, 2))
                if customer == 0
                else 0,
                system=rng.randrange(1000),
                catalog=catalog,
                category=rng.randrange(len(CATEGORIES)),
                team=team,
                user=None if stage == "new" else rng.randrange(1000),
                stage=stage,
                priority=MATRIX[impact, urgency],
                impact=impact,
                urgency=urgency,
                channel=rng.choices(range(4), (45, 25, 20, 10))[0],
                ticket_type=rng.choices(
                    ("incident", "request", "complaint"), (70, 28, 2)
                )[0],
                reported=reported,
                assigned=None if stage == "new" else assigned,
                responded=None
                if stage == "new"
                else reported + timedelta(minutes=rng.randint(1, 120)),
                resolved=resolved,
                closed=closed,
                response_f=response_f,
                resolution_f=resolution_f,
                outcome=outcome,
                escalation=escalation,
                mode=mode,
                satisfaction=(
                    rng.choices("54321", (45, 35, 12, 5, 3))[0]
                    if stage == "done" and rng.random() < 0.75
                    else None
                ),
                reopen=1 if rng.random() < 0.02 else 0,
                scope="out_of_scope" if rng.random() < 0.03 else "covered",
            )
        )
    return tickets


def _ids(env, sequence, count):
    env.cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
    return [row[0] for row in env.cr.fetchall()]


def _engineer(world, t):
    if t.user is None:
        return None
    if t.outcome == "desk":
        return world["desks"][t.user % DESK_USERS]
    team = world["team_engineers"][t.team]
    return team[t.user % len(team)]


BARE_COLUMNS = """id number name description partner_id commercial_partner_id
    partner_name partner_email user_id stage_id team_id category_id channel_id
    priority company_id kanban_state active unattended last_stage_update
    assigned_date closed_date create_uid write_uid create_date write_date""".split()
OURS_COLUMNS = (
    BARE_COLUMNS
    + """system_id contract_id contract_phase_id
    contract_phase catalog_id sla_level_id sla_target_id coverage_state impact
    urgency matrix_priority ticket_type intake_outcome escalation_level
    emergency_state sla_status support_mode followup_state followup_satisfaction
    reopen_count response_support_process reported_date
    resolved_date responded_date sla_deadline reporter_phone reporter_role
    no_attachment resolution resolution_cause""".split()
)

CLOCK_COLUMNS = """ticket_id company_id activity_id sla_level_id calendar_id kind
    target_minutes start_date anchor_date anchor_used_minutes deadline done_date
    used_minutes late_minutes status breached cancelled breach_date
    paused_since""".split()
FOLLOWUP_COLUMNS = """id ticket_id company_id user_id partner_id channel result
    satisfaction date""".split()
LEGACY_COLUMNS = """activity_id ticket_id customer_id system_id company_id user_id
    name state due_date""".split()


def _bare_row(world, t, ticket_id):
    stage = world["stages"][t.stage]
    return (
        ticket_id,
        f"BG{t.n + 1:06d}",
        f"Bench ticket {t.n + 1}: {CATEGORIES[t.category].lower()}"
        f" on system {t.system % 5}",
        f"<p>Reported by phone. Ticket {t.n + 1}.</p>",
        world["contacts"][t.customer],
        world["companies"][t.customer],
        world["contact_names"][t.customer],
        world["contact_emails"][t.customer],
        _engineer(world, t),
        stage,
        world["teams"][t.team],
        world["categories"][t.category],
        world["channels"][t.channel],
        t.priority,
        world["company"],
        "normal",
        True,
        t.stage == "new",
        t.closed or t.assigned or t.reported,
        t.assigned,
        t.closed,
        world["desks"][t.n % DESK_USERS],
        world["desks"][t.n % DESK_USERS],
        t.reported,
        t.closed or t.resolved or t.assigned or t.reported,
    )


def _phase(world, contract_id, day):
    for start, end, phase_id, phase, level in world["phases"][contract_id]:
        if start <= day <= end:
            return phase_id, phase, level
    raise ValueError(f"no phase on {day}")


def _clock_minutes(target, share):
    used = round(target * share, 2)
    return used, round(used - target, 2), "breached" if used > target else "met"


def insert_ours(env, world, tickets):
    """The tickets and everything hanging from them, in our database."""
    ticket_ids = _ids(env, "helpdesk_ticket_id_seq", len(tickets))
    followup_ids = _ids(env, "response_support_followup_id_seq", len(tickets))
    rows, clocks, followups, activities, escalations = [], [], [], [], []
    company = world["company"]
    for t, ticket_id in zip(tickets, ticket_ids, strict=True):
        contracts = world["customer_contracts"][t.customer]
        contract_id, system_ids = contracts[min(t.contract, len(contracts) - 1)]
        phase_id, phase, level = _phase(world, contract_id, t.reported.date())
        target_id, response, resolution, onsite, support = world["targets"][
            level, t.priority
        ]
        catalog_id, _area = world["catalog"][t.catalog]
        system_id = system_ids[t.system % len(system_ids)]
        open_ = t.stage in ("new", "in_progress", "awaiting")
        r_used, r_late, r_status = _clock_minutes(response, t.response_f)
        s_used, s_late, s_status = _clock_minutes(resolution, t.resolution_f)
        if open_:
            # a live desk: most open tickets on track, some at risk, some breached
            deadline = NOW + timedelta(minutes=(t.n * 7919) % 7200 - 1440)
            s_status = (
                "breached"
                if deadline < NOW
                else "paused"
                if t.stage == "awaiting"
                else "running"
            )
            sla_status = (
                "breached"
                if s_status == "breached"
                else "paused"
                if s_status == "paused"
                else "at_risk"
                if deadline < NOW + timedelta(hours=8)
                else "running"
            )
        else:
            deadline = None
            sla_status = "breached" if "breached" in (r_status, s_status) else "met"
        followup_id = followup_ids[t.n] if t.satisfaction else None
        user = _engineer(world, t)
        rows.append(
            (
                *_bare_row(world, t, ticket_id),
                system_id,
                contract_id,
                phase_id,
                phase,
                catalog_id,
                level,
                target_id,
                t.scope,
                t.impact,
                t.urgency,
                t.priority,
                t.ticket_type,
                None if t.stage == "new" else t.outcome,
                t.escalation,
                "confirmed" if t.escalation == "emergency" else None,
                sla_status,
                {"onsite": "onsite", "remote": "remote"}.get(t.mode),
                "confirmed"
                if followup_id
                else "pending"
                if t.stage == "resolved"
                else None,
                t.satisfaction,
                t.reopen,
                True,
                t.reported,
                t.resolved,
                t.responded,
                deadline,
                f"+86 10 5555 {t.customer:04d}",
                "user",
                True,
                "<p>Restarted the service.</p>" if t.resolved else None,
                "<p>Out of memory.</p>" if t.resolved else None,
            )
        )
        done_r = t.responded
        clocks.append(
            (
                ticket_id,
                company,
                None,
                level,
                world["calendar"],
                "response",
                response,
                t.reported,
                t.reported,
                0,
                t.reported + timedelta(minutes=response),
                done_r,
                r_used if done_r else None,
                r_late if done_r else None,
                r_status if done_r else "running",
                done_r is not None and r_status == "breached",
                False,
                done_r if done_r and r_status == "breached" else None,
                None,
            )
        )
        clocks.append(
            (
                ticket_id,
                company,
                None,
                level,
                world["calendar"],
                "resolution",
                resolution,
                t.reported,
                t.reported,
                0,
                deadline or t.reported + timedelta(minutes=resolution),
                t.resolved,
                s_used if t.resolved else round(resolution * 0.4, 2),
                s_late if t.resolved else None,
                s_status if t.resolved or open_ else "cancelled",
                s_status == "breached",
                not (t.resolved or open_),
                (t.resolved or deadline) if s_status == "breached" else None,
                NOW - timedelta(hours=t.n % 48) if s_status == "paused" else None,
            )
        )
        if followup_id:
            followups.append(
                (
                    followup_id,
                    ticket_id,
                    company,
                    user,
                    world["contacts"][t.customer],
                    "call",
                    "solved",
                    t.satisfaction,
                    t.closed,
                )
            )
        if t.mode and t.stage != "new":
            activities.append(
                (t, ticket_id, contract_id, system_id, user, onsite, support, level)
            )
        if t.escalation != "engineer":
            escalations.append(
                (
                    ticket_id,
                    company,
                    "engineer",
                    t.escalation,
                    "Not solved within the engineer's time limit.",
                    world["manager"],
                    t.reported + timedelta(hours=2),
                    "sla",
                )
            )
    Model = env["helpdesk.ticket"]
    copy_rows(Model, OURS_COLUMNS, rows)
    copy_rows(
        env["response.support.followup"],
        FOLLOWUP_COLUMNS,
        followups,
    )
    # the closure follow-up of the ticket (a foreign key both ways: set afterwards)
    env.cr.execute(
        """UPDATE helpdesk_ticket t SET closure_followup_id = f.id
             FROM response_support_followup f
            WHERE f.ticket_id = t.id AND t.id >= %s""",
        [ticket_ids[0]],
    )
    _insert_activities(env, world, activities)
    copy_rows(env["response.support.sla.clock"], CLOCK_COLUMNS, clocks)
    env.cr.execute(
        """UPDATE response_support_sla_clock SET
               met_count = (status = 'met')::int,
               breached_count = (status = 'breached')::int,
               met_rate = CASE WHEN status = 'met' THEN 100.0 ELSE 0.0 END
         WHERE ticket_id >= %s""",
        [ticket_ids[0]],
    )
    copy_rows(
        env["response.support.escalation"],
        "ticket_id company_id from_level to_level reason user_id date trigger".split(),
        escalations,
    )
    _insert_opinions_and_articles(env, world, ticket_ids[0], len(tickets))
    return ticket_ids


def _insert_activities(env, world, activities):
    """On-site and remote support activities, their arrival / support-time
    clocks, the engineers and some legacy issues."""
    if not activities:
        return
    ids = _ids(env, "response_support_activity_id_seq", len(activities))
    rows, users, clocks, legacy = [], [], [], []
    rng = random.Random(SEED + 2)
    company = world["company"]
    for activity_id, (
        t,
        ticket_id,
        contract_id,
        system_id,
        user,
        onsite,
        support,
        level,
    ) in zip(ids, activities, strict=True):
        onsite_mode = t.mode == "onsite"
        requested = t.assigned + timedelta(minutes=30)
        arrival = requested + timedelta(minutes=int(onsite * rng.uniform(0.3, 1.3)))
        done = t.resolved is not None
        end = arrival + timedelta(minutes=rng.randint(30, 300))
        rows.append(
            (
                activity_id,
                f"SV{t.n + 1:06d}",
                ticket_id,
                company,
                world["companies"][t.customer],
                system_id,
                contract_id,
                world["contacts"][t.customer],
                "onsite" if onsite_mode else "remote_desktop",
                "done" if done else "in_progress",
                "none",
                requested,
                requested,
                "Contact",
                "Restore the service",
                arrival,
                arrival,
                end if done else None,
                round((end - arrival).total_seconds() / 3600, 2) if done else None,
                bool(onsite_mode and arrival > requested + timedelta(minutes=onsite)),
                done,
                done,
            )
        )
        if user:
            users.append((activity_id, user))
        target = onsite if onsite_mode else support
        used = round((arrival - requested).total_seconds() / 60 * 0.85, 2)
        status = "breached" if used > target else "met"
        clocks.append(
            (
                ticket_id,
                company,
                activity_id,
                level,
                world["calendar"],
                "onsite" if onsite_mode else "support",
                target,
                requested,
                requested,
                0,
                requested + timedelta(minutes=target),
                arrival,
                used,
                round(used - target, 2),
                status,
                status == "breached",
                False,
                arrival if status == "breached" else None,
                None,
            )
        )
        if onsite_mode and done and rng.random() < 0.15:
            legacy.append(
                (
                    activity_id,
                    ticket_id,
                    world["companies"][t.customer],
                    system_id,
                    company,
                    user or world["manager"],
                    f"Replace the spare disk of {t.n + 1}",
                    "open" if rng.random() < 0.4 else "done",
                    (t.resolved + timedelta(days=rng.randint(-10, 30))).date(),
                )
            )
    copy_rows(
        env["response.support.activity"],
        """id name ticket_id company_id customer_id system_id contract_id contact_id
        mode state plan_state requested_date agreed_date agreed_by work_content
        checkin_date start_date end_date time_spent arrival_late customer_confirmed
        no_legacy_issue""".split(),
        rows,
    )
    env.cr.execute(
        "INSERT INTO response_support_activity_user_rel (activity_id, user_id)"
        " SELECT * FROM unnest(%s::int[], %s::int[])",
        [[a for a, _u in users], [u for _a, u in users]],
    )
    copy_rows(
        env["response.support.sla.clock"],
        CLOCK_COLUMNS,
        clocks,
    )
    copy_rows(
        env["response.support.legacy.issue"],
        LEGACY_COLUMNS,
        legacy,
    )


def _insert_opinions_and_articles(env, world, first_ticket, size):
    """Customer opinions on one follow-up in ten; 3,000 articles written by the
    engineers from tickets, each used by a few tickets."""
    env.cr.execute(
        """INSERT INTO response_support_customer_opinion
               (followup_id, ticket_id, partner_id, system_id, company_id, date, kind,
                description, state, create_uid, write_uid, create_date, write_date)
           SELECT f.id, t.id, t.commercial_partner_id, t.system_id, t.company_id,
                  f.date,
                  (ARRAY['praise', 'suggestion', 'request', 'complaint'])
                      [1 + mod(f.id, 4)],
                  'Opinion on ' || t.number,
                  CASE WHEN mod(f.id, 3) = 0 THEN 'open' ELSE 'done' END,
                  1, 1, f.date, f.date
             FROM response_support_followup f
             JOIN helpdesk_ticket t ON t.id = f.ticket_id
            WHERE t.id >= %s AND mod(f.id, 10) = 0""",
        [first_ticket],
    )
    engineers = world["engineers"]
    rng = random.Random(SEED + 3)
    rows = []
    for i in range(ARTICLES):
        catalog_id, _area = world["catalog"][i % 12]
        title = f"How to restore {CATEGORIES[i % 6].lower()} case {i + 1}"
        rows.append(
            (
                title,
                catalog_id,
                engineers[i % len(engineers)],
                world["manager"],
                first_ticket + rng.randrange(size),
                rng.randint(0, 40),
                world["company"],
                "published" if i % 10 else "draft",
                f"kw{i % 50}",
                "<p>Symptom</p>",
                "<p>Solution</p>",
                title.lower(),
                i % 2 == 0,
                engineers[i % len(engineers)],
                engineers[i % len(engineers)],
                NOW - timedelta(days=rng.randrange(DAYS)),
                NOW - timedelta(days=rng.randrange(30)),
            )
        )
    copy_rows(
        env["response.support.article"],
        """name catalog_id author_id reviewer_id source_ticket_id use_count company_id
        state keywords symptom solution search_text customer_visible create_uid
        write_uid create_date write_date""".split(),
        rows,
    )
    env.cr.execute(
        """INSERT INTO helpdesk_ticket_article_rel (ticket_id, article_id)
           SELECT DISTINCT t.id, a.id
             FROM response_support_article a
             CROSS JOIN generate_series(1, 1 + mod(a.id, 5)) g
             JOIN helpdesk_ticket t ON t.id = a.source_ticket_id + g * 37""",
    )


def insert_bare(env, world, tickets):
    ticket_ids = _ids(env, "helpdesk_ticket_id_seq", len(tickets))
    copy_rows(
        env["helpdesk.ticket"],
        BARE_COLUMNS,
        (_bare_row(world, t, i) for t, i in zip(tickets, ticket_ids, strict=True)),
    )
    return ticket_ids


def _finish(env, tables, info, commit):
    env.cr.execute(
        """UPDATE helpdesk_ticket t SET unattended = s.unattended
             FROM helpdesk_ticket_stage s
            WHERE s.id = t.stage_id AND t.unattended IS DISTINCT FROM s.unattended"""
    )
    env["ir.config_parameter"].set_param(MARK, json.dumps(info))
    env.cr.execute(
        "SELECT setval('helpdesk_ticket_id_seq', (SELECT max(id) FROM helpdesk_ticket))"
    )
    if commit:
        env.cr.commit()
        env.registry.clear_cache()
        vacuum(env, tables, full=False)


def generated(env):
    """What an earlier run generated in this database (dict), or None."""
    value = env["ir.config_parameter"].sudo().get_param(MARK)
    return json.loads(value) if value else None


def generate(env, size=TICKETS, bare_env=None, commit=True):
    """Generate ``size`` tickets in ``env``'s database (and ``bare_env``'s) and
    commit (unless told not to); returns the info stored in the
    ``response_support.bench_gen`` parameter."""
    started = time.perf_counter()
    tickets = draw_tickets(size)
    print(f"drawn {size:,} tickets: {time.perf_counter() - started:.1f} s", flush=True)
    world = build_world(env, True, size)
    env.flush_all()
    print(f"world built: {time.perf_counter() - started:.1f} s", flush=True)
    ticket_ids = insert_ours(env, world, tickets)
    big = sum(1 for t in tickets if t.customer == 0)
    env.cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE contract_id = %s",
        [world["largest"]],
    )
    largest_count = env.cr.fetchone()[0]
    info = {
        "tickets": size,
        "seed": SEED,
        "first_ticket_id": ticket_ids[0],
        "big_customer": world["companies"][0],
        "big_customer_tickets": big,
        "portal_login": "bench_portal",
        "desk_logins": [f"bench_desk{i:02d}" for i in range(1, DESK_USERS + 1)],
        "password": PASSWORD,
        "largest_contract": world["largest"],
        "largest_contract_code": LARGEST,
        "largest_contract_tickets": largest_count,
        "now": NOW.isoformat(),
    }
    _finish(env, TABLES, info, commit)
    print(
        f"ours committed and analysed: {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if bare_env is not None:
        bare_world = build_world(bare_env, False, size)
        bare_env.flush_all()
        insert_bare(bare_env, bare_world, tickets)
        _finish(
            bare_env, ["helpdesk_ticket"], dict(info, largest_contract=None), commit
        )
        print(
            f"bare committed and analysed: {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return info


def open_env(db):
    """A superuser environment on another database (its own registry and cursor);
    the caller closes ``env.cr``."""
    return api.Environment(Registry(db).cursor(), SUPERUSER_ID, {})


def main(env):
    print(f"load average: {load_average()}")
    if info := generated(env):
        print(f"{env.cr.dbname} already holds generated data: {info}")
        return
    size = int(os.environ.get("RS_BENCH_TICKETS") or TICKETS)
    bare_db = os.environ.get("RS_BENCH_BARE_DB")
    bare_env = open_env(bare_db) if bare_db else None
    try:
        if bare_env is not None and generated(bare_env):
            raise SystemExit(
                f"{bare_db} already holds generated data: use a new database"
            )
        info = generate(env, size, bare_env)
    finally:
        if bare_env is not None:
            bare_env.cr.close()
    print(json.dumps(info, indent=1))


if __name__ == "__main__" and "env" in globals():
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
