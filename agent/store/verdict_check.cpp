#include "agent/store/verdict_check.h"

#include <algorithm>
#include <thread>

#include "agent/upstream/request.h"
#include "platform/signing.h"

namespace gg::store {

Status CheckStoredVerdict(const std::vector<std::string>& public_keys,
                          const StoredVerdict& verdict) {
  const upstream::SignedMaterial& m = verdict.material;
  if (m.status != 200 && m.status != 403)
    return MakeError(ErrorCode::kBadVerdict,
                     "status " + std::to_string(m.status) + " is no verdict");
  if (!signing::VerifyResponse(public_keys, m.response_signature,
                               m.request_nonce, m.request_body, m.status,
                               m.response_timestamp, m.response_body))
    return MakeError(ErrorCode::kBadVerdict,
                     "response signature does not verify");
  // The signature covers the request body, so the key it names is the key
  // the server judged.
  auto signed_for = upstream::IdentityFromRequestBody(m.request_body);
  if (!signed_for)
    return MakeError(ErrorCode::kBadVerdict,
                     "signed " + signed_for.error().message);
  if (signed_for->product_id != verdict.key.product_id ||
      signed_for->license_key != verdict.key.license_key)
    return MakeError(ErrorCode::kBadVerdict,
                     "signed request is for another product or license key");
  return Ok();
}

std::vector<Status> CheckStoredVerdicts(
    const std::vector<std::string>& public_keys,
    const std::vector<StoredVerdict>& verdicts,
    unsigned max_threads) {
  std::vector<Status> results(verdicts.size());
  auto check_range = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      results[i] = CheckStoredVerdict(public_keys, verdicts[i]);
  };
  // Threads pay off only for a large cache; small ones stay on the caller.
  constexpr std::size_t kMinPerThread = 256;
  std::size_t threads = std::min<std::size_t>(
      std::max(1u, max_threads), verdicts.size() / kMinPerThread + 1);
  if (threads <= 1) {
    check_range(0, verdicts.size());
    return results;
  }
  std::vector<std::thread> workers;
  std::size_t chunk = (verdicts.size() + threads - 1) / threads;
  // The caller's thread takes the first chunk.
  for (std::size_t t = 1; t < threads; ++t) {
    std::size_t begin = std::min(verdicts.size(), t * chunk);
    std::size_t end = std::min(verdicts.size(), begin + chunk);
    workers.emplace_back(check_range, begin, end);
  }
  check_range(0, std::min(verdicts.size(), chunk));
  for (auto& w : workers)
    w.join();
  return results;
}

}  // namespace gg::store
