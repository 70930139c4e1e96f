#!/usr/bin/env python3
"""Writes every file that restates a fact written once elsewhere (`make generate`).

    python3 Tools/generate/generate.py          write the generated files
    python3 Tools/generate/generate.py --check  write nothing; exit 1 and show the difference
                                                when a file is not what it would write (CI)
    --root DIR                                  work on another copy of the tree

The sources, and what each one writes:
- docs/contracts/schemas (one per message, with a command's answers in `x-answers`), the outside
  systems' list and the services' handlers (who binds what): the channels, operations and messages
  of docs/contracts/asyncapi.yaml and the message and outside-system tables of its README;
- the schemas of events marked `x-swift`: the event types, Shared/Contracts/<Department>/<Department>Events.swift;
- Shared/Contracts/Kit/reason-codes.yaml: Shared/Contracts/Kit/ReasonCode.swift and the reason
  code table of docs/contracts/README.md;
- deploy/services.txt (the one list of departments and tools) and deploy/outside-systems.txt:
  Services/Departments.swift, deploy/rabbitmq/definitions.json, the service blocks of
  docker-compose.yml, the scrape targets of deploy/observability/prometheus.yml and the roles
  and schemas of deploy/postgres/init.sql.

A generated part of a hand-written file sits between `generated:<name>` and `end generated:<name>`
marker lines; a wholly generated file says so in its first lines. Needs PyYAML only.
"""
import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncapi  # noqa: E402
import reason_codes  # noqa: E402
import service_list  # noqa: E402
import swift_messages  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def outputs(root):
    """{path relative to the root: the text it should hold}."""
    files = {}
    for part in (reason_codes, service_list, asyncapi, swift_messages):
        files.update(part.outputs(root, files))
    return files


def main(argv):
    check = "--check" in argv
    # --root DIR: another copy of the tree (the tests check that a stale file is caught)
    root = Path(argv[argv.index("--root") + 1]).resolve() if "--root" in argv else ROOT
    stale = []
    generated = outputs(root)
    for rel, text in sorted(generated.items()):
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        stale.append(rel)
        if check:
            diff = difflib.unified_diff(current.splitlines(True), text.splitlines(True), f"{rel} (as it is)", f"{rel} (as generated)")
            sys.stdout.writelines(list(diff)[:80])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"generated {rel}")
    if check and stale:
        print(f"\n{len(stale)} generated file(s) out of date: {', '.join(stale)}. Run `make generate` and commit the result.")
        return 1
    if check:
        print(f"ok: every generated file is what its source says ({len(generated)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
