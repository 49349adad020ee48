package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/eksguard/eksguard/internal/testenv"
)

// The five controls a live scan judges, in report order.
var liveControls = []string{"2.1.1", "4.1.7", "5.3.1", "5.4.1", "5.4.2"}

// verdicts is each cluster's status for every control of liveControls.
func (r report) verdicts(t *testing.T, want map[string][5]string) {
	t.Helper()
	for name, w := range want {
		var got [5]string
		for i, c := range liveControls {
			got[i] = r.status(name, c)
		}
		if got != w {
			t.Errorf("%s: got %v want %v (controls %v)", name, got, w, liveControls)
		}
	}
}

func (r report) result(name, control string) (reason string, evidence map[string]any) {
	for _, res := range r.Results {
		if res.Resource.Name == name && res.Control == control {
			return res.Reason, res.Evidence
		}
	}
	return "", nil
}

const kmsKey = "arn:aws:kms:us-east-1:111111111111:key/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"

// TestControlsLive scans a fleet holding each case of the logging, access entries and secrets
// encryption controls through the real SDK, then evaluates the snapshot it saved offline.
func TestControlsLive(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: hardened
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}
            logging: {clusterLogging: [{types: [api, audit, authenticator, controllerManager, scheduler], enabled: true}]}
            accessConfig: {authenticationMode: API}
            encryptionConfig: [{resources: [secrets], provider: {keyArn: "`+kmsKey+`"}}]
          - name: defaults
          - name: some-logs
            logging: {clusterLogging: [{types: [audit, api, authenticator], enabled: true}]}
            accessConfig: {authenticationMode: API_AND_CONFIG_MAP}
            encryptionConfig: [{resources: [secrets], provider: {keyArn: "`+kmsKey+`"}}]
          - name: no-access-config
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}
            accessConfig: {authenticationMode: API}
            omitFields: [accessConfig]
          - name: no-logging
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}
            omitFields: [logging]
          - name: no-key
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}
            encryptionConfig: [{resources: [secrets], provider: {keyArn: "`+kmsKey+`"}}]
            omitFields: [encryptionConfig.provider.keyArn]
          - name: creating
            status: CREATING
            logging: {clusterLogging: [{types: [api, audit, authenticator, controllerManager, scheduler], enabled: true}]}
`)
	dir := t.TempDir()
	snap, live := filepath.Join(dir, "snap.json"), filepath.Join(dir, "live.json")
	code, _, errOut := run(t, "scan", "--endpoint-url", url, "--format", "json", "--output", live, "--save-snapshot", snap)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (live UNKNOWN results): %s", code, errOut)
	}
	liveOut, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	r := parseReport(t, string(liveOut))
	r.verdicts(t, map[string][5]string{
		"hardened":         {"PASS", "PASS", "PASS", "PASS", "PASS"},
		"defaults":         {"FAIL", "FAIL", "FAIL", "FAIL", "FAIL"},
		"some-logs":        {"FAIL", "PASS", "PASS", "FAIL", "FAIL"},
		"no-access-config": {"FAIL", "UNKNOWN", "FAIL", "PASS", "PASS"},
		"no-logging":       {"UNKNOWN", "FAIL", "FAIL", "PASS", "PASS"},
		"no-key":           {"FAIL", "FAIL", "UNKNOWN", "PASS", "PASS"},
		"creating":         {"UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN"},
	})
	// Every cluster control on each cluster, and the region's registry.
	if n := len(r.Results); n != 7*clusterControlCount()+1 {
		t.Errorf("%d results, want %d", n, 7*clusterControlCount()+1)
	}

	all := []any{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	evidence := []struct {
		cluster, control string
		want             map[string]any
		reason           string
	}{
		{"hardened", "2.1.1", map[string]any{"enabledLogTypes": all, "disabledLogTypes": []any{}, "origin": "explicit"}, "every control plane log type is sent to CloudWatch Logs"},
		{"defaults", "2.1.1", map[string]any{"enabledLogTypes": []any{}, "disabledLogTypes": all, "origin": "explicit"}, "control plane logging is off"},
		{"some-logs", "2.1.1", map[string]any{"enabledLogTypes": []any{"api", "audit", "authenticator"}, "disabledLogTypes": []any{"controllerManager", "scheduler"}, "origin": "explicit"},
			"control plane logging is on for api, audit, authenticator only; not sent to CloudWatch Logs: controllerManager, scheduler"},
		{"no-logging", "2.1.1", map[string]any{"enabledLogTypes": nil, "disabledLogTypes": nil, "origin": "unknown"},
			"enabledLogTypes is unknown (logging is missing from the DescribeCluster response)"},
		{"hardened", "4.1.7", map[string]any{"authenticationMode": "API", "origin": "explicit"}, "authentication mode is API"},
		{"defaults", "4.1.7", map[string]any{"authenticationMode": "CONFIG_MAP", "origin": "explicit"}, "authentication mode is CONFIG_MAP"},
		{"some-logs", "4.1.7", map[string]any{"authenticationMode": "API_AND_CONFIG_MAP", "origin": "explicit"}, "authentication mode is API_AND_CONFIG_MAP"},
		{"no-access-config", "4.1.7", map[string]any{"authenticationMode": nil, "origin": "unknown"},
			"authenticationMode is unknown (accessConfig is missing from the DescribeCluster response)"},
		{"hardened", "5.3.1", map[string]any{"keyArn": kmsKey, "origin": "explicit"}, "encrypted with the KMS key " + kmsKey},
		{"defaults", "5.3.1", map[string]any{"keyArn": "", "origin": "default"},
			"not encrypted with a customer managed KMS key: EKS's default encryption uses AWS-owned keys, and the control asks for a key of the account's (no encryptionConfig in the DescribeCluster response"},
		{"no-key", "5.3.1", map[string]any{"keyArn": nil, "origin": "unknown"}, "secretsKeyArn is unknown (encryptionConfig[0] covers secrets but has no provider.keyArn)"},
	}
	for _, e := range evidence {
		reason, ev := r.result(e.cluster, e.control)
		if !strings.Contains(reason, e.reason) {
			t.Errorf("%s %s reason %q, want it to contain %q", e.cluster, e.control, reason, e.reason)
		}
		for k, w := range e.want {
			if got, ok := ev[k]; !ok || !reflect.DeepEqual(got, w) {
				t.Errorf("%s %s evidence %s = %#v (present %t), want %#v", e.cluster, e.control, k, got, ok, w)
			}
		}
	}
	// A FAIL of the live controls says how to fix it on that cluster.
	for _, res := range r.Results {
		if res.Status == "FAIL" && res.Remediation == "" {
			t.Errorf("%s %s: FAIL without remediation", res.Resource.Name, res.Control)
		}
	}

	// Offline, with no endpoint and no credentials, the snapshot gives the same report.
	testenv.Unsetenv(t, "AWS_ACCESS_KEY_ID")
	code2, offline, errOut := run(t, "scan", "--snapshot", snap, "--format", "json")
	if code2 != code {
		t.Errorf("offline exit %d, live %d: %s", code2, code, errOut)
	}
	if !bytes.Equal(liveOut, []byte(offline)) {
		t.Errorf("offline report differs from live report\nlive:\n%s\noffline:\n%s", liveOut, offline)
	}
	data, _ := os.ReadFile(snap)
	for _, w := range []string{`"snapshotVersion": "4"`, `"enabledLogTypes"`, `"parts"`, `"registries"`, `"authenticationMode"`, `"secretsKeyArn"`} {
		if !bytes.Contains(data, []byte(w)) {
			t.Errorf("snapshot lacks %s", w)
		}
	}
}

// TestControlsVersion1Snapshot: a snapshot saved before eksguard read logging, access and encryption
// still evaluates; those three controls are UNKNOWN saying why, the endpoint ones as before.
func TestControlsVersion1Snapshot(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	snap := filepath.Join(t.TempDir(), "v1.json")
	data := `{"snapshotVersion":"1","tool":{"name":"eksguard","version":"0.1.0"},"inventory":{"collectedAt":"2026-01-01T00:00:00Z","clusters":[` +
		`{"name":"private","arn":"arn:aws:eks:us-east-1:111111111111:cluster/private","account":"111111111111","region":"us-east-1","source":"aws","status":"ACTIVE",` +
		`"endpointPublicAccess":{"value":false,"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}}],"errors":[],"skipped":[]}}`
	if err := os.WriteFile(snap, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "scan", "--snapshot", snap, "--format", "json")
	if code != 3 {
		t.Errorf("exit %d, want 3 (UNKNOWN from live data): %s", code, errOut)
	}
	r := parseReport(t, out)
	r.verdicts(t, map[string][5]string{"private": {"UNKNOWN", "UNKNOWN", "UNKNOWN", "PASS", "PASS"}})
	for _, c := range []string{"2.1.1", "4.1.7", "5.3.1"} {
		if reason, _ := r.result("private", c); !strings.Contains(reason, "the snapshot is version 1, saved before eksguard read") {
			t.Errorf("%s reason %q", c, reason)
		}
	}
}

// TestControlsMotoInterop creates clusters in moto_server with logging and encryptionConfig, which
// moto stores and serves, and scans them. moto serves no accessConfig at all, even for a cluster
// created with one: 4.1.7 must then be UNKNOWN naming what is missing, never PASS and never FAIL
// (CONFIG_MAP is EKS's default, but a scanner cannot know the cluster has it).
func TestControlsMotoInterop(t *testing.T) {
	motoURL := testenv.StartMoto(t)
	testenv.IsolateAWS(t, "us-east-1")
	client := eks.New(eks.Options{Region: "us-east-1", BaseEndpoint: aws.String(motoURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	allTypes := []ekstypes.LogType{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	key := []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")}}}
	create := []struct {
		name    string
		logging *ekstypes.Logging
		enc     []ekstypes.EncryptionConfig
		access  *ekstypes.CreateAccessConfigRequest
	}{
		{"moto-all-logs-key", &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Types: allTypes, Enabled: aws.Bool(true)}}}, key, nil},
		{"moto-some-logs", &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Types: []ekstypes.LogType{"api", "audit"}, Enabled: aws.Bool(true)}}}, nil, nil},
		// EKS's own shape: the enabled types and the disabled ones in two entries.
		{"moto-two-entries", &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{
			{Types: []ekstypes.LogType{"audit"}, Enabled: aws.Bool(true)},
			{Types: []ekstypes.LogType{"api", "authenticator", "controllerManager", "scheduler"}, Enabled: aws.Bool(false)}}}, key, nil},
		{"moto-defaults", nil, nil, nil},
		{"moto-access-api", &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Types: allTypes, Enabled: aws.Bool(true)}}}, nil,
			&ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApi}},
	}
	for _, c := range create {
		_, err := client.CreateCluster(context.Background(), &eks.CreateClusterInput{
			Name: aws.String(c.name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1", "subnet-2"},
				EndpointPublicAccess: aws.Bool(false), EndpointPrivateAccess: aws.Bool(true), PublicAccessCidrs: []string{}},
			Logging: c.logging, EncryptionConfig: c.enc, AccessConfig: c.access,
		})
		if err != nil {
			t.Fatalf("moto create %s: %v", c.name, err)
		}
	}
	code, out, errOut := run(t, "scan", "--endpoint-url", motoURL, "--format", "json")
	if code != 3 {
		t.Errorf("exit %d, want 3 (4.1.7 cannot be judged on moto): %s", code, errOut)
	}
	r := parseReport(t, out)
	r.verdicts(t, map[string][5]string{
		"moto-all-logs-key": {"PASS", "UNKNOWN", "PASS", "PASS", "PASS"},
		"moto-some-logs":    {"FAIL", "UNKNOWN", "FAIL", "PASS", "PASS"},
		"moto-two-entries":  {"FAIL", "UNKNOWN", "PASS", "PASS", "PASS"},
		"moto-defaults":     {"FAIL", "UNKNOWN", "FAIL", "PASS", "PASS"},
		"moto-access-api":   {"PASS", "UNKNOWN", "FAIL", "PASS", "PASS"},
	})
	for _, name := range []string{"moto-all-logs-key", "moto-some-logs", "moto-two-entries", "moto-defaults", "moto-access-api"} {
		if reason, ev := r.result(name, "4.1.7"); !strings.Contains(reason, "authenticationMode is unknown (accessConfig is missing from the DescribeCluster response)") || ev["authenticationMode"] != nil {
			t.Errorf("%s 4.1.7: reason %q, evidence %v", name, reason, ev)
		}
	}
	for name, want := range map[string]string{
		"moto-some-logs":   "control plane logging is on for api, audit only",
		"moto-two-entries": "control plane logging is on for audit only",
		"moto-defaults":    "control plane logging is off",
	} {
		if reason, _ := r.result(name, "2.1.1"); !strings.Contains(reason, want) {
			t.Errorf("%s 2.1.1 reason %q, want %q", name, reason, want)
		}
	}
	// moto answers encryptionConfig [] for a cluster without one.
	if reason, ev := r.result("moto-defaults", "5.3.1"); !strings.Contains(reason, "encryptionConfig in the DescribeCluster response lists no entries") || ev["keyArn"] != "" {
		t.Errorf("moto-defaults 5.3.1: reason %q evidence %v", reason, ev)
	}
	if reason, _ := r.result("moto-all-logs-key", "5.3.1"); !strings.Contains(reason, fmt.Sprint("arn:aws:kms:us-east-1:123456789012:key/")) {
		t.Errorf("moto-all-logs-key 5.3.1 reason %q", reason)
	}
}
