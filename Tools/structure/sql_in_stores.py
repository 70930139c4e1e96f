#!/usr/bin/env python3
"""Fails on SQL outside stores and migrations: a statement in a Swift string literal belongs in a
file named `*Store.swift`, `*Reads.swift` or `*Migrations.swift` (or in Shared/Storage, the
database layer itself). Handlers, routes, jobs, the kit's features and bizctl call the stores.

Usage: sql_in_stores.py [repo]   exit 1 and each place, or 0."""
import pathlib
import re
import sys

STATEMENT = re.compile(r'\b(SELECT\s|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|FUNCTION)\b|'
                       r'ALTER\s+TABLE\b|TRUNCATE\b|LISTEN\s|NOTIFY\s)')
LITERAL = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"')
HOMES = ('Store.swift', 'Reads.swift', 'Migrations.swift')


def places(root: pathlib.Path) -> list[str]:
    found = []
    for top in ('Services', 'Shared', 'Tools'):
        for file in sorted((root / top).rglob('*.swift')):
            relative = file.relative_to(root)
            if relative.parts[:2] == ('Shared', 'Storage') or file.name.endswith(HOMES):
                continue
            text = re.sub(r'//[^\n]*', '', file.read_text())
            for literal in LITERAL.finditer(text):
                if STATEMENT.search(literal.group(0)):
                    line = text.count('\n', 0, literal.start()) + 1
                    found.append(f'{relative}:{line}: SQL outside a store: {literal.group(0)[:70]!r}')
    return found


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
    found = places(root)
    for place in found:
        print(place, file=sys.stderr)
    if found:
        print('sql_in_stores: move each statement into the store (or reads, or migrations) of what it touches', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
