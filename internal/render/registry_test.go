package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// TestRegistryResults: a result on an ECR registry (5.1.1, judged per account and region) renders
// in every format a scan writes, named as the registry of its region, and its ASFF finding takes
// the region's id, so that an ERROR and a verdict on one registry are one finding over time.
func TestRegistryResults(t *testing.T) {
	b, err := benchmark.Default().Select([]string{"5.1.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv := &model.Inventory{Parts: model.Parts{model.PartRegistry}, Registries: []*model.Registry{{
		Account: "111111111111", Region: "eu-west-1", Source: model.SourceAWS, ScanType: model.ExplicitString("BASIC"), Rules: []model.ScanRule{},
		Repositories: []model.Repository{{Name: "team/api", ScanOnPush: model.Explicit(true)}, {Name: "team/worker", ScanOnPush: model.Explicit(false)}},
	}}}
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: b.Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: controlIDs(b)}
	rep.Results = b.EvaluateInventory(inv)
	rep.Finish()
	if len(rep.Results) != 1 || rep.Results[0].Status != finding.Fail || rep.Results[0].Resource.Type != finding.ResourceRegistry {
		t.Fatalf("results = %+v", rep.Results)
	}
	for format, want := range map[string]string{
		"table":    "eu-west-1  ECR registry",
		"json":     `"type": "ecr-registry"`,
		"sarif":    `"fullyQualifiedName": "111111111111/eu-west-1/ecr-registry"`,
		"asff":     `"Id": "eksguard/cis-eks/5.1.1/account/111111111111/region/eu-west-1"`,
		"junit":    "team/worker",
		"csv":      "ecr-registry",
		"markdown": "team/worker",
		"html":     "team/worker",
		"ocsf":     "team/worker",
	} {
		w, err := New(format, Options{Command: "scan"})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.Write(&buf, rep); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s lacks %q:\n%s", format, want, buf.String())
		}
	}
}

// TestOwnControlResults: eksguard's own controls (the network probe's) are not the benchmark's: their
// SARIF rule and ASFF requirement name eksguard's check.
func TestOwnControlResults(t *testing.T) {
	b := benchmark.Default().With("endpoint-reachability")
	c := &model.Cluster{Name: "prod", Account: "111111111111", Region: "eu-west-1", ARN: "arn:aws:eks:eu-west-1:111111111111:cluster/prod",
		Source: model.SourceAWS, Status: model.StatusActive, EndpointPublicAccess: model.Explicit(false), EndpointPrivateAccess: model.Explicit(true),
		PublicAccessCIDRs: model.ExplicitList(), EnabledLogTypes: model.ExplicitList(model.LogTypes...), AuthenticationMode: model.ExplicitString(model.AuthAPI),
		SecretsKeyARN: model.ExplicitString("arn:aws:kms:eu-west-1:111111111111:key/1"), Parts: model.Parts{model.PartProbe},
		Probe: &model.ProbeResult{From: "203.0.113.5"}}
	c.Probe.Resolved = nil
	c.Probe.DNSError = "not found"
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"}, Benchmark: b.Ref(),
		GeneratedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Controls: controlIDs(b)}
	rep.Results = b.EvaluateCluster(c)
	rep.Finish()
	for format, want := range map[string]string{
		"sarif": `"id": "EKSGUARD-endpoint-reachability"`,
		"asff":  `"eksguard check endpoint-reachability"`,
		"table": "endpoint-reachability",
	} {
		w, _ := New(format, Options{Command: "scan"})
		var buf bytes.Buffer
		if err := w.Write(&buf, rep); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s lacks %q:\n%s", format, want, buf.String())
		}
	}
}
