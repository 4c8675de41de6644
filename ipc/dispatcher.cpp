#include "ipc/dispatcher.h"

#include <atomic>
#include <exception>
#include <utility>
#include <vector>

namespace gg::ipc {
namespace {

bool IsBlank(const std::string& line) {
  return line.empty() || line == "\r";
}

}  // namespace

Dispatcher::Dispatcher(ConnectionId id,
                       Peer peer,
                       long long server_uid,
                       Limits limits,
                       RequestHandler& handler,
                       Io io)
    : id_(id),
      peer_(peer),
      server_uid_(server_uid),
      limits_(limits),
      handler_(handler),
      io_(std::move(io)),
      framer_(limits.max_frame_bytes) {
  peer_.privileged =
      peer_.uid >= 0 && (peer_.uid == 0 || peer_.uid == server_uid_);
}

std::size_t Dispatcher::OnBytes(std::string_view bytes) {
  if (closed_) {
    return 0;
  }
  std::vector<std::string> lines;
  bool ok = framer_.Feed(bytes, lines);
  std::size_t requests = 0;
  for (const auto& line : lines) {
    if (closed_) {
      return requests;
    }
    if (IsBlank(line)) {
      continue;  // blank keep-alive lines are not requests
    }
    ++requests;
    HandleLine(line);
  }
  if (!ok) {
    // The answers before the oversized frame still go out in order; the
    // error has no id because the frame was never read whole.
    auto slot = std::make_shared<Slot>();
    slot->answer = EncodeError(
        nullptr, MakeErrorAnswer(WireCode::kFrameTooLarge,
                                 "request line exceeds " +
                                     std::to_string(limits_.max_frame_bytes) +
                                     " bytes"));
    slots_.push_back(slot);
    Flush();
    closed_ = true;
    io_.close();
  }
  return requests;
}

void Dispatcher::PushEvent(std::string line) {
  if (!closed_) {
    io_.write(std::move(line));
  }
}

void Dispatcher::HandleLine(const std::string& line) {
  auto slot = std::make_shared<Slot>();
  // Answers not yet written count against the limit, so a peer that never
  // reads cannot make us queue without bound.
  if (slots_.size() >= limits_.max_in_flight) {
    if (slots_.size() >= 2 * limits_.max_in_flight) {
      closed_ = true;
      io_.close();
      return;
    }
    auto parsed = ParseRequest(line);
    nlohmann::json id = nullptr;
    if (auto* r = std::get_if<Request>(&parsed)) {
      id = r->id;
    } else {
      id = std::get<RejectedRequest>(parsed).id;
    }
    slot->answer = EncodeError(
        id, MakeErrorAnswer(WireCode::kBusy, "too many requests in flight"));
    slots_.push_back(slot);
    Flush();
    return;
  }
  slots_.push_back(slot);
  auto parsed = ParseRequest(line);
  if (auto* rejected = std::get_if<RejectedRequest>(&parsed)) {
    slot->answer = EncodeError(rejected->id, rejected->error);
  } else {
    Dispatch(std::move(std::get<Request>(parsed)), slot);
  }
  Flush();
}

void Dispatcher::Dispatch(Request request, const std::shared_ptr<Slot>& slot) {
  nlohmann::json id = request.id;
  auto used = std::make_shared<std::atomic<bool>>(false);
  bool async = request.op == Op::kAuthorize || request.op == Op::kHeartbeat;
  // A handler that throws must not take the loop down: the request gets
  // INTERNAL, unless its reply already went out.
  try {
    DispatchUnguarded(std::move(request), slot, used);
  } catch (const std::exception& e) {
    if (async && used->exchange(true)) {
      return;
    }
    if (async) {
      --pending_;
    }
    slot->answer = EncodeError(
        id, MakeErrorAnswer(WireCode::kInternal,
                            "the agent failed: " + std::string(e.what())));
  }
}

void Dispatcher::DispatchUnguarded(
    Request request,
    const std::shared_ptr<Slot>& slot,
    const std::shared_ptr<std::atomic<bool>>& used) {
  const nlohmann::json& id = request.id;
  switch (request.op) {
    case Op::kPing:
      slot->answer = EncodeOk(id);
      return;
    case Op::kStatus: {
      StatusInfo status = handler_.Status();
      status.max_connections = static_cast<long long>(limits_.max_connections);
      status.fd_limit = static_cast<long long>(limits_.fd_limit);
      slot->answer = EncodeStatus(id, status);
      return;
    }
    case Op::kSessions:
    case Op::kMetrics: {
      // Both show what other users' apps do: root and the agent's user.
      const bool sessions = request.op == Op::kSessions;
      if (!peer_.privileged) {
        slot->answer = EncodeError(
            id, MakeErrorAnswer(WireCode::kForbidden,
                                std::string(sessions ? "sessions" : "metrics") +
                                    " is only for root or the agent's user"));
      } else if (sessions) {
        slot->answer = EncodeSessions(id, handler_.Sessions());
      } else {
        slot->answer = EncodeMetrics(id, handler_.Metrics());
      }
      return;
    }
    case Op::kRelease: {
      auto error = handler_.Release(id_, peer_, request.session_id);
      if (error) {
        slot->answer = EncodeError(id, *error);
      } else {
        slot->answer = EncodeOk(id);
      }
      return;
    }
    case Op::kAuthorize:
      ++pending_;
      handler_.Authorize(id_, peer_, request.authorize,
                         MakeReply(slot, id, used));
      return;
    case Op::kHeartbeat:
      ++pending_;
      handler_.Heartbeat(id_, peer_, request.session_id,
                         MakeReply(slot, id, used));
      return;
  }
}

RequestHandler::Reply Dispatcher::MakeReply(
    std::shared_ptr<Slot> slot,
    nlohmann::json id,
    std::shared_ptr<std::atomic<bool>> used) {
  std::weak_ptr<Dispatcher> weak = weak_from_this();
  auto post = io_.post;
  return [weak, slot, id, used, post](VerdictOrError answer) {
    if (used->exchange(true)) {
      return;  // a second call is a handler bug; the first answer stands
    }
    post([weak, slot, id, answer = std::move(answer)]() {
      auto self = weak.lock();
      if (!self) {
        return;  // the connection closed first
      }
      --self->pending_;
      if (const auto* v = std::get_if<Verdict>(&answer)) {
        self->Complete(slot, EncodeVerdict(id, *v));
      } else {
        self->Complete(slot, EncodeError(id, std::get<ErrorAnswer>(answer)));
      }
    });
  };
}

void Dispatcher::Complete(const std::shared_ptr<Slot>& slot, std::string line) {
  slot->answer = std::move(line);
  Flush();
}

void Dispatcher::Flush() {
  std::string out;
  while (!slots_.empty() && slots_.front()->answer) {
    out += *slots_.front()->answer;
    slots_.pop_front();
  }
  if (!out.empty() && !closed_) {
    io_.write(std::move(out));
  }
}

}  // namespace gg::ipc
