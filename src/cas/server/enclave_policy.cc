#include "cas/server/enclave_policy.h"

#include <algorithm>
#include <cctype>

#include "attestation/policy.h"
#include "common/hex.h"

namespace scone::cas {
namespace {
using attestation::PolicyCheck;
using attestation::Relaxation;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Tolerates(const sdl::SecurityAttestation& s, std::string_view word) {
  return std::any_of(s.tolerate.begin(), s.tolerate.end(),
                     [&](const sdl::LString& t) { return t.value == word; });
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Why one variant does not match, or empty when it does.
std::vector<std::string> VariantMismatches(const attestation::VerifiedQuote& q,
                                           const sdl::AttestationVariant& v) {
  std::vector<std::string> out;
  if (!v.mrenclaves.empty()) {
    std::string mine = HexEncode(q.mr_enclave());
    bool listed = std::any_of(v.mrenclaves.begin(), v.mrenclaves.end(),
                              [&](const sdl::LString& m) { return Lower(m.value) == mine; });
    if (!listed) out.push_back("MRENCLAVE is not listed");
  }
  if (v.signer.has_value()) {
    const sdl::Signer& s = *v.signer;
    if (Lower(s.mrsigner.value) != HexEncode(q.mr_signer())) {
      out.push_back("MRSIGNER is " + HexEncode(q.mr_signer()) + ", not " + Lower(s.mrsigner.value));
    }
    if (s.isvprodid.has_value() && s.isvprodid->value != q.isv_prod_id()) {
      out.push_back("ISVPRODID is " + std::to_string(q.isv_prod_id()) + ", not " +
                    std::to_string(s.isvprodid->value));
    }
    uint16_t svn = q.isv_svn();
    if (s.isvsvn.has_value() && s.isvsvn->value != svn) {
      out.push_back("ISVSVN is " + std::to_string(svn) + ", not " +
                    std::to_string(s.isvsvn->value));
    }
    if (s.isvsvn_min.has_value() && svn < s.isvsvn_min->value) {
      out.push_back("ISVSVN " + std::to_string(svn) + " is below isvsvn_min " +
                    std::to_string(s.isvsvn_min->value));
    }
    if (s.isvsvn_max.has_value() && svn > s.isvsvn_max->value) {
      out.push_back("ISVSVN " + std::to_string(svn) + " is above isvsvn_max " +
                    std::to_string(s.isvsvn_max->value));
    }
  }
  if (v.mrenclaves.empty() && !v.signer.has_value()) out.push_back("the variant names nothing");
  return out;
}

// The `tolerate` words that grant a relaxation of a TCB status.
std::string WordsFor(Relaxation r) {
  switch (r) {
    case Relaxation::kConfigurationNeeded:
      return "insecure-configuration (or hyperthreading)";
    case Relaxation::kOutOfDate:
      return "outdated-tcb";
    case Relaxation::kSwHardeningNeeded:
      return "software-hardening-needed";
    case Relaxation::kDebug:
      return "debug-mode";
    default:
      return std::string(attestation::RelaxationName(r));
  }
}

}  // namespace

std::vector<std::string_view> AdvisoriesToleratedBy(std::string_view word) {
  if (word == "hyperthreading") return {"INTEL-SA-00233"};
  if (word == "insecure-igpu") return {"INTEL-SA-00219"};
  if (word == "aepic-leak") return {"INTEL-SA-00657"};
  return {};
}

Result<EnclaveAdmission> AdmitEnclave(const attestation::VerifiedQuote& q,
                                      std::string_view platform_id, const sdl::Service& service,
                                      const sdl::SecurityAttestation& security,
                                      std::string_view label) {
  EnclaveAdmission admission;
  auto refuse = [&](const std::string& message) {
    return Status(Code::kPolicyRejected,
                  "CAS refuses to configure " + std::string(label) + ": " + message);
  };

  // 1. Identity: any one variant.
  std::vector<std::string> why;
  bool matched = false;
  for (size_t i = 0; i < service.attestation.size(); ++i) {
    auto mismatches = VariantMismatches(q, service.attestation[i]);
    if (mismatches.empty()) {
      admission.variant = i;
      matched = true;
      break;
    }
    why.push_back("variant " + std::to_string(i + 1) + " (line " +
                  std::to_string(service.attestation[i].position.line) +
                  "): " + Join(mismatches, ", "));
  }
  if (!matched) {
    return refuse(
        "the program is none of the service's attestation variants (" + Join(why, "; ") +
        "). The program has MRENCLAVE " + HexEncode(q.mr_enclave()) + ", MRSIGNER " +
        HexEncode(q.mr_signer()) + ", ISVPRODID " + std::to_string(q.isv_prod_id()) + ", ISVSVN " +
        std::to_string(q.isv_svn()) + "; a variant with `mrenclave: [" + HexEncode(q.mr_enclave()) +
        "]` (or its signer) in the service's `attestation` would admit it, if you trust it");
  }

  // 2. Platform.
  if (!service.platforms.empty()) {
    bool listed = std::any_of(service.platforms.begin(), service.platforms.end(),
                              [&](const sdl::LString& p) { return Lower(p.value) == platform_id; });
    if (!listed) {
      return refuse("the program runs on platform " + std::string(platform_id) +
                    ", which is not in the service's `platforms`; adding it would admit this "
                    "platform");
    }
  }

  // 3. TCB status, advisories, debug, under the session's tolerances.
  attestation::QuotePolicy p;
  p.allow_debug = Tolerates(security, "debug-mode");
  p.accept_out_of_date = Tolerates(security, "outdated-tcb");
  p.accept_sw_hardening_needed = Tolerates(security, "software-hardening-needed");
  p.accept_configuration_needed =
      Tolerates(security, "insecure-configuration") || Tolerates(security, "hyperthreading");
  p.ignore_all_advisories = security.ignore_all_advisories;
  for (const auto& id : security.ignore_advisories) p.ignored_advisories.push_back(id.value);
  for (const auto& word : security.tolerate) {
    for (auto id : AdvisoriesToleratedBy(word.value)) p.ignored_advisories.emplace_back(id);
  }
  attestation::PolicyResult result = attestation::CheckPolicy(q, p);
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
  bool fixable = true;
  for (const auto& v : result.violations) {
    switch (v.check) {
      case PolicyCheck::kTcbStatus:
        if (v.relaxations.empty()) {
          problems.push_back("the platform's TCB status is " + v.seen +
                             ", which no tolerance "
                             "admits");
          fixable = false;
        } else {
          problems.push_back("the platform's TCB status is " + v.seen);
          for (Relaxation r : v.relaxations) fixes.push_back("tolerate: " + WordsFor(r));
        }
        break;
      case PolicyCheck::kAdvisories:
        problems.push_back("the platform is affected by the security advisories " + v.seen);
        fixes.push_back("ignore_advisories: [" + v.seen + "]");
        break;
      case PolicyCheck::kDebug:
        problems.push_back("the program runs in debug mode (the host can read its memory)");
        fixes.push_back("tolerate: debug-mode");
        break;
      default:  // identity checks: the policy above names none
        problems.push_back(v.message);
        fixable = false;
        break;
    }
  }
  if (!problems.empty()) {
    std::string message = Join(problems, "; ");
    if (fixable) {
      message += ". The session's security.attestation would admit it with " + Join(fixes, ", ");
    }
    return refuse(message);
  }
  // What was tolerated, for the logs.
  for (Relaxation r : attestation::RelaxationsForStatus(q.status)) {
    admission.tolerated.push_back(WordsFor(r));
  }
  if (q.debug()) admission.tolerated.emplace_back("debug-mode");
  if (!q.advisory_ids.empty()) {
    admission.tolerated.push_back("advisories " + Join(q.advisory_ids, ","));
  }
  return admission;
}

}  // namespace scone::cas
