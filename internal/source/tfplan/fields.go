package tfplan

import (
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/model"
)

// planned is one cluster's planned values (after), what of them is known only after apply
// (after_unknown), and its configuration expressions when the plan has them.
type planned struct {
	after    map[string]any
	unknown  any
	cfg      map[string]any
	cfgFound bool
	// create is set when the plan creates the cluster: values then come from the configuration and
	// the provider, not from the state of a cluster that exists.
	create bool
	loc    *model.Location
}

func (p planned) unknownString(why string) model.String {
	s := model.UnknownString(why)
	s.Loc = p.loc
	return s
}

func (p planned) unknownList(why string) model.Strings {
	s := model.UnknownList(why)
	s.Loc = p.loc
	return s
}

// configured returns the configuration expression at a path of nested blocks and an attribute
// ("access_config", "authentication_mode"), and whether it is there.
func (p planned) configured(path ...string) (map[string]any, bool) {
	var cur any = p.cfg
	for _, name := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[name]
		if !ok {
			return nil, false
		}
		// Blocks are lists of objects in configuration, or a single object.
		if f := first(v); f != nil {
			v = f
		}
		cur = v
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

// dependsOn names what a configured expression refers to: " (depends on aws_kms_key.eks.arn)".
func (p planned) dependsOn(path ...string) string {
	refs := p.refs(path...)
	if len(refs) == 0 {
		return ""
	}
	return " (depends on " + strings.Join(refs, ", ") + ")"
}

func (p planned) refs(path ...string) []string {
	e, ok := p.configured(path...)
	if !ok {
		return nil
	}
	var refs []string
	if r, ok := e["references"].([]any); ok {
		for _, x := range r {
			if s, ok := x.(string); ok {
				refs = append(refs, s)
			}
		}
	}
	return dropPrefixes(refs)
}

// logs reads enabled_cluster_log_types: null or empty enables none, as EKS does by default.
func (p planned) logs() model.Strings {
	const attr = "enabled_cluster_log_types"
	if isTrue(get(p.unknown, attr)) {
		return p.unknownList(attr + " is known only after apply" + p.dependsOn(attr))
	}
	raw := p.after[attr]
	if raw == nil {
		return model.DefaultList(attr + " is null in the plan: EKS's default, no control plane log type enabled")
	}
	list, ok := raw.([]any)
	if !ok {
		return p.unknownList(attr + " is not a list in the plan")
	}
	out := []string{}
	seen := map[string]bool{}
	for i, x := range list {
		s, ok := x.(string)
		switch {
		case !ok && isTrue(index(get(p.unknown, attr), i)):
			return p.unknownList(attr + " is known only after apply" + p.dependsOn(attr))
		case !ok:
			return p.unknownList(attr + " has an entry that is not a string")
		case !model.IsLogType(s):
			return p.unknownList(fmt.Sprintf("%s contains %q, which is not a control plane log type", attr, s))
		case !seen[s]:
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		d := model.DefaultList(attr + " is empty in the plan: EKS's default, no control plane log type enabled")
		d.Loc = p.loc
		return d
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: p.loc}
}

// authMode reads access_config[0].authentication_mode. access_config is optional and computed: left
// out of the configuration, a plan shows it as known after apply, and the provider sends none, so
// CreateCluster's default applies. Only the configuration tells that apart from a value that is
// itself unknown.
func (p planned) authMode() model.String {
	const block, attr = "access_config", "authentication_mode"
	what := block + "[0]." + attr
	u := get(p.unknown, block)
	if isTrue(u) || isTrue(get(index0(u), attr)) {
		_, blockSet := p.configured(block)
		_, modeSet := p.configured(block, attr)
		switch {
		case !p.create:
			return p.unknownString(what + " is known only after apply" + p.dependsOn(block, attr))
		case !p.cfgFound:
			return p.unknownString(what + " is known only after apply, and the plan's configuration does not show whether it is set")
		case !blockSet && isTrue(u):
			return model.DefaultString(model.DefaultAuthenticationMode, "access_config is not set in the configuration (the plan shows it as known after apply): EKS's CreateCluster default")
		case blockSet && !modeSet:
			return model.DefaultString(model.DefaultAuthenticationMode, "access_config sets no authentication_mode in the configuration (the plan shows it as known after apply): EKS's CreateCluster default")
		}
		return p.unknownString(what + " is known only after apply" + p.dependsOn(block, attr))
	}
	ac := first(p.after[block])
	if ac == nil {
		if p.create {
			return model.DefaultString(model.DefaultAuthenticationMode, "no access_config in the plan: the AWS provider sends none, and EKS's CreateCluster default applies")
		}
		return p.unknownString("the plan's values for this existing cluster have no access_config (AWS providers before 5.33 do not read it), so its authentication mode is not known")
	}
	switch mode := ac[attr].(type) {
	case nil:
		if p.create {
			return model.DefaultString(model.DefaultAuthenticationMode, what+" is null in the plan: EKS's CreateCluster default")
		}
		return p.unknownString(what + " is null in the plan's values for this existing cluster")
	case string:
		if !model.IsAuthenticationMode(mode) {
			return p.unknownString(fmt.Sprintf("%s is %q, not an authentication mode EKS has", what, mode))
		}
		return model.String{Value: mode, Origin: model.OriginExplicit, Loc: p.loc}
	}
	return p.unknownString(what + " is not a string in the plan")
}

// secretsKey reads the key of encryption_config[0], which must list secrets. A key_arn known only
// after apply (a key created in the same apply, a data source) still names a key: it is taken as set,
// its value the reference.
func (p planned) secretsKey() model.String {
	const block = "encryption_config"
	u := get(p.unknown, block)
	if isTrue(u) || isTrue(index0(u)) {
		return p.unknownString(block + " is known only after apply")
	}
	raw, _ := p.after[block].([]any)
	switch {
	case p.after[block] != nil && raw == nil:
		return p.unknownString(block + " is not a list in the plan")
	case len(raw) == 0:
		return model.DefaultString("", "no encryption_config in the plan: EKS's default encryption uses AWS-owned keys")
	case len(raw) > 1:
		return p.unknownString("the plan has more than one encryption_config; EKS takes one")
	}
	e, _ := raw[0].(map[string]any)
	eu := index0(u)
	if e == nil {
		return p.unknownString(block + "[0] is not an object in the plan")
	}
	if isTrue(get(eu, "resources")) {
		return p.unknownString(block + "[0].resources is known only after apply" + p.dependsOn(block, "resources"))
	}
	res, _ := e["resources"].([]any)
	if len(res) == 0 {
		return p.unknownString(block + "[0].resources lists nothing to encrypt")
	}
	for _, r := range res {
		if s, _ := r.(string); s != "secrets" {
			return p.unknownString(fmt.Sprintf("%s[0].resources holds %v; EKS encrypts only secrets", block, r))
		}
	}
	pu := get(eu, "provider")
	if isTrue(pu) || isTrue(index0(pu)) {
		return p.unknownString(block + "[0].provider is known only after apply")
	}
	what := block + "[0].provider[0].key_arn"
	if isTrue(get(index0(pu), "key_arn")) {
		refs := p.refs(block, "provider", "key_arn")
		v := "(a KMS key known only after apply)"
		if len(refs) == 1 {
			v = refs[0]
		}
		return model.String{Value: v, Origin: model.OriginExplicit, Loc: p.loc,
			Detail: what + " is known only after apply" + p.dependsOn(block, "provider", "key_arn") + "; it names a key either way"}
	}
	prov := first(e["provider"])
	if prov == nil {
		return p.unknownString(block + "[0] has no provider in the plan")
	}
	switch key := prov["key_arn"].(type) {
	case string:
		if key == "" {
			return p.unknownString(what + " is empty: EKS rejects an encryption_config without a key ARN")
		}
		return model.String{Value: key, Origin: model.OriginExplicit, Loc: p.loc}
	case nil:
		return p.unknownString(what + " is null in the plan: EKS rejects an encryption_config without a key ARN")
	}
	return p.unknownString(what + " is not a string in the plan")
}
