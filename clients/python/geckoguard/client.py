"""The blocking client: one connection, one request at a time, every wait
bounded by `timeout` (seconds). Fail closed: anything but an answer from
the agent is a deny with AGENT_UNAVAILABLE. Not thread-safe: one Client per
thread, or a lock around it."""
import select
import socket
import time
from typing import Any, Dict, Optional, Tuple

from . import _endpoint
from ._core import (DEFAULT_TIMEOUT, Core, Event, FrameTooLarge, Request,
                    authorize_request, heartbeat_request, verdict_of)
from .answer import Verdict


class AgentUnavailableError(ConnectionError):
    """poll_event: no connection to the agent could be made in time."""


class Client:
    def __init__(self, path: Optional[str] = None,
                 timeout: float = DEFAULT_TIMEOUT,
                 agent_uid: Optional[int] = None) -> None:
        self.path = path or _endpoint.default_endpoint()
        self.timeout = timeout
        self.agent_uid = agent_uid
        self.last_error = ""  # "" after a call that succeeded
        self._sock: Optional[socket.socket] = None
        self._core = Core()

    # -- connection ---------------------------------------------------------
    def connect(self) -> bool:
        if self._sock is not None:
            return True
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(self.timeout)
            s.connect(self.path)
        except OSError as e:
            s.close()
            self.last_error = f"cannot connect to {self.path}: {e}"
            return False
        refused = _endpoint.refusal(s, self.path, self.agent_uid)
        if refused is not None:
            s.close()
            self.last_error = refused
            return False
        self._sock = s
        self._core.reset_stream()
        return True

    def close(self) -> None:
        """Closes the connection: the agent ends its connection-bound sessions."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _drop(self, why: str) -> None:
        self.close()
        self.last_error = why
        self._core.connection_lost(why)

    def _read(self, timeout: float) -> list:
        assert self._sock is not None
        ready, _, _ = select.select([self._sock], [], [], max(timeout, 0))
        if not ready:
            return []
        try:
            data = self._sock.recv(65536)
        except OSError as e:
            raise ConnectionError(str(e))
        if not data:
            raise ConnectionError("the agent closed the connection")
        return self._core.feed(data)

    # -- requests -----------------------------------------------------------
    def call(self, request: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Any request; its answer object, or None (last_error says why)."""
        if not self.connect():
            return None
        want, line = self._core.request_line(request)
        try:
            assert self._sock is not None
            self._sock.sendall(line)
            deadline = time.monotonic() + self.timeout
            while True:
                for answer in self._read(deadline - time.monotonic()):
                    if answer.get("id") == want or (
                            answer.get("id") is None and "error" in answer):
                        self._core.track(request, answer)
                        return answer
                if time.monotonic() >= deadline:
                    self._drop("timed out waiting for the agent")
                    return None
        except (OSError, ConnectionError, FrameTooLarge) as e:
            self._drop(str(e))
            return None

    def _verdict_call(self, request: Request) -> Verdict:
        if isinstance(request, Verdict):  # refused before sending
            self.last_error = request.message
            return request
        v, self.last_error = verdict_of(self.call(request), self.last_error)
        return v

    def authorize(self, product_id: str, license_key: str,
                  app: Optional[Tuple[str, str]] = None,
                  detached: bool = False) -> Verdict:
        """An allow opens a session (verdict.session_id). A connection-bound
        session needs no heartbeat; a detached one does."""
        return self._verdict_call(
            authorize_request(product_id, license_key, app, detached))

    def heartbeat(self, session_id: str) -> Verdict:
        """The session's verdict now; for a session the agent ended on a
        denial, that denial."""
        return self._verdict_call(heartbeat_request(session_id))

    def release(self, session_id: str) -> bool:
        answer = self.call({"op": "release", "sessionId": session_id})
        return answer is not None and answer.get("ok") is True

    def status(self) -> Optional[Dict[str, Any]]:
        return self.call({"op": "status"})

    # -- events -------------------------------------------------------------
    def poll_event(self, timeout: float = 0.0) -> Optional[Event]:
        """The next event, waiting up to `timeout` s and (re)connecting as
        needed: None when the time passed with none; AgentUnavailableError
        when no connection could be made before it (after waiting it out,
        so a loop does not spin)."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            ev = self._core.pop_event()
            if ev is not None:
                return ev
            left = deadline - time.monotonic()
            if self._sock is None and not self.connect():
                if left <= 0:
                    raise AgentUnavailableError(self.last_error)
                time.sleep(min(left, 0.1))
                continue
            try:
                self._read(left)
            except (OSError, ConnectionError, FrameTooLarge) as e:
                self._drop(str(e))
                continue
            if time.monotonic() >= deadline and not self._core.events:
                return None
