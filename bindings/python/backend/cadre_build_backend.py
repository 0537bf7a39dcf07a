"""A minimal PEP 517 build backend for the cadre Python package.

Why by hand: the package is pure Python (ctypes over libcadre), and the machines it
is installed on may reach no package index, so even setuptools may be missing from
a fresh virtual environment. Writing a wheel is a zip file with three metadata
files (PEP 427), which the standard library does well.

If the environment variable CADRE_LIBRARY names a built libcadre shared library
when the wheel is built, that file is bundled into the package (cadre/_lib/) and
found at run time without any further setting.
"""

import base64
import hashlib
import os
import zipfile

NAME = "cadre"
VERSION = "0.1.0"
TAG = "py3-none-any"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {VERSION}\n"
        "Summary: Python bindings of cadre, the account-manager management library for retailers\n"
        "Requires-Python: >=3.9\n"
    )


def _files():
    """(archive name, bytes) of every file the wheel carries besides metadata."""
    package = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            with open(os.path.join(package, name), "rb") as f:
                yield f"{NAME}/{name}", f.read()
    library = os.environ.get("CADRE_LIBRARY")
    if library:
        with open(library, "rb") as f:
            yield f"{NAME}/_lib/libcadre.so", f.read()


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, f"{NAME}-{VERSION}.dist-info")
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w") as f:
        f.write(_metadata())
    return os.path.basename(dist_info)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_name = f"{NAME}-{VERSION}-{TAG}.whl"
    dist_info = f"{NAME}-{VERSION}.dist-info"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:
        def add(name, data, mode=0o644):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            records.append(_record_line(name, data))

        for name, data in _files():
            add(name, data, 0o755 if name.endswith(".so") else 0o644)
        add(f"{dist_info}/METADATA", _metadata().encode())
        add(f"{dist_info}/WHEEL",
            f"Wheel-Version: 1.0\nGenerator: cadre_build_backend\nRoot-Is-Purelib: true\nTag: {TAG}\n".encode())
        records.append(f"{dist_info}/RECORD,,")
        wheel.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    import tarfile

    base = f"{NAME}-{VERSION}"
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for rel in ["pyproject.toml", "backend/cadre_build_backend.py"] + [
            f"{NAME}/{n}" for n in sorted(os.listdir(os.path.join(HERE, NAME))) if n.endswith(".py")
        ]:
            tar.add(os.path.join(HERE, rel), arcname=f"{base}/{rel}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        import io

        tar.addfile(info, io.BytesIO(data))
    return os.path.basename(path)
