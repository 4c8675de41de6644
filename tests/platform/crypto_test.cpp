// Unit tests of the OpenSSL-backed helpers against known answers.
#include <gtest/gtest.h>

#include "platform/crypto.h"

namespace gg::crypto {
namespace {

// SHA-256 of "abc" is the FIPS 180-2 example.
TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(*Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(*Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231 test case 2.
TEST(Crypto, HmacSha256Rfc4231) {
  EXPECT_EQ(*HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// Base64 round-trips every length and rejects malformed text.
TEST(Crypto, Base64RoundTripAndStrictness) {
  std::string data;
  for (int i = 0; i < 70; ++i) {
    auto enc = Base64Encode(data);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec) << i;
    EXPECT_EQ(*dec, data);
    data.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64Decode("Zm9vYg="));   // bad length
  EXPECT_FALSE(Base64Decode("Zm9v*mFy"));  // bad character
  EXPECT_FALSE(Base64Decode("Zm=vYmFy"));  // padding inside
  EXPECT_FALSE(Base64Decode("Zm9vYmFy\n"));
}

// Hex decoding rejects odd lengths and non-hex characters.
TEST(Crypto, HexRoundTrip) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
}

// RFC 8032 test 1: empty message with the all-known seed.
TEST(Crypto, Ed25519Rfc8032Test1) {
  auto seed = *HexDecode(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  auto pub = *Ed25519PublicKey(seed);
  EXPECT_EQ(HexEncode(pub),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = *Ed25519Sign(seed, "");
  EXPECT_EQ(HexEncode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(pub, "", sig));
}

// A flipped bit in message, signature or key fails verification; malformed
// sizes are false, not a crash.
TEST(Crypto, Ed25519RejectsTampering) {
  std::string seed(32, '\x07');
  auto pub = *Ed25519PublicKey(seed);
  auto sig = *Ed25519Sign(seed, "verdict");
  EXPECT_TRUE(Ed25519Verify(pub, "verdict", sig));
  EXPECT_FALSE(Ed25519Verify(pub, "verdicT", sig));
  std::string bad_sig = sig;
  bad_sig[5] ^= 1;
  EXPECT_FALSE(Ed25519Verify(pub, "verdict", bad_sig));
  std::string bad_pub = pub;
  bad_pub[0] ^= 1;
  EXPECT_FALSE(Ed25519Verify(bad_pub, "verdict", sig));
  EXPECT_FALSE(Ed25519Verify(pub.substr(1), "verdict", sig));
  EXPECT_FALSE(Ed25519Verify(pub, "verdict", sig.substr(1)));
  EXPECT_FALSE(Ed25519Sign(seed.substr(1), "x"));
}

// Equal strings compare equal; any difference, including length, does not.
TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace gg::crypto
