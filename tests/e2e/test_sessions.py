"""Sessions on CAS end to end (issue "Sessions on CAS", seed "Session Handling"): `scone
session create|update|read|verify|list|history` (also as `scone cas session ...`) against
real `las` and `cas` processes; docs/cli.md "Sessions", docs/cas.md."""

import json
import os
import re
import stat
import subprocess
import tempfile

from scone_testlib import BIN_DIR, TESTDATA, Cas, Las, SconeTestCase, expected_key_hash

OWNER_TOML = '[ias]\nbase_uri = "https://demo.test"\n'
MRE = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac"
OTHER_MRE = "0a7f2f03e98a63656868a7083aa110210d244740fa73fa455130a1f926398e9e"
NAME = "my-example-session"

# The seed's sessions/my-example-session.001.yml and .002.yml, verbatim.
SEED_001 = 'name: "my-example-session"\nversion: "0.2"\npredecessor: ~\n'
SEED_002 = ('name: "my-example-session"\nversion: "0.2"\n\nservices:\n  - name: webservice\n'
            '    command: "./nginx"\n    mrenclaves: ["$NGINX_MRENCLAVE"]\n')

HASH_RE = r"^[0-9a-f]{64}$"


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def indented(text, spaces):
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


class SessionsTest(SconeTestCase):
    """One las and one provisioned CAS for the class; every test attests it with a CLI state
    of its own and uses session names of its own."""

    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="scone-e2e-sessions-")
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

    # ---- helpers ---------------------------------------------------------------------------

    def scone_fails(self, *args, code=1, env=None):
        """Like SconeTestCase.scone_fails, but the validator's warnings may come first."""
        r = self.scone(*args, check=False, env=env)
        self.assertEqual(r.returncode, code, f"stdout: {r.stdout}\nstderr: {r.stderr}")
        lines = r.stderr.splitlines()
        self.assertTrue(lines and lines[-1].startswith("error: "), r.stderr)
        self.assertTrue(all(": warning: " in line for line in lines[:-1]), r.stderr)
        return r

    def my_certificate(self, env=None):
        path = self.path("me.pem") if env is None else env["SCONE_CLI_CONFIG"] + ".pem"
        write(path, self.scone("self", "show-certificate", env=env).stdout)
        return path

    def other_identity(self, name="other"):
        """Another user: an --identity file (key, then certificate), its certificate and its
        key hash."""
        config = self.path(name, "config.json")
        env = dict(self.env, SCONE_CLI_CONFIG=config)
        self.scone("self", "show", env=env)
        doc = json.loads(read(config))
        both = write(self.path(name, "identity.pem"),
                     doc["identity"]["private_key"] + doc["identity"]["certificate"])
        os.chmod(both, 0o600)
        cert = write(self.path(name, "cert.pem"), doc["identity"]["certificate"])
        return both, cert, expected_key_hash(cert)

    def session_file(self, name, body="", file_name=None, version="0.3"):
        return write(self.path(file_name or (name.replace("/", "_") + ".yml")),
                     f'name: "{name}"\nversion: "{version}"\n{body}')

    def hash_of(self, path, *args, creator=None):
        creator = creator or self.my_certificate()
        return self.scone("session", "calculate-hash", path, "--creator", creator,
                          *args).stdout.strip()

    def history(self, name, *args):
        return json.loads(self.scone("session", "history", name, "--format", "json",
                                     *args).stdout)["versions"]

    # ---- the seed's example -----------------------------------------------------------------

    def test_seed_example_create_update_read_verify_history(self):
        s1 = write(self.path("sessions", "my-example-session.001.yml"), SEED_001)
        s2 = write(self.path("sessions", "my-example-session.002.yml"), SEED_002)
        env_flag = ["-e", "NGINX_MRENCLAVE=" + MRE]
        self.scone("cas", "session", "check", s1)

        h1 = self.scone("cas", "session", "create", s1).stdout.strip()
        self.assertRegex(h1, HASH_RE)
        # CAS's hash is the one calculate-hash gives offline with the uploader as creator.
        self.assertEqual(h1, self.hash_of(s1))

        # Created once: a second create is refused and says to use update.
        r = self.scone_fails("cas", "session", "create", s1)
        self.assertIn("update", r.stderr)
        r = self.scone_fails("session", "create", s2, *env_flag)
        self.assertIn("update", r.stderr)

        # A variable missing on the command line: an error naming it, nothing uploaded.
        r = self.scone_fails("cas", "session", "update", s2)
        self.assertIn("NGINX_MRENCLAVE", r.stderr)
        self.assertIn(f"{s2}:7:", r.stderr)
        self.assertEqual([v["hash"] for v in self.history(NAME)], [h1])

        h2 = self.scone("cas", "session", "update", *env_flag, s2).stdout.strip()
        self.assertRegex(h2, HASH_RE)
        # The CLI filled in the predecessor: the same hash as the file with it, offline.
        with_pred = write(self.path("with-pred.yml"), SEED_002 + f"predecessor: {h1}\n")
        self.assertEqual(h2, self.hash_of(with_pred, *env_flag))

        # read: the active version, a version by hash, JSON, -o FILE, not found.
        text = self.scone("session", "read", NAME).stdout
        self.assertIn(MRE, text)
        self.assertNotIn("$NGINX_MRENCLAVE", text)
        old = json.loads(self.scone("cas", "session", "read", NAME, "--hash", h1,
                                    "--format", "json").stdout)
        self.assertEqual(old["hash"], h1)
        self.assertIsNone(old["predecessor"])
        active = json.loads(self.scone("session", "read", NAME, "--format", "json").stdout)
        self.assertEqual((active["name"], active["hash"], active["predecessor"]),
                         (NAME, h2, h1))
        self.assertEqual(active["creator"], self.scone("self", "show-key-hash").stdout.strip())
        self.assertEqual(active["session"], text)
        out = self.path("read-back.yml")
        self.assertEqual(self.scone("session", "read", NAME, "-o", out).stdout, "")
        self.assertEqual(read(out), text)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        self.scone_fails("session", "read", "no-such-session", code=2)
        self.scone_fails("session", "read", NAME, "--hash", "ab" * 32, code=2)

        # verify: match (prints the hash), mismatch (names the first differing path).
        self.assertEqual(self.scone("cas", "session", "verify", *env_flag, s2).stdout.strip(), h2)
        self.assertEqual(self.scone("session", "verify", out).stdout.strip(), h2)
        r = self.scone_fails("cas", "session", "verify", "-e", "NGINX_MRENCLAVE=" + OTHER_MRE, s2)
        self.assertIn("services[webservice].attestation[0].mrenclave", r.stderr)
        self.assertNotIn(OTHER_MRE, r.stderr)
        self.assertEqual(r.stdout, "")
        r = self.scone_fails("session", "verify", s1)
        self.assertIn("services[webservice]", r.stderr)
        self.scone_fails("session", "verify", s2)  # the variable is missing

        # history, oldest first.
        versions = self.history(NAME)
        self.assertEqual([v["hash"] for v in versions], [h1, h2])
        self.assertEqual(versions[1]["predecessor"], h1)
        self.assertRegex(versions[0]["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        lines = self.scone("session", "history", NAME).stdout.splitlines()
        self.assertEqual([line.split()[0] for line in lines], [h1, h2])

        self.assertIn(NAME, self.scone("session", "list").stdout.splitlines())
        self.assertIn(NAME, json.loads(self.scone("cas", "session", "list", "--format",
                                                  "json").stdout)["sessions"])

    def test_update_with_an_explicit_predecessor(self):
        path = self.session_file("explicit-pred")
        h1 = self.scone("session", "create", path).stdout.strip()
        h2 = self.scone("session", "update", write(path, read(path) + f"predecessor: {h1}\n")
                        ).stdout.strip()
        # A stale predecessor: refused, naming the active hash; nothing changes.
        r = self.scone_fails("session", "update", path)
        self.assertIn(h2, r.stderr)
        # create with predecessor = the active hash updates, as SCONE's CLI does.
        h3 = self.scone("session", "create",
                        write(path, read(path).replace(h1, h2))).stdout.strip()
        self.assertEqual([v["hash"] for v in self.history("explicit-pred")], [h1, h2, h3])

    def test_update_of_a_session_that_does_not_exist(self):
        self.scone_fails("session", "update", self.session_file("never-created"), code=2)

    def test_commands_need_an_attested_cas(self):
        path = self.session_file("unattested")
        r = self.scone_fails("session", "create", path, "--cas", "127.0.0.1:1")
        self.assertIn("scone cas attest", r.stderr)
        self.scone_fails("session", "read", "unattested", "--cas", "127.0.0.1:1")
        self.scone_fails("session", "read", "unattested", code=2)  # nothing was created

    def test_invalid_names_and_hashes_are_refused_before_sending(self):
        self.scone_fails("session", "read", "../x")
        self.scone_fails("session", "read", "a?b")
        self.scone_fails("session", "history", "")
        self.scone_fails("session", "read", "x", "--hash", "12")

    # ---- access policies --------------------------------------------------------------------

    def test_another_identity_is_refused_unless_the_policy_names_it(self):
        other_id, other_cert, other_hash = self.other_identity()
        as_other = ["--identity", other_id]

        default = self.session_file("policy-default")
        self.scone("session", "create", default)
        r = self.scone_fails("session", "read", "policy-default", *as_other)
        self.assertIn("read", r.stderr)
        r = self.scone_fails("session", "update", default, *as_other)
        self.assertIn("read", r.stderr)  # the predecessor is read first
        h = self.history("policy-default")[0]["hash"]
        r = self.scone_fails("session", "update",
                             write(default, read(default) + f"predecessor: {h}\n"), *as_other)
        self.assertIn("update", r.stderr)
        r = self.scone_fails("session", "verify", default, *as_other)
        self.assertIn("read", r.stderr)

        # Named by certificate (read) and by key hash (update).
        named = self.session_file(
            "policy-named",
            "access_policy:\n  read:\n    - CREATOR\n    - |\n" + indented(read(other_cert), 6) +
            f"  update: [CREATOR, {other_hash}]\n")
        self.scone("session", "create", named)
        self.assertIn("policy-named", self.scone("session", "read", "policy-named",
                                                 *as_other).stdout)
        first = self.history("policy-named")[0]["hash"]
        h2 = self.scone("session", "update", named, *as_other).stdout.strip()
        # The other user is now the creator: CREATOR means the active version's creator.
        versions = self.history("policy-named", *as_other)
        self.assertEqual([v["hash"] for v in versions], [first, h2])
        self.assertEqual(versions[-1]["creator"], other_hash)
        self.assertEqual(h2, self.hash_of(write(self.path("named2.yml"),
                                                read(named) + f"predecessor: {first}\n"),
                                          creator=other_cert))

        # ANY may read, but not update.
        anyone = self.session_file("policy-any", "access_policy:\n  read: [ANY]\n")
        self.scone("session", "create", anyone)
        self.scone("session", "read", "policy-any", *as_other)
        r = self.scone_fails("session", "update", anyone, *as_other)
        self.assertIn("update", r.stderr)

    def test_none_locks_the_session(self):
        locked = self.session_file("locked", "access_policy:\n  update: NONE\n")
        self.scone("session", "create", locked)
        self.scone("session", "read", "locked")
        r = self.scone_fails("session", "update", locked)
        self.assertIn("update", r.stderr)
        r = self.scone_fails("session", "create", locked)  # the name exists
        self.assertIn("update", r.stderr)
        self.assertEqual(len(self.history("locked")), 1)

        sealed = self.session_file("sealed", "access_policy:\n  read: NONE\n")
        self.scone("session", "create", sealed)
        r = self.scone_fails("session", "read", "sealed")
        self.assertIn("read", r.stderr)

    # ---- namespaces -------------------------------------------------------------------------

    def test_namespaces(self):
        other_id, _, other_hash = self.other_identity()
        self.scone("session", "create", self.session_file(
            "team", f"access_policy:\n  create_sessions: [CREATOR, {other_hash}]\n"))
        self.scone("session", "create", self.session_file("closed"))

        child = self.session_file("team/app")
        h = self.scone("session", "create", child).stdout.strip()
        self.assertEqual(h, self.hash_of(child))
        self.assertIn("team/app", self.scone("session", "read", "team/app").stdout)
        self.assertEqual(self.scone("session", "verify", child).stdout.strip(), h)
        self.assertEqual([v["hash"] for v in self.history("team/app")], [h])
        self.scone("session", "update", child)
        self.assertEqual(len(self.history("team/app")), 2)

        # The parent's create_sessions names the other user; another parent does not.
        self.scone("session", "create", self.session_file("team/theirs"), "--identity", other_id)
        r = self.scone_fails("session", "create", self.session_file("closed/theirs"),
                             "--identity", other_id)
        self.assertIn("create_sessions", r.stderr)
        # No parent, no child (CAS: 404 for the parent).
        r = self.scone_fails("session", "create", self.session_file("no-parent/x"), code=2)
        self.assertIn("no-parent", r.stderr)

        listed = self.scone("session", "list", "team").stdout.splitlines()
        self.assertIn("team/app", listed)
        self.assertNotIn("closed", listed)
        self.scone_fails("session", "read", "team/nothing", code=2)

    def test_listing_honours_list_sessions(self):
        lister_id, _, lister_hash = self.other_identity("lister")
        reader_id, _, reader_hash = self.other_identity("reader")
        self.scone("session", "create", self.session_file(
            "crew", f"access_policy:\n  read: [CREATOR, {reader_hash}]\n"
                    f"  list_sessions: [{lister_hash}]\n"))
        self.scone("session", "create", self.session_file("crew/app"))
        self.assertEqual(self.scone("session", "list", "crew", "--identity",
                                    lister_id).stdout.split(), ["crew/app"])
        # The reader may read the namespace's session, not list it; the creator may create
        # sessions in it, so it may list.
        self.scone("session", "read", "crew", "--identity", reader_id)
        r = self.scone_fails("session", "list", "crew", "--identity", reader_id)
        self.assertIn("list_sessions", r.stderr)
        self.assertIn("crew/app", self.scone("session", "list", "crew").stdout.split())

    def test_governance_is_refused_and_nothing_is_stored(self):
        signer = read(os.path.join(TESTDATA, "sessions", "certs", "signer-ed25519-a.pem"))
        gov = self.session_file(
            "governed", "access_policy:\n  read: NONE\n  update:\n    require-all:\n"
                        "      - signer: |\n" + indented(signer, 10))
        self.scone("session", "check", gov)  # valid session language
        r = self.scone_fails("cas", "session", "create", gov)
        self.assertIn("signed sessions and governance (signer, require-all, require-at-least-N) "
                      "are not supported by this CAS yet", r.stderr)
        self.scone_fails("session", "read", "governed", code=2)
        # A signed session file is refused before anything is sent.
        signed = write(self.path("signed.json"),
                       '{"session": "name: governed\\nversion: \\"0.3\\"\\n",\n'
                       ' "signatures": []}\n')
        r = self.scone_fails("session", "create", signed)
        self.assertIn("signed session", r.stderr)
        self.scone_fails("session", "read", "governed", code=2)

    # ---- concurrency ------------------------------------------------------------------------

    def test_sixteen_clients_racing_one_update(self):
        clients = 16
        base = self.session_file("race")
        active = self.scone("session", "create", base).stdout.strip()
        chain = [active]
        for round_ in range(3):
            files = [self.session_file("race", f"predecessor: {active}\nservices:\n"
                                               f"  - name: s\n    pwd: /r{round_}c{i}\n"
                                               f"    attestation: {{mrenclave: [{MRE}]}}\n",
                                       file_name=f"race-{round_}-{i}.yml")
                     for i in range(clients)]
            procs = [subprocess.Popen([os.path.join(BIN_DIR, "scone"), "session", "update", f],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=self.env) for f in files]
            results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
            winners = [r for r in results if r[0] == 0]
            self.assertEqual(len(winners), 1, results)
            active = winners[0][1].strip()
            self.assertRegex(active, HASH_RE)
            for code, out, err in results:
                if code != 0:
                    self.assertEqual(code, 1, err)
                    self.assertEqual(out, "")
                    # 409, naming the hash that won.
                    self.assertIn(active, err)
            chain.append(active)
        versions = self.history("race")
        self.assertEqual([v["hash"] for v in versions], chain)
        for prev, v in zip(versions, versions[1:]):
            self.assertEqual(v["predecessor"], prev["hash"])


if __name__ == "__main__":
    import unittest
    unittest.main()
