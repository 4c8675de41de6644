#!/usr/bin/env python3
"""A dependency-free GeckoGuard agent client (stdlib socket + json).

    python3 gg_client.py PRODUCT_ID LICENSE_KEY

Speaks the local protocol (one JSON object per line) and handles the verdict
with the API's "Recommended client handling" switch. Any failure to reach
the agent is a deny with AGENT_UNAVAILABLE, never an allow.
"""
import json
import os
import socket
import sys


def default_socket():
    env = os.environ.get("GG_AGENT_SOCKET")
    if env:
        return env
    for var in ("XDG_RUNTIME_DIR", "TMPDIR"):
        base = os.environ.get(var)
        if base and os.path.exists(os.path.join(base, "gg-agent", "agent.sock")):
            return os.path.join(base, "gg-agent", "agent.sock")
    return "/run/gg-agent/agent.sock"


class AgentClient:
    def __init__(self, path=None, timeout=10.0):
        self.path = path or default_socket()
        self.timeout = timeout
        self.sock = None
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def _connect(self):
        if self.sock is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            s.connect(self.path)
            self.sock = s

    def call(self, op, **fields):
        """Sends one request; returns its answer (events are kept aside)."""
        try:
            self._connect()
            self.next_id += 1
            request = {"v": 1, "id": self.next_id, "op": op, **fields}
            self.sock.sendall(json.dumps(request).encode() + b"\n")
            while True:
                while b"\n" not in self.buffer:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("the agent closed the connection")
                    self.buffer += chunk
                line, self.buffer = self.buffer.split(b"\n", 1)
                answer = json.loads(line)
                if "event" in answer:
                    self.events.append(answer)
                elif answer.get("id") in (self.next_id, None):
                    return answer
        except (OSError, ValueError) as e:
            self.close()
            return {"ok": False, "allow": False, "reasonCode": "AGENT_UNAVAILABLE",
                    "message": "The license agent is not reachable: %s" % e,
                    "source": "client"}

    def authorize(self, product_id, license_key, app=None, detached=False):
        fields = {"productId": product_id, "licenseKey": license_key}
        if app:
            fields["app"] = {"name": app[0], "version": app[1]}
        if detached:
            fields["detached"] = True
        return self.call("authorize", **fields)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
            self.buffer = b""


def handle(result):
    """The seed's "Recommended client handling", unchanged in shape."""
    if result.get("allow") is True:
        return {"valid": True, "expiresAt": result.get("effectiveExpiresAt")}
    reason = result.get("reasonCode")
    if reason in ("LICENSE_NOT_FOUND", "PRODUCT_MISMATCH"):
        return {"valid": False, "message": "Invalid license key"}
    if reason in ("LICENSE_EXPIRED", "LICENSE_EXPIRED_RELATIVE"):
        return {"valid": False, "message": "License has expired"}
    if reason == "LICENSE_REVOKED":
        return {"valid": False, "message": "License has been revoked"}
    if reason in ("HWID_MISMATCH", "HWID_LIMIT_EXCEEDED"):
        return {"valid": False, "message": "License is bound to a different device"}
    if reason in ("HWID_BLACKLISTED", "IP_BLACKLISTED"):
        return {"valid": False, "message": "Access denied"}
    if reason == "CONCURRENCY_LIMIT_EXCEEDED":
        return {"valid": False,
                "message": "Too many active sessions. Close other instances first."}
    if "error" in result:
        return {"valid": False, "message": result["error"].get("message", "Request rejected")}
    return {"valid": False, "message": result.get("message") or "Validation failed"}


def main(argv):
    if len(argv) != 3:
        print("usage: gg_client.py PRODUCT_ID LICENSE_KEY", file=sys.stderr)
        return 1
    client = AgentClient()
    answer = client.authorize(argv[1], argv[2], app=("gg_client.py", "1.0"))
    client.close()  # ends the session this connection opened
    result = handle(answer)
    if result["valid"]:
        print("licensed until %s" % (result["expiresAt"] or "no expiry"))
        return 0
    print("not licensed: %s" % result["message"], file=sys.stderr)
    # Like ggctl: 3 for a verdict, 1 when the agent could not be asked.
    return 1 if answer.get("reasonCode") == "AGENT_UNAVAILABLE" else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
