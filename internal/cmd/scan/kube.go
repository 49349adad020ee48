package scan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/ekstoken"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/kubeapi"
)

// DefaultKubeTimeout bounds each request to a cluster's Kubernetes API.
const DefaultKubeTimeout = 15 * time.Second

// kubeClustersInFlight is how many clusters' Kubernetes APIs are read at once.
const kubeClustersInFlight = 8

// addKubeFlags declares the flags of the Kubernetes side.
func addKubeFlags(fl *pflag.FlagSet, o *Options) {
	fl.BoolVar(&o.Kubernetes, "kubernetes", false, "also read each cluster's Kubernetes API, with an EKS token made from the same AWS credentials, and judge the Kubernetes controls (3.2 kubelet settings, 4.1-4.5 RBAC, pods, namespaces, 5.2.1); read-only")
	fl.StringVar(&o.Kubeconfig, "kubeconfig", "", "judge one cluster through its Kubernetes API only, from this kubeconfig file (exec plugins such as aws eks get-token work), with no AWS call")
	fl.StringVar(&o.KubeContext, "context", "", "with --kubeconfig: the context to read (default: the file's current-context)")
	fl.DurationVar(&o.KubeTimeout, "kube-timeout", DefaultKubeTimeout, "time each request to a cluster's Kubernetes API may take (an endpoint that cannot be reached costs this once per cluster)")
}

// awsOnlyFlags are the flags --kubeconfig, which makes no AWS call, cannot be combined with.
var awsOnlyFlags = []string{"profile", "region", "all-regions", "cluster", "endpoint-url", "snapshot", "max-attempts", "request-timeout", "org",
	"accounts", "role-name", "external-id", "security-hub", "security-hub-resolve", "probe", "probe-timeout", "caller-ip", "ip-echo-url", "rate", "kubernetes"}

// validateKubeFlags checks the Kubernetes flags against the others that were given.
func validateKubeFlags(cmd *cobra.Command, o *Options) error {
	fl := cmd.Flags()
	if fl.Changed("kubeconfig") && strings.TrimSpace(o.Kubeconfig) == "" {
		return errors.New("--kubeconfig: empty; give the path of a kubeconfig file")
	}
	if fl.Changed("context") && o.Kubeconfig == "" {
		return errors.New("--context applies to --kubeconfig")
	}
	if fl.Changed("context") && strings.TrimSpace(o.KubeContext) == "" {
		return errors.New("--context: empty; give a context of the kubeconfig, or leave --context out for its current-context")
	}
	if o.KubeTimeout <= 0 {
		return fmt.Errorf("--kube-timeout must be positive, not %s", o.KubeTimeout)
	}
	if o.Kubeconfig == "" {
		return nil
	}
	for _, name := range awsOnlyFlags {
		if fl.Changed(name) {
			return fmt.Errorf("--kubeconfig reads one cluster's Kubernetes API and makes no AWS call; it cannot be combined with --%s", name)
		}
	}
	return nil
}

// kubeSelection keeps, for --kubeconfig, only the Kubernetes controls: those selected, or every one
// --skip-controls leaves when no control is named. Naming a control judged from AWS is an error.
func (o *Options) kubeSelection(b *benchmark.Benchmark) (*benchmark.Benchmark, error) {
	if o.Kubeconfig == "" {
		return b, nil
	}
	all := benchmark.Default().WithKubernetes()
	if len(o.Controls) > 0 {
		for _, c := range b.Evaluated() {
			if !c.Kube() {
				return nil, fmt.Errorf("--controls: %s is judged from AWS, and --kubeconfig reads only the Kubernetes API (its controls: %s)",
					c.ID, strings.Join(all.KubeControls(), ", "))
			}
		}
		return b, nil
	}
	kb, err := all.Select(all.KubeControls(), o.SkipControls)
	if err != nil {
		return nil, errors.New("--skip-controls leaves no Kubernetes control for --kubeconfig to judge")
	}
	return kb, nil
}

// kubeParts are the parts of the Kubernetes side among ps.
func kubeParts(ps model.Parts) model.Parts {
	var out model.Parts
	for _, p := range ps {
		if p == model.PartKubernetes || p == model.PartKubelet {
			out = out.Add(p)
		}
	}
	return out
}

// kubeconfigInventory reads the one cluster of --kubeconfig.
func kubeconfigInventory(ctx context.Context, o *Options, parts model.Parts) (*model.Inventory, error) {
	kc, err := kubeapi.FromKubeconfig(o.Kubeconfig, o.KubeContext)
	if err != nil {
		return nil, exit.New(exit.Usage, err)
	}
	c := &model.Cluster{Name: kc.Cluster, Source: model.SourceKubeconfig, Parts: kubeParts(parts)}
	// `aws eks update-kubeconfig` names the cluster entry by the cluster's ARN.
	if a, err := arn.Parse(kc.Cluster); err == nil && a.Service == "eks" && strings.HasPrefix(a.Resource, "cluster/") {
		c.Name, c.ARN, c.Account, c.Region = strings.TrimPrefix(a.Resource, "cluster/"), kc.Cluster, a.AccountID, a.Region
	}
	c.Kube = kubeapi.Read(ctx, kc.Config, "kubeconfig "+o.Kubeconfig+", context "+kc.Context, c.Parts, kubeapi.Options{Timeout: o.KubeTimeout})
	if ctx.Err() != nil {
		return nil, exit.New(exit.Incomplete, errors.New("interrupted while reading the Kubernetes API"))
	}
	return &model.Inventory{CollectedAt: o.Now().UTC(), Clusters: []*model.Cluster{c}, Parts: c.Parts, Errors: []model.Error{}, Skipped: []model.Skip{}}, nil
}

// readKubernetes reads the Kubernetes API of every live cluster that can be judged, a few clusters
// at a time, each with an EKS token signed by the credentials its account was scanned with.
func readKubernetes(ctx context.Context, o *Options, inv *model.Inventory, live *liveRun, parts model.Parts) error {
	parts = kubeParts(parts)
	sem := make(chan struct{}, kubeClustersInFlight)
	var wg sync.WaitGroup
	for _, c := range inv.Clusters {
		if !c.Source.Live() {
			continue
		}
		c.Parts = c.Parts.Add(parts...)
		if c.Connector || c.Status == model.StatusCreating || c.Status == model.StatusPending || c.Status == model.StatusDeleting {
			// Nothing to read yet, or no more: the checks' gate says why.
			c.Kube = &model.Kube{Server: c.Endpoint, Error: "the cluster is " + strings.ToLower(c.Status) + "; its Kubernetes API was not read"}
			if c.Connector {
				c.Kube.Error = "a registered (EKS Connector) cluster's API is not reached through EKS"
			}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.Kube = readCluster(ctx, o, live, c, parts)
		}()
	}
	wg.Wait()
	inv.Parts = inv.Parts.Add(parts...)
	if ctx.Err() != nil {
		return exit.New(exit.Incomplete, errors.New("interrupted while reading the clusters' Kubernetes APIs"))
	}
	return nil
}

// readCluster signs a token for one cluster and reads its API.
func readCluster(ctx context.Context, o *Options, live *liveRun, c *model.Cluster, parts model.Parts) *model.Kube {
	creds := live.cfg.Credentials
	if cr, ok := live.creds[c.Account]; ok {
		creds = cr
	}
	// A plain STS client: presigning builds its own request, without the collector's middleware.
	signer := sts.NewFromConfig(live.cfg, func(so *sts.Options) {
		so.Region, so.Credentials = c.Region, creds
		if o.EndpointURL != "" {
			so.BaseEndpoint = aws.String(o.EndpointURL)
		}
	})
	tok, err := ekstoken.New(ctx, signer, c.Name, o.Now())
	if err != nil {
		return &model.Kube{Server: c.Endpoint, Error: "could not sign an EKS token: " + err.Error()}
	}
	cfg, err := kubeapi.ForEKS(c.Endpoint, c.CAData, tok.Value)
	if err != nil {
		return &model.Kube{Server: c.Endpoint, Error: err.Error()}
	}
	return kubeapi.Read(ctx, cfg, "EKS token", parts, kubeapi.Options{Timeout: o.KubeTimeout})
}
