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

// The RBAC checks of CIS section 4.1 (docs/kubernetes-rbac.md, rules KR1 ... KR6 and KR10). Each
// asks the cluster's RBAC, evaluated as the authorizer evaluates it (package rbac), who holds a
// permission, and passes when only Kubernetes' and EKS's own grants hold it. The benchmark leaves "where
// required" to a person; eksguard names every other grant so that the person's judgement is
// recorded as a waiver rather than lost in a MANUAL.

// Limits on what a Kubernetes check says: names in a reason, entries in an evidence list (each
// list also carries its total).
const (
	krReasonCap = 20
	krListCap   = 200
)

const krRBACGroup = rbacv1.GroupName

// The RBAC lists a check may need. A check declares only those it reads, so that one failed list
// makes only its checks ERROR (KR1).
var (
	krListRoles               = kubeCall("list roles", "Roles in every namespace and their rules")
	krListClusterRoles        = kubeCall("list clusterroles", "ClusterRoles, their rules and aggregation rules")
	krListRoleBindings        = kubeCall("list rolebindings", "RoleBindings in every namespace: role and subjects")
	krListClusterRoleBindings = kubeCall("list clusterrolebindings", "ClusterRoleBindings: role and subjects")
	krListPods                = kubeCall("list pods", "pods in every namespace: service account, automountServiceAccountToken, volumes, owner")
	krListServiceAccounts     = kubeCall("list serviceaccounts", "service accounts in every namespace and their automountServiceAccountToken")
)

// krRBACReads are the four RBAC lists; krClusterRBACReads the two that decide a cluster-scoped
// resource, which RoleBindings cannot reach.
var (
	krRBACReads        = []APICall{krListRoles, krListClusterRoles, krListRoleBindings, krListClusterRoleBindings}
	krClusterRBACReads = []APICall{krListClusterRoles, krListClusterRoleBindings}
)

var (
	krLinkRBACGood = Link{Title: "Role Based Access Control good practices", URL: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"}
	krLinkRBAC     = Link{Title: "Using RBAC Authorization", URL: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"}
	krLinkEKSIAM   = Link{Title: "Amazon EKS Best Practices Guide: Identity and Access Management", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html"}
	krLinkEKSRBAC  = Link{Title: "Understand Amazon EKS created RBAC roles and users", URL: "https://docs.aws.amazon.com/eks/latest/userguide/default-roles-users.html"}
	krLinkCIS      = Link{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"}
	krParts        = []model.Part{model.PartKubernetes}
)

// krWhoPassRule is the pass rule every "who can" check shares (KR2, KR3).
func krWhoPassRule(what string) string {
	return "PASS when every grant that lets anyone " + what + " is Kubernetes' or EKS's own: the role, the origin of " +
		"the rule (a rule aggregated into a built-in role from a ClusterRole of yours is yours), the binding and the " +
		"subject are all theirs. FAIL names every other grant (subject, binding, role, namespace and the rule, " +
		"resourceNames included: a grant limited to named objects is still a grant). A RoleBinding's grant counts, " +
		"limited to its namespace. A role that grants it but that no binding reaches grants nobody: it is listed in " +
		"the evidence and the reason as a note and does not fail the check on its own (k8s-rbac-wildcards judges " +
		"roles whether bound or not). Access given through EKS access policies is authorized outside RBAC and is " +
		"not seen here."
}

// RBACGrant is one grant in the evidence of a Kubernetes RBAC check: who holds which rule of which
// role, through which binding, and where.
type RBACGrant struct {
	// Subject is "User alice", "Group devs" or "ServiceAccount ns/name"; empty, with Binding, for a
	// role that no binding reaches.
	Subject string `json:"subject,omitempty"`
	Binding string `json:"binding,omitempty"`
	Role    string `json:"role"`
	// RuleFrom is the ClusterRole an aggregated rule came from.
	RuleFrom string `json:"ruleFrom,omitempty"`
	// Namespace is where the grant applies; empty means cluster-wide (or, for an unbound
	// ClusterRole, wherever it is bound).
	Namespace       string   `json:"namespace,omitempty"`
	Verbs           []string `json:"verbs"`
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
	// Answers are the check's questions the rule answers ("get secrets", "list secrets").
	Answers []string `json:"answers,omitempty"`
}

// RBACEvidence is what a Kubernetes RBAC check saw.
type RBACEvidence struct {
	// Asked are the questions put to the cluster's RBAC.
	Asked []string `json:"asked"`
	// Grants are the grants that are not Kubernetes' or EKS's own (at most 200); GrantsTotal counts
	// them all.
	Grants      []RBACGrant `json:"grants"`
	GrantsTotal int         `json:"grantsTotal"`
	// DefaultGrants counts Kubernetes' and EKS's own grants; DefaultHolders names who holds them
	// (at most 200), so that a PASS shows what was looked at.
	DefaultGrants  int      `json:"defaultGrants"`
	DefaultHolders []string `json:"defaultHolders,omitempty"`
	// Unbound are rules of roles that are not Kubernetes' or EKS's own and that no binding reaches:
	// not judged (at most 200).
	Unbound      []RBACGrant `json:"unbound,omitempty"`
	UnboundTotal int         `json:"unboundTotal,omitempty"`
	// BuiltInToOthers are, for k8s-rbac-wildcards, built-in wildcard rules that a binding gives to a
	// subject that is not Kubernetes' or EKS's (at most 200): the other RBAC checks judge those.
	BuiltInToOthers      []RBACGrant `json:"builtInToOthers,omitempty"`
	BuiltInToOthersTotal int         `json:"builtInToOthersTotal,omitempty"`
	Context
}

// krQuestion is one question a check asks: who may verb resource in group, with Who's meaning
// of "*". covers, when set, keeps only the rules that also allow one of those requests (a broad
// question narrowed, see KR6). clusterOnly marks a request the API server makes without a
// namespace although the resource is not cluster-scoped in package rbac's list (impersonating
// users and groups): a RoleBinding's grant of it reaches nothing.
type krQuestion struct {
	label                 string
	verb, group, resource string
	covers                []rbac.Request
	clusterOnly           bool
}

func (q krQuestion) keep(rule rbacv1.PolicyRule) bool {
	if len(q.covers) == 0 {
		return true
	}
	for _, r := range q.covers {
		if len(rule.ResourceNames) > 0 {
			// Any object the rule names will do: the question is about every name.
			r.Name = rule.ResourceNames[0]
		}
		if rbac.RuleAllows(rule, r) {
			return true
		}
	}
	return false
}

// krAsked is a grant and the questions it answers.
type krAsked struct {
	rbac.Grant
	answers []string
}

// krAsk puts the questions to the snapshot: the grants bindings give, and the rules of roles no
// binding reaches, each once however many questions it answers.
func krAsk(s *rbac.Snapshot, qs []krQuestion) (bound, unbound []krAsked) {
	bound = krCollect(qs, func(q krQuestion) []rbac.Grant {
		gs := s.Who(q.verb, q.group, q.resource)
		if q.clusterOnly {
			gs = slices.DeleteFunc(gs, func(g rbac.Grant) bool { return g.Namespace != "" })
		}
		return gs
	})
	unbound = krCollect(qs, func(q krQuestion) []rbac.Grant {
		gs := s.Unbound(q.verb, q.group, q.resource)
		if !q.clusterOnly {
			return gs
		}
		// A role reached only through RoleBindings gives this to nobody: it is unbound here.
		reached := map[string]bool{}
		var local []rbac.Grant
		for _, g := range s.Who(q.verb, q.group, q.resource) {
			if g.Namespace == "" {
				reached[g.Role] = true
			} else {
				local = append(local, g)
			}
		}
		for _, g := range local {
			if !reached[g.Role] {
				gs = append(gs, rbac.Grant{Role: g.Role, From: g.From, Rule: g.Rule, Default: rbac.BuiltInRule(g)})
			}
		}
		return gs
	})
	return bound, unbound
}

func krCollect(qs []krQuestion, run func(krQuestion) []rbac.Grant) []krAsked {
	var out []krAsked
	index := map[string]int{}
	for _, q := range qs {
		for _, g := range run(q) {
			if !q.keep(g.Rule) {
				continue
			}
			k := krGrantKey(g)
			if i, ok := index[k]; ok {
				if !slices.Contains(out[i].answers, q.label) {
					out[i].answers = append(out[i].answers, q.label)
				}
				continue
			}
			index[k] = len(out)
			out = append(out, krAsked{Grant: g, answers: []string{q.label}})
		}
	}
	slices.SortStableFunc(out, func(a, b krAsked) int {
		return strings.Compare(a.Binding+"\x00"+rbac.SubjectString(a.Subject)+"\x00"+a.Role+"\x00"+a.Namespace,
			b.Binding+"\x00"+rbac.SubjectString(b.Subject)+"\x00"+b.Role+"\x00"+b.Namespace)
	})
	return out
}

// krGrantKey identifies a grant: who, through what, which rule.
func krGrantKey(g rbac.Grant) string {
	r := g.Rule
	return strings.Join([]string{g.Binding, g.Subject.Kind, g.Subject.Namespace, g.Subject.Name, g.Role, g.From, g.Namespace,
		strings.Join(r.Verbs, ","), strings.Join(r.APIGroups, ","), strings.Join(r.Resources, ","),
		strings.Join(r.ResourceNames, ","), strings.Join(r.NonResourceURLs, ",")}, "\x1f")
}

func krEvidenceGrant(g rbac.Grant, answers []string) RBACGrant {
	out := RBACGrant{
		Binding: g.Binding, Role: g.Role, RuleFrom: g.From, Namespace: g.Namespace,
		Verbs: krNonNil(g.Rule.Verbs), APIGroups: g.Rule.APIGroups, Resources: g.Rule.Resources,
		ResourceNames: g.Rule.ResourceNames, NonResourceURLs: g.Rule.NonResourceURLs, Answers: answers,
	}
	if g.Binding != "" {
		out.Subject = rbac.SubjectString(g.Subject)
	}
	return out
}

func krNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// krHolder names who holds a grant and how: "User alice via ClusterRoleBinding/x (ClusterRole/y)".
func krHolder(g rbac.Grant) string {
	return rbac.SubjectString(g.Subject) + " via " + g.Binding + " (" + g.Role + ")"
}

// krRoleName names the role of an unbound grant, and where its rule came from.
func krRoleName(g rbac.Grant) string {
	if g.From != "" {
		return g.Role + " (rule from " + g.From + ")"
	}
	return g.Role
}

// krDistinct collects names once each, in order of first appearance.
type krDistinct struct {
	seen  map[string]bool
	names []string
}

func (d *krDistinct) add(name string) {
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	if !d.seen[name] {
		d.seen[name] = true
		d.names = append(d.names, name)
	}
}

// krVerb agrees a verb with a count: krVerb(1, "grants", "grant").
func krVerb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// krJudgeWho judges the answers to a check's questions (KR2, KR3): FAIL when a grant that is not
// Kubernetes' or EKS's own answers one, naming them; unbound roles are a note.
func krJudgeWho(c *model.Cluster, what string, qs []krQuestion, bound, unbound []krAsked) Outcome {
	ev := &RBACEvidence{Grants: []RBACGrant{}, Context: contextOf(c)}
	for _, q := range qs {
		ev.Asked = append(ev.Asked, q.label)
	}
	var bad, good, subjects krDistinct
	for _, a := range bound {
		if a.Default {
			ev.DefaultGrants++
			good.add(krHolder(a.Grant))
			continue
		}
		ev.GrantsTotal++
		if len(ev.Grants) < krListCap {
			ev.Grants = append(ev.Grants, krEvidenceGrant(a.Grant, a.answers))
		}
		bad.add(krHolder(a.Grant))
		subjects.add(rbac.SubjectString(a.Subject))
	}
	ev.DefaultHolders, _ = firstN(good.names, krListCap)
	var loose krDistinct
	for _, a := range unbound {
		if a.Default {
			continue
		}
		ev.UnboundTotal++
		if len(ev.Unbound) < krListCap {
			ev.Unbound = append(ev.Unbound, krEvidenceGrant(a.Grant, a.answers))
		}
		loose.add(krRoleName(a.Grant))
	}

	o := Outcome{Evidence: ev, Location: c.Loc}
	switch {
	case len(bad.names) > 0:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("beyond Kubernetes' and EKS's own grants, %s can %s: %s",
			count(len(subjects.names), "subject", "subjects"), what, nameList(bad.names, krReasonCap))
	case ev.DefaultGrants > 0:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("only Kubernetes' and EKS's own grants let anyone %s (%s to %s: %s)",
			what, count(ev.DefaultGrants, "grant", "grants"), count(len(good.names), "holder", "holders"), nameList(good.names, 3))
	default:
		o.Status = finding.Pass
		o.Reason = "no binding lets anyone " + what
	}
	if n := len(loose.names); n > 0 {
		o.Reason += fmt.Sprintf("; %s that no binding reaches also %s it (not judged until bound): %s",
			count(n, "role", "roles"), krVerb(n, "grants", "grant"), nameList(loose.names, krReasonCap))
	}
	return o
}

// krWhoCheck judges a check's questions on the cluster's RBAC.
func krWhoCheck(what string, qs []krQuestion) func(c *model.Cluster) Outcome {
	return func(c *model.Cluster) Outcome {
		bound, unbound := krAsk(rbacOf(c.Kube), qs)
		return krJudgeWho(c, what, qs, bound, unbound)
	}
}

// KubeClusterAdmin passes when only Kubernetes' and EKS's own bindings give anyone the ClusterRole
// cluster-admin (CIS 4.1.1).
var KubeClusterAdmin = register(&Check{
	ID:       "k8s-cluster-admin",
	Title:    "cluster-admin bound only by Kubernetes and EKS",
	Summary:  "no binding of your own gives anyone the cluster-admin ClusterRole",
	Severity: SeverityHigh,
	Rationale: "cluster-admin allows every verb on every resource and every non-resource URL. Whoever holds it " +
		"can read every secret, run anything on any node and give anyone else any right, so each subject bound " +
		"to it is a full compromise of the cluster waiting for one stolen credential. Kubernetes binds it to " +
		"the system:masters group and EKS to its add-on manager; any further holder should be a decision " +
		"somebody made and recorded.",
	Links: []Link{krLinkRBACGood, krLinkRBAC, krLinkEKSIAM, krLinkEKSRBAC, krLinkCIS},
	Parts: krParts,
	Calls: []APICall{krListClusterRoles, krListRoleBindings, krListClusterRoleBindings},
	PassRule: "PASS when every ClusterRoleBinding and RoleBinding to the ClusterRole cluster-admin, and every " +
		"subject in it, is Kubernetes' or EKS's own. FAIL names each other subject with its binding: your own " +
		"binding to cluster-admin, a user or group added to the built-in cluster-admin binding, a binding that only " +
		"calls itself system:..., and a RoleBinding to cluster-admin (full control of that namespace, its secrets " +
		"and its RBAC included). Who belongs to system:masters is decided by aws-auth or access entries, and " +
		"access entries with AmazonEKSClusterAdminPolicy are authorized by EKS outside RBAC: neither is seen here. " +
		"Other roles as powerful as cluster-admin are k8s-rbac-wildcards' to report.",
	Defaults: "A fresh EKS cluster binds cluster-admin to Group system:masters (ClusterRoleBinding cluster-admin) " +
		"and to User eks:addon-manager (ClusterRoleBinding eks:addon-cluster-admin), which installs the managed " +
		"add-ons. Both are EKS's own and pass.",
	Advice: "For each subject named, decide whether it needs the whole cluster. If not, delete your binding " +
		"(kubectl delete clusterrolebinding NAME, or kubectl delete rolebinding NAME -n NAMESPACE) or remove the " +
		"subject from a built-in binding (kubectl edit clusterrolebinding cluster-admin: keep Group system:masters " +
		"only), and bind a narrower role instead: admin, edit or view in one namespace with a RoleBinding, or a " +
		"ClusterRole of your own with the verbs and resources needed. For people, prefer EKS access entries with " +
		"namespace-scoped access policies. Record the subjects you judged necessary with a waiver.",
	judge: judgeClusterAdmin,
})

// judgeClusterAdmin judges every subject bound to cluster-admin (KR4).
func judgeClusterAdmin(c *model.Cluster) Outcome {
	var bound []krAsked
	for _, g := range rbacOf(c.Kube).ClusterAdmin() {
		bound = append(bound, krAsked{Grant: g, answers: []string{"bound to cluster-admin"}})
	}
	return krJudgeWho(c, "use the cluster-admin ClusterRole", []krQuestion{{label: "bound to cluster-admin"}}, bound, nil)
}

// KubeSecretsAccess passes when only Kubernetes' and EKS's own grants allow get, list or watch on
// secrets (CIS 4.1.2).
var KubeSecretsAccess = register(&Check{
	ID:       "k8s-secrets-access",
	Title:    "Reading secrets limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows get, list or watch on secrets",
	Severity: SeverityHigh,
	Rationale: "Secrets hold passwords, API keys, TLS keys and, in older clusters, service account tokens. " +
		"list and watch return every secret's content, not only names, so any of the three verbs on secrets is " +
		"read access to everything the namespace (or, cluster-wide, the cluster) keeps secret, and often a step " +
		"to the identities those secrets belong to.",
	Links: []Link{krLinkRBACGood, {Title: "Good practices for Kubernetes Secrets", URL: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krRBACReads,
	PassRule: krWhoPassRule("get, list or watch secrets (core API group), through Roles or ClusterRoles, named " +
		"verbs or *, resources secrets or *, API group \"\" or *"),
	Defaults: "On a fresh EKS cluster, system:masters and EKS's add-on manager (both through cluster-admin), the " +
		"controller manager and several of its controllers (garbage collection, namespace deletion, token cleaning " +
		"and signing, volume expansion) read secrets; all are Kubernetes' or EKS's own and pass. The built-in admin and edit roles read secrets too, so a RoleBinding of " +
		"your own to either of them fails this check.",
	Advice: "For each grant named, remove get, list and watch on secrets from your role (kubectl edit role NAME -n " +
		"NAMESPACE, or clusterrole NAME), narrow it with resourceNames to the secrets the workload reads, or move " +
		"the subject to a role without secret access (view instead of edit). Replace ClusterRoleBindings with " +
		"RoleBindings in the namespaces needed. Prefer mounting a secret into the pod that uses it over API " +
		"access, or an external store (AWS Secrets Manager with the Secrets Store CSI driver). Record what you " +
		"judged necessary with a waiver.",
	judge: krWhoCheck("get, list or watch secrets", []krQuestion{
		{label: "get secrets", verb: "get", resource: "secrets"},
		{label: "list secrets", verb: "list", resource: "secrets"},
		{label: "watch secrets", verb: "watch", resource: "secrets"},
	}),
})

// KubeRBACWildcards passes when no Role or ClusterRole of the cluster's owners uses "*" in verbs,
// resources or API groups (CIS 4.1.3).
var KubeRBACWildcards = register(&Check{
	ID:       "k8s-rbac-wildcards",
	Title:    "No wildcards in your Roles and ClusterRoles",
	Summary:  `no Role or ClusterRole of your own uses "*" in verbs, resources or apiGroups`,
	Severity: SeverityMedium,
	Rationale: `A "*" grants every verb, resource or API group that exists now and every one added later: a CRD ` +
		"installed next year, a subresource a new Kubernetes version adds. Roles should name what they allow, " +
		"so that what a subject can do is what somebody decided.",
	Links: []Link{krLinkRBACGood, krLinkRBAC, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krRBACReads,
	PassRule: `PASS when every rule with "*" in its verbs, resources (including "*/subresource") or apiGroups ` +
		"belongs to a role that is Kubernetes' or EKS's own and came from one (a rule of yours aggregated into a " +
		"built-in role is yours). Unlike the other RBAC checks this one judges roles whether or not anything is " +
		"bound to them: an unbound wildcard role is one binding away from use. FAIL names each role whose " +
		"rule it is, and the evidence lists each rule once per subject bound to it. A binding of your own to a " +
		"built-in wildcard role (cluster-admin, system:kube-controller-manager) is listed as a note: the role is " +
		"not yours to change, and the check for what it gives (k8s-cluster-admin, k8s-secrets-access, ...) " +
		"judges the binding. nonResourceURLs: [\"*\"] is not judged here.",
	Defaults: "A fresh EKS cluster has wildcard rules in cluster-admin, system:kube-controller-manager (list and " +
		"watch of everything), the controllers for garbage collection, namespace deletion, resource quotas, " +
		"disruption budgets and horizontal pod autoscaling (*/scale), and the unbound system:kubelet-api-admin; all " +
		"are Kubernetes' own and pass.",
	Advice: `Replace each "*" in the roles named with the verbs, resources and API groups the subject uses (kubectl ` +
		"edit clusterrole NAME, or role NAME -n NAMESPACE); kubectl auth can-i --list --as SUBJECT and the API " +
		"server's audit log show what is used. Delete roles nobody needs. Operators that install their own " +
		"CRDs sometimes ask for *: scope them to their API groups. Record what you judged necessary with a waiver.",
	judge: judgeRBACWildcards,
})

// judgeRBACWildcards judges the wildcard rules of every role, bound or not (KR5).
func judgeRBACWildcards(c *model.Cluster) Outcome {
	ev := &RBACEvidence{Asked: []string{`"*" in verbs, resources or apiGroups`}, Grants: []RBACGrant{}, Context: contextOf(c)}
	var bad, good, others krDistinct
	for _, g := range rbacOf(c.Kube).Wildcards() {
		owner := g.Role
		if g.From != "" {
			owner = g.From
		}
		switch {
		case g.Default:
			ev.DefaultGrants++
			good.add(owner)
		case !rbac.BuiltInRule(g):
			ev.GrantsTotal++
			if len(ev.Grants) < krListCap {
				ev.Grants = append(ev.Grants, krEvidenceGrant(g, nil))
			}
			bad.add(owner)
		default:
			ev.BuiltInToOthersTotal++
			if len(ev.BuiltInToOthers) < krListCap {
				ev.BuiltInToOthers = append(ev.BuiltInToOthers, krEvidenceGrant(g, nil))
			}
			others.add(krHolder(g))
		}
	}
	ev.DefaultHolders, _ = firstN(good.names, krListCap)
	o := Outcome{Evidence: ev, Location: c.Loc}
	switch n := len(bad.names); {
	case n > 0:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf(`%s that %s not Kubernetes' or EKS's own %s "*" in verbs, resources or apiGroups: %s`,
			count(n, "role", "roles"), krVerb(n, "is", "are"), krVerb(n, "uses", "use"), nameList(bad.names, krReasonCap))
	case len(good.names) > 0:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf(`only Kubernetes' and EKS's own roles use "*" in verbs, resources or apiGroups (%s: %s)`,
			count(len(good.names), "role", "roles"), nameList(good.names, 3))
	default:
		o.Status = finding.Pass
		o.Reason = `no Role or ClusterRole uses "*" in verbs, resources or apiGroups`
	}
	if n := len(others.names); n > 0 {
		o.Reason += fmt.Sprintf("; built-in wildcard roles are also bound to %s that %s not Kubernetes' or EKS's "+
			"(judged by the check of what they give, k8s-cluster-admin for cluster-admin): %s",
			count(n, "subject", "subjects"), krVerb(n, "is", "are"), nameList(others.names, krReasonCap))
	}
	return o
}

// KubePodCreate passes when only Kubernetes' and EKS's own grants allow creating pods (CIS 4.1.4).
var KubePodCreate = register(&Check{
	ID:       "k8s-pod-create",
	Title:    "Creating pods limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows create on pods",
	Severity: SeverityHigh,
	Rationale: "Whoever can create a pod in a namespace can run it as any service account of that namespace and " +
		"mount any of its secrets and config maps, so creating pods is reading every secret and using every " +
		"identity of the namespace; where admission allows privileged pods it is also root on a node.",
	Links: []Link{krLinkRBACGood, {Title: "Pod Security Standards", URL: "https://kubernetes.io/docs/concepts/security/pod-security-standards/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krRBACReads,
	PassRule: krWhoPassRule("create pods (core API group)") + " Rights to create Deployments, Jobs and other " +
		"workloads let a subject have pods created for it too; this control, like the benchmark, asks about pods only.",
	Defaults: "On a fresh EKS cluster the workload controllers (ReplicaSet, DaemonSet, Job, StatefulSet, ...) and " +
		"EKS's add-on manager create pods; all are Kubernetes' or EKS's own and pass. The built-in admin and edit " +
		"roles allow it too, so a RoleBinding of your own to either fails this check.",
	Advice: "For each grant named, remove create on pods from your role or bind the subject to a role without it " +
		"(view instead of edit); people and CI systems that deploy usually need create on deployments, not on " +
		"pods. Keep the namespaces where pods may be created under the restricted or baseline Pod Security " +
		"Standard (pod-security.kubernetes.io/enforce). Record what you judged necessary with a waiver.",
	judge: krWhoCheck("create pods", []krQuestion{{label: "create pods", verb: "create", resource: "pods"}}),
})

// KubeRBACEscalation passes when only Kubernetes' and EKS's own grants allow bind, escalate or
// impersonate (CIS 4.1.8).
var KubeRBACEscalation = register(&Check{
	ID:       "k8s-rbac-escalation",
	Title:    "bind, escalate and impersonate limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows bind or escalate on roles, or impersonate on users, groups or service accounts",
	Severity: SeverityHigh,
	Rationale: "RBAC stops a subject from granting more than it holds, except for these three verbs: bind lets it " +
		"bind roles it does not hold, escalate lets it write roles with rules it does not hold, and impersonate " +
		"lets it act as another user, group or service account. Each is a path to cluster-admin.",
	Links: []Link{krLinkRBACGood, {Title: "Privilege escalation prevention and bootstrapping", URL: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping"},
		{Title: "User impersonation", URL: "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krRBACReads,
	PassRule: krWhoPassRule("bind or escalate roles or clusterroles (rbac.authorization.k8s.io), or impersonate users, "+
		"groups or serviceaccounts (core API group), named or through *") + " bind on clusterroles counts through a " +
		"RoleBinding as well: it lets the subject bind those ClusterRoles in that namespace. Impersonating users " +
		"and groups is authorized without a namespace, so only a ClusterRoleBinding grants it; a role that allows " +
		"it through RoleBindings alone is reported as unbound. Impersonating uids or user extras needs one of the " +
		"three impersonations asked about, so it is not asked separately.",
	Defaults: "On a fresh EKS cluster system:masters and EKS's add-on manager (both through cluster-admin) hold " +
		"all three, and the ClusterRole aggregation controller escalates ClusterRoles to fill admin, edit and view; " +
		"all pass. The built-in admin and edit roles allow impersonating the service accounts of their namespace, so a " +
		"RoleBinding of your own to either fails this check.",
	Advice: "Remove bind, escalate and impersonate from the roles named (kubectl edit clusterrole NAME), or narrow " +
		"them with resourceNames: bind to the few roles a delegated administrator may hand out, impersonate to the " +
		"identities a tool must act as. Remove verbs: [\"*\"] on roles, clusterroles, users, groups and " +
		"serviceaccounts. Record what you judged necessary with a waiver.",
	judge: krWhoCheck("bind or escalate roles, or impersonate users, groups or service accounts", []krQuestion{
		// Who skips RoleBindings for clusterroles, which is right for escalate but not for bind: the API
		// server checks bind in the namespace of the RoleBinding being written (KR6).
		{label: "bind roles or clusterroles", verb: "bind", group: krRBACGroup, resource: "*", covers: []rbac.Request{
			{Verb: "bind", APIGroup: krRBACGroup, Resource: "roles"}, {Verb: "bind", APIGroup: krRBACGroup, Resource: "clusterroles"}}},
		{label: "escalate roles", verb: "escalate", group: krRBACGroup, resource: "roles"},
		{label: "escalate clusterroles", verb: "escalate", group: krRBACGroup, resource: "clusterroles"},
		// Users and groups are impersonated cluster-wide, service accounts in their namespace.
		{label: "impersonate users", verb: "impersonate", resource: "users", clusterOnly: true},
		{label: "impersonate groups", verb: "impersonate", resource: "groups", clusterOnly: true},
		{label: "impersonate serviceaccounts", verb: "impersonate", resource: "serviceaccounts"},
	}),
})

// KubePVCreate passes when only Kubernetes' and EKS's own grants allow creating PersistentVolumes
// (CIS 4.1.9).
var KubePVCreate = register(&Check{
	ID:       "k8s-pv-create",
	Title:    "Creating PersistentVolumes limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows create on persistentvolumes",
	Severity: SeverityHigh,
	Rationale: "A PersistentVolume can be a hostPath on the node: whoever creates one and a claim bound to it " +
		"mounts the node's file system into a pod, and from there the kubelet's credentials and every other " +
		"pod's data. Volumes should come from StorageClasses and their provisioners, not from people.",
	Links: []Link{krLinkRBACGood, {Title: "Persistent Volumes", URL: "https://kubernetes.io/docs/concepts/storage/persistent-volumes/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krClusterRBACReads,
	PassRule: krWhoPassRule("create persistentvolumes (core API group)") + " PersistentVolumes are cluster-scoped, so " +
		"only ClusterRoleBindings can grant it; a ClusterRole that allows it but is bound only by RoleBindings " +
		"is reported as unbound.",
	Defaults: "On a fresh EKS cluster the persistent volume binder controller creates PersistentVolumes, and so " +
		"do system:masters and EKS's add-on manager (through cluster-admin); all pass. The EBS and EFS CSI drivers' provisioners, as " +
		"EKS add-ons, are EKS's own.",
	Advice: "Remove create on persistentvolumes from the roles named, and let users create PersistentVolumeClaims " +
		"against a StorageClass instead. A CSI driver or provisioner you installed yourself needs it: record it " +
		"with a waiver.",
	judge: krWhoCheck("create PersistentVolumes", []krQuestion{{label: "create persistentvolumes", verb: "create", resource: "persistentvolumes"}}),
})

// KubeNodeProxy passes when only Kubernetes' and EKS's own grants reach nodes/proxy (CIS 4.1.10).
var KubeNodeProxy = register(&Check{
	ID:       "k8s-node-proxy",
	Title:    "Access to nodes/proxy limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows any verb on nodes/proxy",
	Severity: SeverityHigh,
	Rationale: "nodes/proxy reaches the kubelet's API through the API server. The kubelet decides what a request may " +
		"do from the verb alone, so even get on nodes/proxy can run commands in any container on the node, and " +
		"the kubelet's own requests bypass the API server's audit log and admission.",
	Links: []Link{krLinkRBACGood, {Title: "Kubelet authentication/authorization", URL: "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krClusterRBACReads,
	PassRule: krWhoPassRule("use any verb on nodes/proxy (core API group), through nodes/proxy, * or */proxy") +
		" Nodes are cluster-scoped, so only ClusterRoleBindings can grant it.",
	Defaults: "On a fresh EKS cluster system:masters and EKS's add-on manager (through cluster-admin) hold it, and " +
		"so do Kubernetes' controllers whose wildcard rules cover every resource (garbage collection, namespace " +
		"deletion, the controller manager's list and watch); all pass. system:kubelet-api-admin allows it but is " +
		"not bound.",
	Advice: "Remove nodes/proxy from the roles named. Monitoring agents that scrape the kubelet should use nodes/metrics " +
		"and nodes/stats, which do not run commands; a log or debug tool you judge necessary is recorded with a waiver.",
	judge: krWhoCheck("reach the kubelet API through nodes/proxy", []krQuestion{{label: "any verb on nodes/proxy", verb: "*", resource: "nodes/proxy"}}),
})

// KubeWebhookConfig passes when only Kubernetes' and EKS's own grants allow changing admission
// webhook configurations (CIS 4.1.11).
var KubeWebhookConfig = register(&Check{
	ID:       "k8s-webhook-config",
	Title:    "Changing admission webhooks limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows writing validating or mutating webhook configurations",
	Severity: SeverityHigh,
	Rationale: "Admission webhooks see, and mutating ones rewrite, every object they select as it is written, " +
		"secrets included. Whoever can write a webhook configuration can send the cluster's writes to a server of " +
		"their choosing, inject containers into pods, or delete the webhook that enforces your policies.",
	Links: []Link{krLinkRBACGood, {Title: "Dynamic Admission Control", URL: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krClusterRBACReads,
	PassRule: krWhoPassRule("create, update, patch, delete or deletecollection validatingwebhookconfigurations or "+
		"mutatingwebhookconfigurations (admissionregistration.k8s.io)") + " Reading them is not judged. Both " +
		"resources are cluster-scoped, so only ClusterRoleBindings can grant it.",
	Defaults: "On a fresh EKS cluster system:masters and EKS's add-on manager write webhook configurations, and " +
		"Kubernetes' garbage collector and namespace controller may delete and update any object; all pass.",
	Advice: "Remove write verbs on validatingwebhookconfigurations and mutatingwebhookconfigurations from the roles " +
		"named. Tools that manage their own webhook (cert-manager, policy engines, the AWS Load Balancer Controller) " +
		"can be limited with resourceNames to their configuration's name for update, patch and delete; record what " +
		"you judged necessary with a waiver.",
	judge: krWhoCheck("change validating or mutating webhook configurations", krWebhookQuestions()),
})

func krWebhookQuestions() []krQuestion {
	var qs []krQuestion
	for _, res := range []string{"validatingwebhookconfigurations", "mutatingwebhookconfigurations"} {
		for _, verb := range []string{"create", "update", "patch", "delete", "deletecollection"} {
			qs = append(qs, krQuestion{label: verb + " " + res, verb: verb, group: "admissionregistration.k8s.io", resource: res})
		}
	}
	return qs
}

// KubeTokenCreate passes when only Kubernetes' and EKS's own grants allow creating service account
// tokens (CIS 4.1.12).
var KubeTokenCreate = register(&Check{
	ID:       "k8s-token-create",
	Title:    "Creating service account tokens limited to Kubernetes and EKS",
	Summary:  "no grant of your own allows create on serviceaccounts/token",
	Severity: SeverityHigh,
	Rationale: "create on serviceaccounts/token mints a token for a service account (the TokenRequest API): the " +
		"holder becomes that account, with all its RBAC and, through IRSA or EKS Pod Identity, its IAM role. " +
		"Cluster-wide, that is every service account, kube-system's included.",
	Links: []Link{krLinkRBACGood, {Title: "Service Accounts", URL: "https://kubernetes.io/docs/concepts/security/service-accounts/"}, krLinkEKSIAM, krLinkCIS},
	Parts: krParts,
	Calls: krRBACReads,
	PassRule: krWhoPassRule("create serviceaccounts/token (core API group), named or through *, serviceaccounts/* " +
		"or */token"),
	Defaults: "On a fresh EKS cluster the controller manager, system:masters and EKS's add-on manager mint tokens " +
		"through RBAC; all pass (kubelets mint their pods' tokens through the Node authorizer, not RBAC). The built-in admin and " +
		"edit roles allow it too, so a RoleBinding of your own to either fails this check.",
	Advice: "Remove create on serviceaccounts/token from the roles named, or limit it with resourceNames to the " +
		"accounts a tool must mint tokens for (a CI system that deploys as one account). Pods get their own token " +
		"by mounting it, which needs no RBAC. Record what you judged necessary with a waiver.",
	judge: krWhoCheck("create service account tokens", []krQuestion{{label: "create serviceaccounts/token", verb: "create", resource: "serviceaccounts/token"}}),
})
