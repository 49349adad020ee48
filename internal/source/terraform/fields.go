package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// The settings beside the endpoint, as aws_eks_cluster spells them: control plane logging, the
// authentication mode and the KMS key of secrets. The AWS provider validates them before anything is
// sent (log types and modes against EKS's enums, encryption_config with exactly one provider block and
// a key_arn), so a value it rejects is a problem and the setting is unknown.
const (
	attrLogs      = "enabled_cluster_log_types"
	attrAuthMode  = "authentication_mode"
	attrResources = "resources"
	attrKeyARN    = "key_arn"

	blockAccess     = "access_config"
	blockEncryption = "encryption_config"
	blockProvider   = "provider"

	// secretsResource is the one resource an encryption_config can name.
	secretsResource = "secrets"
)

var accessSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: attrAuthMode}}}

var encryptionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: attrResources}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: blockProvider}, {Type: "dynamic", LabelNames: []string{"type"}}},
}

var keySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: attrKeyARN}}}

// blockSet holds the blocks of one type in a resource: written out, and dynamic.
type blockSet struct{ static, dynamic []*hcl.Block }

func (b *blockSet) count() int { return len(b.static) + len(b.dynamic) }

// second is the block past the one the provider accepts, where a problem points.
func (b *blockSet) second() *hcl.Block {
	all := append(append([]*hcl.Block{}, b.static...), b.dynamic...)
	return all[1]
}

// Details of aws_eks_cluster's defaults.
const (
	noLogsUnset  = "enabled_cluster_log_types is not set: EKS's default, no control plane log type enabled"
	noLogsNull   = "EKS's default applies, no control plane log type enabled"
	noAccessMode = "access_config sets no authentication_mode: EKS's CreateCluster default"
)

func unknownString(why string, l *model.Location) model.String {
	s := model.UnknownString(why)
	s.Loc = l
	return s
}

func unknownList(why string, l *model.Location) model.Strings {
	s := model.UnknownList(why)
	s.Loc = l
	return s
}

// nullDetail says what a null value leads to: "var.x is null: ...", or "name = null: ..." when
// written as the literal.
func nullDetail(name, src, detail string) string {
	if src == "null" {
		return fmt.Sprintf("%s = null: %s", name, detail)
	}
	return fmt.Sprintf("%s is null: %s", src, detail)
}

// problemAt reports a problem on the line a range starts on.
func (s *scanner) problemAt(rng hcl.Range, code, msg string) {
	s.problem(finding.Problem{File: rng.Filename, Line: rng.Start.Line, Code: code, Message: msg})
}

func blockLoc(b *hcl.Block) *model.Location { return loc(b.DefRange.Filename, b.DefRange.Start.Line) }

// readLogs reads enabled_cluster_log_types of a resource.
func (in *instance) readLogs(r *resourceDecl, a *hcl.Attribute, sc *scope, d *declared) {
	d.logs = field{name: attrLogs, attr: a, file: r.file, block: r.block}
	in.redirect(&d.logs, sc)
	d.cluster.EnabledLogTypes = in.readLogTypes(a, sc, model.DefaultList(noLogsUnset), model.DefaultList(noLogsNull))
}

// readLogTypes reads a list of control plane log types: unset applies unset, null applies null (whose
// Detail says what null leads to), and an empty list enables none, as EKS does by default. A type
// EKS does not have is a problem, since the AWS provider rejects it.
func (in *instance) readLogTypes(a *hcl.Attribute, sc *scope, unset, null model.Strings) model.Strings {
	if a == nil {
		return unset
	}
	l := attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	if reason != "" {
		return unknownList(reason, l)
	}
	if v.IsNull() {
		null.Loc = l
		null.Detail = nullDetail(a.Name, src, null.Detail)
		return null
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() {
		in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Incorrect attribute value type: %s = %s is not a list of strings", a.Name, src))
		return unknownList(fmt.Sprintf("%s = %s is not a list of strings", a.Name, valueText(v)), l)
	}
	out := []string{}
	seen := map[string]bool{}
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Invalid value: %s contains null", a.Name))
			return unknownList(a.Name+" contains null", l)
		}
		t := e.AsString()
		if !model.IsLogType(t) {
			in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Invalid value: %s contains %q, which is not a control plane log type (api, audit, authenticator, controllerManager, scheduler); the AWS provider rejects it", a.Name, t))
			return unknownList(fmt.Sprintf("%s contains %q, which the AWS provider rejects", a.Name, t), l)
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		empty := model.DefaultList(fmt.Sprintf("%s = %s enables no control plane log type, as EKS does by default", a.Name, src))
		empty.Loc = l
		return empty
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}

// readAccess reads the authentication mode of a resource from its access_config block.
func (in *instance) readAccess(r *resourceDecl, set *blockSet, sc *scope, d *declared) {
	d.auth = field{name: attrAuthMode, label: blockAccess + "." + attrAuthMode, file: r.file, block: r.block, nest: []string{blockAccess}}
	in.readOneBlock(d.addr, blockAccess, set, sc, &d.auth, &d.cluster.AuthenticationMode,
		model.DefaultString(model.DefaultAuthenticationMode, "EKS's CreateCluster default"),
		func(b *hcl.Block, body hcl.Body, sc *scope) { in.readAccessBlock(b, body, sc, d) })
}

// readOneBlock reads a nested block the AWS provider allows at most once (access_config,
// encryption_config), written out or dynamic, into the setting dst through read. Without a block the
// setting is dflt; with more than one, or a dynamic block that gives more than one, it is unknown.
// A dynamic block is read but not edited: f's noFix says so.
func (in *instance) readOneBlock(addr, name string, set *blockSet, sc *scope, f *field, dst *model.String, dflt model.String, read func(*hcl.Block, hcl.Body, *scope)) {
	switch {
	case set.count() == 0:
		*dst = dflt
		dst.Detail = "no " + name + ": " + dflt.Detail
	case set.count() > 1:
		b := set.second()
		if len(set.static) > 1 {
			in.s.problemAt(b.DefRange, finding.ProblemInvalid, fmt.Sprintf("Too many %s blocks: %s declares more than one; the AWS provider accepts at most one", name, addr))
		}
		why := fmt.Sprintf("%s declares more than one %s block; the AWS provider accepts at most one", addr, name)
		*dst = unknownString(why, blockLoc(b))
		f.noFix = why
	case len(set.static) == 1:
		read(set.static[0], set.static[0].Body, sc)
	default:
		x := in.expandDynamic(set.dynamic[0], sc)
		switch {
		case x.why != "":
			*dst = unknownString(x.why, x.loc)
		case x.n == 0:
			*dst = dflt
			dst.Detail = fmt.Sprintf(`dynamic %q produces no block (for_each = %s is empty): %s`, name, x.src, dflt.Detail)
			dst.Loc = x.loc
		case x.n > 1:
			*dst = unknownString(fmt.Sprintf(`dynamic %q produces %d blocks (for_each = %s); the AWS provider accepts at most one`, name, x.n, x.src), x.loc)
		default:
			read(x.content, x.content.Body, x.scope)
		}
		f.noFix = fmt.Sprintf(`%s is written as a dynamic %q block; set %s in its content block or its for_each source by hand`, name, name, f.name)
	}
}

func (in *instance) readAccessBlock(b *hcl.Block, body hcl.Body, sc *scope, d *declared) {
	var a *hcl.Attribute
	if content, _, diags := body.PartialContent(accessSchema); content != nil {
		in.s.diags(diags, b.DefRange.Filename)
		a = content.Attributes[attrAuthMode]
	}
	d.auth = field{name: attrAuthMode, label: blockAccess + "." + attrAuthMode, attr: a, file: in.fileOf(b), block: b}
	in.redirect(&d.auth, sc)
	d.cluster.AuthenticationMode = in.readAuthMode(a, sc,
		model.DefaultString(model.DefaultAuthenticationMode, noAccessMode),
		model.DefaultString(model.DefaultAuthenticationMode, "EKS's CreateCluster default"))
}

// readAuthMode reads an authentication mode: unset applies unset, null applies null. A mode EKS does
// not have is a problem, since the AWS provider rejects it.
func (in *instance) readAuthMode(a *hcl.Attribute, sc *scope, unset, null model.String) model.String {
	if a == nil {
		return unset
	}
	l := attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	if reason != "" {
		return unknownString(reason, l)
	}
	if v.IsNull() {
		null.Loc = l
		null.Detail = nullDetail(a.Name, src, null.Detail)
		return null
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() {
		in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Incorrect attribute value type: %s = %s is not a string", a.Name, src))
		return unknownString(fmt.Sprintf("%s = %s is not a string", a.Name, valueText(v)), l)
	}
	mode := sv.AsString()
	if !model.IsAuthenticationMode(mode) {
		in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Invalid value: %s = %q is not an authentication mode (CONFIG_MAP, API_AND_CONFIG_MAP, API); the AWS provider rejects it", a.Name, mode))
		return unknownString(fmt.Sprintf("%s = %q, which the AWS provider rejects", a.Name, mode), l)
	}
	return model.String{Value: mode, Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}

// readEncryption reads the KMS key of secrets from a resource's encryption_config block.
func (in *instance) readEncryption(r *resourceDecl, set *blockSet, sc *scope, d *declared) {
	d.key = field{name: attrKeyARN, label: blockEncryption + "." + blockProvider + "." + attrKeyARN, file: r.file, block: r.block, nest: []string{blockEncryption, blockProvider}}
	res := &field{name: attrResources, label: blockEncryption + "." + attrResources, file: r.file, block: r.block, nest: []string{blockEncryption}}
	d.keyChanges = resourceKeyWrites(d, res)
	in.readOneBlock(d.addr, blockEncryption, set, sc, &d.key, &d.cluster.SecretsKeyARN,
		model.DefaultString("", "EKS's default encryption uses AWS-owned keys"),
		func(b *hcl.Block, body hcl.Body, sc *scope) { in.readEncryptionBlock(b, body, sc, d) })
}

// resourceKeyWrites writes a key into an encryption_config: key_arn, and resources = ["secrets"]
// unless res is nil (the block already lists secrets).
func resourceKeyWrites(d *declared, res *field) func(string) []change {
	return func(arn string) []change {
		var out []change
		if res != nil {
			v := `["` + secretsResource + `"]`
			out = append(out, change{f: res, fl: model.FieldSecretsKeyARN, hcl: v, json: v})
		}
		return append(out, change{f: &d.key, fl: model.FieldSecretsKeyARN, hcl: hclString(arn), json: jsonString(arn)})
	}
}

func (in *instance) readEncryptionBlock(b *hcl.Block, body hcl.Body, sc *scope, d *declared) {
	c := d.cluster
	content, _, diags := body.PartialContent(encryptionSchema)
	in.s.diags(diags, b.DefRange.Filename)
	if content == nil {
		content = &hcl.BodyContent{Attributes: hcl.Attributes{}}
	}
	file := in.fileOf(b)
	resAttr := content.Attributes[attrResources]
	res := &field{name: attrResources, label: blockEncryption + "." + attrResources, attr: resAttr, file: file, block: b}
	in.redirect(res, sc)
	why, whyLoc := in.readResources(b, resAttr, sc)
	if why == "" {
		res = nil // secrets are listed: a fix writes the key alone
	}
	d.keyChanges = resourceKeyWrites(d, res)
	var provs, dyn []*hcl.Block
	for _, pb := range content.Blocks {
		switch {
		case pb.Type == blockProvider:
			provs = append(provs, pb)
		case pb.Type == "dynamic" && pb.Labels[0] == blockProvider:
			dyn = append(dyn, pb)
		}
	}
	d.key = field{name: attrKeyARN, label: blockEncryption + "." + blockProvider + "." + attrKeyARN, file: file, block: b, nest: []string{blockProvider}}
	var key model.String
	switch {
	case len(provs)+len(dyn) == 0:
		in.s.problemAt(b.DefRange, finding.ProblemInvalid, fmt.Sprintf("Insufficient provider blocks: the encryption_config of %s has no provider block with key_arn, which the AWS provider requires", d.addr))
		key = unknownString("encryption_config has no provider block, and Terraform rejects the configuration", blockLoc(b))
	case len(provs)+len(dyn) > 1:
		all := append(append([]*hcl.Block{}, provs...), dyn...)
		if len(provs) > 1 {
			in.s.problemAt(all[1].DefRange, finding.ProblemInvalid, fmt.Sprintf("Too many provider blocks: the encryption_config of %s has more than one; the AWS provider accepts one", d.addr))
		}
		key = unknownString("encryption_config has more than one provider block; the AWS provider accepts one", blockLoc(all[1]))
		d.key.noFix = key.Detail
	case len(provs) == 1:
		key = in.readKeyBlock(provs[0], provs[0].Body, sc, d)
	default:
		x := in.expandDynamic(dyn[0], sc)
		switch {
		case x.why != "":
			key = unknownString(x.why, x.loc)
		case x.n != 1:
			key = unknownString(fmt.Sprintf(`dynamic "provider" produces %d blocks (for_each = %s); the AWS provider requires exactly one`, x.n, x.src), x.loc)
		default:
			key = in.readKeyBlock(x.content, x.content.Body, x.scope, d)
		}
		d.key.noFix = `the provider of encryption_config is written as a dynamic "provider" block; set key_arn in its content block by hand`
	}
	if why != "" {
		c.SecretsKeyARN = unknownString(why, whyLoc)
		return
	}
	c.SecretsKeyARN = key
}

// readResources checks that an encryption_config lists secrets, the one resource EKS encrypts; why
// says what is wrong or unknown otherwise.
func (in *instance) readResources(b *hcl.Block, a *hcl.Attribute, sc *scope) (why string, l *model.Location) {
	if a == nil {
		in.s.problemAt(b.DefRange, finding.ProblemInvalid, `Missing required argument: encryption_config has no resources; the AWS provider requires them (resources = ["secrets"])`)
		return "encryption_config has no resources, and Terraform rejects the configuration", blockLoc(b)
	}
	l = attrLoc(a)
	v, reason := in.eval(a.Expr, sc)
	src := in.exprText(a.Expr)
	if reason != "" {
		return reason, l
	}
	if v.IsNull() {
		return fmt.Sprintf("resources = %s is null; the AWS provider requires the resources to encrypt", src), l
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() {
		in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Incorrect attribute value type: resources = %s is not a list of strings", src))
		return fmt.Sprintf("resources = %s is not a list of strings", valueText(v)), l
	}
	secrets := false
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.AsString() != secretsResource {
			in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf(`Invalid value: encryption_config resources = %s; "secrets" is the only resource EKS encrypts, and the AWS provider rejects anything else`, src))
			return fmt.Sprintf("encryption_config resources = %s, which the AWS provider rejects", valueText(v)), l
		}
		secrets = true
	}
	if !secrets {
		return fmt.Sprintf(`resources = %s lists nothing to encrypt; EKS takes ["secrets"]`, src), l
	}
	return "", l
}

func (in *instance) readKeyBlock(b *hcl.Block, body hcl.Body, sc *scope, d *declared) model.String {
	var a *hcl.Attribute
	if content, _, diags := body.PartialContent(keySchema); content != nil {
		in.s.diags(diags, b.DefRange.Filename)
		a = content.Attributes[attrKeyARN]
	}
	d.key = field{name: attrKeyARN, label: blockEncryption + "." + blockProvider + "." + attrKeyARN, attr: a, file: in.fileOf(b), block: b}
	in.redirect(&d.key, sc)
	if a == nil {
		in.s.problemAt(b.DefRange, finding.ProblemInvalid, "Missing required argument: the provider block of encryption_config has no key_arn, which the AWS provider requires")
		return unknownString("the provider block of encryption_config has no key_arn, and Terraform rejects the configuration", blockLoc(b))
	}
	return in.readKeyARN(a, sc)
}

// readKeyARN reads a key_arn. One known only after apply (aws_kms_key.eks.arn, a data source, a module
// output) still names a key, and is taken as set: its value is the expression.
func (in *instance) readKeyARN(a *hcl.Attribute, sc *scope) model.String {
	l := attrLoc(a)
	e := in.evaluate(a.Expr, sc)
	src := in.exprText(a.Expr)
	switch {
	case e.reason != "" && e.afterApply:
		if w, ok := in.s.native(a.Expr).(*hclsyntax.TemplateWrapExpr); ok {
			src = in.exprText(w.Wrapped) // "${aws_kms_key.eks.arn}" in .tf.json
		}
		return model.String{Value: src, Origin: model.OriginExplicit, Loc: l,
			Detail: fmt.Sprintf("key_arn = %s is known only after apply (%s); it names a key either way", src, e.reason)}
	case e.reason != "":
		return unknownString(e.reason, l)
	case e.v.IsNull():
		return unknownString(fmt.Sprintf("key_arn = %s is null: the AWS provider requires a key, and Terraform rejects the configuration", src), l)
	}
	sv, err := convert.Convert(e.v, cty.String)
	if err != nil || sv.IsNull() {
		in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Incorrect attribute value type: key_arn = %s is not a string", src))
		return unknownString(fmt.Sprintf("key_arn = %s is not a string", valueText(e.v)), l)
	}
	if sv.AsString() == "" {
		return unknownString(fmt.Sprintf("key_arn = %s is empty: EKS rejects an encryption_config without a key ARN", src), l)
	}
	return model.String{Value: sv.AsString(), Origin: model.OriginExplicit, Loc: l, Detail: in.via(a.Expr, sc)}
}
