package cloudformation

import (
	"fmt"
	"strings"

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
	key := s.r.key
	if !s.r.inBlock && !s.t.doc.JSON() {
		key = nil // a flow-style Resources cannot take a block-style resource
	}
	if err := ed.Set(key, s.r.node, s.r.id, []string{"Properties"}, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", s.r.id, err)
	}
	edits, err := ed.Edits(s.t.file.Name, s.t.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", s.r.id, err)
	}
	return &finding.Fix{Description: yamledit.Describe([]string{"Properties"}, s.r.typ+" "+s.r.id, kvs), Edits: edits}, nil
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
