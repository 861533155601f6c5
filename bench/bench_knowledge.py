"""Benchmark: knowledge suggestions on a ticket, over 10,000 articles and 200,000
tickets.

Data (bulk SQL, in the shell's transaction, rolled back at the end and the
tables vacuumed), generated to look like a real desk's rather than a few
phrases repeated: 40 systems of 8 customers, each with its own vocabulary (a
window of 60 terms out of ~250 English IT terms and ~200 Chinese ones, shared
in part with its neighbours), its catalog entry, error codes and host names;
half of the words are the long tail of a real desk's words: in English names
of three syllables (modules, hosts, sites: "kavora"), in Chinese compounds of
any two terms ("计费网关").
An article is English, Chinese or mixed; its title has 4–7 terms of its
system's vocabulary, its symptom 14–30 more. Tickets are written the same way
(200,000, spread over the 40 systems). The generator is seeded: runs compare.

Articles are inserted in two steps (1,000, then 9,000 more) to show that the
suggestion query does not grow with their number.

What is measured, for 20 ticket texts (10 English, 10 Chinese), each written
from one article (its title with a term dropped, the terms reordered, plus
part of its symptom: what a caller would say), on a ticket of that article's
system and catalog entry:

a) ``response.support.article._search_similar`` (suggested articles): median
   and worst milliseconds, SQL queries per call, and how often the article the
   text was written from is ranked first / in the first five, at 1,000 and at
   10,000 articles;
b) ``helpdesk.ticket._search_similar_tickets`` (similar tickets) over 200,000
   tickets, the same way (the text written from a ticket of the same system);
c) the EXPLAIN ANALYZE of one article query and one ticket query (the GIN
   trigram indexes must be used).

Nothing about time is asserted. Target: ≤ 50 ms per suggestion query.

Run: ``./rs bench``, or alone::

    ./rs bench bench_knowledge.py
"""

# ruff: noqa: E501 - the SQL of the generator reads best unwrapped

import contextlib
import io
import os
import random
import statistics
import time

from _common import insert_columns, vacuum

from odoo.tools import SQL

from odoo.addons.response_support.models.helpdesk_ticket_knowledge import (
    TICKET_SIMILARITY_THRESHOLD,
)
from odoo.addons.response_support.models.response_support_article import (
    WORD_SIMILARITY_THRESHOLD,
)

ARTICLES_FIRST = 1_000
ARTICLES = 10_000
TICKETS = 200_000
SYSTEMS = 40
RUNS = 5
SEED = 0.42
TABLES = ["response_support_article", "helpdesk_ticket"]

EN_TERMS = """
billing invoice payment receipt tariff meter reading customer account login
password locked timeout session cookie browser certificate expired renewal gateway
proxy firewall port blocked vpn tunnel dropped latency packet loss bandwidth switch
router interface link down flapping vlan dhcp lease dns resolution hostname ntp clock
drift database connection pool exhausted deadlock slow query index vacuum replication
lag standby failover backup restore snapshot disk full inode quota volume mount raid
degraded controller battery cache memory leak swap cpu load spike process crashed
core dump restart service daemon cron job scheduler queue stuck message broker kafka
topic consumer offset redis cluster node evicted kubernetes pod pending image pull
container registry deployment rollback upgrade patch hotfix version mismatch license
server expired activation printer offline spooler driver paper jam toner scanner
label barcode terminal kiosk display frozen touch screen calibration keyboard mouse
usb device unrecognised camera stream recording storage archive export report hangs
generation template missing field validation error import duplicate record encoding
garbled characters attachment upload size limit mail smtp relay rejected spam
filter mailbox synchronisation calendar sharing permission denied role group policy
audit trail log rotation alert threshold monitoring agent heartbeat telemetry scada
rtu plc modbus sensor reading gauge pump station valve pressure flow alarm historian
trend chart dashboard widget api endpoint returns http 500 502 504 rate limited token
refresh oauth single sign saml identity provider directory ldap sync group mapping
interface wms erp mes hr payroll attendance clocking reservation registration outpatient
appointment queue number window counter pharmacy prescription lab result imaging pacs
""".split()
ZH_TERMS = """
计费 系统 无法 登录 密码 锁定 超时 会话 证书 过期 网关 代理 防火墙 端口 阻断
专线 断开 延迟 丢包 带宽 交换机 路由器 接口 链路 中断 地址 分配 域名 解析 时钟
偏差 数据库 连接池 耗尽 死锁 慢查询 索引 复制 延时 备库 切换 备份 恢复 快照 磁盘
空间 不足 挂载 阵列 降级 控制器 电池 缓存 内存 泄漏 交换区 处理器 负载 飙升 进程
崩溃 重启 服务 守护 定时 任务 队列 阻塞 消息 中间件 集群 节点 驱逐 容器 镜像 拉取
部署 回滚 升级 补丁 版本 不一致 许可 激活 打印机 脱机 后台 驱动 卡纸 墨粉 扫描仪
标签 条码 终端 自助机 显示 冻结 触摸屏 校准 键盘 鼠标 设备 无法识别 摄像头 视频
录像 存储 归档 导出 报表 卡住 生成 模板 字段 缺失 校验 错误 导入 重复 记录 编码
乱码 附件 上传 大小 限制 邮件 转发 拒收 垃圾 过滤 邮箱 同步 日历 共享 权限 拒绝
角色 策略 审计 日志 轮转 告警 阈值 监控 代理程序 心跳 遥测 采集 传感器 读数 水表
电表 泵站 阀门 压力 流量 报警 趋势 图表 看板 组件 返回 限流 令牌 刷新 单点 认证
目录 映射 营业厅 收费 窗口 门诊 挂号 预约 排队 叫号 药房 处方 检验 结果 影像 工资
考勤 打卡 仓储 出库 入库 工单 审批 流程 节点 超时 短信 推送 失败 值班 手机
""".split()

# syllables of the names of modules, hosts, sites and products ("kavora",
# "zentrix"): English text has thousands of words, not the 250 terms above
SYLLABLES = """
ka vo ra zen trix mol dar pe ti lux on ar bel cor dex fi gan hol is jor kel lim
mun nor os pra quo ris sul tam ur ven wex xal yor zu
""".split()

# one term: half of the time a term of the system's vocabulary (a window of 60
# terms starting at the system's offset, shared in part with its neighbours;
# the first ones more often), else, in English a name made of three syllables,
# in Chinese a compound of two terms of the whole list ("计费网关"): the long
# tail of a real desk's words
TERM = """(CASE WHEN random() < 0.5 THEN
             CASE WHEN %(zh)s
                  THEN (%(zh_terms)s)[1 + mod(s.sys * 29 + floor(60 * random() ^ 2)::int + 0 * gs.i, %(zh_count)s)]
                  ELSE (%(en_terms)s)[1 + mod(s.sys * 37 + floor(60 * random() ^ 2)::int + 0 * gs.i, %(en_count)s)] END
           WHEN %(zh)s
           THEN (%(zh_terms)s)[1 + floor(random() * %(zh_count)s)::int + 0 * gs.i]
                || (%(zh_terms)s)[1 + floor(random() * %(zh_count)s)::int]
           ELSE (%(syllables)s)[1 + floor(random() * %(syllable_count)s)::int + 0 * gs.i]
                || (%(syllables)s)[1 + floor(random() * %(syllable_count)s)::int]
                || (%(syllables)s)[1 + floor(random() * %(syllable_count)s)::int] END)"""


def text_sql(count_min, count_max, zh_sep):
    """SQL of a text of count_min..count_max terms of the row's system
    vocabulary; ``zh_sep``: how Chinese terms are joined (none in a title,
    commas now and then in a symptom)."""
    term = TERM % {
        "zh": "s.zh",
        "zh_terms": "%(zh_terms)s",
        "zh_count": "%(zh_count)s",
        "en_terms": "%(en_terms)s",
        "en_count": "%(en_count)s",
        "syllables": "%(syllables)s",
        "syllable_count": "%(syllable_count)s",
    }
    return f"""(SELECT string_agg({term}, CASE WHEN s.zh THEN {zh_sep} ELSE ' ' END)
                  FROM generate_series(1, {count_min} + floor(random() * {count_max - count_min + 1})::int + 0 * s.n) AS gs(i))"""


# the rows to generate: n, its system (index), whether Chinese; mixed texts
# (one row in six) get an English code and host name after their Chinese text
ROWS = """
    SELECT n, 1 + mod(n * 7919, %(systems)s) AS sys, mod(n, 3) = 1 AS zh,
           mod(n, 6) = 4 AS mixed
      FROM generate_series(%(first)s, %(last)s) n
"""
CODE = """(CASE mod(s.n, 4) WHEN 0 THEN ' ORA-' || (10000 + mod(s.n * 31, 9000))
                 WHEN 1 THEN ' HTTP ' || (500 + mod(s.n, 5))
                 WHEN 2 THEN ' srv-' || s.sys || '-' || mod(s.n * 13, 90)
                 ELSE '' END)"""


def sql_params(**kwargs):
    return dict(
        kwargs,
        en_terms=EN_TERMS,
        zh_terms=ZH_TERMS,
        en_count=len(EN_TERMS),
        zh_count=len(ZH_TERMS),
        syllables=SYLLABLES,
        syllable_count=len(SYLLABLES),
        systems=SYSTEMS,
    )


def create_systems(env):
    """SYSTEMS systems of 8 customers, each with its own catalog entry:
    {index: (system id, catalog id)}."""
    partners = env["res.partner"].create(
        [{"name": f"Bench Customer {i}", "is_company": True} for i in range(8)]
    )
    catalogs = env["response.support.catalog"].create(
        [{"name": f"Bench Catalog {i}", "code": f"BK-{i}"} for i in range(SYSTEMS)]
    )
    systems = env["response.support.system"].create(
        [
            {
                "name": f"Bench System {i}",
                "code": f"BS-{i}",
                "partner_id": partners[i % 8].id,
            }
            for i in range(SYSTEMS)
        ]
    )
    return {i + 1: (systems[i].id, catalogs[i].id) for i in range(SYSTEMS)}


def systems_values(world):
    """SQL VALUES of (index, system id, catalog id)."""
    return SQL(", ").join(
        SQL("(%s, %s, %s)", i, system, catalog)
        for i, (system, catalog) in world.items()
    )


ARTICLE_COLUMNS = """
    name keywords search_title search_text symptom state customer_visible company_id use_count
    catalog_id create_uid write_uid create_date write_date
""".split()
TICKET_COLUMNS = """
    name number description company_id escalation_level reported_date stage_id
    system_id catalog_id active create_uid write_uid create_date write_date
""".split()


def settle(env, table, trigram_index=None):
    """What autovacuum does to the bulk-inserted rows of a live database (they
    are uncommitted here: VACUUM cannot run): merge a GIN index's pending list
    into the index (a query would otherwise read it whole), and analyze. (The
    tickets' trigram index is GiST, which has no pending list.)"""
    if trigram_index:
        env.cr.execute(
            SQL("SELECT gin_clean_pending_list(%s::regclass)", trigram_index)
        )
    env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def insert_articles(env, world, first, count):
    columns, extra = insert_columns(env["response.support.article"], ARTICLE_COLUMNS)
    user = env.ref("base.user_admin").id
    title = text_sql(4, 7, "''")
    keywords = text_sql(2, 3, "' '")
    symptom = text_sql(14, 30, "CASE WHEN random() < 0.3 THEN '，' ELSE '' END")
    env.cr.execute(SQL("SELECT setseed(%s)", SEED * first / (first + 1)))
    env.cr.execute(
        SQL(
            f"""
            INSERT INTO response_support_article (%(columns)s)
            SELECT t, k, left(lower(t || ' ' || k), 100),
                   left(lower(t || ' ' || k || ' ' || y), 400),
                   '<p>' || y || '</p>', 'published', mod(n, 2) = 0,
                   %(company)s, mod(n, 7), w.catalog, %(user)s, %(user)s,
                   now(), now()%(extra)s
              FROM (SELECT s.n, s.sys,
                           {title} || CASE WHEN s.mixed THEN {CODE} ELSE '' END AS t,
                           {keywords} AS k, {symptom} || {CODE} AS y
                      FROM ({ROWS}) s) g
              JOIN (VALUES %(world)s) w(sys, system, catalog) ON w.sys = g.sys
            """,
            **sql_params(
                columns=columns,
                extra=extra,
                company=env.company.id,
                user=user,
                first=first,
                last=first + count - 1,
                world=systems_values(world),
            ),
        )
    )
    # the systems the articles apply to: their own
    env.cr.execute(
        SQL(
            """
            INSERT INTO response_support_article_system_rel
                   (response_support_article_id, response_support_system_id)
            SELECT a.id, w.system
              FROM response_support_article a
              JOIN (VALUES %(world)s) w(sys, system, catalog) ON w.catalog = a.catalog_id
             WHERE NOT EXISTS (SELECT 1 FROM response_support_article_system_rel r
                                WHERE r.response_support_article_id = a.id)
            """,
            world=systems_values(world),
        )
    )
    settle(
        env, "response_support_article", "response_support_article_search_title_trgm"
    )
    env.cr.execute("ANALYZE response_support_article_system_rel")


def insert_tickets(env, world, count):
    columns, extra = insert_columns(env["helpdesk.ticket"], TICKET_COLUMNS)
    user = env.ref("base.user_admin").id
    title = text_sql(3, 7, "''")
    description = text_sql(10, 25, "CASE WHEN random() < 0.3 THEN '，' ELSE '' END")
    env.cr.execute(SQL("SELECT setseed(%s)", SEED / 2))
    env.cr.execute(
        SQL(
            f"""
            INSERT INTO helpdesk_ticket (%(columns)s)
            SELECT t, 'BENCH-K' || n, '<p>' || d || '</p>', %(company)s, 'engineer',
                   now() - (n || ' minutes')::interval, %(stage)s, w.system, w.catalog,
                   true, %(user)s, %(user)s, now(), now()%(extra)s
              FROM (SELECT s.n, s.sys,
                           {title} || CASE WHEN s.mixed THEN {CODE} ELSE '' END AS t,
                           {description} AS d
                      FROM ({ROWS}) s) g
              JOIN (VALUES %(world)s) w(sys, system, catalog) ON w.sys = g.sys
            """,
            **sql_params(
                columns=columns,
                extra=extra,
                company=env.company.id,
                stage=env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
                user=user,
                first=1,
                last=count,
                world=systems_values(world),
            ),
        )
    )
    settle(env, "helpdesk_ticket")


def reworded(title, detail):
    """What a caller says about the problem ``title`` describes: a term
    dropped, the others reordered, and part of the details."""
    rng = random.Random(title)
    if " " in title.strip():
        terms = title.split()
        terms.pop(rng.randrange(len(terms)))
        rng.shuffle(terms)
        said = " ".join(terms)
    else:  # Chinese: no spaces; drop the first two characters
        said = title[2:]
    return f"{said}|{detail}"


def pick_cases(env, table, detail_sql, ids):
    """(id, text, system id, catalog id) of rows ``ids`` of ``table``."""
    env.cr.execute(
        SQL(
            "SELECT id, name, %s, %s, catalog_id FROM %s WHERE id = ANY(%s)"
            " ORDER BY array_position(%s, id)",
            SQL(detail_sql),
            SQL(
                "(SELECT r.response_support_system_id "
                "FROM response_support_article_system_rel r "
                "WHERE r.response_support_article_id = x.id LIMIT 1)"
                if table == "response_support_article"
                else "system_id"
            ),
            SQL(f"{table} x"),
            list(ids),
            list(ids),
        )
    )
    return [
        (row_id, reworded(name, detail or ""), system, catalog)
        for row_id, name, detail, system, catalog in env.cr.fetchall()
    ]


def article_cases(env):
    """10 English and 10 Chinese articles among the first ones."""
    env.cr.execute(
        """SELECT id FROM response_support_article
            WHERE search_text ~ '^[a-z]' ORDER BY id LIMIT 10"""
    )
    english = [i for (i,) in env.cr.fetchall()]
    env.cr.execute(
        """SELECT id FROM response_support_article
            WHERE search_text !~ '^[a-z]' ORDER BY id LIMIT 10"""
    )
    chinese = [i for (i,) in env.cr.fetchall()]
    return pick_cases(
        env,
        "response_support_article",
        "substr(regexp_replace(symptom, '<[^>]+>', '', 'g'), 5, 40)",
        english + chinese,
    )


def measure(env, call, cases):
    """(median ms, worst ms, queries per call, first, in top 5) of
    ``call(case)`` over ``cases``."""
    call(cases[0])  # warm the caches (record rules, registry)
    times, queries, first, top = [], [], 0, 0
    for run in range(RUNS):
        for case in cases:
            before = env.cr.sql_log_count
            started = time.perf_counter()
            found = call(case)
            times.append((time.perf_counter() - started) * 1000)
            queries.append(env.cr.sql_log_count - before)
            if run == 0:
                first += found[:1].id == case[0]
                top += case[0] in found.ids
    return statistics.median(times), max(times), statistics.median(queries), first, top


def report(label, figures, cases):
    median, worst, queries, first, top = figures
    print(
        f"  {label}: median {median:.1f} ms, worst {worst:.1f} ms, "
        f"{queries:.0f} queries per call; the source ranked first "
        f"{first}/{len(cases)}, in the first five {top}/{len(cases)}"
    )


def explain(env, query, params):
    env.cr.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query, params)
    for (line,) in env.cr.fetchall():
        print(f"    {line}")


def explain_articles(env, Article, case):
    __, text, system, catalog = case
    title, __, detail = text.partition("|")
    Article._set_trigram_threshold(
        "pg_trgm.word_similarity_threshold", WORD_SIMILARITY_THRESHOLD
    )
    explain(
        env,
        *Article._get_similar_sql(
            f"{title} {detail}",
            title=title,
            catalog=env["response.support.catalog"].browse(catalog),
            systems=env["response.support.system"].browse(system),
        ),
    )


def capture(call):
    """What ``call()`` prints, as a string."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        call()
    return output.getvalue()


def main(env):
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not env.registry.has_trigram:
        print("pg_trgm is not installed in this database: no suggestions to time")
        return
    admin = env.ref("base.user_admin")
    Article = env["response.support.article"].with_user(admin)
    System = env["response.support.system"]
    Catalog = env["response.support.catalog"]

    def suggest(case):
        __, text, system, catalog = case
        title, __, detail = text.partition("|")
        return Article._search_similar(
            f"{title} {detail}",
            title=title,
            catalog=Catalog.browse(catalog),
            systems=System.browse(system),
        )

    try:
        world = create_systems(env)
        started = time.perf_counter()
        insert_articles(env, world, 1, ARTICLES_FIRST)
        cases = article_cases(env)
        print(f"a) suggested articles ({time.perf_counter() - started:.1f} s to load)")
        report(f"{ARTICLES_FIRST:,} articles", measure(env, suggest, cases), cases)
        first_plan = capture(lambda: explain_articles(env, Article, cases[10]))
        insert_articles(env, world, ARTICLES_FIRST + 1, ARTICLES - ARTICLES_FIRST)
        report(f"{ARTICLES:,} articles", measure(env, suggest, cases), cases)
        started = time.perf_counter()
        insert_tickets(env, world, TICKETS)
        print(f"b) similar tickets ({time.perf_counter() - started:.1f} s to load)")
        Ticket = env["helpdesk.ticket"].with_user(admin)
        env.cr.execute(
            """SELECT id FROM helpdesk_ticket WHERE number LIKE 'BENCH-K%%'
             ORDER BY id LIMIT 20"""
        )
        sources = [i for (i,) in env.cr.fetchall()]
        ticket_cases = pick_cases(env, "helpdesk_ticket", "''", sources)
        # the ticket being handled: a new one of the same system and catalog
        probes = {
            case[0]: Ticket.create(
                {
                    "name": case[1].partition("|")[0],
                    "description": "<p>bench</p>",
                    "system_id": case[2],
                    "catalog_id": case[3],
                }
            )
            for case in ticket_cases
        }

        def similar_tickets(case):
            return probes[case[0]]._search_similar_tickets()

        report(
            f"{TICKETS:,} tickets",
            measure(env, similar_tickets, ticket_cases),
            ticket_cases,
        )
        print("c) EXPLAIN ANALYZE of the article query (a Chinese text)")
        print(f"   at {ARTICLES:,} articles")
        explain_articles(env, Article, cases[10])
        print(f"   at {ARTICLES_FIRST:,} articles")
        print(first_plan, end="")
        print("   and of the similar-ticket query")
        Article._set_trigram_threshold(
            "pg_trgm.similarity_threshold", TICKET_SIMILARITY_THRESHOLD
        )
        probe = probes[ticket_cases[-1][0]]
        explain(env, *probe._get_similar_tickets_sql(probe.name.lower(), 15))
    finally:
        env.cr.rollback()
        started = time.perf_counter()
        vacuum(env, TABLES)
        print(f"rolled back, then VACUUM: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(env)  # noqa: F821 - `env` is given by `odoo shell`
