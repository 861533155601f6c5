"""Benchmark: the desk at 200,000 tickets, next to bare helpdesk_mgmt (issue 13).

Needs the data of ``gen_tickets.py`` in the database ``odoo shell`` runs on and,
for the reference column, in ``RS_BENCH_BARE_DB`` (helpdesk_mgmt alone, the same
tickets). Without generated data (``./rs bench`` on its throwaway database) it
generates ``RS_BENCH_SCALE_TICKETS`` tickets (default 2,000: a smoke run) in its
transaction, measures without the portal (its requests need committed data) and
rolls back.

Measured side by side, each with its SQL query count (median of RUNS after a
warm-up; ours and the reference are called in turn, run after run, so that both
see the same machine load; the ORM caches are emptied before every call, the
registry stays warm as in a running server):

a) the desk's ticket list, first page: the calls the web client makes when the
   desk user opens Helpdesk › Tickets (``web_search_read`` with the list view's
   field specification from ``get_views``, limit 80, count up to 10,001);
b) the kanban, first screen: ``web_read_group`` by stage, then one
   ``web_search_read`` (limit 40, kanban specification) per unfolded stage;
c) the portal ticket list of the customer with 10,000 tickets
   (``/my/tickets`` through Odoo's WSGI application in this process, as the
   customer's portal user) at two page sizes;
d) ticket creation by the desk user: ours through the call-intake form
   (``response.support.phone.intake`` create + ``action_create``, all intake
   fields) and through a plain ``create`` of the same values; bare
   helpdesk_mgmt's ``create`` of the helpdesk_mgmt values; flush and the commit's
   pre-commit work (tracking) included; CREATES of each, median, rolled back.

Nothing about time is asserted.

Run (200,000 tickets; see RESULTS.md §10)::

    RS_BENCH_DB=rs_bench_200k RS_BENCH_BARE_DB=rs_bench_bare ./rs bench bench_scale.py
"""

import json
import os
import time
from unittest.mock import patch
from xml.etree import ElementTree

import gen_tickets
from _common import load_average, median, percentile
from _spec import field_spec
from werkzeug.test import Client

from odoo import http, sql_db
from odoo.tools import config

from odoo.addons.portal.controllers.portal import CustomerPortal

RUNS = 11
CREATES = 200
SMOKE_TICKETS = 2_000
PAGE_SIZES = (20, 80)  # 80: the portal's default page
ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}


# ---------------------------------------------------------------------- measuring


def interleaved(measures, runs=RUNS, warmup=1):
    """{label: (median ms, median queries, p95 ms)} of the ``measures``
    ({label: (env, call(i))}) called in turn, run after run, so that ours and
    the reference see the same machine load; the ORM caches are emptied before
    every call, the first ``warmup`` runs are left out."""
    samples = {label: ([], []) for label in measures}
    for run in range(warmup + runs):
        for label, (env, call) in measures.items():
            env.invalidate_all()
            before = env.cr.sql_log_count
            started = time.perf_counter()
            call(run)
            elapsed = (time.perf_counter() - started) * 1000
            if run >= warmup:
                samples[label][0].append(elapsed)
                samples[label][1].append(env.cr.sql_log_count - before)
    return {
        label: (median(times), median(queries), percentile(times, 0.95))
        for label, (times, queries) in samples.items()
    }


def fmt(figure):
    if figure is None:
        return "—"
    ms, queries, _p95 = figure
    return f"{ms:.1f} ms, {queries:.0f} q"


def ratio(ours, bare):
    return f"{ours[0] / bare[0]:.2f}×" if ours and bare else "—"


# ---------------------------------------------------------------------- desk views


def desk_views(env, login):
    """(list call, kanban call) as the desk user opens the ticket menu."""
    user = env["res.users"].search([("login", "=", login)])
    context = {
        "lang": "en_US",
        "tz": "Asia/Shanghai",
        "uid": user.id,
        "allowed_company_ids": [user.company_id.id],
        "bin_size": True,
    }
    Ticket = env["helpdesk.ticket"].with_user(user).with_context(context)
    views = Ticket.get_views([(False, "list"), (False, "kanban")])
    fields = views["models"]["helpdesk.ticket"]["fields"]
    list_arch = views["views"]["list"]["arch"]
    kanban_arch = views["views"]["kanban"]["arch"]
    list_spec = field_spec(list_arch, fields)
    kanban_spec = field_spec(kanban_arch, fields)
    group_by = ElementTree.fromstring(kanban_arch).get("default_group_by") or "stage_id"

    def list_page(_run=0):
        return Ticket.web_search_read(
            [], list_spec, offset=0, limit=80, order="", count_limit=10001
        )

    def kanban_page(_run=0):
        groups = Ticket.web_read_group([], ["__count"], [group_by], lazy=True)
        for group in groups["groups"]:
            if group.get("__fold"):
                continue
            domain = group["__domain"]
            Ticket.web_search_read(
                domain, kanban_spec, offset=0, limit=40, order="", count_limit=10001
            )
        return groups

    return list_page, kanban_page, len(list_spec), len(kanban_spec)


# ---------------------------------------------------------------------- portal


def portal_figures(dbs, login, password, runs=RUNS):
    """{(db, page size): (median ms, median queries, p95 ms)} of GET /my/tickets
    through the WSGI application as ``login``, the databases in turn; and the
    ticket links of the last page served."""
    clients = {}
    for db in dbs:
        with _only(db):
            clients[db] = client = Client(http.root)
            answer = client.post(
                "/web/session/authenticate",
                environ_base=ENVIRON,
                json={
                    "jsonrpc": "2.0",
                    "params": {"db": db, "login": login, "password": password},
                },
            ).get_json()
            if "error" in answer:
                raise RuntimeError(f"portal login failed on {db}: {answer}")
    figures, body = {}, ""
    for size in PAGE_SIZES:
        samples = {db: [] for db in dbs}
        with patch.object(CustomerPortal, "_items_per_page", size):
            for run in range(runs + 1):
                for db in dbs:
                    with _only(db):
                        before = sql_db.sql_counter
                        started = time.perf_counter()
                        response = clients[db].get("/my/tickets", environ_base=ENVIRON)
                        elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"/my/tickets on {db}: {response.status}")
                    if run:
                        samples[db].append((elapsed, sql_db.sql_counter - before))
                    body = response.get_data(as_text=True) if db == dbs[0] else body
        for db, values in samples.items():
            times = [t for t, _q in values]
            figures[db, size] = (
                median(times),
                median([q for _t, q in values]),
                percentile(times, 0.95),
            )
    return figures, body.count("/my/ticket/")


def _only(db):
    """The shell's -d option limits the databases a request may use: ``db``."""
    return patch.dict(config.options, {"db_name": db, "dbfilter": ""})


# ---------------------------------------------------------------------- creation


def _desk(env, login):
    return env["res.users"].search([("login", "=", login)])


def _commit_work(env):
    """What the request's commit does before COMMIT: flush, tracking."""
    env.flush_all()
    env.cr.precommit.run()


def create_measures(measures, count=CREATES):
    """``interleaved`` over ``measures`` ({label: (env, login, make(env, i))}),
    each create followed by what the request's commit does; rolled back."""
    calls = {}
    for label, (env, login, make) in measures.items():
        uenv = env(
            user=_desk(env, login).id, context={"lang": "en_US", "tz": "Asia/Shanghai"}
        )

        def call(i, uenv=uenv, make=make):
            make(uenv, i)
            _commit_work(uenv)

        calls[label] = (env, call)
    envs = {env.cr.dbname: env for env, _c in calls.values()}
    for env in envs.values():
        env.cr.execute("SAVEPOINT bench_create")
    try:
        return interleaved(calls, runs=count, warmup=5)
    finally:
        for env in envs.values():
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_create")
            env.invalidate_all()


def create_calls(env, info):
    """(intake form, plain create of ours, bare create) callables."""
    customer = env["res.partner"].browse(info["big_customer"])
    contact = customer.child_ids[:1]
    system = env["response.support.system"].search(
        [("partner_id", "=", customer.id)], limit=1
    )
    catalog = env["response.support.catalog"].search(
        [("parent_id", "!=", False), ("name", "like", "Bench Software")], limit=1
    )

    def base(i):
        return {
            "name": f"Bench create {i}: billing screen shows error 500",
            "partner_id": contact.id,
        }

    def intake(uenv, i):
        wizard = uenv["response.support.phone.intake"].create(
            {
                "phone": contact.phone,
                "name": base(i)["name"],
                "description": "Since 09:00 every invoice page returns error 500.",
                "system_id": system.id,
                "catalog_id": catalog.id,
                "impact": "medium",
                "urgency": "high",
                "no_attachment": True,
            }
        )
        wizard.action_create()

    def plain(uenv, i):
        uenv["helpdesk.ticket"].create(
            dict(
                base(i),
                description="<p>Since 09:00 every invoice page returns error 500.</p>",
                channel_id=uenv.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone").id,
                partner_name=contact.name,
                partner_email=contact.email,
                reporter_phone=contact.phone,
                reporter_role="user",
                system_id=system.id,
                catalog_id=catalog.id,
                impact="medium",
                urgency="high",
                no_attachment=True,
            )
        )

    def bare(uenv, i):
        partner = uenv["res.partner"].search(
            [("name", "=", contact.name), ("parent_id.name", "=", customer.name)],
            limit=1,
        )
        uenv["helpdesk.ticket"].create(
            dict(
                base(i),
                partner_id=partner.id,
                description="<p>Since 09:00 every invoice page returns error 500.</p>",
                channel_id=uenv.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone").id,
                partner_name=contact.name,
                partner_email=contact.email,
            )
        )

    return intake, plain, bare


# ---------------------------------------------------------------------- explain


def explain_list(env, login):
    """EXPLAIN ANALYZE of the list's main query as the desk user."""
    user = _desk(env, login)
    Ticket = env["helpdesk.ticket"].with_user(user)
    query = Ticket._search([], limit=80, order=Ticket._order)
    env.cr.execute("EXPLAIN ANALYZE " + query.select().code, query.select().params)
    return [line for (line,) in env.cr.fetchall()]


# ---------------------------------------------------------------------- main


def main(env):
    print(f"load average: {load_average()}")
    info = gen_tickets.generated(env)
    bare_db = os.environ.get("RS_BENCH_BARE_DB")
    bare_env = gen_tickets.open_env(bare_db) if bare_db else None
    try:
        smoke = not info
        if smoke:
            # a smoke run (./rs bench): small data in this transaction, rolled back
            size = int(os.environ.get("RS_BENCH_SCALE_TICKETS") or SMOKE_TICKETS)
            print(
                f"no generated data in {env.cr.dbname}: {size:,} tickets, rolled back"
            )
            info = gen_tickets.generate(env, size, bare_env, commit=False)
        if bare_env is not None and not gen_tickets.generated(bare_env):
            print(f"{bare_db} holds no generated data: no reference column")
            bare_env.cr.close()
            bare_env = None
        run(env, bare_env, info, portal=not smoke)
    finally:
        if bare_env is not None:
            bare_env.cr.rollback()
            bare_env.cr.close()
        env.cr.rollback()


def run(env, bare_env, info, portal=True):
    env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
    total = env.cr.fetchone()[0]
    login = info["desk_logins"][0]
    print(
        f"{env.cr.dbname}: {total:,} tickets; customer {info['big_customer']} has "
        f"{info['big_customer_tickets']:,}; reference: "
        f"{bare_env.cr.dbname if bare_env is not None else 'none'}"
    )
    ours_list, ours_kanban, list_fields, kanban_fields = desk_views(env, login)
    views = {"list": (env, ours_list), "kanban": (env, ours_kanban)}
    if bare_env is not None:
        bare_list, bare_kanban, *_x = desk_views(bare_env, login)
        views.update(
            bare_list=(bare_env, bare_list), bare_kanban=(bare_env, bare_kanban)
        )
    figures = interleaved(views)
    rows = [
        ("a) desk list, first page (80)", figures["list"], figures.get("bare_list")),
        ("b) desk kanban, first screen", figures["kanban"], figures.get("bare_kanban")),
    ]
    portal_rows = 0
    if portal:  # committed data only: the WSGI requests use their own cursors
        env.cr.commit()  # nothing was written
        dbs = [env.cr.dbname] + ([bare_env.cr.dbname] if bare_env is not None else [])
        pages, portal_rows = portal_figures(dbs, info["portal_login"], info["password"])
        for size in PAGE_SIZES:
            rows.append(
                (
                    f"c) portal /my/tickets, {size} per page",
                    pages[dbs[0], size],
                    pages.get((dbs[-1], size)) if len(dbs) > 1 else None,
                )
            )
    intake, plain, bare_create = create_calls(env, info)
    measures = {"intake": (env, login, intake), "plain": (env, login, plain)}
    if bare_env is not None:
        measures["bare"] = (bare_env, login, bare_create)
    created = create_measures(measures)
    rows.append(
        (
            "d) create: desk intake form vs bare create",
            created["intake"],
            created.get("bare"),
        )
    )
    rows.append(
        (
            "d) create: plain create with our fields vs bare",
            created["plain"],
            created.get("bare"),
        )
    )

    print(f"fields: list {list_fields}, kanban {kanban_fields} (from get_views)")
    print(f"portal page shows {portal_rows} ticket links at {PAGE_SIZES[-1]} per page")
    width = max(len(label) for label, *_x in rows)
    print(f"{'measure':<{width}} | ours (median, queries) | bare helpdesk_mgmt | ratio")
    for label, ours, ref in rows:
        print(
            f"{label:<{width}} | {fmt(ours):<22} | {fmt(ref):<18} | {ratio(ours, ref)}"
        )
    print(
        "p95 (ms): "
        + ", ".join(
            f"{label.split(')')[0]}) {ours[2]:.0f}"
            + (f" / bare {ref[2]:.0f}" if ref else "")
            for label, ours, ref in rows
        )
    )
    print("EXPLAIN ANALYZE of the list query (ours):")
    for line in explain_list(env, login):
        print(f"    {line}")
    print(json.dumps({"info": {k: v for k, v in info.items() if k != "desk_logins"}}))


if __name__ == "__main__" and "env" in globals():
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
