"""Benchmark: the KPI pivot and the monthly SLA report at 200,000 tickets (issue 13).

Needs the data of ``gen_tickets.py`` in the database ``odoo shell`` runs on (its
``response_support.bench_gen`` parameter names the manager, ``BENCH-LARGEST``
and the counts). Everything runs as the manager ``bench_manager`` with his
context (language, Asia/Shanghai), nothing is committed.

Measured, each with its SQL query count (median and p95 of RUNS after a warm-up,
the measures called in turn, run after run, so that all see the same machine
load; the ORM caches are emptied before every call, the registry stays warm as
in a running server):

a) the Service KPIs pivot as the web client asks it: the busiest month of the
   data (in the manager's time zone) as the search panel's month filter, rows by
   team, columns by priority: one ``read_group`` (lazy=False) per division of
   the pivot ([], team, priority, team × priority), with the pivot view's
   default measures (read from its arch, aggregators from ``fields_get``), then
   the same with every rate and 90th-percentile measure; and the action's
   default pivot (no filter, team × month, all the data);
b) the action's graph default (``web_read_group`` by month, its measure, all
   the data, ``fill_temporal``) and list default (``web_search_read`` of the
   list's field specification, 80 lines, count up to 10,001);
c) the monthly SLA report of ``BENCH-LARGEST`` for its busiest month (in the
   report's time zone): the figures (``_get_report_data()``, zh_CN) and the
   whole generation (``_generate_for``: both PDFs through wkhtmltopdf and the
   workbook, attachments and chatter post), each run in a savepoint rolled
   back. wkhtmltopdf fetches the report's assets over HTTP: the script serves
   this database on a free 127.0.0.1 port in its own process and points
   ``report.url`` at it (in its transaction, rolled back).

Then EXPLAIN ANALYZE of the slowest SQL query of each measure.

Nothing about time is asserted. Run (see RESULTS.md §11)::

    RS_BENCH_DB=rs_bench_200k ./rs bench bench_reports.py
"""

import json
import os
import time
from contextlib import contextmanager
from unittest.mock import patch
from xml.etree import ElementTree

import gen_tickets
from _common import free_port, load_average, median, percentile
from _spec import field_spec

from odoo.tools import config

RUNS = int(os.environ.get("RS_BENCH_RUNS") or 11)
REPORT_RUNS = int(os.environ.get("RS_BENCH_REPORT_RUNS") or 5)
KPI = "response.support.report.kpi"
SECTIONS = ([], ["team_id"], ["priority"], ["team_id", "priority"])


# ---------------------------------------------------------------------- measuring


class Recorder:
    """The SQL queries of the cursor with their duration while ``active``."""

    def __init__(self, cr):
        self.cr, self.active, self.queries = cr, False, []
        self._execute = cr.execute

    def execute(self, query, params=None, log_exceptions=True):
        started = time.perf_counter()
        try:
            return self._execute(query, params, log_exceptions)
        finally:
            if self.active:
                self.queries.append(
                    ((time.perf_counter() - started) * 1000, query, params)
                )

    @contextmanager
    def record(self):
        self.queries, self.active = [], True
        try:
            yield self
        finally:
            self.active = False

    def slowest(self):
        return max(self.queries, key=lambda q: q[0]) if self.queries else None


def measure(env, measures, runs=RUNS, warmup=1):
    """{label: (median ms, median queries, p95 ms, slowest query)} of the
    ``measures`` ({label: call()}) called in turn, run after run."""
    recorder = Recorder(env.cr)
    samples = {label: ([], [], None) for label in measures}
    with patch.object(env.cr, "execute", recorder.execute):
        for run in range(warmup + runs):
            for label, call in measures.items():
                env.invalidate_all()
                before = env.cr.sql_log_count
                with recorder.record():
                    started = time.perf_counter()
                    call()
                    elapsed = (time.perf_counter() - started) * 1000
                if run >= warmup:
                    times, counts, slowest = samples[label]
                    times.append(elapsed)
                    counts.append(env.cr.sql_log_count - before)
                    worst = recorder.slowest()
                    if worst and (slowest is None or worst[0] > slowest[0]):
                        samples[label] = (times, counts, worst)
    return {
        label: (median(times), median(counts), percentile(times, 0.95), slowest)
        for label, (times, counts, slowest) in samples.items()
    }


def explain(env, query):
    """EXPLAIN ANALYZE lines of a recorded SELECT (its SQL and parameters)."""
    _ms, sql, params = query
    if hasattr(sql, "code"):
        sql, params = sql.code, sql.params
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return [f"(not a SELECT: {sql[:120]}…)"]
    env.cr.execute("SAVEPOINT bench_explain")
    try:
        env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [line for (line,) in env.cr.fetchall()]
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_explain")


# ---------------------------------------------------------------------- KPI views


def busiest_month(env, tz, where="TRUE", params=()):
    """First day of the month (local ``tz``) with the most tickets matching."""
    env.cr.execute(
        f"""
        SELECT date_trunc(
                   'month', reported_date AT TIME ZONE 'UTC' AT TIME ZONE %s
               )::date
          FROM helpdesk_ticket WHERE reported_date IS NOT NULL AND {where}
      GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1
        """,  # noqa: S608 - `where` is this script's constant
        [tz, *params],
    )
    return env.cr.fetchone()[0]


def month_domain(env, month, tz):
    """The search panel's month filter on ``reported_date`` (UTC strings)."""
    import pytz  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415
    from odoo.tools.date_utils import relativedelta  # noqa: PLC0415

    zone = pytz.timezone(tz)

    def utc(day):
        local = zone.localize(fields.Datetime.to_datetime(day))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    start, end = utc(month), utc(month + relativedelta(months=1))
    return [
        "&",
        ("reported_date", ">=", fields.Datetime.to_string(start)),
        (
            "reported_date",
            "<=",
            fields.Datetime.to_string(end - relativedelta(seconds=1)),
        ),
    ]


def kpi_calls(env, month, tz):
    """The web client's calls of the Service KPIs action (pivot, graph, list)."""
    Kpi = env[KPI]
    views = Kpi.get_views([(False, "pivot"), (False, "graph"), (False, "list")])
    fields = views["models"][KPI]["fields"]
    aggregators = {
        name: info.get("aggregator") for name, info in Kpi.fields_get().items()
    }

    def arch_fields(view, kind=None):
        root = ElementTree.fromstring(views["views"][view]["arch"])
        return [
            (node.get("name"), node.get("type"), node.get("interval"))
            for node in root.iter("field")
            if kind is None or node.get("type") == kind
        ]

    def spec(name):
        return f"{name}:{aggregators[name]}"

    pivot_measures = [spec(n) for n, _t, _i in arch_fields("pivot", "measure")]
    ratio = [n for n, a in aggregators.items() if a in ("ratio", "p90")]
    all_measures = [spec(n) for n in ratio]
    rows = [n + (f":{i}" if i else "") for n, _t, i in arch_fields("pivot", "row")]
    cols = [n + (f":{i}" if i else "") for n, _t, i in arch_fields("pivot", "col")]
    graph = arch_fields("graph")
    graph_groupby = [f"{n}:{i}" if i else n for n, t, i in graph if t != "measure"]
    graph_measures = [spec(n) for n, t, _i in graph if t == "measure"]
    list_spec = field_spec(views["views"]["list"]["arch"], fields)
    domain = month_domain(env, month, tz)

    def pivot(domain, measures, sections):
        def call():
            for groupby in sections:
                Kpi.read_group(domain, measures, groupby, lazy=False)

        return call

    default_sections = [
        rows[:i] + cols[:j] for i in range(len(rows) + 1) for j in range(len(cols) + 1)
    ]
    calls = {
        "a) pivot, one month, team × priority, default measures": pivot(
            domain, pivot_measures, SECTIONS
        ),
        "a) pivot, one month, team × priority, all rates and p90": pivot(
            domain, all_measures, SECTIONS
        ),
        "a) pivot, action default (all data, team × month)": pivot(
            [], pivot_measures, default_sections
        ),
        "b) graph, action default (all data, by month)": lambda: Kpi.with_context(
            fill_temporal=True
        ).web_read_group([], graph_measures, graph_groupby, lazy=False),
        "b) list, action default (80 lines)": lambda: Kpi.web_search_read(
            [], list_spec, offset=0, limit=80, order="", count_limit=10001
        ),
    }
    described = {
        "pivot measures": pivot_measures,
        "all measures": all_measures,
        "pivot default rows/cols": [rows, cols],
        "graph": [graph_groupby, graph_measures],
        "list fields": len(list_spec),
        "month domain": domain,
    }
    return calls, described


# ---------------------------------------------------------------------- SLA report


@contextmanager
def report_server(env):
    """This database served on a free 127.0.0.1 port from this process (for
    wkhtmltopdf's assets), ``report.url`` pointing at it in this transaction."""
    from odoo import http  # noqa: PLC0415
    from odoo.service.server import ThreadedServer  # noqa: PLC0415

    port = free_port()
    options = {
        "http_port": port,
        "http_interface": "127.0.0.1",
        "http_enable": True,
        "db_name": env.cr.dbname,
        "dbfilter": "",
    }
    with patch.dict(config.options, options):
        server = ThreadedServer(http.root)
        server.http_spawn()
        env["ir.config_parameter"].sudo().set_param(
            "report.url", f"http://127.0.0.1:{port}"
        )
        try:
            yield port
        finally:
            server.httpd.shutdown()


def report_calls(env, contract, month):
    Report = env["response.support.sla.report"]
    # the report record of the month whose figures are computed (rolled back)
    report = Report.create({"contract_id": contract.id, "month": month})

    def figures():
        return report.with_context(lang="zh_CN")._get_report_data()

    def generation():
        env.cr.execute("SAVEPOINT bench_generate")
        try:
            reports = Report._generate_for(contract, month)
            reports.flush_recordset()
            env.flush_all()
            assert reports.state == "done", reports.error_message
        finally:
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_generate")

    def html(lang):
        return (
            lambda: env["ir.actions.report"]._render_qweb_html(
                "response_support.response_support_sla_report_pdf", report.ids
            )
            if lang is None
            else report.with_context(lang=lang)._render_pdf()
        )

    parts = {
        "c) … its parts: report HTML (QWeb, en_US)": html(None),
        "c) … its parts: one PDF (zh_CN: QWeb + wkhtmltopdf)": html("zh_CN"),
        "c) … its parts: workbook (XLSX, zh_CN)": lambda: report.with_context(
            lang="zh_CN"
        )._render_xlsx(),
    }
    return report, figures, generation, parts


def chinese(env):
    """Simplified Chinese active (the Chinese PDF), in this transaction when the
    database lacks it: the report's modules' translations loaded, rolled back."""
    if "zh_CN" in dict(env["res.lang"].get_installed()):
        return "zh_CN installed"
    started = time.perf_counter()
    env["res.lang"]._activate_lang("zh_CN")
    modules = ["base", "web", "mail", "helpdesk_mgmt", "response_support"]
    env["ir.module.module"]._load_module_terms(modules, ["zh_CN"])
    env.registry.clear_cache()
    return (
        f"zh_CN activated in the transaction ({', '.join(modules)} terms loaded in "
        f"{time.perf_counter() - started:.0f} s, rolled back)"
    )


# ---------------------------------------------------------------------- main


def fmt(figure):
    ms, queries, p95, _slowest = figure
    return f"{ms:,.1f} ms | {p95:,.1f} ms | {queries:.0f}"


def main(env):
    print(f"load average: {load_average()}")
    info = gen_tickets.generated(env)
    if not info:
        print(
            f"{env.cr.dbname} holds no generated data (gen_tickets.py): nothing to do"
        )
        return
    try:
        run(env, info)
    finally:
        env.cr.rollback()


def run(env, info):
    manager = env["res.users"].search([("login", "=", "bench_manager")])
    context = dict(
        manager.with_user(manager).context_get(),
        allowed_company_ids=[manager.company_id.id],
    )
    uenv = env(user=manager.id, context=context)
    tz = context.get("tz") or "UTC"
    month = busiest_month(env, tz)
    env.cr.execute("SELECT count(*) FROM response_support_report_kpi")
    kpi_rows = env.cr.fetchone()[0]
    calls, described = kpi_calls(uenv, month, tz)
    print(
        f"{env.cr.dbname}: {info['tickets']:,} tickets, {kpi_rows:,} KPI rows; "
        f"busiest month {month:%Y-%m} ({tz}); as {manager.login} ({context['lang']})"
    )
    print(json.dumps(described, default=str))
    results = measure(uenv, calls)

    contract = uenv["response.support.contract"].browse(info["largest_contract"])
    report_tz = contract.partner_id.tz or contract.company_id.partner_id.tz or "UTC"
    report_month = busiest_month(env, report_tz, "contract_id = %s", [contract.id])
    env.cr.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE contract_id = %s", [contract.id]
    )
    contract_tickets = env.cr.fetchone()[0]
    langs = chinese(env)
    with report_server(env) as port:
        report, figures, generation, parts = report_calls(uenv, contract, report_month)
        data = figures()
        print(
            f"{contract.code}: {contract_tickets:,} tickets; busiest month "
            f"{report_month:%Y-%m} ({report_tz}): {data['events']['total']} events, "
            f"{len(data['sla'])} SLA rows, {len(data['breaches'])} breaches, "
            f"{len(data['visits'])} visits, {len(data['legacy_issues'])} legacy "
            f"issues, {len(data['opinions'])} opinions; assets served on port {port}; "
            f"{langs}"
        )
        results.update(
            measure(
                uenv,
                {
                    "c) monthly report figures (_get_report_data)": figures,
                    "c) monthly report generation (2 PDFs + XLSX, rolled back)": (
                        generation
                    ),
                    **parts,
                },
                runs=REPORT_RUNS,
            )
        )
    width = max(len(label) for label in results)
    print(f"{'measure':<{width}} | median | p95 | queries")
    for label, figure in results.items():
        print(f"{label:<{width}} | {fmt(figure)}")
    for label, figure in results.items():
        slowest = figure[3]
        if not slowest:
            continue
        print(f"\nslowest query of {label} ({slowest[0]:.1f} ms):")
        for line in explain(env, slowest):
            print(f"    {line}")
    print(f"load average: {load_average()}")


if __name__ == "__main__" and "env" in globals():
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
