package terraform

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

const (
	attrPrivate = "endpoint_private_access"
	attrPublic  = "endpoint_public_access"
	attrCIDRs   = "public_access_cidrs"

	providerDefault = "AWS provider default"
	// maxInstances bounds count and for_each expansion; beyond it instances are judged as one.
	maxInstances = 256
)

var resourceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: attrLogs}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "vpc_config"}, {Type: "kubernetes_network_config"},
		{Type: blockAccess}, {Type: blockEncryption},
		{Type: "dynamic", LabelNames: []string{"type"}},
	},
}

var vpcSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: attrPrivate}, {Name: attrPublic}, {Name: attrCIDRs},
}}

var networkSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "ip_family"}}}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// instKey is one instance of a block with count or for_each.
type instKey struct {
	suffix string
	scope  *scope
	note   string
}

// expand lists the instances of a block from its count or for_each. An unknown count or for_each
// gives one instance named [?] whose count.index or each.key is unknown: the settings it declares
// are still judged, since they apply to however many instances Terraform creates.
func (in *instance) expand(count, forEach *hcl.Attribute, base *scope, what string) []instKey {
	switch {
	case count != nil && forEach != nil:
		in.s.problem(iac.Problem{File: count.Range.Filename, Line: count.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid combination of \"count\" and \"for_each\": %s sets both", what)})
		return nil
	case count != nil:
		return in.expandCount(count, base, what)
	case forEach != nil:
		return in.expandForEach(forEach, base, what)
	}
	return []instKey{{scope: base}}
}

func (in *instance) unknownKey(base *scope, name string, val cty.Value, reason, note string) []instKey {
	sc := base.with(name, val, reason)
	sc.perInstance = true
	return []instKey{{suffix: "[?]", scope: sc, note: note}}
}

func (in *instance) expandCount(a *hcl.Attribute, base *scope, what string) []instKey {
	v, reason := in.eval(a.Expr, base)
	src := in.exprText(a.Expr)
	unknownIdx := cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})
	if reason == "" && !v.IsNull() {
		if nv, err := convert.Convert(v, cty.Number); err == nil {
			v = nv
		} else {
			in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid count argument: %s is not a number", src)})
			return nil
		}
	}
	switch {
	case reason != "":
		return in.unknownKey(base, "count", unknownIdx, fmt.Sprintf("count = %s is unknown (%s)", src, reason),
			fmt.Sprintf("count = %s is unknown (%s): Terraform may create any number of these clusters, including none; each one gets the settings judged here", src, reason))
	case v.IsNull():
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: "Invalid count argument: the count value is null"})
		return nil
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != big.Exact || n < 0 {
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid count argument: count = %s must be a whole number, 0 or more", src)})
		return nil
	}
	if n > maxInstances {
		return in.unknownKey(base, "count", unknownIdx, fmt.Sprintf("count = %d is too large to expand", n),
			fmt.Sprintf("count = %d: the %d instances are judged as one", n, n))
	}
	out := make([]instKey, n)
	for i := range out {
		sc := base.with("count", cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))}), "")
		sc.perInstance = true
		out[i] = instKey{suffix: "[" + strconv.Itoa(i) + "]", scope: sc}
	}
	return out
}

func (in *instance) expandForEach(a *hcl.Attribute, base *scope, what string) []instKey {
	v, reason := in.eval(a.Expr, base)
	src := in.exprText(a.Expr)
	unknownEach := cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})
	note := func(r string) string {
		return fmt.Sprintf("for_each = %s is unknown (%s): Terraform may create any number of these clusters, including none; each one gets the settings judged here", src, r)
	}
	if !v.IsKnown() || (v.Type().IsSetType() && !v.IsWhollyKnown()) {
		if reason == "" {
			reason = src + " is known only after apply"
		}
		return in.unknownKey(base, "each", unknownEach, fmt.Sprintf("for_each = %s is unknown (%s)", src, reason), note(reason))
	}
	if v.IsNull() {
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: "Invalid for_each argument: the given for_each value is null"})
		return nil
	}
	ty := v.Type()
	type kv struct {
		k string
		v cty.Value
	}
	var items []kv
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			items = append(items, kv{k.AsString(), e})
		}
	case ty.IsSetType() && (ty.ElementType() == cty.String || ty.ElementType() == cty.DynamicPseudoType):
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() || e.Type() != cty.String {
				in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: "Invalid for_each argument: a set used in for_each must contain only strings"})
				return nil
			}
			items = append(items, kv{e.AsString(), e})
		}
	default:
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid for_each argument: %s must be a map or a set of strings (convert a list with toset())", src)})
		return nil
	}
	sort.Slice(items, func(i, j int) bool { return items[i].k < items[j].k })
	if len(items) > maxInstances {
		return in.unknownKey(base, "each", unknownEach, fmt.Sprintf("for_each has %d elements, too many to expand", len(items)),
			fmt.Sprintf("for_each has %d elements, judged as one", len(items)))
	}
	out := make([]instKey, len(items))
	for i, it := range items {
		sc := base.with("each", cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(it.k), "value": it.v}), "")
		sc.perInstance = true
		sc.forEach, sc.eachKey = a, it.k
		out[i] = instKey{suffix: "[" + strconv.Quote(it.k) + "]", scope: sc}
	}
	return out
}

// field is one setting of a declared cluster and where an edit would change it.
type field struct {
	// name is the attribute or module argument that holds the setting.
	name string
	// label names it in a fix's description when name alone is ambiguous
	// ("access_config.authentication_mode"); empty means name.
	label string
	// attr is the attribute that sets it, nil when unset; file holds attr or block.
	attr *hcl.Attribute
	file *srcFile
	// block is where a missing attribute would be inserted, inside the nested blocks nest (which
	// the edit opens: access_config, or encryption_config and its provider) when block lacks them.
	block *hcl.Block
	nest  []string
	// noFix says why no edit can be made here.
	noFix string
	// passed is set when the setting is a module variable and attr is the calling module's argument
	// that passes its value: that argument is where the value is decided.
	passed bool
}

// words names the field in a fix's description.
func (f *field) words() string {
	if f.label != "" {
		return f.label
	}
	return f.name
}

// declared is what a fix needs to know about a declared cluster.
type declared struct {
	addr    string
	public  field
	private field
	cidrs   field
	// logs and auth hold enabled_cluster_log_types and the authentication mode; key is where the
	// KMS key of secrets is written, and keyChanges the writes that set it to an ARN (key_arn plus
	// what it needs: resources = ["secrets"] in an encryption_config, or for a module call its
	// encryption argument and create_kms_key = false).
	logs, auth, key field
	keyChanges      func(arn string) []change
	noFix           string
	cluster         *model.Cluster
}

func loc(file string, line int) *model.Location {
	return &model.Location{File: file, Line: line}
}

func attrLoc(a *hcl.Attribute) *model.Location {
	return loc(a.Range.Filename, a.Range.Start.Line)
}

func (in *instance) readCluster(r *resourceDecl) {
	content, _, diags := r.block.Body.PartialContent(resourceSchema)
	in.s.diags(diags, r.file.name)
	if content == nil {
		return
	}
	addr := in.prefix + "aws_eks_cluster." + r.name
	keys := in.expand(content.Attributes["count"], content.Attributes["for_each"], nil, addr)
	for _, k := range keys {
		if !in.s.spend(r.file.name, r.line()) {
			return
		}
		c := &model.Cluster{
			Name:   addr + k.suffix,
			Source: model.SourceTerraform,
			Kind:   "aws_eks_cluster",
			Loc:    loc(r.file.name, r.line()),
			Root:   in.root.mod.name,
		}
		c.Notes = append(c.Notes, in.notes...)
		if k.note != "" {
			c.Notes = append(c.Notes, k.note)
		}
		d := &declared{addr: c.Name, cluster: c}
		if f := in.mod.overridden["aws_eks_cluster."+r.name]; f != "" {
			why := fmt.Sprintf("aws_eks_cluster.%s is also declared in %s, and eksguard does not merge override files", r.name, f)
			setAllUnknown(c, why, nil)
			d.noFix = why
		} else {
			in.readResourceSettings(r, content, k.scope, d)
		}
		in.s.add(c, d)
		in.registerCluster(c, r, k.scope)
	}
}

func (in *instance) readResourceSettings(r *resourceDecl, content *hcl.BodyContent, sc *scope, d *declared) {
	c := d.cluster
	var static []*hcl.Block
	var dynamic []*hcl.Block
	others := map[string]*blockSet{blockAccess: {}, blockEncryption: {}}
	for _, b := range content.Blocks {
		switch {
		case b.Type == "vpc_config":
			static = append(static, b)
		case b.Type == "dynamic" && b.Labels[0] == "vpc_config":
			dynamic = append(dynamic, b)
		case b.Type == "dynamic" && others[b.Labels[0]] != nil:
			others[b.Labels[0]].dynamic = append(others[b.Labels[0]].dynamic, b)
		case others[b.Type] != nil:
			others[b.Type].static = append(others[b.Type].static, b)
		case b.Type == "kubernetes_network_config":
			in.readNetwork(b, sc, c)
		}
	}
	in.readLogs(r, content.Attributes[attrLogs], sc, d)
	in.readAccess(r, others[blockAccess], sc, d)
	in.readEncryption(r, others[blockEncryption], sc, d)
	setAll := func(b model.Bool, cidrs model.Strings) {
		c.EndpointPublicAccess, c.EndpointPrivateAccess, c.PublicAccessCIDRs = b, b, cidrs
	}
	unknownAll := func(why string, l *model.Location) {
		b := model.Unknown(why)
		b.Loc = l
		setAll(b, model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: why, Loc: l})
		d.noFix = why
	}
	switch {
	case len(static) == 0 && len(dynamic) == 0:
		// Terraform refuses a cluster without vpc_config, so nothing of it will exist as written.
		in.s.problem(iac.Problem{File: r.file.name, Line: r.line(), Code: finding.ProblemInvalid, Message: fmt.Sprintf("Missing required block: %s has no vpc_config block, which Terraform requires", d.addr)})
		unknownAll(fmt.Sprintf("%s has no vpc_config block, and Terraform rejects the configuration", d.addr), c.Loc)
	case len(static)+len(dynamic) > 1:
		unknownAll(fmt.Sprintf("%s declares more than one vpc_config block; the provider accepts exactly one", d.addr), c.Loc)
	case len(static) == 1:
		in.readVPC(static[0], static[0].Body, sc, d)
	default:
		in.readDynamicVPC(dynamic[0], sc, d, unknownAll)
	}
}

// readDynamicVPC reads a dynamic "vpc_config" block: known for_each with one element gives that
// element's settings; anything else is unknown, named after the for_each.
func (in *instance) readDynamicVPC(b *hcl.Block, sc *scope, d *declared, unknownAll func(string, *model.Location)) {
	defer func() {
		d.noFix = `vpc_config is written as a dynamic "vpc_config" block; set the endpoint arguments in its content block or its for_each source by hand`
	}()
	x := in.expandDynamic(b, sc)
	switch {
	case x.why != "":
		unknownAll(x.why, x.loc)
	case x.n != 1:
		if x.n == 0 {
			d.cluster.Notes = append(d.cluster.Notes, fmt.Sprintf(`dynamic "vpc_config" produces no block (for_each = %s is empty); Terraform requires one`, x.src))
		}
		unknownAll(fmt.Sprintf(`dynamic "vpc_config" produces %d blocks (for_each = %s); the provider accepts exactly one`, x.n, x.src), x.loc)
	default:
		in.readVPC(x.content, x.content.Body, x.scope, d)
	}
}

// expanded is what a dynamic block expands to: n blocks, the content block and the scope of its
// iterator when n is 1, or why that cannot be told (why, at loc).
type expanded struct {
	n       int
	content *hcl.Block
	scope   *scope
	src     string
	why     string
	loc     *model.Location
}

// expandDynamic evaluates the for_each of a dynamic block. Only what one block needs is built: the
// content and iterator of the single element, when there is exactly one.
func (in *instance) expandDynamic(b *hcl.Block, sc *scope) expanded {
	typ := b.Labels[0]
	content, _, diags := b.Body.PartialContent(dynamicSchema)
	in.s.diags(diags, b.DefRange.Filename)
	if content == nil || content.Attributes["for_each"] == nil || len(content.Blocks) != 1 {
		return expanded{why: fmt.Sprintf(`dynamic %q has no for_each or no single content block`, typ), loc: loc(b.DefRange.Filename, b.DefRange.Start.Line)}
	}
	fe := content.Attributes["for_each"]
	v, reason := in.eval(fe.Expr, sc)
	x := expanded{src: in.exprText(fe.Expr), loc: attrLoc(fe)}
	if !v.IsKnown() || v.IsNull() || (reason != "" && !v.CanIterateElements()) {
		if reason == "" {
			reason = "null"
		}
		x.why = fmt.Sprintf(`for_each of dynamic %q is unknown: %s (%s)`, typ, x.src, reason)
		return x
	}
	if !v.CanIterateElements() {
		x.why = fmt.Sprintf(`for_each of dynamic %q (%s) is not a collection`, typ, x.src)
		return x
	}
	if v.Type().IsSetType() && !v.IsWhollyKnown() {
		x.why = fmt.Sprintf(`for_each of dynamic %q is unknown: %s (%s)`, typ, x.src, reason)
		return x
	}
	x.n = v.LengthInt()
	if x.n != 1 {
		return x
	}
	iter := typ
	if a := content.Attributes["iterator"]; a != nil {
		if kw := hcl.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	it := v.ElementIterator()
	it.Next()
	key, val := it.Element()
	x.scope = sc.with(iter, cty.ObjectVal(map[string]cty.Value{"key": key, "value": val}), "")
	if sc == nil {
		x.scope.perInstance = false
	}
	x.content = content.Blocks[0]
	return x
}

func (in *instance) readVPC(b *hcl.Block, body hcl.Body, sc *scope, d *declared) {
	c := d.cluster
	var attrs hcl.Attributes
	if body != nil {
		content, _, diags := body.PartialContent(vpcSchema)
		in.s.diags(diags, c.Loc.File)
		if content != nil {
			attrs = content.Attributes
		}
	}
	file := in.fileOf(b)
	d.public = field{name: attrPublic, attr: attrs[attrPublic], file: file, block: b}
	d.private = field{name: attrPrivate, attr: attrs[attrPrivate], file: file, block: b}
	d.cidrs = field{name: attrCIDRs, attr: attrs[attrCIDRs], file: file, block: b}
	c.EndpointPublicAccess = in.readBool(attrs[attrPublic], sc, model.Default(true, providerDefault))
	c.EndpointPrivateAccess = in.readBool(attrs[attrPrivate], sc, model.Default(false, providerDefault))
	c.PublicAccessCIDRs = in.readCIDRs(attrs[attrCIDRs], sc, defaultCIDRs(c.IPFamily, "EKS default (the AWS provider sends no list)"))
	for _, f := range []*field{&d.public, &d.private, &d.cidrs} {
		in.redirect(f, sc)
	}
}

func (in *instance) fileOf(b *hcl.Block) *srcFile {
	if b == nil {
		return nil
	}
	for _, f := range in.mod.files {
		if f.name == b.DefRange.Filename {
			return f
		}
	}
	return nil
}

// redirect moves a fix from a child module's `attr = var.x` to the caller's argument x, so that a fix
// changes the caller rather than a module other callers share. Values that differ per instance cannot
// be fixed with one edit.
func (in *instance) redirect(f *field, sc *scope) {
	if f.attr == nil {
		return
	}
	if sc != nil && sc.perInstance && usesInstanceKey(f.attr.Expr) {
		if entry := eachEntry(f.attr.Expr, sc); entry != nil {
			f.label = fmt.Sprintf("%s (the %q entry of for_each)", entry.Name, sc.eachKey)
			f.name, f.attr, f.nest = entry.Name, entry, nil
			return
		}
		f.noFix = fmt.Sprintf("%s = %s differs per instance; change the value for this instance where count or for_each gets it", f.name, in.exprText(f.attr.Expr))
		return
	}
	if in.call == nil {
		in.toAssignment(f)
		return
	}
	t, diags := hcl.AbsTraversalForExpr(f.attr.Expr)
	if diags.HasErrors() || len(t) != 2 || t.RootName() != "var" {
		return
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return
	}
	f.name, f.label, f.nest = a.Name, "", nil
	f.file = in.call.file
	f.block = in.call.block
	f.attr = in.call.attrs[a.Name]
	f.passed = f.attr != nil
	if f.attr != nil && in.callScope != nil && in.callScope.perInstance && usesInstanceKey(f.attr.Expr) {
		f.noFix = fmt.Sprintf("argument %s of module.%s differs per instance; change the value for this instance where count or for_each gets it", a.Name, in.call.name)
	}
}

// eachEntry finds, for an argument written each.value.x in a block whose for_each is a map written
// in place, the x of this instance's entry: the one place its value is set. nil when the value comes
// from anywhere else.
func eachEntry(expr hcl.Expression, sc *scope) *hcl.Attribute {
	t, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(t) != 3 || t.RootName() != "each" || sc.forEach == nil {
		return nil
	}
	v, ok1 := t[1].(hcl.TraverseAttr)
	x, ok2 := t[2].(hcl.TraverseAttr)
	m, ok3 := sc.forEach.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok1 || !ok2 || !ok3 || v.Name != "value" {
		return nil
	}
	key := func(e hcl.Expression) (string, bool) {
		if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
			if kw := hcl.ExprAsKeyword(k.Wrapped); kw != "" {
				return kw, true
			}
			e = k.Wrapped
		}
		val, diags := e.Value(nil)
		if diags.HasErrors() || val.IsNull() || !val.IsKnown() || val.Type() != cty.String {
			return "", false
		}
		return val.AsString(), true
	}
	for _, item := range m.Items {
		if k, ok := key(item.KeyExpr); !ok || k != sc.eachKey {
			continue
		}
		entry, ok := item.ValueExpr.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return nil
		}
		for _, field := range entry.Items {
			if k, ok := key(field.KeyExpr); ok && k == x.Name {
				return &hcl.Attribute{Name: x.Name, Expr: field.ValueExpr, NameRange: field.KeyExpr.Range(),
					Range: hcl.RangeBetween(field.KeyExpr.Range(), field.ValueExpr.Range())}
			}
		}
	}
	return nil
}

// toAssignment moves a fix of a root module's `attr = var.x` to where x gets its value: the tfvars or
// --var-file line that sets it, or its default. A --var value is on a command line no edit reaches.
func (in *instance) toAssignment(f *field) {
	t, diags := hcl.AbsTraversalForExpr(f.attr.Expr)
	if diags.HasErrors() || len(t) != 2 || t.RootName() != "var" {
		return
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return
	}
	vv := in.vars[a.Name]
	switch {
	case vv == nil:
	case vv.cli:
		f.noFix = fmt.Sprintf("%s = var.%s, which is set with --var %s=...: change that value where the command line is written", f.name, a.Name, a.Name)
	case vv.setBy != nil && vv.setIn != nil && vv.setIn.path != "":
		f.name, f.label, f.nest = a.Name, "var."+a.Name+" ("+vv.setIn.name+")", nil
		f.attr, f.file, f.block = vv.setBy, vv.setIn, nil
	}
}

func (in *instance) readNetwork(b *hcl.Block, sc *scope, c *model.Cluster) {
	content, _, _ := b.Body.PartialContent(networkSchema)
	if content == nil || content.Attributes["ip_family"] == nil {
		return
	}
	v, reason := in.eval(content.Attributes["ip_family"].Expr, sc)
	if reason == "" && !v.IsNull() && v.Type() == cty.String {
		c.IPFamily = strings.ToLower(v.AsString())
	}
}

// defaultCIDRs is what EKS admits when no allowlist is sent.
func defaultCIDRs(ipFamily, detail string) model.Strings {
	v := []string{"0.0.0.0/0"}
	if strings.EqualFold(ipFamily, "ipv6") {
		v = append(v, "::/0")
	}
	return model.Strings{Values: v, Origin: model.OriginDefault, Detail: detail}
}

// readBool reads a boolean argument; def is the value when it is unset or null.
func (in *instance) readBool(a *hcl.Attribute, sc *scope, def model.Bool) model.Bool {
	return in.readBoolOr(a, sc, def, def)
}

// readBoolOr reads a boolean argument: def applies when it is unset, nullDef when it is null.
func (in *instance) readBoolOr(a *hcl.Attribute, sc *scope, def, nullDef model.Bool) model.Bool {
	if a == nil {
		return def
	}
	def = nullDef
	l := attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	if reason != "" {
		return model.Bool{Origin: model.OriginUnknown, Loc: l, Detail: reason}
	}
	if v.IsNull() {
		def.Loc = l
		def.Detail = fmt.Sprintf("%s is null, so the %s applies", src, def.Detail)
		return def
	}
	bv, err := convert.Convert(v, cty.Bool)
	if err != nil || bv.IsNull() {
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Incorrect attribute value type: %s = %s is not a bool", a.Name, src)})
		return model.Bool{Origin: model.OriginUnknown, Loc: l, Detail: fmt.Sprintf("%s = %s is not a bool", a.Name, valueText(v))}
	}
	return model.Bool{Value: bv.True(), Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}

// readCIDRs reads a list of CIDR blocks; def applies when it is unset, null or empty, since the
// provider sends no empty list.
func (in *instance) readCIDRs(a *hcl.Attribute, sc *scope, def model.Strings) model.Strings {
	return in.readCIDRsOr(a, sc, def, def)
}

// readCIDRsOr reads a list of CIDR blocks: def applies when it is unset, emptyDef when it is null or
// empty (a module passes both through to the provider, which then sends no list).
func (in *instance) readCIDRsOr(a *hcl.Attribute, sc *scope, def, emptyDef model.Strings) model.Strings {
	if a == nil {
		return def
	}
	def = emptyDef
	l := attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	if reason != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: l, Detail: reason}
	}
	if v.IsNull() {
		def.Loc = l
		def.Detail = fmt.Sprintf("%s is null, so the %s applies", src, def.Detail)
		return def
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() {
		in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Incorrect attribute value type: %s = %s is not a list of strings", a.Name, src)})
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: l, Detail: fmt.Sprintf("%s = %s is not a list of strings", a.Name, valueText(v))}
	}
	out := []string{}
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			in.s.problem(iac.Problem{File: a.Range.Filename, Line: a.Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid value: %s contains null", a.Name)})
			return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: l, Detail: a.Name + " contains null"}
		}
		out = append(out, e.AsString())
	}
	if len(out) == 0 {
		def.Loc = l
		if src == "[]" {
			def.Detail = fmt.Sprintf("%s = [] is the same as unset: %s", a.Name, def.Detail)
		} else {
			def.Detail = fmt.Sprintf("%s = %s is empty, the same as unset: %s", a.Name, src, def.Detail)
		}
		return def
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}
