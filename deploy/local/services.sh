#!/usr/bin/env bash
# Runs the five services on this machine against the local servers (deploy/local/infra.sh),
# each as its own database role and AMQP user. Logs: .local/logs/<service>.log.
#
# Usage: deploy/local/services.sh [start|stop|status|restart] [BIN_DIR]
#   start     start every service that is not running, wait until each is ready
#   stop      SIGTERM every service (graceful: stop consuming, flush outbox), wait
#   status    one line per service: pid, port, readiness
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
BIN_DIR="${2:-${BIZOPS_BIN_DIR:-$REPO_ROOT/.build/debug}}"
RUN_DIR="$REPO_ROOT/.local/services"
LOG_DIR="$REPO_ROOT/.local/logs"
PASSWORD="bizops-dev"
# executable:service-id:port
SERVICES=(sales:sales:8081 logistics:logistics:8082 customer-service:customer_service:8083 finance:finance:8084 risk:risk:8085)

pid_of() { local f="$RUN_DIR/$1.pid"; [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

ready() { curl -fsS --max-time 2 "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

start() {
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    for entry in "${SERVICES[@]}"; do
        IFS=: read -r exe id port <<<"$entry"
        [[ -x "$BIN_DIR/$exe" ]] || { echo "error: $BIN_DIR/$exe not built (run: swift build)" >&2; exit 1; }
        if pid=$(pid_of "$exe"); then echo "$exe: already running (pid $pid)"; continue; fi
        AMQP_URL="amqp://$id:$PASSWORD@127.0.0.1:5672/bizops" \
        DATABASE_URL="postgresql://$id:$PASSWORD@127.0.0.1:5432/bizops" \
        HTTP_PORT="$port" HTTP_HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-info}" LOG_FORMAT="${LOG_FORMAT:-text}" \
            nohup "$BIN_DIR/$exe" >>"$LOG_DIR/$exe.log" 2>&1 &
        echo $! >"$RUN_DIR/$exe.pid"
    done
    for entry in "${SERVICES[@]}"; do
        IFS=: read -r exe id port <<<"$entry"
        for _ in $(seq 1 120); do
            ready "$port" && break
            pid_of "$exe" >/dev/null || { echo "error: $exe exited; last log lines:" >&2; tail -20 "$LOG_DIR/$exe.log" >&2; exit 1; }
            sleep 0.5
        done
        ready "$port" || { echo "error: $exe not ready after 60 s; see $LOG_DIR/$exe.log" >&2; exit 1; }
        echo "$exe: ready on http://127.0.0.1:$port (log $LOG_DIR/$exe.log)"
    done
}

stop() {
    for entry in "${SERVICES[@]}"; do
        IFS=: read -r exe _ _ <<<"$entry"
        if pid=$(pid_of "$exe"); then
            kill -TERM "$pid"
            for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
            if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "$exe: killed (did not stop in 15 s)"; else echo "$exe: stopped"; fi
        fi
        rm -f "$RUN_DIR/$exe.pid"
    done
}

status() {
    local rc=0
    for entry in "${SERVICES[@]}"; do
        IFS=: read -r exe _ port <<<"$entry"
        if pid=$(pid_of "$exe"); then
            if ready "$port"; then echo "$exe: ready (pid $pid, http://127.0.0.1:$port)"; else echo "$exe: running, not ready (pid $pid)"; rc=1; fi
        else
            echo "$exe: stopped"; rc=1
        fi
    done
    return $rc
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    status) status ;;
    *) echo "usage: $0 [start|stop|status|restart] [BIN_DIR]" >&2; exit 64 ;;
esac
