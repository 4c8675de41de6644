// VerdictStore: the agent's durable state (spec/agent.md §4).
//
// Holds signed verdicts keyed by (productId, licenseKey), the two time
// high-water marks, the enrolled hardware-ID components, the instance ID and
// a bounded log of upstream outcomes. The SQLite implementation
// (sqlite_verdict_store.h) verifies every verdict when it loads it; the rest
// of the agent reads verdicts from its own in-memory copy and calls Put*
// from a worker thread, never from the event loop.
#ifndef GG_AGENT_STORE_VERDICT_STORE_H_
#define GG_AGENT_STORE_VERDICT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "agent/upstream/types.h"
#include "platform/clock.h"
#include "platform/result.h"

namespace gg::store {

struct VerdictKey {
  std::string product_id;
  std::string license_key;
  friend bool operator==(const VerdictKey&, const VerdictKey&) = default;
};

// A cached verdict: the signed material and when the agent received it (as
// estimatedNow, Unix seconds).
struct StoredVerdict {
  VerdictKey key;
  upstream::SignedMaterial material;
  long long received_at = 0;
};

// One page of LoadUnverifiedPage: the rows (a superseded one is left out,
// so there may be fewer than asked for) and the key to read on from,
// nullopt when the table has no more rows.
struct VerdictPage {
  std::vector<StoredVerdict> rows;
  std::optional<VerdictKey> next_after;
};

struct UpstreamEvent {
  long long at = 0;  // Unix seconds
  std::string product_id;
  std::string outcome;  // "allow", "deny:<reason>", "failure:<code>"
  std::string request_id;
};

class VerdictStore {
 public:
  virtual ~VerdictStore() = default;

  // Every stored verdict. Implementations drop (and log) rows whose
  // signature does not verify before returning them.
  [[nodiscard]] virtual Result<std::vector<StoredVerdict>> LoadVerdicts() = 0;
  // Every stored row as it is on disk, NOT verified: the agent's start
  // reads these and verifies each (CheckVerdict) before it is ever used,
  // on demand or in the background after READY.
  [[nodiscard]] virtual Result<std::vector<StoredVerdict>>
  LoadUnverifiedVerdicts() = 0;
  // The same, a page at a time in key order: up to `limit` rows with keys
  // after `after` (from the first when nullopt). The agent's start reads
  // the cache this way, so that memory holds one page, not every row.
  [[nodiscard]] virtual Result<VerdictPage> LoadUnverifiedPage(
      const std::optional<VerdictKey>& after,
      std::size_t limit) = 0;
  // One key's row as it is on disk (NOT verified), nullopt when none: for
  // a verdict the agent holds on disk only (its memory keeps the hot ones).
  [[nodiscard]] virtual Result<std::optional<StoredVerdict>>
  LoadUnverifiedVerdict(const VerdictKey& key) = 0;
  // How many rows the verdict table holds (what start has to verify).
  [[nodiscard]] virtual Result<std::size_t> CountVerdicts() = 0;
  // The checks LoadVerdicts applies to a row (signature, status, the row's
  // own key in the signed request). Pure: callable from any thread, also
  // while another thread uses the store.
  [[nodiscard]] virtual Status CheckVerdict(
      const StoredVerdict& verdict) const = 0;
  // Durable (fsynced) when it returns: an app is told only after this.
  [[nodiscard]] virtual Status PutVerdict(const StoredVerdict& verdict) = 0;
  [[nodiscard]] virtual Status DeleteVerdict(const VerdictKey& key) = 0;
  // Marks the key's row on disk out of date where no database write is
  // needed (superseded_keys.h): for when storing a denial and deleting the
  // old row both failed. A marked key's row is never loaded again; the mark
  // goes when a later write or delete of the key succeeds.
  [[nodiscard]] virtual Status MarkSuperseded(const VerdictKey& key) = 0;

  // Small named values. Each name is defined by the code that owns the
  // value: the time marks in agent/engine/time_keeper.h, the instance ID
  // and the hardware enrollment in hwid/.
  [[nodiscard]] virtual Result<std::optional<std::string>> GetState(
      const std::string& name) = 0;
  [[nodiscard]] virtual Status PutState(const std::string& name,
                                        const std::string& value) = 0;

  // Appends to the bounded event log (oldest pruned).
  [[nodiscard]] virtual Status AppendEvent(const UpstreamEvent& event) = 0;
};

}  // namespace gg::store

#endif  // GG_AGENT_STORE_VERDICT_STORE_H_
