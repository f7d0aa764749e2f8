// Backup entries (backup_keys.h) and opening a database moved to another machine.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/hex.h"
#include "store/backup_keys.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace scone::store {
namespace {
namespace fs = std::filesystem;
using testing::PlatformSealKeys;
using testing::TempDir;
using testing::Text;

constexpr uint8_t kPrimaryPlatform = 1;
constexpr uint8_t kBackupPlatform = 2;

BackupIdentity Cas(uint16_t isvsvn) {
  BackupIdentity id;
  id.mrsigner.fill(0x5a);
  id.isvprodid = 41;
  id.isvsvn = isvsvn;
  return id;
}

StoreOptions Options(const fs::path& db, uint8_t platform, const BackupIdentity& id) {
  StoreOptions o;
  o.db_path = db;
  o.seal_key = PlatformSealKeys(platform, id.isvsvn);
  o.own_isvsvn = id.isvsvn;
  o.identity = id;
  return o;
}

class StoreBackup : public ::testing::Test {
 protected:
  fs::path primary_db() const { return dir_.path() / "a" / "cas.db"; }
  fs::path backup_db() const { return dir_.path() / "b" / "cas.db"; }

  void SetUp() override {
    fs::create_directories(dir_.path() / "a");
    fs::create_directories(dir_.path() / "b");
    auto store = Store::OpenOrCreate(Options(primary_db(), kPrimaryPlatform, Cas(2)));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    primary_ = std::move(*store);
    ASSERT_TRUE(primary_->Put("cas", "owner", AsBytes("alice")).ok());
  }

  // The backup's offer, made on its platform, registered with the primary.
  BackupEntry Register(const BackupIdentity& backup, uint8_t platform = kBackupPlatform) {
    auto offer = MakeBackupKeyOffer(PlatformSealKeys(platform, backup.isvsvn), backup.isvsvn);
    EXPECT_TRUE(offer.ok());
    BackupEntry e;
    e.address = "backup.example:8081";
    e.identity = backup;
    e.tcb_status = "UpToDate";
    e.offer = *offer;
    e.registered = 1780000000;
    auto added = primary_->AddBackup(e);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? *added : e;
  }

  // Stops the primary and copies its files to the backup's machine.
  void Move() {
    primary_.reset();
    for (const char* suffix : {"", ".key-store", ".backups"}) {
      if (!fs::exists(primary_db().string() + suffix)) continue;
      fs::copy_file(primary_db().string() + suffix, backup_db().string() + suffix,
                    fs::copy_options::overwrite_existing);
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> primary_;
};

TEST_F(StoreBackup, ARegisteredBackupOpensTheMovedDatabaseAndSealsItsKeyHere) {
  BackupEntry e = Register(Cas(2));
  EXPECT_EQ(e.id.size(), 32u);
  Move();
  auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  EXPECT_TRUE((*backup)->adopted_from_backup());
  EXPECT_EQ(Text(**backup, "cas", "owner"), "alice");
  ASSERT_TRUE((*backup)->Put("cas", "more", AsBytes("x")).ok());
  backup->reset();
  // The key-store is now this platform's: the next open needs no entry.
  fs::remove(BackupsPath(backup_db()));
  auto again = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE((*again)->adopted_from_backup());
  EXPECT_EQ(Text(**again, "cas", "more"), "x");
}

TEST_F(StoreBackup, AHigherIsvsvnOpensIt) {
  Register(Cas(2));
  Move();
  auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(3)));
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  EXPECT_EQ((*backup)->key_isvsvn(), 3);
}

TEST_F(StoreBackup, AnUnregisteredMachineIsRefusedNamingTheFiles) {
  Register(Cas(2), /*platform=*/3);
  Move();
  auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
  ASSERT_EQ(backup.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(backup.status().message().find(BackupsPath(backup_db()).string()), std::string::npos);
  EXPECT_NE(backup.status().message().find("another machine"), std::string::npos);
  // Nothing was changed: the primary's key-store is still there.
  EXPECT_EQ(testing::ReadBytes(Store::KeyStorePath(backup_db())),
            testing::ReadBytes(Store::KeyStorePath(primary_db())));
}

TEST_F(StoreBackup, NoBackupFileIsRefused) {
  Move();
  auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
  ASSERT_EQ(backup.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(backup.status().message().find("has no backup entry"), std::string::npos);
}

TEST_F(StoreBackup, AnotherSignerProductOrLowerIsvsvnIsRefusedWithTheReason) {
  Register(Cas(2));
  Move();
  BackupIdentity other_signer = Cas(2);
  other_signer.mrsigner.fill(0x11);
  BackupIdentity other_product = Cas(2);
  other_product.isvprodid = 7;
  BackupIdentity debug = Cas(2);
  debug.debug = true;
  const std::pair<BackupIdentity, const char*> cases[] = {
      {other_signer, "signer"}, {other_product, "product"}, {Cas(1), "ISVSVN 2"}, {debug, "debug"}};
  for (const auto& [id, reason] : cases) {
    SCOPED_TRACE(reason);
    auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, id));
    ASSERT_EQ(backup.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(backup.status().message().find(reason), std::string::npos)
        << backup.status().message();
  }
}

TEST_F(StoreBackup, ATamperedEntryIsRefused) {
  Register(Cas(2));
  Move();
  auto entries = ReadBackupEntries(BackupsPath(backup_db()));
  ASSERT_TRUE(entries.ok());
  for (int field = 0; field < 3; ++field) {
    SCOPED_TRACE(field);
    auto changed = *entries;
    if (field == 0) changed[0].wrapped_key[20] ^= 1;
    if (field == 1) changed[0].address = "elsewhere:8081";
    if (field == 2) changed[0].tcb_status = "OutOfDate";
    ASSERT_TRUE(WriteBackupEntries(BackupsPath(backup_db()), changed).ok());
    auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
    ASSERT_EQ(backup.status().code(), Code::kDataLoss);
    EXPECT_NE(backup.status().message().find("was changed"), std::string::npos);
  }
  // A file that does not parse names itself.
  testing::WriteBytes(BackupsPath(backup_db()), AsBytes("{"));
  auto backup = Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2)));
  ASSERT_EQ(backup.status().code(), Code::kDataLoss);
  EXPECT_NE(backup.status().message().find(".backups"), std::string::npos);
}

TEST_F(StoreBackup, EntriesAreListedReplacedAndRemoved) {
  BackupEntry a = Register(Cas(2));
  BackupEntry b = Register(Cas(2), 3);
  auto list = primary_->Backups();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, a.id);
  // The same backup key again replaces its entry.
  BackupEntry again = a;
  again.address = "renamed:8081";
  ASSERT_TRUE(primary_->AddBackup(again).ok());
  list = primary_->Backups();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].address, "renamed:8081");
  ASSERT_TRUE(primary_->RemoveBackup(a.id).ok());
  EXPECT_EQ(primary_->RemoveBackup(a.id).code(), Code::kNotFound);
  list = primary_->Backups();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, b.id);
  // A removed backup can no longer open a copy made afterwards.
  Move();
  EXPECT_EQ(Store::OpenOrCreate(Options(backup_db(), kBackupPlatform, Cas(2))).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(StoreBackup, WithoutAnIdentityNoEntryIsUsed) {
  Register(Cas(2));
  Move();
  StoreOptions o = Options(backup_db(), kBackupPlatform, Cas(2));
  o.identity.reset();
  EXPECT_EQ(Store::OpenOrCreate(o).status().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace scone::store
