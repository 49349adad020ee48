package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// names are where each kind writes the settings yamledit.KVs can spell directly; the log types and the
// secrets key of both, whose shapes are their own, are built by the edit itself.
var names = map[string]map[model.Field]string{
	groupCAPA: {
		model.FieldEndpointPublicAccess:  "spec.endpointAccess.public",
		model.FieldEndpointPrivateAccess: "spec.endpointAccess.private",
		model.FieldPublicAccessCIDRs:     "spec.endpointAccess.publicCIDRs",
		model.FieldAuthenticationMode:    "spec.accessConfig.authenticationMode",
		model.FieldSecretsKeyARN:         "spec.encryptionConfig.provider",
	},
	groupACK: {
		model.FieldEndpointPublicAccess:  "spec.resourcesVPCConfig.endpointPublicAccess",
		model.FieldEndpointPrivateAccess: "spec.resourcesVPCConfig.endpointPrivateAccess",
		model.FieldPublicAccessCIDRs:     "spec.resourcesVPCConfig.publicAccessCIDRs",
		model.FieldAuthenticationMode:    "spec.accessConfig.authenticationMode",
	},
}

// fix writes the settings into the object, each where its CRD declares it. Each is tried alone first,
// so that one the object cannot take costs only its own edit.
func (o *object) fix(want model.Settings) (*finding.Fix, error) {
	if want.Empty() {
		return nil, fmt.Errorf("%s already has the settings; nothing to change", o.cluster.Name)
	}
	edit := o.edit
	if o.xp != nil {
		edit = o.xpEdit
	}
	if o.kro != nil {
		edit = o.kroEdit(edit)
	}
	return iac.EditEach(want, edit)
}

func (o *object) edit(want model.Settings) (*finding.Fix, error) {
	name := o.cluster.Name
	base := want
	var extra []yamledit.KV // each below spec
	if want.EnabledLogTypes != nil {
		base = base.Without(model.FieldEnabledLogTypes)
		extra = append(extra, o.loggingKV(want.EnabledLogTypes))
	}
	if want.AuthenticationMode != nil && o.group == groupCAPA {
		if o.version == "v1beta1" {
			return nil, fmt.Errorf("%s: controlplane.cluster.x-k8s.io/v1beta1 has no spec.accessConfig; move the object to v1beta2 (CAPA v2.10.0 or later) to set the authentication mode", name)
		}
		mode := strings.ToLower(*want.AuthenticationMode)
		if !slices.Contains(capaModes, mode) {
			return nil, fmt.Errorf("%s: the CRD has no authentication mode %q", name, *want.AuthenticationMode)
		}
		base.AuthenticationMode = &mode
	}
	if want.SecretsKeyARN != nil {
		kv, err := o.keyKV(*want.SecretsKeyARN)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if kv.Key != "" {
			base = base.Without(model.FieldSecretsKeyARN)
			extra = append(extra, kv)
		}
	}
	kvs, missing := yamledit.KVs(base, names[o.group])
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: eksguard does not write %s in %s objects", name, missing[0], o.kind)
	}
	for _, kv := range extra {
		kvs = nest(kvs, []string{"spec"}, kv)
	}
	what := o.kind + " " + name
	ed := o.doc.Editor()
	if err := ed.Set(nil, o.root, what, nil, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	edits, err := ed.Edits(o.file.Name, o.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	desc := yamledit.Describe(nil, what, kvs) + "; apply the object again (kubectl apply -f " + o.file.Name + ") and the controller updates an existing cluster to match"
	if placeholder.Match(o.file.Data) {
		desc += " (the file has placeholders: generate it again, as with clusterctl generate cluster, before applying)"
	}
	return &finding.Fix{Description: desc, Edits: edits}, nil
}

// loggingKV is spec.logging holding the log types: a boolean per type for CAPA, an enabled entry (and
// a disabled one for the rest) of clusterLogging for ACK.
func (o *object) loggingKV(types []string) yamledit.KV {
	if o.group == groupCAPA {
		var kvs []yamledit.KV
		for _, t := range capaLogTypes {
			kvs = append(kvs, yamledit.KV{Key: t.key, Value: slices.Contains(types, t.logType)})
		}
		return yamledit.KV{Key: "logging", Value: kvs}
	}
	var on, off []string
	for _, t := range model.LogTypes {
		if slices.Contains(types, t) {
			on = append(on, t)
		} else {
			off = append(off, t)
		}
	}
	var entries [][]yamledit.KV
	if len(on) > 0 {
		entries = append(entries, []yamledit.KV{{Key: "enabled", Value: true}, {Key: "types", Value: on}})
	}
	if len(off) > 0 {
		entries = append(entries, []yamledit.KV{{Key: "enabled", Value: false}, {Key: "types", Value: off}})
	}
	return yamledit.KV{Key: "logging", Value: []yamledit.KV{{Key: "clusterLogging", Value: entries}}}
}

// keyKV is what sets the secrets key below spec, when names cannot spell it alone: a zero KV means
// names' own path is enough.
func (o *object) keyKV(arn string) (yamledit.KV, error) {
	enc := get(o.root, "spec", "encryptionConfig")
	if o.group == groupCAPA {
		// provider is written through names; resources must list secrets too, or CAPA sends nothing.
		if enc != nil && enc.Kind == yaml.MappingNode {
			if res, why := stringList(get(enc, "resources"), "resources"); why == "" && slices.Contains(res, "secrets") {
				return yamledit.KV{}, nil
			}
		}
		return yamledit.KV{Key: "encryptionConfig", Value: []yamledit.KV{{Key: "provider", Value: arn}, {Key: "resources", Value: []string{"secrets"}}}}, nil
	}
	provider := []yamledit.KV{{Key: "keyARN", Value: arn}}
	if isNull(enc) || enc.Kind == yaml.SequenceNode && len(enc.Content) == 0 {
		entry := []yamledit.KV{{Key: "provider", Value: provider}, {Key: "resources", Value: []string{"secrets"}}}
		return yamledit.KV{Key: "encryptionConfig", Value: [][]yamledit.KV{entry}}, nil
	}
	if enc.Kind != yaml.SequenceNode {
		return yamledit.KV{}, fmt.Errorf("spec.encryptionConfig is not a list; edit it by hand")
	}
	i, why := ackSecretsEntry(enc)
	switch {
	case why != "":
		return yamledit.KV{}, fmt.Errorf("%s; edit spec.encryptionConfig by hand", why)
	case i < 0:
		return yamledit.KV{}, fmt.Errorf("no spec.encryptionConfig entry lists secrets, and EKS encrypts nothing else: make one of them list secrets by hand")
	}
	if ref := get(enc.Content[i], "provider", "keyRef"); !isNull(ref) {
		return yamledit.KV{}, fmt.Errorf("spec.encryptionConfig[%d].provider has a keyRef, which ACK rejects beside keyARN: set the key there", i)
	}
	return yamledit.KV{Key: "encryptionConfig", Value: yamledit.Item{Index: i, KVs: []yamledit.KV{{Key: "provider", Value: provider}}}}, nil
}

// nest adds kv below path, inside the mapping an earlier pair already opened there.
func nest(kvs []yamledit.KV, path []string, kv yamledit.KV) []yamledit.KV {
	if len(path) == 0 {
		return append(kvs, kv)
	}
	for i := range kvs {
		if sub, ok := kvs[i].Value.([]yamledit.KV); ok && kvs[i].Key == path[0] {
			kvs[i].Value = nest(sub, path[1:], kv)
			return kvs
		}
	}
	return append(kvs, yamledit.KV{Key: path[0], Value: nest(nil, path[1:], kv)})
}
