package emulator

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

const benchFleet = "generate: {accounts: 20, regions: 17, clustersPerRegion: 30, seed: 1}\n"

// BenchmarkLoadFleet measures parsing, generating and indexing the
// 20 accounts x 17 regions x 30 clusters fleet (10,200 clusters).
func BenchmarkLoadFleet(b *testing.B) {
	for b.Loop() {
		f, err := ParseFleet([]byte(benchFleet), "bench.yaml")
		if err != nil {
			b.Fatal(err)
		}
		New(f)
	}
}

// BenchmarkDescribeCluster measures DescribeCluster through the real SDK
// client, from parallel goroutines spread over the caller's 510 clusters.
func BenchmarkDescribeCluster(b *testing.B) {
	_, url := startFleet(b, benchFleet)
	clients := map[string]*eks.Client{}
	for _, r := range DefaultRegions {
		clients[r] = eksClient(url, r)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			region := DefaultRegions[i%int64(len(DefaultRegions))]
			name := fmt.Sprintf("cluster-%04d", 1+i%30)
			if _, err := clients[region].DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
