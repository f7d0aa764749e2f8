"""GET /metrics of cas and las (docs/metrics.md): a real las and cas with --metrics-listen,
a few requests (some refused), then both scrapes parsed with Prometheus's own text parser
(Debian's python3-prometheus-client) and the counts checked to have moved as expected."""

import http.client
import json
import re
import socket
import unittest

from prometheus_client.parser import text_string_to_metric_families

from scone_testlib import RawCasTestCase


def metrics_address(log_path):
    with open(log_path) as f:
        m = re.search(r"listening on http://(127\.0\.0\.1):(\d+) \(metrics\)", f.read())
    assert m, "no metrics listener in " + log_path
    return m.group(1), int(m.group(2))


def get(address, path, method="GET"):
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode()
    finally:
        conn.close()


class Scrape:
    """One scrape, parsed: every sample by name and labels."""

    def __init__(self, address):
        status, content_type, self.text = get(address, "/metrics")
        assert status == 200, status
        assert content_type == "text/plain; version=0.0.4; charset=utf-8", content_type
        self.families = {f.name: f for f in text_string_to_metric_families(self.text)}
        self.samples = {}
        for family in self.families.values():
            for s in family.samples:
                self.samples[(s.name, frozenset(s.labels.items()))] = s.value

    def value(self, name, **labels):
        return self.samples[(name, frozenset(labels.items()))]


class MetricsTest(RawCasTestCase):
    def setUp(self):
        super().setUp()
        self.start_cas(["owner"], las_args=["--metrics-listen", "127.0.0.1:0"],
                       cas_args=["--metrics-listen", "127.0.0.1:0"], las_tcp=True)
        self.cas_metrics = metrics_address(self.cas.log_path)
        self.las_metrics = metrics_address(self.las.log_path)

    def raw_tls(self, data):
        """Plain bytes to CAS's TLS port: a failed handshake."""
        with socket.create_connection(("127.0.0.1", self.cas.port), timeout=30) as s:
            s.sendall(data)
            s.recv(100)

    def test_counts_move_as_requests_are_answered_and_refused(self):
        cas0, las0 = Scrape(self.cas_metrics), Scrape(self.las_metrics)
        self.assertEqual(cas0.value("cas_provisioned"), 0)

        for _ in range(3):
            self.assertEqual(self.call("GET", "/v1/version", None, None)[0], 200)
        nonce = json.dumps({"nonce": "ab" * 32})
        self.assertEqual(self.call("POST", "/v1/attestation", nonce, None)[0], 200)
        self.assertEqual(self.call("GET", "/v1/config", None, None)[0], 401)
        self.assertEqual(self.call("POST", "/v1/attestation", "{}", None)[0], 400)
        self.assertEqual(self.call("GET", "/v1/no/such/thing", None, None)[0], 404)
        self.assertEqual(self.call("DELETE", "/v1/version", None, None)[0], 405)
        self.raw_tls(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.provision("owner")
        # las's testing TCP listener: a quote of a program the caller names, and junk.
        las_host, las_port = self.las.tcp.rsplit(":", 1)
        conn = http.client.HTTPConnection(las_host, int(las_port), timeout=30)
        conn.request("POST", "/v1/quote", json.dumps({"report_data": "ab",
                                                     "program": "/usr/bin/true"}))
        named = conn.getresponse()
        self.assertEqual(named.status, 200, named.read())
        conn.close()
        with socket.create_connection((las_host, int(las_port)), timeout=30) as s:
            s.sendall(b"NOT HTTP\r\n\r\n")
            self.assertIn(b" 400 ", s.recv(200))

        cas1, las1 = Scrape(self.cas_metrics), Scrape(self.las_metrics)

        def moved(scrape0, scrape1, name, **labels):
            return scrape1.value(name, **labels) - scrape0.value(name, **labels)

        def cas_moved(name, **labels):
            return moved(cas0, cas1, name, **labels)

        # Requests by endpoint (the route's method and pattern) and status.
        req = "cas_requests_total"
        self.assertEqual(cas_moved(req, endpoint="GET /v1/version", status="200"), 3)
        self.assertEqual(cas_moved(req, endpoint="POST /v1/attestation", status="200"), 1)
        self.assertEqual(cas_moved(req, endpoint="POST /v1/attestation", status="400"), 1)
        self.assertEqual(cas_moved(req, endpoint="GET /v1/config", status="401"), 1)
        self.assertEqual(cas_moved(req, endpoint="unmatched", status="404"), 1)
        self.assertEqual(cas_moved(req, endpoint="unmatched", status="405"), 1)
        self.assertEqual(cas_moved(req, endpoint="POST /v1/provision", status="200"), 1)
        # Latency: one observation per answered request, buckets cumulative, +Inf == count.
        dur = "cas_request_duration_seconds"
        self.assertEqual(cas_moved(dur + "_count", endpoint="GET /v1/version"), 3)
        for family in cas1.families.values():
            if family.type != "histogram":
                continue
            by_series = {}
            for s in family.samples:
                if s.name.endswith("_bucket"):
                    key = frozenset((k, v) for k, v in s.labels.items() if k != "le")
                    by_series.setdefault(key, []).append((float(s.labels["le"]), s.value))
            for key, buckets in by_series.items():
                counts = [v for _, v in sorted(buckets)]
                self.assertEqual(counts, sorted(counts), key)
                self.assertEqual(sorted(buckets)[-1][0], float("inf"))
                self.assertEqual(counts[-1], cas1.value(family.name + "_count", **dict(key)))
        # Refusals by reason; the plain-text request on the TLS port failed its handshake.
        self.assertEqual(cas_moved("cas_refusals_total", server="api",
                                   reason="tls_handshake_failed"), 1)
        self.assertEqual(cas_moved("cas_refusals_total", server="api", reason="lane_full"), 0)
        self.assertGreaterEqual(cas_moved("cas_connections_accepted_total", server="api"), 10)
        self.assertGreaterEqual(cas1.value("cas_connections_open", server="api"), 0)
        self.assertEqual(cas1.value("cas_provisioned"), 1)
        self.assertGreater(cas1.value("cas_store_bytes", file="database"), 0)
        self.assertGreater(cas1.value("cas_store_rows"), 0)

        # las: CAS's attestation asked las for one quote of CAS itself (kind caller); the
        # named program's quote (a DEBUG quote) is kind named_program.
        self.assertGreaterEqual(moved(las0, las1, "las_requests_total", endpoint="POST /v1/quote",
                                      status="200"), 1)
        self.assertGreaterEqual(moved(las0, las1, "las_quotes_issued_total", kind="caller",
                                      tcb_status="UpToDate"), 1)
        self.assertEqual(moved(las0, las1, "las_quotes_issued_total", kind="named_program",
                               tcb_status="UpToDate"), 1)
        self.assertEqual(moved(las0, las1, "las_refusals_total", server="las",
                               reason="malformed_request"), 1)

        # Nothing identifying in the text: no key hash, no token, no path a client sent.
        for secret in (self.cas.key_hash, self.cas.token, "/v1/no/such/thing", "/usr/bin/true"):
            self.assertNotIn(secret, cas1.text + las1.text)

    def test_metrics_listener_serves_get_metrics_only(self):
        self.assertEqual(get(self.cas_metrics, "/metrics", method="POST")[0], 405)
        self.assertEqual(get(self.cas_metrics, "/")[0], 404)
        self.assertEqual(get(self.las_metrics, "/v1/quote")[0], 404)
        # The API port does not serve it.
        self.assertEqual(self.call("GET", "/metrics", None, None)[0], 404)


if __name__ == "__main__":
    unittest.main()
