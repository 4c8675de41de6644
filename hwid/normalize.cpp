#include "hwid/normalize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "platform/crypto.h"

namespace gg::hwid {
namespace {

bool IsTrimmed(char c) {
  return c == '\0' || std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool IsSeparator(char c) {
  return c == '-' || c == ':' || c == ' ' || c == '.';
}

// True when every non-separator character is `c` (and there is one).
bool AllSame(std::string_view s, char c) {
  bool any = false;
  for (char ch : s) {
    if (IsSeparator(ch))
      continue;
    if (ch != c)
      return false;
    any = true;
  }
  return any;
}

// Vendor placeholders, normalised (spec/agent.md §5).
constexpr std::array<std::string_view, 9> kPlaceholders = {
    "uninitialized",
    "03000200-0400-0500-0006-000700080009",
    "03020100-0504-0706-0809-0a0b0c0d0e0f",
    "10000000-0000-8000-0040-000000000000",
    "to be filled by o.e.m.",
    "default string",
    "none",
    "not specified",
    "0123456789",
};

}  // namespace

std::string NormalizeValue(std::string_view raw) {
  while (!raw.empty() && IsTrimmed(raw.front()))
    raw.remove_prefix(1);
  while (!raw.empty() && IsTrimmed(raw.back()))
    raw.remove_suffix(1);
  std::string out(raw);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsPlaceholder(std::string_view normalised) {
  if (normalised.empty() || AllSame(normalised, '0') ||
      AllSame(normalised, 'f'))
    return true;
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), normalised) !=
         kPlaceholders.end();
}

void AddValue(Collection* out,
              PartKind kind,
              std::string source,
              std::string_view raw) {
  std::string value = NormalizeValue(raw);
  if (value.empty()) {
    out->skipped.push_back({kind, std::move(source), SkipReason::kAbsent});
  } else if (IsPlaceholder(value)) {
    out->skipped.push_back({kind, std::move(source), SkipReason::kPlaceholder});
  } else {
    out->parts.push_back({kind, std::move(value), std::move(source)});
  }
}

std::optional<std::string> NormalizeMac(std::string_view text) {
  std::string t = NormalizeValue(text);
  std::string bytes;
  std::size_t i = 0;
  char separator = 0;
  while (i < t.size()) {
    if (i + 1 >= t.size())
      return std::nullopt;
    int hi = crypto::HexDigitValue(t[i]);
    int lo = crypto::HexDigitValue(t[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    bytes.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
    if (i == t.size())
      break;
    char c = t[i];
    if (c == ':' || c == '-') {
      // One separator style throughout, and not mixed with bare digits.
      if ((separator != 0 && separator != c) ||
          (separator == 0 && bytes.size() != 1))
        return std::nullopt;
      separator = c;
      ++i;
      if (i == t.size())
        return std::nullopt;  // a trailing separator
    } else if (separator != 0) {
      return std::nullopt;
    }
  }
  if (bytes.size() != 6)
    return std::nullopt;
  return MacFromBytes(bytes);
}

std::optional<std::string> MacFromBytes(std::string_view bytes) {
  if (bytes.size() != 6)
    return std::nullopt;
  // Bit 0 of the first octet marks a group (multicast) address.
  if ((static_cast<unsigned char>(bytes[0]) & 1u) != 0)
    return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    if (i != 0)
      out.push_back(':');
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15u]);
  }
  return out;
}

std::optional<std::string> ParseIoregValue(std::string_view ioreg_text,
                                           std::string_view key) {
  // Appended piecewise: GCC 12 at -O3 warns (-Wrestrict, falsely) about
  // "literal" + std::string&&.
  std::string needle = "\"";
  needle.append(key).append("\"");
  std::size_t pos = 0;
  while ((pos = ioreg_text.find(needle, pos)) != std::string_view::npos) {
    std::size_t i = pos + needle.size();
    pos = i;
    while (i < ioreg_text.size() && ioreg_text[i] == ' ')
      ++i;
    if (i >= ioreg_text.size() || ioreg_text[i] != '=')
      continue;  // the key quoted elsewhere, e.g. inside another value
    ++i;
    while (i < ioreg_text.size() && ioreg_text[i] == ' ')
      ++i;
    if (i >= ioreg_text.size())
      return std::nullopt;
    char open = ioreg_text[i];
    if (open == '"') {
      std::size_t end = ioreg_text.find('"', i + 1);
      if (end == std::string_view::npos)
        return std::nullopt;
      return std::string(ioreg_text.substr(i + 1, end - i - 1));
    }
    if (open == '<') {
      std::size_t end = ioreg_text.find('>', i + 1);
      if (end == std::string_view::npos)
        return std::nullopt;
      std::string_view inner = ioreg_text.substr(i + 1, end - i - 1);
      if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"')
        inner = inner.substr(1, inner.size() - 2);
      return std::string(inner);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> ParseVpdPage80(std::string_view page) {
  if (page.size() < 4 || static_cast<unsigned char>(page[1]) != 0x80)
    return std::nullopt;
  std::size_t length =
      (static_cast<std::size_t>(static_cast<unsigned char>(page[2])) << 8) |
      static_cast<unsigned char>(page[3]);
  if (page.size() < 4 + length)
    return std::nullopt;
  return std::string(page.substr(4, length));
}

}  // namespace gg::hwid
