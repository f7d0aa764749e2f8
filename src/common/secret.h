// Key material and other secrets.
//
// SecretBytes owns bytes that must not leak: its memory is wiped when freed (including
// buffers a vector abandons when it grows), it has no stream operator or implicit
// conversion, and the only ways to the bytes are Reveal() and RevealMutable(), so that
// `grep -n Reveal` lists every place that touches key material.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <vector>

#include "common/bytes.h"

namespace scone {

// Wipes memory before returning it to the heap. The compiler cannot elide the wipe
// (it goes through OPENSSL_cleanse).
void WipeMemory(void* p, size_t n);

// Constant-time equality for tokens, MACs and hashes: the running time depends only on the
// lengths, never on where the inputs differ.
bool ConstantTimeEquals(ByteView a, ByteView b);

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>& /*unused*/) {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) {
    if (n > std::numeric_limits<size_t>::max() / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) {
    WipeMemory(p, n * sizeof(T));
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>& /*unused*/) const {
    return true;
  }
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : data_(size, 0) {}
  static SecretBytes CopyFrom(ByteView data) {
    SecretBytes s;
    s.data_.assign(data.begin(), data.end());
    return s;
  }

  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes(SecretBytes&& other) noexcept = default;
  SecretBytes& operator=(SecretBytes&& other) noexcept = default;
  ~SecretBytes() = default;  // the allocator wipes

  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

  ByteView Reveal() const { return {data_.data(), data_.size()}; }
  uint8_t* RevealMutable() { return data_.data(); }
  void Append(ByteView more) { data_.insert(data_.end(), more.begin(), more.end()); }

  // Constant-time comparison.
  bool operator==(const SecretBytes& other) const {
    return ConstantTimeEquals(Reveal(), other.Reveal());
  }

 private:
  std::vector<uint8_t, WipingAllocator<uint8_t>> data_;
};

}  // namespace scone
