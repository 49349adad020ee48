package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/model"
)

// The ECR repositories of a root's tree and the registry scanning configuration, which together
// form the root's registry (5.1.1). A repository scans on push when its
// image_scanning_configuration says so (false by default); the registry scans as its one
// aws_ecr_registry_scanning_configuration says, and without one in the tree the account's default,
// basic scanning with no rules, is assumed and the verdict says so.

const (
	noScanOnPush = "image_scanning_configuration.scan_on_push defaults to false"
	noRegistry   = "no aws_ecr_registry_scanning_configuration in this tree: the registry's default, basic scanning with no rules, unless it is set elsewhere"
)

var (
	repositorySchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "name"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "image_scanning_configuration"}, {Type: "dynamic", LabelNames: []string{"type"}}},
	}
	scanOnPushSchema   = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "scan_on_push"}}}
	scanningConfSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "scan_type"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "rule"}, {Type: "dynamic", LabelNames: []string{"type"}}},
	}
	ruleSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "scan_frequency"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "repository_filter"}, {Type: "dynamic", LabelNames: []string{"type"}}},
	}
	filterSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "filter"}}}
)

// readRegistry forms the root's registry; nil when the tree declares no repository and no scanning
// configuration.
func (st *partsState) readRegistry() *model.Registry {
	repos, confs := st.decls["aws_ecr_repository"], st.decls["aws_ecr_registry_scanning_configuration"]
	if len(repos)+len(confs) == 0 {
		return nil
	}
	reg := &model.Registry{Source: model.SourceTerraform, Root: st.root, Rules: []model.ScanRule{}, Repositories: []model.Repository{}}
	for _, rr := range repos {
		in, r := rr.in, rr.r
		for _, k := range in.resKeys(r).keys {
			if st.stopped() {
				return nil
			}
			repo := st.repository(in, r, k)
			if reg.Loc == nil {
				reg.Loc = loc(r.file.name, r.line())
			}
			reg.Repositories = append(reg.Repositories, repo)
		}
	}
	type confInst struct {
		in   *instance
		r    *resourceDecl
		k    instKey
		addr string
	}
	var found []confInst
	for _, rr := range confs {
		for _, k := range rr.in.resKeys(rr.r).keys {
			found = append(found, confInst{rr.in, rr.r, k, resAddr(rr.in, rr.r, k)})
		}
	}
	if st.stopped() {
		return nil
	}
	switch {
	case len(found) == 0:
		reg.ScanType = model.DefaultString("BASIC", noRegistry)
	case len(found) > 1:
		var where []string
		for _, f := range found {
			where = append(where, fmt.Sprintf("%s (%s:%d)", f.addr, f.r.file.name, f.r.line()))
		}
		reg.ScanType = model.UnknownString(fmt.Sprintf("the tree declares %d registry scanning configurations (%s); a registry has one, and the last one applied wins", len(found), words(where)))
	case found[0].k.suffix == "[?]":
		f := found[0]
		reg.ScanType = unknownString(fmt.Sprintf("%s: %s, so the tree may or may not configure the registry's scanning", f.addr, clean(unknownKeyReason(f.k.scope))), loc(f.r.file.name, f.r.line()))
	default:
		f := found[0]
		reg.ScanType, reg.Rules = f.in.readScanning(f.r, f.k.scope, f.addr)
	}
	if reg.Loc == nil && len(confs) > 0 {
		reg.Loc = loc(confs[0].r.file.name, confs[0].r.line())
	}
	return reg
}

// repository reads one aws_ecr_repository instance.
func (st *partsState) repository(in *instance, r *resourceDecl, k instKey) model.Repository {
	addr := resAddr(in, r, k)
	repo := model.Repository{Name: addr, Loc: loc(r.file.name, r.line())}
	content, _, _ := r.block.Body.PartialContent(repositorySchema)
	if content == nil {
		repo.ScanOnPush = model.Unknown("the repository cannot be read")
		return repo
	}
	if s, ok := in.knownString(content.Attributes["name"], k.scope); ok && s != "" {
		repo.Name = s
	}
	if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
		repo.ScanOnPush = model.Unknown(fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f))
		return repo
	}
	var static, dynamic []*hcl.Block
	for _, b := range content.Blocks {
		switch {
		case b.Type == "image_scanning_configuration":
			static = append(static, b)
		case b.Type == "dynamic" && b.Labels[0] == "image_scanning_configuration":
			dynamic = append(dynamic, b)
		}
	}
	def := model.Default(false, noScanOnPush)
	read := func(body hcl.Body, sc *scope) {
		bc, _, _ := body.PartialContent(scanOnPushSchema)
		var a *hcl.Attribute
		if bc != nil {
			a = bc.Attributes["scan_on_push"]
		}
		repo.ScanOnPush = in.readBool(a, sc, def)
		if a != nil {
			repo.Loc = attrLoc(a)
		}
	}
	switch {
	case len(static)+len(dynamic) == 0:
		repo.ScanOnPush = def
	case len(static)+len(dynamic) > 1:
		repo.ScanOnPush = model.Unknown(addr + " declares more than one image_scanning_configuration block; the AWS provider accepts one")
	case len(static) == 1:
		read(static[0].Body, k.scope)
	default:
		x := in.expandDynamic(dynamic[0], k.scope)
		switch {
		case x.why != "":
			repo.ScanOnPush = model.Unknown(clean(x.why))
			repo.ScanOnPush.Loc = x.loc
		case x.n == 0:
			repo.ScanOnPush = def
		case x.n > 1:
			repo.ScanOnPush = model.Unknown(fmt.Sprintf(`dynamic "image_scanning_configuration" produces %d blocks; the AWS provider accepts one`, x.n))
		default:
			read(x.content.Body, x.scope)
		}
	}
	return repo
}

// readScanning reads an aws_ecr_registry_scanning_configuration: its scan type and rules. A rule
// that cannot be read makes the scan type unknown, since which repositories are scanned then
// cannot be told.
func (in *instance) readScanning(r *resourceDecl, sc *scope, addr string) (model.String, []model.ScanRule) {
	rules := []model.ScanRule{}
	l := loc(r.file.name, r.line())
	if f := in.mod.overridden[r.typ+"."+r.name]; f != "" {
		return unknownString(fmt.Sprintf("%s is also declared in %s, and eksguard does not merge override files", addr, f), l), rules
	}
	content, _, _ := r.block.Body.PartialContent(scanningConfSchema)
	if content == nil {
		return unknownString(addr+" cannot be read", l), rules
	}
	var scanType model.String
	if a := content.Attributes["scan_type"]; a == nil {
		scanType = unknownString(addr+" sets no scan_type, which the AWS provider requires", l)
	} else {
		scanType = in.stringArg(a, sc)
	}
	type body struct {
		b     hcl.Body
		sc    *scope
		block *hcl.Block
	}
	var bodies []body
	for _, b := range content.Blocks {
		switch {
		case b.Type == "rule":
			bodies = append(bodies, body{b.Body, sc, b})
		case b.Type == "dynamic" && b.Labels[0] == "rule":
			dbs, why := in.dynamicBodies(b, sc)
			if why != "" {
				return unknownString(clean(why), blockLoc(b)), rules
			}
			for _, db := range dbs {
				bodies = append(bodies, body{db.body, db.scope, b})
			}
		}
	}
	for _, rb := range bodies {
		rule, why := in.readRule(rb.b, rb.sc, blockLoc(rb.block))
		if why != "" {
			return unknownString(clean(why), blockLoc(rb.block)), rules
		}
		rules = append(rules, rule)
	}
	return scanType, rules
}

func (in *instance) readRule(b hcl.Body, sc *scope, l *model.Location) (model.ScanRule, string) {
	rule := model.ScanRule{Filters: []string{}, Loc: l}
	content, _, _ := b.PartialContent(ruleSchema)
	if content == nil {
		return rule, "a rule of the registry scanning configuration cannot be read"
	}
	if a := content.Attributes["scan_frequency"]; a != nil {
		s := in.stringArg(a, sc)
		if !s.Known() {
			return rule, "the scan_frequency of a registry scanning rule is unknown: " + s.Detail
		}
		rule.Frequency = s.Value
	}
	var bodies []dynBody
	for _, fb := range content.Blocks {
		switch {
		case fb.Type == "repository_filter":
			bodies = append(bodies, dynBody{fb.Body, sc})
		case fb.Type == "dynamic" && fb.Labels[0] == "repository_filter":
			dbs, why := in.dynamicBodies(fb, sc)
			if why != "" {
				return rule, why
			}
			bodies = append(bodies, dbs...)
		}
	}
	for _, fb := range bodies {
		fc, _, _ := fb.body.PartialContent(filterSchema)
		if fc == nil || fc.Attributes["filter"] == nil {
			continue
		}
		s := in.stringArg(fc.Attributes["filter"], fb.scope)
		if !s.Known() {
			return rule, "a repository filter of a registry scanning rule is unknown: " + s.Detail
		}
		rule.Filters = append(rule.Filters, s.Value)
	}
	return rule, ""
}

// stringArg reads a string argument.
func (in *instance) stringArg(a *hcl.Attribute, sc *scope) model.String {
	l := attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	switch {
	case reason != "":
		return unknownString(clean(reason), l)
	case v.IsNull():
		return unknownString(fmt.Sprintf("%s = %s is null", a.Name, src), l)
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() {
		return unknownString(fmt.Sprintf("%s = %s is not a string", a.Name, src), l)
	}
	return model.String{Value: sv.AsString(), Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}
