package model

import (
	"slices"
	"strings"
)

// AWS's defaults: what a cluster gets when its settings say nothing. They are defined here, once; the
// adapters apply them when reading, the checks compare with them, and the emulator serves them.

// DefaultPublicAccessCIDRs is what a public endpoint admits when no allowlist is given: the whole
// IPv4 internet, and for IPv6 clusters (created after October 2024) the whole IPv6 internet too.
func DefaultPublicAccessCIDRs(ipFamily string) []string {
	if strings.EqualFold(ipFamily, "ipv6") {
		return []string{"0.0.0.0/0", "::/0"}
	}
	return []string{"0.0.0.0/0"}
}

// Control plane log types, in the order EKS lists them.
const (
	LogAPI               = "api"
	LogAudit             = "audit"
	LogAuthenticator     = "authenticator"
	LogControllerManager = "controllerManager"
	LogScheduler         = "scheduler"
)

// LogTypes are every control plane log type. A cluster created without logging settings has them
// all disabled.
var LogTypes = []string{LogAPI, LogAudit, LogAuthenticator, LogControllerManager, LogScheduler}

// IsLogType reports whether s is a control plane log type, spelt as EKS spells it.
func IsLogType(s string) bool { return slices.Contains(LogTypes, s) }

// Authentication modes of accessConfig. A mode can only move forward (CONFIG_MAP to
// API_AND_CONFIG_MAP to API), never back.
const (
	AuthConfigMap       = "CONFIG_MAP"
	AuthAPIAndConfigMap = "API_AND_CONFIG_MAP"
	AuthAPI             = "API"
)

// DefaultAuthenticationMode is what CreateCluster gives a cluster whose request has no accessConfig
// (the API, the SDKs and CloudFormation; the console picks API_AND_CONFIG_MAP).
const DefaultAuthenticationMode = AuthConfigMap

// IsAuthenticationMode reports whether s is an authentication mode EKS knows.
func IsAuthenticationMode(s string) bool {
	return s == AuthConfigMap || s == AuthAPIAndConfigMap || s == AuthAPI
}

// Field names a cluster setting that checks read and fixes write. The names are the JSON names of the
// model's fields.
type Field string

// The fields checks judge.
const (
	FieldEndpointPublicAccess  Field = "endpointPublicAccess"
	FieldEndpointPrivateAccess Field = "endpointPrivateAccess"
	FieldPublicAccessCIDRs     Field = "publicAccessCidrs"
	FieldEnabledLogTypes       Field = "enabledLogTypes"
	FieldAuthenticationMode    Field = "authenticationMode"
	FieldSecretsKeyARN         Field = "secretsKeyArn"
)

// Settings are the values some fields of a cluster should have: what a check needs to pass. A nil
// field is left as it is. One value drives every way eksguard changes a cluster: the remediation
// text, the edit each IaC adapter writes, and eksguard fix's target.
type Settings struct {
	EndpointPublicAccess  *bool    `json:"endpointPublicAccess,omitempty"`
	EndpointPrivateAccess *bool    `json:"endpointPrivateAccess,omitempty"`
	PublicAccessCIDRs     []string `json:"publicAccessCidrs,omitempty"`
	EnabledLogTypes       []string `json:"enabledLogTypes,omitempty"`
	AuthenticationMode    *string  `json:"authenticationMode,omitempty"`
	SecretsKeyARN         *string  `json:"secretsKeyArn,omitempty"`
}

// Ptr returns a pointer to v, for Settings literals.
func Ptr[T any](v T) *T { return &v }

// Fields lists the fields s sets, in the model's order.
func (s Settings) Fields() []Field {
	var out []Field
	if s.EndpointPublicAccess != nil {
		out = append(out, FieldEndpointPublicAccess)
	}
	if s.EndpointPrivateAccess != nil {
		out = append(out, FieldEndpointPrivateAccess)
	}
	if s.PublicAccessCIDRs != nil {
		out = append(out, FieldPublicAccessCIDRs)
	}
	if s.EnabledLogTypes != nil {
		out = append(out, FieldEnabledLogTypes)
	}
	if s.AuthenticationMode != nil {
		out = append(out, FieldAuthenticationMode)
	}
	if s.SecretsKeyARN != nil {
		out = append(out, FieldSecretsKeyARN)
	}
	return out
}

// Empty reports whether s sets nothing.
func (s Settings) Empty() bool { return len(s.Fields()) == 0 }

// Only is s with field f alone.
func (s Settings) Only(f Field) Settings {
	for _, g := range s.Fields() {
		if g != f {
			s = s.Without(g)
		}
	}
	return s
}

// Without returns s with field f left as it is.
func (s Settings) Without(f Field) Settings {
	switch f {
	case FieldEndpointPublicAccess:
		s.EndpointPublicAccess = nil
	case FieldEndpointPrivateAccess:
		s.EndpointPrivateAccess = nil
	case FieldPublicAccessCIDRs:
		s.PublicAccessCIDRs = nil
	case FieldEnabledLogTypes:
		s.EnabledLogTypes = nil
	case FieldAuthenticationMode:
		s.AuthenticationMode = nil
	case FieldSecretsKeyARN:
		s.SecretsKeyARN = nil
	}
	return s
}

// Merge adds o's fields to s. A field both set to different values is a conflict: it is left out,
// and conflicts names it.
func (s Settings) Merge(o Settings) (merged Settings, conflicts []Field) {
	m := Settings{}
	var ok bool
	if m.EndpointPublicAccess, ok = mergeOne(s.EndpointPublicAccess, o.EndpointPublicAccess, eqPtr[bool]); !ok {
		conflicts = append(conflicts, FieldEndpointPublicAccess)
	}
	if m.EndpointPrivateAccess, ok = mergeOne(s.EndpointPrivateAccess, o.EndpointPrivateAccess, eqPtr[bool]); !ok {
		conflicts = append(conflicts, FieldEndpointPrivateAccess)
	}
	if m.PublicAccessCIDRs, ok = mergeOne(s.PublicAccessCIDRs, o.PublicAccessCIDRs, sameSet); !ok {
		conflicts = append(conflicts, FieldPublicAccessCIDRs)
	}
	if m.EnabledLogTypes, ok = mergeOne(s.EnabledLogTypes, o.EnabledLogTypes, sameSet); !ok {
		conflicts = append(conflicts, FieldEnabledLogTypes)
	}
	if m.AuthenticationMode, ok = mergeOne(s.AuthenticationMode, o.AuthenticationMode, eqPtr[string]); !ok {
		conflicts = append(conflicts, FieldAuthenticationMode)
	}
	if m.SecretsKeyARN, ok = mergeOne(s.SecretsKeyARN, o.SecretsKeyARN, eqPtr[string]); !ok {
		conflicts = append(conflicts, FieldSecretsKeyARN)
	}
	return m, conflicts
}

// mergeOne merges one field: either side when the other is unset, the value when both agree, and
// unset with ok false when they disagree.
func mergeOne[T any](a, b T, equal func(T, T) bool) (T, bool) {
	var zero T
	switch {
	case isNil(a):
		return b, true
	case isNil(b), equal(a, b):
		return a, true
	}
	return zero, false
}

func isNil(v any) bool {
	switch x := v.(type) {
	case *bool:
		return x == nil
	case *string:
		return x == nil
	case []string:
		return x == nil
	}
	return v == nil
}

func eqPtr[T comparable](a, b *T) bool { return *a == *b }

// Pending returns the part of s the cluster does not already have: a field whose current value is
// known and equal is dropped. A field whose value is unknown is kept, since nothing shows it is set.
func (s Settings) Pending(c *Cluster) Settings {
	out := s
	if s.EndpointPublicAccess != nil && c.EndpointPublicAccess.Known() && c.EndpointPublicAccess.Value == *s.EndpointPublicAccess {
		out.EndpointPublicAccess = nil
	}
	if s.EndpointPrivateAccess != nil && c.EndpointPrivateAccess.Known() && c.EndpointPrivateAccess.Value == *s.EndpointPrivateAccess {
		out.EndpointPrivateAccess = nil
	}
	if s.PublicAccessCIDRs != nil && c.PublicAccessCIDRs.Known() && sameSet(c.PublicAccessCIDRs.Values, s.PublicAccessCIDRs) {
		out.PublicAccessCIDRs = nil
	}
	if s.EnabledLogTypes != nil && c.EnabledLogTypes.Known() && sameSet(c.EnabledLogTypes.Values, s.EnabledLogTypes) {
		out.EnabledLogTypes = nil
	}
	if s.AuthenticationMode != nil && c.AuthenticationMode.Known() && c.AuthenticationMode.Value == *s.AuthenticationMode {
		out.AuthenticationMode = nil
	}
	if s.SecretsKeyARN != nil && c.SecretsKeyARN.Known() && c.SecretsKeyARN.Value == *s.SecretsKeyARN {
		out.SecretsKeyARN = nil
	}
	return out
}

// Apply returns a copy of the cluster with the settings written into it, as explicit values: what the
// cluster would read as once the settings are in place.
func (s Settings) Apply(c *Cluster) *Cluster {
	out := *c
	if s.EndpointPublicAccess != nil {
		out.EndpointPublicAccess = Explicit(*s.EndpointPublicAccess)
	}
	if s.EndpointPrivateAccess != nil {
		out.EndpointPrivateAccess = Explicit(*s.EndpointPrivateAccess)
	}
	if s.PublicAccessCIDRs != nil {
		out.PublicAccessCIDRs = ExplicitList(append([]string{}, s.PublicAccessCIDRs...)...)
	}
	if s.EnabledLogTypes != nil {
		out.EnabledLogTypes = ExplicitList(append([]string{}, s.EnabledLogTypes...)...)
	}
	if s.AuthenticationMode != nil {
		out.AuthenticationMode = ExplicitString(*s.AuthenticationMode)
	}
	if s.SecretsKeyARN != nil {
		out.SecretsKeyARN = ExplicitString(*s.SecretsKeyARN)
	}
	return &out
}

// sameSet compares lists as sets of trimmed strings.
func sameSet(a, b []string) bool {
	set := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, v := range l {
			m[strings.TrimSpace(v)] = true
		}
		return m
	}
	x, y := set(a), set(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}
