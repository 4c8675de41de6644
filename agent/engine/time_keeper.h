// TimeKeeper: the agent's own idea of "now" (spec/agent.md §3 "Time").
//
//   estimatedNow = max(wall now, H + monotonic since start,
//                      T + monotonic since T was received)
//
// H is the persisted high-water mark read at start, T the serverTime of the
// last signed verdict of this boot. A second mark, of the wall clock alone,
// detects rollback: wall now < wall mark - tolerance. Setting the clock back
// therefore never makes estimatedNow smaller, a cached verdict fresher or an
// offline window longer.
//
// Not thread-safe: the engine owns one and uses it on its loop thread. No
// I/O: the engine persists MarksToPersist() through the store.
#ifndef GG_AGENT_ENGINE_TIME_KEEPER_H_
#define GG_AGENT_ENGINE_TIME_KEEPER_H_

#include <optional>
#include <string>
#include <string_view>

#include "platform/clock.h"

namespace gg::agent {

// Store state names of the marks: the two high-water marks (Unix seconds,
// decimal) and the boot they were taken in ("<boot id> <seconds since
// boot> <high water>").
inline constexpr const char* kHighWaterState = "time.high_water";
inline constexpr const char* kWallHighWaterState = "time.wall_high_water";
inline constexpr const char* kBootMarkState = "time.boot";

// The high-water mark together with the boot clock reading taken with it,
// so a restart in the same boot counts the time the agent was down.
struct BootMark {
  std::string boot_id;
  long long since_boot_seconds = 0;
  long long high_water = 0;
  friend bool operator==(const BootMark&, const BootMark&) = default;
};
std::string FormatBootMark(const BootMark& mark);
std::optional<BootMark> ParseBootMark(std::string_view text);

struct TimeMarks {
  std::optional<long long> high_water;       // estimatedNow, Unix seconds
  std::optional<long long> wall_high_water;  // wall clock only
  std::optional<BootMark> boot;              // where the OS names its boot
};

// H as the agent takes it at start (agent.md §3), pure:
//  - persisted in this same boot: the mark plus the boot-clock time since
//    it was taken (the exact time the agent was down, SIGKILL or not);
//  - persisted in an earlier boot: the mark plus `min_charge_seconds` (the
//    unpersisted end of that run, at most one persist interval) plus the
//    whole uptime of this boot, all of which came after the mark;
//  - no boot known, then or now: the mark plus `min_charge_seconds`;
//  - never below `signed_floor` (the newest time a server signed into a
//    cached verdict): deleting or lowering the marks cannot undo it.
// Every sum saturates. nullopt only with no mark and no floor.
std::optional<long long> HighWaterAtStart(
    const TimeMarks& persisted,
    const std::optional<BootStamp>& boot_now,
    long long min_charge_seconds,
    std::optional<long long> signed_floor);

class TimeKeeper {
 public:
  // Reads the monotonic start from `clock` (which must outlive this).
  TimeKeeper(const Clock& clock,
             long long rollback_tolerance_seconds,
             TimeMarks persisted);

  WallTime EstimatedNow() const;
  long long EstimatedNowSeconds() const { return UnixSeconds(EstimatedNow()); }

  // T: the serverTime of a signed verdict just received.
  void OnServerTime(WallTime server_time);

  // Raises H to at least `signed_floor` (Unix seconds), as if it had been
  // HighWaterAtStart's floor: cached verdicts are verified after start, and
  // each verified one lifts H by the time its server signed into it.
  void RaiseHighWater(long long signed_floor);

  // The wall clock is more than the tolerance behind the highest wall
  // reading persisted (at start or since). Not sticky: fixing the clock
  // clears it.
  bool RollbackDetected() const;

  // The marks to persist now, with the boot clock reading; also raises the
  // in-memory wall mark, so a rollback after a persisted reading is
  // detected without a restart.
  TimeMarks MarksToPersist();

  // A reloaded configuration's clockRollbackToleranceSeconds.
  void set_tolerance_seconds(long long seconds) {
    tolerance_seconds_ = seconds;
  }

 private:
  const Clock& clock_;
  long long tolerance_seconds_;
  const MonoTime start_mono_;
  std::optional<WallTime> high_water_;
  std::optional<long long> wall_high_water_;
  std::optional<WallTime> server_time_;
  MonoTime server_time_mono_{};
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_TIME_KEEPER_H_
