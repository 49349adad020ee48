package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

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
	calls      []*callDecl
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
	literal     bool
	typed       bool
	def         cty.Value // cty.NilVal when the variable has no default
	defRng      hcl.Range
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
}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "nullable"},
}}

func diagProblems(diags hcl.Diagnostics) []iac.Problem {
	var out []iac.Problem
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := iac.Problem{Message: d.Summary}
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
	for _, p := range diagProblems(diags) {
		if p.File == "" {
			p.File = fallback
		}
		s.problem(p)
	}
}

// parseModule parses the files of one folder. A file that does not parse is reported and left out;
// the others are still read.
func (s *scanner) parseModule(dir string, files []*srcFile) *module {
	m := &module{dir: dir, vars: map[string]*varDecl{}, locals: map[string]*local{}, overridden: map[string]string{}}
	if len(files) > 0 {
		m.name = pathDir(files[0].name)
	}
	p := hclparse.NewParser()
	for _, f := range files {
		s.srcs[f.name] = f.data
		var hf *hcl.File
		var diags hcl.Diagnostics
		if f.json {
			hf, diags = p.ParseJSON(f.data, f.name)
		} else {
			hf, diags = p.ParseHCL(f.data, f.name)
		}
		if diags.HasErrors() || hf == nil {
			s.diags(diags, f.name)
			continue
		}
		f.body = hf.Body
		m.files = append(m.files, f)
		s.readTopLevel(m, f)
	}
	return m
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
					s.problem(iac.Problem{File: f.name, Line: attrs[n].Range.Start.Line, Message: fmt.Sprintf("Duplicate local value definition: local.%s was already defined at %s:%d", n, prev.file.name, prev.attr.Range.Start.Line)})
					continue
				}
				m.locals[n] = &local{name: n, attr: attrs[n], file: f}
				m.localNames = append(m.localNames, n)
			}
		case "resource":
			if b.Labels[0] != "aws_eks_cluster" {
				continue
			}
			if override {
				m.overridden["aws_eks_cluster."+b.Labels[1]] = f.name
				continue
			}
			m.clusters = append(m.clusters, &resourceDecl{typ: b.Labels[0], name: b.Labels[1], file: f, block: b})
		case "module":
			if override {
				m.overridden["module."+b.Labels[0]] = f.name
				continue
			}
			m.calls = append(m.calls, s.readCall(f, b))
		}
	}
}

func (s *scanner) readVariable(m *module, f *srcFile, b *hcl.Block) {
	name := b.Labels[0]
	content, _, diags := b.Body.PartialContent(variableSchema)
	s.diags(diags, f.name)
	v := &varDecl{name: name, file: f, rng: b.DefRange, ty: cty.DynamicPseudoType, literal: true, def: cty.NilVal}
	if content != nil {
		if a := content.Attributes["type"]; a != nil {
			ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
			if diags.HasErrors() {
				s.diags(diags, f.name)
			} else {
				v.ty, v.defaults, v.typed = ty, defaults, true
				v.literal = ty.IsPrimitiveType()
			}
		}
		if a := content.Attributes["default"]; a != nil {
			val, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				s.diags(diags, f.name)
			} else {
				v.def, v.defRng = val, a.Range
			}
		}
		if a := content.Attributes["nullable"]; a != nil {
			if val, diags := a.Expr.Value(nil); !diags.HasErrors() && val.Type() == cty.Bool && val.IsKnown() && !val.IsNull() {
				v.nonNullable = val.False()
			}
		}
	}
	if prev, dup := m.vars[name]; dup {
		s.problem(iac.Problem{File: f.name, Line: b.DefRange.Start.Line, Message: fmt.Sprintf("Duplicate variable declaration: variable %q was already declared at %s:%d", name, prev.file.name, prev.rng.Start.Line)})
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
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			c.source = v.AsString()
		}
	}
	if a := c.attrs["version"]; a != nil {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			c.version = v.AsString()
			r := a.Range
			c.versionRng = &r
		}
	}
	return c
}

// loadModuleDir parses a local module source folder, from the input when it is there, else from
// disk: a module outside the scanned tree ("../..") still decides the clusters of its callers.
func (s *scanner) loadModuleDir(dir, name string) *module {
	if m, ok := s.mods[dir]; ok {
		return m
	}
	var files []*srcFile
	if in, ok := s.dirFiles[dir]; ok {
		files = in
	} else {
		entries, err := os.ReadDir(dir)
		if err != nil {
			s.mods[dir] = nil
			return nil
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			base := e.Name()
			lower := strings.ToLower(base)
			json := strings.HasSuffix(lower, ".tf.json")
			if !json && !strings.HasSuffix(lower, ".tf") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, base))
			if err != nil {
				continue
			}
			files = append(files, &srcFile{name: joinName(name, base), path: filepath.Join(dir, base), data: data, json: json})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	m := s.parseModule(dir, files)
	if len(files) == 0 {
		m.name = name
	}
	s.mods[dir] = m
	return m
}
