#!/usr/bin/env bash
# Runs the five services on this machine against the local servers (deploy/local/infra.sh),
# each as its own database role and AMQP user. Logs: .local/logs/<service>.log.
#
# Usage: deploy/local/services.sh [start|stop|status|restart|demo] [BIN_DIR]
#   start     start every service that is not running, wait until each is ready
#   stop      SIGTERM every service (graceful: stop consuming, flush outbox), wait
#   status    one line per service: pid, port, readiness
#   demo      load the demo master data (deploy/demo/*.sql), then drive one order through the
#             whole path by publishing onto bizops.ingress like the outside systems would
#             (order.place, shipment.dispatch, shipment.deliver, payment.record) and show its history
#   demo-data only load the demo master data
#   token ID  print a sign-in token for a person of deploy/demo/people.json (bizctl token)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
BIN_DIR="${2:-${BIZOPS_BIN_DIR:-$REPO_ROOT/.build/debug}}"
RUN_DIR="$REPO_ROOT/.local/services"
LOG_DIR="$REPO_ROOT/.local/logs"
PASSWORD="bizops-dev"
# The local identity provider's signing key and the JWKS the services trust (bizctl keys init).
AUTH_DIR="$REPO_ROOT/.local/auth"
# executable:service-id:port, from the one list of services
mapfile -t SERVICES < <(awk '!/^#/ && $4 == "department" { print $1 ":" $2 ":" $3 }' "$REPO_ROOT/deploy/services.txt")

pid_of() { local f="$RUN_DIR/$1.pid"; [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

ready() { curl -fsS --max-time 2 "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

start() {
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    # The services' broker users may not declare anything: the admin provisions their queues and
    # bindings (and the outside systems' reply queues) first. The URL goes in the environment, not
    # on a command line that `ps` shows.
    [[ -x "$BIN_DIR/bizctl" ]] || { echo "error: $BIN_DIR/bizctl not built (run: swift build)" >&2; exit 1; }
    BIZCTL_AMQP_URL="amqp://bizops:$PASSWORD@127.0.0.1:5672/bizops" \
        "$BIN_DIR/bizctl" provision --systems "$REPO_ROOT/deploy/outside-systems.txt"
    "$BIN_DIR/bizctl" keys init --keys "$AUTH_DIR" >/dev/null
    for entry in "${SERVICES[@]}"; do
        IFS=: read -r exe id port <<<"$entry"
        [[ -x "$BIN_DIR/$exe" ]] || { echo "error: $BIN_DIR/$exe not built (run: swift build)" >&2; exit 1; }
        if pid=$(pid_of "$exe"); then echo "$exe: already running (pid $pid)"; continue; fi
        AMQP_URL="amqp://$id:$PASSWORD@127.0.0.1:5672/bizops" \
        DATABASE_URL="postgresql://$id:$PASSWORD@127.0.0.1:5432/bizops?sslmode=${PGSSLMODE:-disable}" \
        AUTH_JWKS_FILE="$AUTH_DIR/jwks.json" HTTP_PORT="$port" HTTP_HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-info}" LOG_FORMAT="${LOG_FORMAT:-text}" \
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

# Publishes one command onto bizops.ingress as the outside system that sends it
# (deploy/outside-systems.txt), logged in as that system with user_id set: bizctl publish.
publish() {
    local key=$1 ref=$2 body=$3 type=${4:-} system
    system=$(awk -v key="$key" '!/^#/ && NF { for (i = 2; i <= NF; i++) if ($i == key) { print $1; exit } }' \
        "$REPO_ROOT/deploy/outside-systems.txt")
    [[ -n "$system" ]] || { echo "demo: no outside system sends $key" >&2; exit 1; }
    [[ -x "$BIN_DIR/bizctl" ]] || { echo "error: $BIN_DIR/bizctl not built (run: swift build)" >&2; exit 1; }
    BIZCTL_AMQP_URL="amqp://$system:$PASSWORD@127.0.0.1:5672/bizops" \
        "$BIN_DIR/bizctl" publish --correlation-id "$ref" --app-id demo ${type:+--type "$type"} "$key" "$body" >/dev/null
    echo "demo: $system published $key${type:+ ($type)} for $ref"
}

# A sign-in token for a person of the demo directory.
token() {
    [[ -x "$BIN_DIR/bizctl" ]] || { echo "error: $BIN_DIR/bizctl not built (run: swift build)" >&2; exit 1; }
    (cd "$REPO_ROOT" && "$BIN_DIR/bizctl" token --user "$1" --directory deploy/demo/people.json --keys "$AUTH_DIR")
}

# curl with a person's token: api PERSON URL [curl options...]
api() {
    local person=$1; shift
    curl -fsS -H "authorization: Bearer $(token "$person")" "$@"
}

# Waits until sales reports the order in one of the given states (a regex).
wait_status() {
    local ref=$1 want=$2 status=""
    for _ in $(seq 1 120); do
        status=$(curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8081/orders/$ref" 2>/dev/null \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["status"])' 2>/dev/null || true)
        if [[ $status =~ ^($want)$ ]]; then echo "demo: sales says $ref is $status"; return 0; fi
        sleep 0.25
    done
    echo "error: $ref is '${status:-unknown}', expected $want; see $LOG_DIR/*.log" >&2
    return 1
}

demo_data() {
    for file in "$REPO_ROOT"/deploy/demo/*.sql; do
        local role; role=$(basename "$file" .sql)
        PGPASSWORD="$PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$role" -d bizops -f "$file"
        echo "demo data: $(basename "$file") loaded as $role"
    done
}

demo() {
    demo_data
    local ref="DEMO-$(date +%H%M%S)"
    # Each step is done by a person of the demo directory with their own token: reads by
    # operations (zhou.ops), the stock receipt by the storekeeper (store.xu).
    READER=$(token zhou.ops)
    # Headquarters sends what the demo order needs, so the demo can run again and again.
    for item in SKU-001:120 SKU-002:100 SKU-003:1; do
        api store.xu -o /dev/null -H 'content-type: application/json' -d "$(printf '{"warehouse":"SH-01","sku":"%s","quantity":%s,"reference":"HQ-%s-%s"}' "${item%%:*}" "${item##*:}" "$ref" "${item%%:*}")" \
            http://127.0.0.1:8082/stock/receipts
    done
    echo "demo: store.xu (logistics:staff) booked the stock headquarters sent for $ref (POST /stock/receipts)"
    publish order.place "$ref" "$(printf '{"orderRef":"%s","customerCode":"C-1001","lines":[{"sku":"SKU-001","quantity":120},{"sku":"SKU-003","quantity":1}],"deliveryAddress":{"line1":"88 Century Ave","city":"Shanghai","postalCode":"200120","country":"CN"},"requestedDeliveryDate":"2026-12-01"}' "$ref")"
    wait_status "$ref" reserved
    for _ in $(seq 1 40); do  # the warehouse ships once finance cleared the order (net terms: at once)
        curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8082/orders/$ref" 2>/dev/null | grep -q '"clearedForDispatch":true' && break
        sleep 0.25
    done
    publish shipment.dispatch "$ref" "$(printf '{"orderRef":"%s","carrier":"SF Express","trackingNumber":"SF%s"}' "$ref" "$RANDOM")"
    wait_status "$ref" dispatched
    publish shipment.deliver "$ref" "$(printf '{"orderRef":"%s","signedBy":"Wang Fang","signedAt":"%s"}' "$ref" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    wait_status "$ref" delivered
    local invoice amount
    for _ in $(seq 1 40); do
        read -r invoice amount < <(curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8084/invoices?order=$ref" \
            | python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; print(i[0]["invoiceNumber"], i[0]["amount"]) if i else print("")') || true
        [[ -n ${invoice:-} ]] && break
        sleep 0.25
    done
    [[ -n ${invoice:-} ]] || { echo "error: finance issued no invoice for $ref" >&2; return 1; }
    echo "demo: finance issued $invoice for $amount (minor units, CNY)"
    publish payment.record "$ref" "$(printf '{"amount":%s,"currency":"CNY","invoiceNumber":"%s","bankReference":"BANK-%s","valueDate":"%s"}' "$amount" "$invoice" "$ref" "$(date -u +%Y-%m-%d)")"
    wait_status "$ref" completed
    echo "demo: the order's history in sales (GET http://127.0.0.1:8081/orders/$ref), with who caused each step:"
    curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8081/orders/$ref" | python3 -c '
import json, sys
order = json.load(sys.stdin)[-1]
for h in order["history"]:
    print("  %-11s %-40s %-10s %s" % (h["status"], h["event"], h.get("actor", "-"), h["detail"]))'
    demo_contract "$ref"
    echo "demo: sign in as someone of deploy/demo/people.json: TOKEN=\$(deploy/local/services.sh token zhou.ops)"
    echo "      curl -H \"authorization: Bearer \$TOKEN\" http://127.0.0.1:8081/orders/$ref"
    echo "demo: more to look at: logistics http://127.0.0.1:8082/stock, finance http://127.0.0.1:8084/customers/C-1001/account,"
    echo "      risk http://127.0.0.1:8085/customers/C-1001/credit, customer service http://127.0.0.1:8083/revisits"
}

# JSON field of stdin: json_get 'expression on d'
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Quote → contract → order: wang.fang (sales:staff) negotiates a quote to its final version, the
# customer accepts it, she drafts a contract from it, finance, logistics and risk review it over
# the bus and legal.ma (legal) over HTTP, she signs it within her limit, and the web shop orders
# under it (order.place.v2): priced by the contract, billed on its terms.
demo_contract() {
    local ref=$1 quote="Q-$1" contract="K-$1" order="$1-K" until from
    until=$(date -u -d '+30 days' +%Y-%m-%d); from=$(date -u +%Y-%m-%d)
    api wang.fang -o /dev/null -H 'content-type: application/json' -d "$(printf '{"customerCode":"C-1001","stage":"initial","validUntil":"%s","lines":[{"sku":"SKU-002","priceBand":{"low":460,"high":480}}]}' "$until")" \
        "http://127.0.0.1:8081/quotes/$quote/versions"
    api wang.fang -o /dev/null -H 'content-type: application/json' -d "$(printf '{"customerCode":"C-1001","stage":"final","validUntil":"%s","paymentTerms":{"kind":"deposit","depositPercent":30,"netDays":30},"lines":[{"sku":"SKU-002","quantity":500,"unitPrice":410}]}' "$until")" \
        "http://127.0.0.1:8081/quotes/$quote/versions"
    api wang.fang -o /dev/null -H 'content-type: application/json' -d '{"version":2}' "http://127.0.0.1:8081/quotes/$quote/accept"
    echo "demo: wang.fang (sales:staff) quoted $quote to C-1001 (a band, then 500 x SKU-002 at 4.10, 2.4 % below the list: within her limit); the customer accepted it"
    api wang.fang -o /dev/null -H 'content-type: application/json' -d "$(printf '{"quoteNo":"%s","delivery":{"leadTimeDays":7,"shipping":"carriage paid"},"liability":"0.05 %% of the order value per day late, at most 10 %%","returnsTerms":"defective goods replaced within 30 days","validFrom":"%s","validUntil":"%s"}' "$quote" "$from" "$(date -u -d '+1 year' +%Y-%m-%d)")" \
        "http://127.0.0.1:8081/contracts/$contract/revisions"
    echo "demo: wang.fang drafted contract $contract from it; finance, logistics and risk review it on the bus (sales.contract.drafted)"
    local reviews=""
    for _ in $(seq 1 80); do
        reviews=$(api zhou.ops "http://127.0.0.1:8081/contracts/$contract" | json_get '" ".join(r["reviewer"]+"="+r["outcome"] for r in d["revisions"][-1]["reviews"])')
        [[ $reviews == *finance=approved*logistics=approved*risk=approved* ]] && break
        sleep 0.25
    done
    [[ $reviews == *finance=approved*logistics=approved*risk=approved* ]] || { echo "error: contract $contract reviews: $reviews" >&2; return 1; }
    echo "demo: reviews of $contract: $reviews"
    api legal.ma -o /dev/null -H 'content-type: application/json' -d '{"outcome":"approved","remarks":"standard terms"}' "http://127.0.0.1:8081/contracts/$contract/legal-review"
    echo "demo: legal.ma (legal) approved the terms"
    api wang.fang -o /dev/null -H 'content-type: application/json' -d '{"revision":1}' "http://127.0.0.1:8081/contracts/$contract/sign"
    echo "demo: wang.fang signed $contract (worth 2,050.00 CNY, within her signing limit): sales.contract.signed"
    publish order.place "$order" "$(printf '{"orderRef":"%s","customerCode":"C-1001","contractNo":"%s","lines":[{"sku":"SKU-002","quantity":100}],"deliveryAddress":{"line1":"88 Century Ave","city":"Shanghai","postalCode":"200120","country":"CN"},"requestedDeliveryDate":"%s"}' "$order" "$contract" "$(date -u -d '+7 days' +%Y-%m-%d)")" order.place.v2
    wait_status "$order" reserved
    local total invoice=""
    total=$(curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8081/orders/$order" | json_get 'd[-1]["total"]')
    for _ in $(seq 1 40); do
        invoice=$(curl -fsS -H "authorization: Bearer $READER" "http://127.0.0.1:8084/invoices?order=$order" \
            | json_get '" ".join("%s %s %s" % (i["invoiceNumber"], i["kind"], i["amount"]) for i in d["items"])')
        [[ -n $invoice ]] && break
        sleep 0.25
    done
    echo "demo: $order under $contract: 100 x SKU-002 at the contract's 4.10 = $total; finance billed it on the contract's terms: $invoice"
    echo "      (GET http://127.0.0.1:8081/contracts/$contract, http://127.0.0.1:8084/contracts/$contract, http://127.0.0.1:8082/contracts/$contract)"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    status) status ;;
    demo) demo ;;
    demo-data) demo_data ;;
    token) [[ -n "${2:-}" ]] || { echo "usage: $0 token PERSON" >&2; exit 64; }; BIN_DIR="${BIZOPS_BIN_DIR:-$REPO_ROOT/.build/debug}"; token "$2" ;;
    *) echo "usage: $0 [start|stop|status|restart|demo|demo-data|token PERSON] [BIN_DIR]" >&2; exit 64 ;;
esac
