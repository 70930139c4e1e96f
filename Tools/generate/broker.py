"""The broker's rules: deploy/rabbitmq/definitions.json (users, permissions, topic permissions
and policies of vhost `bizops`) from the departments of deploy/services.txt and
deploy/outside-systems.txt, so they are written once (`make generate` writes it).

Both the containers (load_definitions) and the local broker (rabbitmqctl import_definitions,
deploy/local/infra.sh) load the result. Every user's development password is bizops-dev; the
hashes use a salt derived from the user name, so the output is stable. Production sets real
passwords (rabbitmqctl change_password) and keeps the permissions."""
import base64, hashlib, json, re

import service_list

OUT = "deploy/rabbitmq/definitions.json"
VHOST, ADMIN, PASSWORD = "bizops", "bizops", "bizops-dev"


def password_hash(user):
    # rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)).
    salt = hashlib.sha256(f"bizops-dev-salt:{user}".encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + PASSWORD.encode()).digest()).decode()


def user(name, tags=()):
    return {"name": name, "password_hash": password_hash(name), "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": list(tags), "limits": {}}


def alternatives(words):
    return "|".join(re.escape(w) for w in words)


NOTHING = "^$"


def service_rules(sid, sweeper):
    # No configure at all: an operator provisions the topology (bizctl provision), so a service
    # cannot declare an exchange or queue of its own to route around these rules (an exchange
    # bound into another, a queue that dead-letters into someone else's). It writes only to the
    # three exchanges it publishes to, and reads only its own queue (sales also bizops.unrouted,
    # which its sweeper empties). Nobody but the broker and the admin writes to bizops.ingress,
    # the default exchange or bizops.dlx.
    reads = [re.escape(sid)] + (["bizops\\.unrouted"] if sweeper else [])
    permission = {
        "user": sid, "vhost": VHOST, "configure": NOTHING,
        "write": "^bizops\\.(events|replies|internal|direct)$",
        "read": f"^({'|'.join(reads)})$",
    }
    mine = f"{re.escape(sid)}\\..*"
    internal_write = f"^({mine}|bizops\\.unrouted\\.dead)$" if sweeper else f"^{mine}$"
    topics = [
        ("bizops.ingress", NOTHING, NOTHING),
        ("bizops.events", f"^{mine}$", NOTHING),        # events: publish only its own
        ("bizops.replies", ".*", NOTHING),              # answers to any sender's reply queue
        ("bizops.internal", internal_write, NOTHING),   # its own retries and dead letters
    ]
    return permission, [{"user": sid, "vhost": VHOST, "exchange": e, "write": w, "read": r} for e, w, r in topics]


def system_rules(name, commands):
    # Its reply queue `<name>.replies` is provisioned for it (bizctl provision); it may read that,
    # and publish its own commands, nothing else.
    own = f"{re.escape(name)}\\..*"
    permission = {"user": name, "vhost": VHOST, "configure": NOTHING,
                  "write": "^bizops\\.ingress$", "read": f"^{own}$"}
    topics = [
        ("bizops.ingress", f"^({alternatives(commands)})$", NOTHING),  # only its own commands
        ("bizops.replies", NOTHING, NOTHING),
        ("bizops.events", NOTHING, NOTHING),
        ("bizops.internal", NOTHING, NOTHING),
    ]
    return permission, [{"user": name, "vhost": VHOST, "exchange": e, "write": w, "read": r} for e, w, r in topics]


# Reads of one dead letter before a broker that counts them (RabbitMQ 4) would drop it: never, in practice.
DEAD_LETTER_DELIVERY_LIMIT = 1_000_000


def definitions(root):
    services = [d.id for d in service_list.departments(root)]
    systems = [(r[0], r[1:]) for r in service_list.rows(root, "outside-systems.txt")]
    users = [user(ADMIN, ["administrator"])] + [user(s) for s in services] + [user(n) for n, _ in systems]
    permissions = [{"user": ADMIN, "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"}]
    topic_permissions = []
    for sid in services:
        p, t = service_rules(sid, sweeper=(sid == "sales"))
        permissions.append(p); topic_permissions += t
    for name, commands in systems:
        p, t = system_rules(name, commands)
        permissions.append(p); topic_permissions += t
    # Reading a dead letter (bizctl dead list/show) hands it back to its queue, which RabbitMQ 4
    # counts against a quorum queue's delivery limit (20 by default there), and a dead-letter
    # queue has nowhere further to send one: past the limit it would be dropped. A policy (not a
    # queue argument, which an existing queue could not change) keeps them as long as it takes.
    # bizops.unrouted has no dead-letter exchange either. Priority 10: above an operator's catch-all.
    policies = [{"vhost": VHOST, "name": "bizops-dead-letters-kept", "pattern": r"\.dead$|^bizops\.unrouted$", "apply-to": "queues",
                 "priority": 10, "definition": {"delivery-limit": DEAD_LETTER_DELIVERY_LIMIT}}]
    return {"rabbit_version": "3.10.8", "rabbitmq_version": "3.10.8", "users": users, "vhosts": [{"name": VHOST}],
            "permissions": permissions, "topic_permissions": topic_permissions, "parameters": [], "global_parameters": [],
            "policies": policies, "queues": [], "exchanges": [], "bindings": []}


def outputs(root, written):
    return {OUT: json.dumps(definitions(root), indent=2) + "\n"}
