package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// srcFile is one configuration file of a module.
type srcFile struct {
	name string // as reported
	path string // on disk
	data []byte
	json bool
	body hcl.Body
}

// module is one folder of Terraform configuration, parsed but not evaluated: a module can be
// evaluated several times (as a root, or once per call with different arguments).
type module struct {
	dir   string // absolute
	name  string // reported folder name
	files []*srcFile
	vars  map[string]*varDecl
	// locals in declaration order.
	locals     map[string]*local
	localNames []string
	clusters   []*resourceDecl
	// resources are the module's resource blocks of every type by type and name, and resList the
	// ones the parts read (parts.go), in the order of the files.
	resources map[string]map[string]*resourceDecl
	resList   []*resourceDecl
	// attrNames are the attribute names the module's expressions read (refs.go), nil until asked.
	attrNames map[string]bool
	calls     []*callDecl
	// outputs are the value expressions of the module's output blocks, by name.
	outputs map[string]*hcl.Attribute
	// overridden names the resources and module calls an override file touches, with the file;
	// eksguard does not merge override files, so their values are unknown.
	overridden map[string]string
}

type varDecl struct {
	name     string
	file     *srcFile
	rng      hcl.Range
	ty       cty.Type
	defaults *typeexpr.Defaults
	// literal is set when the type is a primitive or absent: Terraform then takes -var values as raw
	// strings instead of parsing them as expressions.
	literal bool
	typed   bool
	def     cty.Value // cty.NilVal when the variable has no default
	defRng  hcl.Range
	defAttr *hcl.Attribute
	// defReason says why a default is unknown (it passed a size bound).
	defReason   string
	nonNullable bool
}

type local struct {
	name string
	attr *hcl.Attribute
	file *srcFile
}

type resourceDecl struct {
	typ, name string
	file      *srcFile
	block     *hcl.Block
}

func (r *resourceDecl) line() int { return r.block.DefRange.Start.Line }

// addResource records a resource block; of two with the same address (which Terraform rejects) the
// first is kept for references.
func (m *module) addResource(r *resourceDecl) {
	byName := m.resources[r.typ]
	if byName == nil {
		byName = map[string]*resourceDecl{}
		m.resources[r.typ] = byName
	}
	if _, dup := byName[r.name]; dup {
		return
	}
	byName[r.name] = r
	if partTypes[r.typ] {
		m.resList = append(m.resList, r)
	}
}

type callDecl struct {
	name   string
	file   *srcFile
	block  *hcl.Block
	attrs  hcl.Attributes
	source string
	// version is the version argument, "" when absent.
	version    string
	versionRng *hcl.Range
}

// localSource returns the relative folder of a local module source ("./x", "../..").
func (c *callDecl) localSource() (string, bool) {
	if strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../") || c.source == "." || c.source == ".." {
		return c.source, true
	}
	return "", false
}

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
}}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value"}}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "nullable"},
}}

// diagProblems turns HCL's error diagnostics into problems of the given code: syntax when the file
// does not parse, invalid when it parses and Terraform rejects what it says.
func diagProblems(diags hcl.Diagnostics, code string) []iac.Problem {
	var out []iac.Problem
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := iac.Problem{Code: code, Message: d.Summary}
		if d.Detail != "" {
			p.Message += ": " + d.Detail
		}
		p.Message = strings.TrimSuffix(p.Message, ".")
		if d.Subject != nil {
			p.File, p.Line = d.Subject.Filename, d.Subject.Start.Line
		}
		out = append(out, p)
	}
	return out
}

func (s *scanner) diags(diags hcl.Diagnostics, fallback string) {
	s.diagsAs(diags, fallback, finding.ProblemInvalid)
}

func (s *scanner) diagsAs(diags hcl.Diagnostics, fallback, code string) {
	for _, p := range diagProblems(diags, code) {
		if p.File == "" {
			p.File = fallback
		}
		s.problem(p)
	}
}

// parseModule parses the files of one folder. A file that does not parse is reported and left out;
// the others are still read.
func (s *scanner) parseModule(dir string, files []*srcFile) *module {
	m := &module{dir: dir, vars: map[string]*varDecl{}, locals: map[string]*local{}, overridden: map[string]string{}, outputs: map[string]*hcl.Attribute{}}
	m.resources = map[string]map[string]*resourceDecl{}
	if len(files) > 0 {
		m.name = pathDir(files[0].name)
	}
	for _, f := range files {
		s.srcs[f.name] = f.data
		hf, ok := s.parseFile(f.data, f.name, f.json)
		if !ok {
			continue
		}
		f.body = hf.Body
		m.files = append(m.files, f)
		s.readTopLevel(m, f)
	}
	return m
}

// parseFile parses one file of configuration or variables. A file nested too deeply for HCL's
// parsers is refused before they see it. Problems are reported; ok is false when the file cannot be
// used.
func (s *scanner) parseFile(data []byte, name string, json bool) (*hcl.File, bool) {
	if p := nestingProblem(data, name, json); p != nil {
		s.problem(*p)
		return nil, false
	}
	var hf *hcl.File
	var diags hcl.Diagnostics
	if json {
		hf, diags = hcljson.Parse(data, name)
	} else {
		hf, diags = hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	}
	if diags.HasErrors() || hf == nil {
		s.diagsAs(diags, name, finding.ProblemSyntax)
		return nil, false
	}
	return hf, true
}

// constValue evaluates a constant: a variable's default or a value in a variable file. Terraform
// evaluates these with no variables and no functions; eksguard lets only its size guards run, and
// bounds the result like any other value. A value past a bound is unknown, and reason says why; an
// expression Terraform rejects comes back as diagnostics.
func (s *scanner) constValue(expr hcl.Expression) (v cty.Value, reason string, diags hcl.Diagnostics) {
	s.guard(expr)
	s.meter.start()
	ctx := s.constCtx
	if hcljson.IsJSONExpression(expr) {
		// JSON strings are templates only when there is a context: a nil one keeps them verbatim,
		// as Terraform reads JSON constants.
		ctx = nil
	}
	v, diags = expr.Value(ctx)
	if s.meter.tripped == nil && !diags.HasErrors() {
		_ = s.meter.checkValue(v, "it")
	}
	if t := s.meter.tripped; t != nil {
		return cty.DynamicVal, fmt.Sprintf("%s is not evaluated: %s", s.constText(expr), t.msg), nil
	}
	return v, "", diags
}

// constText quotes a constant's source for a reason, shortened.
func (s *scanner) constText(expr hcl.Expression) string {
	rng := expr.Range()
	src := s.srcs[rng.Filename]
	text := "the value"
	if rng.Start.Byte >= 0 && rng.End.Byte <= len(src) && rng.Start.Byte < rng.End.Byte {
		text = strings.Join(strings.Fields(string(src[rng.Start.Byte:rng.End.Byte])), " ")
	}
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return text
}

func pathDir(name string) string {
	i := strings.LastIndex(name, "/")
	if i < 0 {
		return "."
	}
	return name[:i]
}

func (s *scanner) readTopLevel(m *module, f *srcFile) {
	content, _, diags := f.body.PartialContent(rootSchema)
	s.diags(diags, f.name)
	if content == nil {
		return
	}
	override := isOverride(filepath.Base(f.path))
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			if override {
				m.overridden["var."+b.Labels[0]] = f.name
				continue
			}
			s.readVariable(m, f, b)
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			s.diags(diags, f.name)
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Slice(names, func(i, j int) bool { return attrs[names[i]].Range.Start.Byte < attrs[names[j]].Range.Start.Byte })
			for _, n := range names {
				if override {
					m.overridden["local."+n] = f.name
					continue
				}
				if prev, dup := m.locals[n]; dup {
					s.problem(iac.Problem{File: f.name, Line: attrs[n].Range.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Duplicate local value definition: local.%s was already defined at %s:%d", n, prev.file.name, prev.attr.Range.Start.Line)})
					continue
				}
				m.locals[n] = &local{name: n, attr: attrs[n], file: f}
				m.localNames = append(m.localNames, n)
			}
		case "resource":
			if override {
				m.overridden[b.Labels[0]+"."+b.Labels[1]] = f.name
				continue
			}
			r := &resourceDecl{typ: b.Labels[0], name: b.Labels[1], file: f, block: b}
			m.addResource(r)
			if r.typ == "aws_eks_cluster" {
				m.clusters = append(m.clusters, r)
			}
		case "module":
			if override {
				m.overridden["module."+b.Labels[0]] = f.name
				continue
			}
			m.calls = append(m.calls, s.readCall(f, b))
		case "output":
			if override {
				continue
			}
			oc, _, diags := b.Body.PartialContent(outputSchema)
			s.diags(diags, f.name)
			if oc != nil && oc.Attributes["value"] != nil {
				m.outputs[b.Labels[0]] = oc.Attributes["value"]
			}
		}
	}
}

// typeConstraint reads a variable's type. Besides the type expressions, Terraform still accepts the
// bare collection keywords of its 0.11 syntax: `type = map`, `list` and `set` mean map(any),
// list(any) and set(any).
func typeConstraint(expr hcl.Expression) (cty.Type, *typeexpr.Defaults, hcl.Diagnostics) {
	if kw := hcl.ExprAsKeyword(expr); kw != "" {
		switch kw {
		case "map":
			return cty.Map(cty.DynamicPseudoType), nil, nil
		case "list":
			return cty.List(cty.DynamicPseudoType), nil, nil
		case "set":
			return cty.Set(cty.DynamicPseudoType), nil, nil
		}
	}
	return typeexpr.TypeConstraintWithDefaults(expr)
}

func (s *scanner) readVariable(m *module, f *srcFile, b *hcl.Block) {
	name := b.Labels[0]
	content, _, diags := b.Body.PartialContent(variableSchema)
	s.diags(diags, f.name)
	v := &varDecl{name: name, file: f, rng: b.DefRange, ty: cty.DynamicPseudoType, literal: true, def: cty.NilVal}
	if content != nil {
		if a := content.Attributes["type"]; a != nil {
			ty, defaults, diags := typeConstraint(a.Expr)
			if diags.HasErrors() {
				s.diags(diags, f.name)
			} else {
				v.ty, v.defaults, v.typed = ty, defaults, true
				v.literal = ty.IsPrimitiveType()
			}
		}
		if a := content.Attributes["default"]; a != nil {
			val, reason, diags := s.constValue(a.Expr)
			if diags.HasErrors() {
				s.diags(diags, f.name)
			} else {
				v.def, v.defRng, v.defReason, v.defAttr = val, a.Range, reason, a
			}
		}
		if a := content.Attributes["nullable"]; a != nil {
			if val, _, diags := s.constValue(a.Expr); !diags.HasErrors() && val.Type() == cty.Bool && val.IsKnown() && !val.IsNull() {
				v.nonNullable = val.False()
			}
		}
	}
	if prev, dup := m.vars[name]; dup {
		s.problem(iac.Problem{File: f.name, Line: b.DefRange.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Duplicate variable declaration: variable %q was already declared at %s:%d", name, prev.file.name, prev.rng.Start.Line)})
		return
	}
	m.vars[name] = v
}

func (s *scanner) readCall(f *srcFile, b *hcl.Block) *callDecl {
	c := &callDecl{name: b.Labels[0], file: f, block: b}
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		c.attrs = hcl.Attributes{}
		for n, a := range sb.Attributes {
			c.attrs[n] = a.AsHCLAttribute()
		}
	} else {
		c.attrs, _ = b.Body.JustAttributes()
		if c.attrs == nil {
			c.attrs = hcl.Attributes{}
		}
	}
	if a := c.attrs["source"]; a != nil {
		if v, _, diags := s.constValue(a.Expr); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			c.source = v.AsString()
		}
	}
	if a := c.attrs["version"]; a != nil {
		if v, _, diags := s.constValue(a.Expr); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			c.version = v.AsString()
			r := a.Range
			c.versionRng = &r
		}
	}
	return c
}

// loadModuleDir parses a local module source folder, from the input when it is there, else from
// disk: a module outside the scanned tree ("../..") still decides the clusters of its callers. Files
// are read as input files are: regular files within the size limit, never pipes or devices, and never
// through a symbolic link that leads out of the scanned tree. A folder reached through such a link is
// not read at all. Anything not read is a problem; ok is false when the folder itself cannot be used,
// and why says why.
func (s *scanner) loadModuleDir(dir, name string) (m *module, why string) {
	if m, ok := s.mods[dir]; ok {
		if m == nil {
			return nil, s.modErr[dir]
		}
		return m, ""
	}
	var files []*srcFile
	if in, ok := s.dirFiles[dir]; ok {
		files = in
	} else {
		var err error
		files, err = s.readModuleFiles(dir, name)
		if err != nil {
			s.mods[dir] = nil
			s.modErr[dir] = err.Error()
			return nil, err.Error()
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	m = s.parseModule(dir, files)
	if len(files) == 0 {
		m.name = name
	}
	s.mods[dir] = m
	return m, ""
}

// readModuleFiles reads the .tf and .tf.json files of a module folder that is not among the input.
func (s *scanner) readModuleFiles(dir, name string) ([]*srcFile, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("no such folder")
		}
		return nil, fmt.Errorf("it cannot be read: %v", unwrapPathErr(err))
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return nil, errors.New("it is not a folder")
	}
	tree := s.treeOf(real)
	if tree == "" {
		if real != filepath.Clean(dir) {
			// The path goes through a link to somewhere outside every scanned folder.
			return nil, fmt.Errorf("it is a symbolic link to %s, outside the folders being scanned; not followed", filepath.ToSlash(real))
		}
		// A module outside the tree, reached without links (source = "../.."): its own folder is
		// the tree its files may not leave.
		tree = real
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("it cannot be read: %v", unwrapPathErr(err))
	}
	var files []*srcFile
	for _, e := range entries {
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		base := e.Name()
		lower := strings.ToLower(base)
		isJSON := strings.HasSuffix(lower, ".tf.json")
		if !isJSON && !strings.HasSuffix(lower, ".tf") {
			continue
		}
		p := filepath.Join(dir, base)
		reported := joinName(name, base)
		if e.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				continue // a dangling link names nothing to read
			}
			if !iac.Within(target, tree) {
				s.problem(iac.Problem{File: reported, Code: finding.ProblemLink, Message: fmt.Sprintf("symbolic link to %s, outside the folder being scanned; not followed (scan a folder that contains both)", filepath.ToSlash(target))})
				continue
			}
		}
		if e.IsDir() {
			continue
		}
		data, err := iac.ReadFile(p)
		if err != nil {
			s.problem(iac.ReadProblem(reported, err))
			continue
		}
		files = append(files, &srcFile{name: reported, path: p, data: data, json: isJSON})
	}
	return files, nil
}

// treeOf returns the scanned tree a real path lies in, or "" when it lies in none.
func (s *scanner) treeOf(real string) string {
	for _, t := range s.trees {
		if iac.Within(real, t) {
			return t
		}
	}
	return ""
}

// unwrapPathErr drops the operation and path from a *fs.PathError: messages already name the folder.
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
