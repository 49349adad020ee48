package terraform

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/eksguard/eksguard/internal/fileio"
)

// Terraform's language lets a small file describe an enormous value: a local doubled by concat() 44
// times, setproduct(range(1000), range(1000), range(1000)), three nested for expressions over
// literal lists, a template that repeats a large string. Counting evaluation steps does not catch
// these, since one step can build a billion elements. eksguard therefore bounds the size of what it
// builds, measured in approximate bytes of memory:
//
//   - every value a top-level expression evaluates to (a local, a variable, an argument), and every
//     value a function returns, is at most maxValueSize;
//   - the values one top-level expression builds along the way (function results, each element of a
//     for expression, each part of a template) add up to at most maxExprWork;
//   - everything one scan builds adds up to at most maxScanWork.
//
// Functions whose result can be far larger than their arguments (range, setproduct, format with a
// width, replace, indent, split...) are judged before they run, from their arguments. Past a bound
// the value is unknown, with a reason naming the expression, so a verdict that depends on it is
// UNKNOWN; the first time the scan-wide bound is passed is also reported as a problem. The bounds
// are far above what real configurations build (the largest values in real trees are IAM policy
// documents and maps of node groups, tens of kilobytes), and keep a hostile 200 KB file well under a
// gigabyte.
const (
	maxValueSize = 16 << 20
	maxExprWork  = 64 << 20
	maxScanWork  = 512 << 20
	// maxValueDepth bounds how deeply values nest. Locals can nest a value one level per local
	// (l1 = [local.l0], l2 = [local.l1], ...), and cty walks values recursively.
	maxValueDepth = 256
	// elemCost is what one element of a collection (or a number, a bool) costs in memory,
	// roughly: a cty.Value and what it points to.
	elemCost = 64
)

// guardName is the function eksguard wraps around the parts of an expression that build values (for
// expression elements, template parts), so that their size is counted as they are built. It is not
// a Terraform function: no configuration can call it, since it is inserted into parsed syntax trees
// only.
const guardName = "eksguard::size"

// liveName wraps the collection of each for expression.
const liveName = "eksguard::live"

// errTooLarge is returned by guards and wrapped functions when a bound is passed; the message is
// what the evaluation's reason says.
type errTooLarge struct{ msg string }

func (e *errTooLarge) Error() string { return e.msg }

// meter counts what evaluations build.
type meter struct {
	expr int64 // built by the current top-level evaluation
	scan int64 // built by the whole scan
	// tripped is the first bound passed during the current top-level evaluation.
	tripped *errTooLarge
	// scanTripped is set once the scan-wide bound has been passed.
	scanTripped bool
}

// start begins a top-level evaluation.
func (m *meter) start() {
	m.expr = 0
	m.tripped = nil
}

// charge counts n bytes built; what names what built them, for the reason.
func (m *meter) charge(n int64, what string) error {
	m.expr += n
	m.scan += n
	switch {
	case m.scan > maxScanWork:
		m.scanTripped = true
		return m.trip(fmt.Sprintf("the scan has built more than %s of values, eksguard's limit for one scan; %s is not evaluated", fileio.Size(maxScanWork), what))
	case m.expr > maxExprWork:
		return m.trip(fmt.Sprintf("evaluating it builds more than %s of values (at %s), over eksguard's limit for one expression", fileio.Size(maxExprWork), what))
	}
	return nil
}

func (m *meter) trip(msg string) error {
	e := &errTooLarge{msg: msg}
	if m.tripped == nil {
		m.tripped = e
	}
	return e
}

// checkValue refuses a value larger or deeper than a single value may be.
func (m *meter) checkValue(v cty.Value, what string) error {
	size, depth := measure(v, maxValueSize, maxValueDepth)
	switch {
	case depth > maxValueDepth:
		return m.trip(fmt.Sprintf("%s nests values more than %d levels deep, over eksguard's limit", what, maxValueDepth))
	case size > maxValueSize:
		return m.trip(fmt.Sprintf("%s builds a value larger than %s, eksguard's limit for one value", what, fileio.Size(maxValueSize)))
	}
	return nil
}

// measure returns the approximate memory a value takes, counting a value shared in several places
// each time (what a function that copies it, such as jsonencode or join, would build), and how deeply
// it nests. It stops as soon as either passes its limit, so measuring costs at most limit steps
// however large the value is.
func measure(v cty.Value, sizeLimit int64, depthLimit int) (int64, int) {
	var size int64
	maxDepth := 0
	var walk func(v cty.Value, depth int) bool
	walk = func(v cty.Value, depth int) bool {
		if depth > maxDepth {
			maxDepth = depth
		}
		if size > sizeLimit || depth > depthLimit {
			return false
		}
		v, _ = v.Unmark()
		if v == cty.NilVal || !v.IsKnown() || v.IsNull() {
			size += 8
			return true
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			size += int64(len(v.AsString())) + 16
		case ty.IsPrimitiveType():
			size += elemCost
		case ty.IsCapsuleType():
			size += 8
		case ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType():
			size += elemCost
			keyed := ty.IsMapType() || ty.IsObjectType()
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				size += elemCost
				if keyed {
					size += int64(len(k.AsString()))
				}
				if !walk(e, depth+1) {
					return false
				}
			}
		default:
			size += 8
		}
		return size <= sizeLimit
	}
	walk(v, 0)
	return size, maxDepth
}

// guardFunc passes its argument through, counting its size. Once a bound has been passed it returns
// an unknown value at once: HCL goes on evaluating every element of a for expression after an error,
// and a billion cheap errors still take minutes, while an unknown stops the iteration.
func (s *scanner) guardFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true}},
		Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, ty cty.Type) (cty.Value, error) {
			if s.meter.tripped != nil {
				return cty.UnknownVal(ty), nil
			}
			n, _ := measure(args[0], maxValueSize, maxValueDepth)
			if err := s.meter.charge(n, "an element of a for expression or a part of a template"); err != nil {
				return cty.UnknownVal(ty), nil
			}
			if n > maxValueSize {
				s.meter.trip(fmt.Sprintf("an element of a for expression or a part of a template is larger than %s, eksguard's limit for one value", fileio.Size(maxValueSize)))
				return cty.UnknownVal(ty), nil
			}
			return args[0], nil
		},
	})
}

// liveFunc passes a for expression's collection through until a bound has been passed, and then an
// unknown value, so that the for expression stops at once instead of iterating.
func (s *scanner) liveFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true}},
		Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, ty cty.Type) (cty.Value, error) {
			if s.meter.tripped != nil {
				return cty.UnknownVal(ty), nil
			}
			return args[0], nil
		},
	})
}

// boundFunctions wraps every function so that what it is asked to build is judged before it runs
// and what it built is counted after.
func (s *scanner) boundFunctions() map[string]function.Function {
	out := make(map[string]function.Function, len(functions)+1)
	for name, f := range functions {
		if isOpaque(name) {
			out[name] = f // returns unknown without building anything
			continue
		}
		out[name] = s.bound(name, f)
	}
	out[guardName] = s.guardFunc()
	out[liveName] = s.liveFunc()
	return out
}

func isOpaque(name string) bool {
	for _, o := range opaqueFuncs {
		if o == name {
			return true
		}
	}
	return false
}

func (s *scanner) bound(name string, f function.Function) function.Function {
	return function.New(&function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type:     func(args []cty.Value) (cty.Type, error) { return f.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, ty cty.Type) (cty.Value, error) {
			if s.meter.tripped != nil {
				return cty.UnknownVal(ty), nil
			}
			var in int64
			for _, a := range args {
				n, _ := measure(a, maxValueSize, maxValueDepth)
				in += n
				if in > maxValueSize {
					return cty.NilVal, s.meter.trip(fmt.Sprintf("the arguments of %s() are larger than %s, eksguard's limit for one value", name, fileio.Size(maxValueSize)))
				}
			}
			if want, what := predict(name, args, in); want > maxValueSize {
				return cty.NilVal, s.meter.trip(fmt.Sprintf("%s() would build %s, more than eksguard's limit of %s for one value", name, what, fileio.Size(maxValueSize)))
			}
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			n, depth := measure(v, maxValueSize, maxValueDepth)
			if err := s.meter.charge(n, name+"()"); err != nil {
				return cty.NilVal, err
			}
			if n > maxValueSize || depth > maxValueDepth {
				return cty.NilVal, s.meter.trip(fmt.Sprintf("%s() built a value larger than eksguard's limit of %s for one value", name, fileio.Size(maxValueSize)))
			}
			return v, nil
		},
	})
}

// predict estimates, before a function runs, the memory its result takes, for the functions whose
// result can be much larger than their arguments (in is the arguments' own size); what describes it
// for the reason. Other functions build at most about what they are given.
func predict(name string, args []cty.Value, in int64) (int64, string) {
	known := func(i int) bool {
		return i < len(args) && args[i].IsKnown() && !args[i].IsNull() && !args[i].IsMarked()
	}
	str := func(i int) string {
		if known(i) && args[i].Type() == cty.String {
			return args[i].AsString()
		}
		return ""
	}
	num := func(i int) (float64, bool) {
		if !known(i) || args[i].Type() != cty.Number {
			return 0, false
		}
		f, _ := args[i].AsBigFloat().Float64()
		return f, true
	}
	elements := func(n float64) (int64, string) {
		if n > math.MaxInt64/elemCost {
			return math.MaxInt64, fmt.Sprintf("%.3g elements", n)
		}
		return int64(n) * elemCost, fmt.Sprintf("%.0f elements", n)
	}
	switch name {
	case "range":
		start, limit, step := 0.0, 0.0, 1.0
		var ok bool
		switch len(args) {
		case 1:
			limit, ok = num(0)
		case 2, 3:
			var ok1, ok2 bool
			start, ok1 = num(0)
			limit, ok2 = num(1)
			ok = ok1 && ok2
			if len(args) == 3 {
				var ok3 bool
				step, ok3 = num(2)
				ok = ok && ok3
			}
		}
		if !ok || step == 0 || math.IsNaN(start) || math.IsNaN(limit) {
			return 0, ""
		}
		return elements(math.Max(0, math.Ceil((limit-start)/step)))
	case "setproduct":
		total := 1.0
		for i := range args {
			if !known(i) || !args[i].CanIterateElements() {
				return 0, ""
			}
			total *= float64(args[i].LengthInt())
		}
		return elements(total * float64(len(args)+1))
	case "format", "formatlist":
		width := formatWidth(str(0))
		copies := 1.0
		if name == "formatlist" {
			for i := 1; i < len(args); i++ {
				if known(i) && args[i].CanIterateElements() {
					copies = math.Max(copies, float64(args[i].LengthInt()))
				}
			}
		}
		total := copies * (width + float64(in))
		if total > math.MaxInt64/2 {
			return math.MaxInt64, "a string of more than 2^62 bytes"
		}
		return int64(total), fileio.Size(int64(total)) + " of text"
	case "replace":
		s, sub, rep := str(0), str(1), str(2)
		count := float64(len(s)) + 1
		if !strings.HasPrefix(sub, "/") && len(sub) > 0 {
			count = float64(strings.Count(s, sub))
		}
		total := float64(len(s)) + count*float64(len(rep))
		return int64(math.Min(total, math.MaxInt64/2)), fileio.Size(int64(math.Min(total, math.MaxInt64/2))) + " of text"
	case "indent":
		spaces, _ := num(0)
		s := str(1)
		total := float64(len(s)) + float64(strings.Count(s, "\n")+1)*math.Max(spaces, 0)
		return int64(math.Min(total, math.MaxInt64/2)), fileio.Size(int64(math.Min(total, math.MaxInt64/2))) + " of text"
	case "split":
		s, sep := str(1), str(0)
		parts := float64(len(s)) + 1
		if sep != "" {
			parts = float64(strings.Count(s, sep)) + 1
		}
		return elements(parts + float64(len(s))/elemCost)
	case "jsondecode", "csvdecode":
		// Each byte of the text can become an element ("[1,1,1,...]").
		return elements(float64(len(str(0))))
	case "jsonencode", "title", "upper", "lower":
		// Escaping and case mapping can grow text several times.
		return 6 * in, fileio.Size(6*in) + " of text"
	}
	return in, fileio.Size(in)
}

// formatWidth adds up the widths and precisions a format string asks for ("%0999999999d").
func formatWidth(f string) float64 {
	total := float64(len(f))
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		for i++; i < len(f); i++ {
			c := f[i]
			if c < '0' || c > '9' {
				if c == '.' || c == '-' || c == '+' || c == '#' || c == ' ' {
					continue
				}
				break
			}
			j := i
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			n, _ := new(big.Float).SetString(f[i:j])
			if n != nil {
				w, _ := n.Float64()
				total += w
			}
			i = j - 1
		}
	}
	return total
}

// guard rewrites an expression, once, so that the values it builds are counted as they are built:
// each element of a for expression and each non-literal part of a template passes through the guard
// function, and each for expression's collection through the live function. The wrappers keep the
// wrapped expression's source range, so messages quote the same text. Only expressions that are
// evaluated are rewritten, and the walk allocates nothing, so a scan pays for this in proportion to
// what it evaluates.
func (s *scanner) guard(e hcl.Expression) {
	se, ok := e.(hclsyntax.Expression)
	if !ok || s.guardedExprs[se] {
		return
	}
	s.guardedExprs[se] = true
	guardTree(se)
}

// guardTree walks a syntax tree, wrapping what guardNode wraps.
func guardTree(e hclsyntax.Expression) {
	switch x := e.(type) {
	case nil:
	case *hclsyntax.LiteralValueExpr, *hclsyntax.ScopeTraversalExpr, *hclsyntax.AnonSymbolExpr, *hclsyntax.ExprSyntaxError:
	case *hclsyntax.ParenthesesExpr:
		guardTree(x.Expression)
	case *hclsyntax.RelativeTraversalExpr:
		guardTree(x.Source)
	case *hclsyntax.FunctionCallExpr:
		for _, a := range x.Args {
			guardTree(a)
		}
	case *hclsyntax.ConditionalExpr:
		guardTree(x.Condition)
		guardTree(x.TrueResult)
		guardTree(x.FalseResult)
	case *hclsyntax.IndexExpr:
		guardTree(x.Collection)
		guardTree(x.Key)
	case *hclsyntax.TupleConsExpr:
		for _, el := range x.Exprs {
			guardTree(el)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, it := range x.Items {
			guardTree(it.KeyExpr)
			guardTree(it.ValueExpr)
		}
	case *hclsyntax.ObjectConsKeyExpr:
		guardTree(x.Wrapped)
	case *hclsyntax.ForExpr:
		guardTree(x.CollExpr)
		guardTree(x.KeyExpr)
		guardTree(x.ValExpr)
		guardTree(x.CondExpr)
		guardNode(x)
	case *hclsyntax.SplatExpr:
		guardTree(x.Source)
		guardTree(x.Each)
	case *hclsyntax.BinaryOpExpr:
		guardTree(x.LHS)
		guardTree(x.RHS)
	case *hclsyntax.UnaryOpExpr:
		guardTree(x.Val)
	case *hclsyntax.TemplateExpr:
		for _, p := range x.Parts {
			guardTree(p)
		}
		guardNode(x)
	case *hclsyntax.TemplateJoinExpr:
		guardTree(x.Tuple)
	case *hclsyntax.TemplateWrapExpr:
		guardTree(x.Wrapped)
	default:
		// A node type this walk does not know (a newer HCL): the generic walker finds what to wrap.
		_ = hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
			guardNode(n)
			return nil
		})
	}
}

func guardNode(n hclsyntax.Node) {
	switch e := n.(type) {
	case *hclsyntax.ForExpr:
		e.CollExpr = wrapped(liveName, e.CollExpr)
		e.ValExpr = guarded(e.ValExpr)
		if e.KeyExpr != nil {
			e.KeyExpr = guarded(e.KeyExpr)
		}
	case *hclsyntax.TemplateExpr:
		for i, p := range e.Parts {
			if _, lit := p.(*hclsyntax.LiteralValueExpr); !lit {
				e.Parts[i] = guarded(p)
			}
		}
	}
}

func guarded(e hclsyntax.Expression) hclsyntax.Expression { return wrapped(guardName, e) }

func wrapped(fn string, e hclsyntax.Expression) hclsyntax.Expression {
	if e == nil {
		return nil
	}
	if c, ok := e.(*hclsyntax.FunctionCallExpr); ok && (c.Name == guardName || c.Name == liveName) {
		return e
	}
	r := e.Range()
	return &hclsyntax.FunctionCallExpr{Name: fn, Args: []hclsyntax.Expression{e}, NameRange: r, OpenParenRange: r, CloseParenRange: r}
}

// native turns an expression of a .tf.json file into the native syntax tree Terraform would evaluate
// (strings are templates, arrays tuples, objects objects with template keys), which is then guarded
// like any other, so that JSON files are bounded in the same way. The conversion of each expression is kept.
// An expression that is not JSON, or whose source cannot be found, is returned as it is.
func (s *scanner) native(expr hcl.Expression) hcl.Expression {
	if !hcljson.IsJSONExpression(expr) {
		return expr
	}
	if n, ok := s.natives[expr]; ok {
		return n
	}
	rng := expr.Range()
	src, ok := s.srcs[rng.Filename]
	var out hcl.Expression = expr
	if ok && rng.Start.Byte >= 0 && rng.End.Byte <= len(src) && rng.Start.Byte < rng.End.Byte {
		p := &jsonConv{src: src, i: rng.Start.Byte, end: rng.End.Byte, file: rng.Filename, line: rng.Start.Line, col: rng.Start.Column}
		if e, err := p.value(0); err == nil {
			out = e
		}
	}
	s.natives[expr] = out
	return out
}

// jsonConv reads a JSON value from source bytes into native syntax. Its input has already passed
// the file's JSON parser and the nesting check, so it only has to be right for valid JSON; anything
// else returns an error and the original expression is used.
type jsonConv struct {
	src       []byte
	i, end    int
	file      string
	line, col int
}

var errNotJSON = errors.New("not JSON")

func (p *jsonConv) pos() hcl.Pos { return hcl.Pos{Line: p.line, Column: p.col, Byte: p.i} }

func (p *jsonConv) advance(n int) {
	for k := 0; k < n && p.i < p.end; k++ {
		if p.src[p.i] == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
		p.i++
	}
}

func (p *jsonConv) ws() {
	for p.i < p.end {
		switch p.src[p.i] {
		case ' ', '\t', '\r', '\n':
			p.advance(1)
		default:
			return
		}
	}
}

func (p *jsonConv) value(depth int) (hclsyntax.Expression, error) {
	if depth > maxNesting {
		return nil, errNotJSON
	}
	p.ws()
	if p.i >= p.end {
		return nil, errNotJSON
	}
	start := p.pos()
	switch c := p.src[p.i]; {
	case c == '"':
		return p.template()
	case c == '[':
		p.advance(1)
		var elems []hclsyntax.Expression
		for {
			p.ws()
			if p.i < p.end && p.src[p.i] == ']' {
				p.advance(1)
				break
			}
			e, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			elems = append(elems, e)
			p.ws()
			if p.i < p.end && p.src[p.i] == ',' {
				p.advance(1)
			}
		}
		return &hclsyntax.TupleConsExpr{Exprs: elems, SrcRange: hcl.Range{Filename: p.file, Start: start, End: p.pos()}, OpenRange: hcl.Range{Filename: p.file, Start: start, End: start}}, nil
	case c == '{':
		p.advance(1)
		var items []hclsyntax.ObjectConsItem
		for {
			p.ws()
			if p.i < p.end && p.src[p.i] == '}' {
				p.advance(1)
				break
			}
			kt, err := p.template()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= p.end || p.src[p.i] != ':' {
				return nil, errNotJSON
			}
			p.advance(1)
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, hclsyntax.ObjectConsItem{KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: kt, ForceNonLiteral: true}, ValueExpr: v})
			p.ws()
			if p.i < p.end && p.src[p.i] == ',' {
				p.advance(1)
			}
		}
		return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: hcl.Range{Filename: p.file, Start: start, End: p.pos()}, OpenRange: hcl.Range{Filename: p.file, Start: start, End: start}}, nil
	default:
		j := p.i
		for j < p.end && strings.IndexByte(",]} \t\r\n", p.src[j]) < 0 {
			j++
		}
		lit := string(p.src[p.i:j])
		var v cty.Value
		switch lit {
		case "true":
			v = cty.True
		case "false":
			v = cty.False
		case "null":
			v = cty.NullVal(cty.DynamicPseudoType)
		default:
			n, err := cty.ParseNumberVal(lit)
			if err != nil {
				return nil, errNotJSON
			}
			v = n
		}
		p.advance(j - p.i)
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: hcl.Range{Filename: p.file, Start: start, End: p.pos()}}, nil
	}
}

// template reads a JSON string at p.i as the template Terraform makes of it (object keys too).
func (p *jsonConv) template() (hclsyntax.Expression, error) {
	pos := p.pos()
	str, _, err := p.str()
	if err != nil {
		return nil, err
	}
	pos.Byte++ // past the opening quote
	pos.Column++
	t, diags := hclsyntax.ParseTemplate([]byte(str), p.file, pos)
	if diags.HasErrors() {
		return nil, errNotJSON
	}
	return t, nil
}

// str reads a JSON string at p.i and returns its value and raw bytes.
func (p *jsonConv) str() (string, []byte, error) {
	if p.i >= p.end || p.src[p.i] != '"' {
		return "", nil, errNotJSON
	}
	j := stringEnd(p.src[:p.end], p.i)
	if j >= p.end || p.src[j] != '"' || j == p.i {
		return "", nil, errNotJSON
	}
	raw := p.src[p.i : j+1]
	s, err := unquoteJSON(raw)
	if err != nil {
		return "", nil, err
	}
	p.advance(j + 1 - p.i)
	return s, raw, nil
}

func unquoteJSON(raw []byte) (string, error) {
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
