package check

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// krAPIToken is the projected volume the API server adds for an automounted token.
func krAPIToken(name, audience string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", Audience: audience}}}}}}
}

// krWithApp adds namespace shop with a hardened default account and the given accounts and pods.
func krWithApp(k *model.Kube, accounts []model.ServiceAccount, pods ...model.Pod) {
	k.Namespaces = append(k.Namespaces, model.Namespace{Name: "shop"})
	k.ServiceAccounts = append(k.ServiceAccounts, model.ServiceAccount{Namespace: "shop", Name: "default", AutomountToken: krBool(false)})
	k.ServiceAccounts = append(k.ServiceAccounts, accounts...)
	k.Pods = append(k.Pods, pods...)
}

// TestKubeFreshCluster: on a fresh EKS cluster the RBAC checks and the token check pass; the
// default service accounts mount their tokens, as Kubernetes creates them, which 4.1.5 and 5.2.1
// fail until they are hardened. The Pod Identity agent on kube-system's default account is EKS's
// own and is noted, never failed.
func TestKubeFreshCluster(t *testing.T) {
	k := krFresh(t)
	c := krLive(k)
	for _, chk := range krRBACChecks {
		krExpect(t, c, krWant{check: chk, status: finding.Pass})
	}
	namespaces := "(namespaces default, kube-node-lease, kube-public, kube-system)"
	krExpect(t, c,
		krWant{check: KubeServiceAccountTokenMount, status: finding.Pass, reason: []string{
			"every pod that mounts a Kubernetes API token (4) runs as a service account with RBAC grants of its own",
			"1 pod of Kubernetes' or EKS's own in kube-system mounts a token for an account without grants of its own (not judged): kube-system/eks-pod-identity-agent-h2lcs"}},
		krWant{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{
			"4 default service accounts do not set automountServiceAccountToken: false " + namespaces,
			"1 pod of Kubernetes' or EKS's own in kube-system runs as the default service account (not judged): kube-system/eks-pod-identity-agent-h2lcs"},
			not: []string{"pods run", "binding"}},
		krWant{check: KubeDedicatedServiceAccounts, status: finding.Fail, reason: []string{
			"4 default service accounts do not set automountServiceAccountToken: false " + namespaces}},
	)
	if o := KubeDefaultServiceAccount.Evaluate(c); o.Remediation != KubeDefaultServiceAccount.Advice ||
		!strings.Contains(o.Remediation, `kubectl patch serviceaccount default -n NAMESPACE -p '{"automountServiceAccountToken": false}'`) {
		t.Errorf("remediation: %q", o.Remediation)
	}

	krHarden(k)
	for _, chk := range krChecks {
		krExpect(t, c, krWant{check: chk, status: finding.Pass})
	}
	krExpect(t, c,
		krWant{check: KubeDefaultServiceAccount, status: finding.Pass, reason: []string{
			"all 4 default service accounts set automountServiceAccountToken: false and no binding names one; no pod runs as one",
			"kube-system/eks-pod-identity-agent-h2lcs"}},
		krWant{check: KubeDedicatedServiceAccounts, status: finding.Pass, reason: []string{"all 4 default service accounts"}, not: []string{"pod"}},
	)
	ev := KubeDefaultServiceAccount.Evaluate(c).Evidence.(*DefaultServiceAccountEvidence)
	if ev.DefaultAccounts != 4 || ev.AutomountingTotal != 0 || ev.ComponentsTotal != 1 || ev.PodsTotal != 0 || len(ev.Automounting) != 0 {
		t.Errorf("evidence: %+v", ev)
	}
}

// TestKubeDefaultServiceAccount: pods on a default account, bindings that name one, and accounts
// that mount their token each fail 4.1.5 (and the last two 5.2.1), named in the reason.
func TestKubeDefaultServiceAccount(t *testing.T) {
	tests := []struct {
		name  string
		rbac  string
		edit  func(k *model.Kube)
		wants []krWant
	}{
		{
			name: "pods with no account and with default",
			edit: func(k *model.Kube) {
				krWithApp(k, nil, krPod("shop", "web-1", "ReplicaSet/web-5d8f", ""), krPod("shop", "cron-28999-x", "Job/cron-28999", "default"))
				k.Pods[len(k.Pods)-1].Phase = "Succeeded"
			},
			wants: []krWant{
				{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{"2 pods run as their namespace's default service account: shop/cron-28999-x, shop/web-1"}},
				{check: KubeDedicatedServiceAccounts, status: finding.Pass},
				{check: KubePodCreate, status: finding.Pass},
			},
		},
		{
			name: "the deprecated serviceAccount field is read",
			edit: func(k *model.Kube) {
				p := krPod("shop", "legacy", "", "")
				p.Spec.DeprecatedServiceAccount = "legacy"
				krWithApp(k, []model.ServiceAccount{{Namespace: "shop", Name: "legacy"}}, p)
			},
			wants: []krWant{{check: KubeDefaultServiceAccount, status: finding.Pass}},
		},
		{
			name: "a pod of yours in kube-system on the default account",
			edit: func(k *model.Kube) {
				k.Pods = append(k.Pods, krPod("kube-system", "debug", "", "default"),
					// Not a component: a DaemonSet that only starts like one.
					krPod("kube-system", "aws-node-exporter-x", "DaemonSet/aws-node-exporter", ""))
			},
			wants: []krWant{
				{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{"2 pods run as their namespace's default service account: kube-system/aws-node-exporter-x, kube-system/debug",
					"kube-system/eks-pod-identity-agent-h2lcs"}},
			},
		},
		{
			name: "components elsewhere than kube-system are yours",
			edit: func(k *model.Kube) {
				krWithApp(k, nil, krPod("shop", "coredns-5d8f-abc", "ReplicaSet/coredns-5d8f", ""))
			},
			wants: []krWant{{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{"1 pod runs as its namespace's default service account: shop/coredns-5d8f-abc"}}},
		},
		{
			name: "mirror pods have no account",
			edit: func(k *model.Kube) {
				p := krPod("kube-system", "static-web-ip-10-0-0-1", "Node/ip-10-0-0-1", "")
				p.Annotations = map[string]string{"kubernetes.io/config.mirror": "abc"}
				k.Pods = append(k.Pods, p)
			},
			wants: []krWant{{check: KubeDefaultServiceAccount, status: finding.Pass}, {check: KubeServiceAccountTokenMount, status: finding.Pass}},
		},
		{
			name: "a default account that mounts its token",
			edit: func(k *model.Kube) {
				krWithApp(k, nil)
				k.ServiceAccounts[len(k.ServiceAccounts)-1].AutomountToken = krBool(true)
			},
			wants: []krWant{
				{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{"1 default service account does not set automountServiceAccountToken: false (namespace shop)"}},
				{check: KubeDedicatedServiceAccounts, status: finding.Fail, reason: []string{"(namespace shop)"}},
			},
		},
		{
			name: "a RoleBinding to a default account that names no namespace",
			rbac: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: default}]`,
			edit: func(k *model.Kube) { krWithApp(k, nil) },
			wants: []krWant{
				{check: KubeDefaultServiceAccount, status: finding.Fail, reason: []string{"1 binding names a default service account: RoleBinding/shop/default-view (ServiceAccount shop/default)"}},
				{check: KubeDedicatedServiceAccounts, status: finding.Fail, reason: []string{"RoleBinding/shop/default-view (ServiceAccount shop/default)"}, not: []string{"automount"}},
				{check: KubeSecretsAccess, status: finding.Pass},
			},
		},
		{
			name: "a ClusterRoleBinding to another namespace's default account; one without a namespace matches nobody",
			rbac: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: default-edit}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: default}, {kind: ServiceAccount, name: default, namespace: shop}]`,
			edit: func(k *model.Kube) { krWithApp(k, nil) },
			wants: []krWant{
				{check: KubeDedicatedServiceAccounts, status: finding.Fail, reason: []string{"1 binding names a default service account: ClusterRoleBinding/default-edit (ServiceAccount shop/default)"}},
				{check: KubePodCreate, status: finding.Fail, reason: []string{"ServiceAccount shop/default via ClusterRoleBinding/default-edit"}},
			},
		},
		{
			name: "grants to all service accounts of a namespace are a note",
			rbac: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:shop"}]`,
			edit: func(k *model.Kube) { krWithApp(k, nil) },
			wants: []krWant{
				{check: KubeDedicatedServiceAccounts, status: finding.Pass, reason: []string{"grants to all service accounts of a namespace or of the cluster also reach the default ones"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := krFresh(t)
			if tt.rbac != "" {
				krParse(t, k, tt.rbac)
			}
			krHarden(k)
			if tt.edit != nil {
				tt.edit(k)
			}
			krExpect(t, krLive(k), tt.wants...)
		})
	}
}

// TestKubeDefaultServiceAccountEvidence: the evidence lists the pods, bindings and group grants.
func TestKubeDefaultServiceAccountEvidence(t *testing.T) {
	k := krFresh(t)
	krParse(t, k, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: default}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sa-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}]`)
	krWithApp(k, nil, krPod("shop", "web-1", "ReplicaSet/web-5d8f", ""))
	ev := KubeDefaultServiceAccount.Evaluate(krLive(k)).Evidence.(*DefaultServiceAccountEvidence)
	if ev.PodsTotal != 1 || ev.Pods[0].ServiceAccount != "default" || ev.Pods[0].Owner != "ReplicaSet/web-5d8f" {
		t.Errorf("pods: %+v", ev.Pods)
	}
	if ev.BindingsTotal != 1 || ev.Bindings[0] != (ServiceAccountBinding{Binding: "RoleBinding/shop/default-view", Role: "ClusterRole/view", ServiceAccount: "shop/default", Namespace: "shop"}) {
		t.Errorf("bindings: %+v", ev.Bindings)
	}
	// view's rules reach every default account through system:serviceaccounts: each rule once, not
	// once per namespace; the default audience binding of system:serviceaccounts is not listed.
	if ev.GroupGrantsTotal == 0 || ev.GroupGrantsTotal != len(ev.GroupGrants) {
		t.Fatalf("group grants: %d listed of %d", len(ev.GroupGrants), ev.GroupGrantsTotal)
	}
	for _, g := range ev.GroupGrants {
		if g.Binding != "ClusterRoleBinding/all-sa-view" || g.Subject != "Group system:serviceaccounts" {
			t.Errorf("group grant: %+v", g)
		}
	}
	if ev.AutomountingTotal != 4 || ev.Automounting[0] != "default/default" || ev.DefaultAccounts != 5 {
		t.Errorf("automounting: %v of %d", ev.Automounting, ev.DefaultAccounts)
	}
}

// TestKubeTokenMount: which pods mount an API token, and whether their account gives them a reason
// to.
func TestKubeTokenMount(t *testing.T) {
	web := krPod("shop", "web-1", "ReplicaSet/web-5d8f", "web")
	webRole := `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: web, namespace: shop}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}
subjects: [%s]`
	tests := []struct {
		name     string
		rbac     string
		accounts []model.ServiceAccount
		pods     []model.Pod
		want     finding.Status
		reason   []string
	}{
		{
			name:     "mounted by default, account without grants",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Fail,
			reason:   []string{"1 pod mounts a Kubernetes API token although its service account holds no RBAC grant of its own: shop/web-1 (service account web)"},
		},
		{
			name:     "the pod turns it off",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{krPodWith(web, func(p *model.Pod) { p.Spec.AutomountServiceAccountToken = krBool(false) })},
			want:     finding.Pass,
			reason:   []string{"(4) runs as a service account with RBAC grants of its own; 1 pod mounts no token"},
		},
		{
			name:     "the account turns it off",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web", AutomountToken: krBool(false)}},
			pods:     []model.Pod{web},
			want:     finding.Pass,
		},
		{
			name:     "the pod turns it back on over its account",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web", AutomountToken: krBool(false)}},
			pods:     []model.Pod{krPodWith(web, func(p *model.Pod) { p.Spec.AutomountServiceAccountToken = krBool(true) })},
			want:     finding.Fail,
			reason:   []string{"shop/web-1 (service account web)"},
		},
		{
			name:     "a projected token for the API server, automounting off",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web", AutomountToken: krBool(false)}},
			pods:     []model.Pod{krPodWith(web, func(p *model.Pod) { p.Spec.Volumes = append(p.Spec.Volumes, krAPIToken("api-token", "")) })},
			want:     finding.Fail,
			reason:   []string{"shop/web-1"},
		},
		{
			name:     "IRSA's and Pod Identity's tokens are not API credentials",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web", AutomountToken: krBool(false)}},
			pods: []model.Pod{krPodWith(web, func(p *model.Pod) {
				p.Spec.Volumes = append(p.Spec.Volumes, krAPIToken("aws-iam-token", "sts.amazonaws.com"), krAPIToken("eks-pod-identity-token", "pods.eks.amazonaws.com"))
			})},
			want: finding.Pass,
		},
		{
			name:     "the automounted volume is counted once",
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{krPodWith(web, func(p *model.Pod) { p.Spec.Volumes = append(p.Spec.Volumes, krAPIToken("kube-api-access-x2x9z", "")) })},
			want:     finding.Fail,
			reason:   []string{"1 pod mounts"},
		},
		{
			name:     "a RoleBinding names the account",
			rbac:     fmt.Sprintf(webRole, "{kind: ServiceAccount, name: web}"),
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Pass,
			reason:   []string{"every pod that mounts a Kubernetes API token (5) runs as a service account with RBAC grants of its own"},
		},
		{
			name:     "a RoleBinding names the account as a user",
			rbac:     fmt.Sprintf(webRole, `{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:shop:web"}`),
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Pass,
		},
		{
			name:     "a grant to the namespace's service accounts",
			rbac:     fmt.Sprintf(webRole, `{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:shop"}`),
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Pass,
		},
		{
			name: "a grant to every authenticated identity is no reason to mount",
			rbac: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}, {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}]`,
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Fail,
			reason:   []string{"shop/web-1 (service account web)"},
		},
		{
			name:     "a grant to another namespace's account of the same name",
			rbac:     strings.ReplaceAll(fmt.Sprintf(webRole, "{kind: ServiceAccount, name: web}"), "namespace: shop", "namespace: other"),
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}},
			pods:     []model.Pod{web},
			want:     finding.Fail,
		},
		{
			name:   "an account that is not listed mounts by default",
			pods:   []model.Pod{web},
			want:   finding.Fail,
			reason: []string{"shop/web-1"},
		},
		{
			name:     "first, middle and last of three pods",
			rbac:     fmt.Sprintf(webRole, "{kind: ServiceAccount, name: web}"),
			accounts: []model.ServiceAccount{{Namespace: "shop", Name: "web"}, {Namespace: "shop", Name: "idle"}},
			pods: []model.Pod{
				krPod("shop", "a-first", "", "idle"), krPod("shop", "b-web", "", "web"), krPod("shop", "c-middle", "", "idle"),
				krPod("shop", "d-web", "", "web"), krPod("shop", "e-last", "", "idle"),
			},
			want:   finding.Fail,
			reason: []string{"3 pods mount a Kubernetes API token although their service account holds no RBAC grant of its own: shop/a-first (service account idle), shop/c-middle (service account idle), shop/e-last (service account idle)"},
		},
		{
			name:   "pods on the default account without grants",
			pods:   []model.Pod{krPodWith(krPod("shop", "web-1", "", ""), func(p *model.Pod) { p.Spec.AutomountServiceAccountToken = krBool(true) })},
			want:   finding.Fail,
			reason: []string{"shop/web-1 (service account default)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := krFresh(t)
			krHarden(k)
			if tt.rbac != "" {
				krParse(t, k, tt.rbac)
			}
			krWithApp(k, tt.accounts, tt.pods...)
			c := krLive(k)
			krExpect(t, c, krWant{check: KubeServiceAccountTokenMount, status: tt.want, reason: tt.reason},
				krWant{check: KubeClusterAdmin, status: finding.Pass})
			o := KubeServiceAccountTokenMount.Evaluate(c)
			ev := o.Evidence.(*TokenMountEvidence)
			if ev.UnneededTotal != len(ev.Unneeded) || (tt.want == finding.Fail) != (ev.UnneededTotal > 0) {
				t.Errorf("evidence: %+v", ev)
			}
			for _, p := range ev.Unneeded {
				if p.Token == "" {
					t.Errorf("no word on how the token gets into %s/%s", p.Namespace, p.Name)
				}
			}
			if tt.want == finding.Fail && o.Remediation != KubeServiceAccountTokenMount.Advice {
				t.Errorf("remediation: %q", o.Remediation)
			}
		})
	}
}

func krPodWith(p model.Pod, edit func(p *model.Pod)) model.Pod {
	p.Spec = *p.Spec.DeepCopy()
	edit(&p)
	return p
}

// TestKubeTokenMountHow: the evidence says how each token gets into the pod.
func TestKubeTokenMountHow(t *testing.T) {
	sa := func(auto *bool) *model.ServiceAccount {
		return &model.ServiceAccount{Namespace: "shop", Name: "web", AutomountToken: auto}
	}
	pod := func(auto *bool, vols ...corev1.Volume) model.Pod {
		return model.Pod{Namespace: "shop", Name: "web", Spec: corev1.PodSpec{AutomountServiceAccountToken: auto, Volumes: vols}}
	}
	for _, tt := range []struct {
		pod     model.Pod
		sa      *model.ServiceAccount
		mounted bool
		how     string
	}{
		{pod(nil), sa(nil), true, "neither the pod nor its service account sets"},
		{pod(nil), nil, true, "was not listed"},
		{pod(nil), sa(krBool(false)), false, "the service account sets automountServiceAccountToken: false"},
		{pod(krBool(true)), sa(krBool(false)), true, "the pod sets automountServiceAccountToken: true"},
		{pod(krBool(false)), sa(nil), false, "the pod sets automountServiceAccountToken: false"},
		{pod(krBool(false), krAPIToken("kube-api-access-abcde", "")), sa(nil), true, "projected volume kube-api-access-abcde"},
		{pod(nil, krAPIToken("kube-api-access-abcde", "")), sa(nil), true, "neither the pod"},
		{pod(krBool(false), krAPIToken("vault", "vault")), sa(nil), false, "the pod sets"},
		{pod(krBool(false), corev1.Volume{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}}), sa(nil), false, "the pod sets"},
	} {
		mounted, how := krTokenMount(tt.pod, tt.sa)
		if mounted != tt.mounted || !strings.Contains(how, tt.how) {
			t.Errorf("%+v / %+v: %v %q, want %v %q", tt.pod.Spec, tt.sa, mounted, how, tt.mounted, tt.how)
		}
	}
}

// TestKubeComponents: Kubernetes' and EKS's own workloads in kube-system, by owner.
func TestKubeComponents(t *testing.T) {
	for _, tt := range []struct {
		ns, owner string
		want      bool
	}{
		{"kube-system", "DaemonSet/aws-node", true},
		{"kube-system", "DaemonSet/kube-proxy", true},
		{"kube-system", "ReplicaSet/coredns-787cb67946", true},
		{"kube-system", "DaemonSet/eks-pod-identity-agent", true},
		{"kube-system", "ReplicaSet/ebs-csi-controller-6c9f8d7b5", true},
		{"kube-system", "DaemonSet/efs-csi-node", true},
		{"kube-system", "ReplicaSet/aws-load-balancer-controller-5d8f", false},
		{"kube-system", "DaemonSet/aws-node-exporter", false},
		{"kube-system", "ReplicaSet/coredns", false},
		{"kube-system", "Deployment/coredns", true},
		{"kube-system", "", false},
		{"kube-system", "garbage", false},
		{"default", "DaemonSet/aws-node", false},
	} {
		p := model.Pod{Namespace: tt.ns, Name: "x", Owner: tt.owner}
		if got := krComponent(p); got != tt.want {
			t.Errorf("%s %s: %v, want %v", tt.ns, tt.owner, got, tt.want)
		}
	}
}

// TestKubeServiceAccountCaps: thousands of pods are counted, 200 listed and 20 named.
func TestKubeServiceAccountCaps(t *testing.T) {
	k := krFresh(t)
	krHarden(k)
	var pods []model.Pod
	for i := range 2000 {
		pods = append(pods, krPod("shop", fmt.Sprintf("web-%04d", i), "ReplicaSet/web-5d8f", ""))
	}
	krWithApp(k, nil, pods...)
	c := krLive(k)
	o := KubeDefaultServiceAccount.Evaluate(c)
	ev := o.Evidence.(*DefaultServiceAccountEvidence)
	if o.Status != finding.Fail || ev.PodsTotal != 2000 || len(ev.Pods) != 200 || !strings.Contains(o.Reason, "2000 pods run") ||
		!strings.Contains(o.Reason, "shop/web-0019 and 1980 more") || strings.Contains(o.Reason, "web-0020") {
		t.Errorf("%s: %s (%d of %d)", o.Status, o.Reason, len(ev.Pods), ev.PodsTotal)
	}
	// The default account holds nothing, so every pod's token is unneeded.
	o = KubeServiceAccountTokenMount.Evaluate(c)
	tm := o.Evidence.(*TokenMountEvidence)
	if o.Status != finding.Pass || tm.NotMounting != 2000 {
		t.Errorf("default accounts are hardened, no pod mounts: %s %+v", o.Reason, tm.NotMounting)
	}
	for i := range k.ServiceAccounts {
		if k.ServiceAccounts[i].Namespace == "shop" {
			k.ServiceAccounts[i].AutomountToken = nil
		}
	}
	o = KubeServiceAccountTokenMount.Evaluate(c)
	tm = o.Evidence.(*TokenMountEvidence)
	if o.Status != finding.Fail || tm.UnneededTotal != 2000 || len(tm.Unneeded) != 200 || !strings.Contains(o.Reason, "and 1980 more") {
		t.Errorf("%s: %s", o.Status, o.Reason)
	}
}

// TestKubeServiceAccountEmpty: a cluster with no service accounts and no pods passes, saying so.
func TestKubeServiceAccountEmpty(t *testing.T) {
	c := krLive(krSeedKube(t, ""))
	krExpect(t, c,
		krWant{check: KubeDefaultServiceAccount, status: finding.Pass, reason: []string{"the cluster lists no default service account"}},
		krWant{check: KubeDedicatedServiceAccounts, status: finding.Pass, reason: []string{"the cluster lists no default service account"}},
		krWant{check: KubeServiceAccountTokenMount, status: finding.Pass, reason: []string{"no pod to judge"}},
	)
	ev := KubeDedicatedServiceAccounts.Evaluate(c).Evidence.(*DefaultServiceAccountEvidence)
	if ev.Automounting == nil || ev.Bindings == nil || ev.Pods != nil {
		t.Errorf("lists are [] in JSON, pods absent for 5.2.1: %+v", ev)
	}

	k := krSeedKube(t, "")
	krWithApp(k, nil, krPodWith(krPod("shop", "batch", "", ""), func(p *model.Pod) { p.Spec.AutomountServiceAccountToken = krBool(false) }))
	krExpect(t, krLive(k), krWant{check: KubeServiceAccountTokenMount, status: finding.Pass, reason: []string{"no pod mounts a Kubernetes API token"}, not: []string{";"}})
}
