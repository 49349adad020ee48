package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/model"
)

// The subnets node groups run in, and whether each routes to an internet gateway, as AWS decides
// it: the route table explicitly associated with the subnet (aws_route_table_association), else the
// main route table of its VPC (aws_main_route_table_association, else the VPC's default table,
// which aws_default_route_table manages and which otherwise holds only the local route). A table's
// routes are its inline route blocks and the aws_route resources that name it. A default route
// (0.0.0.0/0 or ::/0) to an aws_internet_gateway, or to a literal igw- id, makes the subnet public;
// NAT, egress-only, transit and other targets do not. What the tree does not declare (a literal
// subnet id, one from a data source, a VPC from a variable) is unknown, and so is anything an
// unknown association or route could change.

// subnetRef is one subnet a node group names.
type subnetRef struct {
	// id is how the node group lists it: the address of an aws_subnet instance, the name of a
	// terraform-aws-modules/vpc subnet, or the literal id.
	id   string
	kind int
	// typ is the resource type of a token, or the list of a vpc module subnet.
	typ string
	// why says why a reference that is not a subnet cannot be followed.
	why string
}

const (
	refLiteral = iota
	refResource
	refVPC
	refOther
)

// subnetsOf reads a node group's subnet_ids.
func (st *partsState) subnetsOf(in *instance, a *hcl.Attribute, sc *scope, owner string, l *model.Location) (model.Strings, []subnetRef) {
	if a == nil {
		return unknownList(owner+" sets no subnet_ids, which Terraform requires", l), nil
	}
	e := in.refEval(a.Expr, sc)
	detail := in.via(a.Expr, sc)
	if strings.Contains(detail, "(known after apply)") {
		// The values the references take are the resources they name, not these.
		detail = ""
	}
	return subnetValue(e.v, e.reason, attrLoc(a), in.exprText(a.Expr), detail)
}

// subnetValue turns a list of subnet ids, evaluated with references, into the node group's
// subnets.
func subnetValue(v cty.Value, reason string, l *model.Location, src, detail string) (model.Strings, []subnetRef) {
	unknown := func(why string) (model.Strings, []subnetRef) { return unknownList(clean(why), l), nil }
	switch {
	case !v.IsKnown():
		return unknown(firstNonEmpty(reason, src+" is known only after apply"))
	case v.IsNull():
		return unknown(src + " is null: the node group has no subnets, and Terraform rejects it")
	case !(v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsTupleType()):
		return unknown(src + " is not a list of subnet ids")
	}
	var ids []string
	var refs []subnetRef
	seen := map[string]bool{}
	for it := v.ElementIterator(); it.Next(); {
		_, x := it.Element()
		switch {
		case !x.IsKnown():
			return unknown(firstNonEmpty(reason, "an element of "+src+" is known only after apply"))
		case x.IsNull() || x.Type() != cty.String:
			return unknown(src + " is not a list of subnet ids")
		}
		ref := classifySubnet(x.AsString())
		if !seen[ref.id] {
			seen[ref.id] = true
			ids = append(ids, ref.id)
			refs = append(refs, ref)
		}
	}
	if len(ids) == 0 {
		return unknown(src + " is empty: the node group has no subnets, and EKS rejects it")
	}
	return model.Strings{Values: ids, Origin: model.OriginExplicit, Loc: l, Detail: clean(detail)}, refs
}

func classifySubnet(s string) subnetRef {
	kind, typ, addr, ok := parseToken(s)
	switch {
	case ok && kind == tokID && typ == "aws_subnet":
		return subnetRef{id: addr, kind: refResource, typ: typ}
	case ok && kind == tokVPC:
		return subnetRef{id: addr, kind: refVPC, typ: typ}
	case ok:
		return subnetRef{id: addr, kind: refOther, why: fmt.Sprintf("%s is a %s, not a subnet", addr, typ)}
	case strings.Contains(s, tokOpen):
		return subnetRef{id: clean(s), kind: refOther, why: fmt.Sprintf("%s is built from references, and eksguard cannot tell which subnet it is", clean(s))}
	}
	return subnetRef{id: s, kind: refLiteral}
}

// resolveSubnets gives a cluster the subnets its node groups use.
func (st *partsState) resolveSubnets(cr *clusterRef) {
	seen := map[string]bool{}
	for _, ref := range cr.subnetRefs {
		if seen[ref.id] || st.stopped() {
			continue
		}
		seen[ref.id] = true
		cr.subnets = append(cr.subnets, st.subnet(ref))
	}
}

// subnet is what a subnet's routes make of it, once per subnet.
func (st *partsState) subnet(ref subnetRef) model.Subnet {
	if s, ok := st.subnets[ref.id]; ok {
		return s
	}
	var s model.Subnet
	switch ref.kind {
	case refResource:
		s = st.tfSubnet(ref.id)
	case refVPC:
		s = st.vpcSubnet(ref.typ, ref.id)
	case refOther:
		s = model.Subnet{ID: ref.id, Name: ref.id, MapPublicIPOnLaunch: model.Unknown(ref.why), Routed: model.Unknown(ref.why)}
	default:
		why := ref.id + " is not declared in this tree"
		s = model.Subnet{ID: ref.id, MapPublicIPOnLaunch: model.Unknown(why), Routed: model.Unknown(why)}
	}
	st.subnets[ref.id] = s
	return s
}

// lookup finds the resource instance an address names.
func (st *partsState) lookup(addr string) (resRef, instKey, bool) {
	find := func(base, suffix string) (resRef, instKey, bool) {
		rr, ok := st.byAddr[base]
		if !ok {
			return resRef{}, instKey{}, false
		}
		for _, k := range rr.in.resKeys(rr.r).keys {
			if k.suffix == suffix {
				return rr, k, true
			}
		}
		return resRef{}, instKey{}, false
	}
	if rr, k, ok := find(addr, ""); ok {
		return rr, k, true
	}
	for i := len(addr) - 1; i > 0; i-- {
		if addr[i] == '[' {
			if rr, k, ok := find(addr[:i], addr[i:]); ok {
				return rr, k, true
			}
		}
	}
	return resRef{}, instKey{}, false
}

var subnetSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "vpc_id"}, {Name: "map_public_ip_on_launch"}}}

// tfSubnet reads an aws_subnet instance of the tree and the route table that applies to it.
func (st *partsState) tfSubnet(addr string) model.Subnet {
	rr, k, ok := st.lookup(addr)
	if !ok {
		why := addr + " is not found in this tree"
		return model.Subnet{ID: addr, Name: addr, MapPublicIPOnLaunch: model.Unknown(why), Routed: model.Unknown(why)}
	}
	in, r := rr.in, rr.r
	s := model.Subnet{ID: addr, Name: addr, Loc: loc(r.file.name, r.line())}
	if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
		why := fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f)
		s.MapPublicIPOnLaunch, s.Routed = model.Unknown(why), model.Unknown(why)
		return s
	}
	content, _, _ := r.block.Body.PartialContent(subnetSchema)
	if content == nil {
		content = &hcl.BodyContent{Attributes: hcl.Attributes{}}
	}
	s.MapPublicIPOnLaunch = in.readBool(content.Attributes["map_public_ip_on_launch"], k.scope, model.Default(false, providerDefault))
	rt := st.subnetRoutes(token(tokID, "aws_subnet", addr), addr, in, content.Attributes["vpc_id"], k.scope)
	s.RouteTable, s.InternetRoute, s.Routed = rt.table, rt.internet, rt.routed
	return s
}

// routing is what a subnet's route table says.
type routing struct {
	table, internet string
	routed          model.Bool
}

func unknownRouting(why string) routing { return routing{routed: model.Unknown(clean(why))} }

// network holds the associations, routes and default tables of the tree, read once.
type network struct {
	assocs   []assocInst
	mains    []assocInst
	routes   []routeInst
	defaults []defaultTable
	// The associations and routes by the token they name (a subnet, a VPC, a route table), and
	// those whose target is unknown, which could name anything.
	assocBy, mainBy, routeBy          map[string][]int
	assocMaybe, mainMaybe, routeMaybe []int
}

// index files associations or routes by their target.
func index(n int, target func(int) (evaluation, bool)) (map[string][]int, []int) {
	by := map[string][]int{}
	var maybe []int
	for i := range n {
		e, ok := target(i)
		switch {
		case !ok:
		case !e.v.IsKnown():
			maybe = append(maybe, i)
		case !e.v.IsNull() && e.v.Type() == cty.String:
			by[e.v.AsString()] = append(by[e.v.AsString()], i)
		}
	}
	return by, maybe
}

// assocInst is a route table association (to a subnet, or as a VPC's main table).
type assocInst struct {
	addr string
	l    *model.Location
	// target is the subnet_id (or vpc_id) evaluated; absent is set when it is not written (an
	// association to a gateway).
	target       evaluation
	targetSrc    string
	absent       bool
	table        evaluation
	tableSrc     string
	tableMissing bool
}

// routeInst is one aws_route, with the table it names.
type routeInst struct {
	table    evaluation
	tableSrc string
	r        route
}

// defaultTable is an aws_default_route_table: the VPC default table it manages and its routes.
type defaultTable struct {
	id      string
	manages evaluation
	routes  []route
	why     string
}

// route is a route's destinations and target, evaluated.
type route struct {
	what  string
	l     *model.Location
	dests []evaluation
	srcs  []string
	gw    *evaluation
	gwSrc string
}

func (st *partsState) network() *network {
	if st.net != nil {
		return st.net
	}
	n := &network{}
	st.net = n
	each := func(typ string, fn func(in *instance, r *resourceDecl, k instKey, addr string)) {
		for _, rr := range st.decls[typ] {
			for _, k := range rr.in.resKeys(rr.r).keys {
				if st.stopped() {
					return
				}
				fn(rr.in, rr.r, k, resAddr(rr.in, rr.r, k))
			}
		}
	}
	assocSchema := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "subnet_id"}, {Name: "route_table_id"}, {Name: "vpc_id"}}}
	read := func(target string) func(in *instance, r *resourceDecl, k instKey, addr string) *assocInst {
		return func(in *instance, r *resourceDecl, k instKey, addr string) *assocInst {
			content, _, _ := r.block.Body.PartialContent(assocSchema)
			a := &assocInst{addr: addr, l: loc(r.file.name, r.line())}
			if content == nil {
				a.absent = true
				return a
			}
			if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
				why := fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f)
				a.target = evaluation{v: cty.DynamicVal, reason: why}
				a.table = a.target
				return a
			}
			if t := content.Attributes[target]; t != nil {
				a.target, a.targetSrc = in.refEval(t.Expr, k.scope), in.exprText(t.Expr)
			} else {
				a.absent = true
			}
			if t := content.Attributes["route_table_id"]; t != nil {
				a.table, a.tableSrc = in.refEval(t.Expr, k.scope), in.exprText(t.Expr)
			} else {
				a.tableMissing = true
			}
			return a
		}
	}
	subnetAssoc, mainAssoc := read("subnet_id"), read("vpc_id")
	each("aws_route_table_association", func(in *instance, r *resourceDecl, k instKey, addr string) {
		n.assocs = append(n.assocs, *subnetAssoc(in, r, k, addr))
	})
	each("aws_main_route_table_association", func(in *instance, r *resourceDecl, k instKey, addr string) {
		n.mains = append(n.mains, *mainAssoc(in, r, k, addr))
	})
	routeSchema := &hcl.BodySchema{Attributes: append([]hcl.AttributeSchema{{Name: "route_table_id"}}, routeAttrs(awsRouteDests)...)}
	each("aws_route", func(in *instance, r *resourceDecl, k instKey, addr string) {
		content, _, _ := r.block.Body.PartialContent(routeSchema)
		if content == nil {
			return
		}
		ri := routeInst{r: in.readRoute(addr, loc(r.file.name, r.line()), content.Attributes, awsRouteDests, k.scope)}
		if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
			ri.table = evaluation{v: cty.DynamicVal, reason: fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f)}
		} else if t := content.Attributes["route_table_id"]; t != nil {
			ri.table, ri.tableSrc = in.refEval(t.Expr, k.scope), in.exprText(t.Expr)
		} else {
			return
		}
		n.routes = append(n.routes, ri)
	})
	defSchema := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default_route_table_id"}}}
	each("aws_default_route_table", func(in *instance, r *resourceDecl, k instKey, addr string) {
		d := defaultTable{id: token(tokID, r.typ, addr)}
		if content, _, _ := r.block.Body.PartialContent(defSchema); content != nil && content.Attributes["default_route_table_id"] != nil {
			d.manages = in.refEval(content.Attributes["default_route_table_id"].Expr, k.scope)
		} else {
			d.manages = evaluation{v: cty.DynamicVal, reason: addr + " sets no default_route_table_id"}
		}
		d.routes, d.why = in.inlineRoutes(r, k.scope, addr)
		n.defaults = append(n.defaults, d)
	})
	n.assocBy, n.assocMaybe = index(len(n.assocs), func(i int) (evaluation, bool) { return n.assocs[i].target, !n.assocs[i].absent })
	n.mainBy, n.mainMaybe = index(len(n.mains), func(i int) (evaluation, bool) { return n.mains[i].target, !n.mains[i].absent })
	n.routeBy, n.routeMaybe = index(len(n.routes), func(i int) (evaluation, bool) { return n.routes[i].table, true })
	return n
}

// The destination arguments of an inline route and of aws_route.
var (
	inlineDests   = []string{"cidr_block", "ipv6_cidr_block"}
	awsRouteDests = []string{"destination_cidr_block", "destination_ipv6_cidr_block"}
)

func routeAttrs(dests []string) []hcl.AttributeSchema {
	out := []hcl.AttributeSchema{{Name: "gateway_id"}}
	for _, d := range dests {
		out = append(out, hcl.AttributeSchema{Name: d})
	}
	return out
}

// readRoute evaluates a route's destinations and gateway.
func (in *instance) readRoute(what string, l *model.Location, attrs hcl.Attributes, dests []string, sc *scope) route {
	rt := route{what: what, l: l}
	for _, d := range dests {
		if a := attrs[d]; a != nil {
			rt.dests = append(rt.dests, in.refEval(a.Expr, sc))
			rt.srcs = append(rt.srcs, in.exprText(a.Expr))
		}
	}
	if a := attrs["gateway_id"]; a != nil {
		e := in.refEval(a.Expr, sc)
		rt.gw, rt.gwSrc = &e, in.exprText(a.Expr)
	}
	return rt
}

// inlineRoutes reads the route blocks of a route table (written out, dynamic, or as the attribute
// route = [...] that Terraform also accepts); why says why they cannot be listed.
func (in *instance) inlineRoutes(r *resourceDecl, sc *scope, addr string) ([]route, string) {
	if sb, ok := r.block.Body.(*hclsyntax.Body); ok {
		if a := sb.Attributes["route"]; a != nil {
			return in.routeList(a.AsHCLAttribute(), sc, addr)
		}
	}
	schema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "route"}, {Type: "dynamic", LabelNames: []string{"type"}}}}
	content, _, _ := r.block.Body.PartialContent(schema)
	if content == nil {
		return nil, ""
	}
	blockSchema := &hcl.BodySchema{Attributes: routeAttrs(inlineDests)}
	var out []route
	for _, b := range content.Blocks {
		switch {
		case b.Type == "route":
			bc, _, _ := b.Body.PartialContent(blockSchema)
			if bc != nil {
				out = append(out, in.readRoute(addr, blockLoc(b), bc.Attributes, inlineDests, sc))
			}
		case b.Type == "dynamic" && b.Labels[0] == "route":
			bodies, why := in.dynamicBodies(b, sc)
			if why != "" {
				return nil, why
			}
			for _, db := range bodies {
				bc, _, _ := db.body.PartialContent(blockSchema)
				if bc != nil {
					out = append(out, in.readRoute(addr, blockLoc(b), bc.Attributes, inlineDests, db.scope))
				}
			}
		}
	}
	return out, ""
}

// routeList reads routes written as an attribute: a list of objects.
func (in *instance) routeList(a *hcl.Attribute, sc *scope, addr string) ([]route, string) {
	e := in.refEval(a.Expr, sc)
	if !e.v.IsKnown() || (!e.v.IsNull() && !e.v.CanIterateElements()) {
		return nil, fmt.Sprintf("the routes of %s (route = %s) are unknown: %s", addr, in.exprText(a.Expr), firstNonEmpty(e.reason, "not a list"))
	}
	if e.v.IsNull() {
		return nil, ""
	}
	var out []route
	for it := e.v.ElementIterator(); it.Next(); {
		_, x := it.Element()
		if !x.IsKnown() || x.IsNull() || !(x.Type().IsObjectType() || x.Type().IsMapType()) {
			return nil, fmt.Sprintf("a route of %s is unknown: %s", addr, firstNonEmpty(e.reason, "not an object"))
		}
		rt := route{what: addr, l: attrLoc(a)}
		for _, d := range inlineDests {
			if v, ok := member(x, d); ok && !(v.IsKnown() && v.IsNull()) {
				rt.dests = append(rt.dests, evaluation{v: v, reason: reasonIfUnknown(v, e.reason)})
				rt.srcs = append(rt.srcs, d)
			}
		}
		if v, ok := member(x, "gateway_id"); ok {
			g := evaluation{v: v, reason: reasonIfUnknown(v, e.reason)}
			rt.gw, rt.gwSrc = &g, "gateway_id"
		}
		out = append(out, rt)
	}
	return out, ""
}

func reasonIfUnknown(v cty.Value, reason string) string {
	if v.IsWhollyKnown() {
		return ""
	}
	return firstNonEmpty(reason, "known only after apply")
}

// dynBody is one block a dynamic block produces.
type dynBody struct {
	body  hcl.Body
	scope *scope
}

// dynamicBodies lists every block a dynamic block produces, with its iterator; why says why they
// cannot be listed.
func (in *instance) dynamicBodies(b *hcl.Block, sc *scope) ([]dynBody, string) {
	typ := b.Labels[0]
	content, _, _ := b.Body.PartialContent(dynamicSchema)
	if content == nil || content.Attributes["for_each"] == nil || len(content.Blocks) != 1 {
		return nil, fmt.Sprintf(`dynamic %q at %s:%d has no for_each or no single content block`, typ, b.DefRange.Filename, b.DefRange.Start.Line)
	}
	fe := content.Attributes["for_each"]
	e := in.refEval(fe.Expr, sc)
	src := in.exprText(fe.Expr)
	if !e.v.IsKnown() || (e.v.Type().IsSetType() && !e.v.IsWhollyKnown()) {
		return nil, fmt.Sprintf(`for_each of dynamic %q is unknown: %s (%s)`, typ, src, firstNonEmpty(e.reason, "known only after apply"))
	}
	if e.v.IsNull() {
		return nil, ""
	}
	if !e.v.CanIterateElements() {
		return nil, fmt.Sprintf(`for_each of dynamic %q (%s) is not a collection`, typ, src)
	}
	if e.v.LengthInt() > maxInstances {
		return nil, fmt.Sprintf(`dynamic %q has %d elements, more than eksguard expands`, typ, e.v.LengthInt())
	}
	iter := typ
	if a := content.Attributes["iterator"]; a != nil {
		if kw := hcl.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	var out []dynBody
	for it := e.v.ElementIterator(); it.Next(); {
		key, val := it.Element()
		s := sc.with(iter, cty.ObjectVal(map[string]cty.Value{"key": key, "value": val}), "")
		if sc == nil {
			s.perInstance = false
		}
		out = append(out, dynBody{body: content.Blocks[0].Body, scope: s})
	}
	return out, ""
}

// subnetRoutes finds the route table that applies to a subnet: its association, else its VPC's
// main table.
func (st *partsState) subnetRoutes(tok, addr string, in *instance, vpcAttr *hcl.Attribute, sc *scope) routing {
	n := st.network()
	for _, i := range n.assocBy[tok] {
		a := n.assocs[i]
		if a.tableMissing {
			return unknownRouting(a.addr + " sets no route_table_id")
		}
		return st.tableRouting(a.table, a.tableSrc, a.addr)
	}
	var maybe []string
	for _, i := range n.assocMaybe {
		a := n.assocs[i]
		maybe = append(maybe, fmt.Sprintf("%s (%s) has subnet_id = %s, which is unknown (%s)", a.addr, fileLine(a.l), a.targetSrc, a.target.reason))
	}
	if len(maybe) > 0 {
		return unknownRouting(fmt.Sprintf("which route table is associated with %s is unknown: %s", addr, words(maybe)))
	}
	if vpcAttr == nil {
		return unknownRouting(addr + " sets no vpc_id, which Terraform requires")
	}
	e := in.refEval(vpcAttr.Expr, sc)
	src := in.exprText(vpcAttr.Expr)
	if !e.v.IsKnown() {
		return unknownRouting(fmt.Sprintf("%s has no route table association in this tree, so its VPC's main route table applies, and its vpc_id = %s is unknown (%s)", addr, src, e.reason))
	}
	vpc := ""
	if !e.v.IsNull() && e.v.Type() == cty.String {
		vpc = e.v.AsString()
	}
	kind, typ, vpcAddr, ok := parseToken(vpc)
	if !ok || kind != tokID || typ != "aws_vpc" {
		return unknownRouting(fmt.Sprintf("%s has no route table association in this tree, so the main route table of its VPC applies, and that VPC (vpc_id = %s) is not declared in this tree", addr, src))
	}
	return st.mainRouting(vpcAddr)
}

// mainRouting is what the main route table of a VPC of the tree says.
func (st *partsState) mainRouting(vpcAddr string) routing {
	n := st.network()
	vpcTok := token(tokID, "aws_vpc", vpcAddr)
	for _, i := range n.mainBy[vpcTok] {
		a := n.mains[i]
		if a.tableMissing {
			return unknownRouting(a.addr + " sets no route_table_id")
		}
		return st.tableRouting(a.table, a.tableSrc, a.addr)
	}
	var maybe []string
	for _, i := range n.mainMaybe {
		a := n.mains[i]
		maybe = append(maybe, fmt.Sprintf("%s (%s) has vpc_id = %s, which is unknown (%s)", a.addr, fileLine(a.l), a.targetSrc, a.target.reason))
	}
	if len(maybe) > 0 {
		return unknownRouting(fmt.Sprintf("which route table is the main table of %s is unknown: %s", vpcAddr, words(maybe)))
	}
	return st.tableRouting(evaluation{v: cty.StringVal(token(tokMain, "aws_vpc", vpcAddr))}, "", "")
}

// tableRouting reads the routes of a route table (its value evaluated with references) for a
// default route to an internet gateway.
func (st *partsState) tableRouting(table evaluation, src, from string) routing {
	n := st.network()
	if !table.v.IsKnown() {
		return unknownRouting(fmt.Sprintf("the route table of %s (route_table_id = %s) is unknown: %s", from, src, firstNonEmpty(table.reason, "known only after apply")))
	}
	s := ""
	if !table.v.IsNull() && table.v.Type() == cty.String {
		s = table.v.AsString()
	}
	kind, typ, addr, ok := parseToken(s)
	var ids []string
	var routes []route
	display := addr
	mainOnly := false
	switch {
	case !ok:
		return unknownRouting(fmt.Sprintf("route table %s (route_table_id = %s in %s) is not declared in this tree", clean(s), src, from))
	case kind == tokID && (typ == "aws_route_table" || typ == "aws_default_route_table"):
		ids = append(ids, s)
		rr, k, found := st.lookup(addr)
		if !found {
			return unknownRouting(addr + " is not found in this tree")
		}
		if f := rr.in.mod.overridden[rr.r.typ+"."+rr.r.name]; f != "" {
			return unknownRouting(fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f))
		}
		inline, why := rr.in.inlineRoutes(rr.r, k.scope, addr)
		if why != "" {
			return unknownRouting(why)
		}
		routes = append(routes, inline...)
	case kind == tokMain:
		display = "the main route table of " + addr
		ids = append(ids, s)
		mainOnly = true
		for _, d := range n.defaults {
			if !d.manages.v.IsKnown() {
				return unknownRouting(fmt.Sprintf("which VPC an aws_default_route_table manages is unknown: %s", d.manages.reason))
			}
			if d.manages.v.IsNull() || d.manages.v.Type() != cty.String || d.manages.v.AsString() != s {
				continue
			}
			if d.why != "" {
				return unknownRouting(d.why)
			}
			mainOnly = false
			ids = append(ids, d.id)
			routes = append(routes, d.routes...)
			_, _, dAddr, _ := parseToken(d.id)
			display = dAddr + " (the main route table of " + addr + ")"
		}
	default:
		return unknownRouting(fmt.Sprintf("%s (route_table_id = %s) is a %s, not a route table", addr, src, typ))
	}
	var maybe []string
	for _, i := range n.routeMaybe {
		if ri := n.routes[i]; ri.r.couldBeDefault() {
			maybe = append(maybe, fmt.Sprintf("%s (%s) has route_table_id = %s, which is unknown (%s)", ri.r.what, fileLine(ri.r.l), ri.tableSrc, ri.table.reason))
		}
	}
	for _, id := range ids {
		for _, i := range n.routeBy[id] {
			routes = append(routes, n.routes[i].r)
			mainOnly = false
		}
	}
	var internet []string
	var loc *model.Location
	for _, rt := range routes {
		inet, why := rt.internet()
		if inet != "" {
			internet = append(internet, inet)
			if loc == nil {
				loc = rt.l
			}
		}
		if why != "" {
			maybe = append(maybe, why)
		}
	}
	out := routing{table: display}
	switch {
	case len(internet) > 0:
		out.internet = strings.Join(internet, ", ")
		out.routed = model.Bool{Value: true, Origin: model.OriginExplicit, Loc: loc, Detail: display + " routes to an internet gateway"}
	case len(maybe) > 0:
		out.routed = model.Unknown(clean(fmt.Sprintf("whether %s routes to an internet gateway is unknown: %s", display, words(maybe))))
	case mainOnly:
		out.routed = model.Default(true, fmt.Sprintf("no aws_main_route_table_association, aws_default_route_table or aws_route in this tree changes the main route table of %s, which has only the local route", addr))
	default:
		out.routed = model.Bool{Value: true, Origin: model.OriginExplicit, Detail: display + " has no default route to an internet gateway"}
	}
	return out
}

// defaultDest reports whether a destination is a default route.
func defaultDest(s string) bool { return s == "0.0.0.0/0" || s == "::/0" }

// internet says whether a route sends a default destination to an internet gateway ("0.0.0.0/0
// -> aws_internet_gateway.main"), or why that is unknown.
func (rt route) internet() (string, string) {
	gw, gwWhy := "", ""
	switch {
	case rt.gw == nil:
		return "", ""
	case !rt.gw.v.IsKnown():
		gwWhy = fmt.Sprintf("the gateway_id = %s of a route in %s is unknown (%s)", rt.gwSrc, rt.what, firstNonEmpty(rt.gw.reason, "known only after apply"))
	case rt.gw.v.IsNull() || rt.gw.v.Type() != cty.String:
		return "", ""
	default:
		s := rt.gw.v.AsString()
		kind, typ, addr, ok := parseToken(s)
		switch {
		case ok && kind == tokID && typ == "aws_internet_gateway":
			gw = addr
		case !ok && strings.HasPrefix(s, "igw-"):
			gw = s
		default:
			return "", ""
		}
	}
	var dests []string
	destWhy := ""
	for i, d := range rt.dests {
		switch {
		case !d.v.IsKnown():
			destWhy = fmt.Sprintf("the destination %s of a route in %s is unknown (%s)", rt.srcs[i], rt.what, firstNonEmpty(d.reason, "known only after apply"))
		case !d.v.IsNull() && d.v.Type() == cty.String && defaultDest(d.v.AsString()):
			dests = append(dests, d.v.AsString())
		}
	}
	switch {
	case gw != "" && len(dests) > 0:
		var out []string
		for _, d := range dests {
			out = append(out, d+" -> "+gw)
		}
		return strings.Join(out, ", "), ""
	case gw != "" && destWhy != "":
		return "", destWhy
	case gwWhy != "" && (len(dests) > 0 || destWhy != ""):
		return "", gwWhy
	}
	return "", ""
}

// couldBeDefault reports whether a route may be a default route to an internet gateway, as far as
// its own arguments tell.
func (rt route) couldBeDefault() bool {
	inet, why := rt.internet()
	return inet != "" || why != ""
}
