package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
)

type updateResponse struct {
	Update struct {
		ID     string        `json:"id"`
		Status string        `json:"status"`
		Type   string        `json:"type"`
		Params []UpdateParam `json:"params"`
		Errors []ErrorDetail `json:"errors"`
	} `json:"update"`
}

// postUpdate sends a raw UpdateClusterConfig body, so tests control exactly
// which members are present.
func postUpdate(t *testing.T, url, cluster, body string) (int, string, string, updateResponse) {
	t.Helper()
	resp, b := raw(t, url, "POST", "/clusters/"+cluster+"/update-config", "eks", "us-east-1", body)
	var out updateResponse
	var e eksErrorBody
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	} else {
		_ = json.Unmarshal(b, &e)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), e.Message, out
}

// TestUpdateValidationOrder walks TD-10..TD-18. Several requests break more
// than one rule, so the expected error also proves the order of the checks.
func TestUpdateValidationOrder(t *testing.T) {
	many := make([]string, 41)
	for i := range many {
		many[i] = fmt.Sprintf(`"198.51.100.%d/32"`, i)
	}
	tests := []struct {
		name    string
		cluster string
		body    string
		status  int
		code    string
		msg     string // exact; "" checks only status and code
	}{
		{"TD-10 unknown cluster beats a bad body", "nope", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":false}}`,
			404, "ResourceNotFoundException", "No cluster found for name: nope."},
		{"TD-11 logging and endpoint", "prod", `{"resourcesVpcConfig":{"endpointPrivateAccess":true},"logging":{"clusterLogging":[{"types":["api"],"enabled":true}]}}`,
			400, "InvalidParameterException", "Only one type of update can be allowed."},
		{"TD-11 endpoint and subnets in one resourcesVpcConfig", "prod", `{"resourcesVpcConfig":{"endpointPrivateAccess":true,"subnetIds":["subnet-1","subnet-2"]}}`,
			400, "InvalidParameterException", "Only one type of update can be allowed."},
		{"TD-11 beats TD-12 on a busy cluster", "busy", `{"resourcesVpcConfig":{"endpointPrivateAccess":true},"deletionProtection":true}`,
			400, "InvalidParameterException", "Only one type of update can be allowed."},
		{"TD-11 empty request", "prod", `{}`, 400, "InvalidParameterException", ""},
		{"TD-11 empty resourcesVpcConfig is no category", "prod", `{"resourcesVpcConfig":{}}`, 400, "InvalidParameterException", ""},
		{"TD-12 busy beats both-false", "busy", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":false}}`,
			409, "ResourceInUseException", "Cannot EndpointAccessUpdate because cluster busy currently has update 11111111-2222-3333-4444-555555555555 in progress"},
		{"TD-12 names the requested type", "busy", `{"logging":{"clusterLogging":[{"types":["api"],"enabled":true}]}}`,
			409, "ResourceInUseException", "Cannot LoggingUpdate because cluster busy currently has update 11111111-2222-3333-4444-555555555555 in progress"},
		{"TD-14 public off while private is off (merge)", "prod", `{"resourcesVpcConfig":{"endpointPublicAccess":false}}`,
			400, "InvalidParameterException", "Both private and public endpoint access cannot be false"},
		{"TD-14 beats TD-15", "prod", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":false,"publicAccessCidrs":["10.0.0.0/8"]}}`,
			400, "InvalidParameterException", "Both private and public endpoint access cannot be false"},
		{"TD-15 reserved and malformed", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":["10.0.0.0/8","1.2.3.4/32","300.1.1.1/32","192.168.1.0/24","100.64.0.0/16"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [10.0.0.0/8,300.1.1.1/32,192.168.1.0/24,100.64.0.0/16]"},
		{"TD-15 host bits set", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":["1.2.3.4/24"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [1.2.3.4/24]"},
		{"TD-15 bare address", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":["1.2.3.4"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [1.2.3.4]"},
		{"TD-15 IPv6 on an IPv4 cluster", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":["2001:db8::/32"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [2001:db8::/32]"},
		{"TD-15 IPv6 on an IPv6 cluster from before Oct 2024", "v6old", `{"resourcesVpcConfig":{"publicAccessCidrs":["2001:db8::/32"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [2001:db8::/32]"},
		{"TD-15 IPv6 on a dual-stack cluster", "v6", `{"resourcesVpcConfig":{"publicAccessCidrs":["2001:db8::/32","203.0.113.0/24"]}}`, 200, "", ""},
		{"TD-15 more than 40", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":[` + strings.Join(many, ",") + `]}}`, 400, "InvalidParameterException", ""},
		{"TD-15 validates when public is turned on", "private-open", `{"resourcesVpcConfig":{"endpointPublicAccess":true,"publicAccessCidrs":["127.0.0.1/32"]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in publicAccessCidrs: [127.0.0.1/32]"},
		{"TD-16 CIDRs not validated when public ends up off", "prod", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":true,"publicAccessCidrs":["10.0.0.0/8","junk"]}}`, 200, "", ""},
		{"TD-17 no-op", "prod", `{"resourcesVpcConfig":{"endpointPublicAccess":true,"endpointPrivateAccess":false}}`,
			400, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: false , endpointPublicAccess: true, and Public Endpoint Restrictions: [203.0.113.0/24]"},
		{"TD-17 same CIDRs written differently", "prod", `{"resourcesVpcConfig":{"publicAccessCidrs":["203.0.113.0/24","203.0.113.0/24"]}}`,
			400, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: false , endpointPublicAccess: true, and Public Endpoint Restrictions: [203.0.113.0/24]"},
		{"TD-17 CIDRs ignored when private-only", "private-open", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"publicAccessCidrs":["198.51.100.0/24"]}}`,
			400, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: false, and Public Endpoint Restrictions: [0.0.0.0/0]"},
		{"TD-17 empty list on a private cluster", "private-empty", `{"resourcesVpcConfig":{"endpointPrivateAccess":true}}`,
			400, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: false, and Public Endpoint Restrictions: []"},
		{"TD-18 auth mode backwards", "api-mode", `{"accessConfig":{"authenticationMode":"CONFIG_MAP"}}`,
			400, "InvalidParameterException", "Unsupported authentication mode update from API_AND_CONFIG_MAP to CONFIG_MAP"},
		{"TD-18 auth mode forwards", "api-mode", `{"accessConfig":{"authenticationMode":"API"}}`, 200, "", ""},
		{"TD-18 extended support cannot be turned off once started", "old", `{"upgradePolicy":{"supportType":"STANDARD"}}`, 400, "InvalidParameterException", ""},
		{"TD-18 standard before extended support starts", "defaults", `{"upgradePolicy":{"supportType":"STANDARD"}}`, 200, "", ""},
		{"status CREATING", "creating", `{"resourcesVpcConfig":{"endpointPrivateAccess":true}}`, 409, "ResourceInUseException", ""},
		{"status FAILED", "failed", `{"resourcesVpcConfig":{"endpointPrivateAccess":true}}`, 400, "InvalidRequestException", ""},
		{"logging no-op", "prod", `{"logging":{"clusterLogging":[{"types":["api","audit"],"enabled":false}]}}`,
			400, "InvalidParameterException", "No changes needed for the logging config provided"},
		{"logging unknown type", "prod", `{"logging":{"clusterLogging":[{"types":["kubelet"],"enabled":true}]}}`, 400, "InvalidParameterException", ""},
		{"unknown top-level members are ignored", "prod", `{"resourcesVpcConfig":{"endpointPrivateAccess":true},"kubeApiServerConfig":{"eventTtl":"1h"},"somethingNew":{"x":1}}`, 200, "", ""},
		{"malformed JSON", "prod", `{"resourcesVpcConfig":`, 400, "BadRequestException", ""},
		{"auto mode must move together", "prod", `{"computeConfig":{"enabled":true},"storageConfig":{"blockStorage":{"enabled":false}},"kubernetesNetworkConfig":{"elasticLoadBalancing":{"enabled":true}}}`,
			400, "InvalidParameterException", "The compute, block storage, and load balancing capabilities must all be enabled or disabled in the same request."},
		{"auto mode together", "prod", `{"computeConfig":{"enabled":true,"nodePools":["general-purpose"]},"storageConfig":{"blockStorage":{"enabled":true}},"kubernetesNetworkConfig":{"elasticLoadBalancing":{"enabled":true}}}`, 200, "", ""},
		{"hybrid CIDR overlapping the VPC", "prod", `{"remoteNetworkConfig":{"remoteNodeNetworks":[{"cidrs":["10.0.1.0/24"]}]}}`,
			400, "InvalidParameterException", "The following CIDRs are invalid in remoteNodeNetworks: [10.0.1.0/24]"},
		{"hybrid CIDR not RFC 1918", "prod", `{"remoteNetworkConfig":{"remotePodNetworks":[{"cidrs":["8.8.8.0/24"]}]}}`, 400, "InvalidParameterException", ""},
		{"VPC update needs two subnets", "prod", `{"resourcesVpcConfig":{"subnetIds":["subnet-1"]}}`, 400, "InvalidParameterException", ""},
		{"egress mode", "prod", `{"resourcesVpcConfig":{"controlPlaneEgressMode":"CUSTOMER_ROUTED"}}`, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
			status, code, msg, _ := postUpdate(t, url, tt.cluster, tt.body)
			if status != tt.status || code != tt.code || (tt.msg != "" && msg != tt.msg) {
				t.Errorf("got %d %s %q\nwant %d %s %q", status, code, msg, tt.status, tt.code, tt.msg)
			}
		})
	}
}

func TestUpdateAcceptedResponse(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
	out, err := eksClient(url, "us-east-1").UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{
		Name:               aws.String("prod"),
		ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true), PublicAccessCidrs: []string{"198.51.100.0/24"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := out.Update
	want := []types.UpdateParam{
		{Type: types.UpdateParamTypeEndpointPublicAccess, Value: aws.String("true")},
		{Type: types.UpdateParamTypeEndpointPrivateAccess, Value: aws.String("true")},
		{Type: types.UpdateParamTypePublicAccessCidrs, Value: aws.String(`["198.51.100.0/24"]`)},
	}
	if u == nil || u.Status != types.UpdateStatusInProgress || u.Type != types.UpdateTypeEndpointAccessUpdate ||
		len(aws.ToString(u.Id)) != 36 || u.Errors == nil || len(u.Errors) != 0 || !u.CreatedAt.Equal(testStart) {
		t.Fatalf("update %+v", u)
	}
	if len(u.Params) != len(want) {
		t.Fatalf("params %+v", u.Params)
	}
	for i := range want {
		if u.Params[i].Type != want[i].Type || aws.ToString(u.Params[i].Value) != aws.ToString(want[i].Value) {
			t.Errorf("param %d: %s=%s, want %s=%s", i, u.Params[i].Type, aws.ToString(u.Params[i].Value), want[i].Type, aws.ToString(want[i].Value))
		}
	}
}

// TestUpdateMerge follows eksctl's partial updates (TD-13) and checks that
// CIDRs survive a switch to private-only (TD-9).
func TestUpdateMerge(t *testing.T) {
	clock := NewFakeClock(testStart)
	s, url := startFleet(t, "fleet.yaml", WithClock(clock))
	client := eksClient(url, "us-east-1")
	steps := []struct {
		name            string
		req             types.VpcConfigRequest
		public, private bool
		cidrs           []string
	}{
		{"private only sent", types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}, true, true, []string{"203.0.113.0/24"}},
		{"CIDRs only sent", types.VpcConfigRequest{PublicAccessCidrs: []string{"198.51.100.0/24"}}, true, true, []string{"198.51.100.0/24"}},
		{"public off keeps CIDRs", types.VpcConfigRequest{EndpointPublicAccess: aws.Bool(false)}, false, true, []string{"198.51.100.0/24"}},
		{"CIDRs sent while private are ignored", types.VpcConfigRequest{EndpointPublicAccess: aws.Bool(false), EndpointPrivateAccess: aws.Bool(true), PublicAccessCidrs: []string{"192.0.2.0/24"}}, false, true, nil},
		{"public back on with the empty list", types.VpcConfigRequest{EndpointPublicAccess: aws.Bool(true), PublicAccessCidrs: []string{}}, true, true, []string{"0.0.0.0/0"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"), ResourcesVpcConfig: &st.req})
			if st.cidrs == nil {
				// TD-17: public stays off, private stays on: nothing to do.
				wantAPIError(t, err, "InvalidParameterException", "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: false, and Public Endpoint Restrictions: [198.51.100.0/24]")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Minute)
			out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
			if err != nil {
				t.Fatal(err)
			}
			vc := out.Cluster.ResourcesVpcConfig
			if vc.EndpointPublicAccess != st.public || vc.EndpointPrivateAccess != st.private || !slices.Equal(vc.PublicAccessCidrs, st.cidrs) ||
				!slices.Equal(vc.SubnetIds, []string{"subnet-1", "subnet-2"}) || aws.ToString(vc.VpcId) != "vpc-0a1" {
				t.Errorf("got public %t private %t cidrs %q subnets %q vpc %s", vc.EndpointPublicAccess, vc.EndpointPrivateAccess, vc.PublicAccessCidrs, vc.SubnetIds, aws.ToString(vc.VpcId))
			}
		})
	}
	if got := s.Calls()["eks:UpdateClusterConfig"]; got != len(steps) {
		t.Errorf("calls %d", got)
	}
}

func TestUpdateLifecycle(t *testing.T) {
	tests := []struct {
		name       string
		failUpdate bool
		immediate  bool
	}{
		{name: "success"},
		{name: "failure", failUpdate: true},
		{name: "apply immediately", immediate: true},
		{name: "apply immediately then fail", immediate: true, failUpdate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(testStart)
			s, url := startFleet(t, "fleet.yaml", WithClock(clock))
			b := s.Behaviour()
			b.ApplyImmediately = tt.immediate
			if tt.failUpdate {
				b.FailUpdates = []string{"prod"}
			}
			s.SetBehaviour(b)
			client := eksClient(url, "us-east-1")
			privateNow := func() (bool, types.ClusterStatus) {
				out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
				if err != nil {
					t.Fatal(err)
				}
				return out.Cluster.ResourcesVpcConfig.EndpointPrivateAccess, out.Cluster.Status
			}
			up, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
				ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}})
			if err != nil {
				t.Fatal(err)
			}
			describe := func() *types.Update {
				out, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String("prod"), UpdateId: up.Update.Id})
				if err != nil {
					t.Fatal(err)
				}
				return out.Update
			}
			// TD-21 with statusLag 1: one more ACTIVE, then UPDATING.
			for i, want := range []types.ClusterStatus{"ACTIVE", "UPDATING", "UPDATING"} {
				priv, status := privateNow()
				if status != want || priv != tt.immediate {
					t.Errorf("poll %d: status %s private %t, want %s %t (TD-22)", i, status, priv, want, tt.immediate)
				}
			}
			clock.Advance(5*time.Minute - time.Second)
			if u := describe(); u.Status != types.UpdateStatusInProgress {
				t.Errorf("before the end: %s", u.Status)
			}
			clock.Advance(time.Second)
			u := describe()
			priv, status := privateNow()
			if tt.failUpdate {
				if u.Status != types.UpdateStatusFailed || len(u.Errors) != 1 || u.Errors[0].ErrorCode == "" || len(u.Errors[0].ResourceIds) == 0 || priv {
					t.Errorf("failed update %+v, private %t", u, priv)
				}
			} else if u.Status != types.UpdateStatusSuccessful || len(u.Errors) != 0 || !priv {
				t.Errorf("successful update %+v, private %t", u, priv)
			}
			if status != types.ClusterStatusActive {
				t.Errorf("status after the update: %s", status)
			}
			// A finished update no longer blocks the next one.
			if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
				Logging: &types.Logging{ClusterLogging: []types.LogSetup{{Types: []types.LogType{"audit"}, Enabled: aws.Bool(true)}}}}); err != nil {
				t.Errorf("next update: %v", err)
			}
		})
	}
}

func TestStatusLag(t *testing.T) {
	tests := []struct {
		lag  int
		want []types.ClusterStatus
	}{
		{0, []types.ClusterStatus{"UPDATING", "UPDATING"}},
		{1, []types.ClusterStatus{"ACTIVE", "UPDATING", "UPDATING"}},
		{3, []types.ClusterStatus{"ACTIVE", "ACTIVE", "ACTIVE", "UPDATING"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("lag %d", tt.lag), func(t *testing.T) {
			s, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
			b := s.Behaviour()
			b.StatusLag = tt.lag
			s.SetBehaviour(b)
			client := eksClient(url, "us-east-1")
			if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
				ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}}); err != nil {
				t.Fatal(err)
			}
			var got []types.ClusterStatus
			for range tt.want {
				out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, out.Cluster.Status)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBusyWithOwnUpdate(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
	client := eksClient(url, "us-east-1")
	first, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
		ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
		ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPublicAccess: aws.Bool(false)}})
	wantAPIError(t, err, "ResourceInUseException", "Cannot EndpointAccessUpdate because cluster prod currently has update "+aws.ToString(first.Update.Id)+" in progress")
	// The status still reads ACTIVE (lag), and yet the cluster is busy (TD-12).
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err != nil || out.Cluster.Status != types.ClusterStatusActive {
		t.Errorf("status %v %v", out, err)
	}
}

func TestClientRequestToken(t *testing.T) {
	tests := []struct {
		name     string
		mismatch string
		second   types.VpcConfigRequest
		finish   bool // let the first update end before the replay
		wantErr  string
		sameID   bool
	}{
		{name: "same token same body", second: types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}, sameID: true},
		{name: "same token same body after it ended", second: types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}, finish: true, sameID: true},
		{name: "same token other body", second: types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(false)}, wantErr: "InvalidParameterException"},
		{name: "same token other body, mismatch=new", mismatch: "new", finish: true, second: types.VpcConfigRequest{PublicAccessCidrs: []string{"192.0.2.0/24"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(testStart)
			s, url := startFleet(t, "fleet.yaml", WithClock(clock))
			if tt.mismatch != "" {
				b := s.Behaviour()
				b.TokenMismatch = tt.mismatch
				s.SetBehaviour(b)
			}
			client := eksClient(url, "us-east-1")
			first, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"), ClientRequestToken: aws.String("tok-1"),
				ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.finish {
				clock.Advance(time.Hour)
			}
			second, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"), ClientRequestToken: aws.String("tok-1"), ResourcesVpcConfig: &tt.second})
			if tt.wantErr != "" {
				wantAPIError(t, err, tt.wantErr, "The client request token tok-1 has already been used for a different request.")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if same := aws.ToString(first.Update.Id) == aws.ToString(second.Update.Id); same != tt.sameID {
				t.Errorf("first %s second %s", aws.ToString(first.Update.Id), aws.ToString(second.Update.Id))
			}
			list, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("prod")})
			if err != nil {
				t.Fatal(err)
			}
			wantCount := 2
			if tt.sameID {
				wantCount = 1
			}
			if len(list.UpdateIds) != wantCount {
				t.Errorf("updates %q", list.UpdateIds)
			}
		})
	}
}

func TestStoreCidrsWhenPrivate(t *testing.T) {
	for _, store := range []bool{false, true} {
		t.Run(fmt.Sprint("store ", store), func(t *testing.T) {
			clock := NewFakeClock(testStart)
			s, url := startFleet(t, "fleet.yaml", WithClock(clock))
			b := s.Behaviour()
			b.StoreCidrsWhenPrivate = store
			s.SetBehaviour(b)
			status, _, msg, _ := postUpdate(t, url, "prod", `{"resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":true,"publicAccessCidrs":["192.0.2.0/24"]}}`)
			if status != 200 {
				t.Fatal(msg)
			}
			clock.Advance(time.Hour)
			view, _ := s.Cluster("111111111111", "us-east-1", "prod")
			want := `"publicAccessCidrs":["203.0.113.0/24"]`
			if store {
				want = `"publicAccessCidrs":["192.0.2.0/24"]`
			}
			if !strings.Contains(string(view), want) {
				t.Errorf("want %s in %s", want, view)
			}
		})
	}
}

func TestOtherUpdateCategories(t *testing.T) {
	tests := []struct {
		name, cluster, body, typ, after string
	}{
		{"logging", "prod", `{"logging":{"clusterLogging":[{"types":["audit","api"],"enabled":true}]}}`, "LoggingUpdate", `"clusterLogging":[{"types":["api","audit"],"enabled":true},{"types":["authenticator","controllerManager","scheduler"],"enabled":false}]`},
		{"access config", "prod", `{"accessConfig":{"authenticationMode":"API_AND_CONFIG_MAP"}}`, "AccessConfigUpdate", `"authenticationMode":"API_AND_CONFIG_MAP"`},
		{"deletion protection", "prod", `{"deletionProtection":true}`, "DeletionProtectionUpdate", `"deletionProtection":true`},
		{"zonal shift", "prod", `{"zonalShiftConfig":{"enabled":true}}`, "ZonalShiftConfigUpdate", `"zonalShiftConfig":{"enabled":true}`},
		{"scaling tier", "prod", `{"controlPlaneScalingConfig":{"tier":"tier-xl"}}`, "ControlPlaneScalingConfigUpdate", `"controlPlaneScalingConfig":{"tier":"tier-xl"}`},
		{"hybrid removed", "prod", `{"remoteNetworkConfig":{"remoteNodeNetworks":[],"remotePodNetworks":[]}}`, "RemoteNetworkConfigUpdate", `"deletionProtection":false`},
		{"hybrid set", "defaults", `{"remoteNetworkConfig":{"remoteNodeNetworks":[{"cidrs":["10.80.0.0/16"]}]}}`, "RemoteNetworkConfigUpdate", `"remoteNodeNetworks":[{"cidrs":["10.80.0.0/16"]}]`},
		{"subnets", "prod", `{"resourcesVpcConfig":{"subnetIds":["subnet-7","subnet-8","subnet-9"]}}`, "VpcConfigUpdate", `"subnetIds":["subnet-7","subnet-8","subnet-9"]`},
		{"upgrade policy", "defaults", `{"upgradePolicy":{"supportType":"STANDARD"}}`, "UpgradePolicyUpdate", `"supportType":"STANDARD"`},
		{"egress", "prod", `{"resourcesVpcConfig":{"controlPlaneEgressMode":"CUSTOMER_ROUTED"}}`, "ControlPlaneEgressUpdate", `"controlPlaneEgressMode":"CUSTOMER_ROUTED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(testStart)
			s, url := startFleet(t, "fleet.yaml", WithClock(clock))
			status, _, msg, out := postUpdate(t, url, tt.cluster, tt.body)
			if status != 200 || out.Update.Type != tt.typ {
				t.Fatalf("got %d %q %+v", status, msg, out.Update)
			}
			clock.Advance(time.Hour)
			view, _ := s.Cluster("111111111111", "us-east-1", tt.cluster)
			if !strings.Contains(string(view), tt.after) {
				t.Errorf("want %s in %s", tt.after, view)
			}
			if tt.name == "hybrid removed" && strings.Contains(string(view), "remoteNetworkConfig") {
				t.Errorf("remoteNetworkConfig still present: %s", view)
			}
		})
	}
}

func TestUpdateCalls(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
	client := eksClient(url, "us-east-1")
	if _, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("rollback")}); err != nil {
		t.Fatal(err)
	}
	order := func(want ...string) {
		t.Helper()
		out, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("rollback")})
		if err != nil || !slices.Equal(out.UpdateIds, want) {
			t.Errorf("got %v %v, want %q", out, err, want)
		}
	}
	order("aaaaaaaa-0000-0000-0000-000000000002", "aaaaaaaa-0000-0000-0000-000000000001")
	b := s.Behaviour()
	b.ListUpdatesOrder = "oldest-first"
	s.SetBehaviour(b)
	order("aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002")

	p := eks.NewListUpdatesPaginator(client, &eks.ListUpdatesInput{Name: aws.String("rollback"), MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		if _, err := p.NextPage(ctx); err != nil {
			t.Fatal(err)
		}
		pages++
	}
	if pages != 2 {
		t.Errorf("pages %d", pages)
	}

	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"list updates max 0", func() error {
			_, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("rollback"), MaxResults: aws.Int32(0)})
			return err
		}, "InvalidParameterException", ""},
		{"list updates bad token", func() error {
			_, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("rollback"), NextToken: aws.String("x")})
			return err
		}, "InvalidParameterException", "The nextToken provided is invalid."},
		{"list updates unknown cluster", func() error {
			_, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "No cluster found for name: nope."},
		{"describe unknown update", func() error {
			_, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String("rollback"), UpdateId: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "No update found for ID: nope."},
		{"describe node group update", func() error {
			_, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String("rollback"), UpdateId: aws.String("aaaaaaaa-0000-0000-0000-000000000001"), NodegroupName: aws.String("ng")})
			return err
		}, "ResourceNotFoundException", "No node group found for name: ng."},
		{"cancel a finished update", func() error {
			_, err := client.CancelUpdate(ctx, &eks.CancelUpdateInput{Name: aws.String("rollback"), UpdateId: aws.String("aaaaaaaa-0000-0000-0000-000000000001")})
			return err
		}, "InvalidRequestException", ""},
		{"cancel an endpoint update", func() error {
			up, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"), ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}})
			if err != nil {
				return err
			}
			_, err = client.CancelUpdate(ctx, &eks.CancelUpdateInput{Name: aws.String("prod"), UpdateId: up.Update.Id})
			return err
		}, "InvalidRequestException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.call(), tt.code, tt.msg)
		})
	}

	t.Run("cancel a version rollback", func(t *testing.T) {
		out, err := client.CancelUpdate(ctx, &eks.CancelUpdateInput{Name: aws.String("rollback"), UpdateId: aws.String("aaaaaaaa-0000-0000-0000-000000000002")})
		if err != nil {
			t.Fatal(err)
		}
		if out.Update.Status != types.UpdateStatusCancelled || out.Update.Cancellation == nil {
			t.Errorf("cancel: %+v", out.Update)
		}
		d, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String("rollback"), UpdateId: aws.String("aaaaaaaa-0000-0000-0000-000000000002")})
		if err != nil || d.Update.Status != types.UpdateStatusCancelled {
			t.Errorf("describe after cancel: %v %v", d, err)
		}
		// Nothing runs any more, so the cluster takes updates again.
		if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("rollback"), DeletionProtection: aws.Bool(true)}); err != nil {
			t.Errorf("update after cancel: %v", err)
		}
	})

	calls := s.Calls()
	for _, op := range []string{"eks:ListUpdates", "eks:DescribeUpdate", "eks:CancelUpdate", "eks:UpdateClusterConfig"} {
		if calls[op] == 0 {
			t.Errorf("no %s in %v", op, calls)
		}
	}
	s.ResetCalls()
	if len(s.Calls()) != 0 {
		t.Errorf("after reset: %v", s.Calls())
	}
}

func TestEndsAfter(t *testing.T) {
	clock := NewFakeClock(testStart)
	_, url := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: maint
            updates: [{id: u-1, type: VersionUpdate, endsAfter: 10m}]
`, WithClock(clock))
	client := eksClient(url, "us-east-1")
	_, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("maint"), DeletionProtection: aws.Bool(true)})
	wantAPIError(t, err, "ResourceInUseException", "Cannot DeletionProtectionUpdate because cluster maint currently has update u-1 in progress")
	clock.Advance(10 * time.Minute)
	if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("maint"), DeletionProtection: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String("maint"), UpdateId: aws.String("u-1")})
	if err != nil || out.Update.Status != types.UpdateStatusSuccessful {
		t.Errorf("u-1: %v %v", out, err)
	}
}
