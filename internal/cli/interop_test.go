package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/eksguard/eksguard/internal/testenv"
)

// TestBenchmarkAuditCommandAgrees runs the CIS benchmark's own audit command, with the real aws CLI,
// against every cluster of a fleet and requires eksguard's evidence to read the same values.
func TestBenchmarkAuditCommandAgrees(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - {name: default-open}
          - {name: private, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}
          - {name: stale, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [0.0.0.0/0]}}
          - {name: restricted, resourcesVpcConfig: {endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: [203.0.113.0/24]}}
          - {name: halves, resourcesVpcConfig: {endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [0.0.0.0/1, 128.0.0.0/1]}}
      - name: eu-west-1
        clusters:
          - {name: v6, kubernetesNetworkConfig: {ipFamily: ipv6}, createdAt: 2025-02-01T00:00:00Z, resourcesVpcConfig: {endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ["::/0"]}}
`)
	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--region", "us-east-1,eu-west-1", "--format", "json")
	if code != 1 {
		t.Fatalf("scan exit %d: %s", code, errOut)
	}
	r := parseReport(t, out)
	type audit struct {
		EndpointPublicAccess  bool     `json:"endpointPublicAccess"`
		EndpointPrivateAccess bool     `json:"endpointPrivateAccess"`
		PublicAccessCidrs     []string `json:"publicAccessCidrs"`
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	checked := 0
	for _, res := range r.Results {
		if res.Control != "5.4.1" {
			continue
		}
		checked++
		wg.Add(1)
		go func(name, region string, ev map[string]any) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// The benchmark's audit, plus the allowlist so the whole evidence is compared.
			cmd := exec.Command(awsBin, "eks", "describe-cluster", "--name", name, "--region", region, "--endpoint-url", url,
				"--query", "cluster.resourcesVpcConfig.{endpointPublicAccess:endpointPublicAccess,endpointPrivateAccess:endpointPrivateAccess,publicAccessCidrs:publicAccessCidrs}",
				"--output", "json")
			b, err := cmd.Output()
			if err != nil {
				t.Errorf("%s: aws eks describe-cluster: %v", name, err)
				return
			}
			var a audit
			if err := json.Unmarshal(b, &a); err != nil {
				t.Errorf("%s: CLI output %q: %v", name, b, err)
				return
			}
			if ev["endpointPublicAccess"] != a.EndpointPublicAccess || ev["endpointPrivateAccess"] != a.EndpointPrivateAccess {
				t.Errorf("%s: eksguard read public=%v private=%v, the audit command reads public=%v private=%v", name, ev["endpointPublicAccess"], ev["endpointPrivateAccess"], a.EndpointPublicAccess, a.EndpointPrivateAccess)
			}
			if got, want := fmt.Sprint(ev["publicAccessCidrs"]), fmt.Sprint(toAny(a.PublicAccessCidrs)); got != want {
				t.Errorf("%s: eksguard read cidrs %s, the CLI %s", name, got, want)
			}
		}(res.Resource.Name, res.Resource.Region, res.Evidence)
	}
	wg.Wait()
	if checked != 6 {
		t.Errorf("compared %d clusters, want 6", checked)
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// TestMotoInterop creates clusters in moto_server, an independent AWS double, with explicit endpoint
// settings, and scans them with eksguard. A cluster created without endpoint settings is one moto
// stores verbatim (real AWS would fill in defaults): eksguard must call it UNKNOWN, never PASS and
// never "both disabled".
func TestMotoInterop(t *testing.T) {
	motoURL := testenv.StartMoto(t)
	testenv.IsolateAWS(t, "us-east-1")
	client := eks.New(eks.Options{Region: "us-east-1", BaseEndpoint: aws.String(motoURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	b := aws.Bool
	create := []struct {
		name string
		vpc  ekstypes.VpcConfigRequest
	}{
		{"moto-open", ekstypes.VpcConfigRequest{EndpointPublicAccess: b(true), EndpointPrivateAccess: b(false), PublicAccessCidrs: []string{"0.0.0.0/0"}}},
		{"moto-private", ekstypes.VpcConfigRequest{EndpointPublicAccess: b(false), EndpointPrivateAccess: b(true), PublicAccessCidrs: []string{}}},
		{"moto-restricted", ekstypes.VpcConfigRequest{EndpointPublicAccess: b(true), EndpointPrivateAccess: b(true), PublicAccessCidrs: []string{"203.0.113.0/24"}}},
		{"moto-v6-world", ekstypes.VpcConfigRequest{EndpointPublicAccess: b(true), EndpointPrivateAccess: b(true), PublicAccessCidrs: []string{"::/0"}}},
		{"moto-nothing-set", ekstypes.VpcConfigRequest{}},
	}
	for _, c := range create {
		c.vpc.SubnetIds = []string{"subnet-1", "subnet-2"}
		in := &eks.CreateClusterInput{Name: aws.String(c.name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), ResourcesVpcConfig: &c.vpc}
		if c.name == "moto-private" {
			// Every log type and a customer managed key: 2.1.1 and 5.3.1 pass on what moto answers.
			in.Logging = &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: b(true), Types: []ekstypes.LogType{"api", "audit", "authenticator", "controllerManager", "scheduler"}}}}
			in.EncryptionConfig = []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String("arn:aws:kms:us-east-1:123456789012:key/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")}}}
		}
		_, err := client.CreateCluster(context.Background(), in)
		if err != nil {
			t.Fatalf("moto create %s: %v", c.name, err)
		}
	}
	// The controls DescribeCluster answers: exactly the calls those make (TestMotoInteropBeyondCluster
	// has the others).
	code, out, errOut := run(t, "scan", "--endpoint-url", motoURL, "--format", "json", "--controls", "2.1.1,4.1.7,5.3.1,5.4.1,5.4.2")
	if code != 3 {
		t.Errorf("exit %d, want 3 (one cluster lacks endpoint fields): %s", code, errOut)
	}
	r := parseReport(t, out)
	want := map[string][2]string{
		"moto-open":        {"FAIL", "FAIL"},
		"moto-private":     {"PASS", "PASS"},
		"moto-restricted":  {"PASS", "FAIL"},
		"moto-v6-world":    {"FAIL", "FAIL"},
		"moto-nothing-set": {"UNKNOWN", "UNKNOWN"},
	}
	r.expect(t, want)
	// moto stores logging and encryptionConfig as sent, and answers no accessConfig: 4.1.7 cannot be
	// judged on what it answers, and must not be guessed.
	for name, w := range map[string][3]string{
		"moto-private": {"PASS", "UNKNOWN", "PASS"},
		"moto-open":    {"FAIL", "UNKNOWN", "FAIL"},
	} {
		if got := [3]string{r.status(name, "2.1.1"), r.status(name, "4.1.7"), r.status(name, "5.3.1")}; got != w {
			t.Errorf("%s: 2.1.1, 4.1.7, 5.3.1 = %v, want %v", name, got, w)
		}
	}
	for _, res := range r.Results {
		if res.Resource.Name == "moto-nothing-set" && strings.HasPrefix(res.Control, "5.4.") && !strings.Contains(res.Reason, "missing from the DescribeCluster response") {
			t.Errorf("moto-nothing-set reason = %q", res.Reason)
		}
		if res.Resource.Account != "123456789012" {
			t.Errorf("%s account = %q, want moto's 123456789012", res.Resource.Name, res.Resource.Account)
		}
	}
}
