// libcurl transport: one worker thread, one multi handle. See the header for
// why this shape.
#include "agent/upstream/http_transport_curl.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/upstream/curl_connection.h"
#include "platform/worker_thread.h"

namespace gg::upstream {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

TransportErrorKind KindOf(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportErrorKind::kDns;
    case CURLE_COULDNT_CONNECT:
      return TransportErrorKind::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::kTimeout;
    case CURLE_FILESIZE_EXCEEDED:
      return TransportErrorKind::kTooLarge;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
      return TransportErrorKind::kProtocol;
    default:
      return IsTlsFailure(code) ? TransportErrorKind::kTls
                                : TransportErrorKind::kOther;
  }
}

// One request on its way: owns the easy handle and what it writes into.
struct Transfer {
  HttpRequest request;
  HttpTransport::Callback done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpResponse response;
  std::size_t max_body = kMaxResponseBodyBytes;
  bool too_large = false;
  char error_buffer[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (headers != nullptr) {
      curl_slist_free_all(headers);
    }
    if (easy != nullptr) {
      curl_easy_cleanup(easy);
    }
  }
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (transfer->response.body.size() + n > transfer->max_body) {
    transfer->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line (after a proxy CONNECT or a 100 Continue) starts a
  // new header block: keep only the final response's headers.
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();
    return n;
  }
  AddHeaderLine(line, transfer->response);
  return n;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(CurlTransportOptions options, CURLM* multi)
      : options_(std::move(options)), multi_(multi) {
    // The poll loop is one long job: it ends when Shutdown sets stopping_.
    worker_.Post([this] { Run(); });
  }

  ~CurlTransport() override {
    Shutdown();
    const CURLMcode rc = curl_multi_cleanup(multi_);
    if (rc != CURLM_OK) {
      spdlog::error("upstream: curl_multi_cleanup failed: {}",
                    curl_multi_strerror(rc));
    }
  }

  void Send(HttpRequest request, Callback done) override {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        auto transfer = std::make_unique<Transfer>();
        transfer->request = std::move(request);
        transfer->done = std::move(done);
        queue_.push_back(std::move(transfer));
        done = nullptr;
      }
    }
    if (done) {
      done(tl::unexpected(TransportError{TransportErrorKind::kShutdown,
                                         "transport shut down"}));
      return;
    }
    Wake();
  }

  void Shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    Wake();
    worker_.Join();  // from inside a `done` (on the thread) it only stops
  }

 private:
  void Wake() {
    const CURLMcode rc = curl_multi_wakeup(multi_);
    if (rc != CURLM_OK) {
      spdlog::error("upstream: curl_multi_wakeup failed: {}",
                    curl_multi_strerror(rc));
    }
  }

  // Configures the easy handle; false (with the transfer failed) on error.
  bool Setup(Transfer& t) {
    t.easy = curl_easy_init();
    if (t.easy == nullptr) {
      return false;
    }
    t.max_body = options_.max_body_bytes;
    for (const auto& [name, value] : t.request.headers) {
      curl_slist* next =
          curl_slist_append(t.headers, (name + ": " + value).c_str());
      if (next == nullptr) {
        return false;
      }
      t.headers = next;
    }
    // No "Expect: 100-continue" round trip for our small bodies.
    curl_slist* next = curl_slist_append(t.headers, "Expect:");
    if (next == nullptr) {
      return false;
    }
    t.headers = next;

    CURL* e = t.easy;
    bool ok = ApplyConnectionOptions(e, t.request.url.c_str(), options_);
    auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
    set(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1));
    if (t.request.method == "GET") {
      set(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
    } else if (t.request.method == "POST") {
      set(curl_easy_setopt(e, CURLOPT_POST, 1L));
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                           static_cast<curl_off_t>(t.request.body.size())));
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.request.body.data()));
    } else {
      return false;  // the API needs nothing else
    }
    set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers));
    set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteBody));
    set(curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&t)));
    set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &WriteHeader));
    set(curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&t)));
    set(curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t)));
    set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer));
    set(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                         static_cast<curl_off_t>(options_.max_body_bytes)));
    set(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L));
    set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
    return ok;
  }

  void StartQueued() {
    std::deque<std::unique_ptr<Transfer>> queued;
    {
      std::lock_guard lock(mutex_);
      queued.swap(queue_);
    }
    for (auto& transfer : queued) {
      if (!Setup(*transfer)) {
        Finish(std::move(transfer),
               tl::unexpected(TransportError{TransportErrorKind::kOther,
                                             "curl easy handle setup failed"}));
        continue;
      }
      const CURLMcode rc = curl_multi_add_handle(multi_, transfer->easy);
      if (rc != CURLM_OK) {
        Finish(std::move(transfer),
               tl::unexpected(TransportError{TransportErrorKind::kOther,
                                             curl_multi_strerror(rc)}));
        continue;
      }
      active_.push_back(std::move(transfer));
    }
  }

  void Finish(std::unique_ptr<Transfer> transfer, TransportResult result) {
    auto done = std::move(transfer->done);
    transfer.reset();  // frees the easy handle first
    if (done) {
      done(std::move(result));
    }
  }

  std::unique_ptr<Transfer> Detach(CURL* easy) {
    for (auto it = active_.begin(); it != active_.end(); ++it) {
      if ((*it)->easy == easy) {
        auto transfer = std::move(*it);
        active_.erase(it);
        const CURLMcode rc = curl_multi_remove_handle(multi_, easy);
        if (rc != CURLM_OK) {
          spdlog::error("upstream: curl_multi_remove_handle failed: {}",
                        curl_multi_strerror(rc));
        }
        return transfer;
      }
    }
    return nullptr;
  }

  void CollectDone() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) {
        continue;
      }
      const CURLcode code = msg->data.result;
      auto transfer = Detach(msg->easy_handle);
      if (!transfer) {
        continue;
      }
      if (code == CURLE_OK) {
        long status = 0;
        if (curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE,
                              &status) != CURLE_OK ||
            status == 0) {
          Finish(std::move(transfer),
                 tl::unexpected(TransportError{TransportErrorKind::kProtocol,
                                               "no HTTP status"}));
          continue;
        }
        transfer->response.status = static_cast<int>(status);
        HttpResponse response = std::move(transfer->response);
        Finish(std::move(transfer), std::move(response));
        continue;
      }
      TransportError error{KindOf(code), curl_easy_strerror(code)};
      if (transfer->too_large) {
        error.kind = TransportErrorKind::kTooLarge;
      }
      if (transfer->error_buffer[0] != '\0') {
        error.message += ": ";
        error.message += transfer->error_buffer;
      }
      Finish(std::move(transfer), tl::unexpected(std::move(error)));
    }
  }

  void Run() {
    while (true) {
      bool stopping = false;
      {
        std::lock_guard lock(mutex_);
        stopping = stopping_;
      }
      if (stopping) {
        break;
      }
      StartQueued();
      int running = 0;
      const CURLMcode rc = curl_multi_perform(multi_, &running);
      if (rc != CURLM_OK) {
        spdlog::error("upstream: curl_multi_perform failed: {}",
                      curl_multi_strerror(rc));
      }
      CollectDone();
      const CURLMcode prc = curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
      if (prc != CURLM_OK) {
        spdlog::error("upstream: curl_multi_poll failed: {}",
                      curl_multi_strerror(prc));
      }
    }
    // Fail everything still queued or in flight.
    StartQueuedAsShutdown();
    while (!active_.empty()) {
      auto transfer = Detach(active_.front()->easy);
      Finish(std::move(transfer),
             tl::unexpected(TransportError{TransportErrorKind::kShutdown,
                                           "transport shut down"}));
    }
  }

  void StartQueuedAsShutdown() {
    std::deque<std::unique_ptr<Transfer>> queued;
    {
      std::lock_guard lock(mutex_);
      queued.swap(queue_);
    }
    for (auto& transfer : queued) {
      Finish(std::move(transfer),
             tl::unexpected(TransportError{TransportErrorKind::kShutdown,
                                           "transport shut down"}));
    }
  }

  const CurlTransportOptions options_;
  CURLM* const multi_;
  std::mutex mutex_;
  bool stopping_ = false;                          // guarded by mutex_
  std::deque<std::unique_ptr<Transfer>> queue_;    // guarded by mutex_
  std::vector<std::unique_ptr<Transfer>> active_;  // worker thread only
  WorkerThread worker_;  // last: its thread ends before the rest goes
};

}  // namespace

void AddHeaderLine(std::string_view line, HttpResponse& response) {
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    response.headers[Lower(Trim(line.substr(0, colon)))] =
        std::string(Trim(line.substr(colon + 1)));
  }
}

Result<std::unique_ptr<HttpTransport>> CreateCurlTransport(
    const CurlTransportOptions& options) {
  static const CURLcode global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_rc != CURLE_OK) {
    return MakeError(ErrorCode::kCurlInit, curl_easy_strerror(global_rc));
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    return MakeError(ErrorCode::kCurlInit, "curl_multi_init failed");
  }
  std::unique_ptr<HttpTransport> transport =
      std::make_unique<CurlTransport>(options, multi);
  return transport;
}

}  // namespace gg::upstream
