package tfplan

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"plan", `{"format_version":"1.2","resource_changes":[]}`, true},
		{"planned values only", `{"format_version":"0.1","planned_values":{}}`, true},
		{"state, not a plan", `{"format_version":"1.0","values":{}}`, false},
		{"package.json", `{"name":"x","version":"1.0.0"}`, false},
		{"damaged plan is still claimed", `{"format_version":"1.2","resource_changes":[`, true},
		{"yaml", "format_version: 1\nresource_changes: []\n", false},
		{"byte order mark", "\xef\xbb\xbf{\"format_version\":\"1.2\",\"resource_changes\":[]}", true},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.data)); got != tt.want {
				t.Errorf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSplitAddress(t *testing.T) {
	got := splitAddress(`module.a["x.y"].module.b[0].aws_eks_cluster.this["k"]`)
	want := []string{"module", `a["x.y"]`, "module", "b[0]", "aws_eks_cluster", `this["k"]`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAddressLine(t *testing.T) {
	data := []byte("{\n \"planned_values\": {\"address\": \"aws_eks_cluster.a\"},\n \"resource_changes\": [\n  {\n   \"address\":\n     \"aws_eks_cluster.a\"\n  }\n ]\n}\n")
	if got := addressLine(data, "aws_eks_cluster.a", keyOffset(data, "resource_changes")); got != 6 {
		t.Errorf("line = %d, want 6 (the resource_changes entry, not planned_values)", got)
	}
	if got := addressLine(data, "aws_eks_cluster.b", 0); got != 0 {
		t.Errorf("line of a missing address = %d, want 0", got)
	}
}

// TestScanShapes covers plan shapes the fixtures of the adapter do not: planned_values without
// resource_changes, a whole vpc_config unknown, deposed objects and forgotten resources.
func TestScanShapes(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		names   []string
		public  model.Origin
		detail  string
		problem string
		code    string
		// others is in the detail of logging, authentication mode and secrets key, all unknown.
		others string
	}{
		{name: "planned values only", data: `{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"resources":[{"address":"module.m.aws_eks_cluster.c","mode":"managed","type":"aws_eks_cluster","values":{"vpc_config":[{"endpoint_public_access":false,"endpoint_private_access":true}]}}]}]}}}`,
			names: []string{"module.m.aws_eks_cluster.c"}, public: model.OriginExplicit},
		{name: "whole vpc_config unknown", data: `{"format_version":"1.2","resource_changes":[{"address":"aws_eks_cluster.c","mode":"managed","type":"aws_eks_cluster","change":{"actions":["create"],"after":{},"after_unknown":{"vpc_config":true}}}]}`,
			names: []string{"aws_eks_cluster.c"}, public: model.OriginUnknown, detail: "vpc_config is known only after apply"},
		{name: "deposed and forgotten objects are skipped", data: `{"format_version":"1.2","resource_changes":[
			{"address":"aws_eks_cluster.c","mode":"managed","type":"aws_eks_cluster","deposed":"abc","change":{"actions":["delete"]}},
			{"address":"aws_eks_cluster.d","mode":"managed","type":"aws_eks_cluster","change":{"actions":["forget"]}}]}`},
		{name: "wrong shape", data: `{"format_version":"1.2","resource_changes":{}}`, problem: "cannot read the plan", code: finding.ProblemInvalid},
		{name: "cut short", data: `{"format_version":"1.2","resource_changes":[`, problem: "cannot read the plan", code: finding.ProblemSyntax},
		{name: "format 2", data: `{"format_version":"2.0","resource_changes":[]}`, problem: "not supported", code: finding.ProblemUnsupported},
		{name: "whole cluster unknown", data: `{"format_version":"1.2","resource_changes":[{"address":"aws_eks_cluster.c","mode":"managed","type":"aws_eks_cluster","change":{"actions":["create"],"after":{},"after_unknown":true}}]}`,
			names: []string{"aws_eks_cluster.c"}, public: model.OriginUnknown, detail: "vpc_config is known only after apply", others: "known only after apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Scan(&iac.File{Name: "plan.json", Data: []byte(tt.data)})
			var names []string
			for _, r := range res.Resources {
				names = append(names, r.Cluster.Name)
				if r.Cluster.EndpointPublicAccess.Origin != tt.public {
					t.Errorf("%s: public origin = %s, want %s", r.Cluster.Name, r.Cluster.EndpointPublicAccess.Origin, tt.public)
				}
				if tt.detail != "" && !strings.Contains(r.Cluster.EndpointPublicAccess.Detail, tt.detail) {
					t.Errorf("%s: detail %q, want %q", r.Cluster.Name, r.Cluster.EndpointPublicAccess.Detail, tt.detail)
				}
				if tt.others != "" {
					c := r.Cluster
					for _, v := range []struct {
						o model.Origin
						d string
					}{{c.EnabledLogTypes.Origin, c.EnabledLogTypes.Detail}, {c.AuthenticationMode.Origin, c.AuthenticationMode.Detail}, {c.SecretsKeyARN.Origin, c.SecretsKeyARN.Detail}} {
						if v.o != model.OriginUnknown || !strings.Contains(v.d, tt.others) {
							t.Errorf("%s: %s %q, want unknown with %q", c.Name, v.o, v.d, tt.others)
						}
					}
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.names, ",") {
				t.Errorf("clusters = %v, want %v", names, tt.names)
			}
			if tt.problem == "" && len(res.Problems) > 0 || tt.problem != "" && (len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, tt.problem)) {
				t.Errorf("problems = %v, want %q", res.Problems, tt.problem)
			}
			if tt.code != "" && len(res.Problems) == 1 && res.Problems[0].Code != tt.code {
				t.Errorf("problem code = %q, want %q", res.Problems[0].Code, tt.code)
			}
		})
	}
}
