package rbac

import (
	"testing"
)

// TestUnbound: a role reaches nobody when no binding names a subject that can match, or, for a
// cluster-scoped resource, when only RoleBindings name it; aggregated rules show where they came from.
func TestUnbound(t *testing.T) {
	s := load(t, readSeed(t), `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pv-maker, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv-maker}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: team-a}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-nobody, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: Widget, name: x}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: bound-reader, namespace: team-a}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bound-reader, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: bound-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}]`)

	pv := s.Unbound("create", "", "persistentvolumes")
	if got := find(pv, want{role: "ClusterRole/pv-maker"}); len(got) != 1 || got[0].Default {
		t.Errorf("a ClusterRole only RoleBindings name cannot create PersistentVolumes for anyone: %s", dump(pv))
	}
	for _, g := range pv {
		if g.Binding != "" || g.Subject.Name != "" {
			t.Errorf("an unbound grant names a binding or subject: %s", g)
		}
	}

	sec := s.Unbound("get", "", "secrets")
	for _, w := range []want{
		{role: "ClusterRole/secret-reader"},
		{role: "ClusterRole/edit", from: "ClusterRole/secret-reader"},
		{role: "Role/team-a/reader", namespace: "team-a"},
	} {
		got := find(sec, w)
		if len(got) != 1 || got[0].Default {
			t.Errorf("want one non-default %+v in:%s", w, dump(sec))
		}
	}
	if got := find(sec, want{role: "Role/team-a/bound-reader", namespace: "team-a"}); len(got) != 0 {
		t.Errorf("a bound Role is not unbound:%s", dump(sec))
	}
	// edit's own secrets rule comes from system:aggregate-to-edit and is default; nobody binds edit
	// in the seed.
	if got := find(sec, want{role: "ClusterRole/edit", from: "ClusterRole/system:aggregate-to-edit"}); len(got) != 1 || !got[0].Default {
		t.Errorf("edit's own secrets rule should be an unbound default grant:%s", dump(sec))
	}

	if got := s.Unbound("create", "", "persistentvolumes"); len(find(got, want{role: "ClusterRole/system:controller:persistent-volume-binder"})) != 0 {
		t.Errorf("a bound default role is not unbound:%s", dump(got))
	}
}

// TestGrantsTo: an identity holds the rules bound to its name and its groups, RoleBindings of every
// namespace and non-resource rules included.
func TestGrantsTo(t *testing.T) {
	s := load(t, readSeed(t), `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm, namespace: team-a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-cm, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics}
rules: [{nonResourceURLs: [/metrics], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: team-a-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:team-a"}]`)

	web := s.GrantsTo(ServiceAccountUser("team-a", "web"))
	if got := find(web, want{binding: "RoleBinding/team-a/web-cm", role: "Role/team-a/cm", namespace: "team-a", subject: sa("team-a", "web")}); len(got) != 1 || got[0].Default {
		t.Errorf("the RoleBinding naming the account:%s", dump(web))
	}
	if got := find(web, want{binding: "ClusterRoleBinding/team-a-metrics", role: "ClusterRole/metrics", subject: group("system:serviceaccounts:team-a")}); len(got) != 1 {
		t.Errorf("the namespace's service account group, with a non-resource rule:%s", dump(web))
	}
	if got := find(web, want{binding: "ClusterRoleBinding/system:basic-user", role: "ClusterRole/system:basic-user", subject: group("system:authenticated")}); len(got) == 0 || !got[0].Default {
		t.Errorf("what every authenticated identity holds, default:%s", dump(web))
	}
	other := s.GrantsTo(ServiceAccountUser("team-b", "web"))
	for _, g := range other {
		if !g.Default {
			t.Errorf("team-b/web holds only the defaults, got %s", g)
		}
	}
	if len(other) == 0 {
		t.Error("team-b/web holds at least what every authenticated identity does")
	}
	if got := s.GrantsTo(User{Name: "nobody"}); len(got) != 0 {
		t.Errorf("an identity in no group holds nothing:%s", dump(got))
	}
}

// TestBuiltInRule: a rule is built in by its role and its origin, whoever it is bound to.
func TestBuiltInRule(t *testing.T) {
	for _, tt := range []struct {
		g    Grant
		want bool
	}{
		{Grant{Role: "ClusterRole/cluster-admin", Binding: "ClusterRoleBinding/alice", Subject: user("alice")}, true},
		{Grant{Role: "ClusterRole/edit", From: "ClusterRole/system:aggregate-to-edit"}, true},
		{Grant{Role: "ClusterRole/edit", From: "ClusterRole/secret-reader"}, false},
		{Grant{Role: "ClusterRole/ci"}, false},
		{Grant{Role: "Role/kube-system/system:controller:token-cleaner"}, true},
		{Grant{Role: "Role/team-a/system:controller:token-cleaner"}, false},
		{Grant{Role: "Role/broken"}, false},
		{Grant{Role: "Widget/x"}, false},
		{Grant{}, false},
	} {
		if got := BuiltInRule(tt.g); got != tt.want {
			t.Errorf("BuiltInRule(%s from %q) = %v, want %v", tt.g.Role, tt.g.From, got, tt.want)
		}
	}
}
