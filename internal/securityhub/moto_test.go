package securityhub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	shub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/testenv"
)

// startMoto starts moto_server with the AWS settings isolated; reset empties it between cases.
func startMoto(t *testing.T) (url string, reset func()) {
	t.Helper()
	url = testenv.StartMoto(t)
	testenv.IsolateAWS(t, "us-east-1")
	return url, func() {
		t.Helper()
		resp, err := http.Post(url+"/moto-api/reset", "application/json", nil)
		if err != nil {
			t.Fatalf("reset moto: %v", err)
		}
		resp.Body.Close()
	}
}

// TestMoto runs the comparisons with moto_server, an independent Security Hub double, on one
// server emptied between them.
func TestMoto(t *testing.T) {
	url, reset := startMoto(t)
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, string, func())
	}{
		{"import", testImportMoto},
		{"re-import", testReimportUpdatesMoto},
		{"regions", testRegionsRoutedMoto},
		{"resolve", testResolveMoto},
		{"aws CLI", testAWSCLIAcceptsASFF},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, url, reset) })
	}
}

// testImportMoto imports 0, 1, 100, 101 and 250 findings into moto_server and reads them back:
// every finding arrives once, in ceil(n/100) calls, as --format asff writes it.
func testImportMoto(t *testing.T, url string, reset func()) {
	for _, n := range []int{0, 1, 100, 101, 250} {
		t.Run(fmt.Sprintf("%d findings", n), func(t *testing.T) {
			reset()
			c := newCounter()
			rep := report(t0, []string{"5.4.1"}, manyClusters(n, finding.Fail)...)
			res, err := testHub(url, c).Import(context.Background(), rep)
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != n || res.Archived != 0 || len(res.Failed) != 0 || !res.OK() {
				t.Fatalf("result = %+v", res)
			}
			if got, want := c.count(importPath), (n+MaxBatch-1)/MaxBatch; got != want {
				t.Errorf("%d BatchImportFindings calls, want %d", got, want)
			}
			back := readBack(t, url, "us-east-1")
			if len(back) != n {
				t.Fatalf("moto holds %d findings, want %d", len(back), n)
			}
			want, err := render.ASFF(rep)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				got, ok := back[w.ID]
				if !ok {
					t.Errorf("%s was not stored", w.ID)
					continue
				}
				sameAsWritten(t, &w, &got)
			}
		})
	}
}

// sameAsWritten compares what Security Hub holds with what --format asff printed.
func sameAsWritten(t *testing.T, w *render.ASFFFinding, got *types.AwsSecurityFinding) {
	t.Helper()
	checks := []struct{ name, got, want string }{
		{"ProductArn", aws.ToString(got.ProductArn), w.ProductArn},
		{"GeneratorId", aws.ToString(got.GeneratorId), w.GeneratorID},
		{"AwsAccountId", aws.ToString(got.AwsAccountId), w.AwsAccountID},
		{"Title", aws.ToString(got.Title), w.Title},
		{"Description", aws.ToString(got.Description), w.Description},
		{"CreatedAt", aws.ToString(got.CreatedAt), w.CreatedAt},
		{"UpdatedAt", aws.ToString(got.UpdatedAt), w.UpdatedAt},
		{"Severity", string(got.Severity.Label), w.Severity.Label},
		{"Compliance", string(got.Compliance.Status), w.Compliance.Status},
		{"RelatedRequirements", got.Compliance.RelatedRequirements[0], w.Compliance.RelatedRequirements[0]},
		{"RecordState", string(got.RecordState), w.RecordState},
		{"Workflow", string(got.Workflow.Status), w.Workflow.Status},
		{"Recommendation", aws.ToString(got.Remediation.Recommendation.Text), w.Remediation.Recommendation.Text},
		{"Resource", aws.ToString(got.Resources[0].Id), w.Resources[0].ID},
		{"Partition", string(got.Resources[0].Partition), w.Resources[0].Partition},
		{"ClusterName", aws.ToString(got.Resources[0].Details.AwsEksCluster.Name), w.Resources[0].Details.AwsEksCluster.Name},
		{"checkId", got.ProductFields["eksguard/checkId"], w.ProductFields["eksguard/checkId"]},
		{"ProviderSeverity", string(got.FindingProviderFields.Severity.Label), w.FindingProviderFields.Severity.Label},
		{"Types", got.Types[0], w.Types[0]},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %s = %q, want %q", w.ID, c.name, c.got, c.want)
		}
	}
}

// testReimportUpdatesMoto: the next run's findings update the same findings, never add to them.
func testReimportUpdatesMoto(t *testing.T, url string, reset func()) {
	reset()
	h := testHub(url, newCounter())
	if _, err := h.Import(context.Background(), report(t0, []string{"5.4.1"}, manyClusters(3, finding.Fail)...)); err != nil {
		t.Fatal(err)
	}
	res, err := h.Import(context.Background(), report(t1, []string{"5.4.1"}, manyClusters(3, finding.Pass)...))
	if err != nil || res.Imported != 3 {
		t.Fatalf("second import: %+v, %v", res, err)
	}
	back := readBack(t, url, "us-east-1")
	if len(back) != 3 {
		t.Fatalf("moto holds %d findings after re-importing 3", len(back))
	}
	for id, f := range back {
		if f.Compliance.Status != types.ComplianceStatusPassed || f.Severity.Label != types.SeverityLabelInformational || aws.ToString(f.UpdatedAt) != "2026-11-02T09:00:00Z" {
			t.Errorf("%s: %s, %s, updated %s", id, f.Compliance.Status, f.Severity.Label, aws.ToString(f.UpdatedAt))
		}
	}
}

// testRegionsRoutedMoto: each finding goes to the Security Hub of its own region.
func testRegionsRoutedMoto(t *testing.T, url string, reset func()) {
	reset()
	rep := report(t0, []string{"5.4.1"},
		clusterResult(acct, "us-east-1", "east", "5.4.1", finding.Fail),
		clusterResult(acct, "eu-west-1", "west", "5.4.1", finding.Fail),
		clusterResult(acct, "eu-west-1", "west2", "5.4.1", finding.Pass))
	res, err := testHub(url, newCounter()).Import(context.Background(), rep)
	if err != nil || res.Imported != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	for region, want := range map[string][]string{
		"us-east-1":    {clusterID(acct, "us-east-1", "east", "5.4.1")},
		"eu-west-1":    {clusterID(acct, "eu-west-1", "west", "5.4.1"), clusterID(acct, "eu-west-1", "west2", "5.4.1")},
		"ap-south-1":   nil,
		"eu-central-1": nil,
	} {
		var got []string
		for id := range readBack(t, url, region) {
			got = append(got, id)
		}
		sort.Strings(got)
		if !equal(got, want) {
			t.Errorf("%s holds %v, want %v", region, got, want)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testResolveMoto runs two scans against moto_server: the second archives what it shows resolved
// and nothing it cannot vouch for.
func testResolveMoto(t *testing.T, url string, reset func()) {
	ctx := context.Background()
	earlier := report(t0, []string{"2.1.1", "5.4.1"},
		clusterResult(acct, "us-east-1", "fixed", "5.4.1", finding.Fail),
		clusterResult(acct, "us-east-1", "deleted", "5.4.1", finding.Fail),
		clusterResult(acct, "us-east-1", "deleted", "2.1.1", finding.Fail),
		clusterResult(acct, "us-east-1", "still-bad", "5.4.1", finding.Fail),
		clusterResult(acct, "us-east-1", "unreadable", "5.4.1", finding.Fail),
		clusterResult(acct, "eu-west-1", "elsewhere", "5.4.1", finding.Fail),
		clusterResult(acct, "us-west-2", "behind-error", "5.4.1", finding.Fail),
		regionError(acct, "us-east-1", "5.4.1"),
	)
	foreign := types.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"), Id: aws.String("other-tool/finding-1"), ProductArn: aws.String(render.ASFFProductArn("aws", "us-east-1", acct)),
		GeneratorId: aws.String("other-tool/rule"), AwsAccountId: aws.String(acct), Types: []string{"Software and Configuration Checks"},
		CreatedAt: aws.String("2026-10-01T00:00:00Z"), UpdatedAt: aws.String("2026-10-01T00:00:00Z"), Severity: &types.Severity{Label: types.SeverityLabelLow},
		Title: aws.String("not eksguard's"), Description: aws.String("a finding of another product"), RecordState: types.RecordStateActive,
		Resources: []types.Resource{{Type: aws.String("Other"), Id: aws.String("x")}},
	}
	unreadable := clusterResult(acct, "us-east-1", "unreadable", "5.4.1", finding.Error)
	current := report(t1, []string{"5.4.1"},
		clusterResult(acct, "us-east-1", "fixed", "5.4.1", finding.Pass),
		clusterResult(acct, "us-east-1", "still-bad", "5.4.1", finding.Fail),
		unreadable,
		regionError(acct, "us-west-2", "5.4.1"),
	)
	setup := func(t *testing.T) *Hub {
		reset()
		h := testHub(url, newCounter())
		if res, err := h.Import(ctx, earlier); err != nil || !res.OK() || res.Imported != 8 {
			t.Fatalf("earlier import: %+v, %v", res, err)
		}
		c := shub.New(shub.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: staticCreds("AKIDTEST")})
		if _, err := c.BatchImportFindings(ctx, &shub.BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{foreign}}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	type state struct {
		record     types.RecordState
		compliance types.ComplianceStatus
	}
	active := func(c types.ComplianceStatus) state { return state{types.RecordStateActive, c} }
	archived := func(c types.ComplianceStatus) state { return state{types.RecordStateArchived, c} }
	tests := []struct {
		name       string
		scope      Scope
		imported   int
		archived   int
		unresolved []string
		// carried: the run listed us-east-1, so an updated finding keeps its first dates.
		carried bool
		want    map[string]state
	}{
		{
			name:  "every cluster",
			scope: Scope{Accounts: []string{acct}, Regions: []string{"us-east-1", "us-west-2"}},
			// fixed, still-bad, unreadable and the us-west-2 region error; fixed is archived
			// with them, then deleted and the us-east-1 region error that is no more.
			imported: 4, archived: 3, unresolved: []string{"us-west-2"}, carried: true,
			want: map[string]state{
				clusterID(acct, "us-east-1", "fixed", "5.4.1"):             archived(types.ComplianceStatusPassed),
				clusterID(acct, "us-east-1", "deleted", "5.4.1"):           archived(types.ComplianceStatusFailed),
				clusterID(acct, "us-east-1", "deleted", "2.1.1"):           active(types.ComplianceStatusFailed), // 2.1.1 not evaluated now
				clusterID(acct, "us-east-1", "still-bad", "5.4.1"):         active(types.ComplianceStatusFailed),
				clusterID(acct, "us-east-1", "unreadable", "5.4.1"):        active(types.ComplianceStatusNotAvailable),
				clusterID(acct, "eu-west-1", "elsewhere", "5.4.1"):         active(types.ComplianceStatusFailed), // region not scanned
				clusterID(acct, "us-west-2", "behind-error", "5.4.1"):      active(types.ComplianceStatusFailed), // region not readable
				render.ASFFRegionID("cis-eks", "5.4.1", acct, "us-east-1"): archived(types.ComplianceStatusNotAvailable),
				render.ASFFRegionID("cis-eks", "5.4.1", acct, "us-west-2"): active(types.ComplianceStatusNotAvailable),
				"other-tool/finding-1":                                     state{types.RecordStateActive, ""},
			},
		},
		{
			name:     "limited to named clusters",
			scope:    Scope{Accounts: []string{acct}, Regions: []string{"us-east-1", "us-west-2"}, Clusters: []string{"fixed", "still-bad", "unreadable"}},
			imported: 4, archived: 1, unresolved: []string{"us-west-2"}, carried: true,
			want: map[string]state{
				clusterID(acct, "us-east-1", "fixed", "5.4.1"):             archived(types.ComplianceStatusPassed),
				clusterID(acct, "us-east-1", "deleted", "5.4.1"):           active(types.ComplianceStatusFailed), // not asked about
				render.ASFFRegionID("cis-eks", "5.4.1", acct, "us-east-1"): active(types.ComplianceStatusNotAvailable),
			},
		},
		{
			name:     "no scope",
			scope:    Scope{},
			imported: 4, archived: 1,
			want: map[string]state{
				clusterID(acct, "us-east-1", "fixed", "5.4.1"):   archived(types.ComplianceStatusPassed),
				clusterID(acct, "us-east-1", "deleted", "5.4.1"): active(types.ComplianceStatusFailed),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			res, err := h.ImportAndResolve(ctx, current, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != tt.imported || res.Archived != tt.archived || len(res.Failed) != 0 {
				t.Errorf("imported %d, archived %d, failed %v; want %d and %d", res.Imported, res.Archived, res.Failed, tt.imported, tt.archived)
			}
			var unresolved []string
			for _, u := range res.Unresolved {
				unresolved = append(unresolved, u.Region)
			}
			if !equal(unresolved, tt.unresolved) {
				t.Errorf("unresolved %+v, want %v", res.Unresolved, tt.unresolved)
			}
			back := readBack(t, url, "us-east-1")
			for id, f := range readBack(t, url, "eu-west-1") {
				back[id] = f
			}
			for id, f := range readBack(t, url, "us-west-2") {
				back[id] = f
			}
			if len(back) != 10 {
				t.Errorf("moto holds %d findings, want the 10 there were: resolving must not add any", len(back))
			}
			for id, want := range tt.want {
				f, ok := back[id]
				if !ok {
					t.Errorf("%s is gone", id)
					continue
				}
				got := state{record: f.RecordState}
				if f.Compliance != nil {
					got.compliance = f.Compliance.Status
				}
				if got != want {
					t.Errorf("%s: %v, want %v", id, got, want)
				}
			}
			// An updated finding keeps the dates of its first import when the run listed it.
			still := back[clusterID(acct, "us-east-1", "still-bad", "5.4.1")]
			created := "2026-11-02T09:00:00Z"
			if tt.carried {
				created = "2026-11-01T09:00:00Z"
			}
			if aws.ToString(still.CreatedAt) != created || aws.ToString(still.FirstObservedAt) != created || aws.ToString(still.UpdatedAt) != "2026-11-02T09:00:00Z" {
				t.Errorf("still-bad: created %s, first observed %s, updated %s; want created %s", aws.ToString(still.CreatedAt),
					aws.ToString(still.FirstObservedAt), aws.ToString(still.UpdatedAt), created)
			}
			if tt.name == "every cluster" {
				gone := back[clusterID(acct, "us-east-1", "deleted", "5.4.1")]
				if gone.ProductFields[archivedField] != archivedGone || aws.ToString(gone.UpdatedAt) != "2026-11-02T10:00:00Z" {
					t.Errorf("deleted: archived field %q, updated %s", gone.ProductFields[archivedField], aws.ToString(gone.UpdatedAt))
				}
			}
		})
	}
}

// testAWSCLIAcceptsASFF: the file `--format asff` writes is what `aws securityhub
// batch-import-findings --findings file://...` takes.
func testAWSCLIAcceptsASFF(t *testing.T, url string, reset func()) {
	reset()
	awsCLI := testenv.RequireTool(t, "aws")
	rep := report(t0, []string{"5.4.1", "5.4.2"}, append(manyClusters(20, finding.Fail),
		clusterResult(acct, "us-east-1", "ok", "5.4.2", finding.Pass),
		clusterResult(acct, "us-east-1", "creating", "5.4.2", finding.Unknown),
		regionError(acct, "us-east-1", "5.4.2"))...)
	w, err := render.New("asff", render.Options{Command: "scan"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "findings.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(awsCLI, "securityhub", "batch-import-findings", "--findings", "file://"+file,
		"--endpoint-url", url, "--region", "us-east-1", "--output", "json")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws securityhub batch-import-findings: %v\n%s", err, out)
	}
	var answer struct{ FailedCount, SuccessCount int }
	if err := json.Unmarshal(out, &answer); err != nil {
		t.Fatalf("aws CLI answered %s: %v", out, err)
	}
	if answer.SuccessCount != 23 || answer.FailedCount != 0 {
		t.Errorf("aws CLI imported %d, failed %d; want 23 and 0", answer.SuccessCount, answer.FailedCount)
	}
	if n := len(readBack(t, url, "us-east-1")); n != 23 {
		t.Errorf("moto holds %d findings, want 23", n)
	}
}
