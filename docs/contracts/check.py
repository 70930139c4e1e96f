#!/usr/bin/env python3
"""Checks the message contract docs against the Swift contracts.

    python3 docs/contracts/check.py      (from the repository root, or from anywhere)

Needs the `jsonschema` and `yaml` (PyYAML) packages (Debian: python3-jsonschema python3-yaml;
deploy/local/infra.sh installs them).

- every schemas/<messageType>.json is valid JSON, a valid draft 2020-12 object schema (checked
  with jsonschema against the draft's metaschema) whose `title` (and `$id`) is the file name's
  stem, and whose `examples` satisfy it (jsonschema, with the formats date, date-time and uuid);
- asyncapi.yaml is valid against the official AsyncAPI 3.0.0 JSON Schema, read from
  ../shared/schemas/asyncapi-3.0.0-without-id.json beside the repository (the check says
  plainly when that file is not there, and skips only that step);
- every `messageType = "..."` in Shared/Contracts/**/*.swift has a schema file and every
  schema file has a message type; the schema's properties and `required` list match the
  struct's stored `let`s (an optional Swift type is an optional field) and their JSON types;
- commands (CommandContract, no service prefix) and events are told apart consistently;
  a type starting with `bizops.` (e.g. bizops.command.outcome.v1) is a reply-only message: it has no
  routingKey, is neither a CommandContract nor a RoutedContract, is only ever sent to a command's
  `reply_to` (its schema description says so) and is listed in asyncapi.yaml's `replies` channel;
- asyncapi.yaml names every schema file (`./schemas/<messageType>.json`) and routing key,
  and every `./schemas/...` it references exists; README.md links every schema.

Exit 0 when all is fine; otherwise each problem is printed and the exit code is 1.
"""
import datetime
import json
import os
import re
import sys

try:
    import jsonschema
    import yaml
except ImportError as missing:
    sys.exit(f"docs/contracts/check.py needs {missing.name}: apt-get install python3-jsonschema python3-yaml "
             "(deploy/local/infra.sh install does it)")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CONTRACTS = os.path.join(ROOT, "Shared", "Contracts")
SCHEMAS = os.path.join(HERE, "schemas")
ASYNCAPI = os.path.join(HERE, "asyncapi.yaml")
ASYNCAPI_SCHEMA = os.path.join(ROOT, "..", "shared", "schemas", "asyncapi-3.0.0-without-id.json")
README = os.path.join(HERE, "README.md")
SERVICES = tuple(line.split()[1] for line in open(os.path.join(ROOT, "deploy", "services.txt"), encoding="utf-8")
                 if line.strip() and not line.startswith("#"))
REPLY_PREFIX = "bizops."  # message types sent only to a command's reply_to, never on an exchange
DRAFT = "https://json-schema.org/draft/2020-12/schema"

problems = []
ASYNCAPI_NOTES = []


def problem(text):
    problems.append(text)


# --------------------------------------------------------------------------- validation (jsonschema)

DATE_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker()


def valid_date(text):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


# The formats the contracts use, checked whatever optional packages jsonschema has with it.
@FORMATS.checks("date")
def _date(value):
    return not isinstance(value, str) or valid_date(value)


@FORMATS.checks("date-time")
def _date_time(value):
    if not isinstance(value, str):
        return True
    m = DATE_TIME_RE.match(value)
    return bool(m) and valid_date(m.group(1)) and int(m.group(2)) < 24 and int(m.group(3)) < 60 and int(m.group(4)) < 61


@FORMATS.checks("uuid")
def _uuid(value):
    return not isinstance(value, str) or bool(re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value))


def where(error):
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(body)"


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise KeyError(f"only local $ref is supported: {ref}")
    node = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def check_refs(node, root, where):
    """Every $ref in a schema resolves locally."""
    if isinstance(node, dict):
        if "$ref" in node:
            try:
                resolve(root, node["$ref"])
            except (KeyError, TypeError):
                problem(f"{where}: $ref {node['$ref']} does not resolve")
        for key, sub in node.items():
            if key not in ("examples", "const", "enum"):
                check_refs(sub, root, where)
    elif isinstance(node, list):
        for sub in node:
            check_refs(sub, root, where)


# --------------------------------------------------------------------------- Swift contracts

def blank_literals(text):
    """The text with comments and string literal contents replaced by spaces (offsets kept)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            blank(i + 3, j - 3)
            i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def struct_body(code, start):
    """(open, close) offsets of the `{ ... }` that follows `start`."""
    open_at = code.find("{", start)
    depth = 0
    for k in range(open_at, len(code)):
        if code[k] == "{":
            depth += 1
        elif code[k] == "}":
            depth -= 1
            if depth == 0:
                return open_at, k
    return open_at, len(code)


def top_level_lets(code, open_at, close_at):
    """Stored properties `let name: Type` directly in the struct (not nested types, not static)."""
    fields, depth, line_start = [], 0, open_at + 1
    k = open_at + 1
    while k < close_at:
        ch = code[k]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "\n":
            if depth == 0:
                line = code[line_start:k]
                m = re.match(r"^\s*(?:@\w+\s+)*(?:(?:public|internal|package|private\(set\)|public\(set\))\s+)*let\s+(\w+)\s*:\s*([^=\n]+?)\s*(?:=.*)?$", line)
                if m and "static" not in line.split("let")[0]:
                    fields.append((m.group(1), m.group(2).strip()))
            line_start = k + 1
        k += 1
    return fields


def swift_contracts():
    """[{type, routingKey, struct, file, command, fields}] for every struct with a messageType."""
    found = []
    for folder, _, files in os.walk(CONTRACTS):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            raw = open(path, encoding="utf-8").read()
            code = blank_literals(raw)
            for m in re.finditer(r"\bmessageType\s*(?::\s*String\s*)?=\s*\"([^\"]+)\"", raw):
                if code[m.start():m.start() + len("messageType")] != "messageType":
                    continue  # inside a comment
                # the innermost struct/class/enum declaration enclosing this line
                decl = None
                for d in re.finditer(r"\b(struct|class|enum)\s+(\w+)\s*(?::\s*([^{]+))?\{", code[:m.start()]):
                    open_at, close_at = struct_body(code, d.start())
                    if open_at < m.start() < close_at:
                        decl = (d, open_at, close_at)
                entry = {"type": m.group(1), "file": os.path.relpath(path, ROOT), "struct": None,
                         "routingKey": None, "command": None, "routed": None, "fields": None}
                if decl:
                    d, open_at, close_at = decl
                    entry["struct"] = d.group(2)
                    conformances = [c.strip() for c in (d.group(3) or "").split(",")]
                    entry["command"] = "CommandContract" in conformances
                    entry["routed"] = "RoutedContract" in conformances
                    body = raw[open_at:close_at]
                    rk = re.search(r"\broutingKey\s*(?::\s*String\s*)?=\s*\"([^\"]+)\"", body)
                    entry["routingKey"] = rk.group(1) if rk else None
                    entry["fields"] = top_level_lets(code, open_at, close_at)
                found.append(entry)
    return found


def string_codes():
    """Enums of codes (`enum Outcome: ExtensibleCode`) travel as JSON strings."""
    names = set()
    for folder, _, files in os.walk(CONTRACTS):
        for name in files:
            if name.endswith(".swift"):
                code = open(os.path.join(folder, name), encoding="utf-8").read()
                names.update(re.findall(r"\benum\s+(\w+)\s*:\s*(?:[\w, ]*\b)?ExtensibleCode\b", code))
    return names


STRING_CODES = None


def json_type_of_swift(swift_type):
    """(json type, format or None) for a Swift stored property type, None when unknown."""
    global STRING_CODES
    if STRING_CODES is None:
        STRING_CODES = string_codes()
    t = swift_type.rstrip("?").strip()
    if t in STRING_CODES:
        return ("string", None)
    if t.startswith("[") and t.endswith("]") and ":" not in t:
        return ("array", None)
    if t.startswith("[") and ":" in t:
        return ("object", None)
    return {
        "String": ("string", None), "Substring": ("string", None),
        "Int": ("integer", None), "Int64": ("integer", None), "Int32": ("integer", None), "UInt": ("integer", None),
        "Double": ("number", None), "Decimal": ("number", None),
        "Bool": ("boolean", None),
        "UUID": ("string", "uuid"), "Date": ("string", "date-time"), "BusinessDate": ("string", "date"),
    }.get(t, ("object", None))


def schema_types(prop, root):
    """Declared JSON types (and format) of a property, following a local $ref."""
    node, seen = prop, 0
    while isinstance(node, dict) and "$ref" in node and "type" not in node and seen < 10:
        try:
            node = resolve(root, node["$ref"])
        except (KeyError, TypeError):
            return set(), None
        seen += 1
    if not isinstance(node, dict):
        return set(), None
    types = node.get("type", [])
    types = set(types if isinstance(types, list) else [types])
    return types, node.get("format")


# --------------------------------------------------------------------------- checks

def load_schemas():
    schemas = {}
    if not os.path.isdir(SCHEMAS):
        problem(f"{os.path.relpath(SCHEMAS, ROOT)}: folder is missing")
        return schemas
    for name in sorted(os.listdir(SCHEMAS)):
        path = os.path.join(SCHEMAS, name)
        rel = os.path.relpath(path, ROOT)
        if not name.endswith(".json"):
            problem(f"{rel}: not a .json file")
            continue
        stem = name[:-len(".json")]
        try:
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
        except (OSError, ValueError) as err:
            problem(f"{rel}: not valid JSON ({err})")
            continue
        if not isinstance(schema, dict):
            problem(f"{rel}: the schema is not a JSON object")
            continue
        schemas[stem] = schema
        if schema.get("title") != stem:
            problem(f"{rel}: title is {schema.get('title')!r}, expected {stem!r} (the file name's stem)")
        if schema.get("$schema") != DRAFT:
            problem(f"{rel}: $schema should be {DRAFT}")
        if not str(schema.get("$id", "")).endswith("/" + name):
            problem(f"{rel}: $id {schema.get('$id')!r} should end with /{name}")
        if schema.get("type") != "object":
            problem(f"{rel}: type should be object")
        if not schema.get("description"):
            problem(f"{rel}: description is missing")
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in props:
                problem(f"{rel}: required field {req!r} has no property")
        for pname, prop in props.items():
            if isinstance(prop, dict) and not prop.get("description") and "$ref" not in prop:
                problem(f"{rel}: property {pname!r} has no description")
        check_refs(schema, schema, rel)
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as err:
            problem(f"{rel}: not a valid draft 2020-12 schema: {err.message}")
            continue
        examples = schema.get("examples")
        if not isinstance(examples, list) or not examples:
            problem(f"{rel}: needs at least one entry in examples")
            continue
        validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
        for index, example in enumerate(examples):
            for err in sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path)):
                problem(f"{rel}: examples[{index}]: {where(err)}: {err.message}")
    return schemas


def check_against_swift(schemas, contracts):
    by_type = {}
    for c in contracts:
        if c["type"] in by_type:
            problem(f"{c['file']}: message type {c['type']} is declared twice (also in {by_type[c['type']]['file']})")
        by_type[c["type"]] = c
    for t, c in sorted(by_type.items()):
        if t not in schemas:
            problem(f"{c['file']}: message type {t} ({c['struct']}) has no schema file docs/contracts/schemas/{t}.json")
    for t in sorted(schemas):
        if t not in by_type:
            problem(f"docs/contracts/schemas/{t}.json: no messageType \"{t}\" in Shared/Contracts")
    for t, c in sorted(by_type.items()):
        rel = f"docs/contracts/schemas/{t}.json"
        if not re.fullmatch(r"[a-z_]+(\.[a-z_]+)+\.v\d+", t):
            problem(f"{c['file']}: message type {t!r} is not <routing key>.v<N>")
        reply_only = t.startswith(REPLY_PREFIX)
        if reply_only:
            # sent only to a command's reply_to through bizops.replies (key = the reply queue): no fixed routing key
            if c["routingKey"] is not None:
                problem(f"{c['file']}: {c['struct']} ({t}) is a reply-only message ({REPLY_PREFIX}…) "
                        f"but has a routingKey {c['routingKey']}")
            if c["command"] or c["routed"]:
                problem(f"{c['file']}: {c['struct']} ({t}) is a reply-only message ({REPLY_PREFIX}…) "
                        f"but is a {'CommandContract' if c['command'] else 'RoutedContract'}")
        elif c["routingKey"] is None:
            problem(f"{c['file']}: {c['struct']} ({t}) has no routingKey")
        elif t != f"{c['routingKey']}.v{t.rsplit('.v', 1)[-1]}":
            problem(f"{c['file']}: message type {t} does not start with its routing key {c['routingKey']}")
        by_prefix = t.split(".")[0] not in SERVICES
        if not reply_only and c["command"] is not None and c["command"] != by_prefix:
            problem(f"{c['file']}: {c['struct']} ({t}) is {'a' if c['command'] else 'no'} CommandContract "
                    f"but its type {'has no' if by_prefix else 'has a'} service prefix")
        schema = schemas.get(t)
        if schema is None:
            continue
        if reply_only:
            if "reply_to" not in schema.get("description", ""):
                problem(f"{rel}: description should say it is sent to a command's reply_to")
        else:
            exchange = "bizops.ingress" if by_prefix else "bizops.events"
            if exchange not in schema.get("description", ""):
                problem(f"{rel}: description should name its exchange {exchange}")
        if c["fields"] is None:
            continue
        props, required = schema.get("properties", {}), set(schema.get("required", []))
        swift_names = set()
        for name, swift_type in c["fields"]:
            swift_names.add(name)
            if name not in props:
                problem(f"{rel}: {c['struct']}.{name} ({swift_type}) has no property")
                continue
            optional = swift_type.endswith("?")
            if optional and name in required:
                problem(f"{rel}: {name} is optional in Swift ({swift_type}) but required in the schema")
            if not optional and name not in required:
                problem(f"{rel}: {name} is required in Swift ({swift_type}) but not in the schema's required list")
            expected, fmt = json_type_of_swift(swift_type)
            types, declared_fmt = schema_types(props[name], schema)
            if expected not in types and not (expected == "object" and not types):
                problem(f"{rel}: {name} is {swift_type} in Swift, expected JSON type {expected}, schema says {sorted(types)}")
            if fmt and declared_fmt != fmt:
                problem(f"{rel}: {name} is {swift_type} in Swift, expected format {fmt}, schema says {declared_fmt}")
        for name in props:
            if name not in swift_names:
                problem(f"{rel}: property {name!r} is not a stored property of {c['struct']} ({c['file']})")
    return by_type


def check_asyncapi(schemas, by_type):
    try:
        text = open(ASYNCAPI, encoding="utf-8").read()
    except OSError:
        problem("docs/contracts/asyncapi.yaml is missing")
        return
    if not re.search(r"^asyncapi:\s*['\"]?3\.0\.0['\"]?\s*$", text, re.M):
        problem("docs/contracts/asyncapi.yaml: asyncapi: 3.0.0 expected")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        problem(f"docs/contracts/asyncapi.yaml: not valid YAML ({err})")
        document = None
    if document is not None:
        if os.path.isfile(ASYNCAPI_SCHEMA):
            with open(ASYNCAPI_SCHEMA, encoding="utf-8") as f:
                official = json.load(f)
            validator = jsonschema.Draft7Validator(official)
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            for err in errors[:20]:
                problem(f"docs/contracts/asyncapi.yaml: {where(err)}: {err.message[:300]} (AsyncAPI 3.0.0 schema)")
            if len(errors) > 20:
                problem(f"docs/contracts/asyncapi.yaml: {len(errors) - 20} more errors against the AsyncAPI 3.0.0 schema")
            ASYNCAPI_NOTES.append("asyncapi.yaml valid against the official AsyncAPI 3.0.0 schema")
        else:
            ASYNCAPI_NOTES.append(f"NOT checked against the official AsyncAPI 3.0.0 schema: "
                                  f"{os.path.normpath(ASYNCAPI_SCHEMA)} is not there")
    for t in sorted(schemas):
        if f"./schemas/{t}.json" not in text:
            problem(f"docs/contracts/asyncapi.yaml: does not reference ./schemas/{t}.json")
    for ref in sorted(set(re.findall(r"\./schemas/([A-Za-z0-9_.-]+)\.json", text))):
        if ref not in schemas:
            problem(f"docs/contracts/asyncapi.yaml: references ./schemas/{ref}.json, which does not exist")
    for t, c in sorted(by_type.items()):
        if c["routingKey"] and not re.search(rf"^\s*address:\s*['\"]?{re.escape(c['routingKey'])}['\"]?\s*$", text, re.M):
            problem(f"docs/contracts/asyncapi.yaml: no channel with address {c['routingKey']} (for {t})")
    # a reply-only message is a component message listed in the `replies` channel
    replies = re.search(r"^  replies:\n((?:    .*\n|[ \t]*\n)*)", text, re.M)
    for t in sorted(by_type):
        if not t.startswith(REPLY_PREFIX):
            continue
        component = re.search(rf"^    (\w+):\n      name:\s*['\"]?{re.escape(t)}['\"]?\s*$", text, re.M)
        if not component:
            problem(f"docs/contracts/asyncapi.yaml: no component message named {t}")
        elif not replies:
            problem(f"docs/contracts/asyncapi.yaml: no `replies` channel (for {t})")
        elif f"#/components/messages/{component.group(1)}'" not in replies.group(1):
            problem(f"docs/contracts/asyncapi.yaml: the `replies` channel does not list {component.group(1)} ({t})")
    for name in ("bizops.ingress", "bizops.events", "bizops.dlx", "bizops.unrouted.dead", "unknown-routing-key",
                 "$message.header#/correlation_id", "x-dead-letter-reason", "x-dead-letter-error"):
        if name not in text:
            problem(f"docs/contracts/asyncapi.yaml: does not mention {name}")
    if "\t" in text:
        problem("docs/contracts/asyncapi.yaml: contains a tab (YAML indentation must be spaces)")


def check_readme(schemas):
    try:
        text = open(README, encoding="utf-8").read()
    except OSError:
        problem("docs/contracts/README.md is missing")
        return
    for t in sorted(schemas):
        if f"(schemas/{t}.json)" not in text:
            problem(f"docs/contracts/README.md: the index has no row linking schemas/{t}.json")


def service_folders():
    """{folder under Services/: service id}, from each service's `ServiceSpec(id: "...")`."""
    found = {}
    for folder in sorted(os.listdir(os.path.join(ROOT, "Services"))):
        for dirpath, _, files in os.walk(os.path.join(ROOT, "Services", folder)):
            for name in files:
                if name.endswith(".swift"):
                    m = re.search(r'ServiceSpec\(id: "([a-z_]+)"', open(os.path.join(dirpath, name), encoding="utf-8").read())
                    if m:
                        found[folder] = m.group(1)
    return found


def check_consumers(contracts):
    """The README's consumers column must say which services really bind each message:
    a service binds what it registers with `handlers.on(Type.self`."""
    by_struct = {c["struct"]: c["type"] for c in contracts if c["struct"]}
    bound = {}
    for folder, service in service_folders().items():
        base = os.path.join(ROOT, "Services", folder)
        for dirpath, _, files in os.walk(base):
            if os.path.basename(dirpath) == "Domain":
                continue
            for name in files:
                if name.endswith(".swift"):
                    code = open(os.path.join(dirpath, name), encoding="utf-8").read()
                    for m in re.finditer(r"handlers\.on\((\w+)\.self", code):
                        if m.group(1) in by_struct:
                            bound.setdefault(by_struct[m.group(1)], set()).add(service)
    text = open(README, encoding="utf-8").read()
    # exchange and routing key are backticked, or a dash for a reply-only message (`— (reply_to only)`, `—`)
    code_or_dash = r"(?:`[^`]+`|—[^|`]*)"
    for row in re.finditer(rf"^\| `([^`]+)` \| {code_or_dash} \| {code_or_dash} \| [^|]+\| ([^|]+)\|", text, re.M):
        message, cell = row.group(1), row.group(2)
        listed = set(re.findall(r"\b(sales|logistics|customer_service|finance|risk)\b", cell))
        actual = bound.get(message, set())
        if listed != actual:
            problem(f"docs/contracts/README.md: {message} lists consumers {sorted(listed) or '-'}, "
                    f"but the services bind it in: {sorted(actual) or '-'}")


def check_reason_codes():
    """Every ReasonCode a service can give is documented in README.md's reason code table."""
    path = os.path.join(CONTRACTS, "Kit", "ReasonCode.swift")
    try:
        code = open(path, encoding="utf-8").read()
    except OSError:
        problem("Shared/Contracts/Kit/ReasonCode.swift is missing")
        return
    raws = re.findall(r'case \.\w+: "([a-z-]+)"', code)
    if not raws:
        problem("Shared/Contracts/Kit/ReasonCode.swift: no reason codes found")
    text = open(README, encoding="utf-8").read()
    table = re.search(r"^## Reason codes\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not table:
        problem("docs/contracts/README.md: no `## Reason codes` section")
        return
    rows = set(re.findall(r"^\| `([a-z-]+)` \|", table.group(1), re.M))
    for raw in raws:
        if raw not in rows:
            problem(f"docs/contracts/README.md: reason code {raw} has no row in `## Reason codes`")
    for raw in sorted(rows - set(raws)):
        problem(f"docs/contracts/README.md: `## Reason codes` lists {raw}, which no service gives (not in ReasonCode.swift)")


API_DIR = os.path.join(ROOT, "docs", "api")


def check_openapi():
    """Each docs/api/<service>.yaml is a valid OpenAPI 3.1 document (openapi-spec-validator, with
    its references to common.yaml and the message schemas resolved), and every 4xx/5xx answer it
    documents has a JSON body (the shared Error, or an answer of its own)."""
    try:
        from openapi_spec_validator import validate as validate_openapi
        from openapi_spec_validator.readers import read_from_filename
    except ImportError:
        problem("docs/api: openapi-spec-validator is missing (pip install openapi-spec-validator)")
        return
    if not os.path.isdir(API_DIR):
        return
    for name in sorted(os.listdir(API_DIR)):
        if not name.endswith(".yaml"):
            continue
        rel = f"docs/api/{name}"
        try:
            document, url = read_from_filename(os.path.join(API_DIR, name))
            validate_openapi(document, base_uri=url)
        except Exception as err:  # the validator's own error types vary by version
            problem(f"{rel}: not a valid OpenAPI document: {str(err).splitlines()[0][:300]}")
            continue
        for path, item in (document.get("paths") or {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, answer in operation["responses"].items():
                    if str(status)[0] in "45" and "$ref" not in answer and "application/json" not in (answer.get("content") or {}):
                        problem(f"{rel}: {method.upper()} {path} answers {status} without a JSON error body")


def main():
    schemas = load_schemas()
    contracts = swift_contracts()
    if not contracts:
        problem(f"no messageType found under {os.path.relpath(CONTRACTS, ROOT)}")
    by_type = check_against_swift(schemas, contracts)
    check_asyncapi(schemas, by_type)
    check_readme(schemas)
    check_consumers(contracts)
    check_reason_codes()
    check_openapi()
    ASYNCAPI_NOTES.append(f"{len([n for n in os.listdir(API_DIR) if n.endswith('.yaml')]) if os.path.isdir(API_DIR) else 0} OpenAPI documents valid")
    if problems:
        for note in ASYNCAPI_NOTES:
            print(note)
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s); {len(schemas)} schema file(s), {len(contracts)} Swift message type(s)")
        return 1
    print(f"ok: {len(schemas)} schema files match {len(contracts)} Swift message types; "
          "examples valid; asyncapi.yaml and README.md reference every schema; " + "; ".join(ASYNCAPI_NOTES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
