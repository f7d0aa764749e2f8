// Backups (docs/backup.md): a backup CAS offers a fresh key bound to its platform in a quote
// (POST /v1/backup-key); the primary's owner registers a backup (POST /v1/backups), which
// makes the primary attest the backup itself on a fresh nonce and wrap the database key for
// the offered key (store/backup_keys.h); the owner lists (GET /v1/backups) and removes
// (DELETE /v1/backups/{id}) registered backups.
//
// The primary accepts a backup with its own MRSIGNER and ISVPRODID, an ISVSVN at least its
// own, a TCB status that needs no relaxation the primary's own status does not need (the
// same or better) unless the owner relaxes it, and DEBUG only if the primary is DEBUG.
//
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <functional>
#include <string>

#include "cas/api.h"
#include "cas/server/handlers.h"
#include "common/status.h"
#include "net/http.h"

namespace scone::cas {

// Asks the backup CAS at `address` (HOST[:PORT], default port 8081) for a key offer.
using BackupKeyFetcher = std::function<Result<api::BackupKeyResponse>(
    const std::string& address, const api::BackupKeyRequest& request)>;

// The fetcher `cas` uses: HTTPS (TLS 1.3) to the backup's API port. The backup's TLS key is
// not pinned: what the primary trusts is the quote, which binds the offered key and the
// nonce, so a relay or an impostor gains nothing.
BackupKeyFetcher HttpsBackupKeyFetcher();

class BackupHandler {
 public:
  BackupHandler(HandlerEnv env, BackupKeyFetcher fetch)
      : env_(std::move(env)), fetch_(std::move(fetch)) {}

  // POST /v1/backup-key (anyone; an unprovisioned CAS too).
  Result<api::BackupKeyResponse> Offer(const api::BackupKeyRequest& request) const;
  // POST /v1/backups (the owner). Refusals: kPermissionDenied (not the owner),
  // kInvalidArgument (a bad address or simulated root), kFailedPrecondition (the backup
  // cannot be reached, or answers badly), kVerificationFailed (its quote does not verify or
  // does not bind the offer), kPolicyRejected (naming each failed check).
  Result<api::BackupInfo> Register(const api::RegisterBackupRequest& request,
                                   const net::PeerInfo& peer) const;
  Result<api::BackupListResponse> List(const net::PeerInfo& peer) const;
  Result<api::RemoveBackupResponse> Remove(const api::Target& target,
                                           const net::PeerInfo& peer) const;

 private:
  HandlerEnv env_;
  BackupKeyFetcher fetch_;
};

}  // namespace scone::cas
