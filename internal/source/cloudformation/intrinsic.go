package cloudformation

import (
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

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
	b    bool
	s    string // kStr, kNum: the text; kUnknown: why
	list []value
	node *yaml.Node // kMap
	// via says how an intrinsic produced the value ("parameter Public Default"), for details.
	via string
	// n is the size of a kList (see size), counted once when the list is built.
	n int64
}

// valueBytes is what one list item costs in memory, charged to the evaluation's budget.
const valueBytes = int64(unsafe.Sizeof(value{}))

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

// size is the nominal size of a value, which evaluation keeps within yamledit.MaxValueBytes: the bytes
// of its text, plus yamledit.ListItemBytes for every list item, nested ones included. A mapping is a
// node of the template itself, never built, and counts as one item per key.
func (v value) size() int64 {
	switch v.k {
	case kStr, kNum:
		return int64(len(v.s))
	case kBool:
		return int64(len("false"))
	case kList:
		return v.n
	case kMap:
		if v.node != nil {
			return int64(len(v.node.Content)/2) * yamledit.ListItemBytes
		}
	}
	return 0
}

func (v value) describe() string {
	switch v.k {
	case kNull:
		return "null"
	case kStr:
		return strconv.Quote(clip(v.s))
	case kNum:
		return clip(v.s)
	case kBool:
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

// maxQuoted bounds a name or text quoted in a reason or a detail: enough to recognise it, and no
// more, since one long parameter name referred to a thousand times must not make a thousand copies.
const maxQuoted = 100

// clip shortens s to maxQuoted bytes, on a character boundary, marking the cut.
func clip(s string) string { return cut(s, maxQuoted) }

// Limits that keep evaluation bounded, and linear in the size of the template, whatever aliases and
// conditions refer to. CloudFormation itself accepts templates of at most 1 MB and EKS at most 40
// public access CIDR blocks: the largest real templates evaluate a cluster in a few thousand steps and
// build a few kilobytes, far below these.
const (
	maxDepth = 64
	// maxSteps bounds the steps of evaluating one cluster: an expression or list item evaluated, a key
	// compared in a lookup.
	maxSteps = 200_000
	// maxTemplateSteps bounds the steps for a whole template, so that many clusters sharing one costly
	// expression through aliases cannot multiply it.
	maxTemplateSteps = 10 * maxSteps
	// maxEvalBytes bounds the bytes built, copied, scanned or compared while evaluating one cluster:
	// sixteen values of the largest size. One value is bounded by yamledit.MaxValueBytes.
	maxEvalBytes = 16 * yamledit.MaxValueBytes
	// maxTemplateBytes bounds the same for a whole template.
	maxTemplateBytes = 2 * maxEvalBytes
	// maxViaBytes bounds the provenance of a value, which is an explanation, not part of the value:
	// past it the explanation is cut short rather than the value made unknown.
	maxViaBytes = 1 << 10
	// maxReasonBytes bounds why a value is unknown, which nests when conditions depend on conditions.
	maxReasonBytes = 1 << 10
)

const tooComplex = "the template is too deeply nested or repetitive to evaluate"

var (
	tooMuchWork = fmt.Sprintf("the template is too repetitive to evaluate: it builds or compares more than %s of values for this cluster (eksguard's limit)", yamledit.ByteSize(maxEvalBytes))
	tooMuchFile = fmt.Sprintf("the template is too large or repetitive to evaluate: eksguard's limit of %d steps or %s of values for one template is spent", maxTemplateSteps, yamledit.ByteSize(maxTemplateBytes))
	valueLimit  = fmt.Sprintf("over eksguard's %s limit for evaluated values", yamledit.ByteSize(yamledit.MaxValueBytes))
)

// budget is the work done so far, by one evaluator or by all of a template's.
type budget struct {
	steps int
	bytes int64
}

// spent says why a template's budget is spent, or "" while it is not.
func (b *budget) spent() string {
	if b.steps > maxTemplateSteps || b.bytes > maxTemplateBytes {
		return tooMuchFile
	}
	return ""
}

// evaluator resolves intrinsic functions against one template's Parameters, Conditions and Mappings,
// for one cluster.
type evaluator struct {
	t      *template
	used   budget
	conds  map[string]condResult
	params map[string]value
	// anchored holds the value of each anchored node evaluated: aliases then cost one step each,
	// and a value shared through aliases is built once.
	anchored map[*yaml.Node]value
	busy     map[string]bool
	// over says why evaluation stopped, once a budget is spent; every later step is then unknown.
	over string
	// loopIDs are the Fn::ForEach identifiers whose items are unknown, with why.
	loopIDs map[string]string
}

type condResult struct {
	val bool
	why string // non-empty when the condition cannot be evaluated
}

func newEvaluator(t *template) *evaluator {
	return &evaluator{t: t, conds: map[string]condResult{}, params: map[string]value{}, anchored: map[*yaml.Node]value{}, busy: map[string]bool{}}
}

// spend charges one step at depth; false once the depth or a budget is exceeded.
func (ev *evaluator) spend(depth int) bool {
	return ev.spendN(1) && depth <= maxDepth
}

// spendN charges n steps; false once a budget is spent.
func (ev *evaluator) spendN(n int) bool {
	ev.used.steps += n
	ev.t.used.steps += n
	return ev.check()
}

// use charges n bytes built, copied, scanned or compared; false once a budget is spent.
func (ev *evaluator) use(n int64) bool {
	ev.used.bytes += n
	ev.t.used.bytes += n
	return ev.check()
}

func (ev *evaluator) check() bool {
	if ev.over != "" {
		return false
	}
	switch {
	case ev.used.steps > maxSteps:
		ev.over = tooComplex
	case ev.used.bytes > maxEvalBytes:
		ev.over = tooMuchWork
	default:
		ev.over = ev.t.used.spent()
	}
	return ev.over == ""
}

// stopped is the value of anything evaluated once the depth or a budget is exceeded.
func (ev *evaluator) stopped() value {
	if ev.over != "" {
		return value{k: kUnknown, s: ev.over}
	}
	return value{k: kUnknown, s: tooComplex}
}

// unknownf makes an unknown value, charging its reason to the budget. Arguments taken from the
// template must be clipped.
func (ev *evaluator) unknownf(format string, a ...any) value {
	if ev.over != "" {
		return ev.stopped()
	}
	v := value{k: kUnknown, s: cut(fmt.Sprintf(format, a...), maxReasonBytes)}
	ev.use(int64(len(v.s)))
	return v
}

// tooLarge is the value of a function whose result would exceed yamledit.MaxValueBytes.
func (ev *evaluator) tooLarge(what string, size int64) value {
	return ev.unknownf("%s would build a %s string, %s", what, yamledit.ByteSize(size), valueLimit)
}

func (ev *evaluator) tooLargeList(what string, items int, size int64) value {
	return ev.unknownf("%s would build a list of %d items (%s), %s", what, items, yamledit.ByteSize(size), valueLimit)
}

// withVia adds to the provenance of v, cut short at maxViaBytes.
func (ev *evaluator) withVia(v value, via string) value {
	if via == "" || v.k == kUnknown {
		return v
	}
	if v.via != "" {
		via += "; " + v.via
	}
	v.via = cut(via, maxViaBytes)
	ev.use(int64(len(v.via)))
	return v
}

// cut shortens s to at most n bytes, on a character boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// lookup is yamledit.Lookup charged to the budget: aliases let one large mapping be searched from
// many places.
func (ev *evaluator) lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	k, v, cost := yamledit.LookupCost(m, key)
	ev.spendN(cost)
	return k, v
}

// intrinsic recognises an intrinsic function in long form ({"Fn::If": [...]}, {"Ref": "X"}) or YAML
// short form (!If [...], !Ref X), returning its long name and its argument.
func intrinsic(n *yaml.Node) (string, *yaml.Node, bool) {
	if n == nil {
		return "", nil, false
	}
	if t := n.Tag; strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "!!") {
		name := clip(t[1:])
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
			return clip(k.Value), n.Content[1], true
		}
	}
	return "", nil, false
}

// intrinsic is intrinsic with the argument of a short-form function made once per node, not once
// per evaluation.
func (ev *evaluator) intrinsic(n *yaml.Node) (string, *yaml.Node, bool) {
	if n == nil || !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return intrinsic(n)
	}
	if c, ok := ev.t.calls[n]; ok {
		return c.name, c.arg, true
	}
	name, arg, ok := intrinsic(n)
	ev.t.calls[n] = call{name, arg}
	return name, arg, ok
}

type call struct {
	name string
	arg  *yaml.Node
}

// opaque tells the editor which nodes are computed and must not be edited through.
func opaque(n *yaml.Node) (string, bool) {
	name, _, ok := intrinsic(n)
	return name, ok
}

// eval evaluates a template node.
func (ev *evaluator) eval(n *yaml.Node, depth int) value {
	if !ev.spend(depth) {
		return ev.stopped()
	}
	if n == nil {
		return value{k: kNull}
	}
	if n.Kind == yaml.AliasNode {
		return ev.eval(n.Alias, depth+1)
	}
	if n.Anchor == "" {
		return ev.node(n, depth)
	}
	if v, ok := ev.anchored[n]; ok {
		return v
	}
	v := ev.node(n, depth)
	// A value cut short by the depth limit might be known where the alias is less deep.
	if ev.over == "" && !(v.k == kUnknown && strings.Contains(v.s, tooComplex)) {
		ev.anchored[n] = v
	}
	return v
}

// node evaluates a node that is not an alias.
func (ev *evaluator) node(n *yaml.Node, depth int) value {
	if fn, arg, ok := ev.intrinsic(n); ok {
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
		}
		if len(n.Value) > yamledit.MaxValueBytes {
			return ev.unknownf("the text at line %d is %s, %s", n.Line, yamledit.ByteSize(int64(len(n.Value))), valueLimit)
		}
		if t := n.ShortTag(); t == "!!int" || t == "!!float" {
			return value{k: kNum, s: n.Value}
		}
		return value{k: kStr, s: n.Value}
	case yaml.SequenceNode:
		return ev.sequence(n, depth)
	case yaml.MappingNode:
		return value{k: kMap, node: n}
	}
	return value{k: kNull}
}

// sequence evaluates a list written in the template. Its items may be aliases of large values, so
// the list is sized as it is read; past the limit the items are only sized, no longer kept, and the
// list is unknown.
func (ev *evaluator) sequence(n *yaml.Node, depth int) value {
	out := value{k: kList, list: []value{}}
	items := 0
	for _, c := range n.Content {
		v := ev.eval(c, depth+1)
		if ev.over != "" {
			return ev.stopped()
		}
		if v.k == kNoValue {
			continue // CloudFormation drops AWS::NoValue from lists
		}
		items++
		out.n += v.size() + yamledit.ListItemBytes
		if out.n <= yamledit.MaxValueBytes {
			if !ev.use(valueBytes) {
				return ev.stopped()
			}
			out.list = append(out.list, v)
		}
	}
	if out.n > yamledit.MaxValueBytes {
		return ev.unknownf("the list at line %d would hold %d items (%s), %s", n.Line, items, yamledit.ByteSize(out.n), valueLimit)
	}
	return out
}

// each calls f with the items of a list argument, in order, without AWS::NoValue, until f returns
// false. A list written in place is evaluated item by item and never built, so that the function can
// size its result before building it; any other argument must evaluate to a list. It returns the
// list's provenance, or why there is no list.
func (ev *evaluator) each(fn string, n *yaml.Node, depth int, f func(value) bool) (string, *value) {
	if seq := yamledit.Deref(n); seq != nil && seq.Kind == yaml.SequenceNode {
		if _, _, ok := ev.intrinsic(seq); !ok {
			if !ev.spend(depth) {
				v := ev.stopped()
				return "", &v
			}
			for _, c := range seq.Content {
				v := ev.eval(c, depth+1)
				if ev.over != "" {
					break
				}
				if v.k != kNoValue && !f(v) {
					break
				}
			}
			if ev.over != "" {
				v := ev.stopped()
				return "", &v
			}
			return "", nil
		}
	}
	l := ev.eval(n, depth)
	if l.k == kUnknown {
		u := l
		return "", &u
	}
	if l.k != kList {
		u := ev.unknownf("%s needs a list, not %s", fn, l.describe())
		return "", &u
	}
	for _, e := range l.list {
		if !f(e) {
			break
		}
	}
	return l.via, nil
}

// args evaluates the argument of a function that takes a list.
func (ev *evaluator) args(fn string, arg *yaml.Node, min, max int) ([]*yaml.Node, *value) {
	arg = yamledit.Deref(arg)
	if arg == nil || arg.Kind != yaml.SequenceNode || len(arg.Content) < min || len(arg.Content) > max {
		v := ev.unknownf("%s has malformed arguments", fn)
		return nil, &v
	}
	return arg.Content, nil
}

func (ev *evaluator) str(n *yaml.Node, depth int, what string) (string, *value) {
	v := ev.eval(n, depth)
	if v.k == kUnknown {
		u := v
		return "", &u
	}
	s, ok := v.scalar()
	if !ok {
		u := ev.unknownf("%s is %s, not a string", what, v.describe())
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
		a, bad := ev.args(fn, arg, 3, 3)
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
			return ev.withVia(ev.eval(branch, depth), fmt.Sprintf("condition %s is %t", clip(name), c.val))
		}
		// Both branches alike make the condition irrelevant.
		t, f := ev.eval(a[1], depth), ev.eval(a[2], depth)
		if ev.same(t, f) {
			return t
		}
		return ev.unknownf("condition %s cannot be evaluated (%s)", clip(name), c.why)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		c := ev.condCall(fn, arg, depth)
		if c.why != "" {
			return value{k: kUnknown, s: c.why}
		}
		return value{k: kBool, b: c.val}
	case "Fn::Sub":
		return ev.sub(arg, depth)
	case "Fn::Join":
		return ev.join(arg, depth)
	case "Fn::Split":
		a, bad := ev.args(fn, arg, 2, 2)
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
			return ev.unknownf("Fn::Split has an empty delimiter")
		}
		return ev.split("Fn::Split", s, delim, false)
	case "Fn::Select":
		a, bad := ev.args(fn, arg, 2, 2)
		if bad != nil {
			return *bad
		}
		is, bad := ev.str(a[0], depth, "the index of Fn::Select")
		if bad != nil {
			return *bad
		}
		i, err := strconv.Atoi(is)
		var found *value
		n := 0
		via, bad := ev.each(fn, a[1], depth, func(e value) bool {
			if err == nil && n == i {
				x := e
				found = &x
			}
			n++
			return found == nil && err == nil && i >= 0
		})
		if bad != nil {
			return *bad
		}
		if found == nil {
			return ev.unknownf("Fn::Select index %s is out of range", clip(is))
		}
		return ev.withVia(*found, via)
	case "Fn::FindInMap":
		return ev.findInMap(arg, depth)
	case "Fn::Base64":
		s, bad := ev.str(arg, depth, "the argument of Fn::Base64")
		if bad != nil {
			return *bad
		}
		size := int64(base64.StdEncoding.EncodedLen(len(s)))
		if size > yamledit.MaxValueBytes {
			return ev.tooLarge(fn, size)
		}
		if !ev.use(size) {
			return ev.stopped()
		}
		return value{k: kStr, s: base64.StdEncoding.EncodeToString([]byte(s))}
	case "Fn::Length":
		n := 0
		if _, bad := ev.each(fn, arg, depth, func(value) bool { n++; return true }); bad != nil {
			return *bad
		}
		return value{k: kNum, s: strconv.Itoa(n)}
	case "Fn::GetAtt":
		return ev.unknownf("Fn::GetAtt %s is only known at deploy time", ev.attrName(arg, depth))
	case "Fn::ImportValue":
		name := "(computed name)"
		if v := ev.eval(arg, depth); v.k == kStr {
			name = clip(v.s)
		}
		return ev.unknownf("Fn::ImportValue %s is only known at deploy time", name)
	}
	return ev.unknownf("%s is not evaluated by eksguard", fn)
}

// join evaluates Fn::Join, sizing the string before building it.
func (ev *evaluator) join(arg *yaml.Node, depth int) value {
	const fn = "Fn::Join"
	a, bad := ev.args(fn, arg, 2, 2)
	if bad != nil {
		return *bad
	}
	delim, bad := ev.str(a[0], depth, "the delimiter of Fn::Join")
	if bad != nil {
		return *bad
	}
	var parts []string
	var size int64
	var stop *value
	items := 0
	via, bad := ev.each(fn, a[1], depth, func(e value) bool {
		if e.k == kUnknown {
			u := e
			stop = &u
			return false
		}
		s, ok := e.scalar()
		if !ok {
			u := ev.unknownf("Fn::Join cannot join %s", e.describe())
			stop = &u
			return false
		}
		if items++; items > 1 {
			size += int64(len(delim))
		}
		size += int64(len(s))
		if size <= yamledit.MaxValueBytes {
			parts = append(parts, s)
		}
		return true
	})
	switch {
	case bad != nil:
		return *bad
	case stop != nil:
		return *stop
	case size > yamledit.MaxValueBytes:
		return ev.tooLarge(fn, size)
	case !ev.use(size + int64(len(parts))*16):
		return ev.stopped()
	}
	return value{k: kStr, s: strings.Join(parts, delim), via: via}
}

// split splits s as Fn::Split does, or as CloudFormation splits a CommaDelimitedList parameter
// (trimming each item, and giving no items for an empty string), sizing the list before building it.
func (ev *evaluator) split(what, s, delim string, trim bool) value {
	if trim && s == "" {
		return value{k: kList, list: []value{}}
	}
	if !ev.use(int64(len(s))) {
		return ev.stopped()
	}
	items := strings.Count(s, delim) + 1
	size := int64(len(s)) - int64(items-1)*int64(len(delim)) + int64(items)*yamledit.ListItemBytes
	if size > yamledit.MaxValueBytes {
		return ev.tooLargeList(what, items, size)
	}
	if !ev.use(int64(items) * (valueBytes + 16)) {
		return ev.stopped()
	}
	out := value{k: kList, list: make([]value, 0, items)}
	for _, p := range strings.Split(s, delim) {
		if trim {
			p = strings.TrimSpace(p)
		}
		out.list = append(out.list, value{k: kStr, s: p})
		out.n += int64(len(p)) + yamledit.ListItemBytes
	}
	return out
}

// same reports whether two known values are equal, so that an undecidable Fn::If whose branches agree
// still has a value.
func (ev *evaluator) same(a, b value) bool {
	if a.k != b.k || a.k == kUnknown || a.k == kMap || ev.over != "" {
		return false
	}
	if a.k == kList {
		if len(a.list) != len(b.list) || !ev.spendN(len(a.list)) {
			return false
		}
		for i := range a.list {
			if !ev.same(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	}
	return ev.use(int64(len(a.s))) && a.s == b.s && a.b == b.b
}

func (ev *evaluator) attrName(arg *yaml.Node, depth int) string {
	v := ev.eval(arg, depth)
	switch v.k {
	case kStr:
		return clip(v.s)
	case kList:
		var parts []string
		for _, e := range v.list {
			if s, ok := e.scalar(); ok {
				parts = append(parts, clip(s))
			}
			if len(parts) == 4 {
				break
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
	if why, ok := ev.loopIDs[name]; ok {
		return ev.unknownf("%s", why)
	}
	if pseudo[name] || strings.HasPrefix(name, "AWS::") {
		return ev.unknownf("pseudo parameter %s is only known at deploy time", clip(name))
	}
	if p, ok := ev.t.params[name]; ok {
		if v, ok := ev.params[name]; ok {
			return v
		}
		v := ev.param(name, p, depth)
		if ev.over == "" {
			ev.params[name] = v
		}
		return v
	}
	if _, ok := ev.t.resources[name]; ok {
		return ev.unknownf("Ref to resource %s is only known at deploy time", clip(name))
	}
	return ev.unknownf("Ref to %s, which is neither a parameter nor a resource", clip(name))
}

func (ev *evaluator) param(full string, p *yaml.Node, depth int) value {
	name := clip(full)
	typ := ""
	if _, t := ev.lookup(p, "Type"); t != nil {
		typ = ev.eval(t, depth).s
	}
	if o, ok := ev.t.overrides[full]; ok {
		return ev.override(full, typ, o)
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
		return ev.unknownf("parameter %s is read from SSM Parameter Store at deploy time", name)
	}
	_, def := ev.lookup(p, "Default")
	if def == nil {
		return ev.unknownf("parameter %s has no Default", name)
	}
	v := ev.eval(def, depth)
	if v.k == kUnknown {
		return v
	}
	if s, ok := v.scalar(); ok && ev.use(int64(len(s))) && strings.Contains(s, "{{resolve:") {
		return ev.unknownf("parameter %s Default is a dynamic reference, resolved at deploy time", name)
	}
	if (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) && v.k != kList {
		s, _ := v.scalar()
		v = ev.split("parameter "+name+" Default", s, ",", true)
		if v.k == kUnknown {
			return v
		}
	}
	return ev.withVia(v, "parameter "+name+" Default")
}

// override is the value a parameter file gives a parameter of type typ.
func (ev *evaluator) override(full, typ string, o paramOverride) value {
	name := clip(full)
	switch {
	case o.UsePrevious:
		return ev.unknownf("parameter %s keeps the stack's current value (UsePreviousValue in %s), which eksguard cannot see", name, o.file)
	case ev.t.rejected[full] != "":
		return ev.unknownf("%s", ev.t.rejected[full])
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::Value"):
		return ev.unknownf("parameter %s is read from SSM Parameter Store at deploy time (%s names %s)", name, o.file, quote(o.Value))
	case strings.Contains(o.Value, "{{resolve:"):
		return ev.unknownf("parameter %s from %s is a dynamic reference, resolved at deploy time", name, o.file)
	}
	if !ev.use(int64(len(o.Value))) {
		return ev.stopped()
	}
	v := value{k: kStr, s: o.Value}
	if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
		v = ev.split("parameter "+name+" from "+o.file, o.Value, ",", true)
		if v.k == kUnknown {
			return v
		}
	}
	return ev.withVia(v, "parameter "+name+" from "+o.file)
}

func (ev *evaluator) sub(arg *yaml.Node, depth int) value {
	const fn = "Fn::Sub"
	arg = yamledit.Deref(arg)
	var tmpl *yaml.Node
	var vars *yaml.Node
	switch {
	case arg != nil && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
		tmpl = arg.Content[0]
		vars = yamledit.Deref(arg.Content[1])
		if vars == nil || vars.Kind != yaml.MappingNode {
			return ev.unknownf("Fn::Sub has malformed variables")
		}
	case arg != nil && arg.Kind == yaml.ScalarNode:
		tmpl = arg
	default:
		return ev.unknownf("Fn::Sub has malformed arguments")
	}
	s, bad := ev.str(tmpl, depth, "the string of Fn::Sub")
	if bad != nil {
		return *bad
	}
	if !ev.use(int64(len(s))) {
		return ev.stopped()
	}
	// First each variable is evaluated, once, and the result sized; then it is built.
	vals := map[string]value{}
	var size int64
	var vias []string
	var stop *value
	subParts(s, func(text string, variable bool) bool {
		if !variable {
			size += int64(len(text))
			return true
		}
		v, ok := vals[text]
		if !ok {
			switch _, n := ev.lookup(vars, text); {
			case n != nil:
				v = ev.eval(n, depth+1)
			case strings.Contains(text, ".") && !strings.HasPrefix(text, "AWS::"):
				v = ev.unknownf("Fn::GetAtt %s is only known at deploy time", clip(text))
			default:
				v = ev.ref(text, depth+1)
			}
			if v.k == kUnknown {
				u := v
				stop = &u
				return false
			}
			if _, ok := v.scalar(); !ok {
				u := ev.unknownf("Fn::Sub cannot substitute %s for ${%s}", v.describe(), clip(text))
				stop = &u
				return false
			}
			if !ev.use(valueBytes + int64(len(text))) {
				u := ev.stopped()
				stop = &u
				return false
			}
			vals[text] = v
			if v.via != "" && len(vias) < 16 && !slices.Contains(vias, v.via) {
				vias = append(vias, v.via)
			}
		}
		t, _ := v.scalar()
		size += int64(len(t))
		return true
	})
	switch {
	case stop != nil:
		return *stop
	case size > yamledit.MaxValueBytes:
		return ev.tooLarge(fn, size)
	case !ev.use(size):
		return ev.stopped()
	}
	var b strings.Builder
	b.Grow(int(size))
	subParts(s, func(text string, variable bool) bool {
		if variable {
			text, _ = vals[text].scalar()
		}
		b.WriteString(text)
		return true
	})
	via := cut(strings.Join(vias, "; "), maxViaBytes)
	ev.use(int64(len(via)))
	return value{k: kStr, s: b.String(), via: via}
}

// subParts splits the string of Fn::Sub into literal text and the names of variables (${Name}),
// calling f with each in order until it returns false. ${!Literal} is the literal text ${Literal}.
func subParts(s string, f func(text string, variable bool) bool) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			f(s, false)
			return
		}
		if !f(s[:i], false) {
			return
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			f(s[i:], false)
			return
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		var ok bool
		if strings.HasPrefix(name, "!") {
			ok = f("${", false) && f(name[1:], false) && f("}", false)
		} else {
			ok = f(name, true)
		}
		if !ok {
			return
		}
	}
}

func (ev *evaluator) findInMap(arg *yaml.Node, depth int) value {
	a, bad := ev.args("Fn::FindInMap", arg, 3, 4)
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
	_, top := ev.lookup(ev.t.mappings, keys[0])
	_, second := ev.lookup(top, keys[1])
	_, v := ev.lookup(second, keys[2])
	if v == nil {
		if len(a) == 4 {
			if _, d := ev.lookup(a[3], "DefaultValue"); d != nil {
				return ev.withVia(ev.eval(d, depth), "Fn::FindInMap DefaultValue")
			}
		}
		return ev.unknownf("Fn::FindInMap finds no %s/%s/%s in Mappings", clip(keys[0]), clip(keys[1]), clip(keys[2]))
	}
	return ev.withVia(ev.eval(v, depth), fmt.Sprintf("Mappings %s/%s/%s", clip(keys[0]), clip(keys[1]), clip(keys[2])))
}

// condition evaluates a named condition of the Conditions section, once.
func (ev *evaluator) condition(name string, depth int) condResult {
	if r, ok := ev.conds[name]; ok {
		return r
	}
	if ev.busy[name] {
		return condResult{why: fmt.Sprintf("condition %s refers to itself", clip(name))}
	}
	n, ok := ev.t.conditions[name]
	if !ok {
		return condResult{why: fmt.Sprintf("condition %s is not defined", clip(name))}
	}
	ev.busy[name] = true
	r := ev.condExpr(n, depth+1)
	delete(ev.busy, name)
	if !strings.HasPrefix(r.why, tooComplex) && ev.over == "" {
		ev.conds[name] = r
	}
	return r
}

// condExpr evaluates a condition: Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, or anything
// that evaluates to a boolean.
func (ev *evaluator) condExpr(n *yaml.Node, depth int) condResult {
	if !ev.spend(depth) {
		return condResult{why: ev.stopped().s}
	}
	n = yamledit.Deref(n)
	fn, arg, ok := ev.intrinsic(n)
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
	return ev.condCall(fn, arg, depth)
}

// condCall evaluates the condition function fn with its argument.
func (ev *evaluator) condCall(fn string, arg *yaml.Node, depth int) condResult {
	switch fn {
	case "Condition":
		name, bad := ev.str(arg, depth, "the name in Condition")
		if bad != nil {
			return condResult{why: bad.s}
		}
		return ev.condition(name, depth)
	case "Fn::Equals":
		a, bad := ev.args(fn, arg, 2, 2)
		if bad != nil {
			return condResult{why: bad.s}
		}
		x, y := ev.eval(a[0], depth), ev.eval(a[1], depth)
		for _, v := range []value{x, y} {
			if v.k == kUnknown {
				return condResult{why: v.s}
			}
		}
		return ev.equals(x, y)
	case "Fn::Not":
		a, bad := ev.args(fn, arg, 1, 1)
		if bad != nil {
			return condResult{why: bad.s}
		}
		r := ev.condExpr(a[0], depth)
		r.val = !r.val
		return r
	case "Fn::And", "Fn::Or":
		a, bad := ev.args(fn, arg, 1, 10)
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

// equals compares two known values as Fn::Equals does: as strings, lists and mappings rendered.
func (ev *evaluator) equals(x, y value) condResult {
	xs, xok := x.scalar()
	ys, yok := y.scalar()
	if !xok || !yok {
		var bad *value
		if xs, bad = ev.canonical(x); bad == nil {
			ys, bad = ev.canonical(y)
		}
		if bad != nil {
			return condResult{why: bad.s}
		}
	}
	if !ev.use(int64(min(len(xs), len(ys)))) {
		return condResult{why: ev.over}
	}
	return condResult{val: xs == ys}
}

// canonical renders a value for Fn::Equals, sizing the text before building it.
func (ev *evaluator) canonical(v value) (string, *value) {
	size, ok := ev.renderSize(v)
	if !ok {
		s := ev.stopped()
		return "", &s
	}
	if size > yamledit.MaxValueBytes {
		u := ev.tooLarge("Fn::Equals", size)
		return "", &u
	}
	if !ev.use(size) {
		s := ev.stopped()
		return "", &s
	}
	var b strings.Builder
	b.Grow(int(size))
	writeCanonical(&b, v)
	return b.String(), nil
}

// renderSize is the length of what writeCanonical writes, charged to the budget one step per item.
func (ev *evaluator) renderSize(v value) (int64, bool) {
	if s, ok := v.scalar(); ok {
		return int64(len(s)), true
	}
	switch {
	case v.k == kList:
		if !ev.spendN(len(v.list)) {
			return 0, false
		}
		size := int64(2 + max(len(v.list)-1, 0))
		for _, e := range v.list {
			n, ok := ev.renderSize(e)
			if !ok {
				return 0, false
			}
			size += n
		}
		return size, true
	case v.k == kMap && v.node != nil:
		keys := len(v.node.Content) / 2
		if !ev.spendN(keys) {
			return 0, false
		}
		size := int64(2 + max(keys-1, 0))
		for i := 0; i+1 < len(v.node.Content); i += 2 {
			size += int64(len(v.node.Content[i].Value))
		}
		return size, true
	}
	return int64(len("<" + v.describe() + ">")), true
}

func writeCanonical(b *strings.Builder, v value) {
	if s, ok := v.scalar(); ok {
		b.WriteString(s)
		return
	}
	switch {
	case v.k == kList:
		b.WriteByte('[')
		for i, e := range v.list {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case v.k == kMap && v.node != nil:
		var keys []string
		for i := 0; i+1 < len(v.node.Content); i += 2 {
			keys = append(keys, v.node.Content[i].Value)
		}
		sort.Strings(keys)
		b.WriteString("{" + strings.Join(keys, ",") + "}")
	default:
		b.WriteString("<" + v.describe() + ">")
	}
}
