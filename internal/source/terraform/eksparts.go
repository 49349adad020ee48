package terraform

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/model"
)

// Node groups and add-ons of a terraform-aws-modules/eks call, which are its arguments, as the
// module's node_groups.tf and main.tf pass them on (each setting try()-ed from the entry, then the
// defaults argument):
//
//   - managed node groups: node_groups in v17, eks_managed_node_groups from v18; each entry's
//     subnet list (subnets in v17, subnet_ids later), else the defaults argument's
//     (node_groups_defaults, eks_managed_node_group_defaults; v21 has none), else the module's own
//     (subnets in v17, subnet_ids later; never v21's control_plane_subnet_ids);
//   - self-managed node groups: worker_groups and worker_groups_launch_template in v17 (public_ip
//     gives nodes public addresses), self_managed_node_groups from v18 (network_interfaces with
//     associate_public_ip_address does);
//   - add-ons: cluster_addons from v18, addons in v21, keyed by add-on name unless an entry sets
//     name.

// eksJob is a terraform-aws-modules/eks call whose parts are read once the tree has run.
type eksJob struct {
	in   *instance
	c    *callDecl
	rel  eksRelease
	verr string
	sc   *scope
	cr   *clusterRef
}

// registerEKS records a terraform-aws-modules/eks cluster of the tree.
func (in *instance) registerEKS(c *callDecl, rel eksRelease, verr string, sc *scope, cl *model.Cluster, addr string) {
	nameArg := "cluster_name"
	if rel.major >= 21 || verr != "" && c.attrs["name"] != nil {
		nameArg = "name"
	}
	st := in.partsState()
	cr := &clusterRef{c: cl, in: in, addr: addr, name: c.attrs[nameArg], sc: sc, call: c.name}
	st.clusters = append(st.clusters, cr)
	st.eks = append(st.eks, &eksJob{in: in, c: c, rel: rel, verr: verr, sc: sc, cr: cr})
}

// eksNodeArgs are the arguments a release takes node groups in.
type eksNodeArgs struct {
	managed, managedDefaults, self, selfDefaults string
	// workers are v17's self-managed worker group lists.
	workers []string
	// moduleSubnets is the module's own subnet list, entrySubnets an entry's.
	moduleSubnets, entrySubnets string
}

func nodeArgs(rel eksRelease, verr string, attrs hcl.Attributes) eksNodeArgs {
	v17 := eksNodeArgs{managed: "node_groups", managedDefaults: "node_groups_defaults", selfDefaults: "workers_group_defaults",
		workers: []string{"worker_groups", "worker_groups_launch_template"}, moduleSubnets: "subnets", entrySubnets: "subnets"}
	v18 := eksNodeArgs{managed: "eks_managed_node_groups", managedDefaults: "eks_managed_node_group_defaults",
		self: "self_managed_node_groups", selfDefaults: "self_managed_node_group_defaults", moduleSubnets: "subnet_ids", entrySubnets: "subnet_ids"}
	switch {
	case verr != "" && attrs["node_groups"] != nil, verr == "" && rel.major == 17:
		return v17
	case verr == "" && rel.major >= 21:
		v18.managedDefaults, v18.selfDefaults = "", ""
	}
	return v18
}

func (st *partsState) readEKSParts(j *eksJob) {
	args := nodeArgs(j.rel, j.verr, j.c.attrs)
	st.readEKSGroups(j, args, args.managed, args.managedDefaults, false)
	st.readEKSGroups(j, args, args.self, args.selfDefaults, true)
	for _, w := range args.workers {
		st.readEKSGroups(j, args, w, args.selfDefaults, true)
	}
	st.readEKSAddons(j)
}

// readEKSGroups reads the node groups of one argument of the call.
func (st *partsState) readEKSGroups(j *eksJob, args eksNodeArgs, arg, defaultsArg string, self bool) {
	a := j.c.attrs[arg]
	if arg == "" || a == nil {
		return
	}
	in, cr := j.in, j.cr
	e := in.refEval(a.Expr, j.sc)
	src := in.exprText(a.Expr)
	al := attrLoc(a)
	owner := "module." + j.c.name + " " + arg
	switch {
	case !e.v.IsKnown():
		cr.hasNodes = true
		cr.nodeGroups = append(cr.nodeGroups, model.NodeGroup{Name: owner, Loc: al,
			Subnets: unknownList(clean(firstNonEmpty(e.reason, src+" is known only after apply")), al), RemoteAccess: model.Unknown("the node groups are unknown")})
		return
	case e.v.IsNull() || !e.v.CanIterateElements():
		return
	}
	var defaults cty.Value
	var defaultsReason string
	if da := j.c.attrs[defaultsArg]; defaultsArg != "" && da != nil {
		de := in.refEval(da.Expr, j.sc)
		defaults, defaultsReason = de.v, de.reason
	}
	list := e.v.Type().IsListType() || e.v.Type().IsTupleType()
	type entry struct {
		key string
		v   cty.Value
	}
	var entries []entry
	for it := e.v.ElementIterator(); it.Next(); {
		k, v := it.Element()
		key := ""
		switch {
		case list:
			key = strconv.Itoa(len(entries))
		case k.Type() == cty.String && k.IsKnown():
			key = k.AsString()
		}
		entries = append(entries, entry{key, v})
	}
	if !list {
		sort.SliceStable(entries, func(a, b int) bool { return entries[a].key < entries[b].key })
	}
	if !st.spend(len(entries), a.Range.Filename, a.Range.Start.Line) {
		return
	}
	for i, en := range entries {
		item, itemLoc := objectItem(in.s.native(a.Expr), en.key, list, i)
		l := al
		if itemLoc != nil {
			l = itemLoc
		}
		name := clean(en.key)
		if list {
			name = fmt.Sprintf("%s[%d]", arg, i)
		}
		if !en.v.IsKnown() || en.v.IsNull() {
			if en.v.IsKnown() {
				continue
			}
			cr.hasNodes = true
			cr.nodeGroups = append(cr.nodeGroups, model.NodeGroup{Name: name, Loc: l,
				Subnets: unknownList(clean(firstNonEmpty(e.reason, "the entry is known only after apply")), l), RemoteAccess: model.Unknown("the entry is unknown")})
			continue
		}
		if v, ok := member(en.v, "create"); ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.Bool && v.False() {
			continue
		}
		if v, ok := member(en.v, "name"); ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String && v.AsString() != "" {
			name = clean(v.AsString())
		}
		ng := model.NodeGroup{Name: name, Loc: l, RemoteAccess: model.Default(false, "no remote_access: the module opens no SSH access")}
		if v, ok := member(en.v, "iam_role_arn"); ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			ng.NodeRole = clean(v.AsString())
		} else {
			ng.NodeRole = "the IAM role module." + j.c.name + " creates"
		}
		// The subnets: the entry's, else the defaults', else the module's.
		var subs []subnetRef
		own, hasOwn := member(en.v, args.entrySubnets)
		hasOwn = hasOwn && !(own.IsKnown() && own.IsNull())
		var dflt cty.Value
		hasDefault, defaultUnknown := false, false
		if defaults != cty.NilVal {
			switch {
			case !defaults.IsKnown():
				defaultUnknown = true
			case !defaults.IsNull() && (defaults.Type().IsObjectType() || defaults.Type().IsMapType()):
				dflt, hasDefault = member(defaults, args.entrySubnets)
				hasDefault = hasDefault && !(dflt.IsKnown() && dflt.IsNull())
			}
		}
		switch ma := j.c.attrs[args.moduleSubnets]; {
		case hasOwn:
			sl := l
			if x, xl := objectItem(item, args.entrySubnets, false, 0); x != nil {
				sl = xl
			}
			ng.Subnets, subs = subnetValue(own, e.reason, sl, args.entrySubnets+" of "+name, "")
		case defaultUnknown:
			ng.Subnets = unknownList(clean(firstNonEmpty(defaultsReason, defaultsArg+" is known only after apply")), attrLoc(j.c.attrs[defaultsArg]))
		case hasDefault:
			ng.Subnets, subs = subnetValue(dflt, defaultsReason, attrLoc(j.c.attrs[defaultsArg]), defaultsArg+"."+args.entrySubnets, "")
		case ma != nil:
			ng.Subnets, subs = st.subnetsOf(in, ma, j.sc, owner, l)
		default:
			ng.Subnets = unknownList(fmt.Sprintf("node group %s of module.%s has no %s, and neither has the module: EKS rejects a node group without subnets", name, j.c.name, args.entrySubnets), l)
		}
		// Other settings come from the entry, else the defaults argument, as the module's try()
		// takes them.
		pick := func(name string) (cty.Value, bool) {
			if v, ok := member(en.v, name); ok {
				return v, true
			}
			if defaults != cty.NilVal && defaults.IsKnown() && !defaults.IsNull() {
				return member(defaults, name)
			}
			return cty.NilVal, false
		}
		if !self {
			ng.RemoteAccess, ng.RemoteAccessSources = eksRemoteAccess(pick, e.reason, l)
		}
		// A launch template's network interfaces (self-managed groups, and managed ones with a
		// custom launch template) can give the nodes public addresses whatever their subnets.
		st.eksPublicIP(&ng, pick, e.reason, l)
		cr.hasNodes = true
		cr.nodeGroups = append(cr.nodeGroups, ng)
		cr.subnetRefs = append(cr.subnetRefs, subs...)
	}
}

// eksRemoteAccess reads a managed node group entry's SSH access: remote_access.ec2_ssh_key from
// v18, key_name in v17.
func eksRemoteAccess(pick func(string) (cty.Value, bool), reason string, l *model.Location) (model.Bool, []string) {
	key, sources := cty.NilVal, cty.NilVal
	if ra, ok := pick("remote_access"); ok && ra.IsKnown() && !ra.IsNull() && (ra.Type().IsObjectType() || ra.Type().IsMapType()) {
		key, _ = member(ra, "ec2_ssh_key")
		sources, _ = member(ra, "source_security_group_ids")
	} else if ok && !ra.IsKnown() {
		b := model.Unknown(clean(firstNonEmpty(reason, "remote_access is known only after apply")))
		b.Loc = l
		return b, nil
	} else if k, ok := pick("key_name"); ok {
		key = k
		sources, _ = pick("source_security_group_ids")
	}
	switch {
	case key == cty.NilVal || key.IsKnown() && key.IsNull():
		return model.Default(false, "no remote_access key: the module opens no SSH access"), nil
	case !key.IsKnown():
		b := model.Unknown(clean(firstNonEmpty(reason, "the SSH key is known only after apply")))
		b.Loc = l
		return b, nil
	case key.Type() != cty.String || key.AsString() == "":
		return model.Bool{Value: false, Origin: model.OriginExplicit, Loc: l}, nil
	}
	var out []string
	if sources != cty.NilVal && sources.IsKnown() && !sources.IsNull() && sources.CanIterateElements() {
		for it := sources.ElementIterator(); it.Next(); {
			_, x := it.Element()
			switch {
			case !x.IsKnown():
				out = append(out, "unknown: "+clean(firstNonEmpty(reason, "known only after apply")))
			case !x.IsNull() && x.Type() == cty.String:
				out = append(out, clean(x.AsString()))
			}
		}
	}
	return model.Bool{Value: true, Origin: model.OriginExplicit, Loc: l}, out
}

// eksPublicIP reads whether a node group's launch template gives its nodes public addresses:
// network_interfaces[].associate_public_ip_address from v18, a worker group's public_ip in v17.
// Such a group is public whatever its subnets.
func (st *partsState) eksPublicIP(ng *model.NodeGroup, pick func(string) (cty.Value, bool), reason string, l *model.Location) {
	var flags []cty.Value
	if nis, ok := pick("network_interfaces"); ok {
		switch {
		case !nis.IsKnown():
			flags = append(flags, cty.UnknownVal(cty.Bool))
		case !nis.IsNull() && nis.CanIterateElements():
			for it := nis.ElementIterator(); it.Next(); {
				_, ni := it.Element()
				if !ni.IsKnown() {
					flags = append(flags, cty.UnknownVal(cty.Bool))
					continue
				}
				if ni.IsNull() || !(ni.Type().IsObjectType() || ni.Type().IsMapType()) {
					continue
				}
				if v, ok := member(ni, "associate_public_ip_address"); ok {
					flags = append(flags, v)
				}
			}
		}
	}
	if v, ok := pick("public_ip"); ok {
		flags = append(flags, v)
	}
	for _, f := range flags {
		switch {
		case !f.IsKnown():
			// A public address is not ruled out: say so through the subnets, which the check
			// reads as unknown.
			ng.Subnets = unknownList(clean(fmt.Sprintf("whether node group %s gives its nodes public IP addresses is unknown (%s)", ng.Name, firstNonEmpty(reason, "known only after apply"))), l)
			return
		case f.IsNull() || f.Type() != cty.Bool:
		case f.True():
			pn := model.Explicit(false)
			pn.Loc = l
			pn.Detail = "associate_public_ip_address = true: the nodes get public IP addresses"
			ng.PrivateNetworking = &pn
			return
		}
	}
}

// readEKSAddons reads the call's add-ons: cluster_addons (v18-v20) or addons (v21).
func (st *partsState) readEKSAddons(j *eksJob) {
	arg := "cluster_addons"
	switch {
	case j.verr == "" && j.rel.major == 17:
		return
	case j.verr == "" && j.rel.major >= 21, j.verr != "" && j.c.attrs["addons"] != nil:
		arg = "addons"
	}
	a := j.c.attrs[arg]
	if a == nil {
		return
	}
	in, cr := j.in, j.cr
	e := in.evaluate(a.Expr, j.sc)
	if !e.v.IsKnown() || e.v.IsNull() || !(e.v.Type().IsObjectType() || e.v.Type().IsMapType()) {
		if !e.v.IsKnown() {
			cr.c.Notes = append(cr.c.Notes, fmt.Sprintf("the add-ons of module.%s are not read: %s = %s is unknown (%s)", j.c.name, arg, in.exprText(a.Expr), clean(e.reason)))
		}
		return
	}
	nat := in.s.native(a.Expr)
	var keys []string
	for it := e.v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		keys = append(keys, k.AsString())
	}
	sort.Strings(keys)
	if !st.spend(len(keys), a.Range.Filename, a.Range.Start.Line) {
		return
	}
	for _, key := range keys {
		v, _ := member(e.v, key)
		item, itemLoc := objectItem(nat, key, false, 0)
		l := attrLoc(a)
		if itemLoc != nil {
			l = itemLoc
		}
		ad := model.Addon{Name: key, Loc: l}
		if !v.IsKnown() {
			ad.ConfigurationValues = unknownString(clean(firstNonEmpty(e.reason, "the entry is known only after apply")), l)
			cr.hasAddons = true
			cr.addons = append(cr.addons, ad)
			continue
		}
		if v.IsNull() {
			continue
		}
		if n, ok := member(v, "name"); ok && n.IsKnown() && !n.IsNull() && n.Type() == cty.String && n.AsString() != "" {
			ad.Name = n.AsString()
		}
		if n, ok := member(v, "addon_version"); ok && n.IsKnown() && !n.IsNull() && n.Type() == cty.String {
			ad.Version = n.AsString()
		}
		if x, xl := objectItem(item, "configuration_values", false, 0); x != nil {
			ce := in.evaluate(x, j.sc)
			switch {
			case ce.reason != "":
				ad.ConfigurationValues = unknownString(clean(ce.reason), xl)
			default:
				ad.ConfigurationValues = configText(ce.v, in.exprText(x), xl, in.via(x, j.sc))
			}
		} else if cv, ok := member(v, "configuration_values"); ok {
			switch {
			case !cv.IsWhollyKnown():
				ad.ConfigurationValues = unknownString(clean(firstNonEmpty(e.reason, "configuration_values is known only after apply")), l)
			default:
				ad.ConfigurationValues = configText(cv, "configuration_values", l, "")
			}
		} else {
			ad.ConfigurationValues = model.DefaultString("", noConfig)
		}
		cr.hasAddons = true
		cr.addons = append(cr.addons, ad)
	}
}

// objectItem finds the entry of an object (or the element of a list) written in place, and where
// it is: nil when the expression is not written out.
func objectItem(expr hcl.Expression, key string, list bool, index int) (hcl.Expression, *model.Location) {
	if expr == nil {
		return nil, nil
	}
	if list {
		t, ok := expr.(*hclsyntax.TupleConsExpr)
		if !ok || index >= len(t.Exprs) {
			return nil, nil
		}
		r := t.Exprs[index].Range()
		return t.Exprs[index], loc(r.Filename, r.Start.Line)
	}
	o, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, nil
	}
	for _, item := range o.Items {
		k, ok := itemKey(item.KeyExpr)
		if ok && k == key {
			r := item.KeyExpr.Range()
			return item.ValueExpr, loc(r.Filename, r.Start.Line)
		}
	}
	return nil, nil
}

// itemKey is the key of an object item written as a name or a string.
func itemKey(e hcl.Expression) (string, bool) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if kw := hcl.ExprAsKeyword(k.Wrapped); kw != "" && !k.ForceNonLiteral {
			return kw, true
		}
		e = k.Wrapped
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}
