package cloudformation

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// fixState is what a resource's Fix needs: where the resource is and what it resolved to.
type fixState struct {
	t         *template
	r         resourceEntry
	lay       layout
	c         *model.Cluster
	generated bool
	cdkPath   string
	enc       encState
}

// names are the paths below Properties where a resource type writes each setting; the key of
// secrets encryption is written by encryption, since it lives in a list entry.
func (l layout) names() map[model.Field]string {
	vpc := strings.Join(l.vpc, ".") + "."
	n := map[model.Field]string{
		model.FieldEndpointPublicAccess:  vpc + l.public,
		model.FieldEndpointPrivateAccess: vpc + l.private,
		model.FieldPublicAccessCIDRs:     vpc + l.cidrs,
	}
	switch l.logStyle {
	case logEntries:
		n[model.FieldEnabledLogTypes] = strings.Join(l.logging, ".") + "[]." + l.logType
	case logStrings:
		n[model.FieldEnabledLogTypes] = strings.Join(l.logging, ".")
	}
	if l.access != nil {
		n[model.FieldAuthenticationMode] = strings.Join(l.access, ".")
	}
	return n
}

func (s *fixState) fix(want model.Settings) (*finding.Fix, error) {
	fields := want.Fields()
	switch {
	case len(fields) == 0:
		return nil, fmt.Errorf("%s already has the settings; nothing to change", s.r.id)
	case s.generated:
		return nil, s.cdkError(want)
	}
	// Each setting is tried alone first, so that one the resource cannot take costs only its own edit.
	return iac.EditEach(want, s.edit)
}

// edit writes want into the resource.
func (s *fixState) edit(want model.Settings) (*finding.Fix, error) {
	kvs, missing := yamledit.KVs(want.Without(model.FieldSecretsKeyARN), s.lay.names())
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: %s has no property for %s", clip(s.r.id), s.r.typ, s.missing(missing[0]))
	}
	if want.SecretsKeyARN != nil {
		kv, err := s.encryption(*want.SecretsKeyARN)
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, kv)
	}
	ed := s.t.doc.Editor()
	ed.Opaque = opaque
	key, node := s.r.key, s.r.node
	if s.r.origNode != nil {
		// Read from an expansion, written into the template's own text.
		if err := s.fromFragment(want); err != nil {
			return nil, err
		}
		key, node = s.r.origKey, s.r.origNode
	}
	if !s.r.inBlock && !s.t.doc.JSON() {
		key = nil // a flow-style Resources cannot take a block-style resource
	}
	if err := ed.Set(key, node, s.r.id, []string{"Properties"}, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", s.r.id, err)
	}
	edits, err := ed.Edits(s.t.file.Name, s.t.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", s.r.id, err)
	}
	desc := yamledit.Describe([]string{"Properties"}, s.r.typ+" "+s.r.id, kvs)
	if s.r.loop != "" {
		desc += fmt.Sprintf(" (in the template fragment of %s, so every cluster it declares gets it)", s.r.loop)
	}
	return &finding.Fix{Description: desc, Edits: edits}, nil
}

// paths are the keys below Properties that hold each setting.
func (l layout) paths() map[model.Field][]string {
	join := func(a []string, b ...string) []string { return append(append([]string{}, a...), b...) }
	p := map[model.Field][]string{
		model.FieldEndpointPublicAccess:  join(l.vpc, l.public),
		model.FieldEndpointPrivateAccess: join(l.vpc, l.private),
		model.FieldPublicAccessCIDRs:     join(l.vpc, l.cidrs),
		model.FieldEnabledLogTypes:       l.logging,
		model.FieldSecretsKeyARN:         l.encryption,
	}
	if l.access != nil {
		p[model.FieldAuthenticationMode] = l.access
	}
	return p
}

// fromFragment refuses to write a setting into a Fn::ForEach template fragment when the setting
// depends on the loop's identifier, as Terraform's fixes refuse a value that differs per instance: a
// literal there would give every cluster of the loop one value. A setting whose way passes through a
// mapping that a loop builds is refused too, since the edit cannot tell what the loop makes.
func (s *fixState) fromFragment(want model.Settings) error {
	paths := s.lay.paths()
	steps := 0
	for _, f := range want.Fields() {
		path := append([]string{"Properties"}, paths[f]...)
		m := yamledit.Deref(s.r.origNode)
		name := ""
		for i, p := range path {
			if m == nil || m.Kind != yaml.MappingNode {
				break
			}
			if _, _, ok := intrinsic(m); ok {
				break // computed: the editor refuses it and says why
			}
			for j := 0; j < len(m.Content); j += 2 {
				if k := yamledit.Deref(m.Content[j]); k != nil && strings.HasPrefix(k.Value, loopPrefix) {
					return fmt.Errorf("%s: %s is partly made by %s; edit it by hand", clip(s.r.id), strings.TrimPrefix(name+"."+p, "."), clip(k.Value))
				}
			}
			name = strings.TrimPrefix(name+"."+p, ".")
			_, v := yamledit.Lookup(m, p)
			if v == nil {
				break
			}
			v = yamledit.Deref(v)
			_, _, computed := intrinsic(v)
			if last := i == len(path)-1; last || computed {
				if id := mentions(v, s.r.loopIDs, 0, &steps); id != "" {
					if strings.HasPrefix(id, loopPrefix) {
						return fmt.Errorf("%s: %s is partly made by %s; edit it by hand", clip(s.r.id), name, id)
					}
					return fmt.Errorf("%s: %s depends on the identifier %s of %s, so it differs per cluster; change the value for this cluster where the loop gets it (its collection, or the mapping it reads), not in the fragment", clip(s.r.id), name, clip(id), s.r.loop)
				}
			}
			m = v
		}
	}
	return nil
}

func (s *fixState) missing(f model.Field) string {
	if f == model.FieldAuthenticationMode && s.r.typ == TypeQuickStart {
		return "the authentication mode (its clusters are created without accessConfig, so CONFIG_MAP); use AWS::EKS::Cluster to set AccessConfig.AuthenticationMode"
	}
	return string(f)
}

// encryption is the edit that makes secrets encrypted with key: KeyArn set in the entry for secrets
// when the list has one, or else the list written with that one entry.
func (s *fixState) encryption(key string) (yamledit.KV, error) {
	lay := s.lay
	if s.enc.why != "" {
		return yamledit.KV{}, fmt.Errorf("%s: %s", clip(s.r.id), s.enc.why)
	}
	name := lay.encryption[len(lay.encryption)-1]
	provider := []yamledit.KV{{Key: lay.provider, Value: []yamledit.KV{{Key: lay.keyArn, Value: key}}}}
	kv := yamledit.KV{Key: name, Value: [][]yamledit.KV{append([]yamledit.KV{{Key: lay.resources, Value: []string{"secrets"}}}, provider...)}}
	if s.enc.present && s.enc.index >= 0 {
		kv.Value = yamledit.Item{Index: s.enc.index, KVs: provider}
	}
	for i := len(lay.encryption) - 2; i >= 0; i-- {
		kv = yamledit.KV{Key: lay.encryption[i], Value: []yamledit.KV{kv}}
	}
	return kv, nil
}

// cdkError explains why a CDK-generated template gets no patch: the next synth would overwrite it. It
// names the properties of the CDK's eks.Cluster that give the settings.
func (s *fixState) cdkError(want model.Settings) error {
	what := s.r.id
	if s.cdkPath != "" {
		what = s.cdkPath
	}
	var props []string
	if want.EndpointPublicAccess != nil || want.EndpointPrivateAccess != nil || want.PublicAccessCIDRs != nil {
		props = append(props, "endpointAccess ("+s.cdkEndpointAccess(want)+")")
	}
	if want.EnabledLogTypes != nil {
		types := make([]string, len(want.EnabledLogTypes))
		for i, t := range want.EnabledLogTypes {
			types[i] = "ClusterLoggingTypes." + cdkConstant(t)
		}
		props = append(props, "clusterLogging (["+strings.Join(types, ", ")+"])")
	}
	if want.AuthenticationMode != nil {
		props = append(props, "authenticationMode (AuthenticationMode."+*want.AuthenticationMode+")")
	}
	if want.SecretsKeyARN != nil {
		props = append(props, "secretsEncryptionKey (a kms.Key, or kms.Key.fromKeyArn(this, 'SecretsKey', '"+*want.SecretsKeyARN+"'))")
	}
	return fmt.Errorf("%s is generated by the AWS CDK, so a patch to the template would be lost at the next synth: set %s in the CDK app and synth again",
		what, strings.Join(props, ", "))
}

// cdkEndpointAccess is the CDK's EndpointAccess for the endpoint the cluster has with want applied:
// the CDK sets all three endpoint settings from that one property.
func (s *fixState) cdkEndpointAccess(want model.Settings) string {
	c := want.Apply(s.c)
	if c.EndpointPublicAccess.Known() && !c.EndpointPublicAccess.Value {
		return "EndpointAccess.PRIVATE"
	}
	if cidrs := c.PublicAccessCIDRs; cidrs.Known() && len(cidrs.Values) > 0 && cidrs.Origin == model.OriginExplicit {
		quoted := make([]string, len(cidrs.Values))
		for i, v := range cidrs.Values {
			quoted[i] = "'" + v + "'"
		}
		return "EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(" + strings.Join(quoted, ", ") + ")"
	}
	return "EndpointAccess.PUBLIC_AND_PRIVATE"
}

// cdkConstant spells a log type as the CDK's ClusterLoggingTypes does: controllerManager is
// CONTROLLER_MANAGER.
func cdkConstant(logType string) string {
	var b strings.Builder
	for i, r := range logType {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
