"""Helpers shared by the bench scripts (imported, not run).

Two kinds of scripts use them: the ``bench_*.py`` and ``gen_tickets.py`` scripts
that ``odoo shell`` runs (``./rs bench`` puts this folder on ``PYTHONPATH``), and
the standalone ``live_*.py`` scripts that start a server of their own (Python puts
their folder on ``sys.path``).
"""

import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing

from odoo import sql_db
from odoo.tools import SQL

# ---------------------------------------------------------------------- odoo shell


def load_average():
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def attendance(day, hour_from, hour_to, period="morning"):
    """A ``resource.calendar`` attendance command."""
    return (
        0,
        0,
        {
            "name": f"{day} {hour_from}-{hour_to}",
            "dayofweek": str(day),
            "hour_from": hour_from,
            "hour_to": hour_to,
            "day_period": period,
        },
    )


def required_defaults(Model, names):
    """The NOT NULL columns of ``Model``'s table without a database default that
    ``names`` does not give, with their ORM default in column form (bulk inserts
    bypass the ORM, and the addon grows while the benches run: a new required
    field must not break them)."""
    Model.env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL",
        [Model._table],
    )
    missing = sorted({name for (name,) in Model.env.cr.fetchall()} - set(names))
    defaults = Model.default_get(missing)
    if unknown := set(missing) - set(defaults):
        raise ValueError(f"{Model._table}: no default for {sorted(unknown)}")
    return missing, [
        Model._fields[name].convert_to_column(defaults[name], Model) for name in missing
    ]


def insert_columns(Model, names):
    """The column list of a bulk INSERT into ``Model``'s table giving ``names``,
    and the SQL to append to its select list: the other NOT NULL columns get their
    ORM default."""
    missing, values = required_defaults(Model, names)
    columns = SQL(", ").join(SQL.identifier(name) for name in [*names, *missing])
    return columns, SQL("").join(SQL(", %s", value) for value in values)


def copy_rows(Model, names, rows):
    """COPY ``rows`` (tuples in the order of ``names``; None is NULL, no empty
    strings) into ``Model``'s table, the other required columns at their ORM
    default. Returns the number of rows."""
    missing, values = required_defaults(Model, names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow((*row, *values))
        count += 1
    buffer.seek(0)
    columns = ", ".join(f'"{name}"' for name in [*names, *missing])
    Model.env.cr._obj.copy_expert(
        f"COPY {Model._table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
    )
    return count


def vacuum(env, tables, full=True):
    """VACUUM (FULL) ANALYZE ``tables`` outside the shell's transaction."""
    with closing(sql_db.db_connect(env.cr.dbname).cursor()) as cr:
        cr._cnx.autocommit = True
        for table in tables:
            if full:
                cr.execute(SQL("VACUUM FULL ANALYZE %s", SQL.identifier(table)))
            else:
                cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))


def percentile(values, share):
    """The ``share`` (0…1) percentile of ``values``, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def median(values):
    return statistics.median(values) if values else float("nan")


# ---------------------------------------------------------------------- live servers


def odoo_bin():
    """The ``odoo`` command of the virtualenv that runs this script."""
    return os.path.join(os.path.dirname(sys.executable), "odoo")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The venv's odoo as a multi-process server (``workers`` HTTP workers and one
    cron worker) on a free 127.0.0.1 port, its log in a file; waits for
    ``/web/health``."""

    def __init__(self, conf, db, workers, prefix="rs_bench_", extra=()):
        import requests  # noqa: PLC0415 - only the live scripts need it

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(
            prefix=prefix, suffix=".log", delete=False
        )
        # the console (the gevent process's start-up errors land there, not in the
        # log file), kept apart from the server log
        self.console = tempfile.NamedTemporaryFile(
            prefix=prefix, suffix=".console", delete=False
        )
        self.process = subprocess.Popen(
            [
                odoo_bin(),
                "-c",
                conf,
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--workers={workers}",
                "--max-cron-threads=1",
                f"--http-port={self.port}",
                f"--gevent-port={free_port()}",
                "--log-level=info",
                f"--logfile={self.log.name}",
                *extra,
            ],
            cwd=os.path.dirname(conf),
            stdout=self.console,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/web/health", timeout=10).ok:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        self.stop()
        sys.exit(f"the server did not start, see {self.log.name}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_problems(self):
        with open(self.log.name, errors="replace") as handle:
            text = handle.read()
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or " ERROR " in line or " CRITICAL " in line
        ]
