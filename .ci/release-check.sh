#!/usr/bin/env bash
# Release checks, run by .ci/run after the tests:
#   1. `goreleaser check` validates .goreleaser.yaml (unknown keys and deprecated ones fail). GoReleaser
#      is taken from PATH when it is v2, else from a cache, else installed from the Go module proxy
#      into that cache within a time limit; if it cannot be had, this says why and goes on.
#   2. When docker or podman is installed and answers, the image is built from the Dockerfile and
#      run: `version` must print the version stamped at build time, and `iac` must pass a hardened
#      example and fail a failing one. Base images that cannot be pulled because no registry is
#      reachable skip the build with a message; anything else that fails is a CI failure.
#
# Environment:
#   GORELEASER_VERSION          goreleaser module version to install (default below)
#   GORELEASER_INSTALL_TIMEOUT  seconds the install may take (default 900)
#   EKSGUARD_TOOLS_CACHE        where installed tools are kept (default ~/.cache/eksguard-tools)
#   RELEASE_CHECK_SNAPSHOT=1    also build a snapshot for this machine with goreleaser and check the
#                               version it prints (a few minutes; needs no dist/ folder)
#   EKSGUARD_GO_IMAGE, EKSGUARD_BASE_IMAGE
#                               replace the Dockerfile's GO_IMAGE and BASE_IMAGE (a mirror, a digest)
#   RELEASE_CHECK_IMAGE         tag of the image built here (default eksguard:release-check)
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=${GORELEASER_VERSION:-v2.17.0}
GORELEASER_INSTALL_TIMEOUT=${GORELEASER_INSTALL_TIMEOUT:-900}
TOOLS_CACHE=${EKSGUARD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eksguard-tools}
IMAGE=${RELEASE_CHECK_IMAGE:-eksguard:release-check}

log() { echo "release-check: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
started=$(date +%s)
since() { echo "$(($(date +%s) - $1))s"; }

work=$(mktemp -d)
# What the run leaves behind is removed on every exit: the temporary folder, the dist/ of a snapshot
# build and the image built here.
remove_dist=0 built_with=""
cleanup() {
  rm -rf "$work"
  [ "$remove_dist" = 0 ] || rm -rf dist
  [ -z "$built_with" ] || "$built_with" rmi -f "$IMAGE" "$IMAGE-build" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ---- 1. GoReleaser ---------------------------------------------------------------------------------

# goreleaser_bin prints the path of a GoReleaser v2, installing it into the cache if needed; it
# returns non-zero, having said why, when none can be had.
goreleaser_bin() {
  local found
  if found=$(command -v goreleaser 2>/dev/null) && "$found" --version 2>/dev/null | grep -Eq 'GitVersion:[[:space:]]+v2\.'; then
    echo "$found"
    return 0
  fi
  local dir="$TOOLS_CACHE/goreleaser-$GORELEASER_VERSION"
  if [ -x "$dir/goreleaser" ]; then
    echo "$dir/goreleaser"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { log "goreleaser is not on PATH and go is missing to install it"; return 1; }
  log "installing goreleaser $GORELEASER_VERSION from the Go module proxy into $dir (at most ${GORELEASER_INSTALL_TIMEOUT}s; later runs reuse it)"
  local t0 rc=0 tmpbin="$work/gobin"
  t0=$(date +%s)
  mkdir -p "$tmpbin"
  # Outside the module, with no GOFLAGS of the caller's, so that nothing of this repository's build
  # settings applies to goreleaser's.
  (cd "$work" && GOBIN="$tmpbin" GOFLAGS='' timeout --kill-after=30 "$GORELEASER_INSTALL_TIMEOUT" \
    go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION") >"$work/install.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      log "goreleaser install did not finish within ${GORELEASER_INSTALL_TIMEOUT}s; downloaded modules and compiled packages stay in Go's caches, so the next run gets further"
    else
      log "goreleaser install failed (exit $rc) after $(since "$t0"); go said:"
      grep -v '^go: downloading' "$work/install.log" | tail -n 15 | sed 's/^/    /' >&2
    fi
    return 1
  fi
  if ! { mkdir -p "$dir" && mv -f "$tmpbin/goreleaser" "$dir/goreleaser"; }; then
    log "cannot keep goreleaser in $dir"
    return 1
  fi
  log "goreleaser installed in $(since "$t0")"
  echo "$dir/goreleaser"
}

check_goreleaser() {
  local gr t0
  t0=$(date +%s)
  if ! gr=$(goreleaser_bin); then
    log "SKIP goreleaser check: goreleaser could not be had (see above)"
    return 0
  fi
  log "goreleaser: $gr"
  "$gr" check .goreleaser.yaml || die "goreleaser check: .goreleaser.yaml is invalid or uses deprecated settings (see above)"
  log "goreleaser check passed in $(since "$t0")"

  [ "${RELEASE_CHECK_SNAPSHOT:-}" = 1 ] || return 0
  if [ -e dist ]; then
    log "SKIP snapshot build: dist/ exists and is not this script's to remove"
    return 0
  fi
  t0=$(date +%s)
  remove_dist=1
  "$gr" build --snapshot --clean --single-target --output "$work/eksguard-snapshot" ||
    die "goreleaser build --snapshot failed"
  local out
  out=$("$work/eksguard-snapshot" version)
  case "$out" in
    "eksguard v"*-dev+*) log "snapshot binary prints: $out" ;;
    *) die "snapshot binary prints \"$out\", want \"eksguard v<version>-dev+<commit>\": are the ldflags stamping internal/version.Version?" ;;
  esac
  log "goreleaser snapshot build passed in $(since "$t0")"
}

# ---- 2. Container image ----------------------------------------------------------------------------

# container_tool prints docker or podman, whichever is installed and answers.
container_tool() {
  local t msg
  for t in docker podman; do
    command -v "$t" >/dev/null 2>&1 || continue
    if msg=$(timeout 30 "$t" info 2>&1); then
      echo "$t"
      return 0
    fi
    # Clients put the reason on either stream, among other lines.
    log "$t is installed but does not answer: $(printf '%s\n' "$msg" | grep -Ei -m 1 'cannot|error|denied|refused|permission' || printf '%s\n' "$msg" | head -n 1)"
  done
  return 1
}

# base_images prints the images the Dockerfile's FROM lines name, with the global ARG defaults (or
# their EKSGUARD_ overrides) put in; stage names and scratch are left out.
base_images() {
  awk '
    /^[[:space:]]*ARG[[:space:]]+[A-Za-z_][A-Za-z0-9_]*=/ && !seen_from {
      sub(/^[[:space:]]*ARG[[:space:]]+/, ""); i = index($0, "="); name = substr($0, 1, i - 1)
      val = substr($0, i + 1); gsub(/^"|"$/, "", val)
      env = ENVIRON["EKSGUARD_" name]; if (env != "") val = env
      args[name] = val; next
    }
    toupper($1) == "FROM" {
      seen_from = 1; img = ""
      for (i = 2; i <= NF; i++) if ($i !~ /^--/) { img = $i; break }
      for (n in args) { gsub("\\$\\{" n "\\}", args[n], img); gsub("\\$" n, args[n], img) }
      if (tolower($(i + 1)) == "as") stages[tolower($(i + 2))] = 1
      if (img != "scratch" && !(tolower(img) in stages)) print img
    }
  ' Dockerfile | sort -u
}

# unreachable says whether a pull error means that no registry could be reached, as opposed to a
# registry that answered that the image does not exist.
unreachable() {
  grep -Eqi 'no such host|dial tcp|i/o timeout|connection refused|connection reset|network is unreachable|tls handshake timeout|context deadline exceeded|client\.timeout|temporary failure in name resolution|server misbehaving|toomanyrequests|proxyconnect' <<<"$1"
}

check_image() {
  local tool t0
  t0=$(date +%s)
  if ! tool=$(container_tool); then
    log "SKIP image build: no docker or podman that answers on this machine"
    return 0
  fi
  log "container tool: $tool ($("$tool" version --format '{{.Server.Version}}' 2>/dev/null || "$tool" --version))"

  local img out missing=()
  while read -r img; do
    [ -n "$img" ] || continue
    if "$tool" image inspect "$img" >/dev/null 2>&1; then
      log "base image $img: present locally"
      continue
    fi
    if out=$(timeout 600 "$tool" pull "$img" 2>&1); then
      log "base image $img: pulled"
    elif unreachable "$out"; then
      log "base image $img: no registry reachable: $(printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | tail -n 1)"
      missing+=("$img")
    else
      printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /' >&2
      die "base image $img cannot be pulled, and the registry answered: does the Dockerfile name an image that exists?"
    fi
  done < <(base_images)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "SKIP image build: ${missing[*]} cannot be pulled on this machine (no registry reachable)."
    log "  That is not a failure here; load the images first (docker load) or name a mirror with"
    log "  EKSGUARD_GO_IMAGE / EKSGUARD_BASE_IMAGE to build the image on a machine without registry access."
    return 0
  fi

  local version build_args=()
  version="v0.0.0-release-check+$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  build_args+=(--build-arg "VERSION=$version")
  [ -z "${EKSGUARD_GO_IMAGE:-}" ] || build_args+=(--build-arg "GO_IMAGE=$EKSGUARD_GO_IMAGE")
  [ -z "${EKSGUARD_BASE_IMAGE:-}" ] || build_args+=(--build-arg "BASE_IMAGE=$EKSGUARD_BASE_IMAGE")
  local tb
  tb=$(date +%s)
  built_with=$tool
  # The build stage is tagged too, so that cleanup removes it: the classic builder would otherwise
  # leave it behind as an untagged image of several hundred megabytes on every run.
  if ! { "$tool" build --target build "${build_args[@]}" -t "$IMAGE-build" . &&
    "$tool" build "${build_args[@]}" -t "$IMAGE" .; }; then
    die "$tool build failed: the Dockerfile or the sources do not build (see above)"
  fi
  log "image built in $(since "$tb")"

  out=$("$tool" run --rm "$IMAGE" version) || die "the image's version command failed"
  [ "$out" = "eksguard $version" ] || die "the image prints \"$out\", want \"eksguard $version\""
  log "image prints: $out"

  local user
  user=$("$tool" image inspect --format '{{.Config.User}}' "$IMAGE")
  [ "$user" = 65532:65532 ] || die "the image runs as \"$user\", want the non-root 65532:65532"

  # The documented use: the repository mounted read-only at the working directory, exit code
  # passed through (0 all pass, 1 a control failed).
  local rc=0 examples=internal/cli/testdata/iac
  "$tool" run --rm -v "$PWD/$examples/hardened:/src:ro" "$IMAGE" iac --format json >"$work/hardened.json" || rc=$?
  [ "$rc" -eq 0 ] || die "iac on $examples/hardened in the image exited $rc, want 0"
  rc=0
  "$tool" run --rm -v "$PWD/$examples/fail:/src:ro" "$IMAGE" iac --format sarif >"$work/fail.sarif" || rc=$?
  [ "$rc" -eq 1 ] || die "iac on $examples/fail in the image exited $rc, want 1 (controls failed)"
  grep -q '"version": *"2.1.0"' "$work/fail.sarif" || die "iac --format sarif in the image wrote no SARIF 2.1.0 report"
  log "image scans a mounted folder: hardened exit 0, fail exit 1 with a SARIF report"
  log "image checks passed in $(since "$t0")"
}

check_goreleaser
check_image
log "done in $(since "$started")"
