package terraform

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// maxDepth bounds module nesting; Terraform has no limit, but a scan must end on a cycle.
const maxDepth = 16

// instance is one evaluation of a module: the root, or one call of it (one per count or for_each key).
type instance struct {
	s      *scanner
	mod    *module
	parent *instance
	// call is the module block in the parent that created this instance, with its key scope.
	call      *callDecl
	callScope *scope
	// prefix is the address of the instance ("module.a.module.b[0]."), "" for a root.
	prefix string
	// keyPath is the module call path as .terraform/modules/modules.json keys it ("a.b").
	keyPath string
	root    *instance
	depth   int
	// notes are remarks every cluster of the instance inherits (an unknown count on the call).
	notes []string
	// dirs are the folders on the way down, to stop on a module that calls itself.
	dirs []string

	vars        map[string]*varVal
	locals      map[string]cty.Value
	localReason map[string]string
	// localAfter marks the unknown locals that are unknown only until apply (evaluation.afterApply).
	localAfter map[string]bool
	localState map[string]int
	ctx        *hcl.EvalContext

	// outputs are the module's output values once it has run, and outputReasons why an unknown one
	// is unknown.
	outputs       map[string]cty.Value
	outputReasons map[string]string
	// calls holds the outputs of the module calls evaluated so far, by call name, and callReasons
	// why an output is unknown ("infra.eks"), for the module.<call> references of this module.
	calls       map[string]cty.Value
	callReasons map[string]string

	// children are the instances of this module's calls that have one instance, by call name, and
	// vpcs the terraform-aws-modules/vpc calls eksguard models: part reading follows references
	// into their outputs (refs.go).
	children map[string]*instance
	vpcs     map[string]*vpcModel
	// parts gathers, on a root instance, what the parts of its tree are read from (parts.go).
	parts *partsState
	// ref holds what reference evaluation remembers (refs.go); while it runs, refMode is set and
	// plain is the context evaluation had before.
	ref     *refMemo
	refMode bool
	plain   *hcl.EvalContext
}

// scope is what an expression inside a resource or module block sees beyond the module: count,
// each, or a dynamic block iterator; reasons says why any of them is unknown.
type scope struct {
	vars    map[string]cty.Value
	reasons map[string]string
	// perInstance is set for count and for_each scopes: a value that reads them differs per instance.
	perInstance bool
	// forEach and eachKey are, in a for_each scope, the for_each argument and this instance's key:
	// a fix of each.value.x edits x in this key's entry when the map is written in place.
	forEach *hcl.Attribute
	eachKey string
}

func (sc *scope) with(name string, v cty.Value, reason string) *scope {
	out := &scope{vars: map[string]cty.Value{}, reasons: map[string]string{}}
	if sc != nil {
		for k, x := range sc.vars {
			out.vars[k] = x
		}
		for k, x := range sc.reasons {
			out.reasons[k] = x
		}
		out.perInstance = sc.perInstance
	}
	out.vars[name] = v
	if reason != "" {
		out.reasons[name] = reason
	}
	return out
}

// namespaces are the roots of references Terraform defines besides resource types.
var namespaces = map[string]bool{
	"var": true, "local": true, "module": true, "data": true, "path": true, "terraform": true,
	"count": true, "each": true, "self": true, "ephemeral": true, "resource": true,
}

func (s *scanner) evalRoot(m *module) {
	s.rootInstances, s.rootCapped, s.rootName = 0, false, m.name
	if s.rootName == "" {
		s.rootName = filepath.ToSlash(m.dir)
	}
	in := &instance{s: s, mod: m, dirs: []string{m.dir}}
	in.root = in
	in.vars = s.rootVars(m)
	in.run()
}

// run evaluates the module: locals, then clusters, then module calls.
func (in *instance) run() {
	in.locals = map[string]cty.Value{}
	in.localReason = map[string]string{}
	in.localAfter = map[string]bool{}
	in.localState = map[string]int{}
	varObj := map[string]cty.Value{}
	for n, v := range in.vars {
		varObj[n] = v.val
	}
	for n, vv := range in.vars {
		if f := in.mod.overridden["var."+n]; f != "" {
			vv.val = cty.DynamicVal
			vv.reason = fmt.Sprintf("var.%s is also declared in %s, and eksguard does not merge override files", n, f)
			varObj[n] = vv.val
		}
	}
	for _, n := range in.mod.localNames {
		in.locals[n] = cty.DynamicVal
	}
	in.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":  cty.ObjectVal(varObj),
			"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(in.mod.name), "root": cty.StringVal(in.root.mod.name), "cwd": cty.StringVal(".")}),
			"terraform": cty.ObjectVal(map[string]cty.Value{
				"workspace": cty.UnknownVal(cty.String),
			}),
			"module": cty.DynamicVal,
			"data":   cty.DynamicVal,
			"local":  cty.DynamicVal,
		},
		Functions: in.s.funcs,
	}
	for _, n := range in.mod.localNames {
		in.evalLocal(n, nil)
	}
	in.ctx.Variables["local"] = cty.ObjectVal(in.locals)
	// Module calls run first, each after the calls its arguments read, so that the outputs of local
	// modules are known to the clusters, the locals and the later calls that read them.
	in.calls, in.callReasons = map[string]cty.Value{}, map[string]string{}
	for _, c := range orderCalls(in.mod.calls) {
		in.runCall(c)
		in.ctx.Variables["module"] = in.moduleObject()
	}
	if len(in.calls) > 0 && in.localsReadModules() {
		in.localState, in.localReason, in.localAfter = map[string]int{}, map[string]string{}, map[string]bool{}
		for _, n := range in.mod.localNames {
			in.evalLocal(n, nil)
		}
		in.ctx.Variables["local"] = cty.ObjectVal(in.locals)
	}
	for _, r := range in.mod.clusters {
		in.readCluster(r)
	}
	in.registerParts()
	if in.call != nil {
		in.evalOutputs()
	}
	if in.parent == nil {
		// The whole tree has run: its node groups, add-ons and repositories can be tied to its
		// clusters.
		in.finishParts()
	}
}

// orderCalls puts each module call after the calls its arguments refer to (module.a.x passed to
// module.b), keeping the written order otherwise; calls in a cycle keep their order.
func orderCalls(calls []*callDecl) []*callDecl {
	byName := map[string]*callDecl{}
	for _, c := range calls {
		byName[c.name] = c
	}
	var out []*callDecl
	state := map[*callDecl]int{}
	var visit func(c *callDecl)
	visit = func(c *callDecl) {
		if state[c] != 0 {
			return
		}
		state[c] = 1
		for _, a := range c.attrs {
			for _, t := range a.Expr.Variables() {
				if t.RootName() == "module" {
					if d := byName[attrName(t)]; d != nil && d != c {
						visit(d)
					}
				}
			}
		}
		state[c] = 2
		out = append(out, c)
	}
	for _, c := range calls {
		visit(c)
	}
	return out
}

// moduleObject is the module namespace: the outputs of each call evaluated so far, unknown for the
// others (registry modules, calls with count or for_each, calls not run yet).
func (in *instance) moduleObject() cty.Value {
	obj := map[string]cty.Value{}
	for _, c := range in.mod.calls {
		if v, ok := in.calls[c.name]; ok {
			obj[c.name] = v
		} else {
			obj[c.name] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(obj)
}

// localsReadModules reports whether a local refers to a module call's outputs.
func (in *instance) localsReadModules() bool {
	for _, n := range in.mod.localNames {
		for _, t := range in.mod.locals[n].attr.Expr.Variables() {
			if t.RootName() == "module" {
				return true
			}
		}
	}
	return false
}

// evalOutputs evaluates the module's outputs, for the module that called it.
func (in *instance) evalOutputs() {
	in.outputs, in.outputReasons = map[string]cty.Value{}, map[string]string{}
	for name, a := range in.mod.outputs {
		e := in.evaluate(a.Expr, nil)
		in.outputs[name] = e.v
		if e.reason != "" {
			in.outputReasons[name] = e.reason
		}
	}
}

// callDone records the outputs of a module call that has one instance.
func (in *instance) callDone(c *callDecl, child *instance) {
	in.calls[c.name] = cty.ObjectVal(child.outputs)
	for name, r := range child.outputReasons {
		in.callReasons[c.name+"."+name] = fmt.Sprintf("module.%s.%s is unknown: %s", c.name, name, r)
	}
}

const (
	localVisiting = 1
	localDone     = 2
)

// evalLocal evaluates a local value after the locals it reads. A local that refers back to itself
// through others is unknown, as Terraform would refuse it.
func (in *instance) evalLocal(name string, stack []string) {
	switch in.localState[name] {
	case localDone:
		return
	case localVisiting:
		cycle := append(append([]string{}, stack[indexOf(stack, name):]...), name)
		for _, n := range cycle {
			in.localReason[n] = "local." + n + " is part of a reference cycle (" + joinLocals(cycle) + ")"
		}
		return
	}
	l := in.mod.locals[name]
	if l == nil {
		return
	}
	if f := in.mod.overridden["local."+name]; f != "" {
		in.localState[name] = localDone
		in.localReason[name] = fmt.Sprintf("local.%s is also set in %s, and eksguard does not merge override files", name, f)
		return
	}
	in.localState[name] = localVisiting
	stack = append(stack, name)
	for _, t := range l.attr.Expr.Variables() {
		if t.RootName() == "local" && len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				in.evalLocal(a.Name, stack)
			}
		}
	}
	in.localState[name] = localDone
	if r := in.localReason[name]; strings.Contains(r, "reference cycle") {
		in.locals[name] = cty.DynamicVal
		return
	}
	// Only the locals the expression reads are put in scope: rebuilding the whole object for every
	// local would be quadratic in their number.
	refs := map[string]cty.Value{}
	for _, t := range l.attr.Expr.Variables() {
		if t.RootName() == "local" && len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				if v, ok := in.locals[a.Name]; ok {
					refs[a.Name] = v
				}
			}
		}
	}
	in.ctx.Variables["local"] = cty.ObjectVal(refs)
	e := in.evaluate(l.attr.Expr, nil)
	in.locals[name] = e.v
	if e.reason != "" {
		in.localReason[name] = foldLocalReason(name, e.reason)
		in.localAfter[name] = e.afterApply
	}
}

// localPrefix matches a reason that is another local's: "local.b: ...", or one already folded,
// "local.b (through local.c and 3 more locals): ...".
var localPrefix = regexp.MustCompile(`^local\.([A-Za-z_][A-Za-z0-9_-]*)(?: \(through local\.[A-Za-z0-9_-]+(?: and (\d+) more locals?)?\))?: `)

// foldLocalReason prefixes a local's name to the reason its value is unknown. When that reason is
// another local's, the chain is folded, so that a value unknown through forty locals reads
// "local.a (through local.b and 39 more locals): <the cause>" instead of repeating itself.
func foldLocalReason(name, reason string) string {
	m := localPrefix.FindStringSubmatchIndex(reason)
	if m == nil {
		return "local." + name + ": " + reason
	}
	next, rest := reason[m[2]:m[3]], reason[m[1]:]
	hops := 1
	if strings.Contains(reason[:m[1]], "(through ") {
		hops = 2
		if m[4] >= 0 {
			n, _ := strconv.Atoi(reason[m[4]:m[5]])
			hops += n
		}
	}
	if hops == 1 {
		return fmt.Sprintf("local.%s (through local.%s): %s", name, next, rest)
	}
	return fmt.Sprintf("local.%s (through local.%s and %d more %s): %s", name, next, hops-1, plural(hops-1, "local", "locals"), rest)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return 0
}

func joinLocals(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "local." + n
	}
	return strings.Join(parts, " -> ")
}

// eval evaluates an expression in the instance and scope. It returns the value, and when the value is
// not wholly known, a reason naming what it depends on. Expressions Terraform would reject are
// reported as problems and evaluate to unknown.
func (in *instance) eval(expr hcl.Expression, sc *scope) (cty.Value, string) {
	e := in.evaluate(expr, sc)
	return e.v, e.reason
}

// evaluation is an expression's value and, when it is not wholly known, why.
type evaluation struct {
	v      cty.Value
	reason string
	// afterApply is set when the value is unknown only because it reads what Terraform learns while
	// it applies (another resource's attributes, a data source, a module output), directly or
	// through variables and locals: the value will exist, eksguard just cannot see it. It is never
	// set when eksguard lacks something (an unset variable, a value past a bound) or Terraform
	// would reject the expression.
	afterApply bool
}

// evaluate is eval, also telling whether an unknown value is one Terraform learns during apply.
func (in *instance) evaluate(expr hcl.Expression, sc *scope) evaluation {
	v, reason, after := in.evalFull(expr, sc)
	return evaluation{v: v, reason: reason, afterApply: after}
}

func (in *instance) evalFull(expr hcl.Expression, sc *scope) (cty.Value, string, bool) {
	if expr == nil {
		return cty.NullVal(cty.DynamicPseudoType), "", false
	}
	orig := expr
	expr = in.s.native(expr)
	in.s.guard(expr)
	ctx := in.ctx
	if sc != nil && len(sc.vars) > 0 {
		ctx = ctx.NewChild()
		ctx.Variables = sc.vars
	}
	travs := expr.Variables()
	var extra map[string]cty.Value
	for _, t := range travs {
		root := t.RootName()
		if name := attrName(t); name != "" && (root == "var" && in.vars[name] == nil || root == "local" && in.mod.locals[name] == nil) {
			rng := t.SourceRange()
			what := map[string]string{"var": "input variable", "local": "local value"}[root]
			in.s.problem(iac.Problem{File: rng.Filename, Line: rng.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Reference to undeclared %s: %s.%s is not declared in this module", what, root, name)})
			return cty.DynamicVal, fmt.Sprintf("%s.%s is not declared, and Terraform rejects this configuration", root, name), false
		}
		if lookupVar(ctx, root) {
			continue
		}
		if len(t) == 1 && !namespaces[root] {
			rng := t.SourceRange()
			msg := fmt.Sprintf("Invalid reference: %s is not a value Terraform knows; a reference to a resource type must be followed by the resource name", root)
			reason := fmt.Sprintf("%s is not a valid Terraform value, and Terraform rejects this configuration", root)
			if low := strings.ToLower(root); low == "true" || low == "false" {
				msg = fmt.Sprintf("Invalid reference: %s is not a boolean; Terraform booleans are lowercase (%s)", root, low)
				reason = fmt.Sprintf("%s is not a Terraform boolean (booleans are lowercase: %s), and Terraform rejects this configuration", root, low)
			} else if low == "null" {
				msg = fmt.Sprintf("Invalid reference: %s is not null; Terraform writes it lowercase", root)
			}
			in.s.problem(iac.Problem{File: rng.Filename, Line: rng.Start.Line, Code: finding.ProblemInvalid, Message: msg})
			return cty.DynamicVal, reason, false
		}
		if extra == nil {
			extra = map[string]cty.Value{}
		}
		extra[root] = cty.DynamicVal
	}
	if extra != nil {
		ctx = ctx.NewChild()
		ctx.Variables = extra
	}
	if in.s.meter.scanTripped {
		return cty.DynamicVal, fmt.Sprintf("%s is not evaluated: the scan has built more than %s of values, eksguard's limit for one scan", in.exprText(orig), fileio.Size(maxScanWork)), false
	}
	in.s.meter.start()
	v, diags := expr.Value(ctx)
	if t := in.s.meter.tripped; t != nil {
		// A bound was passed, perhaps inside try() or can(), which would hide it: whatever the
		// expression returned is not the value Terraform would compute.
		return cty.DynamicVal, in.tooLarge(orig, t), false
	}
	if diags.HasErrors() {
		src := in.exprText(orig)
		d := diags[0]
		return cty.DynamicVal, fmt.Sprintf("%s cannot be evaluated: %s", src, strings.TrimSuffix(firstNonEmpty(d.Detail, d.Summary), ".")), false
	}
	if err := in.s.meter.checkValue(v, "it"); err != nil {
		return cty.DynamicVal, in.tooLarge(orig, in.s.meter.tripped), false
	}
	if v.IsWhollyKnown() {
		return v, "", false
	}
	return v, in.unknownReason(expr, travs, ctx, sc), in.onlyAfterApply(travs, ctx, sc)
}

// onlyAfterApply reports whether every reference that leaves a value unknown is one Terraform
// resolves while it applies: another resource, a data source, a module output, or a variable or
// local that is unknown for that reason alone.
func (in *instance) onlyAfterApply(travs []hcl.Traversal, ctx *hcl.EvalContext, sc *scope) bool {
	found := false
	for _, t := range travs {
		if v, diags := t.TraverseAbs(ctx); !diags.HasErrors() && v.IsWhollyKnown() {
			continue
		}
		root := t.RootName()
		switch {
		case root == "var":
			if vv := in.vars[attrName(t)]; vv == nil || !vv.afterApply {
				return false
			}
		case root == "local":
			if !in.localAfter[attrName(t)] {
				return false
			}
		case root == "module" || root == "data":
		case namespaces[root]:
			return false // count, each, path, terraform, self: not values apply produces
		default:
			if sc != nil {
				if _, ok := sc.vars[root]; ok {
					return false // a dynamic block's iterator
				}
			}
		}
		found = true
	}
	return found
}

// tooLarge is the reason a value past a size bound is unknown. The first time the scan-wide bound is
// passed it is also a problem: every later value of the scan is unknown, and the report must say why.
func (in *instance) tooLarge(expr hcl.Expression, t *errTooLarge) string {
	src := in.exprText(expr)
	if in.s.meter.scanTripped && !in.s.scanBoundReported {
		in.s.scanBoundReported = true
		rng := expr.Range()
		in.s.problem(iac.Problem{File: rng.Filename, Line: rng.Start.Line, Code: finding.ProblemLimit, Message: fmt.Sprintf("evaluation stopped: the scan has built more than %s of values, eksguard's limit for one scan; values evaluated from here on are unknown", fileio.Size(maxScanWork))})
	}
	return fmt.Sprintf("%s is not evaluated: %s", src, t.msg)
}

// attrName returns the attribute a reference reads from its root: "x" for var.x.
func attrName(t hcl.Traversal) string {
	if len(t) > 1 {
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func lookupVar(ctx *hcl.EvalContext, name string) bool {
	for c := ctx; c != nil; c = c.Parent() {
		if _, ok := c.Variables[name]; ok {
			return true
		}
	}
	return false
}

// unknownReason names the references that make an expression's value unknown.
func (in *instance) unknownReason(expr hcl.Expression, travs []hcl.Traversal, ctx *hcl.EvalContext, sc *scope) string {
	var reasons []string
	seen := map[string]bool{}
	add := func(r string) {
		if r != "" && !seen[r] {
			seen[r] = true
			reasons = append(reasons, r)
		}
	}
	for _, t := range travs {
		v, diags := t.TraverseAbs(ctx)
		if !diags.HasErrors() && v.IsWhollyKnown() {
			continue
		}
		add(in.traversalReason(t, sc))
	}
	if len(reasons) == 0 {
		if fn := opaqueCall(expr); fn != "" {
			return fmt.Sprintf("%s calls %s(), which eksguard does not evaluate", in.exprText(expr), fn)
		}
		return in.exprText(expr) + " is known only after apply"
	}
	if len(reasons) > 3 {
		reasons = append(reasons[:3], "...")
	}
	return strings.Join(reasons, "; ")
}

func (in *instance) traversalReason(t hcl.Traversal, sc *scope) string {
	name := traversalString(t)
	root := t.RootName()
	attr := ""
	if len(t) > 1 {
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			attr = a.Name
		}
	}
	if sc != nil {
		if r, ok := sc.reasons[root]; ok {
			return r
		}
	}
	if r := in.refReason(t); r != "" {
		return r
	}
	switch root {
	case "var":
		if vv := in.vars[attr]; vv != nil {
			if vv.reason != "" {
				return vv.reason
			}
			return fmt.Sprintf("var.%s is not fully known", attr)
		}
		return fmt.Sprintf("var.%s is not declared", attr)
	case "local":
		if r := in.localReason[attr]; r != "" {
			return r
		}
		if _, ok := in.mod.locals[attr]; !ok {
			return fmt.Sprintf("local.%s is not defined", attr)
		}
		return fmt.Sprintf("local.%s is not fully known", attr)
	case "module":
		if len(t) > 2 {
			if a, ok := t[2].(hcl.TraverseAttr); ok {
				if r := in.callReasons[attr+"."+a.Name]; r != "" {
					return r
				}
			}
		}
		return fmt.Sprintf("depends on %s, an output of a module call, which eksguard does not evaluate", name)
	case "data":
		return fmt.Sprintf("depends on %s, which Terraform reads from the provider during plan", name)
	case "terraform":
		return fmt.Sprintf("depends on %s, which depends on the workspace selected when Terraform runs", name)
	case "count", "each":
		return fmt.Sprintf("%s is used outside a block with count or for_each", name)
	case "path", "self":
		return name + " is not known"
	}
	return fmt.Sprintf("depends on %s, known only after apply", name)
}

// opaqueCall returns the name of a function eksguard does not evaluate, if the expression calls one.
func opaqueCall(expr hcl.Expression) string {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return ""
	}
	found := ""
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && found == "" {
			for _, o := range opaqueFuncs {
				if c.Name == o {
					found = o
				}
			}
		}
		return nil
	})
	return found
}

// traversalString writes a reference as it appears in source: aws_vpc.main.cidr_block, var.x["k"].
func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for i, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[" + valueText(s.Key) + "]")
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		default:
			if i > 0 {
				b.WriteString(".?")
			}
		}
	}
	return b.String()
}

// exprText is the source text of an expression, shortened for messages.
func (in *instance) exprText(expr hcl.Expression) string {
	rng := expr.Range()
	text := ""
	if src, ok := in.s.srcs[rng.Filename]; ok && rng.Start.Byte >= 0 && rng.End.Byte <= len(src) && rng.Start.Byte < rng.End.Byte {
		text = string(src[rng.Start.Byte:rng.End.Byte])
	}
	if text == "" {
		if t, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() {
			text = traversalString(t)
		} else {
			text = "the expression"
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return text
}

// valueText renders a value the way it would be written in HCL, shortened for messages.
func valueText(v cty.Value) string {
	s := renderValue(v, 0)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func renderValue(v cty.Value, depth int) string {
	switch {
	case v == cty.NilVal:
		return "null"
	case !v.IsKnown():
		return "(known after apply)"
	case v.IsNull():
		return "null"
	case depth > 4:
		return "..."
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return strconv.Quote(v.AsString())
	case ty == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case ty == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, renderValue(e, depth+1))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ty.IsMapType() || ty.IsObjectType():
		var keys []string
		m := map[string]string{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			ks := k.AsString()
			keys = append(keys, ks)
			m[ks] = renderValue(e, depth+1)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + m[k]
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "..."
}

// via says where the references of a known expression got their values, for a value's Detail:
// "var.public = false from terraform.tfvars:1".
func (in *instance) via(expr hcl.Expression, sc *scope) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range expr.Variables() {
		if len(t) < 2 {
			continue
		}
		a, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		key := t.RootName() + "." + a.Name
		if seen[key] {
			continue
		}
		seen[key] = true
		switch t.RootName() {
		case "var":
			if vv := in.vars[a.Name]; vv != nil {
				parts = append(parts, fmt.Sprintf("var.%s = %s from %s", a.Name, valueText(vv.val), vv.from))
			}
		case "local":
			if v, ok := in.locals[a.Name]; ok {
				parts = append(parts, fmt.Sprintf("local.%s = %s", a.Name, valueText(v)))
			}
		case "each", "count":
			if sc != nil {
				if v, ok := sc.vars[t.RootName()]; ok {
					if tv, diags := hcl.Traversal(t[1:]).TraverseRel(v); !diags.HasErrors() {
						parts = append(parts, fmt.Sprintf("%s = %s", traversalString(t), valueText(tv)))
					}
				}
			}
		}
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, "; ")
}

// usesInstanceKey reports whether an expression reads count or each, so that its value can differ
// between the instances of one block.
func usesInstanceKey(expr hcl.Expression) bool {
	if expr == nil {
		return false
	}
	for _, t := range expr.Variables() {
		if r := t.RootName(); r == "count" || r == "each" {
			return true
		}
	}
	return false
}
