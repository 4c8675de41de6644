// SupersededKeys: a fixed array of 64-byte slots, each "GGS1", four zero
// bytes, SHA-256 of the key, 20 zero bytes and the first 8 bytes of SHA-256
// over the 56 before them (a torn or edited slot does not check and counts
// as free). 64-byte slots never straddle a disk sector.
#include "agent/store/superseded_keys.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "platform/crypto.h"
#include "platform/private_file.h"

namespace gg::store {
namespace {

constexpr char kMagic[4] = {'G', 'G', 'S', '1'};
constexpr std::size_t kDigestAt = 8;
constexpr std::size_t kCheckAt = 56;

bool IsFree(const std::array<unsigned char, 32>& d) {
  return std::all_of(d.begin(), d.end(),
                     [](unsigned char c) { return c == 0; });
}

Result<std::string> EncodeSlot(const std::array<unsigned char, 32>* digest) {
  std::string slot(SupersededKeys::kSlotBytes, '\0');
  if (digest == nullptr) {
    return slot;  // free: all zero
  }
  std::memcpy(slot.data(), kMagic, sizeof kMagic);
  std::memcpy(slot.data() + kDigestAt, digest->data(), digest->size());
  auto check = crypto::Sha256(std::string_view(slot.data(), kCheckAt));
  if (!check) {
    return tl::unexpected(check.error());
  }
  std::memcpy(slot.data() + kCheckAt, check->data(), 8);
  return slot;
}

// The digest a slot holds; all zero for a free, torn or edited one.
std::array<unsigned char, 32> DecodeSlot(std::string_view slot) {
  std::array<unsigned char, 32> digest{};
  if (slot.size() != SupersededKeys::kSlotBytes ||
      std::memcmp(slot.data(), kMagic, sizeof kMagic) != 0) {
    return digest;
  }
  auto check = crypto::Sha256(slot.substr(0, kCheckAt));
  if (!check || std::memcmp(check->data(), slot.data() + kCheckAt, 8) != 0) {
    return digest;
  }
  std::memcpy(digest.data(), slot.data() + kDigestAt, digest.size());
  return digest;
}

Result<std::array<unsigned char, 32>> DigestOf(const VerdictKey& key) {
  // A NUL cannot occur in either part (both are validated text).
  std::string text = key.product_id;
  text += '\0';
  text += key.license_key;
  auto sha = crypto::Sha256(text);
  if (!sha) {
    return tl::unexpected(sha.error());
  }
  std::array<unsigned char, 32> d{};
  std::memcpy(d.data(), sha->data(), d.size());
  return d;
}

}  // namespace

Result<SupersededKeys> SupersededKeys::Open(
    const std::filesystem::path& state_dir) {
  const std::filesystem::path file = state_dir / kSupersededFileName;
  std::string why;
  auto kind = InspectOwnFile(file, &why);
  if (!kind) {
    return tl::unexpected(kind.error());
  }
  if (*kind == FileKind::kOther) {
    return MakeError(ErrorCode::kInsecureFile, file.string() + ": " + why);
  }
  std::vector<Digest> slots(kSlots);
  bool rewrite = *kind == FileKind::kAbsent;
  if (!rewrite) {
    auto bytes = ReadFile(file);
    if (!bytes) {
      return tl::unexpected(bytes.error());
    }
    rewrite = bytes->size() != kSlots * kSlotBytes;
    if (rewrite) {
      spdlog::warn(
          "store: {} has {} bytes, not {}: rewritten with the marks "
          "it held",
          file.string(), bytes->size(), kSlots * kSlotBytes);
    }
    std::size_t n = 0;
    for (std::size_t at = 0; at + kSlotBytes <= bytes->size() && n < kSlots;
         at += kSlotBytes) {
      Digest d = DecodeSlot(std::string_view(*bytes).substr(at, kSlotBytes));
      if (!rewrite || !IsFree(d)) {
        slots[rewrite ? n : at / kSlotBytes] = d;
        ++n;
      }
    }
  }
  if (rewrite) {
    std::string all;
    all.reserve(kSlots * kSlotBytes);
    for (const Digest& d : slots) {
      auto slot = EncodeSlot(IsFree(d) ? nullptr : &d);
      if (!slot) {
        return tl::unexpected(slot.error());
      }
      all += *slot;
    }
    if (auto s = WritePrivateFileAtomic(file, all); !s) {
      return tl::unexpected(s.error());
    }
  }
  return SupersededKeys(file, std::move(slots));
}

SupersededKeys::SupersededKeys(std::filesystem::path file,
                               std::vector<Digest> slots)
    : file_(std::move(file)), slots_(std::move(slots)) {}

SupersededKeys::SupersededKeys(SupersededKeys&& other) noexcept
    : file_(std::move(other.file_)), slots_(std::move(other.slots_)) {}

std::size_t SupersededKeys::Find(const Digest& digest) const {
  auto it = std::find(slots_.begin(), slots_.end(), digest);
  return static_cast<std::size_t>(it - slots_.begin());
}

bool SupersededKeys::Contains(const VerdictKey& key) const {
  auto d = DigestOf(key);
  std::lock_guard lock(mu_);
  // Fail closed: a key that cannot be hashed counts as marked.
  return !d || Find(*d) != kSlots;
}

std::size_t SupersededKeys::size() const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(),
                    [](const Digest& d) { return !IsFree(d); }));
}

Status SupersededKeys::WriteSlot(std::size_t i, const Digest* digest) {
  auto slot = EncodeSlot(digest);
  if (!slot) {
    return tl::unexpected(slot.error());
  }
  return OverwriteFileRange(file_, i * kSlotBytes, *slot);
}

Status SupersededKeys::Add(const VerdictKey& key) {
  auto d = DigestOf(key);
  if (!d) {
    return tl::unexpected(d.error());
  }
  std::lock_guard lock(mu_);
  if (Find(*d) != kSlots) {
    return Ok();
  }
  const std::size_t i = Find(Digest{});
  if (i == kSlots) {
    return MakeError(ErrorCode::kSupersededFull,
                     "all " + std::to_string(kSlots) + " slots of " +
                         file_.string() + " are taken");
  }
  if (auto s = WriteSlot(i, &*d); !s) {
    return s;
  }
  slots_[i] = *d;
  return Ok();
}

Status SupersededKeys::Remove(const VerdictKey& key) {
  auto d = DigestOf(key);
  if (!d) {
    return tl::unexpected(d.error());
  }
  std::lock_guard lock(mu_);
  const std::size_t i = Find(*d);
  if (i == kSlots) {
    return Ok();
  }
  if (auto s = WriteSlot(i, nullptr); !s) {
    return s;
  }
  slots_[i] = Digest{};
  return Ok();
}

}  // namespace gg::store
