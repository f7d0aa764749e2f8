#include "common/byte_io.h"

namespace scone {
namespace {

uint64_t LoadLe(ByteView d, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(d[pos + i]) << (8 * i);
  return v;
}

void StoreLe(Bytes& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

Status ByteReader::Need(std::string_view field, size_t n) const {
  if (n > left()) {
    return InvalidArgument(std::string(what_) + ": " + std::string(field) + " needs " +
                           std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
                           ", only " + std::to_string(left()) + " left");
  }
  return Status::Ok();
}

Status ByteReader::Span(std::string_view field, size_t n, ByteView& out) {
  SCONE_RETURN_IF_ERROR(Need(field, n));
  out = data_.subspan(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::U16(std::string_view field, uint16_t& out) {
  SCONE_RETURN_IF_ERROR(Need(field, 2));
  out = static_cast<uint16_t>(LoadLe(data_, pos_, 2));
  pos_ += 2;
  return Status::Ok();
}

Status ByteReader::U32(std::string_view field, uint32_t& out) {
  SCONE_RETURN_IF_ERROR(Need(field, 4));
  out = static_cast<uint32_t>(LoadLe(data_, pos_, 4));
  pos_ += 4;
  return Status::Ok();
}

Status ByteReader::U64(std::string_view field, uint64_t& out) {
  SCONE_RETURN_IF_ERROR(Need(field, 8));
  out = LoadLe(data_, pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status ByteReader::End() const {
  if (left() != 0) {
    return InvalidArgument(std::string(what_) + ": " + std::to_string(left()) +
                           " trailing bytes at offset " + std::to_string(pos_));
  }
  return Status::Ok();
}

Status ByteReader::Error(std::string_view message, size_t at) const {
  return InvalidArgument(std::string(what_) + ": " + std::string(message) + " at offset " +
                         std::to_string(at));
}

void PutU16(Bytes& out, uint16_t v) { StoreLe(out, v, 2); }
void PutU32(Bytes& out, uint32_t v) { StoreLe(out, v, 4); }
void PutU64(Bytes& out, uint64_t v) { StoreLe(out, v, 8); }
void PutBytes(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

}  // namespace scone
