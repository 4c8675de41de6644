"""A minimal PEP 517 backend for geckoguard-client (stdlib only).

Builds a pure-Python wheel of the `geckoguard` package and an sdist, so pip
needs no build dependency from an index (the package installs offline).
"""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "geckoguard_client"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "geckoguard"

METADATA = f"""Metadata-Version: 2.1
Name: geckoguard-client
Version: {VERSION}
Summary: Ask the local GeckoGuard license agent (stdlib only; sync and asyncio)
Requires-Python: >=3.8
"""

WHEEL = """Wheel-Version: 1.0
Generator: gg_build
Root-Is-Purelib: true
Tag: py3-none-any
"""


def _package_files():
    base = os.path.join(ROOT, PACKAGE)
    for name in sorted(os.listdir(base)):
        if name.endswith(".py") or name == "py.typed":
            yield f"{PACKAGE}/{name}", os.path.join(base, name)


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{arcname},sha256={digest.decode()},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = f"{NAME}-{VERSION}-py3-none-any.whl"
    dist_info = f"{NAME}-{VERSION}.dist-info"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w",
                         zipfile.ZIP_DEFLATED) as whl:
        for arcname, path in _package_files():
            with open(path, "rb") as f:
                data = f.read()
            whl.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        for name, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
            arcname = f"{dist_info}/{name}"
            whl.writestr(arcname, text)
            records.append(_record_line(arcname, text.encode()))
        records.append(f"{dist_info}/RECORD,,")
        whl.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    filename = f"{NAME}-{VERSION}.tar.gz"
    top = f"{NAME}-{VERSION}"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for rel in ["pyproject.toml", "README.md", "_build/gg_build.py"]:
            tar.add(os.path.join(ROOT, rel), arcname=f"{top}/{rel}")
        for arcname, path in _package_files():
            tar.add(path, arcname=f"{top}/{arcname}")
        info = tarfile.TarInfo(f"{top}/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
