package rbac

import (
	"cmp"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Grant is one rule that one binding gives one subject, or, for a role nobody is bound to, the rule
// alone (Subject and Binding zero).
type Grant struct {
	// Subject is as the binding names it, except that a ServiceAccount's namespace is filled in as
	// the authorizer fills it (a RoleBinding's own namespace).
	Subject rbacv1.Subject
	// Binding is "ClusterRoleBinding/x" or "RoleBinding/ns/x"; "" for an unbound role.
	Binding string
	// Role is "ClusterRole/x" or "Role/ns/x".
	Role string
	// From is the ClusterRole the rule came from when aggregation brought it into Role
	// ("ClusterRole/system:aggregate-to-edit" for edit's rules); "" when the rule is Role's own.
	From string
	// Namespace is where the grant applies: a RoleBinding's (or an unbound Role's) namespace; ""
	// means cluster-wide.
	Namespace string
	// Rule is the whole rule that matched; its ResourceNames, when present, limit the grant to
	// those objects (see Limited).
	Rule rbacv1.PolicyRule
	// Default is true when the role, the rule's origin, the binding and the subject are all
	// Kubernetes' or EKS's own (defaults.go).
	Default bool
}

// Limited reports whether the grant covers only the objects its rule names. It is still a grant:
// access to the one secret that holds the database password is what 4.1.2 asks about.
func (g Grant) Limited() bool { return len(g.Rule.ResourceNames) > 0 }

func (g Grant) String() string {
	var b strings.Builder
	if g.Binding == "" {
		b.WriteString("(unbound) ")
	} else {
		b.WriteString(g.Binding + " gives " + SubjectString(g.Subject) + " ")
	}
	b.WriteString(g.Role)
	if g.From != "" {
		b.WriteString(" (rule from " + g.From + ")")
	}
	if g.Namespace != "" {
		b.WriteString(" in namespace " + g.Namespace)
	}
	if g.Default {
		b.WriteString(" [default]")
	}
	return b.String()
}

// SubjectString is "User alice", "Group devs" or "ServiceAccount ns/name".
func SubjectString(s rbacv1.Subject) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + " " + s.Namespace + "/" + s.Name
	}
	return s.Kind + " " + s.Name
}

// Who returns every grant of verb on resource in group, across all namespaces and object names.
// resource may name a subresource ("nodes/proxy", "serviceaccounts/token"). "*" for verb, group or
// resource means any, so Who("*", "", "nodes/proxy") is all access to nodes/proxy. Rules limited by
// resourceNames are included (see Grant.Limited), except where the request can carry no name
// (create of a top-level object, deletecollection). RoleBindings are skipped for Kubernetes'
// cluster-scoped resources, which they cannot reach.
func (s *Snapshot) Who(verb, group, resource string) []Grant {
	q := newQuery(verb, group, resource)
	clusterScope := q.clusterScope()
	out := []Grant{}
	for _, b := range s.bindings {
		if b.role == nil || (clusterScope && b.namespace != "") {
			continue
		}
		for _, er := range b.role.rules {
			if !q.matches(er.rule) {
				continue
			}
			for _, sub := range b.subjects {
				if sub.valid {
					out = append(out, b.grant(sub, er))
				}
			}
		}
	}
	sortGrants(out)
	return out
}

// Wildcards returns the rules that use "*" in verbs, API groups or resources (4.1.3), once for each
// subject they are bound to, or once alone for a role nobody is bound to: an unbound wildcard role
// is one binding away from use. Kubernetes' own (cluster-admin, system:kube-controller-manager's
// list/watch of everything, the garbage collector's) come back marked Default.
func (s *Snapshot) Wildcards() []Grant {
	out := []Grant{}
	for _, r := range s.roles {
		var wild []effectiveRule
		for _, er := range r.rules {
			if wildcard(er.rule) {
				wild = append(wild, er)
			}
		}
		if len(wild) == 0 {
			continue
		}
		bound := false
		for _, b := range r.bindings {
			for _, sub := range b.subjects {
				if !sub.valid {
					continue
				}
				bound = true
				for _, er := range wild {
					out = append(out, b.grant(sub, er))
				}
			}
		}
		if !bound {
			for _, er := range wild {
				out = append(out, Grant{Role: r.ref, From: er.from, Namespace: r.namespace, Rule: er.rule, Default: r.isDefault && er.isDefault})
			}
		}
	}
	sortGrants(out)
	return out
}

// ClusterAdmin returns one grant for each subject of each binding to the ClusterRole cluster-admin
// (4.1.1), with cluster-admin's first rule. A RoleBinding to it counts too: it is full control of
// that namespace. Other roles as powerful as cluster-admin are Wildcards' to report.
func (s *Snapshot) ClusterAdmin() []Grant {
	out := []Grant{}
	for _, b := range s.bindings {
		if b.role == nil || b.role.kind != "ClusterRole" || b.role.name != "cluster-admin" {
			continue
		}
		er := effectiveRule{isDefault: b.role.isDefault}
		if len(b.role.rules) > 0 {
			er = b.role.rules[0]
		}
		for _, sub := range b.subjects {
			if sub.valid {
				out = append(out, b.grant(sub, er))
			}
		}
	}
	sortGrants(out)
	return out
}

// User is an authenticated identity as the authorizer sees it. Groups include what the
// authenticator adds, such as system:authenticated.
type User struct {
	Name   string
	Groups []string
}

// ServiceAccountUser is the identity a ServiceAccount's token authenticates as.
func ServiceAccountUser(namespace, name string) User {
	return User{
		Name:   "system:serviceaccount:" + namespace + ":" + name,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}
}

// Allowed returns the grants that let u make r; none means RBAC denies it. ClusterRoleBindings
// apply everywhere, RoleBindings only to requests in their namespace, and non-resource requests
// only through ClusterRoleBindings, as in the authorizer.
func (s *Snapshot) Allowed(u User, r Request) []Grant {
	out := []Grant{}
	for _, b := range s.bindings {
		if b.role == nil {
			continue
		}
		if b.namespace != "" && (r.Path != "" || b.namespace != r.Namespace) {
			continue
		}
		var subs []subject
		for _, sub := range b.subjects {
			if sub.valid && appliesTo(u, sub.Subject) {
				subs = append(subs, sub)
			}
		}
		if len(subs) == 0 {
			continue
		}
		for _, er := range b.role.rules {
			if !RuleAllows(er.rule, r) {
				continue
			}
			for _, sub := range subs {
				out = append(out, b.grant(sub, er))
			}
		}
	}
	sortGrants(out)
	return out
}

// appliesTo matches a subject to a user as the authorizer's appliesToUser does; a ServiceAccount's
// namespace has been filled in already.
func appliesTo(u User, sub rbacv1.Subject) bool {
	switch sub.Kind {
	case rbacv1.UserKind:
		return u.Name == sub.Name
	case rbacv1.GroupKind:
		return slices.Contains(u.Groups, sub.Name)
	case rbacv1.ServiceAccountKind:
		return sub.Namespace != "" && u.Name == "system:serviceaccount:"+sub.Namespace+":"+sub.Name
	}
	return false
}

func (b *binding) grant(sub subject, er effectiveRule) Grant {
	return Grant{
		Subject:   sub.Subject,
		Binding:   b.ref,
		Role:      b.role.ref,
		From:      er.from,
		Namespace: b.namespace,
		Rule:      er.rule,
		Default:   b.isDefault && b.role.isDefault && er.isDefault && sub.isDefault,
	}
}

// sortGrants orders by binding, subject and role; rules of one role keep the role's order.
func sortGrants(gs []Grant) {
	slices.SortStableFunc(gs, func(a, b Grant) int {
		return cmp.Or(
			strings.Compare(a.Binding, b.Binding),
			strings.Compare(a.Subject.Kind, b.Subject.Kind),
			strings.Compare(a.Subject.Namespace, b.Subject.Namespace),
			strings.Compare(a.Subject.Name, b.Subject.Name),
			strings.Compare(a.Role, b.Role),
			strings.Compare(a.Namespace, b.Namespace),
		)
	})
}
