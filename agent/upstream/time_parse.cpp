// The two time formats the API sends: RFC 3339 in bodies, IMF-fixdate in
// the `Date` header. Hand-parsed: both are fixed-layout, and std::get_time
// depends on the C locale.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "agent/upstream/response.h"

namespace gg::upstream {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Whole Unix seconds: a year-9999 date does not fit a WallTime (which
// counts nanoseconds), so nothing here goes through one.
std::optional<long long> FromFields(int y,
                                    int mo,
                                    int d,
                                    int h,
                                    int mi,
                                    int s) {
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  // Signed dates are whole seconds in 64 bits (UnixTime), so every year of
  // the format fits (years past 2262 overflowed WallTime's nanoseconds;
  // found by time_parse_fuzzer).
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  const long long days = sys_days(ymd).time_since_epoch().count();
  // A leap second (":60") is read as the next second's start.
  return days * 86400 + h * 3600LL + mi * 60LL + s;
}

}  // namespace

std::optional<UnixTime> ParseRfc3339(std::string_view t) {
  int y, mo, d, h, mi, s;
  if (t.size() < 20 || !Digits(t, 0, 4, y) || t[4] != '-' ||
      !Digits(t, 5, 2, mo) || t[7] != '-' || !Digits(t, 8, 2, d) ||
      (t[10] != 'T' && t[10] != 't') || !Digits(t, 11, 2, h) || t[13] != ':' ||
      !Digits(t, 14, 2, mi) || t[16] != ':' || !Digits(t, 17, 2, s)) {
    return std::nullopt;
  }
  auto base = FromFields(y, mo, d, h, mi, s);
  if (!base) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    // Signed times are whole seconds; a fraction only rounds down.
    ++pos;
    const std::size_t start = pos;
    while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos >= t.size()) {
    return std::nullopt;
  }
  long long offset = 0;  // seconds east of UTC
  if (t[pos] == 'Z' || t[pos] == 'z') {
    ++pos;
  } else if (t[pos] == '+' || t[pos] == '-') {
    int oh, om;
    if (!Digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() ||
        t[pos + 3] != ':' || !Digits(t, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = oh * 3600LL + om * 60LL;
    if (t[pos] == '-') {
      offset = -offset;
    }
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) {
    return std::nullopt;
  }
  // The instant in UTC must still have a four-digit year: the agent prints
  // it back in UTC (to apps, in the store), and "9999-12-31T23:59:59-23:59"
  // is in year 10000 there, which RFC 3339 cannot write.
  constexpr long long kFirst = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr long long kLast = 253402300799;   // 9999-12-31T23:59:59Z
  const long long utc = *base - offset;
  if (utc < kFirst || utc > kLast) {
    return std::nullopt;
  }
  return UnixTime{utc};
}

std::optional<WallTime> ParseHttpDate(std::string_view t) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters, fixed layout.
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int d, y, h, mi, s;
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || !Digits(t, 5, 2, d) ||
      t[7] != ' ' || t[11] != ' ' || !Digits(t, 12, 4, y) || t[16] != ' ' ||
      !Digits(t, 17, 2, h) || t[19] != ':' || !Digits(t, 20, 2, mi) ||
      t[22] != ':' || !Digits(t, 23, 2, s) || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  const std::string_view month_name = t.substr(8, 3);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == month_name) {
      auto secs = FromFields(y, static_cast<int>(i) + 1, d, h, mi, s);
      if (!secs) {
        return std::nullopt;
      }
      return ToWallTimeClamped(UnixTime{*secs});
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  // The server's value is kept (for the log) up to a bound that keeps any
  // later arithmetic in milliseconds from overflowing; the client caps it
  // at server.maxRetryAfterSeconds before use.
  constexpr long long kMaxSeconds = 1'000'000'000'000'000LL;
  long long value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || end != text.data() + text.size() ||
      value < 0 ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    value = kMaxSeconds;
  }
  return std::chrono::seconds(std::min(value, kMaxSeconds));
}

}  // namespace gg::upstream
