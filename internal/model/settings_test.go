package model

import (
	"reflect"
	"testing"
)

func TestSettingsMerge(t *testing.T) {
	priv := Settings{EndpointPrivateAccess: Ptr(true), EndpointPublicAccess: Ptr(false)}
	restrict := Settings{EndpointPrivateAccess: Ptr(true), EndpointPublicAccess: Ptr(true), PublicAccessCIDRs: []string{"203.0.113.0/24"}}
	logs := Settings{EnabledLogTypes: LogTypes}
	for _, tt := range []struct {
		name      string
		a, b      Settings
		want      Settings
		conflicts []Field
	}{
		{"disjoint fields add up", priv, logs, Settings{EndpointPrivateAccess: Ptr(true), EndpointPublicAccess: Ptr(false), EnabledLogTypes: LogTypes}, nil},
		{"equal values are one", priv, priv, priv, nil},
		{"a disagreement is left out and named", priv, restrict, Settings{EndpointPrivateAccess: Ptr(true), PublicAccessCIDRs: []string{"203.0.113.0/24"}}, []Field{FieldEndpointPublicAccess}},
		{"empty with anything", Settings{}, logs, logs, nil},
		{"lists compare as sets", Settings{EnabledLogTypes: []string{"audit", "api"}}, Settings{EnabledLogTypes: []string{"api", "audit"}}, Settings{EnabledLogTypes: []string{"audit", "api"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, conflicts := tt.a.Merge(tt.b)
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(conflicts, tt.conflicts) {
				t.Errorf("Merge = %+v, %v; want %+v, %v", got, conflicts, tt.want, tt.conflicts)
			}
		})
	}
}

func TestSettingsPendingAndApply(t *testing.T) {
	c := &Cluster{
		EndpointPublicAccess:  Explicit(false),
		EndpointPrivateAccess: Unknown("var.private has no value"),
		EnabledLogTypes:       ExplicitList("api"),
		AuthenticationMode:    DefaultString(AuthConfigMap, "CreateCluster default"),
	}
	want := Settings{EndpointPublicAccess: Ptr(false), EndpointPrivateAccess: Ptr(true), EnabledLogTypes: LogTypes, AuthenticationMode: Ptr(AuthAPIAndConfigMap)}
	p := want.Pending(c)
	if got := p.Fields(); !reflect.DeepEqual(got, []Field{FieldEndpointPrivateAccess, FieldEnabledLogTypes, FieldAuthenticationMode}) {
		t.Errorf("pending fields = %v (an unknown value stays pending, a known equal one does not)", got)
	}
	after := want.Apply(c)
	if !after.EndpointPrivateAccess.Known() || !after.EndpointPrivateAccess.Value || after.AuthenticationMode.Value != AuthAPIAndConfigMap || len(after.EnabledLogTypes.Values) != 5 {
		t.Errorf("Apply = %+v", after)
	}
	if c.AuthenticationMode.Value != AuthConfigMap {
		t.Error("Apply changed the original cluster")
	}
	if got := (Settings{}).Without(FieldAuthenticationMode); !got.Empty() {
		t.Error("Without on empty settings is not empty")
	}
}
