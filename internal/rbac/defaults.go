package rbac

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// This file is the one place that says which RBAC objects and identities are Kubernetes' own or
// EKS's own. The 4.1.x controls are about what a cluster's owners added: a fresh EKS cluster already
// holds cluster-admin bindings, wildcard roles and controllers that create pods and read secrets,
// and a check that reports those fails every compliant cluster (kube-bench's 4.1.1 and 4.1.3 do).
//
// A grant is Default only when its role, its binding and its subject are all default, and the rule
// came from a default role. Each part alone is easy to borrow, and the borrowed cases are exactly
// what the controls exist to find:
//   - a user's own binding to the built-in cluster-admin (default role, user's binding),
//   - a user added to the bootstrap cluster-admin binding (default role and binding, user's subject),
//   - a user's binding that merely calls itself system:something (the subject gives it away),
//   - a user's ClusterRole labelled to aggregate into edit (default role, user's rule).
//
// The lists match names: Kubernetes reserves the system: prefix and EKS the eks: prefix by
// convention, and creating objects under those names needs the bind/escalate powers that 4.1.8
// reports anyway. Namespaced roles and bindings count only in kube-system and kube-public, where
// Kubernetes and EKS put theirs.

// names matches object or identity names exactly or by prefix.
type names struct {
	exact    []string
	prefixes []string
}

func (n names) has(name string) bool {
	if slices.Contains(n.exact, name) {
		return true
	}
	for _, p := range n.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// defaultClusterRoles are the ClusterRoles a fresh EKS cluster ships.
var defaultClusterRoles = names{
	exact: []string{
		// Kubernetes' user-facing roles from the bootstrap policy; admin, edit and view are
		// aggregated, so what users add to them is judged by rule origin, not here.
		"cluster-admin", "admin", "edit", "view",
		// The Amazon VPC CNI (aws-node DaemonSet), installed in every EKS cluster.
		"aws-node",
		// EKS's VPC resource controller (security groups for pods, Windows IPAM), run by EKS.
		"vpc-resource-controller-role",
	},
	prefixes: []string{
		// Kubernetes' bootstrap policy: system:controller:*, system:node, system:aggregate-to-*,
		// system:coredns (the CoreDNS add-on keeps the upstream name), ...
		"system:",
		// EKS's control-plane components and managed add-ons (eks:addon-manager, eks:node-manager, ...).
		"eks:",
		// The EBS and EFS CSI drivers as EKS add-ons name their roles like this.
		"ebs-csi-", "ebs-external-", "efs-csi-",
	},
}

// defaultRoles are the namespaced Roles Kubernetes and EKS create in defaultNamespaces.
var defaultRoles = names{
	exact: []string{
		// Bootstrap policy: lets aggregated API servers read the client-CA ConfigMap.
		"extension-apiserver-authentication-reader",
		// EKS's VPC resource controller, as for its ClusterRole.
		"eks-vpc-resource-controller-role",
	},
	prefixes: []string{"system:", "eks:", "ebs-csi-", "efs-csi-"},
}

// defaultClusterRoleBindings are the ClusterRoleBindings a fresh EKS cluster ships.
var defaultClusterRoleBindings = names{
	exact: []string{
		// The bootstrap binding of cluster-admin to Group system:masters: its name has no system:
		// prefix, and 4.1.1 must not fail because of it.
		"cluster-admin",
		// The VPC CNI binds its ClusterRole to ServiceAccount kube-system/aws-node.
		"aws-node",
		// EKS's VPC resource controller.
		"vpc-resource-controller-rolebinding",
	},
	prefixes: []string{"system:", "eks:", "ebs-csi-", "efs-csi-"},
}

// defaultRoleBindings are the RoleBindings Kubernetes and EKS create in defaultNamespaces
// (the bootstrap ones are named system::leader-locking-..., system:controller:...).
var defaultRoleBindings = names{
	exact:    []string{"eks-vpc-resource-controller-rolebinding"},
	prefixes: []string{"system:", "eks:", "ebs-csi-", "efs-csi-"},
}

// defaultNamespaces hold the namespaced Roles and RoleBindings of Kubernetes and EKS; a Role
// called system:x in a team's namespace is that team's.
var defaultNamespaces = []string{"kube-system", "kube-public"}

// defaultIdentities are the Users and Groups of the control plane itself. They are default in any
// default binding; a user's binding to them is still the user's.
var defaultIdentities = names{
	exact: []string{
		// The bootstrap group that holds cluster-admin. Who is in it is decided by aws-auth or
		// access entries (4.1.7), not by RBAC.
		"system:masters",
		// Kubelets; the Node authorizer restricts them further.
		"system:nodes",
	},
	prefixes: []string{
		// system:kube-controller-manager, system:kube-scheduler, system:kube-proxy.
		"system:kube-",
		// EKS's control-plane identities (eks:addon-manager, eks:node-manager, eks:k8s-metrics...).
		// Mapping an IAM principal to such a name (aws-auth, access entries) is 4.1.7's concern.
		"eks:",
	},
}

// audienceBindings are the default bindings that grant something to a broad audience, and the groups
// they grant it to. These groups are default only here: system:authenticated added to the
// cluster-admin binding is the worst grant a cluster can have.
var audienceBindings = map[string][]string{
	// Discovery, health and version endpoints, and self-access reviews (bootstrap policy).
	"ClusterRoleBinding/system:discovery":          {"system:authenticated"},
	"ClusterRoleBinding/system:basic-user":         {"system:authenticated"},
	"ClusterRoleBinding/system:public-info-viewer": {"system:authenticated", "system:unauthenticated"},
	// The OIDC discovery document that service account token issuers publish.
	"ClusterRoleBinding/system:service-account-issuer-discovery": {"system:serviceaccounts"},
	// The group Kubernetes reserves for reading /metrics and health endpoints.
	"ClusterRoleBinding/system:monitoring": {"system:monitoring"},
	// EKS: nodes joining with a bootstrap identity may request their client certificate.
	"ClusterRoleBinding/eks:node-bootstrapper": {"system:bootstrappers"},
	// EKS up to 1.24 bound the eks.privileged PodSecurityPolicy to everyone; upgraded clusters
	// that still carry it should not fail 4.1.x over it.
	"ClusterRoleBinding/eks:podsecuritypolicy:authenticated": {"system:authenticated"},
}

// defaultServiceAccounts are the kube-system ServiceAccounts that Kubernetes' components and EKS's
// add-ons run as. aws-load-balancer-controller is deliberately absent: users install it (Helm or
// manifests) and decide its rights, so its grants are theirs to justify.
var defaultServiceAccounts = names{
	exact: []string{
		"coredns", "kube-dns", // cluster DNS (EKS add-on; kube-dns is the upstream binding's name)
		"kube-proxy",                                // EKS add-on
		"aws-node",                                  // Amazon VPC CNI (EKS add-on)
		"kube-controller-manager", "kube-scheduler", // leader-election RoleBindings of the bootstrap policy
	},
	prefixes: []string{
		"ebs-csi-", "efs-csi-", // EBS and EFS CSI drivers (EKS add-ons)
	},
}

// controllerBindingPrefix names the bootstrap bindings of the controller manager's per-controller
// identities: system:controller:<name> binds ServiceAccount kube-system/<name>. Matching the
// convention keeps the list of 30-odd controllers, which changes with every release, out of here.
const controllerBindingPrefix = "system:controller:"

func defaultRole(kind, namespace, name string) bool {
	if kind == "ClusterRole" {
		return defaultClusterRoles.has(name)
	}
	return slices.Contains(defaultNamespaces, namespace) && defaultRoles.has(name)
}

func defaultBinding(kind, namespace, name string) bool {
	if kind == "ClusterRoleBinding" {
		return defaultClusterRoleBindings.has(name)
	}
	return slices.Contains(defaultNamespaces, namespace) && defaultRoleBindings.has(name)
}

// defaultSubject says whether subject is one Kubernetes or EKS binds in the binding named
// bindingRef ("ClusterRoleBinding/x") whose object name is bindingName. subject's ServiceAccount
// namespace is already filled in.
func defaultSubject(subject rbacv1.Subject, bindingRef, bindingName string) bool {
	switch subject.Kind {
	case rbacv1.UserKind, rbacv1.GroupKind:
		if defaultIdentities.has(subject.Name) {
			return true
		}
		return subject.Kind == rbacv1.GroupKind && slices.Contains(audienceBindings[bindingRef], subject.Name)
	case rbacv1.ServiceAccountKind:
		if subject.Namespace != "kube-system" {
			return false
		}
		return defaultServiceAccounts.has(subject.Name) || bindingName == controllerBindingPrefix+subject.Name
	}
	return false
}
