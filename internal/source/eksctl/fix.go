package eksctl

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// names are where a ClusterConfig writes each setting.
var names = map[model.Field]string{
	model.FieldEndpointPublicAccess:  "vpc.clusterEndpoints.publicAccess",
	model.FieldEndpointPrivateAccess: "vpc.clusterEndpoints.privateAccess",
	model.FieldPublicAccessCIDRs:     "vpc.publicAccessCIDRs",
	model.FieldEnabledLogTypes:       "cloudWatch.clusterLogging.enableTypes",
	model.FieldAuthenticationMode:    "accessConfig.authenticationMode",
	model.FieldSecretsKeyARN:         "secretsEncryption.keyARN",
}

// applyCommands are the eksctl commands that applies each part of the config to an existing cluster, in the
// order fixes name them.
var applyCommands = []struct {
	fields  []model.Field
	command string
}{
	{[]model.Field{model.FieldEndpointPublicAccess, model.FieldEndpointPrivateAccess, model.FieldPublicAccessCIDRs}, "eksctl utils update-cluster-vpc-config -f %s --approve"},
	{[]model.Field{model.FieldEnabledLogTypes}, "eksctl utils update-cluster-logging -f %s --approve"},
	{[]model.Field{model.FieldAuthenticationMode}, "eksctl utils update-authentication-mode -f %s"},
	{[]model.Field{model.FieldSecretsKeyARN}, "eksctl utils enable-secrets-encryption -f %s --approve"},
}

// touchesEndpoint reports whether want sets an endpoint setting.
func touchesEndpoint(want model.Settings) bool {
	return slices.ContainsFunc(want.Fields(), isEndpoint)
}

func isEndpoint(f model.Field) bool {
	return f == model.FieldEndpointPublicAccess || f == model.FieldEndpointPrivateAccess || f == model.FieldPublicAccessCIDRs
}

// fix writes the settings into the ClusterConfig, each where eksctl reads it. Each is tried alone
// first, so that one the config cannot take (an endpoint setting of a fully-private cluster) costs
// only its own edit; when several are asked and none can be written, the config itself is the problem.
func (c *config) fix(want model.Settings) (*finding.Fix, error) {
	fields := want.Fields()
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s already has the settings; nothing to change", c.cluster.Name)
	}
	return iac.EditEach(want, c.edit)
}

func (c *config) edit(want model.Settings) (*finding.Fix, error) {
	cl := c.cluster
	if touchesEndpoint(want) {
		switch {
		case c.privateUnknown:
			return nil, fmt.Errorf("%s: privateCluster.enabled is not a literal boolean; settle it before editing vpc.clusterEndpoints, which eksctl rejects for a fully-private cluster", cl.Name)
		case c.private && get(c.root, "vpc", "clusterEndpoints") != nil:
			return nil, fmt.Errorf("%s: remove vpc.clusterEndpoints, which eksctl rejects together with privateCluster.enabled", cl.Name)
		case c.private:
			return nil, fmt.Errorf("%s is a fully-private cluster (privateCluster.enabled), stricter than any endpoint setting and incompatible with vpc.clusterEndpoints; nothing to change there", cl.Name)
		}
	}
	if want.AuthenticationMode != nil && *want.AuthenticationMode != model.AuthConfigMap && c.legacyOutpost() {
		return nil, fmt.Errorf("%s is a local cluster on Outposts without outpost.etcdInstanceType, for which EKS accepts only CONFIG_MAP (eksctl-io/eksctl#7552); access entries need an Outpost cluster with etcdInstanceType", cl.Name)
	}
	if want.SecretsKeyARN != nil && cl.Outpost {
		return nil, fmt.Errorf("%s is a local cluster on Outposts, where eksctl does not support KMS secrets encryption (it rejects secretsEncryption.keyARN)", cl.Name)
	}
	kvs, missing := yamledit.KVs(want, names)
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: eksguard does not write %s in eksctl files", cl.Name, missing[0])
	}
	what := "ClusterConfig " + cl.Name
	ed := c.doc.Editor()
	if err := ed.Set(nil, c.root, what, nil, kvs); err != nil {
		return nil, fmt.Errorf("fix %s: %w", cl.Name, err)
	}
	edits, err := ed.Edits(c.file.Name, c.file.Path)
	if err != nil {
		return nil, fmt.Errorf("fix %s: %w", cl.Name, err)
	}
	desc := yamledit.Describe(nil, what, kvs)
	var commands []string
	for _, u := range applyCommands {
		for _, f := range u.fields {
			if slices.Contains(want.Fields(), f) {
				commands = append(commands, fmt.Sprintf(u.command, c.file.Name))
				break
			}
		}
	}
	desc += "; for an existing cluster apply it with: " + strings.Join(commands, " and ")
	if after := want.Apply(cl).EndpointPublicAccess; touchesEndpoint(want) && after.Known() && !after.Value {
		desc += " (eksctl cannot create a cluster with private access only, so create it first or use privateCluster.enabled)"
	}
	return &finding.Fix{Description: desc, Edits: edits}, nil
}
