#!/usr/bin/env python3
"""The NSIS installer under wine, silent (/S): installs the programs under
Program Files, registers the service (automatic start) and its event-log
source through `gg-agent install`, writes the example config under
ProgramData and never overwrites an existing one; the uninstaller removes
the service, the event source and the programs and keeps the config.

  installer_wine_test.py WINE BIN_DIR SETUP_EXE
"""
import os
import pathlib
import subprocess
import sys

SERVICE_KEY = r"HKLM\System\CurrentControlSet\Services\gg-agent"
EVENT_KEY = (r"HKLM\System\CurrentControlSet\Services\EventLog\Application"
             r"\GeckoGuard Agent")
UNINSTALL_KEY = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\gg-agent"


class Failure(Exception):
    pass


def main():
    wrapper, bin_dir, setup = sys.argv[1:]
    prefix = pathlib.Path(os.environ.get(
        "GG_WINEPREFIX", str(pathlib.Path(bin_dir) / "wineprefix")))
    c = prefix / "drive_c"
    install_dir = c / "Program Files" / "GeckoGuard Agent"
    config = c / "ProgramData" / "GeckoGuard" / "Agent" / "config.json"

    def run(args, timeout=180):
        # From the build tree's top: wine fails to start programs (exit 53)
        # from some folders of it, such as CTest's tests/windows.
        p = subprocess.run([wrapper] + args, capture_output=True,
                           timeout=timeout, cwd=bin_dir)
        out = (p.stdout + p.stderr).decode("utf-8", "replace").replace("\r", "")
        print(f"$ {' '.join(args)}  -> exit {p.returncode}")
        for line in out.strip().splitlines()[-10:]:
            print(f"  {line}")
        return p.returncode, out

    def check(ok, what):
        if not ok:
            raise Failure(what)
        print(f"ok: {what}")

    def reg_value(key, name):
        rc, out = run(["reg", "query", key, "/v", name])
        if rc != 0:
            return None
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == name:
                return parts[-1]
        return None

    def uninstall():
        # _?= runs the uninstaller in place and waits for it (otherwise it
        # copies itself to TEMP and returns at once).
        return run([str(install_dir / "uninstall.exe"), "/S",
                    "_?=C:\\Program Files\\GeckoGuard Agent"])

    try:
        if (install_dir / "uninstall.exe").exists():
            uninstall()  # leftovers of an aborted run
        if config.exists():
            config.unlink()

        print("\n== silent install")
        rc, _ = run([setup, "/S"])
        check(rc == 0, "setup /S exits 0")
        for name in ("gg-agent.exe", "ggctl.exe", "ggclient.dll",
                     "uninstall.exe", "sdk/include/gg/client.h",
                     "sdk/lib/libggclient.dll.a"):
            check((install_dir / name).exists(), f"installed {name}")
        check(reg_value(SERVICE_KEY, "Start") == "0x2",
              "service registered with automatic start")
        rc, out = run(["reg", "query", SERVICE_KEY, "/v", "ObjectName"])
        check("NT SERVICE\\gg-agent" in out,
              "service registered to run as NT SERVICE\\gg-agent")
        rc, out = run(["reg", "query", SERVICE_KEY, "/v", "ImagePath"])
        check("GeckoGuard Agent" in out and "run --config" in out,
              "service runs the installed gg-agent.exe with its config")
        check(reg_value(EVENT_KEY, "TypesSupported") is not None,
              "event-log source registered")
        check(config.exists() and "api.geckoguard.com" in config.read_text(),
              "example config written under ProgramData")

        print("\n== reinstall keeps an admin's config")
        config.write_text('{"admin": "edited"}\n')
        rc, _ = run([setup, "/S"])
        check(rc == 0, "second setup /S exits 0")
        check(config.read_text() == '{"admin": "edited"}\n',
              "existing config.json not overwritten")

        print("\n== silent uninstall")
        rc, _ = uninstall()
        check(rc == 0, "uninstall /S exits 0")
        rc, _ = run(["reg", "query", SERVICE_KEY])
        check(rc != 0, "service removed")
        rc, _ = run(["reg", "query", EVENT_KEY])
        check(rc != 0, "event-log source removed")
        rc, _ = run(["reg", "query", UNINSTALL_KEY])
        check(rc != 0, "Add/Remove Programs entry removed")
        check(not (install_dir / "gg-agent.exe").exists(), "programs removed")
        check(config.exists(), "config kept")
        # _?= leaves the uninstaller itself behind.
        for leftover in (install_dir / "uninstall.exe",):
            if leftover.exists():
                leftover.unlink()
    except (Failure, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        return 1
    print("\nPASS: the installer under wine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
