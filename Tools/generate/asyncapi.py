"""The AsyncAPI document's channels, operations and messages, from the message schemas
(docs/contracts/schemas: each message's type, description, examples and, for a command, the
answers it gets in `x-answers`), the outside systems' list (who sends each command) and the
services' own handlers (who binds each message: `handlers.on(Type.self` in Services/).
The rest of docs/contracts/asyncapi.yaml (the envelope, servers, the replies and dead-letter
channels) is prose written by hand around the generated parts; docs/contracts/README.md's
index of messages is written from the same facts."""
import json
import re
import sys
from pathlib import Path

import yaml

import markers
import service_list

ASYNCAPI = "docs/contracts/asyncapi.yaml"
README = "docs/contracts/README.md"
SCHEMAS = "docs/contracts/schemas"
REPLY_PREFIX = "bizops."


def camel(message_type):
    head, *rest = re.split(r"[._]", message_type)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def first_paragraph(text):
    return " ".join(text.split("\n\n")[0].split())


class Message:
    def __init__(self, schema, departments, systems, consumers):
        self.type = schema["title"]
        self.schema = schema
        self.key = camel(self.type)
        self.reply_only = self.type.startswith(REPLY_PREFIX)
        self.routing_key = None if self.reply_only else self.type.rsplit(".v", 1)[0]
        prefix = self.type.split(".")[0]
        self.command = not self.reply_only and prefix not in departments
        self.exchange = None if self.reply_only else ("bizops.ingress" if self.command else "bizops.events")
        self.publisher = prefix if not self.command and not self.reply_only else None
        self.senders = [name for name, keys in systems if self.routing_key in keys] if self.command else []
        self.consumers = [d for d in departments if d in consumers.get(self.type, set())]
        self.answers = schema.get("x-answers", [])


def load(root):
    departments = [d.id for d in service_list.departments(root)]
    systems = [(row[0], row[1:]) for row in service_list.rows(root, "outside-systems.txt")]
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((root / SCHEMAS).glob("*.json"))]
    # The Swift type of each message: the generated ones are named by their schema's x-swift.
    generated = {s["x-swift"]: s["title"] for s in schemas if "x-swift" in s}
    consumers = bound_types(root, generated)
    messages = [Message(schema, departments, systems, consumers) for schema in schemas]
    by_type = {m.type: m for m in messages}
    for m in messages:
        for answer in m.answers:
            if answer not in by_type:
                raise SystemExit(f"{SCHEMAS}/{m.type}.json: x-answers names {answer}, which has no schema")
    # Channels in the list's order of the department that owns them (a command's: its handler's).
    def owner(m):
        name = m.publisher or (m.consumers[0] if m.consumers else "")
        return (departments.index(name) if name in departments else len(departments), not m.command, m.type)
    return sorted(messages, key=owner), departments


def bound_types(root, generated):
    """{message type: the departments whose handlers bind it}, read from the services' code."""
    sys.path.insert(0, str(root / "docs" / "contracts"))
    import check  # the Swift contracts' reader: message types, their structs and who binds them

    by_struct = {c["struct"]: c["type"] for c in check.swift_contracts() if c["struct"]}
    by_struct.update(generated)
    bound = {}
    for folder, service in check.service_folders().items():
        for path in (Path(check.ROOT) / "Services" / folder).rglob("*.swift"):
            if "Domain" in path.parts:
                continue
            for struct in re.findall(r"handlers\.on\((\w+)\.self", path.read_text(encoding="utf-8")):
                if struct in by_struct:
                    bound.setdefault(by_struct[struct], set()).add(service)
    return bound


def who(names):
    return ", ".join(names)


def channel(group):
    m = group[0]
    if m.command:
        sent = f"outside systems ({who(m.senders)})" if m.senders else "no outside system yet"
        told = f"handled by {who(m.consumers)}" if m.consumers else "handled by no service"
    else:
        sent = m.publisher
        told = f"bound by {who(m.consumers)}" if m.consumers else "bound by no service yet (free to bind)"
    return {
        "address": m.routing_key,
        "title": f"{m.exchange} / {m.routing_key}",
        "description": f"Routing key `{m.routing_key}` on the topic exchange `{m.exchange}`. Published by {sent}; {told}.",
        "messages": {x.key: {"$ref": f"#/components/messages/{x.key}"} for x in group},
        "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": m.exchange, "type": "topic", "durable": True,
                                                               "autoDelete": False, "vhost": "bizops"},
                              "bindingVersion": "0.3.0"}},
    }


def operation(group, by_type):
    m = group[0]
    refs = [{"$ref": f"#/channels/{m.routing_key}/messages/{x.key}"} for x in group]
    types = " or ".join(f"`{x.type}`" for x in group)
    if m.command:
        answers = [a for x in group for a in x.answers]
        answers = list(dict.fromkeys(answers + ["bizops.command.outcome.v1"]))
        return {
            "action": "send", "channel": {"$ref": f"#/channels/{m.routing_key}"},
            "summary": f"Outside systems ({who(m.senders)}) send {types}." if m.senders else f"Send {types}.",
            "messages": refs,
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "timestamp": True, "bindingVersion": "0.3.0"}},
            "reply": {"address": {"location": "$message.header#/reply_to",
                                  "description": "The queue named in the command's `reply_to` property (sent through the topic "
                                                 "exchange `bizops.replies`, routing key = that queue's name)."},
                      "channel": {"$ref": "#/channels/replies"},
                      "messages": [{"$ref": f"#/channels/replies/messages/{by_type[a].key}"} for a in answers]},
        }
    return {
        "action": "receive", "channel": {"$ref": f"#/channels/{m.routing_key}"},
        "summary": f"Receive {types} from {m.publisher}.",
        "messages": refs,
        "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "timestamp": True, "ack": True, "bindingVersion": "0.3.0"}},
    }


def component(m):
    summary = first_paragraph(m.schema["description"])
    if m.command:
        answers = " or ".join(f"`{a}`" for a in m.answers) or "the event it causes"
        summary += (f" Answered on `reply_to` (when given) with {answers}, or a `bizops.command.outcome.v1`: `unchanged` when it "
                    "repeated what was done, `refused` with the reason when the business state does not allow it, `rejected` "
                    "when it is poison (dead-lettered).")
    out = {"name": m.type, "title": m.type, "summary": summary,
           "contentType": "application/json",
           "correlationId": {"$ref": "#/components/correlationIds/byCorrelationIdProperty"},
           "headers": {"$ref": f"#/components/schemas/{'CommandEnvelope' if m.command else 'EventEnvelope'}"},
           "payload": {"$ref": f"./schemas/{m.type}.json"}}
    if not m.reply_only:
        out["bindings"] = {"amqp": {"messageType": m.type, "bindingVersion": "0.3.0"}}
    if m.schema.get("examples"):
        out["examples"] = [{"name": "example" if i == 0 else f"example{i + 1}", "payload": e} for i, e in enumerate(m.schema["examples"])]
    return out


def block(mapping, indent):
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "".join((" " * indent + line if line.strip() else line) for line in text.splitlines(True))


def groups_of(messages):
    groups = {}
    for m in messages:
        if not m.reply_only:
            groups.setdefault(m.routing_key, []).append(m)
    return list(groups.values())


def index_table(messages):
    rows = ["| messageType | exchange | routing key | producer | consumers | schema |", "| --- | --- | --- | --- | --- | --- |"]
    for m in messages:
        schema = f"[schema](schemas/{m.type}.json)"
        if m.reply_only:
            rows.append(f"| `{m.type}` | — (reply_to only) | — | the service that handled the command | — | {schema} |")
            continue
        producer = f"outside: {who(m.senders) or 'no system yet'}" if m.command else m.publisher
        rows.append(f"| `{m.type}` | `{m.exchange}` | `{m.routing_key}` | {producer} | {who(m.consumers) or '— (free to bind)'} | {schema} |")
    return "\n".join(rows) + "\n"


def systems_table(root):
    rows = ["| system (broker user) | may publish on `bizops.ingress` |", "| --- | --- |"]
    for row in service_list.rows(root, "outside-systems.txt"):
        rows.append(f"| `{row[0]}` | {', '.join(f'`{key}`' for key in row[1:])} |")
    rows.append("| a new one | add it to `deploy/outside-systems.txt` and run `make generate` "
                "(see [adding an outside system](../messaging.md#who-may-do-what-on-the-bus)) |")
    return "\n".join(rows) + "\n"


def outputs(root, written):
    messages, _ = load(root)
    by_type = {m.type: m for m in messages}
    groups = groups_of(messages)
    text = markers.text(root, ASYNCAPI, written)
    text = markers.replace(text, "channels", block({g[0].routing_key: channel(g) for g in groups}, 2), ASYNCAPI)
    answers = [by_type[a] for m in messages for a in m.answers] + [m for m in messages if m.reply_only]
    answers = list({m.type: m for m in answers}.values())
    text = markers.replace(text, "reply-messages", block({m.key: {"$ref": f"#/components/messages/{m.key}"} for m in answers}, 6), ASYNCAPI)
    text = markers.replace(text, "operations", block({("send" if g[0].command else "receive") + g[0].key[:1].upper() + g[0].key[1:]:
                                                      operation(g, by_type) for g in groups}, 2), ASYNCAPI)
    text = markers.replace(text, "messages", block({m.key: component(m) for m in messages}, 4), ASYNCAPI)
    readme = markers.replace(markers.text(root, README, written), "message-index", index_table(messages), README)
    readme = markers.replace(readme, "outside-systems", systems_table(root), README)
    return {ASYNCAPI: text, README: readme}
