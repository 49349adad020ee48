// Package rbac evaluates a cluster's Kubernetes RBAC objects the way the API server's RBAC
// authorizer does, for the CIS EKS 4.1.x controls: who may read secrets, create pods, reach
// nodes/proxy, mint service account tokens, create PersistentVolumes, bind, escalate or impersonate,
// change admission webhooks; which roles use wildcards; who holds cluster-admin.
//
// It is a pure function of a snapshot of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings,
// however they were fetched (the API, a saved file, a test fixture). Every answer lists each grant,
// the ones Kubernetes and EKS ship included, marked Default (defaults.go says which and why): a
// control that passes on a fresh cluster must still be seen to look at cluster-admin via
// system:masters, or a miss would look the same as a pass.
//
// RBAC is not the whole story on EKS. Access entries with access policies are authorized by EKS's
// own webhook and leave no RBAC object, and who belongs to system:masters is decided by aws-auth or
// access entries; 4.1.7 and the IAM side cover those.
package rbac

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Snapshot is a set of RBAC objects with aggregation resolved and role references followed.
// It is read-only once built and safe for concurrent use.
type Snapshot struct {
	roles        []*role // every Role and ClusterRole, sorted by ref
	clusterRoles map[string]*role
	nsRoles      map[string]*role // "ns/name"
	bindings     []*binding       // sorted by ref
	problems     []Problem
}

// role is a Role or ClusterRole with its effective rules.
type role struct {
	ref       string // "ClusterRole/x" or "Role/ns/x"
	kind      string
	namespace string
	name      string
	labels    labels.Set
	rules     []effectiveRule
	isDefault bool
	bindings  []*binding // those that reference it, sorted
}

// effectiveRule is one rule of a role after aggregation, and where it came from.
type effectiveRule struct {
	rule rbacv1.PolicyRule
	// from is the ClusterRole whose rule this is when aggregation brought it in; "" when it is the
	// role's own.
	from string
	// isDefault is false when the rule came only from a role that is not Kubernetes' or EKS's.
	isDefault bool
}

// binding is a RoleBinding or ClusterRoleBinding with its role reference followed.
type binding struct {
	ref       string // "ClusterRoleBinding/x" or "RoleBinding/ns/x"
	namespace string // "" for a ClusterRoleBinding
	name      string
	roleRef   rbacv1.RoleRef
	role      *role // nil when the reference is dangling or invalid: it grants nothing
	subjects  []subject
	isDefault bool
}

type subject struct {
	rbacv1.Subject
	// valid is false for a subject that can match nobody: an unknown kind, or a ServiceAccount
	// without a namespace in a ClusterRoleBinding.
	valid     bool
	isDefault bool
}

// Problem is something in the snapshot that grants nothing but deserves a look, such as a binding to
// a role that does not exist: whoever later creates a role of that name hands its rules to the
// binding's subjects.
type Problem struct {
	Object  string // "RoleBinding/team-a/x", "ClusterRole/y"
	Message string
}

func (p Problem) String() string { return p.Object + ": " + p.Message }

// New builds a snapshot. When two objects share a kind, namespace and name, the later one wins, as a
// later apply would. The arguments are not modified.
func New(roles []rbacv1.Role, clusterRoles []rbacv1.ClusterRole, roleBindings []rbacv1.RoleBinding, clusterRoleBindings []rbacv1.ClusterRoleBinding) *Snapshot {
	s := &Snapshot{clusterRoles: map[string]*role{}, nsRoles: map[string]*role{}}
	stored := map[string][]rbacv1.PolicyRule{}
	aggregation := map[string]*rbacv1.AggregationRule{}
	for _, cr := range clusterRoles {
		r := &role{ref: "ClusterRole/" + cr.Name, kind: "ClusterRole", name: cr.Name, labels: labels.Set(cr.Labels)}
		r.isDefault = defaultRole(r.kind, "", r.name)
		s.clusterRoles[cr.Name] = r
		stored[cr.Name] = cr.Rules
		aggregation[cr.Name] = cr.AggregationRule
	}
	s.aggregate(stored, aggregation)
	for _, ro := range roles {
		r := &role{ref: "Role/" + ro.Namespace + "/" + ro.Name, kind: "Role", namespace: ro.Namespace, name: ro.Name}
		r.isDefault = defaultRole(r.kind, r.namespace, r.name)
		for _, rule := range ro.Rules {
			r.rules = append(r.rules, effectiveRule{rule: rule, isDefault: r.isDefault})
		}
		s.nsRoles[ro.Namespace+"/"+ro.Name] = r
	}
	for _, r := range s.clusterRoles {
		s.roles = append(s.roles, r)
	}
	for _, r := range s.nsRoles {
		s.roles = append(s.roles, r)
	}
	slices.SortFunc(s.roles, func(a, b *role) int { return strings.Compare(a.ref, b.ref) })

	byRef := map[string]*binding{}
	for _, rb := range roleBindings {
		b := s.bind("RoleBinding", rb.Namespace, rb.Name, rb.RoleRef, rb.Subjects)
		byRef[b.ref] = b
	}
	for _, crb := range clusterRoleBindings {
		b := s.bind("ClusterRoleBinding", "", crb.Name, crb.RoleRef, crb.Subjects)
		byRef[b.ref] = b
	}
	for _, b := range byRef {
		s.bindings = append(s.bindings, b)
		s.problems = append(s.problems, b.check()...)
	}
	slices.SortFunc(s.bindings, func(a, b *binding) int { return strings.Compare(a.ref, b.ref) })
	for _, b := range s.bindings {
		if b.role != nil {
			b.role.bindings = append(b.role.bindings, b)
		}
	}
	slices.SortStableFunc(s.problems, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Object, b.Object), strings.Compare(a.Message, b.Message))
	})
	return s
}

// bind follows a binding's role reference as the authorizer's rule resolver does: a RoleBinding
// may name a Role in its own namespace or a ClusterRole, whose rules then apply in that namespace
// only; a ClusterRoleBinding may name only a ClusterRole.
func (s *Snapshot) bind(kind, namespace, name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) *binding {
	b := &binding{namespace: namespace, name: name, roleRef: ref, isDefault: defaultBinding(kind, namespace, name)}
	if kind == "ClusterRoleBinding" {
		b.ref = "ClusterRoleBinding/" + name
	} else {
		b.ref = "RoleBinding/" + namespace + "/" + name
	}
	switch {
	case ref.Kind == "ClusterRole":
		b.role = s.clusterRoles[ref.Name]
	case ref.Kind == "Role" && kind == "RoleBinding":
		b.role = s.nsRoles[namespace+"/"+ref.Name]
	}
	for _, sub := range subjects {
		// The authorizer fills in a RoleBinding's namespace for a ServiceAccount that names none.
		if sub.Kind == rbacv1.ServiceAccountKind && sub.Namespace == "" {
			sub.Namespace = namespace
		}
		valid := sub.Kind == rbacv1.UserKind || sub.Kind == rbacv1.GroupKind ||
			(sub.Kind == rbacv1.ServiceAccountKind && sub.Namespace != "")
		b.subjects = append(b.subjects, subject{Subject: sub, valid: valid, isDefault: defaultSubject(sub, b.ref, name)})
	}
	return b
}

// check reports what makes the binding, or part of it, grant nothing.
func (b *binding) check() []Problem {
	var out []Problem
	ref := b.roleRef
	switch {
	case ref.Kind != "ClusterRole" && ref.Kind != "Role":
		out = append(out, Problem{b.ref, fmt.Sprintf("roleRef kind %q is neither Role nor ClusterRole; it grants nothing", ref.Kind)})
	case ref.Kind == "Role" && b.namespace == "":
		out = append(out, Problem{b.ref, fmt.Sprintf("a ClusterRoleBinding cannot reference Role %q; it grants nothing", ref.Name)})
	case b.role == nil && ref.Kind == "Role":
		out = append(out, Problem{b.ref, fmt.Sprintf("references Role %s/%s, which does not exist: it grants nothing until a Role of that name is created", b.namespace, ref.Name)})
	case b.role == nil:
		out = append(out, Problem{b.ref, fmt.Sprintf("references ClusterRole %s, which does not exist: it grants nothing until a ClusterRole of that name is created", ref.Name)})
	}
	for _, sub := range b.subjects {
		switch sub.Kind {
		case rbacv1.UserKind, rbacv1.GroupKind:
		case rbacv1.ServiceAccountKind:
			if sub.Namespace == "" {
				out = append(out, Problem{b.ref, fmt.Sprintf("ServiceAccount subject %q has no namespace, so it matches nobody", sub.Name)})
			}
		default:
			out = append(out, Problem{b.ref, fmt.Sprintf("subject kind %q is not User, Group or ServiceAccount, so it matches nobody", sub.Kind)})
		}
	}
	return out
}

// aggregate fills the rules of aggregated ClusterRoles as the clusterrole-aggregation controller
// would: the union of the rules of every other ClusterRole that one of its selectors matches. The
// controller runs until nothing changes, so aggregation is transitive (view aggregates into edit,
// edit into admin); here a fixed point gets the same result, and cycles end because rule sets only
// grow. Rules already stored on the aggregated role are kept: on a live cluster they are the
// controller's last result, in a hand-written fixture they may be all there is.
//
// Each rule also learns where it came from, so a user's ClusterRole labelled to aggregate into edit
// shows up as the user's rule granted through edit, not as part of the built-in role.
func (s *Snapshot) aggregate(stored map[string][]rbacv1.PolicyRule, aggregation map[string]*rbacv1.AggregationRule) {
	names := make([]string, 0, len(s.clusterRoles))
	for n := range s.clusterRoles {
		names = append(names, n)
	}
	slices.Sort(names)

	// selected[a] is the ClusterRoles, by name, that a's selectors pick.
	selected := map[string][]string{}
	var aggregated []string
	for _, name := range names {
		ag := aggregation[name]
		if ag == nil {
			continue
		}
		aggregated = append(aggregated, name)
		picked := map[string]bool{}
		for _, sel := range ag.ClusterRoleSelectors {
			selector, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				s.problems = append(s.problems, Problem{"ClusterRole/" + name, fmt.Sprintf("aggregation selector: %v; the selector aggregates nothing", err)})
				continue
			}
			for _, other := range names {
				if other != name && selector.Matches(s.clusterRoles[other].labels) {
					picked[other] = true
				}
			}
		}
		for _, other := range names {
			if picked[other] {
				selected[name] = append(selected[name], other)
			}
		}
	}

	// Effective rule sets, in order, deduplicated by content as the controller's ruleExists does.
	type ruleSet struct {
		keys  []string
		rules map[string]rbacv1.PolicyRule
	}
	sets := map[string]*ruleSet{}
	for _, name := range names {
		rs := &ruleSet{rules: map[string]rbacv1.PolicyRule{}}
		for _, rule := range stored[name] {
			k := ruleKey(rule)
			if _, ok := rs.rules[k]; !ok {
				rs.keys = append(rs.keys, k)
				rs.rules[k] = rule
			}
		}
		sets[name] = rs
	}
	for changed := true; changed; {
		changed = false
		for _, a := range aggregated {
			for _, src := range selected[a] {
				for _, k := range sets[src].keys {
					if _, ok := sets[a].rules[k]; !ok {
						sets[a].keys = append(sets[a].keys, k)
						sets[a].rules[k] = sets[src].rules[k]
						changed = true
					}
				}
			}
		}
	}

	// Origins: a role's own rules come from itself. So do the stored rules of an aggregated role that
	// none of its selected roles provides (stale or hand-added). Every other rule of an aggregated
	// role comes from wherever the selected roles got it, followed to a fixed point.
	origins := map[string]map[string]map[string]bool{} // role -> rule key -> origin role names
	for _, name := range names {
		origins[name] = map[string]map[string]bool{}
		provided := map[string]bool{}
		for _, src := range selected[name] {
			for _, k := range sets[src].keys {
				provided[k] = true
			}
		}
		for _, rule := range stored[name] {
			k := ruleKey(rule)
			if aggregation[name] == nil || !provided[k] {
				origins[name][k] = map[string]bool{name: true}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, a := range aggregated {
			for _, src := range selected[a] {
				for k, from := range origins[src] {
					if _, ok := sets[a].rules[k]; !ok {
						continue
					}
					if origins[a][k] == nil {
						origins[a][k] = map[string]bool{}
					}
					for o := range from {
						if !origins[a][k][o] {
							origins[a][k][o] = true
							changed = true
						}
					}
				}
			}
		}
	}

	for _, name := range names {
		r := s.clusterRoles[name]
		for _, k := range sets[name].keys {
			from := origins[name][k]
			if len(from) == 0 {
				// Only reachable through a cycle of aggregated roles: attribute it to this one.
				from = map[string]bool{name: true}
			}
			r.rules = append(r.rules, effectiveRule{rule: sets[name].rules[k], from: origin(name, from), isDefault: anyDefault(from)})
		}
	}
}

// origin names the ClusterRole to report as a rule's source: none when the role owns the rule,
// otherwise a default source if there is one (the rule is then as built-in as that role's), else
// the first of the others.
func origin(self string, from map[string]bool) string {
	if from[self] {
		return ""
	}
	names := make([]string, 0, len(from))
	for n := range from {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if defaultRole("ClusterRole", "", n) {
			return "ClusterRole/" + n
		}
	}
	return "ClusterRole/" + names[0]
}

func anyDefault(from map[string]bool) bool {
	for n := range from {
		if defaultRole("ClusterRole", "", n) {
			return true
		}
	}
	return false
}

// ruleKey identifies a rule by content. Order inside each list matters, as it does to the
// controller's semantic comparison; nil and empty lists are the same.
func ruleKey(r rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, list := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, v := range list {
			b.WriteString(v)
			b.WriteByte(0x1f)
		}
		b.WriteByte(0x1e)
	}
	return b.String()
}

// ClusterRoleRules returns the effective rules of the named ClusterRole, aggregation included, or
// nil when there is no such ClusterRole.
func (s *Snapshot) ClusterRoleRules(name string) []rbacv1.PolicyRule {
	r := s.clusterRoles[name]
	if r == nil {
		return nil
	}
	out := make([]rbacv1.PolicyRule, 0, len(r.rules))
	for _, er := range r.rules {
		out = append(out, er.rule)
	}
	return out
}

// Problems returns the bindings and roles that grant nothing, or less than they say, sorted.
func (s *Snapshot) Problems() []Problem {
	return append([]Problem{}, s.problems...)
}
