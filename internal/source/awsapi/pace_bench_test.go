package awsapi

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/eksguard/eksguard/internal/emulator"
)

// BenchmarkPace compares the found pace (FindPace, the scan's default without --rate) with the
// fixed pace that was the default before it (9.5 requests/s) on three fleet shapes, reading from the emulator through the real
// SDK: one big region, many small regions, and the organization fleet of BenchmarkFleetScale
// (20 accounts x 17 regions x 30 clusters behind a throttle of 10 requests/s, burst 5, per account
// and region). It reports the wall time and the throttles the scan drew (429 answers, counted by
// the emulator). Run the modes alternately to compare them on a shared machine:
//
//	go test -run '^$' -bench Pace -benchtime 1x -count 3 ./internal/source/awsapi/
func BenchmarkPace(b *testing.B) {
	shapes := []struct {
		name     string
		fleet    string
		org      bool
		regions  int
		clusters int
		// warm runs one untimed scan first: the first scan of a process opens hundreds of
		// connections and grows the heap, which made whichever mode ran first slower and
		// throttled more.
		warm bool
	}{
		// 2 ms stands for a local server's answer time (moto_server takes about 3 ms a call).
		{"1region-500", "behaviour: {latency: 2ms}\ngenerate: {accounts: 1, regions: 1, clustersPerRegion: 500, seed: 1}\n", false, 1, 500, false},
		{"10regions-20", "behaviour: {latency: 2ms}\ngenerate: {accounts: 1, regions: 10, clustersPerRegion: 20, seed: 1}\n", false, 10, 200, false},
		// One big region behind throttles of different shapes: the search must stop near the
		// limit and not pay for the probe with more than a few throttles.
		{"1region-300-limit10-burst5", "behaviour:\n  latency: 2ms\n  throttle: {rate: 10, burst: 5}\ngenerate: {accounts: 1, regions: 1, clustersPerRegion: 300, seed: 1}\n", false, 1, 300, false},
		{"1region-300-limit10-burst50", "behaviour:\n  latency: 2ms\n  throttle: {rate: 10, burst: 50}\ngenerate: {accounts: 1, regions: 1, clustersPerRegion: 300, seed: 1}\n", false, 1, 300, false},
		{"1region-300-limit50-burst10", "behaviour:\n  latency: 2ms\n  throttle: {rate: 50, burst: 10}\ngenerate: {accounts: 1, regions: 1, clustersPerRegion: 300, seed: 1}\n", false, 1, 300, false},
		{"org-throttled", "behaviour:\n  latency: 20ms\n  throttle: {rate: 10, burst: 5}\n  seed: 11\n" +
			"generate: {accounts: 20, regions: 17, clustersPerRegion: 30, seed: 1}\n", true, 0, 20 * 17 * 30, true},
	}
	modes := []struct {
		name string
		find bool
	}{
		{"fixed-9.5", false},
		{"found", true},
	}
	for _, sh := range shapes {
		for _, m := range modes {
			b.Run(sh.name+"/"+m.name, func(b *testing.B) {
				var log statusLog
				f, err := emulator.ParseFleet([]byte(sh.fleet), "bench")
				if err != nil {
					b.Fatal(err)
				}
				srv := emulator.New(f, emulator.WithLogger(&log))
				if _, err := srv.Start("127.0.0.1:0"); err != nil {
					b.Fatal(err)
				}
				defer srv.Close()
				newCollector := func() *Collector {
					return &Collector{Clients: &Clients{
						FindPace:    m.find,
						Base:        aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
						EndpointURL: srv.URL(),
					}}
				}
				if sh.warm {
					collectShape(b, newCollector(), sh.org, sh.regions)
					// Let the emulator's throttle buckets fill up again (5 tokens at 10/s).
					time.Sleep(time.Second)
				}
				var wall time.Duration
				throttles := 0
				for i := 0; i < b.N; i++ {
					log.reset()
					c := newCollector()
					b.ResetTimer()
					start := time.Now()
					n := collectShape(b, c, sh.org, sh.regions)
					wall += time.Since(start)
					if n != sh.clusters {
						b.Fatalf("collected %d clusters, want %d", n, sh.clusters)
					}
					throttles += log.count("429")
				}
				b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
				b.ReportMetric(float64(throttles)/float64(b.N), "throttles")
			})
		}
	}
}

// collectShape scans the first regions of the caller's account or, for org, every account of the
// organization in every enabled region, and returns how many clusters it read without error.
func collectShape(b *testing.B, c *Collector, org bool, regions int) int {
	b.Helper()
	ctx := context.Background()
	scope := Scope{Regions: emulator.DefaultRegions[:regions]}
	if org {
		scope = Scope{AllRegions: true}
		id, err := c.Caller(ctx)
		if err != nil {
			b.Fatal(err)
		}
		accounts, _, err := c.ResolveAccounts(ctx, id, AccountOptions{Org: true, RoleName: "OrganizationAccountAccessRole"})
		if err != nil {
			b.Fatal(err)
		}
		scope.Accounts, scope.Caller = accounts, id.ARN
	}
	inv, err := c.Collect(ctx, scope)
	if err != nil {
		b.Fatal(err)
	}
	if len(inv.Errors) != 0 {
		b.Fatalf("%d errors, first %+v", len(inv.Errors), inv.Errors[0])
	}
	return len(inv.Clusters)
}

// statusLog is the emulator's request log, kept only as counts of answer statuses.
type statusLog struct {
	mu     sync.Mutex
	counts map[string]int
}

func (l *statusLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	// time op account region status duration
	for _, line := range bytes.Split(p, []byte("\n")) {
		if f := bytes.Fields(line); len(f) == 6 {
			l.counts[string(f[4])]++
		}
	}
	return len(p), nil
}

func (l *statusLog) count(status string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[status]
}

func (l *statusLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts = nil
}
