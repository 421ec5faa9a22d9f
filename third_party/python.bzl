"""Python rules bound to the pinned toolchain environment.

Every target gets @toolchains//:stamp as data, so a lock change (or a local
override) invalidates cached actions and test results that ran on the old
environment. `pytest_test` runs pytest on its sources and fails when no test ran.
"""

_STAMP = "@toolchains//:stamp"

def _with_stamp(data):
    return (data or []) + [_STAMP]

def py_library(name, **kwargs):
    native.py_library(name = name, **kwargs)

def py_binary(name, data = None, **kwargs):
    native.py_binary(name = name, data = _with_stamp(data), python_version = "PY3", **kwargs)

def py_test(name, data = None, **kwargs):
    native.py_test(name = name, data = _with_stamp(data), python_version = "PY3", **kwargs)

def pytest_test(name, srcs, deps = None, data = None, args = None, **kwargs):
    """A py_test that runs pytest over `srcs`.

    Args:
      name: target name.
      srcs: test files (test_*.py); at least one.
      deps: py_library deps.
      data: runtime files.
      args: extra pytest arguments.
      **kwargs: passed to py_test (size, tags, timeout, ...).
    """
    if not srcs:
        fail("pytest_test %s: srcs must list at least one test file" % name)
    py_test(
        name = name,
        srcs = srcs + ["//third_party:pytest_main.py"],
        main = "//third_party:pytest_main.py",
        deps = deps or [],
        data = data,
        args = ["$(location %s)" % s for s in srcs] + (args or []),
        **kwargs
    )

def py_sources():
    """`:py_sources`: every Python file of the calling package, which //tools:lint_test lints."""
    native.filegroup(
        name = "py_sources",
        srcs = native.glob(["**/*.py"]),
        visibility = ["//tools:__pkg__"],
    )
