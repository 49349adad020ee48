package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// BenchmarkVersusAuditMethod compares a scan of 100 clusters in one region with the CIS benchmark's
// own audit method: `aws eks list-clusters`, then one `aws eks describe-cluster` process per cluster
// with the benchmark's --query, run one after another as the benchmark text describes.
//
//	go test -run '^$' -bench VersusAuditMethod -benchtime 1x ./internal/cli/
func BenchmarkVersusAuditMethod(b *testing.B) {
	awsBin := testenv.RequireTool(b, "aws")
	testenv.IsolateAWS(b, "us-east-1")
	f, err := emulator.ParseFleet([]byte("behaviour: {latency: 20ms}\ngenerate: {accounts: 1, regions: [us-east-1], clustersPerRegion: 100, seed: 1}\n"), "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv := emulator.New(f)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()

	scan := func(args ...string) time.Duration {
		io, _, _, errOut := iostreams.Test()
		io.Getenv = os.Getenv
		fac := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
		start := time.Now()
		code := Run(context.Background(), append([]string{"scan", "--endpoint-url", url, "--format", "json", "--output", os.DevNull}, args...), fac)
		if code != 0 && code != 1 {
			b.Fatalf("scan exit %d: %s", code, errOut)
		}
		return time.Since(start)
	}
	audit := func() time.Duration {
		start := time.Now()
		out, err := exec.Command(awsBin, "eks", "list-clusters", "--region", "us-east-1", "--endpoint-url", url, "--output", "json").Output()
		if err != nil {
			b.Fatal(err)
		}
		var list struct{ Clusters []string }
		if err := json.Unmarshal(out, &list); err != nil || len(list.Clusters) != 100 {
			b.Fatalf("list-clusters: %v, %d clusters", err, len(list.Clusters))
		}
		for _, name := range list.Clusters {
			cmd := exec.Command(awsBin, "eks", "describe-cluster", "--name", name, "--region", "us-east-1", "--endpoint-url", url,
				"--query", "cluster.resourcesVpcConfig.{endpointPublicAccess:endpointPublicAccess,endpointPrivateAccess:endpointPrivateAccess}", "--output", "json")
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	for i := 0; i < b.N; i++ {
		def := scan()
		lifted := scan("--rate", "1000")
		cli := audit()
		b.ReportMetric(def.Seconds(), "eksguard-s")
		b.ReportMetric(lifted.Seconds(), "eksguard-unpaced-s")
		b.ReportMetric(cli.Seconds(), "aws-cli-audit-s")
		b.ReportMetric(cli.Seconds()/def.Seconds(), "x-faster")
		b.ReportMetric(cli.Seconds()/lifted.Seconds(), "x-faster-unpaced")
	}
}
