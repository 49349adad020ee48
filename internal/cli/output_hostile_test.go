package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// These tests reproduce the output and input cases of the hardening issue through the whole CLI:
// outputs that cannot be written, pipes nobody reads, interrupts, names that would drive a terminal,
// and outputs that would overwrite an input.

// failingWriter refuses every write, as standard output redirected to /dev/full does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// runWith runs the CLI in-process with the given context and standard output; it returns the exit
// code, what reached standard output (when it is a buffer) and standard error.
func runWith(t *testing.T, ctx context.Context, out io.Writer, args ...string) (int, string, string) {
	t.Helper()
	streams, _, buf, errOut := iostreams.Test()
	streams.Getenv = os.Getenv
	if out != nil {
		streams.Out = out
	}
	f := &app.Factory{IO: streams, AWSConfig: app.LoadAWSConfig, Now: time.Now}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, f) }()
	select {
	case code := <-done:
		return code, buf.String(), errOut.String()
	case <-time.After(time.Minute):
		t.Fatalf("eksguard %s did not end within a minute", strings.Join(args, " "))
	}
	return 0, "", ""
}

// passingTree is a Terraform root whose only cluster passes both controls.
func passingTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := `resource "aws_eks_cluster" "main" {
  name                      = "main"
  role_arn                  = "arn:aws:iam::111111111111:role/eks"
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  access_config {
    authentication_mode = "API_AND_CONFIG_MAP"
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "` + testKey + `"
    }
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOutputCannotBeWritten: a report that cannot be written is exit 2 for scan and iac, whatever
// the verdicts (an all-PASS iac run used to exit 1, "a control failed").
func TestOutputCannotBeWritten(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	tree := passingTree(t)
	snap := filepath.Join(t.TempDir(), "snap.json")
	url := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: private, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}, "+hardened+"}\n", 1))
	if code, _, errOut := run(t, "scan", "--endpoint-url", url, "--region", "us-east-1", "--save-snapshot", snap, "--format", "json"); code != 0 {
		t.Fatalf("saving the snapshot: exit %d: %s", code, errOut)
	}
	cases := []struct {
		name string
		out  io.Writer
		args []string
	}{
		{"iac to a full standard output", failingWriter{}, []string{"iac", tree}},
		{"iac json to a full standard output", failingWriter{}, []string{"iac", tree, "--format", "json"}},
		{"iac to -o /dev/full", nil, []string{"iac", tree, "-o", "/dev/full"}},
		{"scan to a full standard output", failingWriter{}, []string{"scan", "--snapshot", snap}},
		{"scan sarif to -o /dev/full", nil, []string{"scan", "--snapshot", snap, "--format", "sarif", "-o", "/dev/full"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.out == nil {
				if _, err := os.Stat("/dev/full"); err != nil {
					t.Skip("no /dev/full")
				}
			}
			code, _, errOut := runWith(t, context.Background(), tc.out, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, errOut)
			}
			if !strings.Contains(errOut, "write") {
				t.Errorf("stderr does not say the write failed:\n%s", errOut)
			}
		})
	}
	// The same run with a working output exits 0: the code above is the write's, not the verdicts'.
	if code, _, errOut := runWith(t, context.Background(), nil, "iac", tree); code != 0 {
		t.Errorf("a writable iac run: exit %d: %s", code, errOut)
	}
}

// TestOutputToAPipeNobodyReads: -o naming a FIFO with no reader waits, and an interrupt ends the wait
// with exit 3 instead of hanging for ever.
func TestOutputToAPipeNobodyReads(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tree := passingTree(t)
	for _, args := range [][]string{{"iac", tree, "-o", fifo}, {"iac", tree, "--format", "json", "-o", fifo}} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		code, _, errOut := runWith(t, ctx, nil, args...)
		if code != 3 {
			t.Errorf("%v: exit %d, want 3; stderr:\n%s", args, code, errOut)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v: took %v after the interrupt", args, d)
		}
		cancel()
	}
	// With a reader, the report goes through the pipe.
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	if code, _, errOut := runWith(t, context.Background(), nil, "iac", tree, "--format", "json", "-o", fifo); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b := <-got; !bytes.Contains(b, []byte(`"schemaVersion"`)) {
		t.Errorf("the reader got %q", b)
	}
}

// TestIaCInterrupt: Ctrl-C reaches the walker and the evaluators: exit 3 and no report, on standard
// output or in -o, however large the tree.
func TestIaCInterrupt(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	dir := t.TempDir()
	// A tree large enough that walking and evaluating it takes a while, with a root whose count
	// and for_each multiply up to the instance bound.
	for i := 0; i < 3000; i++ {
		d := filepath.Join(dir, fmt.Sprintf("stack-%04d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf("resource \"aws_eks_cluster\" \"c%d\" {\n  vpc_config {\n    endpoint_public_access = true\n  }\n}\n", i)
		if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "report.json")
	for _, after := range []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		if after == 0 {
			cancel()
		} else {
			time.AfterFunc(after, cancel)
		}
		code, stdout, errOut := runWith(t, ctx, nil, "iac", dir, "--format", "json")
		if code == 3 {
			if stdout != "" {
				t.Errorf("interrupted after %v: a report was written to standard output", after)
			}
			if !strings.Contains(errOut, "interrupted") {
				t.Errorf("interrupted after %v: stderr %q", after, errOut)
			}
		} else if after == 0 {
			t.Errorf("cancelled before it started: exit %d, want 3", code)
		}
		cancel()
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		if code, _, _ := runWith(t, ctx, nil, "iac", dir, "-o", out); code != 3 {
			t.Errorf("-o: exit %d, want 3", code)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("an interrupted run wrote %s", out)
		}
	}
}

// TestHostileNamesAreEscaped: a file name or an eksctl metadata.name holding a newline or an ANSI
// escape cannot clear the screen or fake a summary line in the table or on standard error.
func TestHostileNamesAreEscaped(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	dir := t.TempDir()
	evil := "evil\x1b[2J\nSummary: 0 PASS, 0 FAIL.tf"
	if err := os.WriteFile(filepath.Join(dir, evil), []byte("resource \"aws_eks_cluster\" \"x\" {\n  vpc_config {\n    endpoint_public_access = [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eksctl := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: \"prod\\e[31m\\nSummary: 9 PASS\"\n  region: us-east-1\n"
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(eksctl), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := runWith(t, context.Background(), nil, "iac", dir)
	if code != 2 {
		t.Errorf("exit %d, want 2 (the broken file is a problem)", code)
	}
	for what, s := range map[string]string{"table": stdout, "stderr": errOut} {
		if strings.Contains(s, "\x1b") {
			t.Errorf("%s holds a raw escape:\n%q", what, s)
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, "Summary: 0 PASS, 0 FAIL.tf") || strings.HasPrefix(line, "Summary: 9 PASS") {
				t.Errorf("%s holds a faked summary line: %q", what, line)
			}
		}
	}
	if !strings.Contains(stdout, `evil\x1b[2J\nSummary: 0 PASS, 0 FAIL.tf`) || !strings.Contains(errOut, `evil\x1b[2J\nSummary`) {
		t.Errorf("the file name is not shown escaped:\nstdout:\n%s\nstderr:\n%s", stdout, errOut)
	}
	if !strings.Contains(stdout, `prod\x1b[31m\nSummary: 9 PASS`) {
		t.Errorf("metadata.name is not shown escaped:\n%s", stdout)
	}
}

// TestOutputsThatReplaceInputs: one file named for two outputs, or for an output and an input, is a
// usage error before anything is written.
func TestOutputsThatReplaceInputs(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.json")
	url := emulate(t, "accounts:\n  - id: \"111111111111\"\n    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n")
	if code, _, errOut := run(t, "scan", "--endpoint-url", url, "--region", "us-east-1", "--save-snapshot", snap); code != 1 {
		t.Fatalf("saving the snapshot: exit %d: %s", code, errOut)
	}
	before, _ := os.ReadFile(snap)
	tree := passingTree(t)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(snap, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--endpoint-url", url, "--region", "us-east-1", "--save-snapshot", filepath.Join(dir, "x.json"), "-o", filepath.Join(dir, "x.json")}, "--save-snapshot and --output name the same file"},
		{[]string{"scan", "--snapshot", snap, "-o", snap}, "--output names the snapshot being read"},
		{[]string{"scan", "--snapshot", snap, "-o", link}, "--output names the snapshot being read"},
		{[]string{"iac", tree, filepath.Join(tree, "main.tf"), "-o", filepath.Join(tree, "main.tf")}, "an input of this scan"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if after, _ := os.ReadFile(snap); !bytes.Equal(before, after) {
		t.Error("the snapshot was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused run wrote its output")
	}
}

// TestReportFileModes: a report replaces a file with that file's permissions, and a new one gets
// 0666 less the umask, as a shell redirection would; -o through a link keeps the link.
func TestReportFileModes(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	tree := passingTree(t)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.json")
	kept := filepath.Join(dir, "kept.json")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink("kept.json", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fresh, kept, link} {
		if code, _, errOut := run(t, "iac", tree, "--format", "json", "-o", p); code != 0 {
			t.Fatalf("-o %s: exit %d: %s", p, code, errOut)
		}
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Errorf("new report mode %v, want 0600 under umask 077", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(kept); fi.Mode().Perm() != 0o640 {
		t.Errorf("replaced report mode %v, want its own 0640", fi.Mode().Perm())
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("-o through a link replaced the link")
	}
}

// TestNumericFlagsRefuseNonFinite: --rate NaN or Inf passed validation; they are usage errors now,
// like 0 and negative rates and a non-positive request timeout.
func TestNumericFlagsRefuseNonFinite(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	for _, tc := range []struct{ flag, value, want string }{
		{"--rate", "NaN", "--rate must be a number above 0"},
		{"--rate", "Inf", "--rate must be a number above 0"},
		{"--rate", "-Inf", "--rate must be a number above 0"},
		{"--rate", "0", "--rate must be a number above 0"},
		{"--request-timeout", "0s", "--request-timeout must be positive"},
		{"--request-timeout", "-1s", "--request-timeout must be positive"},
	} {
		code, _, errOut := run(t, "scan", "--region", "us-east-1", tc.flag, tc.value)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s %s: exit %d, stderr %q", tc.flag, tc.value, code, errOut)
		}
	}
	code, _, errOut := run(t, "fix", "--cluster", "a", "--region", "us-east-1", "--private", "--request-timeout", "0s")
	if code != 2 || !strings.Contains(errOut, "--request-timeout must be positive") {
		t.Errorf("fix --request-timeout 0s: exit %d, stderr %q", code, errOut)
	}
}

// TestSnapshotKnownWithoutValue: a snapshot field whose origin says known but that has no value is
// refused (exit 2), never read as false and passed.
func TestSnapshotKnownWithoutValue(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	snap := filepath.Join(t.TempDir(), "snap.json")
	data := `{"snapshotVersion":"1","tool":{"name":"eksguard","version":"t"},"inventory":{"collectedAt":"2026-01-01T00:00:00Z","clusters":[` +
		`{"name":"a","account":"111111111111","region":"us-east-1","source":"aws","status":"ACTIVE",` +
		`"endpointPublicAccess":{"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}}],"errors":[],"skipped":[]}}`
	if err := os.WriteFile(snap, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := run(t, "scan", "--snapshot", snap)
	if code != 2 || !strings.Contains(errOut, `endpointPublicAccess has origin "explicit" but no value`) || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	// A snapshot that is a pipe is refused, not waited on.
	fifo := filepath.Join(t.TempDir(), "snap.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "scan", "--snapshot", fifo); code != 2 || !strings.Contains(errOut, "named pipe") {
		t.Errorf("snapshot FIFO: exit %d, stderr %q", code, errOut)
	}
}
