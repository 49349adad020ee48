package check

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// The checks of CIS 4.2–4.5 (docs/kubernetes-workloads.md) share the helpers below; their names
// start with kw (Kubernetes workloads) so that they stay apart from those of other files.

const (
	// kwListCap is how many entries an evidence list of these checks holds; the total is given
	// beside it.
	kwListCap = 200
	// kwReasonCap is how many names a reason gives before "and N more".
	kwReasonCap = 20
	// kwKubeSystem is the namespace of the cluster's own components.
	kwKubeSystem = "kube-system"
)

// kwSystemNamespaces run no user workload: Kubernetes creates them for itself (kube-public,
// kube-node-lease) or for the cluster's own components (kube-system).
var kwSystemNamespaces = map[string]bool{kwKubeSystem: true, "kube-public": true, "kube-node-lease": true}

// kwActive reports whether a pod runs or is about to (phase Running or Pending; a pod whose phase
// was not reported counts as running). Succeeded, Failed and Unknown pods run no container.
func kwActive(p *model.Pod) bool {
	return p.Phase == "" || p.Phase == "Running" || p.Phase == "Pending"
}

// kwCap returns at most kwListCap elements of list.
func kwCap[T any](list []T) []T {
	if len(list) > kwListCap {
		return list[:kwListCap]
	}
	return list
}

// kwSortedKeys returns a map's keys in order.
func kwSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// kwVerb picks the verb's form for a count: kwVerb(n, "has", "have").
func kwVerb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// kwNamespaceCalls are the reads of the namespace checks.
var (
	kwListNamespaces = kubeCall("list namespaces", "every namespace and its labels")
	kwListPods       = kubeCall("list pods", "every pod: namespace, owner, phase and spec")
)

// NamespaceBoundaryEvidence is what the namespace boundaries check lists for a person to review.
type NamespaceBoundaryEvidence struct {
	Namespaces     []NamespaceSummary `json:"namespaces"`
	NamespaceCount int                `json:"namespaceCount"`
	// PodCount counts every pod listed, of any phase.
	PodCount int `json:"podCount"`
	// UnlistedNamespaces are namespaces that hold pods but were not in the namespace list (being
	// deleted while eksguard read the cluster).
	UnlistedNamespaces []string `json:"unlistedNamespaces,omitempty"`
}

// NamespaceSummary is one namespace: its pods and labels.
type NamespaceSummary struct {
	Name       string            `json:"name"`
	Pods       int               `json:"pods"`
	ActivePods int               `json:"activePods"`
	System     bool              `json:"system,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// NamespaceBoundaries is CIS 4.5.1: whether namespaces separate teams and applications is for a
// person to judge, with the namespaces, their pods and labels as evidence.
var NamespaceBoundaries = register(&Check{
	ID:       "k8s-namespace-boundaries",
	Title:    "Namespaces form administrative boundaries between resources",
	Summary:  "a person reviews the namespaces, their pods and labels (always MANUAL)",
	Severity: SeverityLow,
	Rationale: "Namespaces are where Kubernetes scopes RBAC roles, Pod Security enforcement, network policies, " +
		"resource quotas and limit ranges. Workloads of different teams, applications or trust levels that share " +
		"a namespace share all of those, so one compromised or misconfigured workload reaches the others' secrets, " +
		"service accounts and network.",
	Links: []Link{
		{Title: "Kubernetes: Namespaces", URL: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"},
		{Title: "EKS Best Practices: Tenant isolation", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/tenant-isolation.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: []APICall{kwListNamespaces, kwListPods},
	PassRule: "Never decided by eksguard: the check is always MANUAL. Its evidence lists every namespace (up to " +
		"200, with the total) with its number of pods, of running pods and its labels, and the reason says how " +
		"many namespaces hold running workloads and how many of those run in default. A person judges whether " +
		"the namespaces follow the boundaries of teams, applications and environments.",
	Defaults: "A cluster starts with default, kube-system, kube-public and kube-node-lease; workloads deployed " +
		"without a namespace land in default.",
	Advice: "create a namespace per team, application or environment (kubectl create namespace NAME), move " +
		"workloads there and give each namespace its own RBAC bindings, Pod Security labels, network policies " +
		"and resource quotas",
	judge: judgeNamespaceBoundaries,
})

func judgeNamespaceBoundaries(c *model.Cluster) Outcome {
	kube := c.Kube
	ev := &NamespaceBoundaryEvidence{Namespaces: []NamespaceSummary{}, PodCount: len(kube.Pods)}
	byName := map[string]*NamespaceSummary{}
	for _, ns := range kube.Namespaces {
		byName[ns.Name] = &NamespaceSummary{Name: ns.Name, Labels: ns.Labels, System: kwSystemNamespaces[ns.Name]}
	}
	unlisted := map[string]bool{}
	for i := range kube.Pods {
		p := &kube.Pods[i]
		s, ok := byName[p.Namespace]
		if !ok {
			unlisted[p.Namespace] = true
			s = &NamespaceSummary{Name: p.Namespace, System: kwSystemNamespaces[p.Namespace]}
			byName[p.Namespace] = s
		}
		s.Pods++
		if kwActive(p) {
			s.ActivePods++
		}
	}
	ev.UnlistedNamespaces = kwSortedKeys(unlisted)
	var withPods []string
	userPods, defaultPods := 0, 0
	for _, name := range kwSortedKeys(byName) {
		s := byName[name]
		ev.Namespaces = append(ev.Namespaces, *s)
		if s.System || s.ActivePods == 0 {
			continue
		}
		withPods = append(withPods, name)
		userPods += s.ActivePods
		if name == "default" {
			defaultPods = s.ActivePods
		}
	}
	ev.NamespaceCount = len(ev.Namespaces)
	ev.Namespaces = kwCap(ev.Namespaces)
	var found string
	switch {
	case userPods == 0:
		found = fmt.Sprintf("%s and no running pod outside kube-system, kube-public and kube-node-lease", count(ev.NamespaceCount, "namespace", "namespaces"))
	default:
		found = fmt.Sprintf("%s; %s outside kube-system, kube-public and kube-node-lease %s in %s (%s)",
			count(ev.NamespaceCount, "namespace", "namespaces"), count(userPods, "running pod", "running pods"), kwVerb(userPods, "runs", "run"),
			count(len(withPods), "namespace", "namespaces"), nameList(withPods, kwReasonCap))
		if defaultPods > 0 {
			found += fmt.Sprintf(", %d of them in default", defaultPods)
		}
	}
	return Outcome{Status: finding.Manual, Evidence: ev,
		Reason: found + ": whether the namespaces separate teams, applications and environments is for a person to judge"}
}

// DefaultNamespaceEvidence is what the default namespace check found there.
type DefaultNamespaceEvidence struct {
	// Objects are those beyond what Kubernetes creates in default.
	Objects     []string `json:"objects"`
	ObjectCount int      `json:"objectCount"`
	// Kubernetes are the objects Kubernetes itself keeps there, which do not count.
	Kubernetes []string `json:"kubernetes"`
	// Events counts the events in default, which do not count either.
	Events int    `json:"events,omitempty"`
	Note   string `json:"note"`
}

// kwDefaultNamespaceReads are the lists the default namespace's objects come from: services,
// config maps, persistent volume claims and ingresses listed in default, and the pods, service
// accounts, workloads, roles and role bindings of the cluster-wide lists that are in default.
// Secrets are not read.
var kwDefaultNamespaceReads = []APICall{
	kubeCall("list services", "the services of the default namespace"),
	kubeCall("list configmaps", "the config maps of the default namespace"),
	kubeCall("list persistentvolumeclaims", "the persistent volume claims of the default namespace"),
	kubeCall("list ingresses", "the ingresses of the default namespace"),
	kwListPods,
	kubeCall("list serviceaccounts", "the service accounts of the default namespace"),
	kwListDeployments, kwListStatefulSets, kwListDaemonSets, kwListReplicaSets, kwListJobs, kwListCronJobs,
	kubeCall("list roles", "the Roles of the default namespace"),
	kubeCall("list rolebindings", "the RoleBindings of the default namespace"),
}

// kwLegacyTokenSecret is the name of the token secret Kubernetes before 1.24 created for the
// default service account (default-token-xxxxx); an upgraded cluster may still hold one.
var kwLegacyTokenSecret = regexp.MustCompile(`^default-token-[a-z0-9]{5}$`)

// kwKubernetesOwned reports whether Kubernetes itself creates an object of the default namespace:
// the kubernetes Service with its Endpoints and EndpointSlice, the default ServiceAccount (and
// the legacy token secret of one), the kube-root-ca.crt ConfigMap, and events.
func kwKubernetesOwned(o model.ObjectRef) (owned, event bool) {
	kind := o.Kind
	if i := strings.IndexByte(kind, '.'); i >= 0 {
		kind = kind[:i] // EndpointSlice.discovery.k8s.io, Event.events.k8s.io
	}
	switch kind {
	case "Event":
		return true, true
	case "Service", "Endpoints", "EndpointSlice":
		return o.Name == "kubernetes", false
	case "ServiceAccount":
		return o.Name == "default", false
	case "ConfigMap":
		return o.Name == "kube-root-ca.crt", false
	case "Secret":
		return kwLegacyTokenSecret.MatchString(o.Name), false
	}
	return false, false
}

// DefaultNamespace is CIS 4.5.2: the default namespace holds nothing beyond what Kubernetes puts
// there.
var DefaultNamespace = register(&Check{
	ID:       "k8s-default-namespace",
	Title:    "The default namespace is not used",
	Summary:  "no object in default beyond the kubernetes Service, its endpoints, the default ServiceAccount, kube-root-ca.crt and events",
	Severity: SeverityLow,
	Rationale: "Workloads deployed without choosing a namespace land in default, where nobody planned RBAC, Pod " +
		"Security labels, network policies or quotas for them, and where they share all of these with anything " +
		"else deployed carelessly.",
	Links: []Link{
		{Title: "Kubernetes: Namespaces", URL: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"},
		{Title: "EKS Best Practices: Tenant isolation", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/tenant-isolation.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartKubernetes},
	Calls: kwDefaultNamespaceReads,
	PassRule: "Every object eksguard lists in the default namespace (services, config maps, persistent volume " +
		"claims, ingresses, pods, workloads, service accounts, roles and role bindings; never secrets, which " +
		"eksguard does not read) is one Kubernetes creates itself: the " +
		"Service, Endpoints and EndpointSlice named kubernetes, the ServiceAccount default, the ConfigMap " +
		"kube-root-ca.crt, events of any name, and on a cluster created before Kubernetes 1.24 the default " +
		"service account's token secret default-token-xxxxx. Any other object fails, by kind and name.",
	Defaults: "Kubernetes creates only the objects above in default; kubectl and Helm put whatever is applied " +
		"without a namespace there.",
	Advice: "move the objects to a namespace of their own: create it (kubectl create namespace NAME), apply the " +
		"manifests with -n NAME (or metadata.namespace), then delete them from default",
	judge: judgeDefaultNamespace,
})

func judgeDefaultNamespace(c *model.Cluster) Outcome {
	ev := &DefaultNamespaceEvidence{Objects: []string{}, Kubernetes: []string{},
		Note: "secrets are not read, so a Secret in default is not seen; the kinds listed are services, config maps, " +
			"persistent volume claims, ingresses, pods, workloads, service accounts, roles and role bindings"}
	var others []string
	seen := map[string]bool{}
	for _, o := range c.Kube.DefaultObjects {
		if o.Namespace != "" && o.Namespace != "default" {
			continue
		}
		name := o.Kind + "/" + o.Name
		if seen[name] {
			continue
		}
		seen[name] = true
		owned, event := kwKubernetesOwned(o)
		switch {
		case event:
			ev.Events++
		case owned:
			ev.Kubernetes = append(ev.Kubernetes, name)
		default:
			others = append(others, name)
		}
	}
	sort.Strings(ev.Kubernetes)
	sort.Strings(others)
	ev.ObjectCount = len(others)
	ev.Objects = kwCap(others)
	if len(others) == 0 {
		what := "nothing"
		if len(ev.Kubernetes) > 0 {
			what = nameList(ev.Kubernetes, kwReasonCap)
		}
		if ev.Events > 0 {
			what += " and " + count(ev.Events, "event", "events")
		}
		return Outcome{Status: finding.Pass, Evidence: ev,
			Reason: "the default namespace holds only what Kubernetes creates there: " + what}
	}
	return Outcome{Status: finding.Fail, Evidence: ev,
		Reason: fmt.Sprintf("the default namespace holds %s beyond what Kubernetes creates there: %s",
			count(len(others), "object", "objects"), nameList(others, kwReasonCap))}
}
