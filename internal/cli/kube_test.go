package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"

	"github.com/eksguard/eksguard/internal/ekstoken"
	"github.com/eksguard/eksguard/internal/testenv"
	"github.com/eksguard/eksguard/internal/testenv/kubeapi"
)

// eksWebhook is the EKS authenticator in miniature: the API server sends it every bearer token it
// does not know, and it calls the token's presigned STS URL (the emulator's STS) with the cluster's
// name, as EKS does, then maps the caller's IAM ARN to the group an access entry would give it.
func eksWebhook(t *testing.T, cluster string, verified *atomic.Int32) string {
	client := &http.Client{Timeout: 5 * time.Second}
	return kubeapi.TokenWebhook(t, func(ctx context.Context, token string) (authnv1.UserInfo, error) {
		arn, err := ekstoken.Verify(ctx, client, token, cluster)
		if err != nil {
			return authnv1.UserInfo{}, err
		}
		verified.Add(1)
		return authnv1.UserInfo{Username: arn, Groups: []string{"eksguard-readers", "system:authenticated"}}, nil
	})
}

// hardenedKube is a cluster that passes what can pass without nodes: every namespace but
// kube-system enforces restricted and has a NetworkPolicy, every default service account has its
// token off, the VPC CNI enforces network policies, and the one pod runs as its own account with
// no token.
const hardenedKube = `apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-public, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-node-lease, labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.34}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team-a}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-system}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-public}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: kube-node-lease}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: team-a}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-a}
spec:
  serviceAccountName: web
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: web
    image: public.ecr.aws/nginx/nginx:1.27
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: team-a}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: aws-node}}
  template:
    metadata: {labels: {k8s-app: aws-node}}
    spec:
      serviceAccountName: aws-node
      hostNetwork: true
      containers:
      - name: aws-node
        image: 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2
      - name: aws-eks-nodeagent
        image: 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6
        args: [--enable-ipv6=false, --enable-network-policy=true, --enable-cloudwatch-logs=false]
---
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-10.ec2.internal}
status:
  addresses: [{type: InternalIP, address: 127.0.0.1}]
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
`

// violations are what a team adds to the hardened cluster, each one a control's FAIL.
const violations = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: team-a}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-read-secrets, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}]
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: legacy}
spec:
  hostPID: true
  containers:
  - name: shell
    image: busybox
    securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: busybox
        env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]
`

type kubeResult struct {
	Control, CheckID, Status, Reason, Assessment string
	Resource                                     struct{ Name string }
}

func kubeResults(t *testing.T, out string) map[string]map[string]kubeResult {
	t.Helper()
	var r struct{ Results []kubeResult }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	m := map[string]map[string]kubeResult{}
	for _, res := range r.Results {
		if m[res.Resource.Name] == nil {
			m[res.Resource.Name] = map[string]kubeResult{}
		}
		m[res.Resource.Name][res.Control] = res
	}
	return m
}

// TestScanKubernetesEndToEnd scans an emulated AWS account whose cluster's endpoint is a real
// kube-apiserver that authenticates eksguard's EKS token through a webhook calling the emulator's
// STS, as EKS does, with RBAC on and eksguard holding exactly the README's roles. A cluster as EKS
// seeds it and hardened passes; each violation then fails its control, named; an endpoint that
// cannot be reached is ERROR for its Kubernetes controls while its AWS controls stand.
func TestScanKubernetesEndToEnd(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	var verified atomic.Int32
	kube := kubeapi.Start(t, kubeapi.Options{TokenWebhookURL: eksWebhook(t, "prod", &verified)})
	seed, err := os.ReadFile(filepath.Join("..", "rbac", "testdata", "eks-seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	role, err := os.ReadFile(filepath.Join("..", "..", "examples", "kubernetes", "eksguard-reader.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kube.Apply(t, string(seed))
	kube.Apply(t, string(role))
	kube.Apply(t, hardenedKube)
	ca := base64.StdEncoding.EncodeToString(kube.CAPEM)
	closed := closedPort(t)
	url := emulate(t, strings.Replace(oneRegion, "%s",
		fmt.Sprintf("          - {name: prod, endpoint: %q, certificateAuthority: {data: %q}, accessConfig: {authenticationMode: API}}\n", kube.URL, ca)+
			fmt.Sprintf("          - {name: private, endpoint: %q, certificateAuthority: {data: %q}, accessConfig: {authenticationMode: API}}\n", closed, ca), 1))

	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--kubernetes", "--kube-timeout", "5s", "--format", "json")
	if code != 3 {
		t.Errorf("exit %d, want 3 (an unreachable API and nodes that do not answer leave the scan incomplete): %s", code, errOut)
	}
	if verified.Load() == 0 {
		t.Fatal("no EKS token reached the webhook")
	}
	res := kubeResults(t, out)
	prod, private := res["prod"], res["private"]
	for _, id := range []string{"4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.5", "4.1.6", "4.1.8", "4.1.9", "4.1.11", "4.1.12",
		"4.2.1", "4.2.2", "4.2.3", "4.2.4", "4.2.5", "4.3.1", "4.3.2", "4.4.1", "4.5.2", "5.2.1"} {
		if r := prod[id]; r.Status != "PASS" {
			t.Errorf("prod %s (%s): %s %s", id, r.CheckID, r.Status, r.Reason)
		}
	}
	// The README's kubelet role is itself a grant of nodes/proxy beyond the defaults, as it warns.
	if r := prod["4.1.10"]; r.Status != "FAIL" || !strings.Contains(r.Reason, "eksguard-kubelet-reader") {
		t.Errorf("4.1.10: %s %s", r.Status, r.Reason)
	}
	for _, id := range []string{"4.4.2", "4.5.1"} {
		if prod[id].Status != "MANUAL" {
			t.Errorf("prod %s: %s %s", id, prod[id].Status, prod[id].Reason)
		}
	}
	// The API server's node proxy refuses the loopback node: no kubelet answered.
	if r := prod["3.2.1"]; r.Status != "UNKNOWN" || !strings.Contains(r.Reason, "ip-10-0-1-10.ec2.internal") {
		t.Errorf("3.2.1: %s %s", r.Status, r.Reason)
	}
	if prod["4.1.1"].Assessment != "manual" || prod["4.4.1"].Assessment != "automated" {
		t.Errorf("assessment: 4.1.1 %q, 4.4.1 %q", prod["4.1.1"].Assessment, prod["4.4.1"].Assessment)
	}
	for id, r := range private {
		switch {
		case id == "4.1.7" || strings.HasPrefix(id, "5.") && id != "5.2.1" || id == "2.1.1":
			if r.Status == "ERROR" {
				t.Errorf("private %s: the AWS control does not stand: %s", id, r.Reason)
			}
		case r.Status != "ERROR" || !strings.Contains(r.Reason, "cannot reach "+closed+": "):
			t.Errorf("private %s: %s %s", id, r.Status, r.Reason)
		}
	}
	// Every control but the registry's 5.1.1, which is judged per account and region.
	if len(private) != len(prod) || len(prod) != 41 {
		t.Errorf("%d results for prod, %d for private, want 41 each", len(prod), len(private))
	}

	kube.Apply(t, violations)
	snap := filepath.Join(t.TempDir(), "snap.json")
	code, out, errOut = run(t, "scan", "--endpoint-url", url, "--cluster", "prod", "--controls", "4,5.2.1", "--kubernetes", "--format", "json", "--save-snapshot", snap)
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, errOut)
	}
	prod = kubeResults(t, out)["prod"]
	for id, want := range map[string][]string{
		"4.1.1": {"User alice", "ClusterRoleBinding/alice-admin"},
		"4.1.2": {"Group devs", "RoleBinding/team-a/devs-read-secrets", "Role/team-a/secret-reader"},
		"4.1.5": {"legacy/debug"},
		"4.1.6": {"legacy/debug"},
		"4.2.1": {"legacy"},
		"4.2.2": {"legacy"},
		"4.2.5": {"legacy", "legacy/debug"},
		"4.3.2": {"legacy"},
		"4.4.1": {"Deployment", "api"},
		"4.5.2": {"Deployment", "api"},
	} {
		r := prod[id]
		if r.Status != "FAIL" {
			t.Errorf("%s: %s %s", id, r.Status, r.Reason)
			continue
		}
		for _, w := range want {
			if !strings.Contains(r.Reason, w) {
				t.Errorf("%s's reason does not name %q: %s", id, w, r.Reason)
			}
		}
	}
	// alice's cluster-admin reaches 4.1.4, 4.1.9, 4.1.12 too; wildcards in a built-in role she is
	// bound to are 4.1.1's to report, not 4.1.3's.
	for _, id := range []string{"4.1.3", "4.3.1"} {
		if prod[id].Status != "PASS" {
			t.Errorf("%s, untouched by the violations: %s %s", id, prod[id].Status, prod[id].Reason)
		}
	}
	// The snapshot judges the same offline, byte for byte.
	code2, out2, errOut2 := run(t, "scan", "--snapshot", snap, "--controls", "4,5.2.1", "--kubernetes", "--format", "json")
	if code2 != code || out2 != out {
		t.Errorf("the snapshot's report differs (exit %d): %s\n%s", code2, errOut2, out2)
	}
	// A snapshot saved without the Kubernetes side judges those controls UNKNOWN, never PASS.
	bare := filepath.Join(t.TempDir(), "bare.json")
	if code, _, errOut := run(t, "scan", "--endpoint-url", url, "--cluster", "prod", "--save-snapshot", bare, "--format", "json"); code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, out, _ = run(t, "scan", "--snapshot", bare, "--controls", "4.1.1", "--format", "json")
	if r := kubeResults(t, out)["prod"]["4.1.1"]; r.Status != "UNKNOWN" {
		t.Errorf("4.1.1 from a snapshot without the Kubernetes side: %s %s", r.Status, r.Reason)
	}
}

// TestScanKubeconfig reads one cluster from a kubeconfig only, with no AWS call: a token, an exec
// plugin, a context chosen, and the usage errors.
func TestScanKubeconfig(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	kube := kubeapi.Start(t, kubeapi.Options{})
	kube.Apply(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\n"+violations)
	path := kube.Kubeconfig(t, "arn:aws:eks:eu-west-1:222222222222:cluster/staging", kube.AdminToken)
	code, out, errOut := run(t, "scan", "--kubeconfig", path, "--controls", "4.1.1,4.4.1", "--format", "json")
	if code != 1 {
		t.Errorf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Results []struct {
			Control, Status, Reason string
			Resource                struct{ Type, Name, Region, Account, ARN string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) != 2 {
		t.Fatalf("%v %s", err, out)
	}
	for _, r := range rep.Results {
		if r.Resource.Name != "staging" || r.Resource.Region != "eu-west-1" || r.Resource.Account != "222222222222" || r.Status != "FAIL" {
			t.Errorf("%+v", r)
		}
	}

	// Every format writes a cluster read through a kubeconfig (no AWS account when the context is
	// not an ARN); ASFF, which needs an account, refuses it clearly.
	plain := kube.Kubeconfig(t, "lab", kube.AdminToken)
	for _, format := range []string{"table", "sarif", "csv", "junit", "markdown", "html", "ocsf"} {
		if code, out, errOut := run(t, "scan", "--kubeconfig", plain, "--controls", "4.1.1", "--format", format); code != 1 || !strings.Contains(out, "lab") {
			t.Errorf("--format %s: exit %d %.300s %s", format, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, "scan", "--kubeconfig", plain, "--controls", "4.1.1", "--format", "asff"); code != 2 || errOut == "" {
		t.Errorf("--format asff: exit %d %s", code, errOut)
	}

	// An exec credential plugin, as aws eks get-token is used.
	dir := t.TempDir()
	plugin := filepath.Join(dir, "get-token")
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s' '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}'\n", kube.AdminToken)
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	execCfg := filepath.Join(dir, "config")
	if err := os.WriteFile(execCfg, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: other
clusters:
- name: prod
  cluster: {server: %q, certificate-authority-data: %q}
contexts:
- name: other
  context: {cluster: prod, user: nobody}
- name: prod
  context: {cluster: prod, user: exec}
users:
- name: nobody
  user: {token: not-a-token}
- name: exec
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: %q, interactiveMode: Never}
`, kube.URL, base64.StdEncoding.EncodeToString(kube.CAPEM), plugin)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "scan", "--kubeconfig", execCfg, "--context", "prod", "--controls", "4.1.1", "--format", "json")
	if r := kubeResults(t, out)["prod"]["4.1.1"]; code != 1 || r.Status != "FAIL" || !strings.Contains(r.Reason, "alice") {
		t.Errorf("exec plugin: exit %d %+v %s", code, r, errOut)
	}
	// The current context's token is refused: every Kubernetes control is ERROR, naming the 401.
	code, out, _ = run(t, "scan", "--kubeconfig", execCfg, "--controls", "4.1.1,4.2", "--format", "json")
	for id, r := range kubeResults(t, out)["prod"] {
		if r.Status != "ERROR" || !strings.Contains(r.Reason, "401 Unauthorized") {
			t.Errorf("refused token, %s: %s %s", id, r.Status, r.Reason)
		}
	}
	if code != 3 {
		t.Errorf("refused token: exit %d, want 3", code)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--kubeconfig", ""}, "--kubeconfig: empty"},
		{[]string{"--context", "prod"}, "--context applies to --kubeconfig"},
		{[]string{"--kubeconfig", execCfg, "--context", ""}, "--context: empty"},
		{[]string{"--kubeconfig", execCfg, "--context", "staging"}, `--context "staging": not in`},
		{[]string{"--kubeconfig", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"--kubeconfig", execCfg, "--region", "us-east-1"}, "cannot be combined with --region"},
		{[]string{"--kubeconfig", execCfg, "--probe"}, "cannot be combined with --probe"},
		{[]string{"--kubeconfig", execCfg, "--controls", "5.4.1"}, "5.4.1 is judged from AWS"},
		{[]string{"--kubeconfig", execCfg, "--controls", "4.1.1,4.1.7"}, "4.1.7 is judged from AWS"},
		{[]string{"--kube-timeout", "0s"}, "--kube-timeout must be positive"},
		{[]string{"--controls", "4.2"}, "add --kubernetes"},
	} {
		code, _, errOut := run(t, append([]string{"scan"}, tt.args...)...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, want 2 with %q: %s", tt.args, code, tt.want, errOut)
		}
	}
}
