package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// krChecks are the checks of CIS 4.1.x (but 4.1.7) and 5.2.1 these tests cover.
var krChecks = []*Check{KubeClusterAdmin, KubeSecretsAccess, KubeRBACWildcards, KubePodCreate, KubeDefaultServiceAccount,
	KubeServiceAccountTokenMount, KubeRBACEscalation, KubePVCreate, KubeNodeProxy, KubeWebhookConfig, KubeTokenCreate,
	KubeDedicatedServiceAccounts}

// krRBACChecks are those of them that read RBAC only.
var krRBACChecks = []*Check{KubeClusterAdmin, KubeSecretsAccess, KubeRBACWildcards, KubePodCreate, KubeRBACEscalation,
	KubePVCreate, KubeNodeProxy, KubeWebhookConfig, KubeTokenCreate}

// krParse reads a YAML stream of RBAC objects into k's lists.
func krParse(t testing.TB, k *model.Kube, data string) {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(data))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil {
			continue
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		into := func(v any) {
			d := json.NewDecoder(bytes.NewReader(raw))
			d.DisallowUnknownFields()
			if err := d.Decode(v); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
		}
		switch doc["kind"] {
		case "Role":
			var o rbacv1.Role
			into(&o)
			k.Roles = append(k.Roles, o)
		case "ClusterRole":
			var o rbacv1.ClusterRole
			into(&o)
			k.ClusterRoles = append(k.ClusterRoles, o)
		case "RoleBinding":
			var o rbacv1.RoleBinding
			into(&o)
			k.RoleBindings = append(k.RoleBindings, o)
		case "ClusterRoleBinding":
			var o rbacv1.ClusterRoleBinding
			into(&o)
			k.ClusterRoleBindings = append(k.ClusterRoleBindings, o)
		default:
			t.Fatalf("not an RBAC object: %s", raw)
		}
	}
}

// krSeedYAML is the RBAC of a fresh EKS 1.32 cluster (package rbac's fixture).
func krSeedYAML(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("../rbac/testdata/eks-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// krSeedKube is a cluster's Kubernetes API with the fresh seed's RBAC and nothing else, with extra
// RBAC documents added.
func krSeedKube(t testing.TB, extra string) *model.Kube {
	t.Helper()
	k := &model.Kube{Server: "https://ABC.gr7.us-east-1.eks.amazonaws.com"}
	krParse(t, k, krSeedYAML(t))
	if extra != "" {
		krParse(t, k, extra)
	}
	return k
}

// krLive is a live ACTIVE cluster whose Kubernetes API was read into k.
func krLive(k *model.Kube) *model.Cluster {
	return &model.Cluster{Name: "prod", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
		Parts: model.Parts{}.Add(model.PartKubernetes), Kube: k}
}

func krBool(b bool) *bool { return &b }

// krFresh is a fresh EKS cluster as the API shows it: the seed's RBAC, the four namespaces with
// their default service accounts (automounting, as Kubernetes creates them), the add-ons' accounts
// and pods, and the EKS Pod Identity agent running as kube-system's default account.
func krFresh(t testing.TB) *model.Kube {
	k := krSeedKube(t, "")
	for _, ns := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
		k.Namespaces = append(k.Namespaces, model.Namespace{Name: ns})
		k.ServiceAccounts = append(k.ServiceAccounts, model.ServiceAccount{Namespace: ns, Name: "default"})
	}
	for _, sa := range []string{"aws-node", "coredns", "kube-proxy", "eks-pod-identity-agent-unused"} {
		k.ServiceAccounts = append(k.ServiceAccounts, model.ServiceAccount{Namespace: "kube-system", Name: sa})
	}
	k.Pods = []model.Pod{
		krPod("kube-system", "aws-node-7xk2p", "DaemonSet/aws-node", "aws-node"),
		krPod("kube-system", "kube-proxy-9qz4d", "DaemonSet/kube-proxy", "kube-proxy"),
		krPod("kube-system", "coredns-787cb67946-2bq8z", "ReplicaSet/coredns-787cb67946", "coredns"),
		krPod("kube-system", "coredns-787cb67946-wl5tj", "Deployment/coredns", "coredns"), // as the scan names owners
		krPod("kube-system", "eks-pod-identity-agent-h2lcs", "DaemonSet/eks-pod-identity-agent", ""),
	}
	k.Pods[4].Spec.AutomountServiceAccountToken = krBool(true)
	return k
}

// krHarden turns automounting off on every default service account.
func krHarden(k *model.Kube) {
	for i := range k.ServiceAccounts {
		if k.ServiceAccounts[i].Name == "default" {
			k.ServiceAccounts[i].AutomountToken = krBool(false)
		}
	}
}

// krPod is a running pod; an empty account leaves spec.serviceAccountName unset.
func krPod(ns, name, owner, account string) model.Pod {
	return model.Pod{Namespace: ns, Name: name, Owner: owner, Phase: "Running",
		Spec: corev1.PodSpec{ServiceAccountName: account, Containers: []corev1.Container{{Name: "app", Image: "app:1"}}}}
}

// krWant is what a test expects of one check.
type krWant struct {
	check  *Check
	status finding.Status
	reason []string // substrings
	not    []string // substrings the reason must not hold
}

func krExpect(t *testing.T, c *model.Cluster, wants ...krWant) {
	t.Helper()
	for _, w := range wants {
		o := w.check.Evaluate(c)
		if o.Status != w.status {
			t.Errorf("%s: %s, want %s: %s", w.check.ID, o.Status, w.status, o.Reason)
			continue
		}
		for _, r := range w.reason {
			if !strings.Contains(o.Reason, r) {
				t.Errorf("%s: reason %q does not contain %q", w.check.ID, o.Reason, r)
			}
		}
		for _, r := range w.not {
			if strings.Contains(o.Reason, r) {
				t.Errorf("%s: reason %q contains %q", w.check.ID, o.Reason, r)
			}
		}
	}
}

// TestKubeRBACSeedPasses: a fresh EKS cluster's RBAC passes every check, and the reasons show the
// default grants were seen rather than missed.
func TestKubeRBACSeedPasses(t *testing.T) {
	c := krLive(krSeedKube(t, ""))
	for _, k := range krChecks {
		o := k.Evaluate(c)
		if o.Status != finding.Pass {
			t.Errorf("%s: %s on the fresh seed: %s", k.ID, o.Status, o.Reason)
		}
		if o.Remediation != "" {
			t.Errorf("%s: a PASS has a remediation", k.ID)
		}
	}
	krExpect(t, c,
		krWant{check: KubeClusterAdmin, status: finding.Pass, reason: []string{"2 grants to 2 holders",
			"Group system:masters via ClusterRoleBinding/cluster-admin (ClusterRole/cluster-admin)",
			"User eks:addon-manager via ClusterRoleBinding/eks:addon-cluster-admin (ClusterRole/cluster-admin)"}},
		krWant{check: KubeSecretsAccess, status: finding.Pass, reason: []string{"only Kubernetes' and EKS's own grants let anyone get, list or watch secrets"}},
		krWant{check: KubeRBACWildcards, status: finding.Pass, reason: []string{"only Kubernetes' and EKS's own roles", "ClusterRole/cluster-admin"}},
		krWant{check: KubePVCreate, status: finding.Pass, reason: []string{"persistent-volume-binder"}},
		krWant{check: KubeWebhookConfig, status: finding.Pass, reason: []string{"5 grants to 5 holders"}},
	)
	if ev := KubeWebhookConfig.Evaluate(c).Evidence.(*RBACEvidence); !strings.Contains(strings.Join(ev.DefaultHolders, "\n"),
		"User eks:addon-manager via ClusterRoleBinding/eks:addon-manager (ClusterRole/eks:addon-manager)") {
		t.Errorf("EKS's add-on manager writes webhook configurations by default: %v", ev.DefaultHolders)
	}
	// The unbound built-in roles (admin, edit, view, system:kubelet-api-admin) are not notes: they are
	// Kubernetes' own.
	for _, k := range krRBACChecks {
		if o := k.Evaluate(c); strings.Contains(o.Reason, "no binding reaches") {
			t.Errorf("%s: a default unbound role is reported: %s", k.ID, o.Reason)
		}
	}
	ev := KubeSecretsAccess.Evaluate(c).Evidence.(*RBACEvidence)
	if ev.GrantsTotal != 0 || len(ev.Grants) != 0 || ev.DefaultGrants == 0 || len(ev.DefaultHolders) == 0 {
		t.Errorf("evidence of a pass: %+v", ev)
	}
	if got, _ := json.Marshal(ev); !strings.Contains(string(got), `"grants":[]`) {
		t.Errorf("an empty list of grants is [] in JSON: %s", got)
	}
}

// TestKubeRBACViolations: each thing a cluster's owner might do fails the check that asks about it,
// names the subject (or role) in the reason, and leaves an unrelated check passing.
func TestKubeRBACViolations(t *testing.T) {
	tests := []struct {
		name  string
		add   string
		edit  func(k *model.Kube)
		wants []krWant
	}{
		{
			name: "a user's binding to cluster-admin",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]`,
			wants: []krWant{
				{check: KubeClusterAdmin, status: finding.Fail, reason: []string{"1 subject can use the cluster-admin ClusterRole: User alice via ClusterRoleBinding/alice-admin (ClusterRole/cluster-admin)"},
					not: []string{"system:masters"}},
				// cluster-admin is built in: the binding is noted, not a wildcard of the user's.
				{check: KubeRBACWildcards, status: finding.Pass, reason: []string{"built-in wildcard roles are also bound to 1 subject", "User alice via ClusterRoleBinding/alice-admin"}},
				{check: KubeSecretsAccess, status: finding.Fail, reason: []string{"User alice"}},
				{check: KubeDedicatedServiceAccounts, status: finding.Pass},
			},
		},
		{
			name: "a user added to the built-in cluster-admin binding",
			edit: func(k *model.Kube) {
				for i := range k.ClusterRoleBindings {
					if k.ClusterRoleBindings[i].Name == "cluster-admin" {
						k.ClusterRoleBindings[i].Subjects = append(k.ClusterRoleBindings[i].Subjects, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "mallory"})
					}
				}
			},
			wants: []krWant{
				{check: KubeClusterAdmin, status: finding.Fail, reason: []string{"User mallory via ClusterRoleBinding/cluster-admin"}, not: []string{"system:masters"}},
				{check: KubeRBACEscalation, status: finding.Fail, reason: []string{"User mallory"}},
				{check: KubeDefaultServiceAccount, status: finding.Pass},
			},
		},
		{
			name: "a ClusterRole aggregated into edit with secrets access, edit bound in team-a",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}]`,
			wants: []krWant{
				{check: KubeSecretsAccess, status: finding.Fail, reason: []string{"1 subject can get, list or watch secrets: Group devs via RoleBinding/team-a/devs-edit (ClusterRole/edit)",
					// secret-reader itself is bound to nobody, nor is admin, which aggregates edit.
					"2 roles that no binding reaches also grant it (not judged until bound): ClusterRole/admin (rule from ClusterRole/secret-reader), ClusterRole/secret-reader"}},
				{check: KubePodCreate, status: finding.Fail, reason: []string{"Group devs via RoleBinding/team-a/devs-edit"}},
				{check: KubeRBACEscalation, status: finding.Fail, reason: []string{"Group devs"}}, // edit impersonates serviceaccounts
				// A RoleBinding cannot reach cluster-scoped resources.
				{check: KubePVCreate, status: finding.Pass},
				{check: KubeNodeProxy, status: finding.Pass},
				{check: KubeWebhookConfig, status: finding.Pass},
				{check: KubeClusterAdmin, status: finding.Pass},
			},
		},
		{
			name: "a ClusterRole aggregated into edit, nobody bound to edit",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [watch]}]`,
			wants: []krWant{
				{check: KubeSecretsAccess, status: finding.Pass, reason: []string{"only Kubernetes' and EKS's own grants",
					"roles that no binding reaches also grant it (not judged until bound): ClusterRole/admin (rule from ClusterRole/secret-reader), ClusterRole/edit (rule from ClusterRole/secret-reader), ClusterRole/secret-reader"}},
			},
		},
		{
			name: "a RoleBinding to a ClusterRole in one namespace",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-maker}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bob-pods, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-maker}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]`,
			wants: []krWant{
				{check: KubePodCreate, status: finding.Fail, reason: []string{"User bob via RoleBinding/team-a/bob-pods (ClusterRole/pod-maker)"}},
				{check: KubeSecretsAccess, status: finding.Pass},
			},
		},
		{
			name: "Group system:authenticated given create pods",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:pod-maker"}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:pod-maker"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]`,
			wants: []krWant{
				{check: KubePodCreate, status: finding.Fail, reason: []string{"Group system:authenticated via ClusterRoleBinding/everyone-pods (ClusterRole/system:pod-maker)"}},
				{check: KubeTokenCreate, status: finding.Pass},
			},
		},
		{
			name: "an SA in team-a given impersonate",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: impersonator, namespace: team-a}
rules: [{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-impersonates, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: impersonator}
subjects: [{kind: ServiceAccount, name: deployer}]`,
			wants: []krWant{
				{check: KubeRBACEscalation, status: finding.Fail, reason: []string{"ServiceAccount team-a/deployer via RoleBinding/team-a/deployer-impersonates (Role/team-a/impersonator)"}},
				{check: KubeClusterAdmin, status: finding.Pass},
			},
		},
		{
			name: "impersonating users through a RoleBinding reaches nothing",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: user-impersonator, namespace: team-a}
rules: [{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lead-impersonates, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: user-impersonator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: lead}]`,
			wants: []krWant{
				{check: KubeRBACEscalation, status: finding.Pass, reason: []string{"1 role that no binding reaches also grants it (not judged until bound): Role/team-a/user-impersonator"}},
			},
		},
		{
			name: "bind on clusterroles through a RoleBinding",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: binder}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [view]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lead-binds, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: binder}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: lead}]`,
			wants: []krWant{
				{check: KubeRBACEscalation, status: finding.Fail, reason: []string{"User lead via RoleBinding/team-a/lead-binds (ClusterRole/binder)"}},
			},
		},
		{
			name: "escalate on clusterroles, and every verb on roles",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-writer}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-role-writer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-writer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}]`,
			wants: []krWant{
				{check: KubeRBACEscalation, status: finding.Fail, reason: []string{"1 subject can bind or escalate roles", "Group ops via ClusterRoleBinding/ops-role-writer (ClusterRole/role-writer)"}},
				{check: KubeRBACWildcards, status: finding.Fail, reason: []string{"1 role that is not Kubernetes' or EKS's own uses \"*\" in verbs, resources or apiGroups: ClusterRole/role-writer"}},
			},
		},
		{
			name: "every verb on rolebindings is not bind",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: binding-admin, namespace: team-a}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lead-bindings, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: binding-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: lead}]`,
			wants: []krWant{
				{check: KubeRBACEscalation, status: finding.Pass},
				{check: KubeRBACWildcards, status: finding.Fail, reason: []string{"Role/team-a/binding-admin"}},
			},
		},
		{
			name: "create persistentvolumes cluster-wide",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: storage-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv-maker}
subjects: [{kind: ServiceAccount, name: provisioner, namespace: storage}]`,
			wants: []krWant{
				{check: KubePVCreate, status: finding.Fail, reason: []string{"ServiceAccount storage/provisioner via ClusterRoleBinding/storage-team (ClusterRole/pv-maker)"}},
				{check: KubePodCreate, status: finding.Pass},
			},
		},
		{
			name: "create persistentvolumes through a RoleBinding reaches nothing",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: storage-team, namespace: storage}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv-maker}
subjects: [{kind: ServiceAccount, name: provisioner}]`,
			wants: []krWant{
				{check: KubePVCreate, status: finding.Pass, reason: []string{"1 role that no binding reaches also grants it (not judged until bound): ClusterRole/pv-maker"}},
			},
		},
		{
			name: "get on nodes/proxy",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubelet-reader}
rules: [{apiGroups: [""], resources: [nodes/proxy, nodes/metrics], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring-kubelet}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-reader}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: monitoring}]`,
			wants: []krWant{
				{check: KubeNodeProxy, status: finding.Fail, reason: []string{"ServiceAccount monitoring/prometheus via ClusterRoleBinding/monitoring-kubelet"}},
				{check: KubeSecretsAccess, status: finding.Pass},
			},
		},
		{
			name: "patch on mutating webhooks; reading validating ones is fine",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: webhook-manager}
rules:
- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch], resourceNames: [my-injector]}
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: injector}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webhook-manager}
subjects: [{kind: ServiceAccount, name: injector, namespace: mesh}]`,
			wants: []krWant{
				{check: KubeWebhookConfig, status: finding.Fail, reason: []string{"1 subject can change validating or mutating webhook configurations: ServiceAccount mesh/injector via ClusterRoleBinding/injector"}},
			},
		},
		{
			name: "create serviceaccounts/token in a namespace",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token-minter, namespace: ci}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [deployer]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runner-mints, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: token-minter}
subjects: [{kind: ServiceAccount, name: runner}]`,
			wants: []krWant{
				{check: KubeTokenCreate, status: finding.Fail, reason: []string{"ServiceAccount ci/runner via RoleBinding/ci/runner-mints (Role/ci/token-minter)"}},
				{check: KubePodCreate, status: finding.Pass},
			},
		},
		{
			name: "a secret readable by name is still a grant",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: db-password, namespace: shop}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [db]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-db, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: db-password}
subjects: [{kind: ServiceAccount, name: web}]`,
			wants: []krWant{
				{check: KubeSecretsAccess, status: finding.Fail, reason: []string{"ServiceAccount shop/web via RoleBinding/shop/web-db (Role/shop/db-password)"}},
			},
		},
		{
			name: "wildcards in an unbound Role and in a rule aggregated into a built-in role",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: all, namespace: team-a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-everything
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [example.com], resources: ["*"], verbs: [get]}]`,
			wants: []krWant{
				{check: KubeRBACWildcards, status: finding.Fail, reason: []string{"2 roles that are not Kubernetes' or EKS's own use", "ClusterRole/crd-everything, Role/team-a/all"},
					not: []string{"ClusterRole/view", "ClusterRole/edit"}},
				{check: KubeSecretsAccess, status: finding.Pass},
			},
		},
		{
			name: "a binding whose subject matches nobody grants nothing",
			add: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: orphan}, {kind: Robot, name: r2}]`,
			wants: []krWant{
				{check: KubeClusterAdmin, status: finding.Pass},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := krSeedKube(t, tt.add)
			if tt.edit != nil {
				tt.edit(k)
			}
			c := krLive(k)
			krExpect(t, c, tt.wants...)
			for _, w := range tt.wants {
				o := w.check.Evaluate(c)
				if o.Status == finding.Fail && o.Remediation != w.check.Advice {
					t.Errorf("%s: a FAIL's remediation is the check's advice, got %q", w.check.ID, o.Remediation)
				}
			}
		})
	}
}

// TestKubeRBACEvidence: the evidence lists each grant that is not default with its rule, and which
// of the check's questions it answers, once.
func TestKubeRBACEvidence(t *testing.T) {
	c := krLive(krSeedKube(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-admin}
rules:
- {apiGroups: ["*"], resources: [secrets], verbs: ["*"]}
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [tls]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-secrets, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}]`))
	o := KubeSecretsAccess.Evaluate(c)
	ev := o.Evidence.(*RBACEvidence)
	if ev.GrantsTotal != 2 || len(ev.Grants) != 2 {
		t.Fatalf("want the two rules once each, got %+v", ev.Grants)
	}
	g := ev.Grants[0]
	if g.Subject != "Group ops" || g.Binding != "RoleBinding/shop/ops-secrets" || g.Role != "ClusterRole/secret-admin" || g.Namespace != "shop" ||
		strings.Join(g.Verbs, ",") != "*" || strings.Join(g.Answers, ",") != "get secrets,list secrets,watch secrets" {
		t.Errorf("first grant: %+v", g)
	}
	if g := ev.Grants[1]; strings.Join(g.ResourceNames, ",") != "tls" || strings.Join(g.Answers, ",") != "get secrets" {
		t.Errorf("second grant: %+v", g)
	}
	if strings.Join(ev.Asked, ",") != "get secrets,list secrets,watch secrets" {
		t.Errorf("asked: %v", ev.Asked)
	}
	if !strings.Contains(o.Reason, "1 subject can") || strings.Count(o.Reason, "Group ops") != 1 {
		t.Errorf("one subject, named once: %s", o.Reason)
	}
}

// TestKubeRBACSubjectPositions: a subject that is not default is found first, in the middle and last
// in a built-in binding's subjects, and only it is named.
func TestKubeRBACSubjectPositions(t *testing.T) {
	defaults := []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:masters"}, {Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:nodes"}}
	intruder := rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "intruder"}
	for pos := 0; pos <= len(defaults); pos++ {
		t.Run(fmt.Sprint("position ", pos), func(t *testing.T) {
			k := krSeedKube(t, "")
			for i := range k.ClusterRoleBindings {
				if k.ClusterRoleBindings[i].Name == "cluster-admin" {
					subs := append([]rbacv1.Subject{}, defaults[:pos]...)
					subs = append(subs, intruder)
					k.ClusterRoleBindings[i].Subjects = append(subs, defaults[pos:]...)
				}
			}
			c := krLive(k)
			krExpect(t, c, krWant{check: KubeClusterAdmin, status: finding.Fail,
				reason: []string{"1 subject can use the cluster-admin ClusterRole: User intruder via ClusterRoleBinding/cluster-admin (ClusterRole/cluster-admin)"},
				not:    []string{"system:masters", "system:nodes", "more"}})
			if ev := KubeClusterAdmin.Evaluate(c).Evidence.(*RBACEvidence); ev.GrantsTotal != 1 || ev.DefaultGrants != 3 {
				t.Errorf("want 1 grant and 3 default ones (system:masters, system:nodes, eks:addon-manager): %+v", ev)
			}
		})
	}
}

// TestKubeRBACEmpty: with no RBAC object at all nobody can do anything; every check passes and says so.
func TestKubeRBACEmpty(t *testing.T) {
	c := krLive(&model.Kube{})
	for _, k := range krChecks {
		if o := k.Evaluate(c); o.Status != finding.Pass {
			t.Errorf("%s: %s on an empty API: %s", k.ID, o.Status, o.Reason)
		}
	}
	krExpect(t, c,
		krWant{check: KubeSecretsAccess, status: finding.Pass, reason: []string{"no binding lets anyone get, list or watch secrets"}},
		krWant{check: KubeRBACWildcards, status: finding.Pass, reason: []string{`no Role or ClusterRole uses "*"`}},
		krWant{check: KubeClusterAdmin, status: finding.Pass, reason: []string{"no binding lets anyone use the cluster-admin ClusterRole"}},
	)
}

// TestKubeRBACCaps: a cluster with hundreds of offending bindings names 20 in the reason, lists 200
// in the evidence and counts them all.
func TestKubeRBACCaps(t *testing.T) {
	k := krSeedKube(t, "")
	for i := range 250 {
		k.ClusterRoleBindings = append(k.ClusterRoleBindings, rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("admin-%03d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%03d", i)}},
		})
	}
	o := KubeClusterAdmin.Evaluate(krLive(k))
	if o.Status != finding.Fail || !strings.Contains(o.Reason, "250 subjects") || !strings.Contains(o.Reason, "and 230 more") ||
		!strings.Contains(o.Reason, "User user-000 via ClusterRoleBinding/admin-000") || strings.Contains(o.Reason, "user-020") {
		t.Errorf("reason: %s", o.Reason)
	}
	ev := o.Evidence.(*RBACEvidence)
	if ev.GrantsTotal != 250 || len(ev.Grants) != 200 {
		t.Errorf("evidence: %d of %d", len(ev.Grants), ev.GrantsTotal)
	}
}

// TestKubeRBACGate: an API that could not be read makes every check ERROR; a failed list makes
// ERROR only the checks that read it.
func TestKubeRBACGate(t *testing.T) {
	k := krFresh(t)
	k.Error = "dial tcp 10.0.0.1:443: i/o timeout"
	c := krLive(k)
	for _, chk := range krChecks {
		if o := chk.Evaluate(c); o.Status != finding.Error || !strings.Contains(o.Reason, "i/o timeout") {
			t.Errorf("%s: %s (%s), want ERROR", chk.ID, o.Status, o.Reason)
		}
	}

	for _, tt := range []struct {
		op    string
		error []*Check
	}{
		{"list pods", []*Check{KubeDefaultServiceAccount, KubeServiceAccountTokenMount}},
		{"list serviceaccounts", []*Check{KubeDefaultServiceAccount, KubeServiceAccountTokenMount, KubeDedicatedServiceAccounts}},
		{"list rolebindings", []*Check{KubeClusterAdmin, KubeSecretsAccess, KubeRBACWildcards, KubePodCreate, KubeDefaultServiceAccount,
			KubeServiceAccountTokenMount, KubeRBACEscalation, KubeTokenCreate, KubeDedicatedServiceAccounts}},
		{"list clusterrolebindings", krChecks},
		{"list roles", []*Check{KubeSecretsAccess, KubeRBACWildcards, KubePodCreate, KubeDefaultServiceAccount,
			KubeServiceAccountTokenMount, KubeRBACEscalation, KubeTokenCreate, KubeDedicatedServiceAccounts}},
	} {
		t.Run(tt.op, func(t *testing.T) {
			k := krFresh(t)
			krHarden(k)
			k.Errors = []model.Error{{Operation: tt.op, Message: "forbidden", AccessDenied: true}}
			c := krLive(k)
			for _, chk := range krChecks {
				o := chk.Evaluate(c)
				want := finding.Pass
				for _, e := range tt.error {
					if e == chk {
						want = finding.Error
					}
				}
				if o.Status != want {
					t.Errorf("%s: %s (%s), want %s", chk.ID, o.Status, o.Reason, want)
				}
				if want == finding.Error && !strings.Contains(o.Reason, tt.op) {
					t.Errorf("%s: the ERROR does not name %s: %s", chk.ID, tt.op, o.Reason)
				}
			}
		})
	}

	// A snapshot that never read the Kubernetes API is UNKNOWN, not judged on empty lists.
	c = krLive(nil)
	for _, chk := range krChecks {
		if o := chk.Evaluate(c); o.Status != finding.Unknown {
			t.Errorf("%s: %s without the Kubernetes API, want UNKNOWN", chk.ID, o.Status)
		}
	}
}

// TestKubeRBACMetadata: every check describes itself fully, reads only the Kubernetes API, and
// has no IaC side.
func TestKubeRBACMetadata(t *testing.T) {
	ids := map[string]bool{}
	for _, k := range krChecks {
		ids[k.ID] = true
		if !k.IsKube() {
			t.Errorf("%s is not a Kubernetes check", k.ID)
		}
		if k.Title == "" || k.Summary == "" || k.Severity == "" || k.Rationale == "" || k.PassRule == "" || k.Defaults == "" || k.Advice == "" {
			t.Errorf("%s: incomplete description", k.ID)
		}
		if len(k.IaC) > 0 || len(k.Examples) > 0 || k.AdviceIaC != "" || k.HasTarget() {
			t.Errorf("%s: a Kubernetes check has no IaC side", k.ID)
		}
		if len(k.Links) < 2 {
			t.Errorf("%s: too few links", k.ID)
		}
		for _, l := range k.Links {
			if l.Title == "" || !strings.HasPrefix(l.URL, "https://") {
				t.Errorf("%s: link %+v", k.ID, l)
			}
		}
		if len(k.Calls) == 0 {
			t.Errorf("%s: no calls", k.ID)
		}
		for _, call := range k.Calls {
			if !call.Kubernetes || !strings.HasPrefix(call.Action, "list ") || call.What == "" {
				t.Errorf("%s: call %+v", k.ID, call)
			}
		}
		if got, ok := Lookup(k.ID); !ok || got != k {
			t.Errorf("%s is not registered", k.ID)
		}
	}
	for _, id := range []string{"k8s-cluster-admin", "k8s-secrets-access", "k8s-rbac-wildcards", "k8s-pod-create",
		"k8s-default-service-account", "k8s-service-account-token-mount", "k8s-rbac-escalation", "k8s-pv-create",
		"k8s-node-proxy", "k8s-webhook-config", "k8s-token-create", "k8s-dedicated-service-accounts"} {
		if !ids[id] {
			t.Errorf("check id %s missing", id)
		}
	}
}

// TestKubeRBACKubeconfigSource: a cluster read through a kubeconfig alone is judged by these checks.
func TestKubeRBACKubeconfigSource(t *testing.T) {
	c := krLive(krSeedKube(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]`))
	c.Source = model.SourceKubeconfig
	for _, k := range krChecks {
		if !k.Applies(c) {
			t.Errorf("%s does not apply to a kubeconfig cluster", k.ID)
		}
	}
	if o := KubeClusterAdmin.Evaluate(c); o.Status != finding.Fail || o.Remediation != KubeClusterAdmin.Advice {
		t.Errorf("%s: %s, remediation %q", KubeClusterAdmin.ID, o.Status, o.Remediation)
	}
}
