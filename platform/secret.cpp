#include "platform/secret.h"

#include <openssl/crypto.h>

namespace gg {
namespace {

void Wipe(std::string& s) {
  if (!s.empty())
    OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

// A moved-from std::string may keep its bytes (short strings live inside
// the object): copy, then wipe the source.
Secret::Secret(Secret&& other) noexcept : value_(other.value_) {
  Wipe(other.value_);
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe(value_);
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe(value_);
    value_ = other.value_;
    Wipe(other.value_);
  }
  return *this;
}

Secret::~Secret() {
  Wipe(value_);
}

}  // namespace gg
