package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/eksguard/eksguard/internal/testenv"
)

// TestScanSecurityHub: scan moto's clusters with --security-hub, read the findings back with
// GetFindings, scan again after a cluster is deleted with --security-hub-resolve, and check that
// the second import updated the first (no duplicates) and archived the deleted cluster's findings.
func TestScanSecurityHub(t *testing.T) {
	motoURL := testenv.StartMoto(t)
	testenv.IsolateAWS(t, "us-east-1")
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	ctx := context.Background()
	client := eks.New(eks.Options{Region: "us-east-1", BaseEndpoint: aws.String(motoURL), Credentials: creds})
	for _, c := range []struct {
		name string
		vpc  ekstypes.VpcConfigRequest
	}{
		{"hub-open", ekstypes.VpcConfigRequest{EndpointPublicAccess: aws.Bool(true), EndpointPrivateAccess: aws.Bool(false), PublicAccessCidrs: []string{"0.0.0.0/0"}}},
		{"hub-private", ekstypes.VpcConfigRequest{EndpointPublicAccess: aws.Bool(false), EndpointPrivateAccess: aws.Bool(true), PublicAccessCidrs: []string{}}},
	} {
		c.vpc.SubnetIds = []string{"subnet-1"}
		if _, err := client.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(c.name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), ResourcesVpcConfig: &c.vpc}); err != nil {
			t.Fatal(err)
		}
	}
	hub := securityhub.New(securityhub.Options{Region: "us-east-1", BaseEndpoint: aws.String(motoURL), Credentials: creds})
	findings := func() map[string]string {
		out := map[string]string{}
		p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page.Findings {
				id := aws.ToString(f.Id)
				if _, dup := out[id]; dup {
					t.Errorf("finding %s twice", id)
				}
				out[id] = string(f.Compliance.Status) + " " + string(f.RecordState)
			}
		}
		return out
	}
	id := func(control, name string) string {
		return "eksguard/cis-eks/" + control + "/arn:aws:eks:us-east-1:123456789012:cluster/" + name
	}

	code, _, stderr := run(t, "scan", "--endpoint-url", motoURL, "--controls", "5.4.1,5.4.2", "--security-hub", "-q")
	if code != 1 || !strings.Contains(stderr, "security hub: 4 findings imported") {
		t.Fatalf("first scan: exit %d, stderr %s", code, stderr)
	}
	got := findings()
	for k, want := range map[string]string{
		id("5.4.1", "hub-open"): "FAILED ACTIVE", id("5.4.2", "hub-open"): "FAILED ACTIVE",
		id("5.4.1", "hub-private"): "PASSED ACTIVE", id("5.4.2", "hub-private"): "PASSED ACTIVE",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d findings, want 4: %v", len(got), got)
	}

	if _, err := client.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String("hub-open")}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "scan", "--endpoint-url", motoURL, "--controls", "5.4.1,5.4.2", "--security-hub-resolve", "-q")
	if code != 0 || !strings.Contains(stderr, "security hub: 2 findings imported") || !strings.Contains(stderr, "archived") {
		t.Fatalf("second scan: exit %d, stderr %s", code, stderr)
	}
	got = findings()
	if len(got) != 4 || !strings.HasSuffix(got[id("5.4.1", "hub-open")], "ARCHIVED") || !strings.HasSuffix(got[id("5.4.2", "hub-open")], "ARCHIVED") {
		t.Errorf("after resolve: %v", got)
	}

	// Security Hub flags need live data.
	if code, _, stderr := run(t, "scan", "--snapshot", "x.json", "--security-hub"); code != 2 || !strings.Contains(stderr, "cannot be combined with --security-hub") {
		t.Errorf("--snapshot --security-hub: exit %d %s", code, stderr)
	}
}

// TestScanSecurityHubUnreachable: findings that cannot be delivered make the scan exit 3 after its
// report is written, naming what failed.
func TestScanSecurityHubUnreachable(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: open}\n", 1))
	// The emulator serves EKS and STS, not Security Hub: every import is refused.
	code, out, stderr := run(t, "scan", "--endpoint-url", url, "--controls", "5.4.1,5.4.2", "--security-hub", "--max-attempts", "2", "-f", "json")
	if code != 3 || !strings.Contains(stderr, "securityhub:BatchImportFindings") || !strings.Contains(out, `"schemaVersion"`) {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}
