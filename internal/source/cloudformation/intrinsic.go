package cloudformation

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// kind is the type of an evaluated template value.
type kind uint8

const (
	kNull kind = iota
	kStr
	kBool
	kNum
	kList
	kMap
	// kNoValue is AWS::NoValue: the property is left out, so the AWS default applies.
	kNoValue
	// kUnknown cannot be resolved without deploying; s says why.
	kUnknown
)

// value is what a template expression evaluates to.
type value struct {
	k    kind
	s    string // kStr, kNum: the text; kUnknown: why
	b    bool
	list []value
	node *yaml.Node // kMap
	// via says how an intrinsic produced the value ("parameter Public Default"), for details.
	via string
}

func unknownf(format string, a ...any) value { return value{k: kUnknown, s: fmt.Sprintf(format, a...)} }

// scalar returns the text of a string, number or boolean, as CloudFormation compares and joins them.
func (v value) scalar() (string, bool) {
	switch v.k {
	case kStr, kNum:
		return v.s, true
	case kBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

func (v value) describe() string {
	switch v.k {
	case kNull:
		return "null"
	case kStr:
		return strconv.Quote(v.s)
	case kNum, kBool:
		s, _ := v.scalar()
		return s
	case kList:
		return "a list"
	case kMap:
		return "a mapping"
	case kNoValue:
		return "AWS::NoValue"
	}
	return "unknown"
}

func (v value) withVia(via string) value {
	if via == "" {
		return v
	}
	if v.via != "" {
		via += "; " + v.via
	}
	v.via = via
	return v
}

// Limits that keep evaluation linear in the size of the template, whatever aliases and conditions
// refer to.
const (
	maxDepth = 64
	maxSteps = 200000
)

// evaluator resolves intrinsic functions against one template's Parameters, Conditions and Mappings.
type evaluator struct {
	t     *template
	steps int
	conds map[string]condResult
	busy  map[string]bool
}

type condResult struct {
	val bool
	why string // non-empty when the condition cannot be evaluated
}

func newEvaluator(t *template) *evaluator {
	return &evaluator{t: t, conds: map[string]condResult{}, busy: map[string]bool{}}
}

// intrinsic recognises an intrinsic function in long form ({"Fn::If": [...]}, {"Ref": "X"}) or YAML
// short form (!If [...], !Ref X), returning its long name and its argument.
func intrinsic(n *yaml.Node) (string, *yaml.Node, bool) {
	if n == nil {
		return "", nil, false
	}
	if t := n.Tag; strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "!!") {
		name := t[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		arg := *n
		arg.Style &^= yaml.TaggedStyle
		switch n.Kind {
		case yaml.ScalarNode:
			arg.Tag = "!!str"
		case yaml.SequenceNode:
			arg.Tag = "!!seq"
		case yaml.MappingNode:
			arg.Tag = "!!map"
		}
		return name, &arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := yamledit.Deref(n.Content[0]); k != nil && k.Kind == yaml.ScalarNode && (k.Value == "Ref" || strings.HasPrefix(k.Value, "Fn::")) {
			return k.Value, n.Content[1], true
		}
	}
	return "", nil, false
}

// opaque tells the editor which nodes are computed and must not be edited through.
func opaque(n *yaml.Node) (string, bool) {
	name, _, ok := intrinsic(n)
	return name, ok
}

func (ev *evaluator) spend(depth int) bool {
	ev.steps++
	return ev.steps <= maxSteps && depth <= maxDepth
}

const tooComplex = "the template is too deeply nested or repetitive to evaluate"

// eval evaluates a template node.
func (ev *evaluator) eval(n *yaml.Node, depth int) value {
	if !ev.spend(depth) {
		return unknownf(tooComplex)
	}
	if n == nil {
		return value{k: kNull}
	}
	if n.Kind == yaml.AliasNode {
		return ev.eval(n.Alias, depth+1)
	}
	if fn, arg, ok := intrinsic(n); ok {
		return ev.call(fn, arg, depth+1)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return value{k: kNull}
		}
		return ev.eval(n.Content[0], depth+1)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!bool":
			return value{k: kBool, b: strings.EqualFold(n.Value, "true")}
		case "!!null":
			return value{k: kNull}
		case "!!int", "!!float":
			return value{k: kNum, s: n.Value}
		}
		return value{k: kStr, s: n.Value}
	case yaml.SequenceNode:
		out := value{k: kList, list: []value{}}
		for _, c := range n.Content {
			v := ev.eval(c, depth+1)
			if v.k == kNoValue {
				continue // CloudFormation drops AWS::NoValue from lists
			}
			out.list = append(out.list, v)
		}
		return out
	case yaml.MappingNode:
		return value{k: kMap, node: n}
	}
	return value{k: kNull}
}

// args evaluates the argument of a function that takes a list.
func (ev *evaluator) args(fn string, arg *yaml.Node, depth int, min, max int) ([]*yaml.Node, *value) {
	arg = yamledit.Deref(arg)
	if arg == nil || arg.Kind != yaml.SequenceNode || len(arg.Content) < min || len(arg.Content) > max {
		v := unknownf("%s has malformed arguments", fn)
		return nil, &v
	}
	return arg.Content, nil
}

func (ev *evaluator) str(n *yaml.Node, depth int, what string) (string, *value) {
	v := ev.eval(n, depth)
	if v.k == kUnknown {
		return "", &v
	}
	s, ok := v.scalar()
	if !ok {
		u := unknownf("%s is %s, not a string", what, v.describe())
		return "", &u
	}
	return s, nil
}

func (ev *evaluator) call(fn string, arg *yaml.Node, depth int) value {
	switch fn {
	case "Ref":
		name, bad := ev.str(arg, depth, "the argument of Ref")
		if bad != nil {
			return *bad
		}
		return ev.ref(name, depth)
	case "Fn::If":
		a, bad := ev.args(fn, arg, depth, 3, 3)
		if bad != nil {
			return *bad
		}
		name, bad := ev.str(a[0], depth, "the condition of Fn::If")
		if bad != nil {
			return *bad
		}
		c := ev.condition(name, depth)
		if c.why == "" {
			branch := a[2]
			if c.val {
				branch = a[1]
			}
			return ev.eval(branch, depth).withVia(fmt.Sprintf("condition %s is %t", name, c.val))
		}
		// Both branches alike make the condition irrelevant.
		t, f := ev.eval(a[1], depth), ev.eval(a[2], depth)
		if same(t, f) {
			return t
		}
		return unknownf("condition %s cannot be evaluated (%s)", name, c.why)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		c := ev.condExpr(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: fn}, arg}}, depth)
		if c.why != "" {
			return unknownf("%s", c.why)
		}
		return value{k: kBool, b: c.val}
	case "Fn::Sub":
		return ev.sub(arg, depth)
	case "Fn::Join":
		a, bad := ev.args(fn, arg, depth, 2, 2)
		if bad != nil {
			return *bad
		}
		delim, bad := ev.str(a[0], depth, "the delimiter of Fn::Join")
		if bad != nil {
			return *bad
		}
		l := ev.eval(a[1], depth)
		if l.k == kUnknown {
			return l
		}
		if l.k != kList {
			return unknownf("Fn::Join needs a list, not %s", l.describe())
		}
		parts := make([]string, 0, len(l.list))
		for _, e := range l.list {
			if e.k == kUnknown {
				return e
			}
			s, ok := e.scalar()
			if !ok {
				return unknownf("Fn::Join cannot join %s", e.describe())
			}
			parts = append(parts, s)
		}
		return value{k: kStr, s: strings.Join(parts, delim), via: l.via}
	case "Fn::Split":
		a, bad := ev.args(fn, arg, depth, 2, 2)
		if bad != nil {
			return *bad
		}
		delim, bad := ev.str(a[0], depth, "the delimiter of Fn::Split")
		if bad != nil {
			return *bad
		}
		s, bad := ev.str(a[1], depth, "the source of Fn::Split")
		if bad != nil {
			return *bad
		}
		if delim == "" {
			return unknownf("Fn::Split has an empty delimiter")
		}
		out := value{k: kList}
		for _, p := range strings.Split(s, delim) {
			out.list = append(out.list, value{k: kStr, s: p})
		}
		return out
	case "Fn::Select":
		a, bad := ev.args(fn, arg, depth, 2, 2)
		if bad != nil {
			return *bad
		}
		is, bad := ev.str(a[0], depth, "the index of Fn::Select")
		if bad != nil {
			return *bad
		}
		i, err := strconv.Atoi(is)
		l := ev.eval(a[1], depth)
		if l.k == kUnknown {
			return l
		}
		if err != nil || l.k != kList || i < 0 || i >= len(l.list) {
			return unknownf("Fn::Select index %s is out of range", is)
		}
		return l.list[i].withVia(l.via)
	case "Fn::FindInMap":
		return ev.findInMap(arg, depth)
	case "Fn::Base64":
		s, bad := ev.str(arg, depth, "the argument of Fn::Base64")
		if bad != nil {
			return *bad
		}
		return value{k: kStr, s: base64.StdEncoding.EncodeToString([]byte(s))}
	case "Fn::Length":
		l := ev.eval(arg, depth)
		if l.k == kUnknown {
			return l
		}
		if l.k != kList {
			return unknownf("Fn::Length needs a list")
		}
		return value{k: kNum, s: strconv.Itoa(len(l.list))}
	case "Fn::GetAtt":
		return unknownf("Fn::GetAtt %s is only known at deploy time", ev.attrName(arg, depth))
	case "Fn::ImportValue":
		name := "(computed name)"
		if v := ev.eval(arg, depth); v.k == kStr {
			name = v.s
		}
		return unknownf("Fn::ImportValue %s is only known at deploy time", name)
	}
	return unknownf("%s is not evaluated by eksguard", fn)
}

func same(a, b value) bool {
	if a.k != b.k || a.k == kUnknown || a.k == kMap {
		return false
	}
	if a.k == kList {
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !same(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	}
	return a.s == b.s && a.b == b.b
}

func (ev *evaluator) attrName(arg *yaml.Node, depth int) string {
	v := ev.eval(arg, depth)
	switch v.k {
	case kStr:
		return v.s
	case kList:
		var parts []string
		for _, e := range v.list {
			if s, ok := e.scalar(); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ".")
	}
	return "(computed)"
}

// pseudo lists the pseudo parameters; all but AWS::NoValue are only known when the stack deploys.
var pseudo = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

func (ev *evaluator) ref(name string, depth int) value {
	if name == "AWS::NoValue" {
		return value{k: kNoValue}
	}
	if pseudo[name] || strings.HasPrefix(name, "AWS::") {
		return unknownf("pseudo parameter %s is only known at deploy time", name)
	}
	if p, ok := ev.t.params[name]; ok {
		return ev.param(name, p, depth)
	}
	if _, ok := ev.t.resources[name]; ok {
		return unknownf("Ref to resource %s is only known at deploy time", name)
	}
	return unknownf("Ref to %s, which is neither a parameter nor a resource", name)
}

func (ev *evaluator) param(name string, p *yaml.Node, depth int) value {
	typ := ""
	if _, t := yamledit.Lookup(p, "Type"); t != nil {
		typ = ev.eval(t, depth).s
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
		return unknownf("parameter %s is read from SSM Parameter Store at deploy time", name)
	}
	_, def := yamledit.Lookup(p, "Default")
	if def == nil {
		return unknownf("parameter %s has no Default", name)
	}
	v := ev.eval(def, depth)
	if v.k == kUnknown {
		return v
	}
	if s, ok := v.scalar(); ok && strings.Contains(s, "{{resolve:") {
		return unknownf("parameter %s Default is a dynamic reference, resolved at deploy time", name)
	}
	if (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) && v.k != kList {
		s, _ := v.scalar()
		l := value{k: kList, list: []value{}}
		if s != "" {
			for _, part := range strings.Split(s, ",") {
				l.list = append(l.list, value{k: kStr, s: strings.TrimSpace(part)})
			}
		}
		v = l
	}
	return v.withVia(fmt.Sprintf("parameter %s Default", name))
}

func (ev *evaluator) sub(arg *yaml.Node, depth int) value {
	arg = yamledit.Deref(arg)
	var tmpl *yaml.Node
	vars := map[string]*yaml.Node{}
	switch {
	case arg != nil && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
		tmpl = arg.Content[0]
		m := yamledit.Deref(arg.Content[1])
		if m == nil || m.Kind != yaml.MappingNode {
			return unknownf("Fn::Sub has malformed variables")
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := yamledit.Deref(m.Content[i]); k != nil {
				vars[k.Value] = m.Content[i+1]
			}
		}
	case arg != nil && arg.Kind == yaml.ScalarNode:
		tmpl = arg
	default:
		return unknownf("Fn::Sub has malformed arguments")
	}
	s, bad := ev.str(tmpl, depth, "the string of Fn::Sub")
	if bad != nil {
		return *bad
	}
	var b strings.Builder
	var via []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i:], "}")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v value
		switch n, ok := vars[name]; {
		case ok:
			v = ev.eval(n, depth+1)
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			v = unknownf("Fn::GetAtt %s is only known at deploy time", name)
		default:
			v = ev.ref(name, depth+1)
		}
		if v.k == kUnknown {
			return v
		}
		text, ok := v.scalar()
		if !ok {
			return unknownf("Fn::Sub cannot substitute %s for ${%s}", v.describe(), name)
		}
		if v.via != "" {
			via = append(via, v.via)
		}
		b.WriteString(text)
	}
	return value{k: kStr, s: b.String(), via: strings.Join(via, "; ")}
}

func (ev *evaluator) findInMap(arg *yaml.Node, depth int) value {
	a, bad := ev.args("Fn::FindInMap", arg, depth, 3, 4)
	if bad != nil {
		return *bad
	}
	keys := make([]string, 3)
	for i := range keys {
		s, bad := ev.str(a[i], depth, "a key of Fn::FindInMap")
		if bad != nil {
			return *bad
		}
		keys[i] = s
	}
	_, top := yamledit.Lookup(ev.t.mappings, keys[0])
	_, second := yamledit.Lookup(top, keys[1])
	_, v := yamledit.Lookup(second, keys[2])
	if v == nil {
		if len(a) == 4 {
			if _, d := yamledit.Lookup(a[3], "DefaultValue"); d != nil {
				return ev.eval(d, depth).withVia("Fn::FindInMap DefaultValue")
			}
		}
		return unknownf("Fn::FindInMap finds no %s/%s/%s in Mappings", keys[0], keys[1], keys[2])
	}
	return ev.eval(v, depth).withVia(fmt.Sprintf("Mappings %s/%s/%s", keys[0], keys[1], keys[2]))
}

// condition evaluates a named condition of the Conditions section, once.
func (ev *evaluator) condition(name string, depth int) condResult {
	if r, ok := ev.conds[name]; ok {
		return r
	}
	if ev.busy[name] {
		return condResult{why: fmt.Sprintf("condition %s refers to itself", name)}
	}
	n, ok := ev.t.conditions[name]
	if !ok {
		return condResult{why: fmt.Sprintf("condition %s is not defined", name)}
	}
	ev.busy[name] = true
	r := ev.condExpr(n, depth+1)
	delete(ev.busy, name)
	if !strings.HasPrefix(r.why, tooComplex) {
		ev.conds[name] = r
	}
	return r
}

// condExpr evaluates a condition function: Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition.
func (ev *evaluator) condExpr(n *yaml.Node, depth int) condResult {
	if !ev.spend(depth) {
		return condResult{why: tooComplex}
	}
	n = yamledit.Deref(n)
	fn, arg, ok := intrinsic(n)
	if !ok && n != nil && n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := yamledit.Deref(n.Content[0]); k != nil && k.Value == "Condition" {
			fn, arg, ok = "Condition", n.Content[1], true
		}
	}
	if !ok {
		v := ev.eval(n, depth)
		switch v.k {
		case kBool:
			return condResult{val: v.b}
		case kUnknown:
			return condResult{why: v.s}
		}
		return condResult{why: fmt.Sprintf("%s is not a condition", v.describe())}
	}
	switch fn {
	case "Condition":
		name, bad := ev.str(arg, depth, "the name in Condition")
		if bad != nil {
			return condResult{why: bad.s}
		}
		return ev.condition(name, depth)
	case "Fn::Equals":
		a, bad := ev.args(fn, arg, depth, 2, 2)
		if bad != nil {
			return condResult{why: bad.s}
		}
		x, y := ev.eval(a[0], depth), ev.eval(a[1], depth)
		for _, v := range []value{x, y} {
			if v.k == kUnknown {
				return condResult{why: v.s}
			}
		}
		return condResult{val: canonical(x) == canonical(y)}
	case "Fn::Not":
		a, bad := ev.args(fn, arg, depth, 1, 1)
		if bad != nil {
			return condResult{why: bad.s}
		}
		r := ev.condExpr(a[0], depth)
		r.val = !r.val
		return r
	case "Fn::And", "Fn::Or":
		a, bad := ev.args(fn, arg, depth, 1, 10)
		if bad != nil {
			return condResult{why: bad.s}
		}
		// Fn::And is false when any part is false, Fn::Or true when any part is true, even if
		// other parts cannot be evaluated.
		decisive := fn == "Fn::Or"
		var why string
		for _, c := range a {
			r := ev.condExpr(c, depth)
			if r.why == "" && r.val == decisive {
				return condResult{val: decisive}
			}
			if r.why != "" && why == "" {
				why = r.why
			}
		}
		if why != "" {
			return condResult{why: why}
		}
		return condResult{val: !decisive}
	}
	v := ev.call(fn, arg, depth)
	switch v.k {
	case kBool:
		return condResult{val: v.b}
	case kUnknown:
		return condResult{why: v.s}
	}
	return condResult{why: fmt.Sprintf("%s is not a condition function", fn)}
}

// canonical renders a value for Fn::Equals, which compares strings.
func canonical(v value) string {
	if s, ok := v.scalar(); ok {
		return s
	}
	if v.k == kList {
		parts := make([]string, len(v.list))
		for i, e := range v.list {
			parts[i] = canonical(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	if v.k == kMap && v.node != nil {
		var keys []string
		for i := 0; i+1 < len(v.node.Content); i += 2 {
			keys = append(keys, v.node.Content[i].Value)
		}
		sort.Strings(keys)
		return "{" + strings.Join(keys, ",") + "}"
	}
	return "<" + v.describe() + ">"
}
