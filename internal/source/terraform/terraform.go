// Package terraform reads EKS clusters from Terraform: configurations (.tf, .tf.json and the variable
// files that feed them) and plans rendered by `terraform show -json`.
//
// Configurations are evaluated the way Terraform would evaluate them before apply, as far as that can
// be done offline: variables (defaults, terraform.tfvars, *.auto.tfvars, -var-file, -var), locals,
// count, for_each, dynamic blocks, local child modules and the terraform-aws-modules/eks registry
// module (whose defaults depend on its major version). Anything that depends on the world (other
// resources, data sources, unset variables) is unknown, with the expression named, never guessed.
// Plans are read by package tfplan.
//
// Choices where Terraform gives no answer before apply:
//   - An unknown count or for_each gives one cluster named with [?] (aws_eks_cluster.x[?]) and a note:
//     its settings are judged, since every instance Terraform creates gets them.
//   - TF_VAR_* environment variables are not read: a scan depends only on its files and flags.
//   - Configuration Terraform rejects (True/False capitalised, a missing vpc_config, arguments the
//     selected module version does not have, undeclared variables) is a problem, and the values it
//     touches are unknown.
//   - Override files (override.tf, *_override.tf) are not merged: what they override is unknown.
//   - A registry module version is the one installed in .terraform/modules when it satisfies the
//     constraint, else the newest release the constraint allows.
package terraform

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/tfplan"
)

// New returns the Terraform adapter.
func New() iac.Adapter { return adapter{} }

type adapter struct{}

func (adapter) Name() string { return "terraform" }

// Scan reads every Terraform file and plan among the input. A panic is a bug, but a scan must never
// take the whole run down with it: it becomes a problem on the input instead.
func (adapter) Scan(in *iac.Input, opts iac.Options) (res iac.Result) {
	defer func() {
		if r := recover(); r != nil {
			res.Problems = append(res.Problems, iac.Problem{File: "terraform", Code: finding.ProblemInvalid, Message: fmt.Sprintf("internal error, please report it: %v\n%s", r, debug.Stack())})
		}
	}()
	return scan(in, opts)
}

// fileKind is how a file is read.
type fileKind int

const (
	kindNone fileKind = iota
	kindHCL
	kindJSON
	kindVarsHCL
	kindVarsJSON
	kindPlan
)

func classify(f *iac.File) fileKind {
	if f == nil {
		return kindNone
	}
	if !f.Explicit && inDotTerraform(f.Path) {
		return kindNone
	}
	name := strings.ToLower(filepath.Base(f.Path))
	switch {
	case name == tgFileName:
		return kindTerragrunt
	case strings.HasSuffix(name, ".tf.json"):
		return kindJSON
	case strings.HasSuffix(name, ".tf"):
		return kindHCL
	case strings.HasSuffix(name, ".tfvars.json"):
		return kindVarsJSON
	case strings.HasSuffix(name, ".tfvars"):
		return kindVarsHCL
	case tfplan.Detect(f.Data):
		return kindPlan
	}
	return kindNone
}

// inDotTerraform reports whether a path lies in a .terraform folder: installed module copies and
// provider caches are not the user's configuration.
func inDotTerraform(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if part == ".terraform" {
			return true
		}
	}
	return false
}

// isAutoVars reports whether Terraform loads a variable file without being told to.
func isAutoVars(base string) bool {
	base = strings.ToLower(base)
	return base == "terraform.tfvars" || base == "terraform.tfvars.json" ||
		strings.HasSuffix(base, ".auto.tfvars") || strings.HasSuffix(base, ".auto.tfvars.json")
}

// isOverride reports whether Terraform merges the file into others rather than reading it on its own.
func isOverride(base string) bool {
	base = strings.ToLower(base)
	for _, ext := range []string{".tf", ".tf.json"} {
		if base == "override"+ext || strings.HasSuffix(base, "_override"+ext) {
			return true
		}
	}
	return false
}

func scan(in *iac.Input, opts iac.Options) iac.Result {
	s := newScanner(opts)
	if in == nil {
		return s.res
	}
	s.trees = in.Trees
	if len(s.trees) == 0 {
		// No trees recorded (an input built in code): the folders of the input files.
		for _, f := range in.Files {
			if f == nil {
				continue
			}
			d := absDir(f.Path)
			if real, err := filepath.EvalSymlinks(d); err == nil {
				d = real
			}
			s.trees = append(s.trees, d)
		}
	}
	for _, f := range in.Files {
		k := classify(f)
		if k == kindNone {
			continue
		}
		s.res.Claimed = append(s.res.Claimed, f.Name)
		switch k {
		case kindPlan:
			r := tfplan.Scan(f)
			s.res.Resources = append(s.res.Resources, r.Resources...)
			s.res.Problems = append(s.res.Problems, r.Problems...)
		case kindHCL, kindJSON:
			s.addConfigFile(f, k == kindJSON)
		case kindVarsHCL, kindVarsJSON:
			s.addVarFile(f, k == kindVarsJSON)
		case kindTerragrunt:
			s.addTerragrunt(f)
		}
	}
	s.run()
	s.finish()
	return s.res
}

// scanner holds one scan: the modules found, the files that feed their variables, and the results.
type scanner struct {
	opts iac.Options
	res  iac.Result
	// ctx ends the scan early (Ctrl-C).
	ctx context.Context
	// trees are the folders the scan may read (iac.Input.Trees).
	trees []string
	// mods are parsed modules by absolute folder, whether given as input or read as a local module
	// source; a folder that cannot be read maps to nil, and modErr says why.
	mods   map[string]*module
	modErr map[string]string
	// inputDirs are the folders that held .tf files among the input, in order of appearance.
	inputDirs []string
	// dirFiles are the input .tf files by absolute folder.
	dirFiles map[string][]*srcFile
	// autoVars are terraform.tfvars and *.auto.tfvars by absolute folder.
	autoVars map[string][]*iac.File
	// varFiles are the -var-file files, parsed once.
	varFiles []*varFile
	// installed caches .terraform/modules/modules.json per root folder.
	installed   map[string]map[string]installedModule
	problemSeen map[string]bool
	// instances counts module and cluster instances (spend): in the scan, and in the root being
	// evaluated (rootName), with whether each bound was reported.
	instances, rootInstances int
	rootName                 string
	rootCapped, scanCapped   bool
	// selected caches the module release each version constraint selects.
	selected map[string]*version.Version
	// srcs are the bytes of every parsed file by reported name, to quote expressions in messages.
	srcs map[string][]byte

	// meter bounds what evaluation builds; funcs are the functions expressions may call, wrapped
	// to count it; constCtx evaluates constants (defaults, variable files), which may call no
	// function but the guard.
	meter    meter
	funcs    map[string]function.Function
	constCtx *hcl.EvalContext
	// natives are the native syntax trees of .tf.json expressions, converted once.
	natives           map[hcl.Expression]hcl.Expression
	guardedExprs      map[hclsyntax.Expression]bool
	scanBoundReported bool
	// tg holds the terragrunt.hcl roots (terragrunt.go); nil when there are none.
	tg *tgState
}

func newScanner(opts iac.Options) *scanner {
	s := &scanner{
		opts:         opts,
		ctx:          opts.Context,
		mods:         map[string]*module{},
		modErr:       map[string]string{},
		dirFiles:     map[string][]*srcFile{},
		autoVars:     map[string][]*iac.File{},
		installed:    map[string]map[string]installedModule{},
		problemSeen:  map[string]bool{},
		srcs:         map[string][]byte{},
		selected:     map[string]*version.Version{},
		natives:      map[hcl.Expression]hcl.Expression{},
		guardedExprs: map[hclsyntax.Expression]bool{},
	}
	if s.ctx == nil {
		s.ctx = context.Background()
	}
	s.funcs = s.boundFunctions()
	s.constCtx = &hcl.EvalContext{Functions: map[string]function.Function{guardName: s.funcs[guardName], liveName: s.funcs[liveName]}}
	return s
}

func absDir(p string) string {
	d := filepath.Dir(p)
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return filepath.Clean(d)
}

func (s *scanner) addConfigFile(f *iac.File, json bool) {
	dir := absDir(f.Path)
	if _, ok := s.dirFiles[dir]; !ok {
		s.inputDirs = append(s.inputDirs, dir)
	}
	s.dirFiles[dir] = append(s.dirFiles[dir], &srcFile{name: f.Name, path: f.Path, data: f.Data, json: json})
}

func (s *scanner) addVarFile(f *iac.File, json bool) {
	if isAutoVars(filepath.Base(f.Path)) {
		dir := absDir(f.Path)
		s.autoVars[dir] = append(s.autoVars[dir], f)
		return
	}
	// A variable file Terraform does not load by itself is still checked for syntax, since the user
	// will pass it with -var-file some day.
	s.parseVarFile(f.Name, f.Data, json)
}

func (s *scanner) problem(p iac.Problem) {
	key := fmt.Sprintf("%s\x00%d\x00%s", p.File, p.Line, p.Message)
	if s.problemSeen[key] {
		return
	}
	s.problemSeen[key] = true
	s.res.Problems = append(s.res.Problems, p)
}

// run finds the root modules among the input folders and evaluates each.
func (s *scanner) run() {
	for _, dir := range s.inputDirs {
		if s.ctx.Err() != nil {
			return
		}
		files := s.dirFiles[dir]
		sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
		s.mods[dir] = s.parseModule(dir, files)
	}
	s.prepareTerragrunt()
	roots := s.terraformRoots(s.roots())
	s.loadVarFiles()
	s.checkCLIVars(roots)
	for _, m := range roots {
		if s.ctx.Err() != nil {
			return
		}
		if s.instances >= maxScanInstances {
			s.problem(iac.Problem{File: m.name, Code: finding.ProblemLimit, Message: fmt.Sprintf("root module not evaluated: the scan has already evaluated %d module and cluster instances, its limit", maxScanInstances)})
			continue
		}
		s.evalRoot(m)
	}
	s.runTerragrunt()
}

// roots returns the input folders that are root modules. A folder that another input folder calls as
// a local module is a child, not a root: its variables are set by the caller. But a folder whose only
// callers are itself or folders it calls in turn (source = "./", two modules calling each other) has
// no caller outside its cycle, and nothing else would ever evaluate it: of each such cycle the first
// folder is a root. The cycle itself is reported when evaluation reaches it.
func (s *scanner) roots() []*module {
	index := map[string]int{}
	for i, dir := range s.inputDirs {
		index[dir] = i
	}
	edges := make([][]int, len(s.inputDirs))
	for i, dir := range s.inputDirs {
		for _, c := range s.mods[dir].calls {
			if src, ok := c.localSource(); ok {
				if j, ok := index[filepath.Join(dir, filepath.FromSlash(src))]; ok {
					edges[i] = append(edges[i], j)
				}
			}
		}
	}
	comp := components(edges)
	calledFromOutside := map[int]bool{}
	for i, out := range edges {
		for _, j := range out {
			if comp[i] != comp[j] {
				calledFromOutside[comp[j]] = true
			}
		}
	}
	var roots []*module
	seen := map[int]bool{}
	for i, dir := range s.inputDirs {
		c := comp[i]
		if calledFromOutside[c] || seen[c] {
			continue
		}
		seen[c] = true
		roots = append(roots, s.mods[dir])
	}
	return roots
}

// components labels the strongly connected components of a graph (Tarjan's algorithm, iterative so
// that a deep chain of module calls cannot exhaust the stack): nodes that reach each other share a
// label.
func components(edges [][]int) []int {
	n := len(edges)
	index, low, comp := make([]int, n), make([]int, n), make([]int, n)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	onStack := make([]bool, n)
	var stack []int
	next, label := 0, 0
	type frame struct{ v, edge int }
	for start := 0; start < n; start++ {
		if index[start] >= 0 {
			continue
		}
		work := []frame{{v: start}}
		index[start], low[start] = next, next
		next++
		stack = append(stack, start)
		onStack[start] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			if f.edge < len(edges[f.v]) {
				w := edges[f.v][f.edge]
				f.edge++
				switch {
				case index[w] < 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{v: w})
				case onStack[w]:
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			work = work[:len(work)-1]
			if len(work) > 0 {
				p := work[len(work)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = label
					if w == v {
						break
					}
				}
				label++
			}
		}
	}
	return comp
}

// checkCLIVars reports -var names no root module declares: Terraform refuses them.
func (s *scanner) checkCLIVars(roots []*module) {
	if len(roots) == 0 {
		return
	}
	names := make([]string, 0, len(s.opts.Vars))
	for n := range s.opts.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		declared := false
		for _, m := range roots {
			if _, ok := m.vars[n]; ok {
				declared = true
				break
			}
		}
		if !declared {
			s.problem(iac.Problem{File: "-var", Code: finding.ProblemFlag, Message: fmt.Sprintf("variable %q is not declared in any root module", n)})
		}
	}
}

func (s *scanner) finish() {
	sort.SliceStable(s.res.Resources, func(i, j int) bool {
		a, b := s.res.Resources[i].Cluster, s.res.Resources[j].Cluster
		if la, lb := locFile(a.Loc), locFile(b.Loc); la != lb {
			return la < lb
		}
		if la, lb := locLine(a.Loc), locLine(b.Loc); la != lb {
			return la < lb
		}
		return a.Name < b.Name
	})
	sort.SliceStable(s.res.Problems, func(i, j int) bool {
		a, b := s.res.Problems[i], s.res.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

func locFile(l *model.Location) string {
	if l == nil {
		return ""
	}
	return l.File
}

func locLine(l *model.Location) int {
	if l == nil {
		return 0
	}
	return l.Line
}

// joinName joins a reported folder name and a relative path the way Terraform resolves local module
// sources, keeping names slash-separated.
func joinName(dir, rel string) string {
	return path.Clean(path.Join(dir, filepath.ToSlash(rel)))
}
