package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// sharedSchema is the SARIF schema CI keeps beside the checkout; testdata has a copy so the tests
// never depend on it being there.
const sharedSchema = "../../../shared/schemas/sarif-schema-2.1.0.json"

// sarifSchema compiles the SARIF 2.1.0 JSON schema, with formats (uri, uri-reference) asserted.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	local := filepath.Join("testdata", "sarif-schema-2.1.0.json")
	data, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	if shared, err := os.ReadFile(sharedSchema); err == nil && !bytes.Equal(shared, data) {
		t.Errorf("%s differs from %s; copy the shared schema into testdata", local, sharedSchema)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, out []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("SARIF does not validate against the 2.1.0 schema: %v", err)
	}
}

// iacReport is a small fixed report of declared clusters: a failure decided by defaults with a fix,
// a restricted cluster, an unknown, a pass outside the working directory, and input problems.
func iacReport() *finding.Report {
	loc := func(file string, line int) *model.Location { return &model.Location{File: file, Line: line} }
	withLoc := func(b model.Bool, l *model.Location) model.Bool { b.Loc = l; return b }
	open := &model.Cluster{Name: "aws_eks_cluster.open", Source: model.SourceTerraform, Kind: "aws_eks_cluster", Loc: loc("infra/main.tf", 2),
		EnabledLogTypes: model.DefaultList("none: enabled_cluster_log_types is not set"), AuthenticationMode: model.DefaultString(model.AuthConfigMap, "EKS default: no access_config"),
		SecretsKeyARN:         model.DefaultString("", "no encryption_config"),
		EndpointPublicAccess:  model.Default(true, "AWS provider default"),
		EndpointPrivateAccess: model.Default(false, "AWS provider default"),
		PublicAccessCIDRs:     model.Strings{Values: []string{"0.0.0.0/0"}, Origin: model.OriginDefault, Detail: "AWS provider default"}}
	cidrs := model.ExplicitList("203.0.113.0/24")
	cidrs.Loc = loc("stacks/my stack.yaml", 14)
	restricted := &model.Cluster{Name: "Cluster", Source: model.SourceCloudFormation, Kind: "AWS::EKS::Cluster", Loc: loc("stacks/my stack.yaml", 5),
		EndpointPublicAccess:  withLoc(model.Explicit(true), loc("stacks/my stack.yaml", 12)),
		EndpointPrivateAccess: withLoc(model.Explicit(true), loc("stacks/my stack.yaml", 13)),
		PublicAccessCIDRs:     cidrs}
	unknown := &model.Cluster{Name: "dev", Source: model.SourceEksctl, Kind: "ClusterConfig", Loc: loc("eksctl/dev.yaml", 4),
		EndpointPublicAccess:  withLoc(model.Unknown("${PUBLIC} is an envsubst placeholder"), loc("eksctl/dev.yaml", 9)),
		EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList()}
	private := &model.Cluster{Name: "aws_eks_cluster.private", Source: model.SourceTerraform, Kind: "aws_eks_cluster", Loc: loc("/srv/shared/eks.tf", 1),
		EndpointPublicAccess:  withLoc(model.Explicit(false), loc("/srv/shared/eks.tf", 6)),
		EndpointPrivateAccess: withLoc(model.Explicit(true), loc("/srv/shared/eks.tf", 5)), PublicAccessCIDRs: model.ExplicitList()}
	for _, c := range []*model.Cluster{restricted, unknown, private} {
		c.EnabledLogTypes = model.ExplicitList(model.LogTypes...)
		c.AuthenticationMode = model.ExplicitString(model.AuthAPI)
		c.SecretsKeyARN = model.ExplicitString("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}
	b := settingsBenchmark()
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: b.Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: controlIDs(b),
		Problems: []finding.Problem{
			{File: "infra/broken.tf", Line: 8, Column: 11, Code: finding.ProblemSyntax, Message: "Invalid expression: Expected the start of an expression"},
			{File: "notes.txt", Code: finding.ProblemNotIaC, Message: "not a Terraform, plan JSON, CloudFormation or eksctl file"},
		}}
	fix := &finding.Fix{Description: "set endpoint_private_access = true, endpoint_public_access = false for aws_eks_cluster.open",
		Edits: []finding.Edit{{File: "infra/main.tf", Line: 7, Insert: []string{"    endpoint_private_access = true", "    endpoint_public_access = false"}}}}
	for _, c := range []*model.Cluster{open, restricted, unknown, private} {
		results := b.EvaluateCluster(c)
		for i := range results {
			if c == open && results[i].Status == finding.Fail {
				results[i].Fix, results[i].Remediation = fix, fix.Description
			}
		}
		rep.Results = append(rep.Results, results...)
	}
	rep.Finish()
	return rep
}

func writeSARIF(t *testing.T, r *finding.Report) []byte {
	t.Helper()
	w, err := New("sarif", Options{Command: "iac"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixedWD(t *testing.T, dir string) {
	t.Helper()
	old := getwd
	getwd = func() (string, error) { return dir, nil }
	t.Cleanup(func() { getwd = old })
}

func TestSARIFGolden(t *testing.T) {
	fixedWD(t, "/work/src")
	schema := compileSARIFSchema(t)
	tests := []struct {
		name   string
		report *finding.Report
		file   string
	}{
		{"iac", iacReport(), "report.iac.sarif"},
		{"live scan", sampleReport(), "report.sarif"},
		{"empty", func() *finding.Report {
			r := &finding.Report{SchemaVersion: "1", Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: benchmark.Default().Ref()}
			r.Finish()
			return r
		}(), "report.empty.sarif"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := writeSARIF(t, tt.report)
			validateSARIF(t, schema, out)
			golden(t, tt.file, out)
		})
	}
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name, HelpURI string
					Properties        map[string]any
				}
			}
		}
		OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
		Invocations        []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           *struct{ StartLine int }
				}
				LogicalLocations []struct{ Name, Kind string }
			}
			PartialFingerprints map[string]string
		}
	}
}

func parseSARIF(t *testing.T, out []byte) sarifDoc {
	t.Helper()
	var d sarifDoc
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 {
		t.Fatalf("runs = %d", len(d.Runs))
	}
	return d
}

// TestSARIFContract checks what GitHub code scanning relies on, result by result.
func TestSARIFContract(t *testing.T) {
	fixedWD(t, "/work/src")
	d := parseSARIF(t, writeSARIF(t, iacReport()))
	run := d.Runs[0]
	drv := run.Tool.Driver
	if drv.Name != "eksguard" || drv.Version != "test" || drv.InformationURI != InformationURI {
		t.Errorf("driver = %+v", drv)
	}
	var ruleIDs []string
	for _, r := range drv.Rules {
		ruleIDs = append(ruleIDs, r.ID)
		if r.Properties["security-severity"] == nil || r.Properties["precision"] != "very-high" || r.HelpURI == "" {
			t.Errorf("rule %s properties = %v", r.ID, r.Properties)
		}
	}
	if want := []string{"CIS-EKS-2.1.1", "CIS-EKS-4.1.7", "CIS-EKS-5.3.1", "CIS-EKS-5.4.1", "CIS-EKS-5.4.2"}; !reflect.DeepEqual(ruleIDs, want) {
		t.Errorf("rules = %v, want %v", ruleIDs, want)
	}
	if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file:///work/src/" {
		t.Errorf("SRCROOT = %q", got)
	}
	type row struct{ rule, level, uri, base string }
	want := []row{
		{"CIS-EKS-2.1.1", "error", "infra/main.tf", "%SRCROOT%"},
		{"CIS-EKS-4.1.7", "error", "infra/main.tf", "%SRCROOT%"},
		{"CIS-EKS-5.3.1", "error", "infra/main.tf", "%SRCROOT%"},
		{"CIS-EKS-5.4.1", "error", "infra/main.tf", "%SRCROOT%"},
		{"CIS-EKS-5.4.2", "error", "infra/main.tf", "%SRCROOT%"},
		{"CIS-EKS-5.4.1", "warning", "eksctl/dev.yaml", "%SRCROOT%"},
		{"CIS-EKS-5.4.2", "warning", "eksctl/dev.yaml", "%SRCROOT%"},
		{"CIS-EKS-5.4.2", "error", "stacks/my%20stack.yaml", "%SRCROOT%"},
	}
	var got []row
	for _, r := range run.Results {
		if drv.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d names %s, not %s", r.RuleIndex, drv.Rules[r.RuleIndex].ID, r.RuleID)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation == nil || r.Locations[0].PhysicalLocation.Region == nil {
			t.Fatalf("%s: locations = %+v", r.RuleID, r.Locations)
		}
		pl := r.Locations[0].PhysicalLocation
		got = append(got, row{r.RuleID, r.Level, pl.ArtifactLocation.URI, pl.ArtifactLocation.URIBaseID})
		if len(r.PartialFingerprints[fingerprintKey]) != 32 {
			t.Errorf("%s: fingerprints = %v", r.RuleID, r.PartialFingerprints)
		}
	}
	sortRows := func(rs []row) {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				if rs[j].uri+rs[j].rule < rs[i].uri+rs[i].rule {
					rs[i], rs[j] = rs[j], rs[i]
				}
			}
		}
	}
	sortRows(got)
	sortRows(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results (PASS left out) =\n%v\nwant\n%v", got, want)
	}
	for _, r := range run.Results {
		if strings.Contains(r.Message.Text, "aws_eks_cluster.open") && strings.HasPrefix(r.RuleID, "CIS-EKS-5.4") && !strings.Contains(r.Message.Text, "Fix: set endpoint_private_access = true") {
			t.Errorf("failure message lacks the fix: %s", r.Message.Text)
		}
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 || inv.ToolExecutionNotifications[0].Level != "error" {
		t.Errorf("invocation = %+v", inv)
	}
}

func TestSARIFLiveResultsUseLogicalLocations(t *testing.T) {
	fixedWD(t, "/work/src")
	d := parseSARIF(t, writeSARIF(t, sampleReport()))
	run := d.Runs[0]
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range run.Results {
		l := r.Locations[0]
		if l.PhysicalLocation != nil || len(l.LogicalLocations) != 1 || l.LogicalLocations[0].Kind != "resource" {
			t.Errorf("%s: location = %+v", r.RuleID, l)
		}
	}
	// ERROR results (a region that could not be read) are notifications about the run.
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 5 {
		t.Errorf("invocation = %+v (want one notification per evaluated control)", inv)
	}
}

// TestSARIFFingerprintStable: moving a finding to another line keeps its alert; another resource or
// file is another alert.
func TestSARIFFingerprintStable(t *testing.T) {
	base := finding.Result{Control: "5.4.1", Status: finding.Fail, Resource: finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.a"}, Location: &model.Location{File: "main.tf", Line: 3}}
	moved := base
	moved.Location = &model.Location{File: "main.tf", Line: 30}
	other := base
	other.Resource.Name = "aws_eks_cluster.b"
	otherFile := base
	otherFile.Location = &model.Location{File: "other.tf", Line: 3}
	tests := []struct {
		name string
		r    finding.Result
		same bool
	}{
		{"moved line", moved, true},
		{"other resource", other, false},
		{"other file", otherFile, false},
	}
	want := fingerprint("CIS-EKS-5.4.1", base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fingerprint("CIS-EKS-5.4.1", tt.r) == want; got != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestSARIFArtifactURI(t *testing.T) {
	tests := []struct {
		name, file, uri, base string
	}{
		{"relative", "infra/main.tf", "infra/main.tf", "%SRCROOT%"},
		{"space and percent", "my dir/100%.yaml", "my%20dir/100%25.yaml", "%SRCROOT%"},
		{"colon in first segment", "a:b.tf", "./a:b.tf", "%SRCROOT%"},
		{"absolute", "/srv/x y/main.tf", "file:///srv/x%20y/main.tf", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := artifact(tt.file)
			if got.URI != tt.uri || got.URIBaseID != tt.base {
				t.Errorf("artifact(%q) = %+v", tt.file, got)
			}
		})
	}
}

// TestSARIFSchemaRejects makes sure the schema check can fail: a validator that accepts anything
// would make TestSARIFGolden worthless.
func TestSARIFSchemaRejects(t *testing.T) {
	fixedWD(t, "/work/src")
	schema := compileSARIFSchema(t)
	good := string(writeSARIF(t, iacReport()))
	tests := []struct{ name, from, to string }{
		{"bad level", `"level": "error"`, `"level": "fatal"`},
		{"line zero", `"startLine": 8`, `"startLine": 0`},
		{"unknown property", `"ruleIndex": 1,`, `"ruleIndex": 1, "severity": 3,`},
		{"uri not a string", `"uri": "file:///work/src/"`, `"uri": 7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if bad == good {
				t.Fatalf("%q not found in the output", tt.from)
			}
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err == nil {
				t.Error("the schema accepted an invalid log")
			}
		})
	}
}
