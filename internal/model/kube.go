package model

import (
	"encoding/json"
	"sync"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// The parts read from the cluster's Kubernetes API rather than from AWS
// (docs/kubernetes-controls.md).
const (
	// PartKubernetes: namespaces, pods, workloads, service accounts, RBAC, network policies, CSI
	// drivers and the objects of the default namespace, listed through the Kubernetes API.
	PartKubernetes Part = "kubernetes"
	// PartKubelet: every node's kubelet configuration, GET /api/v1/nodes/NAME/proxy/configz.
	PartKubelet Part = "kubelet"
)

// SourceKubeconfig is a cluster read only through its Kubernetes API with a kubeconfig (scan
// --kubeconfig): no AWS call is made, so only the Kubernetes controls judge it.
const SourceKubeconfig Source = "kubeconfig"

// KubeOnly reports whether the cluster was read only from its Kubernetes API.
func (s Source) KubeOnly() bool { return s == SourceKubeconfig }

// Kube is what eksguard read from a cluster's Kubernetes API. Lists are complete (every page) or
// their failure is in Errors; the whole read failing (an endpoint that cannot be reached, a token
// the cluster refuses) is Error.
type Kube struct {
	// Server is the API server's URL; Auth how eksguard authenticated ("eks token as
	// arn:aws:iam::...", "kubeconfig context NAME").
	Server string `json:"server"`
	Auth   string `json:"auth,omitempty"`
	// GitVersion is the API server's version (GET /version).
	GitVersion string `json:"gitVersion,omitempty"`
	// Error says why the API could not be read at all: every Kubernetes control of the cluster is
	// then ERROR with this reason, and the AWS controls stand.
	Error string `json:"error,omitempty"`
	// Errors are reads that failed; Operation is the verb and resource ("list pods",
	// "get nodes/proxy"), which the checks that need it name in their ERROR.
	Errors []Error `json:"errors,omitempty"`

	Namespaces      []Namespace      `json:"namespaces"`
	Pods            []Pod            `json:"pods"`
	Workloads       []Workload       `json:"workloads"`
	ServiceAccounts []ServiceAccount `json:"serviceAccounts"`

	Roles               []rbacv1.Role               `json:"roles"`
	ClusterRoles        []rbacv1.ClusterRole        `json:"clusterRoles"`
	RoleBindings        []rbacv1.RoleBinding        `json:"roleBindings"`
	ClusterRoleBindings []rbacv1.ClusterRoleBinding `json:"clusterRoleBindings"`

	NetworkPolicies []ObjectRef `json:"networkPolicies"`
	// CSIDrivers are the names of the cluster's CSIDriver objects (secrets-store.csi.k8s.io tells
	// of an external secret store).
	CSIDrivers []string `json:"csiDrivers"`
	// DefaultObjects are the objects found in the default namespace, of the kinds eksguard lists
	// there (docs/kubernetes-controls.md), including those Kubernetes creates itself.
	DefaultObjects []ObjectRef `json:"defaultObjects"`

	// Nodes are the cluster's nodes, with their kubelet configuration when PartKubelet was read.
	Nodes []Node `json:"nodes"`

	memo *kubeMemo
}

// Namespace is a namespace and its labels (pod-security.kubernetes.io/enforce, ...).
type Namespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Pod is a pod as the checks need it: its identity, owner, phase and spec.
type Pod struct {
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Owner is the controlling owner, "ReplicaSet/web-5d8f", empty for a bare pod.
	Owner string `json:"owner,omitempty"`
	// Phase is Pending, Running, Succeeded, Failed or Unknown.
	Phase string         `json:"phase,omitempty"`
	Spec  corev1.PodSpec `json:"spec"`
}

// Workload is a controller's pod template: Deployment, StatefulSet, DaemonSet, ReplicaSet and Job
// without an owner, and CronJob (its job template's pod template).
type Workload struct {
	Kind      string                 `json:"kind"`
	Namespace string                 `json:"namespace"`
	Name      string                 `json:"name"`
	Template  corev1.PodTemplateSpec `json:"template"`
}

// ServiceAccount is a service account and whether it mounts its token by default.
type ServiceAccount struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// AutomountToken is automountServiceAccountToken; nil when not set (Kubernetes then mounts).
	AutomountToken *bool `json:"automountServiceAccountToken,omitempty"`
}

// ObjectRef names an object: kind, namespace (empty for cluster-scoped) and name.
type ObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String is "Kind/namespace/name" or "Kind/name".
func (o ObjectRef) String() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// Node is a node and, when read, its kubelet's configuration.
type Node struct {
	Name           string `json:"name"`
	KubeletVersion string `json:"kubeletVersion,omitempty"`
	OSImage        string `json:"osImage,omitempty"`
	// Kubelet is the kubeletconfig object the node's /configz answered (JSON, as the kubelet
	// serves it); KubeletError says why it could not be read.
	Kubelet      json.RawMessage `json:"kubeletConfig,omitempty"`
	KubeletError string          `json:"kubeletError,omitempty"`
}

// kubeMemo caches what checks derive from a Kube once (the RBAC evaluation), so that a dozen
// checks of one cluster build it once.
type kubeMemo struct {
	mu sync.Mutex
	m  map[string]any
}

var memoInit sync.Mutex

// Memo returns the value built for key, building it on first use. Safe for concurrent use once
// the Kube is no longer being filled.
func (k *Kube) Memo(key string, build func() any) any {
	memoInit.Lock()
	if k.memo == nil {
		k.memo = &kubeMemo{}
	}
	memoInit.Unlock()
	k.memo.mu.Lock()
	defer k.memo.mu.Unlock()
	if v, ok := k.memo.m[key]; ok {
		return v
	}
	if k.memo.m == nil {
		k.memo.m = map[string]any{}
	}
	v := build()
	k.memo.m[key] = v
	return v
}

// FailedRead returns the errors of the reads named (operations such as "list pods").
func (k *Kube) FailedRead(ops ...string) []Error {
	var out []Error
	for _, e := range k.Errors {
		for _, op := range ops {
			if e.Operation == op {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
