#include "agent/engine/time_keeper.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace gg::agent {
namespace {

WallTime::duration ToWall(MonoTime::duration d) {
  return std::chrono::duration_cast<WallTime::duration>(d);
}

std::optional<long long> ParseInt(std::string_view s) {
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::string FormatBootMark(const BootMark& mark) {
  return mark.boot_id + " " + std::to_string(mark.since_boot_seconds) + " " +
         std::to_string(mark.high_water);
}

std::optional<BootMark> ParseBootMark(std::string_view text) {
  const auto first = text.find(' ');
  const auto second = first == std::string_view::npos
                          ? std::string_view::npos
                          : text.find(' ', first + 1);
  if (first == 0 || second == std::string_view::npos) {
    return std::nullopt;
  }
  auto since = ParseInt(text.substr(first + 1, second - first - 1));
  auto high = ParseInt(text.substr(second + 1));
  if (!since || !high || *since < 0) {
    return std::nullopt;
  }
  return BootMark{std::string(text.substr(0, first)), *since, *high};
}

std::optional<long long> HighWaterAtStart(
    const TimeMarks& persisted,
    const std::optional<BootStamp>& boot_now,
    long long min_charge_seconds,
    std::optional<long long> signed_floor) {
  std::optional<long long> h = persisted.high_water;
  const auto& mark = persisted.boot;
  if (mark) {
    h = std::max(h.value_or(mark->high_water), mark->high_water);
  }
  if (h) {
    if (mark && boot_now && boot_now->boot_id == mark->boot_id &&
        boot_now->since_boot_seconds >= mark->since_boot_seconds) {
      h = std::max(
          *h, SaturatingAdd(mark->high_water, boot_now->since_boot_seconds -
                                                  mark->since_boot_seconds));
    } else if (mark && boot_now) {
      // Another boot (or a boot clock that went back: an edited mark).
      h = SaturatingAdd(
          *h, SaturatingAdd(min_charge_seconds, boot_now->since_boot_seconds));
    } else {
      h = SaturatingAdd(*h, min_charge_seconds);
    }
  }
  if (signed_floor) {
    h = std::max(h.value_or(*signed_floor), *signed_floor);
  }
  return h;
}

TimeKeeper::TimeKeeper(const Clock& clock,
                       long long rollback_tolerance_seconds,
                       TimeMarks persisted)
    : clock_(clock),
      tolerance_seconds_(rollback_tolerance_seconds),
      start_mono_(clock.Monotonic()),
      wall_high_water_(persisted.wall_high_water) {
  if (persisted.high_water) {
    // Read back from the database, which anyone with root may edit: a
    // mark past 2200 is clamped (EstimatedNow() then says every verdict
    // is stale, failing closed), never left to overflow.
    high_water_ = ToWallTimeClamped(UnixTime{*persisted.high_water});
  }
}

WallTime TimeKeeper::EstimatedNow() const {
  const MonoTime mono = clock_.Monotonic();
  WallTime now = clock_.Now();
  if (high_water_) {
    now = std::max(now, *high_water_ + ToWall(mono - start_mono_));
  }
  if (server_time_) {
    now = std::max(now, *server_time_ + ToWall(mono - server_time_mono_));
  }
  return now;
}

void TimeKeeper::OnServerTime(WallTime server_time) {
  server_time_ = server_time;
  server_time_mono_ = clock_.Monotonic();
}

void TimeKeeper::RaiseHighWater(long long signed_floor) {
  // A claimed time read before its row is verified (engine_verify.cpp) may
  // be anything up to year 9999: clamped, as a persisted mark is, never
  // left to overflow into the past.
  const WallTime floor = ToWallTimeClamped(UnixTime{signed_floor});
  high_water_ = high_water_ ? std::max(*high_water_, floor) : floor;
}

bool TimeKeeper::RollbackDetected() const {
  return wall_high_water_ &&
         UnixSeconds(clock_.Now()) < *wall_high_water_ - tolerance_seconds_;
}

TimeMarks TimeKeeper::MarksToPersist() {
  const long long wall = UnixSeconds(clock_.Now());
  wall_high_water_ = std::max(wall_high_water_.value_or(wall), wall);
  TimeMarks marks{EstimatedNowSeconds(), wall_high_water_, std::nullopt};
  if (auto boot = clock_.Boot()) {
    marks.boot =
        BootMark{boot->boot_id, boot->since_boot_seconds, *marks.high_water};
  }
  return marks;
}

}  // namespace gg::agent
