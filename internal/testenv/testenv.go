// Package testenv starts and finds what eksguard's tests need beyond Go: the aws CLI and moto_server.
// A missing tool skips the test on a developer machine but fails it in CI (CI=true), so a CI run can
// never pass by silently skipping the comparisons it is meant to make.
package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// RequireTool returns the path of a command, or fails (CI) or skips (elsewhere) the test.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI and was not found on PATH: %v", name, err)
		}
		t.Skipf("%s not found on PATH; install it to run this test (it is required when CI=true)", name)
	}
	return p
}

// IsolateAWS points the AWS SDK and CLI at nothing but the test's own settings: no profiles, no
// instance metadata, static credentials, a fixed region.
func IsolateAWS(t testing.TB, region string) {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  region,
		"AWS_DEFAULT_REGION":          region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             empty,
		"AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
		"AWS_PAGER":                   "",
		"AWS_MAX_ATTEMPTS":            "",
		"AWS_RETRY_MODE":              "",
	} {
		if v == "" {
			Unsetenv(t, k)
			continue
		}
		t.Setenv(k, v)
	}
}

// Unsetenv removes a variable for the test and restores it afterwards. An empty value is not the
// same as no value: the aws CLI, for one, reads AWS_PROFILE="" as a profile named "".
func Unsetenv(t testing.TB, k string) {
	t.Helper()
	t.Setenv(k, "") // registers the restore and refuses parallel tests, as Setenv does
	os.Unsetenv(k)
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartMoto starts moto_server on a free loopback port and returns its URL; it is stopped when the
// test ends.
func StartMoto(t testing.TB) string {
	t.Helper()
	bin := RequireTool(t, "moto_server")
	port := FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		logFile.Close()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("moto_server did not answer on %s within 30s; its log:\n%s", url, log)
	return ""
}
