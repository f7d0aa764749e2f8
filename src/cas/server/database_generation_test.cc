// One writer across machines (database_generation.h, docs/backup.md "One writer"): the claim
// at start, its refusals and the override, on a CasState in a temporary folder, with the
// registered backups' answers given by the test.
#include "cas/server/database_generation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/hex.h"
#include "common/test_util.h"
#include "crypto/kdf.h"
#include "crypto/keys.h"
#include "store/backup_keys.h"
#include "store/writer_mark.h"

namespace scone::cas {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'780'000'000;

class DatabaseGenerationTest : public ::testing::Test {
 protected:
  fs::path db() const { return dir_.path() / "cas.db"; }

  // A CAS state on this folder's database, of machine `machine` (its seal keys and software
  // key differ per machine).
  static store::SealKeyFunction SealKey(uint8_t machine) {
    return [machine](uint16_t svn) {
      return crypto::HkdfSha256(SecretBytes::CopyFrom(Bytes(32, machine)), AsBytes("test"),
                                AsBytes("seal " + std::to_string(svn)), 32);
    };
  }

  std::unique_ptr<CasState> Open(uint8_t machine = 1) {
    store::StoreOptions o;
    o.db_path = db();
    o.seal_key = SealKey(machine);
    o.identity = store::BackupIdentity{};  // ISVSVN 0, production, zero MRSIGNER and ISVPRODID
    auto state = CasState::Open(o, SecretBytes::CopyFrom(Bytes(32, machine ^ 0x80)), false, kNow);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? std::move(*state) : nullptr;
  }

  // Opens and claims; the claim's status.
  Status Claim(uint8_t machine = 1, bool take_over = false) {
    auto state = Open(machine);
    if (!state) return Internal("no state");
    ClaimOptions o;
    o.take_over = take_over;
    // ClaimDatabase asks the backups in parallel: the fetcher must be thread-safe.
    o.fetch = [this](const std::string& address,
                     const std::string&) -> Result<api::DatabaseGenerationResponse> {
      std::lock_guard<std::mutex> lock(asked_mutex_);
      asked_.push_back(address);
      auto it = answers_.find(address);
      if (it == answers_.end()) return Status(Code::kUnavailable, "connection refused");
      return it->second;
    };
    o.now = kNow;
    Status s = ClaimDatabase(*state, o);
    if (s.ok()) last_ = state->writer();
    return s;
  }

  // Registers a backup at `address` in DB.backups (a fresh key; nothing is asked of it), or,
  // with `own`, an entry wrapped for this CAS on machine 1, as a copy moved here lists it.
  void Register(const std::string& address, bool own = false) {
    auto state = Open();
    ASSERT_TRUE(state);
    store::BackupEntry e;
    e.address = address;
    e.tcb_status = "UpToDate";
    if (own) {
      auto offer = store::MakeBackupKeyOffer(SealKey(1), 0);
      ASSERT_TRUE(offer.ok());
      e.offer = *offer;
    } else {
      e.offer.salt = Bytes(32, 1);
      auto key = crypto::GenerateEcP256Key();
      ASSERT_TRUE(key.ok());
      e.offer.public_key = *crypto::PublicKeySpkiDer(key->get());
    }
    ASSERT_TRUE(state->AddBackup(e).ok());
  }

  // What a backup serving this database at `generation` answers.
  api::DatabaseGenerationResponse Serving(int64_t generation) {
    api::DatabaseGenerationResponse a;
    a.key_id = HexEncode(last_->key_id);
    a.generation = generation;
    a.instance = "other-instance";
    a.opened_at = kNow + 60;
    return a;
  }

  uint64_t StoredGeneration() {
    auto state = Open();
    auto record = state->LoadWriter();
    return record.ok() && record->has_value() ? (*record)->generation : 0;
  }

  scone::testing::TempDir dir_{"scone-generation"};
  std::map<std::string, api::DatabaseGenerationResponse> answers_;
  std::mutex asked_mutex_;
  std::vector<std::string> asked_;  // guarded by asked_mutex_ while a claim runs
  std::optional<store::WriterRecord> last_;
};

TEST_F(DatabaseGenerationTest, EveryStartWritesTheNextGeneration) {
  ASSERT_TRUE(Claim().ok());
  EXPECT_EQ(last_->generation, 1u);
  ASSERT_TRUE(Claim().ok());
  EXPECT_EQ(last_->generation, 2u);
  EXPECT_EQ(last_->opened_at, kNow);
  EXPECT_EQ(StoredGeneration(), 2u);
}

TEST_F(DatabaseGenerationTest, AnOlderCopyOfThisMachinesFilesIsRefused) {
  ASSERT_TRUE(Claim().ok());
  fs::copy_file(db(), dir_.path() / "saved");
  ASSERT_TRUE(Claim().ok());  // generation 2, the mark too
  fs::copy_file(dir_.path() / "saved", db(), fs::copy_options::overwrite_existing);
  Status s = Claim();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is generation 1, but this CAS already served generation 2"));
  EXPECT_THAT(s.message(), HasSubstr(store::WriterMarkPath(db()).string()));
  EXPECT_THAT(s.message(), HasSubstr("cas --take-over-database"));
  EXPECT_EQ(StoredGeneration(), 1u);  // nothing written
  ASSERT_TRUE(Claim(1, /*take_over=*/true).ok());
  EXPECT_EQ(last_->generation, 3u);
}

TEST_F(DatabaseGenerationTest, AMissingMarkOfThisInstanceIsRefused) {
  ASSERT_TRUE(Claim().ok());
  fs::remove(store::WriterMarkPath(db()));
  EXPECT_EQ(Claim().code(), Code::kFailedPrecondition);
  ASSERT_TRUE(Claim(1, /*take_over=*/true).ok());
  EXPECT_TRUE(Claim().ok());
}

TEST_F(DatabaseGenerationTest, ADamagedMarkIsRefusedAndKeptUntilTheOverride) {
  ASSERT_TRUE(Claim().ok());
  const fs::path mark = store::WriterMarkPath(db());
  fs::resize_file(mark, 40);
  Status s = Claim();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(mark.string()));
  EXPECT_EQ(fs::file_size(mark), 40u);
  EXPECT_EQ(StoredGeneration(), 1u);
  ASSERT_TRUE(Claim(1, /*take_over=*/true).ok());
  EXPECT_EQ(fs::file_size(mark), store::kWriterMarkSize);
}

TEST_F(DatabaseGenerationTest, ABackupServingANewerGenerationRefusesTheStaleCopy) {
  Register("backup.test:8081");
  ASSERT_TRUE(Claim().ok());
  answers_["backup.test:8081"] = Serving(5);
  Status s = Claim();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("CAS backup.test:8081 serves generation 5 of this database"));
  EXPECT_THAT(s.message(), HasSubstr("is generation 1: another instance has taken over"));
  EXPECT_THAT(s.message(), HasSubstr("cas --take-over-database"));
  EXPECT_EQ(StoredGeneration(), 1u);
  EXPECT_EQ(asked_.back(), "backup.test:8081");
  // The override writes a generation above every one seen.
  ASSERT_TRUE(Claim(1, /*take_over=*/true).ok());
  EXPECT_EQ(last_->generation, 6u);
}

TEST_F(DatabaseGenerationTest, ABackupServingTheSameDatabaseAtAnOlderGenerationIsRefusedToo) {
  Register("backup.test:8081");
  ASSERT_TRUE(Claim().ok());
  ASSERT_TRUE(Claim().ok());
  answers_["backup.test:8081"] = Serving(1);
  Status s = Claim();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("it runs on the same or an older copy"));
}

TEST_F(DatabaseGenerationTest, UnreachableOrOtherBackupsDoNotStopTheStart) {
  Register("down.test:8081");
  Register("other.test:8081");
  ASSERT_TRUE(Claim().ok());
  api::DatabaseGenerationResponse other = Serving(9);
  other.key_id = std::string(32, '0');  // another database
  answers_["other.test:8081"] = other;
  ASSERT_TRUE(Claim().ok());
  EXPECT_EQ(last_->generation, 2u);
  EXPECT_EQ(asked_.size(), 4u);
}

TEST_F(DatabaseGenerationTest, ThisCasOwnEntryIsNotAsked) {
  Register("self.test:8081", /*own=*/true);
  Register("other.test:8081");
  ASSERT_TRUE(Claim().ok());
  EXPECT_EQ(asked_, std::vector<std::string>{"other.test:8081"});
}

}  // namespace
}  // namespace scone::cas
