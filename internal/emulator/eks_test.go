package emulator

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
)

var endpointRE = regexp.MustCompile(`^https://[0-9A-F]{32}\.[a-z]{2}[0-9]\.us-east-1\.eks\.amazonaws\.com$`)

func TestDescribeClusterDefaults(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	out, err := eksClient(url, "us-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("defaults")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Cluster
	vc := c.ResourcesVpcConfig
	checks := []struct {
		name string
		ok   bool
		got  any
	}{
		{"name", aws.ToString(c.Name) == "defaults", c.Name},
		{"arn", aws.ToString(c.Arn) == "arn:aws:eks:us-east-1:111111111111:cluster/defaults", c.Arn},
		{"status ACTIVE", c.Status == types.ClusterStatusActive, c.Status},
		{"public by default (TD-5)", vc.EndpointPublicAccess, vc.EndpointPublicAccess},
		{"private off by default (TD-5)", !vc.EndpointPrivateAccess, vc.EndpointPrivateAccess},
		{"open to the world (TD-5)", slices.Equal(vc.PublicAccessCidrs, []string{"0.0.0.0/0"}), vc.PublicAccessCidrs},
		{"vpcId filled (TD-6)", strings.HasPrefix(aws.ToString(vc.VpcId), "vpc-"), vc.VpcId},
		{"cluster SG filled (TD-6)", strings.HasPrefix(aws.ToString(vc.ClusterSecurityGroupId), "sg-"), vc.ClusterSecurityGroupId},
		{"two subnets", len(vc.SubnetIds) == 2, vc.SubnetIds},
		{"endpoint format (TD-7)", endpointRE.MatchString(aws.ToString(c.Endpoint)), c.Endpoint},
		{"oidc issuer shares the endpoint id", strings.Contains(aws.ToString(c.Identity.Oidc.Issuer), strings.Split(strings.TrimPrefix(aws.ToString(c.Endpoint), "https://"), ".")[0]), c.Identity.Oidc.Issuer},
		{"CONFIG_MAP (TD-5)", c.AccessConfig.AuthenticationMode == types.AuthenticationModeConfigMap, c.AccessConfig.AuthenticationMode},
		{"bootstrap admin (TD-5)", aws.ToBool(c.AccessConfig.BootstrapClusterCreatorAdminPermissions), c.AccessConfig.BootstrapClusterCreatorAdminPermissions},
		{"EXTENDED (TD-5)", c.UpgradePolicy.SupportType == types.SupportTypeExtended, c.UpgradePolicy},
		{"ipv4 (TD-5)", c.KubernetesNetworkConfig.IpFamily == types.IpFamilyIpv4, c.KubernetesNetworkConfig.IpFamily},
		{"deletionProtection false (TD-5)", c.DeletionProtection != nil && !*c.DeletionProtection, c.DeletionProtection},
		{"logging all disabled", len(c.Logging.ClusterLogging) == 1 && !aws.ToBool(c.Logging.ClusterLogging[0].Enabled) && len(c.Logging.ClusterLogging[0].Types) == 5, c.Logging},
		{"health no issues", c.Health != nil && len(c.Health.Issues) == 0, c.Health},
		{"createdAt decoded (TD-3)", c.CreatedAt != nil && c.CreatedAt.Equal(defaultCreatedAt), c.CreatedAt},
		{"version", aws.ToString(c.Version) == defaultVersion, c.Version},
		{"platformVersion", strings.HasPrefix(aws.ToString(c.PlatformVersion), "eks."), c.PlatformVersion},
		{"roleArn", strings.HasPrefix(aws.ToString(c.RoleArn), "arn:aws:iam::111111111111:role/"), c.RoleArn},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: got %v", ch.name, ch.got)
		}
	}
	pemBytes, err := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data))
	if block, _ := pem.Decode(pemBytes); err != nil || block == nil || block.Type != "CERTIFICATE" {
		t.Errorf("certificateAuthority.data is not a base64 PEM certificate: %v", err)
	}
}

// TestExplicitBooleansOnTheWire reads the JSON itself: the Go SDK turns a
// missing endpointPrivateAccess into false, so only the raw body proves the
// member is there (TD-4).
func TestExplicitBooleansOnTheWire(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	for _, name := range []string{"prod", "defaults", "private-empty", "private-open", "both", "v6", "creating", "pending"} {
		t.Run(name, func(t *testing.T) {
			resp, body := raw(t, url, "GET", "/clusters/"+name, "eks", "us-east-1", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var doc struct {
				Cluster struct {
					CreatedAt          json.Number                `json:"createdAt"`
					ResourcesVpcConfig map[string]json.RawMessage `json:"resourcesVpcConfig"`
				} `json:"cluster"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			for _, m := range []string{"endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs", "subnetIds", "securityGroupIds", "vpcId", "clusterSecurityGroupId"} {
				v, ok := doc.Cluster.ResourcesVpcConfig[m]
				if !ok || string(v) == "null" {
					t.Errorf("resourcesVpcConfig.%s missing or null in %s", m, body)
				}
			}
			if _, err := doc.Cluster.CreatedAt.Float64(); err != nil {
				t.Errorf("createdAt %q is not epoch seconds (TD-3)", doc.Cluster.CreatedAt)
			}
		})
	}
}

func TestClusterShapes(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	client := eksClient(url, "us-east-1")
	tests := []struct {
		name             string
		cluster          string
		status           types.ClusterStatus
		public, private  bool
		cidrs            []string
		endpointSuffix   string // "" means no endpoint and no CA (TD-7)
		registered       bool
		vpcID, clusterSG string
	}{
		{name: "explicit", cluster: "prod", status: "ACTIVE", public: true, cidrs: []string{"203.0.113.0/24"}, endpointSuffix: ".us-east-1.eks.amazonaws.com", vpcID: "vpc-0a1", clusterSG: "sg-0c1"},
		{name: "private with empty list", cluster: "private-empty", status: "ACTIVE", private: true, cidrs: []string{}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "private with kept list", cluster: "private-open", status: "ACTIVE", private: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "public and private", cluster: "both", status: "ACTIVE", public: true, private: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "dual-stack", cluster: "v6", status: "ACTIVE", public: true, cidrs: []string{"0.0.0.0/0", "::/0"}, endpointSuffix: ".us-east-1.api.aws"},
		{name: "old ipv6", cluster: "v6old", status: "ACTIVE", public: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".us-east-1.eks.amazonaws.com"},
		{name: "creating", cluster: "creating", status: "CREATING", public: true, cidrs: []string{"0.0.0.0/0"}},
		{name: "updating", cluster: "updating", status: "UPDATING", public: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "deleting", cluster: "deleting", status: "DELETING", public: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "failed", cluster: "failed", status: "FAILED", public: true, cidrs: []string{"0.0.0.0/0"}, endpointSuffix: ".eks.amazonaws.com"},
		{name: "pending registered", cluster: "pending", status: "PENDING", public: true, cidrs: []string{"0.0.0.0/0"}, registered: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(tt.cluster)})
			if err != nil {
				t.Fatal(err)
			}
			c := out.Cluster
			vc := c.ResourcesVpcConfig
			if c.Status != tt.status || vc.EndpointPublicAccess != tt.public || vc.EndpointPrivateAccess != tt.private || !slices.Equal(vc.PublicAccessCidrs, tt.cidrs) {
				t.Errorf("got status %s public %t private %t cidrs %q", c.Status, vc.EndpointPublicAccess, vc.EndpointPrivateAccess, vc.PublicAccessCidrs)
			}
			if tt.endpointSuffix == "" {
				if c.Endpoint != nil || c.CertificateAuthority != nil {
					t.Errorf("endpoint %v and CA must be absent", aws.ToString(c.Endpoint))
				}
			} else if !strings.HasSuffix(aws.ToString(c.Endpoint), tt.endpointSuffix) || c.CertificateAuthority == nil {
				t.Errorf("endpoint %q, want suffix %q and a CA", aws.ToString(c.Endpoint), tt.endpointSuffix)
			}
			if (c.ConnectorConfig != nil) != tt.registered {
				t.Errorf("connectorConfig %+v, registered %t", c.ConnectorConfig, tt.registered)
			}
			if tt.vpcID != "" && (aws.ToString(vc.VpcId) != tt.vpcID || aws.ToString(vc.ClusterSecurityGroupId) != tt.clusterSG) {
				t.Errorf("vpc %s sg %s", aws.ToString(vc.VpcId), aws.ToString(vc.ClusterSecurityGroupId))
			}
		})
	}
}

func TestEndpointsAreUnique(t *testing.T) {
	s, _ := startFleet(t, "fleet.yaml")
	seen := map[string]string{}
	for _, a := range s.world.order {
		for _, r := range a.regionOrder {
			for _, c := range r.clusterOrder {
				if other, dup := seen[c.doc.Endpoint]; dup {
					t.Errorf("%s and %s share endpoint %s", c.arn, other, c.doc.Endpoint)
				}
				seen[c.doc.Endpoint] = c.arn
			}
		}
	}
}

func TestSetClusterStatus(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml")
	client := eksClient(url, "us-east-1")
	for _, status := range clusterStatuses {
		t.Run(status, func(t *testing.T) {
			if err := s.SetClusterStatus("111111111111", "us-east-1", "defaults", status); err != nil {
				t.Fatal(err)
			}
			out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("defaults")})
			if err != nil {
				t.Fatal(err)
			}
			hidden := status == "CREATING" || status == "PENDING"
			if string(out.Cluster.Status) != status || (out.Cluster.Endpoint == nil) != hidden {
				t.Errorf("status %s endpoint %v", out.Cluster.Status, aws.ToString(out.Cluster.Endpoint))
			}
		})
	}
	for name, args := range map[string][4]string{
		"unknown status":  {"111111111111", "us-east-1", "defaults", "BROKEN"},
		"unknown cluster": {"111111111111", "us-east-1", "nope", "ACTIVE"},
		"unknown account": {"999999999999", "us-east-1", "defaults", "ACTIVE"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := s.SetClusterStatus(args[0], args[1], args[2], args[3]); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestOmitFields(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	_, body := raw(t, url, "GET", "/clusters/omitted", "eks", "us-east-1", "")
	if strings.Contains(string(body), "endpointPrivateAccess") || strings.Contains(string(body), `"enabled"`) {
		t.Errorf("omitted members still present: %s", body)
	}
	if !strings.Contains(string(body), "endpointPublicAccess") || !strings.Contains(string(body), `"types"`) {
		t.Errorf("too much omitted: %s", body)
	}
	// What a Go client then sees: private reads as false although it was
	// never said, exactly the trap TD-4 warns about.
	out, err := eksClient(url, "us-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("omitted")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Cluster.ResourcesVpcConfig.EndpointPrivateAccess || out.Cluster.Logging.ClusterLogging[0].Enabled != nil {
		t.Errorf("want zero values for omitted members, got %+v", out.Cluster.ResourcesVpcConfig)
	}
}

func TestDescribeClusterNotFound(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	_, err := eksClient(url, "us-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: nope.")
	resp, body := raw(t, url, "GET", "/clusters/nope", "eks", "us-east-1", "")
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" || !strings.Contains(string(body), `"clusterName":"nope"`) {
		t.Errorf("raw error: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
	}
}

func TestListClusters(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	client := eksClient(url, "us-east-1")
	out, err := client.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(out.Clusters, "pending") || out.Clusters[0] != "prod" || out.NextToken != nil {
		t.Errorf("default listing: %q next %v", out.Clusters, out.NextToken)
	}
	all, err := client.ListClusters(ctx, &eks.ListClustersInput{Include: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Clusters) != len(out.Clusters)+1 || !slices.Contains(all.Clusters, "pending") {
		t.Errorf("include=all: %q", all.Clusters)
	}
	other, err := eksClient(url, "eu-north-1").ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || len(other.Clusters) != 0 {
		t.Errorf("undeclared region: %v %v", other, err)
	}
}

func TestListClustersPaging(t *testing.T) {
	var b strings.Builder
	b.WriteString("accounts:\n  - id: \"111111111111\"\n    regions:\n      - name: us-east-1\n        clusters:\n")
	for i := range 250 {
		fmt.Fprintf(&b, "          - name: c%03d\n", i)
	}
	_, url := startFleet(t, b.String())
	client := eksClient(url, "us-east-1")
	tests := []struct {
		name     string
		max      *int32
		pages    int
		lastSize int
	}{
		{name: "default 100", pages: 3, lastSize: 50},
		{name: "max 1", max: aws.Int32(1), pages: 250, lastSize: 1},
		{name: "max 100", max: aws.Int32(100), pages: 3, lastSize: 50},
		{name: "max 50", max: aws.Int32(50), pages: 5, lastSize: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := eks.NewListClustersPaginator(client, &eks.ListClustersInput{MaxResults: tt.max})
			var names []string
			pages, last := 0, 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				last = len(out.Clusters)
				names = append(names, out.Clusters...)
			}
			if pages != tt.pages || last != tt.lastSize || len(names) != 250 || names[0] != "c000" || names[249] != "c249" {
				t.Errorf("pages %d last %d names %d first %s", pages, last, len(names), names[0])
			}
		})
	}
	first, err := client.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	errCases := []struct {
		name  string
		query string
		msg   string
	}{
		{"max 0", "?maxResults=0", "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"max 101", "?maxResults=101", "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"max not a number", "?maxResults=ten", ""},
		{"garbage token", "?nextToken=bm9wZQ==", "The nextToken provided is invalid."},
		{"not base64", "?nextToken=%25%25%25", "The nextToken provided is invalid."},
		{"token from another listing", "?include=all&nextToken=" + aws.ToString(first.NextToken), "The nextToken provided is invalid."},
		{"include upper case", "?include=ALL", ""},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := raw(t, url, "GET", "/clusters"+tt.query, "eks", "us-east-1", "")
			var e eksErrorBody
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidParameterException" || (tt.msg != "" && e.Message != tt.msg) {
				t.Errorf("got %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
			}
		})
	}
	_, err = client.ListClusters(ctx, &eks.ListClustersInput{NextToken: aws.String("bogus")})
	wantAPIError(t, err, "InvalidParameterException", "The nextToken provided is invalid.")
}

func TestRegionNotEnabledAndAccessDenied(t *testing.T) {
	_, url := startFleet(t, "fleet.yaml")
	tests := []struct {
		name, region, code, msg string
		status                  int
	}{
		{"not opted in", "af-south-1", "UnrecognizedClientException", "The security token included in the request is invalid.", 403},
		{"access denied", "us-west-2", "AccessDeniedException", "User: arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: eks:ListClusters on resource: arn:aws:eks:us-west-2:111111111111:cluster/*", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eksClient(url, tt.region).ListClusters(ctx, &eks.ListClustersInput{})
			wantAPIError(t, err, tt.code, tt.msg)
			resp, _ := raw(t, url, "GET", "/clusters", "eks", tt.region, "")
			if resp.StatusCode != tt.status {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	_, err := eksClient(url, "us-west-2").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("hidden")})
	wantAPIError(t, err, "AccessDeniedException", "User: arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:us-west-2:111111111111:cluster/hidden")
}

func TestClusterAccessorIsNotAPoll(t *testing.T) {
	clock := NewFakeClock(testStart)
	s, url := startFleet(t, "fleet.yaml", WithClock(clock))
	client := eksClient(url, "us-east-1")
	if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("defaults"),
		ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		view, ok := s.Cluster("111111111111", "us-east-1", "defaults")
		if !ok || !strings.Contains(string(view), `"status":"ACTIVE"`) {
			t.Fatalf("Cluster(): %s", view)
		}
	}
	clock.Advance(time.Hour)
	view, _ := s.Cluster("111111111111", "us-east-1", "defaults")
	if !strings.Contains(string(view), `"endpointPrivateAccess":true`) {
		t.Errorf("after the update: %s", view)
	}
	if _, ok := s.Cluster("111111111111", "us-east-1", "nope"); ok {
		t.Error("unknown cluster found")
	}
}

// TestInvisibleFor: listed at once, describable only later (TD-26).
func TestInvisibleFor(t *testing.T) {
	clock := NewFakeClock(testStart)
	_, url := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: fresh
            invisibleFor: 30s
`, WithClock(clock))
	client := eksClient(url, "us-east-1")
	list, err := client.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || !slices.Equal(list.Clusters, []string{"fresh"}) {
		t.Fatalf("list: %v %v", list, err)
	}
	_, err = client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("fresh")})
	wantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: fresh.")
	_, err = client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("fresh")})
	wantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: fresh.")
	clock.Advance(30 * time.Second)
	if _, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("fresh")}); err != nil {
		t.Error(err)
	}
}
