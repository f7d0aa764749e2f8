#include "crypto/random.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>

#include "crypto/openssl_util.h"

namespace scone::crypto {
namespace {

Status Fill(uint8_t* p, size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) return InvalidArgument("too many random bytes requested");
  if (n != 0 && RAND_bytes(p, static_cast<int>(n)) != 1) return OpenSslError("RAND_bytes");
  return Status::Ok();
}

// Public randomness in small pieces (an AES-GCM nonce per stored row, several per request)
// comes from a per-thread buffer that one RAND_bytes call fills: each call of OpenSSL's
// generator costs a few microseconds whatever its size. A forked child must never hand out
// bytes its parent buffered (the same nonce twice under one key breaks AES-GCM), so the
// fork handler moves the generation on and a buffer of an older generation is discarded.
constexpr size_t kPoolSize = 512;
constexpr size_t kMaxPooled = 64;

std::atomic<uint64_t> fork_generation{1};

void AfterForkInChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct Pool {
  uint8_t bytes[kPoolSize];
  size_t used = kPoolSize;
  uint64_t generation = 0;
};

Status FillPooled(uint8_t* p, size_t n) {
  if (n == 0) return Status::Ok();  // p may be null
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, AfterForkInChild); });
  thread_local Pool pool;
  uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.generation != generation || kPoolSize - pool.used < n) {
    pool.used = kPoolSize;  // nothing of a failed refill is handed out
    SCONE_RETURN_IF_ERROR(Fill(pool.bytes, kPoolSize));
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(p, pool.bytes + pool.used, n);
  // Handed-out bytes are not kept: the next caller gets fresh ones.
  std::fill_n(pool.bytes + pool.used, n, uint8_t{0});
  pool.used += n;
  return Status::Ok();
}

}  // namespace

Result<Bytes> RandomBytes(size_t n) {
  Bytes out(n);
  SCONE_RETURN_IF_ERROR(n <= kMaxPooled ? FillPooled(out.data(), n) : Fill(out.data(), n));
  return out;
}

Result<SecretBytes> RandomSecret(size_t n) {
  SecretBytes out(n);
  SCONE_RETURN_IF_ERROR(Fill(out.RevealMutable(), n));
  return out;
}

}  // namespace scone::crypto
