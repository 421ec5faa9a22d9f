#!/usr/bin/env bash
# Dev container post-create step (run by .devcontainer/devcontainer.json, from the checkout):
# build the pinned toolchain environment through Bazel (offline, from the image's wheelhouse)
# and give it stable paths that the VSCode settings name:
#   ~/toolchain-env         -> $(bazel info output_base)/external/toolchains/env (-> the store)
#   ~/.local/bin/verilator  -> the environment's Verilator (for the SystemVerilog linter)
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
# Fetching @toolchains runs third_party/env_store.py: venv + sha256-checked install, in the
# store named by TORCH_CIRCT_TOOLCHAIN_STORE (the devcontainer puts it in the Bazel volume).
./bazelw build @toolchains//:stamp
env_dir="$(./bazelw info output_base)/external/toolchains/env"
ln -sfn "$env_dir" "$HOME/toolchain-env"

mkdir -p "$HOME/.local/bin"
cat > "$HOME/.local/bin/verilator" <<'WRAP'
#!/bin/sh
exec "$HOME/toolchain-env/bin/verilator-cli" "$@"
WRAP
chmod +x "$HOME/.local/bin/verilator"

echo "post_create: toolchain environment ready in $(( $(date +%s) - start ))s:" \
     "$HOME/toolchain-env -> $env_dir ($("$HOME/toolchain-env/bin/python3" --version))"
