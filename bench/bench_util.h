// What the throughput benches (bench/*_bench.cc that are not Google Benchmarks) share: run
// an operation from several client threads for a while, and the median of repeated runs.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace scone::bench {

// Runs `op(client, i)` (i counts that client's calls from 0) from `clients` threads for
// `seconds`; returns the operations per second of all clients together.
inline double Run(int clients, double seconds, const std::function<void(int, int)>& op) {
  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; !stop.load(); ++i) {
        op(c, i);
        ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(done.load()) / elapsed;
}

// CPU seconds (user + system) of this whole process so far, all threads.
inline double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Run, and also what one operation cost in CPU time of this process (clients and server
// alike when both run in it). On a machine shared with other work the rate follows the
// load; the CPU per operation much less so.
struct Measured {
  double per_second = 0;
  double cpu_ms_per_op = 0;
};
inline Measured RunMeasured(int clients, double seconds, const std::function<void(int, int)>& op) {
  std::atomic<long> ops{0};
  double cpu = ProcessCpuSeconds();
  auto start = std::chrono::steady_clock::now();
  Run(clients, seconds, [&](int c, int i) {
    op(c, i);
    ++ops;
  });
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cpu = ProcessCpuSeconds() - cpu;
  long n = ops.load();
  return {static_cast<double>(n) / elapsed, n > 0 ? 1000 * cpu / static_cast<double>(n) : 0};
}

// Seconds since `since`.
inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The median (the upper one of an even count); `v` must not be empty.
inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace scone::bench
