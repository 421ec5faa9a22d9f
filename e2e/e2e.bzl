"""One declaration per model of the suite, one cached Bazel action per stage.

    e2e_test(name = "mlp_int", backends = ["cpu", "rtl"])

makes these targets (the model itself is registered under the same name in
e2e/suite.py, which the import stage looks up):

    mlp_int_import     genrule: model -> mlp_int.linalg.mlir, .metadata.json, .golden.npz
    mlp_int_cpu        py_test: CPU backend (MLIR ExecutionEngine) vs the golden record
    mlp_int_rtl_sv     genrule: linalg -> mlp_int.sv + mlp_int.manifest.json (CIRCT)
    mlp_int_rtl_lint   py_test: verilator --lint-only on the generated design
    mlp_int_rtl_sim    genrule: Verilator + harness -> mlp_int_sim.so (pybind11 extension)
    mlp_int_rtl        py_test: RTL simulation vs the golden record, bit for bit

Each backend's targets carry the tag of that backend ("cpu", "rtl"), so
`bazel test //e2e/... --test_tag_filters=rtl` runs one backend's suite.
Expected failures are declared with the case in e2e/suite.py (xfail plus reason);
the test then passes only while the failure persists.
"""

load("//third_party:python.bzl", "py_test")

_BACKENDS = ["cpu", "rtl"]

def e2e_test(name, backends = ["cpu"], size = "small"):
    """Declare the import stage and one test per backend for the suite model `name`.

    Args:
      name: the model's name in e2e/suite.py.
      backends: any of "cpu", "rtl". "rtl" is for integer, static-shape models only.
      size: test size for the backend tests.
    """
    for backend in backends:
        if backend not in _BACKENDS:
            fail("e2e_test %s: unknown backend '%s' (known: %s)" % (name, backend, ", ".join(_BACKENDS)))
    mlir = name + ".linalg.mlir"
    metadata = name + ".metadata.json"
    golden = name + ".golden.npz"
    native.genrule(
        name = name + "_import",
        outs = [mlir, metadata, golden],
        cmd = "$(location //e2e:import_case) --model {name} --mlir $(location {mlir}) --metadata $(location {metadata}) --golden $(location {golden})".format(
            name = name,
            mlir = mlir,
            metadata = metadata,
            golden = golden,
        ),
        tools = ["//e2e:import_case"],
        message = "Importing %s through torch-mlir" % name,
    )
    imported = [mlir, metadata, golden]
    common_args = [
        "--model", name,
        "--mlir", "$(location %s)" % mlir,
        "--metadata", "$(location %s)" % metadata,
        "--golden", "$(location %s)" % golden,
    ]
    if "cpu" in backends:
        py_test(
            name = name + "_cpu",
            srcs = ["//e2e:cpu_test.py"],
            main = "//e2e:cpu_test.py",
            args = common_args,
            data = imported,
            deps = ["//e2e:cpu_test_lib"],
            size = size,
            tags = ["cpu"],
        )
    if "rtl" in backends:
        _rtl_targets(name, imported, common_args, size)

def _rtl_targets(name, imported, common_args, size):
    mlir, metadata, golden = imported
    sv = name + ".sv"
    manifest = name + ".manifest.json"
    extension = name + "_sim.so"
    native.genrule(
        name = name + "_rtl_sv",
        srcs = [mlir, metadata],
        outs = [sv, manifest],
        cmd = "$(location //backend/rtl:compile_rtl) --mlir $(location {mlir}) --metadata $(location {metadata}) --sv $(location {sv}) --manifest $(location {manifest})".format(
            mlir = mlir,
            metadata = metadata,
            sv = sv,
            manifest = manifest,
        ),
        tools = ["//backend/rtl:compile_rtl"],
        message = "Compiling %s to SystemVerilog with CIRCT" % name,
    )
    py_test(
        name = name + "_rtl_lint",
        srcs = ["//backend/sim:lint.py"],
        main = "//backend/sim:lint.py",
        args = ["$(location %s)" % sv],
        data = [sv],
        size = "small",
        tags = ["rtl"],
    )
    native.genrule(
        name = name + "_rtl_sim",
        srcs = [sv, manifest],
        outs = [extension],
        cmd = "$(location //backend/sim:build_extension) --sv $(location {sv}) --manifest $(location {manifest}) --out $@".format(
            sv = sv,
            manifest = manifest,
        ),
        tools = ["//backend/sim:build_extension"],
        message = "Building the Verilator simulator of %s" % name,
    )
    py_test(
        name = name + "_rtl",
        srcs = ["//e2e:rtl_test.py"],
        main = "//e2e:rtl_test.py",
        args = common_args + [
            "--manifest", "$(location %s)" % manifest,
            "--simulator", "$(location %s)" % extension,
        ],
        data = imported + [manifest, extension],
        deps = ["//e2e:rtl_test_lib"],
        size = size,
        tags = ["rtl"],
    )
