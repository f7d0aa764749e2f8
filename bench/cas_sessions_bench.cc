// Session uploads and reads per second of CAS (issue 13, "Bench"), durable, against a
// baseline measured in the same run: SQLite in WAL mode with synchronous=FULL writing one
// row of the same size per transaction.
//
// CAS runs in this process (CasService::Handle on a simulated platform, as the tests'
// TestCas): what is measured is the session path itself (parse and validate the YAML,
// access policy, session hash, encrypt, commit with fsync), not TLS. Each client is a
// thread with its own client certificate and its own sessions, so that uploads never
// conflict; 16 clients share fsyncs through the store's group commit.
// The disk's fsync rate drifts (other processes write too), so each figure is the median
// of ROUNDS runs, and the baseline and CAS runs alternate within each round.
//   cas_sessions_bench [SECONDS_PER_RUN [ROUNDS [CLIENTS]]]
// (defaults 1, 5, and both 1 and 16 clients; CLIENTS runs only that count, for profiling)
// The database lives under $TMPDIR (or /tmp): it must be a real disk for the figures to
// mean anything (fsync on tmpfs is free).
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cas/protocol.h"
#include "cas/server/cas_test_util.h"
#include "crypto/test_util.h"
#include "platform/platform.h"

namespace {
using scone::cas::testing::TestCas;
using scone::crypto::testing::MakeTestIdentity;
using scone::crypto::testing::TestIdentity;
namespace api = scone::cas::api;
using scone::bench::Median;
using scone::bench::Run;
using scone::bench::RunMeasured;

constexpr int64_t kNow = 1'780'000'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "cas_sessions_bench: %s\n", what.c_str());
  std::exit(1);
}

// About the size of a small real session (a service, a secret, a policy).
std::string SessionYaml(const std::string& name, const std::string& predecessor, int n) {
  std::string yaml = "name: " + name + "\nversion: \"0.3\"\n" +
                     "services:\n  - name: app\n    command: /usr/bin/app --serve\n" +
                     "    mrenclaves: [" + std::string(64, 'a') + "]\n" +
                     "    environment:\n      GREETING: hello number " + std::to_string(n) +
                     "\n      PASSWORD: $$SCONE::pw$$\n" +
                     "secrets:\n  - name: pw\n    kind: ascii\n    size: 16\n" +
                     "access_policy:\n  read: [CREATOR]\n  update: [CREATOR]\n" +
                     "security:\n  attestation:\n    tolerate: [debug-mode]\n";
  if (!predecessor.empty()) yaml += "predecessor: " + predecessor + "\n";
  return yaml;
}

// The baseline: one row per transaction into SQLite, WAL, synchronous=FULL.
double Baseline(const std::filesystem::path& dir, int clients, double seconds, size_t row_size) {
  static int run = 0;
  std::string path = (dir / ("baseline-" + std::to_string(++run) + ".db")).string();
  auto open = [&]() {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("sqlite3_open");
    sqlite3_busy_timeout(db, 60000);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    return db;
  };
  sqlite3* setup = open();
  sqlite3_exec(setup, "CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v BLOB)", nullptr, nullptr,
               nullptr);
  sqlite3_close(setup);
  std::vector<sqlite3*> dbs;
  for (int c = 0; c < clients; ++c) dbs.push_back(open());
  std::string value(row_size, 'v');
  double rate = Run(clients, seconds, [&](int c, int i) {
    sqlite3* db = dbs[static_cast<size_t>(c)];
    sqlite3_stmt* stmt = nullptr;
    std::string key = std::to_string(c) + "-" + std::to_string(i);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)", -1, &stmt,
                           nullptr) != SQLITE_OK) {
      Die("baseline insert");
    }
    sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) Die("baseline step");
    sqlite3_finalize(stmt);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) Die("commit");
  });
  for (sqlite3* db : dbs) sqlite3_close(db);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  int only_clients = argc > 3 ? std::atoi(argv[3]) : 0;
  if (seconds <= 0 || rounds <= 0 || only_clients < 0 || only_clients > 16) {
    Die("usage: cas_sessions_bench [SECONDS_PER_RUN [ROUNDS [CLIENTS (1 to 16)]]]");
  }
  scone::testing::TempDir dir("scone-sessions-bench");
  auto platform = scone::platform::Platform::OpenOrCreate(dir.path() / "platform", {}, kNow);
  if (!platform.ok()) Die(platform.status().ToString());
  const scone::platform::EnclaveIdentity id = scone::cas::testing::TestCasIdentity();
  TestCas cas(std::shared_ptr<const scone::platform::Platform>(std::move(*platform)), id, kNow);
  if (!cas.ok()) Die(cas.status().ToString());
  TestIdentity owner = MakeTestIdentity("owner", kNow);
  if (cas.Provision(owner.der).status != 200) Die("provisioning failed");

  constexpr int kMaxClients = 16;
  std::vector<TestIdentity> ids;
  for (int c = 0; c < kMaxClients; ++c) ids.push_back(MakeTestIdentity("client", kNow));
  size_t row_size = SessionYaml("c00-000000", "", 0).size() + 600;  // YAML + certificate etc.

  int create_run = 0;
  auto creates = [&](const std::string& prefix) {
    return [&, prefix](int c, int i) {
      std::string name = prefix + std::to_string(c) + "-" + std::to_string(i);
      auto r = cas.Call("POST", "/v1/sessions", SessionYaml(name, "", i),
                        ids[static_cast<size_t>(c)].der);
      if (r.status != 201) Die("create: " + r.body);
    };
  };
  std::vector<std::string> active(kMaxClients);
  auto updates = [&](int c, int i) {
    std::string name = "u" + std::to_string(c);
    auto& pred = active[static_cast<size_t>(c)];
    auto r = pred.empty() ? cas.Call("POST", "/v1/sessions", SessionYaml(name, "", i),
                                     ids[static_cast<size_t>(c)].der)
                          : cas.Call("PUT", api::SessionPath(name), SessionYaml(name, pred, i),
                                     ids[static_cast<size_t>(c)].der);
    if (r.status != 200 && r.status != 201) Die("update: " + r.body);
    auto up = api::ParseBody<api::SessionUploadResponse>(r.body, "answer");
    if (!up.ok()) Die("update answer");
    pred = up->hash;
  };
  auto reads = [&](int c, int) {
    auto r = cas.Call("GET", api::SessionPath("u" + std::to_string(c)), "",
                      ids[static_cast<size_t>(c)].der);
    if (r.status != 200) Die("read: " + r.body);
  };

  std::printf("median of %d runs of %.1f s each\n", rounds, seconds);
  std::printf("scenario            clients   ops/s   baseline ops/s   ratio   CPU ms/op\n");
  std::vector<int> client_counts = {1, kMaxClients};
  if (only_clients > 0) client_counts = {only_clients};
  for (int clients : client_counts) {
    std::vector<double> base, c, u, r, c_cpu, u_cpu, r_cpu;
    for (int round = 0; round < rounds; ++round) {
      base.push_back(Baseline(dir.path(), clients, seconds, row_size));
      auto cm = RunMeasured(clients, seconds, creates("c" + std::to_string(++create_run) + "-"));
      base.push_back(Baseline(dir.path(), clients, seconds, row_size));
      auto um = RunMeasured(clients, seconds, updates);
      auto rm = RunMeasured(clients, seconds, reads);
      c.push_back(cm.per_second);
      u.push_back(um.per_second);
      r.push_back(rm.per_second);
      c_cpu.push_back(cm.cpu_ms_per_op);
      u_cpu.push_back(um.cpu_ms_per_op);
      r_cpu.push_back(rm.cpu_ms_per_op);
    }
    double b = Median(base);
    std::printf("creates (durable)   %7d %7.0f %16.0f %7.2f %10.2f\n", clients, Median(c), b,
                Median(c) / b, Median(c_cpu));
    std::printf("updates (durable)   %7d %7.0f %16.0f %7.2f %10.2f\n", clients, Median(u), b,
                Median(u) / b, Median(u_cpu));
    std::printf("reads               %7d %7.0f %32.2f\n", clients, Median(r), Median(r_cpu));
  }
  return 0;
}
