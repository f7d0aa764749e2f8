// Store's part in "one writer" (docs/backup.md): the database key's public id, and the writer
// mark beside the database, sealed with the store's seal key function (writer_mark.h).
#include "store/store.h"
#include "store/store_internal.h"

namespace scone::store {

Result<ByteArray<kKeyIdSize>> Store::key_id() const {
  SCONE_RETURN_IF_ERROR(CheckUsable());
  std::lock_guard<std::mutex> guard(state_->mu);
  return KeyId(state_->key);
}

Result<WriterMarkRead> Store::ReadWriterMark() const {
  return store::ReadWriterMark(WriterMarkPath(db_path_), state_->options.seal_key,
                               state_->options.own_isvsvn);
}

Status Store::WriteWriterMark(uint64_t generation) {
  WriterMark mark;
  SCONE_ASSIGN_OR_RETURN(mark.key_id, key_id());
  mark.generation = generation;
  return store::WriteWriterMark(WriterMarkPath(db_path_), state_->options.seal_key,
                                state_->options.own_isvsvn, mark);
}

}  // namespace scone::store
