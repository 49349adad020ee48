package check

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// CNIEvidence is what the CNI check found among the cluster's DaemonSets.
type CNIEvidence struct {
	// CNIs are the network plugins recognised, with what decided whether each enforces
	// NetworkPolicy.
	CNIs []CNIFound `json:"cnis"`
	// Enforcing names those that enforce.
	Enforcing []string `json:"enforcing"`
	// KubeSystemDaemonSets are every DaemonSet of kube-system with its images (at most 200).
	KubeSystemDaemonSets     []DaemonSetImages `json:"kubeSystemDaemonSets"`
	KubeSystemDaemonSetCount int               `json:"kubeSystemDaemonSetCount"`
	Note                     string            `json:"note,omitempty"`
}

// CNIFound is a network plugin found as a DaemonSet.
type CNIFound struct {
	CNI       string   `json:"cni"`
	DaemonSet string   `json:"daemonSet"`
	Images    []string `json:"images"`
	Enforces  bool     `json:"enforcesNetworkPolicy"`
	// DecidedBy is the field that decided Enforces.
	DecidedBy string `json:"decidedBy"`
}

// DaemonSetImages is a DaemonSet and the images of its containers.
type DaemonSetImages struct {
	Name   string   `json:"name"`
	Images []string `json:"images"`
}

// The CNIs the check recognises.
const (
	cniVPC    = "Amazon VPC CNI"
	cniCalico = "Calico"
	cniCilium = "Cilium"
)

// vpcNodeAgentContainers are the names the VPC CNI's network policy agent runs under in the
// aws-node DaemonSet: aws-eks-nodeagent in every manifest and Helm chart since VPC CNI 1.14,
// aws-network-policy-agent (the agent's image name) as some installs call it.
var vpcNodeAgentContainers = map[string]bool{"aws-eks-nodeagent": true, "aws-network-policy-agent": true}

// vpcNodeAgentFlag is the agent's switch: a boolean flag, false unless set.
const vpcNodeAgentFlag = "--enable-network-policy"

// CNINetworkPolicy is CIS 4.3.1: the cluster's network plugin enforces NetworkPolicy.
var CNINetworkPolicy = register(&Check{
	ID:       "k8s-cni-network-policy",
	Title:    "The CNI plugin enforces network policies",
	Summary:  "the VPC CNI's network policy agent is enabled, or Calico or Cilium runs",
	Severity: SeverityMedium,
	Rationale: "Kubernetes stores NetworkPolicy objects but does not enforce them: the network plugin does. With a " +
		"plugin that does not, every policy is accepted and silently ignored, and every pod can reach every other " +
		"pod, the node's services and the instance metadata service.",
	Links: []Link{
		{Title: "Limit pod traffic with Kubernetes network policies", URL: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html"},
		{Title: "Kubernetes: Network Policies", URL: "https://kubernetes.io/docs/concepts/services-networking/network-policies/"},
		{Title: "EKS Best Practices: Network security", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: []APICall{kwListDaemonSets},
	PassRule: "The DaemonSets show a network plugin that enforces NetworkPolicy: the Amazon VPC CNI (DaemonSet aws-node " +
		"in kube-system) whose network policy agent container (aws-eks-nodeagent, the image " +
		"amazon/aws-network-policy-agent) runs with --enable-network-policy=true, or Calico (DaemonSet calico-node, " +
		"in any namespace such as calico-system), or Cilium (DaemonSet cilium, or a container cilium-agent). The " +
		"VPC CNI fails when its agent is missing (before 1.14) or runs with the flag false or absent, and no Calico " +
		"or Cilium runs. A cluster with none of these DaemonSets (EKS Auto Mode, which runs the VPC CNI on its " +
		"nodes outside Kubernetes, or another plugin) is MANUAL, naming the DaemonSets of kube-system.",
	Defaults: "The VPC CNI (add-on or self-managed) runs its network policy agent with --enable-network-policy=false: " +
		"NetworkPolicy objects are not enforced until the add-on's enableNetworkPolicy is \"true\" (VPC CNI 1.14 or " +
		"later), which sets the flag and turns on the EKS network policy controller (the amazon-vpc-cni ConfigMap's " +
		"enable-network-policy-controller).",
	Advice: `turn on the VPC CNI's network policy: aws eks update-addon --cluster-name CLUSTER --addon-name vpc-cni ` +
		`--configuration-values '{"enableNetworkPolicy":"true"}' (VPC CNI 1.14 or later; a self-managed VPC CNI: set ` +
		"enableNetworkPolicy in its Helm values, or --enable-network-policy=true on the aws-node DaemonSet's " +
		"aws-eks-nodeagent container and enable-network-policy-controller: \"true\" in the amazon-vpc-cni ConfigMap), " +
		"or install Calico or Cilium",
	judge: judgeCNINetworkPolicy,
})

func judgeCNINetworkPolicy(c *model.Cluster) Outcome {
	ev := &CNIEvidence{CNIs: []CNIFound{}, Enforcing: []string{}, KubeSystemDaemonSets: []DaemonSetImages{}}
	var kubeSystem []string
	var awsNode *CNIFound
	for i := range c.Kube.Workloads {
		w := &c.Kube.Workloads[i]
		if w.Kind != "DaemonSet" {
			continue
		}
		images := kwImages(&w.Template.Spec)
		if w.Namespace == kwKubeSystem {
			kubeSystem = append(kubeSystem, w.Name)
			ev.KubeSystemDaemonSets = append(ev.KubeSystemDaemonSets, DaemonSetImages{Name: w.Name, Images: images})
		}
		ref := w.Namespace + "/" + w.Name
		switch {
		case w.Namespace == kwKubeSystem && w.Name == "aws-node":
			f := vpcCNIFound(ref, images, &w.Template.Spec)
			ev.CNIs = append(ev.CNIs, f)
			awsNode = &ev.CNIs[len(ev.CNIs)-1]
		case w.Name == "calico-node":
			ev.CNIs = append(ev.CNIs, CNIFound{CNI: cniCalico, DaemonSet: ref, Images: images, Enforces: true,
				DecidedBy: "DaemonSet " + ref + ": Calico enforces NetworkPolicy wherever calico-node runs"})
		case w.Name == "cilium" || kwHasContainer(&w.Template.Spec, "cilium-agent"):
			ev.CNIs = append(ev.CNIs, CNIFound{CNI: cniCilium, DaemonSet: ref, Images: images, Enforces: true,
				DecidedBy: "DaemonSet " + ref + ": the Cilium agent enforces NetworkPolicy (unless its policy-enforcement mode is never, in the cilium-config ConfigMap, which eksguard does not read)"})
		}
	}
	sort.Slice(ev.KubeSystemDaemonSets, func(i, j int) bool { return ev.KubeSystemDaemonSets[i].Name < ev.KubeSystemDaemonSets[j].Name })
	ev.KubeSystemDaemonSetCount = len(ev.KubeSystemDaemonSets)
	ev.KubeSystemDaemonSets = kwCap(ev.KubeSystemDaemonSets)
	var deciding []string
	for _, f := range ev.CNIs {
		if f.Enforces {
			ev.Enforcing = append(ev.Enforcing, f.CNI)
			deciding = append(deciding, f.DecidedBy)
		}
	}
	found := "none"
	if len(kubeSystem) > 0 {
		found = nameList(kubeSystem, kwReasonCap)
	}
	switch {
	case len(ev.Enforcing) > 0:
		if awsNode != nil && !awsNode.Enforces {
			ev.Note = "the VPC CNI's own network policy agent is off; " + strings.Join(ev.Enforcing, " and ") + " enforces the policies"
		}
		return Outcome{Status: finding.Pass, Evidence: ev, Reason: "NetworkPolicy objects are enforced: " + strings.Join(deciding, "; ")}
	case awsNode != nil:
		return Outcome{Status: finding.Fail, Evidence: ev,
			Reason: "the Amazon VPC CNI does not enforce NetworkPolicy (" + awsNode.DecidedBy + ") and no Calico or Cilium " +
				"DaemonSet runs, so network policies are accepted and ignored; DaemonSets in kube-system: " + found}
	}
	ev.Note = "EKS Auto Mode runs the VPC CNI on its nodes, not as a DaemonSet: its network policy is on when the " +
		"amazon-vpc-cni ConfigMap in kube-system sets enable-network-policy-controller \"true\""
	return Outcome{Status: finding.Manual, Evidence: ev,
		Reason: "no DaemonSet of a network plugin eksguard recognises (aws-node, calico-node, cilium); DaemonSets in kube-system: " +
			found + ": check that the cluster's network plugin enforces NetworkPolicy (on EKS Auto Mode, the amazon-vpc-cni " +
			"ConfigMap's enable-network-policy-controller)"}
}

// vpcCNIFound judges the aws-node DaemonSet: its network policy agent container and the flag that
// turns it on.
func vpcCNIFound(ref string, images []string, spec *corev1.PodSpec) CNIFound {
	f := CNIFound{CNI: cniVPC, DaemonSet: ref, Images: images}
	var agent *corev1.Container
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		if vpcNodeAgentContainers[ct.Name] || strings.Contains(kwImageName(ct.Image), "aws-network-policy-agent") {
			agent = ct
			break
		}
	}
	if agent == nil {
		f.DecidedBy = "the aws-node DaemonSet has no network policy agent container (aws-eks-nodeagent): a VPC CNI before 1.14, or its node agent turned off"
		return f
	}
	value, set := "", false
	for _, arg := range append(append([]string{}, agent.Command...), agent.Args...) {
		switch {
		case arg == vpcNodeAgentFlag:
			value, set = "true", true
		case strings.HasPrefix(arg, vpcNodeAgentFlag+"="):
			value, set = strings.TrimPrefix(arg, vpcNodeAgentFlag+"="), true
		}
	}
	if !set {
		f.DecidedBy = fmt.Sprintf("container %s does not set %s, which defaults to false", agent.Name, vpcNodeAgentFlag)
		return f
	}
	on, err := strconv.ParseBool(value)
	switch {
	case err != nil:
		f.DecidedBy = fmt.Sprintf("container %s sets %s=%s, which is not a boolean: the agent does not start", agent.Name, vpcNodeAgentFlag, value)
	case on:
		f.Enforces = true
		f.DecidedBy = fmt.Sprintf("container %s of DaemonSet %s runs with %s=%s", agent.Name, ref, vpcNodeAgentFlag, value)
	default:
		f.DecidedBy = fmt.Sprintf("container %s runs with %s=%s", agent.Name, vpcNodeAgentFlag, value)
	}
	return f
}

// NamespaceNetworkPolicyEvidence is what the namespace network policy check counted.
type NamespaceNetworkPolicyEvidence struct {
	// Without are the judged namespaces without a network policy (at most 200).
	Without      []string `json:"without"`
	WithoutCount int      `json:"withoutCount"`
	// With are the judged namespaces with their number of policies (at most 200).
	With      []NamespacePolicies `json:"with"`
	WithCount int                 `json:"withCount"`
	Exempt    []string            `json:"exempt"`
	Note      string              `json:"note"`
}

// NamespacePolicies is a namespace and how many network policies it has.
type NamespacePolicies struct {
	Name     string `json:"name"`
	Policies int    `json:"policies"`
}

// NamespaceNetworkPolicy is CIS 4.3.2: every namespace that can run workloads has a network
// policy.
var NamespaceNetworkPolicy = register(&Check{
	ID:       "k8s-namespace-network-policy",
	Title:    "Every namespace has a network policy",
	Summary:  "every namespace but kube-system, kube-public and kube-node-lease has at least one NetworkPolicy",
	Severity: SeverityMedium,
	Rationale: "A pod that no NetworkPolicy selects accepts traffic from every pod in the cluster and sends traffic " +
		"anywhere. A namespace without a policy (usually a default-deny one to start from) leaves all of its pods " +
		"open, so one compromised pod anywhere in the cluster can reach them.",
	Links: []Link{
		{Title: "Kubernetes: Network Policies", URL: "https://kubernetes.io/docs/concepts/services-networking/network-policies/"},
		{Title: "EKS Best Practices: Network security", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html"},
		{Title: "Limit pod traffic with Kubernetes network policies", URL: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: []APICall{kwListNamespaces, kubeCall("list networkpolicies", "every NetworkPolicy's namespace")},
	PassRule: "Every namespace except kube-system, kube-public and kube-node-lease has at least one NetworkPolicy " +
		"(those three run no user workload: kube-system holds EKS's own components, most on the host's network, " +
		"and the other two hold no pods). default is judged like any other namespace, so a cluster with nothing " +
		"deployed fails until default has a policy. Policies are counted, not read: whether they restrict enough " +
		"is for a person to judge, and whether they are enforced is k8s-cni-network-policy's question.",
	Defaults: "Kubernetes creates no NetworkPolicy: every namespace starts open.",
	Advice: "give each namespace a default-deny policy and allow what its pods need: kubectl apply -n NAME -f - " +
		"with a NetworkPolicy whose podSelector is {} and policyTypes [Ingress, Egress] (and allow DNS to " +
		"kube-system's CoreDNS)",
	judge: judgeNamespaceNetworkPolicy,
})

func judgeNamespaceNetworkPolicy(c *model.Cluster) Outcome {
	kube := c.Kube
	ev := &NamespaceNetworkPolicyEvidence{Without: []string{}, With: []NamespacePolicies{},
		Exempt: kwSortedKeys(kwSystemNamespaces),
		Note:   "policies are counted, not judged: a namespace whose one policy allows everything has a policy"}
	policies := map[string]int{}
	for _, np := range kube.NetworkPolicies {
		policies[np.Namespace]++
	}
	seen := map[string]bool{}
	var without []string
	for _, ns := range kube.Namespaces {
		if kwSystemNamespaces[ns.Name] || seen[ns.Name] {
			continue
		}
		seen[ns.Name] = true
		if n := policies[ns.Name]; n > 0 {
			ev.With = append(ev.With, NamespacePolicies{Name: ns.Name, Policies: n})
		} else {
			without = append(without, ns.Name)
		}
	}
	sort.Strings(without)
	sort.Slice(ev.With, func(i, j int) bool { return ev.With[i].Name < ev.With[j].Name })
	ev.WithoutCount, ev.WithCount = len(without), len(ev.With)
	ev.Without, ev.With = kwCap(without), kwCap(ev.With)
	judged := len(without) + ev.WithCount
	switch {
	case judged == 0:
		return Outcome{Status: finding.Pass, Evidence: ev, Reason: "no namespace besides kube-system, kube-public and kube-node-lease to judge"}
	case len(without) == 0:
		return Outcome{Status: finding.Pass, Evidence: ev,
			Reason: fmt.Sprintf("all %s (besides kube-system, kube-public and kube-node-lease) have a NetworkPolicy", count(judged, "namespace", "namespaces"))}
	}
	return Outcome{Status: finding.Fail, Evidence: ev,
		Reason: fmt.Sprintf("%s of %d (besides kube-system, kube-public and kube-node-lease) %s no NetworkPolicy, so nothing restricts %s pods' traffic: %s",
			count(len(without), "namespace", "namespaces"), judged, kwVerb(len(without), "has", "have"), kwVerb(len(without), "its", "their"),
			nameList(without, kwReasonCap))}
}
