package pulumi

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Source is how clusters read here are labelled.
const Source model.Source = "pulumi"

// The resource types read, as a program writes them (with the long tokens Pulumi also accepts).
const (
	TypeAWS = "aws:eks:Cluster"
	TypeEKS = "eks:Cluster"
)

var types = map[string]string{
	TypeAWS: TypeAWS, "aws:eks/cluster:Cluster": TypeAWS,
	TypeEKS: TypeEKS, "eks:index:Cluster": TypeEKS,
}

// New returns the Pulumi YAML adapter.
func New() iac.Adapter { return adapter{} }

type adapter struct{}

func (adapter) Name() string { return "pulumi" }

// Scan reads every Pulumi.yaml with runtime yaml, and every Main.yaml of such a project.
func (adapter) Scan(in *iac.Input, opts iac.Options) iac.Result {
	env := &env{stack: opts.PulumiStack, files: map[string]*iac.File{}}
	if in != nil {
		for _, f := range in.Files {
			if f != nil {
				env.files[filepath.Clean(f.Path)] = f
			}
		}
	}
	return iac.ScanFiles(in, []string{".yaml", ".yml"}, "Pulumi YAML program", env.scanFile)
}

// env is what a file's scan may look at besides the file: the other input files (by path), and the
// stack chosen.
type env struct {
	stack string
	files map[string]*iac.File
	// noDisk keeps fuzzing and tests from reading stack files from disk.
	noDisk bool
}

func isProjectFile(base string) bool { return base == "Pulumi.yaml" || base == "Pulumi.yml" }
func isMainFile(base string) bool    { return base == "Main.yaml" || base == "Main.yml" }

// isStackFile reports whether base is Pulumi.<stack>.yaml, and its stack.
func isStackFile(base string) (string, bool) {
	rest, ok := strings.CutPrefix(base, "Pulumi.")
	if !ok {
		return "", false
	}
	stack, ok := strings.CutSuffix(rest, ".yaml")
	if !ok {
		stack, ok = strings.CutSuffix(rest, ".yml")
	}
	return stack, ok && stack != ""
}

func (e *env) scanFile(f *iac.File, res *iac.Result) {
	base := path.Base(filepath.ToSlash(f.Name))
	switch {
	case isProjectFile(base):
		if !bytes.Contains(f.Data, []byte("runtime")) {
			return
		}
		root, ok := parse(f, res, false)
		if !ok || !isYAMLRuntime(get(root, "runtime")) {
			return
		}
		res.Claimed = append(res.Claimed, f.Name)
		if !bytes.Contains(f.Data, []byte("eks:")) {
			return
		}
		p := e.newProgram(f, root, f, root, res)
		p.read(res)
	case isMainFile(base):
		if !bytes.Contains(f.Data, []byte("resources")) {
			return
		}
		projFile, projRoot := e.project(f)
		if projFile == nil {
			return // a Main.yaml of some other tool
		}
		root, ok := parse(f, res, true)
		if !ok {
			return
		}
		res.Claimed = append(res.Claimed, f.Name)
		if !bytes.Contains(f.Data, []byte("eks:")) {
			return
		}
		p := e.newProgram(f, root, projFile, projRoot, res)
		p.read(res)
	default:
		if _, ok := isStackFile(base); ok && f.Path != "" {
			dir := filepath.Dir(filepath.Clean(f.Path))
			for _, b := range []string{"Pulumi.yaml", "Pulumi.yml"} {
				if _, ok := e.files[filepath.Join(dir, b)]; ok {
					res.Claimed = append(res.Claimed, f.Name)
					return
				}
			}
		}
	}
}

// parse reads a program file; a file that does not parse is a problem when it is claimed regardless
// (a Main.yaml found beside its project), and when it is a Pulumi.yaml that names the yaml runtime.
func parse(f *iac.File, res *iac.Result, claim bool) (*yaml.Node, bool) {
	node, err := yamledit.ParseYAMLDocument(f.Data)
	if err != nil {
		if claim || bytes.Contains(f.Data, []byte("yaml")) && bytes.Contains(f.Data, []byte("resources")) {
			res.Claimed = append(res.Claimed, f.Name)
			res.Problems = append(res.Problems, yamledit.ParseProblem(f.Name, err, "cannot parse the Pulumi YAML program: "))
		}
		return nil, false
	}
	n := yamledit.Deref(node)
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = yamledit.Deref(n.Content[0])
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, false
	}
	return n, true
}

// isYAMLRuntime reads runtime: yaml, or runtime: {name: yaml}.
func isYAMLRuntime(n *yaml.Node) bool {
	if n != nil && n.Kind == yaml.MappingNode {
		n = get(n, "name")
	}
	return n != nil && n.Kind == yaml.ScalarNode && n.Value == "yaml"
}

// project finds the Pulumi.yaml of a Main.yaml: in its folder or one above it, with the yaml runtime.
func (e *env) project(f *iac.File) (*iac.File, *yaml.Node) {
	if f.Path == "" {
		return nil, nil
	}
	dir := filepath.Dir(filepath.Clean(f.Path))
	for range 8 {
		for _, b := range []string{"Pulumi.yaml", "Pulumi.yml"} {
			pf, ok := e.files[filepath.Join(dir, b)]
			if !ok {
				continue
			}
			var discard iac.Result
			if root, ok := parse(pf, &discard, false); ok && isYAMLRuntime(get(root, "runtime")) {
				return pf, root
			}
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return nil, nil
}

// program is one Pulumi YAML program: its file, the project it belongs to, and what its expressions
// may name.
type program struct {
	file      *iac.File
	root      *yaml.Node
	doc       *yamledit.Doc
	project   string
	resources map[string]*yaml.Node
	variables map[string]*yaml.Node
	config    map[string]configDecl
	// stack is the chosen stack's file, nil when none was chosen or it could not be read; noStack
	// says why values it would give are unknown.
	stack     *stackFile
	stackName string
	noStack   string
}

// configDecl is a config entry the program declares, with its default (nil for none).
type configDecl struct {
	key, def *yaml.Node
	typ      string
	file     string
}

type stackFile struct {
	name   string
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

func (e *env) newProgram(f *iac.File, root *yaml.Node, projFile *iac.File, projRoot *yaml.Node, res *iac.Result) *program {
	p := &program{file: f, root: root, resources: map[string]*yaml.Node{}, variables: map[string]*yaml.Node{}, config: map[string]configDecl{}}
	p.project = scalar(get(projRoot, "name"))
	for _, r := range []struct {
		root *yaml.Node
		file string
	}{{projRoot, projFile.Name}, {root, f.Name}} {
		for _, section := range []string{"configuration", "config"} {
			m := get(r.root, section)
			if m == nil || m.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				k, v := m.Content[i], yamledit.Deref(m.Content[i+1])
				name := strings.TrimPrefix(k.Value, p.project+":")
				d := configDecl{key: k, file: r.file}
				if v != nil && v.Kind == yaml.MappingNode {
					d.typ = scalar(get(v, "type"))
					if _, dv := yamledit.Lookup(v, "default"); dv != nil {
						d.def = dv
					}
					if _, vv := yamledit.Lookup(v, "value"); vv != nil {
						d.def = vv
					}
				} else if v != nil && !isNull(v) {
					d.def = v // the short form: the value itself
				}
				p.config[name] = d
			}
		}
	}
	for _, section := range []string{"variables", "resources"} {
		m := get(root, section)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if section == "variables" {
				p.variables[m.Content[i].Value] = m.Content[i+1]
			} else {
				p.resources[m.Content[i].Value] = m.Content[i+1]
			}
		}
	}
	p.loadStack(e, projFile, projRoot, res)
	return p
}

// maxStackBytes bounds a stack file read from disk.
const maxStackBytes = 4 << 20

// loadStack reads Pulumi.<stack>.yaml beside the project file, from the input files or from disk.
func (p *program) loadStack(e *env, projFile *iac.File, projRoot *yaml.Node, res *iac.Result) {
	dir := filepath.Dir(filepath.Clean(projFile.Path))
	if e.stack == "" {
		var names []string
		for path, f := range e.files {
			if filepath.Dir(path) == dir {
				if _, ok := isStackFile(filepath.Base(path)); ok {
					names = append(names, f.Name)
				}
			}
		}
		sort.Strings(names)
		p.noStack = "pass --pulumi-stack NAME to read it from the stack file Pulumi.NAME.yaml"
		if len(names) > 0 {
			p.noStack += " (" + strings.Join(names, ", ") + ")"
		}
		return
	}
	p.stackName = e.stack
	if strings.ContainsAny(e.stack, `/\`) || e.stack == "." || e.stack == ".." {
		p.noStack = fmt.Sprintf("--pulumi-stack %q is not a stack name", e.stack)
		return
	}
	var sf *iac.File
	for _, ext := range []string{".yaml", ".yml"} {
		if f, ok := e.files[filepath.Join(dir, "Pulumi."+e.stack+ext)]; ok {
			sf = f
			break
		}
	}
	if sf == nil && !e.noDisk && projFile.Path != "" {
		for _, ext := range []string{".yaml", ".yml"} {
			path := filepath.Join(dir, "Pulumi."+e.stack+ext)
			if data, ok := readRegular(path); ok {
				sf = &iac.File{Path: path, Name: filepath.ToSlash(filepath.Join(filepath.Dir(filepath.FromSlash(projFile.Name)), "Pulumi."+e.stack+ext)), Data: data}
				break
			}
		}
	}
	if sf == nil {
		p.noStack = fmt.Sprintf("--pulumi-stack %s: there is no Pulumi.%s.yaml beside %s", e.stack, e.stack, projFile.Name)
		if projFile == p.file {
			res.Problems = append(res.Problems, iac.Problem{File: projFile.Name, Line: 1, Code: finding.ProblemFlag, Message: p.noStack})
		}
		return
	}
	root, err := yamledit.ParseYAMLDocument(sf.Data)
	if err != nil {
		p.noStack = fmt.Sprintf("the stack file %s does not parse", sf.Name)
		if projFile == p.file {
			res.Problems = append(res.Problems, yamledit.ParseProblem(sf.Name, err, "cannot parse the Pulumi stack file: "))
		}
		return
	}
	if root = yamledit.Deref(root); root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = yamledit.Deref(root.Content[0])
	}
	s := &stackFile{name: sf.Name, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	if m := get(root, "config"); m != nil && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			s.values[m.Content[i].Value] = m.Content[i+1]
			s.keys[m.Content[i].Value] = m.Content[i]
		}
	}
	p.stack = s
}

// readRegular reads a regular file (never through a symbolic link) of a bounded size.
func readRegular(path string) ([]byte, bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxStackBytes {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStackBytes))
	return data, err == nil
}

// read finds the clusters among the program's resources, in the order written.
func (p *program) read(res *iac.Result) {
	m := get(p.root, "resources")
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, body := m.Content[i], yamledit.Deref(m.Content[i+1])
		if body == nil || body.Kind != yaml.MappingNode {
			continue
		}
		typ, ok := types[scalar(get(body, "type"))]
		if !ok {
			continue
		}
		if !isNull(get(body, "get")) {
			continue // reads an existing cluster; the program does not declare it
		}
		if p.doc == nil {
			p.doc = yamledit.NewDoc(p.file.Data)
		}
		r := &resource{p: p, key: key, body: body, typ: typ, written: scalar(get(body, "type"))}
		r.read()
		res.Resources = append(res.Resources, iac.Resource{Cluster: r.cluster, Fix: r.fix})
		res.Problems = append(res.Problems, r.problems...)
	}
}

func get(m *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		if m = yamledit.Deref(m); m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		_, m = yamledit.Lookup(m, p)
	}
	return yamledit.Deref(m)
}

func scalar(n *yaml.Node) string {
	if n = yamledit.Deref(n); n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func isNull(n *yaml.Node) bool {
	n = yamledit.Deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}
