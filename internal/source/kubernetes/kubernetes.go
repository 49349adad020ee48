package kubernetes

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// The kinds read, and their API groups.
const (
	KindCAPA  = "AWSManagedControlPlane"
	KindACK   = "Cluster"
	groupCAPA = "controlplane.cluster.x-k8s.io"
	groupACK  = "eks.services.k8s.aws"
)

// versions are the API versions read, by group.
var versions = map[string][]string{
	groupCAPA:        {"v1beta1", "v1beta2"},
	groupACK:         {"v1alpha1"},
	groupUpbound:     {"v1beta1", "v1beta2"},
	groupUpboundNS:   {"v1beta1"},
	groupClassic:     {"v1beta1"},
	groupComposition: {"v1"},
	groupKro:         {"v1alpha1"},
}

// clusterGroups are the API groups of the clusters read. A file or document that names none of them
// (as "group/") holds no cluster, a Composition included, and is passed over after a byte search.
var clusterGroups = [][]byte{
	[]byte(groupCAPA + "/"), []byte(groupACK + "/"), []byte(groupUpbound + "/"), []byte(groupUpboundNS + "/"), []byte(groupClassic + "/"),
}

func mentionsCluster(data []byte) bool {
	for _, g := range clusterGroups {
		if bytes.Contains(data, g) {
			return true
		}
	}
	return false
}

// New returns the Kubernetes adapter.
func New() iac.Adapter { return adapter{} }

type adapter struct{}

func (adapter) Name() string { return "kubernetes" }

// Scan reads every .yaml and .yml file with a document of a kind it reads.
func (adapter) Scan(in *iac.Input, _ iac.Options) iac.Result {
	return iac.ScanFiles(in, []string{".yaml", ".yml"}, "Kubernetes manifest", scanFile)
}

// chunk is one document of a YAML stream, as text: from its "---" line (or the start of the file) to
// the next document marker. line is the 1-based line of the file it starts on.
type chunk struct {
	data []byte
	line int
}

// split cuts a YAML stream into its documents at lines that are a document marker: "---" or "..."
// at the start of a line, alone or followed by white space. YAML forbids such a line inside a
// document, so the cut is where a parser would make it. At most yamledit.MaxDocuments are returned;
// more says where the next one starts.
func split(data []byte) (chunks []chunk, more int) {
	start, startLine, line := 0, 1, 1
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		text := bytes.TrimRight(data[off:next], "\r\n")
		marker := ""
		if bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) {
			if rest := text[3:]; len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' {
				marker = string(text[:3])
			}
		}
		switch marker {
		case "---":
			// The marker opens the next document and belongs to it.
			if off > start {
				chunks = append(chunks, chunk{data[start:off], startLine})
			}
			start, startLine = off, line
		case "...":
			if off > start {
				chunks = append(chunks, chunk{data[start:off], startLine})
			}
			start, startLine = next, line+1
		}
		if len(chunks) > yamledit.MaxDocuments {
			return chunks[:yamledit.MaxDocuments], chunks[yamledit.MaxDocuments].line
		}
		off = next
		line++
	}
	if start < len(data) {
		chunks = append(chunks, chunk{data[start:], startLine})
	}
	if len(chunks) > yamledit.MaxDocuments {
		return chunks[:yamledit.MaxDocuments], chunks[yamledit.MaxDocuments].line
	}
	return chunks, 0
}

// topLevel finds "apiVersion: ..." and "kind: ..." written at the start of a line: the keys of a
// block mapping at the root of a document. Quotes and a trailing comment are dropped.
var topLevel = regexp.MustCompile(`(?m)^["']?(apiVersion|kind)["']?[ \t]*:[ \t]*["']?([^"'#\r\n]*?)["']?[ \t]*(?:#.*)?\r?$`)

// sniff says what a document is from its text alone. ours is set when its top-level apiVersion and
// kind are a kind this package reads (any version of the group), other when they are something else;
// neither when they are not written as plain top-level keys (a flow mapping, a placeholder).
func sniff(c []byte) (ours, other bool) {
	if !mentionsCluster(c) {
		return false, true
	}
	var apiVersion, kind string
	for _, m := range topLevel.FindAllSubmatch(c, -1) {
		switch string(m[1]) {
		case "apiVersion":
			apiVersion = string(m[2])
		case "kind":
			kind = string(m[2])
		}
	}
	if apiVersion == "" || kind == "" {
		return false, false
	}
	group, _, _ := strings.Cut(apiVersion, "/")
	if kindOf(group) == kind {
		return true, false
	}
	return false, true
}

// kindOf is the kind read in an API group, "" for a group not read.
func kindOf(group string) string {
	switch group {
	case groupCAPA:
		return KindCAPA
	case groupACK, groupUpbound, groupUpboundNS, groupClassic:
		return KindACK
	case groupComposition:
		return KindComposition
	case groupKro:
		return KindRGD
	}
	return ""
}

func scanFile(f *iac.File, res *iac.Result) {
	if !mentionsCluster(f.Data) {
		return
	}
	chunks, more := split(f.Data)
	claimed := false
	var doc *yamledit.Doc
	for _, c := range chunks {
		ours, other := sniff(c.data)
		if other {
			continue
		}
		node, err := yamledit.ParseYAMLDocument(c.data)
		if err != nil {
			if ours {
				claimed = true
				res.Problems = append(res.Problems, parseProblem(f.Name, c, err))
			}
			continue
		}
		root := documentRoot(node)
		group, version, kind := typeOf(root)
		if kind == "" || kind != kindOf(group) {
			continue
		}
		shift(node, c.line-1)
		if !supported(group, version) {
			claimed = true
			res.Problems = append(res.Problems, unsupported(f.Name, getKey(root, "apiVersion"), kind, group, version))
			continue
		}
		if doc == nil {
			doc = yamledit.NewDoc(f.Data)
		}
		o := &object{file: f, doc: doc, root: root, group: group, version: version, kind: kind}
		objects := []*object{o}
		switch group {
		case groupComposition:
			// A Composition is ours only for the EKS clusters it composes.
			objects = readComposition(o)
			res.Problems = append(res.Problems, o.problems...)
		case groupKro:
			// So is a ResourceGraphDefinition, for the clusters its templates declare.
			objects = readRGD(o)
			res.Problems = append(res.Problems, o.problems...)
		default:
			o.read()
		}
		for _, o := range objects {
			res.Resources = append(res.Resources, iac.Resource{Cluster: o.cluster, Fix: o.fix})
			res.Problems = append(res.Problems, o.problems...)
		}
		claimed = claimed || len(objects) > 0 || len(o.problems) > 0
	}
	if more > 0 && claimed {
		res.Problems = append(res.Problems, iac.Problem{File: f.Name, Line: more, Code: finding.ProblemLimit,
			Message: fmt.Sprintf("the stream holds more than %d YAML documents; eksguard reads no further", yamledit.MaxDocuments)})
	}
	if claimed {
		res.Claimed = append(res.Claimed, f.Name)
	}
}

func parseProblem(file string, c chunk, err error) iac.Problem {
	p := yamledit.ParseProblem(file, err, "cannot parse the Kubernetes object: ")
	if p.Line > 0 {
		p.Line += c.line - 1
	} else {
		p.Line = c.line
	}
	if bytes.Contains(c.data, []byte("{{")) {
		p.Message += " (a Helm template? scan the output of helm template)"
	}
	return p
}

func unsupported(file string, at *yaml.Node, kind, group, version string) iac.Problem {
	return iac.Problem{File: file, Line: at.Line, Code: finding.ProblemUnsupported,
		Message: fmt.Sprintf("%s %s/%s is not read; eksguard reads %s", kind, group, version, strings.Join(qualified(group), " and "))}
}

func qualified(group string) []string {
	var out []string
	for _, v := range versions[group] {
		out = append(out, group+"/"+v)
	}
	return out
}

func supported(group, version string) bool {
	for _, v := range versions[group] {
		if v == version {
			return true
		}
	}
	return false
}

func documentRoot(n *yaml.Node) *yaml.Node {
	n = yamledit.Deref(n)
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = yamledit.Deref(n.Content[0])
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// typeOf reads a root's apiVersion and kind.
func typeOf(root *yaml.Node) (group, version, kind string) {
	group, version, _ = strings.Cut(str(get(root, "apiVersion")), "/")
	return group, version, str(get(root, "kind"))
}

// shift moves every node of a document parsed alone down by lines, to where the document is in its
// file. Aliases are not followed: the node they name is in the tree already.
func shift(n *yaml.Node, lines int) {
	if lines == 0 || n == nil {
		return
	}
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Line > 0 {
			n.Line += lines
		}
		stack = append(stack, n.Content...)
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

// getKey returns the key node of the last element of path, nil when it is not there.
func getKey(m *yaml.Node, path ...string) *yaml.Node {
	var k *yaml.Node
	for _, p := range path {
		if m = yamledit.Deref(m); m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		if k, m = yamledit.Lookup(m, p); k == nil {
			return nil
		}
	}
	return k
}

func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// placeholder finds what a template tool substitutes before the object reaches the cluster:
// clusterctl's and envsubst's ${VAR} (with clusterctl's ${VAR:=default} forms), $VAR, and Helm's
// {{ ... }}.
var placeholder = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}`)

// yaml11Bools are the plain scalars kubectl reads as booleans: sigs.k8s.io/yaml converts YAML to JSON
// following YAML 1.1, so yes/no/on/off count.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"true": true, "True": true, "TRUE": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
	"false": false, "False": false, "FALSE": false,
}

// object is one AWSManagedControlPlane or ACK Cluster.
type object struct {
	file                 *iac.File
	doc                  *yamledit.Doc
	root                 *yaml.Node
	group, version, kind string
	cluster              *model.Cluster
	problems             []iac.Problem
	// xp is set for a Crossplane managed resource, alone or as the base of a Composition entry.
	xp *xpObject
	// kro is set for the template of a ResourceGraphDefinition's resource (kro.go).
	kro *kroResource
}

func (o *object) loc(n *yaml.Node) *model.Location {
	if n == nil || n.Line < 1 {
		return nil
	}
	return &model.Location{File: o.file.Name, Line: n.Line}
}

func (o *object) problem(n *yaml.Node, format string, a ...any) {
	p := iac.Problem{File: o.file.Name, Code: finding.ProblemInvalid, Message: fmt.Sprintf(format, a...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	o.problems = append(o.problems, p)
}

func (o *object) read() {
	root := o.root
	if isCrossplaneCluster(o.group) {
		o.xp = newXP(o.group, o.version)
	}
	name, ns := str(get(root, "metadata", "name")), str(get(root, "metadata", "namespace"))
	cl := &model.Cluster{Name: name, Source: model.SourceKubernetes, Kind: o.kind, Loc: o.loc(getKey(root, "metadata", "name"))}
	if ns != "" {
		cl.Name = ns + "/" + name
	}
	if name == "" {
		cl.Name = fmt.Sprintf("%s at line %d", o.kind, getKey(root, "kind").Line)
		cl.Loc = o.loc(getKey(root, "kind"))
		if n := get(root, "metadata", "name"); n != nil && n.Kind != yaml.ScalarNode {
			o.problem(getKey(root, "metadata", "name"), "metadata.name is not a string (a template not yet rendered?)")
		} else {
			o.problem(getKey(root, "kind"), "metadata.name is missing; the API server rejects the object")
		}
	}
	o.cluster = cl
	o.readSpec()
}

// readAs reads an object that is not one on its own (a Composition's base), named name at node at.
func (o *object) readAs(name string, at *yaml.Node) {
	o.cluster = &model.Cluster{Name: name, Source: model.SourceKubernetes, Kind: o.kind, Loc: o.loc(at)}
	o.readSpec()
}

func (o *object) readSpec() {
	switch {
	case o.xp != nil:
		o.readCrossplane()
	case o.group == groupCAPA:
		o.readCAPA()
	default:
		o.readACK()
	}
}

// path splits a dotted field path.
func path(p string) []string { return strings.Split(p, ".") }

// boolValue reads a boolean as kubectl would. ok is false when it is not one; why then says what it is.
func boolValue(n *yaml.Node, field string) (val, present, ok bool, why string) {
	n = yamledit.Deref(n)
	switch {
	case isNull(n):
		return false, false, true, ""
	case n.Kind != yaml.ScalarNode:
		return false, true, false, field + " is not a boolean"
	case n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return false, true, false, fmt.Sprintf("%s has the tag %s, which kubectl does not resolve", field, n.Tag)
	}
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	if v, isBool := yaml11Bools[n.Value]; isBool && !quoted {
		return v, true, true, ""
	}
	if p := placeholder.FindString(n.Value); p != "" {
		return false, true, false, fmt.Sprintf("%s is the placeholder %s, substituted before the object is applied", field, p)
	}
	if quoted {
		return false, true, false, fmt.Sprintf("%s is the string %q, which the CRD rejects where a boolean is expected", field, n.Value)
	}
	return false, true, false, fmt.Sprintf("%s is %q, not a boolean", field, n.Value)
}

// boolField reads a boolean setting at p, with def when it is left out.
func (o *object) boolField(p string, def model.Bool) model.Bool {
	key := getKey(o.root, path(p)...)
	val, present, ok, why := boolValue(get(o.root, path(p)...), p)
	switch {
	case !ok:
		return model.Bool{Origin: model.OriginUnknown, Loc: o.loc(key), Detail: why}
	case !present:
		def.Loc = o.loc(key) // set when the key is there with a null value
		return def
	}
	return model.Bool{Value: val, Origin: model.OriginExplicit, Loc: o.loc(key)}
}

// text reads a string value: null is unset, and a placeholder or a custom tag cannot be known.
func text(n *yaml.Node, field string) (val string, present bool, why string) {
	n = yamledit.Deref(n)
	switch {
	case isNull(n):
		return "", false, ""
	case n.Kind != yaml.ScalarNode:
		return "", true, field + " is not a string"
	case n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return "", true, fmt.Sprintf("%s has the tag %s, which kubectl does not resolve", field, n.Tag)
	}
	if p := placeholder.FindString(n.Value); p != "" {
		return "", true, fmt.Sprintf("%s is the placeholder %s, substituted before the object is applied", field, p)
	}
	return n.Value, true, ""
}

// stringList reads a list of strings, or says why it cannot: a placeholder, not a list, an entry that
// is not a string, or a list that aliases make larger than yamledit.MaxValueBytes.
func stringList(n *yaml.Node, field string) ([]string, string) {
	n = yamledit.Deref(n)
	switch {
	case n == nil:
		return nil, field + " is not a list"
	case n.Kind == yaml.ScalarNode:
		if p := placeholder.FindString(n.Value); p != "" {
			return nil, fmt.Sprintf("%s is the placeholder %s, substituted before the object is applied", field, p)
		}
		return nil, fmt.Sprintf("%s is %q, not a list", field, n.Value)
	case n.Kind != yaml.SequenceNode:
		return nil, field + " is not a list"
	}
	if why := yamledit.ListTooLarge(n, field); why != "" {
		return nil, why
	}
	out := []string{}
	for i, e := range n.Content {
		v, present, why := text(e, fmt.Sprintf("%s[%d]", field, i))
		switch {
		case why != "":
			return nil, why
		case !present:
			return nil, fmt.Sprintf("%s[%d] is null", field, i)
		}
		out = append(out, v)
	}
	return out, ""
}

// cidrs reads the public endpoint's allowlist at p. Left out, null or empty, nothing is sent and EKS
// admits every address.
func (o *object) cidrs(p string) model.Strings {
	key := getKey(o.root, path(p)...)
	n := get(o.root, path(p)...)
	def := []string{"0.0.0.0/0"}
	if o.cluster.IPFamily == "ipv6" {
		def = append(def, "::/0")
	}
	if isNull(n) {
		return model.Strings{Values: def, Origin: model.OriginDefault, Loc: o.loc(key), Detail: "EKS default: " + p + " left out, so none is sent"}
	}
	out, why := stringList(n, p)
	switch {
	case why != "":
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(key), Detail: why}
	case len(out) == 0:
		return model.Strings{Values: def, Origin: model.OriginDefault, Loc: o.loc(key), Detail: "EKS default: " + p + " is empty, so none is sent"}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: o.loc(key)}
}
