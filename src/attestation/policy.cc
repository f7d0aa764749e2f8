#include "attestation/policy.h"

#include <algorithm>

#include "common/hex.h"

namespace scone::attestation {

std::string_view PolicyCheckName(PolicyCheck c) {
  switch (c) {
    case PolicyCheck::kTcbStatus:
      return "tcb-status";
    case PolicyCheck::kAdvisories:
      return "advisories";
    case PolicyCheck::kDebug:
      return "debug";
    case PolicyCheck::kMrEnclave:
      return "mrenclave";
    case PolicyCheck::kMrSigner:
      return "mrsigner";
    case PolicyCheck::kIsvProdId:
      return "isvprodid";
    case PolicyCheck::kIsvSvn:
      return "isvsvn";
    case PolicyCheck::kReportData:
      return "report-data";
  }
  return "unknown";
}

std::vector<Relaxation> RelaxationsForStatus(TcbStatus status) {
  switch (status) {
    case TcbStatus::kUpToDate:
    case TcbStatus::kRevoked:
      return {};
    case TcbStatus::kSWHardeningNeeded:
      return {Relaxation::kSwHardeningNeeded};
    case TcbStatus::kConfigurationNeeded:
      return {Relaxation::kConfigurationNeeded};
    case TcbStatus::kConfigurationAndSWHardeningNeeded:
      return {Relaxation::kConfigurationNeeded, Relaxation::kSwHardeningNeeded};
    case TcbStatus::kOutOfDate:
      return {Relaxation::kOutOfDate};
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return {Relaxation::kOutOfDate, Relaxation::kConfigurationNeeded};
  }
  return {};
}

bool StatusIsRelaxable(TcbStatus status) { return status != TcbStatus::kRevoked; }

namespace {

// "relaxation debug", "relaxations configuration-needed and sw-hardening-needed".
std::string NameList(const std::vector<Relaxation>& rs) {
  std::string s = rs.size() == 1 ? "relaxation " : "relaxations ";
  for (size_t i = 0; i < rs.size(); ++i) {
    if (i > 0) s += " and ";
    s += RelaxationName(rs[i]);
  }
  return s;
}

}  // namespace

Status PolicyResult::ToStatus() const {
  if (ok()) return Status::Ok();
  std::string m = "the quote does not satisfy the attestation policy: ";
  for (size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) m += "; ";
    m += violations[i].message;
    if (!violations[i].relaxations.empty()) m += " (" + NameList(violations[i].relaxations) + ")";
  }
  return PolicyRejected(std::move(m));
}

std::vector<Relaxation> PolicyResult::NeededRelaxations() const {
  std::vector<Relaxation> out;
  for (const auto& v : violations) {
    if (v.relaxations.empty()) return {};
    for (Relaxation r : v.relaxations) {
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
    }
  }
  return out;
}

namespace {

bool Accepted(const QuotePolicy& p, Relaxation r) {
  switch (r) {
    case Relaxation::kConfigurationNeeded:
      return p.accept_configuration_needed;
    case Relaxation::kOutOfDate:
      return p.accept_out_of_date;
    case Relaxation::kSwHardeningNeeded:
      return p.accept_sw_hardening_needed;
    case Relaxation::kDebug:
      return p.allow_debug;
    case Relaxation::kIgnoreAdvisories:
      return p.ignore_all_advisories;
    case Relaxation::kUnverifiablePcsCerts:
    case Relaxation::kTrustAny:
    case Relaxation::kIgnoreSigner:
    case Relaxation::kUnprovisioned:
    case Relaxation::kOwnerSecretAccess:
      break;  // not checks of a quote policy
  }
  return false;
}

}  // namespace

PolicyResult CheckPolicy(const VerifiedQuote& q, const QuotePolicy& p) {
  PolicyResult result;
  auto add = [&](PolicyCheck check, std::vector<Relaxation> missing, std::vector<Relaxation> needed,
                 std::string seen, std::string message) {
    result.violations.push_back(
        {check, std::move(missing), std::move(needed), std::move(seen), std::move(message)});
  };

  // TCB status.
  const std::string status(TcbStatusName(q.status));
  if (!StatusIsRelaxable(q.status)) {
    add(PolicyCheck::kTcbStatus, {}, {}, status,
        "TCB status is " + status + ": the platform's TCB is revoked; this cannot be accepted");
  } else {
    std::vector<Relaxation> needed = RelaxationsForStatus(q.status);
    std::vector<Relaxation> missing;
    for (Relaxation r : needed) {
      if (!Accepted(p, r)) missing.push_back(r);
    }
    if (!missing.empty()) {
      add(PolicyCheck::kTcbStatus, missing, needed, status, "TCB status is " + status);
    }
  }

  // Advisories.
  if (!p.ignore_all_advisories) {
    std::vector<std::string> open;
    for (const auto& id : q.advisory_ids) {
      if (std::find(p.ignored_advisories.begin(), p.ignored_advisories.end(), id) ==
          p.ignored_advisories.end()) {
        open.push_back(id);
      }
    }
    if (!open.empty()) {
      std::string list;
      for (const auto& id : open) list += (list.empty() ? "" : ",") + id;
      add(PolicyCheck::kAdvisories, {Relaxation::kIgnoreAdvisories},
          {Relaxation::kIgnoreAdvisories}, list,
          "the platform is affected by security advisories " + list);
    }
  }

  // Debug.
  if (q.debug() && !p.allow_debug) {
    add(PolicyCheck::kDebug, {Relaxation::kDebug}, {Relaxation::kDebug}, "debug",
        "the enclave runs in debug mode (its memory is readable by the host)");
  }

  // Identity.
  if (!p.mr_enclaves.empty() && std::find(p.mr_enclaves.begin(), p.mr_enclaves.end(),
                                          q.mr_enclave()) == p.mr_enclaves.end()) {
    std::string expected;
    for (const auto& m : p.mr_enclaves) expected += (expected.empty() ? "" : ", ") + HexEncode(m);
    add(PolicyCheck::kMrEnclave, {}, {}, HexEncode(q.mr_enclave()),
        "MRENCLAVE " + HexEncode(q.mr_enclave()) + " is not an expected one (" + expected + ")");
  }
  if (p.mr_signer && *p.mr_signer != q.mr_signer()) {
    add(PolicyCheck::kMrSigner, {}, {}, HexEncode(q.mr_signer()),
        "MRSIGNER " + HexEncode(q.mr_signer()) + " is not the expected " + HexEncode(*p.mr_signer));
  }
  if (p.isv_prod_id && *p.isv_prod_id != q.isv_prod_id()) {
    add(PolicyCheck::kIsvProdId, {}, {}, std::to_string(q.isv_prod_id()),
        "ISVPRODID " + std::to_string(q.isv_prod_id()) + " is not the expected " +
            std::to_string(*p.isv_prod_id));
  }
  if (p.min_isv_svn && q.isv_svn() < *p.min_isv_svn) {
    add(PolicyCheck::kIsvSvn, {}, {}, std::to_string(q.isv_svn()),
        "ISVSVN " + std::to_string(q.isv_svn()) + " is below the required " +
            std::to_string(*p.min_isv_svn) + " (an older, possibly vulnerable version)");
  }
  if (p.report_data) {
    const Bytes& want = *p.report_data;
    const auto& have = q.report_data();
    if (want.size() > have.size() || !std::equal(want.begin(), want.end(), have.begin())) {
      add(PolicyCheck::kReportData, {}, {}, HexEncode(have),
          "the report data does not bind the expected value (expected " +
              (want.size() == have.size() ? std::string("") : "prefix ") +
              HexEncode(ByteView(want).first(std::min<size_t>(want.size(), 64))) + ")");
    }
  }
  return result;
}

}  // namespace scone::attestation
