package pulumi

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Where each type reads a setting, below properties.
var paths = map[string]map[model.Field]string{
	TypeAWS: {
		model.FieldEndpointPublicAccess:  "vpcConfig.endpointPublicAccess",
		model.FieldEndpointPrivateAccess: "vpcConfig.endpointPrivateAccess",
		model.FieldPublicAccessCIDRs:     "vpcConfig.publicAccessCidrs",
		model.FieldEnabledLogTypes:       "enabledClusterLogTypes",
		model.FieldAuthenticationMode:    "accessConfig.authenticationMode",
		model.FieldSecretsKeyARN:         "encryptionConfig",
	},
	TypeEKS: {
		model.FieldEndpointPublicAccess:  "endpointPublicAccess",
		model.FieldEndpointPrivateAccess: "endpointPrivateAccess",
		model.FieldPublicAccessCIDRs:     "publicAccessCidrs",
		model.FieldEnabledLogTypes:       "enabledClusterLogTypes",
		model.FieldAuthenticationMode:    "authenticationMode",
		model.FieldSecretsKeyARN:         "encryptionConfigKeyArn",
	},
}

// What a setting left out means, by type: pulumi-aws passes nothing, so the Terraform provider's
// schema default or EKS's own applies; pulumi-eks passes its inputs to aws.eks.Cluster unchanged, and
// nothing for one left out.
var defaultBy = map[string]string{
	TypeAWS: "pulumi-aws default",
	TypeEKS: "pulumi-eks default (it passes nothing to aws.eks.Cluster)",
}

// resource is one cluster resource of a program.
type resource struct {
	p            *program
	key, body    *yaml.Node
	typ, written string
	cluster      *model.Cluster
	problems     []iac.Problem
}

func (r *resource) loc(n *yaml.Node) *model.Location {
	if n == nil || n.Line < 1 {
		return nil
	}
	return &model.Location{File: r.p.file.Name, Line: n.Line}
}

func (r *resource) problem(n *yaml.Node, format string, a ...any) {
	p := iac.Problem{File: r.p.file.Name, Code: finding.ProblemInvalid, Message: fmt.Sprintf(format, a...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	r.problems = append(r.problems, p)
}

// setting is what a lookup found at a property path.
type setting struct {
	v       any
	present bool
	// key is the deepest key of the path written in the resource, to point at.
	key   *yaml.Node
	notes []string
	field string
}

// lookup reads properties.<path> of the resource: down the mappings as written while it can, then
// through the evaluated value of what stands there (a ${variable}, a config value).
func (r *resource) lookup(dotted string) setting {
	field := "properties." + dotted
	ev := r.p.evaluator()
	parts := strings.Split(dotted, ".")
	k, cur := yamledit.Lookup(r.body, "properties")
	s := setting{key: k, field: field}
	if k == nil {
		s.key = r.key
		return s
	}
	for i, part := range parts {
		cur = yamledit.Deref(cur)
		if cur == nil || isNull(cur) {
			return s
		}
		if _, _, isFn := function(cur); cur.Kind != yaml.MappingNode || isFn {
			v := ev.eval(cur, 0)
			for _, rest := range parts[i:] {
				switch x := v.(type) {
				case unknown:
					s.v, s.present, s.notes = unknown{field + ": " + x.why}, true, ev.notes
					return s
				case map[string]any:
					v = x[rest]
				case nil:
					s.notes = ev.notes
					return s
				default:
					s.v, s.present = unknown{fmt.Sprintf("%s is not a mapping", strings.Join(append([]string{"properties"}, parts[:i]...), "."))}, true
					return s
				}
			}
			s.v, s.present, s.notes = v, v != nil, ev.notes
			if u, ok := v.(unknown); ok {
				s.v = unknown{field + ": " + u.why}
			}
			return s
		}
		nk, nv := yamledit.Lookup(cur, part)
		if nk == nil {
			return s
		}
		s.key, cur = nk, nv
	}
	v := ev.eval(cur, 0)
	s.v, s.present, s.notes = v, v != nil, ev.notes
	if u, ok := v.(unknown); ok {
		s.v = unknown{field + ": " + u.why}
	}
	return s
}

func (s setting) detail() string { return strings.Join(s.notes, "; ") }

func (r *resource) read() {
	p := r.p
	cl := &model.Cluster{Name: r.key.Value, Source: Source, Kind: r.written, Loc: r.loc(r.key)}
	if p.stack != nil {
		cl.Notes = append(cl.Notes, "config from the stack "+p.stackName+" ("+p.stack.name+")")
	}
	r.cluster = cl
	if v, ok := r.lookup("version").v.(string); ok {
		cl.Version = v
	}
	if r.typ == TypeAWS {
		r.readAWS()
	} else {
		r.readEKS()
	}
}

func (r *resource) readAWS() {
	cl := r.cluster
	if get(r.body, "properties", "vpcConfig") == nil {
		r.problem(r.key, "%s has no properties.vpcConfig; the provider requires it", cl.Name)
	}
	if v, ok := r.lookup("kubernetesNetworkConfig.ipFamily").v.(string); ok && strings.EqualFold(v, "ipv6") {
		cl.IPFamily = "ipv6"
	}
	pub := model.Default(true, defaultBy[TypeAWS]+": vpcConfig.endpointPublicAccess left out, true")
	priv := model.Default(false, defaultBy[TypeAWS]+": vpcConfig.endpointPrivateAccess left out, false")
	if s := r.lookup("outpostConfig"); s.present {
		cl.Outpost = true
		why := "left out on a local cluster on Outposts (outpostConfig), where eksguard does not know EKS's default"
		pub, priv = model.Unknown(why), model.Unknown(why)
	}
	r.common(pub, priv)
	cl.SecretsKeyARN = r.awsSecretsKey()
}

func (r *resource) readEKS() {
	cl := r.cluster
	if v, ok := r.lookup("ipFamily").v.(string); ok && strings.EqualFold(v, "ipv6") {
		cl.IPFamily = "ipv6"
	}
	pub := model.Default(true, defaultBy[TypeEKS]+": endpointPublicAccess left out, so the AWS provider's true applies")
	priv := model.Default(false, defaultBy[TypeEKS]+": endpointPrivateAccess left out, so the AWS provider's false applies")
	r.common(pub, priv)
	if s := r.lookup("publicAccessCidrs"); s.present && cl.EndpointPublicAccess.Known() && !cl.EndpointPublicAccess.Value {
		if _, isU := s.v.(unknown); !isU {
			r.problem(s.key, "%s sets publicAccessCidrs with endpointPublicAccess false, which pulumi-eks rejects", cl.Name)
		}
	}
	s := r.lookup("encryptionConfigKeyArn")
	switch v := s.v.(type) {
	case unknown:
		cl.SecretsKeyARN = model.String{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: v.why}
	case string, nil:
		if v, _ := v.(string); v != "" {
			cl.SecretsKeyARN = model.String{Value: v, Origin: model.OriginExplicit, Loc: r.loc(s.key), Detail: s.detail()}
			break
		}
		d := model.DefaultString("", defaultBy[TypeEKS]+": no encryptionConfigKeyArn, so no encryptionConfig and EKS encrypts secrets with AWS-owned keys")
		d.Loc = r.loc(s.key)
		cl.SecretsKeyARN = d
	default:
		cl.SecretsKeyARN = model.String{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: s.field + " is not a string"}
	}
}

// common reads the settings both types spell alike, each at its own path.
func (r *resource) common(pub, priv model.Bool) {
	cl, at := r.cluster, paths[r.typ]
	cl.EndpointPublicAccess = r.boolAt(at[model.FieldEndpointPublicAccess], pub)
	cl.EndpointPrivateAccess = r.boolAt(at[model.FieldEndpointPrivateAccess], priv)
	cl.PublicAccessCIDRs = r.cidrs(at[model.FieldPublicAccessCIDRs])
	cl.EnabledLogTypes = r.logTypes(at[model.FieldEnabledLogTypes])
	cl.AuthenticationMode = r.authMode(at[model.FieldAuthenticationMode])
}

func (r *resource) boolAt(path string, def model.Bool) model.Bool {
	s := r.lookup(path)
	switch v := s.v.(type) {
	case unknown:
		return model.Bool{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: v.why}
	case nil:
		def.Loc = r.loc(s.key)
		return def
	case bool:
		return model.Bool{Value: v, Origin: model.OriginExplicit, Loc: r.loc(s.key), Detail: s.detail()}
	case string:
		// The provider reads the text of a boolean as Terraform does.
		if v == "true" || v == "false" {
			return model.Bool{Value: v == "true", Origin: model.OriginExplicit, Loc: r.loc(s.key), Detail: strings.TrimPrefix(s.detail()+"; the text "+v+", read as a boolean", "; ")}
		}
	}
	return model.Bool{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: fmt.Sprintf("%s is %s, not a boolean", s.field, describe(s.v))}
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprint(v)
}

// strings reads a list of text, or says why it cannot.
func stringsOf(s setting) ([]string, string) {
	switch v := s.v.(type) {
	case unknown:
		return nil, v.why
	case []any:
		out := make([]string, 0, len(v))
		size := 0
		for i, x := range v {
			switch x := x.(type) {
			case string:
				out = append(out, x)
				size += len(x) + yamledit.ListItemBytes
			case unknown:
				return nil, fmt.Sprintf("%s[%d]: %s", s.field, i, x.why)
			default:
				return nil, fmt.Sprintf("%s[%d] is %s, not text", s.field, i, describe(x))
			}
		}
		if size > yamledit.MaxValueBytes {
			return nil, fmt.Sprintf("%s is larger than eksguard's %s limit for a value", s.field, yamledit.ByteSize(yamledit.MaxValueBytes))
		}
		return out, ""
	}
	return nil, fmt.Sprintf("%s is %s, not a list", s.field, describe(s.v))
}

func (r *resource) cidrs(path string) model.Strings {
	s := r.lookup(path)
	def := model.DefaultPublicAccessCIDRs(r.cluster.IPFamily)
	if s.v == nil {
		return model.Strings{Values: def, Origin: model.OriginDefault, Loc: r.loc(s.key), Detail: "EKS default: " + path + " left out, so none is sent"}
	}
	out, why := stringsOf(s)
	switch {
	case why != "":
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: why}
	case len(out) == 0:
		return model.Strings{Values: def, Origin: model.OriginDefault, Loc: r.loc(s.key), Detail: "EKS default: " + path + " is empty, so none is sent"}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: r.loc(s.key), Detail: s.detail()}
}

func (r *resource) logTypes(path string) model.Strings {
	s := r.lookup(path)
	if s.v == nil {
		l := model.DefaultList(defaultBy[r.typ] + ": no " + path + ", so EKS enables no control plane logs")
		l.Loc = r.loc(s.key)
		return l
	}
	out, why := stringsOf(s)
	if why == "" {
		for _, t := range out {
			if !model.IsLogType(t) {
				why = fmt.Sprintf("%s lists %q, which is not an EKS log type (%s), so the deployment fails", s.field, t, strings.Join(model.LogTypes, ", "))
				break
			}
		}
	}
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: why}
	}
	var uniq []string
	for _, t := range out {
		if !slices.Contains(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	l := model.ExplicitList(uniq...)
	l.Loc, l.Detail = r.loc(s.key), s.detail()
	return l
}

func (r *resource) authMode(path string) model.String {
	s := r.lookup(path)
	switch v := s.v.(type) {
	case unknown:
		return model.String{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: v.why}
	case string:
		if v == "" {
			break
		}
		if !model.IsAuthenticationMode(v) {
			return model.String{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: fmt.Sprintf("%s is %q, which is not an authentication mode (CONFIG_MAP, API_AND_CONFIG_MAP, API), so the deployment fails", s.field, v)}
		}
		return model.String{Value: v, Origin: model.OriginExplicit, Loc: r.loc(s.key), Detail: s.detail()}
	case nil:
	default:
		return model.String{Origin: model.OriginUnknown, Loc: r.loc(s.key), Detail: s.field + " is not text"}
	}
	d := model.DefaultString(model.AuthConfigMap, defaultBy[r.typ]+": no "+path+", so EKS's CONFIG_MAP applies")
	d.Loc = r.loc(s.key)
	return d
}

// awsSecretsKey reads encryptionConfig: {provider: {keyArn}, resources: [secrets]} (a list of such
// entries, as older programs write it, is read too: the first entry for secrets decides).
func (r *resource) awsSecretsKey() model.String {
	s := r.lookup("encryptionConfig")
	loc := r.loc(s.key)
	var entry map[string]any
	switch v := s.v.(type) {
	case nil:
		d := model.DefaultString("", defaultBy[TypeAWS]+": no encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = loc
		return d
	case unknown:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: v.why}
	case map[string]any:
		entry = v
	case []any:
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: "an encryptionConfig entry is not a mapping"}
			}
			if res, why := stringsOf(setting{v: m["resources"], field: "properties.encryptionConfig[].resources"}); why == "" && slices.Contains(res, "secrets") {
				entry = m
				break
			}
		}
		if entry == nil {
			return model.String{Origin: model.OriginExplicit, Loc: loc, Detail: "no encryptionConfig entry lists secrets"}
		}
	default:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: "properties.encryptionConfig is not a mapping"}
	}
	res, why := stringsOf(setting{v: entry["resources"], field: "properties.encryptionConfig.resources"})
	if u, ok := entry["resources"].(unknown); ok {
		why = u.why
	}
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}
	case !slices.Contains(res, "secrets"):
		return model.String{Origin: model.OriginExplicit, Loc: loc, Detail: "encryptionConfig.resources does not list secrets"}
	}
	prov, _ := entry["provider"].(map[string]any)
	if u, ok := entry["provider"].(unknown); ok {
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: u.why}
	}
	keyLoc := loc
	if k := getKey(r.body, "properties", "encryptionConfig", "provider", "keyArn"); k != nil {
		keyLoc = r.loc(k)
	}
	switch v := prov["keyArn"].(type) {
	case unknown:
		return model.String{Origin: model.OriginUnknown, Loc: keyLoc, Detail: "properties.encryptionConfig.provider.keyArn: " + v.why}
	case string:
		if v != "" {
			return model.String{Value: v, Origin: model.OriginExplicit, Loc: keyLoc, Detail: s.detail()}
		}
	}
	r.problem(s.key, "%s: encryptionConfig lists secrets without provider.keyArn; the provider requires one", r.cluster.Name)
	return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: "encryptionConfig has no provider.keyArn"}
}

func getKey(m *yaml.Node, path ...string) *yaml.Node {
	var k *yaml.Node
	for _, p := range path {
		if m = yamledit.Deref(m); m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		if k, m = yamledit.Lookup(m, p); k == nil {
			return nil
		}
	}
	return k
}
