"""Durability of sessions (issue 13 item 6): `cas` is killed with SIGKILL again and again
while several clients create and update sessions. After each restart, every version CAS
acknowledged must be there, readable by its hash with the predecessor it was uploaded
with, and the chain of every session must lead from its first version to its active one.

Slow (labelled `slow`, not `e2e`): every client must get uploads acknowledged between two
kills, so the test waits for progress rather than for a fixed time (sanitizer builds are
several times slower than release builds)."""

import http.client
import random
import threading
import time

from scone_testlib import RawCasTestCase

CLIENTS = 4
KILLS = 6


class Client(threading.Thread):
    """Uploads versions of its own sessions until stopped; records what CAS acknowledged."""

    def __init__(self, test, index):
        super().__init__(daemon=True)
        self.test = test
        self.index = index
        self.who = f"client{index}"
        self.acked = []   # (name, hash, predecessor) of every 200/201 answer
        self.active = {}  # name -> the hash this client believes is active
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            name = f"c{self.index}-s{n % 3}"
            try:
                self.upload(name, n)
            except (OSError, http.client.HTTPException):
                # CAS was killed mid-request: whether this version was stored is unknown.
                # Learn the active hash again once CAS is back.
                self.active.pop(name, None)
                time.sleep(0.05)
            except Exception as e:  # pylint: disable=broad-except
                # Anything else is a bug in CAS or in this test: record it, so the test
                # fails with it instead of a silently dead thread.
                self.errors.append(f"{name}: {type(e).__name__}: {e}")
                return

    def upload(self, name, n):
        if name not in self.active:
            status, body = self.test.call("GET", f"/v1/sessions/{name}", None, self.who)
            if status == 200:
                self.active[name] = body["hash"]
            elif status != 404:
                self.errors.append(f"GET {name}: {status} {body}")
                return
        predecessor = self.active.get(name)
        yaml = f'name: {name}\nversion: "0.3"\n# upload {n}\n'
        if predecessor:
            yaml += f"predecessor: {predecessor}\n"
        status, body = self.test.call("POST", "/v1/sessions", yaml, self.who)
        if status in (200, 201):
            self.acked.append((name, body["hash"], predecessor))
            self.active[name] = body["hash"]
        else:
            self.errors.append(f"POST {name}: {status} {body}")


class CasSessionsDurabilityTest(RawCasTestCase):
    def setUp(self):
        super().setUp()
        self.start_cas(["owner"] + [f"client{i}" for i in range(CLIENTS)])
        self.provision("owner")

    def test_kill_9_loses_no_acknowledged_version_and_keeps_every_chain(self):
        clients = [Client(self, i) for i in range(CLIENTS)]
        for c in clients:
            c.start()
        rng = random.Random(13)
        for _ in range(KILLS):
            # Wait until every client has had two uploads acknowledged since the last
            # restart, then kill at a random moment soon after.
            marks = [len(c.acked) for c in clients]
            deadline = time.monotonic() + 120
            while any(len(c.acked) < m + 2 for c, m in zip(clients, marks)):
                dead = [c.who for c in clients if not c.is_alive()]
                self.assertEqual(dead, [], [c.errors for c in clients])
                self.assertLess(time.monotonic(), deadline, "no progress after a restart")
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))
            self.cas.kill()
            self.cas.restart()
        time.sleep(0.5)
        for c in clients:
            c.stop.set()
        for c in clients:
            c.join(timeout=60)
        self.cas.kill()
        self.cas.restart()

        acked = [a for c in clients for a in c.acked]
        print(f"\n{len(acked)} acknowledged versions of {len({a[0] for a in acked})} sessions "
              f"from {CLIENTS} clients across {KILLS} kills", flush=True)
        self.assertGreater(len(acked), CLIENTS * KILLS, "too few uploads to say anything")
        for c in clients:
            self.assertEqual(c.errors, [], c.who)
        for name, digest, predecessor in acked:
            status, body = self.call("GET", f"/v1/sessions/{name}?hash={digest}", None,
                                     "client" + name[1:name.index("-")])
            self.assertEqual(status, 200, (name, digest, body))
            self.assertEqual(body["predecessor"], predecessor, name)
        for name in sorted({a[0] for a in acked}):
            who = "client" + name[1:name.index("-")]
            status, history = self.call("GET", f"/v1/sessions/{name}/history", None, who)
            self.assertEqual(status, 200, history)
            chain = history["versions"]
            self.assertIsNone(chain[0]["predecessor"], name)
            for before, after in zip(chain, chain[1:]):
                self.assertEqual(after["predecessor"], before["hash"], name)
            hashes = {v["hash"] for v in chain}
            for a in acked:
                if a[0] == name:
                    self.assertIn(a[1], hashes, (name, a[1]))
            status, active = self.call("GET", f"/v1/sessions/{name}", None, who)
            self.assertEqual(active["hash"], chain[-1]["hash"], name)
