package kubeapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/testenv/kubeapi"
)

// seed is a small cluster: namespaces, a Deployment's ReplicaSet and pod, a CronJob's Job and pod,
// a bare pod, service accounts, RBAC, a NetworkPolicy, a CSIDriver, objects in default and two nodes
// whose addresses the API server's proxy refuses (loopback), as a node that does not answer.
const seed = `apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team-a}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f9
  namespace: team-a
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: 00000000-0000-0000-0000-000000000001, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8f9-abcde
  namespace: team-a
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f9, uid: 00000000-0000-0000-0000-000000000002, controller: true}]
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: team-b}
spec: {containers: [{name: c, image: busybox, env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: stray}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: team-b}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: team-a}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: secrets-store.csi.k8s.io}
spec: {podInfoOnMount: true}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-10.ec2.internal}
status:
  addresses: [{type: InternalIP, address: 127.0.0.1}]
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
---
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-2-20.ec2.internal}
status:
  addresses: [{type: InternalIP, address: 127.0.0.2}]
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
`

// webhook authenticates "nobody" as a user with no RBAC at all: a token the cluster knows but
// grants nothing.
func webhook(t *testing.T) string {
	return kubeapi.TokenWebhook(t, func(_ context.Context, token string) (authnv1.UserInfo, error) {
		if token != "nobody" {
			return authnv1.UserInfo{}, errors.New("unknown token")
		}
		return authnv1.UserInfo{Username: "nobody", Groups: []string{"system:authenticated"}}, nil
	})
}

func TestReadRealAPIServer(t *testing.T) {
	s := kubeapi.Start(t, kubeapi.Options{TokenWebhookURL: webhook(t)})
	s.Apply(t, seed)
	ctx := context.Background()
	parts := model.Parts{model.PartKubernetes, model.PartKubelet}

	t.Run("everything, two objects a page", func(t *testing.T) {
		k := Read(ctx, s.Config(), "admin", parts, Options{PageSize: 2, Timeout: 10 * time.Second})
		if k.Error != "" || len(k.Errors) != 0 {
			t.Fatalf("error %q, errors %+v", k.Error, k.Errors)
		}
		if !strings.HasPrefix(k.GitVersion, "v1.") || !strings.Contains(k.Auth, "eksguard-test-admin") {
			t.Errorf("version %q, auth %q", k.GitVersion, k.Auth)
		}
		names := map[string]bool{}
		for _, n := range k.Namespaces {
			names[n.Name] = true
		}
		for _, want := range []string{"default", "kube-system", "kube-public", "kube-node-lease", "team-a", "team-b"} {
			if !names[want] {
				t.Errorf("namespace %s not read (%v)", want, names)
			}
		}
		pods := map[string]model.Pod{}
		for _, p := range k.Pods {
			pods[p.Namespace+"/"+p.Name] = p
		}
		if len(pods) != 3 || pods["team-a/web-5d8f9-abcde"].Owner != "Deployment/web" || pods["team-b/bare"].Owner != "" {
			t.Errorf("pods and owners: %+v", pods)
		}
		if env := pods["team-b/bare"].Spec.Containers[0].Env; len(env) != 1 || env[0].ValueFrom.SecretKeyRef.Name != "db" {
			t.Errorf("pod spec not kept: %+v", env)
		}
		kinds := map[string]bool{}
		for _, w := range k.Workloads {
			kinds[w.Kind+"/"+w.Namespace+"/"+w.Name] = true
		}
		if !kinds["Deployment/team-a/web"] || kinds["ReplicaSet/team-a/web-5d8f9"] {
			t.Errorf("workloads (a ReplicaSet a Deployment owns is not one): %v", kinds)
		}
		var automount *bool
		for _, sa := range k.ServiceAccounts {
			if sa.Namespace == "team-a" && sa.Name == "default" {
				automount = sa.AutomountToken
			}
		}
		if automount == nil || *automount {
			t.Errorf("team-a/default automount: %v", automount)
		}
		if len(k.ClusterRoles) < 50 || len(k.ClusterRoleBindings) < 20 || len(k.Roles) == 0 || len(k.RoleBindings) == 0 {
			t.Errorf("RBAC: %d clusterroles, %d bindings, %d roles, %d rolebindings", len(k.ClusterRoles), len(k.ClusterRoleBindings), len(k.Roles), len(k.RoleBindings))
		}
		for _, cr := range k.ClusterRoles {
			if len(cr.ManagedFields) > 0 {
				t.Fatalf("managed fields kept on %s", cr.Name)
			}
		}
		if len(k.NetworkPolicies) != 1 || k.NetworkPolicies[0].String() != "NetworkPolicy/team-a/deny-all" {
			t.Errorf("network policies: %v", k.NetworkPolicies)
		}
		if len(k.CSIDrivers) != 1 || k.CSIDrivers[0] != "secrets-store.csi.k8s.io" {
			t.Errorf("CSI drivers: %v", k.CSIDrivers)
		}
		var inDefault []string
		for _, o := range k.DefaultObjects {
			inDefault = append(inDefault, o.Kind+"/"+o.Name)
		}
		for _, want := range []string{"ConfigMap/settings", "Pod/stray", "Service/kubernetes", "ServiceAccount/default"} {
			if !strings.Contains(strings.Join(inDefault, ","), want) {
				t.Errorf("default namespace: %v lacks %s", inDefault, want)
			}
		}
		if len(k.Nodes) != 2 {
			t.Fatalf("nodes: %+v", k.Nodes)
		}
		for _, n := range k.Nodes {
			// The API server's proxy refuses loopback node addresses: the real error for a node
			// that cannot be reached.
			if n.Kubelet != nil || n.KubeletError == "" {
				t.Errorf("node %s: config %s, error %q", n.Name, n.Kubelet, n.KubeletError)
			}
		}
		t.Logf("a node that does not answer: %s", k.Nodes[0].KubeletError)
		if !strings.Contains(k.Nodes[0].KubeletError, "HTTP 400") {
			t.Errorf("the API server's own words are lost: %s", k.Nodes[0].KubeletError)
		}
	})

	t.Run("a token the cluster knows but grants nothing", func(t *testing.T) {
		cfg := &rest.Config{Host: s.URL, BearerToken: "nobody", TLSClientConfig: rest.TLSClientConfig{CAData: s.CAPEM}}
		k := Read(ctx, cfg, "nobody", parts, Options{})
		if k.Error != "" {
			t.Fatalf("a 403 is not an unreadable API: %s", k.Error)
		}
		ops := map[string]bool{}
		for _, e := range k.Errors {
			if !e.AccessDenied || e.Code != "Forbidden" {
				t.Errorf("%+v", e)
			}
			ops[e.Operation] = true
		}
		for _, want := range []string{"list namespaces", "list pods", "list clusterroles", "list rolebindings", "list networkpolicies",
			"list csidrivers", "list deployments", "list cronjobs", "list services", "list ingresses", "list nodes"} {
			if !ops[want] {
				t.Errorf("no forbidden error for %s: %v", want, ops)
			}
		}
	})

	t.Run("a token the cluster refuses", func(t *testing.T) {
		cfg := &rest.Config{Host: s.URL, BearerToken: "stolen", TLSClientConfig: rest.TLSClientConfig{CAData: s.CAPEM}}
		k := Read(ctx, cfg, "", parts, Options{})
		if !strings.Contains(k.Error, "401 Unauthorized") || !strings.Contains(k.Error, "access entry") || len(k.Pods) != 0 {
			t.Errorf("error %q", k.Error)
		}
	})

	t.Run("a certificate from another authority", func(t *testing.T) {
		cfg := &rest.Config{Host: s.URL, BearerToken: s.AdminToken, TLSClientConfig: rest.TLSClientConfig{CAData: otherCA}}
		k := Read(ctx, cfg, "", parts, Options{})
		if !strings.Contains(k.Error, "cannot reach") || !strings.Contains(k.Error, "certificate") {
			t.Errorf("error %q", k.Error)
		}
	})
}

// otherCA is a certificate authority that signed nothing the test server serves.
var otherCA = func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stranger"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}()

func TestReadUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	k := Read(context.Background(), &rest.Config{Host: "https://" + addr, BearerToken: "x"}, "", model.Parts{model.PartKubernetes}, Options{Timeout: 2 * time.Second})
	if !strings.Contains(k.Error, "cannot reach https://"+addr) || !strings.Contains(k.Error, "connection refused") || !strings.Contains(k.Error, "inside the VPC") {
		t.Errorf("error %q", k.Error)
	}
}

// A kubelet stand-in: the API server's proxy refuses loopback nodes, so Configz is tested against a
// server that answers the proxy path as the API server forwards it.
func TestConfigzStandIn(t *testing.T) {
	var hits atomic.Int32
	body, err := os.ReadFile("testdata/configz-al2023.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/api/v1/nodes/good/proxy/configz":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		case "/api/v1/nodes/html/proxy/configz":
			_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
		case "/api/v1/nodes/denied/proxy/configz":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"nodes \"denied\" is forbidden: User \"x\" cannot get resource \"nodes/proxy\"","reason":"Forbidden","code":403}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"error trying to reach service: dial tcp 10.0.3.30:10250: i/o timeout","reason":"ServiceUnavailable","code":503}`)
		}
	}))
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rc := cs.CoreV1().RESTClient()
	ctx := context.Background()
	raw, err := Configz(ctx, rc, "good")
	if err != nil || !strings.Contains(string(raw), `"readOnlyPort"`) || strings.Contains(string(raw), "kubeletconfig") {
		t.Errorf("good: %s %v", raw, err)
	}
	if _, err := Configz(ctx, rc, "html"); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("html: %v", err)
	}
	if _, err := Configz(ctx, rc, "denied"); err == nil || !strings.HasPrefix(err.Error(), "forbidden: eksguard's Kubernetes identity needs get on nodes/proxy") {
		t.Errorf("denied: %v", err)
	}
	if _, err := Configz(ctx, rc, "silent"); err == nil || !strings.Contains(err.Error(), "error trying to reach service") {
		t.Errorf("silent: %v", err)
	}
	if hits.Load() < 4 {
		t.Errorf("%d requests", hits.Load())
	}
}
