"""`scone cas attest|list|set-default|show-certificate|show-identification|provision|
update-config` against real `las` and `cas` processes (seed: CAS Trust Management .. CAS
Database Encryption Key Injection; docs/cli.md, docs/cas.md)."""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time

from scone_testlib import BIN_DIR, Cas, Las, SconeTestCase, expected_key_hash, openssl

OWNER_TOML = '[ias]\nbase_uri = "https://demo.test"\n'
DATABASE_KEY = "cfadf5e00443f15e4670e253e353dda80eac0b1295903fdc96339554a78cde0a"
RELEASE_KEY = os.path.join(BIN_DIR, "..", "release-signer", "cas-signer-key.pem")
CAS_BIN = os.path.join(BIN_DIR, "cas")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def trustworthy(address):
    return f"CAS {address} at https://{address}/ is trustworthy\n"


def free_port():
    """A port that nothing listens on (bound, then closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CasCliTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.las = Las(self.path("platform"))
        self.addCleanup(self.las.close)
        self.owner_config = self.path("owner.toml")
        with open(self.owner_config, "w") as f:
            f.write(OWNER_TOML)

    def tearDown(self):
        self.doCleanups()  # stop the servers before their folders go away
        super().tearDown()

    # ---- helpers ---------------------------------------------------------------------------

    def start_cas(self, name="cas", las=None, **kwargs):
        cas = Cas(self.path(name), las or self.las, **kwargs)
        self.addCleanup(cas.close)
        return cas

    def sim(self, las=None):
        return ["--only_for_testing-sim-root-ca", (las or self.las).sim_root]

    def attest(self, address, *args, las=None, check=True):
        r = self.scone("cas", "attest", address, *self.sim(las), *args, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def provision(self, cas, *shared, attest=(), key_hash=None, token=None, las=None,
                  check=True, config=None):
        r = self.scone("cas", "provision", cas.address, "-c", key_hash or cas.key_hash,
                       "--token", token or cas.token, "--config-file",
                       config or self.owner_config, *shared, "with-attestation",
                       *self.sim(las), *attest, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def my_key_hash(self, env=None):
        return self.scone("self", "show-key-hash", env=env).stdout.strip()

    def identity_files(self, config_path):
        """The identity of a CLI state as key and certificate files (for curl) and as one
        --identity file."""
        doc = json.loads(read(config_path))
        base = config_path[:-len(".json")]
        key, cert, both = base + ".key", base + ".crt", base + "-identity.pem"
        for path, text in ((key, doc["identity"]["private_key"]),
                           (cert, doc["identity"]["certificate"]),
                           (both, doc["identity"]["private_key"] + doc["identity"]["certificate"])):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o600)
        return key, cert, both

    def other_identity(self):
        other = self.path("other", "config.json")
        env = dict(self.env, SCONE_CLI_CONFIG=other)
        other_hash = self.my_key_hash(env=env)
        return self.identity_files(other)[2], other_hash

    def curl(self, cas, method, path, *args):
        r = subprocess.run(["curl", "-sk", "-X", method, "-w", "\n%{http_code}",
                            f"https://{cas.address}{path}", *args],
                           capture_output=True, text=True, timeout=60)
        body, _, code = r.stdout.rpartition("\n")
        return int(code), (json.loads(body) if body.strip() else None)

    def copy_cas(self, name):
        path = self.path(name)
        shutil.copy(CAS_BIN, path)
        return path, hashlib.sha256(read(path, "rb")).hexdigest()

    # ---- tests -----------------------------------------------------------------------------

    def test_log_lines_give_key_hash_and_token_to_awk(self):
        cas = self.start_cas()
        r = subprocess.run(["awk", "/CAS key hash:/ {print $7}", cas.log_path],
                           capture_output=True, text=True, check=True)
        self.assertEqual(r.stdout.strip(), cas.key_hash)
        self.assertRegex(cas.token, r"^[0-9a-f]{32}$")

    def test_curl_examples_of_the_api(self):
        cas = self.start_cas()
        code, body = self.curl(cas, "GET", "/v1/version")
        self.assertEqual(code, 200)
        self.assertEqual(body["name"], "cas")
        self.assertEqual(body["api"], 1)
        code, body = self.curl(cas, "POST", "/v1/attestation", "-H",
                               "Content-Type: application/json", "-d",
                               json.dumps({"nonce": "00" * 32}))
        self.assertEqual(code, 200)
        for member in ("quote", "collateral", "cas_certificate", "cas_software_certificate",
                       "flags"):
            self.assertIn(member, body)
        self.assertFalse(body["flags"]["provisioned"])
        # An unprovisioned CAS answers nothing else.
        code, _ = self.curl(cas, "GET", "/v1/config")
        self.assertNotEqual(code, 200)
        # The owner reads the configuration with the certificate it provisioned with.
        self.provision(cas)
        key, cert, _ = self.identity_files(self.config)
        code, body = self.curl(cas, "GET", "/v1/config", "--cert", cert, "--key", key)
        self.assertEqual(code, 200, body)
        self.assertEqual(body["owner"], self.my_key_hash())
        self.assertEqual(body["config"]["ias"]["base_uri"], "https://demo.test")
        code, body = self.curl(cas, "GET", "/v1/config")
        self.assertEqual(code, 401, body)
        self.assertIsInstance(body["msg"], list)

    def test_provision_then_attest_list_and_show(self):
        cas = self.start_cas()
        # Not provisioned yet: attest says how to proceed.
        r = self.attest(cas.address, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("scone cas provision", r.stderr)
        self.assertEqual(self.scone("cas", "list").stdout, "")
        # The simulated root may also come from the environment.
        env = dict(self.env, SCONE_ONLY_FOR_TESTING_SIM_ROOT_CA=self.las.sim_root)
        r = self.scone("cas", "provision", cas.address, "-c", cas.key_hash, "--token", cas.token,
                       "--config-file", self.owner_config, "with-attestation", env=env)
        me = self.my_key_hash()
        self.assertEqual(r.stdout, trustworthy(cas.address) +
                         f"CAS {cas.address} was provisioned; its owner is you (key hash {me})\n")
        self.assertEqual(self.scone("cas", "list").stdout,
                         f"* {cas.address}: https://{cas.address}/\n")
        # Identification matches the log and the certificate.
        self.assertEqual(self.scone("cas", "show-identification", "-c").stdout.strip(),
                         cas.key_hash)
        cert = self.path("cas.pem")
        with open(cert, "w") as f:
            f.write(self.scone("cas", "show-certificate").stdout)
        self.assertEqual(expected_key_hash(cert), cas.key_hash)
        self.assertEqual(self.scone("cas", "show-identification", cas.address, "-C").stdout,
                         read(cert))
        sw_hash = self.scone("cas", "show-identification", "--cas-software-key-hash").stdout.strip()
        sw_cert = self.path("sw.pem")
        with open(sw_cert, "w") as f:
            f.write(self.scone("cas", "show-identification", "-S").stdout)
        self.assertEqual(expected_key_hash(sw_cert), sw_hash)
        tcb = self.scone("cas", "show-identification", "--tcb").stdout
        self.assertIn("TCB status: UpToDate", tcb)
        self.assertIn("ISVPRODID: 41", tcb)
        # -T/--certificate-chain, the default as in SCONE: both certificates, PEM, in order.
        chain = self.scone("cas", "show-identification", "-T").stdout
        self.assertEqual(chain, read(cert) + read(sw_cert))
        self.assertEqual(self.scone("cas", "show-identification").stdout, chain)
        chain_file = self.path("chain.pem")
        with open(chain_file, "w") as f:
            f.write(chain)
        p7 = openssl("crl2pkcs7", "-nocrl", "-certfile", chain_file)
        printed = openssl("pkcs7", "-print_certs", "-noout", input=p7).decode()
        self.assertEqual(printed.count("subject="), 2, printed)
        doc = json.loads(self.scone("cas", "show-identification", "--format", "json").stdout)
        self.assertEqual(doc["cas_key_hash"], cas.key_hash)
        # The CLI state holds the documented entry (docs/cli-state.md).
        state = json.loads(read(self.config))
        self.assertEqual(state["default_cas"], cas.address)
        entry = state["cas_db"][cas.address]
        self.assertEqual(entry["address"], cas.address)
        self.assertEqual(entry["api_url"], f"https://{cas.address}/")
        self.assertEqual(entry["evidence"]["cas_key_hash"], cas.key_hash)
        self.assertTrue(entry["evidence"]["flags"]["provisioned"])
        self.assertIsInstance(entry["attested_at"], int)
        # Plain attest now works; -c and -s pin the instance.
        self.assertEqual(self.attest(cas.address).stdout, trustworthy(cas.address))
        self.attest(cas.address, "-c", cas.key_hash, "-s", sw_hash)
        other_hash = self.my_key_hash()  # a valid key hash that is not the CAS's
        r = self.attest(cas.address, "-c", other_hash, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("as given with -c", r.stderr)
        r = self.attest(cas.address, "-s", other_hash, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("as given with -s", r.stderr)
        doc = json.loads(self.attest(cas.address, "--format", "json").stdout)
        self.assertEqual(doc["evidence"]["cas_key_hash"], cas.key_hash)
        # set-default knows only attested CAS.
        r = self.scone_fails("cas", "set-default", "cas.example.com", code=2)
        self.assertIn(cas.address, r.stderr)
        self.scone("cas", "set-default", cas.address)

    def test_second_provisioning_and_reused_token_are_refused(self):
        cas = self.start_cas()
        self.provision(cas)
        r = self.provision(cas, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"CAS {cas.address} is already provisioned", r.stderr)
        # Without the CLI's own check CAS itself refuses the used token.
        r = self.scone("cas", "provision", cas.address, "-c", cas.key_hash, "--token", cas.token,
                       "--config-file", self.owner_config, "only_for_testing-without-attestation",
                       check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("error: CAS refused the provisioning: "), r.stderr)

    def test_wrong_token_is_refused_and_the_right_one_still_works(self):
        cas = self.start_cas()
        wrong = "0" * 32 if cas.token != "0" * 32 else "1" * 32
        r = self.provision(cas, token=wrong, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("error: CAS refused the provisioning: "), r.stderr)
        self.assertNotIn(cas.token, r.stderr)
        self.assertEqual(self.scone("cas", "list").stdout, "")
        self.provision(cas)

    def test_owner_updates_the_configuration_and_nobody_else(self):
        cas = self.start_cas()
        self.provision(cas)
        new = self.path("new.yaml")
        with open(new, "w") as f:
            f.write("ias:\n  base_uri: https://two.test\n")
        r = self.scone("cas", "update-config", "--config-file", new)
        self.assertEqual(r.stdout, f"The configuration of CAS {cas.address} was updated\n")
        other, _ = self.other_identity()
        r = self.scone_fails("cas", "update-config", "--cas", cas.address, "--config-file", new,
                             "--identity", other)
        self.assertIn("error: CAS refused the configuration update: ", r.stderr)
        self.assertIn("owner", r.stderr)  # CAS's own words, shown as they are
        # The owner's own key in a file works as well as the CLI state's.
        _, _, mine = self.identity_files(self.config)
        self.scone("cas", "update-config", "--config-file", new, "--identity", mine)
        key, cert, _ = self.identity_files(self.config)
        _, body = self.curl(cas, "GET", "/v1/config", "--cert", cert, "--key", key)
        self.assertEqual(body["config"]["ias"]["base_uri"], "https://two.test")

    def curl_by_name(self, cas, host, cacert):
        """curl verifying the CAS certificate against `cacert` and the host name `host`
        (resolved to 127.0.0.1); returns curl's result."""
        url = f"https://{host}:{cas.port}/v1/version"
        return subprocess.run(["curl", "-sS", "--cacert", cacert, "--resolve",
                               f"{host}:{cas.port}:127.0.0.1", url],
                              capture_output=True, text=True, timeout=60)

    def shown_certificate(self, cas, name):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(self.scone("cas", "show-certificate", cas.address).stdout)
        return path

    def test_api_identity_names_the_cas_certificate_for_host_name_checks(self):
        # Without [api_identity]: the default certificate, which names no host.
        plain = self.start_cas("plain")
        self.provision(plain)
        r = self.curl_by_name(plain, "cas.example.test",
                              self.shown_certificate(plain, "plain.pem"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cas.example.test", r.stderr)

        cas = self.start_cas()
        identity = self.path("identity.toml")
        with open(identity, "w") as f:
            f.write('[api_identity]\ncommon_name = "cas.example.test"\n'
                    'alt_names = ["cas.example.test", "127.0.0.1"]\n'
                    'country_name = "DE"\norg_name = "Example"\n'
                    '[dcap]\nsubscription_key = "' + "0" * 32 + '"\n')
        self.provision(cas, config=identity)
        cert = self.shown_certificate(cas, "cas.pem")
        r = self.curl_by_name(cas, "cas.example.test", cert)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["name"], "cas")
        r = subprocess.run(["curl", "-sS", "--cacert", cert,
                            f"https://127.0.0.1:{cas.port}/v1/version"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        # Another name: curl's host-name check fails.
        r = self.curl_by_name(cas, "other.example.test", cert)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("other.example.test", r.stderr)

        # The owner renames the CAS: same key (the pin holds), new certificate at once; the
        # CLI shows the attested certificate until the CAS is attested again.
        with open(identity, "w") as f:
            f.write('[api_identity]\ncommon_name = "other.example.test"\n'
                    'alt_names = ["other.example.test"]\n')
        self.scone("cas", "update-config", "--cas", cas.address, "--config-file", identity)
        self.assertEqual(read(self.shown_certificate(cas, "stale.pem")), read(cert))
        self.attest(cas.address)
        self.assertEqual(self.scone("cas", "show-identification", cas.address, "-c")
                         .stdout.strip(), cas.key_hash)
        renamed = self.shown_certificate(cas, "renamed.pem")
        self.assertNotEqual(read(renamed), read(cert))
        r = self.curl_by_name(cas, "other.example.test", renamed)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.curl_by_name(cas, "cas.example.test", renamed)
        self.assertNotEqual(r.returncode, 0)
        # It survives a restart.
        cas.kill()
        cas.restart()
        r = self.curl_by_name(cas, "other.example.test", renamed)
        self.assertEqual(r.returncode, 0, r.stderr)

        # A wrong field is refused with its place, and nothing is sent.
        with open(identity, "w") as f:
            f.write('[api_identity]\ncommon_name = "x"\nalt_names = ["bad name"]\n')
        r = self.scone_fails("cas", "update-config", "--cas", cas.address, "--config-file",
                             identity)
        self.assertIn(identity + ":3:14: api_identity.alt_names[0] must be a DNS name", r.stderr)
        with open(identity, "w") as f:
            f.write('[limits]\nsessions = 5\n')
        r = self.scone_fails("cas", "update-config", "--cas", cas.address, "--config-file",
                             identity)
        self.assertIn('unknown section "limits"', r.stderr)

    def test_malformed_owner_configuration_names_the_line_and_sends_nothing(self):
        cas = self.start_cas()
        bad = self.path("bad.toml")
        with open(bad, "w") as f:
            f.write('[ias]\nbase_uri = "https://x.test"\nbroken = \n')
        r = self.provision(cas, config=bad, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(bad + ":3:", r.stderr)
        # Nothing was sent: the token still works.
        self.provision(cas)
        bad_json = self.path("bad.json")
        with open(bad_json, "w") as f:
            f.write('{"settings": {\n  "name": }\n}\n')
        r = self.scone_fails("cas", "update-config", "--config-file", bad_json)
        self.assertIn(bad_json + ":2:", r.stderr)
        r = self.scone_fails("cas", "update-config", "--config-file", self.path("x.ini"))
        self.assertIn("x.ini", r.stderr)

    def test_local_mistakes_are_refused_before_connecting(self):
        port = free_port()
        address = f"127.0.0.1:{port}"
        for args, needle in (
                (["--token", "xyz", "--config-file", self.owner_config], "--token"),
                (["--token", "0" * 32, "--config-file", self.owner_config, "--database-key", "ab"],
                 "--database-key"),
                (["--token", "0" * 32, "--config-file", self.path("none.toml")], "none.toml")):
            r = self.scone("cas", "provision", address, "-c", self.my_key_hash(), *args,
                           "with-attestation", check=False)
            self.assertEqual(r.returncode in (1, 2), True, r.stderr)
            self.assertIn(needle, r.stderr)
            self.assertNotIn("cannot reach", r.stderr)
        r = self.scone_fails("cas", "attest", address, "--mrsigner", "ab" * 32)
        self.assertIn("--isvprodid", r.stderr)
        self.scone_fails("cas", "attest", "https://" + address)

    def test_unreachable_cas_is_retried_a_bounded_number_of_times(self):
        address = f"127.0.0.1:{free_port()}"
        start = time.time()
        r = self.scone_fails("cas", "attest", address, "--retries", "2")
        self.assertLess(time.time() - start, 10)
        self.assertIn(f"cannot reach CAS at {address} (3 attempts)", r.stderr)
        r = self.scone_fails("cas", "attest", address, "--retries", "0")
        self.assertIn(f"cannot reach CAS at {address}: ", r.stderr)
        self.scone_fails("cas", "attest", address, "--retries", "11")

    def test_another_cas_on_the_attested_address_gets_nothing(self):
        first = self.start_cas("first")
        self.provision(first)
        first.close()
        second = self.start_cas("second", port=first.port)
        self.assertEqual(second.address, first.address)
        self.assertNotEqual(second.key_hash, first.key_hash)
        r = self.scone_fails("cas", "update-config", "--config-file", self.owner_config)
        self.assertIn(f"the CAS at {first.address} presents key {second.key_hash}, not the "
                      f"attested CAS key {first.key_hash}", r.stderr)
        self.assertIn(f'attest it again with "scone cas attest {first.address}"', r.stderr)

    def test_tcb_states_need_their_flags(self):
        for state, flag, relaxation in (("ConfigurationNeeded", "-C", "configuration-needed"),
                                        ("SWHardeningNeeded", "-S", "sw-hardening-needed"),
                                        ("OutOfDate", "-G", "out-of-date")):
            with self.subTest(state):
                las = Las(self.path("p-" + state), tcb_state=state)
                self.addCleanup(las.close)
                cas = self.start_cas("cas-" + state, las=las)
                r = self.provision(cas, las=las, check=False)
                self.assertEqual(r.returncode, 1)
                self.assertIn(flag, r.stderr)
                r = self.provision(cas, las=las, attest=[flag])
                self.assertIn(f"{relaxation} ({flag})", r.stderr)
                r = self.attest(cas.address, las=las, check=False)
                self.assertEqual(r.returncode, 1)
                self.assertIn(flag, r.stderr)
                self.attest(cas.address, flag, las=las)
                self.assertIn(f"TCB status: {state}",
                              self.scone("cas", "show-identification", cas.address, "--tcb").stdout)

    def test_restart_after_sigkill_keeps_key_owner_and_configuration(self):
        cas = self.start_cas()
        self.provision(cas)
        key_hash = cas.key_hash
        cas.kill()
        cas.restart()
        self.assertEqual(cas.key_hash, key_hash)
        self.assertIsNone(cas.token)  # provisioned: no token any more
        self.assertEqual(self.scone("cas", "show-identification", "-c").stdout.strip(), key_hash)
        self.attest(cas.address)
        self.scone("cas", "update-config", "--config-file", self.owner_config)
        key, cert, _ = self.identity_files(self.config)
        _, body = self.curl(cas, "GET", "/v1/config", "--cert", cert, "--key", key)
        self.assertEqual(body["owner"], self.my_key_hash())

    def test_database_key_injection_needs_consent_to_attest(self):
        # A release-signed CAS refuses injection.
        release = self.start_cas("release")
        r = self.provision(release, "--database-key", DATABASE_KEY, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("error: CAS refused the provisioning: "), r.stderr)
        self.assertNotIn(DATABASE_KEY, r.stderr)
        # A copy without cas.sig is a debug enclave of the built-in debug signer.
        binary, mrenclave = self.copy_cas("debug-cas")
        cas = self.start_cas("debug", binary=binary)
        debug = ["--only_for_testing-debug", "--only_for_testing-ignore-signer", mrenclave]
        r = self.provision(cas, "--database-key", DATABASE_KEY, attest=debug)
        self.assertTrue(r.stdout.startswith(trustworthy(cas.address)), r.stdout)
        self.assertIn("new CAS key hash", r.stdout)
        self.assertIn("--allow-cas-owner-secret-access", r.stdout)
        self.assertNotIn(DATABASE_KEY, r.stdout + r.stderr)
        new_key = self.scone("cas", "show-identification", "-c").stdout.strip()
        self.assertNotEqual(new_key, cas.key_hash)
        r = self.attest(cas.address, *debug, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--allow-cas-owner-secret-access", r.stderr)
        self.attest(cas.address, *debug, "--allow-cas-owner-secret-access")
        self.attest(cas.address, "--only_for_testing-trust-any", "--allow-cas-owner-secret-access")
        # The debug CAS is refused without the testing options.
        r = self.attest(cas.address, "--allow-cas-owner-secret-access", check=False)
        self.assertEqual(r.returncode, 1)

    def test_isvsvn_or_mrenclave_accept_an_older_cas(self):
        binary, mrenclave = self.copy_cas("old-cas")
        self.scone("signer", "sign", "--key", RELEASE_KEY, "--isvprodid", "41", "--isvsvn", "1",
                   "--production", binary)
        cas = self.start_cas("old", binary=binary)
        unprov = "--only_for_testing_allow-unprovisioned-cas"
        r = self.attest(cas.address, unprov, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--isvsvn", r.stderr)
        self.attest(cas.address, unprov, "--isvsvn", "1")
        self.attest(cas.address, unprov, mrenclave)
        self.attest(cas.address, unprov, "--mrenclave", mrenclave)
        r = self.attest(cas.address, unprov, "ab" * 32, check=False)
        self.assertEqual(r.returncode, 1)
        # Provisioning takes the same options.
        r = self.provision(cas, check=False)
        self.assertEqual(r.returncode, 1)
        self.provision(cas, attest=[mrenclave])

    def test_custom_signer_needs_mrsigner_isvprodid_and_isvsvn(self):
        binary, _ = self.copy_cas("custom-cas")
        key = self.path("signer.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        self.scone("signer", "sign", "--key", key, "--isvprodid", "7", "--isvsvn", "3",
                   "--production", binary)
        info = json.loads(self.scone("signer", "info", binary, "--format", "json").stdout)
        cas = self.start_cas("custom", binary=binary)
        unprov = "--only_for_testing_allow-unprovisioned-cas"
        r = self.attest(cas.address, unprov, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--mrsigner", r.stderr)
        signer = ["--mrsigner", info["mrsigner"], "--isvprodid", "7"]
        r = self.attest(cas.address, unprov, *signer, check=False)  # --isvsvn missing
        self.assertEqual(r.returncode, 1)
        self.assertIn("--isvsvn", r.stderr)
        self.attest(cas.address, unprov, *signer, "--isvsvn", "3")
        r = self.attest(cas.address, unprov, *signer, "--isvsvn", "4", check=False)
        self.assertEqual(r.returncode, 1)

    def test_provision_without_attestation_is_not_stored(self):
        cas = self.start_cas()
        other, _ = self.other_identity()
        r = self.scone("cas", "provision", cas.address, "-c", self.my_key_hash(), "--token",
                       cas.token, "--config-file", self.owner_config,
                       "only_for_testing-without-attestation", check=False)
        self.assertEqual(r.returncode, 1)  # pinned to -c, which is not this CAS
        self.assertIn("given with -c", r.stderr)
        r = self.scone("cas", "provision", cas.address, "-c", cas.key_hash, "--token", cas.token,
                       "--config-file", self.owner_config, "--identity", other,
                       "only_for_testing-without-attestation")
        self.assertIn("WITHOUT attestation", r.stderr)
        self.assertIn(f"scone cas attest {cas.address}", r.stderr)
        self.assertEqual(self.scone("cas", "list").stdout, "")
        self.attest(cas.address)
        self.assertIn(cas.address, self.scone("cas", "list").stdout)
        # The owner is the --identity used for provisioning, not the CLI state's.
        r = self.scone_fails("cas", "update-config", "--config-file", self.owner_config)
        self.scone("cas", "update-config", "--config-file", self.owner_config, "--identity", other)

    def test_two_cas_and_the_default(self):
        a = self.start_cas("a")
        b = self.start_cas("b")
        self.provision(a)
        self.provision(b)
        self.assertEqual(self.scone("cas", "list").stdout,
                         "".join(sorted([f"* {a.address}: https://{a.address}/\n",
                                         f"  {b.address}: https://{b.address}/\n"],
                                        key=lambda line: line[2:])))
        self.scone("cas", "set-default", b.address)
        self.assertEqual(self.scone("cas", "show-identification", "-c").stdout.strip(), b.key_hash)
        self.assertEqual(self.scone("cas", "show-identification", a.address, "-c").stdout.strip(),
                         a.key_hash)
        doc = json.loads(self.scone("cas", "list", "--format", "json").stdout)
        self.assertEqual({d["address"]: d["default"] for d in doc},
                         {a.address: False, b.address: True})


if __name__ == "__main__":
    import unittest
    unittest.main()
