#include "platform/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstring>

#include "platform/crypto.h"

namespace gg {

Result<std::string> RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                          static_cast<int>(n)) != 1)
    return MakeError(ErrorCode::kRandom, "the system random generator failed");
  return out;
}

Result<std::string> RandomHex(std::size_t n) {
  return RandomBytes(n).map(
      [](const std::string& b) { return crypto::HexEncode(b); });
}

double SecureRandomSource::Uniform01() {
  std::uint64_t v = 0;
  // On a generator failure jitter degrades to 0, which only makes a retry
  // earlier within its floor; it never weakens anything secret.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1)
    return 0.0;
  return static_cast<double>(v >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace gg
