package rbac

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Request is one API request as the RBAC authorizer sees it (authorizer.Attributes).
type Request struct {
	Verb string
	// APIGroup is "" for the core group.
	APIGroup string
	// Resource and Subresource are split as the API server splits /pods/x/exec: "pods" and "exec".
	Resource    string
	Subresource string
	// Name is the object's name; "" for create, list and deletecollection.
	Name string
	// Namespace is "" for a cluster-scoped resource or a non-resource request.
	Namespace string
	// Path makes this a non-resource request (/metrics, /healthz); the resource fields are ignored.
	Path string
}

// RuleAllows reports whether rule allows r, as the Kubernetes RBAC authorizer decides (RuleAllows in
// plugin/pkg/auth/authorizer/rbac, over the helpers in pkg/apis/rbac/v1). There is no "resource/*"
// form: the authorizer treats "pods/*" as a literal name that no request carries, so it grants nothing.
func RuleAllows(rule rbacv1.PolicyRule, r Request) bool {
	if r.Path != "" {
		return verbMatches(rule, r.Verb) && nonResourceURLMatches(rule, r.Path)
	}
	combined := r.Resource
	if r.Subresource != "" {
		combined += "/" + r.Subresource
	}
	return verbMatches(rule, r.Verb) &&
		apiGroupMatches(rule, r.APIGroup) &&
		resourceMatches(rule, combined, r.Subresource) &&
		resourceNameMatches(rule, r.Name)
}

func verbMatches(rule rbacv1.PolicyRule, verb string) bool {
	return slices.Contains(rule.Verbs, rbacv1.VerbAll) || slices.Contains(rule.Verbs, verb)
}

func apiGroupMatches(rule rbacv1.PolicyRule, group string) bool {
	return slices.Contains(rule.APIGroups, rbacv1.APIGroupAll) || slices.Contains(rule.APIGroups, group)
}

// resourceMatches takes "pods/exec" and "exec" for a subresource request, "pods" and "" otherwise.
func resourceMatches(rule rbacv1.PolicyRule, combined, subresource string) bool {
	for _, res := range rule.Resources {
		if res == rbacv1.ResourceAll || res == combined {
			return true
		}
		// "*/scale" covers the scale subresource of every resource, and only subresource requests.
		if subresource != "" && res == "*/"+subresource {
			return true
		}
	}
	return false
}

// resourceNameMatches: an empty list allows every name, and a non-empty one never allows a request
// without a name (create, list without a name field selector, deletecollection).
func resourceNameMatches(rule rbacv1.PolicyRule, name string) bool {
	return len(rule.ResourceNames) == 0 || slices.Contains(rule.ResourceNames, name)
}

func nonResourceURLMatches(rule rbacv1.PolicyRule, path string) bool {
	for _, u := range rule.NonResourceURLs {
		if u == rbacv1.NonResourceAll || u == path {
			return true
		}
		// Only a trailing * is a wildcard, and it matches any suffix, "/metrics*" included "/metricsz".
		if strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")) {
			return true
		}
	}
	return false
}

// query is a Who question: unlike a Request, "*" in it means "any", and it asks about every object
// name, so rules limited by resourceNames count.
type query struct {
	verb, group, resource, subresource string
}

func newQuery(verb, group, resource string) query {
	res, sub, _ := strings.Cut(resource, "/")
	return query{verb: verb, group: group, resource: res, subresource: sub}
}

func (q query) matches(rule rbacv1.PolicyRule) bool {
	if len(rule.Resources) == 0 {
		return false // a non-resource rule (nonResourceURLs) never grants a resource
	}
	if q.verb == "*" {
		if len(rule.Verbs) == 0 {
			return false
		}
	} else if !verbMatches(rule, q.verb) {
		return false
	}
	if q.group == "*" {
		if len(rule.APIGroups) == 0 {
			return false
		}
	} else if !apiGroupMatches(rule, q.group) {
		return false
	}
	if q.resource != "*" {
		combined := q.resource
		if q.subresource != "" {
			combined += "/" + q.subresource
		}
		if !resourceMatches(rule, combined, q.subresource) {
			return false
		}
	}
	// A request that carries no name cannot use a rule limited to names: creating a top-level
	// object and deleting a collection are such requests. Subresources (pods/exec,
	// serviceaccounts/token) carry the parent's name, so names do limit them.
	if len(rule.ResourceNames) > 0 && q.subresource == "" && (q.verb == "create" || q.verb == "deletecollection") {
		return false
	}
	return true
}

// clusterScoped are Kubernetes' built-in cluster-scoped resources, by API group. A RoleBinding's
// rules only ever apply to requests in its namespace, and requests for these carry none, so a
// RoleBinding to cluster-admin does not let anyone create PersistentVolumes. Resources not listed
// (custom resources) are treated as namespaced, which can only over-report.
var clusterScoped = map[string][]string{
	"": {"nodes", "persistentvolumes", "componentstatuses"},
	"admissionregistration.k8s.io": {"validatingwebhookconfigurations", "mutatingwebhookconfigurations",
		"validatingadmissionpolicies", "validatingadmissionpolicybindings",
		"mutatingadmissionpolicies", "mutatingadmissionpolicybindings"},
	"apiextensions.k8s.io":         {"customresourcedefinitions"},
	"apiregistration.k8s.io":       {"apiservices"},
	"rbac.authorization.k8s.io":    {"clusterroles", "clusterrolebindings"},
	"certificates.k8s.io":          {"certificatesigningrequests", "clustertrustbundles"},
	"storage.k8s.io":               {"storageclasses", "csidrivers", "csinodes", "volumeattachments", "volumeattributesclasses"},
	"scheduling.k8s.io":            {"priorityclasses"},
	"node.k8s.io":                  {"runtimeclasses"},
	"networking.k8s.io":            {"ingressclasses", "ipaddresses", "servicecidrs"},
	"flowcontrol.apiserver.k8s.io": {"flowschemas", "prioritylevelconfigurations"},
	"authentication.k8s.io":        {"tokenreviews", "selfsubjectreviews"},
	"authorization.k8s.io":         {"subjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews"},
	"resource.k8s.io":              {"deviceclasses", "resourceslices"},
}

// clusterScope reports whether the query names a resource that is cluster-scoped in its group, or in
// any group when the query's group is "*".
func (q query) clusterScope() bool {
	if q.group != "*" {
		return slices.Contains(clusterScoped[q.group], q.resource)
	}
	for _, rs := range clusterScoped {
		if slices.Contains(rs, q.resource) {
			return true
		}
	}
	return false
}

// wildcard reports whether rule uses "*" where 4.1.3 looks: verbs, API groups or resources, the
// last including "*/subresource", which names that subresource of every resource.
func wildcard(rule rbacv1.PolicyRule) bool {
	if slices.Contains(rule.Verbs, rbacv1.VerbAll) || slices.Contains(rule.APIGroups, rbacv1.APIGroupAll) {
		return true
	}
	for _, r := range rule.Resources {
		if r == rbacv1.ResourceAll || strings.HasPrefix(r, "*/") {
			return true
		}
	}
	return false
}
