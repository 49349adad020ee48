package cloudformation

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Fn::ForEach (Transform: AWS::LanguageExtensions) is expanded as the transform does before the stack
// is created: 'Fn::ForEach::Name': [Identifier, Collection, {OutputKey: OutputValue}] becomes one
// OutputKey: OutputValue pair per item of the collection, in the mapping that holds the loop (the
// Resources or Conditions section, a resource's properties, or the output of an enclosing loop). The
// collection is a list written in place or anything that evaluates to one (a Ref to a
// CommaDelimitedList parameter, Fn::Split, Fn::FindInMap). In the output, ${Identifier} and
// &{Identifier} (which drops the characters that are not letters or digits) are replaced in every
// key, ${Identifier} in the strings of Fn::Sub, and Ref: Identifier by the item; other strings are
// left as written, as the transform leaves them.
//
// The expansion is a copy of the fragment with the items substituted, which the evaluator reads like
// any template; edits go to the fragment itself (see fixState.fromFragment). A collection that cannot
// be known before deploying expands once, with the identifier unknown: the settings that do not
// depend on it are still judged, since they hold for every cluster the loop declares.

const (
	// maxLoopNesting is how many loops eksguard expands within the outermost one. CloudFormation's
	// RFC for Fn::ForEach allows five.
	maxLoopNesting = 5
	// maxLoopOutputs bounds the pairs all loops of a template produce; a stack holds at most 500
	// resources, so a real template is far below it.
	maxLoopOutputs = 5000
)

const loopPrefix = "Fn::ForEach::"

// binding is one loop identifier and its item, or why the item is unknown.
type binding struct {
	id, val, why string
}

// loopEntry is one key-value pair a loop produced.
type loopEntry struct {
	// key is the expanded key; keyNode and val are copies of the fragment with the items substituted,
	// origKey and origVal the fragment in the template.
	key              string
	keyNode, val     *yaml.Node
	origKey, origVal *yaml.Node
	// inBlock is set when the output mapping is a block mapping.
	inBlock bool
	// loop is the key of the innermost loop (Fn::ForEach::Name).
	loop  string
	binds []binding
}

// expander expands the loops of one template.
type expander struct {
	t       *template
	outputs int
	seen    map[string]bool // problems reported, since a nested loop is met once per outer item
}

func newExpander(t *template) *expander { return &expander{t: t, seen: map[string]bool{}} }

// languageExtensions reports whether the template declares Transform: AWS::LanguageExtensions (alone
// or in a list); without it CloudFormation does not know Fn::ForEach.
func languageExtensions(root *yaml.Node) bool {
	_, tr := yamledit.Lookup(root, "Transform")
	tr = yamledit.Deref(tr)
	if tr == nil {
		return false
	}
	if tr.Kind == yaml.ScalarNode {
		return tr.Value == "AWS::LanguageExtensions"
	}
	if tr.Kind == yaml.SequenceNode {
		for _, c := range tr.Content {
			if c = yamledit.Deref(c); c != nil && c.Kind == yaml.ScalarNode && c.Value == "AWS::LanguageExtensions" {
				return true
			}
		}
	}
	return false
}

func (e *expander) problem(at *yaml.Node, code, format string, a ...any) {
	p := iac.Problem{File: e.t.file.Name, Code: code, Message: fmt.Sprintf(format, a...)}
	if at != nil {
		p.Line, p.Column = at.Line, at.Column
	}
	if k := fmt.Sprintf("%d:%d:%s", p.Line, p.Column, p.Message); !e.seen[k] {
		e.seen[k] = true
		e.t.problems = append(e.t.problems, p)
	}
}

// charge counts n steps of copying against the template's budget; false once it is spent.
func (e *expander) charge(n int) bool {
	e.t.used.steps += n
	return e.t.used.spent() == ""
}

// loop expands the loop at key k (Fn::ForEach::Name) with argument v, within the loops of binds,
// calling emit for every pair it produces, nested loops' pairs included.
func (e *expander) loop(k, v *yaml.Node, binds []binding, nesting int, emit func(loopEntry)) {
	name := clip(k.Value)
	if nesting > maxLoopNesting {
		e.problem(k, finding.ProblemLimit, "%s is nested %d loops deep; eksguard expands at most %d loops within one (as CloudFormation allows), so what it declares is not checked", name, nesting, maxLoopNesting)
		return
	}
	arg := yamledit.Deref(v)
	if arg == nil || arg.Kind != yaml.SequenceNode || len(arg.Content) != 3 {
		e.problem(k, finding.ProblemInvalid, "%s must be [Identifier, Collection, {OutputKey: OutputValue}]; CloudFormation rejects the template", name)
		return
	}
	idNode, out := yamledit.Deref(arg.Content[0]), yamledit.Deref(arg.Content[2])
	if idNode == nil || idNode.Kind != yaml.ScalarNode || idNode.Tag != "!!str" || idNode.Value == "" {
		e.problem(k, finding.ProblemInvalid, "the identifier of %s must be a string; CloudFormation rejects the template", name)
		return
	}
	if out == nil || out.Kind != yaml.MappingNode {
		e.problem(k, finding.ProblemInvalid, "the output of %s must be a mapping of OutputKey to OutputValue; CloudFormation rejects the template", name)
		return
	}
	items, why, bad := e.collection(arg.Content[1], binds)
	if bad != "" {
		e.problem(k, finding.ProblemInvalid, "the collection of %s %s; CloudFormation rejects the template", name, bad)
		return
	}
	id := idNode.Value
	var instances [][]binding
	if why != "" {
		b := binding{id: id, why: fmt.Sprintf("the collection of %s cannot be known before deploying (%s)", name, why)}
		instances = append(instances, withBinding(binds, b))
	}
	for _, it := range items {
		instances = append(instances, withBinding(binds, binding{id: id, val: it}))
	}
	for _, nb := range instances {
		c := newCopier(e, nb, nesting)
		for i := 0; i+1 < len(out.Content); i += 2 {
			ok, ov := yamledit.Deref(out.Content[i]), out.Content[i+1]
			if ok == nil || ok.Kind != yaml.ScalarNode {
				continue
			}
			if strings.HasPrefix(ok.Value, loopPrefix) {
				e.loop(ok, ov, nb, nesting+1, emit)
				continue
			}
			if e.outputs++; e.outputs > maxLoopOutputs || !e.charge(1) {
				e.problem(k, finding.ProblemLimit, "%s: the loops of this template make more than %d entries or spend eksguard's evaluation budget; the rest are not checked", name, maxLoopOutputs)
				return
			}
			kn := c.key(out.Content[i])
			emit(loopEntry{key: kn.Value, keyNode: kn, val: c.copy(ov, 0), origKey: out.Content[i], origVal: ov,
				inBlock: out.Style&yaml.FlowStyle == 0, loop: name, binds: nb})
		}
	}
}

func withBinding(binds []binding, b binding) []binding {
	return append(append(make([]binding, 0, len(binds)+1), binds...), b)
}

// collection evaluates the collection of a loop: its items, or why it cannot be known, or what is
// wrong with it.
func (e *expander) collection(n *yaml.Node, binds []binding) (items []string, why, bad string) {
	ev := newEvaluator(e.t)
	ev.loopIDs = unknownIDs(binds)
	v := ev.eval(newCopier(e, binds, 0).copy(n, 0), 0)
	switch v.k {
	case kUnknown:
		return nil, v.s, ""
	case kList:
	default:
		return nil, "", "is " + v.describe() + ", not a list"
	}
	for _, it := range v.list {
		if it.k == kUnknown {
			return nil, it.s, ""
		}
		s, ok := it.scalar()
		if !ok {
			return nil, "", "has an item that is " + it.describe() + ", not a string"
		}
		items = append(items, s)
	}
	return items, "", ""
}

// unknownIDs maps the identifiers whose items are unknown to why.
func unknownIDs(binds []binding) map[string]string {
	var out map[string]string
	for _, b := range binds {
		if b.why != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[b.id] = b.why
		} else {
			delete(out, b.id)
		}
	}
	return out
}

// copier copies a fragment with the items of binds substituted. Each node is copied once per
// instance, so aliases cost what they cost in the template.
type copier struct {
	e       *expander
	binds   []binding
	nesting int
	memo    map[*yaml.Node]*yaml.Node
}

func newCopier(e *expander, binds []binding, nesting int) *copier {
	return &copier{e: e, binds: binds, nesting: nesting, memo: map[*yaml.Node]*yaml.Node{}}
}

// bound is the item of identifier id, when it is known.
func (c *copier) bound(id string) (string, bool) {
	for i := len(c.binds) - 1; i >= 0; i-- {
		if c.binds[i].id == id {
			return c.binds[i].val, c.binds[i].why == ""
		}
	}
	return "", false
}

// subst replaces ${Identifier} by the known items of binds, and &{Identifier} too in a key.
func (c *copier) subst(s string, key bool) string {
	if !strings.Contains(s, "{") {
		return s
	}
	for i := len(c.binds) - 1; i >= 0; i-- {
		b := c.binds[i]
		if b.why != "" {
			continue
		}
		s = strings.ReplaceAll(s, "${"+b.id+"}", b.val)
		if key {
			s = strings.ReplaceAll(s, "&{"+b.id+"}", alnum(b.val))
		}
		if len(s) > yamledit.MaxValueBytes {
			return s[:yamledit.MaxValueBytes]
		}
	}
	c.e.t.used.bytes += int64(len(s))
	return s
}

// alnum keeps the ASCII letters and digits of s, as &{Identifier} does.
func alnum(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (c *copier) key(n *yaml.Node) *yaml.Node {
	k := yamledit.Deref(n)
	if k == nil {
		return n
	}
	cp := *k
	if k.Kind == yaml.ScalarNode {
		cp.Value = c.subst(k.Value, true)
	}
	return &cp
}

// item is the scalar that replaces Ref: Identifier, at the Ref's place.
func item(at *yaml.Node, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: at.Line, Column: at.Column}
}

func (c *copier) copy(n *yaml.Node, depth int) *yaml.Node {
	if n == nil {
		return nil
	}
	if out, ok := c.memo[n]; ok {
		return out
	}
	if depth > maxDepth || !c.e.charge(1) {
		return n // evaluation meets the spent budget and says so
	}
	cp := *n
	out := &cp
	c.memo[n] = out
	tag := ""
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		tag = n.Tag
	}
	switch n.Kind {
	case yaml.AliasNode:
		out.Alias = c.copy(n.Alias, depth+1)
	case yaml.ScalarNode:
		switch tag {
		case "!Ref":
			if v, ok := c.bound(n.Value); ok {
				*out = *item(n, v)
			}
		case "!Sub":
			out.Value = c.subst(n.Value, false)
		}
	case yaml.SequenceNode:
		out.Content = make([]*yaml.Node, len(n.Content))
		for i, ch := range n.Content {
			out.Content[i] = c.copy(ch, depth+1)
		}
		if tag == "!Sub" && len(out.Content) > 0 {
			out.Content[0] = c.subTemplate(out.Content[0])
		}
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			if k := yamledit.Deref(n.Content[0]); k != nil && k.Kind == yaml.ScalarNode && k.Value == "Ref" {
				if v := yamledit.Deref(n.Content[1]); v != nil && v.Kind == yaml.ScalarNode {
					if s, ok := c.bound(v.Value); ok {
						*out = *item(n, s)
						return out
					}
				}
			}
		}
		out.Content = make([]*yaml.Node, 0, len(n.Content))
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := yamledit.Deref(n.Content[i])
			if k != nil && k.Kind == yaml.ScalarNode && strings.HasPrefix(k.Value, loopPrefix) && c.e.t.langExt {
				c.e.loop(k, n.Content[i+1], c.binds, c.nesting+1, func(le loopEntry) {
					out.Content = append(out.Content, le.keyNode, le.val)
				})
				continue
			}
			v := c.copy(n.Content[i+1], depth+1)
			if k != nil && k.Value == "Fn::Sub" && len(n.Content) == 2 {
				v = c.subTemplate(v)
			}
			out.Content = append(out.Content, c.key(n.Content[i]), v)
		}
	}
	return out
}

// subTemplate substitutes the string of an Fn::Sub argument: the argument itself, or the first item
// of [String, {Variables}].
func (c *copier) subTemplate(n *yaml.Node) *yaml.Node {
	switch {
	case n == nil:
	case n.Kind == yaml.ScalarNode:
		cp := *n
		cp.Value = c.subst(n.Value, false)
		return &cp
	case n.Kind == yaml.SequenceNode && len(n.Content) > 0 && n.Content[0] != nil && n.Content[0].Kind == yaml.ScalarNode:
		cp := *n
		cp.Content = append([]*yaml.Node(nil), n.Content...)
		first := *n.Content[0]
		first.Value = c.subst(first.Value, false)
		cp.Content[0] = &first
		return &cp
	}
	return n
}

// hasLoop reports whether a subtree holds a Fn::ForEach key, within the template's budget.
func (t *template) hasLoop(n *yaml.Node, depth int) bool {
	if n == nil || depth > maxDepth || n.Kind == yaml.AliasNode {
		return false
	}
	if t.used.steps++; t.used.spent() != "" {
		return false
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && strings.HasPrefix(k.Value, loopPrefix) {
				return true
			}
		}
	}
	for _, c := range n.Content {
		if t.hasLoop(c, depth+1) {
			return true
		}
	}
	return false
}

// mentions says which loop identifier of ids a subtree of the template uses (Ref: Identifier,
// ${Identifier}, &{Identifier}), or the key of a loop inside it (Fn::ForEach::Name), or "" for neither.
func mentions(n *yaml.Node, ids []string, depth int, steps *int) string {
	if n == nil || depth > maxDepth {
		return ""
	}
	if *steps++; *steps > maxSteps {
		return "a value too large to inspect"
	}
	if n.Kind == yaml.AliasNode {
		return mentions(n.Alias, ids, depth+1, steps)
	}
	if n.Kind == yaml.ScalarNode {
		for _, id := range ids {
			if n.Tag == "!Ref" && n.Value == id || strings.Contains(n.Value, "${"+id+"}") || strings.Contains(n.Value, "&{"+id+"}") {
				return id
			}
		}
		return ""
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := yamledit.Deref(n.Content[i]), yamledit.Deref(n.Content[i+1])
			if k == nil || k.Kind != yaml.ScalarNode {
				continue
			}
			if strings.HasPrefix(k.Value, loopPrefix) {
				return clip(k.Value)
			}
			if k.Value == "Ref" && v != nil && v.Kind == yaml.ScalarNode {
				for _, id := range ids {
					if v.Value == id {
						return id
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		if m := mentions(c, ids, depth+1, steps); m != "" {
			return m
		}
	}
	return ""
}

// expandConditions adds the conditions that loops in the Conditions section make.
func (t *template) expandConditions(ex *expander, root *yaml.Node) {
	_, m := yamledit.Lookup(root, "Conditions")
	m = yamledit.Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := yamledit.Deref(m.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode || !strings.HasPrefix(k.Value, loopPrefix) {
			continue
		}
		delete(t.conditions, k.Value)
		ex.loop(k, m.Content[i+1], nil, 0, func(le loopEntry) {
			if _, ok := t.conditions[le.key]; !ok {
				t.conditions[le.key] = le.val
			}
		})
	}
}

// expandResources adds the clusters that the loops of the Resources section declare, each named by
// its expanded logical ID and located at the fragment.
func (t *template) expandResources(ex *expander, loops [][2]*yaml.Node, inBlock bool) {
	for _, l := range loops {
		k := l[0]
		if !t.langExt {
			ex.problem(k, finding.ProblemInvalid, "%s needs Transform: AWS::LanguageExtensions, without which CloudFormation rejects the template; the EKS and ECR resources it declares are not checked", clip(k.Value))
			continue
		}
		ex.loop(k, l[1], nil, 0, func(le loopEntry) {
			_, tn := yamledit.Lookup(le.val, "Type")
			tn = yamledit.Deref(tn)
			if tn == nil || tn.Kind != yaml.ScalarNode {
				return
			}
			if !readType(tn.Value) {
				if _, dup := t.resources[le.key]; !dup {
					t.resources[le.key] = le.val
				}
				return
			}
			r := resourceEntry{key: le.keyNode, node: le.val, id: le.key, typ: tn.Value, inBlock: le.inBlock && inBlock,
				origKey: le.origKey, origNode: le.origVal, loop: le.loop, binds: le.binds, unknownIDs: unknownIDs(le.binds)}
			for _, b := range le.binds {
				r.loopIDs = append(r.loopIDs, b.id)
			}
			if r.unknownIDs == nil {
				if _, dup := t.resources[le.key]; dup {
					ex.problem(le.origKey, finding.ProblemInvalid, "%s makes a second resource %s; CloudFormation rejects duplicate logical IDs", le.loop, quote(le.key))
					return
				}
				if alnum(le.key) != le.key || le.key == "" {
					ex.problem(le.origKey, finding.ProblemInvalid, "%s makes the logical ID %s, which is not alphanumeric, so CloudFormation rejects it (&{Identifier} drops the other characters)", le.loop, quote(le.key))
					return
				}
			}
			t.resources[le.key] = le.val
			t.order = append(t.order, r)
		})
	}
}

// loopNote says which loop declared a cluster, and with which items.
func (r resourceEntry) loopNote() string {
	if r.loop == "" {
		return ""
	}
	var known, unknown []string
	for id, why := range r.unknownIDs {
		unknown = append(unknown, fmt.Sprintf("%s (%s)", clip(id), why))
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return fmt.Sprintf("%s stands for every cluster %s declares: %s; a setting that depends on it is unknown, the others hold for all of them", clip(r.id), r.loop, strings.Join(unknown, "; "))
	}
	for _, b := range r.binds {
		known = append(known, fmt.Sprintf("%s = %s", clip(b.id), quote(b.val)))
	}
	return fmt.Sprintf("declared by %s with %s", r.loop, strings.Join(known, ", "))
}
