#!/usr/bin/env python3
"""gg-agent as systemd runs it, with systemd's own tools and protocols.

  agent_service_test.py GG_AGENT_BINARY EXAMPLE_CONFIG

- the example config, with its placeholders filled, passes check-config;
- systemd-socket-activate hands a listening socket to `gg-agent run`
  (LISTEN_FDS) and a client is answered through it;
- a test NOTIFY_SOCKET receives READY=1 (after which the socket answers),
  WATCHDOG=1, RELOADING=1 + READY=1 around SIGHUP and, after SIGTERM,
  STOPPING=1, in that order, and the agent exits 0.
Every wait is bounded; nothing sleeps for a fixed time to "let it start".
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

AGENT = None
EXAMPLE = None
DEADLINE_S = 20


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


class Scratch:
    """A temp dir with a config, a state dir and a hwid fixture root."""

    def __init__(self):
        # Short path: Unix socket paths must stay under ~100 characters.
        self.dir = tempfile.mkdtemp(prefix="gg-svc-", dir="/tmp")
        self.sock = os.path.join(self.dir, "agent.sock")
        root = os.path.join(self.dir, "root")
        os.makedirs(os.path.join(root, "etc"))
        with open(os.path.join(root, "etc", "machine-id"), "w") as f:
            f.write(os.urandom(16).hex() + "\n")
        self.config = os.path.join(self.dir, "config.json")
        with open(EXAMPLE) as f:
            cfg = json.load(f)
        write_private(os.path.join(self.dir, "api-key"), "gg_test_" + os.urandom(8).hex())
        write_private(os.path.join(self.dir, "signing-secret"), os.urandom(16).hex())
        cfg["server"]["baseUrl"] = "http://127.0.0.1:9"  # nothing listens
        cfg["server"]["apiKeyFile"] = os.path.join(self.dir, "api-key")
        cfg["server"]["signingSecretFile"] = os.path.join(self.dir, "signing-secret")
        cfg["server"]["responsePublicKeys"] = [base64.b64encode(os.urandom(32)).decode()]
        cfg["ipc"]["path"] = self.sock
        cfg["ipc"]["group"] = None
        cfg["state"]["dir"] = os.path.join(self.dir, "state")
        cfg["hwid"]["root"] = root
        write_private(self.config, json.dumps(cfg, indent=2))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def ask_status(path):
    """One `status` request over the agent's socket; returns the answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(DEADLINE_S)
        s.connect(path)
        s.sendall(b'{"v":1,"id":1,"op":"status"}\n')
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def wait_for(predicate, what):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)  # polling another process, bounded
    raise AssertionError("timed out waiting for " + what)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("agent did not stop within the deadline")
    return proc.returncode


class AgentServiceTest(unittest.TestCase):
    def setUp(self):
        self.scratch = Scratch()

    def tearDown(self):
        self.scratch.cleanup()

    # The shipped example config has no unknown or missing keys.
    def test_example_config_is_valid(self):
        out = subprocess.run([AGENT, "check-config", "--config", self.scratch.config],
                             capture_output=True, text=True, timeout=DEADLINE_S)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    # systemd-socket-activate's socket reaches `gg-agent run` and is served.
    def test_socket_activation(self):
        activate = shutil.which("systemd-socket-activate")
        self.assertIsNotNone(activate, "systemd-socket-activate not installed")
        proc = subprocess.Popen(
            [activate, "-l", self.scratch.sock, AGENT, "run", "--config", self.scratch.config],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # The socket exists before the agent runs: systemd made it.
            wait_for(lambda: os.path.exists(self.scratch.sock), "the activation socket")
            answer = ask_status(self.scratch.sock)  # connecting starts the agent
            self.assertTrue(answer.get("ok"), answer)
            self.assertEqual(answer.get("id"), 1)
            self.assertEqual(stop(proc), 0, proc.stdout.read())
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()

    # READY=1 comes only when the socket answers, then WATCHDOG=1, a reload
    # on SIGHUP, then STOPPING=1 on SIGTERM, and the agent exits 0.
    def test_notify_socket_order(self):
        notify_path = os.path.join(self.scratch.dir, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(DEADLINE_S)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="200000")
        proc = subprocess.Popen([AGENT, "run", "--config", self.scratch.config], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        received = []
        try:
            def next_message():
                try:
                    return notify.recv(4096).decode()
                except socket.timeout:
                    raise AssertionError("no notification; got " + repr(received))

            while True:
                msg = next_message()
                received.append(msg)
                if "READY=1" in msg.split("\n"):
                    break
            # Ready means ready: the socket answers now.
            self.assertTrue(ask_status(self.scratch.sock).get("ok"))
            while "WATCHDOG=1" not in received:
                received.append(next_message())
            # SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 again.
            reload_from = len(received)
            proc.send_signal(signal.SIGHUP)
            while not any("READY=1" in m.split("\n") for m in received[reload_from:]):
                received.append(next_message())
            reloading = [m for m in received[reload_from:] if m.startswith("RELOADING=1")]
            self.assertTrue(reloading, received)
            self.assertIn("MONOTONIC_USEC=", reloading[0])
            proc.send_signal(signal.SIGTERM)
            while not any("STOPPING=1" in m.split("\n") for m in received):
                received.append(next_message())
            self.assertEqual(proc.wait(DEADLINE_S), 0, proc.stdout.read())
        finally:
            notify.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        ready = next(i for i, m in enumerate(received) if "READY=1" in m.split("\n"))
        watchdog = received.index("WATCHDOG=1")
        stopping = next(i for i, m in enumerate(received) if "STOPPING=1" in m.split("\n"))
        self.assertLess(ready, watchdog, received)
        self.assertLess(watchdog, stopping, received)
        self.assertTrue(any(m.startswith("STATUS=") for m in received), received)


if __name__ == "__main__":
    AGENT, EXAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
