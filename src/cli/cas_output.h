// What `scone cas ...` prints about an attested CAS: the "is trustworthy" line (or the entry as
// JSON) with its notes, and the attested enclave and TCB of `show-identification --tcb`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cas_db.h"
#include "cli/context.h"

namespace scone::cli {

// "CAS <ADDRESS> at <URL> is trustworthy" on standard output (or the entry as JSON, with the
// members of `extra` added), and on standard error what was relaxed, which advisories apply
// and whether the CAS just became the default.
void ReportTrusted(Context& ctx, const CasEntry& entry, bool became_default,
                   nlohmann::json extra = {});

// --tcb: what the attestation established about the enclave and its platform, one
// "Name: value" line each.
std::string TcbText(const CasEntry& entry);
// The same as JSON.
nlohmann::json TcbJson(const CasEntry& entry);

// `items` joined with ", ", or `none` if there are none.
std::string JoinOr(const std::vector<std::string>& items, const std::string& none);

// `text` with a final newline.
std::string WithNewline(std::string text);

}  // namespace scone::cli
