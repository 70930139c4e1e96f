#!/usr/bin/env bash
# Fuzzes each running service's HTTP API from its OpenAPI document (docs/api/<service>.yaml)
# with schemathesis: no answer may be a 5xx, every answer must match the document (status,
# body, content type), invalid requests must be refused with a 4xx, unknown methods with 405.
# Bounded: EXAMPLES per operation (default 25), deterministic generation. /health/ready is left
# out (it answers 503 by design while a dependency is away). Needs the services running
# (deploy/local/services.sh start); installs schemathesis from PyPI when it is missing.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
EXAMPLES="${EXAMPLES:-25}"

if ! command -v st >/dev/null 2>&1; then
    echo "api-fuzz: installing schemathesis"
    python3 -m pip install --quiet schemathesis 2>/dev/null || python3 -m pip install --quiet --break-system-packages schemathesis
    hash -r
fi

# Signed in as each department's director (deploy/demo/people.json); schemathesis also checks
# that every operation refuses a request without the token (401).
director() {
    python3 -c 'import json, sys; role = sys.argv[1].replace("_", "-") + ":director"
print(next(p["id"] for p in json.load(open(sys.argv[2]))["people"] if role in p["roles"]))' "$1" "$REPO_ROOT/deploy/demo/people.json"
}
status=0
while read -r exe id port kind; do
    [[ -z "$exe" || "$exe" == \#* || "$kind" != department ]] && continue
    doc="$REPO_ROOT/docs/api/$exe.yaml"
    [[ -f "$doc" ]] || { echo "api-fuzz: $exe has no OpenAPI document yet ($doc)"; continue; }
    echo "api-fuzz: $exe on :$port from docs/api/$exe.yaml ($EXAMPLES examples per operation)"
    token=$("$REPO_ROOT/deploy/local/services.sh" token "$(director "$id")")
    if ! st --config-file "$REPO_ROOT/docs/api/schemathesis.toml" run "$doc" --url "http://127.0.0.1:$port" --checks all --exclude-path /health/ready \
            --header "Authorization: Bearer $token" \
            --max-examples "$EXAMPLES" --generation-deterministic --request-timeout 10 --no-color; then
        status=1
    fi
done < "$REPO_ROOT/deploy/services.txt"
exit $status
