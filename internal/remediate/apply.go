package remediate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/uuid"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// Executor applies a plan.
type Executor struct {
	EKS EKSAPI
	// PollInterval is the first wait between DescribeUpdate calls; it grows by half each time up to
	// MaxPollInterval (RC-14).
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// WaitTimeout bounds the wait for each update.
	WaitTimeout time.Duration
	NoRollback  bool
	// Log receives one line per step, for a person watching.
	Log io.Writer
	// NewToken makes client request tokens; tests may fix them.
	NewToken func() string
	// Started, when set, is told of every update as soon as EKS has accepted it, so an audit log
	// holds it even if eksguard is killed while waiting.
	Started func(UpdateRecord)
	// ReadTimeout bounds each read that must happen even after an interruption (the cluster's
	// state is always reported): every such read gets its own (default DefaultReadTimeout).
	ReadTimeout time.Duration
	// ReadBackoff are the waits before each further try of a read AWS throttled or failed with a
	// server error after the SDK's own attempts; nil means DefaultReadBackoff.
	ReadBackoff []time.Duration
	// ResendDelay is the wait before UpdateClusterConfig is sent again after no answer; it grows by
	// as much each time (default DefaultResendDelay).
	ResendDelay time.Duration
}

// Defaults for waiting on real updates, which take minutes.
const (
	DefaultPollInterval    = 15 * time.Second
	DefaultMaxPollInterval = 2 * time.Minute
	DefaultWaitTimeout     = 30 * time.Minute
	DefaultReadTimeout     = 30 * time.Second
	DefaultResendDelay     = time.Second
)

// Outcome results.
const (
	ResultApplied          = "applied"
	ResultAlreadyCompliant = "already-compliant"
	ResultRefused          = "refused"
	ResultRolledBack       = "failed-rolled-back"
	ResultFailed           = "failed"
	ResultTimedOut         = "timed-out"
	ResultBusy             = "busy"
	ResultRollbackFailed   = "rollback-failed"
	ResultInterrupted      = "interrupted"
)

// UpdateRecord is one UpdateClusterConfig eksguard made.
type UpdateRecord struct {
	Phase              string   `json:"phase"`
	UpdateID           string   `json:"updateId,omitempty"`
	ClientRequestToken string   `json:"clientRequestToken"`
	Request            Request  `json:"request"`
	Status             string   `json:"status"`
	Errors             []string `json:"errors,omitempty"`
	// Note explains a status eksguard inferred rather than read from the update, such as an update
	// whose answer was lost and that had already finished when eksguard looked for it.
	Note string `json:"note,omitempty"`
}

// Outcome is what applying a plan did, and the state the cluster was left in.
type Outcome struct {
	Result  string         `json:"result"`
	Message string         `json:"message"`
	Updates []UpdateRecord `json:"updates"`
	// Final is the endpoint settings read from the cluster at the end, when they could be read.
	Final *Settings `json:"final"`
}

// OK reports whether the cluster ended at the target (or already was).
func (o *Outcome) OK() bool { return o.Result == ResultApplied || o.Result == ResultAlreadyCompliant }

func (e *Executor) logf(format string, a ...any) {
	if e.Log != nil {
		// The lines carry what AWS answered: escaped, they cannot drive the terminal.
		fmt.Fprintln(e.Log, escape.Text(fmt.Sprintf(format, a...)))
	}
}

func (e *Executor) token() string {
	if e.NewToken != nil {
		return e.NewToken()
	}
	return uuid.NewString()
}

// client is the EKS client with reads retried past throttles and server errors.
func (e *Executor) client() EKSAPI { return newPatientEKS(e.EKS, e.ReadBackoff) }

// detached gives a read that must happen even after the user interrupted (the final state of the
// cluster is always reported) its own deadline. Each read makes its own: a deadline made before a
// rollback would be spent by the time the rollback, which takes minutes on real EKS, has finished.
func (e *Executor) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	d := e.ReadTimeout
	if d <= 0 {
		d = DefaultReadTimeout
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// readNow reads the cluster's endpoint settings with a deadline of its own, interrupted or not.
func (e *Executor) readNow(ctx context.Context, name string) (*Settings, error) {
	rctx, cancel := e.detached(ctx)
	defer cancel()
	return e.read(rctx, name)
}

// phaseError says how a phase ended when it did not succeed.
type phaseError struct {
	kind string // ResultFailed, ResultTimedOut, ResultBusy, ResultInterrupted
	msg  string
	// running is the id of an update of eksguard's that is still in progress, if any: it goes on
	// without eksguard.
	running string
}

func (p *phaseError) Error() string { return p.msg }

// Apply executes the plan's phases in order and rolls back on failure (RC-10 to RC-16). It refuses
// a plan that refuses or could not be checked.
func (e *Executor) Apply(ctx context.Context, p *Plan) *Outcome {
	out := &Outcome{Updates: []UpdateRecord{}}
	switch {
	case p.AlreadyCompliant:
		out.Result, out.Message, out.Final = ResultAlreadyCompliant, p.Compliance, p.Current
		return out
	case p.Refused || p.Incomplete || p.Current == nil:
		out.Result, out.Message, out.Final = ResultRefused, "the plan refuses or could not check everything; nothing was changed", p.Current
		return out
	}
	before := *p.Current
	for _, ph := range p.Phases {
		if ctx.Err() != nil {
			return e.recover(ctx, p, out, ph, &phaseError{kind: ResultInterrupted, msg: "interrupted before phase " + ph.Name + "; nothing more was changed"})
		}
		e.logf("phase %s: %s", ph.Name, ph.Request.CLI())
		rec, err := e.runPhase(ctx, p.Cluster.Name, ph.Name, ph.Request, &before, ph.Expect)
		out.Updates = append(out.Updates, rec)
		if err == nil {
			before = ph.Expect
			continue
		}
		var pe *phaseError
		if !errors.As(err, &pe) {
			pe = &phaseError{kind: ResultFailed, msg: err.Error()}
		}
		if pe.kind == ResultFailed && ctx.Err() != nil {
			// The phase failed and the user interrupted: no rollback is started after an interrupt.
			pe = &phaseError{kind: ResultInterrupted, msg: pe.msg + "; then interrupted"}
		}
		return e.recover(ctx, p, out, ph, pe)
	}
	final, _ := e.readNow(ctx, p.Cluster.Name)
	out.Final = final
	out.Result = ResultApplied
	out.Message = fmt.Sprintf("cluster %s now has %s", p.Cluster.Name, p.Target)
	return out
}

// recover decides what to do after a failed phase and says exactly what state the cluster is in. It
// never rolls back a cluster that already has the target, never while an update is running (EKS
// would refuse, and the running update may still land), and never after an interruption.
func (e *Executor) recover(ctx context.Context, p *Plan, out *Outcome, ph Phase, pe *phaseError) *Outcome {
	name := p.Cluster.Name
	state, readErr := e.readNow(ctx, name)
	out.Final = state
	where := describeState(state, readErr)
	watch := func(id string) string {
		return fmt.Sprintf("watch it with aws eks describe-update --region %s --name %s --update-id %s", p.Cluster.Region, name, id)
	}
	switch {
	case state != nil && state.Equal(p.Target) && pe.running == "" && (pe.kind == ResultFailed || pe.kind == ResultInterrupted):
		// Whatever went wrong on the way (a verification read that failed, an interrupt after the
		// last update finished), the cluster is where it was meant to go: rolling it back would
		// undo a successful change.
		out.Result = ResultApplied
		out.Message = fmt.Sprintf("cluster %s now has %s, the target: phase %s reported %q, but the cluster's settings show the change was made, so nothing was rolled back",
			name, p.Target, ph.Name, pe.msg)
		return out
	case pe.kind == ResultInterrupted:
		out.Result = ResultInterrupted
		out.Message = pe.msg + "; " + where
		if pe.running != "" {
			out.Message += fmt.Sprintf("; when update %s finishes, the cluster will have %s; %s", pe.running, ph.Expect, watch(pe.running))
		}
		out.Message += fmt.Sprintf("; no rollback was attempted: run eksguard fix again, or restore %s by hand", p.Rollback)
		return out
	case pe.kind == ResultTimedOut:
		out.Result = ResultTimedOut
		out.Message = fmt.Sprintf("phase %s: %s; the update may still finish, so eksguard does not roll back; %s; %s",
			ph.Name, pe.msg, where, watch(nonEmptyOr(pe.running, lastID(out))))
		return out
	case pe.kind == ResultBusy:
		out.Result = ResultBusy
		out.Message = fmt.Sprintf("phase %s: %s; nothing more was changed, and no rollback is possible while another update runs; %s", ph.Name, pe.msg, where)
		return out
	case state == nil:
		// A rollback needs the state it starts from: the failed phase may have landed after all,
		// even reached the target, and a blind rollback would undo it.
		out.Result = ResultFailed
		out.Message = fmt.Sprintf("phase %s failed: %s; %s, so eksguard does not roll back a cluster whose state it cannot see: check it with aws eks describe-cluster --region %s --name %s, and restore %s by hand or run eksguard fix again",
			ph.Name, pe.msg, where, p.Cluster.Region, name, p.Rollback)
		return out
	case state.Equal(*p.Rollback):
		out.Result = ResultRolledBack
		out.Message = fmt.Sprintf("phase %s failed: %s; the cluster is unchanged: %s", ph.Name, pe.msg, where)
		return out
	case e.NoRollback:
		out.Result = ResultFailed
		out.Message = fmt.Sprintf("phase %s failed: %s; --no-rollback: %s; the recorded settings were %s", ph.Name, pe.msg, where, p.Rollback)
		return out
	}
	rctx, cancel := e.detached(ctx)
	running, _ := e.endpointUpdateRunning(rctx, name)
	cancel()
	if running != nil {
		out.Result = ResultBusy
		out.Message = fmt.Sprintf("phase %s failed: %s; update %s (%s) is still in progress, so eksguard does not roll back over it; %s",
			ph.Name, pe.msg, aws.ToString(running.Id), running.Type, where)
		return out
	}
	e.logf("rolling back to %s", p.Rollback)
	rb := requestTo(*p.Rollback)
	rec, err := e.runPhase(ctx, name, "rollback", rb, state, *p.Rollback)
	out.Updates = append(out.Updates, rec)
	// The rollback took minutes on real EKS: this read gets a deadline of its own.
	state, readErr = e.readNow(ctx, name)
	out.Final = state
	where = describeState(state, readErr)
	var rbe *phaseError
	switch {
	case err == nil:
		out.Result = ResultRolledBack
		out.Message = fmt.Sprintf("phase %s failed: %s; rolled back: %s", ph.Name, pe.msg, where)
	case errors.As(err, &rbe) && rbe.kind == ResultInterrupted:
		out.Result = ResultInterrupted
		out.Message = fmt.Sprintf("phase %s failed: %s; the rollback to %s was interrupted: %s; %s", ph.Name, pe.msg, p.Rollback, rbe.msg, where)
		if rbe.running != "" {
			out.Message += fmt.Sprintf("; when update %s finishes, the cluster will have %s; %s", rbe.running, p.Rollback, watch(rbe.running))
		}
	default:
		out.Result = ResultRollbackFailed
		out.Message = fmt.Sprintf("phase %s failed: %s; the rollback to %s also failed: %s; %s; restore it by hand: aws eks update-cluster-config --region %s --name %s --resources-vpc-config %s",
			ph.Name, pe.msg, p.Rollback, err, where, p.Cluster.Region, name, rb.CLI())
	}
	return out
}

func describeState(s *Settings, err error) string {
	if s != nil {
		return "it now has " + s.String()
	}
	return "its endpoint settings could not be read: " + errText(err)
}

// endpointUpdateRunning finds an endpoint update in progress on the cluster, if any.
func (e *Executor) endpointUpdateRunning(ctx context.Context, name string) (*ekstypes.Update, error) {
	ups, err := awsapi.UpdatesInProgress(ctx, e.client(), name)
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		if u.Type == string(ekstypes.UpdateTypeEndpointAccessUpdate) {
			return &ekstypes.Update{Id: aws.String(u.ID), Type: ekstypes.UpdateTypeEndpointAccessUpdate, Status: ekstypes.UpdateStatusInProgress}, nil
		}
	}
	return nil, nil
}

func lastID(o *Outcome) string {
	for i := len(o.Updates) - 1; i >= 0; i-- {
		if o.Updates[i].UpdateID != "" {
			return o.Updates[i].UpdateID
		}
	}
	return "<id>"
}

func errText(err error) string {
	if err == nil {
		return "unknown"
	}
	return awsapi.Message(err)
}

// runPhase makes one update, waits for it and verifies the result. before is the cluster's state
// before the phase, when known: it tells an update that never started from one that already ended.
func (e *Executor) runPhase(ctx context.Context, name, phase string, req Request, before *Settings, expect Settings) (UpdateRecord, error) {
	rec := UpdateRecord{Phase: phase, ClientRequestToken: e.token(), Request: req}
	sent := time.Now()
	update, err := e.update(ctx, name, req, rec.ClientRequestToken)
	switch {
	case err == nil:
	case isAlreadyAtDesired(err):
		// RC-13: EKS says there is nothing to do; verify that and move on.
		rec.Status = "AlreadyApplied"
		return rec, e.verify(ctx, name, phase, expect)
	case isBusy(err):
		rec.Status = "Busy"
		return rec, &phaseError{kind: ResultBusy, msg: "EKS refused the update because another one is in progress (" + awsapi.Message(err) + ")"}
	case awsapi.IsThrottle(err):
		// Throttled on every attempt: EKS did not take the request, and says to try later. Like a
		// busy cluster, that is no reason to undo a phase that already landed.
		rec.Status = "Throttled"
		return rec, &phaseError{kind: ResultBusy, msg: "EKS throttled UpdateClusterConfig on every attempt (" + awsapi.Message(err) + "); run eksguard fix again later"}
	case isRejected(err):
		rec.Status = "Rejected"
		msg := awsapi.Message(err)
		if isRemediationBug(err) {
			msg = "eksguard sent a request EKS considers invalid, which is a bug in eksguard; please report it: " + msg
		}
		return rec, &phaseError{kind: ResultFailed, msg: "UpdateClusterConfig: " + msg}
	default:
		// No answer, a server error after every retry, an answer without an update, or an
		// interruption: EKS may or may not have started the update. Find out before deciding.
		callErr := err
		update, err = e.findStarted(ctx, name, callErr)
		if err != nil {
			rec.Status = "Unknown"
			if update != nil {
				// Interrupted while it runs: record the update and its last known status.
				rec.UpdateID, rec.Status = aws.ToString(update.Id), string(update.Status)
			}
			return rec, err
		}
		if update == nil {
			return e.unseen(ctx, name, rec, before, expect, sent, callErr)
		}
	}
	rec.UpdateID = aws.ToString(update.Id)
	rec.Status = string(update.Status)
	if e.Started != nil {
		e.Started(rec)
	}
	e.logf("  update %s %s", rec.UpdateID, update.Status)
	final, err := e.wait(ctx, name, rec.UpdateID)
	if final != nil {
		rec.Status = string(final.Status)
		for _, d := range final.Errors {
			rec.Errors = append(rec.Errors, fmt.Sprintf("%s: %s %v", d.ErrorCode, aws.ToString(d.ErrorMessage), d.ResourceIds))
		}
	}
	var pe *phaseError
	if err != nil && !(errors.As(err, &pe) && pe.kind == ResultInterrupted) {
		if rec.Status == "" || rec.Status == string(ekstypes.UpdateStatusInProgress) {
			rec.Status = "Unknown"
		}
	}
	if err != nil {
		return rec, err
	}
	if final.Status != ekstypes.UpdateStatusSuccessful {
		return rec, &phaseError{kind: ResultFailed, msg: fmt.Sprintf("update %s ended %s: %s", rec.UpdateID, final.Status, strings.Join(rec.Errors, "; "))}
	}
	if err := e.verify(ctx, name, phase, expect); err != nil {
		rec.Status = "VerificationFailed"
		return rec, err
	}
	return rec, nil
}

// findStarted looks for the endpoint update a call with an unknown outcome may have started. An
// interrupted run reports the update it finds (which goes on without eksguard) instead of waiting
// on it.
func (e *Executor) findStarted(ctx context.Context, name string, callErr error) (*ekstypes.Update, error) {
	rctx, cancel := e.detached(ctx)
	defer cancel()
	running, err := e.endpointUpdateRunning(rctx, name)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &phaseError{kind: ResultInterrupted, msg: "interrupted before UpdateClusterConfig was answered, and the cluster's updates cannot be listed (" + awsapi.Message(err) + "), so whether EKS started an update is unknown"}
	case err != nil:
		return nil, &phaseError{kind: ResultTimedOut, msg: "UpdateClusterConfig did not complete (" + awsapi.Message(callErr) + ") and the cluster's updates cannot be listed (" + awsapi.Message(err) + "), so whether an update started is unknown"}
	case ctx.Err() != nil && running != nil:
		id := aws.ToString(running.Id)
		return running, &phaseError{kind: ResultInterrupted, running: id, msg: "interrupted while update " + id + " is in progress; it goes on without eksguard"}
	case ctx.Err() != nil:
		return nil, &phaseError{kind: ResultInterrupted, msg: "interrupted before UpdateClusterConfig was answered; EKS shows no endpoint update in progress"}
	}
	return running, nil
}

// unseen decides what became of an update eksguard sent but never saw: no answer came back and EKS
// shows no endpoint update in progress. Either EKS never started it, or it has already finished; only
// the cluster's settings tell which, and deciding without them would roll back a change that landed
// or report one that never happened.
func (e *Executor) unseen(ctx context.Context, name string, rec UpdateRecord, before *Settings, expect Settings, sent time.Time, callErr error) (UpdateRecord, error) {
	noAnswer := "UpdateClusterConfig got no answer (" + awsapi.Message(callErr) + ") and EKS shows no endpoint update in progress"
	state, err := e.readNow(ctx, name)
	switch {
	case err != nil:
		rec.Status = "Unknown"
		return rec, &phaseError{kind: ResultTimedOut, msg: noAnswer + ", and the cluster's settings cannot be read (" + awsapi.Message(err) + "), so whether the update was made is unknown"}
	case state.Equal(expect):
		// The update landed while its answer was lost. Its id is only for the record.
		rec.Status = "Applied"
		rec.Note = "the answer to UpdateClusterConfig was lost; the cluster already had the phase's settings when eksguard looked"
		if u := e.findLanded(ctx, name, sent, expect); u != nil {
			rec.UpdateID, rec.Status = aws.ToString(u.Id), string(u.Status)
			rec.Note += "; update " + rec.UpdateID + " is the endpoint update that made the change"
		} else {
			rec.Note += "; no matching update was found among the cluster's updates"
		}
		e.logf("  %s", rec.Note)
		return rec, nil
	case before != nil && state.Equal(*before):
		rec.Status = "NotStarted"
		return rec, &phaseError{kind: ResultFailed, msg: noAnswer + ", and the cluster's settings are unchanged, so EKS did not make the update"}
	}
	rec.Status = "Unknown"
	return rec, &phaseError{kind: ResultFailed, msg: fmt.Sprintf("%s, and the cluster has %s, neither the settings before the phase nor %s", noAnswer, state, expect)}
}

// clockSkew is how far the local clock may be ahead of AWS's when matching an update's createdAt
// with the time eksguard sent the request.
const clockSkew = time.Minute

// findLanded looks among the cluster's updates for the one that made a change eksguard did not see
// answered: a Successful EndpointAccessUpdate created at or after the request (less clockSkew) whose
// parameters, when EKS lists them, are the expected settings. The most recent wins. It gives up
// quietly: the id only completes the record.
func (e *Executor) findLanded(ctx context.Context, name string, sent time.Time, expect Settings) *ekstypes.Update {
	rctx, cancel := e.detached(ctx)
	defer cancel()
	client := e.client()
	var best *ekstypes.Update
	_ = awsapi.EachUpdate(rctx, client, name, func(u *ekstypes.Update) bool {
		if u.Type != ekstypes.UpdateTypeEndpointAccessUpdate || u.Status != ekstypes.UpdateStatusSuccessful ||
			u.CreatedAt == nil || u.CreatedAt.Before(sent.Add(-clockSkew)) || !paramsMatch(u.Params, expect) {
			return true
		}
		if best == nil || u.CreatedAt.After(*best.CreatedAt) {
			best = u
		}
		return true
	})
	return best
}

// paramsMatch reports whether an endpoint update's parameters are consistent with s. Parameters EKS
// leaves out, or writes in a form eksguard does not read, do not count against it.
func paramsMatch(params []ekstypes.UpdateParam, s Settings) bool {
	for _, p := range params {
		v := aws.ToString(p.Value)
		switch p.Type {
		case ekstypes.UpdateParamTypeEndpointPublicAccess:
			if b, err := strconv.ParseBool(v); err == nil && b != s.Public {
				return false
			}
		case ekstypes.UpdateParamTypeEndpointPrivateAccess:
			if b, err := strconv.ParseBool(v); err == nil && b != s.Private {
				return false
			}
		case ekstypes.UpdateParamTypePublicAccessCidrs:
			var cidrs []string
			if err := json.Unmarshal([]byte(v), &cidrs); err == nil && s.Public && !sameSet(cidrs, s.CIDRs) {
				return false
			}
		}
	}
	return true
}

// update sends one UpdateClusterConfig carrying endpoint fields only (RC-4). The token stays the
// same for every retry of this phase, the SDK's and eksguard's own after a lost response, so EKS
// creates one update however many times the request is sent (RC-12).
func (e *Executor) update(ctx context.Context, name string, req Request, token string) (*ekstypes.Update, error) {
	in := &eks.UpdateClusterConfigInput{
		Name:               aws.String(name),
		ClientRequestToken: aws.String(token),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{EndpointPublicAccess: req.Public, EndpointPrivateAccess: req.Private, PublicAccessCidrs: req.CIDRs},
	}
	const sends = 3
	for attempt := 0; ; attempt++ {
		out, err := e.EKS.UpdateClusterConfig(ctx, in)
		if err == nil {
			if out.Update == nil || out.Update.Id == nil {
				// moto, for one, answers 200 without an update: the outcome is unknown.
				return nil, errors.New("UpdateClusterConfig answered without an update")
			}
			return out.Update, nil
		}
		var ae smithy.APIError
		if errors.As(err, &ae) || ctx.Err() != nil || attempt == sends-1 {
			return nil, err
		}
		e.logf("  no answer from UpdateClusterConfig (%s); sending it again with the same token", awsapi.Message(err))
		delay := e.ResendDelay
		if delay <= 0 {
			delay = DefaultResendDelay
		}
		t := time.NewTimer(time.Duration(attempt+1) * delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// wait polls DescribeUpdate with growing intervals until the update ends or the timeout passes
// (RC-14); the update, not the cluster status, is the completion signal.
func (e *Executor) wait(ctx context.Context, name, id string) (*ekstypes.Update, error) {
	interval, maxInterval, timeout := e.PollInterval, e.MaxPollInterval, e.WaitTimeout
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if maxInterval <= 0 {
		maxInterval = DefaultMaxPollInterval
	}
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	deadline := time.Now().Add(timeout)
	var last *ekstypes.Update
	for {
		wait := interval
		if remaining := time.Until(deadline); remaining < wait {
			wait = remaining
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return last, interruptedWaiting(id)
			case <-t.C:
			}
		}
		// The poll itself retries: a throttled or failed DescribeUpdate is simply polled again.
		out, err := e.EKS.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(name), UpdateId: aws.String(id)})
		switch {
		case err != nil && ctx.Err() != nil:
			return last, interruptedWaiting(id)
		case err != nil && awsapi.IsAccessDenied(err):
			return last, &phaseError{kind: ResultTimedOut, running: id, msg: "cannot follow update " + id + ": " + awsapi.Message(err)}
		case err != nil:
			e.logf("  DescribeUpdate %s: %s (will retry)", id, awsapi.Message(err))
		case out.Update == nil:
			// moto, for one, answers without an update; it is not a completion signal.
			e.logf("  DescribeUpdate %s returned no update (will retry)", id)
		default:
			last = out.Update
			switch last.Status {
			case ekstypes.UpdateStatusSuccessful, ekstypes.UpdateStatusFailed, ekstypes.UpdateStatusCancelled:
				e.logf("  update %s %s", id, last.Status)
				return last, nil
			}
		}
		if !time.Now().Before(deadline) {
			return last, &phaseError{kind: ResultTimedOut, running: id, msg: fmt.Sprintf("update %s did not finish within %s", id, timeout)}
		}
		interval = interval * 3 / 2
		if interval > maxInterval {
			interval = maxInterval
		}
	}
}

func interruptedWaiting(id string) *phaseError {
	return &phaseError{kind: ResultInterrupted, running: id, msg: "interrupted while waiting for update " + id + ", which goes on without eksguard"}
}

// verify reads the cluster and requires the expected settings (RC-15).
func (e *Executor) verify(ctx context.Context, name, phase string, expect Settings) error {
	got, err := e.read(ctx, name)
	if err != nil && ctx.Err() != nil {
		return &phaseError{kind: ResultInterrupted, msg: "interrupted while verifying phase " + phase}
	}
	if err != nil {
		return &phaseError{kind: ResultFailed, msg: "could not verify the result: " + awsapi.Message(err)}
	}
	if !got.Equal(expect) {
		return &phaseError{kind: ResultFailed, msg: fmt.Sprintf("verification failed: the cluster reports %s, expected %s", got, expect)}
	}
	return nil
}

func (e *Executor) read(ctx context.Context, name string) (*Settings, error) {
	cl, err := awsapi.DescribeCluster(ctx, e.client(), "", "", name)
	if err != nil {
		return nil, err
	}
	s, ok := currentSettings(cl)
	if !ok {
		return nil, errors.New("DescribeCluster did not return every endpoint field")
	}
	return &s, nil
}

func apiMessage(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

func isAlreadyAtDesired(err error) bool {
	code, msg := apiMessage(err)
	return code == "InvalidParameterException" && strings.HasPrefix(msg, "Cluster is already at the desired configuration")
}

// isRejected reports whether EKS answered with a client error: the request was refused and nothing
// was started. Server errors and transport failures are not rejections: their outcome is unknown.
func isRejected(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500
	}
	return false
}

func isBusy(err error) bool {
	var inUse *ekstypes.ResourceInUseException
	return errors.As(err, &inUse)
}

func isRemediationBug(err error) bool {
	code, msg := apiMessage(err)
	return code == "InvalidParameterException" && (strings.Contains(msg, "Both private and public endpoint access cannot be false") || strings.Contains(msg, "Only one type of update"))
}
