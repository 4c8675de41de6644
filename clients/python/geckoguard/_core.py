"""Protocol state shared by the sync and asyncio clients, without I/O:
framing with the spec's 64 KiB limit (each byte scanned once), events kept
only for this client's own sessions and coalesced (one per session, plus
one shutdown), and the sessions an allow opened."""
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from . import reasons
from .answer import Verdict, client_deny, verdict_from_answer

MAX_FRAME_BYTES = 65536
MAX_SESSIONS = 1024
# Above the agent's default policy.requestDeadlineMs (5 s), after which the
# agent answers by its offline rules: a shorter timeout turns an offline
# allow into AGENT_UNAVAILABLE.
DEFAULT_TIMEOUT = 15.0

VERDICT_EVENT = "verdict"
SHUTDOWN_EVENT = "shutdown"
SESSION_LOST_EVENT = "session_lost"


@dataclass
class Event:
    type: str
    session_id: str = ""
    verdict: Verdict = field(default_factory=Verdict)


class FrameTooLarge(Exception):
    pass


class Core:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0
        self.sessions: Dict[str, Dict[str, Any]] = {}
        self.events: "OrderedDict[str, Event]" = OrderedDict()
        self.next_id = 0

    def reset_stream(self) -> None:
        self._buf.clear()
        self._scanned = 0

    def feed(self, data: bytes) -> List[Dict[str, Any]]:
        """Whole lines as JSON objects; events are queued, answers returned.
        Raises FrameTooLarge past the limit."""
        self._buf += data
        out = []
        while True:
            nl = self._buf.find(b"\n", self._scanned)
            if nl < 0 or nl >= MAX_FRAME_BYTES:
                self._scanned = len(self._buf)
                if len(self._buf) >= MAX_FRAME_BYTES:
                    raise FrameTooLarge(
                        f"the agent sent a line over {MAX_FRAME_BYTES} bytes")
                return out
            line = bytes(self._buf[:nl])
            del self._buf[:nl + 1]
            self._scanned = 0
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            if "event" in obj:
                self._event(obj)
            else:
                out.append(obj)

    def _push(self, key: str, ev: Event) -> None:
        old = self.events.get(key)
        if old is not None and old.type == SESSION_LOST_EVENT:
            return
        if old is None and len(self.events) > MAX_SESSIONS:
            return
        self.events[key] = ev

    def _event(self, obj: Dict[str, Any]) -> None:
        kind = obj.get("event")
        if kind == SHUTDOWN_EVENT:
            v = client_deny(obj.get("reasonCode") or reasons.AGENT_STOPPING,
                            obj.get("message") or "the license agent is stopping")
            v.source = "local"
            self._push("\0shutdown", Event(SHUTDOWN_EVENT, "", v))
        elif kind == VERDICT_EVENT:
            sid = obj.get("sessionId")
            if not isinstance(sid, str) or sid not in self.sessions:
                return  # not one of ours
            v = verdict_from_answer(obj)  # no "ok" in an event: a deny
            v.session_id = sid
            if not v.allow:
                del self.sessions[sid]
            self._push(sid, Event(VERDICT_EVENT, sid, v))

    def pop_event(self) -> Optional[Event]:
        if not self.events:
            return None
        return self.events.popitem(last=False)[1]

    def request_line(self, request: Dict[str, Any]) -> Tuple[int, bytes]:
        self.next_id += 1
        req = dict(request, v=1, id=self.next_id)
        return self.next_id, (json.dumps(req) + "\n").encode()

    def track(self, request: Dict[str, Any], answer: Dict[str, Any]) -> None:
        op = request.get("op")
        if op == "release" and answer.get("ok") is True:
            self.sessions.pop(request.get("sessionId"), None)
            return
        v = verdict_from_answer(answer)
        if op == "heartbeat" and not v.allow:
            self.sessions.pop(request.get("sessionId"), None)
        if op == "authorize" and v.allow and v.session_id and \
                len(self.sessions) < MAX_SESSIONS:
            self.sessions[v.session_id] = {"detached": bool(request.get("detached"))}

    def connection_lost(self, why: str) -> None:
        """The agent ends the connection-bound sessions with the connection."""
        self.reset_stream()
        for sid, info in list(self.sessions.items()):
            if not info["detached"]:
                del self.sessions[sid]
                self._push(sid, Event(SESSION_LOST_EVENT, sid, client_deny(
                    reasons.AGENT_UNAVAILABLE,
                    "the connection to the license agent was lost: " + why)))


# What the sync and asyncio clients share around their I/O: a request is
# built (or refused, as a Verdict, before anything is sent), and an answer
# (None: no answer, `why` says why) becomes a Verdict plus the client's new
# last_error.
Request = Union[Dict[str, Any], Verdict]


def authorize_request(product_id: Any, license_key: Any,
                      app: Optional[Tuple[str, str]], detached: bool
                      ) -> Request:
    if not isinstance(product_id, str) or not isinstance(license_key, str):
        return invalid_argument("product_id and license_key must be strings")
    req: Dict[str, Any] = {"op": "authorize", "productId": product_id,
                           "licenseKey": license_key}
    if app is not None:
        req["app"] = {"name": str(app[0]), "version": str(app[1])}
    if detached:
        req["detached"] = True
    return req


def heartbeat_request(session_id: Any) -> Request:
    if not isinstance(session_id, str):
        return invalid_argument("session_id must be a string")
    return {"op": "heartbeat", "sessionId": session_id}


def verdict_of(answer: Optional[Dict[str, Any]], why: str) -> Tuple[Verdict, str]:
    if answer is None:
        return unavailable(why), why
    v = verdict_from_answer(answer)
    if v.kind == "verdict":
        return v, ""
    return v, (v.error_code or v.reason_code) + ": " + v.message


def invalid_argument(why: str) -> Verdict:
    return client_deny(reasons.CLIENT_INVALID_ARGUMENT, why)


def unavailable(why: str) -> Verdict:
    return client_deny(reasons.AGENT_UNAVAILABLE,
                       "The license agent is not reachable: " + why)
