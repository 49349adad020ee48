package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// BenchmarkFleetScale is the fleet: 20 accounts x 17 regions x 30 clusters (10,200), 20 ms
// latency, a throttle of 10 requests/s with a burst of 5 per account and region, scanned end to end
// through the CLI (--org --all-regions, JSON to a file) for the five controls DescribeCluster
// answers (BenchmarkFleetScaleEveryControl has the others). The floor is set by the throttle: each pair
// needs 1 ListClusters + 30 DescribeCluster calls, the burst covers 5, so (31-5)/10 = 2.6 s.
//
//	go test -run '^$' -bench FleetScale -benchtime 1x ./internal/cli/
func BenchmarkFleetScale(b *testing.B) {
	for _, tc := range []struct {
		name  string
		fault string
	}{
		{"no-faults", ""},
		{"5pct-5xx", "  serverErrorRate: 0.05\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchFleet(b, "behaviour:\n  latency: 20ms\n  throttle: {rate: 10, burst: 5}\n  seed: 11\n"+tc.fault+
				"generate: {accounts: 20, regions: 17, clustersPerRegion: 30, seed: 1}\n", 20*17*30, (31.0-5)/10,
				// The controls DescribeCluster answers: one ListClusters and one DescribeCluster per
				// cluster, which is what the floor counts.
				"--controls", "2.1.1,4.1.7,5.3.1,5.4.1,5.4.2")
		})
	}
}

// BenchmarkFleetScaleEveryControl is the same fleet with what the controls beyond the cluster read:
// two node groups (two instances each) and a load balancer per cluster, 50 ECR repositories per
// region, add-ons and node roles. The throttle still covers every EKS call of a pair, and each
// cluster now costs several (node groups, add-on, access entries), so the floor is the pair's EKS
// calls less the burst, over the rate: it is computed from what the scan actually called.
//
//	go test -run '^$' -bench FleetScaleEveryControl -benchtime 1x ./internal/cli/
func BenchmarkFleetScaleEveryControl(b *testing.B) {
	benchFleet(b, "behaviour:\n  latency: 20ms\n  throttle: {rate: 10, burst: 5}\n  seed: 11\n"+
		"generate: {accounts: 20, regions: 17, clustersPerRegion: 30, seed: 1, nodegroupsPerCluster: 2, repositoriesPerRegion: 50, loadBalancersPerCluster: 1}\n", 20*17*30, 0)
}

func benchFleet(b *testing.B, yaml string, want int, floor float64, args ...string) {
	testenv.IsolateAWS(b, "us-east-1")
	f, err := emulator.ParseFleet([]byte(yaml), "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv := emulator.New(f)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(b.TempDir(), "report.json")
	var wall time.Duration
	computed := floor == 0
	for i := 0; i < b.N; i++ {
		srv.ResetCalls()
		io, _, _, errOut := iostreams.Test()
		io.Getenv = os.Getenv
		fac := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
		start := time.Now()
		code := Run(context.Background(), append([]string{"scan", "--endpoint-url", url, "--org", "--role-name", "OrganizationAccountAccessRole", "--all-regions", "--format", "json", "--output", out}, args...), fac)
		wall += time.Since(start)
		if code != 0 && code != 1 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
		var rep struct {
			Results []struct {
				Status   string
				Resource struct{ Type, Name, Account, Region string }
			}
		}
		data, _ := os.ReadFile(out)
		if err := json.Unmarshal(data, &rep); err != nil {
			b.Fatal(err)
		}
		seen := map[string]bool{}
		errors := 0
		for _, r := range rep.Results {
			if r.Status == "ERROR" {
				errors++
			}
			if r.Resource.Type == "eks-cluster" {
				seen[r.Resource.Account+"/"+r.Resource.Region+"/"+r.Resource.Name] = true
			}
		}
		b.ReportMetric(float64(want-len(seen)), "lost-clusters")
		b.ReportMetric(float64(errors), "error-results")
		calls := srv.Calls()
		eksCalls := 0
		for op, n := range calls {
			if strings.HasPrefix(op, "eks:") {
				eksCalls += n
			}
		}
		b.ReportMetric(float64(eksCalls), "eks-calls")
		if computed {
			// The busiest pairs are what the scan waits for; with a generated fleet every
			// pair has about the same calls, so the mean is the floor's measure.
			floor = (float64(eksCalls)/float64(20*17) - 5) / 10
		}
	}
	secs := wall.Seconds() / float64(b.N)
	b.ReportMetric(secs, "wall-s")
	b.ReportMetric(secs/floor, "x-floor")
	fmt.Fprintf(os.Stderr, "fleet scan: %.2fs, %.2fx the %.1fs floor\n", secs, secs/floor, floor)
}
