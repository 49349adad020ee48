package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// The parts of a tree beyond its clusters (docs/controls-beyond-the-cluster.md): node groups and
// the subnets and route tables they run in (5.4.3), add-ons (5.4.4), and ECR repositories with the
// registry's scanning configuration (5.1.1). Every module instance of a root's tree registers the
// resources it declares; once the whole tree has run, node groups and add-ons are tied to the
// clusters of the tree their cluster_name refers to, and the repositories form the root's registry.
// A cluster gets a part only when the tree declares one for it: a tree with no node group says
// nothing about the cluster's nodes (an Auto Scaling group, Karpenter, another tree), so the
// control is not judged from it.

// partTypes are the resource types part reading reads.
var partTypes = map[string]bool{
	"aws_eks_node_group": true, "aws_eks_addon": true,
	"aws_subnet": true, "aws_route_table": true, "aws_default_route_table": true, "aws_route": true,
	"aws_route_table_association": true, "aws_main_route_table_association": true,
	"aws_ecr_repository": true, "aws_ecr_registry_scanning_configuration": true,
}

// maxPartInstances bounds the resource instances part reading expands in one root (count and
// for_each multiply as they do for clusters). Past it the root's parts are not read at all, and the
// controls that read them are not judged there.
const maxPartInstances = 10000

// partsState is what one root's tree gathers for its parts.
type partsState struct {
	s    *scanner
	root string
	// clusters are the clusters of the tree, with what ties node groups and add-ons to them.
	clusters []*clusterRef
	// decls are the resources of partTypes by type, and byAddr by address (module prefix, type and
	// name), each with the module instance that declares it.
	decls  map[string][]resRef
	byAddr map[string]resRef
	// eks are the terraform-aws-modules/eks calls, whose node groups and add-ons are arguments;
	// vpcs the terraform-aws-modules/vpc calls modelled, by address.
	eks  []*eksJob
	vpcs map[string]*vpcModel

	spent  int
	capped bool
	// unmatched are node groups whose cluster cannot be told, for the clusters' notes.
	unmatched []string

	subnets map[string]model.Subnet
	net     *network
}

type resRef struct {
	in *instance
	r  *resourceDecl
}

// clusterRef is a cluster of the tree and what it gets.
type clusterRef struct {
	c    *model.Cluster
	in   *instance
	addr string
	// name is the argument that names the cluster (aws_eks_cluster.name, a module's cluster_name),
	// evaluated in sc; call is the module call that declares it, "" for a resource.
	name *hcl.Attribute
	sc   *scope
	call string

	nameDone bool
	nameVal  string
	nameOK   bool

	nodeGroups []model.NodeGroup
	subnetRefs []subnetRef
	subnets    []model.Subnet
	addons     []model.Addon
	// hasNodes and hasAddons are set when the tree declares node groups or add-ons for the
	// cluster, even ones that cannot be read.
	hasNodes, hasAddons bool
}

func (in *instance) partsState() *partsState {
	if in.root.parts == nil {
		in.root.parts = &partsState{s: in.s, root: in.root.mod.name, decls: map[string][]resRef{},
			byAddr: map[string]resRef{}, vpcs: map[string]*vpcModel{}, subnets: map[string]model.Subnet{}}
	}
	return in.root.parts
}

// registerParts records the module's resources of partTypes.
func (in *instance) registerParts() {
	if len(in.mod.resList) == 0 {
		return
	}
	st := in.partsState()
	for _, r := range in.mod.resList {
		rr := resRef{in: in, r: r}
		st.decls[r.typ] = append(st.decls[r.typ], rr)
		st.byAddr[in.prefix+r.typ+"."+r.name] = rr
	}
}

// registerCluster records an aws_eks_cluster of the tree.
func (in *instance) registerCluster(c *model.Cluster, r *resourceDecl, sc *scope) {
	var name *hcl.Attribute
	if content, _, _ := r.block.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "name"}}}); content != nil {
		name = content.Attributes["name"]
	}
	st := in.partsState()
	st.clusters = append(st.clusters, &clusterRef{c: c, in: in, addr: c.Name, name: name, sc: sc})
}

// spend counts resource instances expanded for parts; past the bound it reports a problem once
// and returns false.
func (st *partsState) spend(n int, file string, line int) bool {
	if st.capped {
		return false
	}
	st.spent += n
	if st.spent > maxPartInstances {
		st.capped = true
		st.s.problem(iac.Problem{File: file, Line: line, Code: finding.ProblemLimit, Message: fmt.Sprintf("root module %q declares more than %d resource instances around its clusters (node groups, add-ons, subnets, route tables, repositories; count and for_each multiply); they are not read, and the controls that read them are not judged for this root", st.root, maxPartInstances)})
		return false
	}
	return true
}

func (st *partsState) stopped() bool { return st.capped || st.s.ctx.Err() != nil }

// finishParts ties the parts of the tree to its clusters and forms its registry.
func (in *instance) finishParts() {
	st := in.root.parts
	if st == nil {
		return
	}
	// The state stays in place while it is read (references count what they expand on it), and
	// goes with the tree.
	defer func() { in.root.parts = nil }()
	st.readNodeGroups()
	for _, j := range st.eks {
		if st.stopped() {
			break
		}
		st.readEKSParts(j)
	}
	st.readAddons()
	for _, cr := range st.clusters {
		if st.stopped() {
			break
		}
		st.resolveSubnets(cr)
	}
	reg := st.readRegistry()
	if st.stopped() {
		return
	}
	for _, cr := range st.clusters {
		c := cr.c
		if cr.hasNodes {
			c.NodeGroups, c.Subnets = cr.nodeGroups, cr.subnets
			c.Parts = c.Parts.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets)
			for _, u := range st.unmatched {
				c.Notes = append(c.Notes, u)
			}
		}
		if cr.hasAddons {
			c.Addons = cr.addons
			c.Parts = c.Parts.Add(model.PartAddons)
		}
	}
	if reg != nil {
		in.s.res.Registries = append(in.s.res.Registries, reg)
	}
}

// clusterName is the name a cluster is declared with, when it is known.
func (cr *clusterRef) clusterName() (string, bool) {
	if cr.nameDone {
		return cr.nameVal, cr.nameOK
	}
	cr.nameDone = true
	if cr.name == nil {
		return "", false
	}
	v, reason := cr.in.eval(cr.name.Expr, cr.sc)
	if reason == "" && !v.IsNull() && v.Type() == cty.String {
		cr.nameVal, cr.nameOK = v.AsString(), true
	}
	return cr.nameVal, cr.nameOK
}

// matchCluster finds the clusters of the tree a cluster_name argument refers to: a reference to
// an aws_eks_cluster (name or id), a terraform-aws-modules/eks call's cluster output, or a value
// equal to a cluster's name. Unknown on both sides, the same expression in the same module
// instance (cluster_name = var.cluster_name beside name = var.cluster_name) is the same cluster.
func (st *partsState) matchCluster(in *instance, a *hcl.Attribute, sc *scope, what string, l *model.Location) []*clusterRef {
	if a == nil || len(st.clusters) == 0 {
		return nil
	}
	var out []*clusterRef
	if t, diags := hcl.AbsTraversalForExpr(in.s.native(a.Expr)); !diags.HasErrors() && t.RootName() == "module" && len(t) == 3 {
		if o, ok := t[2].(hcl.TraverseAttr); ok && (o.Name == "cluster_name" || o.Name == "cluster_id" || o.Name == "cluster_arn") {
			for _, cr := range st.clusters {
				if cr.in == in && cr.call == attrName(t) {
					out = append(out, cr)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	e := in.refEval(a.Expr, sc)
	if e.v.IsKnown() && !e.v.IsNull() && e.v.Type() == cty.String {
		s := e.v.AsString()
		if _, typ, addr, ok := parseToken(s); ok {
			for _, cr := range st.clusters {
				if typ == "aws_eks_cluster" && cr.addr == addr {
					out = append(out, cr)
				}
			}
			return out
		}
		for _, cr := range st.clusters {
			if n, ok := cr.clusterName(); ok && n == s {
				out = append(out, cr)
			}
		}
		return out
	}
	if !usesInstanceKey(a.Expr) {
		text := in.exprText(a.Expr)
		for _, cr := range st.clusters {
			if cr.in == in && cr.name != nil && !usesInstanceKey(cr.name.Expr) && in.exprText(cr.name.Expr) == text {
				out = append(out, cr)
			}
		}
	}
	if len(out) == 0 && e.reason != "" {
		st.unmatched = append(st.unmatched, fmt.Sprintf("%s (%s:%d) is not counted with any cluster: its cluster_name = %s is unknown (%s)", what, l.File, l.Line, in.exprText(a.Expr), clean(e.reason)))
	}
	return out
}

var nodeGroupSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "cluster_name"}, {Name: "node_group_name"}, {Name: "node_group_name_prefix"}, {Name: "node_role_arn"}, {Name: "subnet_ids"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "remote_access"}, {Type: "dynamic", LabelNames: []string{"type"}}},
}

var remoteAccessSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "ec2_ssh_key"}, {Name: "source_security_group_ids"}}}

// readNodeGroups reads the aws_eks_node_group resources of the tree.
func (st *partsState) readNodeGroups() {
	for _, rr := range st.decls["aws_eks_node_group"] {
		in, r := rr.in, rr.r
		content, _, _ := r.block.Body.PartialContent(nodeGroupSchema)
		if content == nil {
			continue
		}
		rk := in.resKeys(r)
		for _, k := range rk.keys {
			if st.stopped() {
				return
			}
			addr := resAddr(in, r, k)
			l := loc(r.file.name, r.line())
			refs := st.matchCluster(in, content.Attributes["cluster_name"], k.scope, addr, l)
			if len(refs) == 0 {
				continue
			}
			ng, subs := st.readNodeGroup(in, r, content, k, addr)
			for _, cr := range refs {
				cr.hasNodes = true
				cr.nodeGroups = append(cr.nodeGroups, ng)
				cr.subnetRefs = append(cr.subnetRefs, subs...)
				if k.suffix == "[?]" {
					cr.c.Notes = append(cr.c.Notes, fmt.Sprintf("%s: %s: Terraform may create any number of these node groups; each one runs in the subnets judged here", addr, rk.why))
				}
			}
		}
	}
}

func (st *partsState) readNodeGroup(in *instance, r *resourceDecl, content *hcl.BodyContent, k instKey, addr string) (model.NodeGroup, []subnetRef) {
	sc := k.scope
	ng := model.NodeGroup{Name: addr, Loc: loc(r.file.name, r.line())}
	if s, ok := in.knownString(content.Attributes["node_group_name"], sc); ok && s != "" {
		ng.Name = s
	} else if s, ok := in.knownString(content.Attributes["node_group_name_prefix"], sc); ok && s != "" {
		ng.Name = s
	}
	if a := content.Attributes["node_role_arn"]; a != nil {
		if s, ok := in.knownString(a, sc); ok {
			ng.NodeRole = s
		} else {
			ng.NodeRole = in.exprText(a.Expr)
		}
	}
	if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
		why := fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f)
		ng.Subnets = unknownList(why, ng.Loc)
		ng.RemoteAccess = model.Unknown(why)
		return ng, nil
	}
	var subs []subnetRef
	ng.Subnets, subs = st.subnetsOf(in, content.Attributes["subnet_ids"], sc, addr, ng.Loc)
	ng.RemoteAccess, ng.RemoteAccessSources = st.remoteAccess(in, content, sc)
	return ng, subs
}

// remoteAccess reads a node group's remote_access block: SSH is open when it names an
// ec2_ssh_key.
func (st *partsState) remoteAccess(in *instance, content *hcl.BodyContent, sc *scope) (model.Bool, []string) {
	var static, dynamic []*hcl.Block
	for _, b := range content.Blocks {
		switch {
		case b.Type == "remote_access":
			static = append(static, b)
		case b.Type == "dynamic" && b.Labels[0] == "remote_access":
			dynamic = append(dynamic, b)
		}
	}
	none := model.Default(false, "no remote_access block: EKS opens no SSH access to the nodes")
	switch {
	case len(static) == 1 && len(dynamic) == 0:
		return st.remoteAccessBody(in, static[0].Body, sc)
	case len(static) == 0 && len(dynamic) == 1:
		x := in.expandDynamic(dynamic[0], sc)
		switch {
		case x.why != "":
			b := model.Unknown(clean(x.why))
			b.Loc = x.loc
			return b, nil
		case x.n == 0:
			return none, nil
		case x.n == 1:
			return st.remoteAccessBody(in, x.content.Body, x.scope)
		}
		return model.Unknown(fmt.Sprintf(`dynamic "remote_access" produces %d blocks; the AWS provider accepts one`, x.n)), nil
	case len(static)+len(dynamic) > 1:
		return model.Unknown("more than one remote_access block; the AWS provider accepts one"), nil
	}
	return none, nil
}

func (st *partsState) remoteAccessBody(in *instance, body hcl.Body, sc *scope) (model.Bool, []string) {
	content, _, _ := body.PartialContent(remoteAccessSchema)
	if content == nil {
		return model.Unknown("the remote_access block cannot be read"), nil
	}
	key := content.Attributes["ec2_ssh_key"]
	if key == nil {
		return model.Explicit(false), nil
	}
	l := attrLoc(key)
	e := in.evaluate(key.Expr, sc)
	var open model.Bool
	switch {
	case e.reason != "" && e.afterApply:
		// aws_key_pair.x.key_name: a key, whatever its name.
		open = model.Bool{Value: true, Origin: model.OriginExplicit, Loc: l, Detail: "ec2_ssh_key = " + in.exprText(key.Expr)}
	case e.reason != "":
		open = model.Bool{Origin: model.OriginUnknown, Loc: l, Detail: clean(e.reason)}
	case e.v.IsNull():
		open = model.Bool{Value: false, Origin: model.OriginExplicit, Loc: l, Detail: "ec2_ssh_key is null"}
	default:
		sv, err := convert.Convert(e.v, cty.String)
		open = model.Bool{Value: err == nil && !sv.IsNull() && sv.AsString() != "", Origin: model.OriginExplicit, Loc: l}
	}
	var sources []string
	if a := content.Attributes["source_security_group_ids"]; a != nil {
		se := in.refEval(a.Expr, sc)
		switch {
		case se.reason != "" && !se.v.CanIterateElements():
			sources = []string{"unknown: " + clean(se.reason)}
		case se.v.IsNull() || !se.v.CanIterateElements():
		default:
			for it := se.v.ElementIterator(); it.Next(); {
				_, x := it.Element()
				switch {
				case !x.IsKnown():
					sources = append(sources, "unknown: "+clean(se.reason))
				case !x.IsNull() && x.Type() == cty.String:
					sources = append(sources, clean(x.AsString()))
				}
			}
		}
	}
	return open, sources
}

// knownString evaluates an argument that is a known string.
func (in *instance) knownString(a *hcl.Attribute, sc *scope) (string, bool) {
	if a == nil {
		return "", false
	}
	v, reason := in.eval(a.Expr, sc)
	if reason != "" || v.IsNull() {
		return "", false
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() || !sv.IsKnown() {
		return "", false
	}
	return clean(sv.AsString()), true
}

var addonSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "cluster_name"}, {Name: "addon_name"}, {Name: "addon_version"}, {Name: "configuration_values"}}}

// readAddons reads the aws_eks_addon resources of the tree.
func (st *partsState) readAddons() {
	for _, rr := range st.decls["aws_eks_addon"] {
		in, r := rr.in, rr.r
		content, _, _ := r.block.Body.PartialContent(addonSchema)
		if content == nil {
			continue
		}
		rk := in.resKeys(r)
		for _, k := range rk.keys {
			if st.stopped() {
				return
			}
			addr := resAddr(in, r, k)
			l := loc(r.file.name, r.line())
			refs := st.matchCluster(in, content.Attributes["cluster_name"], k.scope, addr, l)
			if len(refs) == 0 {
				continue
			}
			ad := model.Addon{Name: addr, Loc: l}
			if s, ok := in.knownString(content.Attributes["addon_name"], k.scope); ok {
				ad.Name = s
			}
			if s, ok := in.knownString(content.Attributes["addon_version"], k.scope); ok {
				ad.Version = s
			}
			if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
				ad.ConfigurationValues = unknownString(fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f), l)
			} else {
				ad.ConfigurationValues = in.readConfigValues(content.Attributes["configuration_values"], k.scope)
			}
			for _, cr := range refs {
				cr.hasAddons = true
				cr.addons = append(cr.addons, ad)
			}
		}
	}
}

// noConfig is what an add-on without configuration values runs with.
const noConfig = "configuration_values is not set: the add-on runs with its default configuration"

// readConfigValues reads an add-on's configuration_values: JSON or YAML text, a jsonencode() of
// an object, a heredoc.
func (in *instance) readConfigValues(a *hcl.Attribute, sc *scope) model.String {
	if a == nil {
		return model.DefaultString("", noConfig)
	}
	l := attrLoc(a)
	e := in.evaluate(a.Expr, sc)
	src := in.exprText(a.Expr)
	switch {
	case e.reason != "":
		return unknownString(clean(e.reason), l)
	case e.v.IsNull():
		s := model.DefaultString("", nullDetail(a.Name, src, "the add-on runs with its default configuration"))
		s.Loc = l
		return s
	}
	return configText(e.v, src, l, in.via(a.Expr, sc))
}

// configText is a known configuration value as the add-on receives it: a string; anything else is
// rejected by the AWS provider.
func configText(v cty.Value, src string, l *model.Location, detail string) model.String {
	if v.IsNull() {
		s := model.DefaultString("", "configuration_values is null: the add-on runs with its default configuration")
		s.Loc = l
		return s
	}
	if v.Type() != cty.String {
		return unknownString(fmt.Sprintf("configuration_values = %s is not a string (jsonencode() it); the AWS provider rejects it", src), l)
	}
	return model.String{Value: v.AsString(), Origin: model.OriginExplicit, Loc: l, Detail: clean(detail)}
}

// fileLine words a location for a message.
func fileLine(l *model.Location) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// words joins reasons for a message.
func words(parts []string) string {
	if len(parts) > 3 {
		parts = append(parts[:3:3], fmt.Sprintf("and %d more", len(parts)-3))
	}
	return strings.Join(parts, "; ")
}
