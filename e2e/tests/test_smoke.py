"""Three cases through the real CLIs: import_case, then cpu_test, as Bazel will run them."""

from __future__ import annotations

import pytest

from e2e import cpu_test, import_case, list_cases

SMOKE = ["mlp_i32", "softmax_f32", "max_dim_i32"]


@pytest.mark.parametrize("name", SMOKE)
def test_import_then_cpu(name, tmp_path, capsys, monkeypatch):
    files = {k: tmp_path / f"{name}.{ext}" for k, ext in (("mlir", "mlir"), ("metadata", "json"), ("golden", "npz"))}
    flags = [arg for k, path in files.items() for arg in (f"--{k}", str(path))]
    assert import_case.main(["--model", name, *flags]) == 0
    monkeypatch.setenv("TEST_UNDECLARED_OUTPUTS_DIR", str(tmp_path / "outputs"))
    assert cpu_test.main(["--model", name, *flags]) == 0
    assert f"PASS cpu {name}" in capsys.readouterr().out
    assert any((tmp_path / "outputs" / "ir").glob("*_llvm.mlir"))


def test_import_user_error_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "x.mlir"
    code = import_case.main(["--model", "no_such_model", "--mlir", str(out),
                             "--metadata", str(tmp_path / "x.json"), "--golden", str(tmp_path / "x.npz")])
    assert code == 2 and not out.exists()
    assert "unknown case 'no_such_model'" in capsys.readouterr().err


def test_list_cases_rtl_filter(capsys):
    list_cases.main(["--rtl"])
    names = capsys.readouterr().out.split()
    assert "mlp_i32" in names and "mlp_f32" not in names
