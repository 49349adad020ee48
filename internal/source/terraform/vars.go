package terraform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// varFile is a parsed variable definitions file.
type varFile struct {
	name string
	// file and attrs are the file and its assignments, where a fix changes a value it sets.
	file   *srcFile
	attrs  hcl.Attributes
	values map[string]cty.Value
	lines  map[string]int
	// reasons say why a value is unknown (it passed a size bound).
	reasons map[string]string
}

// parseVarFile reads a .tfvars or .tfvars.json file. Values must be constants, as in Terraform.
func (s *scanner) parseVarFile(name string, data []byte, json bool) *varFile {
	return s.parseVarFileAt(name, "", data, json)
}

// parseVarFileAt is parseVarFile for a file at path on disk, which a fix may then edit.
func (s *scanner) parseVarFileAt(name, path string, data []byte, json bool) *varFile {
	hf, ok := s.parseFile(data, name, json)
	if !ok {
		return nil
	}
	attrs, diags := hf.Body.JustAttributes()
	s.diags(diags, name)
	vf := &varFile{name: name, values: map[string]cty.Value{}, lines: map[string]int{}, reasons: map[string]string{}, attrs: attrs}
	if path != "" {
		vf.file = &srcFile{name: name, path: path, data: data, json: json, body: hf.Body}
	}
	for n, a := range attrs {
		v, reason, diags := s.constValue(a.Expr)
		if diags.HasErrors() {
			s.diags(diags, name)
			continue
		}
		vf.values[n] = v
		vf.lines[n] = a.Range.Start.Line
		if reason != "" {
			vf.reasons[n] = fmt.Sprintf("var.%s (%s:%d): %s", n, name, a.Range.Start.Line, reason)
		}
	}
	return vf
}

// loadVarFiles reads the -var-file files once; they apply to every root module.
func (s *scanner) loadVarFiles() {
	for _, p := range s.opts.VarFiles {
		data, err := iac.ReadFile(p)
		if err != nil {
			msg := "-var-file: " + err.Error()
			if _, serr := os.Stat(p); os.IsNotExist(serr) {
				msg = "-var-file: no such file"
			}
			// The code stays flag (the flag names the file), at the line an encoding error gives.
			prob := iac.ReadProblem(filepath.ToSlash(p), err)
			prob.Code, prob.Message = finding.ProblemFlag, msg
			s.problem(prob)
			continue
		}
		vf := s.parseVarFileAt(filepath.ToSlash(p), p, data, strings.HasSuffix(strings.ToLower(p), ".json"))
		if vf != nil {
			s.varFiles = append(s.varFiles, vf)
		}
	}
}

// varVal is the value of an input variable in one module instance, and where it came from.
type varVal struct {
	val cty.Value
	// from says where a known value came from ("terraform.tfvars", "-var", "the module.eks argument
	// at main.tf:12"); reason says why an unknown one is unknown.
	from, reason string
	// afterApply marks a value unknown only until apply (evaluation.afterApply): a caller's argument
	// that reads another resource.
	afterApply bool
	// setBy is the assignment that gave the value (a tfvars line, the variable's default) in the file
	// setIn, where a fix changes it; cli is set for a -var value, which no edit can change.
	setIn *srcFile
	setBy *hcl.Attribute
	cli   bool
}

// rootVars assembles the variables of a root module in Terraform's order of precedence: defaults,
// terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, -var-file in order,
// then -var. Terraform reads TF_VAR_* from the environment too; eksguard does not, so that a scan
// depends only on its inputs and flags.
func (s *scanner) rootVars(m *module) map[string]*varVal {
	set := map[string]*varVal{}
	auto := append([]*iac.File(nil), s.autoVars[m.dir]...)
	sort.Slice(auto, func(i, j int) bool {
		return autoRank(filepath.Base(auto[i].Path)) < autoRank(filepath.Base(auto[j].Path))
	})
	var files []*varFile
	for _, f := range auto {
		if vf := s.parseVarFileAt(f.Name, f.Path, f.Data, strings.HasSuffix(strings.ToLower(f.Path), ".json")); vf != nil {
			files = append(files, vf)
		}
	}
	files = append(files, s.varFiles...)
	for _, vf := range files {
		for n, v := range vf.values {
			if _, ok := m.vars[n]; ok {
				set[n] = &varVal{val: v, from: fmt.Sprintf("%s:%d", vf.name, vf.lines[n]), reason: vf.reasons[n], setIn: vf.file, setBy: vf.attrs[n]}
			}
		}
	}
	for n, raw := range s.opts.Vars {
		d, ok := m.vars[n]
		if !ok {
			continue
		}
		v, err := s.parseCLIVar(d, raw)
		if err != nil {
			s.problem(iac.Problem{File: "-var", Code: finding.ProblemFlag, Message: fmt.Sprintf("%s=%s: %v", n, shorten(raw, 60), err)})
			set[n] = &varVal{val: cty.DynamicVal, reason: fmt.Sprintf("var.%s: the -var value cannot be read", n)}
			continue
		}
		set[n] = &varVal{val: v, from: "-var", cli: true}
	}
	out := map[string]*varVal{}
	for n, d := range m.vars {
		vv := set[n]
		if vv == nil {
			vv = s.defaultVar(d, fmt.Sprintf("var.%s has no value (no default, not set in a tfvars file or with -var)", n))
		}
		out[n] = s.finishVar(d, vv)
	}
	return out
}

// autoRank orders automatic variable files as Terraform loads them.
func autoRank(base string) string {
	switch strings.ToLower(base) {
	case "terraform.tfvars":
		return "0"
	case "terraform.tfvars.json":
		return "1"
	}
	return "2" + base
}

// defaultVar is the value of a variable nobody set: its default, or unknown.
func (s *scanner) defaultVar(d *varDecl, missing string) *varVal {
	if d.def == cty.NilVal {
		ty := d.ty
		if !d.typed {
			ty = cty.DynamicPseudoType
		}
		return &varVal{val: cty.UnknownVal(ty), reason: missing}
	}
	vv := &varVal{val: d.def, from: fmt.Sprintf("the default at %s:%d", d.file.name, d.defRng.Start.Line), setIn: d.file, setBy: d.defAttr}
	if d.defReason != "" {
		vv.reason = fmt.Sprintf("var.%s (the default at %s:%d): %s", d.name, d.file.name, d.defRng.Start.Line, d.defReason)
	}
	return vv
}

// finishVar converts a value to the variable's type, as Terraform does before anyone reads it.
func (s *scanner) finishVar(d *varDecl, vv *varVal) *varVal {
	v := vv.val
	if v.IsNull() && d.nonNullable && d.def != cty.NilVal {
		v = d.def
	}
	if d.defaults != nil && v.IsKnown() && !v.IsNull() {
		v = d.defaults.Apply(v)
	}
	if d.typed {
		cv, err := convert.Convert(v, d.ty)
		if err != nil {
			where := vv.from
			if where == "" {
				where = fmt.Sprintf("%s:%d", d.file.name, d.rng.Start.Line)
			}
			s.problem(iac.Problem{File: d.file.name, Line: d.rng.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid value for variable %q (from %s): %v", d.name, where, err)})
			return &varVal{val: cty.UnknownVal(d.ty), reason: fmt.Sprintf("var.%s has a value of the wrong type (%v)", d.name, err)}
		}
		v = cv
	}
	out := *vv
	out.val = v
	return &out
}

// parseCLIVar reads a -var value the way Terraform does: a raw string for variables of primitive or
// no type, an expression otherwise. For an untyped variable, a value that looks like a list, an object,
// a number or a bool is read as an expression too, since it would otherwise never be usable as one.
func (s *scanner) parseCLIVar(d *varDecl, raw string) (cty.Value, error) {
	trimmed := strings.TrimSpace(raw)
	expr := !d.literal
	if !d.typed && trimmed != "" && (strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "{") ||
		trimmed == "true" || trimmed == "false" || isNumber(trimmed)) {
		expr = true
	}
	if !expr {
		return cty.StringVal(raw), nil
	}
	if p := exprNesting([]byte(raw), "-var"); p != nil {
		return cty.NilVal, errors.New(p.Message)
	}
	e, diags := hclsyntax.ParseExpression([]byte(raw), "-var", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("not a valid expression: %s", diags[0].Summary)
	}
	v, reason, diags := s.constValue(e)
	if reason != "" {
		return cty.NilVal, errors.New(reason)
	}
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("not a constant value: %s", diags[0].Summary)
	}
	return v, nil
}

func isNumber(s string) bool {
	_, err := cty.ParseNumberVal(s)
	return err == nil
}

// shorten cuts text for a message, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
