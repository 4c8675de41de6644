"""The asyncio client: the same protocol as Client, awaitable. One reader
task takes every line: answers complete the waiting request (one at a time,
in order), events go to next_event()."""
import asyncio
from typing import Any, Dict, Optional, Tuple

from . import _endpoint
from ._core import (DEFAULT_TIMEOUT, Core, Event, FrameTooLarge, Request,
                    authorize_request, heartbeat_request, verdict_of)
from .answer import Verdict


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
        refused = _endpoint.refusal(writer.get_extra_info("socket"), self.path,
                                    self.agent_uid)
        if refused is not None:
            writer.close()
            self.last_error = refused
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

    async def _verdict_call(self, request: Request) -> Verdict:
        if isinstance(request, Verdict):  # refused before sending
            self.last_error = request.message
            return request
        v, self.last_error = verdict_of(await self.call(request), self.last_error)
        return v

    async def authorize(self, product_id: str, license_key: str,
                        app: Optional[Tuple[str, str]] = None,
                        detached: bool = False) -> Verdict:
        return await self._verdict_call(
            authorize_request(product_id, license_key, app, detached))

    async def heartbeat(self, session_id: str) -> Verdict:
        return await self._verdict_call(heartbeat_request(session_id))

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
