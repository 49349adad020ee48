package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
)

func writeASFF(t *testing.T, r *finding.Report) []byte {
	t.Helper()
	w, err := New("asff", Options{Command: "scan"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parseASFF(t *testing.T, out []byte) []ASFFFinding {
	t.Helper()
	var fs []ASFFFinding
	if err := json.Unmarshal(out, &fs); err != nil {
		t.Fatalf("asff output is not a JSON array of findings: %v", err)
	}
	return fs
}

// liveResult is a result on a live cluster.
func liveResult(control string, status finding.Status, account, region, name string) finding.Result {
	part := ASFFPartition(region)
	c, _ := benchmark.Default().Control(control)
	return finding.Result{Control: control, CheckID: c.Checks[0], Title: c.Title, Severity: "high", Status: status,
		Resource: finding.Resource{Type: finding.ResourceCluster, Name: name, Region: region, Account: account,
			ARN: "arn:" + part + ":eks:" + region + ":" + account + ":cluster/" + name},
		Reason: "public endpoint is enabled", Evidence: map[string]any{}}
}

func liveReport(results ...finding.Result) *finding.Report {
	r := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: benchmark.Default().Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: []string{"2.1.1", "5.4.1", "5.4.2"}, Results: results}
	r.Finish()
	return r
}

// edgeReport covers what the sample report does not: a waived failure, the China and GovCloud
// partitions, a baseline mark, a guarded fix, and a cluster error without an ARN.
func edgeReport() *finding.Report {
	waived := liveResult("5.4.1", finding.Fail, "222222222222", "us-east-1", "legacy")
	waived.Waived = &finding.Waived{Reason: "vendor appliance needs\nthe public endpoint", Expires: "2027-01-31", Entry: "3"}
	waived.Remediation = "aws eks update-cluster-config --region us-east-1 --name legacy --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true"
	waived.GuardedFix = "eksguard fix --region us-east-1 --cluster legacy --control 5.4.1"
	cn := liveResult("5.4.1", finding.Pass, "333333333333", "cn-north-1", "beijing")
	gov := liveResult("5.4.1", finding.Fail, "444444444444", "us-gov-west-1", "gov")
	gov.Baseline = finding.BaselineNew
	noARN := liveResult("2.1.1", finding.Error, "222222222222", "eu-west-1", "unreadable")
	noARN.Resource.ARN = ""
	noARN.Reason = "eks:DescribeCluster failed: HTTP 500 server error without an AWS error code"
	return liveReport(waived, cn, gov, noARN)
}

func TestASFFGolden(t *testing.T) {
	tests := []struct {
		name   string
		report *finding.Report
		file   string
	}{
		{"live scan", sampleReport(), "asff.report.json"},
		{"edges", edgeReport(), "asff.edge.json"},
		{"no results", liveReport(), "asff.empty.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := writeASFF(t, tt.report)
			golden(t, tt.file, out)
			checkASFF(t, parseASFF(t, out))
		})
	}
	if got := string(writeASFF(t, liveReport())); got != "[]\n" {
		t.Errorf("a report without results writes %q, want []", got)
	}
}

var (
	asffTimeRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)
	asffProductRE = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product/(\d{12})/default$`)
	asffLabels    = map[string]bool{"INFORMATIONAL": true, "LOW": true, "MEDIUM": true, "HIGH": true, "CRITICAL": true}
	asffStatuses  = map[string]bool{ASFFPassed: true, ASFFFailed: true, ASFFWarning: true, ASFFNotAvailable: true}
)

// checkASFF holds every finding to the rules of the AwsSecurityFinding reference that
// BatchImportFindings enforces: required members, enums, lengths and formats.
func checkASFF(t *testing.T, fs []ASFFFinding) {
	t.Helper()
	seen := map[string]bool{}
	nonBlank := func(id, field, v string, max int) {
		t.Helper()
		if strings.TrimSpace(v) == "" {
			t.Errorf("%s: %s is blank", id, field)
		}
		if len(v) > max {
			t.Errorf("%s: %s is %d bytes, over %d", id, field, len(v), max)
		}
		if !utf8.ValidString(v) {
			t.Errorf("%s: %s is not valid UTF-8", id, field)
		}
	}
	for _, f := range fs {
		id := f.ID
		if seen[id] {
			t.Errorf("id %s appears twice", id)
		}
		seen[id] = true
		if f.SchemaVersion != "2018-10-08" {
			t.Errorf("%s: SchemaVersion %q", id, f.SchemaVersion)
		}
		nonBlank(id, "Id", f.ID, 512)
		nonBlank(id, "GeneratorId", f.GeneratorID, 512)
		nonBlank(id, "Title", f.Title, 256)
		nonBlank(id, "Description", f.Description, 1024)
		nonBlank(id, "Remediation.Recommendation.Text", f.Remediation.Recommendation.Text, 512)
		if !strings.HasPrefix(f.ID, f.GeneratorID+"/") || !strings.HasPrefix(f.GeneratorID, "eksguard/cis-eks/") {
			t.Errorf("%s: id does not extend GeneratorId %s", id, f.GeneratorID)
		}
		m := asffProductRE.FindStringSubmatch(f.ProductArn)
		if m == nil || m[3] != f.AwsAccountID || m[4] != f.AwsAccountID {
			t.Errorf("%s: ProductArn %s is not the default product of %s", id, f.ProductArn, f.AwsAccountID)
		}
		if len(f.AwsAccountID) != 12 {
			t.Errorf("%s: AwsAccountId %q", id, f.AwsAccountID)
		}
		for _, ts := range []string{f.CreatedAt, f.UpdatedAt, f.FirstObservedAt, f.LastObservedAt} {
			if !asffTimeRE.MatchString(ts) {
				t.Errorf("%s: timestamp %q is not an ASFF timestamp", id, ts)
			}
		}
		if len(f.Types) != 1 || f.Types[0] != ASFFType || len(f.FindingProviderFields.Types) != 1 || f.FindingProviderFields.Types[0] != ASFFType {
			t.Errorf("%s: Types %v, provider types %v", id, f.Types, f.FindingProviderFields.Types)
		}
		if !asffLabels[f.Severity.Label] || f.Severity != f.FindingProviderFields.Severity || f.Severity.Original == "" || len(f.Severity.Original) > 64 {
			t.Errorf("%s: Severity %+v, provider severity %+v", id, f.Severity, f.FindingProviderFields.Severity)
		}
		if (f.Compliance.Status == ASFFPassed) != (f.Severity.Label == "INFORMATIONAL") {
			t.Errorf("%s: %s with severity %s", id, f.Compliance.Status, f.Severity.Label)
		}
		if !asffStatuses[f.Compliance.Status] || len(f.Compliance.RelatedRequirements) != 1 || !strings.HasPrefix(f.Compliance.RelatedRequirements[0], "CIS Amazon EKS Benchmark v1.8.0/") {
			t.Errorf("%s: Compliance %+v", id, f.Compliance)
		}
		if len(f.Resources) != 1 {
			t.Fatalf("%s: %d resources", id, len(f.Resources))
		}
		res := f.Resources[0]
		if res.Partition != m[1] || res.Region != m[2] || res.ID == "" || len(res.Type) > 256 {
			t.Errorf("%s: resource %+v under product %s", id, res, f.ProductArn)
		}
		switch res.Type {
		case "AwsEksCluster":
			if res.Details == nil || res.Details.AwsEksCluster == nil || res.Details.AwsEksCluster.Arn != res.ID || !strings.HasSuffix(f.ID, "/"+res.ID) {
				t.Errorf("%s: cluster resource %+v", id, res)
			}
		case "AwsAccount":
			if res.ID != "AWS::::Account:"+f.AwsAccountID || f.Compliance.Status != ASFFNotAvailable {
				t.Errorf("%s: account resource %+v with %s", id, res, f.Compliance.Status)
			}
		default:
			t.Errorf("%s: resource type %s", id, res.Type)
		}
		if f.RecordState != ASFFActive {
			t.Errorf("%s: RecordState %s", id, f.RecordState)
		}
		switch {
		case f.Workflow.Status == "SUPPRESSED":
			if f.Note == nil || strings.TrimSpace(f.Note.Text) == "" || len(f.Note.Text) > 512 || f.Note.UpdatedBy == "" || !asffTimeRE.MatchString(f.Note.UpdatedAt) {
				t.Errorf("%s: suppressed without a whole note: %+v", id, f.Note)
			}
		case f.Workflow.Status != "NEW" || f.Note != nil:
			t.Errorf("%s: workflow %s, note %+v", id, f.Workflow.Status, f.Note)
		}
		if len(f.ProductFields) > 50 || f.ProductFields["eksguard/checkId"] == "" || f.ProductFields["eksguard/version"] == "" {
			t.Errorf("%s: ProductFields %v", id, f.ProductFields)
		}
		for k, v := range f.ProductFields {
			if len(k) > 128 || len(v) > 2048 || v == "" {
				t.Errorf("%s: product field %q = %q", id, k, v)
			}
		}
	}
}

func TestASFFStatuses(t *testing.T) {
	tests := []struct {
		status     finding.Status
		compliance string
		label      string
	}{
		{finding.Pass, ASFFPassed, "INFORMATIONAL"},
		{finding.Fail, ASFFFailed, "HIGH"},
		{finding.Unknown, ASFFWarning, "HIGH"},
		{finding.Error, ASFFNotAvailable, "HIGH"},
		{finding.Manual, "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			fs, err := ASFF(liveReport(liveResult("5.4.1", tt.status, "111111111111", "us-east-1", "prod")))
			if err != nil {
				t.Fatal(err)
			}
			if tt.compliance == "" {
				if len(fs) != 0 {
					t.Fatalf("%s is no verdict and must not be a finding: %+v", tt.status, fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings", len(fs))
			}
			f := fs[0]
			if f.Compliance.Status != tt.compliance || f.Severity.Label != tt.label || f.Severity.Original != "high" || f.ProductFields["eksguard/status"] != string(tt.status) {
				t.Errorf("compliance %s, severity %+v, status field %q", f.Compliance.Status, f.Severity, f.ProductFields["eksguard/status"])
			}
			if want := "eksguard/cis-eks/5.4.1/arn:aws:eks:us-east-1:111111111111:cluster/prod"; f.ID != want {
				t.Errorf("Id %s, want %s", f.ID, want)
			}
		})
	}
}

// TestASFFIDStable: a later run of the same control on the same cluster has the same id, whatever
// its verdict, so Security Hub updates the finding; another cluster, control or account does not.
func TestASFFIDStable(t *testing.T) {
	first := liveReport(liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod"))
	later := liveReport(liveResult("5.4.1", finding.Pass, "111111111111", "us-east-1", "prod"))
	later.GeneratedAt = first.GeneratedAt.Add(36 * time.Hour)
	a, _ := ASFF(first)
	b, _ := ASFF(later)
	if a[0].ID != b[0].ID || a[0].GeneratorID != b[0].GeneratorID || a[0].ProductArn != b[0].ProductArn {
		t.Errorf("ids differ between runs: %s / %s", a[0].ID, b[0].ID)
	}
	if a[0].UpdatedAt == b[0].UpdatedAt {
		t.Error("UpdatedAt did not follow generatedAt")
	}
	others := []finding.Result{
		liveResult("5.4.2", finding.Fail, "111111111111", "us-east-1", "prod"),
		liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod2"),
		liveResult("5.4.1", finding.Fail, "111111111112", "us-east-1", "prod"),
		liveResult("5.4.1", finding.Fail, "111111111111", "us-west-2", "prod"),
	}
	for _, o := range others {
		fs, _ := ASFF(liveReport(o))
		if fs[0].ID == a[0].ID {
			t.Errorf("%s %s %s shares the id %s", o.Control, o.Resource.Account, o.Resource.Name, fs[0].ID)
		}
	}
}

func TestASFFPartitions(t *testing.T) {
	tests := []struct {
		region, partition string
	}{
		{"us-east-1", "aws"},
		{"eu-central-2", "aws"},
		{"cn-northwest-1", "aws-cn"},
		{"us-gov-east-1", "aws-us-gov"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			fs, err := ASFF(liveReport(liveResult("5.4.1", finding.Fail, "111111111111", tt.region, "c")))
			if err != nil {
				t.Fatal(err)
			}
			want := "arn:" + tt.partition + ":securityhub:" + tt.region + ":111111111111:product/111111111111/default"
			if fs[0].ProductArn != want || fs[0].Resources[0].Partition != tt.partition || fs[0].Resources[0].Region != tt.region {
				t.Errorf("ProductArn %s, resource %+v; want %s", fs[0].ProductArn, fs[0].Resources[0], want)
			}
		})
	}
	if _, err := ASFF(liveReport(liveResult("5.4.1", finding.Fail, "111111111111", "us-isob-east-1", "c"))); err == nil || !strings.Contains(err.Error(), "partition") {
		t.Errorf("an isolated-partition region gave %v", err)
	}
}

func TestASFFRefusesWhatIsNotLive(t *testing.T) {
	noAccount := liveResult("5.4.1", finding.Fail, "", "", "aws_eks_cluster.main")
	noAccount.Resource.ARN = ""
	badARN := liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod")
	badARN.Resource.ARN = "arn:aws:eks:us-west-2:111111111111:cluster/prod"
	notARN := liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod")
	notARN.Resource.ARN = "prod"
	tests := []struct {
		name    string
		report  *finding.Report
		command string
		want    string
	}{
		{"iac report", iacReport(), "scan", ErrASFFNeedsLive.Error()},
		{"iac command, no results", liveReport(), "iac", ErrASFFNeedsLive.Error()},
		{"result without an account", liveReport(noAccount), "scan", ErrASFFNeedsLive.Error()},
		{"ARN of another region", liveReport(badARN), "scan", "disagrees"},
		{"not an ARN", liveReport(notARN), "scan", "is not an EKS cluster ARN"},
		{"no time", func() *finding.Report { r := liveReport(); r.GeneratedAt = time.Time{}; return r }(), "scan", "generatedAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := New("asff", Options{Command: tt.command})
			var buf bytes.Buffer
			err := w.Write(&buf, tt.report)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before refusing", buf.Len())
			}
		})
	}
	if !errors.Is(func() error { _, err := ASFF(iacReport()); return err }(), ErrASFFNeedsLive) {
		t.Error("ASFF on an IaC report is not ErrASFFNeedsLive")
	}
}

func TestASFFWaived(t *testing.T) {
	fs, err := ASFF(edgeReport())
	if err != nil {
		t.Fatal(err)
	}
	var got *ASFFFinding
	for i := range fs {
		if fs[i].ProductFields["eksguard/resourceName"] == "legacy" {
			got = &fs[i]
		}
	}
	if got == nil {
		t.Fatal("the waived result has no finding")
	}
	if got.Workflow.Status != "SUPPRESSED" || got.Compliance.Status != ASFFFailed || got.RecordState != ASFFActive {
		t.Errorf("workflow %s, compliance %s, record %s", got.Workflow.Status, got.Compliance.Status, got.RecordState)
	}
	want := "Waived in eksguard: vendor appliance needs the public endpoint (until 2027-01-31); waiver 3"
	if got.Note == nil || got.Note.Text != want || got.Note.UpdatedBy != "eksguard" || got.Note.UpdatedAt != "2026-11-25T12:00:00Z" {
		t.Errorf("note = %+v", got.Note)
	}
	if got.ProductFields["eksguard/waived"] != "vendor appliance needs the public endpoint" || got.ProductFields["eksguard/waiverExpires"] != "2027-01-31" {
		t.Errorf("product fields = %v", got.ProductFields)
	}
}

// TestASFFDuplicateIDs: two results with one id (two errors in one region) become one finding,
// the worst of them.
func TestASFFDuplicateIDs(t *testing.T) {
	regionErr := func(reason string) finding.Result {
		return finding.Result{Control: "5.4.1", CheckID: "eks-endpoint-private", Severity: "high", Status: finding.Error, Reason: reason,
			Resource: finding.Resource{Type: finding.ResourceRegion, Name: "eu-west-1", Region: "eu-west-1", Account: "111111111111"}}
	}
	clusterErr := liveResult("5.4.1", finding.Error, "111111111111", "us-east-1", "prod")
	clusterFail := liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod")
	tests := []struct {
		name    string
		results []finding.Result
		want    []string
	}{
		{"two region errors", []finding.Result{regionErr("eks:ListClusters failed"), regionErr("ec2:DescribeRegions failed")}, []string{ASFFNotAvailable}},
		{"error then failure", []finding.Result{clusterErr, clusterFail}, []string{ASFFFailed}},
		{"failure then error", []finding.Result{clusterFail, clusterErr}, []string{ASFFFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := liveReport()
			r.Results = tt.results // in this order, not sorted
			fs, err := ASFF(r)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Compliance.Status)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
		})
	}
}

// TestASFFErrorFindings: a region that could not be read is a finding on the account there; a
// cluster that could not be described keeps its ARN, built when the error lacks it; an account
// that could not be entered has no region and no finding.
func TestASFFErrorFindings(t *testing.T) {
	account := finding.Result{Control: "5.4.1", CheckID: "eks-endpoint-private", Severity: "high", Status: finding.Error, Reason: "cannot assume role",
		Resource: finding.Resource{Type: finding.ResourceAccount, Name: "999999999999", Account: "999999999999"}}
	region := finding.Result{Control: "5.4.1", CheckID: "eks-endpoint-private", Severity: "high", Status: finding.Error, Reason: "access denied",
		Resource: finding.Resource{Type: finding.ResourceRegion, Name: "eu-west-1", Region: "eu-west-1", Account: "111111111111"}}
	cluster := liveResult("5.4.1", finding.Error, "111111111111", "us-gov-west-1", "gov")
	cluster.Resource.ARN = ""
	fs, err := ASFF(liveReport(account, region, cluster))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	want := []string{
		"eksguard/cis-eks/5.4.1/account/111111111111/region/eu-west-1",
		"eksguard/cis-eks/5.4.1/arn:aws-us-gov:eks:us-gov-west-1:111111111111:cluster/gov",
	}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("ids\n%v\nwant\n%v", ids, want)
	}
	for _, f := range fs {
		if !strings.Contains(f.Description, "could not be read: ") {
			t.Errorf("%s: description %q", f.ID, f.Description)
		}
	}
}

func TestASFFTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "abc", 3, "abc"},
		{"empty", "", 5, ""},
		{"ascii", "abcdefghij", 8, "abcde..."},
		{"two-byte rune at the cut", "éééé", 6, "é..."},
		{"three-byte runes", "漢字漢字", 9, "漢字..."},
		{"four-byte rune at the cut", "ab😀cd", 7, "ab..."},
		{"trailing space dropped", "abc   defgh", 9, "abc..."},
		{"invalid UTF-8 repaired", "ab\xffcd", 32, "ab\uFFFDcd"},
		{"tiny limit", "abcdef", 2, ".."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := asffTruncate(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("asffTruncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if len(got) > tt.max {
				t.Errorf("%q is over %d bytes", got, tt.max)
			}
			if !utf8.ValidString(got) {
				t.Errorf("%q is not valid UTF-8", got)
			}
		})
	}
}

// TestASFFLongText: an endless reason fills the description to its limit and no further, cut on a
// rune boundary; the title too.
func TestASFFLongText(t *testing.T) {
	r := liveResult("5.4.1", finding.Fail, "111111111111", "us-east-1", "prod")
	r.Reason = strings.Repeat("é漢😀 ", 2000)
	r.Title = strings.Repeat("T", 300)
	fs, err := ASFF(liveReport(r))
	if err != nil {
		t.Fatal(err)
	}
	f := fs[0]
	for _, c := range []struct {
		field, v string
		max      int
	}{{"Description", f.Description, 1024}, {"Title", f.Title, 256}} {
		if len(c.v) > c.max || len(c.v) < c.max-8 || !utf8.ValidString(c.v) || !strings.HasSuffix(c.v, "...") {
			t.Errorf("%s: %d bytes, valid %v, ends %q", c.field, len(c.v), utf8.ValidString(c.v), c.v[len(c.v)-8:])
		}
	}
	checkASFF(t, fs)
}

// TestASFFRemediation: a command is given whole or not at all; a cut command could still run.
func TestASFFRemediation(t *testing.T) {
	long := "aws eks update-cluster-config --region us-east-1 --name prod --resources-vpc-config " + strings.Repeat("x", 500)
	tests := []struct {
		name, remediation, guarded string
		status                     finding.Status
		want                       string
	}{
		{"short command", "aws eks update-cluster-config --name prod", "", finding.Fail, "aws eks update-cluster-config --name prod"},
		{"long command, guarded fix", long, "eksguard fix --cluster prod", finding.Fail, "Run eksguard fix --cluster prod"},
		{"long command alone", long, "", finding.Fail, "Passes when: "},
		{"pass", "", "", finding.Pass, "Passes when: "},
		{"error", "", "", finding.Error, "Give eksguard what it needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := liveResult("5.4.1", tt.status, "111111111111", "us-east-1", "prod")
			r.Remediation, r.GuardedFix = tt.remediation, tt.guarded
			fs, err := ASFF(liveReport(r))
			if err != nil {
				t.Fatal(err)
			}
			text := fs[0].Remediation.Recommendation.Text
			if !strings.HasPrefix(text, tt.want) || len(text) > 512 {
				t.Errorf("recommendation %q (%d bytes), want it to start %q", text, len(text), tt.want)
			}
			if strings.Contains(text, "xxx") {
				t.Error("a cut command was recommended")
			}
			if fs[0].Remediation.Recommendation.URL == "" {
				t.Error("no documentation link")
			}
		})
	}
}
