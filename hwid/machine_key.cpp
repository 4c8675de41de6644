#include "hwid/machine_key.h"

#include <algorithm>
#include <utility>

#include "platform/crypto.h"

namespace gg::hwid {
namespace {

constexpr std::string_view kProductKeyPrefix = "gg-hwid-v1:";
constexpr std::string_view kFingerprintPrefix = "gg-hwid-fp:";
constexpr std::size_t kFingerprintHexChars = 16;

}  // namespace

Result<std::string> PartDigest(PartKind kind, std::string_view value) {
  std::string data(KindName(kind));
  data.push_back('\0');
  data.append(value);
  return crypto::Sha256Hex(data);
}

Result<std::string> MachineKeyFromDigests(std::vector<std::string> digests) {
  if (digests.empty())
    return MakeError(ErrorCode::kHwidNoParts,
                     "no hardware part to form a machine key");
  std::sort(digests.begin(), digests.end());
  std::string joined;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (i != 0)
      joined.push_back('\n');
    joined.append(digests[i]);
  }
  return crypto::Sha256Hex(joined);
}

Result<std::string> MachineKey(const std::vector<Part>& parts) {
  std::vector<std::string> digests;
  digests.reserve(parts.size());
  for (const Part& part : parts) {
    auto digest = PartDigest(part.kind, part.value);
    if (!digest)
      return tl::unexpected(digest.error());
    digests.push_back(std::move(*digest));
  }
  return MachineKeyFromDigests(std::move(digests));
}

Result<std::string> ProductHwid(std::string_view machine_key,
                                std::string_view product_id) {
  std::string key(kProductKeyPrefix);
  key.append(product_id);
  return crypto::HmacSha256Hex(key, machine_key);
}

Result<std::string> MachineFingerprint(std::string_view machine_key) {
  std::string data(kFingerprintPrefix);
  data.append(machine_key);
  auto digest = crypto::Sha256Hex(data);
  if (!digest)
    return digest;
  return digest->substr(0, kFingerprintHexChars);
}

}  // namespace gg::hwid
