package eksctl

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Kind is the resource kind reported for eksctl clusters.
const Kind = "ClusterConfig"

// New returns the eksctl adapter.
func New() iac.Adapter { return adapter{} }

type adapter struct{}

func (adapter) Name() string { return "eksctl" }

// Scan reads every .yaml and .yml file that holds a ClusterConfig document. A document of node
// groups only (for `eksctl create nodegroup -f`) is not a cluster of its own when another document
// declares the same cluster's settings: it is listed in that cluster's alsoDeclaredIn instead.
func (adapter) Scan(in *iac.Input, _ iac.Options) iac.Result {
	nodeGroupsOnly := map[*model.Cluster]bool{}
	res := iac.ScanFiles(in, []string{".yaml", ".yml"}, "eksctl config", func(f *iac.File, res *iac.Result) {
		for _, c := range scanFile(f, res) {
			if c.nodeGroupsOnly() {
				nodeGroupsOnly[c.cluster] = true
			}
		}
	})
	res.Resources = foldNodeGroupFiles(res.Resources, nodeGroupsOnly)
	return res
}

// clusterLevel are the ClusterConfig fields that configure the cluster itself rather than its node
// groups; a document with none of them, and with node groups, is a node-group file.
var clusterLevel = []string{"vpc", "iam", "addons", "cloudWatch", "accessConfig", "privateCluster",
	"secretsEncryption", "kubernetesNetworkConfig", "identityProviders", "outpost", "remoteNetworkConfig",
	"autoModeConfig", "zonalShiftConfig", "karpenter", "fargateProfiles", "gitops"}

func (c *config) nodeGroupsOnly() bool {
	for _, k := range clusterLevel {
		if getKey(c.root, k) != nil {
			return false
		}
	}
	return getKey(c.root, "nodeGroups") != nil || getKey(c.root, "managedNodeGroups") != nil
}

// foldNodeGroupFiles drops each node-group document whose cluster (name and region) another document
// declares with cluster settings, names it in that cluster's AlsoDeclaredIn and adds its node groups
// to the cluster's (a node group of the same name the cluster's document declares is the same one, and
// stays as that document has it). When several documents declare the cluster's settings, each is
// reported as it is (they may disagree) and the node-group documents are folded into all of them.
func foldNodeGroupFiles(rs []iac.Resource, nodeGroupsOnly map[*model.Cluster]bool) []iac.Resource {
	type key struct{ name, region string }
	declared := map[key][]*model.Cluster{}
	for _, r := range rs {
		if !nodeGroupsOnly[r.Cluster] {
			k := key{r.Cluster.Name, r.Cluster.Region}
			declared[k] = append(declared[k], r.Cluster)
		}
	}
	out := rs[:0]
	for _, r := range rs {
		owners := declared[key{r.Cluster.Name, r.Cluster.Region}]
		if !nodeGroupsOnly[r.Cluster] || len(owners) == 0 {
			out = append(out, r)
			continue
		}
		where := "(node groups only)"
		if l := r.Cluster.Loc; l != nil {
			where = fmt.Sprintf("%s:%d %s", l.File, l.Line, where)
		}
		for _, o := range owners {
			o.AlsoDeclaredIn = append(o.AlsoDeclaredIn, where)
			joinNodeGroups(o, r.Cluster)
		}
	}
	return out
}

// joinNodeGroups adds the node groups of a node-group document to its cluster.
func joinNodeGroups(to, from *model.Cluster) {
	if len(from.NodeGroups) == 0 {
		return
	}
	for _, ng := range from.NodeGroups {
		if !slices.ContainsFunc(to.NodeGroups, func(have model.NodeGroup) bool { return have.Name == ng.Name }) {
			to.NodeGroups = append(to.NodeGroups, ng)
		}
	}
	to.Parts = to.Parts.Add(from.Parts...)
}

// A broken file is ours to report only when it names eksctl's API group; any other broken YAML named
// on the command line is reported by the CloudFormation adapter, which leaves these to us.
var marker = []byte("eksctl.io/")

func scanFile(f *iac.File, res *iac.Result) []*config {
	var out []*config
	if !bytes.Contains(f.Data, marker) {
		return nil // a ClusterConfig names eksctl's API group: nothing else is parsed
	}
	docs, err := yamledit.ParseYAML(f.Data)
	claimed := false
	if err != nil && bytes.Contains(f.Data, marker) {
		res.Problems = append(res.Problems, yamledit.ParseProblem(f.Name, err, "cannot parse eksctl config: "))
		claimed = true
	}
	var doc *yamledit.Doc
	for _, d := range docs {
		root := yamledit.Deref(d)
		if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = yamledit.Deref(root.Content[0])
		}
		if !isClusterConfig(root) {
			continue
		}
		if doc == nil {
			doc = yamledit.NewDoc(f.Data)
		}
		claimed = true
		c := &config{file: f, doc: doc, root: root}
		c.read()
		res.Resources = append(res.Resources, iac.Resource{Cluster: c.cluster, Fix: c.fix})
		res.Problems = append(res.Problems, c.problems...)
		out = append(out, c)
	}
	if claimed {
		res.Claimed = append(res.Claimed, f.Name)
	}
	return out
}

func isClusterConfig(root *yaml.Node) bool {
	if root == nil || root.Kind != yaml.MappingNode {
		return false
	}
	return strings.HasPrefix(str(get(root, "apiVersion")), "eksctl.io/") && str(get(root, "kind")) == Kind
}

func get(m *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		_, m = yamledit.Lookup(m, p)
	}
	return yamledit.Deref(m)
}

func getKey(m *yaml.Node, path ...string) *yaml.Node {
	var k *yaml.Node
	for i, p := range path {
		k, m = yamledit.Lookup(m, p)
		if k == nil {
			return nil
		}
		if i < len(path)-1 {
			m = yamledit.Deref(m)
		}
	}
	return k
}

func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// config is one ClusterConfig document.
type config struct {
	file     *iac.File
	doc      *yamledit.Doc
	root     *yaml.Node
	cluster  *model.Cluster
	problems []iac.Problem
	// private is set when privateCluster.enabled is true; privateUnknown when it is a placeholder or
	// not a boolean.
	private, privateUnknown bool
	// lists holds the lists of strings read for node groups, by node.
	lists map[*yaml.Node]listResult
}

func (c *config) loc(n *yaml.Node) *model.Location {
	if n == nil || n.Line < 1 {
		return nil
	}
	return &model.Location{File: c.file.Name, Line: n.Line}
}

func (c *config) problem(n *yaml.Node, format string, a ...any) {
	p := iac.Problem{File: c.file.Name, Code: finding.ProblemInvalid, Message: fmt.Sprintf(format, a...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	c.problems = append(c.problems, p)
}

var placeholder = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// yaml11Bools are the plain scalars eksctl reads as booleans: it parses with sigs.k8s.io/yaml, which
// follows YAML 1.1, so yes/no/on/off count.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"true": true, "True": true, "TRUE": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
	"false": false, "False": false, "FALSE": false,
}

// boolValue reads a boolean as eksctl would. ok is false when it is not one; why then says what it is.
func boolValue(n *yaml.Node, field string) (val, present, ok bool, why string) {
	n = yamledit.Deref(n)
	if n == nil {
		return false, false, true, ""
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return false, false, true, "" // eksctl reads an empty value as unset
	}
	if n.Kind != yaml.ScalarNode {
		return false, true, false, field + " is not a boolean"
	}
	if t := n.Tag; t != "" && !strings.HasPrefix(t, "!!") {
		return false, true, false, fmt.Sprintf("%s has the tag %s, which eksctl does not resolve", field, t)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		if v, isBool := yaml11Bools[n.Value]; isBool {
			return v, true, true, ""
		}
	}
	if p := placeholder.FindString(n.Value); p != "" {
		return false, true, false, fmt.Sprintf("%s is the placeholder %s, substituted before eksctl runs", field, p)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return false, true, false, fmt.Sprintf("%s is the string %q, which eksctl rejects where a boolean is expected", field, n.Value)
	}
	return false, true, false, fmt.Sprintf("%s is %q, not a boolean", field, n.Value)
}

const eksctlDefault = "eksctl default"

func (c *config) read() {
	root := c.root
	cl := &model.Cluster{Name: str(get(root, "metadata", "name")), Region: str(get(root, "metadata", "region")),
		Version: str(get(root, "metadata", "version")), Source: model.SourceEksctl, Kind: Kind}
	c.cluster = cl
	cl.Loc = c.loc(getKey(root, "metadata", "name"))
	if cl.Name == "" {
		cl.Name = strings.TrimSuffix(filepath.Base(c.file.Name), filepath.Ext(c.file.Name))
		cl.Loc = c.loc(getKey(root, "kind"))
		c.problem(getKey(root, "kind"), "metadata.name is missing; eksctl requires it")
	}
	if strings.EqualFold(str(get(root, "kubernetesNetworkConfig", "ipFamily")), "ipv6") {
		cl.IPFamily = "ipv6"
	}
	if arn := str(get(root, "outpost", "controlPlaneOutpostARN")); arn != "" {
		cl.Outpost = true
	}
	if nets := get(root, "remoteNetworkConfig", "remoteNodeNetworks"); nets != nil && nets.Kind == yaml.SequenceNode && len(nets.Content) > 0 {
		cl.HybridNodes = true
	}
	c.endpoint()
	cl.EnabledLogTypes = c.logTypes()
	cl.AuthenticationMode = c.authMode()
	cl.SecretsKeyARN = c.secretsKey()
	c.nodeGroups()
	c.addons()
}

// endpoint reads vpc.clusterEndpoints, vpc.publicAccessCIDRs and privateCluster.
func (c *config) endpoint() {
	root, cl := c.root, c.cluster
	endpointsKey := getKey(root, "vpc", "clusterEndpoints")
	endpoints := get(root, "vpc", "clusterEndpoints")
	if endpoints != nil && endpoints.Kind == yaml.ScalarNode && endpoints.ShortTag() == "!!null" {
		endpoints = nil
	}
	pubKey, privKey := getKey(endpoints, "publicAccess"), getKey(endpoints, "privateAccess")

	enabledKey := getKey(root, "privateCluster", "enabled")
	enabled, present, ok, why := boolValue(get(root, "privateCluster", "enabled"), "privateCluster.enabled")
	switch {
	case !ok:
		c.privateUnknown = true
		u := model.Bool{Origin: model.OriginUnknown, Loc: c.loc(enabledKey), Detail: why}
		cl.EndpointPublicAccess, cl.EndpointPrivateAccess = u, u
		cl.PublicAccessCIDRs = c.cidrs()
		return
	case present && enabled:
		c.private = true
		if endpoints != nil {
			msg := "vpc.clusterEndpoints cannot be set for a fully-private cluster (privateCluster.enabled); eksctl rejects the config"
			c.problem(endpointsKey, "%s", msg)
			u := model.Bool{Origin: model.OriginUnknown, Loc: c.loc(endpointsKey), Detail: msg}
			cl.EndpointPublicAccess, cl.EndpointPrivateAccess = u, u
			cl.PublicAccessCIDRs = c.cidrs()
			return
		}
		loc := c.loc(enabledKey)
		cl.EndpointPublicAccess = model.Bool{Value: false, Origin: model.OriginExplicit, Loc: loc, Detail: "privateCluster.enabled: eksctl turns public access off once the cluster is ready"}
		cl.EndpointPrivateAccess = model.Bool{Value: true, Origin: model.OriginExplicit, Loc: loc, Detail: "privateCluster.enabled"}
		cl.PublicAccessCIDRs = c.cidrs()
		cl.Notes = append(cl.Notes, "fully-private cluster: eksctl creates it with the public endpoint enabled and turns that off once the cluster is ready, so the endpoint is briefly public during creation")
		return
	}

	defPub, defPriv, detail := true, false, eksctlDefault
	if cl.Outpost {
		// The control plane of a local cluster on Outposts is reachable only privately.
		defPub, defPriv, detail = false, true, "eksctl default for a local cluster on Outposts"
	}
	cl.EndpointPublicAccess = c.boolField(pubKey, get(endpoints, "publicAccess"), "vpc.clusterEndpoints.publicAccess", defPub, detail)
	cl.EndpointPrivateAccess = c.boolField(privKey, get(endpoints, "privateAccess"), "vpc.clusterEndpoints.privateAccess", defPriv, detail)
	cl.PublicAccessCIDRs = c.cidrs()

	pub, priv := cl.EndpointPublicAccess, cl.EndpointPrivateAccess
	if pub.Known() && priv.Known() && !pub.Value && !priv.Value {
		at := pubKey
		if at == nil {
			at = privKey
		}
		if at == nil {
			at = endpointsKey
		}
		c.problem(at, "neither public nor private endpoint access is enabled; eksctl rejects this config (EKS needs at least one)")
	}
}

func (c *config) boolField(key, n *yaml.Node, field string, def bool, detail string) model.Bool {
	val, present, ok, why := boolValue(n, field)
	switch {
	case !ok:
		return model.Bool{Origin: model.OriginUnknown, Loc: c.loc(key), Detail: why}
	case !present:
		b := model.Default(def, detail)
		b.Loc = c.loc(key) // set when the key is there with an empty value
		return b
	}
	return model.Bool{Value: val, Origin: model.OriginExplicit, Loc: c.loc(key)}
}

func (c *config) defaultCIDRs() []string {
	if c.cluster.IPFamily == "ipv6" {
		return []string{"0.0.0.0/0", "::/0"}
	}
	return []string{"0.0.0.0/0"}
}

func (c *config) cidrs() model.Strings {
	const field = "vpc.publicAccessCIDRs"
	key := getKey(c.root, "vpc", "publicAccessCIDRs")
	n := get(c.root, "vpc", "publicAccessCIDRs")
	loc := c.loc(key)
	switch {
	case n == nil:
		return model.Strings{Values: c.defaultCIDRs(), Origin: model.OriginDefault, Detail: "EKS default"}
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return model.Strings{Values: c.defaultCIDRs(), Origin: model.OriginDefault, Loc: loc, Detail: "EKS default"}
	}
	out, why := stringList(n, field)
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: loc}
}

// stringList reads a list of strings as eksctl would, or says why it cannot: a placeholder, not a
// list, an entry that is not a string, or a list that aliases make larger than
// yamledit.MaxValueBytes.
func stringList(n *yaml.Node, field string) ([]string, string) {
	switch {
	case n.Kind == yaml.ScalarNode:
		if p := placeholder.FindString(n.Value); p != "" {
			return nil, fmt.Sprintf("%s is the placeholder %s, substituted before eksctl runs", field, p)
		}
		return nil, fmt.Sprintf("%s is %q, not a list", field, n.Value)
	case n.Kind != yaml.SequenceNode:
		return nil, field + " is not a list"
	}
	if why := yamledit.ListTooLarge(n, field); why != "" {
		return nil, why
	}
	out := []string{}
	for _, e := range n.Content {
		e = yamledit.Deref(e)
		if e == nil || e.Kind != yaml.ScalarNode {
			return nil, field + " has an entry that is not a string"
		}
		if p := placeholder.FindString(e.Value); p != "" {
			return nil, fmt.Sprintf("%s holds the placeholder %s, substituted before eksctl runs", field, p)
		}
		out = append(out, e.Value)
	}
	return out, ""
}
