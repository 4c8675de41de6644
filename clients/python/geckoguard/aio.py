"""The asyncio client: the same protocol as Client, awaitable. One reader
task takes every line: answers complete the waiting request (one at a time,
in order), events go to next_event()."""
import asyncio
from typing import Any, Dict, Optional, Tuple

from . import _endpoint
from ._core import (DEFAULT_TIMEOUT, Core, Event, FrameTooLarge,
                    authorize_request, invalid_argument, unavailable)
from .answer import Verdict, verdict_from_answer


class AsyncClient:
    def __init__(self, path: Optional[str] = None,
                 timeout: float = DEFAULT_TIMEOUT,
                 agent_uid: Optional[int] = None) -> None:
        self.path = path or _endpoint.default_endpoint()
        self.timeout = timeout
        self.agent_uid = agent_uid
        self.last_error = ""
        self._core = Core()
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None
        self._task: Optional["asyncio.Task[None]"] = None
        self._waiting: Dict[int, "asyncio.Future[Dict[str, Any]]"] = {}
        self._event_ready = asyncio.Event()
        self._lock = asyncio.Lock()

    async def connect(self) -> bool:
        if self._writer is not None:
            return True
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(self.path), self.timeout)
        except (OSError, asyncio.TimeoutError) as e:
            self.last_error = f"cannot connect to {self.path}: {e!r}"
            return False
        uid = _endpoint.peer_uid(writer.get_extra_info("socket"), self.path)
        if uid is None or not _endpoint.trusted_uid(uid, self.agent_uid):
            writer.close()
            self.last_error = (f"refusing {self.path}: it is served by uid {uid}, "
                               "not root, this user or the agent's user")
            return False
        self._reader, self._writer = reader, writer
        self._core.reset_stream()
        self._task = asyncio.ensure_future(self._read_loop())
        return True

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _read_loop(self) -> None:
        why = "the agent closed the connection"
        try:
            assert self._reader is not None
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                for answer in self._core.feed(data):
                    fut = self._waiting.pop(answer.get("id"), None)
                    if fut is None and answer.get("id") is None and self._waiting:
                        fut = self._waiting.pop(next(iter(self._waiting)))
                    if fut is not None and not fut.done():
                        fut.set_result(answer)
                if self._core.events:
                    self._event_ready.set()
        except (OSError, FrameTooLarge) as e:
            why = str(e)
        except asyncio.CancelledError:
            return
        self._writer = None
        self.last_error = why
        self._core.connection_lost(why)
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(ConnectionError(why))
        self._waiting.clear()
        self._event_ready.set()

    async def call(self, request: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        async with self._lock:
            if not await self.connect():
                return None
            want, line = self._core.request_line(request)
            fut: "asyncio.Future[Dict[str, Any]]" = \
                asyncio.get_running_loop().create_future()
            self._waiting[want] = fut
            try:
                assert self._writer is not None
                self._writer.write(line)
                await self._writer.drain()
                answer = await asyncio.wait_for(fut, self.timeout)
            except (OSError, ConnectionError, asyncio.TimeoutError) as e:
                self._waiting.pop(want, None)
                self.last_error = str(e) or "timed out waiting for the agent"
                await self.close()
                self._core.connection_lost(self.last_error)
                return None
            self._core.track(request, answer)
            return answer

    async def _verdict_call(self, request: Dict[str, Any]) -> Verdict:
        answer = await self.call(request)
        if answer is None:
            return unavailable(self.last_error)
        v = verdict_from_answer(answer)
        self.last_error = "" if v.kind == "verdict" else \
            (v.error_code or v.reason_code) + ": " + v.message
        return v

    async def authorize(self, product_id: str, license_key: str,
                        app: Optional[Tuple[str, str]] = None,
                        detached: bool = False) -> Verdict:
        req = authorize_request(product_id, license_key, app, detached)
        if req is None:
            self.last_error = "product_id and license_key must be strings"
            return invalid_argument(self.last_error)
        return await self._verdict_call(req)

    async def heartbeat(self, session_id: str) -> Verdict:
        if not isinstance(session_id, str):
            self.last_error = "session_id must be a string"
            return invalid_argument(self.last_error)
        return await self._verdict_call({"op": "heartbeat", "sessionId": session_id})

    async def release(self, session_id: str) -> bool:
        answer = await self.call({"op": "release", "sessionId": session_id})
        return answer is not None and answer.get("ok") is True

    async def status(self) -> Optional[Dict[str, Any]]:
        return await self.call({"op": "status"})

    async def next_event(self, timeout: float) -> Optional[Event]:
        """The next event within `timeout` s, connecting if needed; None on
        timeout; ConnectionError when the agent cannot be reached (after
        waiting the timeout out)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            ev = self._core.pop_event()
            if ev is not None:
                return ev
            left = deadline - loop.time()
            if self._writer is None and not await self.connect():
                if left <= 0:
                    raise ConnectionError(self.last_error)
                await asyncio.sleep(min(left, 0.1))
                continue
            if left <= 0:
                return None
            self._event_ready.clear()
            try:
                await asyncio.wait_for(self._event_ready.wait(), left)
            except asyncio.TimeoutError:
                return None
