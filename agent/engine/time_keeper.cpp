#include "agent/engine/time_keeper.h"

#include <algorithm>
#include <chrono>

namespace gg::agent {
namespace {

WallTime::duration ToWall(MonoTime::duration d) {
  return std::chrono::duration_cast<WallTime::duration>(d);
}

}  // namespace

TimeKeeper::TimeKeeper(const Clock& clock,
                       long long rollback_tolerance_seconds,
                       TimeMarks persisted)
    : clock_(clock),
      tolerance_seconds_(rollback_tolerance_seconds),
      start_mono_(clock.Monotonic()),
      wall_high_water_(persisted.wall_high_water) {
  if (persisted.high_water) {
    high_water_ = FromUnixSeconds(*persisted.high_water);
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

bool TimeKeeper::RollbackDetected() const {
  return wall_high_water_ &&
         UnixSeconds(clock_.Now()) < *wall_high_water_ - tolerance_seconds_;
}

TimeMarks TimeKeeper::MarksToPersist() {
  const long long wall = UnixSeconds(clock_.Now());
  wall_high_water_ = std::max(wall_high_water_.value_or(wall), wall);
  return TimeMarks{EstimatedNowSeconds(), wall_high_water_};
}

}  // namespace gg::agent
