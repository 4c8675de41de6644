"""A socket planted by another user (nobody) is refused: no request, not
even the license key, reaches it (issue 16 point 5, Python client)."""
import os
import pwd
import shutil
import socket
import tempfile
import unittest

from geckoguard import Client, reasons


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0,
                     "needs root to run a child as nobody")
class PlantedSocketTest(unittest.TestCase):
    def test_refused(self):
        nobody = pwd.getpwnam("nobody")
        top = tempfile.mkdtemp(prefix="gg-plant-py")
        os.chmod(top, 0o755)
        d = os.path.join(top, "gg-agent")
        os.mkdir(d, 0o755)
        os.chown(d, nobody.pw_uid, nobody.pw_gid)
        path = os.path.join(d, "agent.sock")
        ready_r, ready_w = os.pipe()
        seen_r, seen_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the attacker: allows everything, reports requests
            try:
                os.setgroups([])
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind(path)
                s.listen(4)
                os.write(ready_w, b"r")
                while True:
                    conn, _ = s.accept()
                    data = conn.recv(4096)
                    if data:
                        os.write(seen_w, data)
                        conn.sendall(b'{"id":1,"ok":true,"allow":true,'
                                     b'"reasonCode":null,"sessionId":"s_evil"}\n')
                    conn.close()
            finally:
                os._exit(0)
        os.close(ready_w)
        os.close(seen_w)
        try:
            self.assertEqual(os.read(ready_r, 1), b"r")
            c = Client(path)
            v = c.authorize("7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10", "SECRET-KEY")
            self.assertFalse(v.allow)
            self.assertEqual(v.reason_code, reasons.AGENT_UNAVAILABLE)
            self.assertIn("refusing", c.last_error)
            # Named as the agent's uid, it is talked to: the check refused it.
            ok = Client(path, agent_uid=nobody.pw_uid).authorize(
                "7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10", "OTHER")
            self.assertTrue(ok.allow)
            seen = os.read(seen_r, 4096)
            self.assertNotIn(b"SECRET-KEY", seen)
            self.assertIn(b"OTHER", seen)
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
