"""docs/openapi.yaml against the CAS it describes:

- the route table, as `cas --print-routes` prints it from src/cas/api.cc, and the document
  have the same paths with the same methods, and agree on each route's query parameter,
  ports, lane and need of a client certificate;
- a running CAS answers every documented operation, with and without a client certificate,
  with a status the document lists for it, and every JSON answer validates against the
  schema documented for that status (python3-jsonschema; python3-yaml reads the file).

Data-driven: a new route needs only its entry in docs/openapi.yaml to pass; its answers are
probed like every other's. The 2xx answers that need a body of their own are produced by a
short scenario below; REACHED_2XX lists the operations whose 2xx answer must have been seen
and validated."""

import http.client
import json
import os
import re
import ssl
import subprocess
import time
import unittest

import jsonschema
import yaml

from scone_testlib import BIN_DIR, RawCasTestCase

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Operations whose 2xx answer this test produces and validates. Not here:
# POST /v1/backups and DELETE /v1/backups/{name} (a second CAS: test_cas_backup.py),
# POST /v1/enclave/configuration (an attested runtime: test_runtime.py).
REACHED_2XX = {
    ("GET", "/v1/version"), ("POST", "/v1/attestation"), ("POST", "/v1/provision"),
    ("GET", "/v1/config"), ("PUT", "/v1/config"), ("POST", "/v1/sessions"),
    ("GET", "/v1/sessions"), ("PUT", "/v1/sessions/{name}"), ("GET", "/v1/sessions/{name}"),
    ("GET", "/v1/sessions/{name}/history"), ("POST", "/session"), ("GET", "/v1/values/{name}"),
    ("POST", "/v1/backup-key"), ("GET", "/v1/backups"),
}

SESSION = ('name: {name}\nversion: "0.3"\n{predecessor}secrets:\n'
           '  - {{name: answer, kind: ascii, value: "42", export_public: true}}\n')


def load_doc():
    with open(DOC) as f:
        return yaml.safe_load(f)


def operations(doc):
    """{(METHOD, path): operation} of the document."""
    ops = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                ops[(method.upper(), path)] = (op, item)
    return ops


def route_table():
    r = subprocess.run([os.path.join(BIN_DIR, "cas"), "--print-routes"], capture_output=True,
                       text=True, check=True, timeout=60)
    return {(x["method"], x["path"]): x for x in json.loads(r.stdout)}


def query_parameters(op, item):
    params = list(item.get("parameters", [])) + list(op.get("parameters", []))
    return sorted(p["name"] for p in params if p.get("in") == "query")


def resolve(doc, node):
    """`node` with a local $ref ("#/components/...") followed."""
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


class RouteTableTest(unittest.TestCase):
    def test_every_route_is_documented_and_every_documented_operation_is_a_route(self):
        doc, table = load_doc(), route_table()
        ops = operations(doc)
        self.assertEqual(sorted(set(table) - set(ops)), [],
                         "routes of src/cas/api.cc missing in docs/openapi.yaml")
        self.assertEqual(sorted(set(ops) - set(table)), [],
                         "operations in docs/openapi.yaml that the route table lacks")
        for key, route in table.items():
            op, item = ops[key]
            with self.subTest(route=key):
                self.assertEqual(query_parameters(op, item),
                                 [route["query"]] if route["query"] else [])
                self.assertEqual(sorted(op["x-scone-ports"]), sorted(route["ports"]))
                self.assertEqual(op["x-scone-lane"], route["lane"])
                needs = op.get("security", []) == [{"clientCertificate": []}]
                self.assertEqual(needs, route["client_certificate"])
                if needs:
                    self.assertIn("401", op["responses"])
                # Every documented answer has a JSON schema.
                for status, answer in op["responses"].items():
                    answer = resolve(doc, answer)
                    self.assertIn("schema", answer["content"]["application/json"], status)


class RunningCasTest(RawCasTestCase):
    def setUp(self):
        super().setUp()
        self.doc = load_doc()
        self.ops = operations(self.doc)
        self.start_cas(["owner", "other"])
        self.ports = {"api": self.cas.port, "enclave": self.enclave_port()}
        self.seen_2xx = set()

    def enclave_port(self):
        """The enclave port from CAS's log (logged just after the API port)."""
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.cas.log_path) as f:
                m = re.search(r"listening on https://127\.0\.0\.1:(\d+) \(enclave\)", f.read())
            if m:
                return int(m.group(1))
            time.sleep(0.05)
        self.fail("CAS did not log its enclave port")

    def send(self, method, target, body, who, port):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if who:
            ctx.load_cert_chain(os.path.join(self.work, who + ".pem"),
                                os.path.join(self.work, who + ".key"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.ports[port], context=ctx, timeout=60)
        try:
            conn.request(method, target, body=body)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def check(self, method, path, target, body=None, who=None, port="api", expect=None):
        """Sends one request for the documented operation (method, path) and checks that its
        status is documented and its answer validates; returns (status, parsed answer)."""
        op, _ = self.ops[(method, path)]
        status, raw = self.send(method, target, body, who, port)
        where = f"{method} {target} ({path}, port {port}, {who or 'no certificate'})"
        self.assertIn(str(status), op["responses"], f"{where}: undocumented status {status}: {raw}")
        if expect is not None:
            self.assertEqual(status, expect, f"{where}: {raw}")
        answer = resolve(self.doc, op["responses"][str(status)])
        schema = dict(answer["content"]["application/json"]["schema"])
        schema["components"] = self.doc["components"]
        value = json.loads(raw)
        try:
            jsonschema.Draft202012Validator(schema).validate(value)
        except jsonschema.ValidationError as e:
            self.fail(f"{where}: answer {status} does not match docs/openapi.yaml: {e.message}")
        if 200 <= status < 300:
            self.seen_2xx.add((method, path))
        return status, value

    def probe_all(self, who):
        """Every documented operation on every port, with an empty object as body: its status
        must be documented (and 401 without a certificate where the document says one is
        needed); a port that does not serve it answers 404."""
        for (method, path), (op, _) in self.ops.items():
            target = path.replace("{name}", "session=nothing" if "values" in path else "nothing")
            body = None if method in ("GET", "DELETE") else "{}"
            for port in self.ports:
                if port not in op["x-scone-ports"]:
                    status, _ = self.send(method, target, body, who, port)
                    self.assertEqual(status, 404, f"{method} {path} on the {port} port")
                    continue
                status, _ = self.check(method, path, target, body, who, port)
                if who is None and op.get("security"):
                    self.assertEqual(status, 401, f"{method} {path} without a certificate")

    def test_every_documented_operation_answers_as_documented(self):
        self.probe_all(None)
        self.probe_all("owner")  # unprovisioned

        self.check("GET", "/v1/version", "/v1/version", expect=200)
        self.check("GET", "/v1/version", "/v1/version", port="enclave", expect=200)
        nonce = json.dumps({"nonce": "ab" * 16})
        self.check("POST", "/v1/attestation", "/v1/attestation", nonce, expect=200)
        self.check("POST", "/v1/attestation", "/v1/attestation", nonce, port="enclave", expect=200)
        self.check("POST", "/v1/attestation", "/v1/attestation", '{"nonce": "zz"}', expect=400)
        self.check("POST", "/v1/backup-key", "/v1/backup-key", nonce, expect=200)
        provision = json.dumps({"token": self.cas.token, "config": {
            "format": "toml", "text": "[ias]\nlinkable_quotes = false\n"}})
        self.check("POST", "/v1/provision", "/v1/provision", provision, who="owner", expect=200)
        self.check("POST", "/v1/provision", "/v1/provision", provision, who="other")
        self.check("GET", "/v1/config", "/v1/config", who="owner", expect=200)
        self.check("GET", "/v1/config", "/v1/config", who="other", expect=403)
        self.check("PUT", "/v1/config", "/v1/config",
                   json.dumps({"config": {"format": "toml", "text": "[ias]\nlinkable_quotes = false\n"}}),
                   who="owner",
                   expect=200)
        self.check("GET", "/v1/backups", "/v1/backups", who="owner", expect=200)
        self.check("DELETE", "/v1/backups/{name}", "/v1/backups/" + "0" * 32, who="owner",
                   expect=404)

        _, created = self.check("POST", "/v1/sessions", "/v1/sessions",
                                SESSION.format(name="app", predecessor=""), who="owner",
                                expect=201)
        self.check("POST", "/v1/sessions", "/v1/sessions",
                   SESSION.format(name="app", predecessor=""), who="owner", expect=409)
        _, updated = self.check(
            "PUT", "/v1/sessions/{name}", "/v1/sessions/app",
            SESSION.format(name="app", predecessor=f"predecessor: {created['hash']}\n"),
            who="owner", expect=200)
        self.check("POST", "/session", "/session", SESSION.format(name="legacy", predecessor=""),
                   who="owner", expect=201)
        self.check("GET", "/v1/sessions/{name}", "/v1/sessions/app", who="owner", expect=200)
        self.check("GET", "/v1/sessions/{name}", "/v1/sessions/app?hash=" + created["hash"],
                   who="owner", expect=200)
        self.check("GET", "/v1/sessions/{name}", "/v1/sessions/app", who="other", expect=403)
        self.check("GET", "/v1/sessions/{name}/history", "/v1/sessions/app/history",
                   who="owner", expect=200)
        self.check("GET", "/v1/sessions", "/v1/sessions", who="owner", expect=200)
        self.check("GET", "/v1/values/{name}", "/v1/values/session=app", expect=200)
        self.check("GET", "/v1/values/{name}", "/v1/values/session=app,secret=answer", expect=200)
        self.check("GET", "/v1/values/{name}", "/v1/values/app", expect=400)
        self.assertNotEqual(created["hash"], updated["hash"])

        self.probe_all(None)  # provisioned
        self.probe_all("owner")
        self.assertEqual(sorted(REACHED_2XX - self.seen_2xx), [],
                         "2xx answers not produced and validated")


if __name__ == "__main__":
    unittest.main()
