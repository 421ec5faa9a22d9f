"""A wrong hash, a missing wheel and an unreachable registry each give one clear paragraph."""

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from third_party import build_env
from third_party.lockfile import Lock, PinnedWheel

BUILD_ENV = Path(build_env.__file__)


@pytest.fixture(autouse=True)
def isolated_pip(monkeypatch):
    """Only the registries a test names: no user or site pip configuration."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for var in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(var, raising=False)


def make_wheel(folder: Path, name: str = "demo_pkg", version: str = "1.0") -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "VALUE = 1\n")
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path


def pin(wheel: Path, sha256: str | None = None) -> PinnedWheel:
    digest = sha256 or hashlib.sha256(wheel.read_bytes()).hexdigest()
    return PinnedWheel(name="demo-pkg", version="1.0", file=wheel.name, sha256=digest)


def offline(folder: Path) -> list[str]:
    return ["--no-index", "--find-links", str(folder)]


def test_matching_hash_downloads_and_verifies(tmp_path):
    (tmp_path / "registry").mkdir()
    wheel = make_wheel(tmp_path / "registry")
    house = tmp_path / "house"
    house.mkdir()
    build_env.download(Path(sys.executable), [pin(wheel)], house, offline(wheel.parent))
    build_env.verify([pin(wheel)], house)
    assert (house / wheel.name).exists()


def test_tampered_hash_names_the_package_and_the_fix(tmp_path):
    (tmp_path / "registry").mkdir()
    wheel = make_wheel(tmp_path / "registry")
    house = tmp_path / "house"
    house.mkdir()
    tampered = pin(wheel, sha256="0" * 64)
    build_env.download(Path(sys.executable), [tampered], house, offline(wheel.parent))
    with pytest.raises(build_env.EnvError) as error:
        build_env.verify([tampered], house)
    message = str(error.value)
    assert "hash mismatch for demo-pkg==1.0" in message
    assert "0" * 64 in message and hashlib.sha256(wheel.read_bytes()).hexdigest() in message
    assert "update_lock" in message
    assert not (house / wheel.name).exists(), "a file that failed its hash must not stay in the wheelhouse"


def test_tampered_lock_fails_the_builder_with_one_paragraph(tmp_path):
    """The command the repository rule runs: exit 1, one paragraph, no Python traceback."""
    (tmp_path / "registry").mkdir()
    wheel = make_wheel(tmp_path / "registry")
    lock = tmp_path / "lock.json"
    lock.write_text(Lock(python="3.11", packages=[pin(wheel, sha256="f" * 64)]).to_json())
    result = subprocess.run(
        [sys.executable, str(BUILD_ENV), "--lock", str(lock), "--env", str(tmp_path / "env"),
         "--wheelhouse", str(tmp_path / "house"), *(f"--pip-arg={a}" for a in offline(wheel.parent))],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("torch-circt: hash mismatch for demo-pkg==1.0")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_wheel_names_the_package(tmp_path):
    (tmp_path / "registry").mkdir()
    wheel = make_wheel(tmp_path / "registry")
    absent = PinnedWheel(name="demo-pkg", version="2.0", file="demo_pkg-2.0-py3-none-any.whl", sha256="0" * 64)
    with pytest.raises(build_env.EnvError) as error:
        build_env.download(Path(sys.executable), [absent], tmp_path, offline(wheel.parent))
    assert "no wheel for demo-pkg==2.0 could be found" in str(error.value)


def test_unreachable_registry_says_so(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    wanted = PinnedWheel(name="demo-pkg", version="1.0", file="demo_pkg-1.0-py3-none-any.whl", sha256="0" * 64)
    with pytest.raises(build_env.EnvError) as error:
        build_env.download(Path(sys.executable), [wanted], tmp_path, ["--index-url", "http://127.0.0.1:9/simple"])
    message = str(error.value)
    assert message.startswith("torch-circt: cannot reach the package registry to fetch demo-pkg==1.0")
    assert "PIP_INDEX_URL" in message


def test_bad_override_is_explained():
    with pytest.raises(build_env.EnvError, match="TORCH_CIRCT_LOCAL_PACKAGES entry 'torch-mlir=/no/such/dir'"):
        build_env.parse_overrides("torch-mlir=/no/such/dir")
