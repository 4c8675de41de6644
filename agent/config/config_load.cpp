// LoadConfigFile: the file-reading half of the configuration.
#include <spdlog/spdlog.h>

#include "agent/config/config.h"
#include "agent/config/url.h"
#include "platform/log.h"
#include "platform/private_file.h"

namespace gg::config {

void RegisterConfigSecrets(const Config& config) {
  log::RegisterSecret(config.server.api_key.Reveal());
  log::RegisterSecret(config.server.signing_secret.Reveal());
  // A proxy password travels in the proxy URL.
  if (config.server.proxy)
    log::RegisterSecret(internal::UrlUserinfo(*config.server.proxy));
}

Result<Config> LoadConfigFile(const std::filesystem::path& path,
                              ConfigEnv env) {
  auto text = ReadFile(path);
  if (!text)
    return MakeError(ErrorCode::kConfig,
                     path.string() + ": " + text.error().message);
  if (env.base_dir.empty()) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(path, ec);
    env.base_dir = ec ? path.parent_path() : absolute.parent_path();
  }
  auto config = ParseConfig(*text, env);
  if (!config)
    return config;
  RegisterConfigSecrets(*config);
  // Inline secrets in a file others can read leak them; a warning rather
  // than a refusal, because the spec makes only secret *files* fatal.
  bool inline_secret = !config->server.api_key_file.has_value() ||
                       !config->server.signing_secret_file.has_value();
  auto owner_only = IsOwnerOnly(path);
  if (inline_secret && owner_only && !*owner_only)
    spdlog::warn(
        "{} holds a secret inline and is readable by group or others; "
        "use apiKeyFile/signingSecretFile or chmod 600",
        path.string());
  return config;
}

}  // namespace gg::config
