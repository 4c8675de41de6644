#include "platform/log.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <spdlog/details/os.h>
#include <spdlog/sinks/base_sink.h>
#include <nlohmann/json.hpp>

namespace gg::log {
namespace {

struct SecretRegistry {
  std::shared_mutex mutex;
  std::vector<std::string> secrets;
};

SecretRegistry& Registry() {
  static SecretRegistry* registry = new SecretRegistry();  // never destroyed
  return *registry;
}

std::string Timestamp(spdlog::log_clock::time_point tp) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                tp.time_since_epoch())
                .count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm = spdlog::details::os::gmtime(secs);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf, n) + fmt::format(".{:03d}Z", ms % 1000);
}

// Formats, redacts and writes each record as one line. With a null stream
// it writes to stderr with fwrite, so it works before iostreams are set up
// and stays unbuffered.
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineSink(Format format, std::ostream* out) : format_(format), out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text =
        Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    std::string level(spdlog::level::to_string_view(msg.level).data(),
                      spdlog::level::to_string_view(msg.level).size());
    std::string line;
    if (format_ == Format::kJson) {
      nlohmann::json j = {
          {"ts", Timestamp(msg.time)}, {"level", level}, {"msg", text}};
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      // One event, one line: embedded newlines would split it.
      std::replace(text.begin(), text.end(), '\n', ' ');
      line = Timestamp(msg.time) + " " + level + " " + text;
    }
    line.push_back('\n');
    if (out_) {
      out_->write(line.data(), static_cast<std::streamsize>(line.size()));
      out_->flush();
    } else {
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  }
  void flush_() override {
    if (out_)
      out_->flush();
    else
      std::fflush(stderr);
  }

 private:
  Format format_;
  std::ostream* out_;
};

}  // namespace

Result<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum>
      kLevels[] = {
          {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
          {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
          {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (const auto& [n, l] : kLevels)
    if (n == name)
      return l;
  return MakeError(ErrorCode::kValidation,
                   "not one of trace, debug, info, warn, error, off");
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text")
    return Format::kText;
  if (name == "json")
    return Format::kJson;
  return MakeError(ErrorCode::kValidation, "not one of text, json");
}

void Init(spdlog::level::level_enum level, Format format, std::ostream* out) {
  auto sink = std::make_shared<LineSink>(format, out);
  auto logger = std::make_shared<spdlog::logger>("gg", std::move(sink));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4)
    return;
  auto& r = Registry();
  std::unique_lock lock(r.mutex);
  if (std::find(r.secrets.begin(), r.secrets.end(), secret) == r.secrets.end())
    r.secrets.emplace_back(secret);
}

std::string Redact(std::string_view line) {
  std::string out(line);
  auto& r = Registry();
  std::shared_lock lock(r.mutex);
  for (const auto& s : r.secrets) {
    for (std::size_t pos = out.find(s); pos != std::string::npos;
         pos = out.find(s, pos + 8))
      out.replace(pos, s.size(), "********");
  }
  return out;
}

std::string MaskValue(std::string_view value) {
  if (value.size() <= 4)
    return "****";
  return std::string(value.substr(0, 4)) + "…(" + std::to_string(value.size()) +
         ")";
}

}  // namespace gg::log
