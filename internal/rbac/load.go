package rbac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
	rbacv1 "k8s.io/api/rbac/v1"
)

// LoadError is a problem with one document of a YAML stream. Line lets a caller that knows the
// file name report file:line.
type LoadError struct {
	Document int    // 1-based position in the stream
	Line     int    // 1-based line where the object starts; 0 when the YAML itself did not parse
	Object   string // "ClusterRole/x" once known
	Err      error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	fmt.Fprintf(&b, "document %d", e.Document)
	if e.Object != "" {
		b.WriteString(" (" + e.Object + ")")
	}
	return b.String() + ": " + e.Err.Error()
}

func (e *LoadError) Unwrap() error { return e.Err }

// LoadYAML builds a snapshot from a multi-document YAML stream of RBAC objects, such as test
// fixtures or the output of `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A
// -o yaml` (a List, whose items are read in turn). Other kinds are ignored, so a whole-cluster dump
// will do. Unlike New it refuses what a cluster could not hold (an object without a name, a
// namespaced object without a namespace, two objects of one name, a misspelt field), since in a
// hand-written file those are typos that would silently grant nothing.
func LoadYAML(data []byte) (*Snapshot, error) {
	var l loader
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 1; ; doc++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &LoadError{Document: doc, Err: err}
		}
		if len(node.Content) == 0 || node.Content[0].Tag == "!!null" {
			continue // an empty document, as between two "---"
		}
		if err := l.add(node.Content[0], doc); err != nil {
			return nil, err
		}
	}
	return New(l.roles, l.clusterRoles, l.roleBindings, l.clusterRoleBindings), nil
}

type loader struct {
	roles               []rbacv1.Role
	clusterRoles        []rbacv1.ClusterRole
	roleBindings        []rbacv1.RoleBinding
	clusterRoleBindings []rbacv1.ClusterRoleBinding
	seen                map[string]int // object -> line
}

func (l *loader) add(node *yaml.Node, doc int) error {
	fail := func(object string, err error) error {
		return &LoadError{Document: doc, Line: node.Line, Object: object, Err: err}
	}
	var head struct {
		APIVersion string      `yaml:"apiVersion"`
		Kind       string      `yaml:"kind"`
		Items      []yaml.Node `yaml:"items"`
	}
	if err := node.Decode(&head); err != nil {
		return fail("", err)
	}
	group, _, _ := strings.Cut(head.APIVersion, "/")
	if strings.HasSuffix(head.Kind, "List") && (head.APIVersion == "v1" || group == rbacv1.GroupName) {
		for i := range head.Items {
			if err := l.add(&head.Items[i], doc); err != nil {
				return err
			}
		}
		return nil
	}
	switch head.Kind {
	case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding":
	default:
		return nil // not RBAC: a whole-cluster dump has plenty of these
	}
	if group != rbacv1.GroupName {
		return nil // a Role of some other API group (an operator's CRD), not Kubernetes RBAC
	}
	if head.APIVersion != rbacv1.SchemeGroupVersion.String() {
		return fail(head.Kind, fmt.Errorf("apiVersion %s is not served since Kubernetes 1.22; use %s", head.APIVersion, rbacv1.SchemeGroupVersion))
	}

	var meta struct {
		Metadata struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"metadata"`
	}
	if err := node.Decode(&meta); err != nil {
		return fail(head.Kind, err)
	}
	name, ns := meta.Metadata.Name, meta.Metadata.Namespace
	object := head.Kind + "/" + name
	namespaced := head.Kind == "Role" || head.Kind == "RoleBinding"
	if namespaced {
		object = head.Kind + "/" + ns + "/" + name
	}
	switch {
	case name == "":
		return fail(head.Kind, errors.New("metadata.name is missing"))
	case namespaced && ns == "":
		return fail(head.Kind+"/"+name, errors.New("metadata.namespace is missing"))
	}
	if first, dup := l.seen[object]; dup {
		return fail(object, fmt.Errorf("defined again (first at line %d)", first))
	}
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	l.seen[object] = node.Line

	var err error
	switch head.Kind {
	case "Role":
		var o rbacv1.Role
		if err = decodeStrict(node, &o); err == nil {
			l.roles = append(l.roles, o)
		}
	case "ClusterRole":
		var o rbacv1.ClusterRole
		if err = decodeStrict(node, &o); err == nil {
			l.clusterRoles = append(l.clusterRoles, o)
		}
	case "RoleBinding":
		var o rbacv1.RoleBinding
		if err = decodeStrict(node, &o); err == nil {
			err = checkRoleRef(o.RoleRef)
			l.roleBindings = append(l.roleBindings, o)
		}
	case "ClusterRoleBinding":
		var o rbacv1.ClusterRoleBinding
		if err = decodeStrict(node, &o); err == nil {
			err = checkRoleRef(o.RoleRef)
			l.clusterRoleBindings = append(l.clusterRoleBindings, o)
		}
	}
	if err != nil {
		return fail(object, err)
	}
	return nil
}

func checkRoleRef(ref rbacv1.RoleRef) error {
	if ref.Kind == "" || ref.Name == "" {
		return errors.New("roleRef needs kind and name")
	}
	return nil
}

// decodeStrict decodes through JSON so that the API types' json tags and custom decoders apply,
// and refuses unknown fields: a rule with "verb:" instead of "verbs:" would otherwise grant nothing
// without a word.
func decodeStrict(node *yaml.Node, out any) error {
	var v any
	if err := node.Decode(&v); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		// encoding/json says "json: unknown field", which points a YAML author the wrong way.
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}
