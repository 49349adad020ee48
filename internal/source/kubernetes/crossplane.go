package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Crossplane's EKS clusters, read from their managed resources: the Upbound provider's Cluster
// (crossplane-contrib/provider-upjet-aws v2.6.0), which is the Terraform AWS provider's aws_eks_cluster
// (v6.34.0) behind a CRD, and the classic provider's Cluster (crossplane-contrib/provider-aws
// v0.58.0), whose spec.forProvider is converted into CreateCluster by pkg/clients/eks/eks.go
// GenerateCreateClusterInput. docs/iac-kubernetes.md cites the lines.
//
// The Upbound provider merges spec.initProvider into spec.forProvider when it creates the resource,
// keeping what forProvider already has (GetMergedParameters, mergo without overwrite), so a setting
// is read from forProvider first and from initProvider when forProvider leaves it out.
const (
	groupUpbound   = "eks.aws.upbound.io"
	groupUpboundNS = "eks.aws.m.upbound.io"
	groupClassic   = "eks.aws.crossplane.io"
	// KindComposition is Crossplane's Composition, whose resources may be EKS clusters.
	KindComposition  = "Composition"
	groupComposition = "apiextensions.crossplane.io"
	// groupPT is function-patch-and-transform's input, the resources of a Pipeline step.
	groupPT = "pt.fn.crossplane.io"
)

// xpObject is what a Crossplane managed resource adds to an object: where the provider reads it,
// and, inside a Composition, the patches that write its fields when the composite is rendered.
type xpObject struct {
	// blocks is set for eks.aws.upbound.io/v1beta1, where vpcConfig, accessConfig, encryptionConfig
	// and its provider are lists of one object (Terraform's blocks); later versions make them objects.
	blocks bool
	// params are the mappings below spec that hold the parameters, in the order that wins.
	params []string
	// in names the Composition entry ("Composition xeks resource cluster"); "" for a lone object.
	in      string
	patches []xpPatch
}

// xpPatch is a patch of a Composition entry that writes to the composed resource.
type xpPatch struct {
	to   []string   // toFieldPath, without list indexes
	what string     // how the patch is named to the user
	node *yaml.Node // the toFieldPath (or fromFieldPath) value, for its line
}

// upboundBlocks are the Terraform blocks eks.aws.upbound.io/v1beta1 spells as lists of one.
var upboundBlocks = map[string]bool{
	"vpcConfig": true, "accessConfig": true, "encryptionConfig": true, "provider": true,
	"kubernetesNetworkConfig": true, "outpostConfig": true,
}

// classicModes are the values the classic provider's CRD allows for the authentication mode; the
// Terraform AWS provider behind the Upbound Cluster validates the same enum.
var classicModes = []string{model.AuthAPI, model.AuthAPIAndConfigMap, model.AuthConfigMap}

func isCrossplaneCluster(group string) bool {
	return group == groupUpbound || group == groupUpboundNS || group == groupClassic
}

func newXP(group, version string) *xpObject {
	x := &xpObject{params: []string{"forProvider", "initProvider"}}
	switch {
	case group == groupClassic:
		x.params = []string{"forProvider"} // the classic CRD has no initProvider
	case group == groupUpbound && version == "v1beta1":
		x.blocks = true
	}
	return x
}

// patchOn finds the first patch writing p (segments below the composed resource's root), a field
// below it or one above it: each makes p's value depend on the composite.
func (x *xpObject) patchOn(p []string) *xpPatch {
	for i := range x.patches {
		to := x.patches[i].to
		n := min(len(to), len(p))
		if n > 0 && slices.Equal(to[:n], p[:n]) {
			return &x.patches[i]
		}
	}
	return nil
}

// xpField is one setting as found: its key and value (nil when left out), where it is as a path, and
// why it cannot be known when a patch writes it or its shape is wrong.
type xpField struct {
	key, val *yaml.Node
	at       string
	why      string
}

func (f xpField) absent() bool {
	v := yamledit.Deref(f.val)
	return f.why == "" && (isNull(v) || v.Kind == yaml.SequenceNode && len(v.Content) == 0)
}

// lookup finds the parameter rel (below forProvider or initProvider), forProvider first.
func (o *object) lookup(rel ...string) xpField {
	for _, params := range o.xp.params {
		at := "spec." + params + "." + strings.Join(rel, ".")
		if p := o.xp.patchOn(append([]string{"spec", params}, rel...)); p != nil {
			return xpField{key: p.node, at: at, why: fmt.Sprintf("%s is written by %s when the composite is rendered", at, p.what)}
		}
		if f := o.walk(params, rel); !f.absent() {
			return f
		}
	}
	return xpField{at: "spec." + o.xp.params[0] + "." + strings.Join(rel, ".")}
}

// walk follows rel below spec.<params>, through v1beta1's lists of one.
func (o *object) walk(params string, rel []string) xpField {
	n, at := get(o.root, "spec", params), "spec."+params
	var key *yaml.Node
	for i, seg := range rel {
		n = yamledit.Deref(n)
		if isNull(n) {
			return xpField{at: at}
		}
		if n.Kind != yaml.MappingNode {
			return xpField{key: key, at: at, why: at + " is not a mapping"}
		}
		key, n = yamledit.Lookup(n, seg)
		at += "." + seg
		if key == nil {
			return xpField{at: at}
		}
		n = yamledit.Deref(n)
		if i == len(rel)-1 || !upboundBlocks[seg] || isNull(n) || o.group == groupClassic {
			continue
		}
		switch {
		case o.xp.blocks && n.Kind == yaml.SequenceNode:
			if len(n.Content) == 0 {
				return xpField{key: key, at: at}
			}
			n, at = n.Content[0], at+"[0]"
		case o.xp.blocks && n.Kind == yaml.MappingNode:
			return xpField{key: key, at: at, why: fmt.Sprintf("%s is a mapping, but %s/v1beta1 spells it as a list of one", at, o.group)}
		case !o.xp.blocks && n.Kind == yaml.SequenceNode:
			return xpField{key: key, at: at, why: fmt.Sprintf("%s is a list, but %s/%s spells it as a mapping (the list of one is v1beta1's)", at, o.group, o.version)}
		}
	}
	return xpField{key: key, val: n, at: at}
}

// The defaults, said once: what the provider sends to CreateCluster when a setting is left out.
const (
	upboundDefault = "EKS default: the Upbound provider (Terraform's aws_eks_cluster) sends none"
	classicDefault = "EKS default: the classic Crossplane provider sends none"
)

func (o *object) readCrossplane() {
	cl := o.cluster
	if o.xp.in != "" {
		cl.Notes = append(cl.Notes, "declared in "+o.xp.in)
	}
	if v, _, why := text(o.lookup("region").val, "region"); why == "" {
		cl.Region = v
	}
	if v, _, why := text(o.lookup("version").val, "version"); why == "" {
		cl.Version = v
	}
	if strings.EqualFold(str(o.lookup("kubernetesNetworkConfig", "ipFamily").val), "ipv6") {
		cl.IPFamily = "ipv6"
	}
	vpc, def := "vpcConfig", upboundDefault
	if o.group == groupClassic {
		vpc, def = "resourcesVpcConfig", classicDefault
	}
	if f := o.lookup(vpc); f.absent() && o.xp.in == "" {
		o.problem(getKey(o.root, "kind"), "spec.forProvider.%s is missing; the CRD requires it", vpc)
	}
	pub, priv := model.Default(true, def+" ("+vpc+".endpointPublicAccess)"), model.Default(false, def+" ("+vpc+".endpointPrivateAccess)")
	if o.group != groupClassic && !o.lookup("outpostConfig").absent() {
		// The classic provider does not send outpostConfig to CreateCluster; Terraform does.
		cl.Outpost = true
		why := "left out on a local cluster on Outposts (outpostConfig), where eksguard does not know EKS's default"
		pub, priv = model.Unknown(why), model.Unknown(why)
	}
	cl.EndpointPublicAccess = o.xpBool(o.lookup(vpc, "endpointPublicAccess"), pub)
	cl.EndpointPrivateAccess = o.xpBool(o.lookup(vpc, "endpointPrivateAccess"), priv)
	cl.PublicAccessCIDRs = o.xpCIDRs(o.lookup(vpc, "publicAccessCidrs"))
	if o.group == groupClassic {
		cl.EnabledLogTypes = o.classicLogging()
		cl.SecretsKeyARN = o.classicSecretsKey()
	} else {
		cl.EnabledLogTypes = o.upboundLogging()
		cl.SecretsKeyARN = o.upboundSecretsKey()
	}
	cl.AuthenticationMode = o.xpAuthMode(def)
}

func (o *object) xpBool(f xpField, def model.Bool) model.Bool {
	if f.why != "" {
		return model.Bool{Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: f.why}
	}
	val, present, ok, why := boolValue(f.val, f.at)
	switch {
	case !ok:
		return model.Bool{Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: why}
	case !present:
		def.Loc = o.loc(f.key)
		return def
	}
	return model.Bool{Value: val, Origin: model.OriginExplicit, Loc: o.loc(f.key)}
}

// xpCIDRs reads the allowlist: Terraform and the classic provider send it only with entries.
func (o *object) xpCIDRs(f xpField) model.Strings {
	def := []string{"0.0.0.0/0"}
	if o.cluster.IPFamily == "ipv6" {
		def = append(def, "::/0")
	}
	if f.why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: f.why}
	}
	if f.absent() {
		return model.Strings{Values: def, Origin: model.OriginDefault, Loc: o.loc(f.key), Detail: "EKS default: " + f.at + " left out or empty, so none is sent"}
	}
	out, why := stringList(f.val, f.at)
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: why}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: o.loc(f.key)}
}

// upboundLogging reads enabledClusterLogTypes, a set of EKS's log type names.
func (o *object) upboundLogging() model.Strings {
	f := o.lookup("enabledClusterLogTypes")
	switch {
	case f.why != "":
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: f.why}
	case isNull(yamledit.Deref(f.val)):
		l := model.DefaultList(upboundDefault + ": no enabledClusterLogTypes, so EKS enables no control plane logs")
		l.Loc = o.loc(f.key)
		return l
	}
	types, why := stringList(f.val, f.at)
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: why}
	}
	out := []string{}
	for _, t := range types {
		if !model.IsLogType(t) {
			return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key),
				Detail: fmt.Sprintf("%s lists %q, which is not an EKS log type (%s), so the provider rejects it", f.at, t, strings.Join(model.LogTypes, ", "))}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: o.loc(f.key)}
}

// classicLogging reads logging.clusterLogging, shaped as ACK's and CreateCluster's.
func (o *object) classicLogging() model.Strings {
	f := o.lookup("logging", "clusterLogging")
	if f.why == "" && isNull(yamledit.Deref(f.val)) {
		l := model.DefaultList(classicDefault + ": no logging.clusterLogging, so EKS enables no control plane logs")
		l.Loc = o.loc(firstNode(f.key, o.lookup("logging").key))
		return l
	}
	if f.why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: f.why}
	}
	out, at, why := logSetups(f.val, f.at)
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(firstNode(at, f.key)), Detail: why}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: o.loc(f.key)}
}

// logSetups reads a list of CreateCluster LogSetups ({enabled, types}): the types of every enabled
// entry, or why they cannot be known and the node that says so.
func logSetups(n *yaml.Node, field string) ([]string, *yaml.Node, string) {
	n = yamledit.Deref(n)
	if n.Kind != yaml.SequenceNode {
		_, why := stringList(n, field) // says why: a placeholder, or not a list
		return nil, nil, why
	}
	out := []string{}
	for i, e := range n.Content {
		entry := fmt.Sprintf("%s[%d]", field, i)
		e = yamledit.Deref(e)
		if e == nil || e.Kind != yaml.MappingNode {
			return nil, e, entry + " is not a mapping"
		}
		enabled, present, ok, why := boolValue(get(e, "enabled"), entry+".enabled")
		switch {
		case !ok:
			return nil, getKey(e, "enabled"), why
		case !present:
			return nil, e, entry + " has no enabled"
		}
		var types []string
		if t := get(e, "types"); !isNull(t) {
			if types, why = stringList(t, entry+".types"); why != "" {
				return nil, getKey(e, "types"), why
			}
		}
		for _, t := range types {
			if !model.IsLogType(t) {
				return nil, getKey(e, "types"), fmt.Sprintf("%s.types lists %q, which is not an EKS log type (%s), so EKS rejects the request",
					entry, t, strings.Join(model.LogTypes, ", "))
			}
			if enabled && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil, ""
}

// xpAuthMode reads accessConfig.authenticationMode, spelt as EKS spells it. The classic provider
// sets it with UpdateClusterConfig once the cluster exists (CreateCluster gets none), so the
// cluster has it soon after creation either way.
func (o *object) xpAuthMode(def string) model.String {
	f := o.lookup("accessConfig", "authenticationMode")
	if f.why != "" {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: f.why}
	}
	val, present, why := text(f.val, f.at)
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: why}
	case !present || val == "":
		d := model.DefaultString(model.AuthConfigMap, def+" ("+f.at+")")
		d.Loc = o.loc(firstNode(f.key, o.lookup("accessConfig").key))
		return d
	case !slices.Contains(classicModes, val):
		msg := fmt.Sprintf("%s %q is not an authentication mode (%s); the provider rejects it", f.at, val, strings.Join(classicModes, ", "))
		o.problem(f.key, "%s", msg)
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(f.key), Detail: msg}
	}
	return model.String{Value: val, Origin: model.OriginExplicit, Loc: o.loc(f.key)}
}

// upboundSecretsKey reads encryptionConfig: one provider.keyArn for the resources listed, both of
// which Terraform requires once encryptionConfig is written.
func (o *object) upboundSecretsKey() model.String {
	enc := o.lookup("encryptionConfig")
	unknown := func(f xpField, why string) model.String {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(firstNode(f.key, enc.key)), Detail: why}
	}
	switch {
	case enc.why != "":
		return unknown(enc, enc.why)
	case enc.absent():
		d := model.DefaultString("", upboundDefault+": no encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = o.loc(enc.key)
		return d
	}
	res, arn := o.lookup("encryptionConfig", "resources"), o.lookup("encryptionConfig", "provider", "keyArn")
	for _, f := range []xpField{res, arn} {
		if f.why != "" {
			return unknown(f, f.why)
		}
	}
	var resources []string
	if !res.absent() {
		var why string
		if resources, why = stringList(res.val, res.at); why != "" {
			return unknown(res, why)
		}
	}
	key, _, why := text(arn.val, arn.at)
	switch {
	case why != "":
		return unknown(arn, why)
	case key == "" || len(resources) == 0:
		return unknown(enc, enc.at+" needs both provider.keyArn and resources, which the provider requires; it rejects the resource")
	case !slices.Contains(resources, "secrets"):
		return model.String{Value: "", Origin: model.OriginExplicit, Loc: o.loc(res.key), Detail: res.at + " does not list secrets"}
	}
	return model.String{Value: key, Origin: model.OriginExplicit, Loc: o.loc(arn.key)}
}

// classicSecretsKey reads encryptionConfig[]: the first entry whose resources list secrets, by its
// provider.keyArn.
func (o *object) classicSecretsKey() model.String {
	enc := o.lookup("encryptionConfig")
	unknown := func(at *yaml.Node, why string) model.String {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(firstNode(at, enc.key)), Detail: why}
	}
	switch {
	case enc.why != "":
		return unknown(enc.key, enc.why)
	case enc.absent():
		d := model.DefaultString("", classicDefault+": no encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = o.loc(enc.key)
		return d
	}
	n := yamledit.Deref(enc.val)
	if n.Kind != yaml.SequenceNode {
		_, why := stringList(n, enc.at)
		return unknown(enc.key, why)
	}
	i, why := secretsEntry(n, enc.at)
	switch {
	case why != "":
		return unknown(enc.key, why)
	case i < 0:
		return model.String{Value: "", Origin: model.OriginExplicit, Loc: o.loc(enc.key), Detail: "no " + enc.at + " entry lists secrets"}
	}
	entry := yamledit.Deref(n.Content[i])
	name := fmt.Sprintf("%s[%d].provider.keyArn", enc.at, i)
	arnKey := getKey(entry, "provider", "keyArn")
	arn, _, why := text(get(entry, "provider", "keyArn"), name)
	switch {
	case why != "":
		return unknown(arnKey, why)
	case arn == "":
		return unknown(firstNode(getKey(entry, "provider"), getKey(entry, "resources")), name+" is missing; the CRD requires it")
	}
	return model.String{Value: arn, Origin: model.OriginExplicit, Loc: o.loc(arnKey)}
}

// secretsEntry finds the index of the first entry of the encryption config list enc (named field)
// whose resources list secrets; -1 when none does.
func secretsEntry(enc *yaml.Node, field string) (int, string) {
	for i, e := range enc.Content {
		e = yamledit.Deref(e)
		if e == nil || e.Kind != yaml.MappingNode {
			return -1, fmt.Sprintf("%s[%d] is not a mapping", field, i)
		}
		res := get(e, "resources")
		if isNull(res) {
			continue
		}
		resources, why := stringList(res, fmt.Sprintf("%s[%d].resources", field, i))
		if why != "" {
			return -1, why
		}
		if slices.Contains(resources, "secrets") {
			return i, ""
		}
	}
	return -1, ""
}
