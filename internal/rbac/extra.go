package rbac

import (
	"strings"
)

// Queries the checks of package check need beyond Who, Wildcards, ClusterAdmin and Allowed: the rules
// that reach nobody, everything an identity holds, and whether a rule is Kubernetes' or EKS's own
// whoever it is bound to.

// Unbound returns the rules that grant verb on resource in group (with Who's meaning of "*" and of
// resourceNames) in roles that no binding makes effective for it: roles with no binding, or whose
// bindings name no subject that can match anyone, or, for a Kubernetes cluster-scoped resource, whose
// only bindings are RoleBindings (which cannot reach it). Each rule comes once, with Subject and
// Binding zero and Namespace the Role's own ("" for a ClusterRole); Default is true when the role and
// the rule's origin are Kubernetes' or EKS's own. Such a role grants nobody today and anybody the day
// a binding names it.
func (s *Snapshot) Unbound(verb, group, resource string) []Grant {
	q := newQuery(verb, group, resource)
	clusterScope := q.clusterScope()
	out := []Grant{}
	for _, r := range s.roles {
		reached := false
		for _, b := range r.bindings {
			if clusterScope && b.namespace != "" {
				continue
			}
			for _, sub := range b.subjects {
				if sub.valid {
					reached = true
				}
			}
		}
		if reached {
			continue
		}
		for _, er := range r.rules {
			if q.matches(er.rule) {
				out = append(out, Grant{Role: r.ref, From: er.from, Namespace: r.namespace, Rule: er.rule, Default: r.isDefault && er.isDefault})
			}
		}
	}
	sortGrants(out)
	return out
}

// GrantsTo returns every grant that applies to u, resource and non-resource rules alike, in every
// namespace: ClusterRoleBindings and the RoleBindings of any namespace whose subjects match the
// user's name or one of its groups, as the authorizer matches them. It is what the identity can use,
// without a particular request in mind.
func (s *Snapshot) GrantsTo(u User) []Grant {
	out := []Grant{}
	for _, b := range s.bindings {
		if b.role == nil {
			continue
		}
		for _, sub := range b.subjects {
			if !sub.valid || !appliesTo(u, sub.Subject) {
				continue
			}
			for _, er := range b.role.rules {
				out = append(out, b.grant(sub, er))
			}
		}
	}
	sortGrants(out)
	return out
}

// BuiltInRule reports whether g's rule is Kubernetes' or EKS's own: its role is one of theirs and the
// rule did not come into that role by aggregation from a role that is not. Unlike Default it says
// nothing of the binding and the subject: a user's binding to the built-in cluster-admin is a
// built-in rule given to someone who is not default.
func BuiltInRule(g Grant) bool {
	if !defaultRoleRef(g.Role) {
		return false
	}
	return g.From == "" || defaultRoleRef(g.From)
}

// defaultRoleRef reads "ClusterRole/x" or "Role/ns/x" (object names cannot hold a slash) and says
// whether it names a default role.
func defaultRoleRef(ref string) bool {
	kind, rest, ok := strings.Cut(ref, "/")
	if !ok {
		return false
	}
	switch kind {
	case "ClusterRole":
		return defaultRole(kind, "", rest)
	case "Role":
		ns, name, ok := strings.Cut(rest, "/")
		return ok && defaultRole(kind, ns, name)
	}
	return false
}
