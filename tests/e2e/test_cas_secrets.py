"""Secrets on CAS (issue "Secrets" items 1 and 3) as plain HTTPS clients see them: every
kind generated when a session is stored and checked with `openssl`, sharing between
sessions of two owners, GET /v1/values (the curl examples of docs/cas.md "Secrets", run
as written), and no generated value in a `read` answer, the store file or the log."""

import json
import os
import re
import subprocess

from scone_testlib import RawCasTestCase, openssl
from test_cas_sessions import examples_script

DOCS = os.path.join(os.path.dirname(__file__), "../../docs/cas.md")

EVERY_KIND = """name: {name}
version: "0.3"
secrets:
  - {{name: text, kind: ascii, size: 40, export_public: true}}
  - {{name: hidden, kind: ascii}}
  - {{name: bytes, kind: binary, size: 24, export_public: true}}
  - {{name: hidden_bytes, kind: binary, size: 32}}
  - {{name: k256, kind: private-key, export_public: true}}
  - {{name: k384, kind: private-key, key_type: P-384, export_public: true}}
  - {{name: ked, kind: private-key, key_type: Ed25519, export_public: true}}
  - {{name: krsa, kind: private-key, key_type: RSA-2048, export_public: true}}
  - {{name: pub, kind: public-key, private_key: k384, export_public: true}}
  - {{name: ca, kind: x509-ca, common_name: Test CA, valid_for: 2y, export_public: true}}
  - name: server
    kind: x509
    private_key: k256
    issuer: ca
    common_name: api.example.test
    san: ["dns:api.example.test", "ip:10.1.2.3", "*.svc.example.test"]
    endpoint: server
    valid_for: 30 days
    export_public: true
  - {{name: client, kind: x509, private_key: krsa, issuer: ca, endpoint: client,
      export_public: true}}
"""


def values_examples():
    """The sh block between the values-examples markers of docs/cas.md."""
    with open(DOCS) as f:
        text = f.read()
    m = re.search(r"<!-- values-examples -->\s*```sh\n(.*?)```\s*<!-- /values-examples -->",
                  text, re.S)
    if not m:
        raise AssertionError("docs/cas.md has no values-examples block")
    return m.group(1)


class CasSecretsTest(RawCasTestCase):
    def setUp(self):
        super().setUp()
        self.start_cas(("owner", "alice", "bob"))
        status, body = self.call("POST", "/v1/attestation",
                                 json.dumps({"nonce": os.urandom(32).hex()}), None)
        self.assertEqual(status, 200, body)
        with open(os.path.join(self.work, "cas-cert.pem"), "w") as f:
            f.write(body["cas_certificate"])
        self.provision("owner")

    def upload(self, text, who, expect=201, method="POST", path="/v1/sessions"):
        status, body = self.call(method, path, text, who)
        self.assertEqual(status, expect, body)
        return body

    def values(self, name, secret=None):
        path = "/v1/values/session=" + name.replace("/", "%2F")
        if secret:
            path += ",secret=" + secret
        return self.call("GET", path, None, None)

    def file(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_every_kind_is_generated_as_declared_and_verifies_with_openssl(self):
        self.upload(EVERY_KIND.format(name="kinds"), "alice")
        status, body = self.values("kinds")
        self.assertEqual(status, 200, body)
        v = {k: x["value"] for k, x in body["values"].items()}
        kinds = {k: x["kind"] for k, x in body["values"].items()}
        # Only the public secrets, each with its kind.
        self.assertEqual(sorted(v), ["bytes", "ca", "client", "k256", "k384", "ked", "krsa",
                                     "pub", "server", "text"])
        self.assertEqual(kinds["server"], "x509")
        self.assertEqual(kinds["ca"], "x509-ca")
        # ascii: 40 visible characters; binary: 24 bytes (hex).
        self.assertEqual(len(v["text"]), 40)
        self.assertTrue(all(0x21 <= ord(c) <= 0x7e for c in v["text"]), v["text"])
        self.assertRegex(v["bytes"], r"^[0-9a-f]{48}$")
        # Keys of the declared types (only their public half is public).
        for name, expect in (("k256", b"prime256v1"), ("k384", b"secp384r1"),
                             ("ked", b"ED25519"), ("krsa", b"2048 bit")):
            self.assertIn("-----BEGIN PUBLIC KEY-----", v[name])
            self.assertNotIn("PRIVATE", v[name])
            text = openssl("pkey", "-pubin", "-noout", "-text", input=v[name].encode())
            self.assertIn(expect, text, name)
        self.assertEqual(v["pub"], v["k384"])
        # Certificates: the chain verifies; names, EKUs, validity and keys as declared.
        ca = self.file("ca.pem", v["ca"])
        for leaf, purpose in (("server", "sslserver"), ("client", "sslclient")):
            path = self.file(leaf + ".pem", v[leaf])
            out = openssl("verify", "-CAfile", ca, "-purpose", purpose, path)
            self.assertIn(b"OK", out)
        text = openssl("x509", "-in", self.file("s.pem", v["server"]), "-noout", "-text",
                       "-dates", "-subject").decode()
        self.assertIn("CN = api.example.test", text)
        self.assertIn("DNS:api.example.test", text)
        self.assertIn("IP Address:10.1.2.3", text)
        self.assertIn("DNS:*.svc.example.test", text)
        self.assertIn("TLS Web Server Authentication", text)
        self.assertNotIn("TLS Web Client Authentication", text)
        self.assertEqual(openssl("x509", "-noout", "-pubkey", input=v["server"].encode()).decode(),
                         v["k256"])
        ctext = openssl("x509", "-noout", "-text", input=v["client"].encode()).decode()
        self.assertIn("TLS Web Client Authentication", ctext)
        self.assertNotIn("TLS Web Server Authentication", ctext)
        # 30 days (server), 2 years (CA), from the time of the upload.
        for pem, seconds in ((v["server"], 30 * 86400), (v["ca"], 2 * 365 * 86400)):
            self.assertIsNotNone(re.search(
                rb"Certificate will not expire",
                openssl("x509", "-noout", "-checkend", str(seconds - 3600),
                        input=pem.encode())))
            r = subprocess.run(["openssl", "x509", "-noout", "-checkend", str(seconds + 3600)],
                               input=pem.encode(), capture_output=True)
            self.assertNotEqual(r.returncode, 0, "valid longer than declared")
        catext = openssl("x509", "-noout", "-text", input=v["ca"].encode()).decode()
        self.assertIn("CA:TRUE", catext)
        self.assertIn("CN = Test CA", catext)

        # A second session of the same text gets values of its own.
        self.upload(EVERY_KIND.format(name="kinds2"), "alice")
        status, other = self.values("kinds2")
        self.assertEqual(status, 200, other)
        for name in v:
            self.assertNotEqual(other["values"][name]["value"], v[name], name)

    def test_no_generated_value_in_read_answers_the_store_or_the_log(self):
        text = ('name: quiet\nversion: "0.3"\naccess_policy: {read: [ANY]}\nsecrets:\n'
                '  - {name: pw, kind: ascii, size: 32, export_public: true}\n'
                '  - {name: raw, kind: binary, size: 32, export_public: true}\n')
        self.upload(text, "alice")
        status, body = self.values("quiet")
        self.assertEqual(status, 200, body)
        pw = body["values"]["pw"]["value"]
        raw_hex = body["values"]["raw"]["value"]
        raw = bytes.fromhex(raw_hex)
        for who in ("alice", "bob"):
            status, read = self.call("GET", "/v1/sessions/quiet", None, who)
            self.assertEqual(status, 200, read)
            self.assertEqual(read["session"], text)
            dumped = json.dumps(read)
            self.assertNotIn(pw, dumped)
            self.assertNotIn(raw_hex, dumped)
        self.cas.close()  # the store's files and the log as they are at rest
        db = self.cas.database
        for path in (db, db + "-wal", db + "-shm", self.cas.log_path):
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            self.assertNotIn(pw.encode(), data, path)
            self.assertNotIn(raw, data, path)
            self.assertNotIn(raw_hex.encode(), data, path)

    def test_sharing_between_two_owners(self):
        # alice exports to bob's session "client" (which does not exist yet: allowed) and to
        # the namespace "team"; "team" lets anybody create sessions in it.
        exporter = ('name: provider\nversion: "0.3"\nsecrets:\n'
                    '  - {name: db_password, kind: ascii, export: [{session: client},'
                    ' {namespace: team}]}\n'
                    '  - {name: ca, kind: x509-ca, export_public: true,'
                    ' export: {session: client}}\n'
                    '  - {name: private, kind: ascii}\n')
        first = self.upload(exporter, "alice")
        self.upload('name: team\nversion: "0.3"\naccess_policy: {create_sessions: [ANY]}\n',
                    "alice")
        importer = ('name: client\nversion: "0.3"\nsecrets:\n'
                    '  - {name: pw, import: {session: provider, secret: db_password}}\n'
                    '  - {name: ca, kind: x509-ca, import: {session: provider, secret: ca}}\n'
                    '  - {name: k, kind: private-key}\n'
                    '  - {name: leaf, kind: x509, private_key: k, issuer: ca,'
                    ' export_public: true}\n'
                    'services:\n  - name: app\n    command: run --password=$$SCONE::pw$$\n'
                    '    mrenclaves: ["' + "ab" * 32 + '"]\n')
        self.upload(importer, "bob")
        # The importer's certificate was issued by the exporter's CA.
        status, leaf = self.values("client", "leaf")
        self.assertEqual(status, 200, leaf)
        self.assertEqual(set(leaf), {"kind", "value"})
        status, ca = self.values("provider", "ca")
        self.assertEqual(status, 200, ca)
        out = openssl("verify", "-CAfile", self.file("pca.pem", ca["value"]),
                      self.file("leaf.pem", leaf["value"]))
        self.assertIn(b"OK", out)
        # In the namespace: any session below team/ may import db_password.
        self.upload('name: team/app\nversion: "0.3"\nsecrets:\n'
                    '  - {name: pw, kind: ascii, import: {session: provider,'
                    ' secret: db_password}}\n', "bob")

        # Refused at upload (team/refused may import db_password): an exporter that does not
        # exist, a secret not exported to the importer, a kind that does not match.
        for secrets, words in (
                ("{name: x, import: {session: nobody, secret: s}}", "does not exist"),
                ("{name: x, import: {session: provider, secret: private}}", "does not export"),
                ("{name: x, import: {session: provider, secret: nothing}}", "does not export"),
                ("{name: x, kind: binary, import: {session: provider, secret: db_password}}",
                 "ascii")):
            status, body = self.call(
                "POST", "/v1/sessions",
                f'name: team/refused\nversion: "0.3"\nsecrets:\n  - {secrets}\n', "bob")
            self.assertEqual(status, 400, body)
            self.assertIn(words, " ".join(body["msg"]))
        # "client2" is not "client": the export names one session.
        status, body = self.call(
            "POST", "/v1/sessions", 'name: client2\nversion: "0.3"\nsecrets:\n'
            '  - {name: x, import: {session: provider, secret: db_password}}\n', "bob")
        self.assertEqual(status, 400, body)

        # alice removes the export to "client": bob's next version cannot import any more.
        removed = exporter.replace("export: [{session: client}, {namespace: team}]",
                                   "export: {namespace: team}")
        self.upload(removed + f"predecessor: {first['hash']}\n", "alice", expect=200,
                    method="PUT", path="/v1/sessions/provider")
        status, active = self.call("GET", "/v1/sessions/client", None, "bob")
        self.assertEqual(status, 200, active)
        status, body = self.call("PUT", "/v1/sessions/client",
                                 importer + f"predecessor: {active['hash']}\n", "bob")
        self.assertEqual(status, 400, body)
        self.assertIn("does not export it to client", " ".join(body["msg"]))
        self.assertNotIn(ca["value"], json.dumps(body))

    def test_values_answer_only_public_secrets_to_anybody(self):
        self.upload('name: pub\nversion: "0.3"\nsecrets:\n'
                    '  - {name: shown, kind: ascii, value: "42", export_public: true}\n'
                    '  - {name: secret, kind: ascii}\n'
                    '  - {name: key, kind: private-key, export_public: true}\n', "alice")
        status, body = self.values("pub")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["values"]["shown"], {"kind": "ascii", "value": "42"})
        self.assertEqual(sorted(body["values"]), ["key", "shown"])
        self.assertNotIn("PRIVATE", body["values"]["key"]["value"])
        status, one = self.values("pub", "shown")
        self.assertEqual((status, one), (200, {"kind": "ascii", "value": "42"}))
        # Not public, not there, no session: the same answer.
        answers = []
        for name, secret in (("pub", "secret"), ("pub", "nothing"), ("nobody", None),
                             ("nobody", "shown")):
            status, body = self.values(name, secret)
            self.assertEqual(status, 404, body)
            answers.append(body["msg"][0].split(" does not exist")[1])
        self.assertEqual(len(set(answers)), 1, answers)
        # A client certificate changes nothing.
        status, body = self.call("GET", "/v1/values/session=pub,secret=secret", None, "alice")
        self.assertEqual(status, 404, body)
        for bad in ("/v1/values/pub", "/v1/values/session=pub,secret=", "/v1/values/session=a,b=c",
                    "/v1/values/session=..%2Fx"):
            status, body = self.call("GET", bad, None, None)
            self.assertEqual(status, 400, (bad, body))

    def test_documented_values_curl_examples_answer_as_documented(self):
        script, checked = examples_script(values_examples(), self.cas.address)
        self.assertGreaterEqual(checked, 4)
        r = subprocess.run(["bash", "-c", script], cwd=self.work, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count("ok "), checked, r.stdout)
