package securityhub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"golang.org/x/time/rate"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/render"
)

// TestPartialFailures: findings Security Hub rejects in the first, a middle or the last call are
// reported one by one, with their code and message; the others count as imported.
func TestPartialFailures(t *testing.T) {
	rep := report(t0, []string{"5.4.1"}, manyClusters(250, finding.Fail)...)
	id := func(i int) string { return clusterID(acct, "us-east-1", fmt.Sprintf("c%03d", i), "5.4.1") }
	tests := []struct {
		name   string
		reject []int // indexes of the clusters rejected (the calls hold 0-99, 100-199, 200-249)
	}{
		{"none", nil},
		{"first call", []int{0, 57}},
		{"middle call", []int{100, 150, 199}},
		{"last call", []int{249}},
		{"first, middle and last", []int{3, 120, 230}},
		{"a whole call", seq(100, 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			bad := map[string]bool{}
			var want []string
			for _, i := range tt.reject {
				bad[id(i)] = true
				want = append(want, id(i))
			}
			sort.Strings(want)
			f.onImport = func(n int, c fakeCall) any {
				var failed []map[string]string
				for _, got := range c.ids() {
					if bad[got] {
						failed = append(failed, map[string]string{"Id": got, "ErrorCode": "InvalidInput", "ErrorMessage": "Finding does not adhere to ASFF"})
					}
				}
				return map[string]any{"FailedCount": len(failed), "SuccessCount": len(c.Findings) - len(failed), "FailedFindings": failed}
			}
			res, err := testHub(f.srv.URL, newCounter()).Import(context.Background(), rep)
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != 250-len(want) || !equal(failureIDs(res.Failed), want) || res.OK() != (len(want) == 0) {
				t.Fatalf("imported %d, failed %v; want %d and %v", res.Imported, failureIDs(res.Failed), 250-len(want), want)
			}
			for _, fl := range res.Failed {
				if fl.Code != "InvalidInput" || fl.Message != "Finding does not adhere to ASFF" || fl.Operation != OpImport || fl.Account != acct || fl.Region != "us-east-1" {
					t.Errorf("failure = %+v", fl)
				}
			}
			if calls := f.importCalls(); len(calls) != 3 || len(calls[0].Findings) != 100 || len(calls[1].Findings) != 100 || len(calls[2].Findings) != 50 {
				t.Errorf("%d calls", len(calls))
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestThrottledThenImported: throttling is retried by the SDK's retryer and costs nothing.
func TestThrottledThenImported(t *testing.T) {
	for _, code := range []string{"TooManyRequestsException", "LimitExceededException", "ThrottlingException"} {
		t.Run(code, func(t *testing.T) {
			f := newFake(t)
			f.onImport = func(n int, c fakeCall) any {
				if n < 2 {
					return apiError{http.StatusTooManyRequests, code, "Rate exceeded"}
				}
				return nil
			}
			res, err := testHub(f.srv.URL, newCounter()).Import(context.Background(), report(t0, []string{"5.4.1"}, manyClusters(250, finding.Fail)...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != 250 || !res.OK() {
				t.Errorf("imported %d, failed %v", res.Imported, res.Failed)
			}
			if n := len(f.importCalls()); n != 5 {
				t.Errorf("%d calls, want 2 throttled and 3 taken", n)
			}
		})
	}
}

// TestCallsThatFail: a call that fails after its retries fails every finding it carried. When the
// failure says the next call would fail alike (refused, throttled or failing throughout), the rest
// of the account and region is reported without being sent.
func TestCallsThatFail(t *testing.T) {
	tests := []struct {
		name   string
		answer apiError
		calls  int
		code   string
		says   string
	}{
		{"server error throughout", apiError{500, "InternalException", "internal error"}, 4, "InternalException", "internal error"},
		{"HTTP 502 without a code", apiError{502, "", "bad gateway"}, 4, "", "HTTP 502"},
		{"throttled throughout", apiError{429, "TooManyRequestsException", "Rate exceeded"}, 4, "TooManyRequestsException", "throttled"},
		{"access denied", apiError{403, "AccessDeniedException", "not authorized to perform securityhub:BatchImportFindings"}, 1, "AccessDeniedException", "not authorized"},
		{"not subscribed", apiError{401, "InvalidAccessException", "Account 123456789012 is not subscribed to AWS Security Hub"}, 1, "InvalidAccessException", "not subscribed"},
		// A call refused for what it carried: the next call may be fine, so each is sent once.
		{"invalid input", apiError{400, "InvalidInputException", "Invalid finding"}, 3, "InvalidInputException", "Invalid finding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onImport = func(int, fakeCall) any { return tt.answer }
			res, err := testHub(f.srv.URL, newCounter()).Import(context.Background(), report(t0, []string{"5.4.1"}, manyClusters(250, finding.Fail)...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != 0 || len(res.Failed) != 250 || res.OK() {
				t.Fatalf("imported %d, %d failed", res.Imported, len(res.Failed))
			}
			for _, fl := range res.Failed {
				if fl.Code != tt.code || !strings.Contains(fl.Message, tt.says) || fl.ID == "" {
					t.Fatalf("failure = %+v, want code %q saying %q", fl, tt.code, tt.says)
				}
			}
			if n := len(f.importCalls()); n != tt.calls {
				t.Errorf("%d calls, want %d", n, tt.calls)
			}
		})
	}
}

// TestUnreachable: nothing listens; the first call's attempts fail and the rest is not tried.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	c := newCounter()
	res, err := testHub(url, c).Import(context.Background(), report(t0, []string{"5.4.1"}, manyClusters(101, finding.Fail)...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 0 || len(res.Failed) != 101 {
		t.Fatalf("imported %d, %d failed", res.Imported, len(res.Failed))
	}
	if fl := res.Failed[0]; fl.Code != "" || !strings.Contains(fl.Message, "connect") {
		t.Errorf("failure = %+v", fl)
	}
	if n := c.count(importPath); n != 4 {
		t.Errorf("%d attempts, want the 4 of the first call only", n)
	}
}

// TestSilentEndpoint: an endpoint that accepts the call and never answers costs each attempt its
// request timeout, never a hang.
func TestSilentEndpoint(t *testing.T) {
	f := newFake(t)
	f.onImport = func(int, fakeCall) any {
		return func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	}
	h := testHub(f.srv.URL, newCounter(), func(c *Config) { c.Clients.RequestTimeout = 100 * time.Millisecond; c.Clients.MaxAttempts = 2 })
	res, err := h.Import(context.Background(), report(t0, []string{"5.4.1"}, manyClusters(3, finding.Fail)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 3 || !strings.Contains(res.Failed[0].Message, "no complete answer within 100ms") {
		t.Fatalf("failed = %+v", res.Failed)
	}
	if n := len(f.importCalls()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// TestAnswersThatDoNotAddUp: an answer that cannot say which findings were taken leaves them
// unconfirmed, never counted as imported.
func TestAnswersThatDoNotAddUp(t *testing.T) {
	rep := report(t0, []string{"5.4.1"}, manyClusters(3, finding.Fail)...)
	tests := []struct {
		name     string
		answer   any
		calls    int
		imported int
		codes    []string
	}{
		{"empty body", "{}", 4, 0, []string{"", "", ""}},
		{"no body", "", 4, 0, []string{"", "", ""}},
		{"counts short", map[string]any{"FailedCount": 0, "SuccessCount": 2}, 1, 0, []string{"InconsistentAnswer", "InconsistentAnswer", "InconsistentAnswer"}},
		{"failure not listed", map[string]any{"FailedCount": 1, "SuccessCount": 2}, 1, 0, []string{"InconsistentAnswer", "InconsistentAnswer", "InconsistentAnswer"}},
		{"failure of another id", map[string]any{"FailedCount": 1, "SuccessCount": 2,
			"FailedFindings": []map[string]string{{"Id": "someone-else", "ErrorCode": "X", "ErrorMessage": "y"}}}, 1, 0, []string{"InconsistentAnswer", "InconsistentAnswer", "InconsistentAnswer"}},
		{"one failure, well told", map[string]any{"FailedCount": 1, "SuccessCount": 2,
			"FailedFindings": []map[string]string{{"Id": clusterID(acct, "us-east-1", "c001", "5.4.1"), "ErrorCode": "InvalidInput", "ErrorMessage": ""}}}, 1, 2, []string{"InvalidInput"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onImport = func(int, fakeCall) any { return tt.answer }
			res, err := testHub(f.srv.URL, newCounter()).Import(context.Background(), rep)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, fl := range res.Failed {
				codes = append(codes, fl.Code)
				if fl.Message == "" {
					t.Errorf("%s failed without a message", fl.ID)
				}
			}
			if res.Imported != tt.imported || !equal(codes, tt.codes) {
				t.Errorf("imported %d, failures %+v; want %d, codes %v", res.Imported, res.Failed, tt.imported, tt.codes)
			}
			if n := len(f.importCalls()); n != tt.calls {
				t.Errorf("%d calls, want %d", n, tt.calls)
			}
		})
	}
}

// TestAccountsUseTheirOwnCredentials: Security Hub takes a finding only from its own account, so
// each account's findings are signed with that account's credentials, in that finding's region.
func TestAccountsUseTheirOwnCredentials(t *testing.T) {
	f := newFake(t)
	const other = "210987654321"
	rep := report(t0, []string{"5.4.1"},
		clusterResult(acct, "us-east-1", "a", "5.4.1", finding.Fail),
		clusterResult(acct, "eu-west-1", "b", "5.4.1", finding.Fail),
		clusterResult(other, "us-east-1", "c", "5.4.1", finding.Pass),
		clusterResult(other, "ap-south-1", "d", "5.4.1", finding.Fail))
	h := testHub(f.srv.URL, newCounter(), func(c *Config) {
		c.Credentials = map[string]aws.CredentialsProvider{other: staticCreds("AKIDOTHER")}
	})
	res, err := h.Import(context.Background(), rep)
	if err != nil || res.Imported != 4 || !res.OK() {
		t.Fatalf("%+v, %v", res, err)
	}
	keys := map[string]string{acct: "AKIDTEST", other: "AKIDOTHER"}
	calls := f.importCalls()
	if len(calls) != 4 {
		t.Fatalf("%d calls, want one per account and region", len(calls))
	}
	for _, c := range calls {
		for _, fd := range c.Findings {
			account := aws.ToString(fd.AwsAccountId)
			if want := render.ASFFProductArn("aws", c.Region, account); aws.ToString(fd.ProductArn) != want || c.Key != keys[account] {
				t.Errorf("%s sent to %s signed by %s", aws.ToString(fd.Id), c.Region, c.Key)
			}
		}
	}
}

// TestCancel: an interrupted import stops between calls, says so, and counts what was done.
func TestCancel(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCounter()
	c.after = func(*http.Request) { cancel() }
	res, err := testHub(f.srv.URL, c).Import(ctx, report(t0, []string{"5.4.1"}, manyClusters(250, finding.Fail)...))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v", err)
	}
	if res == nil || res.Imported > 100 || len(res.Failed) != 0 {
		t.Fatalf("result = %+v", res)
	}
	if n := len(f.importCalls()); n != 1 {
		t.Errorf("%d calls after the interruption, want 1", n)
	}
}

// TestBatches: at most 100 findings and at most maxBatchBytes a call.
func TestBatches(t *testing.T) {
	mk := func(n, size int) []*job {
		out := make([]*job, n)
		for i := range out {
			out[i] = &job{size: size}
		}
		return out
	}
	tests := []struct {
		name string
		jobs []*job
		want []int
	}{
		{"none", nil, nil},
		{"one", mk(1, 3000), []int{1}},
		{"100", mk(100, 3000), []int{100}},
		{"101", mk(101, 3000), []int{100, 1}},
		{"250", mk(250, 3000), []int{100, 100, 50}},
		{"large findings", mk(12, 1<<20), []int{5, 5, 2}},
		{"largest allowed", mk(30, MaxFindingBytes), []int{21, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, b := range batches(tt.jobs) {
				size := 0
				for _, j := range b {
					size += j.size
				}
				if size > maxBatchBytes || len(b) > MaxBatch {
					t.Errorf("a call of %d findings, %d bytes", len(b), size)
				}
				got = append(got, len(b))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("calls of %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTooLarge: a finding over Security Hub's 240 KB is reported, not sent; the rest goes.
func TestTooLarge(t *testing.T) {
	f := newFake(t)
	h := testHub(f.srv.URL, newCounter())
	findings, err := render.ASFF(report(t0, []string{"5.4.1"}, manyClusters(3, finding.Fail)...))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		findings[1].ProductFields[fmt.Sprintf("eksguard/x%d", i)] = strings.Repeat("x", 2048)
	}
	for i := 0; i < 30; i++ {
		findings[1].Resources = append(findings[1].Resources, findings[1].Resources[0])
	}
	findings[1].Description = strings.Repeat("d", 200<<10)
	work, err := h.plan(findings)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.run(context.Background(), work, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || len(res.Failed) != 1 || res.Failed[0].Code != "FindingTooLarge" || res.Failed[0].ID != findings[1].ID {
		t.Errorf("%+v", res)
	}
	for _, sent := range f.imported() {
		if aws.ToString(sent.Id) == findings[1].ID {
			t.Error("the finding too large was sent")
		}
	}
}

// TestPlanRefuses: findings that do not say consistently where they belong are not sent anywhere.
func TestPlanRefuses(t *testing.T) {
	base, err := render.ASFF(report(t0, []string{"5.4.1"}, manyClusters(2, finding.Fail)...))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(fs []render.ASFFFinding)
		want string
	}{
		{"another account's product", func(fs []render.ASFFFinding) { fs[0].AwsAccountID = "999999999999" }, "not of account 999999999999"},
		{"not a product ARN", func(fs []render.ASFFFinding) { fs[0].ProductArn = "arn:aws:eks:us-east-1:123456789012:cluster/x" }, "not a Security Hub product ARN"},
		{"a partner product", func(fs []render.ASFFFinding) {
			fs[0].ProductArn = "arn:aws:securityhub:us-east-1::product/partner/tool"
		}, "not the account's default product"},
		{"partition of another region", func(fs []render.ASFFFinding) {
			fs[0].ProductArn = render.ASFFProductArn("aws", "cn-north-1", acct)
		}, "partition"},
		{"the same id twice", func(fs []render.ASFFFinding) { fs[1].ID = fs[0].ID }, "given twice"},
		{"no id", func(fs []render.ASFFFinding) { fs[0].ID = "" }, "no Id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := append([]render.ASFFFinding(nil), base...)
			tt.mod(fs)
			if _, err := New(Config{}).plan(fs); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestImportRefusesIaC: a report of declared clusters is not imported at all.
func TestImportRefusesIaC(t *testing.T) {
	r := manyClusters(1, finding.Fail)[0]
	r.Resource = finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.main", File: "main.tf", Root: "."}
	f := newFake(t)
	h := testHub(f.srv.URL, newCounter())
	for name, call := range map[string]func() (*Result, error){
		"import": func() (*Result, error) { return h.Import(context.Background(), report(t0, []string{"5.4.1"}, r)) },
		"resolve": func() (*Result, error) {
			return h.ImportAndResolve(context.Background(), report(t0, []string{"5.4.1"}, r), Scope{})
		},
	} {
		if _, err := call(); !errors.Is(err, render.ErrASFFNeedsLive) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if len(f.importCalls())+len(f.getCalls()) != 0 {
		t.Error("a call was made")
	}
}

// earlierFinding is what Security Hub holds of an earlier eksguard import.
func earlierFinding(t *testing.T, r finding.Result) types.AwsSecurityFinding {
	t.Helper()
	fs, err := render.ASFF(report(t0, []string{r.Control}, r))
	if err != nil || len(fs) != 1 {
		t.Fatalf("%v, %d findings", err, len(fs))
	}
	out := toSDK(&fs[0])
	// What Security Hub adds on its own, which an archive must not send back.
	out.ProductName, out.CompanyName, out.Region = aws.String("Default"), aws.String("Personal"), aws.String(r.Resource.Region)
	out.ProductFields["aws/securityhub/FindingId"] = "arn:aws:securityhub:us-east-1::finding/x"
	out.Workflow = &types.Workflow{Status: types.WorkflowStatusNotified}
	return out
}

// TestResolveDecides goes through what resolve may and may not archive, one earlier finding at a
// time, against an endpoint that, like moto_server, ignores the filters it is sent.
func TestResolveDecides(t *testing.T) {
	const region = "us-east-1"
	gone := clusterResult(acct, region, "gone", "5.4.1", finding.Fail)
	mod := func(r finding.Result, f func(*types.AwsSecurityFinding)) func(*testing.T) types.AwsSecurityFinding {
		return func(t *testing.T) types.AwsSecurityFinding {
			e := earlierFinding(t, r)
			if f != nil {
				f(&e)
			}
			return e
		}
	}
	regionErrEarlier := regionError(acct, region, "5.4.1")
	scope := Scope{Accounts: []string{acct}, Regions: []string{region}}
	present := []finding.Result{
		clusterResult(acct, region, "here", "5.4.1", finding.Fail),
		clusterResult(acct, region, "registered", "5.4.2", finding.Manual),
		clusterResult(acct, region, "broken", "5.4.1", finding.Error),
	}
	tests := []struct {
		name    string
		earlier func(*testing.T) types.AwsSecurityFinding
		current []finding.Result
		skipped []string // accounts the run skipped
		scope   Scope
		want    string // the eksguard/archived reason, "" for left alone
	}{
		{"cluster gone", mod(gone, nil), present, nil, scope, archivedGone},
		{"cluster gone, other region scanned", mod(gone, nil), present, nil, Scope{Accounts: []string{acct}, Regions: []string{"eu-west-1"}}, ""},
		{"cluster gone, other account scanned", mod(gone, nil), present, nil, Scope{Accounts: []string{"210987654321"}, Regions: []string{region}}, ""},
		{"cluster gone, outside --cluster", mod(gone, nil), present, nil, Scope{Accounts: []string{acct}, Regions: []string{region}, Clusters: []string{"here"}}, ""},
		{"cluster gone, named by --cluster", mod(gone, nil), present, nil, Scope{Accounts: []string{acct}, Regions: []string{region}, Clusters: []string{"gone"}}, archivedGone},
		{"cluster gone, region unreadable now", mod(gone, nil), append(present, regionError(acct, region, "5.4.1")), nil, scope, ""},
		{"cluster gone, region unreadable for another control", mod(gone, nil), append(present, regionError(acct, region, "2.1.1")), nil, scope, ""},
		{"cluster gone, account not entered", mod(gone, nil), append(present, finding.Result{Control: "5.4.1", CheckID: "eks-endpoint-private", Status: finding.Error,
			Resource: finding.Resource{Type: finding.ResourceAccount, Name: acct, Account: acct}, Reason: "cannot assume role"}), nil, scope, ""},
		{"cluster gone, account skipped", mod(gone, nil), present, []string{acct}, scope, ""},
		{"cluster that could not be described", mod(clusterResult(acct, region, "broken", "5.4.2", finding.Fail), nil), present, nil, scope, ""},
		{"cluster still there, no finding now", mod(clusterResult(acct, region, "registered", "5.4.2", finding.Fail), nil), present, nil, scope, ""},
		{"control not evaluated now", mod(clusterResult(acct, region, "gone", "2.1.1", finding.Fail), nil), present, nil, scope, ""},
		{"region reads now", mod(regionErrEarlier, nil), present, nil, scope, archivedRead},
		{"region reads now, run limited to clusters", mod(regionErrEarlier, nil), present, nil, Scope{Accounts: []string{acct}, Regions: []string{region}, Clusters: []string{"here"}}, ""},
		{"already archived", mod(gone, func(e *types.AwsSecurityFinding) { e.RecordState = types.RecordStateArchived }), present, nil, scope, ""},
		{"another product", mod(gone, func(e *types.AwsSecurityFinding) {
			e.ProductArn = aws.String("arn:aws:securityhub:us-east-1::product/aws/guardduty")
		}), present, nil, scope, ""},
		{"another account's finding", mod(gone, func(e *types.AwsSecurityFinding) { e.AwsAccountId = aws.String("210987654321") }), present, nil, scope, ""},
		{"another generator", mod(gone, func(e *types.AwsSecurityFinding) { e.GeneratorId = aws.String("other-tool/5.4.1") }), present, nil, scope, ""},
		{"generator of another control", mod(gone, func(e *types.AwsSecurityFinding) { e.GeneratorId = aws.String("eksguard/cis-eks/5.4.2") }), present, nil, scope, ""},
		{"another benchmark", mod(gone, func(e *types.AwsSecurityFinding) {
			e.Id = aws.String(strings.Replace(aws.ToString(e.Id), "cis-eks", "cis-eks-next", 1))
			e.GeneratorId = aws.String("eksguard/cis-eks-next/5.4.1")
		}), present, nil, scope, ""},
		{"cluster of another region in the id", mod(gone, func(e *types.AwsSecurityFinding) {
			e.Id = aws.String(clusterID(acct, "eu-west-1", "gone", "5.4.1"))
		}), present, nil, scope, ""},
		{"id without a resource", mod(gone, func(e *types.AwsSecurityFinding) { e.Id = aws.String("eksguard/cis-eks/5.4.1") }), present, nil, scope, ""},
		{"id with an unknown resource", mod(gone, func(e *types.AwsSecurityFinding) { e.Id = aws.String("eksguard/cis-eks/5.4.1/something") }), present, nil, scope, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			e := tt.earlier(t)
			f.earlier = []types.AwsSecurityFinding{e}
			rep := report(t1, []string{"5.4.1", "5.4.2"}, tt.current...)
			for _, a := range tt.skipped {
				rep.Skipped = append(rep.Skipped, model.Skip{Account: a, Reason: "account is SUSPENDED in the organization"})
			}
			res, err := testHub(f.srv.URL, newCounter()).ImportAndResolve(context.Background(), rep, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 0 {
				t.Fatalf("failed: %+v", res.Failed)
			}
			var got []types.AwsSecurityFinding
			for _, sent := range f.imported() {
				if aws.ToString(sent.Id) == aws.ToString(e.Id) {
					got = append(got, sent)
				}
			}
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("archived %s (%s)", aws.ToString(e.Id), got[0].ProductFields[archivedField])
			case tt.want != "" && len(got) != 1:
				t.Errorf("sent %d times, want it archived once", len(got))
			case tt.want != "":
				a := got[0]
				if a.RecordState != types.RecordStateArchived || a.ProductFields[archivedField] != tt.want || aws.ToString(a.UpdatedAt) != "2026-11-02T10:00:00Z" ||
					a.Compliance.Status != e.Compliance.Status || aws.ToString(a.CreatedAt) != aws.ToString(e.CreatedAt) {
					t.Errorf("archived as %s, %q, updated %s, compliance %s", a.RecordState, a.ProductFields[archivedField], aws.ToString(a.UpdatedAt), a.Compliance.Status)
				}
				if a.ProductName != nil || a.CompanyName != nil || a.Region != nil || a.Workflow != nil || a.Note != nil || a.ProductFields["aws/securityhub/FindingId"] != "" {
					t.Errorf("archive sends back what only Security Hub or its users set: %+v", a)
				}
				if a.ProductFields["eksguard/checkId"] == "" || len(a.Resources) != 1 || a.Title == nil || a.Severity == nil || a.FindingProviderFields == nil {
					t.Errorf("archive lost eksguard's members: %+v", a)
				}
			}
		})
	}
}

// TestPaced: every attempt of each operation, retries included, takes a token of that operation's
// pacer in its account and region, and of no other.
func TestPaced(t *testing.T) {
	saved := []rate.Limit{importRate, getRate}
	importRate, getRate = 1e-9, 1e-9 // no refill while the test runs
	defer func() { importRate, getRate = saved[0], saved[1] }()
	f := newFake(t)
	east := 0 // guarded by f.mu, which the fake holds while it answers
	f.onImport = func(n int, c fakeCall) any {
		if c.Region == "us-east-1" {
			east++
			if east == 1 {
				return apiError{http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"}
			}
		}
		return nil
	}
	h := testHub(f.srv.URL, newCounter())
	rep := report(t0, []string{"5.4.1"}, append(manyClusters(150, finding.Fail), clusterResult(acct, "eu-west-1", "w", "5.4.1", finding.Fail))...)
	res, err := h.ImportAndResolve(context.Background(), rep, Scope{Accounts: []string{acct}, Regions: []string{"us-east-1"}})
	if err != nil || res.Imported != 151 || !res.OK() {
		t.Fatalf("%+v, %v", res, err)
	}
	tests := []struct {
		region        string
		imports, gets int // calls made
	}{
		{"us-east-1", 3, 1}, // one throttled attempt, two calls taken; one listing
		{"eu-west-1", 1, 0}, // outside the scope: imported, not listed
	}
	for _, tt := range tests {
		c := h.client(pair{"aws", acct, tt.region})
		if got := float64(importBurst) - c.imports.Tokens(); got < float64(tt.imports)-0.01 || got > float64(tt.imports)+0.01 {
			t.Errorf("%s: %.2f import tokens taken, want %d", tt.region, got, tt.imports)
		}
		if got := float64(getBurst) - c.gets.Tokens(); got < float64(tt.gets)-0.01 || got > float64(tt.gets)+0.01 {
			t.Errorf("%s: %.2f listing tokens taken, want %d", tt.region, got, tt.gets)
		}
	}
}

// refuse is a transport that records where a request was going and sends nothing.
type refuse struct {
	mu    sync.Mutex
	hosts []string
}

func (r *refuse) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.hosts = append(r.hosts, req.URL.Host)
	r.mu.Unlock()
	return nil, errors.New("offline")
}

// TestRealEndpoints: without an endpoint override, each region's findings go to that region's
// Security Hub endpoint, in its partition.
func TestRealEndpoints(t *testing.T) {
	tests := []struct{ region, host string }{
		{"us-east-1", "securityhub.us-east-1.amazonaws.com"},
		{"cn-north-1", "securityhub.cn-north-1.amazonaws.com.cn"},
		{"us-gov-west-1", "securityhub.us-gov-west-1.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			tr := &refuse{}
			h := testHub("", nil, func(c *Config) { c.Clients.HTTPClient = tr; c.Clients.MaxAttempts = 1 })
			res, err := h.Import(context.Background(), report(t0, []string{"5.4.1"}, clusterResult(acct, tt.region, "x", "5.4.1", finding.Fail)))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Message, "offline") {
				t.Errorf("failed = %+v", res.Failed)
			}
			if len(tr.hosts) != 1 || tr.hosts[0] != tt.host {
				t.Errorf("went to %v, want %s", tr.hosts, tt.host)
			}
		})
	}
}

func TestReportScope(t *testing.T) {
	rep := report(t1, []string{"5.4.1"},
		clusterResult(acct, "us-east-1", "a", "5.4.1", finding.Pass),
		clusterResult("210987654321", "eu-west-1", "b", "5.4.1", finding.Fail),
		regionError(acct, "ap-south-1", "5.4.1"),
		finding.Result{Control: "5.4.1", Status: finding.Error, Resource: finding.Resource{Type: finding.ResourceAccount, Name: "999999999999", Account: "999999999999"}})
	got := ReportScope(rep, []string{"a"})
	want := Scope{Accounts: []string{acct, "210987654321"}, Regions: []string{"ap-south-1", "eu-west-1", "us-east-1"}, Clusters: []string{"a"}}
	sort.Strings(want.Accounts)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ReportScope = %+v, want %+v", got, want)
	}
	if s := ReportScope(report(t1, nil), nil); len(s.Accounts)+len(s.Regions) != 0 {
		t.Errorf("empty report: %+v", s)
	}
}

// TestNoConfiguration: a Hub without AWS settings refuses before sending anything.
func TestNoConfiguration(t *testing.T) {
	rep := report(t0, []string{"5.4.1"}, manyClusters(2, finding.Fail)...)
	for name, call := range map[string]func(*Hub) (*Result, error){
		"import":  func(h *Hub) (*Result, error) { return h.Import(context.Background(), rep) },
		"resolve": func(h *Hub) (*Result, error) { return h.ImportAndResolve(context.Background(), rep, Scope{}) },
	} {
		if _, err := call(New(Config{})); !errors.Is(err, errNoConfig) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
