package cloudformation

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Resource types that declare an EKS cluster.
const (
	TypeCluster     = "AWS::EKS::Cluster"
	TypeQuickStart  = "AWSQS::EKS::Cluster"
	TypeCDKResource = "Custom::AWSCDK-EKS-Cluster"
)

// layout says where a resource type keeps the settings eksguard reads, below Properties.
type layout struct {
	vpc                    []string
	public, private, cidrs string
	network                []string
	ipFamily, version      string
	// name is the path to the cluster's name, which an add-on's ClusterName may spell out.
	name []string
	// logging is the path to the list of enabled log types, spelt as style says.
	logging  []string
	logStyle logStyle
	// logType names the key of each entry (Type) for logEntries, types and enabled for logSetups.
	logType, logEnabled string
	// access is the path to the authentication mode; nil when the type has no such property.
	access []string
	// encryption is the path to the list of encryption entries, whose keys are resources and
	// provider (a mapping holding keyArn).
	encryption                  []string
	resources, provider, keyArn string
	// defaults says where each default comes from, for details.
	accessDefault string
}

// logStyle is how a resource type lists the enabled log types.
type logStyle int

const (
	// logEntries: a list of mappings, one type each (EnabledTypes: [{Type: api}]).
	logEntries logStyle = iota
	// logStrings: a list of types (EnabledClusterLoggingTypes: [api]).
	logStrings
	// logSetups: the EKS API's LogSetup list, types with an enabled flag
	// (clusterLogging: [{types: [api], enabled: true}]).
	logSetups
)

var layouts = map[string]layout{
	TypeCluster: {
		vpc: []string{"ResourcesVpcConfig"}, public: "EndpointPublicAccess", private: "EndpointPrivateAccess",
		cidrs: "PublicAccessCidrs", network: []string{"KubernetesNetworkConfig"}, ipFamily: "IpFamily", version: "Version",
		name:    []string{"Name"},
		logging: []string{"Logging", "ClusterLogging", "EnabledTypes"}, logStyle: logEntries, logType: "Type",
		access:     []string{"AccessConfig", "AuthenticationMode"},
		encryption: []string{"EncryptionConfig"}, resources: "Resources", provider: "Provider", keyArn: "KeyArn",
		accessDefault: "AWS default: CreateCluster without AccessConfig.AuthenticationMode gives CONFIG_MAP",
	},
	// The registry type of the EKS Quick Start: the same endpoint and encryption properties, logging
	// as a plain list, and no access configuration (its handler calls CreateCluster without one).
	TypeQuickStart: {
		vpc: []string{"ResourcesVpcConfig"}, public: "EndpointPublicAccess", private: "EndpointPrivateAccess",
		cidrs: "PublicAccessCidrs", network: []string{"KubernetesNetworkConfig"}, ipFamily: "IpFamily", version: "Version",
		name:    []string{"Name"},
		logging: []string{"EnabledClusterLoggingTypes"}, logStyle: logStrings,
		encryption: []string{"EncryptionConfig"}, resources: "Resources", provider: "Provider", keyArn: "KeyArn",
		accessDefault: "AWS default: AWSQS::EKS::Cluster has no AccessConfig and creates clusters without one, which gives CONFIG_MAP",
	},
	// The CDK custom resource passes Config to the EKS CreateCluster API as is, so its keys are the
	// API's camelCase names.
	TypeCDKResource: {
		vpc: []string{"Config", "resourcesVpcConfig"}, public: "endpointPublicAccess", private: "endpointPrivateAccess",
		cidrs: "publicAccessCidrs", network: []string{"Config", "kubernetesNetworkConfig"}, ipFamily: "ipFamily", version: "version",
		name:    []string{"Config", "name"},
		logging: []string{"Config", "logging", "clusterLogging"}, logStyle: logSetups, logType: "types", logEnabled: "enabled",
		access:     []string{"Config", "accessConfig", "authenticationMode"},
		encryption: []string{"Config", "encryptionConfig"}, resources: "resources", provider: "provider", keyArn: "keyArn",
		accessDefault: "AWS default: the CDK cluster handler passes Config to CreateCluster, which without accessConfig.authenticationMode gives CONFIG_MAP",
	},
}

// New returns the CloudFormation adapter.
func New() iac.Adapter { return adapter{} }

type adapter struct{}

func (adapter) Name() string { return "cloudformation" }

// Scan reads every .yaml, .yml, .json and .template file that holds a CloudFormation template, with
// the parameter values of opts.CFParamFiles.
func (adapter) Scan(in *iac.Input, opts iac.Options) iac.Result {
	var loaded iac.Result
	ps := loadParams(opts.CFParamFiles, &loaded)
	res := iac.ScanFiles(in, []string{".yaml", ".yml", ".json", ".template"}, "template", func(f *iac.File, res *iac.Result) {
		scanWith(f, res, ps)
	})
	res.Problems = append(loaded.Problems, res.Problems...)
	ps.undeclared(&res)
	return res
}

// templateMarkers are texts that make a file that does not parse clearly a template of ours. A
// template of add-ons alone needs none: an add-on is read only with the cluster it names.
var templateMarkers = []string{"AWSTemplateFormatVersion", TypeCluster, TypeQuickStart, TypeCDKResource, TypeRepository, TypeRegistryScanning}

// otherMarkers are texts of formats other adapters read: a broken file holding them is theirs to
// report, even when named on the command line.
var otherMarkers = []string{"eksctl.io/", `"terraform_version"`, `"resource_changes"`, `"planned_values"`, "controlplane.cluster.x-k8s.io/", "eks.services.k8s.aws/"}

func hasMarker(data []byte, markers []string) bool {
	for _, m := range markers {
		if bytes.Contains(data, []byte(m)) {
			return true
		}
	}
	return false
}

func looksLikeTemplate(f *iac.File) bool {
	if hasMarker(f.Data, templateMarkers) {
		return true
	}
	if !f.Explicit {
		return false
	}
	for _, m := range otherMarkers {
		if bytes.Contains(f.Data, []byte(m)) {
			return false
		}
	}
	return true
}

func scanFile(f *iac.File, res *iac.Result) { scanWith(f, res, nil) }

// scanWith reads one file with the values of the parameter files in ps (nil for none).
func scanWith(f *iac.File, res *iac.Result, ps *paramSet) {
	// A walked file that names no template marker can hold no cluster and no problem of ours: a
	// monorepo's Helm charts, CRDs and dashboards are not parsed at all. Parameter files need every
	// template's parameters, so then everything is read.
	if !f.Explicit && (ps == nil || len(ps.files) == 0) && !hasMarker(f.Data, templateMarkers) {
		return
	}
	root, doc, err := parse(f.Name, f.Data)
	if err != nil {
		if looksLikeTemplate(f) {
			format := "YAML"
			if yamledit.IsJSON(f.Data) {
				format = "JSON"
			}
			res.Problems = append(res.Problems, yamledit.ParseProblem(f.Name, err, "not valid "+format+": "))
			res.Claimed = append(res.Claimed, f.Name)
		}
		return
	}
	t := newTemplate(f, root, doc, ps)
	if t == nil {
		return
	}
	res.Claimed = append(res.Claimed, f.Name)
	res.Resources = append(res.Resources, t.clusters()...)
	if reg := t.registry(); reg != nil {
		res.Registries = append(res.Registries, reg)
	}
	res.Problems = append(res.Problems, t.problems...)
}

// parse reads JSON (by its own parser, which knows every node's span) or YAML. A file that starts
// like JSON but is not is read as YAML, as CloudFormation does, unless it is named .json: there a JSON
// error (a trailing comma, say) is what the author needs to hear about.
func parse(name string, data []byte) (*yaml.Node, *yamledit.Doc, error) {
	if yamledit.IsJSON(data) {
		root, doc, err := yamledit.ParseJSON(data)
		if err == nil {
			return root, doc, nil
		}
		if strings.EqualFold(filepath.Ext(name), ".json") {
			return nil, nil, err
		}
		if n, yerr := yamledit.ParseYAMLDocument(data); yerr == nil && n != nil {
			return n, yamledit.NewDoc(data), nil
		}
		return nil, nil, err
	}
	n, err := yamledit.ParseYAMLDocument(data)
	if err != nil {
		return nil, nil, err
	}
	return n, yamledit.NewDoc(data), nil
}

// template is one parsed CloudFormation template.
type template struct {
	file       *iac.File
	doc        *yamledit.Doc
	root       *yaml.Node
	params     map[string]*yaml.Node
	conditions map[string]*yaml.Node
	mappings   *yaml.Node
	resources  map[string]*yaml.Node
	order      []resourceEntry
	// cdk is set when the template is AWS CDK output: under cdk.out or with CDK metadata.
	cdk      bool
	problems []iac.Problem
	// used is the work spent on the template so far, by reading it and by every cluster's evaluator.
	used budget
	// calls holds the argument of each short-form intrinsic evaluated, made once.
	calls map[*yaml.Node]call
	// overrides are the parameter files' values of the parameters the template declares; rejected
	// says why a value is refused by the parameter's AllowedValues or AllowedPattern.
	overrides map[string]paramOverride
	rejected  map[string]string
	// langExt is set by Transform: AWS::LanguageExtensions, which expands Fn::ForEach.
	langExt bool
}

type resourceEntry struct {
	key, node *yaml.Node
	id, typ   string
	// inBlock is set when Resources is a block mapping, so the entry can be rewritten line by line.
	inBlock bool
	// For an entry a Fn::ForEach made, or one whose properties hold a loop, key and node are the
	// expanded copy and origKey and origNode the template's own text, which fixes edit.
	origKey, origNode *yaml.Node
	// loop is the innermost Fn::ForEach that made the entry; loopIDs the identifiers in scope, and
	// unknownIDs those whose collection is unknown, with why.
	loop       string
	binds      []binding
	loopIDs    []string
	unknownIDs map[string]string
}

// newTemplate returns nil when the document is not a CloudFormation template.
func newTemplate(f *iac.File, doc *yaml.Node, text *yamledit.Doc, ps *paramSet) *template {
	root := yamledit.Deref(doc)
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = yamledit.Deref(root.Content[0])
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	t := &template{file: f, doc: text, root: root, params: section(root, "Parameters"), conditions: section(root, "Conditions"),
		resources: map[string]*yaml.Node{}, calls: map[*yaml.Node]call{}}
	_, t.mappings = yamledit.Lookup(root, "Mappings")
	paramProblems := t.applyParams(ps)
	t.langExt = languageExtensions(root)
	ex := newExpander(t)
	if t.langExt {
		t.expandConditions(ex, root)
	}
	versionKey, _ := yamledit.Lookup(root, "AWSTemplateFormatVersion")
	_, res := yamledit.Lookup(root, "Resources")
	res = yamledit.Deref(res)
	typed := false
	var loops [][2]*yaml.Node
	if res != nil && res.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(res.Content); i += 2 {
			k, v := yamledit.Deref(res.Content[i]), yamledit.Deref(res.Content[i+1])
			if k == nil || k.Kind != yaml.ScalarNode {
				continue
			}
			// Aliases let every entry name one large mapping, so reading the entries is charged too.
			if why := t.used.spent(); why != "" {
				t.problems = append(t.problems, iac.Problem{File: f.Name, Line: k.Line, Column: k.Column, Code: finding.ProblemLimit,
					Message: "eksguard reads no further resources: " + why})
				break
			}
			if strings.HasPrefix(k.Value, loopPrefix) {
				if t.declaresRead(v, 0) {
					loops = append(loops, [2]*yaml.Node{k, res.Content[i+1]})
				}
				continue
			}
			t.resources[k.Value] = v
			_, tn, cost := yamledit.LookupCost(v, "Type")
			t.used.steps += cost
			tn = yamledit.Deref(tn)
			if tn == nil || tn.Kind != yaml.ScalarNode || tn.Tag != "!!str" || !strings.Contains(tn.Value, "::") {
				continue
			}
			typed = true
			r := resourceEntry{key: res.Content[i], node: res.Content[i+1], id: k.Value, typ: tn.Value, inBlock: res.Style&yaml.FlowStyle == 0}
			if readType(tn.Value) && t.langExt && t.hasLoop(v, 0) {
				// A loop in the properties: the resource is read from the expansion, edited in place.
				r.origKey, r.origNode = r.key, r.node
				r.node = newCopier(ex, nil, 0).copy(r.node, 0)
			}
			t.order = append(t.order, r)
			if tn.Value == "AWS::CDK::Metadata" {
				t.cdk = true
			}
		}
	}
	if len(loops) > 0 {
		typed = true
		t.expandResources(ex, loops, res.Style&yaml.FlowStyle == 0)
	}

	if versionKey == nil && !typed && len(t.problems) == 0 {
		return nil
	}
	if underCDKOut(f.Name) || underCDKOut(f.Path) {
		t.cdk = true
	}
	if ps != nil {
		ps.templates++
		for name := range t.params {
			ps.declared[name] = true
		}
		t.problems = append(t.problems, paramProblems...)
	}
	sort.SliceStable(t.order, func(i, j int) bool { return t.order[i].key.Line < t.order[j].key.Line })
	return t
}

// declaresRead reports whether a subtree names one of the types the adapter reads.
func (t *template) declaresRead(n *yaml.Node, depth int) bool {
	if n == nil || depth > 32 || n.Kind == yaml.AliasNode {
		return false
	}
	if t.used.steps++; t.used.spent() != "" {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return readType(n.Value)
	}
	for _, c := range n.Content {
		if t.declaresRead(c, depth+1) {
			return true
		}
	}
	return false
}

func underCDKOut(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if part == "cdk.out" {
			return true
		}
	}
	return false
}

func section(root *yaml.Node, name string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	_, m := yamledit.Lookup(root, name)
	m = yamledit.Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := yamledit.Deref(m.Content[i]); k != nil && k.Kind == yaml.ScalarNode {
			out[k.Value] = m.Content[i+1]
		}
	}
	return out
}

func (t *template) loc(n *yaml.Node) *model.Location {
	if n == nil || n.Line < 1 {
		return nil
	}
	return &model.Location{File: t.file.Name, Line: n.Line}
}

// clusters builds one resource per EKS cluster in the template, in template order, each with the
// add-ons the template declares for it.
func (t *template) clusters() []iac.Resource {
	var out []iac.Resource
	var addons *addonSet
	for _, r := range t.order {
		lay, ok := layouts[r.typ]
		if !ok {
			continue
		}
		if why := t.used.spent(); why != "" {
			out = append(out, t.notEvaluated(r, why))
			continue
		}
		ev := newEvaluator(t)
		ev.loopIDs = r.unknownIDs
		c, fix, skip := t.cluster(ev, r, lay)
		if skip {
			continue
		}
		if note := r.loopNote(); note != "" {
			c.Notes = append(c.Notes, note)
		}
		if addons == nil {
			addons = t.addons()
		}
		t.attachAddons(c, r, lay, addons)
		out = append(out, iac.Resource{Cluster: c, Fix: fix})
	}
	return out
}

// notEvaluated is a cluster left unknown because the template's budget was spent before its turn.
func (t *template) notEvaluated(r resourceEntry, why string) iac.Resource {
	c := &model.Cluster{Name: r.id, Source: model.SourceCloudFormation, Kind: r.typ, Loc: t.loc(r.key)}
	c.EndpointPublicAccess = model.Bool{Origin: model.OriginUnknown, Detail: why, Loc: c.Loc}
	c.EndpointPrivateAccess = model.Bool{Origin: model.OriginUnknown, Detail: why, Loc: c.Loc}
	c.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: why, Loc: c.Loc}
	unknownSettings(c, why, c.Loc)
	fix := func(model.Settings) (*finding.Fix, error) {
		return nil, fmt.Errorf("%s: not evaluated (%s); edit it by hand", clip(r.id), why)
	}
	return iac.Resource{Cluster: c, Fix: fix}
}

// unknownSettings makes the settings beside the endpoint unknown, for why.
func unknownSettings(c *model.Cluster, why string, loc *model.Location) {
	c.EnabledLogTypes = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: why, Loc: loc}
	c.AuthenticationMode = model.String{Origin: model.OriginUnknown, Detail: why, Loc: loc}
	c.SecretsKeyARN = model.String{Origin: model.OriginUnknown, Detail: why, Loc: loc}
}

// container resolves a node that must hold a mapping (Properties, ResourcesVpcConfig): through aliases
// and Fn::If, to a mapping, to absent (AWS::NoValue, null or missing) or to unknown with why.
func (ev *evaluator) container(n *yaml.Node, name string, depth int) (*yaml.Node, string) {
	for ; depth < maxDepth; depth++ {
		if n == nil {
			return nil, ""
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
			continue
		}
		fn, arg, ok := ev.intrinsic(n)
		if !ok {
			break
		}
		switch fn {
		case "Fn::If":
			a, bad := ev.args(fn, arg, 3, 3)
			if bad != nil {
				return nil, bad.s
			}
			cond, bad := ev.str(a[0], depth, "the condition of Fn::If")
			if bad != nil {
				return nil, bad.s
			}
			c := ev.condition(cond, depth)
			if c.why != "" {
				return nil, fmt.Sprintf("%s depends on condition %s, which cannot be evaluated (%s)", name, clip(cond), c.why)
			}
			if c.val {
				n = a[1]
			} else {
				n = a[2]
			}
		default:
			v := ev.call(fn, arg, depth)
			switch v.k {
			case kNoValue:
				return nil, ""
			case kMap:
				n = v.node
				continue
			case kUnknown:
				return nil, fmt.Sprintf("%s is computed by %s: %s", name, fn, v.s)
			}
			return nil, fmt.Sprintf("%s is %s, not a mapping", name, v.describe())
		}
	}
	if n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, ""
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Sprintf("%s is not a mapping", name)
	}
	return n, ""
}

// walk resolves a path of mappings below m. It returns the last mapping (nil when absent), the key
// node of the deepest step that exists (for locations) and why it is unknown, if it is.
func (ev *evaluator) walk(m *yaml.Node, path []string, name string) (*yaml.Node, *yaml.Node, string) {
	var lastKey *yaml.Node
	for _, p := range path {
		name += "." + p
		k, v := ev.lookup(m, p)
		if k == nil {
			return nil, lastKey, ""
		}
		lastKey = k
		var why string
		m, why = ev.container(v, name, 0)
		if why != "" || m == nil {
			return nil, lastKey, why
		}
	}
	return m, lastKey, ""
}

// created says whether the stack creates a resource: false when its Condition is false. maybe says
// why that is not known, when it is not.
func (t *template) created(ev *evaluator, node *yaml.Node) (created bool, maybe string) {
	_, cn := ev.lookup(node, "Condition")
	if cn == nil {
		return true, ""
	}
	name, bad := ev.str(cn, 0, "the resource Condition")
	switch res := ev.condition(name, 0); {
	case bad != nil:
		return true, "the resource's Condition cannot be read: " + bad.s
	case res.why != "":
		return true, fmt.Sprintf("created only when condition %s holds, which cannot be evaluated (%s)", clip(name), res.why)
	case !res.val:
		return false, ""
	}
	return true, ""
}

func (t *template) cluster(ev *evaluator, r resourceEntry, lay layout) (*model.Cluster, func(model.Settings) (*finding.Fix, error), bool) {
	c := &model.Cluster{Name: r.id, Source: model.SourceCloudFormation, Kind: r.typ, Loc: t.loc(r.key)}
	node := yamledit.Deref(r.node)
	created, maybe := t.created(ev, node)
	if !created {
		return nil, nil, true // the stack does not create it
	}
	if maybe != "" {
		c.Notes = append(c.Notes, maybe)
	}
	cdkPath := ""
	if _, md := ev.lookup(node, "Metadata"); md != nil {
		if _, p := ev.lookup(md, "aws:cdk:path"); p != nil && yamledit.Deref(p) != nil {
			cdkPath = yamledit.Deref(p).Value
		}
	}
	generated := t.cdk || cdkPath != "" || r.typ == TypeCDKResource
	if generated {
		note := "generated by the AWS CDK"
		if cdkPath != "" {
			note += " (" + cdkPath + ")"
		}
		c.Notes = append(c.Notes, note+"; change the CDK app, not this template")
	}

	propsKey, props := ev.lookup(node, "Properties")
	props, propsWhy := ev.container(props, "Properties", 0)
	why := propsWhy
	vpcKey := propsKey
	var vpc *yaml.Node
	if why == "" {
		var k *yaml.Node
		vpc, k, why = ev.walk(props, lay.vpc, "Properties")
		if k != nil {
			vpcKey = k
		}
	}
	net, _, _ := ev.walk(props, lay.network, "Properties")
	if why == "" && net != nil {
		if k, v := ev.lookup(net, lay.ipFamily); k != nil {
			if s, ok := ev.eval(v, 0).scalar(); ok && strings.EqualFold(s, "ipv6") {
				c.IPFamily = "ipv6"
			}
		}
	}
	if _, v := ev.lookup(props, lay.version); v != nil {
		if s, ok := ev.eval(v, 0).scalar(); ok {
			c.Version = s
		}
	}

	if why != "" {
		loc := t.loc(vpcKey)
		c.EndpointPublicAccess = model.Bool{Origin: model.OriginUnknown, Detail: why, Loc: loc}
		c.EndpointPrivateAccess = model.Bool{Origin: model.OriginUnknown, Detail: why, Loc: loc}
		c.PublicAccessCIDRs = model.Strings{Origin: model.OriginUnknown, Detail: why, Loc: loc}
	} else {
		c.EndpointPublicAccess = t.boolField(ev, vpc, lay.public, true)
		c.EndpointPrivateAccess = t.boolField(ev, vpc, lay.private, false)
		c.PublicAccessCIDRs = t.cidrField(ev, vpc, lay.cidrs, c.IPFamily)
	}
	enc := encState{index: -1}
	if propsWhy != "" {
		unknownSettings(c, propsWhy, t.loc(propsKey))
		enc.why = propsWhy
	} else {
		c.EnabledLogTypes = t.logTypes(ev, props, lay)
		c.AuthenticationMode = t.authMode(ev, props, lay)
		c.SecretsKeyARN, enc = t.secretsKey(ev, props, lay)
	}
	st := &fixState{t: t, r: r, lay: lay, c: c, generated: generated, cdkPath: cdkPath, enc: enc}
	return c, st.fix, false
}

const awsDefault = "AWS default"

func (t *template) boolField(ev *evaluator, vpc *yaml.Node, key string, def bool) model.Bool {
	k, v := ev.lookup(vpc, key)
	if k == nil {
		return model.Default(def, awsDefault)
	}
	return boolOf(ev.eval(v, 0), key, t.loc(k), model.Default(def, awsDefault))
}

// boolOf reads the value of a boolean property named key, written at loc, whose default is def.
func boolOf(val value, key string, loc *model.Location, def model.Bool) model.Bool {
	switch val.k {
	case kNoValue:
		b := def
		b.Detail += " (AWS::NoValue)"
		b.Loc = loc
		return b
	case kBool:
		return model.Bool{Value: val.b, Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
	case kStr:
		if strings.EqualFold(val.s, "true") || strings.EqualFold(val.s, "false") {
			return model.Bool{Value: strings.EqualFold(val.s, "true"), Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
		}
	case kUnknown:
		return model.Bool{Origin: model.OriginUnknown, Loc: loc, Detail: val.s}
	case kNull:
		return model.Bool{Origin: model.OriginUnknown, Loc: loc, Detail: key + " is null, which CloudFormation rejects"}
	}
	detail := fmt.Sprintf("%s is %s, not a boolean", key, val.describe())
	if val.via != "" {
		detail += " (" + val.via + ")"
	}
	return model.Bool{Origin: model.OriginUnknown, Loc: loc, Detail: detail}
}

func defaultCIDRs(ipFamily string) []string {
	if ipFamily == "ipv6" {
		return []string{"0.0.0.0/0", "::/0"}
	}
	return []string{"0.0.0.0/0"}
}

func (t *template) cidrField(ev *evaluator, vpc *yaml.Node, key, ipFamily string) model.Strings {
	k, v := ev.lookup(vpc, key)
	if k == nil {
		return model.Strings{Values: defaultCIDRs(ipFamily), Origin: model.OriginDefault, Detail: awsDefault}
	}
	loc := t.loc(k)
	unknown := func(why string) model.Strings {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
	}
	val := ev.eval(v, 0)
	switch val.k {
	case kNoValue:
		return model.Strings{Values: defaultCIDRs(ipFamily), Origin: model.OriginDefault, Loc: loc, Detail: awsDefault + " (AWS::NoValue)"}
	case kUnknown:
		return unknown(val.s)
	case kList:
		out := []string{}
		for _, e := range val.list {
			if e.k == kUnknown {
				return unknown(e.s)
			}
			s, ok := e.scalar()
			if !ok || e.k == kBool {
				return unknown(fmt.Sprintf("%s has an entry that is %s, not a string", key, e.describe()))
			}
			out = append(out, s)
		}
		return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: loc, Detail: val.via}
	case kNull:
		return unknown(key + " is null, which CloudFormation rejects")
	}
	return unknown(fmt.Sprintf("%s is %s, not a list", key, val.describe()))
}
