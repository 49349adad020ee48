package kubeapi

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const twoContexts = `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  cluster:
    server: https://prod.example.invalid
    certificate-authority-data: ` + "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==" + `
- name: dev
  cluster:
    server: https://dev.example.invalid
contexts:
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:111122223333:cluster/prod", user: eks}
- name: dev
  context: {cluster: dev, user: token}
- name: broken
  context: {cluster: missing, user: token}
users:
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
- name: token
  user: {token: abc}
`

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromKubeconfig(t *testing.T) {
	path := writeFile(t, "config", twoContexts)
	kc, err := FromKubeconfig(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if kc.Context != "prod" || kc.Cluster != "arn:aws:eks:eu-west-1:111122223333:cluster/prod" || kc.Config.Host != "https://prod.example.invalid" {
		t.Errorf("current context: %+v", kc)
	}
	if kc.Config.ExecProvider == nil || kc.Config.ExecProvider.Command != "aws" {
		t.Errorf("the exec plugin is not kept: %+v", kc.Config.ExecProvider)
	}
	kc, err = FromKubeconfig(path, "dev")
	if err != nil || kc.Cluster != "dev" || kc.Config.BearerToken != "abc" {
		t.Errorf("--context dev: %+v, %v", kc, err)
	}
	// CRLF line ends and a byte-order mark, as an editor on Windows saves the file.
	crlf := writeFile(t, "crlf", "\ufeff"+strings.ReplaceAll(twoContexts, "\n", "\r\n"))
	if kc, err := FromKubeconfig(crlf, "dev"); err != nil || kc.Config.Host != "https://dev.example.invalid" {
		t.Errorf("CRLF with BOM: %+v, %v", kc, err)
	}
}

func TestFromKubeconfigErrors(t *testing.T) {
	path := writeFile(t, "config", twoContexts)
	missing := filepath.Join(t.TempDir(), "nope")
	noCurrent := writeFile(t, "nocurrent", strings.Replace(twoContexts, "current-context: prod\n", "", 1))
	for _, tc := range []struct{ name, path, context, want string }{
		{"missing file", missing, "", "--kubeconfig " + missing + ": no such file"},
		{"unknown context", path, "staging", `--context "staging": not in ` + path + " (contexts: broken, dev, prod)"},
		{"context naming a missing cluster", path, "broken", `context "broken" names cluster "missing"`},
		{"no current context", noCurrent, "", "no current-context; choose one with --context"},
		{"not YAML", writeFile(t, "bad", "clusters: [\n"), "", "--kubeconfig "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromKubeconfig(tc.path, tc.context)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestForEKS(t *testing.T) {
	pem := "-----BEGIN CERTIFICATE-----\n"
	cfg, err := ForEKS("https://x.eks.amazonaws.com", base64.StdEncoding.EncodeToString([]byte(pem)), "k8s-aws-v1.abc")
	if err != nil || string(cfg.CAData) != pem || cfg.BearerToken != "k8s-aws-v1.abc" || cfg.Insecure {
		t.Fatalf("%+v %v", cfg, err)
	}
	for _, tc := range []struct{ endpoint, ca, want string }{
		{"", "eA==", "no endpoint"},
		{"https://x", "", "no certificateAuthority.data"},
		{"https://x", "not base64!", "not base64"},
	} {
		if _, err := ForEKS(tc.endpoint, tc.ca, "t"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ForEKS(%q, %q): %v, want %q", tc.endpoint, tc.ca, err, tc.want)
		}
	}
}

func TestParseConfigz(t *testing.T) {
	if raw, err := ParseConfigz([]byte("\n  {\"kubeletconfig\":{\"enableServer\":true,\"readOnlyPort\":0}}\n")); err != nil || !strings.HasPrefix(string(raw), `{"enableServer":true`) {
		t.Fatalf("%v %.40s", err, raw)
	}
	for _, tt := range []struct{ name, body, err string }{
		{"empty", "", "empty body"},
		{"blank", " \n\t", "empty body"},
		{"HTML", "<html><body><h1>502 Bad Gateway</h1></body></html>", "HTML"},
		{"null", "null", "not an object"},
		{"array", `[{"kubeletconfig":{}}]`, "not an object"},
		{"string", `"kubeletconfig"`, "not an object"},
		{"text", "404 page not found", "not JSON"},
		{"empty object", "{}", "empty object"},
		{"other keys", `{"componentconfig":{},"kind":"x"}`, `without kubeletconfig (keys: "componentconfig", "kind")`},
		{"null kubeletconfig", `{"kubeletconfig":null}`, "null kubeletconfig"},
		{"array kubeletconfig", `{"kubeletconfig":[]}`, "not an object"},
		{"string kubeletconfig", `{"kubeletconfig":"{}"}`, "not an object"},
		{"truncated", `{"kubeletconfig":{"readOnlyPort":0`, "malformed JSON"},
		{"trailing data", `{"kubeletconfig":{}} {}`, "malformed JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := ParseConfigz([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.err) || raw != nil {
				t.Fatalf("%v (%s), want an error containing %q", err, raw, tt.err)
			}
		})
	}
}

func FuzzParseConfigz(f *testing.F) {
	f.Add([]byte(`{"kubeletconfig":{"readOnlyPort":0}}`))
	f.Add([]byte(`{"kubeletconfig":null}`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		raw, err := ParseConfigz(body)
		if err == nil && (len(raw) == 0 || raw[0] != '{' && !strings.HasPrefix(strings.TrimSpace(string(raw)), "{")) {
			t.Fatalf("accepted %q as %q", body, raw)
		}
	})
}
