// Little-endian binary fields: a bounds-checked reader for untrusted bytes and a writer.
//
// Every ByteReader read checks the bounds first; a failure is a kInvalidArgument Status that
// names the structure, the field and the offset ("quote: QE auth data needs 40 bytes at
// offset 1012, only 12 left"), so parsers built on it never read out of bounds and always
// say where the input was wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace scone {

class ByteReader {
 public:
  // `what` names the structure in messages; `data` must outlive the reader.
  ByteReader(std::string_view what, ByteView data) : what_(what), data_(data) {}

  size_t offset() const { return pos_; }
  size_t left() const { return data_.size() - pos_; }

  Status Need(std::string_view field, size_t n) const;

  template <size_t N>
  Status Array(std::string_view field, ByteArray<N>& out) {
    SCONE_RETURN_IF_ERROR(Need(field, N));
    for (size_t i = 0; i < N; ++i) out[i] = data_[pos_ + i];
    pos_ += N;
    return Status::Ok();
  }
  // A view into the input (no copy).
  Status Span(std::string_view field, size_t n, ByteView& out);
  Status U16(std::string_view field, uint16_t& out);
  Status U32(std::string_view field, uint32_t& out);
  Status U64(std::string_view field, uint64_t& out);
  // Fails if any bytes are left.
  Status End() const;
  // An error about the structure at offset `at`.
  Status Error(std::string_view message, size_t at) const;

 private:
  std::string_view what_;
  ByteView data_;
  size_t pos_ = 0;
};

// Appends little-endian fields.
void PutU16(Bytes& out, uint16_t v);
void PutU32(Bytes& out, uint32_t v);
void PutU64(Bytes& out, uint64_t v);
void PutBytes(Bytes& out, ByteView v);

}  // namespace scone
