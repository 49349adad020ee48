package terraform

// Terragrunt: a folder with a terragrunt.hcl is a root. Its `terraform { source }` names the module,
// its `inputs` set the module's variables (Terragrunt passes them as TF_VAR_ variables), and its
// `include`, `locals`, `dependency`, `generate` and `read_terragrunt_config()` shape both. The module
// is evaluated as Terraform evaluates it in Terragrunt's working copy: a local module is read like a
// root module whose variables come from the inputs, the terraform-aws-modules/eks registry module like
// a call of it with the inputs as arguments.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// kindTerragrunt is a terragrunt.hcl file.
const kindTerragrunt fileKind = 100

const (
	tgFileName = "terragrunt.hcl"
	// tgCallName names the module call a registry source becomes, in messages about it.
	tgCallName = "terragrunt"
	// maxTGReads bounds nested read_terragrunt_config calls; Terragrunt has no limit, but a scan
	// must end on a file that reads itself.
	maxTGReads = 8
	// maxParentSearch bounds find_in_parent_folders.
	maxParentSearch = 64
)

// tgState is the Terragrunt part of a scan.
type tgState struct {
	files []*iac.File
	roots []*tgRoot
	// called are the folders a terragrunt.hcl evaluates (its own, and a local module source): they
	// are not Terraform roots of their own.
	called map[string]bool
	// reads caches read_terragrunt_config results by absolute path; reading marks those in progress.
	reads   map[string]tgRead
	reading map[string]bool
	// nesting counts evaluations in progress: one started by a function (read_terragrunt_config)
	// is part of the outer one, whose size meter it must not reset.
	nesting int
}

type tgRead struct {
	v      cty.Value
	reason string
}

// tgFile is one parsed Terragrunt configuration file.
type tgFile struct {
	src  *srcFile
	dir  string // absolute
	body *hclsyntax.Body
}

// tgInput is one input after merging: its value, why it is unknown, and where it is written.
type tgInput struct {
	val    cty.Value
	reason string
	// after is set when only dependency outputs make it unknown.
	after bool
	attr  *hcl.Attribute // located at the key; Expr.Range() is editable only when in the root's file
	file  string
	line  int
}

// tgRoot is one terragrunt.hcl and what its evaluation gave.
type tgRoot struct {
	file   *tgFile
	name   string // reported folder
	ok     bool
	source string
	srcRng hcl.Range
	inputs map[string]*tgInput
	// inputsReason is set when the inputs as a whole are unknown (which keys they set is not known).
	inputsReason string
	gens         []*srcFile
}

// tgEval evaluates the expressions of one Terragrunt file for one root.
type tgEval struct {
	s     *scanner
	root  *tgRoot
	file  *tgFile
	dir   string // get_terragrunt_dir(): the root's folder, or the file read by read_terragrunt_config
	depth int
	// incl are the included files by include name ("" for an unnamed include).
	incl     []*tgInclude
	locals   map[string]cty.Value
	lreason  map[string]string
	lstate   map[string]int
	ctx      *hcl.EvalContext
	reasons  []string
	deps     map[string]*tgDep
	depNames []string
	// parentDir is set for an included file: its own folder, get_parent_terragrunt_dir().
	parentDir string
	// inputsVal are the file's inputs once read, for include.<name>.inputs.
	inputsVal cty.Value
}

type tgInclude struct {
	name string
	ev   *tgEval
	rng  hcl.Range
	mode string
}

type tgDep struct {
	name     string
	file     string
	line     int
	path     string
	hasMocks bool
	mocks    cty.Value
}

func (s *scanner) addTerragrunt(f *iac.File) {
	if s.tg == nil {
		s.tg = &tgState{called: map[string]bool{}, reads: map[string]tgRead{}, reading: map[string]bool{}}
	}
	s.tg.files = append(s.tg.files, f)
}

// prepareTerragrunt evaluates every terragrunt.hcl among the input, before the Terraform roots are
// chosen: the folders they evaluate are theirs.
func (s *scanner) prepareTerragrunt() {
	if s.tg == nil {
		return
	}
	for _, f := range s.tg.files {
		if s.ctx.Err() != nil {
			return
		}
		r := s.readTerragrunt(f)
		if r == nil {
			continue
		}
		s.tg.roots = append(s.tg.roots, r)
		s.tg.called[r.file.dir] = true
		if dir, _, ok := r.localModule(); ok {
			s.tg.called[dir] = true
		}
	}
}

// terraformRoots drops the folders a terragrunt.hcl evaluates from the Terraform roots.
func (s *scanner) terraformRoots(roots []*module) []*module {
	if s.tg == nil {
		return roots
	}
	out := roots[:0]
	for _, m := range roots {
		if !s.tg.called[m.dir] {
			out = append(out, m)
		}
	}
	return out
}

// runTerragrunt evaluates the module of every terragrunt root.
func (s *scanner) runTerragrunt() {
	if s.tg == nil {
		return
	}
	for _, r := range s.tg.roots {
		if s.ctx.Err() != nil {
			return
		}
		if s.instances >= maxScanInstances {
			s.problem(iac.Problem{File: r.file.src.name, Code: finding.ProblemLimit, Message: fmt.Sprintf("root module not evaluated: the scan has already evaluated %d module and cluster instances, its limit", maxScanInstances)})
			continue
		}
		s.evalTerragrunt(r)
	}
}

// parseTG reads one Terragrunt file; nil when it cannot be used (the problem is reported).
func (s *scanner) parseTG(name, path string, data []byte) *tgFile {
	s.srcs[name] = data
	hf, ok := s.parseFile(data, name, false)
	if !ok {
		return nil
	}
	body, ok := hf.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	return &tgFile{src: &srcFile{name: name, path: path, data: data, body: hf.Body}, dir: absDir(path), body: body}
}

func (s *scanner) readTerragrunt(f *iac.File) *tgRoot {
	tf := s.parseTG(f.Name, f.Path, f.Data)
	if tf == nil {
		return nil
	}
	r := &tgRoot{file: tf, name: pathDir(f.Name), inputs: map[string]*tgInput{}}
	child := s.newTGEval(r, tf, tf.dir, 0)
	// Included files are evaluated in the including file's context (get_terragrunt_dir() is the
	// child's folder there too), before the child's locals, which may read include.<name>.locals.
	for _, b := range tf.body.Blocks {
		if b.Type != "include" {
			continue
		}
		inc := &tgInclude{rng: b.DefRange(), mode: "shallow"}
		if len(b.Labels) > 0 {
			inc.name = b.Labels[0]
		}
		pa := b.Body.Attributes["path"]
		if pa == nil {
			s.problem(iac.Problem{File: f.Name, Line: b.DefRange().Start.Line, Code: finding.ProblemInvalid, Message: "include block without path"})
			continue
		}
		if a := b.Body.Attributes["merge_strategy"]; a != nil {
			if v, reason := child.eval(a.Expr); reason == "" && v.Type() == cty.String && !v.IsNull() {
				inc.mode = v.AsString()
			}
		}
		pv, reason := child.eval(pa.Expr)
		if reason != "" || pv.Type() != cty.String || pv.IsNull() {
			if reason == "" {
				reason = "it is not a string"
			}
			s.problem(iac.Problem{File: f.Name, Line: pa.SrcRange.Start.Line, Code: finding.ProblemUnsupported, Message: fmt.Sprintf("include path cannot be evaluated (%s); the included configuration is not read, so what it sets is unknown", reason)})
			r.inputsReason = fmt.Sprintf("the include at %s:%d cannot be read: %s", f.Name, pa.SrcRange.Start.Line, reason)
			continue
		}
		p := pv.AsString()
		if !filepath.IsAbs(p) {
			p = filepath.Join(tf.dir, p)
		}
		pf, why := s.loadTGFile(p, tf)
		if pf == nil {
			s.problem(iac.Problem{File: f.Name, Line: pa.SrcRange.Start.Line, Code: finding.ProblemRead, Message: fmt.Sprintf("include %s: %s", s.tgName(p, tf), why)})
			r.inputsReason = fmt.Sprintf("the include at %s:%d cannot be read: %s", f.Name, pa.SrcRange.Start.Line, why)
			continue
		}
		for _, pb := range pf.body.Blocks {
			if pb.Type == "include" {
				s.problem(iac.Problem{File: pf.src.name, Line: pb.DefRange().Start.Line, Code: finding.ProblemUnsupported, Message: "an included configuration includes another; Terragrunt allows one level of include, and this one is not read"})
			}
		}
		inc.ev = s.newTGEval(r, pf, tf.dir, 0)
		inc.ev.parentDir = pf.dir
		child.incl = append(child.incl, inc)
	}
	for _, inc := range child.incl {
		inc.ev.incl = child.incl
		inc.ev.evalLocals()
	}
	child.setInclude(false)
	child.evalLocals()
	// Dependencies are merged by name, the child's winning, and seen by every file.
	deps := map[string]*tgDep{}
	var names []string
	for _, e := range append(includedEvals(child.incl), child) {
		for _, d := range e.readDeps() {
			if deps[d.name] == nil {
				names = append(names, d.name)
			}
			deps[d.name] = d
		}
	}
	for _, e := range append(includedEvals(child.incl), child) {
		e.deps, e.depNames = deps, names
		e.setDeps()
	}
	// Inputs: each included file's, then the child's, a later key winning (shallow merge).
	for _, inc := range child.incl {
		if inc.mode == "no_merge" {
			continue
		}
		in, why := inc.ev.readInputs()
		if why != "" {
			r.inputsReason = why
		}
		mergeInputs(r.inputs, in, inc.mode == "deep")
		inc.ev.setInputs(in)
	}
	child.setInclude(true)
	in, why := child.readInputs()
	if why != "" {
		r.inputsReason = why
	}
	mergeInputs(r.inputs, in, false)
	// terraform { source }: the child's, else an included file's.
	for _, e := range append([]*tgEval{child}, includedEvals(child.incl)...) {
		if e.readSource(r) {
			break
		}
	}
	// generate blocks by name, the child's winning.
	gens := map[string]*srcFile{}
	var genNames []string
	for _, e := range append(includedEvals(child.incl), child) {
		for _, g := range e.readGenerates() {
			key := filepath.Base(g.path)
			if gens[key] == nil {
				genNames = append(genNames, key)
			}
			gens[key] = g
		}
	}
	for _, n := range genNames {
		r.gens = append(r.gens, gens[n])
	}
	r.ok = true
	return r
}

func includedEvals(incl []*tgInclude) []*tgEval {
	var out []*tgEval
	for _, inc := range incl {
		if inc.ev != nil {
			out = append(out, inc.ev)
		}
	}
	return out
}

// mergeInputs merges inputs into dst, the new keys winning; deep merges objects key by key.
func mergeInputs(dst, src map[string]*tgInput, deep bool) {
	for k, v := range src {
		if old := dst[k]; deep && old != nil && old.reason == "" && v.reason == "" && isObject(old.val) && isObject(v.val) {
			merged := *v
			merged.val = deepMerge(old.val, v.val)
			dst[k] = &merged
			continue
		}
		dst[k] = v
	}
}

func isObject(v cty.Value) bool {
	return v.IsKnown() && !v.IsNull() && (v.Type().IsObjectType() || v.Type().IsMapType())
}

func deepMerge(a, b cty.Value) cty.Value {
	out := map[string]cty.Value{}
	for it := a.ElementIterator(); it.Next(); {
		k, v := it.Element()
		out[k.AsString()] = v
	}
	for it := b.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if old, ok := out[k.AsString()]; ok && isObject(old) && isObject(v) {
			v = deepMerge(old, v)
		}
		out[k.AsString()] = v
	}
	return cty.ObjectVal(out)
}

// loadTGFile reads a Terragrunt file found by path (an include, read_terragrunt_config): from the
// input when it is there, else from disk, as a local module is read.
func (s *scanner) loadTGFile(p string, from *tgFile) (*tgFile, string) {
	p = filepath.Clean(p)
	name := s.tgName(p, from)
	for _, f := range s.tg.files {
		if a, err := filepath.Abs(f.Path); err == nil && a == p {
			return s.parseTG(f.Name, f.Path, f.Data), ""
		}
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "no such file"
	case err != nil:
		return nil, fmt.Sprintf("it cannot be read: %v", unwrapPathErr(err))
	case fi.IsDir():
		return nil, "it is a folder"
	}
	data, err := iac.ReadFile(p)
	if err != nil {
		return nil, fmt.Sprintf("it cannot be read: %v", unwrapPathErr(err))
	}
	tf := s.parseTG(name, p, data)
	if tf == nil {
		return nil, "it does not parse"
	}
	return tf, ""
}

// tgName reports a path found from a Terragrunt file the way its folder is reported.
func (s *scanner) tgName(p string, from *tgFile) string {
	rel, err := filepath.Rel(from.dir, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return joinName(pathDir(from.src.name), rel)
}

func (s *scanner) newTGEval(r *tgRoot, f *tgFile, dir string, depth int) *tgEval {
	e := &tgEval{s: s, root: r, file: f, dir: dir, depth: depth, locals: map[string]cty.Value{}, lreason: map[string]string{}, lstate: map[string]int{}}
	funcs := make(map[string]function.Function, len(s.funcs)+24)
	for k, v := range s.funcs {
		funcs[k] = v
	}
	for k, v := range e.functions() {
		funcs[k] = v
	}
	e.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{"local": cty.EmptyObjectVal}, Functions: funcs}
	return e
}

// parentDir is get_parent_terragrunt_dir() in an included file: its own folder.
func (e *tgEval) setInclude(withInputs bool) {
	obj := map[string]cty.Value{}
	for _, inc := range e.incl {
		if inc.ev == nil || inc.name == "" {
			continue
		}
		m := map[string]cty.Value{"locals": cty.ObjectVal(inc.ev.locals)}
		if withInputs && inc.ev.inputsVal != cty.NilVal {
			m["inputs"] = inc.ev.inputsVal
		} else {
			m["inputs"] = cty.DynamicVal
		}
		obj[inc.name] = cty.ObjectVal(m)
	}
	e.ctx.Variables["include"] = cty.ObjectVal(obj)
}

func (e *tgEval) setDeps() {
	obj := map[string]cty.Value{}
	for _, n := range e.depNames {
		d := e.deps[n]
		out := cty.DynamicVal
		if d.hasMocks && e.s.opts.TerragruntMocks {
			out = d.mocks
		}
		obj[n] = cty.ObjectVal(map[string]cty.Value{"outputs": out, "config_path": cty.StringVal(d.path)})
	}
	e.ctx.Variables["dependency"] = cty.ObjectVal(obj)
}

func (e *tgEval) setInputs(in map[string]*tgInput) {
	obj := map[string]cty.Value{}
	for k, v := range in {
		obj[k] = v.val
	}
	e.inputsVal = cty.ObjectVal(obj)
}

// evalLocals evaluates the locals blocks of the file, each after those it reads.
func (e *tgEval) evalLocals() {
	attrs := map[string]*hclsyntax.Attribute{}
	var names []string
	for _, b := range e.file.body.Blocks {
		if b.Type != "locals" {
			continue
		}
		for n, a := range b.Body.Attributes {
			if _, dup := attrs[n]; dup {
				e.s.problem(iac.Problem{File: e.file.src.name, Line: a.SrcRange.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("local.%s is defined twice", n)})
				continue
			}
			attrs[n] = a
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return attrs[names[i]].SrcRange.Start.Byte < attrs[names[j]].SrcRange.Start.Byte })
	for _, n := range names {
		e.locals[n] = cty.DynamicVal
	}
	var visit func(n string, stack []string)
	visit = func(n string, stack []string) {
		switch e.lstate[n] {
		case localDone:
			return
		case localVisiting:
			e.lreason[n] = "local." + n + " is part of a reference cycle (" + joinLocals(append(stack[indexOf(stack, n):], n)) + ")"
			return
		}
		a := attrs[n]
		if a == nil {
			return
		}
		e.lstate[n] = localVisiting
		for _, t := range a.Expr.Variables() {
			if t.RootName() == "local" {
				if x := attrName(t); x != "" {
					visit(x, append(stack, n))
				}
			}
		}
		e.lstate[n] = localDone
		if strings.Contains(e.lreason[n], "reference cycle") {
			return
		}
		e.ctx.Variables["local"] = cty.ObjectVal(e.locals)
		v, reason, _ := e.evalFull(a.Expr)
		e.locals[n] = v
		if reason != "" {
			e.lreason[n] = foldLocalReason(n, reason)
		}
	}
	for _, n := range names {
		visit(n, nil)
	}
	e.ctx.Variables["local"] = cty.ObjectVal(e.locals)
}

func (e *tgEval) readDeps() []*tgDep {
	var out []*tgDep
	for _, b := range e.file.body.Blocks {
		if b.Type != "dependency" || len(b.Labels) == 0 {
			continue
		}
		d := &tgDep{name: b.Labels[0], file: e.file.src.name, line: b.DefRange().Start.Line}
		if a := b.Body.Attributes["config_path"]; a != nil {
			if v, reason := e.eval(a.Expr); reason == "" && v.Type() == cty.String && !v.IsNull() {
				d.path = filepath.ToSlash(v.AsString())
			} else {
				d.path = e.s.exprSrc(a.Expr)
			}
		}
		if a := b.Body.Attributes["mock_outputs"]; a != nil {
			v, reason := e.eval(a.Expr)
			if reason == "" && isObject(v) {
				d.hasMocks, d.mocks = true, v
			}
		}
		out = append(out, d)
	}
	return out
}

// readInputs evaluates the file's inputs, key by key when they are written as an object.
func (e *tgEval) readInputs() (map[string]*tgInput, string) {
	out := map[string]*tgInput{}
	a := e.file.body.Attributes["inputs"]
	if a == nil {
		return out, ""
	}
	name := e.file.src.name
	if obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range obj.Items {
			kv, kreason := e.eval(item.KeyExpr)
			if kreason != "" || kv.Type() != cty.String || kv.IsNull() {
				return out, fmt.Sprintf("a key of the inputs at %s:%d is not known", name, item.KeyExpr.Range().Start.Line)
			}
			k := kv.AsString()
			v, reason, after := e.evalFull(item.ValueExpr)
			rng := hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
			out[k] = &tgInput{val: v, reason: reason, after: after, file: name, line: rng.Start.Line,
				attr: &hcl.Attribute{Name: k, Expr: item.ValueExpr, Range: rng, NameRange: item.KeyExpr.Range()}}
		}
		return out, ""
	}
	v, reason, after := e.evalFull(a.Expr)
	line := a.SrcRange.Start.Line
	if !v.IsKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		if reason == "" {
			reason = "it is not an object"
		}
		return out, fmt.Sprintf("the inputs at %s:%d are not known: %s", name, line, reason)
	}
	for it := v.ElementIterator(); it.Next(); {
		kv, ev := it.Element()
		in := &tgInput{val: ev, after: after, file: name, line: line}
		if !ev.IsWhollyKnown() {
			in.reason = reason
		}
		out[kv.AsString()] = in
	}
	return out, ""
}

// readSource reads terraform { source }; false when this file has none.
func (e *tgEval) readSource(r *tgRoot) bool {
	for _, b := range e.file.body.Blocks {
		if b.Type != "terraform" {
			continue
		}
		a := b.Body.Attributes["source"]
		if a == nil {
			continue
		}
		r.srcRng = a.SrcRange
		v, reason := e.eval(a.Expr)
		if reason != "" || v.Type() != cty.String || v.IsNull() {
			if reason == "" {
				reason = "it is not a string"
			}
			e.s.problem(iac.Problem{File: e.file.src.name, Line: a.SrcRange.Start.Line, Code: finding.ProblemUnsupported, Message: fmt.Sprintf("terraform source cannot be evaluated (%s); the module is not read", reason)})
			r.source = ""
			return true
		}
		r.source = v.AsString()
		return true
	}
	return false
}

// readGenerates evaluates the generate blocks that write Terraform files, as extra files of the module.
func (e *tgEval) readGenerates() []*srcFile {
	var out []*srcFile
	for _, b := range e.file.body.Blocks {
		if b.Type != "generate" || len(b.Labels) == 0 {
			continue
		}
		if a := b.Body.Attributes["disable"]; a != nil {
			if v, reason := e.eval(a.Expr); reason == "" && v.Type() == cty.Bool && !v.IsNull() && v.True() {
				continue
			}
		}
		pa, ca := b.Body.Attributes["path"], b.Body.Attributes["contents"]
		if pa == nil || ca == nil {
			continue
		}
		pv, preason := e.eval(pa.Expr)
		if preason != "" || pv.Type() != cty.String || pv.IsNull() {
			continue
		}
		p := pv.AsString()
		lower := strings.ToLower(p)
		isJSON := strings.HasSuffix(lower, ".tf.json")
		if !isJSON && !strings.HasSuffix(lower, ".tf") {
			continue // a .tfvars, a backend file for another tool: not configuration
		}
		cv, creason := e.eval(ca.Expr)
		name := joinName(e.root.name, p)
		if creason != "" || cv.Type() != cty.String || cv.IsNull() {
			if creason == "" {
				creason = "it is not a string"
			}
			e.s.problem(iac.Problem{File: e.file.src.name, Line: ca.SrcRange.Start.Line, Code: finding.ProblemUnsupported, Message: fmt.Sprintf("generate %q: contents cannot be evaluated (%s); what it declares is not read", b.Labels[0], creason)})
			continue
		}
		out = append(out, &srcFile{name: name, path: "", data: []byte(cv.AsString()), json: isJSON})
	}
	return out
}

// eval evaluates an expression of the file; a value not wholly known comes with the reason.
func (e *tgEval) eval(expr hcl.Expression) (cty.Value, string) {
	v, reason, _ := e.evalFull(expr)
	return v, reason
}

func (e *tgEval) evalFull(expr hcl.Expression) (cty.Value, string, bool) {
	s := e.s
	s.guard(expr)
	text := s.exprSrc(expr)
	if s.meter.scanTripped {
		return cty.DynamicVal, text + " is not evaluated: the scan has built too many values, eksguard's limit for one scan", false
	}
	e.reasons = nil
	nested := e.depth > 0 || s.tg.nesting > 0
	if !nested {
		s.meter.start()
	}
	s.tg.nesting++
	v, diags := expr.Value(e.ctx)
	s.tg.nesting--
	if t := s.meter.tripped; t != nil {
		return cty.DynamicVal, fmt.Sprintf("%s is not evaluated: %s", text, t.msg), false
	}
	if diags.HasErrors() {
		d := diags[0]
		msg := strings.TrimSuffix(firstNonEmpty(d.Detail, d.Summary), ".")
		if len(e.reasons) > 0 {
			msg = strings.Join(e.reasons, "; ")
		}
		return cty.DynamicVal, fmt.Sprintf("%s cannot be evaluated: %s", text, msg), false
	}
	if err := s.meter.checkValue(v, "it"); err != nil {
		return cty.DynamicVal, fmt.Sprintf("%s is not evaluated: %s", text, s.meter.tripped.msg), false
	}
	if v.IsWhollyKnown() {
		return v, "", false
	}
	reason, after := e.unknownReason(expr, text)
	return v, reason, after
}

// unknownReason names what makes a value unknown: dependency outputs, locals, functions.
func (e *tgEval) unknownReason(expr hcl.Expression, text string) (string, bool) {
	var reasons []string
	seen := map[string]bool{}
	add := func(r string) {
		if r != "" && !seen[r] {
			seen[r] = true
			reasons = append(reasons, r)
		}
	}
	onlyDeps := true
	for _, t := range expr.Variables() {
		if v, diags := t.TraverseAbs(e.ctx); !diags.HasErrors() && v.IsWhollyKnown() {
			continue
		}
		switch t.RootName() {
		case "dependency":
			add(e.depReason(t))
			continue
		case "local":
			if r := e.lreason[attrName(t)]; r != "" {
				add(r)
			} else {
				add(traversalString(t) + " is not known")
			}
		case "include":
			add(traversalString(t) + " is not known: the included configuration sets it from something unknown")
		default:
			add(traversalString(t) + " is not known")
		}
		onlyDeps = false
	}
	for _, r := range e.reasons {
		add(r)
		onlyDeps = false
	}
	if len(reasons) == 0 {
		if fn := opaqueCall(expr); fn != "" {
			return fmt.Sprintf("%s calls %s(), which eksguard does not evaluate", text, fn), false
		}
		return text + " is not known", false
	}
	if len(reasons) > 3 {
		reasons = append(reasons[:3], "...")
	}
	return strings.Join(reasons, "; "), onlyDeps
}

func (e *tgEval) depReason(t hcl.Traversal) string {
	name := attrName(t)
	d := e.deps[name]
	if d == nil {
		return fmt.Sprintf("%s: there is no dependency %q", traversalString(t), name)
	}
	what := fmt.Sprintf("%s is an output of %s (dependency %q at %s:%d), known only once that configuration is applied", traversalString(t), d.path, name, d.file, d.line)
	switch {
	case !d.hasMocks:
		return what + "; the dependency has no mock_outputs"
	case !e.s.opts.TerragruntMocks:
		return what + "; pass --terragrunt-mocks to use its mock_outputs"
	}
	return what + "; its mock_outputs do not give it"
}

// exprSrc quotes an expression's source, shortened, for messages.
func (s *scanner) exprSrc(expr hcl.Expression) string {
	return s.constText(expr)
}

// localModule returns the folder of a local source, with how it is reported.
func (r *tgRoot) localModule() (dir, name string, ok bool) {
	src := r.source
	if src == "" || strings.Contains(src, "::") || strings.Contains(src, "://") {
		return "", "", false
	}
	if !filepath.IsAbs(src) && !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") && src != "." && src != ".." {
		return "", "", false
	}
	if i := strings.Index(src, "?"); i >= 0 {
		src = src[:i]
	}
	// "../modules//eks": Terragrunt copies ../modules and runs Terraform in its eks folder.
	if i := strings.Index(src[1:], "//"); i >= 0 {
		src = src[:i+1] + "/" + src[i+3:]
	}
	dir = filepath.Clean(filepath.FromSlash(src))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.file.dir, dir)
	}
	rel, err := filepath.Rel(r.file.dir, dir)
	if err != nil {
		return dir, filepath.ToSlash(dir), true
	}
	return dir, joinName(r.name, rel), true
}

// registryCall turns a registry or Git source into the module call Terraform would make of it:
// tfr:///terraform-aws-modules/eks/aws?version=20.8.4 is source "terraform-aws-modules/eks/aws" with
// version "20.8.4"; a Git source stays as it is, its ref giving the version.
func (r *tgRoot) registryCall() (source, ver string) {
	src := strings.TrimSpace(r.source)
	rest, ok := strings.CutPrefix(src, "tfr://")
	if !ok {
		return src, ""
	}
	if i := strings.Index(rest, "?"); i >= 0 {
		for _, kv := range strings.Split(rest[i+1:], "&") {
			if v, found := strings.CutPrefix(kv, "version="); found {
				ver = v
			}
		}
		rest = rest[:i]
	}
	// tfr:///ns/name/provider is the default registry; tfr://host/ns/name/provider keeps its host.
	return strings.TrimPrefix(rest, "/"), ver
}

// evalTerragrunt evaluates the module a terragrunt root names.
func (s *scanner) evalTerragrunt(r *tgRoot) {
	name := r.name
	s.rootInstances, s.rootCapped, s.rootName = 0, false, name
	tgMod := &module{dir: r.file.dir, name: name, vars: map[string]*varDecl{}, locals: map[string]*local{}, overridden: map[string]string{}, outputs: map[string]*hcl.Attribute{}}
	line := r.srcRng.Start.Line
	if r.source == "" {
		// No source: Terragrunt runs the folder's own .tf files (none in a root.hcl-style parent).
		if r.srcRng.Filename == "" && len(s.dirFiles[r.file.dir]) > 0 {
			s.evalTGModule(r, tgMod, r.file.dir, name, s.dirFiles[r.file.dir])
		}
		return
	}
	if dir, modName, ok := r.localModule(); ok {
		base, why := s.loadModuleDir(dir, modName)
		if base == nil {
			s.problem(iac.Problem{File: r.file.src.name, Line: line, Code: finding.ProblemRead, Message: fmt.Sprintf("Unreadable module directory: terraform source %q: %s", r.source, why)})
			return
		}
		s.evalTGModule(r, tgMod, dir, modName, base.files)
		return
	}
	source, ver := r.registryCall()
	block := &hcl.Block{Type: "terraform", DefRange: r.srcRng, TypeRange: hcl.Range{Filename: r.srcRng.Filename, Start: hcl.Pos{Line: line, Byte: -1}, End: hcl.Pos{Line: line, Byte: -1}}}
	c := &callDecl{name: tgCallName, file: r.file.src, block: block, attrs: hcl.Attributes{}, source: source, version: ver}
	if ver != "" {
		rng := r.srcRng
		c.versionRng = &rng
	}
	vars := map[string]*varVal{}
	for k, in := range r.inputs {
		var rng hcl.Range
		if in.attr != nil && in.file == r.file.src.name {
			rng = in.attr.Expr.Range()
		} else {
			rng = hcl.Range{Filename: in.file, Start: hcl.Pos{Line: in.line, Byte: -1}, End: hcl.Pos{Line: in.line, Byte: -1}}
		}
		t := hcl.Traversal{hcl.TraverseRoot{Name: "var", SrcRange: rng}, hcl.TraverseAttr{Name: k, SrcRange: rng}}
		c.attrs[k] = &hcl.Attribute{Name: k, Expr: &hclsyntax.ScopeTraversalExpr{Traversal: t, SrcRange: rng}, Range: hcl.Range{Filename: in.file, Start: hcl.Pos{Line: in.line, Byte: -1}, End: hcl.Pos{Line: in.line, Byte: -1}}}
		vars[k] = s.tgVar(k, in)
	}
	tgMod.calls = []*callDecl{c}
	inst := &instance{s: s, mod: tgMod, dirs: []string{tgMod.dir}, vars: vars}
	inst.root = inst
	start, skipStart := len(s.res.Resources), len(s.res.Skipped)
	inst.run()
	// The cluster is the module's: Terragrunt runs the module as the root module.
	prefix := "module." + tgCallName + "."
	for _, res := range s.res.Resources[start:] {
		res.Cluster.Name = strings.TrimPrefix(res.Cluster.Name, prefix)
		if res.Cluster.Name == "module."+tgCallName {
			res.Cluster.Name = "terraform.source" // a remote module eksguard does not read
		}
		if r.inputsReason != "" {
			unknownDefaults(res.Cluster, "the module's default applies only if the inputs leave it out, and they are not all known: "+r.inputsReason)
		}
	}
	for i := range s.res.Skipped[skipStart:] {
		sk := &s.res.Skipped[skipStart+i]
		if sk.Resource == "module."+tgCallName {
			sk.Resource = "terraform.source"
		}
	}
}

// tgVar is the value an input gives a variable.
func (s *scanner) tgVar(k string, in *tgInput) *varVal {
	vv := &varVal{val: in.val, from: fmt.Sprintf("the input at %s:%d", in.file, in.line)}
	if in.reason != "" {
		vv.reason = fmt.Sprintf("var.%s (input at %s:%d): %s", k, in.file, in.line, in.reason)
		vv.afterApply = in.after
	}
	return vv
}

// evalTGModule evaluates a local module as Terragrunt's root module: its files with the generated
// ones, its variables from the inputs.
func (s *scanner) evalTGModule(r *tgRoot, tgMod *module, dir, modName string, files []*srcFile) {
	var all []*srcFile
	gen := map[string]bool{}
	for _, g := range r.gens {
		gen[strings.ToLower(filepath.Base(g.name))] = true
	}
	for _, f := range files {
		if !gen[strings.ToLower(filepath.Base(f.name))] {
			all = append(all, &srcFile{name: f.name, path: f.path, data: f.data, json: f.json})
		}
	}
	// .tf files beside terragrunt.hcl are copied into the working copy too.
	if dir != r.file.dir {
		for _, f := range s.dirFiles[r.file.dir] {
			all = append(all, &srcFile{name: f.name, path: f.path, data: f.data, json: f.json})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	for _, g := range r.gens {
		all = append(all, &srcFile{name: g.name, data: g.data, json: g.json})
	}
	m := s.parseModule(dir, all)
	m.name = modName
	if !s.spend(r.file.src.name, r.srcRng.Start.Line) {
		return
	}
	tgRootInst := &instance{s: s, mod: tgMod}
	tgRootInst.root = tgRootInst
	call := &callDecl{name: tgCallName, file: r.file.src, attrs: hcl.Attributes{}}
	for k, in := range r.inputs {
		if in.attr != nil && in.file == r.file.src.name {
			call.attrs[k] = in.attr
			continue
		}
		rng := hcl.Range{Filename: in.file, Start: hcl.Pos{Line: in.line, Byte: -1}, End: hcl.Pos{Line: in.line, Byte: -1}}
		call.attrs[k] = &hcl.Attribute{Name: k, Expr: hcl.StaticExpr(in.val, rng), Range: rng}
	}
	child := &instance{s: s, mod: m, root: tgRootInst, call: call, dirs: []string{r.file.dir, dir}, depth: 1}
	if r.inputsReason != "" {
		child.notes = []string{"the inputs are not all known: " + r.inputsReason}
	}
	child.vars = map[string]*varVal{}
	for n, d := range m.vars {
		var vv *varVal
		switch in := r.inputs[n]; {
		case in != nil:
			vv = s.tgVar(n, in)
		case r.inputsReason != "":
			vv = &varVal{val: cty.DynamicVal, reason: fmt.Sprintf("var.%s: %s", n, r.inputsReason)}
			if d.typed {
				vv.val = cty.UnknownVal(d.ty)
			}
		default:
			vv = s.defaultVar(d, fmt.Sprintf("var.%s has no value: the inputs of %s do not set it and it has no default", n, r.file.src.name))
		}
		child.vars[n] = s.finishVar(d, vv)
	}
	child.run()
}

// tgOpaque are Terragrunt functions whose results depend on the machine, the credentials or the
// command Terragrunt runs: their values are unknown, and the reason names them.
var tgOpaque = map[string]string{
	"get_aws_account_id":                           "reads the AWS account of the credentials Terragrunt runs with, which eksguard iac never reads",
	"get_aws_account_alias":                        "reads the AWS account of the credentials Terragrunt runs with, which eksguard iac never reads",
	"get_aws_caller_identity_arn":                  "reads the AWS credentials Terragrunt runs with, which eksguard iac never reads",
	"get_aws_caller_identity_user_id":              "reads the AWS credentials Terragrunt runs with, which eksguard iac never reads",
	"run_cmd":                                      "runs a command, which eksguard does not do",
	"sops_decrypt_file":                            "decrypts a file, which eksguard does not do",
	"get_repo_root":                                "depends on the Git checkout Terragrunt runs in",
	"get_path_from_repo_root":                      "depends on the Git checkout Terragrunt runs in",
	"get_path_to_repo_root":                        "depends on the Git checkout Terragrunt runs in",
	"get_platform":                                 "depends on the machine Terragrunt runs on",
	"get_terraform_command":                        "depends on the command Terragrunt runs",
	"get_terraform_cli_args":                       "depends on the command Terragrunt runs",
	"get_working_dir":                              "depends on Terragrunt's working copy",
	"read_tfvars_file":                             "is not evaluated by eksguard",
	"get_terraform_commands_that_need_vars":        "is not evaluated by eksguard",
	"get_terraform_commands_that_need_input":       "is not evaluated by eksguard",
	"get_terraform_commands_that_need_locking":     "is not evaluated by eksguard",
	"get_terraform_commands_that_need_parallelism": "is not evaluated by eksguard",
	"get_default_retryable_errors":                 "is not evaluated by eksguard",
	"constraint_check":                             "is not evaluated by eksguard",
}

// functions are the Terragrunt functions, evaluated for this file and root.
func (e *tgEval) functions() map[string]function.Function {
	param := &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true}
	mk := func(name string, impl func(args []string, raw []cty.Value) (cty.Value, error)) function.Function {
		return function.New(&function.Spec{VarParam: param, Type: function.StaticReturnType(cty.DynamicPseudoType),
			Impl: func(raw []cty.Value, _ cty.Type) (cty.Value, error) {
				args := make([]string, len(raw))
				for i, v := range raw {
					if !v.IsWhollyKnown() {
						return cty.DynamicVal, nil // the unknown argument names its own reason
					}
					if !v.IsNull() && v.Type() == cty.String {
						args[i] = v.AsString()
					}
				}
				return impl(args, raw)
			}})
	}
	unknown := func(reason string) (cty.Value, error) {
		e.reasons = append(e.reasons, reason)
		return cty.DynamicVal, nil
	}
	str := func(p string) cty.Value { return cty.StringVal(filepath.ToSlash(p)) }
	// include finds the included file a function names ("" for the first).
	include := func(args []string) *tgEval {
		if e.parentDir != "" {
			return e
		}
		for _, inc := range e.incl {
			if inc.ev != nil && (len(args) == 0 || args[0] == "" || args[0] == inc.name) {
				return inc.ev
			}
		}
		return nil
	}
	fs := map[string]function.Function{
		"get_terragrunt_dir":          mk("get_terragrunt_dir", func([]string, []cty.Value) (cty.Value, error) { return str(e.dir), nil }),
		"get_original_terragrunt_dir": mk("get_original_terragrunt_dir", func([]string, []cty.Value) (cty.Value, error) { return str(e.dir), nil }),
		"get_parent_terragrunt_dir": mk("get_parent_terragrunt_dir", func(args []string, _ []cty.Value) (cty.Value, error) {
			if inc := include(args); inc != nil {
				return str(inc.file.dir), nil
			}
			return str(e.dir), nil
		}),
		"path_relative_to_include": mk("path_relative_to_include", func(args []string, _ []cty.Value) (cty.Value, error) {
			inc := include(args)
			if inc == nil {
				return cty.StringVal("."), nil
			}
			rel, err := filepath.Rel(inc.file.dir, e.root.file.dir)
			if err != nil {
				return unknown("path_relative_to_include(): " + err.Error())
			}
			return str(rel), nil
		}),
		"path_relative_from_include": mk("path_relative_from_include", func(args []string, _ []cty.Value) (cty.Value, error) {
			inc := include(args)
			if inc == nil {
				return cty.StringVal("."), nil
			}
			rel, err := filepath.Rel(e.root.file.dir, inc.file.dir)
			if err != nil {
				return unknown("path_relative_from_include(): " + err.Error())
			}
			return str(rel), nil
		}),
		"get_env": mk("get_env", func(args []string, raw []cty.Value) (cty.Value, error) {
			if len(args) == 0 {
				return cty.DynamicVal, errors.New("get_env needs the name of an environment variable")
			}
			if len(raw) > 1 && !raw[1].IsNull() {
				// A scan depends only on its files and flags: the environment is taken to be unset.
				return raw[1], nil
			}
			return unknown(fmt.Sprintf("get_env(%q) reads the environment Terragrunt runs in, which eksguard does not read, and gives no default", args[0]))
		}),
		"find_in_parent_folders": mk("find_in_parent_folders", func(args []string, raw []cty.Value) (cty.Value, error) {
			name := tgFileName
			if len(args) > 0 && args[0] != "" {
				name = args[0]
			}
			d := filepath.Dir(e.dir)
			for i := 0; i < maxParentSearch; i++ {
				p := filepath.Join(d, filepath.FromSlash(name))
				if _, err := os.Stat(p); err == nil {
					return str(p), nil
				}
				up := filepath.Dir(d)
				if up == d {
					break
				}
				d = up
			}
			if len(raw) > 1 && !raw[1].IsNull() {
				return raw[1], nil
			}
			return unknown(fmt.Sprintf("find_in_parent_folders(%q) finds no %s in the folders above %s", name, name, e.s.tgName(e.dir, e.file)))
		}),
		"read_terragrunt_config": mk("read_terragrunt_config", func(args []string, raw []cty.Value) (cty.Value, error) {
			if len(args) == 0 || args[0] == "" {
				return cty.DynamicVal, errors.New("read_terragrunt_config needs a file path")
			}
			v, reason := e.readConfig(args[0])
			if reason != "" {
				if v == cty.NilVal && len(raw) > 1 {
					return raw[1], nil
				}
				if v == cty.NilVal {
					v = cty.DynamicVal
				}
				e.reasons = append(e.reasons, reason)
			}
			return v, nil
		}),
		"mark_as_read": mk("mark_as_read", func(_ []string, raw []cty.Value) (cty.Value, error) {
			if len(raw) == 0 {
				return cty.NullVal(cty.String), nil
			}
			return raw[0], nil
		}),
	}
	for n, why := range tgOpaque {
		fs[n] = mk(n, func([]string, []cty.Value) (cty.Value, error) { return unknown(n + "() " + why) })
	}
	return fs
}

// readConfig is read_terragrunt_config: the locals and inputs of another Terragrunt file, evaluated
// in its own folder. The value is nil when the file cannot be read (a default then applies).
func (e *tgEval) readConfig(p string) (cty.Value, string) {
	s := e.s
	if !filepath.IsAbs(p) {
		p = filepath.Join(e.dir, filepath.FromSlash(p))
	}
	p = filepath.Clean(p)
	key := p + "\x00" + e.root.file.dir
	if r, ok := s.tg.reads[key]; ok {
		return r.v, r.reason
	}
	name := s.tgName(p, e.file)
	if s.tg.reading[p] || e.depth >= maxTGReads {
		return cty.DynamicVal, fmt.Sprintf("read_terragrunt_config(%q) reads a file that is already being read", name)
	}
	f, why := s.loadTGFile(p, e.file)
	if f == nil {
		return cty.NilVal, fmt.Sprintf("read_terragrunt_config(%q): %s", name, why)
	}
	s.tg.reading[p] = true
	sub := s.newTGEval(e.root, f, f.dir, e.depth+1)
	sub.evalLocals()
	sub.deps = map[string]*tgDep{}
	for _, d := range sub.readDeps() {
		sub.deps[d.name] = d
		sub.depNames = append(sub.depNames, d.name)
	}
	sub.setDeps()
	in, _ := sub.readInputs()
	sub.setInputs(in)
	delete(s.tg.reading, p)
	v := cty.ObjectVal(map[string]cty.Value{"locals": cty.ObjectVal(sub.locals), "inputs": sub.inputsVal})
	reason := ""
	if !v.IsWhollyKnown() {
		var rs []string
		for _, n := range sortedKeys(sub.lreason) {
			rs = append(rs, sub.lreason[n])
		}
		for _, k := range sortedKeys(in) {
			if in[k].reason != "" {
				rs = append(rs, in[k].reason)
			}
		}
		if len(rs) > 2 {
			rs = append(rs[:2], "...")
		}
		reason = fmt.Sprintf("read_terragrunt_config(%q): %s", name, strings.Join(rs, "; "))
	}
	s.tg.reads[key] = tgRead{v: v, reason: reason}
	return v, reason
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unknownDefaults makes the settings a module default decided unknown: inputs that are not all known
// may set them.
func unknownDefaults(cl *model.Cluster, why string) {
	for _, b := range []*model.Bool{&cl.EndpointPublicAccess, &cl.EndpointPrivateAccess} {
		if b.Origin == model.OriginDefault {
			*b = model.Unknown(why)
		}
	}
	for _, l := range []*model.Strings{&cl.PublicAccessCIDRs, &cl.EnabledLogTypes} {
		if l.Origin == model.OriginDefault {
			*l = model.UnknownList(why)
		}
	}
	for _, str := range []*model.String{&cl.AuthenticationMode, &cl.SecretsKeyARN} {
		if str.Origin == model.OriginDefault {
			*str = model.UnknownString(why)
		}
	}
}
