// Crypto helpers shared by the agent and gg-devserver: hashing, HMAC,
// Ed25519, base64 and hex. OpenSSL EVP only; every OpenSSL return code is
// checked and turned into an Error with code "CRYPTO".
//
// All strings are byte strings (std::string holding raw bytes), hex is
// lowercase. Thread-safe: no shared state.
#ifndef GG_PLATFORM_CRYPTO_H_
#define GG_PLATFORM_CRYPTO_H_

#include <string>
#include <string_view>

#include "platform/result.h"

namespace gg::crypto {

inline constexpr std::size_t kEd25519KeySize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

std::string HexEncode(std::string_view bytes);
// The value of one hex digit (either case), or -1 for any other character.
int HexDigitValue(char c);
[[nodiscard]] Result<std::string> HexDecode(std::string_view hex);

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Strict: rejects bad characters, bad padding and trailing garbage.
[[nodiscard]] Result<std::string> Base64Decode(std::string_view text);

// Raw 32-byte digest and its hex form.
[[nodiscard]] Result<std::string> Sha256(std::string_view data);
[[nodiscard]] Result<std::string> Sha256Hex(std::string_view data);

[[nodiscard]] Result<std::string> HmacSha256(std::string_view key,
                                             std::string_view data);
[[nodiscard]] Result<std::string> HmacSha256Hex(std::string_view key,
                                                std::string_view data);

// Signs with the private key made from a raw 32-byte seed; returns the raw
// 64-byte signature.
[[nodiscard]] Result<std::string> Ed25519Sign(std::string_view seed,
                                              std::string_view message);
// The raw 32-byte public key of a raw 32-byte seed.
[[nodiscard]] Result<std::string> Ed25519PublicKey(std::string_view seed);
// True only when `signature` (raw, 64 bytes) is a valid signature of
// `message` by `public_key` (raw, 32 bytes). Any malformed input is false.
bool Ed25519Verify(std::string_view public_key,
                   std::string_view message,
                   std::string_view signature);

// Compares in time that depends only on the lengths, not the contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gg::crypto

#endif  // GG_PLATFORM_CRYPTO_H_
