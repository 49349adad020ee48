package scan

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/probe"
)

// AddProbeFlags declares the flags of the network probe, shared by scan and probe.
func AddProbeFlags(fl *pflag.FlagSet, o *Options) {
	fl.DurationVar(&o.ProbeTimeout, "probe-timeout", probe.DefaultTimeout, "with --probe: time each step of a probe may take (DNS, connect, TLS handshake, each request)")
	fl.StringVar(&o.CallerIP, "caller-ip", "auto", "with --probe: this caller's public IP address, which the allowlist is judged against, or auto to ask --ip-echo-url")
	fl.StringVar(&o.IPEchoURL, "ip-echo-url", probe.DefaultIPEchoURL, "with --probe and --caller-ip auto: the service that answers with the caller's public address")
}

// benchmark is the selection the run evaluates: --controls and --skip-controls, and with --probe
// eksguard's own network controls too. Naming one of those controls asks for the probe as well.
func (o *Options) benchmark() (*benchmark.Benchmark, error) {
	base := benchmark.Default()
	if o.Kubernetes || o.Kubeconfig != "" {
		base = base.WithKubernetes()
	}
	b, err := base.Select(o.Controls, o.SkipControls)
	if err != nil {
		return nil, err
	}
	if o.Probe {
		var add []string
		for _, id := range benchmark.ProbeControls {
			if !skipped(o.SkipControls, id) {
				add = append(add, id)
			}
		}
		b = b.With(add...)
	}
	return o.kubeSelection(b)
}

func skipped(skip []string, id string) bool {
	for _, s := range skip {
		if strings.EqualFold(strings.TrimSpace(s), id) {
			return true
		}
	}
	return false
}

// validateProbe checks the probe's flags; a probe of a snapshot is refused with the other live-only
// flags.
func (o *Options) validateProbe() error {
	if o.ProbeTimeout <= 0 {
		return fmt.Errorf("--probe-timeout must be positive, not %s", o.ProbeTimeout)
	}
	if o.Probe && o.CallerIP == "" {
		return errors.New("--caller-ip: empty; give this caller's public IP address, or auto")
	}
	if o.Probe && o.IPEchoURL == "" {
		return errors.New("--ip-echo-url: empty; give the URL of a service that answers with the caller's address")
	}
	if o.CallerIP != "" && o.CallerIP != "auto" {
		if _, err := netip.ParseAddr(o.CallerIP); err != nil {
			return fmt.Errorf("--caller-ip: %q is not an IP address (or auto)", o.CallerIP)
		}
	}
	if o.IPEchoURL != "" && !strings.HasPrefix(o.IPEchoURL, "http://") && !strings.HasPrefix(o.IPEchoURL, "https://") {
		return fmt.Errorf("--ip-echo-url: %q must start with http:// or https://", o.IPEchoURL)
	}
	if o.Probe {
		if _, err := probe.PublicFromEnv(o.IO.Getenv); err != nil {
			return err
		}
	}
	return nil
}

// probeClusters probes the endpoint of every live cluster, at most probe.MaxInFlight at a time,
// and records what each answered. Traffic goes only to the clusters' endpoints (and, with
// --caller-ip auto, one GET to --ip-echo-url); no credentials are ever sent.
func probeClusters(ctx context.Context, o *Options, inv *model.Inventory) error {
	public, err := probe.PublicFromEnv(o.IO.Getenv)
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	from, fromErr := o.callerAddress(ctx)
	var targets []probe.Target
	var clusters []*model.Cluster
	for _, c := range inv.Clusters {
		if !c.Source.Live() {
			continue
		}
		c.Parts = c.Parts.Add(model.PartProbe)
		if c.Endpoint == "" {
			c.Probe = &model.ProbeResult{From: from, FromError: fromErr, Result: probe.Result{Error: "DescribeCluster gave no endpoint", Resolved: []probe.Address{}}}
			continue
		}
		targets = append(targets, probe.Target{Endpoint: c.Endpoint, CA: c.CAData})
		clusters = append(clusters, c)
	}
	inv.Parts = inv.Parts.Add(model.PartProbe)
	if len(targets) == 0 {
		return nil
	}
	results := probe.ProbeAll(ctx, targets, probe.Options{Timeout: o.ProbeTimeout, TreatAsPublic: public})
	if err := ctx.Err(); err != nil {
		return exit.New(exit.Incomplete, errors.New("interrupted while probing the endpoints"))
	}
	for i, r := range results {
		clusters[i].Probe = &model.ProbeResult{From: from, FromError: fromErr, Result: r}
	}
	return nil
}

// callerAddress is --caller-ip, or the address the echo service sees; on failure, why.
func (o *Options) callerAddress(ctx context.Context) (string, string) {
	if o.CallerIP != "" && o.CallerIP != "auto" {
		a, _ := netip.ParseAddr(o.CallerIP) // Validate checked it
		return a.Unmap().String(), ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a, err := probe.CallerIP(ctx, nil, o.IPEchoURL)
	if err != nil {
		return "", err.Error() + "; pass --caller-ip"
	}
	return a.String(), ""
}
