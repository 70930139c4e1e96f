#!/usr/bin/env python3
"""Fails on an import cycle inside a department: the capability folders of each service
(Services/<Name>/<Capability>/) and the files at its root must depend on one another in one
direction only.

A file depends on another part when it names a type declared there. The parts of a department:
- each capability folder;
- `<Name>.swift`, the wiring: it lists the capabilities and may name anything; nothing names it;
- the other files at the root (migrations, approvals, what the routes share): the department's own
  kit, which the capabilities use and which names no capability.
`Domain/` is a target of its own (it cannot name the service: the compiler sees to that).

Usage: capability_cycles.py [repo]   exit 1 and the cycles, or 0 and the graph's edges."""
import pathlib
import re
import sys

DECL = re.compile(r'^(?:public |private |fileprivate |internal )?(?:final )?(?:enum|struct|class|protocol|actor|typealias) ([A-Z]\w*)', re.M)
NAME = re.compile(r'\b[A-Z]\w*\b')


def code_of(text: str) -> str:
    """The text without comments and string literals (a name in prose is no dependency)."""
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r'//[^\n]*', '', text)


def parts(service: pathlib.Path) -> dict[str, list[pathlib.Path]]:
    found: dict[str, list[pathlib.Path]] = {}
    for file in sorted(service.rglob('*.swift')):
        relative = file.relative_to(service)
        if relative.parts[0] in ('Domain',) or relative.name == 'main.swift':
            continue
        if len(relative.parts) == 1:
            part = 'wiring' if file.stem == service.name else 'kit'
        else:
            part = relative.parts[0]
        found.setdefault(part, []).append(file)
    return found


def graph(service: pathlib.Path) -> dict[str, set[str]]:
    found = parts(service)
    owner: dict[str, str] = {}
    for part, files in found.items():
        for file in files:
            for name in DECL.findall(code_of(file.read_text())):
                owner[name] = part
    edges: dict[str, set[str]] = {part: set() for part in found}
    for part, files in found.items():
        for file in files:
            for name in set(NAME.findall(code_of(file.read_text()))):
                if name in owner and owner[name] != part:
                    edges[part].add(owner[name])
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one part (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node); on.add(node)
        for next_node in sorted(edges[node]):
            if next_node not in index:
                visit(next_node); low[node] = min(low[node], low[next_node])
            elif next_node in on:
                low[node] = min(low[node], index[next_node])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop(); on.discard(top); group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
    failed = False
    for service in sorted(p for p in (root / 'Services').iterdir() if p.is_dir()):
        edges = graph(service)
        problems = [f'{service.name}: cycle between {", ".join(group)}' for group in cycles(edges)]
        problems += [f'{service.name}: {part} names the wiring ({service.name}.swift)' for part in edges
                     if 'wiring' in edges[part] and part != 'wiring']
        for problem in problems:
            print(problem, file=sys.stderr)
            failed = True
        for part in sorted(edges):
            if edges[part]:
                print(f'{service.name}: {part} -> {", ".join(sorted(edges[part]))}')
    if failed:
        print('capability_cycles: a capability may use the department kit and capabilities below it, never one that uses it back',
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
