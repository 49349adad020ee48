package remediate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"

	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// singleAttempt is an EKS client whose SDK makes one attempt per call, so that a test decides
// exactly which answers are lost.
func (e *env) singleAttempt() *eks.Client {
	return (&awsapi.Clients{Base: aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "s", "")},
		EndpointURL: e.srv.URL(), Rate: 1000, MaxAttempts: 1}).EKS(nil, account, "us-east-1")
}

func (e *env) setUpdateDuration(d time.Duration) {
	b := e.srv.Behaviour()
	b.UpdateDuration = d
	e.srv.SetBehaviour(b)
}

// clusterUpdates lists the ids of every update the cluster has had.
func (e *env) clusterUpdates(t *testing.T) []string {
	t.Helper()
	out, err := e.eks.ListUpdates(context.Background(), &eks.ListUpdatesInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	return out.UpdateIds
}

// loseAnswers makes the emulator carry out every UpdateClusterConfig of the nth phase (counted by
// client request token) and lose every answer to it.
type loseAnswers struct {
	EKSAPI
	srv    *emulator.Server
	phase  int
	tokens []string
}

func (l *loseAnswers) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	tok := aws.ToString(in.ClientRequestToken)
	n := 0
	for i, t := range l.tokens {
		if t == tok {
			n = i + 1
		}
	}
	if n == 0 {
		l.tokens = append(l.tokens, tok)
		n = len(l.tokens)
	}
	if n == l.phase {
		l.srv.DropNextResponse("eks:UpdateClusterConfig")
	}
	return l.EKSAPI.UpdateClusterConfig(ctx, in, opts...)
}

// neverSent loses the first phase's request before it reaches EKS: the connection fails, nothing is
// started.
type neverSent struct{ EKSAPI }

func (n *neverSent) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "EKS", OperationName: "UpdateClusterConfig", Err: errors.New("read tcp 127.0.0.1:1: connection reset by peer")}
}

// TestLostAnswerWhileUpdateCompletes: every answer to one phase's UpdateClusterConfig is lost, and
// the update finishes before eksguard looks for it, so EKS shows nothing in progress. eksguard must
// read the cluster before deciding: the phase landed, so the change goes on and is never rolled
// back. A request that never reached EKS leaves the cluster unchanged and is reported so.
func TestLostAnswerWhileUpdateCompletes(t *testing.T) {
	tests := []struct {
		name       string
		phase      int  // the phase whose answers are lost; 0: the first request never reaches EKS
		noRollback bool // --no-rollback
		result     string
		status     string // the record of that phase
		updates    int    // updates the cluster has afterwards
	}{
		{"phase 1 lost, rollback on", 1, false, ResultApplied, "Successful", 2},
		{"phase 1 lost, --no-rollback", 1, true, ResultApplied, "Successful", 2},
		{"phase 2 lost, rollback on", 2, false, ResultApplied, "Successful", 2},
		{"phase 2 lost, --no-rollback", 2, true, ResultApplied, "Successful", 2},
		{"request never reached EKS", 0, false, ResultRolledBack, "NotStarted", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, "", openProd)
			e.setUpdateDuration(0) // done by the time anyone reads it
			p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
			if len(p.Phases) != 2 {
				t.Fatalf("want a two-phase plan, got %+v", p.Phases)
			}
			ex := e.executor()
			ex.NoRollback, ex.ResendDelay = tt.noRollback, 10*time.Millisecond
			ex.EKS = &loseAnswers{EKSAPI: e.singleAttempt(), srv: e.srv, phase: tt.phase}
			if tt.phase == 0 {
				ex.EKS = &neverSent{EKSAPI: e.eks}
			}
			out := ex.Apply(context.Background(), p)
			if out.Result != tt.result {
				t.Fatalf("result %s, want %s: %s\nupdates %+v", out.Result, tt.result, out.Message, out.Updates)
			}
			rec := out.Updates[max(tt.phase, 1)-1]
			if rec.Status != tt.status {
				t.Errorf("record of the phase: %+v, want status %s", rec, tt.status)
			}
			if n := len(e.clusterUpdates(t)); n != tt.updates {
				t.Errorf("the cluster has %d updates, want %d (no rollback over a change that landed)", n, tt.updates)
			}
			for _, u := range out.Updates {
				if u.Phase == "rollback" {
					t.Errorf("rolled back: %+v", out.Updates)
				}
			}
			if tt.result == ResultApplied {
				if rec.UpdateID == "" || !strings.Contains(rec.Note, "lost") {
					t.Errorf("the landed update was not identified: %+v", rec)
				}
				if out.Final == nil || !out.Final.Equal(p.Target) {
					t.Errorf("final %v, want the target %v", out.Final, p.Target)
				}
			} else if !strings.Contains(out.Message, "unchanged") || e.calls()["eks:UpdateClusterConfig"] != 0 {
				t.Errorf("message %q; UpdateClusterConfig reached EKS %d times", out.Message, e.calls()["eks:UpdateClusterConfig"])
			}
		})
	}
}

// failingRead makes the nth DescribeCluster fail without an answer (the executor's own reads; the
// plan reads through another client).
type failingRead struct {
	EKSAPI
	n, seen int
}

func (f *failingRead) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	f.seen++
	if f.seen == f.n {
		return nil, &smithy.OperationError{ServiceID: "EKS", OperationName: "DescribeCluster", Err: errors.New("read tcp 127.0.0.1:1: connection reset by peer")}
	}
	return f.EKSAPI.DescribeCluster(ctx, in, opts...)
}

// TestNeverRollsBackATargetReached: the verification read after the last phase fails, but the
// cluster has the target: it is reported applied, with why, and not rolled back.
func TestNeverRollsBackATargetReached(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS = &failingRead{EKSAPI: e.eks, n: 1}
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultApplied || !strings.Contains(out.Message, "could not verify") || !strings.Contains(out.Message, "nothing was rolled back") {
		t.Fatalf("outcome %+v", out)
	}
	if len(out.Updates) != 1 || e.calls()["eks:UpdateClusterConfig"] != 1 {
		t.Errorf("updates %+v, UpdateClusterConfig x%d: a rollback was attempted", out.Updates, e.calls()["eks:UpdateClusterConfig"])
	}
}

// TestFinalReadAfterLongRollback: the rollback outlasts the deadline a read gets; the read of the
// final state after it has its own, so the outcome still says what the cluster has.
func TestFinalReadAfterLongRollback(t *testing.T) {
	e := setup(t, "", openProd)
	e.setUpdateDuration(time.Second)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS = &failNth{EKSAPI: e.eks, srv: e.srv, n: 2}
	ex.ReadTimeout = 400 * time.Millisecond
	start := time.Now()
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultRolledBack || out.Final == nil || !out.Final.Equal(*p.Rollback) || strings.Contains(out.Message, "could not be read") {
		t.Fatalf("outcome %+v final %v", out, out.Final)
	}
	if len(out.Updates) != 3 || out.Updates[2].Phase != "rollback" || out.Updates[2].Status != "Successful" {
		t.Fatalf("updates %+v", out.Updates)
	}
	if time.Since(start) < time.Second {
		t.Fatal("the rollback did not take longer than the read deadline; the test proves nothing")
	}
}

// interruptDuringCall performs UpdateClusterConfig and then interrupts, as Ctrl-C while the call is
// on the wire does: EKS has started the update, eksguard has no answer.
type interruptDuringCall struct {
	EKSAPI
	cancel context.CancelFunc
}

func (i *interruptDuringCall) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	_, _ = i.EKSAPI.UpdateClusterConfig(context.WithoutCancel(ctx), in, opts...)
	i.cancel()
	return nil, &smithy.OperationError{ServiceID: "EKS", OperationName: "UpdateClusterConfig", Err: context.Canceled}
}

// TestInterruptIsRecordedAsInterrupted: Ctrl-C while an update runs is "interrupted", not a
// timeout; the message says what the cluster has now, that the update goes on without eksguard and
// what it will leave; nothing is rolled back.
func TestInterruptIsRecordedAsInterrupted(t *testing.T) {
	tests := []struct {
		name  string
		setup func(ex *Executor, e *env, cancel context.CancelFunc)
	}{
		{"while waiting on the update", func(ex *Executor, e *env, cancel context.CancelFunc) {
			ex.Started = func(UpdateRecord) { cancel() }
		}},
		{"while UpdateClusterConfig is unanswered", func(ex *Executor, e *env, cancel context.CancelFunc) {
			ex.EKS = &interruptDuringCall{EKSAPI: e.eks, cancel: cancel}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, "", openProd)
			e.setUpdateDuration(time.Hour)
			p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ex := e.executor()
			tt.setup(ex, e, cancel)
			out := ex.Apply(ctx, p)
			if out.Result != ResultInterrupted {
				t.Fatalf("result %s: %s", out.Result, out.Message)
			}
			ids := e.clusterUpdates(t)
			if len(ids) != 1 || len(out.Updates) != 1 || out.Updates[0].UpdateID != ids[0] || out.Updates[0].Status != "InProgress" {
				t.Fatalf("updates %+v; the cluster has %v", out.Updates, ids)
			}
			for _, want := range []string{"goes on without eksguard", "it now has " + p.Current.String(), "when update " + ids[0] + " finishes, the cluster will have " + p.Phases[0].Expect.String(), "no rollback was attempted"} {
				if !strings.Contains(out.Message, want) {
					t.Errorf("message lacks %q:\n%s", want, out.Message)
				}
			}
		})
	}
}

// deniedListUpdates refuses ListUpdates as IAM does without eks:ListUpdates.
type deniedListUpdates struct{ EKSAPI }

func (d deniedListUpdates) ListUpdates(ctx context.Context, in *eks.ListUpdatesInput, opts ...func(*eks.Options)) (*eks.ListUpdatesOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "EKS", OperationName: "ListUpdates",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: eks:ListUpdates"}}
}

// TestThrottledReadsInPlan: the emulator's bucket refills on a fake clock, so a throttle lasts
// exactly as long as the test says. A throttle that outlasts the SDK's attempts is waited out; one
// that never ends leaves the check unmade (ERROR, not a refusal) and the plan unapplied; access
// denied names the IAM action.
func TestThrottledReadsInPlan(t *testing.T) {
	tests := []struct {
		name    string
		lift    bool // the throttle ends once the SDK has given up once
		denied  bool
		status  CheckStatus
		detail  string
		retried bool
	}{
		{"throttle outlasting the SDK's attempts", true, false, CheckPass, "no update is in progress", true},
		{"throttle that never ends", false, false, CheckError, "could not check: listing the cluster's updates (eks:ListUpdates) failed: ", true},
		{"access denied", false, true, CheckError, "could not check: listing the cluster's updates (eks:ListUpdates) was denied", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := emulator.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			throttle := "  throttle: {rate: 1, burst: 1}\n"
			if tt.denied {
				throttle = ""
			}
			e := setup(t, throttle, openProd, emulator.WithClock(clock))
			e.deps.ReadBackoff = []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
			if tt.denied {
				e.deps.EKS = deniedListUpdates{EKSAPI: e.eks}
			}
			var wg sync.WaitGroup
			stop := make(chan struct{})
			if tt.lift {
				// Once the SDK's five attempts are spent, time passes and the bucket refills.
				wg.Add(1)
				go func() {
					defer wg.Done()
					for e.calls()["eks:ListUpdates"] < 5 {
						select {
						case <-stop:
							return
						case <-time.After(5 * time.Millisecond):
						}
					}
					clock.Advance(time.Minute)
				}()
			}
			p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
			close(stop)
			wg.Wait()
			c := checkOf(p, "no-update-in-progress")
			if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) || (tt.status == CheckError && !tt.denied && !strings.Contains(c.Detail, "ThrottlingException")) {
				t.Fatalf("check = %s %q, want %s %q", c.Status, c.Detail, tt.status, tt.detail)
			}
			if n := e.calls()["eks:ListUpdates"]; tt.retried && n <= 5 {
				t.Errorf("ListUpdates was sent %d times: no retry after the SDK's five attempts", n)
			}
			if p.Refused {
				t.Errorf("a read that failed is not a refusal: %+v", p.Refusals())
			}
			if tt.status != CheckError {
				return
			}
			if !p.Incomplete || c.Action != "eks:ListUpdates" || c.AccessDenied != tt.denied {
				t.Errorf("plan incomplete=%v, check %+v", p.Incomplete, c)
			}
			if tt.denied && !strings.Contains(c.Remedy, "grant eks:ListUpdates") {
				t.Errorf("remedy %q", c.Remedy)
			}
			if out := e.executor().Apply(context.Background(), p); out.Result != ResultRefused {
				t.Errorf("an unchecked plan was applied: %+v", out)
			}
			assertNoMutation(t, e)
		})
	}
}

// blindAfterUpdate fails the nth UpdateClusterConfig (as failNth does) and from then on answers no
// DescribeCluster: the cluster's state cannot be seen.
type blindAfterUpdate struct {
	failNth
}

func (b *blindAfterUpdate) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	if b.seen >= b.n {
		return nil, &smithy.OperationError{ServiceID: "EKS", OperationName: "DescribeCluster", Err: errors.New("dial tcp 127.0.0.1:1: connection refused")}
	}
	return b.failNth.DescribeCluster(ctx, in, opts...)
}

// TestNoBlindRollback: a phase failed and the cluster's settings cannot be read. The failed phase
// may have landed after all, so eksguard does not roll back; it says what to check.
func TestNoBlindRollback(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS = &blindAfterUpdate{failNth{EKSAPI: e.eks, srv: e.srv, n: 2}}
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultFailed || out.Final != nil || !strings.Contains(out.Message, "does not roll back a cluster whose state it cannot see") ||
		!strings.Contains(out.Message, "aws eks describe-cluster") {
		t.Fatalf("outcome %+v", out)
	}
	if n := e.calls()["eks:UpdateClusterConfig"]; n != 2 {
		t.Errorf("UpdateClusterConfig x%d, want 2: a blind rollback was attempted", n)
	}
}
