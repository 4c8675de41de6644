// Internal to ipc/: one accepted connection over any Asio stream (a Unix
// socket or a Windows pipe handle).
// Loop thread only.
#ifndef GG_IPC_CONNECTION_H_
#define GG_IPC_CONNECTION_H_

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "ipc/asio.h"
#include "ipc/dispatcher.h"

namespace gg::ipc::internal {

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void PushEvent(std::string line) = 0;
  virtual void Close() = 0;
  // Closes once every queued line is written (graceful shutdown).
  virtual void CloseAfterWrites() = 0;
};

template <class Stream>
class Connection : public ConnectionBase,
                   public std::enable_shared_from_this<Connection<Stream>> {
 public:
  using OnClosed = std::function<void(ConnectionId)>;

  Connection(asio::io_context& io,
             Stream stream,
             ConnectionId id,
             Peer peer,
             long long server_uid,
             Limits limits,
             RequestHandler& handler,
             OnClosed on_closed)
      : io_(io),
        stream_(std::move(stream)),
        id_(id),
        limits_(limits),
        handler_(handler),
        on_closed_(std::move(on_closed)),
        idle_timer_(io),
        partial_timer_(io),
        write_timer_(io),
        peer_(peer),
        server_uid_(server_uid) {}

  // `first_bytes`: what the listener already read from the peer before it
  // was admitted (the pipe server reads them to learn who the peer is);
  // handled as if this connection had read them.
  void Start(std::string first_bytes = {}) {
    std::weak_ptr<Connection> weak = this->weak_from_this();
    Dispatcher::Io dio;
    dio.write = [weak](std::string s) {
      if (auto self = weak.lock()) {
        self->Write(std::move(s));
      }
    };
    dio.close = [weak] {
      if (auto self = weak.lock()) {
        self->CloseAfterWrites();
      }
    };
    asio::io_context* io = &io_;
    dio.post = [io](std::function<void()> task) {
      asio::post(*io, std::move(task));
    };
    dispatcher_ = std::make_shared<Dispatcher>(id_, peer_, server_uid_, limits_,
                                               handler_, dio);
    ArmIdle();
    if (first_bytes.empty()) {
      Read();
      return;
    }
    OnData(first_bytes);
  }

  void PushEvent(std::string line) override {
    if (dispatcher_) {
      dispatcher_->PushEvent(std::move(line));
    }
  }

  void Close() override {
    if (closed_) {
      return;
    }
    closed_ = true;
    if (dispatcher_) {
      dispatcher_->Shutdown();
    }
    idle_timer_.cancel();
    partial_timer_.cancel();
    write_timer_.cancel();
    asio::error_code ignored;
    stream_.close(ignored);
    handler_.ConnectionClosed(id_);
    // Last: the registry drops its reference, we live on in pending handlers.
    auto on_closed = std::move(on_closed_);
    if (on_closed) {
      on_closed(id_);
    }
  }

 private:
  void Read() {
    auto self = this->shared_from_this();
    stream_.async_read_some(
        asio::buffer(buffer_), [self](asio::error_code ec, std::size_t n) {
          if (self->closed_) {
            return;
          }
          if (ec) {
            self->Close();  // EOF or reset: the peer is gone
            return;
          }
          self->OnData(std::string_view(self->buffer_.data(), n));
        });
  }

  void OnData(std::string_view bytes) {
    // Only whole requests are activity: blank lines or a trickle of bytes
    // never keep an idle connection open.
    if (dispatcher_->OnBytes(bytes) > 0) {
      ArmIdle();
    }
    if (closed_ || close_after_writes_) {
      return;
    }
    UpdatePartialTimer(bytes.find('\n') != std::string_view::npos);
    ReadUnlessBacklogged();
  }

  // A peer that does not read its answers must not make us queue without
  // bound: past max_queued_bytes nothing more is read from it (its own
  // sends then block in the kernel) until the backlog is half drained.
  void ReadUnlessBacklogged() {
    if (queued_bytes_ >= limits_.max_queued_bytes) {
      read_paused_ = true;
      return;
    }
    Read();
  }

  void Write(std::string data) {
    if (closed_) {
      return;
    }
    queued_bytes_ += data.size();
    queue_.push_back(std::move(data));
    if (!writing_) {
      WriteNext();
    }
  }

  void WriteNext() {
    if (queue_.empty()) {
      writing_ = false;
      write_timer_.cancel();
      if (close_after_writes_) {
        Close();
      }
      return;
    }
    writing_ = true;
    ArmWriteTimer();
    auto self = this->shared_from_this();
    asio::async_write(
        stream_, asio::buffer(queue_.front()),
        [self](asio::error_code ec, std::size_t) {
          if (self->closed_) {
            return;
          }
          if (ec) {
            self->Close();
            return;
          }
          self->queued_bytes_ -= self->queue_.front().size();
          self->queue_.pop_front();
          if (self->read_paused_ && !self->close_after_writes_ &&
              self->queued_bytes_ <= self->limits_.max_queued_bytes / 2) {
            self->read_paused_ = false;
            self->Read();
          }
          self->WriteNext();
        });
  }

  // A write that makes no progress for idle_timeout: the peer stopped
  // reading, and its connection goes (with its sessions) rather than its
  // answers piling up.
  void ArmWriteTimer() {
    write_timer_.expires_after(limits_.idle_timeout);
    auto weak = this->weak_from_this();
    unsigned generation = ++write_generation_;
    write_timer_.async_wait([weak, generation](asio::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ ||
          generation != self->write_generation_ || !self->writing_) {
        return;
      }
      spdlog::warn(
          "ipc: closing connection of pid={} uid={}: its answers were not "
          "read for {} s ({} bytes queued)",
          self->peer_.pid, self->peer_.uid,
          std::chrono::duration_cast<std::chrono::seconds>(
              self->limits_.idle_timeout)
              .count(),
          self->queued_bytes_);
      self->Close();
    });
  }

  void CloseAfterWrites() override {
    if (closed_) {
      return;
    }
    if (dispatcher_) {
      dispatcher_->Shutdown();  // late answers are not written any more
    }
    close_after_writes_ = true;
    if (!writing_) {
      WriteNext();
    }
  }

  // Idle: no session and nothing in flight for idle_timeout -> close. The
  // timer restarts on every request and re-arms while the peer has a reason
  // to stay quiet (a session or a pending answer).
  void ArmIdle() {
    idle_timer_.expires_after(limits_.idle_timeout);
    auto weak = this->weak_from_this();
    unsigned generation = ++idle_generation_;
    idle_timer_.async_wait([weak, generation](asio::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ ||
          generation != self->idle_generation_) {
        return;
      }
      if (self->dispatcher_->HasSession() ||
          self->dispatcher_->InFlight() > 0) {
        self->ArmIdle();
        return;
      }
      self->Close();
    });
  }

  // Partial line: started when an unfinished line appears, restarted when a
  // line completed and another began, stopped when nothing is pending.
  void UpdatePartialTimer(bool line_completed) {
    if (!dispatcher_->HasPartialLine()) {
      if (partial_armed_) {
        partial_armed_ = false;
        ++partial_generation_;
        partial_timer_.cancel();
      }
      return;
    }
    if (partial_armed_ && !line_completed) {
      return;
    }
    partial_armed_ = true;
    partial_timer_.expires_after(limits_.partial_line_timeout);
    auto weak = this->weak_from_this();
    unsigned generation = ++partial_generation_;
    partial_timer_.async_wait([weak, generation](asio::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ ||
          generation != self->partial_generation_) {
        return;
      }
      self->Close();
    });
  }

  asio::io_context& io_;
  Stream stream_;
  ConnectionId id_;
  Limits limits_;
  RequestHandler& handler_;
  OnClosed on_closed_;
  asio::steady_timer idle_timer_;
  asio::steady_timer partial_timer_;
  asio::steady_timer write_timer_;
  Peer peer_;
  long long server_uid_;
  std::shared_ptr<Dispatcher> dispatcher_;
  std::array<char, 8192> buffer_{};
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool read_paused_ = false;
  bool writing_ = false;
  bool close_after_writes_ = false;
  bool closed_ = false;
  bool partial_armed_ = false;
  unsigned idle_generation_ = 0;
  unsigned partial_generation_ = 0;
  unsigned write_generation_ = 0;
};

}  // namespace gg::ipc::internal

#endif  // GG_IPC_CONNECTION_H_
