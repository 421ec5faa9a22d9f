"""One declaration per model of the suite, one cached Bazel action per stage.

    e2e_suite(CASES)     # CASES from e2e/cases.bzl, generated from e2e/suite.py

calls, for each case,

    e2e_test(name = "mlp_int", backends = ["cpu", "rtl"])

which makes these targets (the model itself is registered under the same name in
e2e/suite.py, which the import stage looks up):

    mlp_int_import     genrule: model -> mlp_int.linalg.mlir, .metadata.json, .golden.npz
    mlp_int_cpu        py_test: CPU backend (MLIR ExecutionEngine) vs the golden record
    mlp_int_rtl_sv     genrule: linalg -> mlp_int.sv + mlp_int.manifest.json (CIRCT)
    mlp_int_rtl_lint   py_test: verilator --lint-only on the generated design
    mlp_int_rtl_sim    genrule: Verilator + harness -> mlp_int_sim.so (pybind11 extension)
    mlp_int_rtl        py_test: RTL simulation vs the golden record, bit for bit, and its
                       cycles vs e2e/cycles_baseline.json (e2e/cycles_guard.py)

Each backend's targets carry the tag of that backend ("cpu", "rtl"), so
`bazel test //e2e/... --test_tag_filters=rtl` runs one backend's suite.
Expected failures are declared with the case in e2e/suite.py (xfail plus reason).
A backend with a declared failure gets one test instead, `<name>_<backend>`,
that runs the whole flow (`e2e/flow_test.py`), so the failure may be at any
stage (import, compile, Verilator, simulation, comparison); the test passes
only while the failure persists.

`options` are torch_circt option flags (e.g. ["--buffer-size", "1"]) passed to
every action and test of the case.
"""

load("//third_party:python.bzl", "py_test")

_BACKENDS = ["cpu", "rtl"]

def e2e_suite(cases, options = []):
    """One e2e_test per case of the generated e2e/cases.bzl.

    Args:
      cases: name -> {"backends": [...], "xfail": [...]}.
      options: torch_circt option flags for every case.
    """
    for name, case in cases.items():
        e2e_test(name = name, backends = case["backends"], xfail = case["xfail"], options = options)

def e2e_test(name, backends = ["cpu"], xfail = [], options = [], size = "small", tags = []):
    """Declare the import stage and one test per backend for the suite model `name`.

    Args:
      name: the model's name in e2e/suite.py.
      backends: any of "cpu", "rtl". "rtl" is for integer, static-shape models only.
      xfail: backends where the case declares an expected failure (whole-flow test).
      options: torch_circt option flags for the actions and tests.
      size: test size for the backend tests.
      tags: extra tags for every test.
    """
    for backend in backends + xfail:
        if backend not in _BACKENDS:
            fail("e2e_test %s: unknown backend '%s' (known: %s)" % (name, backend, ", ".join(_BACKENDS)))
    for backend in xfail:
        if backend not in backends:
            fail("e2e_test %s: xfail names backend '%s' that the case does not run on" % (name, backend))
        py_test(
            name = name + "_" + backend,
            srcs = ["//e2e:flow_test.py"],
            main = "//e2e:flow_test.py",
            args = ["--model", name, "--backend", backend] + options,
            deps = ["//e2e:flow_test_lib"],
            size = "medium",
            tags = [backend] + tags,
        )
    backends = [b for b in backends if b not in xfail]
    if not backends:
        return
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
            tags = ["cpu"] + tags,
        )
    if "rtl" in backends:
        _rtl_targets(name, imported, common_args, options, size, tags)

def _rtl_targets(name, imported, common_args, options, size, tags):
    mlir, metadata, golden = imported
    sv = name + ".sv"
    manifest = name + ".manifest.json"
    extension = name + "_sim.so"
    native.genrule(
        name = name + "_rtl_sv",
        srcs = [mlir, metadata],
        outs = [sv, manifest],
        cmd = "$(location //e2e:compile_case) --mlir $(location {mlir}) --metadata $(location {metadata}) --sv $(location {sv}) --manifest $(location {manifest}) {options}".format(
            mlir = mlir,
            metadata = metadata,
            sv = sv,
            manifest = manifest,
            options = " ".join(options),
        ),
        tools = ["//e2e:compile_case"],
        message = "Compiling %s to SystemVerilog with CIRCT" % name,
    )
    py_test(
        name = name + "_rtl_lint",
        srcs = ["//backend/sim:lint.py"],
        main = "//backend/sim:lint.py",
        args = ["$(location %s)" % sv],
        data = [sv],
        size = "small",
        tags = ["rtl"] + tags,
    )
    native.genrule(
        name = name + "_rtl_sim",
        srcs = [sv, manifest, "//backend/sim:runtime"],
        outs = [extension],
        cmd = "$(location //e2e:build_sim) --sv $(location {sv}) --manifest $(location {manifest}) --runtime $(location //backend/sim:runtime) --out $@ {options}".format(
            sv = sv,
            manifest = manifest,
            options = " ".join(options),
        ),
        tools = ["//e2e:build_sim"],
        message = "Building the Verilator simulator of %s" % name,
    )
    py_test(
        name = name + "_rtl",
        srcs = ["//e2e:rtl_test.py"],
        main = "//e2e:rtl_test.py",
        args = common_args + [
            "--manifest", "$(location %s)" % manifest,
            "--simulator", "$(location %s)" % extension,
            "--baseline", "$(location //e2e:cycles_baseline.json)",
        ] + options,
        data = imported + [manifest, extension, "//e2e:cycles_baseline.json"],
        deps = ["//e2e:rtl_test_lib"],
        size = size,
        tags = ["rtl"] + tags,
    )
