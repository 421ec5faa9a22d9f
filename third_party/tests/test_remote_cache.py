"""`--config=remote-cache` against a real HTTP cache server: a second clean clone builds nothing.

A WebDAV server from the lock (wsgidav on cheroot: GET/PUT of files is all Bazel's
HTTP cache protocol needs, on /ac/<hash> and /cas/<hash>) runs on a free localhost
port. Two copies of this checkout (what a fresh `git clone` gives, plus any
uncommitted edits) each run the same `bazel test` in their own output root with
the local disk cache off. The verdict is Bazel's own: its "INFO: N processes:
... remote cache hit" summary and its execution log, spawn by spawn. The nested
builds reuse the toolchain environment of this test (same store, same key), so
they pay for Bazel, not for pip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Real actions, light enough for the default suite: torch-mlir import, CIRCT compile,
# and two tests (the CPU backend and Verilator's lint) of the smallest integer case.
TARGETS = ["//e2e:abs_neg_i32_cpu", "//e2e:abs_neg_i32_rtl_lint"]
_PROCESSES = re.compile(r"INFO: (\d+) processes?: (.*)\.")


def workspace() -> Path:
    """The real checkout: this file's runfile is a link into it."""
    return Path(os.path.realpath(__file__)).parents[2]


def toolchain_store() -> Path:
    """The store holding the environment this test runs on (<store>/<key>/env/bin/python3)."""
    home = Path(sys.executable).parents[2]
    assert (home / "complete").exists(), (
        f"{sys.executable} is not an environment from the toolchain store; run this under "
        "`./bazelw test //third_party:remote_cache_test`")
    return home.parent


def clean_clone(source: Path, dest: Path) -> None:
    """Copy what git would commit (tracked and new files): no bazel-* links, no .bazelrc.user."""
    listed = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (source / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, dest / name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A short temporary folder, emptied even where Bazel left read-only outputs."""
    path = Path(tempfile.mkdtemp(prefix="tc-remote-cache-"))
    yield path
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            os.chmod(os.path.join(root, d), stat.S_IRWXU)
    shutil.rmtree(path)


@pytest.fixture
def cache_url(scratch: Path) -> Iterator[str]:
    """wsgidav serving an empty folder with the two collections Bazel writes into."""
    root = scratch / "cache"
    for collection in ("ac", "cas"):
        (root / collection).mkdir(parents=True)
    port = free_port()
    log = scratch / "wsgidav.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "wsgidav"), "--host", "127.0.0.1", "--port", str(port),
             "--root", str(root), "--auth", "anonymous", "--no-config", "-q"],
            stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if our caller ignores ^C
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, f"wsgidav exited: {log.read_text()}"
                assert time.monotonic() < deadline, "wsgidav did not listen within 60 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)  # cheroot's clean shutdown
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            code = None
    assert code == 0, f"wsgidav did not stop cleanly on SIGINT (exit {code}): {log.read_text()[-1000:]}"


@dataclass(frozen=True)
class BazelRun:
    """One nested `bazel test`: its process summary and every spawn it ran or took from a cache."""

    summary: dict[str, int]
    spawns: list[dict]
    warnings: str  # Bazel's WARNING lines (e.g. a failed cache read or write), for failure messages

    def ran_locally(self) -> list[dict]:
        return [s for s in self.spawns if not s.get("remoteCacheHit")]


def bazel_test(clone: Path, output_root: Path, cache: str) -> BazelRun:
    """Run the targets in `clone` with its own Bazel server, stopped afterwards."""
    startup = ["bazel", f"--output_user_root={output_root}", "--max_idle_secs=300", "--nohome_rc"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "BAZEL_", "RUNFILES", "PYTHON"))}
    env["HOME"] = str(output_root)
    # The host python3 that built this test's environment, so the nested builds find the same key.
    home = next(line for line in (Path(sys.executable).parents[1] / "pyvenv.cfg").read_text().splitlines()
                if line.startswith("home ="))
    env["PATH"] = home.split("=", 1)[1].strip() + os.pathsep + env["PATH"]
    spawn_log = output_root.with_suffix(".spawns.json")
    # One connection: wsgidav writes a blob in place (open(path, "wb")), so two concurrent PUTs of the same blob
    # (identical outputs of two actions) can fail one upload; once in seven runs a result went missing.
    command = [*startup, "test", "--config=remote-cache", f"--remote_cache={cache}", "--disk_cache=",
               "--remote_max_connections=1",
               f"--repo_env=TORCH_CIRCT_TOOLCHAIN_STORE={toolchain_store()}",
               f"--execution_log_json_file={spawn_log}", "--color=no", "--curses=no", *TARGETS]
    try:
        result = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
    finally:
        subprocess.run([*startup, "shutdown"], cwd=clone, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, f"bazel test in {clone} failed:\n{result.stderr[-4000:]}"
    warnings = "\n".join(line for line in result.stderr.splitlines() if line.startswith("WARNING:"))
    return BazelRun(process_counts(result.stderr), json_stream(spawn_log.read_text()), warnings)


def process_counts(log: str) -> dict[str, int]:
    """Bazel's closing summary, e.g. {'internal': 3, 'remote cache hit': 4}."""
    lines = _PROCESSES.findall(log)
    assert lines, f"no 'INFO: N processes' line in Bazel's output:\n{log[-2000:]}"
    total, kinds = lines[-1]
    counts = {kind: int(n) for n, kind in (part.strip().split(" ", 1) for part in kinds.split(","))}
    assert sum(counts.values()) == int(total), lines[-1]
    return counts


def json_stream(text: str) -> list[dict]:
    """Bazel's --execution_log_json_file: JSON objects one after another, not a list."""
    decoder, objects, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        value, at = decoder.raw_decode(text, at)
        objects.append(value)
    return objects


def is_test_xml(spawn: dict) -> bool:
    """Bazel writes test.xml in a spawn whose arguments hold the test's wall time: never the same twice."""
    return spawn["commandArgs"][0].endswith("generate-xml.sh")


def test_second_clone_is_served_from_the_remote_cache(scratch: Path, cache_url: str) -> None:
    source = workspace()
    first, second = scratch / "clone_a", scratch / "clone_b"
    for clone in (first, second):
        clone.mkdir()
        clean_clone(source, clone)

    cold = bazel_test(first, scratch / "root_a", cache_url)
    stored = [p for p in (scratch / "cache").rglob("*") if p.is_file()]
    warm = bazel_test(second, scratch / "root_b", cache_url)
    print(f"clone A: {cold.summary}\nclone B: {warm.summary}\ncache server: {len(stored)} files")

    assert len(cold.ran_locally()) == len(cold.spawns), f"clone A hit an empty cache: {cold.summary}"
    work = [s for s in cold.spawns if not is_test_xml(s)]
    assert len(work) >= 4, f"expected import, compile and two test runs in clone A, ran {len(work)}"
    assert stored, "clone A uploaded nothing to the cache server"
    assert warm.summary.get("remote cache hit", 0) >= len(work), (
        f"clone B should get every action clone A ran from the cache: A {cold.summary}, B {warm.summary}\n"
        f"clone A warnings:\n{cold.warnings}\nclone B warnings:\n{warm.warnings}")
    rerun = [s["listedOutputs"] for s in warm.ran_locally() if not is_test_xml(s)]
    assert not rerun, (f"clone B ran these itself instead of taking them from the cache: {rerun}\n"
                       f"clone A warnings:\n{cold.warnings}\nclone B warnings:\n{warm.warnings}")
