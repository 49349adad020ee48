#!/usr/bin/env bash
# Builds a real kube-apiserver and etcd from the Go modules of tools/kube (no prebuilt binaries can be
# downloaded here) when they are missing, and prints the directory that holds them as its last line
# on stdout; everything else goes to stderr. The directory is named after a hash of tools/kube's
# go.mod, go.sum, main.go files and build flags, so a change of versions builds anew, and a present
# pair returns at once. The first build takes minutes (see tools/kube/README.md).
#   EKSGUARD_KUBE_BIN=DIR  use (and build into) DIR instead of the cache directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tools/kube"

# /version of the API server reports the Kubernetes release the module requires, not v0.0.0-master.
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$src/go.mod")
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=$(echo "$k8s_version" | cut -d. -f1 | tr -d v)"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2)"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"

hash=$(cd "$src" && { cat go.mod go.sum kube-apiserver/main.go etcd/main.go; echo "$ldflags"; } | sha256sum | cut -c1-12)
dir="${EKSGUARD_KUBE_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/eksguard/kube-$hash}"

present() { [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; }
if present; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
# One build at a time per directory, whoever asks (CI, parallel test packages, a developer).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir/.build.lock"
  flock 9
fi
tmp=""
trap 'if [ -n "$tmp" ]; then rm -f "$tmp"; fi' EXIT
for bin in kube-apiserver etcd; do
  [ -x "$dir/$bin" ] && continue
  echo "kube-tools: building $bin ($k8s_version module set) into $dir; the first build takes minutes" >&2
  tmp="$dir/.$bin.tmp.$$"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$tmp" "./$bin") >&2
  mv -f "$tmp" "$dir/$bin" # a rename: never a half-written binary under the real name
  tmp=""
done
present
echo "$dir"
