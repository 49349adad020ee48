package check

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// kwWithDaemonSets replaces the cluster's DaemonSets.
func kwWithDaemonSets(ds ...model.Workload) *model.Cluster {
	return kwCluster(func(k *model.Kube) {
		var keep []model.Workload
		for _, w := range k.Workloads {
			if w.Kind != "DaemonSet" {
				keep = append(keep, w)
			}
		}
		k.Workloads = append(keep, ds...)
	})
}

var kwKubeProxy = kwDaemonSet("kube-system", "kube-proxy", corev1.PodSpec{HostNetwork: true,
	Containers: []corev1.Container{{Name: "kube-proxy", Image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.32.0-eksbuild.2"}}})

func kwAWSNodeWith(edit func(s *corev1.PodSpec)) model.Workload {
	s := kwAWSNode("true")
	edit(&s)
	return kwDaemonSet("kube-system", "aws-node", s)
}

func TestCNINetworkPolicy(t *testing.T) {
	calico := kwDaemonSet("calico-system", "calico-node", corev1.PodSpec{Containers: []corev1.Container{{Name: "calico-node", Image: "quay.io/calico/node:v3.29.1"}}})
	cilium := kwDaemonSet("kube-system", "cilium", corev1.PodSpec{Containers: []corev1.Container{{Name: "cilium-agent", Image: "quay.io/cilium/cilium:v1.16.5"}}})
	ciliumRenamed := kwDaemonSet("cilium", "cilium-agents", corev1.PodSpec{Containers: []corev1.Container{{Name: "cilium-agent", Image: "quay.io/cilium/cilium:v1.16.5"}}})
	off := kwDaemonSet("kube-system", "aws-node", kwAWSNode("false"))
	kwRun(t, CNINetworkPolicy, []kwCase{
		{"VPC CNI with the agent on", kwWithDaemonSets(kwDaemonSet("kube-system", "aws-node", kwAWSNode("true")), kwKubeProxy), finding.Pass,
			[]string{"container aws-eks-nodeagent of DaemonSet kube-system/aws-node runs with --enable-network-policy=true"}},
		{"the bare flag", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers[1].Args = []string{"--enable-network-policy"} })), finding.Pass, nil},
		{"the last flag wins", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) {
			s.Containers[1].Args = append(s.Containers[1].Args, "--enable-network-policy=false")
		})), finding.Fail, []string{"--enable-network-policy=false"}},
		{"the agent under its image's name", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers[1].Name = "aws-network-policy-agent" })), finding.Pass,
			[]string{"container aws-network-policy-agent"}},
		{"the agent recognised by its image", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers[1].Name = "policy" })), finding.Pass,
			[]string{"container policy"}},
		{"VPC CNI with the agent off", kwWithDaemonSets(off, kwKubeProxy), finding.Fail,
			[]string{"the Amazon VPC CNI does not enforce NetworkPolicy (container aws-eks-nodeagent runs with --enable-network-policy=false)",
				"DaemonSets in kube-system: aws-node, kube-proxy"}},
		{"the flag left out", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers[1].Args = []string{"--enable-ipv6=false"} })), finding.Fail,
			[]string{"does not set --enable-network-policy, which defaults to false"}},
		{"not a boolean", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers[1].Args = []string{"--enable-network-policy=yes"} })), finding.Fail,
			[]string{"not a boolean"}},
		{"a VPC CNI before 1.14", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) { s.Containers = s.Containers[:1] })), finding.Fail,
			[]string{"no network policy agent container"}},
		{"the aws-node env does not count", kwWithDaemonSets(kwAWSNodeWith(func(s *corev1.PodSpec) {
			s.Containers = s.Containers[:1]
			s.Containers[0].Env = append(s.Containers[0].Env, corev1.EnvVar{Name: "ENABLE_NETWORK_POLICY", Value: "true"})
		})), finding.Fail, nil},
		{"Calico in calico-system beside the VPC CNI", kwWithDaemonSets(off, kwKubeProxy, calico), finding.Pass,
			[]string{"DaemonSet calico-system/calico-node"}},
		{"Cilium", kwWithDaemonSets(cilium), finding.Pass, []string{"DaemonSet kube-system/cilium"}},
		{"Cilium by its agent container", kwWithDaemonSets(off, ciliumRenamed), finding.Pass, []string{"cilium/cilium-agents"}},
		{"no network plugin DaemonSet (EKS Auto Mode)", kwWithDaemonSets(), finding.Manual,
			[]string{"no DaemonSet of a network plugin eksguard recognises", "DaemonSets in kube-system: none", "enable-network-policy-controller"}},
		{"another plugin", kwWithDaemonSets(kwKubeProxy, kwDaemonSet("kube-system", "kube-flannel-ds", corev1.PodSpec{})), finding.Manual,
			[]string{"DaemonSets in kube-system: kube-flannel-ds, kube-proxy"}},
		{"aws-node outside kube-system is not the VPC CNI", kwWithDaemonSets(kwDaemonSet("default", "aws-node", kwAWSNode("true"))), finding.Manual, nil},
	})

	o := CNINetworkPolicy.Evaluate(kwWithDaemonSets(off, kwKubeProxy, calico))
	ev := o.Evidence.(*CNIEvidence)
	if len(ev.CNIs) != 2 || strings.Join(ev.Enforcing, ",") != cniCalico || !strings.Contains(ev.Note, "agent is off") ||
		ev.KubeSystemDaemonSetCount != 2 || ev.KubeSystemDaemonSets[0].Name != "aws-node" {
		t.Errorf("evidence %+v", ev)
	}
	if aws := ev.CNIs[0]; aws.CNI != cniVPC || aws.Enforces || len(aws.Images) != 3 ||
		aws.Images[0] != "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.20.4" {
		t.Errorf("VPC CNI %+v", aws)
	}
}

func TestImageName(t *testing.T) {
	for in, want := range map[string]string{
		"602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.4.2": "amazon/aws-network-policy-agent",
		"amazon/aws-network-policy-agent@sha256:abc":                                          "amazon/aws-network-policy-agent",
		"localhost:5000/aws-network-policy-agent":                                             "aws-network-policy-agent",
		"nginx": "nginx",
	} {
		if got := kwImageName(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestNamespaceNetworkPolicy(t *testing.T) {
	with := func(names ...string) *model.Cluster {
		return kwCluster(func(k *model.Kube) {
			k.Namespaces = []model.Namespace{{Name: "kube-system"}, {Name: "kube-public"}, {Name: "kube-node-lease"}}
			k.NetworkPolicies = nil
			for _, n := range names {
				bare := strings.TrimSuffix(n, "!")
				k.Namespaces = append(k.Namespaces, model.Namespace{Name: bare})
				if bare == n {
					k.NetworkPolicies = append(k.NetworkPolicies, model.ObjectRef{Kind: "NetworkPolicy", Namespace: n, Name: "deny"})
				}
			}
		})
	}
	kwRun(t, NamespaceNetworkPolicy, []kwCase{
		{"hardened", kwCluster(nil), finding.Pass, []string{"all 2 namespaces"}},
		{"first without", with("alpha!", "bravo", "charlie"), finding.Fail, []string{"1 namespace of 3", "has no NetworkPolicy", "its pods' traffic: alpha"}},
		{"middle without", with("alpha", "bravo!", "charlie"), finding.Fail, []string{": bravo"}},
		{"last without", with("alpha", "bravo", "charlie!"), finding.Fail, []string{": charlie"}},
		{"two without", with("alpha!", "bravo", "charlie!"), finding.Fail, []string{"2 namespaces of 3", "have no NetworkPolicy", "their pods' traffic: alpha, charlie"}},
		{"system namespaces need none", with(), finding.Pass, []string{"no namespace besides kube-system, kube-public and kube-node-lease"}},
		{"empty cluster: default needs one", kwEmpty(), finding.Fail, []string{"1 namespace of 1", ": default"}},
		{"a policy in a system namespace does not count for another", kwCluster(func(k *model.Kube) {
			k.NetworkPolicies = []model.ObjectRef{{Kind: "NetworkPolicy", Namespace: "kube-system", Name: "x"}, {Kind: "NetworkPolicy", Namespace: "shop", Name: "x"}}
		}), finding.Fail, []string{": default"}},
	})
	o := NamespaceNetworkPolicy.Evaluate(kwCluster(nil))
	ev := o.Evidence.(*NamespaceNetworkPolicyEvidence)
	if ev.WithCount != 2 || ev.With[1].Name != "shop" || ev.With[1].Policies != 2 || strings.Join(ev.Exempt, ",") != "kube-node-lease,kube-public,kube-system" {
		t.Errorf("evidence %+v", ev)
	}
	var names []string
	for i := range 230 {
		names = append(names, fmt.Sprintf("ns-%03d!", i))
	}
	o = NamespaceNetworkPolicy.Evaluate(with(names...))
	ev = o.Evidence.(*NamespaceNetworkPolicyEvidence)
	if ev.WithoutCount != 230 || len(ev.Without) != kwListCap || !strings.Contains(o.Reason, "ns-019 and 210 more") {
		t.Errorf("cap: %d %d %s", ev.WithoutCount, len(ev.Without), o.Reason)
	}
}
