"""Against a real gg-agent (run by ctest's clients_e2e_test, which sets
GG_AGENT_SOCKET, GG_TEST_PRODUCT, GG_DEVSERVER_URL and its admin token)."""
import asyncio
import json
import os
import tempfile
import time
import unittest
import urllib.request
import uuid

import geckoguard
from geckoguard import AgentUnavailableError, AsyncClient, Client, reasons

SOCKET = os.environ.get("GG_AGENT_SOCKET")
PRODUCT = os.environ.get("GG_TEST_PRODUCT", "")
SERVER = os.environ.get("GG_DEVSERVER_URL", "")
TOKEN = os.environ.get("GG_DEVSERVER_ADMIN_TOKEN", "")


def put_license(key, body):
    req = urllib.request.Request(f"{SERVER}/__admin/licenses/{key}",
                                 data=json.dumps(body).encode(), method="PUT",
                                 headers={"X-Admin-Token": TOKEN,
                                          "Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()


def new_license(key):
    """A copy of the demo's DEMO-ALLOW-0001 under `key`, refreshed every second."""
    put_license(key, {"key": key, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
                      "productId": PRODUCT, "status": "ACTIVE", "expiresAt": None,
                      "daysAfterActivation": None, "activatedAt": None,
                      "hwidMode": "none", "hwidLimit": 0, "ipMode": "none",
                      "ipLimit": 0, "ipWindowSeconds": 3600, "allowedRegions": None,
                      "maxConcurrentSessions": 3, "offlineGraceSeconds": 259200,
                      "heartbeatSeconds": 1})


@unittest.skipUnless(SOCKET, "needs a running agent (ctest clients_e2e_test)")
class SyncAgentTest(unittest.TestCase):
    def test_allow_deny_and_session(self):
        with Client() as c:
            self.assertGreater(c.timeout, 5.0)  # above the agent's deadline
            v = c.authorize(PRODUCT, "DEMO-ALLOW-0001", app=("py", "1"))
            self.assertTrue(v.allow, v)
            self.assertEqual(c.last_error, "")
            self.assertTrue(v.session_id.startswith("s_"))
            self.assertTrue(c.release(v.session_id))
            d = c.authorize(PRODUCT, "DEMO-REVOKED")
            self.assertFalse(d.allow)
            self.assertEqual(d.reason_code, reasons.LICENSE_REVOKED)
            self.assertEqual(d.user_message(), "License has been revoked")

    def test_invalid_argument_is_its_own_reason(self):
        v = Client().authorize(None, "k")
        self.assertFalse(v.allow)
        self.assertEqual(v.reason_code, reasons.CLIENT_INVALID_ARGUMENT)

    def test_revocation_event_then_heartbeat_answers_the_denial(self):
        key = "PY-REVOKE-ME"
        new_license(key)
        with Client() as c:
            v = c.authorize(PRODUCT, key, detached=True)
            self.assertTrue(v.allow, v)
            put_license(key, {"status": "REVOKED"})
            ev = None
            end = time.monotonic() + 20
            while ev is None and time.monotonic() < end:
                ev = c.poll_event(1.0)
            self.assertIsNotNone(ev)
            self.assertEqual(ev.type, "verdict")
            self.assertEqual(ev.session_id, v.session_id)
            self.assertEqual(ev.verdict.reason_code, reasons.LICENSE_REVOKED)
            hb = c.heartbeat(v.session_id)
            self.assertFalse(hb.allow)
            self.assertEqual(hb.reason_code, reasons.LICENSE_REVOKED)
            self.assertEqual(hb.source, "online")


class AbsentAgentTest(unittest.TestCase):
    def test_fails_closed_and_poll_waits(self):
        with tempfile.TemporaryDirectory() as d:
            c = Client(os.path.join(d, "none.sock"), timeout=0.5)
            v = c.authorize("7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10", "k")
            self.assertFalse(v.allow)
            self.assertEqual(v.reason_code, reasons.AGENT_UNAVAILABLE)
            self.assertNotEqual(c.last_error, "")
            start = time.monotonic()
            with self.assertRaises(AgentUnavailableError):
                c.poll_event(0.3)
            self.assertGreaterEqual(time.monotonic() - start, 0.3)

            async def go():
                a = AsyncClient(os.path.join(d, "none.sock"), timeout=0.5)
                return await a.authorize("p", "k")
            v = asyncio.run(go())
            self.assertFalse(v.allow)
            self.assertEqual(v.reason_code, reasons.AGENT_UNAVAILABLE)


@unittest.skipUnless(SOCKET, "needs a running agent (ctest clients_e2e_test)")
class AsyncAgentTest(unittest.TestCase):
    def test_authorize_and_pushed_event(self):
        key = "PY-ASYNC-REVOKE"
        new_license(key)

        async def go():
            async with AsyncClient() as c:
                v = await c.authorize(PRODUCT, key)
                self.assertTrue(v.allow, v)
                status = await c.status()
                self.assertTrue(status["ok"])
                put_license(key, {"status": "REVOKED"})
                ev = await c.next_event(20.0)
                self.assertIsNotNone(ev)
                self.assertEqual(ev.type, "verdict")
                self.assertEqual(ev.verdict.reason_code, reasons.LICENSE_REVOKED)
        asyncio.run(go())

    def test_version(self):
        self.assertEqual(geckoguard.__version__, "0.1.0")


if __name__ == "__main__":
    unittest.main()
