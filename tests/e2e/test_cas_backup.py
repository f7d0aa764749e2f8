"""CAS backup (docs/backup.md; seed "CAS Backup"): two las platform directories are two
machines under one simulated root; the owner registers a backup, the primary's files are
copied to the backup's machine and open there; every negative case of issue 16."""

import json
import os
import shutil

from scone_testlib import BIN_DIR, Cas, Las, SconeTestCase, openssl

OWNER_TOML = '[ias]\nbase_uri = "https://demo.test"\n'
RELEASE_KEY = os.path.join(BIN_DIR, "..", "release-signer", "cas-signer-key.pem")
CAS_BIN = os.path.join(BIN_DIR, "cas")
SUFFIXES = ("", ".key-store", ".backups")


class CasBackupTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.las_a = Las(self.path("machine-a"))
        self.addCleanup(self.las_a.close)
        self.las_b = Las(self.path("machine-b"), sim_root_from=self.path("machine-a"))
        self.addCleanup(self.las_b.close)
        self.sim = ["--only_for_testing-sim-root-ca", self.las_a.sim_root]
        self.owner_config = self.path("owner.toml")
        with open(self.owner_config, "w") as f:
            f.write(OWNER_TOML)

    def tearDown(self):
        self.doCleanups()
        super().tearDown()

    def start_cas(self, name, las, **kwargs):
        cas = Cas(self.path(name), las, **kwargs)
        self.addCleanup(cas.close)
        return cas

    def primary(self):
        """A provisioned primary on machine A with an owner configuration and a session."""
        cas = self.start_cas("primary", self.las_a)
        self.scone("cas", "provision", cas.address, "-c", cas.key_hash, "--token", cas.token,
                   "--config-file", self.owner_config, "with-attestation", *self.sim)
        session = self.path("app.yaml")
        with open(session, "w") as f:
            f.write('name: app\nversion: "0.3"\n')
        self.scone("session", "create", session)
        return cas

    def signed_copy(self, name, key=RELEASE_KEY, isvprodid="41", isvsvn="2"):
        binary = self.path(name + "-cas")
        shutil.copy(CAS_BIN, binary)
        self.scone("signer", "sign", "--key", key, "--isvprodid", isvprodid, "--isvsvn", isvsvn,
                   "--production", binary)
        return binary

    def register(self, backup, *args, check=True):
        r = self.scone("cas", "register-backup", backup.address, *self.sim, *args, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def copy_files(self, cas, to):
        os.makedirs(to, exist_ok=True)
        for suffix in SUFFIXES:
            if os.path.exists(cas.database + suffix):
                shutil.copy(cas.database + suffix, os.path.join(to, "cas.db" + suffix))
        return os.path.join(to, "cas.db")

    def test_a_registered_backup_serves_the_moved_database_with_the_same_pins(self):
        primary = self.primary()
        backup = self.start_cas("backup", self.las_b)  # not provisioned
        r = self.register(backup)
        self.assertIn(f"Backup CAS {backup.address} was registered", r.stdout)
        listed = json.loads(self.scone("cas", "list-backups", "--format", "json").stdout)
        self.assertEqual(len(listed["backups"]), 1)
        self.assertEqual(listed["backups"][0]["address"], backup.address)
        primary_hash = primary.key_hash
        primary.close()
        backup.close()

        db = self.copy_files(primary, self.path("moved"))
        moved = self.start_cas("moved", self.las_b, database=db)
        self.assertEqual(moved.key_hash, primary_hash)
        self.assertIn("came from another machine", moved.log_text)
        # The old pin (the CAS key hash) holds; the owner, configuration and session are there.
        self.scone("cas", "attest", moved.address, "-c", primary_hash, *self.sim)
        # The owner is the same: only the owner may update the configuration.
        self.scone("cas", "update-config", "--cas", moved.address, "--config-file",
                   self.owner_config)
        r = self.scone("cas", "session", "read", "app", "--cas", moved.address)
        self.assertIn("name: \"app\"", r.stdout)
        # Restarting needs no entry any more: the key is sealed to machine B now.
        moved.close()
        os.remove(db + ".backups")
        moved.restart()
        self.assertEqual(moved.key_hash, primary_hash)

    def test_refusals_of_the_registration_name_the_check(self):
        self.primary()
        other_key = self.path("other-signer.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", other_key)
        cases = [
            ("other-signer", dict(key=other_key), "mrsigner"),
            ("other-product", dict(isvprodid="42"), "isvprodid"),
            ("lower-isvsvn", dict(isvsvn="1"), "isvsvn"),
        ]
        for name, sign, check in cases:
            with self.subTest(name):
                backup = self.start_cas(name, self.las_b, binary=self.signed_copy(name, **sign))
                r = self.register(backup, check=False)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(f"backup CAS {backup.address} refused: {check} check", r.stderr)
                backup.close()
        # A worse TCB state than the primary's needs the owner's relaxation.
        las_c = Las(self.path("machine-c"), tcb_state="SWHardeningNeeded",
                    sim_root_from=self.path("machine-a"))
        self.addCleanup(las_c.close)
        worse = self.start_cas("worse", las_c)
        r = self.register(worse, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("tcb-status check", r.stderr)
        self.assertIn("-S", r.stderr)
        self.register(worse, "-S")
        # Without the simulated root nothing verifies, and the message names the option.
        r = self.scone("cas", "register-backup", worse.address, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--only_for_testing-sim-root-ca", r.stderr)

    def test_a_non_owner_cannot_register(self):
        self.primary()
        backup = self.start_cas("backup", self.las_b)
        # Another identity (made by a second CLI state), given with --identity.
        other = dict(self.env, SCONE_CLI_CONFIG=self.path("other", "config.json"))
        self.scone("self", "show-key-hash", env=other)
        with open(self.path("other", "config.json")) as f:
            doc = json.load(f)
        identity = self.path("other-identity.pem")
        with open(identity, "w") as f:
            f.write(doc["identity"]["private_key"] + doc["identity"]["certificate"])
        os.chmod(identity, 0o600)
        r = self.scone("cas", "register-backup", backup.address, *self.sim, "--identity",
                       identity, check=False)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("only the CAS owner may register backups", r.stderr)

    def test_the_copy_does_not_open_on_an_unregistered_or_lesser_cas_or_with_a_changed_entry(self):
        primary = self.primary()
        backup = self.start_cas("backup", self.las_b)
        self.register(backup)
        primary.close()
        backup.close()
        las_c = Las(self.path("machine-c"), sim_root_from=self.path("machine-a"))
        self.addCleanup(las_c.close)

        def refused(name, las, expect, binary=None, edit=None):
            db = self.copy_files(primary, self.path(name))
            if edit:
                edit(db + ".backups")
            with self.assertRaises(RuntimeError) as e:
                self.start_cas(name, las, database=db, binary=binary)
            self.assertIn(db, str(e.exception))
            self.assertIn(expect, str(e.exception))

        refused("unregistered", las_c, "for a CAS on another machine")
        refused("lower", self.las_b, "needs ISVSVN 2 or higher",
                binary=self.signed_copy("lower-cas", isvsvn="1"))

        def tamper(path):
            with open(path) as f:
                doc = json.load(f)
            w = doc["entries"][0]["wrapped_key"]
            doc["entries"][0]["wrapped_key"] = w[:-2] + ("00" if w[-2:] != "00" else "01")
            with open(path, "w") as f:
                json.dump(doc, f)

        refused("tampered", self.las_b, "was changed", edit=tamper)

    def moved_to_backup(self):
        """The primary's files moved to its registered backup's machine, served there at the
        registered address; returns (primary, moved)."""
        primary = self.primary()
        backup = self.start_cas("backup", self.las_b)
        self.register(backup)
        primary.close()
        backup.close()
        db = self.copy_files(primary, self.path("moved"))
        moved = self.start_cas("moved", self.las_b, database=db, port=backup.port)
        self.assertIn("serving generation 2", moved.log_text)
        return primary, moved

    def test_the_old_primary_on_its_stale_copy_is_refused_while_the_backup_serves(self):
        primary, moved = self.moved_to_backup()
        with self.assertRaises(RuntimeError) as e:
            primary.restart()
        text = str(e.exception)
        self.assertIn(f"CAS {moved.address} serves generation 2 of this database", text)
        self.assertIn(f"this copy ({primary.database}) is generation 1", text)
        self.assertIn("another instance has taken over", text)
        self.assertIn("cas --take-over-database", text)
        self.assertNotIn("listening on", text)
        # The backup still serves, untouched.
        self.scone("cas", "attest", moved.address, "-c", moved.key_hash, *self.sim)

    def test_the_override_starts_the_old_primary_and_says_so(self):
        primary, moved = self.moved_to_backup()
        moved_hash = moved.key_hash
        moved.close()
        moved.restart()  # generation 3 on machine B
        primary.extra_args = ["--take-over-database"]
        primary.restart()
        self.assertIn("--take-over-database: taking over database", primary.log_text)
        self.assertIn("as generation 4", primary.log_text)
        self.assertIn(f"CAS {moved.address} serves generation 3", primary.log_text)
        self.assertEqual(primary.key_hash, moved_hash)

    def test_a_missing_writer_mark_is_refused_until_the_override(self):
        primary = self.primary()
        primary.close()
        os.remove(primary.database + ".writer-mark")
        with self.assertRaises(RuntimeError) as e:
            primary.restart()
        text = str(e.exception)
        self.assertIn(f"database {primary.database} (generation 1) was last opened by this CAS "
                      "instance", text)
        self.assertIn(primary.database + ".writer-mark for it is missing", text)
        self.assertIn("cas --take-over-database", text)
        self.assertNotIn("listening on", text)
        self.assertFalse(os.path.exists(primary.database + ".writer-mark"))  # nothing written
        primary.extra_args = ["--take-over-database"]
        primary.restart()
        self.assertIn("as generation 2", primary.log_text)
        self.assertTrue(os.path.exists(primary.database + ".writer-mark"))
        primary.close()
        primary.extra_args = []
        primary.restart()  # the mark is back: an ordinary start
        self.assertIn("serving generation 3", primary.log_text)

    def test_this_machine_restarted_on_an_older_copy_of_its_own_files_is_refused(self):
        primary = self.primary()
        primary.close()
        saved = self.copy_files(primary, self.path("saved"))
        primary.restart()  # generation 2, and the mark says so
        self.assertIn("serving generation 2", primary.log_text)
        primary.close()
        for suffix in SUFFIXES:
            if os.path.exists(saved + suffix):
                shutil.copy(saved + suffix, primary.database + suffix)
        with self.assertRaises(RuntimeError) as e:
            primary.restart()
        text = str(e.exception)
        self.assertIn(f"database {primary.database} is generation 1, but this CAS already "
                      "served generation 2 of it", text)
        self.assertIn(primary.database + ".writer-mark", text)
        self.assertIn("cas --take-over-database", text)
        # The operator may still serve the older copy, explicitly; it then becomes the newest.
        primary.extra_args = ["--take-over-database"]
        primary.restart()
        self.assertIn("as generation 3", primary.log_text)
