"""Migration of secret values on `scone cas session update` (issue "Secrets" item 2): one
test per row of the table in docs/secrets.md ("Migration"), against real `las` and `cas`.
Every secret is `export_public`, so its public part (the value of ascii and binary
secrets, the public key of a private key, the certificate) is read before and after the
update at GET /v1/values without a client certificate."""

import http.client
import json
import os
import ssl
import subprocess
import tempfile

from scone_testlib import BIN_DIR, Cas, Las, SconeTestCase, openssl

OWNER_TOML = '[ias]\nbase_uri = "https://demo.test"\n'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def cert_key(pem):
    """The certificate's public key (PEM) and its serial, by openssl."""
    pub = openssl("x509", "-noout", "-pubkey", input=pem.encode()).decode()
    serial = openssl("x509", "-noout", "-serial", input=pem.encode()).decode().strip()
    return pub, serial


class SecretMigrationTest(SconeTestCase):
    """One las and one provisioned CAS for the class; every test attests it and uses a
    session of its own."""

    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="scone-e2e-secrets-")
        base = cls._class_tmp.name
        cls.las = Las(os.path.join(base, "platform"))
        try:
            cls.cas = Cas(os.path.join(base, "cas"), cls.las)
            owner_config = write(os.path.join(base, "owner.toml"), OWNER_TOML)
            env = dict(os.environ, SCONE_CLI_CONFIG=os.path.join(base, "owner", "config.json"),
                       HOME=base)
            subprocess.run([os.path.join(BIN_DIR, "scone"), "cas", "provision",
                            cls.cas.address, "-c", cls.cas.key_hash, "--token", cls.cas.token,
                            "--config-file", owner_config, "with-attestation",
                            "--only_for_testing-sim-root-ca", cls.las.sim_root],
                           check=True, capture_output=True, env=env, timeout=120)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "cas", None) is not None:
            cls.cas.close()
        cls.las.close()
        cls._class_tmp.cleanup()

    def setUp(self):
        super().setUp()
        self.scone("cas", "attest", self.cas.address, "--only_for_testing-sim-root-ca",
                   self.las.sim_root)

    def public_values(self, name):
        """GET /v1/values/session=NAME without a client certificate: {secret: value}."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", self.cas.port, context=ctx, timeout=30)
        try:
            conn.request("GET", "/v1/values/session=" + name)
            r = conn.getresponse()
            body = json.loads(r.read())
        finally:
            conn.close()
        self.assertEqual(r.status, 200, body)
        return {k: v["value"] for k, v in body["values"].items()}

    def migrate(self, name, before, after):
        """Creates NAME with the secrets YAML `before`, updates it with `scone cas session
        update` to `after`; returns the public values of both versions."""
        path = self.path(name + ".yml")
        write(path, f'name: {name}\nversion: "0.3"\nsecrets:\n{before}')
        self.scone("cas", "session", "create", path)
        v1 = self.public_values(name)
        write(path, f'name: {name}\nversion: "0.3"\nsecrets:\n{after}')
        self.scone("cas", "session", "update", path)
        return v1, self.public_values(name)

    # One test per row of docs/secrets.md "Migration", in its order.

    def test_row_explicit_value_is_the_given_value(self):
        v1, v2 = self.migrate(
            "m-given",
            "- {name: s, kind: ascii, value: first-value, export_public: true}\n",
            "- {name: s, kind: ascii, value: second-value, export_public: true}\n")
        self.assertEqual(v1["s"], "first-value")
        self.assertEqual(v2["s"], "second-value")

    def test_row_imported_secret_resolves_from_the_exporter(self):
        # The exporter's CA, imported; the importer issues a certificate with it, which
        # verifies against the exporter's public CA certificate after the update too.
        write(self.path("m-exp.yml"),
              'name: m-exp\nversion: "0.3"\nsecrets:\n'
              '- {name: ca, kind: x509-ca, export_public: true, export: {session: m-imp}}\n')
        self.scone("cas", "session", "create", self.path("m-exp.yml"))
        ca = self.public_values("m-exp")["ca"]
        body = ("- {name: ca, kind: x509-ca, import: {session: m-exp, secret: ca}}\n"
                "- {name: k, kind: private-key}\n"
                "- {name: leaf, kind: x509, private_key: k, issuer: ca, export_public: true}\n")
        v1, v2 = self.migrate("m-imp", body, body)
        write(self.path("ca.pem"), ca)
        for leaf in (v1["leaf"], v2["leaf"]):
            write(self.path("leaf.pem"), leaf)
            out = openssl("verify", "-CAfile", self.path("ca.pem"), self.path("leaf.pem"))
            self.assertIn(b"OK", out)
        self.assertNotIn("ca", v2)  # an import is not this session's to publish

    def test_row_new_name_is_generated(self):
        v1, v2 = self.migrate(
            "m-new",
            "- {name: a, kind: ascii, export_public: true}\n",
            "- {name: a, kind: ascii, export_public: true}\n"
            "- {name: b, kind: ascii, export_public: true}\n")
        self.assertEqual(v1["a"], v2["a"])
        self.assertEqual(len(v2["b"]), 20)
        self.assertNotEqual(v2["a"], v2["b"])

    def test_row_another_kind_under_the_same_name_is_generated(self):
        v1, v2 = self.migrate(
            "m-kind",
            "- {name: s, kind: ascii, size: 16, export_public: true}\n",
            "- {name: s, kind: binary, size: 16, export_public: true}\n")
        self.assertEqual(len(v1["s"]), 16)
        self.assertEqual(len(v2["s"]), 32)  # hex of 16 bytes
        self.assertNotEqual(v1["s"].encode().hex(), v2["s"])

    def test_row_an_earlier_explicit_value_is_not_kept(self):
        v1, v2 = self.migrate(
            "m-was-given",
            "- {name: s, kind: ascii, value: given-before, export_public: true}\n",
            "- {name: s, kind: ascii, export_public: true}\n")
        self.assertEqual(v1["s"], "given-before")
        self.assertNotEqual(v2["s"], "given-before")
        self.assertEqual(len(v2["s"]), 20)

    def test_row_ascii_and_binary_of_the_same_name_kind_and_size_are_kept(self):
        body = ("- {name: a, kind: ascii, size: 24, export_public: true}\n"
                "- {name: b, kind: binary, export_public: true}\n")
        v1, v2 = self.migrate("m-keep", body, body)
        self.assertEqual(v1, v2)
        self.assertEqual(len(v1["a"]), 24)
        self.assertEqual(len(v1["b"]), 40)

    def test_row_a_changed_size_is_generated(self):
        v1, v2 = self.migrate(
            "m-size",
            "- {name: a, kind: ascii, size: 24, export_public: true}\n"
            "- {name: b, kind: binary, size: 8, export_public: true}\n",
            "- {name: a, kind: ascii, size: 25, export_public: true}\n"
            "- {name: b, kind: binary, size: 9, export_public: true}\n")
        self.assertEqual((len(v2["a"]), len(v2["b"])), (25, 18))
        self.assertFalse(v2["a"].startswith(v1["a"]))
        self.assertFalse(v2["b"].startswith(v1["b"]))

    def test_row_private_key_is_kept_with_migrate_in_both_versions(self):
        v1, v2 = self.migrate(
            "m-key",
            "- {name: k, kind: private-key, key_type: P-384, migrate: true, export_public: true}\n",
            "- {name: k, kind: private-key, key_type: P-384, migrate: true, export_public: true}\n")
        self.assertEqual(v1["k"], v2["k"])
        self.assertIn("PUBLIC KEY", v1["k"])

    def test_row_private_key_otherwise_is_generated(self):
        v1, v2 = self.migrate(
            "m-key-new",
            "- {name: k, kind: private-key, migrate: true, export_public: true}\n"
            "- {name: t, kind: private-key, migrate: true, export_public: true}\n",
            "- {name: k, kind: private-key, export_public: true}\n"
            "- {name: t, kind: private-key, key_type: Ed25519, migrate: true,"
            " export_public: true}\n")
        self.assertNotEqual(v1["k"], v2["k"])  # migrate only in the first version
        self.assertNotEqual(v1["t"], v2["t"])  # another key type
        text = openssl("pkey", "-pubin", "-noout", "-text", input=v2["t"].encode())
        self.assertIn(b"ED25519", text)

    def test_row_public_key_follows_its_private_key(self):
        body = ("- {name: k, kind: private-key, migrate: true, export_public: true}\n"
                "- {name: p, kind: public-key, private_key: k, export_public: true}\n")
        v1, v2 = self.migrate("m-pub", body, body)
        self.assertEqual(v1["p"], v1["k"])
        self.assertEqual(v2["p"], v1["k"])

    def test_row_certificates_are_reissued_over_their_key(self):
        v1, v2 = self.migrate(
            "m-cert",
            "- {name: k, kind: private-key, migrate: true}\n"
            "- {name: n, kind: private-key}\n"
            "- {name: kept, kind: x509, private_key: k, export_public: true}\n"
            "- {name: fresh, kind: x509, private_key: n, export_public: true}\n",
            "- {name: k, kind: private-key, migrate: true}\n"
            "- {name: n, kind: private-key}\n"
            "- {name: kept, kind: x509, private_key: k, export_public: true}\n"
            "- {name: fresh, kind: x509, private_key: n, export_public: true}\n")
        (key1, serial1), (key2, serial2) = cert_key(v1["kept"]), cert_key(v2["kept"])
        self.assertEqual(key1, key2)  # over the kept key
        self.assertNotEqual(serial1, serial2)  # re-issued
        (key1, serial1), (key2, serial2) = cert_key(v1["fresh"]), cert_key(v2["fresh"])
        self.assertNotEqual(key1, key2)  # its key was not kept
        self.assertNotEqual(serial1, serial2)

    def test_row_ca_without_private_key_keeps_its_key_only_with_migrate(self):
        v1, v2 = self.migrate(
            "m-ca",
            "- {name: kept, kind: x509-ca, migrate: true, export_public: true}\n"
            "- {name: fresh, kind: x509-ca, export_public: true}\n",
            "- {name: kept, kind: x509-ca, migrate: true, export_public: true}\n"
            "- {name: fresh, kind: x509-ca, export_public: true}\n")
        (key1, serial1), (key2, serial2) = cert_key(v1["kept"]), cert_key(v2["kept"])
        self.assertEqual(key1, key2)
        self.assertNotEqual(serial1, serial2)
        (key1, serial1), (key2, serial2) = cert_key(v1["fresh"]), cert_key(v2["fresh"])
        self.assertNotEqual(key1, key2)
        self.assertNotEqual(serial1, serial2)
