package awsapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/model"
)

func orgFleet(extra string, accounts int) string {
	var b strings.Builder
	b.WriteString(extra)
	b.WriteString("accounts:\n  - id: \"100000000000\"\n    name: management\n    regions: [{name: us-east-1, clusters: [{name: mgmt}]}]\n")
	for i := 1; i <= accounts; i++ {
		fmt.Fprintf(&b, "  - id: \"%012d\"\n    roles: [OrganizationAccountAccessRole]\n    regions: [{name: us-east-1, clusters: [{name: c%d}]}, {name: eu-west-1, clusters: [{name: d%d}]}]\n", 100000000000+i, i, i)
	}
	return b.String()
}

func orgCollect(t *testing.T, yaml string, o AccountOptions) (*model.Inventory, error) {
	t.Helper()
	srv := startFleet(t, yaml)
	c := collector(srv, nil)
	ctx := context.Background()
	id, err := c.Caller(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.RoleName == "" {
		o.RoleName = "OrganizationAccountAccessRole"
	}
	accounts, skipped, err := c.ResolveAccounts(ctx, id, o)
	if err != nil {
		return nil, err
	}
	return c.Collect(ctx, Scope{Regions: []string{"us-east-1", "eu-west-1"}, Accounts: accounts, Caller: id.ARN, Skipped: skipped})
}

func TestOrgPagingWithEmptyPages(t *testing.T) {
	inv, err := orgCollect(t, orgFleet("behaviour: {organizationEmptyPages: 3, orgPageSize: 4}\n", 25), AccountOptions{Org: true})
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]bool{}
	for _, c := range inv.Clusters {
		accounts[c.Account] = true
	}
	if len(accounts) != 26 || len(inv.Clusters) != 1+25*2 || len(inv.Errors) != 0 {
		t.Fatalf("%d accounts, %d clusters, errors %v; want 26 accounts and 51 clusters", len(accounts), len(inv.Clusters), inv.Errors)
	}
	for _, c := range inv.Clusters {
		if c.Account == "" || !strings.Contains(c.ARN, ":"+c.Account+":") {
			t.Errorf("cluster %s has account %q and ARN %s", c.Name, c.Account, c.ARN)
		}
	}
}

func TestOrgAccountsThatCannotBeEntered(t *testing.T) {
	yaml := orgFleet("", 2) + `  - id: "200000000001"
    denyAssumeRole: true
    regions: [{name: us-east-1, clusters: [{name: hidden}]}]
  - id: "200000000002"
    status: SUSPENDED
    regions: [{name: us-east-1, clusters: [{name: gone}]}]
  - id: "200000000003"
    roles: [SomethingElse]
  - id: "200000000004"
    externalId: secret-1
    regions: [{name: us-east-1, clusters: [{name: guarded}]}]
`
	inv, err := orgCollect(t, yaml, AccountOptions{Org: true, ExternalID: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]model.Error{}
	for _, e := range inv.Errors {
		errs[e.Account] = e
	}
	for _, id := range []string{"200000000001", "200000000003", "200000000004"} {
		if e, ok := errs[id]; !ok || e.Operation != "sts:AssumeRole" || !e.AccessDenied || e.Region != "" {
			t.Errorf("account %s: error %+v, want an access-denied sts:AssumeRole account error", id, e)
		}
	}
	if len(inv.Skipped) != 1 || inv.Skipped[0].Account != "200000000002" || !strings.Contains(inv.Skipped[0].Reason, "SUSPENDED") {
		t.Errorf("skipped = %+v", inv.Skipped)
	}
	if got := len(inv.Clusters); got != 5 {
		t.Errorf("%d clusters from the accounts that could be entered, want 5", got)
	}
	// With the right external id the guarded account opens.
	inv, err = orgCollect(t, yaml, AccountOptions{Org: true, ExternalID: "secret-1", Only: []string{"200000000004", "999999999999"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 1 || inv.Clusters[0].Name != "guarded" || len(inv.Skipped) != 0 || len(inv.Errors) != 1 ||
		inv.Errors[0].Account != "999999999999" || !strings.Contains(inv.Errors[0].Message, "not an account of the organization") {
		t.Errorf("clusters %v skipped %+v errors %+v", inv.Clusters, inv.Skipped, inv.Errors)
	}
}

func TestOrgNotInUseAndDenied(t *testing.T) {
	_, err := orgCollect(t, "organization: false\n"+orgFleet("", 1), AccountOptions{Org: true})
	if fe, ok := err.(*FatalError); !ok || fe.Denied || !strings.Contains(err.Error(), "not in an AWS Organization") {
		t.Errorf("not in use: %v", err)
	}
}

func TestNamedAccountsWithoutOrg(t *testing.T) {
	inv, err := orgCollect(t, "organization: false\n"+orgFleet("", 3), AccountOptions{Only: []string{"100000000002", "100000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 3 {
		t.Errorf("clusters = %d, want mgmt + 2 from account 2", len(inv.Clusters))
	}
}

// TestHeavyThrottlingLosesNothing throttles every pair hard across several accounts and regions.
func TestHeavyThrottlingLosesNothing(t *testing.T) {
	yaml := "behaviour: {throttle: {rate: 15, burst: 1}, serverErrorRate: 0.05, connectionResetRate: 0.02, seed: 3}\ngenerate: {accounts: 3, regions: 3, clustersPerRegion: 12, seed: 2}\n"
	srv := startFleet(t, yaml)
	rec := &statusRecorder{}
	c := collector(srv, rec)
	c.Clients.Rate, c.Clients.Burst = 60, 10
	ctx := context.Background()
	id, err := c.Caller(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accounts, _, err := c.ResolveAccounts(ctx, id, AccountOptions{Org: true, RoleName: "R"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	inv, err := c.Collect(ctx, Scope{Regions: []string{"us-east-1", "us-east-2", "us-west-1"}, Accounts: accounts})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 3*3*12 || len(inv.Errors) != 0 {
		t.Fatalf("%d clusters and errors %v after %s; want 108 and none", len(inv.Clusters), inv.Errors, time.Since(start))
	}
	if rec.count(429) == 0 || rec.count(500) == 0 {
		t.Fatalf("throttles %d, server errors %d: the faults did not happen", rec.count(429), rec.count(500))
	}
}

// TestNamedClusterAcrossAccounts: a cluster asked for by name that lives in one account is not
// "not found" in the others.
func TestNamedClusterAcrossAccounts(t *testing.T) {
	yaml := orgFleet("", 2)
	srv := startFleet(t, yaml)
	c := collector(srv, nil)
	ctx := context.Background()
	id, _ := c.Caller(ctx)
	accounts, _, err := c.ResolveAccounts(ctx, id, AccountOptions{Org: true, RoleName: "OrganizationAccountAccessRole"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Collect(ctx, Scope{Regions: []string{"us-east-1"}, Accounts: accounts, Clusters: []string{"c1", "nowhere"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 1 || len(inv.Errors) != 1 || inv.Errors[0].Cluster != "nowhere" || !strings.Contains(inv.Errors[0].Message, "of 3 accounts") {
		t.Fatalf("clusters %d errors %+v", len(inv.Clusters), inv.Errors)
	}
}
