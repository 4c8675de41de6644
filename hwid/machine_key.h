// The machine key, the per-product hardware ID and the machine fingerprint,
// exactly as spec/agent.md §5 defines them. All outputs are lowercase hex;
// raw values go in, only one-way digests come out. Thread-safe.
//
//   part digest  = hex(SHA-256(kind + "\0" + normalised value))
//   machine key  = hex(SHA-256(part digests, sorted, joined by "\n"))
//   product ID   = hex(HMAC-SHA256(key = "gg-hwid-v1:" + productId,
//                                  data = machine key))
//   fingerprint  = first 16 hex of SHA-256("gg-hwid-fp:" + machine key)
#ifndef GG_HWID_MACHINE_KEY_H_
#define GG_HWID_MACHINE_KEY_H_

#include <string>
#include <string_view>
#include <vector>

#include "hwid/part.h"
#include "platform/result.h"

namespace gg::hwid {

[[nodiscard]] Result<std::string> PartDigest(PartKind kind,
                                             std::string_view value);

// The key of a set of part digests, in any order. An error (code
// "HWID_NO_PARTS") for an empty set: the agent never sends a constant ID.
[[nodiscard]] Result<std::string> MachineKeyFromDigests(
    std::vector<std::string> digests);

// PartDigest of each part, then MachineKeyFromDigests.
[[nodiscard]] Result<std::string> MachineKey(const std::vector<Part>& parts);

// The hardware ID sent upstream for `product_id`.
[[nodiscard]] Result<std::string> ProductHwid(std::string_view machine_key,
                                              std::string_view product_id);

// What `status` shows instead of the key itself.
[[nodiscard]] Result<std::string> MachineFingerprint(
    std::string_view machine_key);

}  // namespace gg::hwid

#endif  // GG_HWID_MACHINE_KEY_H_
