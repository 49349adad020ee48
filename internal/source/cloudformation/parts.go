package cloudformation

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// What a template declares beside its clusters: the EKS add-ons of a cluster, and the ECR
// repositories and registry scanning configuration, which make the template's registry. Both are
// read through the evaluator, so parameters, conditions and AWS::NoValue count as they do for the
// cluster's settings.

// Resource types read beside the clusters.
const (
	TypeAddon            = "AWS::EKS::Addon"
	TypeRepository       = "AWS::ECR::Repository"
	TypeRegistryScanning = "AWS::ECR::RegistryScanningConfiguration"
)

// readType reports whether the adapter reads resources of type typ.
func readType(typ string) bool {
	_, ok := layouts[typ]
	return ok || typ == TypeAddon || typ == TypeRepository || typ == TypeRegistryScanning
}

const (
	noScanOnPush = "ImageScanningConfiguration.ScanOnPush defaults to false"
	noScanning   = "no AWS::ECR::RegistryScanningConfiguration in this template: the registry's default, basic scanning with no rules, unless it is set elsewhere"
	noAddonConf  = "no ConfigurationValues: the add-on is created without configuration values"
)

// addonDecl is an AWS::EKS::Addon, read once, with the cluster it names.
type addonDecl struct {
	// ref is the logical ID of a resource its ClusterName refers to (Ref); name the literal name it
	// resolves to otherwise; param the parameter it refers to when that has no value, so that a
	// cluster named by the same parameter still matches.
	ref, name, param string
	addon            model.Addon
	// skip says why the add-on is not read (its AddonName is unknown); it becomes a note of its
	// cluster.
	skip string
}

// addonSet is the template's add-ons, indexed by how they name their cluster.
type addonSet struct {
	decls                 []addonDecl
	byRef, byName, byParm map[string][]int
	// incomplete says why some were not read (the template's budget is spent).
	incomplete string
}

// of returns the add-ons that name a cluster, in template order.
func (s *addonSet) of(id, name, param string) []addonDecl {
	idx := append([]int(nil), s.byRef[id]...)
	if name != "" {
		idx = append(idx, s.byName[name]...)
	}
	if param != "" {
		idx = append(idx, s.byParm[param]...)
	}
	slices.Sort(idx)
	var out []addonDecl
	for _, i := range slices.Compact(idx) {
		out = append(out, s.decls[i])
	}
	return out
}

// addons reads the template's AWS::EKS::Addon resources that the stack creates and that name a
// cluster eksguard can tell.
func (t *template) addons() *addonSet {
	s := &addonSet{byRef: map[string][]int{}, byName: map[string][]int{}, byParm: map[string][]int{}}
	for _, r := range t.order {
		if r.typ != TypeAddon {
			continue
		}
		if why := t.used.spent(); why != "" {
			s.incomplete = why
			return s
		}
		ev := newEvaluator(t)
		ev.loopIDs = r.unknownIDs
		node := yamledit.Deref(r.node)
		created, maybe := t.created(ev, node)
		if !created {
			continue
		}
		_, props := ev.lookup(node, "Properties")
		props, why := ev.container(props, "Properties", 0)
		if why != "" || props == nil {
			continue // which cluster it is for cannot be told
		}
		var d addonDecl
		_, cn := ev.lookup(props, "ClusterName")
		d.ref, d.name, d.param = t.clusterNamed(ev, cn)
		if d.ref == "" && d.name == "" && d.param == "" {
			continue
		}
		d.addon, d.skip = t.addon(ev, r, props, maybe)
		i := len(s.decls)
		s.decls = append(s.decls, d)
		switch {
		case d.ref != "":
			s.byRef[d.ref] = append(s.byRef[d.ref], i)
		case d.name != "":
			s.byName[d.name] = append(s.byName[d.name], i)
		default:
			s.byParm[d.param] = append(s.byParm[d.param], i)
		}
	}
	return s
}

// clusterNamed says which cluster a ClusterName (or a cluster's own name) names: the logical ID of a
// resource it refers to, the name it resolves to, or the parameter without a value it refers to.
func (t *template) clusterNamed(ev *evaluator, n *yaml.Node) (ref, name, param string) {
	if n == nil {
		return "", "", ""
	}
	if fn, arg, ok := ev.intrinsic(yamledit.Deref(n)); ok && fn == "Ref" {
		if a := yamledit.Deref(arg); a != nil && a.Kind == yaml.ScalarNode {
			if _, isResource := t.resources[a.Value]; isResource {
				return a.Value, "", ""
			}
			if _, isParam := t.params[a.Value]; isParam {
				param = a.Value
			}
		}
	}
	v := ev.eval(n, 0)
	if s, ok := v.scalar(); ok && (v.k == kStr || v.k == kNum) && s != "" {
		return "", s, ""
	}
	return "", "", param
}

// attachAddons gives a cluster the add-ons that name it: by Ref to its logical ID, or by a name
// that equals its own. When not every add-on could be read, the cluster's add-ons are not known, so
// it gets none: the checks of add-ons then do not judge it.
func (t *template) attachAddons(c *model.Cluster, r resourceEntry, lay layout, addons *addonSet) {
	if addons.incomplete != "" {
		c.Notes = append(c.Notes, "the template's add-ons are not read: "+addons.incomplete)
		return
	}
	if len(addons.decls) == 0 {
		return
	}
	ev := newEvaluator(t)
	ev.loopIDs = r.unknownIDs
	var nameNode *yaml.Node
	if _, props := ev.lookup(yamledit.Deref(r.node), "Properties"); props != nil {
		if props, why := ev.container(props, "Properties", 0); why == "" && props != nil {
			if m, _, why := ev.settingPath(props, lay.name); why == "" && m != nil {
				_, nameNode = ev.lookup(m, lay.name[len(lay.name)-1])
			}
		}
	}
	_, name, param := t.clusterNamed(ev, nameNode)
	for _, d := range addons.of(r.id, name, param) {
		c.Parts = c.Parts.Add(model.PartAddons)
		if d.skip != "" {
			c.Notes = append(c.Notes, d.skip)
			continue
		}
		c.Addons = append(c.Addons, d.addon)
	}
}

// addon reads one AWS::EKS::Addon. maybe says why whether the stack creates it is not known: its
// configuration is then unknown too, since an add-on that may not exist configures nothing for sure.
func (t *template) addon(ev *evaluator, r resourceEntry, props *yaml.Node, maybe string) (model.Addon, string) {
	loc := t.loc(r.key)
	a := model.Addon{Loc: loc}
	_, an := ev.lookup(props, "AddonName")
	nv := ev.eval(an, 0)
	name, ok := nv.scalar()
	switch {
	case nv.k == kUnknown:
		return a, fmt.Sprintf("add-on %s is not read: its AddonName is unknown (%s)", clip(r.id), nv.s)
	case !ok || name == "":
		return a, fmt.Sprintf("add-on %s is not read: its AddonName is %s, not a name", clip(r.id), nv.describe())
	}
	a.Name = name
	if _, vn := ev.lookup(props, "AddonVersion"); vn != nil {
		if s, ok := ev.eval(vn, 0).scalar(); ok {
			a.Version = s
		}
	}
	a.ConfigurationValues = t.configurationValues(ev, props, loc)
	if maybe != "" && a.ConfigurationValues.Known() {
		a.ConfigurationValues = model.String{Origin: model.OriginUnknown, Loc: a.ConfigurationValues.Loc,
			Detail: fmt.Sprintf("add-on %s: %s", clip(r.id), maybe)}
	}
	return a, ""
}

// configurationValues reads an add-on's ConfigurationValues, a JSON or YAML text.
func (t *template) configurationValues(ev *evaluator, props *yaml.Node, at *model.Location) model.String {
	const name = "ConfigurationValues"
	k, n := ev.lookup(props, name)
	if k == nil {
		s := model.DefaultString("", noAddonConf)
		s.Loc = at
		return s
	}
	loc := t.loc(k)
	v := ev.eval(n, 0)
	switch v.k {
	case kStr, kNum, kBool:
		s, _ := v.scalar()
		return model.String{Value: s, Origin: model.OriginExplicit, Loc: loc, Detail: v.via}
	case kNoValue:
		s := model.DefaultString("", noAddonConf+" (AWS::NoValue)")
		s.Loc = loc
		return s
	case kUnknown:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: v.s}
	case kNull:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: name + " is null, which CloudFormation rejects"}
	}
	return model.String{Origin: model.OriginUnknown, Loc: loc,
		Detail: fmt.Sprintf("%s is %s, not a string, which CloudFormation rejects (it takes the configuration as JSON text)", name, v.describe())}
}

// registry is what the template declares of its account's ECR registry: its repositories and
// scanning configuration; nil when it declares neither.
func (t *template) registry() *model.Registry {
	var repos, scans []resourceEntry
	for _, r := range t.order {
		switch r.typ {
		case TypeRepository:
			repos = append(repos, r)
		case TypeRegistryScanning:
			scans = append(scans, r)
		}
	}
	if len(repos)+len(scans) == 0 {
		return nil
	}
	reg := &model.Registry{Source: model.SourceCloudFormation, Rules: []model.ScanRule{}, Repositories: []model.Repository{}}
	if len(repos) > 0 {
		reg.Loc = t.loc(repos[0].key)
	} else {
		reg.Loc = t.loc(scans[0].key)
	}
	for _, r := range repos {
		if repo, ok := t.repository(r); ok {
			reg.Repositories = append(reg.Repositories, repo)
		}
	}
	reg.ScanType, reg.Rules = t.scanning(scans)
	return reg
}

// repository reads one AWS::ECR::Repository; false when the stack does not create it.
func (t *template) repository(r resourceEntry) (model.Repository, bool) {
	repo := model.Repository{Name: r.id, Loc: t.loc(r.key)}
	if why := t.used.spent(); why != "" {
		repo.ScanOnPush = model.Bool{Origin: model.OriginUnknown, Loc: repo.Loc, Detail: why}
		return repo, true
	}
	ev := newEvaluator(t)
	ev.loopIDs = r.unknownIDs
	node := yamledit.Deref(r.node)
	created, maybe := t.created(ev, node)
	if !created {
		return repo, false
	}
	propsKey, props := ev.lookup(node, "Properties")
	props, why := ev.container(props, "Properties", 0)
	if why != "" {
		repo.ScanOnPush = model.Bool{Origin: model.OriginUnknown, Loc: t.loc(propsKey), Detail: why}
		return repo, true
	}
	if _, n := ev.lookup(props, "RepositoryName"); n != nil {
		if v := ev.eval(n, 0); v.k == kStr && v.s != "" {
			repo.Name = v.s
		}
	}
	path := []string{"ImageScanningConfiguration", "ScanOnPush"}
	k, v, at, why := t.setting(ev, props, path)
	switch {
	case why != "":
		repo.ScanOnPush = model.Bool{Origin: model.OriginUnknown, Loc: at, Detail: why}
	case k == nil:
		repo.ScanOnPush = model.Default(false, noScanOnPush)
		repo.ScanOnPush.Loc = firstLoc(at, repo.Loc)
	default:
		repo.ScanOnPush = boolOf(v, strings.Join(path, "."), at, model.Default(false, noScanOnPush))
	}
	// A repository that may not exist scans on push only if it says so; otherwise whether it is an
	// unscanned repository is not known.
	if maybe != "" && !(repo.ScanOnPush.Known() && repo.ScanOnPush.Value) {
		repo.ScanOnPush = model.Bool{Origin: model.OriginUnknown, Loc: repo.ScanOnPush.Loc,
			Detail: fmt.Sprintf("repository %s: %s", clip(r.id), maybe)}
	}
	return repo, true
}

// scanning reads the registry scanning configuration the stack creates: its scan type and rules.
// Anything in it that cannot be known makes the scan type unknown, since then which repositories
// are scanned is not known.
func (t *template) scanning(scans []resourceEntry) (model.String, []model.ScanRule) {
	rules := []model.ScanRule{}
	var created []resourceEntry
	var evs []*evaluator
	for _, r := range scans {
		if why := t.used.spent(); why != "" {
			return model.String{Origin: model.OriginUnknown, Loc: t.loc(r.key), Detail: why}, rules
		}
		ev := newEvaluator(t)
		ev.loopIDs = r.unknownIDs
		ok, maybe := t.created(ev, yamledit.Deref(r.node))
		if maybe != "" {
			return model.String{Origin: model.OriginUnknown, Loc: t.loc(r.key),
				Detail: fmt.Sprintf("%s %s: %s", TypeRegistryScanning, clip(r.id), maybe)}, rules
		}
		if ok {
			created, evs = append(created, r), append(evs, ev)
		}
	}
	switch len(created) {
	case 0:
		detail := noScanning
		if len(scans) > 0 {
			detail = fmt.Sprintf("%s %s is not created (its Condition is false): the registry's default, basic scanning with no rules, unless it is set elsewhere", TypeRegistryScanning, clip(scans[0].id))
		}
		return model.DefaultString("BASIC", detail), rules
	case 1:
	default:
		return model.String{Origin: model.OriginUnknown, Loc: t.loc(created[1].key),
			Detail: fmt.Sprintf("the template declares %d %s resources (%s, %s): a registry has one scanning configuration, so which one holds is not known",
				len(created), TypeRegistryScanning, clip(created[0].id), clip(created[1].id))}, rules
	}
	r, ev := created[0], evs[0]
	unknown := func(loc *model.Location, why string) (model.String, []model.ScanRule) {
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}, []model.ScanRule{}
	}
	propsKey, props := ev.lookup(yamledit.Deref(r.node), "Properties")
	props, why := ev.container(props, "Properties", 0)
	if why != "" {
		return unknown(t.loc(propsKey), why)
	}
	if props == nil {
		return unknown(t.loc(r.key), "Properties (ScanType and Rules) are missing, which CloudFormation rejects")
	}
	st := t.scanType(ev, props, t.loc(r.key))
	if !st.Known() {
		return st, rules
	}
	k, v, at, why := t.setting(ev, props, []string{"Rules"})
	switch {
	case why != "":
		return unknown(at, why)
	case k == nil:
		return st, rules
	}
	switch v.k {
	case kNoValue:
		return st, rules
	case kUnknown:
		return unknown(at, v.s)
	case kList:
	default:
		return unknown(at, fmt.Sprintf("Rules is %s, not a list", v.describe()))
	}
	for i, e := range v.list {
		rule, bad := t.scanRule(ev, e, fmt.Sprintf("Rules[%d]", i), at)
		if bad != "" {
			return unknown(firstLoc(rule.Loc, at), bad)
		}
		rules = append(rules, rule)
	}
	return st, rules
}

// scanType reads ScanType, BASIC or ENHANCED.
func (t *template) scanType(ev *evaluator, props *yaml.Node, at *model.Location) model.String {
	k, n := ev.lookup(props, "ScanType")
	if k == nil {
		return model.String{Origin: model.OriginUnknown, Loc: at, Detail: "ScanType is missing, which CloudFormation rejects"}
	}
	loc := t.loc(k)
	v := ev.eval(n, 0)
	switch {
	case v.k == kUnknown:
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: v.s}
	case v.k == kStr && (v.s == "BASIC" || v.s == "ENHANCED"):
		return model.String{Value: v.s, Origin: model.OriginExplicit, Loc: loc, Detail: v.via}
	}
	return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: fmt.Sprintf("ScanType is %s, not BASIC or ENHANCED, which CloudFormation rejects", v.describe())}
}

// scanRule reads one entry of Rules: {ScanFrequency, RepositoryFilters: [{Filter, FilterType}]}.
func (t *template) scanRule(ev *evaluator, e value, name string, at *model.Location) (model.ScanRule, string) {
	rule := model.ScanRule{Filters: []string{}}
	switch e.k {
	case kUnknown:
		return rule, e.s
	case kMap:
	default:
		return rule, fmt.Sprintf("%s is %s, not a mapping", name, e.describe())
	}
	rule.Loc = firstLoc(t.loc(e.node), at)
	fk, fn := ev.lookup(e.node, "ScanFrequency")
	if fk == nil {
		return rule, name + " has no ScanFrequency, which CloudFormation rejects"
	}
	f := ev.eval(fn, 0)
	switch s, _ := f.scalar(); {
	case f.k == kUnknown:
		return rule, f.s
	case f.k == kStr && s != "":
		rule.Frequency = s
	default:
		return rule, fmt.Sprintf("%s.ScanFrequency is %s, not a frequency", name, f.describe())
	}
	rk, rn := ev.lookup(e.node, "RepositoryFilters")
	if rk == nil {
		return rule, name + " has no RepositoryFilters, which CloudFormation rejects"
	}
	filters := ev.eval(rn, 0)
	switch filters.k {
	case kUnknown:
		return rule, filters.s
	case kList:
	default:
		return rule, fmt.Sprintf("%s.RepositoryFilters is %s, not a list", name, filters.describe())
	}
	for j, fe := range filters.list {
		what := fmt.Sprintf("%s.RepositoryFilters[%d]", name, j)
		switch fe.k {
		case kUnknown:
			return rule, fe.s
		case kMap:
		default:
			return rule, fmt.Sprintf("%s is %s, not a mapping", what, fe.describe())
		}
		_, n := ev.lookup(fe.node, "Filter")
		fv := ev.eval(n, 0)
		switch s, _ := fv.scalar(); {
		case fv.k == kUnknown:
			return rule, fv.s
		case (fv.k == kStr || fv.k == kNum) && s != "":
			rule.Filters = append(rule.Filters, s)
		default:
			return rule, fmt.Sprintf("%s.Filter is %s, not a filter", what, fv.describe())
		}
	}
	return rule, ""
}
