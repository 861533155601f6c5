"""Benchmark: knowledge suggestions on a ticket, over 10,000 articles and 200,000
tickets.

Data (bulk SQL, in the shell's transaction, rolled back at the end and the
tables vacuumed): published articles and tickets whose titles are random
combinations of English and Chinese IT-operations phrases. Articles are
inserted in two steps (1,000, then 9,000 more) to show that the suggestion
query does not grow with their number; 200,000 tickets for the similar-ticket
query.

What is measured, for 10 English and 10 Chinese ticket texts:

a) ``response.support.article._search_similar`` (suggested articles: trigram
   similarity through the GIN index, catalog and system bonus, record rules):
   median and worst milliseconds, SQL queries per call, at 1,000 and 10,000
   articles;
b) ``helpdesk.ticket._search_similar_tickets`` (similar tickets: trigram index
   on the lowered titles) over 200,000 tickets;
c) the EXPLAIN ANALYZE of one article query (the GIN index must be used).

Nothing about time is asserted. Target: ≤ 50 ms per suggestion query.

Run: ``./rs bench``, or alone::

    ./rs bench bench_knowledge.py
"""

import statistics
import time

from _common import insert_columns, load_average, vacuum

from odoo.tools import SQL

ARTICLES_FIRST = 1_000
ARTICLES = 10_000
TICKETS = 200_000
RUNS = 5
TABLES = ["response_support_article", "helpdesk_ticket"]

ENGLISH = [
    "billing screen shows error 500",
    "database connection pool exhausted",
    "printer offline on the second floor",
    "vpn client drops every hour",
    "mail server rejects large attachments",
    "disk full on the backup server",
    "login page times out",
    "report export hangs at 99 percent",
    "invoice numbers duplicated after restart",
    "scada telemetry offline",
    "certificate expired on the web gateway",
    "slow queries after the upgrade",
]
CHINESE = [
    "计费系统无法登录",
    "数据库连接失败",
    "打印机脱机无法打印",
    "营业厅收费界面卡顿",
    "备份服务器磁盘空间不足",
    "邮件服务器拒收大附件",
    "证书过期导致网关无法访问",
    "升级后报表导出失败",
    "门诊挂号系统响应缓慢",
    "监控平台告警无法推送",
    "水表读数导入重复",
    "VPN 每小时断开一次",
]
QUERIES = [
    "Billing screen shows error 500 since this morning",
    "database connection pool exhausted at peak hours",
    "The printer on the second floor is offline",
    "VPN client drops every hour for remote staff",
    "Backup server disk full, nightly job failed",
    "Login page times out for all users",
    "Report export hangs at 99 percent",
    "Certificate expired on the web gateway",
    "Slow queries after the upgrade of the billing system",
    "SCADA telemetry offline in the north district",
    "计费系统无法登录，提示数据库连接失败",
    "所有营业厅收费界面卡顿",
    "打印机脱机，无法打印发票",
    "备份服务器磁盘空间不足，备份失败",
    "邮件服务器拒收大附件",
    "网关证书过期，无法访问",
    "升级后报表导出失败",
    "门诊挂号系统响应缓慢，窗口排长队",
    "监控平台告警无法推送到值班手机",
    "水表读数导入后出现重复",
]


ARTICLE_COLUMNS = """
    name keywords search_text state customer_visible company_id use_count
    create_uid write_uid create_date write_date
""".split()
TICKET_COLUMNS = """
    name number description company_id escalation_level reported_date stage_id
    active create_uid write_uid create_date write_date
""".split()

# a random title: two phrases of one language, or one of each
TITLE = """(CASE mod(n, 3)
    WHEN 0 THEN (%(en)s)[1 + mod(n * 7, 12)] || ' ' || (%(en)s)[1 + mod(n * 11, 12)]
    WHEN 1 THEN (%(zh)s)[1 + mod(n * 7, 12)] || (%(zh)s)[1 + mod(n * 11, 12)]
    ELSE (%(en)s)[1 + mod(n * 5, 12)] || ' ' || (%(zh)s)[1 + mod(n * 13, 12)]
    END) || ' #' || n"""


def insert_articles(env, first, count):
    columns, extra = insert_columns(env["response.support.article"], ARTICLE_COLUMNS)
    user = env.ref("base.user_admin").id
    env.cr.execute(
        SQL(
            f"""
            INSERT INTO response_support_article (%(columns)s)
            SELECT t, 'kw' || mod(n, 50), lower(t), 'published', mod(n, 2) = 0,
                   %(company)s, mod(n, 7), %(user)s, %(user)s, now(), now()%(extra)s
              FROM (SELECT n, {TITLE} AS t
                      FROM generate_series(%(first)s, %(last)s) n) s
            """,
            columns=columns,
            extra=extra,
            en=ENGLISH,
            zh=CHINESE,
            company=env.company.id,
            user=user,
            first=first,
            last=first + count - 1,
        )
    )
    env.cr.execute("ANALYZE response_support_article")


def insert_tickets(env, count):
    columns, extra = insert_columns(env["helpdesk.ticket"], TICKET_COLUMNS)
    user = env.ref("base.user_admin").id
    env.cr.execute(
        SQL(
            f"""
            INSERT INTO helpdesk_ticket (%(columns)s)
            SELECT {TITLE}, 'BENCH-K' || n, '', %(company)s, 'engineer', now(),
                   %(stage)s, true, %(user)s, %(user)s, now(), now()%(extra)s
              FROM generate_series(1, %(count)s) n
            """,
            columns=columns,
            extra=extra,
            en=ENGLISH,
            zh=CHINESE,
            company=env.company.id,
            stage=env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
            user=user,
            count=count,
        )
    )
    env.cr.execute("ANALYZE helpdesk_ticket")


def measure(env, call):
    """(median ms, worst ms, queries per call) of ``call(text)`` over QUERIES."""
    call(QUERIES[0])  # warm the caches (record rules, registry)
    times, queries = [], []
    for _run in range(RUNS):
        for text in QUERIES:
            before = env.cr.sql_log_count
            started = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - started) * 1000)
            queries.append(env.cr.sql_log_count - before)
    return statistics.median(times), max(times), statistics.median(queries)


def report(label, figures):
    median, worst, queries = figures
    print(
        f"  {label}: median {median:.1f} ms, worst {worst:.1f} ms, "
        f"{queries:.0f} queries per call"
    )


def explain(env):
    env.cr.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.1', true)")
    env.cr.execute(
        """EXPLAIN ANALYZE SELECT a.id FROM response_support_article a
            WHERE a.search_text %% %s AND a.state = 'published'
         ORDER BY similarity(a.search_text, %s) DESC LIMIT 5""",
        [QUERIES[10].lower(), QUERIES[10].lower()],
    )
    for (line,) in env.cr.fetchall():
        print(f"    {line}")


def main(env):
    print(f"load average: {load_average()}")
    if not env.registry.has_trigram:
        print("pg_trgm is not installed in this database: no suggestions to time")
        return
    Article = env["response.support.article"].with_user(env.ref("base.user_admin"))
    try:
        started = time.perf_counter()
        insert_articles(env, 1, ARTICLES_FIRST)
        print(f"a) suggested articles ({time.perf_counter() - started:.1f} s to load)")
        report(f"{ARTICLES_FIRST:,} articles", measure(env, Article._search_similar))
        insert_articles(env, ARTICLES_FIRST + 1, ARTICLES - ARTICLES_FIRST)
        report(f"{ARTICLES:,} articles", measure(env, Article._search_similar))
        started = time.perf_counter()
        insert_tickets(env, TICKETS)
        print(f"b) similar tickets ({time.perf_counter() - started:.1f} s to load)")
        Ticket = env["helpdesk.ticket"].with_user(env.ref("base.user_admin"))
        ticket = Ticket.search([("number", "=", "BENCH-K1")])

        def similar_tickets(text):
            return ticket._search_similar_tickets(title=text)

        report(f"{TICKETS:,} tickets", measure(env, similar_tickets))
        print("c) EXPLAIN ANALYZE of the article query (Chinese text)")
        explain(env)
    finally:
        env.cr.rollback()
        started = time.perf_counter()
        vacuum(env, TABLES)
        print(f"rolled back, then VACUUM: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
