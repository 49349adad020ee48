package remediate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/eksguard/eksguard/internal/emulator"
)

// failNth makes the emulator fail the nth UpdateClusterConfig of the run (and only that one).
type failNth struct {
	EKSAPI
	srv  *emulator.Server
	n    int
	seen int
}

func (f *failNth) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	f.seen++
	b := f.srv.Behaviour()
	if f.seen == f.n {
		b.FailUpdates = []string{aws.ToString(in.Name)}
	} else {
		b.FailUpdates = nil
	}
	f.srv.SetBehaviour(b)
	return f.EKSAPI.UpdateClusterConfig(ctx, in, opts...)
}

// lyingDescribe reports the public endpoint still on, with another allowlist, after the first update
// although EKS said it succeeded: the cluster is then in neither the expected nor the recorded state,
// as a failed verification looks.
type lyingDescribe struct {
	EKSAPI
	updated bool
}

func (l *lyingDescribe) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	if !l.updated {
		l.updated = true
		return l.EKSAPI.UpdateClusterConfig(ctx, in, opts...)
	}
	// The rollback: stop lying so it can be verified.
	l.updated = false
	return l.EKSAPI.UpdateClusterConfig(ctx, in, opts...)
}

func (l *lyingDescribe) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	out, err := l.EKSAPI.DescribeCluster(ctx, in, opts...)
	if err == nil && l.updated && out.Cluster != nil && out.Cluster.ResourcesVpcConfig != nil {
		out.Cluster.ResourcesVpcConfig.EndpointPublicAccess = true
		out.Cluster.ResourcesVpcConfig.PublicAccessCidrs = []string{"198.51.100.0/24"}
	}
	return out, err
}

func loggingOn() *ekstypes.Logging {
	return &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(true), Types: []ekstypes.LogType{ekstypes.LogTypeAudit}}}}
}

// bothOff reports a cluster with both endpoints off, which real EKS never does.
type bothOff struct{ EKSAPI }

func (b *bothOff) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	out, err := b.EKSAPI.DescribeCluster(ctx, in, opts...)
	if err == nil && out.Cluster != nil && out.Cluster.ResourcesVpcConfig != nil {
		out.Cluster.ResourcesVpcConfig.EndpointPublicAccess = false
		out.Cluster.ResourcesVpcConfig.EndpointPrivateAccess = false
	}
	return out, err
}

// noUpdateInAnswer performs the call but drops the update from the answer, as moto does.
type noUpdateInAnswer struct{ EKSAPI }

func (n *noUpdateInAnswer) UpdateClusterConfig(ctx context.Context, in *eks.UpdateClusterConfigInput, opts ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error) {
	out, err := n.EKSAPI.UpdateClusterConfig(ctx, in, opts...)
	if err == nil {
		out.Update = nil
	}
	return out, err
}
