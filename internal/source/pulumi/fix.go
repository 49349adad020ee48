package pulumi

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// fix writes the settings at the resource's properties, each alone first so that one it cannot
// write costs only its own edit.
func (r *resource) fix(want model.Settings) (*finding.Fix, error) {
	if want.Empty() {
		return nil, fmt.Errorf("%s already has the settings; nothing to change", r.cluster.Name)
	}
	return iac.EditEach(want, r.edit)
}

func (r *resource) edit(want model.Settings) (*finding.Fix, error) {
	name := r.cluster.Name
	base := want
	var extra []yamledit.KV
	if r.typ == TypeAWS && want.SecretsKeyARN != nil {
		if enc := get(r.body, "properties", "encryptionConfig"); enc != nil && enc.Kind == yaml.SequenceNode {
			return nil, fmt.Errorf("%s: properties.encryptionConfig is a list, as older pulumi-aws versions wrote it; set provider.keyArn in its entry for secrets by hand", name)
		}
		base = base.Without(model.FieldSecretsKeyARN)
		extra = append(extra, yamledit.KV{Key: "encryptionConfig", Value: []yamledit.KV{
			{Key: "provider", Value: []yamledit.KV{{Key: "keyArn", Value: *want.SecretsKeyARN}}},
			{Key: "resources", Value: []string{"secrets"}},
		}})
	}
	if r.typ == TypeEKS && want.EndpointPublicAccess != nil && !*want.EndpointPublicAccess && want.PublicAccessCIDRs == nil {
		if !isNull(get(r.body, "properties", "publicAccessCidrs")) {
			return nil, fmt.Errorf("%s: pulumi-eks rejects publicAccessCidrs with endpointPublicAccess false; remove publicAccessCidrs by hand and turn the public endpoint off", name)
		}
	}
	kvs, missing := yamledit.KVs(base, paths[r.typ])
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: eksguard does not write %s in %s resources", name, missing[0], r.written)
	}
	kvs = append(kvs, extra...)
	what := r.written + " " + name
	ed := r.p.doc.Editor()
	ed.Opaque = opaque
	if err := ed.Set(r.key, r.body, what, []string{"properties"}, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	edits, err := ed.Edits(r.p.file.Name, r.p.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	up := "pulumi up"
	if r.p.stackName != "" {
		up += " --stack " + r.p.stackName
	}
	desc := yamledit.Describe([]string{"properties"}, what, kvs) + "; then run " + up + " to change the cluster"
	return &finding.Fix{Description: desc, Edits: edits}, nil
}

// opaque names what a fix must not edit through: a ${...} expression or a built-in function, whose
// value the program computes.
func opaque(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if fn, _, ok := function(n); ok {
		return fn, true
	}
	if n.Kind == yaml.ScalarNode && len(n.Value) > 2 && n.Value[0] == '$' && n.Value[1] == '{' {
		v := n.Value
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		return v, true
	}
	return "", false
}
