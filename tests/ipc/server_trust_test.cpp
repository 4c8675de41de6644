// The rule libggclient applies on Windows to the named-pipe server's account
// (ipc/client/server_trust.h), tested as strings on every OS.
#include "ipc/client/server_trust.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>

namespace gg::client_internal {
namespace {

constexpr std::string_view kUser =
    "S-1-5-21-1004336348-1177238915-682003330-1001";
constexpr std::string_view kOtherUser =
    "S-1-5-21-1004336348-1177238915-682003330-1002";

TEST(ServerTrustTest, LocalSystemAndTheServiceAccountAreTrusted) {
  EXPECT_TRUE(TrustedServerAccount(kLocalSystemSid, kUser));
  EXPECT_TRUE(TrustedServerAccount(kAgentServiceSid, kUser));
}

TEST(ServerTrustTest, TheClientsOwnAccountIsTrusted) {
  EXPECT_TRUE(TrustedServerAccount(kUser, kUser));
}

// The squatter: another local user, a service account that is not ours,
// Administrators as a group SID, or nothing readable.
TEST(ServerTrustTest, AnyOtherAccountIsRefused) {
  EXPECT_FALSE(TrustedServerAccount(kOtherUser, kUser));
  EXPECT_FALSE(TrustedServerAccount("S-1-5-19", kUser));  // LocalService
  EXPECT_FALSE(TrustedServerAccount("S-1-5-20", kUser));  // NetworkService
  EXPECT_FALSE(TrustedServerAccount("S-1-5-32-544", kUser));
  EXPECT_FALSE(TrustedServerAccount(
      "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
      kUser));  // NT SERVICE\TrustedInstaller
  EXPECT_FALSE(TrustedServerAccount("", kUser));
  EXPECT_FALSE(TrustedServerAccount("", ""));
  EXPECT_FALSE(TrustedServerAccount("S-1-5-18-1", kUser));
}

// Windows derives NT SERVICE\<name> from the SHA-1 of the upper-cased name
// in UTF-16LE, read as five little-endian words.
std::string ServiceSid(const std::string& upper_ascii_name) {
  std::string utf16;
  for (char c : upper_ascii_name) {
    utf16 += c;
    utf16 += '\0';
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(utf16.data(), utf16.size(), digest, &size, EVP_sha1(),
                 nullptr) != 1 ||
      size != 20) {
    return "sha1 failed";
  }
  std::string sid = "S-1-5-80";
  for (int i = 0; i < 5; ++i) {
    std::uint32_t word = 0;
    for (int b = 3; b >= 0; --b) {
      word = (word << 8) | digest[i * 4 + b];
    }
    sid += '-';
    sid += std::to_string(word);
  }
  return sid;
}

TEST(ServerTrustTest, ServiceSidIsDerivedFromTheServiceName) {
  // The derivation checked against a SID Windows documents.
  EXPECT_EQ(ServiceSid("TRUSTEDINSTALLER"),
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
  EXPECT_EQ(ServiceSid("GG-AGENT"), kAgentServiceSid);
}

}  // namespace
}  // namespace gg::client_internal
