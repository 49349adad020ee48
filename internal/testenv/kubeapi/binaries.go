// Package kubeapi starts a real kube-apiserver, with a real etcd behind it, for eksguard's tests of
// the Kubernetes controls. Both are built from Go modules by .ci/kube-tools.sh (see tools/kube), as
// no prebuilt binaries can be downloaded here. As elsewhere in testenv, a build that fails skips
// the test on a developer machine and fails it in CI (CI=true).
//
// The server runs on 127.0.0.1 with RBAC, a static admin token (user eksguard-test-admin, group
// system:masters) and, when asked, a token webhook. No controller manager runs: no default service
// accounts are made (the ServiceAccount admission plugin is off so pods can be created without them),
// no pods are scheduled, no namespaces are deleted for good.
package kubeapi

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	binOnce               sync.Once
	binAPIServer, binEtcd string
	binErr                error
)

// Binaries returns the paths of kube-apiserver and etcd, building them first when they are missing
// (minutes the first time; .ci/run builds them before the tests). Parallel test binaries wait for
// one another on a lock file rather than build twice at once. A failed build fails the test when
// CI=true and skips it otherwise.
func Binaries(t testing.TB) (apiserver, etcd string) {
	t.Helper()
	binOnce.Do(func() { binAPIServer, binEtcd, binErr = findBinaries() })
	if binErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kube-apiserver and etcd are required in CI: %v", binErr)
		}
		t.Skipf("kube-apiserver and etcd could not be built (bash .ci/kube-tools.sh; required when CI=true): %v", binErr)
	}
	return binAPIServer, binEtcd
}

func findBinaries() (apiserver, etcd string, err error) {
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	lockDir, err := cacheParent()
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(lockDir, 0o755); err != nil {
		return "", "", err
	}
	unlock, err := lockFile(filepath.Join(lockDir, "kube-tools.lock"))
	if err != nil {
		return "", "", err
	}
	defer unlock()

	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", filepath.Join(root, ".ci", "kube-tools.sh"))
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("bash .ci/kube-tools.sh: %v\n%s%s", err, stderr.Bytes(), stdout.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	apiserver, etcd = filepath.Join(dir, "kube-apiserver"), filepath.Join(dir, "etcd")
	for _, p := range []string{apiserver, etcd} {
		if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
			return "", "", fmt.Errorf(".ci/kube-tools.sh printed %q, which holds no executable %s\n%s", dir, filepath.Base(p), stderr.Bytes())
		}
	}
	return apiserver, etcd, nil
}

// repoRoot is the nearest directory above the working directory (a test's is its package's) that
// holds .ci/kube-tools.sh.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".ci", "kube-tools.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no .ci/kube-tools.sh in the working directory or above it")
		}
		dir = parent
	}
}

// cacheParent is the directory that holds the script's cache directory, as the script names it.
func cacheParent() (string, error) {
	if d := os.Getenv("EKSGUARD_KUBE_BIN"); d != "" {
		return filepath.Dir(filepath.Clean(d)), nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "eksguard"), nil
}
