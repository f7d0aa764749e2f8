"""The CAS server as an operator and a plain HTTPS client see it: the curl examples of
docs/cas.md, its log lines, and how it refuses to start on damaged or foreign state.
(The `scone cas` commands are covered by test_cas_cli.py.)"""

import json
import os
import shutil
import subprocess
import unittest

from scone_testlib import Cas, Las, SconeTestCase, expected_key_hash, openssl


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


class CasServerTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.las = Las(self.path("platform"), tcp=False)
        self.addCleanup(self.las.close)

    def start_cas(self, name="cas", **kwargs):
        cas = Cas(self.path(name), self.las, **kwargs)
        self.addCleanup(cas.close)
        return cas

    def client_cert(self, name):
        key, cert = self.path(name + ".key"), self.path(name + ".pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-subj", "/CN=" + name, "-days", "1", "-keyout", key, "-out", cert)
        return cert, key

    def curl(self, cas, method, path, body=None, cert=None, port=None):
        """curl -sk as in docs/cas.md; returns (status, parsed JSON body)."""
        url = f"https://127.0.0.1:{port or cas.port}{path}"
        args = ["curl", "-sk", "-X", method, "-o", "-", "-w", "\n%{http_code}", url]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        if cert:
            args += ["--cert", cert[0], "--key", cert[1]]
        out = subprocess.run(args, capture_output=True, text=True, timeout=30).stdout
        text, _, code = out.rpartition("\n")
        return int(code), json.loads(text) if text else None

    def run_cas_expecting_failure(self, cas_dir, las=None):
        """Runs cas on an existing folder's cas.toml and returns its log; it must exit 1."""
        config = os.path.join(cas_dir, "cas.toml")
        r = subprocess.run([os.path.join(os.environ.get("SCONE_BIN_DIR", "../../build/bin"),
                                         "cas"), "-c", config],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stderr)
        return r.stderr

    # --- the documented API, with curl -------------------------------------------------

    def test_curl_examples(self):
        cas = self.start_cas()
        status, body = self.curl(cas, "GET", "/v1/version")
        self.assertEqual(status, 200)
        self.assertEqual(body["name"], "cas")
        self.assertEqual(body["api"], 1)

        nonce = os.urandom(32).hex()
        status, body = self.curl(cas, "POST", "/v1/attestation", {"nonce": nonce})
        self.assertEqual(status, 200)
        self.assertEqual(set(body), {"quote", "collateral", "cas_certificate",
                                     "cas_software_certificate", "flags"})
        self.assertEqual(body["flags"], {"provisioned": False, "owner_secret_access": False,
                                         "debug": False, "simulated": True})
        # The certificate in the answer carries the key the log names and TLS presents.
        with open(self.path("cas-cert.pem"), "w") as f:
            f.write(body["cas_certificate"])
        self.assertEqual(expected_key_hash(self.path("cas-cert.pem")), cas.key_hash)
        # The quote is a real-format quote: verify-quote accepts it with the sim root.
        with open(self.path("quote.bin"), "wb") as f:
            f.write(bytes.fromhex(body["quote"]))
        self.scone("las", "collateral", "-o", self.path("coll"), "--las",
                   "unix:" + self.las.socket)
        self.scone("attestation", "verify-quote", self.path("quote.bin"), "--collateral",
                   self.path("coll"), "--only_for_testing-sim-root-ca",
                   os.path.join(self.las.platform_dir, "sim-root-ca.pem"))

        for bad in ({}, {"nonce": "00"}, {"nonce": "zz" * 32}, {"nonce": "00" * 65}):
            status, body = self.curl(cas, "POST", "/v1/attestation", bad)
            self.assertEqual(status, 400, bad)
            self.assertIn("nonce", body["msg"][0])
        status, _ = self.curl(cas, "GET", "/v1/attestation")
        self.assertEqual(status, 405)
        status, body = self.curl(cas, "GET", "/v1/nothing")
        self.assertEqual(status, 404)
        self.assertIsInstance(body["msg"], list)

    def test_provisioning_and_owner_configuration_with_curl(self):
        cas = self.start_cas()
        owner, other = self.client_cert("owner"), self.client_cert("other")
        config = {"format": "toml",
                  "text": '[ias]\nbase_uri = "https://prod.test"\nlinkable_quotes = true\n'}

        # Unprovisioned: only attestation and provisioning.
        status, _ = self.curl(cas, "GET", "/v1/config", cert=owner)
        self.assertEqual(status, 412)
        # No client certificate, wrong token: refused, and nothing changes.
        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": cas.token, "config": config})
        self.assertEqual(status, 401)
        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": "0" * 32, "config": config}, cert=owner)
        self.assertEqual(status, 403)
        self.assertIn("wrong provisioning token", body["msg"][0])
        # A malformed configuration names its line.
        bad = {"format": "toml", "text": 'name = "prod"\nsessions = \n'}
        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": cas.token, "config": bad}, cert=owner)
        self.assertEqual(status, 400)
        self.assertIn("configuration:2:", body["msg"][0])
        # Injection of a database key is refused by the release-signed CAS.
        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": cas.token, "config": config,
                                  "database_key": "ab" * 32}, cert=owner)
        self.assertEqual(status, 403)
        self.assertIn("release signer", body["msg"][0])

        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": cas.token, "config": config}, cert=owner)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["owner"], expected_key_hash(owner[0]))
        self.assertEqual(body["cas_key_hash"], cas.key_hash)
        self.assertFalse(body["rekeyed"])
        # Once only.
        status, body = self.curl(cas, "POST", "/v1/provision",
                                 {"token": cas.token, "config": config}, cert=owner)
        self.assertEqual(status, 409)

        status, body = self.curl(cas, "GET", "/v1/config", cert=owner)
        self.assertEqual(status, 200)
        self.assertEqual(body["config"], {"ias": {"base_uri": "https://prod.test",
                                                  "linkable_quotes": True}})
        status, body = self.curl(cas, "GET", "/v1/config", cert=other)
        self.assertEqual(status, 403)
        self.assertIn("only the CAS owner", body["msg"][0])
        status, _ = self.curl(cas, "PUT", "/v1/config",
                              {"config": {"format": "json", "text": '{"name": "x"}'}}, cert=other)
        self.assertEqual(status, 403)
        status, _ = self.curl(cas, "PUT", "/v1/config",
                              {"config": {"format": "yaml", "text": "dcap:\n  subscription_key: '" + "0" * 32 + "'\n"}},
                              cert=owner)
        self.assertEqual(status, 200)
        status, body = self.curl(cas, "GET", "/v1/config", cert=owner)
        self.assertEqual(body["config"], {"dcap": {"subscription_key": "0" * 32}})

        # The attestation flags follow; the enclave port serves attestation only.
        status, body = self.curl(cas, "POST", "/v1/attestation", {"nonce": "11" * 16})
        self.assertTrue(body["flags"]["provisioned"])
        enclave_port = int(cas.log_text.split("(enclave)")[0].rsplit(":", 1)[1].strip())
        status, _ = self.curl(cas, "GET", "/v1/version", port=enclave_port)
        self.assertEqual(status, 200)
        status, _ = self.curl(cas, "GET", "/v1/config", cert=owner, port=enclave_port)
        self.assertEqual(status, 404)

        # Everything survives SIGKILL: same key, provisioned, same owner and configuration.
        cas.kill()
        cas.restart()
        self.assertIsNone(cas.token)
        status, body = self.curl(cas, "GET", "/v1/config", cert=owner)
        self.assertEqual((status, body["config"]), (200, {"dcap": {"subscription_key": "0" * 32}}))
        self.assertNotIn("provisioning token", cas.log_text)

    def test_log_lines_give_the_values_in_field_7(self):
        cas = self.start_cas()
        lines = cas.log_text.splitlines()
        key_line = next(l for l in lines if "CAS key hash:" in l)
        token_line = next(l for l in lines if "CAS provisioning token:" in l)
        self.assertRegex(key_line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO cas: CAS key hash: \S+$")
        self.assertEqual(key_line.split()[6], cas.key_hash)
        self.assertRegex(token_line.split()[6], r"^[0-9a-f]{32}$")
        # The TLS server key is the CAS key of the log.
        pem = subprocess.run(["openssl", "s_client", "-connect", cas.address, "-tls1_3"],
                             input="", capture_output=True, text=True, timeout=30).stdout
        cert = pem[pem.index("-----BEGIN CERTIFICATE-----"):pem.index("-----END CERTIFICATE-----") + 25]
        with open(self.path("tls.pem"), "w") as f:
            f.write(cert + "\n")
        self.assertEqual(expected_key_hash(self.path("tls.pem")), cas.key_hash)
        # Restarting an unprovisioned CAS keeps its key and its token.
        key, token = cas.key_hash, cas.token
        cas.close()
        cas.restart()
        self.assertEqual((cas.key_hash, cas.token), (key, token))

    # --- refusing to start ---------------------------------------------------------------

    def test_configuration_is_checked_before_any_state_is_created(self):
        # issue 12 item 7: a bad listen address used to leave a database, key and token.
        workdir = self.path("bad-listen")
        os.makedirs(workdir)
        db = os.path.join(workdir, "cas.db")
        with open(os.path.join(workdir, "cas.toml"), "w") as f:
            f.write(f'[database]\npath = "{db}"\n\n'
                    '[api]\napi_listen = "999.1.1.1:80"\nenclave_listen = "127.0.0.1:0"\n\n'
                    f'[las]\naddress = "unix:{self.las.socket}"\n')
        log = self.run_cas_expecting_failure(workdir)
        self.assertIn("api_listen 999.1.1.1:80", log)
        self.assertEqual(sorted(os.listdir(workdir)), ["cas.toml"])

        # A directory as database path is named as such.
        os.makedirs(db)
        log = self.run_cas_expecting_failure(workdir)
        self.assertIn("is a directory", log)

    def test_readable_database_files_are_refused_with_the_chmod(self):
        cas = self.start_cas()
        cas.close()
        for suffix in ("", ".key-store"):
            self.assertEqual(os.stat(cas.database + suffix).st_mode & 0o777, 0o600, suffix)
        os.chmod(cas.database, 0o644)
        log = self.run_cas_expecting_failure(cas.workdir)
        self.assertIn("chmod 600 " + cas.database, log)
        os.chmod(cas.database, 0o600)
        cas.restart()

    def test_damaged_key_store_or_database_refuses_to_start(self):
        cas = self.start_cas()
        cas.close()
        db = cas.database
        shutil.copy(db, db + ".orig")
        shutil.copy(db + ".key-store", db + ".key-store.orig")

        data = bytearray(read_bytes(db + ".key-store"))
        data[len(data) // 2] ^= 0x01
        write_bytes(db + ".key-store", data)
        log = self.run_cas_expecting_failure(cas.workdir)
        self.assertIn("key-store", log)
        self.assertNotIn("listening", log)
        shutil.copy(db + ".key-store.orig", db + ".key-store")

        # A changed byte in the stored rows (the end of a page holds the row data).
        data = bytearray(read_bytes(db))
        self.assertGreater(len(data), 8192)
        data[8192 - 40] ^= 0x01
        write_bytes(db, data)
        log = self.run_cas_expecting_failure(cas.workdir)
        self.assertIn(db, log)
        self.assertNotIn("listening", log)

        write_bytes(db, read_bytes(db + ".orig")[:3000])  # truncated
        self.run_cas_expecting_failure(cas.workdir)

        os.remove(db + ".key-store")  # a database without its key-store
        shutil.copy(db + ".orig", db)
        log = self.run_cas_expecting_failure(cas.workdir)
        self.assertIn("key-store", log)
        self.assertTrue(os.path.exists(db), "the database must not be removed or replaced")

        # Restored, it starts with the same identity.
        shutil.copy(db + ".key-store.orig", db + ".key-store")
        key = cas.key_hash
        cas.restart()
        self.assertEqual(cas.key_hash, key)

    def test_key_store_of_another_platform_does_not_open(self):
        cas = self.start_cas()
        cas.close()
        other = Las(self.path("platform2"), tcp=False)
        self.addCleanup(other.close)
        with open(os.path.join(cas.workdir, "cas.toml")) as f:
            config = f.read().replace(self.las.socket, other.socket)
        with open(os.path.join(cas.workdir, "cas.toml"), "w") as f:
            f.write(config)
        log = self.run_cas_expecting_failure(cas.workdir)
        self.assertIn("key-store", log)

    def test_one_cas_per_database(self):
        cas = self.start_cas()
        second = self.path("second")
        os.makedirs(second)
        with open(os.path.join(cas.workdir, "cas.toml")) as f:
            config = f.read()
        with open(os.path.join(second, "cas.toml"), "w") as f:
            f.write(config)
        log = self.run_cas_expecting_failure(second)
        self.assertIn("in use", log)

    def test_operator_configuration_errors(self):
        os.makedirs(self.path("c"))
        cases = {
            '[database]\npath = "x.db"\n[las]\naddress = "127.0.0.1:18766"\n': "Unix socket",
            '[database]\npath = "x.db"\n[api]\napi_lisen = "127.0.0.1:0"\n': "cas.toml:4:1",
            '[api]\napi_listen = "127.0.0.1:0"\n': "[database] path is required",
        }
        for text, expected in cases.items():
            with open(self.path("c", "cas.toml"), "w") as f:
                f.write(text)
            log = self.run_cas_expecting_failure(self.path("c"))
            self.assertIn(expected, log)
        # A las that does not run: a clear error, not a hang.
        with open(self.path("c", "cas.toml"), "w") as f:
            f.write(f'[database]\npath = "x.db"\n[las]\naddress = "unix:{self.path("none.sock")}"\n')
        log = self.run_cas_expecting_failure(self.path("c"))
        self.assertIn("las", log)
        self.assertFalse(os.path.exists(self.path("c", "x.db")))


if __name__ == "__main__":
    unittest.main()
