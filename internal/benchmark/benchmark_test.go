package benchmark

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func TestDataIsConsistent(t *testing.T) {
	b := Default()
	if b.ID != "cis-eks" || b.Version != "1.8.0" || len(b.Controls) != 50 {
		t.Fatalf("benchmark %s %s with %d controls", b.ID, b.Version, len(b.Controls))
	}
	var ids []string
	for _, c := range b.Evaluated() {
		ids = append(ids, c.ID+"="+strings.Join(c.Checks, ","))
	}
	if got := strings.Join(ids, " "); got != "2.1.1=eks-audit-logging 4.1.7=eks-access-api 5.1.1=ecr-image-scanning 5.1.3=eks-node-ecr-read-only 5.3.1=eks-secrets-encryption 5.4.1=eks-endpoint-restricted 5.4.2=eks-endpoint-private 5.4.3=eks-private-nodes 5.4.4=eks-network-policy 5.4.5=eks-load-balancer-tls" {
		t.Errorf("evaluated controls: %s", got)
	}
	if _, err := parse([]byte("id: x\ncontrols:\n  - {id: \"1\", assessment: manual, source: aws, checks: [no-such-check]}\n")); err == nil || !strings.Contains(err.Error(), "unknown check") {
		t.Errorf("unknown check accepted: %v", err)
	}
	if _, err := parse([]byte("id: x\ncontrols:\n  - {id: \"1\", assessment: manual, source: aws}\n  - {id: \"1\", assessment: manual, source: aws}\n")); err == nil || !strings.Contains(err.Error(), "duplicate control") {
		t.Errorf("duplicate control accepted: %v", err)
	}
	if _, err := parse([]byte("id: x\nbogus: 1\n")); err == nil {
		t.Error("unknown field accepted")
	}
}

// TestWorstOutcomeWins: a control with several checks never passes while one of them does not.
func TestWorstOutcomeWins(t *testing.T) {
	b := &Benchmark{ID: "t", Version: "1", Controls: []Control{{ID: "9.9", Title: "both", Checks: []string{"eks-endpoint-restricted", "eks-endpoint-private"}}}}
	c := &model.Cluster{Name: "x", Source: model.SourceAWS, Status: "ACTIVE", EndpointPublicAccess: model.Explicit(true),
		EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList("203.0.113.0/24")}
	res := b.EvaluateCluster(c)
	if len(res) != 1 || res[0].Status != finding.Fail || res[0].CheckID != "eks-endpoint-private" {
		t.Fatalf("restricted cluster under both checks: %+v", res)
	}
	// With private access unknown, 5.4.1 cannot be judged, but 5.4.2 fails whatever it is (the
	// public endpoint is on): the control fails.
	c.EndpointPrivateAccess = model.Unknown("missing")
	if res := b.EvaluateCluster(c); res[0].Status != finding.Fail {
		t.Errorf("unknown + fail = %s", res[0].Status)
	}
	c.EndpointPublicAccess = model.Unknown("missing")
	if res := b.EvaluateCluster(c); res[0].Status != finding.Unknown {
		t.Errorf("unknown + unknown = %s", res[0].Status)
	}
}

func TestErrorResults(t *testing.T) {
	b := Default()
	tests := []struct {
		name     string
		err      model.Error
		resource finding.Resource
		reason   string
		n        int
	}{
		{"region", model.Error{Account: "1", Region: "eu-west-1", Operation: "eks:ListClusters", Message: "boom"},
			finding.Resource{Type: finding.ResourceRegion, Name: "eu-west-1", Region: "eu-west-1", Account: "1"}, "eks:ListClusters failed: boom", 9},
		{"account", model.Error{Account: "2", Operation: "sts:AssumeRole", Message: "no", AccessDenied: true},
			finding.Resource{Type: finding.ResourceAccount, Name: "2", Account: "2"}, "access denied: the caller needs sts:AssumeRole", 10},
		{"cluster", model.Error{Account: "3", Region: "us-east-1", Cluster: "c", Operation: "eks:DescribeCluster", Message: "x"},
			finding.Resource{Type: finding.ResourceCluster, Name: "c", Region: "us-east-1", Account: "3"}, "eks:DescribeCluster failed", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.ErrorResults(tt.err)
			if len(res) != tt.n {
				t.Fatalf("%d results, want one per evaluated control", len(res))
			}
			for _, r := range res {
				if r.Status != finding.Error || r.Resource != tt.resource || !strings.Contains(r.Reason, tt.reason) {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}

// TestSelect: --controls and --skip-controls name controls, sections or checks; the first, a middle
// and the last control alone and together, repeated, and every way a name can be wrong.
func TestSelect(t *testing.T) {
	b := Default()
	ids := func(x *Benchmark) string {
		var out []string
		for _, c := range x.Evaluated() {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name       string
		only, skip []string
		want, err  string
	}{
		{name: "default is every evaluated control", want: "2.1.1,4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "the first", only: []string{"2.1.1"}, want: "2.1.1"},
		{name: "a middle one", only: []string{"5.3.1"}, want: "5.3.1"},
		{name: "the last", only: []string{"5.4.5"}, want: "5.4.5"},
		{name: "first and last in any order", only: []string{"5.4.2", "2.1.1"}, want: "2.1.1,5.4.2"},
		{name: "repeated", only: []string{"5.4.1", "5.4.1"}, want: "5.4.1"},
		{name: "a section", only: []string{"5.4"}, want: "5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "a top section", only: []string{"5"}, want: "5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "a check id", only: []string{"eks-endpoint-private"}, want: "5.4.2"},
		{name: "a check id in capitals", only: []string{"EKS-Audit-Logging"}, want: "2.1.1"},
		{name: "skip a check id", skip: []string{"eks-secrets-encryption"}, want: "2.1.1,4.1.7,5.1.1,5.1.3,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "skip the first", skip: []string{"2.1.1"}, want: "4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "skip the last", skip: []string{"5.4.5"}, want: "2.1.1,4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4"},
		{name: "skip a section from a selection", only: []string{"5"}, skip: []string{"5.4"}, want: "5.1.1,5.1.3,5.3.1"},
		{name: "a new check id", only: []string{"eks-private-nodes", "ecr-image-scanning"}, want: "5.1.1,5.4.3"},
		{name: "spaces around a name", only: []string{" 5.4.1 "}, want: "5.4.1"},
		{name: "unknown id", only: []string{"9.9.9"}, err: `--controls: "9.9.9" is not a control, a section or a check`},
		{name: "a prefix is not a section", only: []string{"5.4.1.1"}, err: `--controls: "5.4.1.1" is not a control`},
		{name: "not evaluated", only: []string{"3.1.1"}, err: "3.1.1 is not evaluated by eksguard (its data is node)"},
		{name: "a section with nothing evaluated", only: []string{"3.1"}, err: "is not evaluated by eksguard"},
		{name: "a section of Kubernetes controls alone", only: []string{"3"}, err: "the controls of 3 (3.2.1, 3.2.2, 3.2.3, 3.2.4, 3.2.5, 3.2.6, 3.2.7, 3.2.8, 3.2.9) are judged from the Kubernetes API: add --kubernetes"},
		{name: "a Kubernetes control by id", only: []string{"4.1.1"}, want: "4.1.1"},
		{name: "a Kubernetes control by check id", only: []string{"kubelet-read-only-port"}, want: "3.2.4"},
		{name: "a section keeps its AWS controls", only: []string{"4"}, want: "4.1.7"},
		{name: "skipping a Kubernetes section needs no --kubernetes", skip: []string{"4.2"}, want: "2.1.1,4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"},
		{name: "empty name", only: []string{""}, err: "an empty control id"},
		{name: "skip everything", skip: []string{"2", "4", "5"}, err: "leaves no control to evaluate"},
		{name: "unknown skip", skip: []string{"x"}, err: `--skip-controls: "x" is not a control`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.Select(tt.only, tt.skip)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != tt.want {
				t.Errorf("selected %s, want %s", ids(got), tt.want)
			}
		})
	}
	if ids(b) != "2.1.1,4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5" {
		t.Error("Select changed the benchmark it was called on")
	}
	sel, _ := b.Select([]string{"5.4.1"}, nil)
	res := sel.ErrorResults(model.Error{Account: "1", Region: "r", Operation: "eks:ListClusters", Message: "x"})
	if len(res) != 1 || res[0].Control != "5.4.1" {
		t.Errorf("ERROR results of a selection = %+v", res)
	}
}

func TestCatalogue(t *testing.T) {
	b := Default()
	counts := map[string]int{}
	for _, c := range b.Controls {
		counts[c.Source]++
		if c.Evaluated() && c.Severity() == "" {
			t.Errorf("%s is evaluated but has no severity", c.ID)
		}
	}
	if counts["aws"] != 11 || counts["kubernetes"] != 24 || counts["node"] != 13 || counts["organizational"] != 2 {
		t.Errorf("sources = %v", counts)
	}
	// Numeric order: 4.1.10 after 4.1.9.
	for i := 1; i < len(b.Controls); i++ {
		if !finding.ControlLess(b.Controls[i-1].ID, b.Controls[i].ID) {
			t.Errorf("%s before %s", b.Controls[i-1].ID, b.Controls[i].ID)
		}
	}
}
