"""Drift check: the installed toolchains still report exactly what the lock records."""

import os

import pytest

from third_party import revisions
from third_party.lockfile import LOCK_PATH, load_lock, normalize

LOCK = load_lock(LOCK_PATH)
OVERRIDDEN = {normalize(item.split("=")[0]) for item in
              os.environ.get("TORCH_CIRCT_LOCAL_PACKAGES", "").split(",") if item}


def test_every_toolchain_is_recorded():
    assert sorted(LOCK.toolchains) == sorted(revisions.PROBES)


@pytest.mark.parametrize("toolchain", sorted(revisions.PROBES))
def test_installed_toolchain_reports_recorded_revisions(toolchain):
    recorded = LOCK.toolchains[toolchain]
    if normalize(recorded["package"]) in OVERRIDDEN:
        pytest.skip(f"{toolchain} is a local override (TORCH_CIRCT_LOCAL_PACKAGES): it is not the locked build")
    actual = revisions.PROBES[toolchain]()
    assert actual == recorded, (
        f"{toolchain} drifted from third_party/toolchains.lock.json: installed reports {actual}, "
        f"lock records {recorded}. Run `./bazelw run //tools:update_lock` if the move is deliberate."
    )


def test_lock_pins_the_installed_package_versions():
    import importlib.metadata

    for wheel in LOCK.packages:
        if normalize(wheel.name) in OVERRIDDEN:
            continue
        assert importlib.metadata.version(wheel.name) == wheel.version, wheel.name
