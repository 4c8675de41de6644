// SupersededKeys: the keys whose verdict row on disk is known to be out of
// date, kept outside SQLite in a file whose space is reserved when it is
// created (spec/agent.md §4, issue 10 point 4).
//
// When the agent cannot store a new denial and cannot delete the old row
// either (a full disk, an I/O error, a database locked by someone else),
// the old row, maybe an allow, would come back after a crash. Overwriting
// a slot of this file needs no new space and no database, so the mark
// survives where nothing else can be written; rows of a marked key are
// never loaded. It is unsigned and can only take verdicts away: a forged
// mark costs a trip to the server, never grants anything.
#ifndef GG_AGENT_STORE_SUPERSEDED_KEYS_H_
#define GG_AGENT_STORE_SUPERSEDED_KEYS_H_

#include <array>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "agent/store/verdict_store.h"
#include "platform/result.h"

namespace gg::store {

inline constexpr const char* kSupersededFileName = "superseded-keys";

class SupersededKeys {
 public:
  static constexpr std::size_t kSlots = 256;
  static constexpr std::size_t kSlotBytes = 64;

  // Reads the file in `state_dir`, creating it (all slots free) when it is
  // missing. A file of the wrong size is rewritten with the marks it held
  // that still check; a link or another user's file is refused.
  [[nodiscard]] static Result<SupersededKeys> Open(
      const std::filesystem::path& state_dir);

  SupersededKeys(SupersededKeys&& other) noexcept;
  SupersededKeys& operator=(SupersededKeys&&) = delete;

  bool Contains(const VerdictKey& key) const;
  // Durable when it returns. "SUPERSEDED_FULL" when every slot is taken.
  [[nodiscard]] Status Add(const VerdictKey& key);
  // Frees the key's slot, if it has one. Durable when it returns.
  [[nodiscard]] Status Remove(const VerdictKey& key);
  std::size_t size() const;

 private:
  using Digest = std::array<unsigned char, 32>;

  SupersededKeys(std::filesystem::path file, std::vector<Digest> slots);
  [[nodiscard]] Status WriteSlot(std::size_t i, const Digest* digest);
  std::size_t Find(const Digest& digest) const;  // kSlots when absent

  std::filesystem::path file_;
  mutable std::mutex mu_;      // writes come from the worker, reads at start
  std::vector<Digest> slots_;  // all zero: free
};

}  // namespace gg::store

#endif  // GG_AGENT_STORE_SUPERSEDED_KEYS_H_
