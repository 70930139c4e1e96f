#!/usr/bin/env bash
# Runs every test (what `make test` does after building them), in lanes that mirror the house:
#
#   unit         Tests/UnitTests: the departments' rules and the kit's pure parts (no servers)
#   kit          Tests/IntegrationTests/Kit: the kit against the real database and broker (storage,
#                delivery guarantees, sign-in, metrics, tracing, deployment files)
#   bus          Tests/IntegrationTests/Bus: the broker's rules (permissions, TLS, dead letters,
#                held deliveries, what the broker sees of a service)
#   departments  Tests/IntegrationTests/InProcess: each department's handlers and routes in-process
#   system       Tests/IntegrationTests/EndToEnd: one system of the five real processes, shared
#   processes    Tests/IntegrationTests/Processes: real processes of their own (killed, restarted, alone)
#   disruptive   Tests/IntegrationTests/Disruptive: tests that stop or restart the servers, alone, last
#
# All but the last run side by side, each on a vhost and a database of its own
# (bizops-test-<lane>, bizops_test_<lane>: deploy/local/infra.sh test-space), so they share no
# queue or table with each other nor with a system `make run` started. A lane runs its suites one
# after another. A test in no lane (a suite outside these folders) fails the run.
#
# Usage: deploy/local/test-lanes.sh [LANE ...]   (default: every lane)
# Each lane's output is kept in .local/logs/tests/<lane>.log and printed whole when the lane ends.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$REPO_ROOT"
BIN="${BIZOPS_BIN_DIR:-$REPO_ROOT/.build/debug}/bizopsPackageTests.xctest"
LOGS="$REPO_ROOT/.local/logs/tests"
INFRA="$REPO_ROOT/deploy/local/infra.sh"
ALL_LANES=(unit kit bus departments system processes disruptive)
declare -A FOLDER=([kit]=Kit [bus]=Bus [departments]=InProcess [system]=EndToEnd [processes]=Processes [disruptive]=Disruptive)

say() { printf 'test-lanes: %s\n' "$*"; }
die() { printf 'test-lanes: error: %s\n' "$*" >&2; exit 2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[[ -x "$BIN" ]] || die "$BIN not found: build the tests first (swift build --build-tests)"
lanes=("$@")
[[ ${#lanes[@]} -gt 0 ]] || lanes=("${ALL_LANES[@]}")
for lane in "${lanes[@]}"; do
    [[ " ${ALL_LANES[*]} " == *" $lane "* ]] || die "unknown lane '$lane' (lanes: ${ALL_LANES[*]})"
done
mkdir -p "$LOGS"

# The top-level suites declared in a lane's folder (nested suites run with their parent).
suites_of() {
    grep -hoE '^(@Suite(\(.*\))? )?(struct|final class|class|enum|actor) [A-Za-z_][A-Za-z0-9_]*' \
        "Tests/IntegrationTests/${FOLDER[$1]}"/*.swift | awk '{ print $NF }' | sort -u
}

# Every test belongs to exactly one lane.
declare -A SUITES=()
for lane in "${ALL_LANES[@]}"; do
    [[ $lane == unit ]] || SUITES[$lane]=" $(suites_of "$lane" | tr '\n' ' ')"
done
listed="$("$BIN" --testing-library swift-testing --list-tests 2>/dev/null)" || die "could not list the tests of $BIN"
orphans=0
while read -r top; do
    owners=()
    for lane in "${ALL_LANES[@]}"; do
        case "$lane:$top" in
            unit:UnitTests.*) owners+=("$lane") ;;
            unit:*) ;;
            *:IntegrationTests.*) [[ "${SUITES[$lane]}" == *" ${top#IntegrationTests.} "* ]] && owners+=("$lane") ;;
        esac
    done
    if [[ ${#owners[@]} -ne 1 ]]; then
        say "suite $top is in ${#owners[@]} lanes (${owners[*]:-none}): its file belongs in Tests/UnitTests or in one folder of Tests/IntegrationTests: ${FOLDER[*]}"
        orphans=$((orphans + 1))
    fi
done < <(printf '%s\n' "$listed" | sed -E 's|^([^/]+)/.*|\1|' | sort -u)
[[ $orphans -eq 0 ]] || die "$orphans suite(s) in no lane or in several"

filter_of() {
    case "$1" in
        unit) printf '^UnitTests\\.' ;;
        *)    local suites=(${SUITES[$1]}); printf '^IntegrationTests\\.(%s)/' "$(IFS='|'; printf '%s' "${suites[*]}")" ;;
    esac
}

run_lane() {  # lane; runs in the background, its exit status in $LOGS/<lane>.status
    local lane="$1" log="$LOGS/$1.log" t; t=$(now)
    local env=(NO_COLOR=1)
    if [[ "$lane" != unit ]]; then
        env+=(BIZOPS_TEST_AMQP_URL="amqp://bizops:bizops-dev@127.0.0.1:5672/bizops-test-$lane"
              BIZOPS_TEST_DATABASE_URL="postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops_test_$lane"
              BIZOPS_TEST_SPACE_READY=1)
    fi
    local status=0
    env "${env[@]}" "$BIN" --testing-library swift-testing --no-parallel --filter "$(filter_of "$lane")" >"$log" 2>&1 || status=$?
    printf '%s %s\n' "$status" "$(since "$t")" >"$LOGS/$lane.status"
}

t0=$(now)
pids=()
parallel=() disruptive=()
for lane in "${lanes[@]}"; do
    if [[ $lane == disruptive ]]; then disruptive+=("$lane"); else parallel+=("$lane"); fi
done
rm -f "$LOGS"/*.status
# The unit lane needs no servers: it starts while the spaces of the others are made, one at a
# time (two imports at once would race on the same roles).
for lane in "${parallel[@]}"; do
    if [[ $lane != unit ]]; then
        "$INFRA" test-space "bizops-test-$lane" "bizops_test_$lane" >/dev/null || die "could not make the test space of lane $lane"
    fi
    run_lane "$lane" & pids+=($!)
    say "lane $lane started"
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
for lane in "${disruptive[@]}"; do
    "$INFRA" test-space "bizops-test-$lane" "bizops_test_$lane" >/dev/null || die "could not make the test space of lane $lane"
    say "lane $lane started (alone)"
    run_lane "$lane"
done

failed=()
for lane in "${lanes[@]}"; do
    printf '\n================ lane %s (.local/logs/tests/%s.log) ================\n' "$lane" "$lane"
    cat "$LOGS/$lane.log"
done
printf '\n================ lanes ================\n'
for lane in "${lanes[@]}"; do
    read -r status seconds <"$LOGS/$lane.status"
    summary="$(grep -aE '(✔|✘) Test run with' "$LOGS/$lane.log" | tail -1 | sed -E 's/^.*Test run with/Test run with/')"
    [[ -n "$summary" ]] || summary="no summary (the test process ended with status $status)"
    printf '%-12s %-6s %7ss  %s\n' "$lane" "$([[ $status -eq 0 ]] && echo pass || echo FAIL)" "$seconds" "$summary"
    [[ $status -eq 0 ]] || failed+=("$lane")
done
say "wall time $(since "$t0")s"
if [[ ${#failed[@]} -gt 0 ]]; then
    say "failed lanes: ${failed[*]}"
    exit 1
fi
