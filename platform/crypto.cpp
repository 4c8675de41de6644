#include "platform/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace gg::crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

tl::unexpected<Error> CryptoError(const char* what) {
  return MakeError(ErrorCode::kCrypto, std::string(what) + " failed");
}

}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return MakeError(ErrorCode::kBadHex, "hex string has an odd length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigitValue(hex[i]);
    int lo = HexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return MakeError(ErrorCode::kBadHex, "not a hex digit");
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          Bytes(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  // EVP_DecodeBlock accepts some sloppiness (whitespace, missing padding
  // checks), so the shape is checked here first.
  if (text.size() % 4 != 0)
    return MakeError(ErrorCode::kBadBase64,
                     "base64 length is not a multiple of 4");
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=') {
      if (i + 2 < text.size())
        return MakeError(ErrorCode::kBadBase64, "padding inside base64 text");
      ++pad;
    } else if (!alnum || pad > 0) {
      return MakeError(ErrorCode::kBadBase64, "not a base64 character");
    }
  }
  if (text.empty())
    return std::string();
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          Bytes(text), static_cast<int>(text.size()));
  if (n < 0)
    return MakeError(ErrorCode::kBadBase64, "base64 decoding failed");
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

Result<std::string> Sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) !=
      1)
    return CryptoError("EVP_Digest");
  return std::string(reinterpret_cast<char*>(md), len);
}

Result<std::string> Sha256Hex(std::string_view data) {
  return Sha256(data).map([](const std::string& d) { return HexEncode(d); });
}

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC() with a NULL md buffer would use a static one; ours is local.
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data),
           data.size(), md, &len) == nullptr)
    return CryptoError("HMAC");
  return std::string(reinterpret_cast<char*>(md), len);
}

Result<std::string> HmacSha256Hex(std::string_view key, std::string_view data) {
  return HmacSha256(key, data).map(
      [](const std::string& d) { return HexEncode(d); });
}

namespace {

Result<PkeyPtr> PrivateKeyFromSeed(std::string_view seed) {
  if (seed.size() != kEd25519KeySize)
    return MakeError(ErrorCode::kCrypto, "Ed25519 seed must be 32 bytes");
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           Bytes(seed), seed.size()));
  if (!key)
    return CryptoError("EVP_PKEY_new_raw_private_key");
  return key;
}

}  // namespace

Result<std::string> Ed25519Sign(std::string_view seed,
                                std::string_view message) {
  auto key = PrivateKeyFromSeed(seed);
  if (!key)
    return tl::unexpected(key.error());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx)
    return CryptoError("EVP_MD_CTX_new");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1)
    return CryptoError("EVP_DigestSignInit");
  std::string sig(kEd25519SignatureSize, '\0');
  std::size_t sig_len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &sig_len, Bytes(message), message.size()) != 1)
    return CryptoError("EVP_DigestSign");
  sig.resize(sig_len);
  return sig;
}

Result<std::string> Ed25519PublicKey(std::string_view seed) {
  auto key = PrivateKeyFromSeed(seed);
  if (!key)
    return tl::unexpected(key.error());
  std::string pub(kEd25519KeySize, '\0');
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(
          key->get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1)
    return CryptoError("EVP_PKEY_get_raw_public_key");
  pub.resize(len);
  return pub;
}

bool Ed25519Verify(std::string_view public_key,
                   std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519KeySize ||
      signature.size() != kEd25519SignatureSize)
    return false;
  PkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  if (!key)
    return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx)
    return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) !=
      1)
    return false;
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                          Bytes(message), message.size()) == 1;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  if (a.empty())
    return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gg::crypto
