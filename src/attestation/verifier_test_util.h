// The fixture of the verifier tests (verifier_test.cc, verifier_chain_test.cc): a PKI of our
// own (SimulatedPki), for what Intel-signed vectors cannot show: revocation, other FMSPCs,
// wrong roots, every TCB/QE status combination.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "attestation/intel_root.h"
#include "attestation/simulated_pki.h"
#include "attestation/verifier.h"
#include "common/file_util.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace scone::attestation::verifier_test {

inline constexpr int64_t kNow = 1760000000;  // 2025-10-09
inline constexpr int64_t kDay = 86400;

inline PckExtensions PlatformValues() {
  PckExtensions e;
  e.ppid.fill(0x42);
  e.tcb_components = {5, 5, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  e.pce_svn = 11;
  e.cpu_svn = e.tcb_components;
  e.pce_id = {0, 0};
  e.fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  e.sgx_type = 1;
  return e;
}

inline TcbLevel Level(ByteArray<16> comps, uint16_t pce_svn, TcbStatus status,
                      std::vector<std::string> advisories = {}) {
  TcbLevel l;
  l.sgx_components = comps;
  l.pce_svn = pce_svn;
  l.tcb_date = "2025-01-01T00:00:00Z";
  l.status = status;
  l.advisory_ids = std::move(advisories);
  return l;
}

inline QeTcbLevel QeLevel(uint16_t svn, TcbStatus status,
                          std::vector<std::string> advisories = {}) {
  return {svn, "2025-01-01T00:00:00Z", status, std::move(advisories)};
}

class SimulatedPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatedPkiOptions o;
    o.not_before = kNow - 365 * kDay;
    o.not_after = kNow + 365 * kDay;
    o.pck = PlatformValues();
    auto pki = SimulatedPki::Generate(o);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = std::move(pki).value();

    tcb_.version = 3;
    tcb_.id = "SGX";
    tcb_.issue_date = kNow - kDay;
    tcb_.next_update = kNow + 29 * kDay;
    tcb_.fmspc = o.pck.fmspc;
    tcb_.pce_id = o.pck.pce_id;
    tcb_.tcb_evaluation_data_number = 17;
    tcb_.levels = {
        Level({6, 6, 2, 2, 255, 1}, 11, TcbStatus::kUpToDate),
        Level({5, 5, 2, 2, 255, 1}, 11, TcbStatus::kSWHardeningNeeded, {"INTEL-SA-00615"}),
        Level({4, 4, 2, 2, 255, 1}, 10, TcbStatus::kOutOfDate, {"INTEL-SA-00289"})};

    qe_.id = "QE";
    qe_.version = 2;
    qe_.issue_date = kNow - kDay;
    qe_.next_update = kNow + 29 * kDay;
    qe_.tcb_evaluation_data_number = 17;
    qe_.misc_select = 0;
    qe_.misc_select_mask = 0xffffffff;
    qe_.attributes = {0x11};
    qe_.attributes_mask = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    qe_.mr_signer.fill(0x8c);
    qe_.isv_prod_id = 1;
    qe_.levels = {QeLevel(8, TcbStatus::kUpToDate),
                  QeLevel(6, TcbStatus::kOutOfDate, {"INTEL-SA-00615", "INTEL-SA-00477"}),
                  QeLevel(2, TcbStatus::kRevoked)};

    header_.qe_vendor_id = kIntelQeVendorId;
    header_.qe_svn = 8;
    header_.pce_svn = 11;
    report_.mr_enclave.fill(0xe1);
    report_.mr_signer.fill(0x51);
    report_.isv_prod_id = 7;
    report_.isv_svn = 3;
    report_.set_attributes(kAttributeInit | kAttributeMode64Bit, 0xe7);
    report_.report_data[0] = 0xaa;
    qe_report_.mr_signer = qe_.mr_signer;
    qe_report_.isv_prod_id = 1;
    qe_report_.isv_svn = 8;
    qe_report_.set_attributes(0x11, 0xe7);
    qe_auth_data_ = Bytes(32, 0x5a);
  }

  // CRLs valid from two days before kNow for 60 days: wider than the TCB info and QE
  // identity, so that their windows are what tests see.
  Collateral MakeCollateral(int64_t crl_until = kNow + 60 * kDay) const {
    auto c = pki_->MakeCollateral(tcb_, qe_, kNow - 2 * kDay, crl_until);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  Bytes MakeQuote(const SimulatedPki& pki) const {
    auto q = pki.MakeQuote(header_, report_, qe_report_, qe_auth_data_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    auto b = SerializeQuote(*q);
    EXPECT_TRUE(b.ok());
    return *b;
  }
  Bytes MakeQuote() const { return MakeQuote(*pki_); }

  std::unique_ptr<QuoteVerifier> Verifier(bool relaxed = false) const {
    VerifierOptions o;
    auto root = pki_->RootPem();
    EXPECT_TRUE(root.ok());
    o.trusted_roots.push_back(ToBytes(*root));
    o.accept_unverifiable_pcs_certs = relaxed;
    auto v = QuoteVerifier::New(o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  Result<VerifiedQuote> Verify(const Bytes& quote, const Collateral& c, FailureKind* kind = nullptr,
                               int64_t now = kNow) const {
    return Verifier()->Verify(quote, c, now, kind);
  }

  // Expects verification to fail with `kind` and kVerificationFailed.
  void ExpectFailure(const Bytes& quote, const Collateral& c, FailureKind kind,
                     int64_t now = kNow) const {
    FailureKind got = FailureKind::kNone;
    auto r = Verify(quote, c, &got, now);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(FailureKindName(got), FailureKindName(kind)) << r.status().ToString();
    EXPECT_EQ(r.status().code(), Code::kVerificationFailed) << r.status().ToString();
  }

  std::unique_ptr<SimulatedPki> pki_;
  TcbInfo tcb_;
  QeIdentity qe_;
  QuoteHeader header_;
  ReportBody report_;
  ReportBody qe_report_;
  Bytes qe_auth_data_;
};

}  // namespace scone::attestation::verifier_test
