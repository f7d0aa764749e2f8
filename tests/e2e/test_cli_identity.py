"""The CLI state, the user identity and key hashes (issue: foundation)."""

import concurrent.futures
import json
import os
import stat
import subprocess

from scone_testlib import SconeTestCase, expected_key_hash, openssl


class KeyHashTest(SconeTestCase):
    KEY_SPECS = {
        "ec-p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "ec-p384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "rsa-2048": ["-newkey", "rsa:2048"],
        "ed25519": ["-newkey", "ed25519"],
    }

    def make_cert(self, name, spec):
        key, cert = self.path(name + ".key"), self.path(name + ".pem")
        openssl("req", "-x509", *spec, "-nodes", "-subj", "/CN=" + name, "-days", "30",
                "-keyout", key, "-out", cert)
        return key, cert

    def test_matches_openssl_for_every_key_type(self):
        for name, spec in self.KEY_SPECS.items():
            with self.subTest(name):
                _, cert = self.make_cert(name, spec)
                out = self.scone("cert", "show-key-hash", cert).stdout.strip()
                self.assertEqual(out, expected_key_hash(cert))
                js = json.loads(self.scone("cert", "show-key-hash", cert, "--format", "json").stdout)
                self.assertEqual(js["key_hash"], out)

    def test_several_certificates_uses_first_and_says_so(self):
        _, a = self.make_cert("a", self.KEY_SPECS["ec-p256"])
        _, b = self.make_cert("b", self.KEY_SPECS["ec-p256"])
        both = self.path("both.pem")
        with open(both, "w") as f:
            f.write(open(a).read() + open(b).read())
        r = self.scone("cert", "show-key-hash", both)
        self.assertEqual(r.stdout.strip(), expected_key_hash(a))
        self.assertIn("2 certificates", r.stderr)

    def test_bad_inputs(self):
        self.scone_fails("cert", "show-key-hash", self.path("missing.pem"), code=2)
        not_pem = self.path("not.pem")
        with open(not_pem, "w") as f:
            f.write("hello\n")
        self.assertIn("not a PEM", self.scone_fails("cert", "show-key-hash", not_pem).stderr)
        key, _ = self.make_cert("k", self.KEY_SPECS["ec-p256"])
        self.assertIn("no certificate", self.scone_fails("cert", "show-key-hash", key).stderr)
        _, cert = self.make_cert("c", self.KEY_SPECS["ec-p256"])
        broken = self.path("broken.pem")
        text = open(cert).read().splitlines()
        text[3] = text[3][:10] + "!!" + text[3][12:]
        with open(broken, "w") as f:
            f.write("\n".join(text) + "\n")
        self.scone_fails("cert", "show-key-hash", broken)
        self.scone_fails("cert", "show-key-hash")  # usage error


class CliStateTest(SconeTestCase):
    def test_created_private_and_stable(self):
        first = self.scone("self", "show").stdout
        st = os.stat(self.config)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.config)).st_mode), 0o700)
        for _ in range(3):
            self.assertEqual(self.scone("self", "show").stdout, first)
        cert = self.scone("self", "show-certificate").stdout
        self.assertIn(cert, first)
        key_hash = self.scone("self", "show-key-hash").stdout.strip()
        self.assertTrue(first.rstrip().endswith("Public key hash: " + key_hash))
        cert_file = self.path("me.pem")
        with open(cert_file, "w") as f:
            f.write(cert)
        self.assertEqual(key_hash, expected_key_hash(cert_file))
        # The certificate is X.509v3 and self-signed.
        text = openssl("x509", "-in", cert_file, "-noout", "-text").decode()
        self.assertIn("Version: 3", text)
        openssl("verify", "-CAfile", cert_file, "-partial_chain", cert_file)

    def test_config_flag_and_default_location(self):
        other = self.path("other.json")
        a = self.scone("--config", other, "self", "show-key-hash").stdout
        b = self.scone("self", "show-key-hash", "--config", other).stdout
        self.assertEqual(a, b)
        self.assertNotEqual(a, self.scone("self", "show-key-hash").stdout)
        env = dict(self.env)
        del env["SCONE_CLI_CONFIG"]
        self.scone("self", "show", env=env)
        self.assertTrue(os.path.exists(self.path(".cas", "config.json")))

    def test_identity_flag_overrides(self):
        key, cert = self.path("id.key"), self.path("id.crt")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=ext", "-days", "30", "-keyout", key, "-out", cert)
        ident = self.path("identity.pem")
        with open(ident, "w") as f:
            f.write(open(key).read() + open(cert).read())
        out = self.scone("self", "show-key-hash", "--identity", ident).stdout.strip()
        self.assertEqual(out, expected_key_hash(cert))
        self.assertNotEqual(out, self.scone("self", "show-key-hash").stdout.strip())

        wrong_order = self.path("wrong-order.pem")
        with open(wrong_order, "w") as f:
            f.write(open(cert).read() + open(key).read())
        self.assertIn("before the private key",
                      self.scone_fails("self", "show", "--identity", wrong_order).stderr)

        enc = self.path("enc.pem")
        enc_key = openssl("pkcs8", "-topk8", "-in", key, "-v2", "aes-256-cbc", "-passout", "pass:x")
        with open(enc, "w") as f:
            f.write(enc_key.decode() + open(cert).read())
        self.assertIn("encrypted", self.scone_fails("self", "show", "--identity", enc).stderr)

        other_key = self.path("other.key")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other_key)
        mismatch = self.path("mismatch.pem")
        with open(mismatch, "w") as f:
            f.write(open(other_key).read() + open(cert).read())
        self.assertIn("does not belong",
                      self.scone_fails("self", "show", "--identity", mismatch).stderr)

        only_key = self.path("only-key.pem")
        with open(only_key, "w") as f:
            f.write(open(key).read())
        self.assertIn("certificate is missing",
                      self.scone_fails("self", "show", "--identity", only_key).stderr)
        self.scone_fails("self", "show", "--identity", self.path("nope.pem"), code=2)

    def test_parallel_first_runs_make_one_identity(self):
        def run(_):
            return subprocess.run([self.scone_bin(), "self", "show-key-hash"], capture_output=True,
                                  text=True, env=self.env, timeout=120)
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(run, range(20)))
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr)
        hashes = {r.stdout.strip() for r in results}
        self.assertEqual(len(hashes), 1)
        doc = json.load(open(self.config))
        self.assertEqual(doc["version"], 1)
        self.assertEqual(doc["identity"]["key_hash"], hashes.pop())
        self.assertEqual([n for n in os.listdir(os.path.dirname(self.config)) if ".tmp-" in n], [])

    def scone_bin(self):
        from scone_testlib import BIN_DIR
        return os.path.join(BIN_DIR, "scone")

    def test_unsafe_or_corrupt_config_is_refused_and_kept(self):
        self.scone("self", "show")
        original = open(self.config, "rb").read()
        os.chmod(self.config, 0o644)
        r = self.scone_fails("self", "show")
        self.assertIn("chmod 600", r.stderr)
        self.assertEqual(open(self.config, "rb").read(), original)
        os.chmod(self.config, 0o600)

        for bad in [original[: len(original) // 2], b"", b"{}", b'{"version": 7}']:
            with open(self.config, "wb") as f:
                f.write(bad)
            r = self.scone_fails("self", "show")
            self.assertIn(self.config, r.stderr)
            self.assertEqual(open(self.config, "rb").read(), bad)
            self.assertNotIn("PRIVATE KEY", r.stderr)

    def test_symlinked_config_or_lock_file_is_refused_and_kept(self):
        # The lock file: a dangling link there must not make scone create its target.
        os.makedirs(os.path.dirname(self.config))
        target = self.path("planted")
        os.symlink(target, self.config + ".lock")
        r = self.scone_fails("self", "show")
        self.assertIn("symbolic link", r.stderr)
        self.assertFalse(os.path.lexists(target))
        self.assertFalse(os.path.lexists(self.config))
        os.unlink(self.config + ".lock")
        # The config itself: refused for reading and writing alike, the link kept.
        real = self.path("real.json")
        self.scone("self", "show", env=dict(self.env, SCONE_CLI_CONFIG=real))
        original = open(real, "rb").read()
        os.symlink(real, self.config)
        for args in (["self", "show"], ["cas", "set-default", "x"]):
            r = self.scone_fails(*args)
            self.assertIn("symbolic link", r.stderr)
            self.assertIn("--config", r.stderr)
            self.assertTrue(os.path.islink(self.config))
            self.assertEqual(open(real, "rb").read(), original)


class CliMessagesTest(SconeTestCase):
    def test_unknown_command_is_named_with_the_closest_one(self):
        cases = [
            (["bogus"], '"bogus" for "scone"', None),
            (["slef", "show"], '"slef" for "scone"', '"scone self"'),
            (["cas", "frobnicate"], '"frobnicate" for "scone cas"', None),
            (["cas", "atest", "x"], '"atest" for "scone cas"', '"scone cas attest"'),
            (["cas", "session", "chek"], '"chek" for "scone cas session"',
             '"scone cas session check"'),
            (["session", "frobnicate"], '"frobnicate" for "scone session"', None),
            (["self", "show-keyhash"], '"show-keyhash" for "scone self"',
             '"scone self show-key-hash"'),
        ]
        for args, named, suggestion in cases:
            with self.subTest(args=args):
                r = self.scone_fails(*args)
                self.assertIn("unknown command " + named, r.stderr)
                self.assertNotIn("A subcommand is required", r.stderr)
                if suggestion:
                    self.assertIn("did you mean " + suggestion, r.stderr)
                else:
                    self.assertNotIn("did you mean", r.stderr)
        r = self.scone_fails("cas")
        self.assertIn('"scone cas" needs a command: session, attest, list', r.stderr)

    def test_errors_escape_control_characters_of_arguments(self):
        name = self.path("cert\x1b[2J\x1b]0;pwned\x07\nerror: forged.pem")
        r = self.scone_fails("cert", "show-key-hash", name, code=2)
        self.assertNotIn("\x1b", r.stderr)
        self.assertNotIn("\x07", r.stderr)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        self.assertIn("cert\\x1b[2J\\x1b]0;pwned\\x07\\nerror: forged.pem", r.stderr)
        # CLI11's own messages quote arguments too.
        r = self.scone_fails("self", "show", "--format", "\x1b[31mred")
        self.assertNotIn("\x1b", r.stderr)
