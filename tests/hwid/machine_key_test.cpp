// The machine key, product ID and fingerprint match values computed a second
// way: the `openssl dgst` command line, run from the test.
#include "hwid/machine_key.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "platform/random.h"

namespace gg::hwid {
namespace {

// hex SHA-256 (or HMAC-SHA256 with `hmac_key`) of `data` by the openssl CLI.
std::string OpensslDigest(const std::string& data,
                          const std::string& hmac_key = "") {
  auto name = std::filesystem::temp_directory_path() /
              ("gg-hwid-dgst-" + *RandomHex(6));
  { std::ofstream(name, std::ios::binary) << data; }
  std::string cmd = "openssl dgst -sha256 -r";
  if (!hmac_key.empty())
    cmd += " -hmac '" + hmac_key + "'";
  cmd += " '" + name.string() + "'";
  std::string out;
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof(buf), pipe) != nullptr)
      out += buf;
    EXPECT_EQ(::pclose(pipe), 0);
  }
  std::filesystem::remove(name);
  return out.substr(0, out.find(' '));
}

const std::vector<Part> kParts = {
    {PartKind::kFirmwareUuid, "4c4c4544-0042-3510-8052-b4c04f395a32", "/u"},
    {PartKind::kOsInstall, "7d0b8a4e2f6c4b1e9a3d5c7e9f1a2b3c", "/m"},
    {PartKind::kNic, "8c:ec:4b:12:34:56", "/n"},
    {PartKind::kDisk, "s4ewnf0m812345a", "/d"},
    {PartKind::kBoardSerial, "/f5zy2z2/cnfcw0083b00ad/", "/b"},
};

// Part digests are SHA-256 of kind, NUL, value.
TEST(MachineKeyTest, PartDigestMatchesOpenssl) {
  for (const Part& p : kParts) {
    std::string data =
        std::string(KindName(p.kind)) + std::string(1, '\0') + p.value;
    EXPECT_EQ(*PartDigest(p.kind, p.value), OpensslDigest(data));
  }
}

// The key is SHA-256 of the sorted digests joined by "\n", the product ID
// an HMAC keyed by "gg-hwid-v1:" + product, the fingerprint 16 hex of
// SHA-256("gg-hwid-fp:" + key); each matches openssl.
TEST(MachineKeyTest, KeyProductIdAndFingerprintMatchOpenssl) {
  std::vector<std::string> digests;
  for (const Part& p : kParts) {
    digests.push_back(OpensslDigest(std::string(KindName(p.kind)) +
                                    std::string(1, '\0') + p.value));
  }
  std::sort(digests.begin(), digests.end());
  std::string joined;
  for (const std::string& d : digests)
    joined += (joined.empty() ? "" : "\n") + d;
  const std::string expected_key = OpensslDigest(joined);
  ASSERT_EQ(expected_key.size(), 64u);

  auto key = MachineKey(kParts);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, expected_key);
  EXPECT_EQ(*ProductHwid(*key, "prod_acme_cad"),
            OpensslDigest(*key, "gg-hwid-v1:prod_acme_cad"));
  EXPECT_NE(*ProductHwid(*key, "prod_acme_cad"), *ProductHwid(*key, "prod_2"));
  EXPECT_EQ(*MachineFingerprint(*key),
            OpensslDigest("gg-hwid-fp:" + *key).substr(0, 16));
}

// The key does not depend on the order of the parts.
TEST(MachineKeyTest, OrderIndependent) {
  std::vector<Part> reversed(kParts.rbegin(), kParts.rend());
  EXPECT_EQ(*MachineKey(kParts), *MachineKey(reversed));
  std::vector<Part> fewer(kParts.begin(), kParts.end() - 1);
  EXPECT_NE(*MachineKey(kParts), *MachineKey(fewer));
}

// No parts, no key.
TEST(MachineKeyTest, EmptySetIsAnError) {
  auto key = MachineKey({});
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code, ErrorCode::kHwidNoParts);
}

}  // namespace
}  // namespace gg::hwid
