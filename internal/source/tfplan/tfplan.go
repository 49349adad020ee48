// Package tfplan reads EKS clusters from Terraform plans rendered as JSON (`terraform show -json` or
// `tofu show -json`). A plan has already resolved variables, modules, count and for_each, and the
// provider's schema defaults; what it cannot know before apply is marked in after_unknown, and the
// configuration section tells a value the user wrote apart from one left to AWS.
package tfplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// Result is what one plan file holds.
type Result struct {
	Resources []iac.Resource
	Problems  []iac.Problem
}

// Detect reports whether data looks like a plan: a JSON object with format_version and
// resource_changes or planned_values at its top level.
func Detect(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	if !bytes.Contains(data, []byte(`"format_version"`)) {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(trimmed, &top) != nil {
		// A damaged plan is still a plan: claim it so that Scan reports where it breaks.
		return bytes.Contains(data, []byte(`"resource_changes"`)) || bytes.Contains(data, []byte(`"planned_values"`))
	}
	if _, ok := top["format_version"]; !ok {
		return false
	}
	_, rc := top["resource_changes"]
	_, pv := top["planned_values"]
	return rc || pv
}

type plan struct {
	FormatVersion   string           `json:"format_version"`
	ResourceChanges []resourceChange `json:"resource_changes"`
	PlannedValues   *struct {
		RootModule *valuesModule `json:"root_module"`
	} `json:"planned_values"`
	Configuration *struct {
		RootModule *configModule `json:"root_module"`
	} `json:"configuration"`
}

type resourceChange struct {
	Address string  `json:"address"`
	Mode    string  `json:"mode"`
	Type    string  `json:"type"`
	Deposed string  `json:"deposed"`
	Change  *change `json:"change"`
}

type change struct {
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown"`
}

type valuesModule struct {
	Resources []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Type    string `json:"type"`
		Values  any    `json:"values"`
	} `json:"resources"`
	ChildModules []*valuesModule `json:"child_modules"`
}

type configModule struct {
	Resources []struct {
		Address     string         `json:"address"`
		Mode        string         `json:"mode"`
		Type        string         `json:"type"`
		Expressions map[string]any `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Module *configModule `json:"module"`
	} `json:"module_calls"`
}

// Scan reads the clusters of one plan file. Clusters being deleted, deposed objects and data sources
// are left out. Plans are not edited, so resources have no fix.
func Scan(f *iac.File) Result {
	var res Result
	var p plan
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		code := finding.ProblemSyntax
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			code = finding.ProblemInvalid // valid JSON of the wrong shape
		}
		res.Problems = append(res.Problems, iac.Problem{File: f.Name, Line: jsonErrorLine(f.Data, err), Code: code, Message: "cannot read the plan: " + err.Error()})
		return res
	}
	if !supported(p.FormatVersion) {
		res.Problems = append(res.Problems, iac.Problem{File: f.Name, Code: finding.ProblemUnsupported, Message: fmt.Sprintf("plan format_version %q is not supported (0.x and 1.x are)", p.FormatVersion)})
		return res
	}
	var root *configModule
	if p.Configuration != nil {
		root = p.Configuration.RootModule
	}
	rcStart := keyOffset(f.Data, "resource_changes")
	if p.ResourceChanges == nil && p.PlannedValues != nil {
		// A plan without resource_changes has nothing to create or change; planned_values still
		// describes the clusters, without telling unknown from null.
		walkValues(p.PlannedValues.RootModule, func(addr string, values any) {
			rc := resourceChange{Address: addr, Mode: "managed", Type: "aws_eks_cluster",
				Change: &change{Actions: []string{"no-op"}, After: values, AfterUnknown: map[string]any{}}}
			res.Resources = append(res.Resources, read(f, rc, root, keyOffset(f.Data, "planned_values")))
		})
		return res
	}
	for _, rc := range p.ResourceChanges {
		if rc.Type != "aws_eks_cluster" || (rc.Mode != "managed" && rc.Mode != "") || rc.Deposed != "" || rc.Change == nil {
			continue
		}
		if removes(rc.Change.Actions) {
			continue
		}
		res.Resources = append(res.Resources, read(f, rc, root, rcStart))
	}
	return res
}

func supported(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	return major == "0" || major == "1"
}

// removes reports whether the change leaves no cluster behind.
func removes(actions []string) bool {
	if len(actions) == 0 {
		return false
	}
	for _, a := range actions {
		if a != "delete" && a != "forget" {
			return false
		}
	}
	return true
}

func walkValues(m *valuesModule, fn func(addr string, values any)) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if r.Type == "aws_eks_cluster" && (r.Mode == "managed" || r.Mode == "") {
			fn(r.Address, r.Values)
		}
	}
	for _, c := range m.ChildModules {
		walkValues(c, fn)
	}
}

const (
	attrPrivate = "endpoint_private_access"
	attrPublic  = "endpoint_public_access"
	attrCIDRs   = "public_access_cidrs"
)

func read(f *iac.File, rc resourceChange, root *configModule, from int) iac.Resource {
	l := &model.Location{File: f.Name, Line: addressLine(f.Data, rc.Address, from)}
	c := &model.Cluster{Name: rc.Address, Source: model.SourceTerraformPlan, Kind: "aws_eks_cluster", Loc: l}
	if rc.Change.Actions != nil && len(rc.Change.Actions) > 0 {
		c.Notes = append(c.Notes, "plan action: "+strings.Join(rc.Change.Actions, ", "))
	}
	after, _ := rc.Change.After.(map[string]any)
	unknown := rc.Change.AfterUnknown
	cfg, cfgFound := findConfig(root, rc.Address)

	if net := first(after["kubernetes_network_config"]); net != nil {
		if fam, ok := net["ip_family"].(string); ok {
			c.IPFamily = strings.ToLower(fam)
		}
	}
	whole := func(why string) {
		b := model.Unknown(why)
		b.Loc = l
		c.EndpointPublicAccess, c.EndpointPrivateAccess = b, b
		c.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: why, Loc: l}
	}
	if after == nil || isTrue(unknown) {
		why := "the plan has no planned values for the cluster"
		if isTrue(unknown) {
			why = "the cluster's values are known only after apply"
		}
		c.EnabledLogTypes = model.UnknownList(why)
		c.AuthenticationMode, c.SecretsKeyARN = model.UnknownString(why), model.UnknownString(why)
		c.EnabledLogTypes.Loc, c.AuthenticationMode.Loc, c.SecretsKeyARN.Loc = l, l, l
	} else {
		p := planned{after: after, unknown: unknown, cfg: cfg, cfgFound: cfgFound, create: isCreate(rc.Change.Actions), loc: l}
		c.EnabledLogTypes = p.logs()
		c.AuthenticationMode = p.authMode()
		c.SecretsKeyARN = p.secretsKey()
	}
	if isTrue(unknown) || isTrue(get(unknown, "vpc_config")) || isTrue(index0(get(unknown, "vpc_config"))) {
		whole("vpc_config is known only after apply")
		return iac.Resource{Cluster: c}
	}
	if after == nil {
		whole("the plan has no planned values for the cluster")
		return iac.Resource{Cluster: c}
	}
	vpc := first(after["vpc_config"])
	vpcUnknown := index0(get(unknown, "vpc_config"))
	if vpc == nil {
		whole("the plan has no vpc_config for the cluster")
		return iac.Resource{Cluster: c}
	}
	cfgVPC, dynamicVPC := configVPC(cfg, cfgFound)

	configured := func(attr string) (refs []string, set bool) {
		if cfgVPC == nil {
			return nil, false
		}
		e, ok := cfgVPC[attr].(map[string]any)
		if !ok {
			return nil, false
		}
		if r, ok := e["references"].([]any); ok {
			for _, x := range r {
				if s, ok := x.(string); ok {
					refs = append(refs, s)
				}
			}
		}
		return dropPrefixes(refs), true
	}
	unknownDetail := func(attr string) string {
		d := "vpc_config[0]." + attr + " is known only after apply"
		if refs, _ := configured(attr); len(refs) > 0 {
			d += " (depends on " + strings.Join(refs, ", ") + ")"
		}
		return d
	}
	readBool := func(attr string, def bool) model.Bool {
		if isTrue(get(vpcUnknown, attr)) {
			b := model.Unknown(unknownDetail(attr))
			b.Loc = l
			return b
		}
		v, ok := vpc[attr].(bool)
		if !ok {
			if vpc[attr] == nil {
				return model.Bool{Value: def, Origin: model.OriginDefault, Detail: "AWS provider default (null in the plan)"}
			}
			b := model.Unknown(fmt.Sprintf("vpc_config[0].%s is not a bool in the plan", attr))
			b.Loc = l
			return b
		}
		if _, set := configured(attr); cfgVPC != nil && !set && !dynamicVPC && isCreate(rc.Change.Actions) {
			return model.Bool{Value: v, Origin: model.OriginDefault, Detail: "AWS provider default (not set in the configuration)"}
		}
		return model.Bool{Value: v, Origin: model.OriginExplicit, Loc: l}
	}
	c.EndpointPublicAccess = readBool(attrPublic, true)
	c.EndpointPrivateAccess = readBool(attrPrivate, false)
	c.PublicAccessCIDRs = readCIDRs(vpc, vpcUnknown, l, c.IPFamily, cfgFound, cfgVPC, dynamicVPC, configured, unknownDetail)
	return iac.Resource{Cluster: c}
}

func readCIDRs(vpc map[string]any, vpcUnknown any, l *model.Location, ipFamily string, cfgFound bool, cfgVPC map[string]any, dynamicVPC bool,
	configured func(string) ([]string, bool), unknownDetail func(string) string) model.Strings {
	unknownS := func(d string) model.Strings {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: d, Loc: l}
	}
	ekDefault := func(d string) model.Strings {
		v := []string{"0.0.0.0/0"}
		if strings.EqualFold(ipFamily, "ipv6") {
			v = append(v, "::/0")
		}
		return model.Strings{Values: v, Origin: model.OriginDefault, Detail: d}
	}
	if isTrue(get(vpcUnknown, attrCIDRs)) {
		// Unset public_access_cidrs is Optional+Computed: unknown on create, and then EKS's default,
		// because the provider sends no list. Only the configuration tells that apart from an
		// expression that is itself unknown.
		switch {
		case dynamicVPC:
			return unknownS("vpc_config[0].public_access_cidrs is known only after apply, and vpc_config is a dynamic block, whose expressions plans do not record")
		case !cfgFound || cfgVPC == nil:
			return unknownS("vpc_config[0].public_access_cidrs is known only after apply, and the plan's configuration does not show whether it is set")
		}
		refs, set := configured(attrCIDRs)
		if !set {
			return ekDefault("EKS default: public_access_cidrs is not set in the configuration (the plan shows it as known after apply)")
		}
		if len(refs) == 0 && emptyConstant(cfgVPC[attrCIDRs]) {
			return ekDefault("EKS default: public_access_cidrs = [] is the same as unset")
		}
		return unknownS(unknownDetail(attrCIDRs))
	}
	raw, present := vpc[attrCIDRs]
	if !present || raw == nil {
		return ekDefault("EKS default (public_access_cidrs is null in the plan)")
	}
	list, ok := raw.([]any)
	if !ok {
		return unknownS("vpc_config[0].public_access_cidrs is not a list in the plan")
	}
	out := []string{}
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			if isTrue(index(get(vpcUnknown, attrCIDRs), i)) {
				return unknownS(unknownDetail(attrCIDRs))
			}
			return unknownS("vpc_config[0].public_access_cidrs has an entry that is not a string")
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		d := ekDefault("EKS default: an empty public_access_cidrs is the same as unset")
		d.Loc = l
		return d
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: l}
}

// dropPrefixes removes references that another one extends: Terraform lists both
// "aws_vpc.main.cidr_block" and "aws_vpc.main".
func dropPrefixes(refs []string) []string {
	var out []string
	for i, r := range refs {
		covered := false
		for j, o := range refs {
			if i != j && (strings.HasPrefix(o, r+".") || strings.HasPrefix(o, r+"[")) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

func emptyConstant(e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return false
	}
	l, ok := m["constant_value"].([]any)
	return ok && len(l) == 0
}

func isCreate(actions []string) bool {
	for _, a := range actions {
		if a == "create" {
			return true
		}
	}
	return false
}

// configVPC returns the configuration expressions of vpc_config, and whether vpc_config is missing
// from a configuration that was found (a dynamic block, whose expressions plans omit).
func configVPC(cfg map[string]any, found bool) (map[string]any, bool) {
	if !found {
		return nil, false
	}
	v, ok := cfg["vpc_config"]
	if !ok {
		return nil, true
	}
	if m := first(v); m != nil {
		return m, false
	}
	if m, ok := v.(map[string]any); ok {
		return m, false
	}
	return nil, true
}

// findConfig finds the configuration expressions of the resource at a plan address. Instance keys
// are dropped: configuration describes blocks, not instances.
func findConfig(root *configModule, addr string) (map[string]any, bool) {
	if root == nil {
		return nil, false
	}
	parts := splitAddress(addr)
	m := root
	i := 0
	for i+1 < len(parts) && parts[i] == "module" {
		call, ok := m.ModuleCalls[stripIndex(parts[i+1])]
		if !ok || call.Module == nil {
			return nil, false
		}
		m = call.Module
		i += 2
	}
	if len(parts)-i != 2 {
		return nil, false
	}
	want := parts[i] + "." + stripIndex(parts[i+1])
	for _, r := range m.Resources {
		if r.Address == want && (r.Mode == "managed" || r.Mode == "") {
			if r.Expressions == nil {
				return map[string]any{}, true
			}
			return r.Expressions, true
		}
	}
	return nil, false
}

// splitAddress splits a resource address at dots outside brackets and quotes.
func splitAddress(addr string) []string {
	var parts []string
	depth, inStr, start := 0, false, 0
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, addr[start:i])
			start = i + 1
		}
	}
	return append(parts, addr[start:])
}

func stripIndex(s string) string {
	if i := strings.IndexByte(s, '['); i >= 0 {
		return s[:i]
	}
	return s
}

func get(v any, key string) any {
	if m, ok := v.(map[string]any); ok {
		return m[key]
	}
	return nil
}

func index(v any, i int) any {
	if l, ok := v.([]any); ok && i < len(l) {
		return l[i]
	}
	return nil
}

func index0(v any) any { return index(v, 0) }

func first(v any) map[string]any {
	m, _ := index0(v).(map[string]any)
	return m
}

func isTrue(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

// keyOffset returns the offset of a top-level key in a JSON document, or 0.
func keyOffset(data []byte, key string) int {
	i := bytes.Index(data, []byte(`"`+key+`"`))
	if i < 0 {
		return 0
	}
	return i
}

// addressLine finds the line of `"address": "<addr>"` at or after from: plans have no source lines,
// but pointing at the resource's entry beats pointing at the top of the file. Zero when not found.
func addressLine(data []byte, addr string, from int) int {
	if from < 0 || from > len(data) {
		from = 0
	}
	for _, enc := range encodings(addr) {
		off := from
		for off < len(data) {
			i := bytes.Index(data[off:], enc)
			if i < 0 {
				break
			}
			pos := off + i
			// The value must follow an "address" key.
			j := pos - 1
			for j >= 0 && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j--
			}
			if j >= 0 && data[j] == ':' {
				k := j - 1
				for k >= 0 && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
					k--
				}
				if k >= 8 && string(data[k-8:k+1]) == `"address"` {
					return bytes.Count(data[:pos], []byte{'\n'}) + 1
				}
			}
			off = pos + len(enc)
		}
	}
	return 0
}

func encodings(s string) [][]byte {
	var out [][]byte
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out = append(out, bytes.TrimSpace(buf.Bytes()))
	if b, err := json.Marshal(s); err == nil && !bytes.Equal(b, out[0]) {
		out = append(out, b)
	}
	return out
}

// jsonErrorLine returns the line of a JSON syntax error, when the error says where.
func jsonErrorLine(data []byte, err error) int {
	var off int64 = -1
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		off = int64(len(data))
	}
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return 0
	}
	return bytes.Count(bytes.TrimRight(data[:off], " \t\r\n"), []byte{'\n'}) + 1
}
