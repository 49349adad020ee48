package remediate

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

const account = "111111111111"

// network is a VPC with DNS on and a cluster security group admitting 10.20.0.0/16 on 443.
const network = `
        vpcs:
          - {vpcId: vpc-ok, cidrBlock: 10.0.0.0/16, enableDnsSupport: true, enableDnsHostnames: true}
          - {vpcId: vpc-nohost, cidrBlock: 10.1.0.0/16, enableDnsSupport: true, enableDnsHostnames: false}
          - {vpcId: vpc-customdns, cidrBlock: 10.2.0.0/16, enableDnsSupport: true, enableDnsHostnames: true, dhcpOptionsId: dopt-corp}
        dhcpOptions:
          - {dhcpOptionsId: dopt-corp, domainNameServers: [10.2.0.53]}
        securityGroups:
          - groupId: sg-ok
            vpcId: vpc-ok
            ipPermissions:
              - {ipProtocol: tcp, fromPort: 443, toPort: 443, ipRanges: [{cidrIp: 10.20.0.0/16}]}
              - {ipProtocol: tcp, fromPort: 22, toPort: 22, ipRanges: [{cidrIp: 10.30.0.0/16}]}
          - groupId: sg-extra
            vpcId: vpc-ok
            ipPermissions:
              - {ipProtocol: "-1", ipRanges: [{cidrIp: 192.168.50.0/24}]}
`

type env struct {
	srv   *emulator.Server
	deps  Deps
	eks   *eks.Client
	echo  string
	calls func() map[string]int
}

func setup(t *testing.T, behaviour, clusters string, opts ...emulator.Option) *env {
	t.Helper()
	yaml := "behaviour:\n  updateDuration: 100ms\n" + behaviour + "accounts:\n  - id: \"" + account + "\"\n    regions:\n      - name: us-east-1\n" + network + "        clusters:\n" + clusters
	f, err := emulator.ParseFleet([]byte(yaml), "fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(f, opts...)
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl := &awsapi.Clients{Base: aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "s", "")},
		EndpointURL: srv.URL(), Rate: 1000, MaxAttempts: 5}
	e := &env{srv: srv, eks: cl.EKS(nil, account, "us-east-1"), calls: srv.Calls}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "203.0.113.77") }))
	t.Cleanup(echo.Close)
	e.echo = echo.URL
	e.deps = Deps{EKS: e.eks, EC2: cl.EC2(nil, "us-east-1"), Account: account}
	return e
}

func (e *env) executor() *Executor {
	return &Executor{EKS: e.deps.EKS, PollInterval: 20 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond, WaitTimeout: 10 * time.Second}
}

func (e *env) plan(t *testing.T, o Options) *Plan {
	t.Helper()
	o.Region = "us-east-1"
	if o.Cluster == "" {
		o.Cluster = "prod"
	}
	if o.IPEchoURL == "" {
		o.IPEchoURL = e.echo
	}
	p, err := BuildPlan(context.Background(), e.deps, o)
	if err != nil {
		t.Fatalf("BuildPlan: %v", err)
	}
	return p
}

func checkOf(p *Plan, id string) Check {
	for _, c := range p.Checks {
		if c.ID == id {
			return c
		}
	}
	return Check{Status: "absent"}
}

const openProd = "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, securityGroupIds: [sg-extra], endpointPublicAccess: true}}\n"

// TestRefusals covers every safety check that refuses, each with its reason.
func TestRefusals(t *testing.T) {
	private := Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}}
	restrict := func(c ...string) Options { return Options{Mode: ModeRestrict, CIDRs: c} }
	tests := []struct {
		name, behaviour, clusters string
		opts                      Options
		check, detail             string
	}{
		{"creating", "", "          - {name: prod, status: CREATING}\n", private, "cluster-active", "CREATING"},
		{"updating", "", "          - {name: prod, status: UPDATING}\n", private, "cluster-active", "UPDATING"},
		{"failed", "", "          - {name: prod, status: FAILED}\n", private, "cluster-active", "FAILED"},
		{"connector", "", "          - {name: prod, connectorConfig: {provider: OTHER}}\n", private, "cluster-active", "EKS Connector"},
		{"update in progress while ACTIVE", "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok}, updates: [{type: VersionUpdate, status: InProgress}]}\n", private, "no-update-in-progress", "VersionUpdate"},
		{"missing field", "", "          - {name: prod, omitFields: [resourcesVpcConfig.endpointPrivateAccess]}\n", private, "settings-readable", "did not return every endpoint field"},
		{"private without client networks", "", openProd, Options{Mode: ModePrivate}, "client-networks", "loses access"},
		{"client cidr with host bits", "", openProd, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.7/16"}}, "client-cidrs", "host bits"},
		{"client network without 443", "", openProd, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.30.0.0/16"}}, "client-https-access", "not from 10.30.0.0/16"},
		{"dns hostnames off", "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-nohost, clusterSecurityGroupId: sg-ok}}\n", private, "vpc-dns", "enableDnsHostnames is off"},
		{"custom dns servers", "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-customdns, clusterSecurityGroupId: sg-ok}}\n", private, "vpc-dns", "not AmazonProvidedDNS"},
		{"rfc1918 allowlist", "", openProd, restrict("203.0.113.0/24", "10.0.0.0/8"), "allowlist-valid", "private (RFC 1918)"},
		{"cgnat allowlist", "", openProd, restrict("203.0.113.0/24", "100.64.0.0/10"), "allowlist-valid", "carrier-grade NAT"},
		{"loopback", "", openProd, restrict("127.0.0.1/32"), "allowlist-valid", "loopback"},
		{"link-local", "", openProd, restrict("169.254.169.254/32"), "allowlist-valid", "link-local"},
		{"multicast", "", openProd, restrict("224.0.0.0/8"), "allowlist-valid", "multicast"},
		{"host bits", "", openProd, restrict("203.0.113.77/24"), "allowlist-valid", "host bits"},
		{"not a cidr", "", openProd, restrict("203.0.113.77"), "allowlist-valid", "not a CIDR block"},
		{"open allowlist", "", openProd, restrict("0.0.0.0/1", "128.0.0.0/1"), "allowlist-valid", "whole internet"},
		{"too many blocks", "", openProd, restrict(manyBlocks(41)...), "allowlist-valid", "limit of 40"},
		{"ipv6 on an ipv4 cluster", "", openProd, restrict("203.0.113.0/24", "2001:db8::/32"), "allowlist-valid", "public endpoint is IPv4 only"},
		{"ipv6 on an old ipv6 cluster", "", "          - {name: prod, createdAt: 2024-05-01T00:00:00Z, kubernetesNetworkConfig: {ipFamily: ipv6}, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok}}\n", restrict("203.0.113.0/24", "2001:db8::/32"), "allowlist-valid", "before October 2024"},
		{"caller outside allowlist", "", openProd, restrict("198.51.100.0/24"), "caller-keeps-access", "203.0.113.77"},
		{"hybrid nodes cannot be public and private", "", "          - {name: prod, remoteNetworkConfig: {remoteNodeNetworks: [{cidrs: [10.80.0.0/16]}]}, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok}}\n", restrict("203.0.113.0/24"), "hybrid-nodes", "hybrid nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.behaviour, tt.clusters)
			p := e.plan(t, tt.opts)
			c := checkOf(p, tt.check)
			if c.Status != CheckRefuse || !strings.Contains(c.Detail, tt.detail) {
				t.Fatalf("check %s = %s %q; want REFUSE containing %q\nall checks: %+v", tt.check, c.Status, c.Detail, tt.detail, p.Checks)
			}
			if !p.Refused {
				t.Error("plan not marked refused")
			}
			if c.ID != "settings-readable" && c.Remedy == "" && c.ID != "cluster-active" {
				t.Errorf("refusal without a remedy: %+v", c)
			}
			out := e.executor().Apply(context.Background(), p)
			if out.Result != ResultRefused {
				t.Errorf("Apply on a refused plan = %s", out.Result)
			}
			assertNoMutation(t, e)
		})
	}
}

func manyBlocks(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("203.0.%d.0/24", i)
	}
	return out
}

func assertNoMutation(t *testing.T, e *env) {
	t.Helper()
	for op, n := range e.calls() {
		if n > 0 && (strings.Contains(op, "UpdateClusterConfig") || strings.Contains(op, "CancelUpdate") || strings.Contains(op, "Create") || strings.Contains(op, "Delete")) {
			t.Errorf("a mutating API was called: %s x%d", op, n)
		}
	}
}

func TestCallerIPEchoUnreachableRefusesUnlessAllowed(t *testing.T) {
	e := setup(t, "", openProd)
	o := Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24"}, IPEchoURL: "http://127.0.0.1:1/"}
	if c := checkOf(e.plan(t, o), "caller-keeps-access"); c.Status != CheckRefuse || !strings.Contains(c.Detail, "could not learn") {
		t.Errorf("caller check = %+v", c)
	}
	o.AllowLockout = true
	if c := checkOf(e.plan(t, o), "caller-keeps-access"); c.Status != CheckPass || !strings.Contains(c.Detail, "--allow-lockout") {
		t.Errorf("with --allow-lockout: %+v", c)
	}
	o = Options{Mode: ModeRestrict, CIDRs: []string{"198.51.100.0/24"}, CallerIP: "198.51.100.9"}
	if c := checkOf(e.plan(t, o), "caller-keeps-access"); c.Status != CheckPass {
		t.Errorf("explicit caller ip inside: %+v", c)
	}
}

// TestPlanNeverMutates builds every kind of plan and proves no mutating call reached the API.
func TestPlanNeverMutates(t *testing.T) {
	e := setup(t, "", openProd+"          - {name: done, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}\n")
	for _, o := range []Options{
		{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}},
		{Mode: ModePrivate},
		{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24"}},
		{Mode: ModePrivate, Cluster: "done"},
	} {
		e.plan(t, o)
	}
	if e.calls()["eks:DescribeCluster"] == 0 {
		t.Fatal("no DescribeCluster call was counted; the test proves nothing")
	}
	assertNoMutation(t, e)
}

func TestTwoPhasePrivate(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16", "192.168.50.0/25"}})
	if p.Refused {
		t.Fatalf("refused: %+v", p.Refusals())
	}
	if len(p.Phases) != 2 || p.Phases[0].Name != "enable-private" || p.Phases[0].Request.Public != nil || p.Phases[0].Request.CIDRs != nil {
		t.Fatalf("phases = %+v; want enable-private (private only) then the target", p.Phases)
	}
	if p.Phases[1].Request.CIDRs != nil {
		t.Error("the private target must not send CIDRs (RC-5)")
	}
	out := e.executor().Apply(context.Background(), p)
	if out.Result != ResultApplied || len(out.Updates) != 2 {
		t.Fatalf("outcome = %+v", out)
	}
	if out.Final == nil || out.Final.Public || !out.Final.Private {
		t.Errorf("final = %+v", out.Final)
	}
	for _, u := range out.Updates {
		if u.Status != "Successful" || u.UpdateID == "" || u.ClientRequestToken == "" {
			t.Errorf("update record %+v", u)
		}
	}
	// A re-run after success is a no-op.
	before := e.calls()["eks:UpdateClusterConfig"]
	again := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	if !again.AlreadyCompliant {
		t.Fatalf("re-run is not a no-op: %+v", again)
	}
	if o := e.executor().Apply(context.Background(), again); o.Result != ResultAlreadyCompliant || e.calls()["eks:UpdateClusterConfig"] != before {
		t.Errorf("re-run applied %s and called UpdateClusterConfig %d more times", o.Result, e.calls()["eks:UpdateClusterConfig"]-before)
	}
}

func TestRestrictOnePhaseWhenPrivateIsOn(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24", "198.51.100.0/24"}})
	if p.Refused || len(p.Phases) != 1 {
		t.Fatalf("plan refused=%v phases=%d: %+v", p.Refused, len(p.Phases), p.Refusals())
	}
	out := e.executor().Apply(context.Background(), p)
	if out.Result != ResultApplied || !out.Final.Public || !sameSet(out.Final.CIDRs, []string{"198.51.100.0/24", "203.0.113.0/24"}) {
		t.Fatalf("outcome %+v final %+v", out, out.Final)
	}
}

func TestRestrictNeverLoosensPrivateOnly(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24"}})
	if !p.AlreadyCompliant || !strings.Contains(p.Compliance, "does not open a public endpoint") {
		t.Fatalf("plan = %+v", p)
	}
}

func TestHybridPrivateGoesInOneStep(t *testing.T) {
	e := setup(t, "", "          - {name: prod, remoteNetworkConfig: {remoteNodeNetworks: [{cidrs: [10.80.0.0/16]}]}, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok}}\n")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	if p.Refused || len(p.Phases) != 1 || checkOf(p, "hybrid-nodes").Status != CheckPass {
		t.Fatalf("plan: refused=%v phases=%+v", p.Refused, p.Phases)
	}
	if out := e.executor().Apply(context.Background(), p); out.Result != ResultApplied {
		t.Fatalf("outcome %+v", out)
	}
}

// TestRollbackAfterInjectedFailure fails the second phase: the first (private on) must be undone.
func TestRollbackAfterInjectedFailure(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS = &failNth{EKSAPI: e.eks, srv: e.srv, n: 2}
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultRolledBack {
		t.Fatalf("result = %s: %s", out.Result, out.Message)
	}
	if len(out.Updates) != 3 || out.Updates[1].Status != "Failed" || out.Updates[2].Phase != "rollback" || out.Updates[2].Status != "Successful" {
		t.Fatalf("updates = %+v", out.Updates)
	}
	if out.Final == nil || !out.Final.Equal(*p.Rollback) || !strings.Contains(out.Message, "rolled back") {
		t.Errorf("final %+v message %q", out.Final, out.Message)
	}
	if len(out.Updates[1].Errors) == 0 {
		t.Error("the failed update's errors[] were not recorded")
	}
}

func TestFirstPhaseFailureLeavesClusterUnchanged(t *testing.T) {
	e := setup(t, "  failUpdates: [prod]\n", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	out := e.executor().Apply(context.Background(), p)
	if out.Result != ResultRolledBack || len(out.Updates) != 1 || !strings.Contains(out.Message, "unchanged") {
		t.Fatalf("outcome = %+v", out)
	}
}

func TestNoRollback(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS, ex.NoRollback = &failNth{EKSAPI: e.eks, srv: e.srv, n: 2}, true
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultFailed || len(out.Updates) != 2 || !strings.Contains(out.Message, "endpointPrivateAccess=true") {
		t.Fatalf("outcome = %+v", out)
	}
}

func TestVerificationFailureRollsBack(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	lie := &lyingDescribe{EKSAPI: e.eks}
	ex.EKS = lie
	out := ex.Apply(context.Background(), p)
	if out.Updates[0].Status != "VerificationFailed" || out.Result != ResultRolledBack {
		t.Fatalf("outcome = %+v", out)
	}
	if len(out.Updates) != 2 || out.Updates[1].Phase != "rollback" || out.Updates[1].Status != "Successful" || !out.Final.Equal(*p.Rollback) {
		t.Fatalf("no rollback to the recorded state: %+v final %+v", out.Updates, out.Final)
	}
	if !strings.Contains(out.Message, "verification failed") {
		t.Errorf("message = %q", out.Message)
	}
}

func TestTimeoutDoesNotRollBack(t *testing.T) {
	e := setup(t, "", openProd)
	e.srv.SetBehaviour(func() emulator.Behaviour { b := e.srv.Behaviour(); b.UpdateDuration = time.Hour; return b }())
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.WaitTimeout = 200 * time.Millisecond
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultTimedOut || len(out.Updates) != 1 || !strings.Contains(out.Message, "describe-update") {
		t.Fatalf("outcome = %+v", out)
	}
}

// TestBusyDuringApply starts another update between plan and apply: EKS answers 409, which is busy,
// not failed, and nothing is rolled back over it.
func TestBusyDuringApply(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	e.srv.SetBehaviour(func() emulator.Behaviour { b := e.srv.Behaviour(); b.UpdateDuration = time.Hour; return b }())
	if _, err := e.eks.UpdateClusterConfig(context.Background(), &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
		Logging: loggingOn()}); err != nil {
		t.Fatalf("start a competing update: %v", err)
	}
	out := e.executor().Apply(context.Background(), p)
	if out.Result != ResultBusy || out.Updates[0].Status != "Busy" || !strings.Contains(out.Message, "in progress") {
		t.Fatalf("outcome = %+v", out)
	}
}

// TestLostResponseCreatesOneUpdate drops the answer to the first UpdateClusterConfig after the
// emulator has acted on it; the retry carries the same token and must not create a second update.
func TestLostResponseCreatesOneUpdate(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	e.srv.DropNextResponse("eks:UpdateClusterConfig")
	out := e.executor().Apply(context.Background(), p)
	if out.Result != ResultApplied {
		t.Fatalf("outcome = %+v", out)
	}
	if n := e.calls()["eks:UpdateClusterConfig"]; n < 2 {
		t.Fatalf("UpdateClusterConfig reached the emulator %d times; the drop did not happen", n)
	}
	ids, err := e.eks.ListUpdates(context.Background(), &eks.ListUpdatesInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids.UpdateIds) != 1 {
		t.Errorf("the cluster has %d updates, want exactly 1: %v", len(ids.UpdateIds), ids.UpdateIds)
	}
}

func TestRestrictToAnOpenListIsRefusedEvenWhenAlreadySet(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: [0.0.0.0/0]}}\n")
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"0.0.0.0/0"}})
	if p.AlreadyCompliant || !p.Refused || checkOf(p, "allowlist-valid").Status != CheckRefuse {
		t.Fatalf("plan = compliant %v refused %v checks %+v", p.AlreadyCompliant, p.Refused, p.Checks)
	}
}

func TestBothEndpointsOffIsNotAStateToChangeFrom(t *testing.T) {
	e := setup(t, "", openProd)
	e.deps.EKS = &bothOff{EKSAPI: e.eks}
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24"}})
	if !p.Refused || checkOf(p, "settings-readable").Status != CheckRefuse || p.Rollback != nil {
		t.Fatalf("plan = %+v", p)
	}
}

func TestIPv6AllowlistComparedAsAddresses(t *testing.T) {
	e := setup(t, "", "          - {name: prod, createdAt: 2025-03-01T00:00:00Z, kubernetesNetworkConfig: {ipFamily: ipv6}, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: [\"2001:db8::/32\", 203.0.113.0/24]}}\n")
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24", "2001:DB8::/32"}})
	if !p.AlreadyCompliant {
		t.Fatalf("2001:DB8::/32 is 2001:db8::/32: plan = %+v", p)
	}
}

func TestNoRedundantPhaseWhenOnlyPrivateIsMissing(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [203.0.113.0/24]}}\n")
	p := e.plan(t, Options{Mode: ModeRestrict, CIDRs: []string{"203.0.113.0/24"}})
	if p.Refused || len(p.Phases) != 1 || p.Phases[0].Name != "enable-private" {
		t.Fatalf("phases = %+v", p.Phases)
	}
	if out := e.executor().Apply(context.Background(), p); out.Result != ResultApplied || len(out.Updates) != 1 {
		t.Fatalf("outcome = %+v", out)
	}
}

// TestAnswerWithoutUpdateIsFollowed: a 200 without an update (moto does this) is not a failure: the
// update EKS started is found and waited on, never reported as "unchanged".
func TestAnswerWithoutUpdateIsFollowed(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	ex.EKS = &noUpdateInAnswer{EKSAPI: e.eks}
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultApplied || out.Updates[0].UpdateID == "" || out.Final.Public {
		t.Fatalf("outcome = %+v", out)
	}
}

// TestExecutorRetriesLostResponseWithSameToken turns the SDK's own retries off, so only eksguard's
// retry can recover the lost response; the token must make it the same update.
func TestExecutorRetriesLostResponseWithSameToken(t *testing.T) {
	e := setup(t, "", "          - {name: prod, resourcesVpcConfig: {vpcId: vpc-ok, clusterSecurityGroupId: sg-ok, endpointPublicAccess: true, endpointPrivateAccess: true}}\n")
	single := (&awsapi.Clients{Base: aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "s", "")},
		EndpointURL: e.srv.URL(), Rate: 1000, MaxAttempts: 1}).EKS(nil, account, "us-east-1")
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	e.srv.DropNextResponse("eks:UpdateClusterConfig")
	ex := e.executor()
	ex.EKS = single
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultApplied {
		t.Fatalf("outcome = %+v", out)
	}
	if n := e.calls()["eks:UpdateClusterConfig"]; n != 2 {
		t.Errorf("UpdateClusterConfig reached EKS %d times, want 2 (lost answer, then the retry)", n)
	}
	ids, _ := e.eks.ListUpdates(context.Background(), &eks.ListUpdatesInput{Name: aws.String("prod")})
	if len(ids.UpdateIds) != 1 {
		t.Errorf("%d updates, want 1", len(ids.UpdateIds))
	}
}

func TestInterruptedBeforeApplyChangesNothing(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := e.executor().Apply(ctx, p)
	if out.Result != ResultInterrupted || out.Final == nil || !out.Final.Equal(*p.Rollback) || !strings.Contains(out.Message, "nothing more was changed") {
		t.Fatalf("outcome = %+v", out)
	}
	assertNoMutation(t, e)
}

func TestStartedHookSeesEveryUpdate(t *testing.T) {
	e := setup(t, "", openProd)
	p := e.plan(t, Options{Mode: ModePrivate, ClientCIDRs: []string{"10.20.0.0/16"}})
	ex := e.executor()
	var started []string
	ex.Started = func(r UpdateRecord) { started = append(started, r.Phase+" "+r.UpdateID) }
	out := ex.Apply(context.Background(), p)
	if out.Result != ResultApplied || len(started) != 2 || !strings.HasPrefix(started[0], "enable-private ") {
		t.Fatalf("started %v outcome %+v", started, out)
	}
}
