package eksctl

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// TestNodeGroupFiles: a file for `eksctl create nodegroup -f` names its cluster and lists node groups.
// When another file declares that cluster's settings, the cluster is reported once, from that file,
// with the node-group file in alsoDeclaredIn and no edit into it.
func TestNodeGroupFiles(t *testing.T) {
	cluster := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: eu-west-1
  version: "1.32"
vpc:
  clusterEndpoints:
    privateAccess: true
    publicAccess: false
cloudWatch:
  clusterLogging:
    enableTypes: ["*"]
`
	nodeGroups := "---\n# created with: eksctl create nodegroup -f nodegroups.yaml\r\n" +
		"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: unrelated\r\n---\r\n" +
		"apiVersion: eksctl.io/v1alpha5\r\nkind: ClusterConfig\r\nmetadata:\r\n  name: prod\r\n  region: eu-west-1\r\n" +
		"managedNodeGroups:\r\n  - name: workers\r\n    instanceType: m7i.large\r\n    desiredCapacity: 3\r\n"
	loneNodeGroups := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: staging
  region: eu-west-1
nodeGroups:
  - name: ng-1
    instanceType: t3.large
`
	otherRegion := strings.Replace(nodeGroups, "eu-west-1", "us-east-1", 1)
	second := strings.Replace(cluster, "publicAccess: false", "publicAccess: true", 1)
	file := func(name, data string) *iac.File { return &iac.File{Name: name, Path: name, Data: []byte(data)} }
	tests := []struct {
		name  string
		files []*iac.File
		// want lists every cluster reported: file:line of its name, and its alsoDeclaredIn.
		want []string
	}{
		{name: "cluster file first", files: []*iac.File{file("cluster.yaml", cluster), file("nodegroups.yaml", nodeGroups)},
			want: []string{"prod cluster.yaml:4 [nodegroups.yaml:11 (node groups only)]"}},
		{name: "node-group file first", files: []*iac.File{file("nodegroups.yaml", nodeGroups), file("cluster.yaml", cluster)},
			want: []string{"prod cluster.yaml:4 [nodegroups.yaml:11 (node groups only)]"}},
		{name: "both in one file", files: []*iac.File{file("all.yaml", cluster+nodeGroups)},
			want: []string{"prod all.yaml:4 [all.yaml:24 (node groups only)]"}},
		{name: "a node-group file alone is the cluster's only definition", files: []*iac.File{file("staging.yaml", loneNodeGroups)},
			want: []string{"staging staging.yaml:4 []"}},
		{name: "another region is another cluster", files: []*iac.File{file("cluster.yaml", cluster), file("nodegroups.yaml", otherRegion)},
			want: []string{"prod cluster.yaml:4 []", "prod nodegroups.yaml:11 []"}},
		{name: "two files with cluster settings are both reported", files: []*iac.File{file("a.yaml", cluster), file("b.yaml", second), file("nodegroups.yaml", nodeGroups)},
			want: []string{"prod a.yaml:4 [nodegroups.yaml:11 (node groups only)]", "prod b.yaml:4 [nodegroups.yaml:11 (node groups only)]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(&iac.Input{Files: tt.files}, iac.Options{})
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %+v", res.Problems)
			}
			var got []string
			for _, r := range res.Resources {
				c := r.Cluster
				got = append(got, fmt.Sprintf("%s %s:%d %v", c.Name, c.Loc.File, c.Loc.Line, c.AlsoDeclaredIn))
				// Every cluster here lacks settings, so gets an edit, and every edit goes into the file
				// that declares the cluster's settings.
				want, _, _ := check.Wanted(c, check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: "arn:aws:kms:eu-west-1:111111111111:key/k"})
				fix, _, err := iac.PlanFix(r, want)
				if err != nil || fix == nil || len(fix.Edits) == 0 {
					t.Fatalf("%s: no edit (%v)", c.Name, err)
				}
				for _, e := range fix.Edits {
					if e.File != c.Loc.File {
						t.Errorf("%s: an edit into %s", c.Name, e.File)
					}
				}
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("clusters:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
