package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-version"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// runCall evaluates a module call: a local source is evaluated as a child module; the
// terraform-aws-modules/eks registry module is read from its arguments and its known defaults; any
// other remote module is not read.
func (in *instance) runCall(c *callDecl) {
	if src, ok := c.localSource(); ok {
		in.runLocalCall(c, src)
		return
	}
	if gitRef, ok := eksSource(c.source); ok {
		in.readEKSModule(c, gitRef)
		return
	}
	in.runRemoteCall(c)
}

// installedDir is the folder terraform init installed a call's module in, "" when none.
func (in *instance) installedDir(c *callDecl) (dir, name string) {
	im, ok := in.s.installedModules(in.root.mod.dir)[joinKey(in.keyPath, c.name)]
	if !ok || im.Dir == "" {
		return "", ""
	}
	rel := filepath.ToSlash(filepath.Clean(im.Dir))
	if filepath.IsAbs(im.Dir) || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", ""
	}
	return filepath.Join(in.root.mod.dir, filepath.FromSlash(rel)), joinName(in.root.mod.name, rel)
}

// runRemoteCall evaluates a call of a module eksguard does not model: the copy `terraform init`
// installed, when modules.json names one, like a local module; else the call is listed as skipped,
// and when it passes endpoint settings (an argument named like endpoint_public_access,
// endpoint_private_access or public_access_cidrs) it is judged UNKNOWN, naming them, rather than
// dropped without a trace.
func (in *instance) runRemoteCall(c *callDecl) {
	if dir, name := in.installedDir(c); dir != "" {
		in.runModuleDir(c, dir, name)
		return
	}
	if isCloudposseEKS(c.source) && in.runCloudposse(c) {
		return
	}
	if isVPCModule(c.source) {
		// Its subnets are modelled for the node groups that use them; the call is still listed as
		// skipped, since nothing else of it is read.
		in.modelVPC(c)
	}
	line := c.block.DefRange.Start.Line
	addr := in.prefix + "module." + c.name
	skip := model.Skip{File: c.file.name, Line: line, Resource: addr, Source: c.source, Version: c.version,
		Reason: "a registry or remote module eksguard does not model, and not installed (no entry in .terraform/modules/modules.json): the clusters it may declare are not read; run terraform init first to have eksguard read the installed copy"}
	in.s.res.Skipped = append(in.s.res.Skipped, skip)
	var passed []string
	for name := range c.attrs {
		for _, part := range []string{"endpoint_public_access", "endpoint_private_access", "public_access_cidrs"} {
			if strings.Contains(name, part) {
				passed = append(passed, name)
				break
			}
		}
	}
	if len(passed) == 0 {
		return
	}
	sort.Strings(passed)
	why := fmt.Sprintf("not read: %s calls %s, which is not installed and which eksguard does not model; it is passed %s", addr, c.source, strings.Join(passed, ", "))
	l := loc(c.file.name, line)
	cl := &model.Cluster{Name: addr, Source: model.SourceTerraform, Kind: "module " + c.source, Loc: l, Root: in.root.mod.name}
	setAllUnknown(cl, why, l)
	for _, n := range passed {
		a := c.attrs[n]
		cl.Notes = append(cl.Notes, fmt.Sprintf("%s = %s at %s:%d", n, in.exprText(a.Expr), c.file.name, a.Range.Start.Line))
	}
	in.s.res.Resources = append(in.s.res.Resources, iac.Resource{Cluster: cl, Fix: func(model.Settings) (*finding.Fix, error) {
		return nil, fmt.Errorf("%s is a module eksguard does not read: set its inputs by hand, or run terraform init and scan again", addr)
	}})
}

func (in *instance) runLocalCall(c *callDecl, src string) {
	in.runModuleDir(c, filepath.Join(in.mod.dir, filepath.FromSlash(src)), joinName(in.mod.name, src))
}

// runModuleDir evaluates a module call whose module is the folder dir (reported as name).
func (in *instance) runModuleDir(c *callDecl, dir, name string) {
	src := c.source
	line := c.block.DefRange.Start.Line
	for _, d := range in.dirs {
		if d == dir {
			in.s.problem(iac.Problem{File: c.file.name, Line: line, Code: finding.ProblemCycle, Message: fmt.Sprintf("Module cycle: module.%s calls %s, which is already being evaluated", c.name, src)})
			return
		}
	}
	if in.depth >= maxDepth {
		in.s.problem(iac.Problem{File: c.file.name, Line: line, Code: finding.ProblemLimit, Message: fmt.Sprintf("module.%s is nested more than %d levels deep; not evaluated", c.name, maxDepth)})
		return
	}
	m, why := in.s.loadModuleDir(dir, name)
	if m == nil {
		in.s.problem(iac.Problem{File: c.file.name, Line: line, Code: finding.ProblemRead, Message: fmt.Sprintf("Unreadable module directory: module.%s source %q: %s", c.name, src, why)})
		return
	}
	if f := in.mod.overridden["module."+c.name]; f != "" {
		in.s.problem(iac.Problem{File: f, Code: finding.ProblemUnsupported, Message: fmt.Sprintf("module.%s is also declared in this override file, which eksguard does not merge; its arguments are read from %s only", c.name, c.file.name)})
	}
	for _, k := range in.expand(c.attrs["count"], c.attrs["for_each"], nil, "module."+c.name) {
		if !in.s.spend(c.file.name, line) {
			return
		}
		child := &instance{
			s: in.s, mod: m, parent: in, call: c, callScope: k.scope,
			prefix:  in.prefix + "module." + c.name + k.suffix + ".",
			keyPath: joinKey(in.keyPath, c.name),
			root:    in.root, depth: in.depth + 1,
			dirs:  append(append([]string{}, in.dirs...), dir),
			notes: in.notes,
		}
		if k.note != "" {
			child.notes = append(append([]string{}, in.notes...), "module."+c.name+": "+k.note)
		}
		child.vars = in.childVars(c, m, k.scope)
		child.run()
		if k.suffix == "" {
			in.callDone(c, child)
			if in.children == nil {
				in.children = map[string]*instance{}
			}
			in.children[c.name] = child
		}
	}
}

// Instances are bounded per root module and per scan: count and for_each on nested module calls
// multiply (256 keys four levels deep is four billion instances), and a scan must finish whatever the
// input. The bound per root keeps one such root from starving the others; the bound per scan keeps a
// tree of many of them finite. Whatever is left out is named as a problem.
const (
	maxRootInstances = 10000
	maxScanInstances = 100000
)

// spend counts one module or cluster instance of the root being evaluated. Past a bound it reports a
// problem once (naming the root and where evaluation stopped) and returns false; it also returns
// false once the scan has been cancelled.
func (s *scanner) spend(file string, line int) bool {
	if s.ctx.Err() != nil {
		return false
	}
	s.instances++
	s.rootInstances++
	switch {
	case s.rootInstances > maxRootInstances:
		if !s.rootCapped {
			s.rootCapped = true
			s.problem(iac.Problem{File: file, Line: line, Code: finding.ProblemLimit, Message: fmt.Sprintf("root module %q declares more than %d module and cluster instances (count and for_each multiply); evaluation of this root stopped here, and its clusters from here on are not reported", s.rootName, maxRootInstances)})
		}
		return false
	case s.instances > maxScanInstances:
		if !s.scanCapped {
			s.scanCapped = true
			s.problem(iac.Problem{File: file, Line: line, Code: finding.ProblemLimit, Message: fmt.Sprintf("the scan has evaluated more than %d module and cluster instances; evaluation of root module %q stopped here, and its clusters from here on are not reported", maxScanInstances, s.rootName)})
		}
		return false
	}
	return true
}

func joinKey(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// childVars sets a child module's variables from the caller's arguments.
func (in *instance) childVars(c *callDecl, m *module, sc *scope) map[string]*varVal {
	out := map[string]*varVal{}
	where := fmt.Sprintf("%s:%d", c.file.name, c.block.DefRange.Start.Line)
	for n, d := range m.vars {
		var vv *varVal
		if a := c.attrs[n]; a != nil {
			e := in.evaluate(a.Expr, sc)
			vv = &varVal{val: e.v, from: fmt.Sprintf("the module.%s argument at %s:%d", c.name, a.Range.Filename, a.Range.Start.Line)}
			if e.reason != "" {
				vv.reason = fmt.Sprintf("var.%s (argument of module.%s at %s:%d): %s", n, c.name, a.Range.Filename, a.Range.Start.Line, e.reason)
				vv.afterApply = e.afterApply
			}
		} else {
			vv = in.s.defaultVar(d, fmt.Sprintf("var.%s has no value: module.%s (%s) does not set it and it has no default", n, c.name, where))
		}
		out[n] = in.s.finishVar(d, vv)
	}
	return out
}

// eksSource recognises the terraform-aws-modules/eks module (not its submodules) and returns the git
// ref of a git source.
func eksSource(src string) (gitRef string, ok bool) {
	s := strings.TrimSpace(src)
	lower := strings.ToLower(s)
	for _, host := range []string{"registry.terraform.io/", "registry.opentofu.org/"} {
		lower = strings.TrimPrefix(lower, host)
	}
	if lower == "terraform-aws-modules/eks/aws" {
		return "", true
	}
	if !strings.Contains(lower, "terraform-aws-modules/terraform-aws-eks") {
		return "", false
	}
	query := ""
	if i := strings.Index(lower, "?"); i >= 0 {
		query = s[i+1:]
		lower = lower[:i]
	}
	// A "//subdir" after the repository selects a submodule (node groups, karpenter...), not the
	// cluster module.
	rest := lower[strings.Index(lower, "terraform-aws-modules/terraform-aws-eks")+len("terraform-aws-modules/terraform-aws-eks"):]
	rest = strings.TrimPrefix(rest, ".git")
	if rest != "" && rest != "/" {
		return "", false
	}
	for _, kv := range strings.Split(query, "&") {
		if v, found := strings.CutPrefix(kv, "ref="); found {
			return v, true
		}
	}
	return "", true
}

// eksRelease is a terraform-aws-modules/eks release line with the same behaviour for what eksguard
// reads.
type eksRelease struct {
	major, minor, patch int
	// ternary is set for 19.0.0 and 19.0.1, which pass public_access_cidrs only when the public
	// endpoint is on.
	ternary bool
	// what says how the version was chosen, for details: `version "~> 20.0"`.
	what string
}

// lastMinor is the newest minor release of each major version eksguard knows the defaults of.
// Releases newer than the table within the last major are assumed to keep its defaults.
var lastMinor = map[int]int{17: 24, 18: 31, 19: 21, 20: 37, 21: 99}

const maxPatch = 9

// releaseGrid lists candidate versions newest first: every minor of each known major with patches up
// to maxPatch. It is denser than the real release list, which is harmless: only the major version,
// and 19.0.0-19.0.1 against later 19.x, change the endpoint behaviour.
var releaseGrid = sync.OnceValue(func() []*version.Version {
	var out []*version.Version
	for major := 21; major >= 17; major-- {
		for minor := lastMinor[major]; minor >= 0; minor-- {
			for patch := maxPatch; patch >= 0; patch-- {
				out = append(out, version.Must(version.NewVersion(fmt.Sprintf("%d.%d.%d", major, minor, patch))))
			}
		}
	}
	return out
})

// newestAllowed returns the newest release in eksguard's table that a constraint allows, as
// `terraform init` picks the newest release; nil when none does.
func (s *scanner) newestAllowed(constraint string, cs version.Constraints) *version.Version {
	if v, ok := s.selected[constraint]; ok {
		return v
	}
	v := newestAllowed(cs)
	s.selected[constraint] = v
	return v
}

func newestAllowed(cs version.Constraints) *version.Version {
	for _, v := range releaseGrid() {
		if cs.Check(v) {
			return v
		}
	}
	return nil
}

func releaseOf(v *version.Version, what string) (eksRelease, string) {
	seg := v.Segments()
	major := seg[0]
	if major < 17 || major > 21 {
		return eksRelease{}, fmt.Sprintf("terraform-aws-modules/eks %s (%s) is outside the versions eksguard knows (17 to 21)", v, what)
	}
	r := eksRelease{major: major, minor: seg[1], patch: seg[2], what: what}
	if major == 19 && seg[1] == 0 && seg[2] < 2 {
		r.ternary = true
	}
	return r, ""
}

type installedModule struct {
	Key     string `json:"Key"`
	Source  string `json:"Source"`
	Version string `json:"Version"`
	Dir     string `json:"Dir"`
}

// maxModulesJSON bounds .terraform/modules/modules.json, which lists one line per installed module.
const maxModulesJSON = 16 << 20

// installedModules reads .terraform/modules/modules.json of a root module, which records the module
// versions `terraform init` installed. The file is read like any input (a regular file within a size
// limit, not through a link that leaves the scanned tree); one that exists but cannot be read is a
// problem, and the versions it would have given are then chosen from the constraints.
func (s *scanner) installedModules(rootDir string) map[string]installedModule {
	if m, ok := s.installed[rootDir]; ok {
		return m
	}
	out := map[string]installedModule{}
	s.installed[rootDir] = out
	p := filepath.Join(rootDir, ".terraform", "modules", "modules.json")
	name := joinName(s.reportedDir(rootDir), ".terraform/modules/modules.json")
	if _, err := os.Lstat(p); err != nil {
		return out
	}
	if target, err := filepath.EvalSymlinks(p); err == nil && s.treeOf(target) == "" && len(s.trees) > 0 {
		s.problem(iac.Problem{File: name, Code: finding.ProblemLink, Message: fmt.Sprintf("symbolic link to %s, outside the folder being scanned; not followed, so installed module versions are not known", filepath.ToSlash(target))})
		return out
	}
	data, err := iac.ReadLimited(p, maxModulesJSON)
	if err != nil {
		p := iac.ReadProblem(name, err)
		p.Message += " (installed module versions are not known)"
		s.problem(p)
		return out
	}
	var doc struct {
		Modules []installedModule `json:"Modules"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		s.problem(iac.Problem{File: name, Code: finding.ProblemSyntax, Message: fmt.Sprintf("cannot read the installed modules: %v", err)})
		return out
	}
	for _, m := range doc.Modules {
		out[m.Key] = m
	}
	return out
}

// reportedDir is how a folder of the scan is named in messages.
func (s *scanner) reportedDir(dir string) string {
	if m := s.mods[dir]; m != nil && m.name != "" {
		return m.name
	}
	return filepath.ToSlash(dir)
}

// eksVersion decides which release of the module a call gets: the installed one when it satisfies the
// constraint, else the git ref, else the newest release the constraint allows. The empty release and
// a reason come back when it cannot be told.
func (in *instance) eksVersion(c *callDecl, gitRef string) (eksRelease, string) {
	var cs version.Constraints
	if c.version != "" {
		var err error
		cs, err = version.NewConstraint(c.version)
		if err != nil {
			in.s.problem(iac.Problem{File: c.file.name, Line: c.versionRng.Start.Line, Code: finding.ProblemInvalid, Message: fmt.Sprintf("Invalid version constraint: module.%s version %q: %v", c.name, c.version, err)})
			return eksRelease{}, fmt.Sprintf("module.%s has an invalid version constraint %q", c.name, c.version)
		}
	}
	if im, ok := in.s.installedModules(in.root.mod.dir)[joinKey(in.keyPath, c.name)]; ok && im.Version != "" {
		if v, err := version.NewVersion(im.Version); err == nil && (cs == nil || cs.Check(v)) {
			return releaseOf(v, fmt.Sprintf("%s installed in .terraform/modules", v))
		}
	}
	if gitRef != "" {
		v, err := version.NewVersion(strings.TrimPrefix(gitRef, "v"))
		if err != nil {
			return eksRelease{}, fmt.Sprintf("module.%s uses git ref %q, which is not a release version", c.name, gitRef)
		}
		return releaseOf(v, "git ref "+gitRef)
	}
	if cs == nil {
		return eksRelease{}, fmt.Sprintf("module.%s has no version constraint and no installed version in .terraform/modules/modules.json", c.name)
	}
	v := in.s.newestAllowed(c.version, cs)
	if v == nil {
		return eksRelease{}, fmt.Sprintf("version %q of module.%s allows no release eksguard knows (17.0.0 to 21.x)", c.version, c.name)
	}
	what := fmt.Sprintf("version %q", c.version)
	return releaseOf(v, what)
}

// eksArgs are the names of the module's arguments that v21 renamed, in one major version.
type eksArgs struct {
	public, private, cidrs, ipFamily, create, logs, enc string
}

var (
	argsV17 = eksArgs{"cluster_endpoint_public_access", "cluster_endpoint_private_access", "cluster_endpoint_public_access_cidrs", "", "create_eks", "cluster_enabled_log_types", "cluster_encryption_config"}
	argsV18 = eksArgs{"cluster_endpoint_public_access", "cluster_endpoint_private_access", "cluster_endpoint_public_access_cidrs", "cluster_ip_family", "create", "cluster_enabled_log_types", "cluster_encryption_config"}
	argsV21 = eksArgs{"endpoint_public_access", "endpoint_private_access", "endpoint_public_access_cidrs", "ip_family", "create", "enabled_log_types", "encryption_config"}
)

// renamedArgs lists the arguments whose names tell v21 from older releases.
func (a eksArgs) renamedArgs() []string { return []string{a.public, a.private, a.cidrs, a.logs, a.enc} }

func argsFor(major int) eksArgs {
	switch {
	case major == 17:
		return argsV17
	case major >= 21:
		return argsV21
	}
	return argsV18
}

// readEKSModule reads the cluster a terraform-aws-modules/eks call declares: module.<name>.aws_eks_cluster.this[0].
func (in *instance) readEKSModule(c *callDecl, gitRef string) {
	rel, verr := in.eksVersion(c, gitRef)
	line := c.block.DefRange.Start.Line
	for _, k := range in.expand(c.attrs["count"], c.attrs["for_each"], nil, "module."+c.name) {
		if !in.s.spend(c.file.name, line) {
			return
		}
		addr := in.prefix + "module." + c.name + k.suffix + ".aws_eks_cluster.this[0]"
		cl := &model.Cluster{Name: addr, Source: model.SourceTerraform, Kind: "module terraform-aws-modules/eks/aws", Loc: loc(c.file.name, line), Root: in.root.mod.name}
		cl.Notes = append(cl.Notes, in.notes...)
		if k.note != "" {
			cl.Notes = append(cl.Notes, "module."+c.name+": "+k.note)
		}
		d := &declared{addr: addr, cluster: cl}
		if !in.readEKSArgs(c, rel, verr, k.scope, d) {
			continue
		}
		in.s.add(cl, d)
		in.registerEKS(c, rel, verr, k.scope, cl, addr)
		if k.suffix == "" {
			in.eksOutputs(c, rel, verr)
		}
	}
}

// eksAfterApply are outputs of terraform-aws-modules/eks known only once the cluster exists.
var eksAfterApply = []string{"cluster_arn", "cluster_endpoint", "cluster_id", "cluster_certificate_authority_data",
	"cluster_oidc_issuer_url", "oidc_provider", "oidc_provider_arn", "cluster_platform_version", "cluster_status",
	"cluster_security_group_id", "cluster_security_group_arn", "node_security_group_id", "node_security_group_arn",
	"cluster_primary_security_group_id", "cluster_iam_role_arn", "cluster_iam_role_name", "kms_key_arn", "kms_key_id",
	"cloudwatch_log_group_name", "cloudwatch_log_group_arn", "eks_managed_node_groups", "self_managed_node_groups",
	"fargate_profiles", "access_entries", "cluster_addons", "cluster_tls_certificate_sha1_fingerprint"}

// eksOutputs gives the outputs of a terraform-aws-modules/eks call to the module that calls it: its
// name and Kubernetes version as passed in; the rest known only after apply, named as such.
func (in *instance) eksOutputs(c *callDecl, rel eksRelease, verr string) {
	out := map[string]cty.Value{}
	nameArg, versionArg := "cluster_name", "cluster_version"
	if rel.major >= 21 || verr != "" && c.attrs["name"] != nil {
		nameArg, versionArg = "name", "kubernetes_version"
	}
	for output, arg := range map[string]string{"cluster_name": nameArg, "cluster_version": versionArg} {
		out[output] = cty.DynamicVal
		if a := c.attrs[arg]; a != nil {
			if v, reason := in.eval(a.Expr, nil); reason == "" {
				out[output] = v
				continue
			} else {
				in.callReasons[c.name+"."+output] = fmt.Sprintf("module.%s.%s is unknown: %s", c.name, output, reason)
				continue
			}
		}
		in.callReasons[c.name+"."+output] = fmt.Sprintf("module.%s.%s: %s is not set in the call", c.name, output, arg)
	}
	for _, o := range eksAfterApply {
		out[o] = cty.DynamicVal
		in.callReasons[c.name+"."+o] = fmt.Sprintf("module.%s.%s is known only after the cluster is created", c.name, o)
	}
	in.calls[c.name] = cty.ObjectVal(out)
}

// readEKSArgs fills the cluster from the module arguments; it returns false when the call creates no
// cluster (create = false).
func (in *instance) readEKSArgs(c *callDecl, rel eksRelease, verr string, sc *scope, d *declared) bool {
	cl := d.cluster
	args := argsFor(rel.major)
	known := verr == ""
	if !known {
		// The argument names still tell v21 from older releases.
		args = argsV18
		for _, n := range argsV21.renamedArgs() {
			if c.attrs[n] != nil {
				args = argsV21
			}
		}
	}
	// create = false (create_eks in v17) or putin_khuylo = false make the module declare no cluster.
	for _, n := range []string{args.create, "putin_khuylo"} {
		a := c.attrs[n]
		if a == nil {
			continue
		}
		v, reason := in.eval(a.Expr, sc)
		switch {
		case reason != "":
			cl.Notes = append(cl.Notes, fmt.Sprintf("%s = %s is unknown (%s): Terraform may not create this cluster", n, in.exprText(a.Expr), reason))
		case v.IsNull():
		case v.Type() == cty.Bool && v.False():
			return false
		}
	}
	if f := in.mod.overridden["module."+c.name]; f != "" {
		why := fmt.Sprintf("module.%s is also declared in %s, and eksguard does not merge override files", c.name, f)
		d.noFix = why
		setAllUnknown(cl, why, cl.Loc)
		return true
	}
	// Arguments of the other naming scheme are rejected by Terraform ("Unsupported argument").
	other := argsV21
	if args == argsV21 {
		other = argsV18
	}
	for _, n := range other.renamedArgs() {
		a := c.attrs[n]
		if a == nil || !known {
			continue
		}
		msg := fmt.Sprintf("Unsupported argument: terraform-aws-modules/eks v%d (%s) has no argument %q; it is %q in this version", rel.major, rel.what, n, renamed(n, args))
		in.s.problemAt(a.Range, finding.ProblemInvalid, msg)
		why := fmt.Sprintf("module.%s sets %s, which terraform-aws-modules/eks v%d (%s) does not accept, so Terraform rejects the configuration", c.name, n, rel.major, rel.what)
		d.noFix = why
		setAllUnknown(cl, why, attrLoc(a))
		return true
	}
	if a := c.attrs[args.ipFamily]; args.ipFamily != "" && a != nil {
		if v, reason := in.eval(a.Expr, sc); reason == "" && !v.IsNull() && v.Type() == cty.String {
			cl.IPFamily = strings.ToLower(v.AsString())
		}
	}
	field := func(name string) field {
		f := field{name: name, attr: c.attrs[name], file: c.file, block: c.block}
		if f.attr != nil && sc != nil && sc.perInstance && usesInstanceKey(f.attr.Expr) {
			f.noFix = fmt.Sprintf("argument %s of module.%s differs per instance; change the value for this instance where count or for_each gets it", name, c.name)
		}
		return f
	}
	d.public, d.private, d.cidrs = field(args.public), field(args.private), field(args.cidrs)
	label := fmt.Sprintf("terraform-aws-modules/eks v%d default (%s)", rel.major, rel.what)
	pubDef, privDef := model.Default(rel.major < 19, label), model.Default(rel.major >= 19, label)
	if !known {
		pubDef = model.Unknown(fmt.Sprintf("%s is not set and its default changed between module versions: %s", args.public, verr))
		privDef = model.Unknown(fmt.Sprintf("%s is not set and its default changed between module versions: %s", args.private, verr))
		label = "terraform-aws-modules/eks default (the same in every major version)"
		if d.public.attr == nil || d.private.attr == nil {
			d.noFix = verr
		}
	}
	nullBool := func(v bool) model.Bool {
		return model.Default(v, "AWS provider default, because null passes through the module to aws_eks_cluster")
	}
	cl.EndpointPublicAccess = in.readBoolOr(d.public.attr, sc, pubDef, nullBool(true))
	cl.EndpointPrivateAccess = in.readBoolOr(d.private.attr, sc, privDef, nullBool(false))
	cidrDef := model.Strings{Values: []string{"0.0.0.0/0"}, Origin: model.OriginDefault, Detail: label}
	cidrNull := defaultCIDRs(cl.IPFamily, "EKS default, because null passes through the module to aws_eks_cluster")
	cl.PublicAccessCIDRs = in.readCIDRsOr(d.cidrs.attr, sc, cidrDef, cidrNull)
	if rel.ternary {
		pub := cl.EndpointPublicAccess
		switch {
		case !pub.Known():
			cl.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: pub.Loc,
				Detail: fmt.Sprintf("terraform-aws-modules/eks 19.0.0-19.0.1 sends the allowlist only when the public endpoint is on, and that is unknown (%s)", pub.Detail)}
		case !pub.Value:
			cl.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginDefault,
				Detail: "terraform-aws-modules/eks 19.0.0-19.0.1 sends an empty allowlist when the public endpoint is off"}
		}
	}
	in.readEKSFields(c, rel, verr, args, sc, d, field)
	return true
}

func renamed(n string, args eksArgs) string {
	switch n {
	case argsV21.public, argsV18.public:
		return args.public
	case argsV21.private, argsV18.private:
		return args.private
	case argsV21.logs, argsV18.logs:
		return args.logs
	case argsV21.enc, argsV18.enc:
		return args.enc
	}
	return args.cidrs
}

// setAllUnknown makes every setting eksguard reads unknown, for the same reason.
func setAllUnknown(cl *model.Cluster, why string, l *model.Location) {
	b := model.Unknown(why)
	b.Loc = l
	cl.EndpointPublicAccess, cl.EndpointPrivateAccess = b, b
	cl.PublicAccessCIDRs, cl.EnabledLogTypes = model.UnknownList(why), model.UnknownList(why)
	cl.PublicAccessCIDRs.Loc, cl.EnabledLogTypes.Loc = l, l
	str := model.UnknownString(why)
	str.Loc = l
	cl.AuthenticationMode, cl.SecretsKeyARN = str, str
}
