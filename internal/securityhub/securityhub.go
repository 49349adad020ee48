// Package securityhub sends a scan's findings to AWS Security Hub (securityhub:BatchImportFindings)
// in the AWS Security Finding Format that `--format asff` prints, and archives the findings a run
// shows resolved: resources that now pass, clusters that are gone, regions that read again.
//
// Findings go to the Security Hub of their own account and region (the region of their
// ProductArn), in batches of at most 100, through one client per (account, region) with eksguard's
// usual retries of throttling and server errors. A finding Security Hub rejects, and every finding
// of a call that failed after its retries, is reported with its id and the error, never dropped:
// the caller turns a non-empty Result.Failed into exit code 3.
package securityhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// Limits of BatchImportFindings: 100 findings a call, 240 KB a finding, 6 MB a call. Batches are
// cut below the byte limit to leave room for the envelope.
const (
	MaxBatch        = 100
	MaxFindingBytes = 240 << 10
	maxBatchBytes   = 5 << 20
)

// Operations, as IAM actions, for Failure.Operation.
const (
	OpImport = "securityhub:BatchImportFindings"
	OpGet    = "securityhub:GetFindings"
)

// DefaultParallel is how many (account, region) pairs are worked on at once.
const DefaultParallel = 4

// Config says how to reach Security Hub.
type Config struct {
	// Clients carries the AWS configuration, the endpoint override, the attempts per call and the
	// per-attempt timeout: the scan's own settings.
	Clients *awsapi.Clients
	// Credentials are the credentials of each account other than the caller's. Security Hub takes
	// a finding only from the account it names (AwsAccountId), so an organization scan passes the
	// credentials it scanned each account with; an account not listed uses Clients.Base's.
	Credentials map[string]aws.CredentialsProvider
	// Now dates the archiving of findings that are gone (default time.Now).
	Now func() time.Time
	// Parallel is how many (account, region) pairs are worked on at once (default DefaultParallel).
	Parallel int
}

// Hub imports findings into Security Hub.
type Hub struct {
	cfg     Config
	mu      sync.Mutex
	clients map[pair]*client
}

// New returns a Hub; nothing is sent until Import or ImportAndResolve.
func New(cfg Config) *Hub {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	return &Hub{cfg: cfg, clients: map[pair]*client{}}
}

// Result is what became of a run's findings.
type Result struct {
	// Imported counts this run's findings Security Hub accepted.
	Imported int
	// Archived counts findings Security Hub accepted as ARCHIVED: this run's passes and earlier
	// findings that are resolved (ImportAndResolve only).
	Archived int
	// Failed lists each finding Security Hub rejected or that could not be sent, and each
	// (account, region) whose earlier findings could not be read; sorted by account, region, id.
	Failed []Failure
	// Unresolved lists the (account, region) pairs of the scope whose earlier findings were left
	// alone on purpose, with why (the run could not read them).
	Unresolved []Unresolved
}

// Failure is one finding that did not make it, or one listing that failed.
type Failure struct {
	// ID is the finding id; empty for a failed GetFindings.
	ID        string `json:"id,omitempty"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Operation string `json:"operation"`
	// Code is the AWS error code, empty when no AWS answer came (unreachable, timed out).
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

func (f Failure) String() string {
	where := f.Account + " " + f.Region
	if f.ID != "" {
		where = f.ID
	}
	code := ""
	if f.Code != "" {
		code = f.Code + ": "
	}
	return fmt.Sprintf("%s: %s %s%s", f.Operation, where, code, f.Message)
}

// Unresolved is a pair of the scope that resolve did not touch.
type Unresolved struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Reason  string `json:"reason"`
}

// OK reports whether every finding was taken and every listing read.
func (r *Result) OK() bool { return len(r.Failed) == 0 }

// Summary is one line for standard error.
func (r *Result) Summary() string {
	s := fmt.Sprintf("security hub: %d findings imported", r.Imported)
	if r.Archived > 0 {
		s += fmt.Sprintf(", %d archived as resolved", r.Archived)
	}
	if n := len(r.Failed); n > 0 {
		s += fmt.Sprintf(", %d failed", n)
	}
	return s
}

// Import sends the report's findings (render.ASFF) to the Security Hub of their account and region.
// The error is for a report that cannot be ASFF, and for an interrupted run (ctx), whose Result
// then says what was done; findings that Security Hub rejected are in Result.Failed.
func (h *Hub) Import(ctx context.Context, rep *finding.Report) (*Result, error) {
	work, err := h.prepare(rep)
	if err != nil {
		return nil, err
	}
	return h.run(ctx, work, nil)
}

// prepare turns a report into the work of each (account, region) pair.
func (h *Hub) prepare(rep *finding.Report) (map[pair]*pairWork, error) {
	if h.cfg.Clients == nil {
		return nil, errNoConfig
	}
	findings, err := render.ASFF(rep)
	if err != nil {
		return nil, err
	}
	return h.plan(findings)
}

// errNoConfig is a Hub built without AWS settings: nothing could be signed or sent.
var errNoConfig = errors.New("security hub: no AWS configuration (Config.Clients is nil)")

// pair is one account in one region: one Security Hub.
type pair struct{ partition, account, region string }

func (p pair) productArn() string { return render.ASFFProductArn(p.partition, p.region, p.account) }

func (p pair) less(q pair) bool {
	if p.account != q.account {
		return p.account < q.account
	}
	return p.region < q.region
}

// job is one finding to send.
type job struct {
	f       types.AwsSecurityFinding
	current bool // one of this run's findings, not an earlier one being archived
	size    int
}

func (j *job) id() string { return aws.ToString(j.f.Id) }

func (j *job) archive() bool { return j.f.RecordState == types.RecordStateArchived }

// pairWork is what to do in one pair.
type pairWork struct {
	pair pair
	jobs []*job
	// current indexes this run's findings of the pair by id.
	current map[string]*job
}

// plan groups findings by the Security Hub they belong to, refusing findings that do not say
// which that is consistently, and ids given twice.
func (h *Hub) plan(findings []render.ASFFFinding) (map[pair]*pairWork, error) {
	out := map[pair]*pairWork{}
	for i := range findings {
		f := &findings[i]
		p, err := productPair(f.ProductArn)
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", f.ID, err)
		}
		if p.account != f.AwsAccountID {
			return nil, fmt.Errorf("finding %s: ProductArn %s is not of account %s (AwsAccountId); Security Hub takes a finding only in its own account", f.ID, f.ProductArn, f.AwsAccountID)
		}
		if f.ID == "" {
			return nil, fmt.Errorf("a finding of %s has no Id", f.ProductArn)
		}
		w := out[p]
		if w == nil {
			w = &pairWork{pair: p, current: map[string]*job{}}
			out[p] = w
		}
		if _, dup := w.current[f.ID]; dup {
			return nil, fmt.Errorf("finding %s is given twice for %s", f.ID, f.ProductArn)
		}
		j := &job{f: toSDK(f), current: true}
		w.current[f.ID] = j
		w.jobs = append(w.jobs, j)
	}
	return out, nil
}

// productPair reads the account, region and partition of a default product ARN.
func productPair(arn string) (pair, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "securityhub" {
		return pair{}, fmt.Errorf("ProductArn %q is not a Security Hub product ARN", arn)
	}
	p := pair{partition: parts[1], region: parts[3], account: parts[4]}
	if p.productArn() != arn {
		return pair{}, fmt.Errorf("ProductArn %q is not the account's default product (want %s)", arn, p.productArn())
	}
	if render.ASFFPartition(p.region) != p.partition {
		return pair{}, fmt.Errorf("ProductArn %q names region %s in partition %s", arn, p.region, p.partition)
	}
	return p, nil
}

// run works on every pair, a few at once, and gathers the results in a stable order.
func (h *Hub) run(ctx context.Context, work map[pair]*pairWork, rs *resolver) (*Result, error) {
	pairs := make([]pair, 0, len(work))
	for p := range work {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].less(pairs[j]) })
	results := make([]Result, len(pairs))
	sem := make(chan struct{}, h.cfg.Parallel)
	var wg sync.WaitGroup
	for i, p := range pairs {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, w *pairWork) {
			defer func() { <-sem; wg.Done() }()
			if rs != nil {
				rs.prepare(ctx, h, w, &results[i])
			}
			h.send(ctx, w, &results[i])
		}(i, work[p])
	}
	wg.Wait()
	res := &Result{Failed: []Failure{}, Unresolved: []Unresolved{}}
	for _, r := range results {
		res.Imported += r.Imported
		res.Archived += r.Archived
		res.Failed = append(res.Failed, r.Failed...)
		res.Unresolved = append(res.Unresolved, r.Unresolved...)
	}
	sort.SliceStable(res.Failed, func(i, j int) bool {
		a, b := res.Failed[i], res.Failed[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.ID < b.ID
	})
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("security hub: interrupted; %s so far: %w", strings.TrimPrefix(res.Summary(), "security hub: "), err)
	}
	return res, nil
}

// client returns the client of a pair, building it on first use.
func (h *Hub) client(p pair) *client {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.clients[p]
	if !ok {
		c = newClient(h.cfg.Clients, h.cfg.Credentials[p.account], p.region)
		h.clients[p] = c
	}
	return c
}

// send imports the jobs of one pair in batches. After a call that says every later call would fail
// the same way (access refused, endpoint unreachable), the rest of the pair is reported with that
// error instead of being sent: an unreachable endpoint costs one call's retries, not one per batch.
func (h *Hub) send(ctx context.Context, w *pairWork, res *Result) {
	if len(w.jobs) == 0 {
		return
	}
	fail := func(j *job, code, msg string) {
		res.Failed = append(res.Failed, Failure{ID: j.id(), Account: w.pair.account, Region: w.pair.region, Operation: OpImport, Code: code, Message: msg})
	}
	var ready []*job
	for _, j := range w.jobs {
		b, err := json.Marshal(j.f)
		switch {
		case err != nil:
			fail(j, "", "cannot encode the finding: "+err.Error())
			continue
		case len(b) > MaxFindingBytes:
			fail(j, "FindingTooLarge", fmt.Sprintf("the finding is %d bytes, over Security Hub's %d; not sent", len(b), MaxFindingBytes))
			continue
		}
		j.size = len(b)
		ready = append(ready, j)
	}
	c := h.client(w.pair)
	var stopped error
	for _, batch := range batches(ready) {
		if ctx.Err() != nil {
			return
		}
		if stopped != nil {
			for _, j := range batch {
				fail(j, errorCode(stopped), awsapi.Message(stopped)+" (not sent: an earlier call to this account and region failed so)")
			}
			continue
		}
		in := &shub.BatchImportFindingsInput{Findings: make([]types.AwsSecurityFinding, len(batch))}
		for i, j := range batch {
			in.Findings[i] = j.f
		}
		out, err := c.api.BatchImportFindings(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			for _, j := range batch {
				fail(j, errorCode(err), awsapi.Message(err))
			}
			if pairFatal(err) {
				stopped = err
			}
			continue
		}
		h.accept(batch, out, res, fail)
	}
}

// accept reads one answer. It must account for the whole batch: an answer whose counts do not add
// up, or that names findings eksguard did not send, cannot tell which findings were taken, so
// every finding it does not name as failed is reported as unconfirmed rather than counted.
func (h *Hub) accept(batch []*job, out *shub.BatchImportFindingsOutput, res *Result, fail func(*job, string, string)) {
	byID := make(map[string]*job, len(batch))
	for _, j := range batch {
		byID[j.id()] = j
	}
	named := map[string]bool{}
	strange := 0
	for _, ff := range out.FailedFindings {
		id := aws.ToString(ff.Id)
		j, ok := byID[id]
		if !ok || named[id] {
			strange++
			continue
		}
		named[id] = true
		msg := aws.ToString(ff.ErrorMessage)
		if msg == "" {
			msg = "rejected without a message"
		}
		fail(j, aws.ToString(ff.ErrorCode), msg)
	}
	success, failed := int(aws.ToInt32(out.SuccessCount)), int(aws.ToInt32(out.FailedCount))
	if strange > 0 || failed != len(named) || success+failed != len(batch) {
		msg := fmt.Sprintf("BatchImportFindings answered SuccessCount %d and FailedCount %d, listing %d failures (%d not of this call), for a call of %d findings; whether this one was taken cannot be told",
			success, failed, len(out.FailedFindings), strange, len(batch))
		for _, j := range batch {
			if !named[j.id()] {
				fail(j, "InconsistentAnswer", msg)
			}
		}
		return
	}
	for _, j := range batch {
		if named[j.id()] {
			continue
		}
		if j.current {
			res.Imported++
		}
		if j.archive() {
			res.Archived++
		}
	}
}

// batches cuts jobs into calls of at most MaxBatch findings and maxBatchBytes.
func batches(jobs []*job) [][]*job {
	var out [][]*job
	var cur []*job
	size := 0
	for _, j := range jobs {
		if len(cur) == MaxBatch || (len(cur) > 0 && size+j.size > maxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, j)
		size += j.size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
