package rbac

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func readSeed(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("testdata/eks-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// load builds a snapshot from the seed with extra documents appended.
func load(t testing.TB, seed, extra string) *Snapshot {
	t.Helper()
	s, err := LoadYAML([]byte(seed + "\n---\n" + extra))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func user(name string) rbacv1.Subject  { return rbacv1.Subject{Kind: rbacv1.UserKind, Name: name} }
func group(name string) rbacv1.Subject { return rbacv1.Subject{Kind: rbacv1.GroupKind, Name: name} }
func sa(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
}

// want picks out one grant by what the controls report: binding, role, subject, and where.
type want struct {
	binding, role, from, namespace string
	subject                        rbacv1.Subject
}

func (w want) match(g Grant) bool {
	return g.Binding == w.binding && g.Role == w.role && g.From == w.from && g.Namespace == w.namespace &&
		g.Subject.Kind == w.subject.Kind && g.Subject.Name == w.subject.Name && g.Subject.Namespace == w.subject.Namespace
}

func find(gs []Grant, w want) []Grant {
	var out []Grant
	for _, g := range gs {
		if w.match(g) {
			out = append(out, g)
		}
	}
	return out
}

func dump(gs []Grant) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "\n\t%s", g)
	}
	return b.String()
}

// queries are the questions the 4.1.x controls ask.
var queries = []struct {
	name string
	run  func(*Snapshot) []Grant
}{
	{"4.1.1 cluster-admin", (*Snapshot).ClusterAdmin},
	{"4.1.2 get secrets", func(s *Snapshot) []Grant { return s.Who("get", "", "secrets") }},
	{"4.1.2 list secrets", func(s *Snapshot) []Grant { return s.Who("list", "", "secrets") }},
	{"4.1.3 wildcards", (*Snapshot).Wildcards},
	{"4.1.4 create pods", func(s *Snapshot) []Grant { return s.Who("create", "", "pods") }},
	{"4.1.8 bind clusterroles", func(s *Snapshot) []Grant { return s.Who("bind", "rbac.authorization.k8s.io", "clusterroles") }},
	{"4.1.8 escalate clusterroles", func(s *Snapshot) []Grant { return s.Who("escalate", "rbac.authorization.k8s.io", "clusterroles") }},
	{"4.1.8 impersonate users", func(s *Snapshot) []Grant { return s.Who("impersonate", "", "users") }},
	{"4.1.8 impersonate serviceaccounts", func(s *Snapshot) []Grant { return s.Who("impersonate", "", "serviceaccounts") }},
	{"4.1.9 create persistentvolumes", func(s *Snapshot) []Grant { return s.Who("create", "", "persistentvolumes") }},
	{"4.1.10 nodes/proxy", func(s *Snapshot) []Grant { return s.Who("*", "", "nodes/proxy") }},
	{"4.1.11 validating webhooks", func(s *Snapshot) []Grant {
		return s.Who("*", "admissionregistration.k8s.io", "validatingwebhookconfigurations")
	}},
	{"4.1.11 mutating webhooks", func(s *Snapshot) []Grant {
		return s.Who("*", "admissionregistration.k8s.io", "mutatingwebhookconfigurations")
	}},
	{"4.1.12 create serviceaccounts/token", func(s *Snapshot) []Grant { return s.Who("create", "", "serviceaccounts/token") }},
}

func queryNamed(t *testing.T, name string) func(*Snapshot) []Grant {
	t.Helper()
	for _, q := range queries {
		if q.name == name {
			return q.run
		}
	}
	t.Fatalf("no query %q", name)
	return nil
}

// TestSeedIsAllDefault: on a fresh EKS cluster every 4.1.x question has answers, and all of them are
// Kubernetes' or EKS's own, so the controls pass; the named grants prove the answers were seen and
// classified rather than missed.
func TestSeedIsAllDefault(t *testing.T) {
	s := load(t, readSeed(t), "")
	if p := s.Problems(); len(p) != 0 {
		t.Fatalf("the seed has problems: %v", p)
	}
	seen := map[string][]want{
		"4.1.1 cluster-admin": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
			{binding: "ClusterRoleBinding/eks:addon-cluster-admin", role: "ClusterRole/cluster-admin", subject: user("eks:addon-manager")},
		},
		"4.1.2 get secrets": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
			{binding: "ClusterRoleBinding/system:controller:generic-garbage-collector", role: "ClusterRole/system:controller:generic-garbage-collector", subject: sa("kube-system", "generic-garbage-collector")},
			{binding: "RoleBinding/kube-system/system:controller:token-cleaner", role: "Role/kube-system/system:controller:token-cleaner", namespace: "kube-system", subject: sa("kube-system", "token-cleaner")},
		},
		"4.1.2 list secrets": {
			{binding: "ClusterRoleBinding/system:kube-controller-manager", role: "ClusterRole/system:kube-controller-manager", subject: user("system:kube-controller-manager")},
		},
		"4.1.3 wildcards": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
			{binding: "ClusterRoleBinding/system:kube-controller-manager", role: "ClusterRole/system:kube-controller-manager", subject: user("system:kube-controller-manager")},
			{role: "ClusterRole/system:kubelet-api-admin"}, // unbound
		},
		"4.1.4 create pods": {
			{binding: "ClusterRoleBinding/system:controller:replicaset-controller", role: "ClusterRole/system:controller:replicaset-controller", subject: sa("kube-system", "replicaset-controller")},
			{binding: "ClusterRoleBinding/eks:addon-cluster-admin", role: "ClusterRole/cluster-admin", subject: user("eks:addon-manager")},
		},
		"4.1.8 bind clusterroles": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
		},
		"4.1.8 escalate clusterroles": {
			{binding: "ClusterRoleBinding/system:controller:clusterrole-aggregation-controller", role: "ClusterRole/system:controller:clusterrole-aggregation-controller", subject: sa("kube-system", "clusterrole-aggregation-controller")},
		},
		"4.1.8 impersonate users": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
		},
		"4.1.8 impersonate serviceaccounts": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
		},
		"4.1.9 create persistentvolumes": {
			{binding: "ClusterRoleBinding/system:controller:persistent-volume-binder", role: "ClusterRole/system:controller:persistent-volume-binder", subject: sa("kube-system", "persistent-volume-binder")},
		},
		"4.1.10 nodes/proxy": {
			{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: group("system:masters")},
			{binding: "ClusterRoleBinding/system:controller:generic-garbage-collector", role: "ClusterRole/system:controller:generic-garbage-collector", subject: sa("kube-system", "generic-garbage-collector")},
		},
		"4.1.11 validating webhooks": {
			{binding: "ClusterRoleBinding/eks:addon-manager", role: "ClusterRole/eks:addon-manager", subject: user("eks:addon-manager")},
		},
		"4.1.11 mutating webhooks": {
			{binding: "ClusterRoleBinding/eks:addon-manager", role: "ClusterRole/eks:addon-manager", subject: user("eks:addon-manager")},
		},
		"4.1.12 create serviceaccounts/token": {
			{binding: "ClusterRoleBinding/system:kube-controller-manager", role: "ClusterRole/system:kube-controller-manager", subject: user("system:kube-controller-manager")},
		},
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			gs := q.run(s)
			for _, g := range gs {
				if !g.Default {
					t.Errorf("not default on a fresh cluster: %s", g)
				}
			}
			if len(seen[q.name]) == 0 {
				t.Fatalf("the test names no grant it expects for %q", q.name)
			}
			for _, w := range seen[q.name] {
				if len(find(gs, w)) == 0 {
					t.Errorf("missing %+v in:%s", w, dump(gs))
				}
			}
		})
	}
	if got := s.ClusterAdmin(); len(got) != 2 {
		t.Errorf("a fresh EKS cluster has 2 cluster-admin grants, got %d:%s", len(got), dump(got))
	}
}

// TestViolations adds one thing a user might do to the fresh cluster at a time: each is found, named
// by binding, role and subject, not Default, and leaves the default grants as they were.
func TestViolations(t *testing.T) {
	seed := readSeed(t)
	tests := []struct {
		name    string
		add     string              // documents appended to the seed
		edit    func(string) string // changes to the seed itself
		query   string
		want    want
		limited bool
	}{
		{
			name: "cluster-admin bound to a user",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]`,
			query: "4.1.1 cluster-admin",
			want:  want{binding: "ClusterRoleBinding/alice-admin", role: "ClusterRole/cluster-admin", subject: user("alice")},
		},
		{
			name: "user added to the bootstrap cluster-admin binding",
			edit: func(s string) string {
				masters := `- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}`
				if strings.Count(s, masters) != 1 {
					panic("the seed's cluster-admin binding changed shape")
				}
				return strings.Replace(s, masters, masters+"\n- {apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}", 1)
			},
			query: "4.1.1 cluster-admin",
			want:  want{binding: "ClusterRoleBinding/cluster-admin", role: "ClusterRole/cluster-admin", subject: user("mallory")},
		},
		{
			name: "a user's binding that calls itself system:",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:monitoring-extra"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: monitoring}]`,
			query: "4.1.1 cluster-admin",
			want:  want{binding: "ClusterRoleBinding/system:monitoring-extra", role: "ClusterRole/cluster-admin", subject: sa("monitoring", "prometheus")},
		},
		{
			name: "cluster-admin in one namespace through a RoleBinding",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]`,
			query: "4.1.1 cluster-admin",
			want:  want{binding: "RoleBinding/team-a/bob-admin", role: "ClusterRole/cluster-admin", namespace: "team-a", subject: user("bob")},
		},
		{
			// edit's secrets access comes from system:aggregate-to-edit: read of "escalating
			// resources" (secrets, pods/exec...) since the roles became aggregated.
			name: "edit in team-a gives devs the namespace's secrets",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}]`,
			query: "4.1.2 get secrets",
			want:  want{binding: "RoleBinding/team-a/devs-edit", role: "ClusterRole/edit", from: "ClusterRole/system:aggregate-to-edit", namespace: "team-a", subject: group("devs")},
		},
		{
			name: "a custom Role with every verb, bound to nobody",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: config-all, namespace: team-a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: ["*"]}]`,
			query: "4.1.3 wildcards",
			want:  want{role: "Role/team-a/config-all", namespace: "team-a"},
		},
		{
			name: "a ClusterRole over every resource, bound to every authenticated user",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-everything}
rules: [{apiGroups: [""], resources: ["*"], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-everything}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]`,
			query: "4.1.3 wildcards",
			want:  want{binding: "ClusterRoleBinding/everyone-reads", role: "ClusterRole/read-everything", subject: group("system:authenticated")},
		},
		{
			name: "the same ClusterRole reads secrets",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-everything}
rules: [{apiGroups: [""], resources: ["*"], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-everything}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]`,
			query: "4.1.2 get secrets",
			want:  want{binding: "ClusterRoleBinding/everyone-reads", role: "ClusterRole/read-everything", subject: group("system:authenticated")},
		},
		{
			// The user's rule reaches edit through its label, and is reported as the user's.
			name: "a ClusterRole aggregated into edit adds pods/exec",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: exec-for-editors
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}]`,
			query: "4.1.4 create pods/exec",
			want:  want{binding: "RoleBinding/team-a/devs-edit", role: "ClusterRole/edit", from: "ClusterRole/exec-for-editors", namespace: "team-a", subject: group("devs")},
		},
		{
			// Unbound, but it has already turned the built-in admin (edit aggregates into admin)
			// into a wildcard role: the next RoleBinding to admin hands it out.
			name: "an aggregated wildcard rule shows through admin",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-editor
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: ["*"]}]`,
			query: "4.1.3 wildcards",
			want:  want{role: "ClusterRole/admin", from: "ClusterRole/widgets-editor"},
		},
		{
			name: "a Role limited to one secret by name is still a grant",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-db-password, namespace: team-a}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [db-password], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reads-db-password, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-db-password}
subjects: [{kind: ServiceAccount, name: app, namespace: team-a}]`,
			query:   "4.1.2 get secrets",
			want:    want{binding: "RoleBinding/team-a/app-reads-db-password", role: "Role/team-a/read-db-password", namespace: "team-a", subject: sa("team-a", "app")},
			limited: true,
		},
		{
			// Token requests carry the ServiceAccount's name, so names do limit them.
			name: "token creation limited to one ServiceAccount",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mint-ci-token}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [ci], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: vault-mints-ci-token}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mint-ci-token}
subjects: [{kind: ServiceAccount, name: vault, namespace: vault}]`,
			query:   "4.1.12 create serviceaccounts/token",
			want:    want{binding: "ClusterRoleBinding/vault-mints-ci-token", role: "ClusterRole/mint-ci-token", subject: sa("vault", "vault")},
			limited: true,
		},
		{
			name: "a RoleBinding's ServiceAccount without a namespace is the binding's",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deployer, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer}]`,
			query: "4.1.4 create pods",
			want:  want{binding: "RoleBinding/team-b/ci-deployer", role: "ClusterRole/edit", from: "ClusterRole/system:aggregate-to-edit", namespace: "team-b", subject: sa("team-b", "deployer")},
		},
		{
			name: "aws-load-balancer-controller is the user's, in kube-system or not",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aws-load-balancer-controller-role}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: aws-load-balancer-controller-rolebinding}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aws-load-balancer-controller-role}
subjects: [{kind: ServiceAccount, name: aws-load-balancer-controller, namespace: kube-system}]`,
			query: "4.1.2 get secrets",
			want:  want{binding: "ClusterRoleBinding/aws-load-balancer-controller-rolebinding", role: "ClusterRole/aws-load-balancer-controller-role", subject: sa("kube-system", "aws-load-balancer-controller")},
		},
		{
			name: "escalate and bind on roles in a namespace",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rbac-manager, namespace: team-a}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles], verbs: [bind, escalate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: leads-manage-rbac, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbac-manager}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: leads}]`,
			query: "4.1.8 escalate roles",
			want:  want{binding: "RoleBinding/team-a/leads-manage-rbac", role: "Role/team-a/rbac-manager", namespace: "team-a", subject: group("leads")},
		},
		{
			name: "nodes/proxy for a monitoring agent",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubelet-scraper}
rules: [{apiGroups: [""], resources: [nodes/proxy, nodes/metrics], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agent-scrapes-kubelets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-scraper}
subjects: [{kind: ServiceAccount, name: agent, namespace: monitoring}]`,
			query: "4.1.10 nodes/proxy",
			want:  want{binding: "ClusterRoleBinding/agent-scrapes-kubelets", role: "ClusterRole/kubelet-scraper", subject: sa("monitoring", "agent")},
		},
		{
			name: "a policy engine that edits webhook configurations",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: policy-engine}
rules: [{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [create, patch, update, delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: policy-engine}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policy-engine}
subjects: [{kind: ServiceAccount, name: engine, namespace: policy}]`,
			query: "4.1.11 validating webhooks",
			want:  want{binding: "ClusterRoleBinding/policy-engine", role: "ClusterRole/policy-engine", subject: sa("policy", "engine")},
		},
		{
			name: "a storage operator that creates PersistentVolumes",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create, delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: storage-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv-maker}
subjects: [{kind: ServiceAccount, name: operator, namespace: storage}]`,
			query: "4.1.9 create persistentvolumes",
			want:  want{binding: "ClusterRoleBinding/storage-operator", role: "ClusterRole/pv-maker", subject: sa("storage", "operator")},
		},
	}
	extra := map[string]func(*Snapshot) []Grant{
		"4.1.4 create pods/exec": func(s *Snapshot) []Grant { return s.Who("create", "", "pods/exec") },
		"4.1.8 escalate roles":   func(s *Snapshot) []Grant { return s.Who("escalate", "rbac.authorization.k8s.io", "roles") },
	}
	base := load(t, seed, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := extra[tt.query]
			if run == nil {
				run = queryNamed(t, tt.query)
			}
			changed := seed
			if tt.edit != nil {
				changed = tt.edit(seed)
			}
			s := load(t, changed, tt.add)
			gs := run(s)
			found := find(gs, tt.want)
			if len(found) == 0 {
				t.Fatalf("%+v not found in:%s", tt.want, dump(gs))
			}
			for _, g := range found {
				if g.Default {
					t.Errorf("reported as default: %s", g)
				}
				if g.Limited() != tt.limited {
					t.Errorf("Limited() = %v, want %v: %s", g.Limited(), tt.limited, g)
				}
			}
			if got, was := countDefault(gs), countDefault(run(base)); got != was {
				t.Errorf("default grants went from %d to %d", was, got)
			}
		})
	}
}

func countDefault(gs []Grant) int {
	n := 0
	for _, g := range gs {
		if g.Default {
			n++
		}
	}
	return n
}

// TestNotGranted: things that look like grants but that the authorizer would never honour.
func TestNotGranted(t *testing.T) {
	seed := readSeed(t)
	tests := []struct {
		name  string
		add   string
		run   func(*Snapshot) []Grant
		notIn want
	}{
		{
			name: "nonResourceURLs do not answer a resource question",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics-reader}
rules: [{nonResourceURLs: ["/metrics*"], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: scrape-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: scrapers}]`,
			run:   func(s *Snapshot) []Grant { return s.Who("get", "*", "*") },
			notIn: want{binding: "ClusterRoleBinding/scrape-metrics", role: "ClusterRole/metrics-reader", subject: group("scrapers")},
		},
		{
			name: "a RoleBinding cannot reach cluster-scoped PersistentVolumes",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]`,
			run:   queryNamed(t, "4.1.9 create persistentvolumes"),
			notIn: want{binding: "RoleBinding/team-a/bob-admin", role: "ClusterRole/cluster-admin", namespace: "team-a", subject: user("bob")},
		},
		{
			name: "a RoleBinding cannot reach nodes/proxy",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]`,
			run:   queryNamed(t, "4.1.10 nodes/proxy"),
			notIn: want{binding: "RoleBinding/team-a/bob-admin", role: "ClusterRole/cluster-admin", namespace: "team-a", subject: user("bob")},
		},
		{
			name: "creating a pod cannot be limited by name, so such a rule grants no pod creation",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named-pod, namespace: team-a}
rules: [{apiGroups: [""], resources: [pods], resourceNames: [web], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: named-pod, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: named-pod}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}]`,
			run:   queryNamed(t, "4.1.4 create pods"),
			notIn: want{binding: "RoleBinding/team-a/named-pod", role: "Role/team-a/named-pod", namespace: "team-a", subject: user("carol")},
		},
		{
			name: "pods/* is not a wildcard to the authorizer",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-subresources}
rules: [{apiGroups: [""], resources: ["pods/*"], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pod-subresources}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-subresources}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dave}]`,
			run:   func(s *Snapshot) []Grant { return s.Who("create", "", "pods/exec") },
			notIn: want{binding: "ClusterRoleBinding/pod-subresources", role: "ClusterRole/pod-subresources", subject: user("dave")},
		},
		{
			name: "a dangling binding grants nothing",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ghost}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deleted-role}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}]`,
			run:   func(s *Snapshot) []Grant { return s.Who("*", "*", "*") },
			notIn: want{binding: "ClusterRoleBinding/ghost", role: "ClusterRole/deleted-role", subject: user("erin")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := load(t, seed, tt.add)
			gs := tt.run(s)
			if len(gs) == 0 {
				t.Fatal("the question found nothing at all, so it proves nothing")
			}
			for _, g := range gs {
				if g.Binding == tt.notIn.binding {
					t.Errorf("granted: %s", g)
				}
			}
		})
	}
}

// TestProblems: what grants nothing is reported, by object.
func TestProblems(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		object string
		has    string
	}{
		{
			name: "RoleBinding to a missing Role",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ghost, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deleted-role}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}]`,
			object: "RoleBinding/team-a/ghost",
			has:    "Role team-a/deleted-role, which does not exist",
		},
		{
			name: "ClusterRoleBinding to a missing ClusterRole",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ghost}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deleted-role}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}]`,
			object: "ClusterRoleBinding/ghost",
			has:    "ClusterRole deleted-role, which does not exist",
		},
		{
			name: "RoleBinding to a Role in another namespace",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: team-b}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: borrow, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}]`,
			object: "RoleBinding/team-a/borrow",
			has:    "Role team-a/reader, which does not exist",
		},
		{
			name: "ClusterRoleBinding to a Role",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wrong-kind}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}]`,
			object: "ClusterRoleBinding/wrong-kind",
			has:    "cannot reference Role",
		},
		{
			name: "ServiceAccount without namespace in a ClusterRoleBinding",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: no-ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app}]`,
			object: "ClusterRoleBinding/no-ns",
			has:    `ServiceAccount subject "app" has no namespace`,
		},
		{
			name: "invalid aggregation selector",
			yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: broken}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions: [{key: team, operator: Sometimes, values: [a]}]`,
			object: "ClusterRole/broken",
			has:    "aggregation selector",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadYAML([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			ps := s.Problems()
			ok := slices.ContainsFunc(ps, func(p Problem) bool { return p.Object == tt.object && strings.Contains(p.Message, tt.has) })
			if !ok {
				t.Errorf("no problem on %s containing %q in %v", tt.object, tt.has, ps)
			}
			if gs := s.Who("*", "*", "*"); len(gs) != 0 {
				t.Errorf("granted:%s", dump(gs))
			}
		})
	}
}

// TestRuleAllows holds the matching helpers to the authorizer's behaviour.
func TestRuleAllows(t *testing.T) {
	rule := func(verbs, groups, resources []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
	}
	l := func(s ...string) []string { return s }
	tests := []struct {
		name string
		rule rbacv1.PolicyRule
		req  Request
		want bool
	}{
		{"verb exact", rule(l("get"), l(""), l("pods")), Request{Verb: "get", Resource: "pods"}, true},
		{"verb missing", rule(l("get"), l(""), l("pods")), Request{Verb: "list", Resource: "pods"}, false},
		{"verb *", rule(l("*"), l(""), l("pods")), Request{Verb: "escalate", Resource: "pods"}, true},
		{"core group only", rule(l("get"), l(""), l("deployments")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments"}, false},
		{"named group", rule(l("get"), l("apps"), l("deployments")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments"}, true},
		{"group *", rule(l("get"), l("*"), l("deployments")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments"}, true},
		{"no groups matches nothing", rule(l("get"), nil, l("pods")), Request{Verb: "get", Resource: "pods"}, false},
		{"resource *", rule(l("get"), l(""), l("*")), Request{Verb: "get", Resource: "secrets"}, true},
		{"resource * covers subresources", rule(l("create"), l(""), l("*")), Request{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"resource does not cover its subresource", rule(l("create"), l(""), l("pods")), Request{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"subresource exact", rule(l("create"), l(""), l("pods/exec")), Request{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"subresource does not cover its resource", rule(l("get"), l(""), l("pods/log")), Request{Verb: "get", Resource: "pods"}, false},
		{"*/subresource", rule(l("get"), l("*"), l("*/scale")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments", Subresource: "scale"}, true},
		{"*/subresource other subresource", rule(l("get"), l("*"), l("*/scale")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments", Subresource: "status"}, false},
		{"*/subresource not the resource", rule(l("get"), l("*"), l("*/scale")), Request{Verb: "get", APIGroup: "apps", Resource: "deployments"}, false},
		{"resource/* is literal", rule(l("create"), l(""), l("pods/*")), Request{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"resourceNames empty means all", rule(l("get"), l(""), l("secrets")), Request{Verb: "get", Resource: "secrets", Name: "any"}, true},
		{"resourceNames listed", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("db")}, Request{Verb: "get", Resource: "secrets", Name: "db"}, true},
		{"resourceNames other", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("db")}, Request{Verb: "get", Resource: "secrets", Name: "tls"}, false},
		{"resourceNames without a name", rbacv1.PolicyRule{Verbs: l("list"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("db")}, Request{Verb: "list", Resource: "secrets"}, false},
		{"nonResourceURL exact", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}, Request{Verb: "get", Path: "/healthz"}, true},
		{"nonResourceURL exact is not a prefix", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics")}, Request{Verb: "get", Path: "/metrics/cadvisor"}, false},
		{"nonResourceURL trailing *", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics*")}, Request{Verb: "get", Path: "/metrics/cadvisor"}, true},
		{"nonResourceURL trailing * is a plain prefix", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics*")}, Request{Verb: "get", Path: "/metricsz"}, true},
		{"nonResourceURL * alone", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}, Request{Verb: "post", Path: "/anything"}, true},
		{"nonResourceURL other path", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics*")}, Request{Verb: "get", Path: "/healthz"}, false},
		{"nonResourceURL verb", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics*")}, Request{Verb: "post", Path: "/metrics"}, false},
		{"resource rule, non-resource request", rule(l("*"), l("*"), l("*")), Request{Verb: "get", Path: "/metrics"}, false},
		{"non-resource rule, resource request", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}, Request{Verb: "get", Resource: "pods"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RuleAllows(tt.rule, tt.req); got != tt.want {
				t.Errorf("RuleAllows(%v, %+v) = %v, want %v", tt.rule.String(), tt.req, got, tt.want)
			}
		})
	}
}

// TestAllowed: subjects and binding scope as the authorizer applies them.
func TestAllowed(t *testing.T) {
	s, err := LoadYAML([]byte(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
- {nonResourceURLs: ["/metrics*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-serviceaccounts-of-team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:team-a"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local-sa, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: ServiceAccount, name: builder}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: anonymous, namespace: public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice, namespace: team-c}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
`))
	if err != nil {
		t.Fatal(err)
	}
	getPod := func(ns string) Request { return Request{Verb: "get", Resource: "pods", Name: "web", Namespace: ns} }
	anonymous := User{Name: "system:anonymous", Groups: []string{"system:unauthenticated"}}
	tests := []struct {
		name    string
		user    User
		req     Request
		binding string // "" when denied
	}{
		{"group of a namespace's service accounts, any namespace", ServiceAccountUser("team-a", "x"), getPod("elsewhere"), "ClusterRoleBinding/all-serviceaccounts-of-team-a"},
		{"group of another namespace's service accounts", ServiceAccountUser("team-z", "x"), getPod("team-a"), ""},
		{"ServiceAccount without namespace, in the binding's namespace", ServiceAccountUser("team-b", "builder"), getPod("team-b"), "RoleBinding/team-b/local-sa"},
		{"same name in another namespace is another account", ServiceAccountUser("team-c", "builder"), getPod("team-b"), ""},
		{"a RoleBinding stops at its namespace", ServiceAccountUser("team-b", "builder"), getPod("team-c"), ""},
		{"unauthenticated group", anonymous, getPod("public"), "RoleBinding/public/anonymous"},
		{"user by name", User{Name: "alice"}, getPod("team-c"), "RoleBinding/team-c/alice"},
		{"user by name, other user", User{Name: "alice2"}, getPod("team-c"), ""},
		{"non-resource request through a ClusterRoleBinding", ServiceAccountUser("team-a", "x"), Request{Verb: "get", Path: "/metrics/slis"}, "ClusterRoleBinding/all-serviceaccounts-of-team-a"},
		{"non-resource request never through a RoleBinding", User{Name: "alice"}, Request{Verb: "get", Path: "/metrics"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs := s.Allowed(tt.user, tt.req)
			if tt.binding == "" {
				if len(gs) != 0 {
					t.Errorf("allowed:%s", dump(gs))
				}
				return
			}
			if !slices.ContainsFunc(gs, func(g Grant) bool { return g.Binding == tt.binding }) {
				t.Errorf("not allowed through %s; got:%s", tt.binding, dump(gs))
			}
		})
	}
}

// TestDefaults holds the classification in defaults.go to its reasons.
func TestDefaults(t *testing.T) {
	tests := []struct {
		name     string
		roleKind string
		roleNS   string
		role     string
		bindKind string
		bindNS   string
		binding  string
		subject  rbacv1.Subject
		want     bool
	}{
		{"bootstrap cluster-admin to system:masters", "ClusterRole", "", "cluster-admin", "ClusterRoleBinding", "", "cluster-admin", group("system:masters"), true},
		{"EKS add-on manager holds cluster-admin", "ClusterRole", "", "cluster-admin", "ClusterRoleBinding", "", "eks:addon-cluster-admin", user("eks:addon-manager"), true},
		{"controller identity by the system:controller: convention", "ClusterRole", "", "system:controller:job-controller", "ClusterRoleBinding", "", "system:controller:job-controller", sa("kube-system", "job-controller"), true},
		{"controller convention needs the matching name", "ClusterRole", "", "system:controller:job-controller", "ClusterRoleBinding", "", "system:controller:job-controller", sa("kube-system", "someone-else"), false},
		{"controller convention needs kube-system", "ClusterRole", "", "system:controller:job-controller", "ClusterRoleBinding", "", "system:controller:job-controller", sa("team-a", "job-controller"), false},
		{"VPC CNI", "ClusterRole", "", "aws-node", "ClusterRoleBinding", "", "aws-node", sa("kube-system", "aws-node"), true},
		{"kube-proxy add-on", "ClusterRole", "", "system:node-proxier", "ClusterRoleBinding", "", "eks:kube-proxy", sa("kube-system", "kube-proxy"), true},
		{"EBS CSI add-on", "ClusterRole", "", "ebs-external-provisioner-role", "ClusterRoleBinding", "", "ebs-csi-provisioner-binding", sa("kube-system", "ebs-csi-controller-sa"), true},
		{"EFS CSI add-on", "ClusterRole", "", "efs-csi-external-provisioner-role", "ClusterRoleBinding", "", "efs-csi-provisioner-binding", sa("kube-system", "efs-csi-controller-sa"), true},
		{"aws-load-balancer-controller is the user's", "ClusterRole", "", "aws-load-balancer-controller-role", "ClusterRoleBinding", "", "aws-load-balancer-controller-rolebinding", sa("kube-system", "aws-load-balancer-controller"), false},
		{"aws-load-balancer-controller under EKS's names is still the user's", "ClusterRole", "", "eks:lbc", "ClusterRoleBinding", "", "eks:lbc", sa("kube-system", "aws-load-balancer-controller"), false},
		{"discovery to everyone authenticated", "ClusterRole", "", "system:discovery", "ClusterRoleBinding", "", "system:discovery", group("system:authenticated"), true},
		{"everyone authenticated in the cluster-admin binding", "ClusterRole", "", "cluster-admin", "ClusterRoleBinding", "", "cluster-admin", group("system:authenticated"), false},
		{"a user's binding to cluster-admin", "ClusterRole", "", "cluster-admin", "ClusterRoleBinding", "", "ops-admin", group("system:masters"), false},
		{"a user's role under a default binding name", "ClusterRole", "", "ops", "ClusterRoleBinding", "", "system:ops", group("system:masters"), false},
		{"leader election in kube-system", "Role", "kube-system", "system::leader-locking-kube-scheduler", "RoleBinding", "kube-system", "system::leader-locking-kube-scheduler", user("system:kube-scheduler"), true},
		{"system: Role outside kube-system is the team's", "Role", "team-a", "system:reader", "RoleBinding", "team-a", "system:reader", user("system:kube-scheduler"), false},
		{"EKS node manager", "Role", "kube-system", "eks:node-manager", "RoleBinding", "kube-system", "eks:node-manager", user("eks:node-manager"), true},
		{"bootstrap signer in kube-public", "Role", "kube-public", "system:controller:bootstrap-signer", "RoleBinding", "kube-public", "system:controller:bootstrap-signer", sa("kube-system", "bootstrap-signer"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := tt.bindKind + "/" + tt.binding
			if tt.bindNS != "" {
				ref = tt.bindKind + "/" + tt.bindNS + "/" + tt.binding
			}
			got := defaultRole(tt.roleKind, tt.roleNS, tt.role) &&
				defaultBinding(tt.bindKind, tt.bindNS, tt.binding) &&
				defaultSubject(tt.subject, ref, tt.binding)
			if got != tt.want {
				t.Errorf("default = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAggregation: aggregated ClusterRoles are filled as the controller fills them.
func TestAggregation(t *testing.T) {
	agg := func(name string, labels map[string]string, selector map[string]string, rules ...rbacv1.PolicyRule) rbacv1.ClusterRole {
		cr := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules}
		if selector != nil {
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: selector}}}
		}
		return cr
	}
	r := func(res string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{res}}
	}
	tests := []struct {
		name  string
		roles []rbacv1.ClusterRole
		role  string
		want  []string // resources of the effective rules, in order
	}{
		{
			name: "transitive: view into edit into admin",
			roles: []rbacv1.ClusterRole{
				agg("admin", nil, map[string]string{"to-admin": "true"}),
				agg("edit", map[string]string{"to-admin": "true"}, map[string]string{"to-edit": "true"}),
				agg("view", map[string]string{"to-edit": "true"}, map[string]string{"to-view": "true"}),
				agg("a-view", map[string]string{"to-view": "true"}, nil, r("pods")),
				agg("b-edit", map[string]string{"to-edit": "true"}, nil, r("secrets")),
			},
			role: "admin",
			want: []string{"secrets", "pods"},
		},
		{
			name: "a cycle ends",
			roles: []rbacv1.ClusterRole{
				agg("x", map[string]string{"x": "1"}, map[string]string{"y": "1"}, r("a")),
				agg("y", map[string]string{"y": "1"}, map[string]string{"x": "1"}, r("b")),
			},
			role: "x",
			want: []string{"a", "b"},
		},
		{
			name: "stored rules are kept and duplicates merged",
			roles: []rbacv1.ClusterRole{
				agg("edit", nil, map[string]string{"to-edit": "true"}, r("pods"), r("configmaps")),
				agg("one", map[string]string{"to-edit": "true"}, nil, r("pods"), r("services")),
			},
			role: "edit",
			want: []string{"pods", "configmaps", "services"},
		},
		{
			name: "a role does not aggregate itself",
			roles: []rbacv1.ClusterRole{
				agg("self", map[string]string{"to-self": "true"}, map[string]string{"to-self": "true"}, r("pods")),
			},
			role: "self",
			want: []string{"pods"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(nil, tt.roles, nil, nil)
			var got []string
			for _, rule := range s.ClusterRoleRules(tt.role) {
				got = append(got, strings.Join(rule.Resources, ","))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules of %s = %v, want %v", tt.role, got, tt.want)
			}
		})
	}

	// On a live cluster edit's stored rules already hold what the controller copied in, the user's
	// rule included; the rule must still be reported as the user's.
	builtin := rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	users := rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"example.com"}, Resources: []string{"widgets"}}
	toEdit := map[string]string{"to-edit": "true"}
	origins := []struct {
		name   string
		stored []rbacv1.PolicyRule // edit's own rules as read
	}{
		{"rules left to the engine", nil},
		{"rules already filled by the controller", []rbacv1.PolicyRule{builtin, users}},
	}
	for _, tt := range origins {
		t.Run("origin: "+tt.name, func(t *testing.T) {
			s := New(nil, []rbacv1.ClusterRole{
				agg("edit", nil, toEdit, tt.stored...),
				agg("system:aggregate-to-edit", toEdit, nil, builtin),
				agg("widgets-editor", toEdit, nil, users),
			}, nil, nil)
			got := map[string]Grant{}
			for _, g := range s.Wildcards() {
				if g.Role == "ClusterRole/edit" {
					got[g.From] = g
				}
			}
			if g, ok := got["ClusterRole/system:aggregate-to-edit"]; !ok || !g.Default {
				t.Errorf("built-in rule through edit: %+v (found %v), want Default", g, ok)
			}
			if g, ok := got["ClusterRole/widgets-editor"]; !ok || g.Default {
				t.Errorf("user's rule through edit: %+v (found %v), want not Default", g, ok)
			}
			if len(got) != 2 {
				t.Errorf("edit's wildcard rules come from %d roles, want 2: %v", len(got), got)
			}
		})
	}

	t.Run("seed: admin holds edit's and view's rules", func(t *testing.T) {
		s := load(t, readSeed(t), "")
		admin, edit, view := s.ClusterRoleRules("admin"), s.ClusterRoleRules("edit"), s.ClusterRoleRules("view")
		if len(view) == 0 || len(edit) <= len(view) || len(admin) <= len(edit) {
			t.Fatalf("rules: admin %d, edit %d, view %d", len(admin), len(edit), len(view))
		}
		for _, rule := range edit {
			if !slices.ContainsFunc(admin, func(a rbacv1.PolicyRule) bool { return ruleKey(a) == ruleKey(rule) }) {
				t.Errorf("admin lacks edit's rule %v", rule.String())
			}
		}
	})
}

// TestLoadYAML: the loader reads streams and Lists, skips other kinds and names the document at fault.
func TestLoadYAML(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		errHas  string // "" when it must load
		wantDoc int
		roles   int // ClusterRoles expected when it loads
	}{
		{name: "kubectl List", yaml: `
apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: a}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: b}
`, roles: 2},
		{name: "other kinds and empty documents are skipped", yaml: `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
---
apiVersion: example.com/v1
kind: Role
metadata: {name: not-rbac}
`, roles: 1},
		{name: "syntax error", yaml: "apiVersion: v1\nkind: ConfigMap\n---\nkind: [\n", errHas: "document 2", wantDoc: 2},
		{name: "misspelt field", yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b}
rules: [{apiGroups: [""], resources: [pods], verb: [get]}]
`, errHas: `line 6: document 2 (ClusterRole/b): unknown field "verb"`, wantDoc: 2},
		{name: "missing name", yaml: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n", errHas: "metadata.name is missing", wantDoc: 1},
		{name: "missing namespace", yaml: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a}\n", errHas: "(Role/a): metadata.namespace is missing", wantDoc: 1},
		{name: "duplicate", yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
`, errHas: "defined again (first at line 2)", wantDoc: 2},
		{name: "binding without roleRef", yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
`, errHas: "roleRef needs kind and name", wantDoc: 1},
		{name: "removed API version", yaml: `
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRole
metadata: {name: a}
`, errHas: "not served since Kubernetes 1.22", wantDoc: 1},
		{name: "bad item in a List names the List's document", yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
---
apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: b}
  rules: nope
`, errHas: "line 9: document 2 (ClusterRole/b)", wantDoc: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadYAML([]byte(tt.yaml))
			if tt.errHas == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := len(s.clusterRoles); got != tt.roles {
					t.Errorf("%d ClusterRoles, want %d", got, tt.roles)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("error %v, want one containing %q", err, tt.errHas)
			}
			var le *LoadError
			if !errors.As(err, &le) || le.Document != tt.wantDoc {
				t.Errorf("LoadError %+v, want document %d", le, tt.wantDoc)
			}
		})
	}
}

// TestGrantsSorted: output order is stable whatever order the objects came in.
func TestGrantsSorted(t *testing.T) {
	seed := readSeed(t)
	s := load(t, seed, "")
	docs := strings.Split(seed, "\n---\n")
	slices.Reverse(docs)
	r := load(t, strings.Join(docs, "\n---\n"), "")
	for _, q := range queries {
		a, b := q.run(s), q.run(r)
		if dump(a) != dump(b) {
			t.Errorf("%s: order depends on input order:%s\nvs%s", q.name, dump(a), dump(b))
		}
	}
}

// benchObjects makes n RBAC objects, a quarter of each kind, shaped like a busy cluster: teams'
// namespaces with Roles and RoleBindings, ClusterRoles some of which aggregate others, and
// ClusterRoleBindings with a few subjects each.
func benchObjects(n int) ([]rbacv1.Role, []rbacv1.ClusterRole, []rbacv1.RoleBinding, []rbacv1.ClusterRoleBinding) {
	q := n / 4
	verbs := [][]string{{"get", "list", "watch"}, {"create", "update", "patch", "delete"}, {"*"}, {"get"}, {"bind", "escalate"}}
	groups := [][]string{{""}, {"apps"}, {"*"}, {"rbac.authorization.k8s.io"}, {"admissionregistration.k8s.io"}}
	resources := [][]string{{"pods", "pods/exec"}, {"secrets"}, {"*"}, {"nodes/proxy"}, {"serviceaccounts/token"}, {"persistentvolumes"}, {"clusterroles", "roles"}, {"validatingwebhookconfigurations"}, {"deployments", "deployments/scale"}}
	rulesFor := func(i int) []rbacv1.PolicyRule {
		var rs []rbacv1.PolicyRule
		for j := range 4 {
			k := i*7 + j*3
			rule := rbacv1.PolicyRule{Verbs: verbs[k%len(verbs)], APIGroups: groups[k%len(groups)], Resources: resources[k%len(resources)]}
			if k%11 == 0 {
				rule.ResourceNames = []string{fmt.Sprintf("obj-%d", k)}
			}
			rs = append(rs, rule)
		}
		return rs
	}
	subjectsFor := func(i int, ns string) []rbacv1.Subject {
		return []rbacv1.Subject{
			{Kind: rbacv1.UserKind, Name: fmt.Sprintf("user-%d", i)},
			{Kind: rbacv1.GroupKind, Name: fmt.Sprintf("group-%d", i%20)},
			{Kind: rbacv1.ServiceAccountKind, Name: fmt.Sprintf("sa-%d", i), Namespace: ns},
		}
	}
	var (
		roles  []rbacv1.Role
		crs    []rbacv1.ClusterRole
		rbs    []rbacv1.RoleBinding
		crbs   []rbacv1.ClusterRoleBinding
		crName = func(i int) string { return fmt.Sprintf("cr-%d", i%q) }
	)
	for i := range q {
		ns := fmt.Sprintf("team-%d", i%50)
		roles = append(roles, rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("role-%d", i), Namespace: ns}, Rules: rulesFor(i)})
		cr := rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: crName(i), Labels: map[string]string{"agg": fmt.Sprint(i % 5)}}, Rules: rulesFor(i + 1)}
		if i%100 == 0 {
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"agg": fmt.Sprint(i / 100 % 5)}}}}
		}
		if i == 1 {
			cr.Name, cr.Rules = "cluster-admin", []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}
		}
		crs = append(crs, cr)
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("role-%d", i)}
		if i%2 == 1 {
			ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: crName(i * 3)}
		}
		rbs = append(rbs, rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rb-%d", i), Namespace: ns}, RoleRef: ref, Subjects: subjectsFor(i, "")})
		target := crName(i * 7)
		if i%50 == 0 {
			target = "cluster-admin"
		}
		crbs = append(crbs, rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("crb-%d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: target},
			Subjects:   subjectsFor(i, ns),
		})
	}
	return roles, crs, rbs, crbs
}

// BenchmarkWho2000 is one full evaluation of a 2,000-object cluster: building the snapshot and
// asking every 4.1.x question.
func BenchmarkWho2000(b *testing.B) {
	roles, crs, rbs, crbs := benchObjects(2000)
	var grants int
	for b.Loop() {
		s := New(roles, crs, rbs, crbs)
		grants = 0
		for _, q := range queries {
			grants += len(q.run(s))
		}
	}
	b.ReportMetric(float64(grants), "grants")
}
