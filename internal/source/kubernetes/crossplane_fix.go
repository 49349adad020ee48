package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// xpFields are the parameters each setting is read from, below forProvider (or initProvider).
func (o *object) xpFields(f model.Field) [][]string {
	vpc := "vpcConfig"
	if o.group == groupClassic {
		vpc = "resourcesVpcConfig"
	}
	switch f {
	case model.FieldEndpointPublicAccess:
		return [][]string{{vpc, "endpointPublicAccess"}}
	case model.FieldEndpointPrivateAccess:
		return [][]string{{vpc, "endpointPrivateAccess"}}
	case model.FieldPublicAccessCIDRs:
		return [][]string{{vpc, "publicAccessCidrs"}}
	case model.FieldEnabledLogTypes:
		if o.group == groupClassic {
			return [][]string{{"logging", "clusterLogging"}}
		}
		return [][]string{{"enabledClusterLogTypes"}}
	case model.FieldAuthenticationMode:
		return [][]string{{"accessConfig", "authenticationMode"}}
	case model.FieldSecretsKeyARN:
		return [][]string{{"encryptionConfig"}}
	}
	return nil
}

// xpEdit writes the settings into spec.forProvider, which wins over initProvider and, unlike it, is
// applied to a cluster that exists. In a Composition it edits the entry's base, and refuses a setting
// a patch writes: the patch would overwrite the edit.
func (o *object) xpEdit(want model.Settings) (*finding.Fix, error) {
	name := o.cluster.Name
	for _, f := range want.Fields() {
		for _, rel := range o.xpFields(f) {
			for _, params := range o.xp.params {
				if p := o.xp.patchOn(append([]string{"spec", params}, rel...)); p != nil {
					return nil, fmt.Errorf("%s: %s is written by %s; change the patch or the composite's value, not the base", name, "spec."+params+"."+strings.Join(rel, "."), p.what)
				}
			}
		}
	}
	fp := get(o.root, "spec", "forProvider")
	var kvs []yamledit.KV
	vpc := o.xpFields(model.FieldEndpointPublicAccess)[0][0]
	var vpcKVs []yamledit.KV
	if want.EndpointPublicAccess != nil {
		vpcKVs = append(vpcKVs, yamledit.KV{Key: "endpointPublicAccess", Value: *want.EndpointPublicAccess})
	}
	if want.EndpointPrivateAccess != nil {
		vpcKVs = append(vpcKVs, yamledit.KV{Key: "endpointPrivateAccess", Value: *want.EndpointPrivateAccess})
	}
	if want.PublicAccessCIDRs != nil {
		vpcKVs = append(vpcKVs, yamledit.KV{Key: "publicAccessCidrs", Value: append([]string{}, want.PublicAccessCIDRs...)})
	}
	if len(vpcKVs) > 0 {
		kv, err := o.block(fp, vpc, vpcKVs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		kvs = append(kvs, kv)
	}
	if want.EnabledLogTypes != nil {
		if o.group == groupClassic {
			kvs = append(kvs, o.loggingKV(want.EnabledLogTypes)) // the ACK shape: logging.clusterLogging[]
		} else {
			kvs = append(kvs, yamledit.KV{Key: "enabledClusterLogTypes", Value: append([]string{}, want.EnabledLogTypes...)})
		}
	}
	if want.AuthenticationMode != nil {
		if !slices.Contains(classicModes, *want.AuthenticationMode) {
			return nil, fmt.Errorf("%s: the provider has no authentication mode %q", name, *want.AuthenticationMode)
		}
		kv, err := o.block(fp, "accessConfig", []yamledit.KV{{Key: "authenticationMode", Value: *want.AuthenticationMode}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		kvs = append(kvs, kv)
	}
	if want.SecretsKeyARN != nil {
		kv, err := o.xpKeyKV(fp, *want.SecretsKeyARN)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		kvs = append(kvs, kv)
	}
	if len(kvs) == 0 {
		return nil, fmt.Errorf("%s: eksguard does not write %v in %s objects", name, want.Fields(), o.kind)
	}
	what, at := o.kind+" "+name, []string{"spec", "forProvider"}
	if o.xp.in != "" && o.kro == nil {
		what = o.xp.in + " (its base)"
	}
	ed := o.doc.Editor()
	if err := ed.Set(nil, o.root, what, at, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	edits, err := ed.Edits(o.file.Name, o.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", name, err)
	}
	desc := yamledit.Describe(at, what, kvs) + "; apply it again (kubectl apply -f " + o.file.Name + ") and the provider updates the EKS cluster to match"
	if o.xp.in != "" {
		desc = yamledit.Describe(at, what, kvs) + "; apply the Composition again (kubectl apply -f " + o.file.Name + ") and Crossplane updates the Cluster of every composite that uses it"
	}
	return &finding.Fix{Description: desc, Edits: edits}, nil
}

// block is key below parent holding kvs: a mapping, or for eks.aws.upbound.io/v1beta1 the first
// object of a list of one (changed in place when the list has it, written whole when not).
func (o *object) block(parent *yaml.Node, key string, kvs []yamledit.KV) (yamledit.KV, error) {
	cur := get(parent, key)
	if !o.xp.blocks || o.group == groupClassic {
		if cur != nil && cur.Kind == yaml.SequenceNode {
			return yamledit.KV{}, fmt.Errorf("%s is a list, but %s/%s spells it as a mapping; edit it by hand", key, o.group, o.version)
		}
		return yamledit.KV{Key: key, Value: kvs}, nil
	}
	switch {
	case isNull(cur) || cur.Kind == yaml.SequenceNode && len(cur.Content) == 0:
		return yamledit.KV{Key: key, Value: [][]yamledit.KV{kvs}}, nil
	case cur.Kind != yaml.SequenceNode:
		return yamledit.KV{}, fmt.Errorf("%s is not a list, but %s/v1beta1 spells it as a list of one; edit it by hand", key, o.group)
	}
	return yamledit.KV{Key: key, Value: yamledit.Item{Index: 0, KVs: kvs}}, nil
}

// xpKeyKV sets the secrets key: Upbound's encryptionConfig holds one provider and its resources;
// the classic provider's is a list of them, as ACK's (provider.keyArn in the entry for secrets).
func (o *object) xpKeyKV(fp *yaml.Node, arn string) (yamledit.KV, error) {
	if o.group != groupClassic {
		enc := get(fp, "encryptionConfig")
		if o.xp.blocks && enc != nil && enc.Kind == yaml.SequenceNode && len(enc.Content) > 0 {
			enc = enc.Content[0]
		}
		provider, err := o.block(enc, "provider", []yamledit.KV{{Key: "keyArn", Value: arn}})
		if err != nil {
			return yamledit.KV{}, err
		}
		return o.block(fp, "encryptionConfig", []yamledit.KV{provider, {Key: "resources", Value: []string{"secrets"}}})
	}
	enc := get(fp, "encryptionConfig")
	provider := []yamledit.KV{{Key: "keyArn", Value: arn}}
	if isNull(enc) || enc.Kind == yaml.SequenceNode && len(enc.Content) == 0 {
		entry := []yamledit.KV{{Key: "provider", Value: provider}, {Key: "resources", Value: []string{"secrets"}}}
		return yamledit.KV{Key: "encryptionConfig", Value: [][]yamledit.KV{entry}}, nil
	}
	if enc.Kind != yaml.SequenceNode {
		return yamledit.KV{}, fmt.Errorf("spec.forProvider.encryptionConfig is not a list; edit it by hand")
	}
	i, why := secretsEntry(enc, "spec.forProvider.encryptionConfig")
	switch {
	case why != "":
		return yamledit.KV{}, fmt.Errorf("%s; edit spec.forProvider.encryptionConfig by hand", why)
	case i < 0:
		return yamledit.KV{}, fmt.Errorf("no spec.forProvider.encryptionConfig entry lists secrets, and EKS encrypts nothing else: make one of them list secrets by hand")
	}
	return yamledit.KV{Key: "encryptionConfig", Value: yamledit.Item{Index: i, KVs: []yamledit.KV{{Key: "provider", Value: provider}}}}, nil
}
