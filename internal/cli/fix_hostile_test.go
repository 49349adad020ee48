package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	iopkg "io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// emulateServer is emulate for tests that inject faults or count calls.
func emulateServer(t *testing.T, fleet string) *emulator.Server {
	t.Helper()
	f, err := emulator.ParseFleet([]byte(fleet), "fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(f)
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// result is what one run of eksguard produced.
type result struct {
	code        int
	out, errOut string
}

// runFix runs eksguard under ctx with its standard output replaced by out (nil: a buffer, returned
// in result.out).
func runFix(ctx context.Context, out iopkg.Writer, args ...string) result {
	streams, _, buf, errOut := iostreams.Test()
	streams.Getenv = os.Getenv
	if out != nil {
		streams.Out = out
	}
	f := &app.Factory{IO: streams, AWSConfig: app.LoadAWSConfig, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }}
	code := Run(ctx, args, f)
	return result{code, buf.String(), errOut.String()}
}

// brokenPipe is standard output that cannot be written, as a closed pipe or a full disk.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func devFull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("/dev/full: %v", err)
		}
		t.Skipf("/dev/full: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestFixOutputCannotBeWritten: when standard output cannot be written, a run that changed the
// cluster keeps the exit code of what happened to the cluster (0 applied, 3 not completed) and says
// so on standard error; a run that only plans fails with exit 2, having changed nothing.
func TestFixOutputCannotBeWritten(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	apply := []string{"--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--apply", "--yes"}
	tests := []struct {
		name      string
		fleet     string
		out       func(t *testing.T) iopkg.Writer
		args      []string
		code      int
		stderrHas []string
		changed   bool
	}{
		{"plan only", fixFleet, func(*testing.T) iopkg.Writer { return brokenPipe{} },
			[]string{"--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16"}, 2, []string{"could not write the plan", "nothing was changed"}, false},
		{"plan that refuses", fixFleet, func(*testing.T) iopkg.Writer { return brokenPipe{} },
			[]string{"--cluster", "prod", "--private"}, 2, []string{"could not write the plan"}, false},
		{"plan only, json to /dev/full", fixFleet, func(t *testing.T) iopkg.Writer { return devFull(t) },
			[]string{"--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--format", "json"}, 2, []string{"no space left on device"}, false},
		{"applied", fixFleet, func(*testing.T) iopkg.Writer { return brokenPipe{} },
			apply, 0, []string{"could not write the outcome", "applied: cluster prod now has endpointPublicAccess=false,endpointPrivateAccess=true"}, true},
		{"applied, to /dev/full", fixFleet, func(t *testing.T) iopkg.Writer { return devFull(t) },
			apply, 0, []string{"could not write the outcome", "no space left on device", "applied: cluster prod now has"}, true},
		{"failed and rolled back", strings.Replace(fixFleet, "updateDuration: 100ms", "updateDuration: 100ms\n  failUpdates: [prod]", 1), func(*testing.T) iopkg.Writer { return brokenPipe{} },
			apply, 3, []string{"could not write the outcome", "the cluster is unchanged"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulateServer(t, tt.fleet)
			args := append([]string{"fix", "--endpoint-url", srv.URL(), "--poll-interval", "50ms"}, tt.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r := runFix(ctx, tt.out(t), args...)
			code, errOut := r.code, r.errOut
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, errOut)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if n := srv.Calls()["eks:UpdateClusterConfig"]; (n > 0) != tt.changed {
				t.Errorf("UpdateClusterConfig called %d times; want a change: %v", n, tt.changed)
			}
		})
	}
}

// readAudit reads a FIFO's lines until the writer closes it. The reader opens first, as a log
// shipper would; if eksguard never opens the pipe, cleanup opens it for writing to end the wait.
func readAudit(t *testing.T, fifo string) <-chan []string {
	t.Helper()
	lines := make(chan []string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			lines <- []string{"open: " + err.Error()}
			return
		}
		defer f.Close()
		var got []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	t.Cleanup(func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return lines
}

// TestFixAuditLogFIFO: an audit log that is a named pipe. With no reader, eksguard waits for one
// only until it is interrupted, then exits 3 having changed nothing; with a reader, every entry
// arrives.
func TestFixAuditLogFIFO(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	fifo := filepath.Join(t.TempDir(), "audit.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	args := func(url string) []string {
		return []string{"fix", "--endpoint-url", url, "--poll-interval", "50ms", "--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16",
			"--apply", "--yes", "--format", "json", "--audit-log", fifo}
	}

	t.Run("no reader, interrupted", func(t *testing.T) {
		srv := emulateServer(t, fixFleet)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan result, 1)
		go func() { done <- runFix(ctx, nil, args(srv.URL())...) }()
		// The plan's last read is the security groups; the audit log is opened after it.
		for srv.Calls()["ec2:DescribeSecurityGroups"] == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		cancel()
		select {
		case r := <-done:
			if r.code != 3 || !strings.Contains(r.errOut, "nothing was changed") || !strings.Contains(r.errOut, "interrupted") {
				t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.out, r.errOut)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("eksguard hangs on an audit log pipe nobody reads, and ignores the interrupt")
		}
		if n := srv.Calls()["eks:UpdateClusterConfig"]; n != 0 {
			t.Errorf("UpdateClusterConfig called %d times with no audit log to record it", n)
		}
	})

	t.Run("with a reader", func(t *testing.T) {
		srv := emulateServer(t, fixFleet)
		lines := readAudit(t, fifo)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if r := runFix(ctx, nil, args(srv.URL())...); r.code != 0 {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.out, r.errOut)
		}
		var got []string
		select {
		case got = <-lines:
		case <-time.After(20 * time.Second):
			t.Fatal("the audit log pipe was never closed")
		}
		if len(got) != 3 || !strings.Contains(got[0], `"outcome":"update-started"`) || !strings.Contains(got[1], `"outcome":"update-started"`) || !strings.Contains(got[2], `"outcome":"applied"`) {
			t.Errorf("audit entries through the pipe: %q", got)
		}
	})
}

// TestFixInterruptIsRecorded: Ctrl-C while an update runs. The outcome and the audit log say
// "interrupted" (not timed-out), what the cluster has now, and that the update goes on without
// eksguard; nothing is rolled back; the final audit entry is written although the run's context is
// over.
func TestFixInterruptIsRecorded(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	srv := emulateServer(t, strings.Replace(fixFleet, "updateDuration: 100ms", "updateDuration: 1h", 1))
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- runFix(ctx, nil, "fix", "--endpoint-url", srv.URL(), "--poll-interval", "50ms", "--cluster", "prod", "--private",
			"--client-cidr", "10.20.0.0/16", "--apply", "--yes", "--format", "json", "--audit-log", audit)
	}()
	// Interrupt once the update has started: its audit entry is the sign.
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(audit)
		if bytes.Contains(b, []byte(`"update-started"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the update never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupt was ignored")
	}
	if r.code != 3 {
		t.Fatalf("exit %d\nstderr %s", r.code, r.errOut)
	}
	var doc struct {
		Outcome struct {
			Result, Message string
			Updates         []struct{ Phase, UpdateID, Status string }
		}
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.out)
	}
	lines := readLines(t, audit)
	var last struct{ Outcome, Message string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	for _, got := range []struct{ where, result, message string }{{"outcome", doc.Outcome.Result, doc.Outcome.Message}, {"audit log", last.Outcome, last.Message}} {
		if got.result != "interrupted" {
			t.Errorf("%s: %s, want interrupted", got.where, got.result)
		}
		for _, want := range []string{"goes on without eksguard", "it now has endpointPublicAccess=true,endpointPrivateAccess=false", "no rollback was attempted"} {
			if !strings.Contains(got.message, want) {
				t.Errorf("%s message lacks %q: %s", got.where, want, got.message)
			}
		}
	}
	if len(doc.Outcome.Updates) != 1 || doc.Outcome.Updates[0].Status != "InProgress" || srv.Calls()["eks:UpdateClusterConfig"] != 1 {
		t.Errorf("updates %+v; UpdateClusterConfig x%d", doc.Outcome.Updates, srv.Calls()["eks:UpdateClusterConfig"])
	}
}

// TestFixLostAnswerWhileUpdateCompletes: every answer to the first UpdateClusterConfig is lost (the
// SDK makes one attempt, eksguard sends it three times with the same token) and the update is done
// before eksguard looks for it. The change landed: fix reports it applied, with or without
// --no-rollback, and never rolls it back.
func TestFixLostAnswerWhileUpdateCompletes(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	for _, tt := range []struct {
		name  string
		extra []string
	}{
		{"rollback on", nil},
		{"--no-rollback", []string{"--no-rollback"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulateServer(t, strings.Replace(fixFleet, "updateDuration: 100ms", "updateDuration: 0s", 1))
			for range 3 {
				srv.DropNextResponse("eks:UpdateClusterConfig")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			args := append([]string{"fix", "--endpoint-url", srv.URL(), "--poll-interval", "50ms", "--max-attempts", "1", "--cluster", "prod", "--private",
				"--client-cidr", "10.20.0.0/16", "--apply", "--yes", "--format", "json"}, tt.extra...)
			r := runFix(ctx, nil, args...)
			code, out, errOut := r.code, r.out, r.errOut
			var doc struct {
				Outcome struct {
					Result, Message string
					Updates         []struct{ Phase, UpdateID, Status, Note string }
				}
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s\n%s", err, out, errOut)
			}
			if code != 0 || doc.Outcome.Result != "applied" || len(doc.Outcome.Updates) != 2 {
				t.Fatalf("exit %d, outcome %+v\nstderr %s", code, doc.Outcome, errOut)
			}
			first := doc.Outcome.Updates[0]
			if first.Status != "Successful" || first.UpdateID == "" || !strings.Contains(first.Note, "lost") {
				t.Errorf("the landed phase: %+v", first)
			}
			if n := srv.Calls()["eks:UpdateClusterConfig"]; n != 4 {
				t.Errorf("UpdateClusterConfig reached EKS %d times, want 4 (three lost answers, then phase 2): a rollback or a second update was made", n)
			}
		})
	}
}
