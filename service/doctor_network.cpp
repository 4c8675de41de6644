// The doctor's checks of the way to the API: proxy, DNS, TCP, TLS, the API
// key (GET /v1/whoami), the clock (the server's Date) and the signing
// secret and response keys (one signed authorize for a license that does
// not exist). Everything goes through the agent's own libcurl settings.
#include <future>

#include "agent/config/url.h"
#include "agent/upstream/connection_probe.h"
#include "agent/upstream/request.h"
#include "agent/upstream/response.h"
#include "agent/upstream/whoami.h"
#include "platform/random.h"
#include "service/agent_options.h"
#include "service/doctor.h"
#include "service/proxy_env.h"

namespace gg::service {
namespace {

using upstream::ConnectionProbe;
using Stage = ConnectionProbe::Stage;

constexpr long long kClockWarnSeconds = 60;
constexpr long long kClockFailSeconds = 300;  // the server's signing window
constexpr char kProbeProduct[] = "00000000-0000-0000-0000-000000000000";
constexpr char kProbeLicense[] = "GG-DOCTOR-PROBE-NOT-A-LICENSE";

std::string Ms(long long us) {
  return std::to_string((us + 500) / 1000) + " ms";
}

upstream::CurlTransportOptions TransportOptions(const config::Config& c) {
  return upstream::TransportOptionsOf(UpstreamOptionsFrom(c));
}

// Sends one request over the agent's transport and waits for the answer.
upstream::TransportResult SendAndWait(upstream::HttpTransport& transport,
                                      upstream::HttpRequest request,
                                      std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<upstream::TransportResult>>();
  auto future = promise->get_future();
  transport.Send(std::move(request), [promise](upstream::TransportResult r) {
    promise->set_value(std::move(r));
  });
  if (future.wait_for(timeout + std::chrono::seconds(2)) !=
      std::future_status::ready) {
    transport.Shutdown();  // fails the transfer, so the future is set
  }
  return future.get();
}

std::string Describe(const upstream::Failure& f) {
  std::string s = f.code;
  if (f.http_status != 0)
    s += " (HTTP " + std::to_string(f.http_status) + ")";
  if (!f.message.empty())
    s += ": " + f.message;
  if (!f.request_id.empty())
    s += " [x-request-id " + f.request_id + "]";
  return s;
}

// The fix the seed page gives for a credential code.
std::string KeyFix(const std::string& code) {
  if (code == "UNAUTHORIZED")
    return "check server.apiKey / apiKeyFile: the key must be the product's "
           "API key (sent as X-Api-Key), without spaces";
  if (code == "API_KEY_NO_PERMISSIONS")
    return "re-issue the key in the dashboard with the license:authorize "
           "permission";
  if (code == "PERMISSION_DENIED")
    return "dashboard: API Keys -> the key -> Edit Permissions -> "
           "license:authorize";
  if (code == "NOT_FOUND")
    return "server.baseUrl does not point at the GeckoGuard API";
  return "see the code in the API's error page; give GeckoGuard support "
         "the x-request-id";
}

void ProxyLine(const config::Config& config,
               const ProxyChoice& proxy,
               std::vector<Check>& out) {
  if (proxy.url) {
    out.push_back({"proxy", CheckLevel::kOk,
                   config::internal::MaskUrlUserinfo(*proxy.url) + " (from " +
                       proxy.source + ")" +
                       (proxy.source == "server.proxy"
                            ? ""
                            : "; the service sees its own environment "
                              "(systemctl show gg-agent -p Environment)"),
                   ""});
  } else if (!proxy.source.empty()) {
    out.push_back(
        {"proxy", CheckLevel::kOk,
         "none: " + UrlHost(config.server.base_url) + " matches " +
             proxy.source + "=" + proxy.no_proxy +
             (config.server.proxy ? " (server.proxy is bypassed)" : ""),
         ""});
  } else {
    out.push_back({"proxy", CheckLevel::kOk,
                   "none: direct connection (no server.proxy, no "
                   "HTTPS_PROXY/ALL_PROXY in this environment)",
                   ""});
  }
}

// DNS, TCP, proxy tunnel, TLS from one probe; false when a stage failed.
bool ConnectionLines(const config::Config& config,
                     const ProxyChoice& proxy,
                     std::vector<Check>& out) {
  const std::string& url = config.server.base_url;
  const bool https = url.starts_with("https://");
  const std::string host = proxy.url ? UrlHost(*proxy.url) : UrlHost(url);
  const std::string what = proxy.url ? "proxy " + host : host;
  const ConnectionProbe p =
      upstream::ProbeConnection(url, TransportOptions(config));
  auto skip = [&out](const char* name) {
    out.push_back({name, CheckLevel::kSkip, "an earlier stage failed", ""});
  };
  if (p.failed_at == Stage::kDns) {
    out.push_back(
        {"dns", CheckLevel::kFail, "cannot resolve " + what + ": " + p.error,
         "check the name in " +
             std::string(proxy.url ? "the proxy URL" : "server.baseUrl") +
             " and the resolver (resolvectl status)"});
    skip("tcp");
    skip("tls");
    return false;
  }
  out.push_back(
      {"dns", CheckLevel::kOk,
       what + " resolves (" + Ms(p.dns_us) + ")" +
           (proxy.url ? "; the API host is resolved by the proxy" : ""),
       ""});
  if (p.failed_at == Stage::kConnect) {
    out.push_back({"tcp", CheckLevel::kFail,
                   "cannot connect to " + what + ": " + p.error,
                   "check the port, firewalls and routes to it"});
    skip("tls");
    return false;
  }
  const std::string endpoint =
      p.primary_ip + ":" + std::to_string(p.primary_port);
  if (p.failed_at == Stage::kProxy) {
    out.push_back({"tcp", CheckLevel::kFail,
                   "connected to proxy " + endpoint +
                       ", which refused the tunnel: " + p.error,
                   "check the proxy's user:password (server.proxy or "
                   "HTTPS_PROXY) and that it allows CONNECT to the API's "
                   "port"});
    skip("tls");
    return false;
  }
  out.push_back({"tcp", CheckLevel::kOk,
                 "connected to " + endpoint +
                     (proxy.url ? " (the proxy)" : "") + " in " +
                     Ms(p.connect_us),
                 ""});
  if (!https) {
    out.push_back({"tls", CheckLevel::kWarn,
                   "server.baseUrl is http: no TLS, anyone on the way can "
                   "read and change the traffic (verdicts stay signed)",
                   "use https:// outside tests"});
    return true;
  }
  const std::string trust =
      (config.server.ca_file ? "CA " + config.server.ca_file->string()
                             : std::string("the system CAs")) +
      (config.server.pinned_public_keys
           ? ", " + std::to_string(config.server.pinned_public_keys->size()) +
                 " pinned key(s)"
           : std::string());
  if (p.failed_at == Stage::kTls) {
    out.push_back({"tls", CheckLevel::kFail,
                   "handshake with " + UrlHost(url) + " failed (trusting " +
                       trust + "): " + p.error,
                   "check server.caFile (the CA that signed the server's "
                   "certificate), server.pinnedPublicKeys and the name in "
                   "server.baseUrl; verification is never switched off"});
    return false;
  }
  out.push_back({"tls", CheckLevel::kOk,
                 "certificate of " + UrlHost(url) + " verified against " +
                     trust + " (" + Ms(p.tls_us) + ")",
                 ""});
  return true;
}

// The clock line from an answer's Date header; returns the offset used to
// sign (server minus local, in seconds).
long long ClockLine(const upstream::HttpResponse& r, std::vector<Check>& out) {
  auto server = upstream::ParseHttpDate(r.Header("date"));
  if (!server) {
    out.push_back({"clock", CheckLevel::kWarn,
                   "the server's answer has no usable Date header; cannot "
                   "compare clocks",
                   "check NTP: timedatectl status"});
    return 0;
  }
  const long long offset =
      UnixSeconds(*server) - UnixSeconds(std::chrono::system_clock::now());
  const long long off = offset < 0 ? -offset : offset;
  const std::string how = std::to_string(off) + " s " +
                          (offset > 0 ? "behind" : "ahead of") +
                          " the server's";
  if (off > kClockFailSeconds) {
    out.push_back({"clock", CheckLevel::kFail,
                   "this clock is " + how +
                       ": more than 300 s off, so every authorize is refused "
                       "with SIGNATURE_EXPIRED (the agent re-signs each call "
                       "once with the server's Date) and offline time is "
                       "counted on a wrong clock",
                   "check NTP: timedatectl status; systemctl restart "
                   "systemd-timesyncd (or chrony)"});
  } else if (off > kClockWarnSeconds) {
    out.push_back(
        {"clock", CheckLevel::kWarn,
         "this clock is " + how + " (requests are refused past 300 s)",
         "check NTP: timedatectl status"});
  } else {
    out.push_back({"clock", CheckLevel::kOk,
                   "within " + std::to_string(off) +
                       " s of the server's Date (the limit is 300 s)",
                   ""});
  }
  return offset;
}

void KeyLine(const upstream::TransportResult& r, std::vector<Check>& out) {
  if (!r) {
    out.push_back({"api-key", CheckLevel::kFail,
                   "GET /v1/whoami got no answer: " + r.error().message,
                   "see the tcp and tls lines; check requestTimeoutMs"});
    return;
  }
  auto who = upstream::InterpretWhoami(*r);
  if (auto* f = std::get_if<upstream::Failure>(&who)) {
    const bool rejected =
        f->http_status == 401 || f->http_status == 403 || f->http_status == 404;
    out.push_back({"api-key", rejected ? CheckLevel::kFail : CheckLevel::kWarn,
                   "GET /v1/whoami: " + Describe(*f), KeyFix(f->code)});
    return;
  }
  const auto& info = std::get<upstream::WhoamiInfo>(who);
  std::string perms;
  bool can_authorize = false;
  for (const auto& p : info.permissions) {
    perms += (perms.empty() ? "" : ", ") + p;
    can_authorize = can_authorize || p == upstream::kAuthorizePermission;
  }
  const std::string facts =
      "accepted (key " + (info.api_key_id.empty() ? "?" : info.api_key_id) +
      ", permissions: " + (perms.empty() ? "none" : perms) + ")";
  if (!can_authorize)
    out.push_back({"api-key", CheckLevel::kFail,
                   facts + ": without license:authorize every authorize is "
                           "refused (PERMISSION_DENIED)",
                   KeyFix("PERMISSION_DENIED")});
  else
    out.push_back({"api-key", CheckLevel::kOk, facts, ""});
}

void SigningLines(const config::Config& config,
                  upstream::HttpTransport& transport,
                  long long clock_offset,
                  std::vector<Check>& out) {
  auto endpoint = upstream::AuthorizeEndpoint(config.server.base_url);
  upstream::AuthorizeRequest probe{kProbeProduct, kProbeLicense,
                                   std::string(64, '0'), 1,
                                   std::string(32, '0')};
  auto body = upstream::AuthorizeBody(probe);
  if (!endpoint || !body) {
    out.push_back({"signing", CheckLevel::kFail, "cannot build the probe", ""});
    return;
  }
  upstream::Outcome outcome = upstream::Failure{};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto nonce = RandomHex(16);
    if (!nonce) {
      out.push_back({"signing", CheckLevel::kFail, nonce.error().message, ""});
      return;
    }
    const long long ts =
        UnixSeconds(std::chrono::system_clock::now()) + clock_offset;
    auto request =
        upstream::BuildSignedRequest(*endpoint, *body, config.server.api_key,
                                     config.server.signing_secret, ts, *nonce);
    if (!request) {
      out.push_back(
          {"signing", CheckLevel::kFail, request.error().message, ""});
      return;
    }
    auto r = SendAndWait(
        transport, *std::move(request),
        std::chrono::milliseconds(config.server.request_timeout_ms));
    if (!r) {
      out.push_back({"signing", CheckLevel::kFail,
                     "the signed probe got no answer: " + r.error().message,
                     ""});
      return;
    }
    outcome = upstream::InterpretResponse(*r, {*nonce, *body},
                                          config.server.response_public_keys);
    const auto* f = std::get_if<upstream::Failure>(&outcome);
    if (f == nullptr ||
        (f->code != "SIGNATURE_EXPIRED" && f->code != "NONCE_REUSED"))
      break;
    // As the agent does: the server's clock, a fresh nonce, once.
    if (auto server = upstream::ParseHttpDate(r->Header("date")))
      clock_offset =
          UnixSeconds(*server) - UnixSeconds(std::chrono::system_clock::now());
  }
  const std::string what =
      "a signed authorize for a license that does not exist";
  if (const auto* v = std::get_if<upstream::Verdict>(&outcome)) {
    out.push_back({"signing", CheckLevel::kOk,
                   "the signing secret is accepted (" + what +
                       " was answered " + v->reason_code + ")",
                   ""});
    if (v->signed_material)
      out.push_back({"response-keys", CheckLevel::kOk,
                     "the server's verdict signature verifies with "
                     "server.responsePublicKeys",
                     ""});
    else
      out.push_back({"response-keys", CheckLevel::kSkip,
                     "the server answered unsigned (" + v->reason_code +
                         "): nothing to verify",
                     ""});
    return;
  }
  const auto& f = std::get<upstream::Failure>(outcome);
  if (f.code == "UNSIGNED" || f.code == "BAD_SIGNATURE") {
    out.push_back(
        {"signing", CheckLevel::kOk,
         "the signing secret is accepted (" + what + " got a verdict)", ""});
    out.push_back(
        {"response-keys", CheckLevel::kFail,
         "the server's verdict " +
             std::string(f.code == "UNSIGNED" ? "carries no signature"
                                              : "does not verify with "
                                                "server.responsePublicKeys") +
             ": every verdict would be refused, apps get "
             "AGENT_OFFLINE",
         "copy the product's response signing public key from the "
         "dashboard into server.responsePublicKeys"});
    return;
  }
  if (f.code == "INVALID_SIGNATURE" || f.code == "SIGNATURE_REQUIRED" ||
      f.code == "SIGNATURE_EXPIRED") {
    out.push_back({"signing", CheckLevel::kFail,
                   "the server refuses the request signature: " + Describe(f),
                   f.code == "SIGNATURE_EXPIRED"
                       ? "check NTP: timedatectl status"
                       : "check server.signingSecret / signingSecretFile "
                         "(the product's SDK signing secret; one trailing "
                         "newline is removed, nothing else)"});
  } else if (f.code == "VALIDATION_ERROR" || f.code == "BAD_REQUEST") {
    out.push_back({"signing", CheckLevel::kOk,
                   "the signing secret is accepted (the server went on to "
                   "validate the probe's body: " +
                       f.code + ")",
                   ""});
  } else if (f.credentials_rejected) {
    out.push_back({"signing", CheckLevel::kFail, Describe(f), KeyFix(f.code)});
  } else {
    out.push_back({"signing", CheckLevel::kWarn,
                   "could not tell: " + Describe(f),
                   f.http_status == 429 ? "try again after Retry-After"
                                        : "try again later"});
  }
  out.push_back(
      {"response-keys", CheckLevel::kSkip, "no verdict to verify", ""});
}

}  // namespace

void CheckNetwork(const config::Config& config, std::vector<Check>& out) {
  const std::string& url = config.server.base_url;
  const std::string scheme = url.substr(0, url.find(':'));
  const ProxyChoice proxy =
      ChooseProxy(scheme, UrlHost(url), config.server.proxy, ProcessEnv());
  ProxyLine(config, proxy, out);
  auto skip_api = [&out](const std::string& why) {
    for (const char* name : {"api-key", "clock", "signing", "response-keys"})
      out.push_back({name, CheckLevel::kSkip, why, ""});
  };
  if (!ConnectionLines(config, proxy, out)) {
    skip_api("the API cannot be reached");
    return;
  }
  auto transport = upstream::CreateCurlTransport(TransportOptions(config));
  auto whoami = upstream::BuildWhoamiRequest(url, config.server.api_key);
  if (!transport || !whoami) {
    skip_api(!transport ? transport.error().message : whoami.error().message);
    return;
  }
  auto answer =
      SendAndWait(**transport, *std::move(whoami),
                  std::chrono::milliseconds(config.server.request_timeout_ms));
  KeyLine(answer, out);
  long long offset = 0;
  if (answer)
    offset = ClockLine(*answer, out);
  else
    out.push_back({"clock", CheckLevel::kSkip, "no answer to read", ""});
  SigningLines(config, **transport, offset, out);
  (*transport)->Shutdown();
}

}  // namespace gg::service
