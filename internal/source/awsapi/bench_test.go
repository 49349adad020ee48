package awsapi

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/emulator"
)

// BenchmarkCollect1000 measures how fast a scan reads 1,000 clusters from the emulator through the
// real SDK, reported as clusters/s. "found-pace" is what a user gets without --rate (each account
// and region starts at 9.5 requests/s and the scan searches for more, pace.go); "fixed-pace" keeps
// each pair at --rate 9.5, to spare the control plane API that nodes also call; "unpaced" lifts
// the pace to show the collector's own overhead.
//
//	go test -run '^$' -bench Collect1000 -benchtime 1x ./internal/source/awsapi/
func BenchmarkCollect1000(b *testing.B) {
	cases := []struct {
		name            string
		regions, perRgn int
		maxRate         float64
		find            bool
	}{
		{"10regions-found-pace", 10, 100, 0, true},
		{"10regions-fixed-pace", 10, 100, 0, false},
		{"10regions-unpaced", 10, 100, 1e6, false},
		{"1region-found-pace", 1, 1000, 0, true},
		{"1region-unpaced", 1, 1000, 1e6, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			f, err := emulator.ParseFleet([]byte(fmt.Sprintf("generate: {accounts: 1, regions: %d, clustersPerRegion: %d, seed: 1}\n", tc.regions, tc.perRgn)), "bench")
			if err != nil {
				b.Fatal(err)
			}
			srv := emulator.New(f)
			if _, err := srv.Start("127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			scope := Scope{Regions: emulator.DefaultRegions[:tc.regions]}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				c := collector(srv, nil)
				c.Clients.Rate, c.Clients.Burst, c.Clients.FindPace = tc.maxRate, 0, tc.find
				inv, err := c.Collect(context.Background(), scope)
				if err != nil {
					b.Fatal(err)
				}
				if len(inv.Clusters) != 1000 || len(inv.Errors) != 0 {
					b.Fatalf("collected %d clusters, %d errors", len(inv.Clusters), len(inv.Errors))
				}
			}
			b.ReportMetric(float64(1000*b.N)/time.Since(start).Seconds(), "clusters/s")
		})
	}
}
