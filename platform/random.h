// Cryptographically secure random bytes from OpenSSL's RAND_bytes.
//
// Nonces, instance IDs and session IDs come from here. A failure of the
// generator is an error, never a silent fallback to a weaker source.
#ifndef GG_PLATFORM_RANDOM_H_
#define GG_PLATFORM_RANDOM_H_

#include <cstddef>
#include <string>

#include "platform/result.h"

namespace gg {

// `n` random bytes.
[[nodiscard]] Result<std::string> RandomBytes(std::size_t n);

// `n` random bytes as 2*n lowercase hex characters.
[[nodiscard]] Result<std::string> RandomHex(std::size_t n);

// A source of randomness that tests can replace (retry jitter, say).
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly distributed double in [0, 1).
  virtual double Uniform01() = 0;
};

// Uniform01 from RAND_bytes; thread-safe.
class SecureRandomSource final : public RandomSource {
 public:
  double Uniform01() override;
};

}  // namespace gg

#endif  // GG_PLATFORM_RANDOM_H_
