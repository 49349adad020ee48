package eksctl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func readFile(t testing.TB, path string, explicit bool) *iac.File {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return &iac.File{Path: filepath.FromSlash(path), Name: path, Data: data, Explicit: explicit}
}

func scan(files ...*iac.File) iac.Result {
	return New().Scan(&iac.Input{Files: files}, iac.Options{})
}

func findResource(res iac.Result, name string) *iac.Resource {
	for i := range res.Resources {
		if res.Resources[i].Cluster.Name == name {
			return &res.Resources[i]
		}
	}
	return nil
}

type verdict struct {
	s541, s542 finding.Status
	l541, l542 int
	r541       string
}

func evaluate(t testing.TB, c *model.Cluster) verdict {
	t.Helper()
	var v verdict
	for _, r := range benchmark.Default().EvaluateCluster(c) {
		line := 0
		if r.Location != nil {
			line = r.Location.Line
			if r.Location.File != c.Loc.File {
				t.Errorf("%s location file %q, want %q", r.Control, r.Location.File, c.Loc.File)
			}
		}
		switch r.Control {
		case "5.4.1":
			v.s541, v.l541, v.r541 = r.Status, line, r.Reason
		case "5.4.2":
			v.s542, v.l542 = r.Status, line
		}
	}
	return v
}

// TestClusters covers every way an eksctl ClusterConfig writes the endpoint settings
// (docs/iac-cloudformation-eksctl.md), with the verdicts and the line that decides each.
func TestClusters(t *testing.T) {
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	tests := []struct {
		name, file, cluster string
		region              string
		want541, want542    finding.Status
		line541, line542    int
		reason              string
		pubOrigin           model.Origin
		note                string
	}{
		{name: "no vpc section: eksctl defaults", file: "no-vpc.yaml", cluster: "no-vpc", region: "eu-west-1", want541: F, want542: F, line541: 5, line542: 5, reason: "private access is off", pubOrigin: model.OriginDefault},
		{name: "only privateAccess set", file: "partial.yaml", cluster: "private-only-set", region: "us-east-1", want541: F, want542: F, line541: 4, line542: 4, reason: "open to the internet", pubOrigin: model.OriginDefault},
		{name: "only publicAccess false: private defaults off", file: "partial.yaml", cluster: "public-only-set", want541: F, want542: F, line541: 18, line542: 18, reason: "both endpoints"},
		{name: "publicAccessCIDRs with private on", file: "cidrs.yaml", cluster: "restricted", want541: P, want542: F, line541: 10, line542: 8, reason: "2 blocks"},
		{name: "publicAccessCIDRs with eksctl defaults", file: "cidrs.yaml", cluster: "restricted-private-off", want541: F, want542: F, line541: 15, line542: 15, reason: "private access is off"},
		{name: "flow clusterEndpoints and an open list", file: "cidrs.yaml", cluster: "world", want541: F, want542: F, line541: 28, line542: 27, reason: "0.0.0.0/0"},
		{name: "empty publicAccessCIDRs and YAML 1.1 yes", file: "cidrs.yaml", cluster: "empty-list", want541: F, want542: F, line541: 38, line542: 33, reason: "is empty"},
		{name: "privateCluster.enabled", file: "private-cluster.yaml", cluster: "fully-private", region: "us-west-2", want541: P, want542: P, line541: 7, line542: 7, pubOrigin: model.OriginExplicit, note: "briefly public during creation"},
		{name: "clusterEndpoints with privateCluster", file: "private-cluster.yaml", cluster: "private-with-endpoints", want541: U, want542: U, line541: 19, line542: 19, reason: "eksctl rejects the config"},
		{name: "privateCluster disabled", file: "private-cluster.yaml", cluster: "private-disabled", want541: F, want542: F, line541: 26, line542: 26},
		{name: "both false", file: "both-false.yaml", cluster: "no-access", want541: F, want542: F, line541: 8, line542: 8, reason: "both endpoints"},
		{name: "placeholder boolean", file: "placeholders.yaml", cluster: "${EKS_CLUSTER_NAME}", region: "${AWS_REGION}", want541: U, want542: U, line541: 9, line542: 9, reason: "placeholder ${PUBLIC_ACCESS}", pubOrigin: model.OriginUnknown},
		{name: "quoted boolean", file: "placeholders.yaml", cluster: "quoted", want541: U, want542: U, line541: 19, line542: 19, reason: `the string "false", which eksctl rejects`},
		{name: "placeholder allowlist", file: "placeholders.yaml", cluster: "cidr-placeholder", want541: U, want542: F, line541: 29, line542: 25, reason: "placeholder ${CIDRS}"},
		{name: "values from a YAML merge key", file: "merge.yaml", cluster: "merged-private", want541: P, want542: P, line541: 9, line542: 9},
		{name: "open through a YAML merge key", file: "merge.yaml", cluster: "merged-open", want541: F, want542: F, line541: 18, line542: 18, pubOrigin: model.OriginExplicit},
		{name: "custom tag on a boolean", file: "merge.yaml", cluster: "tagged", want541: U, want542: U, line541: 26, line542: 26, reason: "tag !env"},
		{name: "dual-stack default allowlist", file: "ipv6.yaml", cluster: "dual-stack", want541: F, want542: F, line541: 4, line542: 4, reason: "0.0.0.0/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "testdata/" + tt.file
			r := findResource(scan(readFile(t, path, false)), tt.cluster)
			if r == nil {
				t.Fatal("cluster not found")
			}
			c := r.Cluster
			if c.Kind != Kind || c.Source != model.SourceEksctl || c.Loc == nil || c.Loc.File != path {
				t.Errorf("kind %q source %q loc %v", c.Kind, c.Source, c.Loc)
			}
			if tt.region != "" && c.Region != tt.region {
				t.Errorf("region %q, want %q", c.Region, tt.region)
			}
			v := evaluate(t, c)
			if v.s541 != tt.want541 || v.s542 != tt.want542 {
				t.Errorf("5.4.1 %s, 5.4.2 %s; want %s, %s (%s)", v.s541, v.s542, tt.want541, tt.want542, v.r541)
			}
			if v.l541 != tt.line541 || v.l542 != tt.line542 {
				t.Errorf("lines 5.4.1 %d, 5.4.2 %d; want %d, %d", v.l541, v.l542, tt.line541, tt.line542)
			}
			if !strings.Contains(v.r541, tt.reason) {
				t.Errorf("5.4.1 reason %q does not contain %q", v.r541, tt.reason)
			}
			if tt.pubOrigin != "" && c.EndpointPublicAccess.Origin != tt.pubOrigin {
				t.Errorf("public origin %s, want %s", c.EndpointPublicAccess.Origin, tt.pubOrigin)
			}
			if tt.note != "" && !strings.Contains(strings.Join(c.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", c.Notes, tt.note)
			}
		})
	}
}

func TestModelDetails(t *testing.T) {
	res := scan(readFile(t, "testdata/no-vpc.yaml", false), readFile(t, "testdata/ipv6.yaml", false), readFile(t, "testdata/private-cluster.yaml", false))
	if c := findResource(res, "no-vpc").Cluster; c.Version != "1.31" || c.EndpointPrivateAccess != model.Default(false, "eksctl default") ||
		c.PublicAccessCIDRs.Origin != model.OriginDefault || strings.Join(c.PublicAccessCIDRs.Values, ",") != "0.0.0.0/0" {
		t.Errorf("no-vpc: %+v", c)
	}
	if c := findResource(res, "dual-stack").Cluster; c.IPFamily != "ipv6" || strings.Join(c.PublicAccessCIDRs.Values, ",") != "0.0.0.0/0,::/0" {
		t.Errorf("dual-stack: %+v", c)
	}
	if c := findResource(res, "fully-private").Cluster; c.EndpointPublicAccess.Loc.Line != 7 || c.EndpointPrivateAccess.Value != true {
		t.Errorf("fully-private: %+v", c)
	}
}

func TestProblems(t *testing.T) {
	file := func(name, data string, explicit bool) *iac.File {
		return &iac.File{Path: name, Name: name, Data: []byte(data), Explicit: explicit}
	}
	tests := []struct {
		name     string
		file     *iac.File
		claimed  bool
		problems []string // "line: substring"
		clusters int
	}{
		{name: "malformed config", file: readFile(t, "testdata/broken.yaml", false), claimed: true, problems: []string{"8: cannot parse eksctl config: did not find expected key"}},
		{name: "both false is rejected by eksctl", file: readFile(t, "testdata/both-false.yaml", false), claimed: true, clusters: 1, problems: []string{"8: neither public nor private endpoint access is enabled"}},
		{name: "publicAccess false alone is rejected too", file: readFile(t, "testdata/partial.yaml", false), claimed: true, clusters: 2, problems: []string{"18: neither public nor private"}},
		{name: "clusterEndpoints with privateCluster", file: readFile(t, "testdata/private-cluster.yaml", false), claimed: true, clusters: 3, problems: []string{"19: vpc.clusterEndpoints cannot be set for a fully-private cluster"}},
		{name: "kubernetes manifest", file: readFile(t, "testdata/not-eksctl.yaml", true)},
		{name: "broken YAML of another kind, named explicitly, is not ours", file: file("x.yaml", "a:\n b: [\n", true)},
		{name: "JSON is not an eksctl config", file: file("c.json", `{"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig"}`, true)},
		{name: "missing name", file: file("unnamed.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n", false), claimed: true, clusters: 1, problems: []string{"2: metadata.name is missing"}},
		{name: "good document before a broken one", file: file("two.yml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: a}\n---\nvpc: [\n", false), claimed: true, clusters: 1, problems: []string{"5: cannot parse"}},
		{name: "flow-style document", file: file("flow.yaml", "{apiVersion: eksctl.io/v1alpha5, kind: ClusterConfig, metadata: {name: f}}\n", false), claimed: true, clusters: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(tt.file)
			if got := len(res.Claimed) == 1 && res.Claimed[0] == tt.file.Name; got != tt.claimed {
				t.Errorf("claimed %v, want %v", res.Claimed, tt.claimed)
			}
			if len(res.Resources) != tt.clusters {
				t.Errorf("%d clusters, want %d", len(res.Resources), tt.clusters)
			}
			if len(res.Problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %v", res.Problems, tt.problems)
			}
			for i, p := range res.Problems {
				code := finding.ProblemInvalid
				if strings.Contains(p.Message, "cannot parse") {
					code = finding.ProblemSyntax
				}
				if p.Code != code {
					t.Errorf("problem %v has code %q, want %q", p, p.Code, code)
				}
				line, sub, _ := strings.Cut(tt.problems[i], ": ")
				if fmt.Sprint(p.Line) != line || p.File != tt.file.Name || !strings.Contains(p.Message, sub) {
					t.Errorf("problem %v, want %s", p, tt.problems[i])
				}
			}
		})
	}
	if New().Name() != "eksctl" || len(New().Scan(nil, iac.Options{}).Resources) != 0 {
		t.Error("name or nil input")
	}
}
