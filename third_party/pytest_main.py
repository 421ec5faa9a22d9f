"""Entry point of every pytest_test: run pytest on the given files, never pass on zero tests."""

import sys

import pytest

if __name__ == "__main__":
    # No cache in the read-only runfiles tree; -ra lists skips and xfails with reasons.
    code = pytest.main(["-p", "no:cacheprovider", "-ra", *sys.argv[1:]])
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("pytest_main: no test ran; a test target must run at least one test", file=sys.stderr)
    sys.exit(int(code))
