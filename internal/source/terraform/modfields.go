package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// What terraform-aws-modules/eks does with control plane logging, the authentication mode and the
// encryption of secrets, release by release. Every fact here was read from the module's own
// variables.tf and main.tf (cluster.tf before 17.19.0) at its release tags; docs/iac-terraform.md
// cites them.
//
//   - Logs: cluster_enabled_log_types (enabled_log_types from v21) goes to enabled_cluster_log_types
//     unchanged. Its default is [] in v17 and ["audit", "api", "authenticator"] from 18.0.0. v17 also
//     counts it with length() for its log group, so null fails there; later releases pass null on.
//   - Authentication mode: authentication_mode exists from 20.0.0 (default API_AND_CONFIG_MAP) and is
//     written into access_config; earlier releases send no access_config, so EKS's CreateCluster
//     default (CONFIG_MAP) applies.
//   - Secrets: v17 and v18 take cluster_encryption_config as a list of {provider_key_arn, resources},
//     default [], one encryption_config per entry. create_kms_key exists from 18.25.0 (default false
//     there, true from 19.0.0): when true the module's own KMS key replaces provider_key_arn. v19 and
//     v20 take one object, default {resources = ["secrets"]}, used when length() of it is above 0.
//     v21 renames it encryption_config, typed object({provider_key_arn = optional(string), resources
//     = optional(list(string), ["secrets"])}) with default {}; 21.0.0-21.0.3 test length() (so null
//     fails) and 21.0.2-21.0.3 dropped the default of resources; from 21.0.4 null turns encryption off.
//     From v19 a local cluster on Outposts (outpost_config set) gets no encryption_config.

const (
	argAuthMode  = "authentication_mode"
	argCreateKMS = "create_kms_key"
	argOutpost   = "outpost_config"
	argKeyARN    = "provider_key_arn"
)

// hasAuthMode reports whether the release has an authentication_mode argument.
func (r eksRelease) hasAuthMode() bool { return r.major >= 20 }

// hasCreateKMS reports whether the release has create_kms_key.
func (r eksRelease) hasCreateKMS() bool { return r.major >= 19 || r.major == 18 && r.minor >= 25 }

// encLength reports whether the release tests its encryption argument with length(), which fails on
// null (v19, v20 and 21.0.0-21.0.3); 21.0.4 and later test it against null.
func (r eksRelease) encLength() bool {
	return r.major == 19 || r.major == 20 || r.major == 21 && r.minor == 0 && r.patch < 4
}

// resourcesDefault reports whether resources left out of the encryption object default to
// ["secrets"] (v21 but 21.0.2-21.0.3).
func (r eksRelease) resourcesDefault() bool {
	return r.major >= 21 && !(r.minor == 0 && (r.patch == 2 || r.patch == 3))
}

// readEKSFields reads the module arguments for logging, the authentication mode and secrets
// encryption. field builds where an argument is written.
func (in *instance) readEKSFields(c *callDecl, rel eksRelease, verr string, args eksArgs, sc *scope, d *declared, field func(string) field) {
	known := verr == ""
	label := fmt.Sprintf("terraform-aws-modules/eks v%d default (%s)", rel.major, rel.what)
	in.readEKSLogs(c, rel, verr, args, sc, d, field, label)
	in.readEKSAuth(c, rel, verr, sc, d, field, label)
	if !known {
		ea := c.attrs[args.enc]
		d.key = field(args.enc)
		d.key.noFix = verr
		l := d.cluster.Loc
		if ea != nil {
			l = attrLoc(ea)
		}
		d.cluster.SecretsKeyARN = unknownString(fmt.Sprintf("what %s and %s give depends on the module version (v19 and later create a KMS key by default): %s", args.enc, argCreateKMS, verr), l)
		return
	}
	in.readEKSEncryption(c, rel, args, sc, d, field, label)
}

func (in *instance) readEKSLogs(c *callDecl, rel eksRelease, verr string, args eksArgs, sc *scope, d *declared, field func(string) field, label string) {
	d.logs = field(args.logs)
	var unset, null model.Strings
	switch {
	case verr != "":
		unset = model.UnknownList(fmt.Sprintf("%s is not set and its default changed between module versions (v17 none; v18 and later audit, api and authenticator): %s", args.logs, verr))
		null = model.UnknownList("what null gives depends on the module version (v17 rejects it): " + verr)
		if d.logs.attr == nil {
			d.logs.noFix = verr
		}
	case rel.major == 17:
		unset = model.DefaultList(label + ": no control plane log type enabled")
		null = model.UnknownList("terraform-aws-modules/eks v17 counts it with length(), which Terraform rejects for null")
	default:
		unset = model.DefaultList(label, model.LogAudit, model.LogAPI, model.LogAuthenticator)
		null = model.DefaultList("null passes through the module to aws_eks_cluster: EKS's default, no control plane log type enabled")
	}
	d.cluster.EnabledLogTypes = in.readLogTypes(d.logs.attr, sc, unset, null)
}

func (in *instance) readEKSAuth(c *callDecl, rel eksRelease, verr string, sc *scope, d *declared, field func(string) field, label string) {
	a := c.attrs[argAuthMode]
	cl := d.cluster
	if verr == "" && !rel.hasAuthMode() {
		d.auth = field(argAuthMode)
		d.auth.noFix = fmt.Sprintf("terraform-aws-modules/eks v%d (%s) has no authentication_mode argument: v20 added it, so the authentication mode can be set only after upgrading the module to v20 or later", rel.major, rel.what)
		if a != nil {
			in.s.problemAt(a.Range, finding.ProblemInvalid, fmt.Sprintf("Unsupported argument: terraform-aws-modules/eks v%d (%s) has no argument %q; v20 added it", rel.major, rel.what, argAuthMode))
			cl.AuthenticationMode = unknownString(fmt.Sprintf("module.%s sets %s, which terraform-aws-modules/eks v%d (%s) does not accept, so Terraform rejects the configuration", c.name, argAuthMode, rel.major, rel.what), attrLoc(a))
			return
		}
		cl.AuthenticationMode = model.DefaultString(model.DefaultAuthenticationMode, fmt.Sprintf("terraform-aws-modules/eks v%d (%s) sends no access_config: EKS's CreateCluster default", rel.major, rel.what))
		return
	}
	d.auth = field(argAuthMode)
	unset := model.DefaultString(model.AuthAPIAndConfigMap, label)
	if verr != "" {
		unset = model.UnknownString("authentication_mode is not set and its default changed between module versions (v17-v19 send none, so CONFIG_MAP; v20 and later API_AND_CONFIG_MAP): " + verr)
		if a == nil {
			d.auth.noFix = verr
		}
	}
	null := model.DefaultString(model.DefaultAuthenticationMode, "null passes through the module to aws_eks_cluster: EKS's CreateCluster default")
	cl.AuthenticationMode = in.readAuthMode(a, sc, unset, null)
}

// readEKSEncryption reads which KMS key the module gives secrets.
func (in *instance) readEKSEncryption(c *callDecl, rel eksRelease, args eksArgs, sc *scope, d *declared, field func(string) field, label string) {
	cl := d.cluster
	ea, ka := c.attrs[args.enc], c.attrs[argCreateKMS]
	d.key = field(args.enc)
	kms := field(argCreateKMS)
	createKey := rel.major >= 19
	d.keyChanges = func(arn string) []change {
		out := []change{{f: &d.key, fl: model.FieldSecretsKeyARN, hcl: moduleKeyHCL(rel, arn), json: moduleKeyJSON(rel, arn)}}
		if createKey {
			// The module's own key wins over provider_key_arn.
			out = append(out, change{f: &kms, fl: model.FieldSecretsKeyARN, hcl: "false", json: "false"})
		}
		return out
	}
	encLoc := cl.Loc
	if ea != nil {
		encLoc = attrLoc(ea)
	}
	unknown := func(why string, l *model.Location) { cl.SecretsKeyARN = unknownString(why, l) }
	if ka != nil && !rel.hasCreateKMS() {
		in.s.problemAt(ka.Range, finding.ProblemInvalid, fmt.Sprintf("Unsupported argument: terraform-aws-modules/eks v%d (%s) has no argument %q; 18.25.0 added it", rel.major, rel.what, argCreateKMS))
		unknown(fmt.Sprintf("module.%s sets %s, which terraform-aws-modules/eks %d.%d (%s) does not accept, so Terraform rejects the configuration", c.name, argCreateKMS, rel.major, rel.minor, rel.what), attrLoc(ka))
		return
	}
	if oa := c.attrs[argOutpost]; oa != nil && rel.major >= 19 {
		v, reason := in.eval(oa.Expr, sc)
		outposts := false
		switch {
		case reason != "":
			unknown(fmt.Sprintf("whether this is a local cluster on Outposts, which the module gives no encryption_config, is unknown: %s", reason), attrLoc(oa))
			return
		case v.IsNull():
		case rel.major >= 21:
			outposts = true
		case v.CanIterateElements():
			outposts = v.LengthInt() > 0
		}
		if outposts {
			cl.SecretsKeyARN = model.String{Value: "", Origin: model.OriginExplicit, Loc: attrLoc(oa),
				Detail: "outpost_config is set: terraform-aws-modules/eks gives a local cluster on Outposts no encryption_config"}
			d.key.noFix = "a local cluster on Outposts cannot encrypt secrets with a KMS key: the module and the AWS provider refuse encryption_config beside outpost_config"
			return
		}
	}
	kmsLoc := (*model.Location)(nil)
	if ka != nil {
		v, reason := in.eval(ka.Expr, sc)
		src := in.exprText(ka.Expr)
		if reason != "" {
			unknown(reason, attrLoc(ka))
			return
		}
		if v.IsNull() {
			unknown(fmt.Sprintf("%s = %s is null: the module's conditional on it fails, and Terraform rejects the configuration", argCreateKMS, src), attrLoc(ka))
			return
		}
		bv, err := convert.Convert(v, cty.Bool)
		if err != nil || bv.IsNull() {
			in.s.problemAt(ka.Range, finding.ProblemInvalid, fmt.Sprintf("Incorrect attribute value type: %s = %s is not a bool", argCreateKMS, src))
			unknown(fmt.Sprintf("%s = %s is not a bool", argCreateKMS, valueText(v)), attrLoc(ka))
			return
		}
		createKey, kmsLoc = bv.True(), attrLoc(ka)
	}

	// The value of the encryption argument, its default when unset.
	var val cty.Value
	after, reason := false, ""
	if ea == nil {
		switch {
		case rel.major <= 18:
			val = cty.EmptyTupleVal
		case rel.major <= 20:
			val = cty.ObjectVal(map[string]cty.Value{attrResources: cty.TupleVal([]cty.Value{cty.StringVal(secretsResource)})})
		default:
			val = cty.EmptyObjectVal
		}
	} else {
		e := in.evaluate(ea.Expr, sc)
		if !e.v.IsKnown() {
			unknown(e.reason, encLoc)
			return
		}
		val, after, reason = e.v, e.afterApply, e.reason
	}
	how := label
	if ea != nil {
		how = fmt.Sprintf("%s = %s", args.enc, in.exprText(ea.Expr))
	}
	none := func(detail string) {
		s := model.String{Value: "", Origin: model.OriginExplicit, Loc: encLoc, Detail: how + ": " + detail}
		if ea == nil {
			s = model.DefaultString("", how+": "+detail)
		}
		cl.SecretsKeyARN = s
	}
	var entry cty.Value
	switch {
	case val.IsNull() && rel.major >= 21 && !rel.encLength():
		none("the module sends no encryption_config, and EKS's default encryption uses AWS-owned keys")
		return
	case val.IsNull():
		unknown(fmt.Sprintf("%s is null, which terraform-aws-modules/eks v%d (%s) cannot take (it calls length() or toset() on it), and Terraform rejects the configuration", args.enc, rel.major, rel.what), encLoc)
		return
	case rel.major <= 18:
		ty := val.Type()
		if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
			unknown(fmt.Sprintf("%s is not a list, which terraform-aws-modules/eks v%d expects", args.enc, rel.major), encLoc)
			return
		}
		var entries []cty.Value
		for it := val.ElementIterator(); it.Next(); {
			_, e := it.Element()
			dup := false
			for _, x := range entries {
				if x.RawEquals(e) {
					dup = true // the module makes a set of the entries
				}
			}
			if !dup {
				entries = append(entries, e)
			}
		}
		switch len(entries) {
		case 0:
			none("the module sends no encryption_config, and EKS's default encryption uses AWS-owned keys")
			return
		case 1:
			entry = entries[0]
		default:
			in.s.problemAt(ea.Range, finding.ProblemInvalid, fmt.Sprintf("Too many encryption_config blocks: %s has %d entries, and the AWS provider accepts one encryption_config", args.enc, len(entries)))
			unknown(fmt.Sprintf("%s has %d entries; the AWS provider accepts one encryption_config", args.enc, len(entries)), encLoc)
			return
		}
	default:
		ty := val.Type()
		if !(ty.IsObjectType() || ty.IsMapType()) {
			unknown(fmt.Sprintf("%s is not an object, which terraform-aws-modules/eks v%d expects", args.enc, rel.major), encLoc)
			return
		}
		if rel.major <= 20 && val.LengthInt() == 0 {
			none("an empty object turns encryption off, and EKS's default encryption uses AWS-owned keys")
			return
		}
		entry = val
	}
	if !entry.IsKnown() || entry.IsNull() || !(entry.Type().IsObjectType() || entry.Type().IsMapType()) {
		unknown(fmt.Sprintf("the entry of %s is not an object with resources and %s%s", args.enc, argKeyARN, because(reason)), encLoc)
		return
	}

	res, ok := member(entry, attrResources)
	if (!ok || res.IsNull()) && rel.resourcesDefault() {
		res, ok = cty.TupleVal([]cty.Value{cty.StringVal(secretsResource)}), true
	}
	if !ok || res.IsNull() {
		unknown(fmt.Sprintf("%s sets no resources, which the module passes to aws_eks_cluster, and Terraform rejects the configuration", args.enc), encLoc)
		return
	}
	if !res.IsWhollyKnown() {
		unknown(fmt.Sprintf("the resources of %s are unknown%s", args.enc, because(reason)), encLoc)
		return
	}
	if why := in.secretsOnly(res, args.enc, ea); why != "" {
		unknown(why, encLoc)
		return
	}

	if createKey {
		created := fmt.Sprintf("(the KMS key %s creates)", strings.TrimSuffix(d.addr, ".aws_eks_cluster.this[0]"))
		detail := "create_kms_key is true: the module creates a KMS key and encrypts secrets with it"
		switch {
		case ka == nil && ea == nil:
			cl.SecretsKeyARN = model.DefaultString(created, label+": the module creates a KMS key and encrypts secrets with it")
		case ka == nil:
			cl.SecretsKeyARN = model.String{Value: created, Origin: model.OriginExplicit, Loc: encLoc, Detail: "create_kms_key defaults to true (" + label + "): the module creates a KMS key and encrypts secrets with it"}
		default:
			cl.SecretsKeyARN = model.String{Value: created, Origin: model.OriginExplicit, Loc: kmsLoc, Detail: detail}
		}
		return
	}
	key, ok := member(entry, argKeyARN)
	switch {
	case !ok || key.IsKnown() && key.IsNull():
		unknown(fmt.Sprintf("%s has no %s and create_kms_key is false: the module has no key to give encryption_config, and Terraform rejects the configuration", args.enc, argKeyARN), encLoc)
	case !key.IsKnown() && after:
		src := keyExprText(in, ea)
		cl.SecretsKeyARN = model.String{Value: src, Origin: model.OriginExplicit, Loc: encLoc,
			Detail: fmt.Sprintf("%s = %s is known only after apply (%s); it names a key either way", argKeyARN, src, reason)}
	case !key.IsKnown():
		unknown(fmt.Sprintf("the %s of %s is unknown%s", argKeyARN, args.enc, because(reason)), encLoc)
	case key.Type() != cty.String:
		unknown(fmt.Sprintf("the %s of %s is %s, not a string", argKeyARN, args.enc, valueText(key)), encLoc)
	case key.AsString() == "":
		unknown(fmt.Sprintf("the %s of %s is empty: EKS rejects an encryption_config without a key ARN", argKeyARN, args.enc), encLoc)
	default:
		s := model.String{Value: key.AsString(), Origin: model.OriginExplicit, Loc: encLoc}
		if ea != nil {
			s.Detail = in.via(ea.Expr, sc)
		}
		cl.SecretsKeyARN = s
	}
}

// secretsOnly checks that a module's resources list secrets and nothing else; it says why not.
func (in *instance) secretsOnly(res cty.Value, arg string, ea *hcl.Attribute) string {
	lv, err := convert.Convert(res, cty.List(cty.String))
	if err != nil || lv.IsNull() {
		return fmt.Sprintf("the resources of %s are %s, not a list of strings", arg, valueText(res))
	}
	secrets := false
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.AsString() != secretsResource {
			if ea != nil {
				in.s.problemAt(ea.Range, finding.ProblemInvalid, fmt.Sprintf(`Invalid value: the resources of %s are %s; "secrets" is the only resource EKS encrypts, and the AWS provider rejects anything else`, arg, valueText(res)))
			}
			return fmt.Sprintf("the resources of %s are %s, which the AWS provider rejects", arg, valueText(res))
		}
		secrets = true
	}
	if !secrets {
		return fmt.Sprintf(`the resources of %s list nothing to encrypt; EKS takes ["secrets"]`, arg)
	}
	return ""
}

// member reads an attribute of an object or a key of a map.
func member(v cty.Value, name string) (cty.Value, bool) {
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		if !ty.HasAttribute(name) {
			return cty.NilVal, false
		}
		return v.GetAttr(name), true
	case ty.IsMapType():
		k := cty.StringVal(name)
		if !v.HasIndex(k).True() {
			return cty.NilVal, false
		}
		return v.Index(k), true
	}
	return cty.NilVal, false
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return " (" + reason + ")"
}

// keyExprText is the expression that gives provider_key_arn in a module's encryption argument: the
// item itself when the argument is written as an object (in a list, for v17 and v18), else the
// argument's expression.
func keyExprText(in *instance, ea *hcl.Attribute) string {
	expr := in.s.native(ea.Expr)
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok && len(t.Exprs) == 1 {
		expr = t.Exprs[0]
	}
	if o, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range o.Items {
			if hcl.ExprAsKeyword(item.KeyExpr) == argKeyARN {
				return in.exprText(item.ValueExpr)
			}
			if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() && k.AsString() == argKeyARN {
				return in.exprText(item.ValueExpr)
			}
		}
	}
	return argKeyARN + " of " + in.exprText(ea.Expr)
}

// moduleKeyHCL and moduleKeyJSON write a key as the module's encryption argument takes it: a list of
// one entry in v17 and v18, one object later.
func moduleKeyHCL(rel eksRelease, arn string) string {
	obj := "{ " + argKeyARN + " = " + hclString(arn) + `, resources = ["` + secretsResource + `"] }`
	if rel.major <= 18 {
		return "[" + obj + "]"
	}
	return obj
}

func moduleKeyJSON(rel eksRelease, arn string) string {
	obj := `{"` + argKeyARN + `": ` + jsonString(arn) + `, "resources": ["` + secretsResource + `"]}`
	if rel.major <= 18 {
		return "[" + obj + "]"
	}
	return obj
}
