"""Generated parts of hand-written files: the lines between `generated:<name>` and
`end generated:<name>` markers (inside a comment of the file's own kind) are replaced."""
import re


def text(root, rel, written):
    """A hand-written file as the parts before this one left it: several parts fill one file."""
    return written[rel] if rel in written else (root / rel).read_text(encoding="utf-8")


def replace(text, name, body, path):
    pattern = re.compile(rf"(^[^\n]*\bgenerated:{re.escape(name)}\b[^\n]*\n)(.*?)(^[^\n]*\bend generated:{re.escape(name)}\b)", re.M | re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no `generated:{name}` … `end generated:{name}` marker lines")
    return pattern.sub(lambda m: m.group(1) + body + m.group(3), text, count=1)
