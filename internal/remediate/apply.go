package remediate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/uuid"

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
}

// Defaults for waiting on real updates, which take minutes.
const (
	DefaultPollInterval    = 15 * time.Second
	DefaultMaxPollInterval = 2 * time.Minute
	DefaultWaitTimeout     = 30 * time.Minute
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
		fmt.Fprintf(e.Log, format+"\n", a...)
	}
}

func (e *Executor) token() string {
	if e.NewToken != nil {
		return e.NewToken()
	}
	return uuid.NewString()
}

// detached gives reads that must happen even after the user interrupted (the final state of the
// cluster is always reported) their own short deadline.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// phaseError says how a phase ended when it did not succeed.
type phaseError struct {
	kind string // ResultFailed, ResultTimedOut, ResultBusy, resultInterrupted
	msg  string
}

func (p *phaseError) Error() string { return p.msg }

// Apply executes the plan's phases in order and rolls back on failure (RC-10 to RC-16). It refuses
// a plan that refuses.
func (e *Executor) Apply(ctx context.Context, p *Plan) *Outcome {
	out := &Outcome{Updates: []UpdateRecord{}}
	switch {
	case p.AlreadyCompliant:
		out.Result, out.Message, out.Final = ResultAlreadyCompliant, p.Compliance, p.Current
		return out
	case p.Refused || p.Current == nil:
		out.Result, out.Message, out.Final = ResultRefused, "the plan refuses; nothing was changed", p.Current
		return out
	}
	for _, ph := range p.Phases {
		if ctx.Err() != nil {
			return e.recover(ctx, p, out, ph, &phaseError{kind: ResultInterrupted, msg: "interrupted before phase " + ph.Name + "; nothing more was changed"})
		}
		e.logf("phase %s: %s", ph.Name, ph.Request.CLI())
		rec, err := e.runPhase(ctx, p.Cluster.Name, ph.Name, ph.Request, ph.Expect)
		out.Updates = append(out.Updates, rec)
		if err == nil {
			continue
		}
		var pe *phaseError
		if !errors.As(err, &pe) {
			pe = &phaseError{kind: ResultFailed, msg: err.Error()}
		}
		return e.recover(ctx, p, out, ph, pe)
	}
	rctx, cancel := detached(ctx)
	defer cancel()
	final, _ := e.read(rctx, p.Cluster.Name)
	out.Final = final
	out.Result = ResultApplied
	out.Message = fmt.Sprintf("cluster %s now has %s", p.Cluster.Name, p.Target)
	return out
}

// recover decides what to do after a failed phase and says exactly what state the cluster is in. It
// never rolls back while an update is running (EKS would refuse, and the running update may still
// land), and never after an interruption.
func (e *Executor) recover(ctx context.Context, p *Plan, out *Outcome, ph Phase, pe *phaseError) *Outcome {
	rctx, cancel := detached(ctx)
	defer cancel()
	state, readErr := e.read(rctx, p.Cluster.Name)
	out.Final = state
	where := describeState(state, readErr)
	switch {
	case pe.kind == ResultInterrupted:
		out.Result = ResultInterrupted
		out.Message = fmt.Sprintf("%s; %s; no rollback was attempted: run eksguard fix again, or restore %s by hand", pe.msg, where, p.Rollback)
		return out
	case pe.kind == ResultTimedOut:
		out.Result = ResultTimedOut
		out.Message = fmt.Sprintf("phase %s: %s; the update may still finish, so eksguard does not roll back; %s; watch it with aws eks describe-update --region %s --name %s --update-id %s",
			ph.Name, pe.msg, where, p.Cluster.Region, p.Cluster.Name, lastID(out))
		return out
	case pe.kind == ResultBusy:
		out.Result = ResultBusy
		out.Message = fmt.Sprintf("phase %s: %s; nothing more was changed, and no rollback is possible while another update runs; %s", ph.Name, pe.msg, where)
		return out
	case state != nil && state.Equal(*p.Rollback):
		out.Result = ResultRolledBack
		out.Message = fmt.Sprintf("phase %s failed: %s; the cluster is unchanged: %s", ph.Name, pe.msg, where)
		return out
	case e.NoRollback:
		out.Result = ResultFailed
		out.Message = fmt.Sprintf("phase %s failed: %s; --no-rollback: %s; the recorded settings were %s", ph.Name, pe.msg, where, p.Rollback)
		return out
	}
	if running, _ := e.endpointUpdateRunning(rctx, p.Cluster.Name); running != nil {
		out.Result = ResultBusy
		out.Message = fmt.Sprintf("phase %s failed: %s; update %s (%s) is still in progress, so eksguard does not roll back over it; %s",
			ph.Name, pe.msg, aws.ToString(running.Id), running.Type, where)
		return out
	}
	e.logf("rolling back to %s", p.Rollback)
	rb := requestTo(*p.Rollback)
	rec, err := e.runPhase(ctx, p.Cluster.Name, "rollback", rb, *p.Rollback)
	out.Updates = append(out.Updates, rec)
	state, readErr = e.read(rctx, p.Cluster.Name)
	out.Final = state
	where = describeState(state, readErr)
	if err != nil {
		out.Result = ResultRollbackFailed
		out.Message = fmt.Sprintf("phase %s failed: %s; the rollback to %s also failed: %s; %s; restore it by hand: aws eks update-cluster-config --region %s --name %s --resources-vpc-config %s",
			ph.Name, pe.msg, p.Rollback, err, where, p.Cluster.Region, p.Cluster.Name, rb.CLI())
		return out
	}
	out.Result = ResultRolledBack
	out.Message = fmt.Sprintf("phase %s failed: %s; rolled back: %s", ph.Name, pe.msg, where)
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
	ups, err := awsapi.UpdatesInProgress(ctx, e.EKS, name)
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

// runPhase makes one update, waits for it and verifies the result.
func (e *Executor) runPhase(ctx context.Context, name, phase string, req Request, expect Settings) (UpdateRecord, error) {
	rec := UpdateRecord{Phase: phase, ClientRequestToken: e.token(), Request: req}
	update, err := e.update(ctx, name, req, rec.ClientRequestToken)
	switch {
	case err == nil:
	case isAlreadyAtDesired(err):
		// RC-13: EKS says there is nothing to do; verify that and move on.
		rec.Status = "AlreadyApplied"
		return rec, e.verify(ctx, name, expect)
	case isBusy(err):
		rec.Status = "Busy"
		return rec, &phaseError{kind: ResultBusy, msg: "EKS refused the update because another one is in progress (" + awsapi.Message(err) + ")"}
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
		update, err = e.findStarted(ctx, name, err)
		if err != nil {
			rec.Status = "Unknown"
			return rec, err
		}
		if update == nil {
			rec.Status = "NotStarted"
			return rec, &phaseError{kind: ResultFailed, msg: "UpdateClusterConfig did not complete and EKS shows no update in progress"}
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
	if err != nil {
		if rec.Status == "" || rec.Status == string(ekstypes.UpdateStatusInProgress) {
			rec.Status = "Unknown"
		}
		return rec, err
	}
	if final.Status != ekstypes.UpdateStatusSuccessful {
		return rec, &phaseError{kind: ResultFailed, msg: fmt.Sprintf("update %s ended %s: %s", rec.UpdateID, final.Status, strings.Join(rec.Errors, "; "))}
	}
	if err := e.verify(ctx, name, expect); err != nil {
		rec.Status = "VerificationFailed"
		return rec, err
	}
	return rec, nil
}

// findStarted looks for the endpoint update a call with an unknown outcome may have started. An
// interrupted run reports the update it finds instead of waiting on it.
func (e *Executor) findStarted(ctx context.Context, name string, callErr error) (*ekstypes.Update, error) {
	rctx, cancel := detached(ctx)
	defer cancel()
	running, err := e.endpointUpdateRunning(rctx, name)
	if err != nil {
		return nil, &phaseError{kind: ResultTimedOut, msg: "UpdateClusterConfig did not complete (" + awsapi.Message(callErr) + ") and the cluster's updates cannot be listed (" + awsapi.Message(err) + "), so whether an update started is unknown"}
	}
	if ctx.Err() != nil {
		if running != nil {
			return nil, &phaseError{kind: ResultTimedOut, msg: "interrupted while update " + aws.ToString(running.Id) + " is in progress"}
		}
		return nil, &phaseError{kind: ResultInterrupted, msg: "interrupted before EKS started an update; nothing more was changed"}
	}
	return running, nil
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
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		out, err := e.EKS.UpdateClusterConfig(ctx, in)
		if err == nil {
			if out.Update == nil || out.Update.Id == nil {
				// moto, for one, answers 200 without an update: the outcome is unknown.
				return nil, errors.New("UpdateClusterConfig answered without an update")
			}
			return out.Update, nil
		}
		lastErr = err
		var ae smithy.APIError
		if errors.As(err, &ae) || ctx.Err() != nil {
			return nil, err
		}
		e.logf("  no answer from UpdateClusterConfig (%s); sending it again with the same token", awsapi.Message(err))
		t := time.NewTimer(time.Duration(attempt+1) * time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return nil, lastErr
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
				return last, &phaseError{kind: ResultTimedOut, msg: "interrupted while waiting for update " + id + ", which goes on without eksguard"}
			case <-t.C:
			}
		}
		out, err := e.EKS.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(name), UpdateId: aws.String(id)})
		switch {
		case err != nil && awsapi.IsAccessDenied(err):
			return last, &phaseError{kind: ResultTimedOut, msg: "cannot follow update " + id + ": " + awsapi.Message(err)}
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
			return last, &phaseError{kind: ResultTimedOut, msg: fmt.Sprintf("update %s did not finish within %s", id, timeout)}
		}
		interval = interval * 3 / 2
		if interval > maxInterval {
			interval = maxInterval
		}
	}
}

// verify reads the cluster and requires the expected settings (RC-15).
func (e *Executor) verify(ctx context.Context, name string, expect Settings) error {
	got, err := e.read(ctx, name)
	if err != nil {
		return &phaseError{kind: ResultFailed, msg: "could not verify the result: " + awsapi.Message(err)}
	}
	if !got.Equal(expect) {
		return &phaseError{kind: ResultFailed, msg: fmt.Sprintf("verification failed: the cluster reports %s, expected %s", got, expect)}
	}
	return nil
}

func (e *Executor) read(ctx context.Context, name string) (*Settings, error) {
	cl, err := awsapi.DescribeCluster(ctx, e.EKS, "", "", name)
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
