"""lit, from the pinned environment, as a command and a Bazel test: `lit_main.py [lit options] PATH...`."""

from lit.main import main

if __name__ == "__main__":
    main()
