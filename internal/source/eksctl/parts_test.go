package eksctl

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// nodeGroupText is a node group as the tests compare it: name, privateNetworking with origin and
// line, subnets, SSH access and its sources.
func nodeGroupText(ng model.NodeGroup) string {
	pn := "-"
	if p := ng.PrivateNetworking; p != nil {
		pn = fmt.Sprintf("%v/%s@%d", p.Value, p.Origin, line(p.Loc))
		if !p.Known() {
			pn = fmt.Sprintf("%s@%d", p.Detail, line(p.Loc))
		}
	}
	subnets := strings.Join(ng.Subnets.Values, ",")
	if !ng.Subnets.Known() {
		subnets = ng.Subnets.Detail
	}
	ssh := fmt.Sprintf("%v/%s@%d", ng.RemoteAccess.Value, ng.RemoteAccess.Origin, line(ng.RemoteAccess.Loc))
	return fmt.Sprintf("%s@%d pn=%s subnets=%s ssh=%s from=%v", ng.Name, line(ng.Loc), pn, subnets, ssh, ng.RemoteAccessSources)
}

func line(l *model.Location) int {
	if l == nil {
		return 0
	}
	return l.Line
}

// TestNodeGroups covers managedNodeGroups and nodeGroups: what is read of each node group, eksctl's
// defaults, and the private nodes verdict that follows.
func TestNodeGroups(t *testing.T) {
	tests := []struct {
		name, file, cluster string
		groups              []string // nil: no node groups part
		verdict             finding.Status
		line                int
		reason              string
	}{
		{name: "every kind of node group, after an unrelated document", file: "nodegroups.yaml", cluster: "nodes",
			groups: []string{
				"private@19 pn=true/explicit@21 subnets=private-eu-west-1a,subnet-0a1b2c3d4e5f60718 ssh=false/default@19 from=[]",
				"defaults@23 pn=false/default@23 subnets=eksctl chooses the subnets ssh=true/explicit@26 from=[]",
				"ssh-key@27 pn=true/explicit@28 subnets=eksctl chooses the subnets ssh=true/explicit@30 from=[sg-0a1b2c3d4e5f60718]",
				"self-managed@33 pn=false/explicit@34 subnets=eksctl chooses the subnets ssh=false/explicit@36 from=[]",
				"from-env@38 pn=nodeGroups[1].privateNetworking is the placeholder ${PRIVATE_NODES}, substituted before eksctl runs@39 subnets=nodeGroups[1].subnets is the placeholder ${NODE_SUBNETS}, substituted before eksctl runs ssh=false/default@38 from=[]",
			},
			verdict: finding.Fail, line: 23, reason: "node group defaults (privateNetworking false: public subnets), node group self-managed (privateNetworking false: public subnets); SSH is open to 0.0.0.0/0 on node groups defaults"},
		{name: "a file without node groups", file: "addons.yaml", cluster: "no-addons-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(readFile(t, "testdata/parts/"+tt.file, false))
			if len(res.Problems) > 0 {
				t.Fatalf("problems %v", res.Problems)
			}
			r := findResource(res, tt.cluster)
			if r == nil {
				t.Fatalf("no cluster %s", tt.cluster)
			}
			c := r.Cluster
			var got []string
			for _, ng := range c.NodeGroups {
				got = append(got, nodeGroupText(ng))
			}
			if strings.Join(got, "\n") != strings.Join(tt.groups, "\n") {
				t.Errorf("node groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.groups, "\n"))
			}
			wantParts := model.Parts{}
			if tt.groups != nil {
				wantParts = wantParts.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets)
			}
			if fmt.Sprint(c.Parts) != fmt.Sprint(wantParts) {
				t.Errorf("parts %v, want %v", c.Parts, wantParts)
			}
			if applies := check.PrivateNodes.Applies(c); applies != (tt.groups != nil) {
				t.Fatalf("private nodes applies %v", applies)
			}
			if tt.groups == nil {
				return
			}
			o := check.PrivateNodes.Evaluate(c)
			if o.Status != tt.verdict || line(o.Location) != tt.line || !strings.Contains(o.Reason, tt.reason) {
				t.Errorf("private nodes %s at line %d (%s), want %s at %d with %q", o.Status, line(o.Location), o.Reason, tt.verdict, tt.line, tt.reason)
			}
		})
	}
}

// TestNodeGroupsInline covers single node groups, each with the private nodes verdict.
func TestNodeGroupsInline(t *testing.T) {
	head := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\n"
	tests := []struct {
		name, text string
		verdict    finding.Status
		problem    string
	}{
		{name: "private networking", text: head + "managedNodeGroups:\n  - name: a\n    privateNetworking: true\n", verdict: finding.Pass},
		{name: "default: public subnets", text: head + "nodeGroups:\n  - name: a\n", verdict: finding.Fail},
		{name: "placeholder", text: head + "nodeGroups:\n  - name: a\n    privateNetworking: $PRIVATE\n", verdict: finding.Unknown},
		{name: "quoted boolean, which eksctl rejects", text: head + "nodeGroups:\n  - name: a\n    privateNetworking: \"true\"\n", verdict: finding.Unknown},
		{name: "node groups through YAML merge keys", text: head + "x-base: &base\n  privateNetworking: true\nmanagedNodeGroups:\n  - <<: *base\n    name: a\n  - <<: *base\n    name: b\n", verdict: finding.Pass},
		{name: "fully-private cluster with privateNetworking false, which eksctl rejects", text: head + "privateCluster:\n  enabled: true\nmanagedNodeGroups:\n  - name: a\n    privateNetworking: false\n",
			verdict: finding.Fail, problem: "c.yaml:9:5: managedNodeGroups[0].privateNetworking must be enabled for a fully-private cluster"},
		{name: "fully-private cluster without privateNetworking, which eksctl rejects", text: head + "privateCluster:\n  enabled: true\nmanagedNodeGroups:\n  - name: a\n",
			verdict: finding.Unknown},
		{name: "fully-private cluster with private networking", text: head + "privateCluster:\n  enabled: true\nnodeGroups:\n  - name: a\n    privateNetworking: true\n",
			verdict: finding.Pass},
		{name: "node group without a name", text: head + "managedNodeGroups:\n  - privateNetworking: true\n", verdict: finding.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(tt.text)})
			var problems []string
			for _, p := range res.Problems {
				problems = append(problems, p.String())
			}
			if got := strings.Join(problems, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters", len(res.Resources))
			}
			c := res.Resources[0].Cluster
			if o := check.PrivateNodes.Evaluate(c); o.Status != tt.verdict || o.Location == nil {
				t.Errorf("private nodes %s at %+v (%s), want %s", o.Status, o.Location, o.Reason, tt.verdict)
			}
		})
	}
}

// TestNodeGroupLimit: aliases let a short file list one node group thousands of times; past
// maxEntries the node groups are not read, and that is a problem.
func TestNodeGroupLimit(t *testing.T) {
	text := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\nmanagedNodeGroups:\n  - &ng {name: a, privateNetworking: true}\n" +
		strings.Repeat("  - *ng\n", maxEntries)
	res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(text)})
	if len(res.Problems) != 1 || res.Problems[0].Code != finding.ProblemLimit || res.Problems[0].Line != 6+maxEntries {
		t.Errorf("problems %v", res.Problems)
	}
	if c := res.Resources[0].Cluster; len(c.NodeGroups) > 0 || len(c.Parts) > 0 {
		t.Errorf("%d node groups, parts %v", len(c.NodeGroups), c.Parts)
	}
}

// TestAliasedSubnets: every node group names one list of 60,000 subnets through an alias; the list
// is read once, not once per node group.
func TestAliasedSubnets(t *testing.T) {
	text := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\nx-subnets: &s [" + strings.Repeat("a, ", 60_000) + "b]\nmanagedNodeGroups:\n" +
		strings.Repeat("  - {name: ng, privateNetworking: true, subnets: *s, ssh: {allow: true, sourceSecurityGroupIds: *s}}\n", maxEntries)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(text)})
	runtime.ReadMemStats(&after)
	if len(res.Problems) > 0 || len(res.Resources) != 1 || len(res.Resources[0].Cluster.NodeGroups) != maxEntries {
		t.Fatalf("problems %v", res.Problems)
	}
	if ng := res.Resources[0].Cluster.NodeGroups[maxEntries-1]; len(ng.Subnets.Values) != 60_001 || len(ng.RemoteAccessSources) != 60_001 {
		t.Errorf("%d subnets, %d sources", len(ng.Subnets.Values), len(ng.RemoteAccessSources))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("scanning allocated %s, want at most 64 MiB", yamledit.ByteSize(int64(alloc)))
	}
}

// TestAddons covers addons: what is read of each, the vpc-cni eksctl creates when the list has none
// (unless default add-ons are off, or Auto Mode is on), and the network policy verdict.
func TestAddons(t *testing.T) {
	tests := []struct {
		name, file, cluster string
		addons              []string // nil: no add-ons part
		verdict             finding.Status
		line                int
		note                string
	}{
		{name: "byte order mark and CRLF: vpc-cni with JSON configuration", file: "addons-crlf.yaml", cluster: "with-cni",
			addons: []string{
				`vpc-cni v1.19.2-eksbuild.1 explicit@9 {"enableNetworkPolicy": "true"}`,
				"coredns latest default@0 " + noAddonConf,
			}, verdict: finding.Pass, line: 9},
		{name: "second document: an add-on from the environment may be the vpc-cni", file: "addons-crlf.yaml", cluster: "default-cni",
			addons: []string{
				"coredns  default@0 " + noAddonConf,
				"vpc-cni  unknown@18 addons[1].name is the placeholder ${EXTRA_ADDON}, substituted before eksctl runs, so whether it is vpc-cni, replacing the one eksctl creates, is not known",
			}, verdict: finding.Unknown, line: 18, note: "addons[1] is not read: addons[1].name is the placeholder ${EXTRA_ADDON}"},
		{name: "empty list: eksctl's own vpc-cni", file: "addons.yaml", cluster: "empty-addons",
			addons: []string{"vpc-cni  default@6 " + defaultVPCCNI}, verdict: finding.Fail, line: 6},
		{name: "default add-ons disabled", file: "addons.yaml", cluster: "defaults-disabled",
			addons: []string{"coredns  default@0 " + noAddonConf}, verdict: finding.Manual, line: 11},
		{name: "Auto Mode", file: "addons.yaml", cluster: "auto-mode",
			addons: []string{"metrics-server  default@0 " + noAddonConf}, verdict: finding.Manual, line: 21},
		{name: "disableDefaultAddons from the environment", file: "addons.yaml", cluster: "disabled-from-env",
			addons: []string{
				"kube-proxy  default@0 " + noAddonConf,
				"vpc-cni  unknown@35 whether eksctl creates vpc-cni as an EKS add-on is not known: addonsConfig.disableDefaultAddons is the placeholder ${DISABLE_DEFAULTS}, substituted before eksctl runs",
			}, verdict: finding.Unknown, line: 35},
		{name: "block scalar configuration; a mapping eksctl rejects", file: "addons.yaml", cluster: "block-config",
			addons: []string{
				"vpc-cni  explicit@45 enableNetworkPolicy: \"true\"\nnodeAgent:\n  enabled: \"false\"",
				"aws-ebs-csi-driver  unknown@50 addons[1].configurationValues is not a string",
			}, verdict: finding.Fail, line: 45},
		{name: "no addons key", file: "addons.yaml", cluster: "no-addons-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(readFile(t, "testdata/parts/"+tt.file, false))
			if len(res.Problems) > 0 {
				t.Fatalf("problems %v", res.Problems)
			}
			r := findResource(res, tt.cluster)
			if r == nil {
				t.Fatalf("no cluster %s", tt.cluster)
			}
			c := r.Cluster
			var got []string
			for _, a := range c.Addons {
				cv := a.ConfigurationValues.Value
				if !a.ConfigurationValues.Known() || cv == "" {
					cv = a.ConfigurationValues.Detail
				}
				got = append(got, fmt.Sprintf("%s %s %s@%d %s", a.Name, a.Version, a.ConfigurationValues.Origin, line(a.ConfigurationValues.Loc), cv))
			}
			if strings.Join(got, "\n") != strings.Join(tt.addons, "\n") {
				t.Errorf("add-ons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.addons, "\n"))
			}
			if c.Parts.Has(model.PartAddons) != (tt.addons != nil) || len(c.Parts) > 1 {
				t.Errorf("parts %v", c.Parts)
			}
			if applies := check.NetworkPolicy.Applies(c); applies != (tt.addons != nil) {
				t.Fatalf("network policy applies %v", applies)
			}
			if !strings.Contains(strings.Join(c.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", c.Notes, tt.note)
			}
			if tt.addons == nil {
				return
			}
			o := check.NetworkPolicy.Evaluate(c)
			if o.Status != tt.verdict || line(o.Location) != tt.line {
				t.Errorf("network policy %s at line %d (%s), want %s at %d", o.Status, line(o.Location), o.Reason, tt.verdict, tt.line)
			}
		})
	}
}

// TestNodeGroupFilesJoin: the node groups of a node-group file join the cluster's, a node group of
// the same name once, and give the cluster the node parts when its own file has none.
func TestNodeGroupFilesJoin(t *testing.T) {
	cluster := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\nvpc:\n  clusterEndpoints:\n    privateAccess: true\n"
	withNodes := cluster + "managedNodeGroups:\n  - name: system\n    privateNetworking: true\n"
	nodeGroups := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\n" +
		"managedNodeGroups:\n  - name: system\n  - name: workers\n    privateNetworking: true\n"
	file := func(name, data string) *iac.File { return &iac.File{Name: name, Path: name, Data: []byte(data)} }
	tests := []struct {
		name    string
		files   []*iac.File
		groups  []string
		verdict finding.Status
	}{
		{name: "cluster without node groups", files: []*iac.File{file("cluster.yaml", cluster), file("nodegroups.yaml", nodeGroups)},
			groups: []string{"system nodegroups.yaml:7", "workers nodegroups.yaml:8"}, verdict: finding.Fail},
		{name: "cluster with a node group of the same name", files: []*iac.File{file("nodegroups.yaml", nodeGroups), file("cluster.yaml", withNodes)},
			groups: []string{"system cluster.yaml:10", "workers nodegroups.yaml:8"}, verdict: finding.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(&iac.Input{Files: tt.files}, iac.Options{})
			if len(res.Problems) > 0 || len(res.Resources) != 1 {
				t.Fatalf("problems %v, %d clusters", res.Problems, len(res.Resources))
			}
			c := res.Resources[0].Cluster
			var got []string
			for _, ng := range c.NodeGroups {
				got = append(got, fmt.Sprintf("%s %s:%d", ng.Name, ng.Loc.File, ng.Loc.Line))
			}
			if strings.Join(got, "\n") != strings.Join(tt.groups, "\n") {
				t.Errorf("node groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.groups, "\n"))
			}
			if !check.PrivateNodes.Applies(c) {
				t.Fatalf("parts %v", c.Parts)
			}
			if o := check.PrivateNodes.Evaluate(c); o.Status != tt.verdict {
				t.Errorf("private nodes %s (%s), want %s", o.Status, o.Reason, tt.verdict)
			}
		})
	}
}

// TestNoParts: the configs of the other tests, without node groups or add-ons, give no parts, so
// their clusters are judged as before.
func TestNoParts(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	// The files that declare node groups or add-ons, with the parts they get.
	with := map[string]model.Parts{
		"no-vpc":     model.Parts{}.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets),
		"dual-stack": model.Parts{}.Add(model.PartAddons),
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		res := scan(readFile(t, filepath.ToSlash(filepath.Join("testdata", e.Name())), false))
		for _, r := range res.Resources {
			n++
			c := r.Cluster
			if fmt.Sprint(c.Parts) != fmt.Sprint(with[c.Name]) {
				t.Errorf("%s (%s): parts %v, want %v", c.Name, e.Name(), c.Parts, with[c.Name])
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d clusters", n)
	}
}
