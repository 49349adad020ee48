package check

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/rbac"
)

// The service account checks of CIS 4.1.5, 4.1.6 and 5.2.1 (docs/kubernetes-rbac.md, rules KR7 ...
// KR9): default service accounts that are used, bound or mount their token, and pods that mount a
// token their account has no use for.

// krDefaultSA is the name of the service account Kubernetes creates in every namespace.
const krDefaultSA = "default"

// krMirrorAnnotation marks a static pod's mirror in the API: it has no service account and no token.
const krMirrorAnnotation = "kubernetes.io/config.mirror"

// krComponents are the workloads Kubernetes and EKS run in kube-system, by kind and name (KR7):
// the add-ons of every EKS cluster (VPC CNI, kube-proxy, CoreDNS) and the EKS add-ons whose RBAC
// package rbac counts as EKS's own (EBS and EFS CSI drivers), and the EKS Pod Identity agent, which
// runs as kube-system's default service account in the versions that ship no account of its own.
// Prefixes end in "-".
var krComponents = []string{
	"DaemonSet/aws-node", "DaemonSet/kube-proxy", "DaemonSet/eks-pod-identity-agent", "Deployment/coredns",
	"DaemonSet/ebs-csi-", "Deployment/ebs-csi-", "DaemonSet/efs-csi-", "Deployment/efs-csi-",
}

// krPodWorkload is the workload that controls a pod, "Kind/name". A scan already names the owner's
// owner (Deployment/x); where only a ReplicaSet named NAME-HASH is known it is taken for Deployment
// NAME, as the Deployment controller names them.
func krPodWorkload(p model.Pod) string {
	kind, name, ok := strings.Cut(p.Owner, "/")
	if !ok {
		return ""
	}
	if kind == "ReplicaSet" {
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			return "Deployment/" + name[:i]
		}
	}
	return kind + "/" + name
}

// krComponent reports whether a pod is one of Kubernetes' or EKS's own components in kube-system.
func krComponent(p model.Pod) bool {
	if p.Namespace != "kube-system" {
		return false
	}
	w := krPodWorkload(p)
	for _, c := range krComponents {
		if w == c || (strings.HasSuffix(c, "-") && strings.HasPrefix(w, c)) {
			return true
		}
	}
	return false
}

// krPodAccount is the service account a pod runs as: spec.serviceAccountName, else the deprecated
// spec.serviceAccount, else default, as the ServiceAccount admission plugin fills it in.
func krPodAccount(p model.Pod) string {
	switch {
	case p.Spec.ServiceAccountName != "":
		return p.Spec.ServiceAccountName
	case p.Spec.DeprecatedServiceAccount != "":
		return p.Spec.DeprecatedServiceAccount
	}
	return krDefaultSA
}

func krMirrorPod(p model.Pod) bool {
	_, ok := p.Annotations[krMirrorAnnotation]
	return ok
}

// ServiceAccountPod is a pod in the evidence of a service account check.
type ServiceAccountPod struct {
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	ServiceAccount string `json:"serviceAccount"`
	Owner          string `json:"owner,omitempty"`
	Phase          string `json:"phase,omitempty"`
	// Token says how a Kubernetes API token gets into the pod (k8s-service-account-token-mount).
	Token string `json:"token,omitempty"`
}

func krPodRef(p model.Pod) ServiceAccountPod {
	return ServiceAccountPod{Namespace: p.Namespace, Name: p.Name, ServiceAccount: krPodAccount(p), Owner: p.Owner, Phase: p.Phase}
}

// ServiceAccountBinding is a binding that names a default service account.
type ServiceAccountBinding struct {
	Binding string `json:"binding"`
	// Role is the role referenced, "ClusterRole/x" or "Role/ns/x".
	Role           string `json:"role"`
	ServiceAccount string `json:"serviceAccount"`
	// Namespace is where the grant applies; empty for a ClusterRoleBinding (cluster-wide).
	Namespace string `json:"namespace,omitempty"`
}

// DefaultServiceAccountEvidence is what k8s-default-service-account and
// k8s-dedicated-service-accounts saw.
type DefaultServiceAccountEvidence struct {
	// DefaultAccounts counts the default service accounts listed (one per namespace).
	DefaultAccounts int `json:"defaultAccounts"`
	// Automounting are the default service accounts, "namespace/default", that do not set
	// automountServiceAccountToken to false (at most 200).
	Automounting      []string `json:"automounting"`
	AutomountingTotal int      `json:"automountingTotal"`
	// Bindings are the RoleBindings and ClusterRoleBindings that name a default service account.
	Bindings      []ServiceAccountBinding `json:"bindings"`
	BindingsTotal int                     `json:"bindingsTotal"`
	// GroupGrants are grants that are not Kubernetes' or EKS's own to the groups every service
	// account of a namespace, or of the cluster, is in: default service accounts hold them with the
	// rest, and the RBAC checks judge them. A note, not a failure.
	GroupGrants      []RBACGrant `json:"groupGrants,omitempty"`
	GroupGrantsTotal int         `json:"groupGrantsTotal,omitempty"`
	// Pods are the pods that run as their namespace's default service account
	// (k8s-default-service-account only).
	Pods      []ServiceAccountPod `json:"pods,omitempty"`
	PodsTotal int                 `json:"podsTotal,omitempty"`
	// Components are Kubernetes' and EKS's own pods in kube-system that run as the default service
	// account: not judged.
	Components      []string `json:"components,omitempty"`
	ComponentsTotal int      `json:"componentsTotal,omitempty"`
	Context
}

// KubeDefaultServiceAccount passes when no namespace's default service account is in use (CIS
// 4.1.5).
var KubeDefaultServiceAccount = register(&Check{
	ID:       "k8s-default-service-account",
	Title:    "Default service accounts not used",
	Summary:  "no pod runs as a default service account, none is bound to a role, and each sets automountServiceAccountToken: false",
	Severity: SeverityMedium,
	Rationale: "Every pod that names no service account runs as its namespace's default one, so rights given to " +
		"it go to every such pod, and its token is in each of them unless automounting is off. Workloads that " +
		"need the Kubernetes API should have an account of their own, with only the rights they use; the default " +
		"account should hold nothing and mount nothing.",
	Links: []Link{
		{Title: "Configure Service Accounts for Pods", URL: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"},
		{Title: "Service Accounts", URL: "https://kubernetes.io/docs/concepts/security/service-accounts/"},
		krLinkRBACGood, krLinkEKSIAM, krLinkCIS,
	},
	Parts: krParts,
	Calls: append([]APICall{krListPods, krListServiceAccounts}, krRBACReads...),
	PassRule: "PASS when, in every namespace, kube-system included: (1) no pod runs as the default service account " +
		"(spec.serviceAccountName empty or default), except Kubernetes' and EKS's own components in kube-system " +
		"(aws-node, kube-proxy, CoreDNS, the EKS Pod Identity agent, the EBS and EFS CSI drivers), which are listed " +
		"and not judged; (2) no RoleBinding or ClusterRoleBinding names the default service account (Kubernetes and " +
		"EKS bind none); (3) the default service account sets automountServiceAccountToken: false. Pods of every " +
		"phase count: a finished Job's pod shows what its CronJob runs as. Mirror pods of static pods have no " +
		"service account and are skipped. Grants to the groups all service accounts are in " +
		"(system:serviceaccounts, system:serviceaccounts:NAMESPACE) reach the default account too; they are " +
		"listed as a note and judged by the RBAC checks. Workloads not running when the cluster was read (a " +
		"Deployment scaled to zero, a CronJob between runs) are not seen.",
	Defaults: "Kubernetes creates a default service account in every namespace without automountServiceAccountToken, " +
		"so its token is mounted: a fresh EKS cluster fails (3) for default, kube-node-lease, kube-public and " +
		"kube-system until they are set to false, as the benchmark asks. Its own add-ons run as accounts of their " +
		"own (aws-node, kube-proxy, coredns).",
	Advice: "Give each workload named its own service account (kubectl create serviceaccount NAME -n NAMESPACE, " +
		"then spec.serviceAccountName in its pod template) with only the RBAC it needs; move what the bindings " +
		"named give the default account to that account; and turn off automounting on every default account: " +
		"kubectl patch serviceaccount default -n NAMESPACE -p '{\"automountServiceAccountToken\": false}' for each " +
		"namespace named. A pod that needs the token while running as default can still set " +
		"automountServiceAccountToken: true itself. Record what you judged necessary with a waiver.",
	judge: func(c *model.Cluster) Outcome { return krJudgeDefaultAccounts(c, true) },
})

// KubeDedicatedServiceAccounts passes when every default service account is unbound and does not
// mount its token (CIS 5.2.1).
var KubeDedicatedServiceAccounts = register(&Check{
	ID:       "k8s-dedicated-service-accounts",
	Title:    "Default service accounts unbound and without tokens",
	Summary:  "each namespace's default service account sets automountServiceAccountToken: false and no binding names it",
	Severity: SeverityMedium,
	Rationale: "Workloads that need the Kubernetes API, or AWS through IRSA or EKS Pod Identity, should run as " +
		"service accounts dedicated to them, so that each right and each IAM role goes to the workload that " +
		"uses it. A default service account that holds roles or mounts its token shares them with every pod " +
		"that names no account.",
	Links: []Link{
		{Title: "Configure Service Accounts for Pods", URL: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"},
		{Title: "EKS Pod Identities", URL: "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html"},
		{Title: "IAM roles for service accounts", URL: "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html"},
		krLinkEKSIAM, krLinkCIS,
	},
	Parts: krParts,
	Calls: append([]APICall{krListServiceAccounts}, krRBACReads...),
	PassRule: "PASS when every namespace's default service account, kube-system's included, sets " +
		"automountServiceAccountToken: false and no RoleBinding or ClusterRoleBinding names it as a " +
		"ServiceAccount subject (Kubernetes and EKS bind none). Grants to the groups every service account is in " +
		"(system:serviceaccounts, system:serviceaccounts:NAMESPACE) reach the default account too: they are " +
		"listed as a note, not failed (the RBAC checks judge them). Which pods run as the default account is " +
		"k8s-default-service-account's to judge; IRSA and EKS Pod Identity associations are not read.",
	Defaults: "Kubernetes creates each namespace's default service account without automountServiceAccountToken " +
		"(the token is mounted) and with no binding: a fresh EKS cluster fails for default, kube-node-lease, " +
		"kube-public and kube-system until they are set to false.",
	Advice: "For each namespace named: kubectl patch serviceaccount default -n NAMESPACE -p " +
		"'{\"automountServiceAccountToken\": false}'. Move what the bindings named give the default account to a " +
		"service account created for the workload that uses it (kubectl create serviceaccount NAME -n NAMESPACE, " +
		"spec.serviceAccountName in the pod template), then delete the binding or remove the subject from it. " +
		"Associate IAM roles (IRSA annotations, EKS Pod Identity associations) with dedicated accounts, never " +
		"with default.",
	judge: func(c *model.Cluster) Outcome { return krJudgeDefaultAccounts(c, false) },
})

// krJudgeDefaultAccounts judges the default service accounts (KR7, KR9), and with pods their use by
// pods (KR7).
func krJudgeDefaultAccounts(c *model.Cluster, pods bool) Outcome {
	kube := c.Kube
	ev := &DefaultServiceAccountEvidence{Automounting: []string{}, Bindings: []ServiceAccountBinding{}, Context: contextOf(c)}
	var namespaces, automounting []string
	for _, sa := range kube.ServiceAccounts {
		if sa.Name != krDefaultSA {
			continue
		}
		ev.DefaultAccounts++
		namespaces = append(namespaces, sa.Namespace)
		if sa.AutomountToken == nil || *sa.AutomountToken {
			automounting = append(automounting, sa.Namespace)
		}
	}
	ev.Automounting, ev.AutomountingTotal = firstN(automounting, krListCap)
	for i, ns := range ev.Automounting {
		ev.Automounting[i] = ns + "/" + krDefaultSA
	}

	var bound []string
	for _, b := range krDefaultAccountBindings(kube) {
		ev.BindingsTotal++
		if len(ev.Bindings) < krListCap {
			ev.Bindings = append(ev.Bindings, b)
		}
		bound = append(bound, b.Binding+" (ServiceAccount "+b.ServiceAccount+")")
	}

	// Group grants: what every service account of the namespace, or of the cluster, holds beyond
	// the defaults, which the default account holds with the rest.
	s := rbacOf(kube)
	seen := map[string]bool{}
	for _, ns := range namespaces {
		for _, g := range s.GrantsTo(rbac.ServiceAccountUser(ns, krDefaultSA)) {
			if g.Default || g.Subject.Kind != rbacv1.GroupKind ||
				(g.Subject.Name != "system:serviceaccounts" && g.Subject.Name != "system:serviceaccounts:"+ns) {
				continue
			}
			k := krGrantKey(g)
			if seen[k] {
				continue
			}
			seen[k] = true
			ev.GroupGrantsTotal++
			if len(ev.GroupGrants) < krListCap {
				ev.GroupGrants = append(ev.GroupGrants, krEvidenceGrant(g, nil))
			}
		}
	}

	var running, components []string
	if pods {
		for _, p := range kube.Pods {
			if krMirrorPod(p) || krPodAccount(p) != krDefaultSA {
				continue
			}
			name := p.Namespace + "/" + p.Name
			if krComponent(p) {
				components = append(components, name)
				continue
			}
			ev.PodsTotal++
			if len(ev.Pods) < krListCap {
				ev.Pods = append(ev.Pods, krPodRef(p))
			}
			running = append(running, name)
		}
		ev.Components, ev.ComponentsTotal = firstN(components, krListCap)
	}

	o := Outcome{Evidence: ev, Location: c.Loc}
	var parts []string
	if n := len(running); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s as %s namespace's default service account: %s",
			count(n, "pod", "pods"), krVerb(n, "runs", "run"), krVerb(n, "its", "their"), nameList(running, krReasonCap)))
	}
	if n := len(bound); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s a default service account: %s",
			count(n, "binding", "bindings"), krVerb(n, "names", "name"), nameList(bound, krReasonCap)))
	}
	if n := len(automounting); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s not set automountServiceAccountToken: false (%s %s)",
			count(n, "default service account", "default service accounts"), krVerb(n, "does", "do"),
			krVerb(n, "namespace", "namespaces"), nameList(automounting, krReasonCap)))
	}
	switch {
	case len(parts) > 0:
		o.Status = finding.Fail
		o.Reason = strings.Join(parts, "; ")
	default:
		o.Status = finding.Pass
		switch ev.DefaultAccounts {
		case 0:
			o.Reason = "the cluster lists no default service account and no binding names one"
		case 1:
			o.Reason = "the 1 default service account sets automountServiceAccountToken: false and no binding names it"
		default:
			o.Reason = fmt.Sprintf("all %d default service accounts set automountServiceAccountToken: false and no binding names one", ev.DefaultAccounts)
		}
		if pods {
			o.Reason += "; no pod runs as one"
		}
	}
	if n := len(components); n > 0 {
		o.Reason += fmt.Sprintf("; %s of Kubernetes' or EKS's own in kube-system %s as the default service account (not judged): %s",
			count(n, "pod", "pods"), krVerb(n, "runs", "run"), nameList(components, krReasonCap))
	}
	if ev.GroupGrantsTotal > 0 {
		o.Reason += fmt.Sprintf("; %s to all service accounts of a namespace or of the cluster also reach the default ones (see the evidence; the RBAC checks judge them)",
			count(ev.GroupGrantsTotal, "grant", "grants"))
	}
	return o
}

// krDefaultAccountBindings returns the bindings that name a namespace's default service account as a
// subject, with a RoleBinding's namespace filled in for a subject that names none, as the
// authorizer fills it. A ClusterRoleBinding's subject without a namespace matches nobody.
func krDefaultAccountBindings(kube *model.Kube) []ServiceAccountBinding {
	var out []ServiceAccountBinding
	roleRef := func(ns string, ref rbacv1.RoleRef) string {
		if ref.Kind == "Role" {
			return "Role/" + ns + "/" + ref.Name
		}
		return ref.Kind + "/" + ref.Name
	}
	for _, rb := range kube.RoleBindings {
		for _, s := range rb.Subjects {
			if s.Kind != rbacv1.ServiceAccountKind || s.Name != krDefaultSA {
				continue
			}
			ns := s.Namespace
			if ns == "" {
				ns = rb.Namespace
			}
			out = append(out, ServiceAccountBinding{Binding: "RoleBinding/" + rb.Namespace + "/" + rb.Name,
				Role: roleRef(rb.Namespace, rb.RoleRef), ServiceAccount: ns + "/" + krDefaultSA, Namespace: rb.Namespace})
		}
	}
	for _, crb := range kube.ClusterRoleBindings {
		for _, s := range crb.Subjects {
			if s.Kind != rbacv1.ServiceAccountKind || s.Name != krDefaultSA || s.Namespace == "" {
				continue
			}
			out = append(out, ServiceAccountBinding{Binding: "ClusterRoleBinding/" + crb.Name,
				Role: roleRef("", crb.RoleRef), ServiceAccount: s.Namespace + "/" + krDefaultSA})
		}
	}
	slices.SortStableFunc(out, func(a, b ServiceAccountBinding) int {
		return strings.Compare(a.Binding+"\x00"+a.ServiceAccount, b.Binding+"\x00"+b.ServiceAccount)
	})
	return out
}

// TokenMountEvidence is what k8s-service-account-token-mount saw.
type TokenMountEvidence struct {
	// Unneeded are the pods that mount a Kubernetes API token although their service account holds
	// no grant of its own (at most 200).
	Unneeded      []ServiceAccountPod `json:"unneeded"`
	UnneededTotal int                 `json:"unneededTotal"`
	// Mounting counts the pods judged that mount a token, Needed those of them whose account holds
	// grants of its own, NotMounting the pods that mount none.
	Mounting    int `json:"mounting"`
	Needed      int `json:"needed"`
	NotMounting int `json:"notMounting"`
	// Components are Kubernetes' and EKS's own pods in kube-system that mount a token for an
	// account with no grant of its own: not judged.
	Components      []string `json:"components,omitempty"`
	ComponentsTotal int      `json:"componentsTotal,omitempty"`
	Context
}

// KubeServiceAccountTokenMount passes when every pod that mounts a Kubernetes API token runs as a
// service account the cluster's RBAC gives something of its own (CIS 4.1.6).
var KubeServiceAccountTokenMount = register(&Check{
	ID:       "k8s-service-account-token-mount",
	Title:    "Service account tokens mounted only where the account has API rights",
	Summary:  "no pod mounts a Kubernetes API token for a service account that holds no RBAC grant of its own",
	Severity: SeverityMedium,
	Rationale: "A mounted token is a credential for the Kubernetes API that anyone who gets into the container can " +
		"take. Where the pod's service account holds no rights of its own the token gives the application " +
		"nothing it uses, and an attacker what every authenticated identity holds, plus whatever is later " +
		"granted to all service accounts: it should not be there.",
	Links: []Link{
		{Title: "Configure Service Accounts for Pods: opt out of API credential automounting", URL: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"},
		{Title: "Managing Service Accounts", URL: "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/"},
		krLinkRBACGood, krLinkEKSIAM, krLinkCIS,
	},
	Parts: krParts,
	Calls: append([]APICall{krListPods, krListServiceAccounts}, krRBACReads...),
	PassRule: "A pod mounts a Kubernetes API token when its automountServiceAccountToken is true, or is unset and " +
		"its service account's is true or unset (the pod's setting wins), or when it projects a " +
		"serviceAccountToken volume with no audience (the API server's). Tokens projected for another audience " +
		"(IRSA's sts.amazonaws.com, EKS Pod Identity's) are not API credentials and do not count. PASS when every " +
		"such pod runs as a service account that holds an RBAC grant of its own: a binding naming the account " +
		"(as a ServiceAccount, or as the user system:serviceaccount:NAMESPACE:NAME) or the group of its " +
		"namespace's accounts (system:serviceaccounts:NAMESPACE), Kubernetes' and EKS's own bindings included. " +
		"What every account holds through system:serviceaccounts and system:authenticated is no reason to mount a " +
		"token. FAIL names every other pod. Kubernetes' and EKS's own components in kube-system (aws-node, " +
		"kube-proxy, CoreDNS, the EKS Pod Identity agent, the EBS and EFS CSI drivers) whose account holds nothing " +
		"of its own (the Pod Identity agent runs as kube-system's default account) are listed and not judged; " +
		"mirror pods have no token and are skipped. Pods of every phase count. A token used outside the " +
		"Kubernetes API (by Vault's Kubernetes auth, say) looks unneeded here: project one with that audience " +
		"instead, or record it with a waiver. Tokens kept in Secrets of type service-account-token are not seen.",
	Defaults: "Kubernetes mounts a token in every pod unless the pod or its service account says otherwise. On a " +
		"fresh EKS cluster only the add-ons run, as accounts with their own bindings, and the check passes; " +
		"every pod you add without its own RBAC fails until it sets automountServiceAccountToken: false.",
	Advice: "For each pod named, if the application does not call the Kubernetes API, set " +
		"automountServiceAccountToken: false in its pod template (kubectl patch deployment NAME -n NAMESPACE -p " +
		"'{\"spec\":{\"template\":{\"spec\":{\"automountServiceAccountToken\":false}}}}'), or on its service account " +
		"(kubectl patch serviceaccount NAME -n NAMESPACE -p '{\"automountServiceAccountToken\": false}'). If it " +
		"does call the API, give it a service account of its own with a Role for what it calls. Record what you " +
		"judged necessary with a waiver.",
	judge: judgeTokenMount,
})

// judgeTokenMount judges each pod that mounts an API token by what its account holds (KR8).
func judgeTokenMount(c *model.Cluster) Outcome {
	kube := c.Kube
	ev := &TokenMountEvidence{Unneeded: []ServiceAccountPod{}, Context: contextOf(c)}
	accounts := map[string]*model.ServiceAccount{}
	for i := range kube.ServiceAccounts {
		sa := &kube.ServiceAccounts[i]
		accounts[sa.Namespace+"/"+sa.Name] = sa
	}
	s := rbacOf(kube)
	own := map[string]bool{}
	ownGrants := func(ns, name string) bool {
		k := ns + "/" + name
		if v, ok := own[k]; ok {
			return v
		}
		u := rbac.ServiceAccountUser(ns, name)
		v := slices.ContainsFunc(s.GrantsTo(u), func(g rbac.Grant) bool {
			sub := g.Subject
			switch sub.Kind {
			case rbacv1.ServiceAccountKind:
				return true // GrantsTo matched it to this account
			case rbacv1.UserKind:
				return sub.Name == u.Name
			case rbacv1.GroupKind:
				return sub.Name == "system:serviceaccounts:"+ns
			}
			return false
		})
		own[k] = v
		return v
	}

	var unneeded, components []string
	for _, p := range kube.Pods {
		if krMirrorPod(p) {
			continue
		}
		name := p.Namespace + "/" + p.Name
		account := krPodAccount(p)
		mounted, how := krTokenMount(p, accounts[p.Namespace+"/"+account])
		if !mounted {
			ev.NotMounting++
			continue
		}
		if ownGrants(p.Namespace, account) {
			ev.Mounting++
			ev.Needed++
			continue
		}
		if krComponent(p) {
			// Judged only where the rule cannot tell: its account holds nothing of its own.
			components = append(components, name)
			continue
		}
		ev.Mounting++
		ev.UnneededTotal++
		if len(ev.Unneeded) < krListCap {
			r := krPodRef(p)
			r.Token = how
			ev.Unneeded = append(ev.Unneeded, r)
		}
		unneeded = append(unneeded, name+" (service account "+account+")")
	}
	ev.Components, ev.ComponentsTotal = firstN(components, krListCap)

	o := Outcome{Evidence: ev, Location: c.Loc}
	switch n := len(unneeded); {
	case n > 0:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("%s %s a Kubernetes API token although %s service account holds no RBAC grant of its own: %s",
			count(n, "pod", "pods"), krVerb(n, "mounts", "mount"), krVerb(n, "its", "their"), nameList(unneeded, krReasonCap))
	case ev.Mounting > 0:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("every pod that mounts a Kubernetes API token (%d) runs as a service account with RBAC grants of its own", ev.Mounting)
	case ev.NotMounting > 0:
		o.Status = finding.Pass
		o.Reason = "no pod mounts a Kubernetes API token"
	default:
		o.Status = finding.Pass
		o.Reason = "no pod to judge"
	}
	if ev.NotMounting > 0 && o.Status == finding.Pass && ev.Mounting > 0 {
		o.Reason += fmt.Sprintf("; %s no token", count(ev.NotMounting, "pod mounts", "pods mount"))
	}
	if n := len(components); n > 0 {
		o.Reason += fmt.Sprintf("; %s of Kubernetes' or EKS's own in kube-system %s a token for an account without grants of its own (not judged): %s",
			count(n, "pod", "pods"), krVerb(n, "mounts", "mount"), nameList(components, krReasonCap))
	}
	return o
}

// krTokenMount says whether a pod mounts a Kubernetes API token, and how. sa is nil when the pod's
// service account is not in the list.
func krTokenMount(p model.Pod, sa *model.ServiceAccount) (bool, string) {
	auto, how := true, "neither the pod nor its service account sets automountServiceAccountToken (Kubernetes mounts it)"
	switch {
	case p.Spec.AutomountServiceAccountToken != nil:
		auto = *p.Spec.AutomountServiceAccountToken
		how = fmt.Sprintf("the pod sets automountServiceAccountToken: %t", auto)
	case sa == nil:
		how = "the pod does not set automountServiceAccountToken and its service account was not listed (Kubernetes mounts it)"
	case sa.AutomountToken != nil:
		auto = *sa.AutomountToken
		how = fmt.Sprintf("the service account sets automountServiceAccountToken: %t", auto)
	}
	// A pod read from the API carries the automounted token as a projected volume
	// kube-api-access-XXXXX; any other projected token for the API server's audience is explicit.
	for _, v := range p.Spec.Volumes {
		if v.Projected == nil || (auto && strings.HasPrefix(v.Name, "kube-api-access-")) {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil && src.ServiceAccountToken.Audience == "" {
				return true, "projected volume " + v.Name + " holds a token for the API server's audience"
			}
		}
	}
	return auto, how
}
