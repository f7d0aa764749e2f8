#include "attestation/timestamp.h"

namespace scone::attestation {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Status Bad(std::string_view text, std::string_view why) {
  return InvalidArgument("time \"" + std::string(text.substr(0, 64)) + "\": " + std::string(why) +
                         " (expected RFC 3339, e.g. 2025-07-19T10:01:17Z)");
}

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view s) {
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' ||
      !Digits(s, 17, 2, second)) {
    return Bad(s, "not of the form YYYY-MM-DDTHH:MM:SS");
  }
  if (month < 1 || month > 12) return Bad(s, "month out of range");
  if (day < 1 || day > DaysInMonth(year, month)) return Bad(s, "day out of range");
  if (hour > 23 || minute > 59 || second > 59) return Bad(s, "time of day out of range");
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return Bad(s, "empty fraction of a second");
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return Bad(s, "malformed UTC offset");
    }
    offset = (oh * 60 + om) * 60 * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return Bad(s, "missing time zone (Z or +HH:MM)");
  }
  if (pos != s.size()) return Bad(s, "trailing characters");
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

Result<int64_t> ParseVerificationTime(std::string_view text) {
  if (!text.empty() && text.size() <= 12 &&
      text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    return v;
  }
  auto t = ParseRfc3339(text);
  if (!t.ok()) {
    return InvalidArgument("time \"" + std::string(text.substr(0, 64)) +
                           "\" is neither Unix seconds nor RFC 3339 (e.g. 1752919277 or "
                           "2025-07-19T10:01:17Z)");
  }
  return t;
}

std::string FormatRfc3339(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  int64_t y = 0, m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  auto pad = [](int64_t v, size_t width) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    return (v < 0 ? "-" : "") + digits;
  };
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secs / 3600, 2) + ":" +
         pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2) + "Z";
}

}  // namespace scone::attestation
