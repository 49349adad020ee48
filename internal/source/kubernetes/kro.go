package kubernetes

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// A kro ResourceGraphDefinition (kro.run/v1alpha1) defines an API (spec.schema) and the resources
// kro creates for each instance of it (spec.resources[], each an id and a template, or an
// externalRef kro only reads). A template is the object as kro applies it, once the CEL expressions
// written in it as ${...} are evaluated against the instance (${schema.spec.region}) or the other
// resources (${vpc.status.vpcID}). A template of a kind this package reads is read as that object
// alone; a setting holding an expression anywhere (its value, an item, a parent written as one
// expression) is unknown, naming the expression, since its value comes from each instance. A
// resource with includeWhen is created only when its expressions are all true.
const (
	KindRGD  = "ResourceGraphDefinition"
	groupKro = "kro.run"
)

// celExpr finds a kro CEL expression. kro takes the shortest ${...}; an expression holding a "}"
// (a map literal) is cut there, which still names it.
var celExpr = regexp.MustCompile(`\$\{[^}]*\}`)

// kroResource is what a resource of a ResourceGraphDefinition adds to the object read from its
// template.
type kroResource struct {
	in  string                 // "ResourceGraphDefinition eks-platform resource cluster"
	cel map[model.Field]string // why each setting written by an expression is unknown
}

// readRGD returns the resources of a ResourceGraphDefinition whose template is a cluster this
// package reads, as objects. Other templates (Deployments, IAM roles, node groups) are passed over.
func readRGD(o *object) []*object {
	rgd := str(get(o.root, "metadata", "name"))
	if rgd == "" {
		rgd = fmt.Sprintf("at line %d", getKey(o.root, "kind").Line)
	}
	api := str(get(o.root, "spec", "schema", "kind"))
	rs := get(o.root, "spec", "resources")
	if rs == nil || rs.Kind != yaml.SequenceNode {
		return nil
	}
	var out []*object
	for i, e := range rs.Content {
		tmpl := get(e, "template")
		if tmpl == nil || tmpl.Kind != yaml.MappingNode {
			continue
		}
		group, version, kind := typeOf(tmpl)
		if kind == "" || kind != kindOf(group) || group == groupComposition || group == groupKro {
			continue
		}
		if !supported(group, version) {
			o.problems = append(o.problems, unsupported(o.file.Name, getKey(tmpl, "apiVersion"), kind, group, version))
			continue
		}
		id := str(get(e, "id"))
		if id == "" {
			id = fmt.Sprintf("spec.resources[%d]", i)
		}
		c := &object{file: o.file, doc: o.doc, root: tmpl, group: group, version: version, kind: kind}
		c.kro = &kroResource{in: fmt.Sprintf("ResourceGraphDefinition %s resource %s", rgd, id), cel: map[model.Field]string{}}
		if isCrossplaneCluster(group) {
			c.xp = newXP(group, version)
			c.xp.in = c.kro.in
		}
		c.readAs(rgd+"/"+id, firstNode(getKey(e, "id"), getKey(tmpl, "kind")))
		if c.xp == nil {
			c.cluster.Notes = append(c.cluster.Notes, "declared in "+c.kro.in)
		}
		if when := get(e, "includeWhen"); !isNull(when) {
			exprs := []string{str(when)}
			if when.Kind == yaml.SequenceNode {
				exprs = nil
				for _, w := range when.Content {
					exprs = append(exprs, str(yamledit.Deref(w)))
				}
			}
			c.cluster.Notes = append(c.cluster.Notes, fmt.Sprintf("kro may not create it: spec.resources[%d].includeWhen creates it only for instances where %s",
				i, strings.Join(exprs, " and ")))
		}
		c.readCEL(api)
		out = append(out, c)
	}
	return out
}

// settingPaths are where each setting is written below the template's root, as the readers read it.
func (o *object) settingPaths(f model.Field) [][]string {
	if o.xp != nil {
		var out [][]string
		for _, params := range o.xp.params {
			for _, rel := range o.xpFields(f) {
				out = append(out, append([]string{"spec", params}, rel...))
			}
		}
		return out
	}
	switch f {
	case model.FieldEnabledLogTypes:
		return [][]string{{"spec", "logging"}}
	case model.FieldSecretsKeyARN:
		return [][]string{{"spec", "encryptionConfig"}}
	}
	if p := names[o.group][f]; p != "" {
		return [][]string{path(p)}
	}
	return nil
}

// readCEL makes every setting a CEL expression writes unknown, naming the expression; api is the
// kind of the API the graph defines, whose instances give it its value.
func (o *object) readCEL(api string) {
	if api == "" {
		api = "the API it defines"
	}
	cl := o.cluster
	for _, f := range []model.Field{model.FieldEndpointPublicAccess, model.FieldEndpointPrivateAccess, model.FieldPublicAccessCIDRs,
		model.FieldEnabledLogTypes, model.FieldAuthenticationMode, model.FieldSecretsKeyARN} {
		for _, p := range o.settingPaths(f) {
			expr, at, where := findCEL(o.root, p)
			if expr == "" {
				continue
			}
			why := fmt.Sprintf("%s is the kro CEL expression %s, which kro evaluates for each instance of %s", where, expr, api)
			o.kro.cel[f] = why
			loc := o.loc(at)
			switch f {
			case model.FieldEndpointPublicAccess:
				cl.EndpointPublicAccess = model.Bool{Origin: model.OriginUnknown, Loc: loc, Detail: why}
			case model.FieldEndpointPrivateAccess:
				cl.EndpointPrivateAccess = model.Bool{Origin: model.OriginUnknown, Loc: loc, Detail: why}
			case model.FieldPublicAccessCIDRs:
				cl.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
			case model.FieldEnabledLogTypes:
				cl.EnabledLogTypes = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
			case model.FieldAuthenticationMode:
				cl.AuthenticationMode = model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}
			case model.FieldSecretsKeyARN:
				cl.SecretsKeyARN = model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}
			}
			break
		}
	}
}

// findCEL looks for an expression on the way down p (a parent written as one expression) and
// anywhere below it, through lists; it returns the expression, its node and its field path.
func findCEL(n *yaml.Node, p []string) (expr string, at *yaml.Node, where string) {
	where = strings.Join(p, ".")
	for i, seg := range p {
		n = yamledit.Deref(n)
		switch {
		case n == nil:
			return "", nil, ""
		case n.Kind == yaml.ScalarNode:
			if e := celExpr.FindString(n.Value); e != "" {
				return e, n, strings.Join(p[:i], ".")
			}
			return "", nil, ""
		case n.Kind == yaml.SequenceNode:
			for _, item := range n.Content {
				if e, at, _ := findCEL(item, p[i:]); e != "" {
					return e, at, where
				}
			}
			return "", nil, ""
		case n.Kind != yaml.MappingNode:
			return "", nil, ""
		}
		_, n = yamledit.Lookup(n, seg)
	}
	if e, at := celBelow(n, 0); e != "" {
		return e, at, where
	}
	return "", nil, ""
}

// celBelow finds the first expression in n's subtree, keys included. Aliases are not followed: what
// they name is in the tree already, and a cycle would not end.
func celBelow(n *yaml.Node, depth int) (string, *yaml.Node) {
	if n == nil || depth > 64 || n.Kind == yaml.AliasNode {
		return "", nil
	}
	if n.Kind == yaml.ScalarNode {
		return celExpr.FindString(n.Value), n
	}
	for _, c := range n.Content {
		if e, at := celBelow(c, depth+1); e != "" {
			return e, at
		}
	}
	return "", nil
}

// kroEdit refuses a setting an expression writes (the edit would replace what each instance
// decides), and otherwise edits the template as the object alone, to be applied as the graph.
func (o *object) kroEdit(edit func(model.Settings) (*finding.Fix, error)) func(model.Settings) (*finding.Fix, error) {
	return func(want model.Settings) (*finding.Fix, error) {
		for _, f := range want.Fields() {
			if why := o.kro.cel[f]; why != "" {
				return nil, fmt.Errorf("%s: %s; change the instance's value or the schema's default, not the template", o.cluster.Name, why)
			}
		}
		fix, err := edit(want)
		if err != nil || fix == nil {
			return fix, err
		}
		desc, _, _ := strings.Cut(fix.Description, "; apply ")
		fix.Description = desc + " in " + o.kro.in + "; apply the ResourceGraphDefinition again (kubectl apply -f " + o.file.Name +
			") and kro updates the resource of every instance"
		return fix, nil
	}
}
