"""The one answer rule (spec/ipc.md; the same table as libggclient, in
tests/clients/answers.json): an allow only when ok is true, allow is true,
there is no reasonCode and no error of any type."""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from . import reasons

# How an answer was read.
VERDICT = "verdict"    # an answer the agent may give (allow or deny)
ERROR = "error"        # a request error: error_code set
PROTOCOL = "protocol"  # malformed or contradictory: a deny


@dataclass
class Verdict:
    allow: bool = False
    reason_code: str = ""
    message: str = ""
    source: str = ""
    session_id: str = ""
    effective_expires_at: str = ""
    grace_ends_at: str = ""
    license_id: str = ""
    error_code: str = ""
    kind: str = VERDICT
    raw: Dict[str, Any] = field(default_factory=dict)

    def user_message(self) -> str:
        return reasons.default_message(self.reason_code)


def _s(obj: Dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def client_deny(reason: str, message: str) -> Verdict:
    """A deny this library makes itself (source "client")."""
    return Verdict(reason_code=reason, message=message, source="client",
                   kind=PROTOCOL)


def verdict_from_answer(answer: Any) -> Verdict:
    if not isinstance(answer, dict):
        v = client_deny(reasons.AGENT_UNAVAILABLE,
                        "the license agent's answer is not a JSON object")
        return v
    v = Verdict(reason_code=_s(answer, "reasonCode"), message=_s(answer, "message"),
                source=_s(answer, "source"), session_id=_s(answer, "sessionId"),
                effective_expires_at=_s(answer, "effectiveExpiresAt"),
                grace_ends_at=_s(answer, "graceEndsAt"),
                license_id=_s(answer, "licenseId"), raw=answer)
    ok = answer.get("ok") is True
    allow = answer.get("allow") is True
    has_reason = answer.get("reasonCode") is not None
    has_error = "error" in answer
    if ok and allow and not has_reason and not has_error:
        v.allow = True
        return v
    if has_error:
        err = answer["error"]
        if isinstance(err, dict) and _s(err, "code"):
            v.error_code = _s(err, "code")
            v.message = _s(err, "message")
            v.kind = ERROR
            return v
    elif has_reason and v.reason_code and not allow:
        return v  # an ordinary deny
    v.kind = PROTOCOL
    if not v.reason_code:
        v.reason_code = reasons.AGENT_UNAVAILABLE
        v.message = "the license agent's answer made no sense"
        v.source = "client"
    return v
