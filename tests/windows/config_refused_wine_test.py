#!/usr/bin/env python3
"""Settings Windows cannot honour are refused, never ignored: the real
gg-agent.exe, under wine, exits 2 naming the field for ipc.allowedUids and
ipc.allowedGroups, both in `check-config` and in `run` (which must not
start serving the pipe), and accepts the same config without them.

  config_refused_wine_test.py WINE BIN_DIR
"""
import base64
import json
import pathlib
import subprocess
import sys

PIPE = r"\\.\pipe\gg-agent-config-refused"


def windows_path(path):
    return "Z:" + str(pathlib.Path(path).resolve()).replace("/", "\\")


def run(wine, bin_dir, args):
    p = subprocess.run([wine] + args, capture_output=True, timeout=120,
                       cwd=bin_dir)
    text = (p.stdout + p.stderr).decode("utf-8", "replace").replace("\r", "")
    print(f"$ gg-agent.exe {' '.join(args[1:])}  -> exit {p.returncode}")
    for line in text.strip().splitlines()[-6:]:
        print(f"  {line}")
    return p.returncode, text


def main():
    wine, bin_dir = sys.argv[1:3]
    agent = str(pathlib.Path(bin_dir) / "service" / "gg-agent.exe")
    work = pathlib.Path(bin_dir) / "config-refused-wine"
    work.mkdir(exist_ok=True)
    base = {
        "server": {"baseUrl": "https://localhost:9", "apiKey": "gg_dev_key",
                   "signingSecret": "dev-signing-secret",
                   "responsePublicKeys": [base64.b64encode(b"k" * 32).decode()]},
        "ipc": {"path": PIPE},
        "state": {"dir": "C:\\gg-config-refused"},
    }
    failures = []
    cases = [("plain", {}, 0, None),
             ("uids", {"allowedUids": [0, 1000]}, 2, "ipc.allowedUids"),
             ("groups", {"allowedGroups": ["staff"]}, 2, "ipc.allowedGroups")]
    for name, extra, want_rc, field in cases:
        config = json.loads(json.dumps(base))
        config["ipc"].update(extra)
        path = work / f"{name}.json"
        path.write_text(json.dumps(config, indent=2))
        commands = [["check-config"]]
        if want_rc != 0:
            commands.append(["run"])  # would serve the pipe if it started
        for command in commands:
            rc, text = run(wine, bin_dir,
                           [agent, *command, "--config", windows_path(path)])
            what = f"{name}: gg-agent {command[0]}"
            if rc != want_rc:
                failures.append(f"{what}: exit {rc}, wanted {want_rc}")
            elif field and field not in text:
                failures.append(f"{what}: the message does not name {field}")
            else:
                print(f"ok: {what} exits {rc}"
                      + (f" naming {field}" if field else ""))
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
