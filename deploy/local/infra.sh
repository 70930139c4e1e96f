#!/usr/bin/env bash
# Local development infrastructure without Docker or systemd:
# a private RabbitMQ node and a private PostgreSQL 15 cluster, all state under <repo>/.local/.
#
# Usage: deploy/local/infra.sh [command]
#   start (default)   install missing packages, start both servers, wait until they answer,
#                     create the vhost/users/permissions and the database/roles/schemas
#   stop              stop both servers (harmless when already stopped)
#   status            print the state of both; exit 0 if both are up, 1 otherwise
#   reset             stop, delete all data under .local/, start
#   start-rabbitmq | stop-rabbitmq | restart-rabbitmq
#   start-postgres | stop-postgres | restart-postgres
#   test-space VHOST DATABASE
#                     a vhost and a database of the tests' own (make test gives one to each test
#                     lane, so lanes and a system `make run` started share no queue or table):
#                     definitions.json's permissions on VHOST, init.sql's schemas in DATABASE
#   env               print the export lines for tests (admin URLs)
#   ctl ARGS...       run rabbitmqctl against the private node, e.g. `ctl list_queues -p bizops`
#   psql ARGS...      run psql as the admin role `bizops` on database `bizops`
set -euo pipefail

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/../.." && pwd)"
LOCAL_DIR="$REPO_ROOT/.local"
INIT_SQL="$REPO_ROOT/deploy/postgres/init.sql"

# Service ids (roles, schemas, AMQP users) from the one list of services.
mapfile -t SERVICES < <(awk '!/^#/ && $4 == "department" { print $2 }' "$REPO_ROOT/deploy/services.txt")
DEV_PASSWORD="bizops-dev"
WAIT_SECONDS=60

# ---------------------------------------------------------------- RabbitMQ settings
RMQ_DIR="$LOCAL_DIR/rabbitmq"
RMQ_BIN="/usr/lib/rabbitmq/bin"
RMQ_NODE="bizops@localhost"
RMQ_HOST="127.0.0.1"
RMQ_PORT=5672
RMQ_DIST_PORT=25672
RMQ_MGMT_PORT=15672
RMQ_TLS_PORT=5671
TLS_DIR="$LOCAL_DIR/tls"
RMQ_VHOST="bizops"
RMQ_ADMIN="bizops"
RMQ_PID_FILE="$RMQ_DIR/run/rabbitmq.pid"
RMQ_EPMD_PID_FILE="$RMQ_DIR/run/epmd.pid"
RMQ_LOG_DIR="$RMQ_DIR/log"

# ---------------------------------------------------------------- PostgreSQL settings
PG_BIN="/usr/lib/postgresql/15/bin"   # never rely on PATH: /usr/local/bin/pg_ctl may differ
PG_DIR="$LOCAL_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/log/postgres.log"
PG_HOST="127.0.0.1"
PG_PORT=5432
PG_DB="bizops"
PG_ADMIN="bizops"

# prometheus: its promtool checks and tests deploy/observability's alert rules (the tests run it).
PACKAGES=(rabbitmq-server postgresql libpq-dev librabbitmq-dev pkg-config curl openssl docker-compose prometheus)

# ---------------------------------------------------------------- helpers
say()  { printf '%s\n' "$*"; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
now()  { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

port_owner() {  # best effort: "name pid" of whoever listens on the port
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -1
}

log_tail() {  # file [lines]
    local f="$1" n="${2:-30}"
    if [[ -f "$f" ]]; then
        printf -- '--- last %s lines of %s ---\n' "$n" "$f" >&2
        tail -n "$n" "$f" >&2
        printf -- '---\n' >&2
    fi
}

# A process counts as alive unless it is gone or a zombie (PID 1 here may reap late).
alive() {
    local st
    st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$st" && "$st" != Z ]]
}

is_root() { [[ "$(id -u)" == 0 ]]; }

ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    is_root || die "missing packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
    say "packages: installing ${missing[*]}"
    local t; t=$(now)
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    say "packages: installed in $(since "$t")"
}

# docs/contracts/check.py validates with jsonschema and reads YAML: Debian's packages unless
# the machine has them already (from pip, say).
ensure_python_modules() {
    python3 -c 'import jsonschema, yaml, openapi_spec_validator' 2>/dev/null && return 0
    # The python3 on PATH may not be Debian's (pyenv): its own pip first, then Debian's packages.
    say "packages: installing jsonschema, pyyaml and openapi-spec-validator for $(command -v python3)"
    python3 -m pip install --quiet jsonschema pyyaml openapi-spec-validator 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages jsonschema pyyaml openapi-spec-validator 2>/dev/null || true
    python3 -c 'import jsonschema, yaml, openapi_spec_validator' 2>/dev/null && return 0
    is_root || die "python3 needs jsonschema and yaml; run as root or: apt-get install python3-jsonschema python3-yaml"
    say "packages: installing python3-jsonschema python3-yaml"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends python3-jsonschema python3-yaml python3-openapi-spec-validator >/dev/null
}

# ====================================================================== RabbitMQ

# Every server and CLI invocation must see exactly the same environment.
rmq_env() {
    export PATH="$RMQ_BIN:$PATH"
    export HOME="$RMQ_DIR/home"               # Erlang cookie lives here
    export LC_ALL=C.UTF-8 LANG=C.UTF-8         # Elixir CLI wants a UTF-8 locale
    export RABBITMQ_NODENAME="$RMQ_NODE"
    export RABBITMQ_NODE_IP_ADDRESS="$RMQ_HOST"
    export RABBITMQ_NODE_PORT="$RMQ_PORT"
    export RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
    export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"   # absent on purpose
    export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"        # absent: ignore /etc/rabbitmq
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    export RABBITMQ_PID_FILE="$RMQ_PID_FILE"
    export ERL_EPMD_ADDRESS="127.0.0.1"        # an epmd started by this node listens on loopback only
    # Erlang distribution (inter-node/CLI) port on loopback only, like everything else.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmq() { ( rmq_env; "$@" ); }
rmqctl() { rmq rabbitmqctl "$@"; }

rmq_pid() {  # prints the pid of our node if it is alive
    [[ -f "$RMQ_PID_FILE" ]] || return 1
    local pid; pid="$(tr -dc '0-9' <"$RMQ_PID_FILE")"
    [[ -n "$pid" ]] && alive "$pid" && grep -q beam "/proc/$pid/cmdline" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

rmq_up() { rmq_pid >/dev/null && port_open "$RMQ_HOST" "$RMQ_PORT"; }

# A local CA and a server certificate for "localhost" (no IP address in it, so a client that
# dials 127.0.0.1 with hostname checks on is refused), plus a client certificate: both servers
# listen with TLS beside their plain ports. Made once; `reset` removes them with the rest.
tls_prepare() {
    [[ -s "$TLS_DIR/server.pem" && -s "$TLS_DIR/client.pem" ]] && return 0
    command -v openssl >/dev/null || die "tls: openssl is not installed"
    mkdir -p "$TLS_DIR"
    local t; t=$(now)
    (
        cd "$TLS_DIR"
        umask 077
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=bizops local CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
        printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -extfile server.ext -out server.pem 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=bizops-client" -keyout client.key -out client.csr 2>/dev/null
        printf 'extendedKeyUsage=clientAuth\n' >client.ext
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -extfile client.ext -out client.pem 2>/dev/null
        rm -f ./*.csr ./*.ext
        chmod 644 ca.pem server.pem client.pem
    ) || die "tls: could not create the local CA and certificates in $TLS_DIR"
    say "tls: local CA and certificates for localhost in $TLS_DIR ($(since "$t"))"
}

rmq_prepare() {
    mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_LOG_DIR" "$RMQ_DIR/run"
    local cookie="$RMQ_DIR/home/.erlang.cookie"
    if [[ ! -s "$cookie" ]]; then
        (umask 077; set +o pipefail; LC_ALL=C tr -dc 'A-Z' </dev/urandom | head -c 32 >"$cookie")
    fi
    chmod 400 "$cookie"

    cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# Generated by deploy/local/infra.sh on every start; edit the script, not this file.
listeners.tcp.1 = $RMQ_HOST:$RMQ_PORT
# TLS beside it (amqps://localhost:$RMQ_TLS_PORT): a client certificate is checked if one is sent.
listeners.ssl.1 = $RMQ_HOST:$RMQ_TLS_PORT
ssl_options.cacertfile = $TLS_DIR/ca.pem
ssl_options.certfile = $TLS_DIR/server.pem
ssl_options.keyfile = $TLS_DIR/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
management.tcp.ip = $RMQ_HOST
management.tcp.port = $RMQ_MGMT_PORT
loopback_users = none

default_vhost = $RMQ_VHOST
default_user = $RMQ_ADMIN
default_pass = $DEV_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.write = .*
default_permissions.read = .*

log.file.level = info
log.console = false
EOF
    # Offline plugin enablement only writes the enabled_plugins file.
    # rabbitmq_prometheus serves the broker's own metrics on :15692 (deploy/observability scrapes it).
    if ! grep -q rabbitmq_prometheus "$RMQ_DIR/enabled_plugins" 2>/dev/null; then
        rmq rabbitmq-plugins enable --offline rabbitmq_management rabbitmq_prometheus >/dev/null
    fi
}

rmq_fail() {
    say "rabbitmq: $*" >&2
    log_tail "$RMQ_LOG_DIR/$RMQ_NODE.log"
    log_tail "$RMQ_LOG_DIR/startup.out" 15
    exit 1
}

# Users, permissions and topic permissions come from deploy/rabbitmq/definitions.json (written by
# `make generate` from services.txt and outside-systems.txt), the same file the
# containers load: one admin, one user per service, one per outside system. Importing is an
# upsert, so it runs on every start and a changed rule reaches an existing broker.
rmq_ensure_users() {
    local definitions="$REPO_ROOT/deploy/rabbitmq/definitions.json"
    python3 "$REPO_ROOT/Tools/generate/generate.py" --check >/dev/null \
        || die "rabbitmq: generated files (among them $definitions) are out of date: run make generate"
    rmqctl import_definitions "$definitions" >/dev/null || die "rabbitmq: could not import $definitions"
    say "rabbitmq: users and permissions of $definitions in place on vhost $RMQ_VHOST"
}

rmq_start() {
    local t; t=$(now)
    if rmq_up; then
        say "rabbitmq: already running (pid $(rmq_pid), amqp $RMQ_HOST:$RMQ_PORT)"
        rmq_ensure_users
        return 0
    fi
    if rmq_pid >/dev/null; then
        # Node process alive but no AMQP listener: still booting (or wedged) — wait below.
        say "rabbitmq: node process exists (pid $(rmq_pid)), waiting for it"
    else
        local p owner
        for p in "$RMQ_PORT" "$RMQ_TLS_PORT" "$RMQ_DIST_PORT" "$RMQ_MGMT_PORT"; do
            if port_open 127.0.0.1 "$p"; then
                owner="$(port_owner "$p")"
                die "rabbitmq: port $p is already in use${owner:+ by $owner}; stop that first"
            fi
        done
        tls_prepare
        rmq_prepare
        rm -f "$RMQ_PID_FILE"
        rmq rabbitmq-server -detached >"$RMQ_LOG_DIR/startup.out" 2>&1 \
            || rmq_fail "rabbitmq-server -detached failed"
    fi

    local deadline=$((SECONDS + WAIT_SECONDS))
    # 1. AMQP port open (the listener is started near the end of boot).
    until port_open "$RMQ_HOST" "$RMQ_PORT"; do
        ((SECONDS < deadline)) || rmq_fail "AMQP port $RMQ_PORT not open after ${WAIT_SECONDS}s"
        # The pid file appears a moment after -detached returns; once it exists the node must stay alive.
        if [[ -f "$RMQ_PID_FILE" ]] && ! rmq_pid >/dev/null; then
            rmq_fail "node exited during boot"
        fi
        sleep 0.25
    done
    # 2. The node reports that it has fully booted.
    rmqctl await_startup --timeout $((deadline - SECONDS > 1 ? deadline - SECONDS : 1)) >/dev/null 2>&1 \
        || rmq_fail "rabbitmqctl await_startup failed"
    # 3. The management HTTP API answers (authenticated).
    until curl -fsS -o /dev/null -u "$RMQ_ADMIN:$DEV_PASSWORD" \
            "http://$RMQ_HOST:$RMQ_MGMT_PORT/api/vhosts/$RMQ_VHOST" 2>/dev/null; do
        ((SECONDS < deadline)) || rmq_fail "management API on port $RMQ_MGMT_PORT did not answer"
        sleep 0.25
    done
    # Remember the epmd this node registered with, so `stop` can end it by pid.
    local epmd; epmd="$(ss -ltnpH 'sport = :4369' 2>/dev/null | sed -n 's/.*"epmd",pid=\([0-9]*\).*/\1/p' | head -1)"
    [[ -n "$epmd" ]] && printf '%s\n' "$epmd" >"$RMQ_EPMD_PID_FILE"

    say "rabbitmq: started in $(since "$t") (pid $(rmq_pid), amqp $RMQ_HOST:$RMQ_PORT, management http://$RMQ_HOST:$RMQ_MGMT_PORT)"
    rmq_ensure_users
}

rmq_stop_epmd() {
    # epmd outlives the node. End it by pid, but only if no other Erlang node still uses it.
    local pid=""
    [[ -f "$RMQ_EPMD_PID_FILE" ]] && pid="$(tr -dc '0-9' <"$RMQ_EPMD_PID_FILE")"
    [[ -z "$pid" ]] && pid="$(ss -ltnpH 'sport = :4369' 2>/dev/null | sed -n 's/.*"epmd",pid=\([0-9]*\).*/\1/p' | head -1)"
    rm -f "$RMQ_EPMD_PID_FILE"
    [[ -n "$pid" ]] && alive "$pid" || return 0
    grep -q epmd "/proc/$pid/cmdline" 2>/dev/null || return 0
    local names; names="$(rmq epmd -names 2>/dev/null | grep '^name ' || true)"
    if [[ -n "$names" ]]; then
        say "rabbitmq: epmd (pid $pid) left running, still used by: $(awk '{print $2}' <<<"$names" | paste -sd' ')"
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    local i; for i in {1..50}; do alive "$pid" || break; sleep 0.1; done
    say "rabbitmq: epmd stopped (pid $pid)"
}

rmq_stop() {
    local t pid; t=$(now)
    if ! pid="$(rmq_pid)"; then
        rm -f "$RMQ_PID_FILE"
        say "rabbitmq: not running"
        rmq_stop_epmd
        return 0
    fi
    # `stop` returns once the node has halted; we then wait for the OS process ourselves
    # (`stop <pidfile>` would also wait for PID 1 to reap the zombie, which is slow here).
    if ! rmqctl stop >/dev/null 2>&1; then
        say "rabbitmq: rabbitmqctl stop failed, sending SIGTERM to pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    local i
    for i in $(seq 1 $((WAIT_SECONDS * 4))); do alive "$pid" || break; sleep 0.25; done
    if alive "$pid"; then
        say "rabbitmq: still alive after ${WAIT_SECONDS}s, sending SIGKILL to pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RMQ_PID_FILE"
    say "rabbitmq: stopped in $(since "$t")"
    rmq_stop_epmd
}

rmq_status() {
    local pid
    if pid="$(rmq_pid)" && port_open "$RMQ_HOST" "$RMQ_PORT"; then
        say "rabbitmq: up (pid $pid, node $RMQ_NODE, amqp $RMQ_HOST:$RMQ_PORT, management http://$RMQ_HOST:$RMQ_MGMT_PORT)"
        return 0
    elif pid="$(rmq_pid)"; then
        say "rabbitmq: starting or unhealthy (pid $pid, amqp port $RMQ_PORT closed)"
    else
        say "rabbitmq: down"
    fi
    return 1
}

# ==================================================================== PostgreSQL

# initdb/pg_ctl refuse root: as root run them as `postgres`, otherwise as the caller.
pg_as_owner() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_owner() { if is_root; then echo postgres; else id -un; fi; }

# psql as a superuser over the unix socket (local = trust).
pg_super_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres "$@"
}

pg_running() { [[ -f "$PG_DATA/PG_VERSION" ]] && pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres -U postgres; }

pg_fail() {
    say "postgres: $*" >&2
    log_tail "$PG_LOG"
    exit 1
}

pg_prepare() {
    local owner; owner="$(pg_owner)"
    mkdir -p "$PG_DIR"
    mkdir -p "$PG_DIR/log" "$PG_RUN"
    chown "$owner:" "$PG_DIR/log" "$PG_RUN"
    chmod 755 "$PG_RUN"
    # The server user must be able to traverse from / to .local/postgres.
    if is_root && ! runuser -u postgres -- test -x "$PG_DIR"; then
        local d="$PG_DIR"
        while [[ "$d" != "/" ]]; do
            chmod o+x "$d"
            d="$(dirname "$d")"
        done
        runuser -u postgres -- test -x "$PG_DIR" || die "postgres: user postgres cannot reach $PG_DIR"
    fi

    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        local t; t=$(now)
        mkdir -p "$PG_DATA"
        chown "$owner:" "$PG_DATA"
        chmod 700 "$PG_DATA"
        pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/log/initdb.log" 2>&1 \
            || { log_tail "$PG_DIR/log/initdb.log"; die "postgres: initdb failed"; }
        echo "include_if_exists = 'bizops.conf'" >>"$PG_DATA/postgresql.conf"
        say "postgres: initialised cluster in $PG_DATA ($(since "$t"))"
    fi

    # Regenerated on every start so edits to this script take effect.
    cat >"$PG_DATA/bizops.conf" <<EOF
# Generated by deploy/local/infra.sh on every start; edit the script, not this file.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
password_encryption = scram-sha-256

# Memory (dev box, many small transactions)
shared_buffers = 256MB
effective_cache_size = 2GB
work_mem = 8MB
maintenance_work_mem = 128MB

# Durability stays ON: every commit is flushed to disk.
fsync = on
synchronous_commit = on
full_page_writes = on

# WAL / checkpoints: fewer, smoother checkpoints under steady write load.
wal_buffers = 16MB
min_wal_size = 256MB
max_wal_size = 2GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9

# SSD-ish storage
random_page_cost = 1.1
effective_io_concurrency = 200

# TLS beside plain connections (sslmode=verify-full with host localhost and the local CA).
ssl = on
ssl_cert_file = '$PG_DIR/tls/server.pem'
ssl_key_file = '$PG_DIR/tls/server.key'
ssl_ca_file = '$PG_DIR/tls/ca.pem'

# Logging (stderr -> $PG_LOG)
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
log_lock_waits = on
timezone = 'UTC'
log_timezone = 'UTC'
EOF
    cat >"$PG_DATA/pg_hba.conf" <<EOF
# Generated by deploy/local/infra.sh. TYPE DATABASE USER ADDRESS METHOD
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
EOF
    # The server reads its key as its own user, and only a key no one else can read.
    mkdir -p "$PG_DIR/tls"
    cp "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem" "$TLS_DIR/server.key" "$PG_DIR/tls/"
    chown -R "$owner:" "$PG_DIR/tls"
    chmod 600 "$PG_DIR/tls/server.key"
    chown "$owner:" "$PG_DATA/bizops.conf" "$PG_DATA/pg_hba.conf"
    chmod 600 "$PG_DATA/bizops.conf" "$PG_DATA/pg_hba.conf"
}

# Database $1, owned by the admin, with init.sql's roles and schemas (both steps are upserts).
pg_database() {
    local db="$1"
    pg_super_psql -d postgres <<SQL >/dev/null
SELECT 'CREATE DATABASE $db OWNER $PG_ADMIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = '$db')
\gexec
SQL
    pg_super_psql -d "$db" -f "$INIT_SQL" >/dev/null 2>"$PG_DIR/log/init-sql.$db.err" \
        || { cat "$PG_DIR/log/init-sql.$db.err" >&2; die "postgres: $INIT_SQL failed on database $db"; }
}

pg_bootstrap() {
    local t; t=$(now)
    pg_super_psql -d postgres <<EOF >/dev/null
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '$PG_ADMIN') THEN
        CREATE ROLE $PG_ADMIN SUPERUSER LOGIN PASSWORD '$DEV_PASSWORD';
    END IF;
END
\$\$;
EOF
    pg_database "$PG_DB"
    say "postgres: database $PG_DB ready, roles and schemas (${SERVICES[*]}) applied in $(since "$t")"
}

pg_start() {
    [[ -x "$PG_BIN/pg_ctl" ]] || die "postgres: $PG_BIN/pg_ctl not found (is postgresql 15 installed?)"
    local t; t=$(now)
    if pg_running; then
        pg_ready || pg_fail "server process exists but pg_isready fails"
        say "postgres: already running ($PG_HOST:$PG_PORT)"
    else
        if port_open "$PG_HOST" "$PG_PORT"; then
            local owner; owner="$(port_owner "$PG_PORT")"
            die "postgres: port $PG_PORT is already in use${owner:+ by $owner}; stop that first"
        fi
        tls_prepare
        pg_prepare
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECONDS" start >/dev/null 2>&1 \
            || pg_fail "pg_ctl start failed"
        local deadline=$((SECONDS + WAIT_SECONDS))
        until pg_ready; do
            ((SECONDS < deadline)) || pg_fail "pg_isready still failing after ${WAIT_SECONDS}s"
            sleep 0.2
        done
        say "postgres: started in $(since "$t") ($PG_HOST:$PG_PORT, socket $PG_RUN)"
    fi
    pg_bootstrap
}

pg_stop() {
    local t; t=$(now)
    if ! pg_running; then
        say "postgres: not running"
        return 0
    fi
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$WAIT_SECONDS" stop >/dev/null \
        || pg_fail "pg_ctl stop failed"
    say "postgres: stopped in $(since "$t")"
}

pg_status() {
    if pg_running && pg_ready; then
        say "postgres: up ($PG_HOST:$PG_PORT, socket $PG_RUN, data $PG_DATA)"
        return 0
    elif pg_running; then
        say "postgres: process running but not accepting connections"
    else
        say "postgres: down"
    fi
    return 1
}

# ==================================================================== commands

print_env() {
    cat <<EOF
export AMQP_URL=amqp://$RMQ_ADMIN:$DEV_PASSWORD@$RMQ_HOST:$RMQ_PORT/$RMQ_VHOST
export DATABASE_URL=postgresql://$PG_ADMIN:$DEV_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB
# Admin URLs (used by tests). Each service logs in as its own id instead, e.g. for sales:
#   AMQP_URL=amqp://sales:$DEV_PASSWORD@$RMQ_HOST:$RMQ_PORT/$RMQ_VHOST
#   DATABASE_URL=postgresql://sales:$DEV_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB
# (ids: ${SERVICES[*]}; management UI http://$RMQ_HOST:$RMQ_MGMT_PORT, user $RMQ_ADMIN)
EOF
}

# The same users and rules as the system's vhost and database, on a space of the tests' own.
do_test_space() {
    local vhost="${1:-}" db="${2:-}"
    [[ "$vhost" =~ ^[a-z0-9][a-z0-9._-]*$ && "$vhost" != "$RMQ_VHOST" ]] \
        || die "test-space: give a vhost other than $RMQ_VHOST (lower case letters, digits, . _ -)"
    [[ "$db" =~ ^[a-z][a-z0-9_]*$ && "$db" != "$PG_DB" ]] \
        || die "test-space: give a database other than $PG_DB (lower case letters, digits, _)"
    rmq_up || die "test-space: RabbitMQ is not running (deploy/local/infra.sh start)"
    { pg_running && pg_ready; } || die "test-space: PostgreSQL is not running (deploy/local/infra.sh start)"
    local t; t=$(now)
    local definitions="$RMQ_DIR/definitions.$vhost.json"
    python3 - "$REPO_ROOT/deploy/rabbitmq/definitions.json" "$vhost" "$definitions" <<'PY' \
        || die "test-space: could not write $definitions"
import json, sys
source, vhost, target = sys.argv[1:]
definitions = json.load(open(source))
definitions["vhosts"] = [{"name": vhost}]
for key in ("permissions", "topic_permissions", "policies", "queues", "exchanges", "bindings", "parameters"):
    for item in definitions.get(key, []):
        item["vhost"] = vhost
json.dump(definitions, open(target, "w"), indent=1)
PY
    rmqctl import_definitions "$definitions" >/dev/null || die "test-space: could not import $definitions"
    pg_database "$db"
    say "test-space: vhost $vhost and database $db ready in $(since "$t")"
}

do_reset() {
    rmq_stop
    pg_stop
    [[ "$LOCAL_DIR" == */.local && -n "$REPO_ROOT" ]] || die "refusing to delete $LOCAL_DIR"
    rm -rf -- "$RMQ_DIR" "$PG_DIR" "$TLS_DIR"
    say "reset: deleted $RMQ_DIR, $PG_DIR and $TLS_DIR"
    ensure_packages
    rmq_start
    pg_start
}

main() {
    local cmd="${1:-start}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        start)            ensure_packages; ensure_python_modules; rmq_start; pg_start ;;
        stop)             rmq_stop; pg_stop ;;
        status)           local rc=0; rmq_status || rc=1; pg_status || rc=1; return "$rc" ;;
        reset)            do_reset ;;
        start-rabbitmq)   ensure_packages; rmq_start ;;
        stop-rabbitmq)    rmq_stop ;;
        restart-rabbitmq) rmq_stop; ensure_packages; rmq_start ;;
        start-postgres)   ensure_packages; pg_start ;;
        stop-postgres)    pg_stop ;;
        restart-postgres) pg_stop; ensure_packages; pg_start ;;
        test-space)       do_test_space "$@" ;;
        env)              print_env ;;
        ctl)              rmqctl "$@" ;;
        psql)             PGPASSWORD="$DEV_PASSWORD" exec "$PG_BIN/psql" -X -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN" -d "$PG_DB" "$@" ;;
        -h|--help|help)   sed -n '2,19p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//' ;;
        *)                die "unknown command '$cmd' (try --help)" ;;
    esac
}

main "$@"
