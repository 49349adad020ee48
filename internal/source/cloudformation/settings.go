package cloudformation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// The settings beside the endpoint: control plane logging, the authentication mode and the key that
// encrypts secrets. Each is read through the evaluator, so conditions, parameters and AWS::NoValue
// count as they do for the endpoint.

const (
	noLogs    = awsDefault + ": no control plane log types enabled"
	noSecrets = awsDefault + ": no EncryptionConfig entry for secrets, so EKS encrypts them with AWS-owned keys"
)

// settingPath resolves all but the last key of path below Properties. It returns the mapping that
// holds the last key (nil when a step is absent, null or AWS::NoValue), the key that decided it (for
// locations: the step that is null, AWS::NoValue or unknown; nil when a step is absent, since the
// resource then decides) and why the path is unknown, if it is.
func (ev *evaluator) settingPath(props *yaml.Node, path []string) (*yaml.Node, *yaml.Node, string) {
	m, name := props, "Properties"
	for _, p := range path[:len(path)-1] {
		name += "." + p
		k, v := ev.lookup(m, p)
		if k == nil {
			return nil, nil, ""
		}
		var why string
		if m, why = ev.container(v, name, 0); why != "" || m == nil {
			return nil, k, why
		}
	}
	return m, nil, ""
}

// setting finds the last key of path below Properties and evaluates its value. k is nil when the
// setting is not written (or a mapping on the way is absent, null or AWS::NoValue); at is the line to
// blame then, if any; why says the path cannot be resolved.
func (t *template) setting(ev *evaluator, props *yaml.Node, path []string) (k *yaml.Node, v value, at *model.Location, why string) {
	m, last, why := ev.settingPath(props, path)
	at = t.loc(last)
	if why != "" || m == nil {
		return nil, value{}, at, why
	}
	k, n := ev.lookup(m, path[len(path)-1])
	if k == nil {
		return nil, value{}, at, ""
	}
	return k, ev.eval(n, 0), t.loc(k), ""
}

// logTypes reads the control plane log types the resource enables.
func (t *template) logTypes(ev *evaluator, props *yaml.Node, lay layout) model.Strings {
	name := strings.Join(lay.logging, ".")
	k, val, loc, why := t.setting(ev, props, lay.logging)
	unknown := func(why string) model.Strings {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
	}
	switch {
	case why != "":
		return unknown(why)
	case k == nil:
		l := model.DefaultList(noLogs)
		l.Loc = loc
		return l
	}
	switch val.k {
	case kNoValue:
		l := model.DefaultList(noLogs + " (AWS::NoValue)")
		l.Loc = loc
		return l
	case kUnknown:
		return unknown(val.s)
	case kNull:
		return unknown(name + " is null, which CloudFormation rejects")
	case kList:
	default:
		return unknown(fmt.Sprintf("%s is %s, not a list", name, val.describe()))
	}
	var types []string
	add := func(e value, what string) string {
		switch e.k {
		case kUnknown:
			return e.s
		case kStr:
			if !model.IsLogType(e.s) {
				return fmt.Sprintf("%s lists %s, which is not a control plane log type (%s), so CloudFormation would reject it",
					name, e.describe(), strings.Join(model.LogTypes, ", "))
			}
			if !slices.Contains(types, e.s) {
				types = append(types, e.s)
			}
			return ""
		}
		return fmt.Sprintf("%s has %s that is %s, not a log type", name, what, e.describe())
	}
	for i, e := range val.list {
		var bad string
		switch lay.logStyle {
		case logStrings:
			bad = add(e, "an entry")
		case logEntries:
			bad = t.logEntry(ev, e, name, lay, add)
		case logSetups:
			bad = t.logSetup(ev, e, fmt.Sprintf("%s[%d]", name, i), lay, add)
		}
		if bad != "" {
			return unknown(bad)
		}
	}
	if types == nil {
		types = []string{}
	}
	return model.Strings{Values: types, Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
}

// logEntry reads one {Type: api} entry.
func (t *template) logEntry(ev *evaluator, e value, name string, lay layout, add func(value, string) string) string {
	switch e.k {
	case kUnknown:
		return e.s
	case kMap:
	default:
		return fmt.Sprintf("%s has an entry that is %s, not a mapping", name, e.describe())
	}
	k, n := ev.lookup(e.node, lay.logType)
	if k == nil {
		return fmt.Sprintf("%s has an entry without %s, which CloudFormation rejects", name, lay.logType)
	}
	return add(ev.eval(n, 0), "a "+lay.logType)
}

// logSetup reads one entry of the EKS API's clusterLogging list: its types count when enabled is true.
func (t *template) logSetup(ev *evaluator, e value, name string, lay layout, add func(value, string) string) string {
	switch e.k {
	case kUnknown:
		return e.s
	case kMap:
	default:
		return fmt.Sprintf("%s is %s, not a mapping", name, e.describe())
	}
	k, n := ev.lookup(e.node, lay.logEnabled)
	if k == nil {
		return fmt.Sprintf("%s has no %s, so whether its types are enabled is not known", name, lay.logEnabled)
	}
	en := ev.eval(n, 0)
	enabled := false
	switch s, _ := en.scalar(); {
	case en.k == kUnknown:
		return en.s
	case en.k == kBool:
		enabled = en.b
	case en.k == kStr && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")):
		// Custom resources receive every property as a string; the CDK handler turns it back.
		enabled = strings.EqualFold(s, "true")
	default:
		return fmt.Sprintf("%s.%s is %s, not a boolean", name, lay.logEnabled, en.describe())
	}
	if !enabled {
		return ""
	}
	tk, tn := ev.lookup(e.node, lay.logType)
	if tk == nil {
		return ""
	}
	types := ev.eval(tn, 0)
	switch types.k {
	case kUnknown:
		return types.s
	case kNoValue:
		return ""
	case kList:
	default:
		return fmt.Sprintf("%s.%s is %s, not a list", name, lay.logType, types.describe())
	}
	for _, ty := range types.list {
		if bad := add(ty, "a type"); bad != "" {
			return bad
		}
	}
	return ""
}

// authMode reads the authentication mode.
func (t *template) authMode(ev *evaluator, props *yaml.Node, lay layout) model.String {
	def := model.DefaultString(model.DefaultAuthenticationMode, lay.accessDefault)
	if lay.access == nil {
		return def
	}
	name := strings.Join(lay.access, ".")
	k, val, loc, why := t.setting(ev, props, lay.access)
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}
	case k == nil:
		def.Loc = loc
		return def
	}
	switch val.k {
	case kNoValue:
		def.Loc = loc
		def.Detail += " (AWS::NoValue)"
		return def
	case kUnknown:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: val.s}
	case kStr:
		return model.String{Value: val.s, Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
	case kNull:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: name + " is null, which CloudFormation rejects"}
	}
	return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: fmt.Sprintf("%s is %s, not a string", name, val.describe())}
}

// encState is where a resource's encryption entries are, for its fix.
type encState struct {
	// present is set when the encryption list is written (whatever its value).
	present bool
	// index is the entry for secrets in the list as written, -1 when there is none.
	index int
	// why says that no edit can be made, and why.
	why string
}

// secretsKey reads the KMS key of the encryption entry that covers secrets, and where that entry is.
func (t *template) secretsKey(ev *evaluator, props *yaml.Node, lay layout) (model.String, encState) {
	st := encState{index: -1}
	name := strings.Join(lay.encryption, ".")
	m, last, why := ev.settingPath(props, lay.encryption)
	loc := t.loc(last)
	unknown := func(why string) (model.String, encState) {
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}, st
	}
	none := func(detail string) (model.String, encState) {
		s := model.DefaultString("", detail)
		s.Loc = loc
		return s, st
	}
	if why != "" {
		st.why = why
		return unknown(why)
	}
	var k, n *yaml.Node
	if m != nil {
		k, n = ev.lookup(m, lay.encryption[len(lay.encryption)-1])
	}
	if k == nil {
		return none(noSecrets)
	}
	st.present = true
	loc = t.loc(k)
	// An entry's place in the list as written is what an edit needs; a list computed as a whole is
	// evaluated and, when it must change, written over.
	type entry struct {
		raw int
		v   value
	}
	var entries []entry
	if seq := yamledit.Deref(n); seq != nil && seq.Kind == yaml.SequenceNode && !isIntrinsic(seq) {
		for i, c := range seq.Content {
			v := ev.eval(c, 0)
			if v.k == kNoValue {
				continue // CloudFormation drops AWS::NoValue from lists
			}
			raw := i
			if c.Kind == yaml.AliasNode || isIntrinsic(yamledit.Deref(c)) {
				raw = -1
			}
			entries = append(entries, entry{raw, v})
		}
	} else {
		val := ev.eval(n, 0)
		switch val.k {
		case kNoValue:
			return none(noSecrets + " (AWS::NoValue)")
		case kUnknown:
			return unknown(val.s)
		case kNull:
			return unknown(name + " is null, which CloudFormation rejects")
		case kList:
		default:
			return unknown(fmt.Sprintf("%s is %s, not a list", name, val.describe()))
		}
		for _, v := range val.list {
			entries = append(entries, entry{-1, v})
		}
	}
	var doubt string
	others := 0
	for i, e := range entries {
		ename := fmt.Sprintf("%s[%d]", name, i)
		secrets, bad := t.coversSecrets(ev, e.v, ename, lay)
		switch {
		case bad != "":
			if doubt == "" {
				doubt = bad
			}
			continue
		case !secrets:
			others++
			continue
		}
		if e.raw < 0 {
			st.why = ename + ", the entry for secrets, is computed; edit it by hand"
		}
		st.index = e.raw
		key := t.keyARN(ev, e.v.node, ename, lay)
		key.Loc = firstLoc(key.Loc, loc)
		return key, st
	}
	switch {
	case doubt != "":
		st.why = "whether " + name + " has an entry for secrets is not known (" + doubt + "); edit it by hand"
		return unknown(doubt)
	case others > 0:
		st.why = name + " has entries, none of them for secrets (the only resource EKS encrypts); edit it by hand"
	}
	return none(noSecrets)
}

func firstLoc(locs ...*model.Location) *model.Location {
	for _, l := range locs {
		if l != nil {
			return l
		}
	}
	return nil
}

func isIntrinsic(n *yaml.Node) bool {
	_, _, ok := intrinsic(n)
	return ok
}

// coversSecrets reports whether an encryption entry lists secrets among its resources; bad says why
// that cannot be told.
func (t *template) coversSecrets(ev *evaluator, e value, name string, lay layout) (bool, string) {
	switch e.k {
	case kUnknown:
		return false, e.s
	case kMap:
	default:
		return false, fmt.Sprintf("%s is %s, not a mapping", name, e.describe())
	}
	k, n := ev.lookup(e.node, lay.resources)
	if k == nil {
		return false, fmt.Sprintf("%s has no %s, which EKS requires", name, lay.resources)
	}
	res := ev.eval(n, 0)
	switch res.k {
	case kUnknown:
		return false, res.s
	case kList:
	default:
		return false, fmt.Sprintf("%s.%s is %s, not a list", name, lay.resources, res.describe())
	}
	for _, r := range res.list {
		if r.k == kUnknown {
			return false, r.s
		}
		if s, _ := r.scalar(); s == "secrets" {
			return true, ""
		}
	}
	return false, ""
}

// keyARN reads provider.keyArn of the entry for secrets. A key named by an expression known only at
// deploy time (the Arn of a key in the stack, a parameter, an import) still certainly names one, so
// it is explicit, its value the expression.
func (t *template) keyARN(ev *evaluator, entry *yaml.Node, name string, lay layout) model.String {
	pk, pv := ev.lookup(entry, lay.provider)
	missing := model.String{Origin: model.OriginUnknown, Loc: t.loc(pk),
		Detail: fmt.Sprintf("%s, the entry for secrets, has no %s.%s, which EKS requires", name, lay.provider, lay.keyArn)}
	if pk == nil {
		return missing
	}
	prov, why := ev.container(pv, name+"."+lay.provider, 0)
	if why != "" {
		return model.String{Origin: model.OriginUnknown, Loc: t.loc(pk), Detail: why}
	}
	k, n := ev.lookup(prov, lay.keyArn)
	if k == nil {
		return missing
	}
	loc := t.loc(k)
	field := name + "." + lay.provider + "." + lay.keyArn
	val := ev.eval(n, 0)
	switch val.k {
	case kStr:
		if val.s == "" {
			return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: field + " is empty, which EKS rejects"}
		}
		return model.String{Value: val.s, Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
	case kUnknown:
		if expr, ok := ev.deployTime(n); ok {
			return model.String{Value: expr, Origin: model.OriginExplicit, Loc: loc,
				Detail: "the key is " + expr + ", known only at deploy time"}
		}
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: val.s}
	case kNoValue, kNull:
		missing.Loc = loc
		return missing
	}
	return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: fmt.Sprintf("%s is %s, not a string", field, val.describe())}
}

// deployTime names an expression whose value only a deployment knows but that certainly has one: a
// resource's attribute, a Ref to a resource or parameter, an import, a Sub built from those. An
// undecidable Fn::If (which may leave the property out) or an evaluation cut short is not one.
func (ev *evaluator) deployTime(n *yaml.Node) (string, bool) {
	n = yamledit.Deref(n)
	fn, arg, ok := ev.intrinsic(n)
	if !ok || ev.over != "" {
		return "", false
	}
	switch fn {
	case "Ref":
		v := ev.eval(arg, 0)
		name, ok := v.scalar()
		if !ok || v.k == kBool {
			return "", false
		}
		_, param := ev.t.params[name]
		_, res := ev.t.resources[name]
		if !param && !res {
			return "", false
		}
		return "Ref " + clip(name), true
	case "Fn::GetAtt":
		return "Fn::GetAtt " + ev.attrName(arg, 0), true
	case "Fn::ImportValue":
		name := "(computed name)"
		if v := ev.eval(arg, 0); v.k == kStr {
			name = clip(v.s)
		}
		return "Fn::ImportValue " + name, true
	case "Fn::Sub":
		tmpl := yamledit.Deref(arg)
		if tmpl != nil && tmpl.Kind == yaml.SequenceNode && len(tmpl.Content) > 0 {
			tmpl = yamledit.Deref(tmpl.Content[0])
		}
		if tmpl == nil || tmpl.Kind != yaml.ScalarNode || isIntrinsic(tmpl) {
			return "", false
		}
		return "Fn::Sub " + strconv.Quote(clip(tmpl.Value)), true
	}
	return "", false
}
