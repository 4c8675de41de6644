// The checks a cached verdict must pass before the agent trusts it: the
// response signature (spec/upstream.md §3) by one of the configured keys,
// a verdict status (200 allow or 403 license denial), and a signed request
// body that names the row's own productId and licenseKey, so a genuine
// verdict for another key copied into a row is rejected.
//
// Pure and thread-safe.
#ifndef GG_AGENT_STORE_VERDICT_CHECK_H_
#define GG_AGENT_STORE_VERDICT_CHECK_H_

#include <string>
#include <vector>

#include "agent/store/verdict_store.h"
#include "platform/result.h"

namespace gg::store {

// Ok, or an Error with code "BAD_VERDICT" saying which check failed.
// `public_keys` are raw 32-byte Ed25519 keys.
[[nodiscard]] Status CheckStoredVerdict(
    const std::vector<std::string>& public_keys,
    const StoredVerdict& verdict);

// CheckStoredVerdict for every element of `verdicts`, spread over up to
// `max_threads` threads (signature checks dominate the agent's start:
// ~70 us each). Result i belongs to verdicts[i].
std::vector<Status> CheckStoredVerdicts(
    const std::vector<std::string>& public_keys,
    const std::vector<StoredVerdict>& verdicts,
    unsigned max_threads);

}  // namespace gg::store

#endif  // GG_AGENT_STORE_VERDICT_CHECK_H_
