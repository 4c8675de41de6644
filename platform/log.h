// Logging: one line per event to stderr (journald and the Windows service
// wrapper keep it), as text or as JSON lines.
//
// Code logs with spdlog's default logger (spdlog::info(...)). Init() installs
// a sink that, besides formatting, replaces every registered secret with a
// mask before the line is written: a second fence behind gg::Secret, so
// even a secret copied into a plain string never reaches the log.
#ifndef GG_PLATFORM_LOG_H_
#define GG_PLATFORM_LOG_H_

#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "platform/result.h"

namespace gg::log {

enum class Format { kText, kJson };

// "trace", "debug", "info", "warn", "error", "off".
[[nodiscard]] Result<spdlog::level::level_enum> ParseLevel(
    std::string_view name);
[[nodiscard]] Result<Format> ParseFormat(std::string_view name);

// Sets the default logger to write to `out` (stderr when null). Thread-safe
// with respect to logging; call it from one thread at start or reload.
void Init(spdlog::level::level_enum level,
          Format format,
          std::ostream* out = nullptr);

// Secrets registered here are masked in every line from now on. Values
// shorter than 4 bytes are ignored (masking "a" would garble every line).
void RegisterSecret(std::string_view secret);

// Masks all registered secrets in `line`; exposed for tests and for text
// that leaves the process by another way (crash messages).
std::string Redact(std::string_view line);

// Masks an identifier for display: keeps the first 4 characters
// ("gg_d…(10)"), never the rest.
std::string MaskValue(std::string_view value);

}  // namespace gg::log

#endif  // GG_PLATFORM_LOG_H_
