package terraform

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Reading what surrounds a cluster (its node groups, their subnets, the route tables of those)
// means following references between resources: subnet_ids = aws_subnet.nodes[*].id, a route table
// association's subnet_id. Before apply those ids do not exist, and the evaluation that decides a
// cluster's settings leaves them unknown. Part reading evaluates instead with every resource of
// the module bound to a value whose id is a token naming the resource instance,
// ⟦eksguard:id aws_subnet aws_subnet.nodes[0]⟧ (a cluster's name too, and a VPC's main route
// table id names that table). Tokens flow through locals, variables, module outputs, for
// expressions and functions like any string, and come out where the resource they name can be
// looked up. Every other attribute of a resource stays unknown. This evaluation serves the parts
// only: cluster settings are evaluated as before, with other resources unknown, so that no verdict
// on a cluster's own settings depends on it.

const (
	tokOpen  = "⟦eksguard:"
	tokClose = "⟧"
	// tokID names a resource instance by its id; tokMain names the main route table of a VPC;
	// tokVPC names a subnet of a terraform-aws-modules/vpc call (vpcmodule.go).
	tokID   = "id"
	tokMain = "main"
	tokVPC  = "vpc"

	// maxRefNames bounds the attribute names a bound resource instance carries (each an unknown
	// value): past it only the names the expression itself reads are carried.
	maxRefNames = 1024
)

// token is the text a reference to a resource instance evaluates to.
func token(kind, typ, addr string) string { return tokOpen + kind + " " + typ + " " + addr + tokClose }

// parseToken reads a string that is exactly one token.
func parseToken(s string) (kind, typ, addr string, ok bool) {
	if !strings.HasPrefix(s, tokOpen) || !strings.HasSuffix(s, tokClose) {
		return "", "", "", false
	}
	body := s[len(tokOpen) : len(s)-len(tokClose)]
	if strings.Contains(body, tokOpen) || strings.Contains(body, tokClose) {
		return "", "", "", false
	}
	kind, rest, ok1 := strings.Cut(body, " ")
	typ, addr, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return "", "", "", false
	}
	return kind, typ, addr, true
}

// clean replaces the tokens in a text with the addresses they name, for names and messages.
func clean(s string) string {
	if !strings.Contains(s, tokOpen) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, tokOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		rest := s[i+len(tokOpen):]
		j := strings.Index(rest, tokClose)
		if j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		body := rest[:j]
		_, r, _ := strings.Cut(body, " ")
		_, addr, found := strings.Cut(r, " ")
		if !found {
			addr = body
		}
		b.WriteString(addr)
		s = rest[j+len(tokClose):]
	}
}

// refMemo is what reference evaluation remembers in one module instance.
type refMemo struct {
	vars, locals map[string]cty.Value
	busyVar      map[string]bool
	busyLocal    map[string]bool
	modules      map[string]cty.Value
	keys         map[*resourceDecl]*resKeys
	bound        map[*resourceDecl]*boundRes
	// reasons say why a reference is unknown in reference evaluation, by "aws_subnet.x" or
	// "module.vpc.private_subnets".
	reasons map[string]string
}

func (in *instance) refs() *refMemo {
	if in.ref == nil {
		in.ref = &refMemo{
			vars: map[string]cty.Value{}, locals: map[string]cty.Value{},
			busyVar: map[string]bool{}, busyLocal: map[string]bool{},
			modules: map[string]cty.Value{}, keys: map[*resourceDecl]*resKeys{},
			bound: map[*resourceDecl]*boundRes{}, reasons: map[string]string{},
		}
	}
	return in.ref
}

// refReason is why a reference is unknown in reference evaluation, "" outside it.
func (in *instance) refReason(t hcl.Traversal) string {
	if !in.refMode || in.ref == nil {
		return ""
	}
	root, attr := t.RootName(), attrName(t)
	if root == "module" && len(t) > 2 {
		if a, ok := t[2].(hcl.TraverseAttr); ok {
			return in.ref.reasons["module."+attr+"."+a.Name]
		}
		return ""
	}
	return in.ref.reasons[root+"."+attr]
}

// refEval evaluates an expression with the resources of the tree bound to tokens.
func (in *instance) refEval(expr hcl.Expression, sc *scope) evaluation {
	var e evaluation
	in.withRefs([]hcl.Expression{expr}, func() { e = in.evaluate(expr, sc) })
	return e
}

// withRefs runs fn with the module's context extended by what exprs read through references:
// resources as tokens, and variables, locals and module outputs evaluated the same way where
// the plain evaluation left them unknown.
func (in *instance) withRefs(exprs []hcl.Expression, fn func()) {
	ctx := in.refContext(exprs)
	savedCtx, savedMode, savedPlain := in.ctx, in.refMode, in.plain
	if !in.refMode {
		in.plain = in.ctx
	}
	in.ctx, in.refMode = ctx, true
	defer func() { in.ctx, in.refMode, in.plain = savedCtx, savedMode, savedPlain }()
	fn()
}

// plainCtx is the module's own evaluation context.
func (in *instance) plainCtx() *hcl.EvalContext {
	if in.refMode && in.plain != nil {
		return in.plain
	}
	return in.ctx
}

func (in *instance) refContext(exprs []hcl.Expression) *hcl.EvalContext {
	base := in.plainCtx()
	ctx := base.NewChild()
	ctx.Variables = map[string]cty.Value{}
	needVar, needLocal, needModule := map[string]bool{}, map[string]bool{}, map[string]bool{}
	resNames := map[string]map[string]bool{}
	names := map[string]bool{}
	for _, expr := range exprs {
		if expr == nil {
			continue
		}
		nat := in.s.native(expr)
		exprNames(nat, names)
		for _, t := range nat.Variables() {
			root, attr := t.RootName(), attrName(t)
			if attr == "" {
				continue
			}
			switch root {
			case "var":
				needVar[attr] = true
			case "local":
				needLocal[attr] = true
			case "module":
				needModule[attr] = true
			default:
				if namespaces[root] {
					continue
				}
				if in.mod.resources[root] != nil {
					if resNames[root] == nil {
						resNames[root] = map[string]bool{}
					}
					resNames[root][attr] = true
				}
			}
		}
	}
	// Only what the expressions read is put in scope, as evalLocal does: rebuilding every local for
	// every expression would be quadratic in their number. Undeclared names are problems that
	// evaluation reports before it looks at the scope.
	if len(needVar) > 0 {
		obj := map[string]cty.Value{}
		for n := range needVar {
			if in.vars[n] != nil {
				obj[n] = in.refVar(n)
			}
		}
		ctx.Variables["var"] = cty.ObjectVal(obj)
	}
	if len(needLocal) > 0 {
		obj := map[string]cty.Value{}
		for n := range needLocal {
			if _, ok := in.locals[n]; ok {
				obj[n] = in.refLocal(n)
			}
		}
		ctx.Variables["local"] = cty.ObjectVal(obj)
	}
	if len(needModule) > 0 {
		obj := map[string]cty.Value{}
		for _, c := range in.mod.calls {
			if needModule[c.name] {
				obj[c.name] = in.refModule(c.name, names)
			}
		}
		ctx.Variables["module"] = cty.ObjectVal(obj)
	}
	for typ, byName := range resNames {
		obj := map[string]cty.Value{}
		for name := range byName {
			if r := in.mod.resources[typ][name]; r != nil {
				obj[name] = in.bound(r, names)
			} else {
				obj[name] = cty.DynamicVal
			}
		}
		ctx.Variables[typ] = cty.ObjectVal(obj)
	}
	return ctx
}

// exprNames adds the attribute names an expression reads (x.name, x["name"]) to names.
func exprNames(expr hcl.Expression, names map[string]bool) {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return
	}
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		switch x := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			traversalNames(x.Traversal, names)
		case *hclsyntax.RelativeTraversalExpr:
			traversalNames(x.Traversal, names)
		case *hclsyntax.IndexExpr:
			if lit, ok := x.Key.(*hclsyntax.TemplateExpr); ok && lit.IsStringLiteral() {
				if v, diags := lit.Value(nil); !diags.HasErrors() && v.Type() == cty.String && !v.IsNull() {
					names[v.AsString()] = true
				}
			}
		}
		return nil
	})
}

func traversalNames(t hcl.Traversal, names map[string]bool) {
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseAttr:
			names[s.Name] = true
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
				names[s.Key.AsString()] = true
			}
		}
	}
}

// moduleNames are the attribute names a module's expressions read, nil when there are more than
// maxRefNames.
func moduleNames(m *module) map[string]bool {
	if m.attrNames != nil {
		if len(m.attrNames) > maxRefNames {
			return nil
		}
		return m.attrNames
	}
	m.attrNames = map[string]bool{}
	for _, f := range m.files {
		if b, ok := f.body.(*hclsyntax.Body); ok {
			hclsyntax.VisitAll(b, func(n hclsyntax.Node) hcl.Diagnostics {
				switch x := n.(type) {
				case *hclsyntax.ScopeTraversalExpr:
					traversalNames(x.Traversal, m.attrNames)
				case *hclsyntax.RelativeTraversalExpr:
					traversalNames(x.Traversal, m.attrNames)
				}
				return nil
			})
		}
		if len(m.attrNames) > maxRefNames {
			return nil
		}
	}
	return m.attrNames
}

// refVar is a variable's value for reference evaluation: the caller's argument evaluated with
// references when the plain value is not wholly known.
func (in *instance) refVar(name string) cty.Value {
	vv := in.vars[name]
	if vv == nil {
		return cty.DynamicVal
	}
	if vv.val.IsWhollyKnown() || in.parent == nil || in.call == nil || in.call.attrs[name] == nil {
		return vv.val
	}
	m := in.refs()
	if v, ok := m.vars[name]; ok {
		return v
	}
	if m.busyVar[name] {
		return vv.val
	}
	m.busyVar[name] = true
	e := in.parent.refEval(in.call.attrs[name].Expr, in.callScope)
	v := e.v
	if d := in.mod.vars[name]; d != nil {
		if v.IsNull() && d.nonNullable && d.def != cty.NilVal {
			v = d.def
		}
		if d.defaults != nil && v.IsKnown() && !v.IsNull() {
			v = d.defaults.Apply(v)
		}
		if d.typed {
			cv, err := convert.Convert(v, d.ty)
			if err != nil {
				cv = vv.val
			}
			v = cv
		}
	}
	m.vars[name] = v
	return v
}

// refLocal is a local's value for reference evaluation.
func (in *instance) refLocal(name string) cty.Value {
	v, ok := in.locals[name]
	if !ok {
		return cty.DynamicVal
	}
	l := in.mod.locals[name]
	if v.IsWhollyKnown() || l == nil || in.mod.overridden["local."+name] != "" || strings.Contains(in.localReason[name], "reference cycle") {
		return v
	}
	m := in.refs()
	if rv, ok := m.locals[name]; ok {
		return rv
	}
	if m.busyLocal[name] {
		return v
	}
	m.busyLocal[name] = true
	rv := in.refEval(l.attr.Expr, nil).v
	m.locals[name] = rv
	return rv
}

// refModule is the outputs of a module call for reference evaluation: a modelled
// terraform-aws-modules/vpc call's subnets, or a child's outputs evaluated with references.
func (in *instance) refModule(name string, names map[string]bool) cty.Value {
	if vm := in.vpcs[name]; vm != nil {
		return vm.value(names)
	}
	plain, ok := in.calls[name]
	if !ok {
		plain = cty.DynamicVal
	}
	child := in.children[name]
	if child == nil || plain.IsWhollyKnown() {
		return plain
	}
	m := in.refs()
	if v, ok := m.modules[name]; ok {
		return v
	}
	m.modules[name] = plain // a module whose outputs lead back to itself
	outs := map[string]cty.Value{}
	for o, a := range child.mod.outputs {
		v := child.outputs[o]
		if !v.IsWhollyKnown() {
			e := child.refEval(a.Expr, nil)
			v = e.v
			if e.reason != "" {
				m.reasons["module."+name+"."+o] = fmt.Sprintf("module.%s.%s is unknown: %s", name, o, clean(e.reason))
			}
		}
		outs[o] = v
	}
	v := cty.ObjectVal(outs)
	m.modules[name] = v
	return v
}

// resKeys are the instances of a resource, with count and for_each evaluated with references.
type resKeys struct {
	keys []instKey
	// each is set for for_each, count for count; why says why the instances are unknown (then
	// keys holds the one [?] instance).
	each, count bool
	why         string
	busy        bool
}

var metaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}}

// resKeys expands a resource's count or for_each, once.
func (in *instance) resKeys(r *resourceDecl) *resKeys {
	m := in.refs()
	addr := in.prefix + r.typ + "." + r.name
	if k, ok := m.keys[r]; ok {
		if k.busy {
			return &resKeys{why: addr + " refers to itself through its count or for_each, which Terraform rejects", keys: []instKey{{suffix: "[?]"}}}
		}
		return k
	}
	rk := &resKeys{busy: true}
	m.keys[r] = rk
	defer func() { rk.busy = false }()
	var count, forEach *hcl.Attribute
	if content, _, _ := r.block.Body.PartialContent(metaSchema); content != nil {
		count, forEach = content.Attributes["count"], content.Attributes["for_each"]
	}
	rk.count, rk.each = count != nil, forEach != nil && count == nil
	var keys []instKey
	in.withRefs([]hcl.Expression{exprOf(count), exprOf(forEach)}, func() { keys = in.expand(count, forEach, nil, addr) })
	st := in.partsState()
	if !st.spend(len(keys), r.file.name, r.line()) {
		rk.why = fmt.Sprintf("%s is not read: the root declares more resource instances than eksguard reads", addr)
		rk.keys = nil
		return rk
	}
	for i := range keys {
		k := &keys[i]
		if k.suffix == "[?]" {
			rk.why = clean(unknownKeyReason(k.scope))
			continue
		}
		if rk.each && k.scope != nil && strings.Contains(k.scope.eachKey, tokOpen) {
			k.suffix = "[" + strconv.Quote(clean(k.scope.eachKey)) + "]"
		}
	}
	rk.keys = keys
	return rk
}

// unknownKeyReason is why an instance named [?] stands for any number of them.
func unknownKeyReason(sc *scope) string {
	if sc == nil {
		return "count or for_each is unknown"
	}
	for _, n := range []string{"count", "each"} {
		if r := sc.reasons[n]; r != "" {
			return r
		}
	}
	return "count or for_each is unknown"
}

func exprOf(a *hcl.Attribute) hcl.Expression {
	if a == nil {
		return nil
	}
	return a.Expr
}

// boundRes is a resource's value in reference evaluation, with the attribute names it carries.
type boundRes struct {
	names map[string]bool
	v     cty.Value
}

// bound is a resource's value in reference evaluation: per instance, an object whose id is a
// token and whose other attributes (every name the module reads, or the expression does) are
// unknown. A resource with an unknown count or for_each is unknown as a whole, and why is kept
// for the messages.
func (in *instance) bound(r *resourceDecl, exprNames map[string]bool) cty.Value {
	m := in.refs()
	key := r.typ + "." + r.name
	names := map[string]bool{"id": true}
	for n := range moduleNames(in.mod) {
		names[n] = true
	}
	for n := range exprNames {
		names[n] = true
	}
	if b := m.bound[r]; b != nil && subset(names, b.names) {
		return b.v
	}
	rk := in.resKeys(r)
	if rk.why != "" {
		m.reasons[key] = fmt.Sprintf("%s: %s", in.prefix+key, rk.why)
		return cty.DynamicVal
	}
	if err := in.s.meter.charge(int64(len(names)*len(rk.keys))*elemCost, "the references to "+in.prefix+key); err != nil {
		m.reasons[key] = fmt.Sprintf("%s is not followed: %s", in.prefix+key, err)
		return cty.DynamicVal
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	base := in.prefix + key
	object := func(suffix string) cty.Value {
		attrs := make(map[string]cty.Value, len(sorted))
		for _, n := range sorted {
			attrs[n] = cty.DynamicVal
		}
		id := cty.StringVal(token(tokID, r.typ, base+suffix))
		attrs["id"] = id
		switch r.typ {
		case "aws_eks_cluster":
			attrs["name"] = id
		case "aws_vpc":
			main := cty.StringVal(token(tokMain, r.typ, base+suffix))
			attrs["default_route_table_id"], attrs["main_route_table_id"] = main, main
		}
		return cty.ObjectVal(attrs)
	}
	var v cty.Value
	switch {
	case rk.count:
		elems := make([]cty.Value, len(rk.keys))
		for i, k := range rk.keys {
			elems[i] = object(k.suffix)
		}
		v = cty.TupleVal(elems)
	case rk.each:
		elems := map[string]cty.Value{}
		for _, k := range rk.keys {
			if k.scope != nil {
				elems[k.scope.eachKey] = object(k.suffix)
			}
		}
		if len(elems) == 0 {
			v = cty.MapValEmpty(cty.DynamicPseudoType)
		} else {
			v = cty.MapVal(elems)
		}
	default:
		v = object("")
	}
	m.bound[r] = &boundRes{names: names, v: v}
	return v
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// resAddr is the address of a resource instance as reported, tokens replaced.
func resAddr(in *instance, r *resourceDecl, k instKey) string {
	return clean(in.prefix + r.typ + "." + r.name + k.suffix)
}
