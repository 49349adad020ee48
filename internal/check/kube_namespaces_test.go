package check

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// kwChecks are the checks of CIS 4.2–4.5 these tests cover.
var kwChecks = []*Check{PodSecurityPrivileged, PodSecurityHostPID, PodSecurityHostIPC, PodSecurityHostNetwork,
	PodSecurityPrivilegeEscalation, CNINetworkPolicy, NamespaceNetworkPolicy, SecretsInEnv, ExternalSecrets,
	NamespaceBoundaries, DefaultNamespace}

func kwBool(b bool) *bool { return &b }

// kwRestricted are the labels of a namespace that enforces restricted.
func kwRestricted() map[string]string {
	return map[string]string{psaEnforceLabel: "restricted", psaWarnLabel: "restricted"}
}

// kwHardenedContainer passes the restricted level.
func kwHardenedContainer(name string) corev1.Container {
	return corev1.Container{Name: name, Image: "111111111111.dkr.ecr.us-east-1.amazonaws.com/" + name + ":1",
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: kwBool(false), RunAsNonRoot: kwBool(true),
			Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}}
}

// kwAWSNode is the aws-node DaemonSet's pod spec as the VPC CNI manifests write it, with the
// network policy agent's flag set to enabled.
func kwAWSNode(enabled string) corev1.PodSpec {
	agent := corev1.Container{Name: "aws-eks-nodeagent", Image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.4.2",
		Args: []string{"--enable-ipv6=false", "--enable-network-policy=" + enabled, "--enable-cloudwatch-logs=false",
			"--metrics-bind-addr=:8162", "--health-probe-bind-addr=:8163"},
		SecurityContext: &corev1.SecurityContext{Privileged: kwBool(true)}}
	return corev1.PodSpec{HostNetwork: true,
		InitContainers: []corev1.Container{{Name: "aws-vpc-cni-init", Image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.20.4",
			SecurityContext: &corev1.SecurityContext{Privileged: kwBool(true)}}},
		Containers: []corev1.Container{{Name: "aws-node", Image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.4",
			Env: []corev1.EnvVar{{Name: "NETWORK_POLICY_ENFORCING_MODE", Value: "standard"}}}, agent}}
}

// kwHardened is a cluster that passes every check of CIS 4.2–4.5 (and is MANUAL for 4.4.2 and
// 4.5.1): every namespace but kube-system enforces restricted and has a network policy, the VPC
// CNI enforces policies, and default holds only what Kubernetes creates.
func kwHardened() *model.Kube {
	app := corev1.PodSpec{Containers: []corev1.Container{kwHardenedContainer("web")},
		Volumes: []corev1.Volume{{Name: "creds", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "web-creds"}}}}}
	return &model.Kube{
		Server: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
		Namespaces: []model.Namespace{
			{Name: "default", Labels: kwRestricted()},
			{Name: "kube-node-lease", Labels: kwRestricted()},
			{Name: "kube-public", Labels: kwRestricted()},
			{Name: "kube-system"},
			{Name: "shop", Labels: kwRestricted()},
		},
		Pods: []model.Pod{
			{Namespace: "kube-system", Name: "aws-node-abcde", Owner: "DaemonSet/aws-node", Phase: "Running", Spec: kwAWSNode("true")},
			{Namespace: "kube-system", Name: "kube-proxy-abcde", Owner: "DaemonSet/kube-proxy", Phase: "Running",
				Spec: corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "kube-proxy", SecurityContext: &corev1.SecurityContext{Privileged: kwBool(true)}}}}},
			{Namespace: "shop", Name: "web-5d8f9c7b6-x2x9z", Owner: "ReplicaSet/web-5d8f9c7b6", Phase: "Running",
				Labels: map[string]string{"pod-template-hash": "5d8f9c7b6"}, Spec: app},
		},
		Workloads: []model.Workload{
			{Kind: "DaemonSet", Namespace: "kube-system", Name: "aws-node", Template: corev1.PodTemplateSpec{Spec: kwAWSNode("true")}},
			{Kind: "DaemonSet", Namespace: "kube-system", Name: "kube-proxy", Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{HostNetwork: true,
				Containers: []corev1.Container{{Name: "kube-proxy", Image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.32.0-eksbuild.2"}}}}},
			{Kind: "Deployment", Namespace: "shop", Name: "web", Template: corev1.PodTemplateSpec{Spec: app}},
		},
		NetworkPolicies: []model.ObjectRef{
			{Kind: "NetworkPolicy", Namespace: "default", Name: "default-deny"},
			{Kind: "NetworkPolicy", Namespace: "shop", Name: "default-deny"},
			{Kind: "NetworkPolicy", Namespace: "shop", Name: "allow-web"},
		},
		CSIDrivers: []string{"ebs.csi.aws.com", "efs.csi.aws.com"},
		DefaultObjects: []model.ObjectRef{
			{Kind: "Service", Namespace: "default", Name: "kubernetes"},
			{Kind: "Endpoints", Namespace: "default", Name: "kubernetes"},
			{Kind: "EndpointSlice", Namespace: "default", Name: "kubernetes"},
			{Kind: "ServiceAccount", Namespace: "default", Name: "default"},
			{Kind: "ConfigMap", Namespace: "default", Name: "kube-root-ca.crt"},
			{Kind: "Event", Namespace: "default", Name: "kubernetes.17a2b3c4d5e6f"},
		},
	}
}

// kwCluster is a live ACTIVE cluster whose Kubernetes API was read into kube (edited by edit).
func kwCluster(edit func(k *model.Kube)) *model.Cluster {
	k := kwHardened()
	if edit != nil {
		edit(k)
	}
	return &model.Cluster{Name: "prod", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
		Parts: model.Parts{}.Add(model.PartKubernetes), Kube: k}
}

// kwEmpty is a cluster with nothing deployed: the four namespaces Kubernetes creates, unlabelled,
// and EKS's own DaemonSets.
func kwEmpty() *model.Cluster {
	return kwCluster(func(k *model.Kube) {
		k.Namespaces = []model.Namespace{{Name: "default"}, {Name: "kube-node-lease"}, {Name: "kube-public"}, {Name: "kube-system"}}
		k.Pods = k.Pods[:2]
		k.Workloads = k.Workloads[:2]
		k.NetworkPolicies = nil
	})
}

type kwCase struct {
	name    string
	cluster *model.Cluster
	want    finding.Status
	reason  []string
}

func kwRun(t *testing.T, k *Check, cases []kwCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			o := k.Evaluate(tt.cluster)
			if o.Status != tt.want {
				t.Fatalf("%s: %s, want %s", k.ID, o.Status, tt.want)
			}
			for _, r := range tt.reason {
				if !strings.Contains(o.Reason, r) {
					t.Errorf("%s: reason %q does not contain %q", k.ID, o.Reason, r)
				}
			}
		})
	}
}

func TestKubeWorkloadChecksHardened(t *testing.T) {
	c := kwCluster(nil)
	for _, k := range kwChecks {
		want := finding.Pass
		if k == ExternalSecrets || k == NamespaceBoundaries {
			want = finding.Manual
		}
		o := k.Evaluate(c)
		if o.Status != want {
			t.Errorf("%s on a hardened cluster: %s %s", k.ID, o.Status, o.Reason)
		}
		if o.Evidence == nil {
			t.Errorf("%s: no evidence", k.ID)
		}
	}
}

// TestKubeWorkloadChecksMetadata: each check says what it reads and how it is fixed, and carries
// no IaC fields or examples: these checks read only the Kubernetes API.
func TestKubeWorkloadChecksMetadata(t *testing.T) {
	for _, k := range kwChecks {
		if !k.IsKube() || len(k.IaC) > 0 || len(k.Examples) > 0 || k.HasTarget() {
			t.Errorf("%s: not a Kubernetes check without IaC", k.ID)
		}
		if k.Title == "" || k.Summary == "" || k.Rationale == "" || k.PassRule == "" || k.Defaults == "" || k.Advice == "" || len(k.Links) == 0 {
			t.Errorf("%s: metadata missing", k.ID)
		}
		if len(k.Calls) == 0 {
			t.Errorf("%s: no calls", k.ID)
		}
		for _, call := range k.Calls {
			if !call.Kubernetes || !strings.HasPrefix(call.Action, "list ") || call.What == "" {
				t.Errorf("%s: call %+v", k.ID, call)
			}
		}
		for _, l := range k.Links {
			if !strings.HasPrefix(l.URL, "https://") || l.Title == "" {
				t.Errorf("%s: link %+v", k.ID, l)
			}
		}
		if !strings.HasPrefix(k.ID, "k8s-") {
			t.Errorf("%s: id", k.ID)
		}
	}
}

// TestKubeWorkloadGate: a failed list makes only the checks that need it ERROR, naming it.
func TestKubeWorkloadGate(t *testing.T) {
	c := kwCluster(func(k *model.Kube) {
		k.Errors = []model.Error{{Operation: "list networkpolicies", Message: "networkpolicies.networking.k8s.io is forbidden", AccessDenied: true}}
	})
	for _, k := range kwChecks {
		o := k.Evaluate(c)
		if k == NamespaceNetworkPolicy {
			if o.Status != finding.Error || !strings.Contains(o.Reason, "list networkpolicies") {
				t.Errorf("%s: %s %s", k.ID, o.Status, o.Reason)
			}
			continue
		}
		if o.Status == finding.Error {
			t.Errorf("%s does not list network policies, yet: %s", k.ID, o.Reason)
		}
	}
	pods := kwCluster(func(k *model.Kube) {
		k.Errors = []model.Error{{Operation: "list pods", Message: "timeout"}}
	})
	for _, k := range kwChecks {
		want := k != CNINetworkPolicy && k != NamespaceNetworkPolicy
		if got := k.Evaluate(pods).Status == finding.Error; got != want {
			t.Errorf("%s with list pods failed: ERROR %v, want %v", k.ID, got, want)
		}
	}
	down := kwCluster(func(k *model.Kube) { k.Error = "dial tcp: i/o timeout" })
	for _, k := range kwChecks {
		if o := k.Evaluate(down); o.Status != finding.Error || !strings.Contains(o.Reason, "i/o timeout") {
			t.Errorf("%s with the API unreachable: %s %s", k.ID, o.Status, o.Reason)
		}
	}
	unread := kwCluster(nil)
	unread.Kube = nil
	for _, k := range kwChecks {
		if o := k.Evaluate(unread); o.Status != finding.Unknown {
			t.Errorf("%s without the Kubernetes part: %s %s", k.ID, o.Status, o.Reason)
		}
	}
}

func TestNamespaceBoundaries(t *testing.T) {
	kwRun(t, NamespaceBoundaries, []kwCase{
		{"hardened", kwCluster(nil), finding.Manual, []string{"5 namespaces", "1 running pod", "(shop)", "for a person to judge"}},
		{"empty", kwEmpty(), finding.Manual, []string{"4 namespaces and no running pod outside kube-system"}},
		{"workloads in default", kwCluster(func(k *model.Kube) {
			k.Pods = append(k.Pods, model.Pod{Namespace: "default", Name: "debug", Phase: "Running"},
				model.Pod{Namespace: "default", Name: "done", Phase: "Succeeded"})
		}), finding.Manual, []string{"2 running pods", "in 2 namespaces (default, shop), 1 of them in default"}},
	})
	o := NamespaceBoundaries.Evaluate(kwCluster(func(k *model.Kube) {
		k.Pods = append(k.Pods, model.Pod{Namespace: "gone", Name: "x", Phase: "Running"})
	}))
	ev := o.Evidence.(*NamespaceBoundaryEvidence)
	if ev.NamespaceCount != 6 || len(ev.UnlistedNamespaces) != 1 || ev.PodCount != 4 {
		t.Errorf("evidence: %+v", ev)
	}
	for _, ns := range ev.Namespaces {
		if ns.Name == "kube-system" && (ns.Pods != 2 || !ns.System) || ns.Name == "shop" && ns.Labels[psaEnforceLabel] != "restricted" {
			t.Errorf("namespace %+v", ns)
		}
	}
	many := NamespaceBoundaries.Evaluate(kwCluster(func(k *model.Kube) {
		for i := range 250 {
			k.Namespaces = append(k.Namespaces, model.Namespace{Name: fmt.Sprintf("team-%03d", i)})
		}
	})).Evidence.(*NamespaceBoundaryEvidence)
	if len(many.Namespaces) != kwListCap || many.NamespaceCount != 255 {
		t.Errorf("cap: %d of %d", len(many.Namespaces), many.NamespaceCount)
	}
}

func TestDefaultNamespace(t *testing.T) {
	add := func(objs ...model.ObjectRef) *model.Cluster {
		return kwCluster(func(k *model.Kube) { k.DefaultObjects = append(k.DefaultObjects, objs...) })
	}
	kwRun(t, DefaultNamespace, []kwCase{
		{"only Kubernetes' own", kwCluster(nil), finding.Pass, []string{"only what Kubernetes creates", "ServiceAccount/default", "1 event"}},
		{"empty list", kwCluster(func(k *model.Kube) { k.DefaultObjects = nil }), finding.Pass, []string{"nothing"}},
		{"EndpointSlice by its group", add(model.ObjectRef{Kind: "EndpointSlice.discovery.k8s.io", Namespace: "default", Name: "kubernetes"},
			model.ObjectRef{Kind: "Event.events.k8s.io", Namespace: "default", Name: "x.1"}), finding.Pass, nil},
		{"a legacy default token secret", add(model.ObjectRef{Kind: "Secret", Namespace: "default", Name: "default-token-x7k2q"}), finding.Pass, nil},
		{"a deployment and its pods", add(
			model.ObjectRef{Kind: "Deployment", Namespace: "default", Name: "nginx"},
			model.ObjectRef{Kind: "Pod", Namespace: "default", Name: "nginx-7c5ddbdf54-abcde"},
			model.ObjectRef{Kind: "Service", Namespace: "default", Name: "nginx"}),
			finding.Fail, []string{"3 objects", "Deployment/nginx, Pod/nginx-7c5ddbdf54-abcde, Service/nginx"}},
		{"a ConfigMap named like Kubernetes' own but another kind", add(model.ObjectRef{Kind: "Secret", Namespace: "default", Name: "kube-root-ca.crt"}),
			finding.Fail, []string{"1 object", "Secret/kube-root-ca.crt"}},
		{"a service account besides default", add(model.ObjectRef{Kind: "ServiceAccount", Namespace: "default", Name: "ci"}),
			finding.Fail, []string{"ServiceAccount/ci"}},
		{"another kubernetes-named kind", add(model.ObjectRef{Kind: "ConfigMap", Namespace: "default", Name: "kubernetes"}),
			finding.Fail, []string{"ConfigMap/kubernetes"}},
	})
	var objs []model.ObjectRef
	for i := range 230 {
		objs = append(objs, model.ObjectRef{Kind: "ConfigMap", Namespace: "default", Name: fmt.Sprintf("cm-%03d", i)})
	}
	o := DefaultNamespace.Evaluate(add(objs...))
	ev := o.Evidence.(*DefaultNamespaceEvidence)
	if o.Status != finding.Fail || ev.ObjectCount != 230 || len(ev.Objects) != kwListCap || !strings.Contains(o.Reason, "and 210 more") {
		t.Errorf("cap: %s %d %d %s", o.Status, ev.ObjectCount, len(ev.Objects), o.Reason)
	}
}

// kwDaemonSet is a DaemonSet workload.
func kwDaemonSet(ns, name string, spec corev1.PodSpec) model.Workload {
	return model.Workload{Kind: "DaemonSet", Namespace: ns, Name: name, Template: corev1.PodTemplateSpec{Spec: spec}}
}
