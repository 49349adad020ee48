package emulator

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

const goodAccount = `accounts:
  - id: "111111111111"
`

func TestParseFleetErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every line must appear in the error
	}{
		{"unknown top-level key", "behavior:\n  latency: 1s\n" + goodAccount,
			[]string{`bad.yaml:1: unknown field "behavior"`}},
		{"unknown nested key", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            resourcesVpcConfig:\n              endpointPublicAcess: true\n",
			[]string{`bad.yaml:8: unknown field "endpointPublicAcess"`}},
		{"unknown behaviour key", "behaviour:\n  throttle: {rate: 1, burts: 2}\n" + goodAccount,
			[]string{`bad.yaml:2: unknown field "burts"`}},
		{"bad bool", goodAccount + "    regions:\n      - name: us-east-1\n        enabled: maybe\n",
			[]string{"bad.yaml:5: cannot unmarshal !!str `maybe` into bool"}},
		{"bad duration", "behaviour:\n  latency: fast\n" + goodAccount,
			[]string{"bad.yaml:2: cannot unmarshal !!str `fast` into time.Duration"}},
		{"bad timestamp", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            createdAt: yesterday\n",
			[]string{`bad.yaml:7: invalid timestamp "yesterday"`}},
		{"syntax error", "accounts: [\n", []string{"bad.yaml:"}},
		{"duplicate key", "accounts: []\naccounts: []\n", []string{`bad.yaml:2: mapping key "accounts" already defined at line 1`}},
		{"wrong shape", "accounts: everyone\n", []string{"bad.yaml:1: cannot unmarshal"}},
		{"empty", "", []string{"bad.yaml: fleet is empty"}},
		{"no accounts", "behaviour: {}\n", []string{"bad.yaml:1: fleet has no accounts"}},
		{"account id", "accounts:\n  - id: \"1234\"\n", []string{`bad.yaml:2: account id "1234" must be 12 digits`}},
		{"duplicate account", "accounts:\n  - id: \"111111111111\"\n  - id: \"111111111111\"\n",
			[]string{`bad.yaml:3: duplicate account id "111111111111" (also accounts[0])`}},
		{"account status", goodAccount + "    status: GONE\n", []string{`bad.yaml:3: unknown account status "GONE"`}},
		{"region name", goodAccount + "    regions:\n      - name: mars-1\n", []string{`bad.yaml:4: invalid region name "mars-1"`}},
		{"duplicate region", goodAccount + "    regions:\n      - name: us-east-1\n      - name: us-east-1\n",
			[]string{`bad.yaml:5: duplicate region "us-east-1" in account 111111111111`}},
		{"duplicate cluster", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n          - name: a\n",
			[]string{`bad.yaml:7: duplicate cluster "a" in region us-east-1`}},
		{"cluster status", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - {name: a, status: RUNNING}\n",
			[]string{`bad.yaml:6: unknown cluster status "RUNNING" (want one of CREATING, ACTIVE, DELETING, FAILED, UPDATING, PENDING)`}},
		{"malformed public CIDR", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            resourcesVpcConfig:\n              publicAccessCidrs: [1.2.3.0/24, 10.0.0/8]\n",
			[]string{`bad.yaml:8: malformed CIDR "10.0.0/8"`}},
		{"malformed VPC CIDR", goodAccount + "    regions:\n      - name: us-east-1\n        vpcs:\n          - {vpcId: vpc-1, cidrBlock: 10.0.0.0/33}\n",
			[]string{`bad.yaml:6: malformed cidrBlock "10.0.0.0/33"`}},
		{"malformed rule CIDR", goodAccount + "    regions:\n      - name: us-east-1\n        securityGroups:\n          - groupId: sg-1\n            ipPermissions:\n              - {ipProtocol: tcp, fromPort: 443, toPort: 443, ipRanges: [{cidrIp: everywhere}]}\n",
			[]string{`bad.yaml:8: malformed cidrIp "everywhere"`}},
		{"bad protocol", goodAccount + "    regions:\n      - name: us-east-1\n        securityGroups:\n          - groupId: sg-1\n            ipPermissions:\n              - {ipProtocol: http}\n",
			[]string{`bad.yaml:8: invalid ipProtocol "http"`}},
		{"ids need prefixes", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            resourcesVpcConfig: {vpcId: v-1, clusterSecurityGroupId: g-1}\n",
			[]string{`bad.yaml:7: vpcId "v-1" must start with "vpc-"`, `bad.yaml:7: clusterSecurityGroupId "g-1" must start with "sg-"`}},
		{"omitFields", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            omitFields: [resourcesVpcConfig.endpointPrivateAccess, endpointz]\n",
			[]string{`bad.yaml:7: omitFields entry "endpointz" is not a DescribeCluster member`}},
		{"two running updates", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            updates: [{type: VersionUpdate}, {type: LoggingUpdate, status: InProgress}]\n",
			[]string{`bad.yaml:7: cluster "a" has more than one InProgress update`}},
		{"update type", goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n            updates: [{type: Reboot, status: Done}]\n",
			[]string{`bad.yaml:7: unknown update type "Reboot"`, `bad.yaml:7: unknown update status "Done"`}},
		{"rate out of range", "behaviour:\n  serverErrorRate: 1.5\n" + goodAccount,
			[]string{"bad.yaml:2: serverErrorRate 1.5 out of range 0..1"}},
		{"behaviour enums", "behaviour:\n  tokenMismatch: ignore\n  listUpdatesOrder: random\n  throttle: {code: SlowDown}\n" + goodAccount,
			[]string{`bad.yaml:2: unknown tokenMismatch "ignore"`, `bad.yaml:3: unknown listUpdatesOrder "random"`, `bad.yaml:4: unknown throttle code "SlowDown"`}},
		{"generate region count", "generate: {accounts: 1, regions: 18, clustersPerRegion: 1}\n",
			[]string{"bad.yaml:1: regions count 18 out of range 1..17"}},
		{"generate region names", "generate:\n  accounts: 1\n  regions: [us-east-1, moon-1]\n", []string{`bad.yaml:3: invalid region name "moon-1"`}},
		{"many problems at once", "accounts:\n  - id: \"1\"\n    regions:\n      - name: nowhere\n", []string{
			`bad.yaml:2: account id "1" must be 12 digits`, `bad.yaml:4: invalid region name "nowhere"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("want an error, got a fleet with %d accounts", len(f.Accounts))
			}
			var fe *FleetError
			if !errors.As(err, &fe) {
				t.Errorf("want *FleetError, got %T", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("want %q in\n%v", w, err)
				}
			}
		})
	}
}

func TestParseFleetValues(t *testing.T) {
	f, err := ParseFleet([]byte(`
behaviour:
  latency: 20ms
  throttle: {rate: 10, burst: 5, code: TooManyRequestsException, retryAfter: 2s}
  failUpdates: [prod]
defaults: &open
  endpointPublicAccess: true
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: quoted-time
            createdAt: "2024-11-02T10:00:00Z"
          - name: date-only
            createdAt: 2024-11-02
          - name: empty-list
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: []}
          - name: absent-list
            resourcesVpcConfig: *open
`), "ok.yaml")
	if err == nil {
		t.Fatal("an unknown top-level key (defaults) must be refused even when used as an anchor")
	}
	if !strings.Contains(err.Error(), `ok.yaml:6: unknown field "defaults"`) {
		t.Fatalf("error %v", err)
	}

	f, err = ParseFleet([]byte(`
behaviour:
  latency: 20ms
  throttle: {rate: 10, burst: 5, code: TooManyRequestsException, retryAfter: 2s}
  failUpdates: [prod]
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: quoted-time
            createdAt: "2024-11-02T10:00:00Z"
          - name: date-only
            createdAt: 2024-11-02
          - name: empty-list
            resourcesVpcConfig: &private {endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: []}
          - name: absent-list
            resourcesVpcConfig: {endpointPublicAccess: true}
          - name: alias
            resourcesVpcConfig: *private
`), "ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := f.Behaviour
	if b.Latency != 20*time.Millisecond || b.Throttle != (Throttle{Rate: 10, Burst: 5, Code: "TooManyRequestsException", RetryAfter: 2 * time.Second}) ||
		!reflect.DeepEqual(b.FailUpdates, []string{"prod"}) || b.UpdateDuration != 2*time.Second || b.StatusLag != 1 {
		t.Errorf("behaviour %+v", b)
	}
	cl := f.Accounts[0].Regions[0].Clusters
	want := time.Date(2024, 11, 2, 10, 0, 0, 0, time.UTC)
	if !cl[0].CreatedAt.Equal(want) || !cl[1].CreatedAt.Equal(time.Date(2024, 11, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("times %v %v", cl[0].CreatedAt, cl[1].CreatedAt)
	}
	if c := cl[2].ResourcesVpcConfig.PublicAccessCidrs; c == nil || len(c) != 0 {
		t.Errorf("explicit [] must stay an empty list, got %#v", c)
	}
	if c := cl[3].ResourcesVpcConfig.PublicAccessCidrs; c != nil {
		t.Errorf("absent list must stay nil, got %#v", c)
	}
	if c := cl[4].ResourcesVpcConfig.PublicAccessCidrs; c == nil || len(c) != 0 {
		t.Errorf("aliased [] must stay an empty list, got %#v", c)
	}
}

func TestLoadFleet(t *testing.T) {
	if _, err := LoadFleet("testdata/fleet.yaml"); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFleet("testdata/missing.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "read fleet: ") {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte("accounts:\n  - id: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFleet(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("error must start with the file and line: %v", err)
	}
}

func TestValidateGoFleet(t *testing.T) {
	f := &Fleet{Accounts: []Account{{ID: "111111111111"}, {ID: "111111111111", Regions: []Region{{Name: "us-east-1", Clusters: []Cluster{{Name: "a", Status: "BROKEN"}}}}}}}
	err := f.Validate()
	for _, w := range []string{`fleet accounts[1].id: duplicate account id "111111111111"`, `fleet accounts[1].regions[0].clusters[0].status: unknown cluster status "BROKEN"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("want %q in %v", w, err)
		}
	}
	// New copes with what Validate refuses: the first account wins.
	s := New(f)
	if len(s.world.order) != 1 {
		t.Errorf("%d accounts", len(s.world.order))
	}
	if err := (&Fleet{Accounts: []Account{{ID: "111111111111"}}}).Validate(); err != nil {
		t.Error(err)
	}
	// A nil or empty fleet still serves (empty) answers.
	_, u := startServer(t, nil)
	out, err := eksClient(u, "us-east-1").ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || len(out.Clusters) != 0 {
		t.Errorf("empty fleet: %v %v", out, err)
	}
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name                        string
		yaml                        string
		accounts, regions, clusters int
	}{
		{"count of regions", "generate: {accounts: 3, regions: 2, clustersPerRegion: 5, seed: 4}\n", 3, 2, 5},
		{"list of regions", "generate: {accounts: 1, regions: [eu-west-1, ap-south-1, us-east-2], clustersPerRegion: 2}\n", 1, 3, 2},
		{"appended to explicit accounts", "generate: {accounts: 2, regions: 1, clustersPerRegion: 1}\naccounts:\n  - id: \"200000000000\"\n", 3, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "gen.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Accounts) != tt.accounts {
				t.Fatalf("%d accounts", len(f.Accounts))
			}
			last := f.Accounts[len(f.Accounts)-1]
			if len(last.Regions) != tt.regions || len(last.Regions[0].Clusters) != tt.clusters {
				t.Errorf("regions %d clusters %d", len(last.Regions), len(last.Regions[0].Clusters))
			}
			if err := f.Validate(); err != nil {
				t.Errorf("generated fleet does not validate: %v", err)
			}
			again, _ := ParseFleet([]byte(tt.yaml), "gen.yaml")
			if !reflect.DeepEqual(f.Accounts, again.Accounts) {
				t.Error("the same seed generated different fleets")
			}
		})
	}
}

// TestGenerateBenchmarkFleet builds the 20 x 17 x 30 fleet the brief sizes
// the emulator for, and serves one of its clusters.
func TestGenerateBenchmarkFleet(t *testing.T) {
	f, err := ParseFleet([]byte("generate: {accounts: 20, regions: 17, clustersPerRegion: 30, seed: 1}\n"), "bench.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, u := startServer(t, f)
	n, private, restricted := 0, 0, 0
	for _, a := range s.world.order {
		for _, r := range a.regionOrder {
			for _, c := range r.clusterOrder {
				n++
				vc := c.doc.ResourcesVpcConfig
				if !*vc.EndpointPublicAccess {
					private++
				} else if len(vc.PublicAccessCidrs) > 0 && vc.PublicAccessCidrs[0] != "0.0.0.0/0" {
					restricted++
				}
			}
		}
	}
	if n != 10_200 || private == 0 || restricted == 0 {
		t.Errorf("%d clusters, %d private-only, %d restricted", n, private, restricted)
	}
	out, err := eksClient(u, "sa-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("cluster-0030")})
	if err != nil || aws.ToString(out.Cluster.Arn) != "arn:aws:eks:sa-east-1:200000000000:cluster/cluster-0030" {
		t.Errorf("describe: %v %v", out, err)
	}
}

// TestDocListsEveryFleetKey keeps the package documentation honest: every
// key a fleet file may use must appear in doc.go.
func TestDocListsEveryFleetKey(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt == timeType || seen[rt] {
			return
		}
		seen[rt] = true
		for key, i := range yamlFields(rt) {
			if !strings.Contains(string(doc), key) {
				t.Errorf("fleet key %q (%s.%s) is not documented in doc.go", key, rt.Name(), rt.Field(i).Name)
			}
			walk(rt.Field(i).Type)
		}
	}
	walk(reflect.TypeFor[Fleet]())
}
