"""The toolchain store builds an environment once per key and never hands out a half-built one."""

from pathlib import Path

import pytest

from third_party import env_store


@pytest.fixture
def builds(monkeypatch) -> list[Path]:
    """Replace pip with a fake build that records where it built."""
    made: list[Path] = []

    def fake_build(lock, env_dir: Path, wheelhouse: Path, pip_args, overrides) -> None:
        (env_dir / "bin").mkdir(parents=True)
        (env_dir / "bin" / "python3").write_text("")
        wheelhouse.mkdir()
        made.append(env_dir)

    monkeypatch.setattr(env_store, "build", fake_build)
    monkeypatch.setattr(env_store, "load_lock", lambda path: None)
    monkeypatch.delenv(env_store.OVERRIDE_ENV, raising=False)
    return made


def lock_file(folder: Path, text: str = '{"packages": []}') -> Path:
    path = folder / "toolchains.lock.json"
    path.write_text(text)
    return path


def test_built_once_then_reused(tmp_path: Path, builds: list[Path]) -> None:
    lock = lock_file(tmp_path)
    first = env_store.ensure_env(tmp_path / "store", lock, [])
    second = env_store.ensure_env(tmp_path / "store", lock, [])
    assert first == second == builds[0]
    assert len(builds) == 1
    assert (first.parent / "complete").exists()
    assert not (first.parent / "wheelhouse").exists()


def test_interrupted_build_is_redone(tmp_path: Path, builds: list[Path]) -> None:
    lock = lock_file(tmp_path)
    home = tmp_path / "store" / env_store.store_key(lock, "")
    (home / "env").mkdir(parents=True)
    (home / "env" / "half-installed").write_text("")
    env = env_store.ensure_env(tmp_path / "store", lock, [])
    assert builds == [env]
    assert not (env / "half-installed").exists()


def test_key_follows_lock_and_overrides(tmp_path: Path) -> None:
    lock = lock_file(tmp_path)
    key = env_store.store_key(lock, "")
    assert env_store.store_key(lock, "torch-mlir=/src") != key
    lock.write_text('{"packages": [1]}')
    assert env_store.store_key(lock, "") != key


def test_store_from_environment(tmp_path: Path, builds: list[Path], monkeypatch, capsys) -> None:
    """TORCH_CIRCT_TOOLCHAIN_STORE wins over the user cache; the path is the last line printed."""
    monkeypatch.setenv(env_store.STORE_ENV, str(tmp_path / "team-store"))
    assert env_store.main(["--lock", str(lock_file(tmp_path))]) == 0
    printed = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed == builds[0] and printed.is_relative_to(tmp_path / "team-store")
