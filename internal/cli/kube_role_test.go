package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/rbac"
)

// kubeGroups are the API groups of the resources the Kubernetes checks read.
var kubeGroups = map[string]string{
	"namespaces": "", "pods": "", "serviceaccounts": "", "services": "", "configmaps": "", "persistentvolumeclaims": "", "nodes": "",
	"deployments": "apps", "statefulsets": "apps", "daemonsets": "apps", "replicasets": "apps",
	"jobs": "batch", "cronjobs": "batch",
	"roles": "rbac.authorization.k8s.io", "clusterroles": "rbac.authorization.k8s.io", "rolebindings": "rbac.authorization.k8s.io", "clusterrolebindings": "rbac.authorization.k8s.io",
	"networkpolicies": "networking.k8s.io", "ingresses": "networking.k8s.io",
	"csidrivers": "storage.k8s.io",
}

// TestREADMEKubernetesRole holds the ClusterRoles the README gives eksguard's Kubernetes identity to
// every read of every check, evaluated as the RBAC authorizer would, and to nothing more: no write,
// no secrets.
func TestREADMEKubernetesRole(t *testing.T) {
	const file = "examples/kubernetes/eksguard-reader.yaml"
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "("+file+")") {
		t.Fatalf("the README does not link %s", file)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := rbac.LoadYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	me := rbac.User{Name: "arn:aws:iam::111111111111:role/eksguard", Groups: []string{"eksguard-readers", "system:authenticated"}}
	needed := map[string]bool{}
	for _, k := range check.All() {
		for _, c := range k.Calls {
			if !c.Kubernetes {
				continue
			}
			verb, res, ok := strings.Cut(c.Action, " ")
			resource, sub, _ := strings.Cut(res, "/")
			group, known := kubeGroups[resource]
			if !ok || !known {
				t.Errorf("%s reads %q: not a verb and a known resource", k.ID, c.Action)
				continue
			}
			needed[c.Action] = true
			if len(snap.Allowed(me, rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: "any"})) == 0 {
				t.Errorf("%s reads %q, which the README's roles do not grant", k.ID, c.Action)
			}
		}
	}
	if len(needed) < 20 {
		t.Errorf("only %d Kubernetes reads found: %v", len(needed), needed)
	}
	// Nothing beyond what is read: every verb and resource granted is one a check needs.
	var extra []string
	for _, verb := range []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate"} {
		for resource, group := range kubeGroups {
			for _, sub := range []string{"", "proxy"} {
				name := resource
				if sub != "" {
					name += "/" + sub
				}
				if len(snap.Allowed(me, rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: "any"})) > 0 && !needed[verb+" "+name] {
					extra = append(extra, verb+" "+name)
				}
			}
		}
		if len(snap.Allowed(me, rbac.Request{Verb: verb, Resource: "secrets", Name: "any"})) > 0 {
			extra = append(extra, verb+" secrets")
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("the README's roles grant more than eksguard reads: %v", extra)
	}
}
