package emulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// DefaultRegions are the 17 regions enabled by default in every AWS account,
// in the order a count in `generate.regions` takes them.
var DefaultRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
	"eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
	"ap-southeast-2", "ap-south-1", "sa-east-1",
}

// optInRegions must be enabled explicitly; DescribeRegions reports them as
// "opted-in" rather than "opt-in-not-required" once enabled.
var optInRegions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-south-2": true,
	"ap-southeast-3": true, "ap-southeast-4": true, "ap-southeast-5": true,
	"ap-southeast-6": true, "ap-southeast-7": true, "ca-west-1": true,
	"eu-central-2": true, "eu-south-1": true, "eu-south-2": true,
	"il-central-1": true, "me-central-1": true, "me-south-1": true, "mx-central-1": true,
}

// generateAccounts builds the synthetic part of a fleet. The mix of endpoint
// configurations comes from a seeded RNG so benchmark fleets are identical
// from run to run.
func generateAccounts(g *Generate, existing []Account) []Account {
	used := map[string]bool{}
	for _, a := range existing {
		used[a.ID] = true
	}
	rng := rand.New(rand.NewPCG(g.Seed, 0x656b736775617264))
	// The logging, access and encryption mix draws from its own stream, so the
	// endpoint mix of a seed stays what it was before these settings existed.
	settings := rand.New(rand.NewPCG(g.Seed, 0x636f6e74726f6c73))
	// Node groups, registries and load balancers draw from a third stream:
	// a fleet without them is what it always was.
	parts := rand.New(rand.NewPCG(g.Seed, 0x7061727473))
	next := int64(200_000_000_000)
	out := make([]Account, 0, g.Accounts)
	for i := 0; i < g.Accounts; i++ {
		id := fmt.Sprintf("%012d", next)
		for used[id] {
			next++
			id = fmt.Sprintf("%012d", next)
		}
		used[id] = true
		next++
		a := Account{ID: id, Name: fmt.Sprintf("generated-%03d", i+1), Regions: make([]Region, 0, len(g.Regions))}
		if g.NodegroupsPerCluster > 0 {
			a.IAM = generatedIAM(id)
		}
		for _, name := range g.Regions {
			r := Region{Name: name, Clusters: make([]Cluster, 0, g.ClustersPerRegion)}
			for k := 0; k < g.ClustersPerRegion; k++ {
				c := generatedCluster(rng, k)
				withControls(settings, &c)
				r.Clusters = append(r.Clusters, c)
			}
			withNodes(parts, g.NodegroupsPerCluster, id, &r)
			withRegistry(parts, g.RepositoriesPerRegion, id, &r)
			withLoadBalancers(parts, g.LoadBalancersPerCluster, id, &r)
			a.Regions = append(a.Regions, r)
		}
		out = append(out, a)
	}
	return out
}

var (
	generatedVersions = []string{"1.29", "1.30", "1.31", "1.32", "1.33"}
	testNetCidrs      = []string{"203.0.113.0/24", "198.51.100.7/32", "192.0.2.0/28", "203.0.113.99/32", "198.51.100.128/25"}
)

func generatedCluster(rng *rand.Rand, k int) Cluster {
	c := Cluster{Name: fmt.Sprintf("cluster-%04d", k+1), Version: generatedVersions[rng.IntN(len(generatedVersions))]}
	pub, priv := true, false
	var cidrs []string
	switch x := rng.IntN(100); {
	case x < 35:
		// Left out on purpose: AWS defaults, public to the world (TD-5).
		return withFamily(rng, c)
	case x < 55:
		cidrs = pickCidrs(rng)
	case x < 75:
		priv, cidrs = true, pickCidrs(rng)
	case x < 85:
		priv, cidrs = true, []string{"0.0.0.0/0"}
	default:
		// Both observed shapes of a private-only cluster (TD-9).
		pub, priv = false, true
		if rng.IntN(2) == 0 {
			cidrs = []string{}
		} else {
			cidrs = []string{"0.0.0.0/0"}
		}
	}
	c.ResourcesVpcConfig = &VpcConfig{EndpointPublicAccess: &pub, EndpointPrivateAccess: &priv, PublicAccessCidrs: cidrs}
	return withFamily(rng, c)
}

func withFamily(rng *rand.Rand, c Cluster) Cluster {
	if rng.IntN(10) == 0 {
		c.KubernetesNetworkConfig = &KubernetesNetworkConfig{IPFamily: "ipv6"}
	}
	return c
}

func pickCidrs(rng *rand.Rand) []string {
	n := 1 + rng.IntN(3)
	out := make([]string, 0, n)
	for _, i := range rng.Perm(len(testNetCidrs))[:n] {
		out = append(out, testNetCidrs[i])
	}
	return out
}

const generatedKeyArn = "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000"

// withControls gives a generated cluster a seeded mix of logging,
// authentication mode and secrets encryption; left out, each takes EKS's
// default (no logs, CONFIG_MAP, no key).
func withControls(rng *rand.Rand, c *Cluster) {
	switch x := rng.IntN(100); {
	case x < 25:
		c.Logging = &Logging{ClusterLogging: []LogSetup{{Types: slices.Clone(logTypes), Enabled: ptr(true)}}}
	case x < 40:
		c.Logging = &Logging{ClusterLogging: []LogSetup{{Types: []string{"api", "audit", "authenticator"}, Enabled: ptr(true)}}}
	}
	switch x := rng.IntN(100); {
	case x < 35:
		c.AccessConfig = &AccessConfig{AuthenticationMode: "API_AND_CONFIG_MAP"}
	case x < 50:
		c.AccessConfig = &AccessConfig{AuthenticationMode: "API"}
	}
	if rng.IntN(100) < 40 {
		c.EncryptionConfig = []EncryptionConfig{{Resources: []string{"secrets"}, Provider: &Provider{KeyArn: generatedKeyArn}}}
	}
}
