#!/usr/bin/env bash
# devcontainer_check: prove the dev image and .devcontainer/devcontainer.json work end to end.
#
#   ./bazelw run //tools/docker:devcontainer_check [-- options]
#   tools/docker/devcontainer_check.sh [options]
#
# Steps (each timed; a table and the image size are printed at the end):
#   daemon      use the Docker daemon DOCKER_HOST points at, or start a private dockerd
#               (root; --iptables=false --bridge=none --storage-driver=vfs, its own data root,
#               exec root and unix socket under the state dir); only that PID is stopped at the end
#   base        debian:bookworm: pull it, or (no registry) debootstrap bookworm | docker import
#   snapshot    copy the checkout (no bazel-*, .git) to a scratch dir owned by the container
#               user, so the container neither rewrites your bazel-* links nor sees half edits
#   wheelhouse  docker/stage_wheelhouse.py: the lock's wheels, sha256-checked, into the context
#   build       docker build --network=host -f docker/Dockerfile (USER_UID/USER_GID = the user)
#   toolchains  container, --network=none: docker/post_create.sh (Bazel builds the toolchain
#               venv from the baked-in wheelhouse; proves nothing is downloaded)
#   suite       container, --network=none: the README's `./bazelw test //...`
#   cli         npm install @devcontainers/cli into the state dir (never globally)
#   dc-build / dc-up / dc-exec   devcontainer build, up, exec against .devcontainer/
# Containers, volumes and images it made are removed at the end, and the daemon if it started it.
#
# Options:
#   --state-dir DIR   keep daemon data, the debootstrap tarball and the npm CLI in DIR between
#                     runs (default: a fresh temporary dir, deleted at the end)
#   --suite ARGS      bazel test arguments inside (default: "--keep_going //...", the README's
#                     command, not stopping at the first broken target); e.g. --suite "//e2e/..."
#   --skip-suite      skip the full suite (the devcontainer exec still runs a quick command)
#   --keep            keep containers/images/scratch for inspection
set -euo pipefail

checkout="${BUILD_WORKSPACE_DIRECTORY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
state_dir=""
suite="--keep_going //..."
skip_suite=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state_dir="$2"; shift 2 ;;
    --suite) suite="$2"; shift 2 ;;
    --skip-suite) skip_suite=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,34p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "devcontainer_check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

scratch="$(mktemp -d /tmp/torch-circt-devcontainer-check.XXXXXX)"
temp_state=0
if [ -z "$state_dir" ]; then state_dir="$scratch/state"; temp_state=1; fi
mkdir -p "$state_dir"
state_dir="$(cd "$state_dir" && pwd)"
tag="torch-circt-dev:check-$$"
dc_tag="torch-circt-devcontainer:check-$$"
volume="torch-circt-bazel-cache"   # the devcontainer's named volume: the suite run warms it
label="torch-circt.devcontainer-check=$$"
started_pid=""
volume_made=0
images_made=()
steps=()
times=()
log() { printf '\n== devcontainer_check: %s\n' "$*"; }

step() {  # step NAME command...: run, time, remember
  local name="$1"; shift
  log "$name: $*"
  local t0=$SECONDS
  "$@"
  steps+=("$name"); times+=("$((SECONDS - t0))")
  printf '== %s: %ss\n' "$name" "$((SECONDS - t0))"
}

report() {
  printf '\n%-12s %8s\n' step seconds
  local i
  for i in "${!steps[@]}"; do printf '%-12s %8s\n' "${steps[$i]}" "${times[$i]}"; done
  [ -n "${image_size:-}" ] && printf 'image %s: %s MB (docker image inspect .Size)\n' "$tag" "$image_size"
  [ -n "${dc_image_size:-}" ] && printf 'image %s: %s MB\n' "$dc_tag" "$dc_image_size"
  true
}

cleanup() {
  local status=$?
  set +e
  report
  if [ "$keep" = 0 ] && docker info >/dev/null 2>&1; then
    log "cleanup"
    docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null
    docker ps -aq --filter "label=devcontainer.local_folder=$scratch/src" | xargs -r docker rm -f >/dev/null
    [ "$volume_made" = 1 ] && docker volume rm -f "$volume" >/dev/null
    for image in "${images_made[@]}"; do docker image rm -f "$image" >/dev/null 2>&1; done
    docker images -q --filter "reference=vsc-src-*" | xargs -r docker image rm -f >/dev/null 2>&1
  fi
  if [ -n "$started_pid" ]; then
    log "stopping the dockerd this check started (pid $started_pid)"
    kill "$started_pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$started_pid" 2>/dev/null || break; sleep 1; done
    # dockerd leaves its default network namespace bind-mounted under its exec root.
    grep -o " $state_dir/docker/exec/[^ ]*" /proc/mounts | xargs -r -n1 umount 2>/dev/null
  fi
  if [ "$keep" = 0 ]; then
    # vfs layers may hold read-only dirs; the daemon's data root is ours only if we started it.
    chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"
  else
    log "kept scratch dir $scratch"
  fi
  printf '\ndevcontainer_check: %s\n' "$([ $status = 0 ] && echo PASSED || echo "FAILED (exit $status)")"
  exit $status
}
trap cleanup EXIT

need_root() { [ "$(id -u)" = 0 ] || { echo "devcontainer_check: $1 needs root (or a running Docker daemon in DOCKER_HOST)" >&2; exit 1; }; }

# ---------------------------------------------------------------- prerequisites
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ] && ! docker info >/dev/null 2>&1; then
  need_root "apt-get install ${missing[*]}"
  step apt apt-get install -y -qq "${missing[@]}"
fi

# ---------------------------------------------------------------- daemon
start_daemon() {
  if docker info >/dev/null 2>&1; then echo "using the running daemon at ${DOCKER_HOST:-default socket}"; return; fi
  need_root "starting dockerd"
  local root="$state_dir/docker"
  mkdir -p "$root/data" "$root/exec"
  export DOCKER_HOST="unix://$root/docker.sock"
  dockerd --iptables=false --bridge=none --storage-driver=vfs \
    --data-root "$root/data" --exec-root "$root/exec" --host "$DOCKER_HOST" \
    --pidfile "$root/dockerd.pid" >"$root/dockerd.log" 2>&1 &
  started_pid=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$root/dockerd.log" >&2; exit 1; }
  echo "started dockerd pid $started_pid, socket $DOCKER_HOST"
}
step daemon start_daemon

# ---------------------------------------------------------------- base image
base_image() {
  docker image inspect debian:bookworm >/dev/null 2>&1 && { echo "debian:bookworm present"; return; }
  if timeout 60 docker pull debian:bookworm 2>/dev/null; then return; fi
  echo "no registry: making debian:bookworm with debootstrap"
  need_root "debootstrap"
  local tarball="$state_dir/bookworm-rootfs.tar"
  if [ ! -s "$tarball" ]; then
    rm -rf "$scratch/rootfs"
    debootstrap --variant=minbase bookworm "$scratch/rootfs" http://deb.debian.org/debian >"$scratch/debootstrap.log" 2>&1 \
      || { tail -20 "$scratch/debootstrap.log" >&2; exit 1; }
    rm -rf "$scratch/rootfs/var/cache/apt/archives/"*.deb "$scratch/rootfs/var/lib/apt/lists/"*
    tar -C "$scratch/rootfs" -cf "$tarball" . && rm -rf "$scratch/rootfs"
  fi
  docker import "$tarball" debian:bookworm
}
step base base_image

# ---------------------------------------------------------------- snapshot + wheelhouse
if [ "$(stat -c %u "$checkout")" = 0 ]; then uid=1000; gid=1000; else uid=$(stat -c %u "$checkout"); gid=$(stat -c %g "$checkout"); fi
snapshot() {
  mkdir -p "$scratch/src"
  tar -C "$checkout" --exclude='./bazel-*' --exclude=./.git --exclude=./docker/wheelhouse \
      --exclude='__pycache__' --exclude=./.pytest_cache --exclude=./.bazelrc.user -cf - . \
    | tar -C "$scratch/src" -xf -
  echo "checkout $checkout -> $scratch/src ($(du -sh "$scratch/src" | cut -f1)), container user $uid:$gid"
}
step snapshot snapshot
step wheelhouse python3 "$scratch/src/docker/stage_wheelhouse.py"
chown -R "$uid:$gid" "$scratch/src" 2>/dev/null || true

# ---------------------------------------------------------------- image
build_image() {
  docker build --network=host -f "$scratch/src/docker/Dockerfile" \
    --build-arg USER_UID="$uid" --build-arg USER_GID="$gid" -t "$tag" "$scratch/src"
  images_made+=("$tag")
  image_size=$(( $(docker image inspect -f '{{.Size}}' "$tag") / 1000000 ))
}
step build build_image

# ---------------------------------------------------------------- toolchains + suite
in_container() {  # offline, as the devcontainer runs: checkout at /workspaces/torch-circt, cache volume
  docker run --rm --label "$label" --init --shm-size=2g --network=none --user "$uid:$gid" \
    -v "$scratch/src:/workspaces/torch-circt" -v "$volume:/home/dev/.cache/bazel" \
    -e TORCH_CIRCT_TOOLCHAIN_STORE=/home/dev/.cache/bazel/torch-circt-toolchains \
    -w /workspaces/torch-circt "$tag" bash -c "$1"
}
docker volume inspect "$volume" >/dev/null 2>&1 && { echo "devcontainer_check: volume $volume exists; remove it or use another daemon" >&2; exit 1; }
volume_made=1
step toolchains in_container 'bash docker/post_create.sh && ~/toolchain-env/bin/python3 -c "import torch, torch_mlir, pycde; print(\"torch\", torch.__version__)"'
suite_status=0
run_suite() { in_container "$1" || suite_status=$?; }   # a failing test still lets the CLI steps run
if [ "$skip_suite" = 0 ]; then
  step suite run_suite "./bazelw test $suite 2>&1 | tee /tmp/suite.log; status=\${PIPESTATUS[0]};
    echo \"suite: \$(grep -cE '^//[^ ]+ +(\\(cached\\) )?PASSED' /tmp/suite.log) passed,\" \
         \"\$(grep -cE '^//[^ ]+ +(\\(cached\\) )?(FAILED|TIMEOUT|INCOMPLETE|NO STATUS|FLAKY|FAILED TO BUILD)' /tmp/suite.log) failed\";
    exit \$status"
fi

# ---------------------------------------------------------------- devcontainer CLI
npm_prefix="$state_dir/npm"
dc="$npm_prefix/node_modules/.bin/devcontainer"
[ -x "$dc" ] || step cli npm install --prefix "$npm_prefix" --no-audit --no-fund --loglevel=error @devcontainers/cli
"$dc" --version
dc_build() {
  "$dc" build --workspace-folder "$scratch/src" --image-name "$dc_tag"
  images_made+=("$dc_tag")
  dc_image_size=$(( $(docker image inspect -f '{{.Size}}' "$dc_tag") / 1000000 ))
}
step dc-build dc_build
step dc-up "$dc" up --workspace-folder "$scratch/src" --id-label "$label" --remove-existing-container
quick='dpkg-query -W bazel-boot\* && python3 --version && id && ls -l ~/toolchain-env && ~/toolchain-env/bin/python3 -c "import torch_mlir, pycde; print(\"toolchain imports ok\")" && mlir-lsp-server --version | head -2'
[ "$skip_suite" = 0 ] && quick="$quick && ./bazelw test $suite"   # all cached from the suite step
step dc-exec "$dc" exec --workspace-folder "$scratch/src" --id-label "$label" bash -lc "$quick"
if [ "$suite_status" != 0 ]; then echo "devcontainer_check: the suite failed inside the container (exit $suite_status)" >&2; exit "$suite_status"; fi
