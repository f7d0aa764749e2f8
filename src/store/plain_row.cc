#include "store/store.h"

namespace scone::store {

Result<std::optional<Bytes>> PlainRow(Result<std::optional<SecretBytes>> row) {
  if (!row.ok()) return row.status();
  if (!row->has_value()) return std::optional<Bytes>();
  // The one place where the store hands a decrypted row out as plain bytes (see store.h).
  ByteView value = (*row)->Reveal();
  return std::optional<Bytes>(Bytes(value.begin(), value.end()));
}

}  // namespace scone::store
